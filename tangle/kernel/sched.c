/* Tangled from chapters/21-ipi.nw chapters/22-sched.nw chapters/25-workqueue.nw chapters/27-tick.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "trace.h"
#include "sched.h"
#include "desc.h"
#include "irq.h"
#include "syscall.h"
#include "apic.h"
#include "traps.h"
#include "softirq.h"
#include "workqueue.h"

static void save_user_segments(struct task *t)
{
	asm volatile("movw %%ds, %0\n\t"
		     "movw %%es, %1\n\t"
		     "movw %%fs, %2\n\t"
		     "movw %%gs, %3"
		     : "=m"(t->ds), "=m"(t->es), "=m"(t->fs), "=m"(t->gs));
	t->fs_base = rdmsr(MSR_FS_BASE);
	t->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
}

static struct task *context_switch(struct task *prev, struct task *next)
{
	u64 cr3 = virt_to_phys(next->pml4 ? next->pml4 : kernel_pml4);

	trace(TRACE_SWITCH, prev->pid, next->pid, trace_name(next->comm));
	if (read_cr3() != cr3)
		write_cr3(cr3);
	if (prev->pml4)
		save_user_segments(prev);
	if (next->pml4)
		load_user_segments(next);
	this_cpu_ptr(&cpu_entry)->tss.sp0 = next->stack_top;
	this_cpu_write(syscall_kernel_sp, next->stack_top);
	this_cpu_write(current_thread, next);
	this_cpu_write(current_task, next->pml4 ? next : NULL);
	return switch_stacks(&prev->sp, next->sp, prev);
}

struct rq {
	spinlock_t lock;
	unsigned cpu;
	struct task *curr, *idle;
	unsigned nr_queued;             /* in the lists (not curr) */
	unsigned long bitmap;           /* bit p: queue[p] is not empty */
	struct list_head queue[NR_PRIO];
	unsigned long nr_switches;
	unsigned long tick_switches;    /* nr_switches at the last tick */
};
static DEFINE_PER_CPU(struct rq, runqueue);

static struct rq *cpu_rq(unsigned cpu)
{
	return per_cpu_ptr(&runqueue, cpu);
}

static struct rq *this_rq(void)
{
	return this_cpu_ptr(&runqueue);
}

static void enqueue_task(struct rq *rq, struct task *t)
{
	list_add_tail(&t->run_list, &rq->queue[t->prio]);
	rq->bitmap |= 1UL << t->prio;
	rq->nr_queued++;
	t->on_rq = true;
}

static void dequeue_task(struct rq *rq, struct task *t)
{
	list_del_init(&t->run_list);
	if (list_empty(&rq->queue[t->prio]))
		rq->bitmap &= ~(1UL << t->prio);
	rq->nr_queued--;
}

static struct task *pick_next_task(struct rq *rq)
{
	if (!rq->bitmap)
		return rq->idle;
	struct task *t = list_first_entry(&rq->queue[__builtin_ctzl(rq->bitmap)],
					  struct task, run_list);
	dequeue_task(rq, t);
	return t;
}

static struct rq *task_rq_lock(struct task *t)
{
	for (;;) {
		struct rq *rq = cpu_rq(READ_ONCE(t->cpu));

		spin_lock(&rq->lock);
		if (READ_ONCE(t->state) != TASK_WAKING && rq == cpu_rq(READ_ONCE(t->cpu)))
			return rq;
		spin_unlock(&rq->lock);
		pause();
	}
}

static void double_rq_lock(struct rq *a, struct rq *b)
{
	if (a->cpu > b->cpu) {
		struct rq *t = a;
		a = b;
		b = t;
	}
	spin_lock(&a->lock);
	if (b != a)
		spin_lock(&b->lock);
}

static void double_rq_unlock(struct rq *a, struct rq *b)
{
	spin_unlock(&a->lock);
	if (b != a)
		spin_unlock(&b->lock);
}

static void set_preempt_need_resched(void)
{
	asm volatile("andl %0, %%gs:%c1" :: "i"(~PREEMPT_NEED_RESCHED),
		     "i"(&preempt_count) : "memory", "cc");
}

