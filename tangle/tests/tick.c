/* Tangled from chapters/27-tick.nw by 'make tangle'. Edit the chapter, not this file. */
#include "ktest.h"
#include "time.h"
#include "clocks.h"
#include "sched.h"
#include "smp.h"
#include "apic.h"
#include "irq.h"

static void test_clocksource_selected(struct ktest *t)
{
	struct clocksource *cs = clocksource_current();

	ASSERT_TRUE(t, cs != NULL);
	ktest_log(t, "clock source %s, %lu Hz, mult %u, shift %u", cs->name, cs->hz,
		  cs->mult, cs->shift);
	EXPECT_STREQ(t, cs->name, cmdline_get("clocksource") ? cmdline_get("clocksource") : "tsc");
	u64 one_second = (cs->hz * cs->mult) >> cs->shift, slack = NSEC_PER_SEC / cs->mult + 1;
	EXPECT_LE(t, one_second, (u64)NSEC_PER_SEC + slack);
	EXPECT_GE(t, one_second, (u64)NSEC_PER_SEC - slack);
}

static u64 read_same_tsc(struct clocksource *cs) { (void)cs; return rdtsc(); }

static void test_clocksource_switch(struct ktest *t)
{
	static struct clocksource better = { .name = "tsc-again", .read = read_same_tsc,
					     .mask = ~0UL, .rating = 400 };
	struct clocksource *before = clocksource_current();
	ktime_t t0 = ktime_get();

	clocksource_register_hz(&better, tsc_hz);
	EXPECT_TRUE(t, clocksource_current() == &better);
	ktime_t t1 = ktime_get();
	clocksource_unregister(&better);
	ktime_t t2 = ktime_get();
	EXPECT_TRUE(t, clocksource_current() == before);
	EXPECT_GE(t, t1, t0);
	EXPECT_GE(t, t2, t1);
}

static u64 fake_base;

static u64 read_fast(struct clocksource *cs)
{
	(void)cs;
	u64 now = rdtsc();
	return now + (now - fake_base) / 10;
}

static void test_watchdog_demotes(struct ktest *t)
{
	static struct clocksource fast = { .name = "fast-tsc", .read = read_fast,
					   .mask = ~0UL, .rating = 400,
					   .flags = CLOCK_SOURCE_MUST_VERIFY };
	if (!hpet_present)
		KTEST_SKIP(t, "no watchdog clock (no HPET): nothing can be demoted");
	if (!tick_running)
		KTEST_SKIP(t, "no tick to run the watchdog (schedtick=off)");
	struct clocksource *before = clocksource_current();
	fake_base = rdtsc();
	clocksource_register_hz(&fast, tsc_hz);
	EXPECT_TRUE(t, clocksource_current() == &fast);
	u64 start = rdtsc();
	while (!(READ_ONCE(fast.flags) & CLOCK_SOURCE_UNSTABLE) && rdtsc() - start < 5 * tsc_hz)
		schedule_timeout_uninterruptible(1);
	ktest_log(t, "demoted after %lu ms", (rdtsc() - start) / (tsc_hz / 1000));
	EXPECT_TRUE(t, fast.flags & CLOCK_SOURCE_UNSTABLE);
	EXPECT_TRUE(t, clocksource_current() == before);
	clocksource_unregister(&fast);
}

struct mono_check {
	u64 latest;                             /* the largest reading published */
	unsigned long backwards, reads;
};

