/* Tangled from chapters/90-harness.nw by 'make tangle'. Edit the chapter, not this file. */
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
	u64 frames;                     /* frames_free_count() */
	struct kmalloc_stats k;
};

static void mem_count(struct mem_count *m)
{
	kmalloc_get_stats(&m->k);
	m->frames = frames_free_count();
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

static void expect_no_leak(struct ktest *t, const struct mem_count *before,
			   const struct mem_count *after)
{
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

static unsigned long fuzz_run(struct ktest *t, unsigned long each, u32 seed)
{
	unsigned long calls = 0;

	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct cpumask m;
		if (!cpu_online(cpu))
			continue;
		cpumask_of(&m, cpu);
		fuzzers[cpu] = start_user_program("fuzz",
						  each | (u64)(u32)(seed + cpu) << 32, &m);
	}
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct task *p = fuzzers[cpu];
		if (!cpu_online(cpu))
			continue;
		wait_task(p);
		fuzz_explain(t, p);
		EXPECT_FALSE(t, p->killed);
		EXPECT_EQ(t, p->exit_code, (long)each);
		EXPECT_EQ(t, p->syscalls, each + 1);
		calls += p->exit_code > 0 ? p->exit_code : 0;
		task_free(p);
	}
	return calls;
}

static void test_fuzz(struct ktest *t)
{
	bool soak = cmdline_get("ktest.soak");
	unsigned long each = cmdline_number("fuzz.calls",
			soak ? (1000000 + nr_cpus_online - 1) / nr_cpus_online : 20000);
	u32 seed = cmdline_number("fuzz.seed", (u32)rdtsc());
	struct mem_count before, after;

	ktest_log(t, "seed %u (fuzz.seed=%u repeats it)", seed, seed);
	fuzz_run(t, 1000, seed ^ 0x5eed);               /* the warm-up */
	mem_count(&before);
	u64 start = rdtsc();
	unsigned long calls = fuzz_run(t, each, seed);
	unsigned long ms = (rdtsc() - start) / tsc_khz;
	mem_settles(&before, &after);
	ktest_log(t, "%lu calls on %u CPUs in %lu ms (%lu calls/s), free frames %lu "
		  "before, %lu after; kmalloc live %lu before, %lu after", calls,
		  nr_cpus_online, ms, calls * 1000 / (ms ? ms : 1), before.frames,
		  after.frames, kmalloc_live_total(&before.k),
		  kmalloc_live_total(&after.k));
	expect_no_leak(t, &before, &after);
}

KTEST_SUITE(fuzz, KTEST_CASE(test_fuzz));