static void clear_preempt_need_resched(void)
{
	asm volatile("orl %0, %%gs:%c1" :: "i"(PREEMPT_NEED_RESCHED),
		     "i"(&preempt_count) : "memory", "cc");
}

static void resched_curr(struct rq *rq)
{
	struct task *curr = rq->curr;

	if (test_tsk_need_resched(curr))
		return;
	__atomic_fetch_or(&curr->ti_flags, 1UL << TIF_NEED_RESCHED, __ATOMIC_SEQ_CST);
	if (rq->cpu == smp_processor_id())
		set_preempt_need_resched();
	else
		smp_send_reschedule(rq->cpu);
}

void scheduler_ipi(void)
{
	if (need_resched())
		set_preempt_need_resched();
}

static void finish_task_switch(struct task *prev);

void __schedule(bool preempt)
{
	struct rq *rq = this_rq();
	struct task *prev = rq->curr, *next;

	spin_lock(&rq->lock);
	if (!preempt && prev->state != TASK_RUNNING)
		prev->on_rq = false;
	else if (prev != rq->idle) {
		if (cpumask_test(&prev->allowed, rq->cpu))
			enqueue_task(rq, prev);
		else {
			prev->on_rq = false;            /* in flight to an allowed CPU */
			WRITE_ONCE(prev->state, TASK_WAKING);
			prev->migrate = true;
		}
	}
	next = pick_next_task(rq);
	__atomic_fetch_and(&prev->ti_flags, ~(1UL << TIF_NEED_RESCHED), __ATOMIC_RELAXED);
	clear_preempt_need_resched();
	if (likely(next != prev)) {
		rq->curr = next;
		rq->nr_switches++;
		next->nr_switches++;
		prev = context_switch(prev, next);
		finish_task_switch(prev);
	} else {
		arch_spin_unlock(&rq->lock);
		preempt_enable_no_resched();
	}
}

static void activate_elsewhere(struct task *t);

static void finish_task_switch(struct task *prev)
{
	struct rq *rq = this_rq();
	bool dead = prev->state == TASK_DEAD, migrate = prev->migrate;

	arch_spin_unlock(&rq->lock);
	preempt_enable_no_resched();
	if (migrate) {
		prev->migrate = false;
		activate_elsewhere(prev);
	}
	if (dead)
		put_task(prev);
}

void schedule_tail(struct task *prev)
{
	finish_task_switch(prev);
	preempt_enable_no_resched();
	sti();
}

static void schedule_debug(void);

void schedule(void)
{
	schedule_debug();
	bool wq_sleeping = (current->flags & PF_WQ_WORKER) &&
			   READ_ONCE(current->state) != TASK_RUNNING && !current->wq_idle;
	if (wq_sleeping)
		wq_worker_sleeping(current);
	do {
		preempt_disable();
		cli();
		__schedule(false);
		sti();
		preempt_enable_no_resched();
	} while (need_resched());
	if (wq_sleeping)
		wq_worker_running(current);
}

void yield(void)
{
	might_sleep();
	schedule();
}

static unsigned select_task_rq(struct task *t);
static void activate(struct rq *rq, struct task *t);
static void activate_on(struct task *t, unsigned cpu);

static bool try_to_wake_up(struct task *t, int states)
{
	preempt_disable();
	u64 f = local_irq_save();
	struct rq *rq = task_rq_lock(t);
	bool woken = t->state & states;
	unsigned cpu = rq->cpu;

	if (woken && t->on_rq)
		WRITE_ONCE(t->state, TASK_RUNNING);
	else if (woken) {
		cpu = select_task_rq(t);
		if (cpu == rq->cpu)
			activate(rq, t);
		else
			WRITE_ONCE(t->state, TASK_WAKING);
	}
	spin_unlock(&rq->lock);
	if (cpu != rq->cpu)
		activate_on(t, cpu);
	local_irq_restore(f);
	preempt_enable();
	return woken;
}

static void check_preempt(struct rq *rq, struct task *t);

static void activate(struct rq *rq, struct task *t)
{
	WRITE_ONCE(t->cpu, rq->cpu);
	enqueue_task(rq, t);
	WRITE_ONCE(t->state, TASK_RUNNING);     /* landed: after cpu */
	check_preempt(rq, t);
}

