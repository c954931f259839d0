/* Tangled from chapters/12-dispatch.nw chapters/15-page-faults.nw chapters/30-watchdog.nw by 'make tangle'. Edit the chapter, not this file. */
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
DECLARE_PER_CPU(unsigned long, kernel_debug_count);
extern bool (*exception_hook)(struct pt_regs *regs, unsigned long error_code,
			      int vector);

#define PF_PROT  (1 << 0)       /* present: a protection violation */
#define PF_WRITE (1 << 1)
#define PF_USER  (1 << 2)
#define PF_RSVD  (1 << 3)
#define PF_INSTR (1 << 4)
#define PF_PK    (1 << 5)

DECLARE_PER_CPU(bool, nmi_backtrace_requested);
void nmi_cpu_backtrace(struct pt_regs *regs);
