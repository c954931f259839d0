/* Tangled from chapters/21-ipi.nw chapters/90-harness.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "mm.h"
#include "task.h"
#include "sched.h"
#include "smp.h"
#include "apic.h"
#include "irq.h"
#include "time.h"
#include "timer.h"
#include "softirq.h"
#include "workqueue.h"
#include "ktest.h"

struct mem_count {
	u64 free;                       /* frames_free_count() */
	u64 frames;                     /* and those the caches hold */
	unsigned long stacks;           /* stacks_made */
	struct kmalloc_stats k;
};

static void mem_count(struct mem_count *m)
{
	kmalloc_get_stats(&m->k);
	m->stacks = READ_ONCE(stacks_made);
	m->free = frames_free_count();
	m->frames = m->free + m->k.carved_frames + m->stacks * (THREAD_SIZE / PAGE_SIZE);
}

static bool mem_same(const struct mem_count *a, const struct mem_count *b)
{
	return a->frames == b->frames &&
	       memcmp(a->k.live, b->k.live, sizeof(a->k.live)) == 0;
}

static bool mem_settles(const struct mem_count *before, struct mem_count *after)
{
	for (int i = 0; i < 100; i++) {
		mem_count(after);
		if (mem_same(before, after))
			return true;
		msleep(10);
	}
	return false;
}

static void reap(struct task *p)
{
	while (__atomic_load_n(&p->refs, __ATOMIC_ACQUIRE) > 1)
		msleep(1);
}

static unsigned soak_cpus(struct ktest *t, const char *key)
{
	unsigned most = cmdline_get("ktest.soak") ? nr_cpus_online : 8;
	unsigned n = MIN(cmdline_number(key, most), (unsigned long)nr_cpus_online);

	if (n < nr_cpus_online)
		ktest_log(t, "%u of the %u CPUs take part (%s)", n, nr_cpus_online, key);
	return n;
}

static void expect_no_leak(struct ktest *t, const struct mem_count *before,
			   const struct mem_count *after)
{
	if (after->k.carved_frames != before->k.carved_frames ||
	    after->stacks != before->stacks)
		ktest_log(t, "the caches grew meanwhile: kmalloc carved %lu frames, "
			  "%lu stacks were made", after->k.carved_frames -
			  before->k.carved_frames, after->stacks - before->stacks);
	EXPECT_EQ(t, after->frames, before->frames);
	for (int c = 0; c <= KMALLOC_CLASSES; c++)
		if (after->k.live[c] != before->k.live[c])
			ktest_log(t, "kmalloc class %d (%s): %lu live before, %lu after",
				  c, c < KMALLOC_CLASSES ? "small" : "large",
				  before->k.live[c], after->k.live[c]);
	EXPECT_EQ(t, kmalloc_live_total(&after->k), kmalloc_live_total(&before->k));
}

static const char *const fuzz_kinds[] = {
	[1] = "a number outside the table was not answered -ENOSYS",
	[2] = "an answer in the error range that is no error of this kernel",
	[3] = "a console write of an unreadable buffer did not fail",
	[4] = "uname's answer disagrees with its buffer's class",
};

static void fuzz_explain(struct ktest *t, const struct task *p)
{
	long kind = -p->exit_code;

	if (p->nr_reports < 6 || kind < 1 || kind >= (long)ARRAY_SIZE(fuzz_kinds))
		return;
	ktest_log(t, "%s[%d]: %s: number %#lx answered %ld; arguments %#lx %#lx %#lx",
		  p->name, p->pid, fuzz_kinds[kind], p->reports[1], p->reports[2],
		  p->reports[3], p->reports[4], p->reports[5]);
}

static struct task *fuzzers[NR_CPUS];