static void activate_on(struct task *t, unsigned cpu)
{
	u64 f = local_irq_save();
	struct rq *rq = cpu_rq(cpu);

	spin_lock(&rq->lock);
	activate(rq, t);
	spin_unlock(&rq->lock);
	local_irq_restore(f);
}

static void activate_elsewhere(struct task *t)
{
	activate_on(t, select_task_rq(t));
}

bool wake_up_state(struct task *t, int state)
{
	return try_to_wake_up(t, state);
}

bool wake_up_process(struct task *t)
{
	return try_to_wake_up(t, TASK_NORMAL);
}

void wake_up_new_task(struct task *t)
{
	get_task(t);
	if (!try_to_wake_up(t, TASK_NEW))
		put_task(t);
}

static bool cpu_idle_now(unsigned cpu)
{
	struct rq *rq = cpu_rq(cpu);

	return READ_ONCE(rq->curr) == rq->idle && !READ_ONCE(rq->nr_queued);
}

static bool cpu_allowed(const struct task *t, unsigned cpu)
{
	return cpu < nr_cpu_ids && cpu_online(cpu) && cpumask_test(&t->allowed, cpu);
}

static unsigned select_task_rq(struct task *t)
{
	unsigned prev = t->cpu, me = smp_processor_id(), fallback = prev;

	if (cpu_allowed(t, prev) && cpu_idle_now(prev))
		return prev;
	if (cpu_allowed(t, me) && cpu_idle_now(me))
		return me;
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_allowed(t, cpu)) {
			if (cpu_idle_now(cpu))
				return cpu;
			if (!cpu_allowed(t, fallback))
				fallback = cpu;
		}
	if (!cpu_allowed(t, fallback))
		panic("sched: %s[%d] may run on no online CPU", t->name, t->pid);
	return fallback;
}

static void check_preempt(struct rq *rq, struct task *t)
{
	if (rq->curr == rq->idle || t->prio < rq->curr->prio)
		resched_curr(rq);
}

void set_cpus_allowed(struct task *t, const struct cpumask *mask)
{
	preempt_disable();
	u64 f = local_irq_save();
	struct rq *rq = task_rq_lock(t);
	bool requeue = false;

	t->allowed = *mask;
	if (!cpumask_test(mask, rq->cpu)) {
		if (rq->curr == t)
			resched_curr(rq);
		else if (t->on_rq) {
			dequeue_task(rq, t);
			t->on_rq = false;
			WRITE_ONCE(t->state, TASK_WAKING);
			requeue = true;
		}
	}
	spin_unlock(&rq->lock);
	if (requeue)
		activate_elsewhere(t);
	local_irq_restore(f);
	preempt_enable();
	if (t == current && !cpumask_test(mask, smp_processor_id()))
		schedule();
}

void set_task_prio(struct task *t, int prio)
{
	if (prio < 0 || prio >= NR_PRIO) {
		printk("sched: priority %d is out of range 0..%d\n", prio, NR_PRIO - 1);
		return;
	}
	preempt_disable();
	u64 f = local_irq_save();
	struct rq *rq = task_rq_lock(t);
	bool queued = t->on_rq && rq->curr != t;

	if (queued)
		dequeue_task(rq, t);
	t->prio = prio;
	if (queued)
		enqueue_task(rq, t);
	else if (rq->curr == t && rq->bitmap && __builtin_ctzl(rq->bitmap) < prio)
		resched_curr(rq);
	spin_unlock(&rq->lock);
	local_irq_restore(f);
	preempt_enable();
}

DEFINE_PER_CPU(unsigned long, idle_halts);
DEFINE_PER_CPU(bool, pull_kick);
static bool idle_pull(void);

void cpu_idle(void)
{
	for (;;) {
		bool pull = true;               /* just became idle: look once */
		while (!need_resched()) {
			cli();
			flush_idle_calls();

			tick_nohz_idle_stop();
			pull |= this_cpu_read(pull_kick);
			this_cpu_write(pull_kick, false);
			if (need_resched() || (pull && idle_pull())) {
				sti();
				break;
			}
			pull = false;
			this_cpu_inc(idle_halts);
			asm volatile("sti; hlt" ::: "memory");
		}
		u64 tick_flags = local_irq_save();
		tick_nohz_idle_exit();
		local_irq_restore(tick_flags);
		schedule();
	}
}

