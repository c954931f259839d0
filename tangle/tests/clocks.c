/* Tangled from chapters/26-clocks.nw chapters/27-tick.nw by 'make tangle'. Edit the chapter, not this file. */
#include "ktest.h"
#include "clocks.h"
#include "smp.h"
#include "irq.h"
#include "apic.h"
#include "platform.h"
#include "errno.h"
#include "time.h"

static void test_rtc_seconds(struct ktest *t)
{
	static const struct { struct rtc_time tm; s64 seconds; } dates[] = {
		{ { 1970, 1, 1, 0, 0, 0 }, 0 },
		{ { 2000, 2, 29, 12, 0, 0 }, 951825600 },
		{ { 2038, 1, 19, 3, 14, 7 }, 2147483647 },
		{ { 2038, 1, 19, 3, 14, 8 }, 2147483648 },
		{ { 2106, 2, 7, 6, 28, 16 }, 4294967296 },
		{ { 2100, 3, 1, 0, 0, 0 }, 4107542400 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(dates); i++)
		EXPECT_EQ(t, rtc_time_to_seconds(&dates[i].tm), dates[i].seconds);
}

static void test_rtc_date(struct ktest *t)
{
	const char *want = cmdline_get("rtc.expect");

	if (!want)
		KTEST_SKIP(t, "no rtc.expect on the command line (ci/qemu.py passes one)");
	s64 expect = cmdline_number("rtc.expect", 0);
	if (boot_time_seconds < 0)
		KTEST_SKIP(t, "no RTC on this machine (the CMOS reads as nonsense)");
	if (!platform.rtc_century && expect >= 3155760000L)    /* 2070-01-01 */
		KTEST_SKIP(t, "no century register (no FADT): "
			   "2070 and later cannot be told from 1970");
	ktest_log(t, "RTC at boot %ld, expected %ld (+%ld s)", boot_time_seconds, expect,
		  boot_time_seconds - expect);
	EXPECT_GE(t, boot_time_seconds, expect);
	EXPECT_LE(t, boot_time_seconds, expect + 300);
}

static void test_rtc_past_2106(struct ktest *t)
{
	struct rtc_time saved, now, far = { 2107, 3, 1, 23, 59, 58 };

	if (boot_time_seconds < 0)
		KTEST_SKIP(t, "no RTC on this machine");
	if (!platform.rtc_century)
		KTEST_SKIP(t, "no century register (no FADT): "
			   "the RTC holds two digits of the year");
	ASSERT_TRUE(t, rtc_read_time(&saved));
	u64 start = rdtsc();
	rtc_set_time(&far);
	bool ok = rtc_read_time(&now);
	s64 back = rtc_time_to_seconds(&saved) + (rdtsc() - start) / tsc_hz;
	struct rtc_time restore = saved;
	restore.sec = back % 60, restore.min = back / 60 % 60, restore.hour = back / 3600 % 24;
	if (back / 86400 == rtc_time_to_seconds(&saved) / 86400)
		rtc_set_time(&restore);         /* same day: only the time moves */
	else
		rtc_set_time(&saved);
	ASSERT_TRUE(t, ok);
	s64 d = rtc_time_to_seconds(&now) - rtc_time_to_seconds(&far);
	ktest_log(t, "set 2107-03-01 23:59:58, read %04u-%02u-%02u %02u:%02u:%02u (%ld s)",
		  now.year, now.mon, now.day, now.hour, now.min, now.sec,
		  rtc_time_to_seconds(&now));
	EXPECT_GE(t, d, 0);
	EXPECT_LE(t, d, 30);                    /* a busy host may hold us up */
	EXPECT_GT(t, rtc_time_to_seconds(&now), 4294967296L);
}

static bool catch_update(void)
{
	u64 start = rdtsc();
	while (rdtsc() - start < 2 * tsc_hz)
		if (rtc_update_in_progress())
			return true;
	return false;
}

static void test_rtc_read_during_update(struct ktest *t)
{
	struct rtc_time before, after;
	bool waited = false;

	if (boot_time_seconds < 0)
		KTEST_SKIP(t, "no RTC on this machine");
	for (int attempt = 0; attempt < 5 && !waited; attempt++) {
		ASSERT_TRUE(t, rtc_read_time(&before));
		unsigned long waits = rtc_uip_waits;
		if (!catch_update())
			KTEST_SKIP(t, "the RTC never showed an update in progress in 2 s");
		ASSERT_TRUE(t, rtc_read_time(&after));
		waited = rtc_uip_waits > waits;
		s64 d = rtc_time_to_seconds(&after) - rtc_time_to_seconds(&before);
		EXPECT_GE(t, d, 1);
		EXPECT_LE(t, d, 30);
	}
	if (!waited)
		KTEST_SKIP(t, "the host never let a read start while the update was on (5 tries)");
}

static void test_calibration_sane(struct ktest *t)
{
	ktest_log(t, "TSC %lu Hz (fast %lu, refined %lu against the %s), APIC timer %lu Hz",
		  tsc_hz, tsc_fast.hz, tsc_refined.hz,
		  tsc_refined.against ? tsc_refined.against : "-", lapic_timer_hz);
	EXPECT_GT(t, tsc_hz, 100000000);
	EXPECT_LT(t, tsc_hz, 10000000000UL);
	if (lapic_present) {
		EXPECT_GT(t, lapic_timer_hz, 1000000);
		EXPECT_LT(t, lapic_timer_hz, 10000000000UL);
	}
	if (!tsc_refined.hz)
		KTEST_SKIP(t, "no reference clock (no PIT, no HPET)");
	u64 again = tsc_remeasure(10000000);
	s64 d = (s64)(again - tsc_hz);
	u64 ppm = (u64)(d < 0 ? -d : d) * 1000000 / tsc_hz;
	ktest_log(t, "measured again: %lu Hz, %lu ppm from the boot's", again, ppm);
	EXPECT_LT(t, ppm, 1000);
}

static volatile unsigned long fired, fire_limit;
static volatile u64 fired_tsc;

static void note_fire(void)
{
	if (++fired == fire_limit)
		fired_tsc = rdtsc();
}

static bool wait_fired(unsigned long n, u64 limit_ns)
{
	u64 start = rdtsc();
	while (fired < n && rdtsc() - start < mul_div(limit_ns, tsc_hz, 1000000000))
		pause();
	return fired >= n;
}

static u64 not_before(u64 ns)           /* ns less 0.1 per cent, in TSC ticks */
{
	return mul_div(ns - ns / 1000, tsc_hz, 1000000000);
}

static void test_pit_channel0(struct ktest *t)
{
	fired = 0, fire_limit = 21;
	u64 start = rdtsc();
	int err = pit_periodic_start(1000, note_fire);
	if (err == -ENODEV)
		KTEST_SKIP(t, "no PIT on this machine");
	if (err == -EBUSY)
		KTEST_SKIP(t, "IRQ 0 is taken: the PIT is this machine's tick (no local APIC)");
	ASSERT_EQ(t, err, 0);
	bool ok = wait_fired(21, 1000000000);
	pit_periodic_stop();
	ASSERT_TRUE(t, ok);
	u64 took = fired_tsc - start, period_ns = 1193UL * 1000000000 / 1193182;
	ktest_log(t, "21 PIT interrupts in %lu us", took * 1000 / (tsc_hz / 1000));
	EXPECT_GE(t, took, not_before(20 * period_ns));
	EXPECT_EQ(t, pit_periodic_start(5, note_fire), -EINVAL);
}

static void test_hpet_comparator(struct ktest *t)
{
	if (!hpet_present)
		KTEST_SKIP(t, "no HPET (none in the ACPI tables, or hpet=off)");
	u32 ms = hpet_hz / 1000;
	u64 start;
	int err, tries = 0;
	do {                                    /* -ETIME: held up for 1 ms */
		fired = 0, fire_limit = 1;
		start = rdtsc();
		err = hpet_timer0_start(ms, false, note_fire);
	} while (err == -ETIME && ++tries < 5);
	if (err == -ENODEV)
		KTEST_SKIP(t, "the HPET has no legacy replacement route");
	if (err == -EBUSY)
		KTEST_SKIP(t, "IRQ 0 is taken: the PIT is this machine's tick (no local APIC)");
	ASSERT_EQ(t, err, 0);
	bool ok = wait_fired(1, 1000000000);
	hpet_timer0_stop();
	ASSERT_TRUE(t, ok);
	EXPECT_GE(t, fired_tsc - start, not_before(1000000));
	tries = 0;
	do {
		fired = 0, fire_limit = 5;
		start = rdtsc();
		err = hpet_timer0_start(ms, true, note_fire);
	} while (err == -ETIME && ++tries < 5);
	ASSERT_EQ(t, err, 0);
	ok = wait_fired(5, 1000000000);
	hpet_timer0_stop();
	ASSERT_TRUE(t, ok);
	EXPECT_GE(t, fired_tsc - start, not_before(5000000));
	fired = 0, fire_limit = 1;
	err = hpet_timer0_start(1, false, note_fire);
	if (err == 0) {
		EXPECT_TRUE(t, wait_fired(1, 100000000));
		hpet_timer0_stop();
	} else
		EXPECT_EQ(t, err, -ETIME);
}

static DEFINE_PER_CPU(u64, armed_tsc);
static DEFINE_PER_CPU(u64, fired_at);
static DEFINE_PER_CPU(void (*)(void), saved_event);

static void note_local_fire(void)
{
	if (lapic_timer_count() == 0 && !this_cpu_read(fired_at))
		this_cpu_write(fired_at, rdtsc());
}

static void arm_oneshot(void *count)
{
	tick_suspend_local();
	this_cpu_write(saved_event, this_cpu_read(lapic_timer_event));
	this_cpu_write(lapic_timer_event, note_local_fire);
	this_cpu_write(fired_at, 0);
	this_cpu_write(armed_tsc, rdtsc());
	lapic_timer_oneshot((u32)(unsigned long)count);
}

static void give_tick_back(void *unused)
{
	(void)unused;
	this_cpu_write(lapic_timer_event, this_cpu_read(saved_event));
	tick_resume_local();
}

static void test_lapic_oneshot_every_cpu(struct ktest *t)
{
	if (!lapic_present)
		KTEST_SKIP(t, "no local APIC");
	unsigned step = MAX(nr_cpu_ids / 16, 1u), tested = 0;
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu += step) {
		if (!cpu_online(cpu))
			continue;
		smp_call_function_single(cpu, arm_oneshot,
					 (void *)(unsigned long)(lapic_timer_hz / 1000), true);
		u64 start = rdtsc();
		while (!READ_ONCE(per_cpu(fired_at, cpu)) && rdtsc() - start < tsc_hz)
			pause();
		smp_call_function_single(cpu, give_tick_back, NULL, true);
		EXPECT_NE(t, per_cpu(fired_at, cpu), 0);
		EXPECT_GE(t, per_cpu(fired_at, cpu) - per_cpu(armed_tsc, cpu),
			  not_before(1000000));
		tested++;
	}
	ktest_log(t, "one-shot 1 ms on %u CPUs", tested);
}