static unsigned long fuzz_run(struct ktest *t, unsigned n, unsigned long each,
			      u32 seed)
{
	unsigned long calls = 0;

	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct cpumask m;
		fuzzers[cpu] = NULL;
		if (!cpu_online(cpu) || n == 0)
			continue;
		n--;
		cpumask_of(&m, cpu);
		fuzzers[cpu] = start_user_program("fuzz",
						  each | (u64)(u32)(seed + cpu) << 32, &m);
	}
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct task *p = fuzzers[cpu];
		if (!p)
			continue;
		wait_task(p);
		fuzz_explain(t, p);
		EXPECT_FALSE(t, p->killed);
		EXPECT_EQ(t, p->exit_code, (long)each);
		EXPECT_EQ(t, p->syscalls, each + 1);
		calls += p->exit_code > 0 ? p->exit_code : 0;
		reap(p);
		task_free(p);
	}
	return calls;
}

#define FUZZ_FRAMES 32

static unsigned fuzzers_memory_allows(struct ktest *t, unsigned cpus)
{
	unsigned n = MIN((u64)cpus, frames_free_count() / FUZZ_FRAMES);

	if (n < cpus)
		ktest_log(t, "free memory for %u fuzzers only: %u CPUs left out", n,
			  cpus - n);
	return n;
}

static void test_fuzz(struct ktest *t)
{
	bool soak = cmdline_get("ktest.soak");
	unsigned long each;
	u32 seed = cmdline_number("fuzz.seed", (u32)rdtsc());
	struct mem_count before, after;
	unsigned n = fuzzers_memory_allows(t, soak_cpus(t, "fuzz.cpus"));

	if (!n)
		KTEST_SKIP(t, "not enough free memory for one fuzzer");
	each = cmdline_number("fuzz.calls", soak ? (1000000 + n - 1) / n : 20000);
	ktest_log(t, "seed %u (fuzz.seed=%u repeats it)", seed, seed);
	fuzz_run(t, n, 1000, seed ^ 0x5eed);            /* the warm-up */
	mem_count(&before);
	u64 start = rdtsc();
	unsigned long calls = fuzz_run(t, n, each, seed);
	unsigned long ms = (rdtsc() - start) / tsc_khz;
	mem_settles(&before, &after);
	ktest_log(t, "%lu calls on %u CPUs in %lu ms (%lu calls/s), free frames %lu "
		  "before, %lu after; kmalloc live %lu before, %lu after", calls,
		  n, ms, calls * 1000 / (ms ? ms : 1), before.free,
		  after.free, kmalloc_live_total(&before.k),
		  kmalloc_live_total(&after.k));
	expect_no_leak(t, &before, &after);
}

KTEST_SUITE(fuzz, KTEST_CASE(test_fuzz));

#define STORM_TIMERS 4
#define STORM_WORKS  8
#define STORM_FLOOD  65536              /* bytes the harness is asked for */

struct storm_cpu {
	struct timer_list timer[STORM_TIMERS];
	struct hrtimer hrtimer[STORM_TIMERS];
	struct tasklet tasklet, hi_tasklet;
	struct work_struct work[STORM_WORKS];
	struct task *thread, *spinner;
	unsigned long sent, ran;                /* cross-CPU calls to it, on it */
};

static struct {
	struct storm_cpu *cpu;
	u64 deadline;                           /* TSC */
	volatile bool go;
	unsigned long calls_wrong, calls_failed, many;
	unsigned long timers_armed, timers_deleted, timers_ran;
	unsigned long hrtimers_started, hrtimers_cancelled, hrtimers_ran;
	unsigned long tasklets_queued, tasklets_ran, work_queued, work_ran;
	unsigned long rounds;
} storm;

