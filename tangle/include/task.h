/* Tangled from chapters/13-syscalls.nw chapters/15-page-faults.nw chapters/22-sched.nw chapters/23-sleeping-locks.nw chapters/25-workqueue.nw chapters/29-utime.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "ptregs.h"
#include "mm.h"
#include "percpu.h"
#include "user-layout.h"
#include "list.h"
#include "smp.h"
#include "wait.h"

#include "lockdep.h"

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
	pte_t *pml4;                    /* NULL: a kernel thread */
	bool killed;
	int vector;                     /* if killed: the exception */
	unsigned long error_code, fault_addr, fault_ip;
	long fault_syscall;             /* the system call in progress, or -1 */
	long exit_code;
	long reports[8];                /* values sent with SYS_report */
	int nr_reports;
	unsigned long syscalls;         /* system calls it entered */
	struct vm_region regions[MAX_REGIONS];
	int nr_regions;
	unsigned long demand_zero;              /* pages this task faulted in */
	unsigned long sp;               /* kernel RSP while switched out */
	void *stack;                    /* lowest byte of its kernel stack */
	unsigned long stack_top;        /* the stack's top: RSP0 while it runs */
	int state;                      /* TASK_RUNNING, TASK_INTERRUPTIBLE, ... */
	unsigned flags;                 /* PF_KTHREAD, PF_IDLE */
	unsigned long ti_flags;         /* TIF_NEED_RESCHED, changed atomically */
	int prio;                       /* 0 (most urgent) to NR_PRIO - 1 */
	int cpu;                        /* its run queue's CPU, or where it ran */
	bool on_rq;                     /* runnable: queued, or running */
	bool migrate;                   /* must move: its CPU is not allowed */
	bool kill_requested;            /* a user task: exit at the next return */
	bool killed_by_request;         /* ... and it did */
	bool should_stop;               /* kthread_stop was called */
	struct cpumask allowed;         /* the CPUs it may run on */
	struct list_head run_list;      /* its place in a run queue */
	struct list_head all_list;      /* its place in the list of all tasks */
	int refs;                       /* the last put_task frees it */
	int (*threadfn)(void *data);    /* what a kernel thread runs */
	void *data;
	unsigned long user_arg;         /* a user program's argument (RDI) */
	struct completion exited;       /* completed when it exits */
	unsigned long nr_switches;      /* times it was switched in */
	unsigned long ticks;            /* ticks during which it was running */
	u16 ds, es, fs, gs;             /* a user task's selectors, switched out */
	unsigned long fs_base, gs_base; /* and its FS and GS bases */
	char comm[16];                  /* the name, for a kernel thread */
	signed char held_locks[MAX_HELD_LOCKS];  /* lock-class ids, oldest first */
	int nr_held;
	void *wq_worker;                        /* its struct worker, if a worker */
	bool wq_idle;                           /* going idle, not sleeping in an item */
};
DECLARE_PER_CPU(struct task *, current_task);

struct task *task_create(const char *name);
struct task *run_user_program(const char *name);
struct task *run_user_program_arg(const char *name, unsigned long arg);
void task_free(struct task *task);
void free_user_space(pte_t *pml4);
void load_user_segments(const struct task *t);
void user_exception(struct pt_regs *regs, unsigned long error_code, int vector)
	__attribute__((noreturn));
const char *current_task_name(void);

static inline bool access_ok(const void *p, unsigned long size)
{
	unsigned long a = (unsigned long)p;

	return size <= USER_TOP && a <= USER_TOP - size;
}

#define PTE_NOFREE      (1UL << 9)      /* mapped, not owned: never freed here */

bool vdso_map(pte_t *pml4);