static int mono_reader(void *data)
{
	struct mono_check *m = data;

	for (int i = 0; i < 20000; i++) {
		u64 seen = __atomic_load_n(&m->latest, __ATOMIC_ACQUIRE);
		u64 now = ktime_get();
		if (now < seen)
			__atomic_fetch_add(&m->backwards, 1, __ATOMIC_RELAXED);
		u64 old = seen;
		while (old < now &&
		       !__atomic_compare_exchange_n(&m->latest, &old, now, false,
						    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
			;
	}
	__atomic_fetch_add(&m->reads, 20000, __ATOMIC_RELAXED);
	return 0;
}

static void test_monotonic_across_cpus(struct ktest *t)
{
	static struct mono_check m;
	struct task *k[8];
	unsigned n = 0;

	m = (struct mono_check){ 0 };
	for (unsigned cpu = 0; cpu < nr_cpu_ids && n < 8; cpu++)
		if (cpu_online(cpu) && (k[n] = kthread_create(mono_reader, &m, "mono"))) {
			kthread_bind(k[n], cpu);
			wake_up_new_task(k[n++]);
		}
	for (unsigned i = 0; i < n; i++) {
		wait_task(k[i]);
		kthread_stop(k[i]);
	}
	ktest_log(t, "%lu readings on %u CPUs", m.reads, n);
	EXPECT_EQ(t, m.reads, n * 20000UL);
	EXPECT_EQ(t, m.backwards, 0);
}

static void read_pair(u64 *ref, ktime_t *k)
{
	for (int tries = 0; tries < 10; tries++) {
		u64 f = local_irq_save();
		u64 a = hpet_present ? hpet_read() : rdtsc();
		*k = ktime_get();
		u64 b = hpet_present ? hpet_read() : rdtsc();
		local_irq_restore(f);
		u64 d = hpet_present ? (u32)(b - a) : b - a;
		*ref = a + d / 2;
		if (d < (hpet_present ? hpet_hz : tsc_hz) / 50000)
			return;
	}
}

static void test_clocks_agree(struct ktest *t)
{
	u64 r0, r1;
	ktime_t k0, k1;

	read_pair(&r0, &k0);
	u64 want = hpet_present ? hpet_hz / 20 : tsc_hz / 20;
	while ((hpet_present ? (u32)(hpet_read() - r0) : rdtsc() - r0) < want)
		pause();
	read_pair(&r1, &k1);
	ktime_t ref = hpet_present ? (ktime_t)mul_div((u32)(r1 - r0), NSEC_PER_SEC, hpet_hz)
				   : (ktime_t)mul_div(r1 - r0, NSEC_PER_SEC, tsc_hz);
	ktest_log(t, "%ld ns of %s: %ld ns of CLOCK_MONOTONIC", ref,
		  hpet_present ? "HPET" : "TSC", k1 - k0);
	EXPECT_GE(t, k1 - k0, ref - ref / 1000 - 20 * NSEC_PER_USEC);
	EXPECT_LE(t, k1 - k0, ref + ref / 1000 + 20 * NSEC_PER_USEC);
	unsigned long j0 = jiffies;
	ktime_t t0 = ktime_get();
	while (jiffies == j0 && ktime_get() - t0 < NSEC_PER_SEC)
		pause();                        /* the next tick catches up */
	unsigned long counted = jiffies - INITIAL_JIFFIES;
	long due = ktime_get() / TICK_NSEC;
	ktest_log(t, "jiffies counted %lu ticks since boot, the clock says %ld", counted, due);
	EXPECT_LE(t, (long)counted, due + 1);
	EXPECT_GE(t, (long)counted, due - 25);
}

static void test_time_after_wraps(struct ktest *t)
{
	unsigned long before = ~0UL - 10, after = 5;

	EXPECT_TRUE(t, time_after(after, before));
	EXPECT_TRUE(t, time_before(before, after));
	EXPECT_TRUE(t, time_after_eq(after, before) && time_after_eq(after, after));
	EXPECT_TRUE(t, time_before_eq(before, after));
	EXPECT_FALSE(t, after > before);        /* the comparison the macros replace */
	EXPECT_EQ(t, INITIAL_JIFFIES + 300UL * HZ, 0UL);
	ktest_log(t, "jiffies now %lu; they wrap in %lu s", jiffies, (0UL - jiffies) / HZ);
}

static void test_realtime_from_rtc(struct ktest *t)
{
	ktime_t mono = ktime_get(), real = ktime_get_real(), boot = ktime_get_boottime();

	EXPECT_GE(t, boot, mono);
	EXPECT_LT(t, boot - mono, 10 * NSEC_PER_MSEC);
	if (boot_time_seconds < 0)
		KTEST_SKIP(t, "no RTC: the time of day started at 1970");
	s64 expect = boot_time_seconds + mono / NSEC_PER_SEC;
	ktest_log(t, "CLOCK_REALTIME %ld s, RTC at boot + uptime %ld s",
		  real / NSEC_PER_SEC, expect);
	EXPECT_GE(t, real / NSEC_PER_SEC, expect - 2);
	EXPECT_LE(t, real / NSEC_PER_SEC, expect + 2);
}

struct spin_ticks {
	unsigned long ticks;
	ktime_t took;
};

static int spin_10_ticks(void *data)
{
	struct spin_ticks *s = data;
	unsigned long t0 = this_cpu_read(tick_cpu_sched.ticks);
	ktime_t start = ktime_get(), now = start;

	while (this_cpu_read(tick_cpu_sched.ticks) - t0 < 10 &&
	       (now = ktime_get()) - start < 2 * NSEC_PER_SEC)
		pause();
	s->ticks = this_cpu_read(tick_cpu_sched.ticks) - t0;
	s->took = ktime_get() - start;
	return 0;
}

static void test_busy_cpus_tick(struct ktest *t)
{
	if (!tick_running)
		KTEST_SKIP(t, "no periodic tick (schedtick=off, or no clock-event device)");
	unsigned tested = 0;
	for (unsigned cpu = 0; cpu < nr_cpu_ids && tested < 8; cpu++) {
		struct spin_ticks s = { 0 };
		struct task *k;
		if (!cpu_online(cpu) || !(k = kthread_create(spin_10_ticks, &s, "spin")))
			continue;
		kthread_bind(k, cpu);
		wake_up_new_task(k);
		wait_task(k);
		kthread_stop(k);
		ktest_log(t, "CPU %u: %lu ticks in %ld us", cpu, s.ticks, s.took / NSEC_PER_USEC);
		EXPECT_GE(t, s.ticks, 10);
		EXPECT_LE(t, s.ticks, (unsigned long)(s.took / TICK_NSEC) + 3);
		tested++;
	}
}

static unsigned long idle_ticks_in(unsigned cpu, unsigned long ms)
{
	unsigned long t0 = READ_ONCE(per_cpu(tick_cpu_sched, cpu).ticks);
	schedule_timeout_uninterruptible(msecs_to_jiffies(ms));
	return READ_ONCE(per_cpu(tick_cpu_sched, cpu).ticks) - t0;
}

static void test_nohz_idle(struct ktest *t)
{
	unsigned cpu = nr_cpu_ids - 1;
	struct clock_event_device *dev;

	while (cpu > 0 && !cpu_online(cpu))
		cpu--;
	if (cpu == 0)
		KTEST_SKIP(t, "one CPU: no idle CPU to watch");
	dev = per_cpu(tick_device, cpu);
	if (!dev || !(dev->features & CLOCK_EVT_FEAT_ONESHOT) || !tick_nohz_active)
		KTEST_SKIP(t, "no one-shot clock-event device, or nohz=off");
	unsigned long tickless = idle_ticks_in(cpu, 500);
	tick_nohz_active = false;
	tick_nohz_kick(cpu);
	smp_send_reschedule(cpu);               /* wake it to restart the tick */
	unsigned long periodic = idle_ticks_in(cpu, 500);
	tick_nohz_active = true;
	smp_send_reschedule(cpu);
	ktest_log(t, "idle CPU %u: %lu ticks in 500 ms tickless, %lu periodic", cpu,
		  tickless, periodic);
	EXPECT_LE(t, tickless, 10);
	EXPECT_GE(t, periodic, 50);
}

static void test_sleep_not_short(struct ktest *t)
{
	for (int i = 0; i < 5; i++) {
		ktime_t t0 = ktime_get();
		schedule_timeout_uninterruptible(5);
		ktime_t took = ktime_get() - t0;
		EXPECT_GE(t, took, 4 * TICK_NSEC);
		EXPECT_LT(t, took, 2 * NSEC_PER_SEC);
	}
}

KTEST_SUITE(tick,
	KTEST_CASE(test_clocksource_selected),
	KTEST_CASE(test_clocksource_switch),
	KTEST_CASE(test_watchdog_demotes),
	KTEST_CASE(test_monotonic_across_cpus),
	KTEST_CASE(test_clocks_agree),
	KTEST_CASE(test_time_after_wraps),
	KTEST_CASE(test_realtime_from_rtc),
	KTEST_CASE(test_busy_cpus_tick),
	KTEST_CASE(test_nohz_idle),
	KTEST_CASE(test_sleep_not_short));

static void bench_tick(struct ktest *t)
{
	struct clock_event_device *dev = this_cpu_read(tick_device);
	u64 sum = 0, most = 0;

	if (!dev || !dev->event_handler)
		KTEST_SKIP(t, "no clock-event device");
	bool off = tick_periodic_off;
	tick_periodic_off = false;
	for (int i = 0; i < 50; i++) {
		ndelay(TICK_NSEC);
		u64 f = local_irq_save();
		irq_enter();
		u64 t0 = rdtsc();
		dev->event_handler(dev);
		u64 d = rdtsc() - t0;
		irq_exit();
		local_irq_restore(f);
		sum += d, most = MAX(most, d);
	}
	tick_periodic_off = off;
	tick_resume_local();
	printk("# bench tick_handler: %lu instructions/op (longest %lu)\n",
	       (unsigned long)(sum / 50), (unsigned long)most);
}

KTEST_SUITE(bench_tick,
	KTEST_CASE(bench_tick));

static void bench_idle_ticks(struct ktest *t)
{
	unsigned cpu = nr_cpu_ids - 1;

	if (cpu == 0 || !cpu_online(cpu))
		KTEST_SKIP(t, "no idle CPU to watch");
	bool off = tick_periodic_off;
	tick_periodic_off = false;
	tick_nohz_active = true;
	smp_send_reschedule(cpu);
	ktime_t t0 = ktime_get();
	unsigned long tickless = idle_ticks_in(cpu, 1000);
	ktime_t t1 = ktime_get();
	tick_nohz_active = false;
	smp_send_reschedule(cpu);
	unsigned long periodic = idle_ticks_in(cpu, 1000);
	ktime_t t2 = ktime_get();
	tick_nohz_active = true;
	tick_periodic_off = off;
	smp_send_reschedule(cpu);
	/* per second of the clock, rounded: the sleep itself may be late */
	tickless = (tickless * NSEC_PER_SEC + (t1 - t0) / 2) / (t1 - t0);
	periodic = (periodic * NSEC_PER_SEC + (t2 - t1) / 2) / (t2 - t1);
	printk("# bench idle_ticks_per_second: %lu tickless, %lu periodic (CPU %u)\n",
	       tickless, periodic, cpu);
	EXPECT_LT(t, tickless, periodic);
}

KTEST_SUITE(bench_tick_smp,
	KTEST_CASE(bench_idle_ticks));
