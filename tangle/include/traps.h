/* Tangled from chapters/12-dispatch.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "ptregs.h"
#include "percpu.h"

void handle_exception(struct pt_regs *regs, unsigned long error_code,
		      int vector);
void die(const char *what, struct pt_regs *regs, unsigned long error_code,
	 int vector) __attribute__((noreturn));
const char *exception_name(int vector);
void show_regs(const struct pt_regs *regs);
void show_backtrace(unsigned long bp);
DECLARE_PER_CPU(unsigned long, int3_count);
DECLARE_PER_CPU(unsigned long, nmi_count);
