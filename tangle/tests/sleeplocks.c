/* Tangled from chapters/23-sleeping-locks.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "semaphore.h"
#include "mutex.h"
#include "smp.h"
#include "apic.h"
#include "ktest.h"

static void test_semaphore_rules(struct ktest *t)
{
	struct semaphore s;

	sema_init(&s, 2);
	down(&s);
	EXPECT_EQ(t, down_trylock(&s), 0);
	EXPECT_EQ(t, down_trylock(&s), 1);          /* none left */
	up(&s);
	EXPECT_EQ(t, down_trylock(&s), 0);
	if (tick_running) {
		unsigned long t0 = jiffies;
		EXPECT_EQ(t, down_timeout(&s, 3), -ETIME);
		EXPECT_GE(t, jiffies - t0, 3);
	}
	up(&s);
	up(&s);
	EXPECT_EQ(t, s.count, 2);
}

static int down_interruptibly(void *data)
{
	return down_interruptible(data);
}

static void test_semaphore_interrupted(struct ktest *t)
{
	struct semaphore s;

	sema_init(&s, 0);
	struct task *k = kthread_run(down_interruptibly, &s, "sem-intr");
	ASSERT_TRUE(t, k != NULL);
	while (!(READ_ONCE(k->state) & TASK_INTERRUPTIBLE) || READ_ONCE(k->on_rq))
		yield();
	WRITE_ONCE(k->kill_requested, true);
	EXPECT_TRUE(t, wake_up_state(k, TASK_INTERRUPTIBLE));
	wait_task(k);
	EXPECT_EQ(t, kthread_stop(k), -EINTR);
	EXPECT_TRUE(t, list_empty(&s.wait_list));    /* it left the queue */
}

static void up_in_irq(void *info)
{
	up(info);
}

static void test_up_from_irq(struct ktest *t)
{
	if (!lapic_present)
		KTEST_SKIP(t, "no local APIC: no self-IPI");
	struct semaphore s;
	sema_init(&s, 0);
	struct task *k = kthread_run(down_interruptibly, &s, "sem-irq");
	ASSERT_TRUE(t, k != NULL);
	while (!(READ_ONCE(k->state) & TASK_NORMAL) || READ_ONCE(k->on_rq))
		yield();
	smp_call_self_by_ipi(up_in_irq, &s);
	wait_task(k);
	EXPECT_EQ(t, kthread_stop(k), 0);
	EXPECT_EQ(t, s.count, 0);                       /* handed over, not counted */
}

static int unlock_it(void *data)
{
	mutex_unlock(data);
	return 0;
}

static void test_mutex_rules(struct ktest *t)
{
	struct mutex m;
	int n = atomic_read(&sched_bug_count);

	mutex_init(&m);
	mutex_lock(&m);
	EXPECT_EQ(t, mutex_owner(&m), current);
	EXPECT_FALSE(t, mutex_trylock(&m));
	struct task *k = kthread_run(unlock_it, &m, "not-owner");
	ASSERT_TRUE(t, k != NULL);
	wait_task(k);
	kthread_stop(k);
	EXPECT_EQ(t, atomic_read(&sched_bug_count), n + 1);
	EXPECT_TRUE(t, mutex_is_locked(&m));            /* refused */
	mutex_unlock(&m);
	EXPECT_EQ(t, mutex_owner(&m), NULL);
	EXPECT_EQ(t, atomic_read(&m.count), 1);
	mutex_unlock(&m);                               /* not locked */
	EXPECT_EQ(t, atomic_read(&sched_bug_count), n + 2);
	EXPECT_EQ(t, atomic_read(&m.count), 1);
	if (lock_debug) {
		preempt_disable();
		mutex_lock(&m);                         /* in atomic context */
		mutex_unlock(&m);
		preempt_enable();
	} else
		n--;                                    /* no check, no warning */
	EXPECT_EQ(t, atomic_read(&sched_bug_count), n + 3);
	EXPECT_TRUE(t, mutex_trylock(&m));
	mutex_unlock(&m);
	EXPECT_EQ(t, atomic_read(&sched_bug_count), n + 3);
}

struct torture {
	struct mutex m;
	struct semaphore s;
	bool use_sem;
	unsigned long each, counter;
	atomic_t inside, most_inside, bad_owner;
};

static int hammer(void *data)
{
	struct torture *to = data;

	for (unsigned long i = 0; i < to->each; i++) {
		if (to->use_sem)
			down(&to->s);
		else
			mutex_lock(&to->m);
		int now = atomic_add_return(1, &to->inside);
		int most = atomic_read(&to->most_inside);
		while (now > most && atomic_cmpxchg(&to->most_inside, most, now) != most)
			most = atomic_read(&to->most_inside);
		if (!to->use_sem) {
			if (mutex_owner(&to->m) != current)
				atomic_inc(&to->bad_owner);
			unsigned long c = READ_ONCE(to->counter);
			for (int d = 0; d < 20; d++)
				pause();
			WRITE_ONCE(to->counter, c + 1);
		} else
			for (int d = 0; d < 20; d++)
				pause();
		atomic_add(-1, &to->inside);
		if (to->use_sem)
			up(&to->s);
		else
			mutex_unlock(&to->m);
	}
	return 0;
}

