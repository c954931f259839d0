/* Tangled from chapters/22-sched.nw chapters/25-workqueue.nw chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "task.h"
#include "smp.h"
#include "wait.h"
#include "atomic.h"
#include "errno.h"
#include "format.h"
#include "time.h"

#define THREAD_SIZE     (16 * 1024)     /* a task's kernel stack */
#define NR_PRIO         8               /* priorities 0 (most urgent) .. 7 */
#define DEFAULT_PRIO    4

#define TASK_RUNNING            0x00
#define TASK_INTERRUPTIBLE      0x01
#define TASK_UNINTERRUPTIBLE    0x02
#define TASK_NORMAL             (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)
#define TASK_DEAD               0x04
#define TASK_WAKING             0x08
#define TASK_NEW                0x10

#define PF_KTHREAD      0x01            /* never enters ring 3 */
#define PF_IDLE         0x02            /* a CPU's idle task */

#define TIF_NEED_RESCHED 0              /* bit in ti_flags */

extern struct task init_task;
DECLARE_PER_CPU(struct task *, current_thread);

static inline struct task *get_current(void)
{
	struct task *t;

	asm("mov %%gs:%c1, %0" : "=r"(t) : "i"(&current_thread));
	return t;
}
#define current get_current()

void schedule(void);
void yield(void);
bool wake_up_process(struct task *t);
bool wake_up_state(struct task *t, int state);
void wake_up_new_task(struct task *t);

#define __set_current_state(s) WRITE_ONCE(current->state, (s))
#define set_current_state(s) do {					\
	WRITE_ONCE(current->state, (s));				\
	smp_mb();							\
} while (0)

void set_cpus_allowed(struct task *t, const struct cpumask *mask);
void set_task_prio(struct task *t, int prio);

static inline void cpumask_clear_all(struct cpumask *m)
{
	for (unsigned i = 0; i < NR_CPUS / 64; i++)
		m->bits[i] = 0;
}

static inline void cpumask_of(struct cpumask *m, unsigned cpu)
{
	cpumask_clear_all(m);
	cpumask_set(m, cpu);
}

static inline void cpumask_fill(struct cpumask *m)
{
	for (unsigned i = 0; i < NR_CPUS / 64; i++)
		m->bits[i] = ~0UL;
}

struct task *kthread_create(int (*fn)(void *data), void *data, const char *name);
struct task *kthread_run(int (*fn)(void *data), void *data, const char *name);
void kthread_bind(struct task *t, unsigned cpu);
long kthread_stop(struct task *t);
bool kthread_should_stop(void);
void kthread_exit(long result) __attribute__((noreturn));
void do_exit(long code) __attribute__((noreturn));
void get_task(struct task *t);
void put_task(struct task *t);

struct task *start_user_program(const char *name, unsigned long arg,
				const struct cpumask *cpus);
void wait_task(struct task *t);
int task_kill(int pid);

#define MAX_SCHEDULE_TIMEOUT    (~0UL >> 1)

long schedule_timeout(long timeout);
void scheduler_tick(void);

static inline bool test_tsk_need_resched(struct task *t)
{
	return READ_ONCE(t->ti_flags) & (1UL << TIF_NEED_RESCHED);
}

static inline bool need_resched(void)
{
	return test_tsk_need_resched(current);
}

bool cond_resched(void);
void __might_sleep(const char *file, int line);
#define might_sleep() __might_sleep(__FILE__, __LINE__)
extern atomic_t sched_bug_count;        /* warnings printed, for the tests */

extern struct wait_queue_head serial_line_wait;

struct task *task_alloc(const char *name);
struct task *find_task(int pid);
void user_task_start(struct task *t, unsigned long arg, const struct cpumask *cpus);
void __schedule(bool preempt);
void do_task_dead(void) __attribute__((noreturn));
void sched_bug_trace(void);
void kick_task(struct task *t);
void sched_init(void);
void sched_init_ap(unsigned cpu);
void init_idle(struct task *idle, unsigned cpu);
void cpu_idle(void) __attribute__((noreturn));
void scheduler_ipi(void);
void schedule_tail(struct task *prev);
struct task *switch_stacks(unsigned long *save_sp, unsigned long new_sp,
			   struct task *prev);
void user_enter(unsigned long ip, unsigned long sp, unsigned long arg)
	__attribute__((noreturn));
int kernel_init(void *unused);
long sys_sched_yield(unsigned long, unsigned long, unsigned long,
		     unsigned long, unsigned long, unsigned long);
long sys_kill(unsigned long, unsigned long, unsigned long,
	      unsigned long, unsigned long, unsigned long);
extern unsigned nr_tasks;
extern unsigned long stacks_made, stacks_cached;
DECLARE_PER_CPU(unsigned long, idle_halts);

enum preempt_mode { PREEMPT_NONE, PREEMPT_FULL };
extern enum preempt_mode preempt_mode;
void irqentry_exit(struct pt_regs *regs);
void exit_to_user_mode(struct pt_regs *regs);
void preempt_schedule_irq(void);
void sched_read_cmdline(void);

static inline bool irqs_disabled(void)
{
	return !(save_flags() & X86_EFLAGS_IF);
}

#define PF_WQ_WORKER    0x04            /* a work-queue worker */

void show_tasks(void);