static bool idle_pull(void)
{
	struct rq *here = this_rq(), *busiest = NULL;
	unsigned most = 0;

	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		unsigned n = cpu_online(cpu) ? READ_ONCE(cpu_rq(cpu)->nr_queued) : 0;
		if (cpu != here->cpu && n > most) {
			most = n;
			busiest = cpu_rq(cpu);
		}
	}
	if (!busiest)
		return false;
	struct task *t, *found = NULL;

	double_rq_lock(here, busiest);
	for (int p = 0; p < NR_PRIO && !found; p++)
		list_for_each_entry(t, &busiest->queue[p], run_list)
			if (cpumask_test(&t->allowed, here->cpu)) {
				found = t;
				break;
			}
	if (found) {
		dequeue_task(busiest, found);
		WRITE_ONCE(found->cpu, here->cpu);
		enqueue_task(here, found);
	}
	double_rq_unlock(here, busiest);
	return found != NULL;
}

static bool rq_has_movable(struct rq *rq)
{
	struct task *t;

	for (int p = 0; p < NR_PRIO; p++)
		list_for_each_entry(t, &rq->queue[p], run_list)
			for (unsigned w = 0; w < NR_CPUS / 64; w++)
				if (t->allowed.bits[w] !=
				    (w == rq->cpu / 64 ? 1UL << (rq->cpu % 64) : 0))
					return true;
	return false;
}

static unsigned last_kicked;

void scheduler_tick(void)
{
	struct rq *rq = this_rq();
	bool work_waiting = false;

	spin_lock(&rq->lock);
	if (rq->curr != rq->idle)
		rq->curr->ticks++;
	if (rq->nr_queued) {
		work_waiting = rq_has_movable(rq);
		if (rq->curr == rq->idle ||
		    (rq->nr_switches == rq->tick_switches &&
		     __builtin_ctzl(rq->bitmap) <= rq->curr->prio))
			resched_curr(rq);
	}
	rq->tick_switches = rq->nr_switches;
	spin_unlock(&rq->lock);
	if (work_waiting)
		for (unsigned i = 1; i <= nr_cpu_ids; i++) {
			unsigned cpu = (last_kicked + i) % nr_cpu_ids;
			if (cpu_online(cpu) && cpu_idle_now(cpu)) {
				last_kicked = cpu;
				WRITE_ONCE(per_cpu(pull_kick, cpu), true);
				smp_send_reschedule(cpu);
				break;
			}
		}
}

void kick_task(struct task *t)
{
	preempt_disable();
	u64 f = local_irq_save();
	struct rq *rq = task_rq_lock(t);

	if (rq->curr == t)
		resched_curr(rq);
	spin_unlock(&rq->lock);
	local_irq_restore(f);
	preempt_enable();
}

void do_task_dead(void)
{
	struct rq *rq = this_rq();

	cli();
	spin_lock(&rq->lock);
	WRITE_ONCE(current->state, TASK_DEAD);
	arch_spin_unlock(&rq->lock);
	preempt_enable_no_resched();
	__schedule(false);
	panic("do_exit: a dead task ran again");
}

struct task init_task = {
	.name = "idle/0", .comm = "idle/0", .state = TASK_RUNNING,
	.flags = PF_KTHREAD | PF_IDLE, .prio = NR_PRIO - 1, .refs = 1,
	.on_rq = true,
};
DEFINE_PER_CPU(struct task *, current_thread) = &init_task;

void sched_init(void)
{
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct rq *rq = cpu_rq(cpu);
		spin_lock_init(&rq->lock);
		rq->cpu = cpu;
		for (int p = 0; p < NR_PRIO; p++)
			INIT_LIST_HEAD(&rq->queue[p]);
	}
	init_idle(&init_task, 0);
}

void init_idle(struct task *idle, unsigned cpu)
{
	struct rq *rq = cpu_rq(cpu);

	idle->cpu = cpu;
	idle->stack_top = this_cpu_ptr(&cpu_entry)->tss.sp0;
	cpumask_of(&idle->allowed, cpu);
	INIT_LIST_HEAD(&idle->run_list);
	INIT_LIST_HEAD(&idle->all_list);
	rq->curr = rq->idle = idle;
	this_cpu_write(current_thread, idle);
}

