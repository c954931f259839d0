/* Tangled from chapters/22-sched.nw chapters/23-sleeping-locks.nw chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "sched.h"
#include "desc.h"
#include "irq.h"

#define STACK_RESERVE_FRAMES 16        /* page tables, and other CPUs */

struct free_stack {
	struct free_stack *next;
};
static struct free_stack *free_stacks;
static spinlock_t stack_lock = SPINLOCK_INIT;
unsigned long stacks_made, stacks_cached;

static void *stack_alloc(void)
{
	u64 f = spin_lock_irqsave(&stack_lock);
	struct free_stack *s = free_stacks;

	if (s) {
		free_stacks = s->next;
		stacks_cached--;
	}
	spin_unlock_irqrestore(&stack_lock, f);
	if (s)
		return s;
	if (frames_free_count() < THREAD_SIZE / PAGE_SIZE + STACK_RESERVE_FRAMES)
		return NULL;
	__atomic_fetch_add(&stacks_made, 1, __ATOMIC_RELAXED);
	return vmap_stack(THREAD_SIZE);
}

static void stack_free(void *stack)
{
	struct free_stack *s = stack;
	u64 f = spin_lock_irqsave(&stack_lock);

	s->next = free_stacks;
	free_stacks = s;
	stacks_cached++;
	spin_unlock_irqrestore(&stack_lock, f);
}

static struct list_head all_tasks = LIST_HEAD_INIT(all_tasks);
static spinlock_t tasks_lock = SPINLOCK_INIT;
unsigned nr_tasks;
static int next_pid = 1;

struct task *task_alloc(const char *name)
{
	struct task *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	t->stack = stack_alloc();
	if (!t->stack) {
		kfree(t);
		return NULL;
	}
	t->stack_top = (unsigned long)t->stack + THREAD_SIZE;
	t->pid = __atomic_fetch_add(&next_pid, 1, __ATOMIC_RELAXED);
	strlcpy(t->comm, name, sizeof(t->comm));
	t->name = t->comm;
	t->state = TASK_NEW;
	t->prio = DEFAULT_PRIO;
	t->refs = 1;
	t->fault_syscall = -1;
	cpumask_fill(&t->allowed);
	INIT_LIST_HEAD(&t->run_list);
	init_completion(&t->exited);
	u64 f = spin_lock_irqsave(&tasks_lock);
	list_add_tail(&t->all_list, &all_tasks);
	nr_tasks++;
	spin_unlock_irqrestore(&tasks_lock, f);
	return t;
}

void get_task(struct task *t)
{
	__atomic_fetch_add(&t->refs, 1, __ATOMIC_RELAXED);
}

void put_task(struct task *t)
{
	int left = __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL);

	if (left > 0)
		return;
	if (left < 0 || (t->state != TASK_DEAD && t->state != TASK_NEW))
		panic("put_task: %s[%d] has %d references in state %#x",
		      t->name, t->pid, left, t->state);
	u64 f = spin_lock_irqsave(&tasks_lock);
	list_del_init(&t->all_list);
	nr_tasks--;
	spin_unlock_irqrestore(&tasks_lock, f);
	if (t->pml4)
		free_user_space(t->pml4);
	stack_free(t->stack);
	kfree(t);
}

struct task *find_task(int pid)
{
	struct task *t, *found = NULL;
	u64 f = spin_lock_irqsave(&tasks_lock);

	list_for_each_entry(t, &all_tasks, all_list)
		if (t->pid == pid && t->state != TASK_DEAD) {
			found = t;
			get_task(t);
			break;
		}
	spin_unlock_irqrestore(&tasks_lock, f);
	return found;
}

struct fork_frame {
	unsigned long r15, r14, r13, r12, bx, bp;  /* popped by switch_stacks */
	unsigned long ret;                         /* its ret goes here */
};

void ret_from_fork(void);

static void task_set_entry(struct task *t, int (*fn)(void *), void *data)
{
	struct fork_frame *f = (struct fork_frame *)t->stack_top - 1;

	*f = (struct fork_frame){ .bx = (unsigned long)fn, .r12 = (unsigned long)data,
				  .ret = (unsigned long)ret_from_fork };
	t->sp = (unsigned long)f;
}

static int kthread_main(void *data)
{
	struct task *self = current;
	(void)data;
	if (READ_ONCE(self->should_stop))
		return -EINTR;
	return self->threadfn(self->data);
}

struct task *kthread_create(int (*fn)(void *data), void *data, const char *name)
{
	struct task *t = task_alloc(name);

	if (!t)
		return NULL;
	t->flags = PF_KTHREAD;
	t->threadfn = fn;
	t->data = data;
	task_set_entry(t, kthread_main, NULL);
	return t;
}

struct task *kthread_run(int (*fn)(void *data), void *data, const char *name)
{
	struct task *t = kthread_create(fn, data, name);