static void borrow_local_timer(void (*hook)(void))
{
	tick_suspend_local();
	lapic_timer_stop();
	ndelay(100000);                         /* a pending tick comes now */
	this_cpu_write(saved_event, this_cpu_read(lapic_timer_event));
	this_cpu_write(lapic_timer_event, hook);
}

static void test_lapic_periodic(struct ktest *t)
{
	if (!lapic_present)
		KTEST_SKIP(t, "no local APIC");
	fired = 0, fire_limit = 5;
	preempt_disable();                      /* stay on this CPU's timer */
	borrow_local_timer(note_fire);
	u64 start = rdtsc();
	lapic_timer_periodic(lapic_timer_hz / 1000);
	bool ok = wait_fired(5, 1000000000);
	lapic_timer_stop();
	unsigned long count = fired;
	ndelay(3000000);
	give_tick_back(NULL);
	preempt_enable();
	ASSERT_TRUE(t, ok);
	EXPECT_GE(t, fired_tsc - start, not_before(5000000));
	EXPECT_EQ(t, fired, count);
}

static void test_tsc_deadline(struct ktest *t)
{
	if (!lapic_present)
		KTEST_SKIP(t, "no local APIC");
	if (!tsc_deadline_present)
		KTEST_SKIP(t, "no TSC-deadline timer: CPUID.1:ECX[24] is clear "
			   "(QEMU 7.2's TCG has none)");
	fired = 0, fire_limit = 1;
	preempt_disable();
	borrow_local_timer(note_fire);
	u64 start = rdtsc();
	lapic_timer_deadline(start + tsc_hz / 1000);
	bool ok = wait_fired(1, 1000000000);
	lapic_timer_stop();
	give_tick_back(NULL);
	preempt_enable();
	ASSERT_TRUE(t, ok);
	EXPECT_GE(t, fired_tsc - start, tsc_hz / 1000);
}