void sched_init_ap(unsigned cpu)
{
	struct task *idle = kzalloc(sizeof(*idle));

	if (!idle)
		panic("sched: no memory for the idle task of CPU %u", cpu);
	snprintf(idle->comm, sizeof(idle->comm), "idle/%u", cpu);
	idle->name = idle->comm;
	idle->state = TASK_RUNNING;
	idle->flags = PF_KTHREAD | PF_IDLE;
	idle->prio = NR_PRIO - 1;
	idle->refs = 1;
	idle->on_rq = true;
	init_idle(idle, cpu);
}

enum preempt_mode preempt_mode = PREEMPT_FULL;

void irqentry_exit(struct pt_regs *regs)
{
	cli();
	if (user_mode(regs))
		exit_to_user_mode(regs);
	else if ((regs->flags & X86_EFLAGS_IF) && preempt_mode == PREEMPT_FULL &&
		 current != this_rq()->idle &&
		 this_cpu_read(preempt_count) == 0)
		preempt_schedule_irq();
}

__attribute__((noinline)) void preempt_schedule_irq(void)
{
	do {
		preempt_disable();
		__schedule(true);
		preempt_enable_no_resched();
	} while (need_resched());
}

void preempt_schedule(void)
{
	if (irqs_disabled() || preempt_count() || preempt_mode != PREEMPT_FULL)
		return;
	do {
		preempt_disable();
		cli();
		__schedule(true);
		sti();
		preempt_enable_no_resched();
	} while (need_resched());
}

bool cond_resched(void)
{
	if (!need_resched() || preempt_count() || irqs_disabled())
		return false;
	do {
		preempt_disable();
		cli();
		__schedule(true);
		sti();
		preempt_enable_no_resched();
	} while (need_resched());
	return true;
}

void sched_read_cmdline(void)
{
	const char *mode = cmdline_get("preempt");

	if (mode && !strcmp(mode, "none"))
		preempt_mode = PREEMPT_NONE;
	printk("sched: kernel preemption %s\n",
	       preempt_mode == PREEMPT_FULL ? "on (preempt=full)" : "off (preempt=none)");
}

atomic_t sched_bug_count;

void exit_to_user_mode(struct pt_regs *regs)
{
	(void)regs;
	cli();
	if (unlikely(preempt_count())) {
		printk("BUG: returning to user mode with preempt_count 0x%08x "
		       "(a spinlock held?) in %s[%d]\n", preempt_count(),
		       current->name, current->pid);
		sched_bug_trace();
		this_cpu_write(preempt_count, this_cpu_read(preempt_count) & PREEMPT_NEED_RESCHED);
	}
	for (;;) {
		if (need_resched()) {
			sti();
			schedule();
			cli();
			continue;
		}
		if (READ_ONCE(current->kill_requested)) {
			sti();
			struct task *self = current;
			self->killed_by_request = true;
			printk("%s[%d]: killed on request\n", self->name, self->pid);
			do_exit(-1);
		}
		break;
	}
}

void sched_bug_trace(void)
{
	unsigned long bp;

	asm volatile("movq %%rbp, %0" : "=r"(bp));
	printk("Call Trace:\n");
	show_backtrace(bp);
	atomic_inc(&sched_bug_count);
}

void __might_sleep(const char *file, int line)
{
	if (likely(!preempt_count() && !irqs_disabled()))
		return;
	printk("BUG: sleeping function called from invalid context at %s:%d\n",
	       file, line);
	printk("in_atomic(): %d, irqs_disabled(): %d, pid: %d, name: %s\n",
	       in_atomic() ? 1 : 0, irqs_disabled() ? 1 : 0, current->pid,
	       current->name);
	sched_bug_trace();
}

static void schedule_debug(void)
{
	unsigned count = preempt_count();

	if (likely(!count && !irqs_disabled()))
		return;
	printk("BUG: scheduling while atomic: %s/%d/0x%08x%s\n", current->name,
	       current->pid, count, irqs_disabled() ? " (interrupts disabled)" : "");
	sched_bug_trace();
	this_cpu_write(preempt_count, this_cpu_read(preempt_count) & PREEMPT_NEED_RESCHED);
	sti();
}