	if (t)
		wake_up_new_task(t);
	return t;
}

void kthread_bind(struct task *t, unsigned cpu)
{
	cpumask_of(&t->allowed, cpu);
	t->cpu = cpu;
}

void do_exit(long code)
{
	struct task *self = current;

	if (self->flags & PF_IDLE)
		panic("do_exit: the idle task of CPU %u tried to exit", smp_processor_id());
	if (unlikely(preempt_count())) {
		printk("BUG: %s[%d] exiting with preempt_count 0x%08x\n",
		       self->name, self->pid, preempt_count());
		sched_bug_trace();
		this_cpu_write(preempt_count, this_cpu_read(preempt_count) & PREEMPT_NEED_RESCHED);
	}
	lockdep_check_exit(self);
	self->exit_code = code;
	preempt_disable();
	complete_all(&self->exited);
	do_task_dead();
}

void kthread_exit(long result)
{
	do_exit(result);
}

bool kthread_should_stop(void)
{
	return READ_ONCE(current->should_stop);
}

long kthread_stop(struct task *t)
{
	might_sleep();
	WRITE_ONCE(t->should_stop, true);
	if (READ_ONCE(t->state) == TASK_NEW)
		wake_up_new_task(t);
	else
		wake_up_process(t);
	wait_for_completion(&t->exited);
	long result = t->exit_code;
	put_task(t);
	return result;
}

static int user_task_entry(void *data)
{
	struct task *t = data;

	exit_to_user_mode(NULL);
	user_enter(USER_TEXT, USER_STACK_TOP, t->user_arg);
}

void user_task_start(struct task *t, unsigned long arg, const struct cpumask *cpus)
{
	t->user_arg = arg;
	t->allowed = *cpus;
	t->cpu = smp_processor_id();
	task_set_entry(t, user_task_entry, t);
	wake_up_new_task(t);
}

struct task *start_user_program(const char *name, unsigned long arg,
				const struct cpumask *cpus)
{
	struct task *t = task_create(name);

	user_task_start(t, arg, cpus);
	return t;
}

void wait_task(struct task *t)
{
	wait_for_completion(&t->exited);
}

int task_kill(int pid)
{
	struct task *t = find_task(pid);

	if (!t)
		return -ESRCH;
	if (!t->pml4) {
		put_task(t);
		return -EPERM;
	}
	WRITE_ONCE(t->kill_requested, true);
	wake_up_state(t, TASK_INTERRUPTIBLE);
	kick_task(t);
	put_task(t);
	return 0;
}

long sys_sched_yield(unsigned long a0, unsigned long a1, unsigned long a2,
		     unsigned long a3, unsigned long a4, unsigned long a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	yield();
	return 0;
}

long sys_kill(unsigned long a0, unsigned long a1, unsigned long a2,
	      unsigned long a3, unsigned long a4, unsigned long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (a0 > 0x7fffffff)
		return -ESRCH;
	return task_kill((int)a0);
}

struct task_row {
	int pid, cpu, prio, state;
	unsigned long switches, ticks;
	char name[16];
};

static const char *state_letter(int state)
{
	return state == TASK_RUNNING ? "R" : state & TASK_INTERRUPTIBLE ? "S" :
	       state & TASK_UNINTERRUPTIBLE ? "D" : state & TASK_DEAD ? "X" : "N";
}

static int tasks_after(int last, struct task_row *rows, int max)
{
	struct task *t;
	int n = 0;
	u64 f = spin_lock_irqsave(&tasks_lock);

	list_for_each_entry(t, &all_tasks, all_list) {
		if (t->pid <= last)
			continue;
		int i = n < max ? n++ : max;
		while (i > 0 && rows[i - 1].pid > t->pid) {
			if (i < max)
				rows[i] = rows[i - 1];
			i--;
		}
		if (i < max) {
			rows[i] = (struct task_row){ t->pid, t->cpu, t->prio, t->state,
						     t->nr_switches, t->ticks, { 0 } };
			strlcpy(rows[i].name, t->comm, sizeof(rows[i].name));
		}
	}
	spin_unlock_irqrestore(&tasks_lock, f);
	return n;
}

void show_tasks(void)
{
	struct task_row rows[16];
	int last = 0, n, total = 0;

	printk("  PID NAME             S CPU PRIO   SWITCHES    TICKS\n");
	while ((n = tasks_after(last, rows, 16)) > 0) {
		for (int i = 0; i < n; i++)
			printk("%5d %-16s %s %3d %4d %10lu %8lu\n", rows[i].pid, rows[i].name,
			       state_letter(rows[i].state), rows[i].cpu, rows[i].prio,
			       rows[i].switches, rows[i].ticks);
		last = rows[n - 1].pid;
		total += n;
	}
	printk("%d tasks, and an idle task on each of the %u CPUs\n", total, nr_cpus_online);
}
