/* Tangled from chapters/13-syscalls.nw chapters/15-page-faults.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "ptregs.h"
#include "mm.h"
#include "percpu.h"
#include "user-layout.h"

_Static_assert(USER_STACK_TOP <= USER_TOP - PAGE_SIZE,
	       "the top user page must stay unmapped (SYSRET and RCX)");

struct user_program {
	const char *name;
	const u8 *start, *end;
};

struct task;
#define VM_WRITE        1
#define VM_EXEC         2
#define MAX_REGIONS     4

struct vm_region {
	unsigned long start, end;       /* page-aligned, end exclusive */
	unsigned flags;                 /* VM_WRITE, VM_EXEC */
};
DECLARE_PER_CPU(unsigned long, demand_zero_faults);
int handle_user_fault(struct task *t, unsigned long addr, unsigned long error_code);

struct task {
	int pid;
	const char *name;
	pte_t *pml4;
	unsigned long kernel_sp;        /* where run_user_program waits */
	bool killed;
	int vector;                     /* if killed: the exception */
	unsigned long error_code, fault_addr, fault_ip;
	long fault_syscall;             /* the system call in progress, or -1 */
	long exit_code;
	long reports[8];                /* values sent with SYS_report */
	int nr_reports;
	struct vm_region regions[MAX_REGIONS];
	int nr_regions;
	unsigned long demand_zero;              /* pages this task faulted in */
};
DECLARE_PER_CPU(struct task *, current_task);

struct task *task_create(const char *name);
struct task *run_user_program(const char *name);
struct task *run_user_program_arg(const char *name, unsigned long arg);
void task_free(struct task *task);
void user_exception(struct pt_regs *regs, unsigned long error_code, int vector)
	__attribute__((noreturn));
const char *current_task_name(void);

static inline bool access_ok(const void *p, unsigned long size)
{
	unsigned long a = (unsigned long)p;

	return size <= USER_TOP && a <= USER_TOP - size;
}
