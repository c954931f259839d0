/* Tangled from chapters/05-locks.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "atomic.h"
#include "spinlock.h"
#include "percpu.h"
#include "smp.h"
#include "ktest.h"
#include "timer.h"

static void test_atomics(struct ktest *t)
{
	atomic_t a = ATOMIC_INIT(5);
	atomic64_t b = ATOMIC_INIT(1L << 40);

	atomic_inc(&a);
	EXPECT_EQ(t, atomic_read(&a), 6);
	EXPECT_EQ(t, atomic_add_return(4, &a), 10);
	EXPECT_EQ(t, atomic_cmpxchg(&a, 10, 20), 10);   /* expected 10: swapped */
	EXPECT_EQ(t, atomic_cmpxchg(&a, 10, 30), 20);   /* found 20: not swapped */
	EXPECT_EQ(t, atomic_read(&a), 20);
	EXPECT_EQ(t, atomic_xchg(&a, 7), 20);
	atomic_dec(&a);
	EXPECT_EQ(t, atomic_read(&a), 6);
	atomic64_add(2, &b);
	EXPECT_EQ(t, atomic64_read(&b), (1L << 40) + 2);
}

static void test_ticket_lock(struct ktest *t)
{
	spinlock_t l = SPINLOCK_INIT;

	EXPECT_FALSE(t, spin_is_locked(&l));
	spin_lock(&l);
	EXPECT_TRUE(t, spin_is_locked(&l));
	EXPECT_EQ(t, l.holder, (s16)smp_processor_id());
	EXPECT_FALSE(t, spin_trylock(&l));
	spin_unlock(&l);
	EXPECT_FALSE(t, spin_is_locked(&l));
	EXPECT_EQ(t, l.holder, -1);
	EXPECT_TRUE(t, spin_trylock(&l));
	spin_unlock(&l);
	l.owner = l.next = 0xffff;
	ticket_lock(&l);
	EXPECT_EQ(t, l.next, 0);
	arch_spin_unlock(&l);
	EXPECT_EQ(t, l.owner, 0);
	EXPECT_FALSE(t, spin_is_locked(&l));
}

struct litmus {
	int x, y, r0, r1;
	unsigned round, done, rounds;
	bool fence;
};

static int store_then_load(int *store, int *load, bool fence)
{
	int r;

	if (fence)
		asm volatile("movl $1, %1\n\tmfence\n\tmovl %2, %0"
			     : "=r"(r), "=m"(*store) : "m"(*load) : "memory");
	else
		asm volatile("movl $1, %1\n\tmovl %2, %0"
			     : "=r"(r), "=m"(*store) : "m"(*load) : "memory");
	return r;
}

static void litmus_partner(void *info)
{
	struct litmus *l = info;

	for (unsigned i = 1; i <= l->rounds; i++) {
		while (__atomic_load_n(&l->round, __ATOMIC_ACQUIRE) != i)
			pause();
		l->r1 = store_then_load(&l->y, &l->x, l->fence);
		__atomic_store_n(&l->done, i, __ATOMIC_RELEASE);
		if ((i & 63) == 0)
			touch_watchdog();       /* a long cross-CPU call */
	}
}

static unsigned run_litmus(unsigned partner, bool fence)
{
	static struct litmus l;
	unsigned both_zero = 0;

	l = (struct litmus){ .rounds = 100000, .fence = fence };
	if (smp_call_function_single(partner, litmus_partner, &l, false))
		return ~0U;
	for (unsigned i = 1; i <= l.rounds; i++) {
		l.x = l.y = 0;
		__atomic_store_n(&l.round, i, __ATOMIC_RELEASE);
		l.r0 = store_then_load(&l.x, &l.y, fence);
		while (__atomic_load_n(&l.done, __ATOMIC_ACQUIRE) != i)
			pause();
		both_zero += l.r0 == 0 && l.r1 == 0;
	}
	return both_zero;
}

static void test_store_buffering(struct ktest *t)
{
	unsigned partner = 0;

	if (nr_cpus_online < 2)
		KTEST_SKIP(t, "one CPU");
	while (partner == smp_processor_id() || !cpu_online(partner))
		partner++;
	unsigned seen = run_litmus(partner, false), fenced = run_litmus(partner, true);
	ASSERT_TRUE(t, seen != ~0U && fenced != ~0U);
	ktest_log(t, "both loads saw 0: %u of 100000 rounds without a fence, "
		  "%u with mfence", seen, fenced);
	EXPECT_EQ(t, fenced, 0);
	if (!seen)
		KTEST_SKIP(t, "the reordering never showed here (one host thread?)");
}

struct lock_torture {
	spinlock_t lock;
	unsigned long counter, each;
	struct cpumask cpus;                    /* who takes part */
	unsigned long taken[NR_CPUS];           /* acquisitions per CPU */
	unsigned long snapshot[NR_CPUS];        /* when the first finished */
	bool snapped;
	unsigned started, finished;
	unsigned n;                             /* how many take part */
	bool fair;                              /* ticket_lock, or unfair_lock */
};

