/* Tangled from chapters/29-utime.nw by 'make tangle'. Edit the chapter, not this file. */
#include "ktest.h"
#include "kernel.h"
#include "time.h"
#include "timer.h"
#include "task.h"
#include "sched.h"
#include "smp.h"
#include "vdso.h"
#include "syscall.h"
#include "vectors.h"
#include "clocks.h"

_Static_assert(TIMER_ABSTIME_FLAG == TIMER_ABSTIME, "the flag's two names disagree");

static struct task *run_on(const char *name, unsigned long arg, unsigned cpu)
{
	struct cpumask m;

	cpumask_of(&m, cpu);
	struct task *p = start_user_program(name, arg, &m);
	wait_task(p);
	return p;
}

static void test_bad_input(struct ktest *t)
{
	struct task *p = run_on("timebad", 0, smp_processor_id());

	EXPECT_FALSE(t, p->killed);
	EXPECT_EQ(t, p->exit_code, 0);          /* else: the check that failed */
	task_free(p);
}

static void test_clocks_agree(struct ktest *t)
{
	ktime_t before = ktime_get();
	struct task *p = run_on("timeclocks", 0, smp_processor_id());
	ktime_t after = ktime_get();

	ASSERT_EQ(t, p->nr_reports, 7);
	ktest_log(t, "monotonic from the page %ld ns, the kernel's %ld..%ld",
		  p->reports[0], before, after);
	EXPECT_GE(t, p->reports[0], before);
	EXPECT_LE(t, p->reports[0], after);
	for (int i = 1; i < 7; i++) {
		EXPECT_GE(t, p->reports[i], 0);
		EXPECT_LT(t, p->reports[i], NSEC_PER_SEC);      /* a loaded host */
	}
	task_free(p);
}

static void test_sleeps(struct ktest *t)
{
	const long ns = 10 * NSEC_PER_MSEC;
	struct task *p = run_on("timesleep", ns, smp_processor_id());

	EXPECT_FALSE(t, p->killed);
	EXPECT_EQ(t, p->exit_code, 0);
	ASSERT_EQ(t, p->nr_reports, 2);
	ktest_log(t, "nanosleep 10 ms took %ld ns; the absolute one ended %ld ns late",
		  p->reports[0], p->reports[1]);
	EXPECT_GE(t, p->reports[0], ns);        /* never short */
	EXPECT_GE(t, p->reports[1], 0);
	EXPECT_LT(t, p->reports[0], ns + NSEC_PER_SEC);
	EXPECT_LT(t, p->reports[1], NSEC_PER_SEC);
	task_free(p);
}

static void test_sleep_killed(struct ktest *t)
{
	struct cpumask m;

	cpumask_of(&m, smp_processor_id());
	struct task *p = start_user_program("sleepforever", 0, &m);
	for (int i = 0; i < 200 && READ_ONCE(p->state) != TASK_INTERRUPTIBLE; i++)
		msleep(10);                     /* until it is asleep */
	EXPECT_EQ(t, READ_ONCE(p->state), TASK_INTERRUPTIBLE);
	ktime_t t0 = ktime_get();
	EXPECT_EQ(t, task_kill(p->pid), 0);
	wait_task(p);
	ktest_log(t, "killed %ld us after the kill", (ktime_get() - t0) / NSEC_PER_USEC);
	EXPECT_TRUE(t, p->killed_by_request);
	EXPECT_LT(t, ktime_get() - t0, NSEC_PER_SEC);  /* not the 2^62 s */
	task_free(p);
}

static void test_page_read_only(struct ktest *t)
{
	struct task *p = run_on("timewrite", 0, smp_processor_id());

	EXPECT_TRUE(t, p->killed);
	EXPECT_EQ(t, p->vector, X86_TRAP_PF);
	EXPECT_EQ(t, p->fault_addr, USER_VVAR);
	task_free(p);
}

#define READS   1000000UL

static void test_page_all_cpus(struct ktest *t)
{
	struct task *p[8];
	unsigned n = 0;
	unsigned long calls = READ_ONCE(clock_gettime_syscalls);

	if (clocksource_current() && !clocksource_current()->user_readable)
		KTEST_SKIP(t, "the clock source cannot be read by programs");
	for (unsigned cpu = 0; cpu < nr_cpu_ids && n < 8; cpu++) {
		if (!cpu_online(cpu))
			continue;
		struct cpumask m;
		cpumask_of(&m, cpu);
		p[n++] = start_user_program("timeread", READS, &m);
	}
	unsigned long backwards = 0, disagree = 0, reads = 0;
	for (unsigned i = 0; i < n; i++) {
		wait_task(p[i]);
		EXPECT_FALSE(t, p[i]->killed);
		EXPECT_EQ(t, p[i]->nr_reports, 3);
		backwards += p[i]->reports[0];
		disagree += p[i]->reports[1];
		reads += p[i]->reports[2];
		task_free(p[i]);
	}
	calls = READ_ONCE(clock_gettime_syscalls) - calls;
	ktest_log(t, "%lu readings on %u CPUs: %lu backwards, %lu disagreements, "
		  "%lu system calls", reads, n, backwards, disagree, calls);
	EXPECT_EQ(t, reads, n * READS);
	EXPECT_EQ(t, backwards, 0);
	EXPECT_EQ(t, disagree, 0);
	if (!clocksource_current()->user_readable)
		KTEST_SKIP(t, "the clock-source watchdog demoted the TSC meanwhile: "
			   "the readers fell back to the system call");
	EXPECT_LE(t, calls, n * (READS / 1024) + 16);
}

