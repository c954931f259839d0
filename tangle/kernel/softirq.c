/* Tangled from chapters/24-softirq.nw chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "trace.h"
#include "softirq.h"
#include "sched.h"

static void (*softirq_vec[NR_SOFTIRQS])(void);
static const char *const softirq_names[NR_SOFTIRQS] = {
	"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET",
	"SCHED", "HRTIMER", "RCU", "TEST",
};
DEFINE_PER_CPU(u32, softirq_pending);
DEFINE_PER_CPU(unsigned long, softirq_stats[NR_SOFTIRQS]);
DEFINE_PER_CPU(unsigned long, ksoftirqd_runs);
static DEFINE_PER_CPU(struct task *, ksoftirqd);

void open_softirq(unsigned nr, void (*action)(void))
{
	if (nr >= NR_SOFTIRQS || softirq_vec[nr])
		panic("open_softirq: softirq %u is out of range or taken", nr);
	softirq_vec[nr] = action;
}

static void wakeup_softirqd(void)
{
	struct task *t = this_cpu_read(ksoftirqd);

	if (t && READ_ONCE(t->state) != TASK_RUNNING)
		wake_up_process(t);
}

void raise_softirq_irqoff(unsigned nr)
{
	asm volatile("orl %0, %%gs:%c1" :: "r"(1U << nr), "i"(&softirq_pending)
		     : "memory", "cc");
	if (!in_interrupt())
		wakeup_softirqd();
}

void raise_softirq(unsigned nr)
{
	u64 f = local_irq_save();

	raise_softirq_irqoff(nr);
	local_irq_restore(f);
}

#define MAX_SOFTIRQ_RESTART 10
#define MAX_SOFTIRQ_TIME_MS 2

static void __do_softirq(void)
{
	u64 end = rdtsc() + MAX_SOFTIRQ_TIME_MS * tsc_khz;
	int restarts = MAX_SOFTIRQ_RESTART;
	u32 pending = this_cpu_read(softirq_pending);

	this_cpu_add(preempt_count, SOFTIRQ_OFFSET);
	for (;;) {
		this_cpu_write(softirq_pending, 0);
		sti();
		while (pending) {
			unsigned nr = __builtin_ctz(pending);
			pending &= pending - 1;
			(*this_cpu_ptr(&softirq_stats[nr]))++;
			trace(TRACE_SOFTIRQ_ENTRY, nr, 0, 0);
			if (softirq_vec[nr])
				softirq_vec[nr]();
			trace(TRACE_SOFTIRQ_EXIT, nr, 0, 0);
		}
		cli();
		pending = this_cpu_read(softirq_pending);
		if (!pending)
			break;
		if (rdtsc() >= end || --restarts == 0) {
			wakeup_softirqd();
			break;
		}
	}
	this_cpu_add(preempt_count, -SOFTIRQ_OFFSET);
}

#define SOFTIRQ_NOW_MASK ((1U << HI_SOFTIRQ) | (1U << TIMER_SOFTIRQ) | \
			  (1U << TASKLET_SOFTIRQ) | (1U << TEST_SOFTIRQ))

static bool ksoftirqd_busy(void)
{
	struct task *t = this_cpu_read(ksoftirqd);

	return t && READ_ONCE(t->state) == TASK_RUNNING;
}

void invoke_softirq(void)
{
	if (ksoftirqd_busy() && !(this_cpu_read(softirq_pending) & SOFTIRQ_NOW_MASK))
		return;
	__do_softirq();
}

void local_bh_enable(void)
{
	if (unlikely(irqs_disabled() || in_hardirq())) {
		printk("BUG: local_bh_enable with interrupts disabled or in an interrupt\n");
		sched_bug_trace();
	}
	preempt_disable();
	this_cpu_add(preempt_count, -SOFTIRQ_DISABLE_OFFSET);
	if (!in_interrupt() && !irqs_disabled() && this_cpu_read(softirq_pending)) {
		cli();
		__do_softirq();
		sti();
	}
	preempt_enable();
}

static int run_ksoftirqd(void *unused)
{
	(void)unused;
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!this_cpu_read(softirq_pending))
			schedule();
		__set_current_state(TASK_RUNNING);
		cli();
		if (this_cpu_read(softirq_pending)) {
			this_cpu_inc(ksoftirqd_runs);
			__do_softirq();
		}
		sti();
		cond_resched();
	}
	return 0;
}

static void spawn_ksoftirqd(void)
{
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_online(cpu))
			continue;
		char name[16];
		snprintf(name, sizeof(name), "ksoftirqd/%u", cpu);
		struct task *t = kthread_create(run_ksoftirqd, NULL, name);
		if (!t)
			panic("softirq: no memory for %s", name);
		kthread_bind(t, cpu);
		per_cpu(ksoftirqd, cpu) = t;
		wake_up_new_task(t);
	}
}

struct tasklet_head {
	struct tasklet *head, **tail;
};
static DEFINE_PER_CPU(struct tasklet_head, tasklet_vec);
static DEFINE_PER_CPU(struct tasklet_head, tasklet_hi_vec);

static bool test_and_set_state(struct tasklet *t, int bit)
{
	return __atomic_fetch_or(&t->state, 1UL << bit, __ATOMIC_ACQ_REL) & (1UL << bit);
}

static void clear_state(struct tasklet *t, int bit)
{
	__atomic_fetch_and(&t->state, ~(1UL << bit), __ATOMIC_RELEASE);
}

static bool state_is(struct tasklet *t, int bit)
{
	return __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) & (1UL << bit);
}

static void tasklet_enqueue(struct tasklet_head *h, struct tasklet *t)
{
	t->next = NULL;
	*h->tail = t;
	h->tail = &t->next;
}

static bool schedule_on(struct tasklet *t, struct tasklet_head *vec, unsigned nr)
{
	if (atomic_read(&t->killing)) {
		printk("tasklet %s: scheduled while tasklet_kill waits for it; ignored\n",
		       t->name);
		return false;
	}
	if (test_and_set_state(t, TASKLET_STATE_SCHED))
		return false;
	u64 f = local_irq_save();
	tasklet_enqueue(this_cpu_ptr(vec), t);
	raise_softirq_irqoff(nr);
	local_irq_restore(f);
	return true;
}

bool tasklet_schedule(struct tasklet *t)
{
	return schedule_on(t, &tasklet_vec, TASKLET_SOFTIRQ);
}

bool tasklet_hi_schedule(struct tasklet *t)
{
	return schedule_on(t, &tasklet_hi_vec, HI_SOFTIRQ);
}

static void tasklet_action_common(struct tasklet_head *vec, unsigned nr)
{
	cli();
	struct tasklet *list = this_cpu_ptr(vec)->head;
	this_cpu_ptr(vec)->head = NULL;
	this_cpu_ptr(vec)->tail = &this_cpu_ptr(vec)->head;
	sti();
	while (list) {
		struct tasklet *t = list;
		list = list->next;
		if (!test_and_set_state(t, TASKLET_STATE_RUN)) {
			if (!atomic_read(&t->count)) {
				clear_state(t, TASKLET_STATE_SCHED);
				trace(TRACE_TASKLET_START, 0, t->func, 0);
				t->func(t);
				trace(TRACE_TASKLET_END, 0, t->func, 0);
				clear_state(t, TASKLET_STATE_RUN);
				continue;
			}
			clear_state(t, TASKLET_STATE_RUN);
		}
		cli();
		tasklet_enqueue(this_cpu_ptr(vec), t);
		raise_softirq_irqoff(nr);
		sti();
	}
}

static void tasklet_action(void)
{
	tasklet_action_common(&tasklet_vec, TASKLET_SOFTIRQ);
}

static void tasklet_hi_action(void)
{
	tasklet_action_common(&tasklet_hi_vec, HI_SOFTIRQ);
}

void tasklet_setup(struct tasklet *t, void (*func)(struct tasklet *t), const char *name)
{
	*t = (struct tasklet){ .func = func, .name = name };
}

void tasklet_disable(struct tasklet *t)
{
	atomic_inc(&t->count);
	while (state_is(t, TASKLET_STATE_RUN))
		pause();
}

void tasklet_enable(struct tasklet *t)
{
	atomic_dec(&t->count);
}

void tasklet_kill(struct tasklet *t)
{
	might_sleep();
	atomic_inc(&t->killing);
	while (test_and_set_state(t, TASKLET_STATE_SCHED))
		yield();
	while (state_is(t, TASKLET_STATE_RUN))
		yield();
	clear_state(t, TASKLET_STATE_SCHED);
	atomic_dec(&t->killing);
}

void softirq_init(void)
{
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		per_cpu(tasklet_vec, cpu).tail = &per_cpu(tasklet_vec, cpu).head;
		per_cpu(tasklet_hi_vec, cpu).tail = &per_cpu(tasklet_hi_vec, cpu).head;
	}
	open_softirq(TASKLET_SOFTIRQ, tasklet_action);
	open_softirq(HI_SOFTIRQ, tasklet_hi_action);
	spawn_ksoftirqd();
}

void show_softirqs(void)
{
	printk("%10s", "");
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu))
			printk(" %9s%u", "CPU", cpu);
	printk("\n");
	for (unsigned nr = 0; nr < NR_SOFTIRQS; nr++) {
		printk("%9s:", softirq_names[nr]);
		for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
			if (cpu_online(cpu))
				printk(" %10lu", per_cpu(softirq_stats[nr], cpu));
		printk("\n");
	}
	printk("%9s:", "ksoftirqd");
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu))
			printk(" %10lu", per_cpu(ksoftirqd_runs, cpu));
	printk("\n");
}

const char *softirq_name(unsigned nr)
{
	return nr < NR_SOFTIRQS ? softirq_names[nr] : "?";
}