static void torture_lock(void *info)
{
	struct lock_torture *lt = info;
	unsigned me = smp_processor_id();

	__atomic_fetch_add(&lt->started, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&lt->started, __ATOMIC_RELAXED) < lt->n)
		pause();
	for (unsigned long i = 0; i < lt->each; i++) {
		if (lt->fair)
			ticket_lock(&lt->lock);
		else
			unfair_lock(&lt->lock);
		lt->counter++;
		if (++lt->taken[me] == lt->each && !lt->snapped) {
			for (unsigned c = 0; c < nr_cpu_ids; c++)
				if (cpumask_test(&lt->cpus, c))
					lt->snapshot[c] = lt->taken[c];
			lt->snapped = true;
		}
		arch_spin_unlock(&lt->lock);
		touch_watchdog();
	}
	__atomic_fetch_add(&lt->finished, 1, __ATOMIC_RELEASE);
}

static void run_lock_torture(struct ktest *t, bool fair)
{
	static struct lock_torture lt;
	struct cpumask others = { 0 };
	unsigned n = 0;

	if (nr_cpus_online < 2)
		KTEST_SKIP(t, "one CPU");
	bool soak = cmdline_get("ktest.soak");
	unsigned long each = soak && !fair ? 100000 : 20000;
	lt = (struct lock_torture){ .lock = SPINLOCK_INIT, .fair = fair,
				    .each = cmdline_number("locks.each", each) };
	unsigned me = smp_processor_id();
	unsigned long most_cpus = cmdline_number("locks.cpus", soak ? 8 : 2);
	cpumask_set(&lt.cpus, me);
	for (unsigned cpu = 0; cpu < nr_cpu_ids && n + 1 < most_cpus; cpu++)
		if (cpu != me && cpu_online(cpu)) {
			n++;
			cpumask_set(&lt.cpus, cpu);
			cpumask_set(&others, cpu);
		}
	n++;
	lt.n = n;
	ASSERT_EQ(t, smp_call_function_many(&others, torture_lock, &lt, false), 0);
	torture_lock(&lt);
	while (__atomic_load_n(&lt.finished, __ATOMIC_ACQUIRE) < n)
		pause();
	unsigned long most = 0, least = ~0UL;
	for (unsigned c = 0; c < nr_cpu_ids; c++)
		if (cpumask_test(&lt.cpus, c)) {
			EXPECT_EQ(t, lt.taken[c], lt.each);
			most = MAX(most, lt.snapshot[c]);
			least = MIN(least, lt.snapshot[c]);
		}
	EXPECT_EQ(t, lt.counter, lt.each * n);
	ktest_log(t, "%u CPUs, %lu acquisitions; when the first finished, the others "
		  "had %lu to %lu (spread %lu.%02lu)", n, lt.counter, least, most,
		  most / MAX(least, 1UL), most * 100 / MAX(least, 1UL) % 100);
}

static void test_ticket_torture(struct ktest *t) { run_lock_torture(t, true); }
static void test_unfair_torture(struct ktest *t) { run_lock_torture(t, false); }

KTEST_SUITE(locks,
	KTEST_CASE(test_atomics),
	KTEST_CASE(test_ticket_lock),
	KTEST_CASE(test_store_buffering),
	KTEST_CASE(test_ticket_torture),
	KTEST_CASE(test_unfair_torture));

#define LOCK_BENCH_LOOPS 1000

#define TIME_LOOP(what) ({						\
	u64 start__ = rdtsc();						\
	for (int i__ = 0; i__ < LOCK_BENCH_LOOPS; i__++) {		\
		what;							\
		barrier();						\
	}								\
	rdtsc() - start__;						\
})

static void lock_bench(const char *name, u64 ticks, u64 empty)
{
	printk("# bench %s: %lu instructions/op\n", name,
	       (ticks - MIN(ticks, empty)) / LOCK_BENCH_LOOPS);
}

static void bench_locks(struct ktest *t)
{
	static atomic_t a;
	static spinlock_t l = SPINLOCK_INIT;
	u64 empty = TIME_LOOP((void)0);

	lock_bench("atomic_inc", TIME_LOOP(atomic_inc(&a)), empty);
	lock_bench("atomic_cmpxchg", TIME_LOOP(atomic_cmpxchg(&a, 0, 0)), empty);
	lock_bench("smp_mb", TIME_LOOP(smp_mb()), empty);
	lock_bench("mfence", TIME_LOOP(mb()), empty);
	lock_bench("spinlock_uncontended",
		   TIME_LOOP(spin_lock(&l); spin_unlock(&l)), empty);
	lock_bench("ticket_lock_uncontended",
		   TIME_LOOP(ticket_lock(&l); arch_spin_unlock(&l)), empty);
	lock_bench("unfair_lock_uncontended",
		   TIME_LOOP(unfair_lock(&l); arch_spin_unlock(&l)), empty);
	lock_bench("spinlock_irqsave_uncontended",
		   TIME_LOOP(u64 f = spin_lock_irqsave(&l); spin_unlock_irqrestore(&l, f)),
		   empty);
	EXPECT_EQ(t, atomic_read(&a), LOCK_BENCH_LOOPS);
}

KTEST_SUITE(bench_locks,
	KTEST_CASE(bench_locks));
