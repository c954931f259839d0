/* Tangled from chapters/30-watchdog.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "timer.h"
#include "time.h"
#include "sched.h"
#include "smp.h"
#include "traps.h"
#include "irq.h"
#include "apic.h"
#include "format.h"

struct watchdog_cpu {
	struct hrtimer timer;
	struct task *thread;
	ktime_t touched;                        /* when the thread last ran */
	unsigned long runs;                     /* this CPU's timer runs */
	unsigned buddy;                         /* the CPU it watches */
	unsigned long buddy_seen;               /* the buddy's runs at the last look */
	unsigned buddy_still;                   /* looks in a row with no change */
	bool soft_reported, hard_reported;      /* one report per lockup */
	bool running;
	ktime_t period, soft_limit;             /* as set when it was started */
	u64 cost;                               /* TSC counts spent in its runs */
};

static DEFINE_PER_CPU(struct watchdog_cpu, watchdog_cpus);
DEFINE_PER_CPU(unsigned long, softlockup_count);
DEFINE_PER_CPU(unsigned long, hardlockup_count);
DEFINE_PER_CPU(unsigned long, nmi_backtrace_count);
DEFINE_PER_CPU(bool, nmi_backtrace_requested);

static unsigned long thresh_ms;                 /* 0: off */
static bool watchdog_panic, watchdog_started;