static void count(unsigned long *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static void storm_call_fn(void *info)
{
	unsigned me = smp_processor_id();
	struct storm_cpu *sc = &storm.cpu[me];

	if ((long)info != -1 && (unsigned long)info != me)
		count(&storm.calls_wrong);
	count(&sc->ran);
	if (tasklet_schedule(&sc->tasklet))
		count(&storm.tasklets_queued);
}

static void storm_tasklet_fn(struct tasklet *t)
{
	(void)t;
	count(&storm.tasklets_ran);
}

static void storm_work_fn(struct work_struct *w)
{
	(void)w;
	count(&storm.work_ran);
}

static void storm_timer_fn(struct timer_list *t)
{
	unsigned me = smp_processor_id();

	(void)t;
	count(&storm.timers_ran);
	if (queue_work_on(me, system_wq, &storm.cpu[me].work[0]))
		count(&storm.work_queued);
}

static enum hrtimer_restart storm_hrtimer_fn(struct hrtimer *h)
{
	(void)h;
	count(&storm.hrtimers_ran);
	if (tasklet_hi_schedule(&storm.cpu[smp_processor_id()].hi_tasklet))
		count(&storm.tasklets_queued);
	return HRTIMER_NORESTART;
}

static void storm_call(u64 x)
{
	unsigned cpu = (x >> 8) % nr_cpu_ids;
	bool wait = (x >> 16) & 1;

	if (!cpu_online(cpu))
		return;
	if (smp_call_function_single(cpu, storm_call_fn, (void *)(unsigned long)cpu, wait))
		count(&storm.calls_failed);
	else
		count(&storm.cpu[cpu].sent);
}

static void storm_call_many(u64 x)
{
	struct cpumask m;
	unsigned me = smp_processor_id();

	cpumask_clear_all(&m);
	for (unsigned cpu = 0; cpu < nr_cpu_ids && cpu < 32; cpu++)
		if (cpu != me && cpu_online(cpu) && ((x >> (24 + cpu)) & 1))
			cpumask_set(&m, cpu);
	if (smp_call_function_many(&m, storm_call_fn, (void *)-1L, (x >> 17) & 1)) {
		count(&storm.calls_failed);
		return;
	}
	count(&storm.many);
	for (unsigned cpu = 0; cpu < nr_cpu_ids && cpu < 32; cpu++)
		if (cpumask_test(&m, cpu))
			count(&storm.cpu[cpu].sent);
}

static void storm_timer(struct storm_cpu *sc, u64 x)
{
	struct timer_list *t = &sc->timer[(x >> 8) % STORM_TIMERS];

	if ((x >> 12) & 7) {
		if (!mod_timer(t, jiffies + ((x >> 15) & 3)))
			count(&storm.timers_armed);
	} else if (del_timer(t)) {
		count(&storm.timers_deleted);
	}
}

static void storm_hrtimer(struct storm_cpu *sc, u64 x)
{
	unsigned i = (x >> 8) % STORM_TIMERS;
	struct hrtimer *h = &sc->hrtimer[i];

	if (hrtimer_try_to_cancel(h) == 1)
		count(&storm.hrtimers_cancelled);
	if ((x >> 12) & 3) {
		hrtimer_start(h, 1000 + (x >> 14) % 200000,
			      HRTIMER_MODE_REL | (i & 1 ? HRTIMER_MODE_SOFT : 0));
		count(&storm.hrtimers_started);
	}
}

static int storm_thread(void *arg)
{
	struct storm_cpu *sc = arg;
	u64 x = 0x9e3779b97f4a7c15ULL * (smp_processor_id() + 1);
	unsigned long rounds = 0;

	for (unsigned i = 0; i < STORM_TIMERS; i++) {
		timer_setup(&sc->timer[i], storm_timer_fn, 0);
		hrtimer_init(&sc->hrtimer[i], CLOCK_MONOTONIC,
			     i & 1 ? HRTIMER_MODE_SOFT : 0);
		sc->hrtimer[i].function = storm_hrtimer_fn;
	}
	while (!READ_ONCE(storm.go))
		yield();
	storm_call_many(x);
	if (queue_work_on(smp_processor_id(), system_wq, &sc->work[0]))
		count(&storm.work_queued);
	flush_work(&sc->work[0]);
	for (; rdtsc() < storm.deadline; rounds++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		switch (x % 16) {
		case 0 ... 5:
			storm_call(x);
			break;
		case 6:
			storm_call_many(x);
			break;
		case 7 ... 9:
			storm_timer(sc, x);
			break;
		case 10 ... 12:
			storm_hrtimer(sc, x);
			break;
		case 13:
			if (tasklet_hi_schedule(&sc->hi_tasklet))
				count(&storm.tasklets_queued);
			break;
		default: {
			unsigned cpu = (x >> 8) % nr_cpu_ids, on = (x >> 24) % nr_cpu_ids;
			struct work_struct *w = &storm.cpu[cpu].work[(x >> 20) % STORM_WORKS];
			if (storm.cpu[cpu].thread && storm.cpu[on].thread &&
			    queue_work_on(on, system_wq, w))
				count(&storm.work_queued);
		}
		}
	}
	for (unsigned i = 0; i < STORM_TIMERS; i++) {
		if (del_timer_sync(&sc->timer[i]))
			count(&storm.timers_deleted);
		if (hrtimer_cancel(&sc->hrtimer[i]) == 1)
			count(&storm.hrtimers_cancelled);
	}
	__atomic_fetch_add(&storm.rounds, rounds, __ATOMIC_RELAXED);
	return 0;
}

static void storm_start(unsigned n, unsigned long ms, bool spinners)
{
	memset(&storm, 0, sizeof(storm));
	storm.cpu = kzalloc(nr_cpu_ids * sizeof(*storm.cpu));
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct storm_cpu *sc = &storm.cpu[cpu];
		struct cpumask m;
		if (!cpu_online(cpu))
			continue;
		tasklet_setup(&sc->tasklet, storm_tasklet_fn, "storm");
		tasklet_setup(&sc->hi_tasklet, storm_tasklet_fn, "storm-hi");
		for (unsigned i = 0; i < STORM_WORKS; i++)
			INIT_WORK(&sc->work[i], storm_work_fn);
		if (n == 0)
			continue;                       /* a CPU the storm only calls */
		n--;
		sc->thread = kthread_create(storm_thread, sc, "storm");
		kthread_bind(sc->thread, cpu);
		wake_up_new_task(sc->thread);
		cpumask_of(&m, cpu);
		if (spinners && frames_free_count() >= FUZZ_FRAMES)
			sc->spinner = start_user_program("spin", 0, &m);
	}
	WRITE_ONCE(storm.deadline, rdtsc() + ms * tsc_khz);
	WRITE_ONCE(storm.go, true);
}

