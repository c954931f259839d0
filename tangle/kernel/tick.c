/* Tangled from chapters/24-softirq.nw chapters/27-tick.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "time.h"
#include "sched.h"
#include "softirq.h"
#include "spinlock.h"
#include "apic.h"
#include "smp.h"
#include "timer.h"

volatile unsigned long jiffies = INITIAL_JIFFIES;
bool tick_running, tick_nohz_active = true;
bool tick_periodic_off;                 /* schedtick=off: events only for timers */
DEFINE_PER_CPU(struct tick_sched, tick_cpu_sched);

static spinlock_t jiffies_lock = SPINLOCK_INIT;
static ktime_t last_jiffies_update, tick_next_period;
static unsigned long watchdog_next = INITIAL_JIFFIES;

static void tick_do_update_jiffies(ktime_t now)
{
	if (now < READ_ONCE(tick_next_period))
		return;
	bool watch = false;
	spin_lock(&jiffies_lock);
	ktime_t delta = now - last_jiffies_update;
	if (delta >= TICK_NSEC) {
		unsigned long n = delta / TICK_NSEC;
		last_jiffies_update += n * TICK_NSEC;
		WRITE_ONCE(jiffies, jiffies + n);
		WRITE_ONCE(tick_next_period, last_jiffies_update + TICK_NSEC);
		update_wall_time();
		if ((watch = time_after_eq(jiffies, watchdog_next)))
			watchdog_next = jiffies + WATCHDOG_INTERVAL;
	}
	spin_unlock(&jiffies_lock);
	if (watch)
		clocksource_watchdog();
}

void tick_update_jiffies(void)
{
	u64 f = local_irq_save();
	tick_do_update_jiffies(ktime_get());
	local_irq_restore(f);
}

static void tick_program_next(struct clock_event_device *dev, struct tick_sched *ts,
			      ktime_t now);

static void tick_handle(struct clock_event_device *dev)
{
	struct tick_sched *ts = this_cpu_ptr(&tick_cpu_sched);
	ktime_t now = ktime_get();
	bool oneshot = dev->state == CLOCK_EVT_STATE_ONESHOT;

	hrtimer_run_hard(now);
	if (!oneshot || ts->stopped || tick_periodic_off || now >= ts->next_tick) {
		ts->ticks++;
		if (ts->idle)
			ts->idle_ticks++;
		tick_do_update_jiffies(now);
		scheduler_tick();
		raise_softirq_irqoff(TIMER_SOFTIRQ);
	}
	if (oneshot && !ts->stopped && !ts->suspended)
		tick_program_next(dev, ts, now);
}

static ktime_t tick_next_timer(ktime_t now);

static void tick_program_next(struct clock_event_device *dev, struct tick_sched *ts,
			      ktime_t now)
{
	while (ts->next_tick <= now)
		ts->next_tick += TICK_NSEC;
	ktime_t next = ts->next_tick;
	if (tick_periodic_off)
		next = tick_next_timer(now);
	clockevents_program_event(dev, MIN(next, hrtimer_next_event()), true);
}

#define NOHZ_MAX_IDLE   NSEC_PER_SEC

static ktime_t tick_next_timer(ktime_t now)
{
	return MIN(now + NOHZ_MAX_IDLE, timers_next_event(now));
}

ktime_t jiffies_to_ktime(unsigned long j)
{
	u64 f = spin_lock_irqsave(&jiffies_lock);
	long d = CLAMP((long)(j - jiffies), -(long)HZ, 10L * HZ);   /* no overflow */
	ktime_t when = last_jiffies_update + d * TICK_NSEC;
	spin_unlock_irqrestore(&jiffies_lock, f);
	return when;
}

void tick_nohz_idle_stop(void)
{
	struct tick_sched *ts = this_cpu_ptr(&tick_cpu_sched);
	struct clock_event_device *dev = this_cpu_read(tick_device);

	ts->idle = true;
	smp_mb();                               /* against tick_nohz_kick: see there */
	if (!dev || dev->state != CLOCK_EVT_STATE_ONESHOT || ts->suspended)
		return;                         /* a periodic device keeps ticking */
	ktime_t now = ktime_get();
	while (ts->next_tick <= now)
		ts->next_tick += TICK_NSEC;
	ktime_t next = tick_nohz_active ? tick_next_timer(now) : ts->next_tick;
	if (next <= ts->next_tick) {            /* keep ticking */
		ktime_t at = MIN(ts->next_tick, hrtimer_next_event());
		ts->stopped = false;
		if (dev->next_event != at)
			clockevents_program_event(dev, at, true);
		return;
	}
	if (ts->stopped && dev->next_event > now && next >= dev->next_event)
		return;                         /* already set early enough */
	if (!ts->stopped)
		ts->stops++;
	ts->stopped = true;
	clockevents_program_event(dev, next, true);
}

