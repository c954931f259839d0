/* Tangled from chapters/11-entry.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "ptregs.h"
#include "percpu.h"

#define VECTOR(vec, trap, name, kind, ist, dpl, gate, handler) \
	extern char asm_##name[]; \
	void exc_##name(struct pt_regs *regs, unsigned long error_code); \
	void do_##name(struct pt_regs *regs, unsigned long error_code);
#include "vector-list.h"
#undef VECTOR

extern char irq_entries_start[];        /* 224 stubs, 8 bytes apart */
void common_interrupt(struct pt_regs *regs);
DECLARE_PER_CPU(unsigned long, hardirq_stack_ptr);
DECLARE_PER_CPU(u8, hardirq_stack_inuse);