static void run_torture(struct ktest *t, bool use_sem)
{
	bool soak = cmdline_get("ktest.soak");
	unsigned n = MIN(cmdline_number("sleeplocks.threads", soak ? 32 : 8), 64UL);
	static struct torture to;
	static struct task *k[64];

	to = (struct torture){ .use_sem = use_sem,
			       .each = cmdline_number("sleeplocks.each", soak ? 20000 : 2000) };
	mutex_init(&to.m);
	sema_init(&to.s, 3);
	u64 start = rdtsc();
	for (unsigned i = 0; i < n; i++) {
		k[i] = kthread_run(hammer, &to, use_sem ? "sem-torture" : "mutex-torture");
		ASSERT_TRUE(t, k[i] != NULL);
	}
	for (unsigned i = 0; i < n; i++) {
		wait_task(k[i]);
		EXPECT_EQ(t, kthread_stop(k[i]), 0);
	}
	u64 ms = (rdtsc() - start) / tsc_khz;
	if (use_sem) {
		EXPECT_LE(t, atomic_read(&to.most_inside), 3);
		ktest_log(t, "semaphore(3): %u threads x %lu on %u CPUs, at most %d inside, %lu ms",
			  n, to.each, nr_cpus_online, atomic_read(&to.most_inside), (unsigned long)ms);
	} else {
		EXPECT_EQ(t, to.counter, n * to.each);
		EXPECT_EQ(t, atomic_read(&to.bad_owner), 0);
		EXPECT_EQ(t, atomic_read(&to.most_inside), 1);
		ktest_log(t, "mutex: %u threads x %lu on %u CPUs, counter %lu, %lu ms",
			  n, to.each, nr_cpus_online, to.counter, (unsigned long)ms);
	}
	EXPECT_FALSE(t, mutex_is_locked(&to.m));
	EXPECT_EQ(t, to.s.count, 3);
}

static void test_mutex_torture(struct ktest *t)
{
	run_torture(t, false);
}

static void test_semaphore_torture(struct ktest *t)
{
	run_torture(t, true);
}

static struct mutex order_a, order_b;

static void test_lock_order(struct ktest *t)
{
	if (!lock_debug)
		KTEST_SKIP(t, "lock debugging is off (nolockdep)");
	mutex_init(&order_a);
	mutex_init(&order_b);
	unsigned before = lockdep_warnings;
	mutex_lock(&order_a);
	mutex_lock(&order_b);
	mutex_unlock(&order_b);
	mutex_unlock(&order_a);
	EXPECT_EQ(t, lockdep_warnings, before);
	mutex_lock(&order_b);
	mutex_lock(&order_a);                           /* the inversion */
	mutex_unlock(&order_a);
	mutex_unlock(&order_b);
	EXPECT_EQ(t, lockdep_warnings, before + 1);
	mutex_lock(&order_b);
	mutex_lock(&order_a);                           /* reported already */
	mutex_unlock(&order_a);
	mutex_unlock(&order_b);
	EXPECT_EQ(t, lockdep_warnings, before + 1);
	EXPECT_EQ(t, current->nr_held, 0);
}

KTEST_SUITE(sleeplocks,
	KTEST_CASE(test_semaphore_rules),
	KTEST_CASE(test_semaphore_interrupted),
	KTEST_CASE(test_up_from_irq),
	KTEST_CASE(test_mutex_rules),
	KTEST_CASE(test_mutex_torture),
	KTEST_CASE(test_semaphore_torture),
	KTEST_CASE(test_lock_order));

#define LOCK_LOOPS 1000
#define TIME_LOCKS(stmt) ({						\
	u64 s__ = rdtsc();						\
	for (int i__ = 0; i__ < LOCK_LOOPS; i__++) {			\
		stmt;							\
		barrier();						\
	}								\
	rdtsc() - s__;							\
})

static void bench_sleeping_locks(struct ktest *t)
{
	static struct mutex m;
	static struct semaphore s;
	static spinlock_t l = SPINLOCK_INIT;
	u64 empty = TIME_LOCKS((void)0);

	mutex_init(&m);
	sema_init(&s, 1);
	u64 mt = TIME_LOCKS(mutex_lock(&m); mutex_unlock(&m));
	u64 st = TIME_LOCKS(down(&s); up(&s));
	u64 lt = TIME_LOCKS(u64 f = spin_lock_irqsave(&l); spin_unlock_irqrestore(&l, f));
	printk("# bench mutex_uncontended: %lu instructions/op\n",
	       (unsigned long)((mt - empty) / LOCK_LOOPS));
	printk("# bench semaphore_uncontended: %lu instructions/op\n",
	       (unsigned long)((st - empty) / LOCK_LOOPS));
	printk("# bench spinlock_irqsave: %lu instructions/op\n",
	       (unsigned long)((lt - empty) / LOCK_LOOPS));
	EXPECT_FALSE(t, mutex_is_locked(&m));
}

KTEST_SUITE(bench_sleeplocks,
	KTEST_CASE(bench_sleeping_locks));