static int watchdog_thread(void *data)
{
	struct watchdog_cpu *w = data;

	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		WRITE_ONCE(w->touched, ktime_get());
		WRITE_ONCE(w->soft_reported, false);
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static void check_buddy(struct watchdog_cpu *w);
static void check_soft(struct watchdog_cpu *w, ktime_t now);

static enum hrtimer_restart watchdog_timer_fn(struct hrtimer *t)
{
	struct watchdog_cpu *w = container_of(t, struct watchdog_cpu, timer);
	u64 t0 = rdtsc();
	ktime_t now = ktime_get();

	WRITE_ONCE(w->runs, w->runs + 1);
	check_buddy(w);
	wake_up_process(w->thread);
	check_soft(w, now);
	hrtimer_forward(t, now, w->period);
	w->cost += rdtsc() - t0;
	return HRTIMER_RESTART;
}

void watchdog_cost(unsigned cpu, unsigned long *runs, u64 *cost)
{
	*runs = READ_ONCE(per_cpu(watchdog_cpus, cpu).runs);
	*cost = READ_ONCE(per_cpu(watchdog_cpus, cpu).cost);
}

static void check_soft(struct watchdog_cpu *w, ktime_t now)
{
	ktime_t stuck = now - READ_ONCE(w->touched);

	if (stuck <= w->soft_limit || READ_ONCE(w->soft_reported))
		return;
	WRITE_ONCE(w->soft_reported, true);
	this_cpu_inc(softlockup_count);
	printk("watchdog: BUG: soft lockup - CPU#%u stuck for %lus! [%s:%d]\n",
	       smp_processor_id(), (unsigned long)(stuck / NSEC_PER_SEC),
	       current->name, current->pid);
	struct pt_regs *regs = this_cpu_read(irq_regs);
	if (regs) {
		show_regs(regs);
		show_backtrace(regs->bp);
	}
	if (watchdog_panic)
		panic("softlockup: hung tasks");
}

static void trigger_backtrace(unsigned cpu);

static unsigned next_watched(unsigned cpu)
{
	for (unsigned i = 1; i < nr_cpu_ids; i++) {
		unsigned b = (cpu + i) % nr_cpu_ids;
		if (cpu_online(b) && READ_ONCE(per_cpu(watchdog_cpus, b).running))
			return b;
	}
	return cpu;
}

static void check_buddy(struct watchdog_cpu *w)
{
	unsigned me = smp_processor_id(), b = next_watched(me);
	if (b == me)
		return;
	struct watchdog_cpu *bw = per_cpu_ptr(&watchdog_cpus, b);
	unsigned long runs = READ_ONCE(bw->runs);
	if (b != w->buddy || runs != w->buddy_seen) {
		w->buddy = b, w->buddy_seen = runs, w->buddy_still = 0;
		WRITE_ONCE(bw->hard_reported, false);
		return;
	}
	if (++w->buddy_still < 3 || READ_ONCE(bw->hard_reported))
		return;
	WRITE_ONCE(bw->hard_reported, true);
	__atomic_fetch_add(&per_cpu(hardlockup_count, b), 1, __ATOMIC_RELAXED);
	printk("watchdog: Watchdog detected hard LOCKUP on cpu %u\n", b);
	trigger_backtrace(b);
	if (watchdog_panic)
		panic("Hard LOCKUP");
}

static void trigger_backtrace(unsigned cpu)
{
	if (!lapic_present) {
		printk("watchdog: no local APIC: no NMI to ask cpu %u where it is\n", cpu);
		return;
	}
	unsigned long before = READ_ONCE(per_cpu(nmi_backtrace_count, cpu));
	WRITE_ONCE(per_cpu(nmi_backtrace_requested, cpu), true);
	smp_mb();                               /* the flag before the NMI */
	apic_send_ipi(cpu_apic_id[cpu], APIC_DM_NMI);
	ktime_t start = ktime_get();
	while (READ_ONCE(per_cpu(nmi_backtrace_count, cpu)) == before &&
	       ktime_get() - start < NSEC_PER_SEC)
		pause();
	if (READ_ONCE(per_cpu(nmi_backtrace_count, cpu)) == before) {
		WRITE_ONCE(per_cpu(nmi_backtrace_requested, cpu), false);
		printk("watchdog: cpu %u did not answer the NMI\n", cpu);
	}
}

void nmi_cpu_backtrace(struct pt_regs *regs)
{
	this_cpu_write(nmi_backtrace_requested, false);
	printk("NMI backtrace for cpu %u\n", smp_processor_id());
	show_regs(regs);
	show_backtrace(regs->bp);
	this_cpu_inc(nmi_backtrace_count);
}

static void watchdog_start_here(void *unused)
{
	struct watchdog_cpu *w = this_cpu_ptr(&watchdog_cpus);
	unsigned long ms = READ_ONCE(thresh_ms);

	(void)unused;
	if (!w->running)
		hrtimer_init(&w->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	else
		hrtimer_cancel(&w->timer);
	if (!ms) {
		WRITE_ONCE(w->running, false);
		return;
	}
	w->period = ms * NSEC_PER_MSEC * 2 / 5;
	w->soft_limit = 2 * ms * NSEC_PER_MSEC;
	WRITE_ONCE(w->touched, ktime_get());
	w->buddy_still = 0;
	w->timer.function = watchdog_timer_fn;
	hrtimer_start(&w->timer, w->period, HRTIMER_MODE_REL);
	WRITE_ONCE(w->running, true);
}

void watchdog_init(void)
{
	unsigned long s = cmdline_number("watchdog_thresh", 10);

	thresh_ms = MIN(s, 60UL) * 1000;        /* Linux refuses more than 60 s */
	watchdog_panic = cmdline_get("watchdog_panic") != NULL;
	if (!thresh_ms || cmdline_get("nowatchdog")) {
		thresh_ms = 0;
		printk("watchdog: off\n");
		return;
	}
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_online(cpu))
			continue;
		struct watchdog_cpu *w = per_cpu_ptr(&watchdog_cpus, cpu);
		char name[16];
		snprintf(name, sizeof(name), "watchdog/%u", cpu);
		w->thread = kthread_create(watchdog_thread, w, name);
		if (!w->thread)
			panic("watchdog: no memory for %s", name);
		kthread_bind(w->thread, cpu);
		set_task_prio(w->thread, 0);
		wake_up_new_task(w->thread);
	}
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu))
			smp_call_function_single(cpu, watchdog_start_here, NULL, true);
	watchdog_started = true;
	printk("watchdog: soft lockups after %lu s, hard lockups seen by the next CPU%s\n",
	       2 * thresh_ms / 1000, watchdog_panic ? "; a lockup panics" : "");
}

void watchdog_set_thresh(unsigned long ms)
{
	if (!watchdog_started)
		return;                         /* off since boot */
	WRITE_ONCE(thresh_ms, ms ? CLAMP(ms, 100UL, 60000UL) : 0);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu) && per_cpu(watchdog_cpus, cpu).thread)
			smp_call_function_single(cpu, watchdog_start_here, NULL, true);
}

unsigned long watchdog_get_thresh(void)
{
	return READ_ONCE(thresh_ms);
}

void touch_watchdog(void)
{
	struct watchdog_cpu *w = this_cpu_ptr(&watchdog_cpus);

	WRITE_ONCE(w->touched, ktime_get());
	WRITE_ONCE(w->runs, w->runs + 1);
}
