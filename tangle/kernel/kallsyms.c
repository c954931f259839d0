/* Tangled from chapters/12-dispatch.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "kallsyms.h"

extern const unsigned long kallsyms_num;
extern const unsigned long kallsyms_addresses[];
extern const unsigned int kallsyms_offsets[];
extern const char kallsyms_names[];

const char *kallsyms_lookup(unsigned long addr, unsigned long *offset,
			    unsigned long *size)
{
	unsigned long lo = 0, hi = kallsyms_num;

	if (!hi || addr < kallsyms_addresses[0] || addr >= (unsigned long)__text_end)
		return NULL;
	while (hi - lo > 1) {
		unsigned long mid = lo + (hi - lo) / 2;
		if (kallsyms_addresses[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - kallsyms_addresses[lo];
	*size = (lo + 1 < kallsyms_num ? kallsyms_addresses[lo + 1]
				       : (unsigned long)__text_end) - kallsyms_addresses[lo];
	return kallsyms_names + kallsyms_offsets[lo];
}

void print_symbol(const char *prefix, unsigned long addr)
{
	unsigned long off, size;
	const char *name = kallsyms_lookup(addr, &off, &size);

	if (name)
		printk("%s[<%016lx>] %s+%#lx/%#lx\n", prefix, addr, name, off, size);
	else
		printk("%s[<%016lx>] ?\n", prefix, addr);
}
