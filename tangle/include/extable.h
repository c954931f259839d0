/* Tangled from chapters/15-page-faults.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "ptregs.h"
#include "percpu.h"

struct exception_table_entry {
	int insn;               /* faulting instruction, relative to &insn */
	int fixup;              /* where to continue, relative to &fixup */
};

static inline unsigned long ex_insn(const struct exception_table_entry *e)
{
	return (unsigned long)&e->insn + e->insn;
}

static inline unsigned long ex_fixup(const struct exception_table_entry *e)
{
	return (unsigned long)&e->fixup + e->fixup;
}

#define _ASM_EXTABLE(from, to)						\
	".pushsection __ex_table, \"a\"\n\t"				\
	".balign 4\n\t"							\
	".long (" #from ") - .\n\t"					\
	".long (" #to ") - .\n\t"					\
	".popsection\n\t"

extern struct exception_table_entry __start___ex_table[], __stop___ex_table[];

void sort_extable(struct exception_table_entry *t, long n);
const struct exception_table_entry *search_exception_tables(unsigned long ip);
void ex_set(struct exception_table_entry *e, unsigned long insn,
	    unsigned long fixup);
bool fixup_exception(struct pt_regs *regs, int vector, unsigned long error_code);
DECLARE_PER_CPU(int, fixup_vector);
DECLARE_PER_CPU(unsigned long, fixup_error_code);

#define ASM_TRY(catch)							\
	"movl $-1, %%gs:fixup_vector\n\t"				\
	_ASM_EXTABLE(1111f, catch)					\
	"1111:\n\t"