static void test_page_migrating(struct ktest *t)
{
	if (nr_cpus_online < 2)
		KTEST_SKIP(t, "one CPU: nowhere to move");
	struct cpumask m, seen;
	unsigned cpu = smp_processor_id(), moves = 0, cpus_seen = 0;
	cpumask_clear_all(&seen);
	cpumask_of(&m, cpu);
	struct task *p = start_user_program("timeread", 5 * READS, &m);
	while (!completion_done(&p->exited)) {
		unsigned on = READ_ONCE(p->cpu);
		if (on < nr_cpu_ids && !cpumask_test(&seen, on))
			cpumask_set(&seen, on), cpus_seen++;
		do
			cpu = (cpu + 1) % nr_cpu_ids;
		while (!cpu_online(cpu));
		cpumask_of(&m, cpu);
		set_cpus_allowed(p, &m);
		moves++;
		msleep(2);
	}
	wait_task(p);
	ASSERT_EQ(t, p->nr_reports, 3);
	ktest_log(t, "%ld readings on %u CPUs, %u moves asked: %ld backwards, "
		  "%ld disagreements", p->reports[2], cpus_seen, moves,
		  p->reports[0], p->reports[1]);
	EXPECT_EQ(t, p->reports[0], 0);
	EXPECT_EQ(t, p->reports[1], 0);
	EXPECT_GE(t, cpus_seen, 2);
	task_free(p);
}

static u64 read_unreadable(struct clocksource *cs) { (void)cs; return rdtsc(); }

static void test_page_fallback(struct ktest *t)
{
	static struct clocksource cs = { .name = "tsc-kernel-only",
					 .read = read_unreadable, .mask = ~0UL,
					 .rating = 500 };
	const unsigned long n = 20000;

	clocksource_register_hz(&cs, tsc_hz);
	unsigned long calls = READ_ONCE(clock_gettime_syscalls);
	struct task *p = run_on("timeread", n, smp_processor_id());
	calls = READ_ONCE(clock_gettime_syscalls) - calls;
	clocksource_unregister(&cs);
	ASSERT_EQ(t, p->nr_reports, 3);
	ktest_log(t, "%lu readings through the system call, %ld backwards",
		  calls, p->reports[0]);
	EXPECT_EQ(t, p->reports[0], 0);
	EXPECT_EQ(t, p->reports[1], 0);
	EXPECT_GE(t, calls, n);
	task_free(p);
}

static void test_page_lagging_tsc(struct ktest *t)
{
	if (clocksource_current() && !clocksource_current()->user_readable)
		KTEST_SKIP(t, "the clock source cannot be read by programs");
	ktime_t base = vdso_test_lag(10 * tsc_hz);
	struct task *p = run_on("timepeek", 1000, smp_processor_id());
	vdso_test_done();
	ASSERT_EQ(t, p->nr_reports, 3);
	ktest_log(t, "page base %ld ns: readings %ld..%ld ns", base, p->reports[1],
		  p->reports[2]);
	EXPECT_EQ(t, p->reports[0], base);
	EXPECT_EQ(t, p->reports[1], base);
	EXPECT_LT(t, p->reports[2] - base, NSEC_PER_SEC);
	task_free(p);
}

KTEST_SUITE(utime,
	KTEST_CASE(test_bad_input),
	KTEST_CASE(test_clocks_agree),
	KTEST_CASE(test_sleeps),
	KTEST_CASE(test_sleep_killed),
	KTEST_CASE(test_page_read_only),
	KTEST_CASE(test_page_all_cpus),
	KTEST_CASE(test_page_migrating),
	KTEST_CASE(test_page_fallback),
	KTEST_CASE(test_page_lagging_tsc));

static void bench_utime(struct ktest *t)
{
	struct task *p = run_on("clockbench", 0, smp_processor_id());

	ASSERT_EQ(t, p->nr_reports, 2);
	printk("# bench clock_gettime_user: %ld instructions/op\n", p->reports[0] / 1000);
	printk("# bench clock_gettime_syscall: %ld instructions/op\n", p->reports[1] / 1000);
	task_free(p);
	p = run_on("sleepbench", 0, smp_processor_id());
	ASSERT_EQ(t, p->nr_reports, 2);
	EXPECT_EQ(t, p->exit_code, 0);
	printk("# bench nanosleep_1ms_late_avg_ns: %ld ns\n", p->reports[0] / 200);
	printk("# bench nanosleep_1ms_late_max_ns: %ld ns\n", p->reports[1]);
	task_free(p);
}

KTEST_SUITE(bench_utime,
	KTEST_CASE(bench_utime));