static unsigned storm_stop(struct ktest *t, unsigned long *switches)
{
	unsigned spinners = 0;

	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (storm.cpu[cpu].thread) {
			wait_task(storm.cpu[cpu].thread);
			reap(storm.cpu[cpu].thread);
			EXPECT_EQ(t, kthread_stop(storm.cpu[cpu].thread), 0);
		}
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct task *p = storm.cpu[cpu].spinner;
		if (!p)
			continue;
		EXPECT_EQ(t, task_kill(p->pid), 0);
		wait_task(p);
		EXPECT_TRUE(t, p->killed_by_request);
		*switches += p->nr_switches;
		spinners++;
		reap(p);
		task_free(p);
	}
	for (u64 start = rdtsc(); rdtsc() - start < 1000 * tsc_khz; ) {
		bool done = true;
		for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
			done &= READ_ONCE(storm.cpu[cpu].ran) == READ_ONCE(storm.cpu[cpu].sent);
		if (done)
			break;
		msleep(1);
	}
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		if (cpu_online(cpu)) {
			tasklet_kill(&storm.cpu[cpu].tasklet);
			tasklet_kill(&storm.cpu[cpu].hi_tasklet);
			for (unsigned i = 0; i < STORM_WORKS; i++)
				flush_work(&storm.cpu[cpu].work[i]);
		}
	return spinners;
}

