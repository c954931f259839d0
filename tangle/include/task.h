/* Tangled from chapters/13-syscalls.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "ptregs.h"
#include "mm.h"
#include "percpu.h"

#define USER_TEXT       0x400000UL              /* where programs are loaded */
#define USER_STACK_TOP  0x7ffffffff000UL
#define USER_STACK_SIZE (2 * PAGE_SIZE)
#define USER_TOP        0x800000000000UL        /* first non-user address */

struct user_program {
	const char *name;
	const u8 *start, *end;
};

struct task {
	int pid;
	const char *name;
	pte_t *pml4;
	unsigned long kernel_sp;        /* where run_user_program waits */
	bool killed;
	int vector;                     /* if killed: the exception */
	unsigned long error_code, fault_addr;
	long exit_code;
	long reports[8];                /* values sent with SYS_report */
	int nr_reports;
};
DECLARE_PER_CPU(struct task *, current_task);

struct task *run_user_program(const char *name);
void task_free(struct task *task);
void user_exception(struct pt_regs *regs, unsigned long error_code, int vector)
	__attribute__((noreturn));
const char *current_task_name(void);
bool access_ok(const void *p, unsigned long size);