static void test_ndelay(struct ktest *t)
{
	if (!hpet_present)
		KTEST_SKIP(t, "no HPET to check the delay against "
			   "(Chapter 13 checks udelay against the PIT)");
	u64 f = local_irq_save();
	u32 h0 = hpet_read();
	ndelay(1000000);
	u32 h1 = hpet_read();
	local_irq_restore(f);
	EXPECT_GE(t, (u64)(u32)(h1 - h0), hpet_hz / 1000 - hpet_hz / 1000000);
}

KTEST_SUITE(clocks,
	KTEST_CASE(test_rtc_seconds),
	KTEST_CASE(test_rtc_date),
	KTEST_CASE(test_rtc_past_2106),
	KTEST_CASE(test_rtc_read_during_update),
	KTEST_CASE(test_calibration_sane),
	KTEST_CASE(test_pit_channel0),
	KTEST_CASE(test_hpet_comparator),
	KTEST_CASE(test_lapic_oneshot_every_cpu),
	KTEST_CASE(test_lapic_periodic),
	KTEST_CASE(test_tsc_deadline),
	KTEST_CASE(test_ndelay));

static void print_error(const char *name, u64 hz, const char *how)
{
	s64 d = (s64)(hz - 1000000000);         /* Hz off; 1,000 Hz is 1 ppm */
	u64 a = d < 0 ? -d : d;
	printk("# bench %s: %s%lu.%03lu ppm (%s; true rate 1 GHz)\n", name,
	       d < 0 ? "-" : "", a / 1000, a % 1000, how);
}

static void bench_clocks(struct ktest *t)
{
	if (!tsc_fast.hz || !tsc_refined.hz || !lapic_timer_hz)
		KTEST_SKIP(t, "the benchmark boot needs the PIT, a reference and a local APIC");
	print_error("tsc_calibration_error_ppm_fast", tsc_fast.hz, "PIT, 20 ms");
	print_error("tsc_calibration_error_ppm_refined", tsc_refined.hz,
		    strcmp(tsc_refined.against, "HPET") ? "PIT, 100 ms" : "HPET, 50 ms");
	print_error("lapic_calibration_error_ppm", lapic_timer_hz, "TSC, 20 ms");
	printk("# bench clocks_calibrated_ms_after_reset: %lu ms\n",
	       clocks_ready_tsc / (tsc_hz / 1000));
}

KTEST_SUITE(bench_clocks,
	KTEST_CASE(bench_clocks));
