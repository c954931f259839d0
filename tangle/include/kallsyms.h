/* Tangled from chapters/12-dispatch.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once

const char *kallsyms_lookup(unsigned long addr, unsigned long *offset,
			    unsigned long *size);
void print_symbol(const char *prefix, unsigned long addr);