void tick_nohz_idle_exit(void)
{
	struct tick_sched *ts = this_cpu_ptr(&tick_cpu_sched);
	struct clock_event_device *dev = this_cpu_read(tick_device);

	ts->idle = false;
	if (!ts->stopped)
		return;
	ts->stopped = false;
	if (ts->suspended)
		return;                         /* the device is lent out */
	ktime_t now = ktime_get();
	tick_do_update_jiffies(now);
	while (ts->next_tick <= now)
		ts->next_tick += TICK_NSEC;
	clockevents_program_event(dev, ts->next_tick, true);
}

void tick_reprogram_local(void)
{
	struct tick_sched *ts = this_cpu_ptr(&tick_cpu_sched);
	struct clock_event_device *dev = this_cpu_read(tick_device);
	u64 f = local_irq_save();

	if (!ts->idle && !ts->stopped && !ts->suspended && dev &&
	    dev->state == CLOCK_EVT_STATE_ONESHOT)
		tick_program_next(dev, ts, ktime_get());
	local_irq_restore(f);
}

static void tick_kick_func(void *unused)
{
	(void)unused;
	tick_reprogram_local();
}

void tick_nohz_kick(unsigned cpu)
{
	struct tick_sched *ts = per_cpu_ptr(&tick_cpu_sched, cpu);

	if (cpu == smp_processor_id()) {
		tick_reprogram_local();
		return;
	}
	smp_mb();                               /* the timer is queued; now look */
	if (cpu_online(cpu) &&
	    (READ_ONCE(ts->idle) || READ_ONCE(ts->stopped) || tick_periodic_off))
		smp_call_function_single(cpu, tick_kick_func, NULL, false);
}

void tick_kick_cpu(unsigned cpu)
{
	if (cpu == smp_processor_id())
		tick_reprogram_local();
	else if (cpu_online(cpu))
		smp_call_function_single(cpu, tick_kick_func, NULL, false);
}

long schedule_timeout_uninterruptible(long timeout)
{
	set_current_state(TASK_UNINTERRUPTIBLE);
	return schedule_timeout(timeout);
}

void tick_setup_cpu(unsigned cpu)
{
	struct clock_event_device *dev = per_cpu(tick_device, cpu);
	struct tick_sched *ts = this_cpu_ptr(&tick_cpu_sched);

	if (!dev)
		return;
	dev->event_handler = tick_handle;
	ts->next_tick = READ_ONCE(tick_next_period);
	if (dev->features & CLOCK_EVT_FEAT_ONESHOT) {
		clockevents_switch_state(dev, CLOCK_EVT_STATE_ONESHOT);
		tick_program_next(dev, ts, ktime_get());
	} else
		clockevents_switch_state(dev, CLOCK_EVT_STATE_PERIODIC);
}

void tick_early_init(void)
{
	const char *nohz = cmdline_get("nohz"), *st = cmdline_get("schedtick");

	tick_nohz_active = !(nohz && !strcmp(nohz, "off"));
	tick_periodic_off = st && !strcmp(st, "off");
	last_jiffies_update = ktime_get();
	tick_next_period = last_jiffies_update + TICK_NSEC;
}

void tick_init(void)
{
	if (lapic_present)
		lapic_clockevent_init(0);
	else
		pit_clockevent_init();
	tick_setup_cpu(0);
	struct clock_event_device *dev = this_cpu_read(tick_device);
	tick_running = dev && !tick_periodic_off;
	printk("tick: %d Hz from the %s, %s; idle CPUs %s\n", HZ, dev ? dev->name : "(none)",
	       !dev ? "no tick" : tick_periodic_off ? "no periodic tick (schedtick=off)" :
	       dev->state == CLOCK_EVT_STATE_ONESHOT ? "one-shot" : "periodic",
	       dev && dev->state == CLOCK_EVT_STATE_ONESHOT && tick_nohz_active ?
	       "stop their tick (NO_HZ idle)" : "keep ticking");
}

void tick_suspend_local(void)
{
	this_cpu_ptr(&tick_cpu_sched)->suspended = true;
}

void tick_resume_local(void)
{
	struct clock_event_device *dev = this_cpu_read(tick_device);
	struct tick_sched *ts = this_cpu_ptr(&tick_cpu_sched);

	ts->suspended = false;
	if (!dev || !dev->event_handler)
		return;
	enum clock_event_state s = dev->state;
	dev->state = CLOCK_EVT_STATE_SHUTDOWN;
	clockevents_switch_state(dev, s);
	if (s == CLOCK_EVT_STATE_ONESHOT)
		tick_program_next(dev, ts, ktime_get());
}