static void storm_check(struct ktest *t)
{
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		EXPECT_EQ(t, storm.cpu[cpu].ran, storm.cpu[cpu].sent);
	EXPECT_EQ(t, storm.calls_wrong, 0);
	EXPECT_EQ(t, storm.calls_failed, 0);
	EXPECT_EQ(t, storm.timers_ran, storm.timers_armed - storm.timers_deleted);
	EXPECT_EQ(t, storm.hrtimers_ran,
		  storm.hrtimers_started - storm.hrtimers_cancelled);
	EXPECT_EQ(t, storm.tasklets_ran, storm.tasklets_queued);
	EXPECT_EQ(t, storm.work_ran, storm.work_queued);
}

static unsigned long watchdog_reports(void)
{
	unsigned long n = 0;

	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		n += per_cpu(softlockup_count, cpu) + per_cpu(hardlockup_count, cpu);
	return n;
}

static unsigned long serial_bytes(void)
{
	return READ_ONCE(rx_ring_received) + READ_ONCE(rx_ring_overruns);
}

static unsigned long storm_flood_wait(unsigned long base)
{
	for (u64 start = rdtsc(); rdtsc() - start < 10000 * tsc_khz; msleep(10))
		if (serial_bytes() - base >= STORM_FLOOD)
			break;
	msleep(100);
	return serial_bytes() - base;
}

static void test_storm(struct ktest *t)
{
	unsigned long ms = cmdline_number("storm.ms",
					  cmdline_get("ktest.soak") ? 60000 : 2000);
	unsigned long switches = 0, overruns = READ_ONCE(rx_ring_overruns);
	struct mem_count before, after;
	unsigned n = soak_cpus(t, "storm.cpus");

	if (!n)
		KTEST_SKIP(t, "storm.cpus=0");
	storm_start(n, 200, tick_running);              /* the warm-up */
	storm_stop(t, &switches);
	storm_check(t);
	kfree(storm.cpu);
	mem_count(&before);
	unsigned long reports = watchdog_reports(), base = serial_bytes();
	printk("ktest: send %u bytes to the serial console\n", STORM_FLOOD);
	storm_start(n, ms, tick_running);
	unsigned spinners = storm_stop(t, &switches);
	storm_check(t);
	unsigned long got = storm_flood_wait(base);
	overruns = READ_ONCE(rx_ring_overruns) - overruns;
	unsigned long sent = 0;
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		sent += storm.cpu[cpu].sent;
	ktest_log(t, "%lu ms on %u CPUs, %lu rounds: %lu cross-CPU calls sent and run "
		  "(%lu calls to sets), %lu on a wrong CPU, %lu refused", ms, n,
		  storm.rounds, sent, storm.many, storm.calls_wrong, storm.calls_failed);
	ktest_log(t, "timers %lu armed = %lu ran + %lu deleted; hrtimers %lu started = "
		  "%lu ran + %lu cancelled", storm.timers_armed, storm.timers_ran,
		  storm.timers_deleted, storm.hrtimers_started, storm.hrtimers_ran,
		  storm.hrtimers_cancelled);
	ktest_log(t, "tasklets %lu queued, %lu ran; work %lu queued, %lu ran; %u spinning "
		  "programs killed after %lu switches%s", storm.tasklets_queued,
		  storm.tasklets_ran, storm.work_queued, storm.work_ran, spinners, switches,
		  tick_running ? "" : " (no tick: no spinners)");
	kfree(storm.cpu);
	mem_settles(&before, &after);
	ktest_log(t, "serial %u bytes sent, %lu received, %lu lost to overruns; watchdog "
		  "reports %lu before, %lu after; free frames %lu before, %lu after; kmalloc "
		  "live %lu before, %lu after", STORM_FLOOD, got - overruns, overruns, reports,
		  watchdog_reports(), before.free, after.free,
		  kmalloc_live_total(&before.k), kmalloc_live_total(&after.k));
	EXPECT_EQ(t, watchdog_reports(), reports);
	expect_no_leak(t, &before, &after);
	if (!got)
		KTEST_SKIP(t, "nobody sent the serial flood (the storm's other checks ran)");
	EXPECT_EQ(t, got, STORM_FLOOD);
}

KTEST_SUITE(storm, KTEST_CASE(test_storm));
