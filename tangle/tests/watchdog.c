/* Tangled from chapters/30-watchdog.nw by 'make tangle'. Edit the chapter, not this file. */
#include "ktest.h"
#include "kernel.h"
#include "timer.h"
#include "time.h"
#include "sched.h"
#include "smp.h"
#include "apic.h"
#include "clocks.h"

static int stuck_fn(void *data)
{
	bool irqs_off = data != NULL;
	u64 end = rdtsc() + 2 * tsc_hz, f = 0;

	if (irqs_off)
		f = local_irq_save();
	else
		preempt_disable();
	while (rdtsc() < end)                   /* no call: the NMI lands here */
		pause();
	if (irqs_off)
		local_irq_restore(f);
	else
		preempt_enable();
	return 0;
}

static unsigned last_cpu(void)
{
	unsigned cpu = nr_cpu_ids - 1;

	while (cpu > 0 && !cpu_online(cpu))
		cpu--;
	return cpu;
}

static unsigned run_stuck(unsigned cpu, bool irqs_off)
{
	struct task *k = kthread_create(stuck_fn, irqs_off ? (void *)1 : NULL, "stuck");
	unsigned naps = 0;

	if (!k)
		return 0;
	kthread_bind(k, cpu);
	wake_up_new_task(k);
	while (!completion_done(&k->exited)) {
		msleep(10);
		naps++;
	}
	kthread_stop(k);
	return naps;
}

static void test_soft_lockup(struct ktest *t)
{
	unsigned long old = watchdog_get_thresh();

	if (!old)
		KTEST_SKIP(t, "the watchdog is off (nowatchdog or watchdog_thresh=0)");
	unsigned cpu = last_cpu();
	unsigned long soft = per_cpu(softlockup_count, cpu);
	unsigned long hard = per_cpu(hardlockup_count, cpu);
	watchdog_set_thresh(500);
	unsigned naps = run_stuck(cpu, false);
	watchdog_set_thresh(old);
	ktest_log(t, "CPU %u stuck 2 s with preemption off: %lu soft, %lu hard reports; "
		  "%u naps elsewhere", cpu, per_cpu(softlockup_count, cpu) - soft,
		  per_cpu(hardlockup_count, cpu) - hard, naps);
	EXPECT_EQ(t, per_cpu(softlockup_count, cpu) - soft, 1);
	EXPECT_EQ(t, per_cpu(hardlockup_count, cpu) - hard, 0);
}

static void test_hard_lockup(struct ktest *t)
{
	unsigned long old = watchdog_get_thresh();

	if (!old)
		KTEST_SKIP(t, "the watchdog is off (nowatchdog or watchdog_thresh=0)");
	if (nr_cpus_online < 2)
		KTEST_SKIP(t, "one CPU: no buddy to see a hard lockup");
	if (!lapic_present)
		KTEST_SKIP(t, "no local APIC: no NMI to send");
	unsigned cpu = last_cpu();
	if (cpu == smp_processor_id())
		KTEST_SKIP(t, "the test runs on the last CPU");
	unsigned long hard = per_cpu(hardlockup_count, cpu);
	unsigned long nmis = per_cpu(nmi_backtrace_count, cpu);
	watchdog_set_thresh(500);
	unsigned naps = run_stuck(cpu, true);
	watchdog_set_thresh(old);
	ktest_log(t, "CPU %u stuck 2 s with interrupts off: %lu hard reports, %lu NMI "
		  "backtraces; %u naps elsewhere", cpu, per_cpu(hardlockup_count, cpu) - hard,
		  per_cpu(nmi_backtrace_count, cpu) - nmis, naps);
	EXPECT_EQ(t, per_cpu(hardlockup_count, cpu) - hard, 1);
	EXPECT_EQ(t, per_cpu(nmi_backtrace_count, cpu) - nmis, 1);
	EXPECT_GE(t, naps, 20);
}

static unsigned long all_reports(void)
{
	unsigned long n = 0;

	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu))
			n += per_cpu(softlockup_count, cpu) + per_cpu(hardlockup_count, cpu);
	return n;
}

static void test_quiet_when_well(struct ktest *t)
{
	unsigned long old = watchdog_get_thresh();

	if (!old)
		KTEST_SKIP(t, "the watchdog is off (nowatchdog or watchdog_thresh=0)");
	if (nr_cpus_online > 16)
		KTEST_SKIP(t, "more virtual CPUs than a small host runs without "
			   "starving some for longer than the short threshold");
	unsigned long before = all_reports();
	watchdog_set_thresh(500);
	msleep(1500);
	watchdog_set_thresh(old);
	EXPECT_EQ(t, all_reports() - before, 0);
}

KTEST_SUITE(watchdog,
	KTEST_CASE(test_quiet_when_well),
	KTEST_CASE(test_soft_lockup),
	KTEST_CASE(test_hard_lockup));

static void ktest_hardlockup(void)
{
	unsigned cpu = last_cpu();

	if (cpu == smp_processor_id() || !lapic_present)
		panic("hardlockup: needs two CPUs and a local APIC");
	watchdog_set_thresh(500);
	struct task *k = kthread_create(stuck_fn, (void *)1, "stuck");
	kthread_bind(k, cpu);
	wake_up_new_task(k);
	msleep(10000);
	panic("hardlockup: the watchdog did not see the lockup");
}

KTEST_CRASH(hardlockup, ktest_hardlockup,
	"Watchdog detected hard LOCKUP on cpu 1",
	"NMI backtrace for cpu 1",
	"stuck_fn+",
	"Kernel panic - not syncing: Hard LOCKUP");

static void bench_watchdog(struct ktest *t)
{
	unsigned long old = watchdog_get_thresh(), runs0, runs1;
	u64 cost0, cost1;

	if (!old)
		KTEST_SKIP(t, "the watchdog is off");
	unsigned cpu = smp_processor_id();
	watchdog_set_thresh(100);
	watchdog_cost(cpu, &runs0, &cost0);
	msleep(1000);
	watchdog_cost(cpu, &runs1, &cost1);
	watchdog_set_thresh(old);
	ASSERT_GT(t, runs1 - runs0, 10);
	printk("# bench watchdog_timer_run: %lu instructions/op (%lu runs)\n",
	       (unsigned long)((cost1 - cost0) / (runs1 - runs0)), runs1 - runs0);
}

KTEST_SUITE(bench_watchdog,
	KTEST_CASE(bench_watchdog));
