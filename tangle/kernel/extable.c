/* Tangled from chapters/15-page-faults.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "percpu.h"
#include "extable.h"
#include "traps.h"

DEFINE_PER_CPU(int, fixup_vector);
DEFINE_PER_CPU(unsigned long, fixup_error_code);

void ex_set(struct exception_table_entry *e, unsigned long insn,
	    unsigned long fixup)
{
	e->insn = (int)(insn - (unsigned long)&e->insn);
	e->fixup = (int)(fixup - (unsigned long)&e->fixup);
}

void sort_extable(struct exception_table_entry *t, long n)
{
	for (long i = 1; i < n; i++) {
		unsigned long insn = ex_insn(&t[i]), fixup = ex_fixup(&t[i]);
		long j = i;
		for (; j > 0 && ex_insn(&t[j - 1]) > insn; j--)
			ex_set(&t[j], ex_insn(&t[j - 1]), ex_fixup(&t[j - 1]));
		ex_set(&t[j], insn, fixup);
	}
}

const struct exception_table_entry *search_exception_tables(unsigned long ip)
{
	const struct exception_table_entry *lo = __start___ex_table;
	const struct exception_table_entry *hi = __stop___ex_table;

	while (lo < hi) {
		const struct exception_table_entry *mid = lo + (hi - lo) / 2;
		unsigned long a = ex_insn(mid);
		if (a == ip)
			return mid;
		if (a < ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool fixup_exception(struct pt_regs *regs, int vector, unsigned long error_code)
{
	const struct exception_table_entry *e = search_exception_tables(regs->ip);

	if (!e)
		return false;
	this_cpu_write(fixup_vector, vector);
	this_cpu_write(fixup_error_code, error_code);
	regs->ip = ex_fixup(e);
	return true;
}
