/* Tangled from chapters/28-timers.nw by 'make tangle'. Edit the chapter, not this file. */
#include "ktest.h"
#include "timer.h"
#include "sched.h"
#include "smp.h"
#include "mm.h"
#include "workqueue.h"
#include "softirq.h"
#include "irq.h"
#include "clocks.h"

static u64 test_rand = 0x2545f4914f6cdd1dUL;

static u64 rnd(void)
{
	test_rand ^= test_rand << 13;
	test_rand ^= test_rand >> 7;
	test_rand ^= test_rand << 17;
	return test_rand;
}

static void test_wheel_index(struct ktest *t)
{
	unsigned long clk = INITIAL_JIFFIES - 17, be;

	for (int i = 0; i < 100000; i++) {
		unsigned long delta = rnd() % (1UL << (rnd() % 30)), expires = clk + delta;
		unsigned idx = timer_wheel_index(expires, clk, &be);
		unsigned lvl = idx / 64;
		if (!time_after(be, expires) || be - expires > (1UL << (3 * lvl)) ||
		    (lvl && delta < (63UL << (3 * (lvl - 1))))) {
			ktest_log(t, "delta %lu: level %u, bucket expiry %+ld", delta, lvl,
				  (long)(be - expires));
			EXPECT_TRUE(t, false);
			return;
		}
	}
	EXPECT_EQ(t, timer_wheel_index(clk - 5, clk, &be), clk & 63);
	EXPECT_EQ(t, be, clk);
}

struct wrap_timer {
	struct timer_list timer;
	unsigned long added, ran;
	unsigned runs;
};

static unsigned long wheel_now;

static void wrap_fn(struct timer_list *tl)
{
	struct wrap_timer *w = from_timer(w, tl, timer);

	w->ran = wheel_now;
	w->runs++;
}

static void test_wheel_wrap(struct ktest *t)
{
	const unsigned n = 3000;
	unsigned long start = ~0UL - 1000;
	struct timer_base *base = timer_base_create(start);
	struct wrap_timer *w = kzalloc(n * sizeof(*w));

	ASSERT_TRUE(t, base && w);
	for (unsigned i = 0; i < n; i++) {
		timer_setup(&w[i].timer, wrap_fn, 0);
		w[i].added = start;
		w[i].timer.expires = start + rnd() % (i % 3 ? 5000 : 200000);
		timer_base_add(base, &w[i].timer);
	}
	for (wheel_now = start; time_before(wheel_now, start + 230000); ) {
		wheel_now += 1 + rnd() % 50;
		timer_base_run(base, wheel_now);
	}
	unsigned bad = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned long delay = w[i].timer.expires - w[i].added;
		long late = (long)(w[i].ran - w[i].timer.expires);
		if (w[i].runs != 1 || late < 0 || late > (long)(delay / 7 + 1 + 50))
			bad++;
	}
	ktest_log(t, "%u timers across the wrap of jiffies, %u wrong", n, bad);
	EXPECT_EQ(t, bad, 0);
	kfree(w);
	kfree(base);
}

struct many {
	unsigned long early, ran;
};

struct many_timer {
	struct timer_list timer;
	struct many *m;
};

static void many_fn(struct timer_list *tl)
{
	struct many_timer *mt = from_timer(mt, tl, timer);

	if (time_before(jiffies, mt->timer.expires))
		__atomic_fetch_add(&mt->m->early, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&mt->m->ran, 1, __ATOMIC_RELAXED);
}

struct many_share {
	struct many_timer *timers;
	unsigned n;
};

static int add_many(void *data)
{
	struct many_share *sh = data;

	for (unsigned i = 0; i < sh->n; i++) {
		sh->timers[i].timer.expires = jiffies + rnd() % 100;
		add_timer(&sh->timers[i].timer);
	}
	return 0;
}

static void test_timers_everywhere(struct ktest *t)
{
	unsigned total = 100000;
	total = MIN(total, (unsigned)(frames_free_count() * PAGE_SIZE / 4 /
				      sizeof(struct many_timer)));
	static struct many m;
	struct many_share sh[8];
	struct task *k[8];
	unsigned ncpu = 0;

	m = (struct many){ 0 };
	struct many_timer *all = kzalloc(total * sizeof(*all));
	ASSERT_TRUE(t, all != NULL);
	for (unsigned i = 0; i < total; i++) {
		timer_setup(&all[i].timer, many_fn, 0);
		all[i].m = &m;
	}
	unsigned per = total / MIN(nr_cpus_online, 8u);
	for (unsigned cpu = 0, done = 0; cpu < nr_cpu_ids && ncpu < 8 && done < total; cpu++) {
		if (!cpu_online(cpu))
			continue;
		sh[ncpu] = (struct many_share){ all + done, MIN(per, total - done) };
		done += sh[ncpu].n;
		k[ncpu] = kthread_create(add_many, &sh[ncpu], "add-timers");
		ASSERT_TRUE(t, k[ncpu] != NULL);
		kthread_bind(k[ncpu], cpu);
		wake_up_new_task(k[ncpu++]);
	}
	unsigned added = 0;
	for (unsigned i = 0; i < ncpu; i++) {
		wait_task(k[i]);
		kthread_stop(k[i]);
		added += sh[i].n;
	}
	for (int waits = 0; READ_ONCE(m.ran) < added && waits < 100; waits++)
		msleep(100);
	ktest_log(t, "%u timers on %u CPUs: %lu ran, %lu early", added, ncpu, m.ran, m.early);
	EXPECT_EQ(t, m.ran, added);
	EXPECT_EQ(t, m.early, 0);
	if (m.ran == added)
		kfree(all);
}

static unsigned long once_runs, once_at;

static void once_fn(struct timer_list *tl)
{
	(void)tl;
	once_runs++;
	once_at = jiffies;
}

static void test_mod_and_del(struct ktest *t)
{
	static struct timer_list tl;

	once_runs = 0;
	timer_setup(&tl, once_fn, 0);
	tl.expires = jiffies + 2;
	add_timer(&tl);
	unsigned long later = jiffies + 10;
	EXPECT_EQ(t, mod_timer(&tl, later), 1);
	unsigned long adds = timer_double_adds;
	add_timer(&tl);
	EXPECT_EQ(t, timer_double_adds, adds + 1);
	msleep(80);
	EXPECT_EQ(t, once_runs, 1);
	EXPECT_TRUE(t, time_after_eq(once_at, later));
	EXPECT_EQ(t, mod_timer(&tl, jiffies + 1000), 0);
	EXPECT_EQ(t, del_timer(&tl), 1);
	EXPECT_EQ(t, del_timer(&tl), 0);
	EXPECT_FALSE(t, timer_pending(&tl));
}

static volatile bool sync_started, sync_finished, sync_release;

static void hold_until_released(void)
{
	ktime_t end = ktime_get() + 2 * NSEC_PER_SEC;

	WRITE_ONCE(sync_started, true);
	while (!READ_ONCE(sync_release) && ktime_get() < end)
		pause();
	ndelay(5 * NSEC_PER_MSEC);              /* still running after the release */
	WRITE_ONCE(sync_finished, true);
}

static void slow_fn(struct timer_list *tl)
{
	(void)tl;
	hold_until_released();
}

static enum hrtimer_restart slow_hr_fn(struct hrtimer *hr)
{
	(void)hr;
	hold_until_released();
	return HRTIMER_NORESTART;
}

static void start_slow_hr(void *hr)
{
	hrtimer_start(hr, 1 * NSEC_PER_MSEC, HRTIMER_MODE_REL);
}

static bool wait_started(void)
{
	ktime_t end = ktime_get() + 2 * NSEC_PER_SEC;
	while (!READ_ONCE(sync_started) && ktime_get() < end)
		pause();
	return READ_ONCE(sync_started);
}

static void test_sync_cancel(struct ktest *t)
{
	static struct timer_list tl;
	static struct hrtimer hr;

	if (nr_cpus_online < 2)
		KTEST_SKIP(t, "one CPU: the function cannot run elsewhere");
	sync_started = sync_finished = sync_release = false;
	timer_setup(&tl, slow_fn, 0);
	tl.expires = jiffies + 1;
	add_timer_on(&tl, 1);
	ASSERT_TRUE(t, wait_started());
	WRITE_ONCE(sync_release, true);
	del_timer_sync(&tl);
	EXPECT_TRUE(t, sync_finished);

	sync_started = sync_finished = sync_release = false;
	hrtimer_init(&hr, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	hr.function = slow_hr_fn;
	smp_call_function_single(1, start_slow_hr, &hr, true);
	ASSERT_TRUE(t, wait_started());
	EXPECT_EQ(t, hrtimer_try_to_cancel(&hr), -1);
	WRITE_ONCE(sync_release, true);
	hrtimer_cancel(&hr);
	EXPECT_TRUE(t, sync_finished);
}

struct hr_many {
	struct hrtimer hr;
	struct hr_stats *st;
	bool late;                      /* already due when started */
};

struct hr_stats {
	unsigned long ran, early, out_of_order;
	ktime_t last[NR_CPUS][2];
};

static enum hrtimer_restart hr_many_fn(struct hrtimer *hr)
{
	struct hr_many *h = container_of(hr, struct hr_many, hr);
	unsigned cpu = smp_processor_id();

	if (ktime_get() < hr->expires)
		__atomic_fetch_add(&h->st->early, 1, __ATOMIC_RELAXED);
	if (!READ_ONCE(h->late)) {
		if (hr->expires < h->st->last[cpu][hr->soft])
			__atomic_fetch_add(&h->st->out_of_order, 1, __ATOMIC_RELAXED);
		h->st->last[cpu][hr->soft] = hr->expires;
	}
	__atomic_fetch_add(&h->st->ran, 1, __ATOMIC_RELAXED);
	return HRTIMER_NORESTART;
}

struct hr_share {
	struct hr_many *h;
	unsigned n;
};

static int start_hr_many(void *data)
{
	struct hr_share *sh = data;
	ktime_t base = ktime_get() + 200 * NSEC_PER_MSEC;

	for (unsigned i = 0; i < sh->n; i++) {
		hrtimer_init(&sh->h[i].hr, CLOCK_MONOTONIC, i % 2 ? HRTIMER_MODE_SOFT : 0);
		sh->h[i].hr.function = hr_many_fn;
		ktime_t when = base + (ktime_t)(rnd() % (50 * NSEC_PER_MSEC));
		WRITE_ONCE(sh->h[i].late, ktime_get() + NSEC_PER_MSEC >= when);
		hrtimer_start(&sh->h[i].hr, when, HRTIMER_MODE_ABS);
	}
	return 0;
}

static void test_hrtimers_many(struct ktest *t)
{
	unsigned total = 10000;
	total = MIN(total, (unsigned)(frames_free_count() * PAGE_SIZE / 4 /
				      sizeof(struct hr_many)));
	struct hr_stats *st = kzalloc(sizeof(*st));
	struct hr_many *h = kzalloc(total * sizeof(*h));
	struct hr_share sh[8];
	struct task *k[8];
	unsigned ncpu = 0, per = total / MIN(nr_cpus_online, 8u), done = 0;

	ASSERT_TRUE(t, st && h);
	for (unsigned i = 0; i < total; i++)
		h[i].st = st;
	for (unsigned cpu = 0; cpu < nr_cpu_ids && ncpu < 8 && done < total; cpu++) {
		if (!cpu_online(cpu))
			continue;
		sh[ncpu] = (struct hr_share){ h + done, MIN(per, total - done) };
		done += sh[ncpu].n;
		k[ncpu] = kthread_create(start_hr_many, &sh[ncpu], "start-hrtimers");
		ASSERT_TRUE(t, k[ncpu] != NULL);
		kthread_bind(k[ncpu], cpu);
		wake_up_new_task(k[ncpu++]);
	}
	for (unsigned i = 0; i < ncpu; i++) {
		wait_task(k[i]);
		kthread_stop(k[i]);
	}
	for (int waits = 0; READ_ONCE(st->ran) < done && waits < 100; waits++)
		msleep(50);
	ktest_log(t, "%u hrtimers on %u CPUs: %lu ran, %lu early, %lu out of order",
		  done, ncpu, st->ran, st->early, st->out_of_order);
	EXPECT_EQ(t, st->ran, done);
	EXPECT_EQ(t, st->early, 0);
	EXPECT_EQ(t, st->out_of_order, 0);
	if (st->ran == done)
		kfree(h), kfree(st);
}

static volatile unsigned periodic_runs;
static volatile ktime_t periodic_first, periodic_last;
static volatile bool ran_hard, ran_soft;

static enum hrtimer_restart periodic_fn(struct hrtimer *hr)
{
	ktime_t now = ktime_get();

	if (periodic_runs++ == 0)
		periodic_first = hr->expires;       /* when the first was due */
	periodic_last = now;
	ran_hard |= in_hardirq() != 0;
	ran_soft |= in_serving_softirq() && !in_hardirq();  /* an IRQ may nest in a softirq */
	if (periodic_runs >= 20)
		return HRTIMER_NORESTART;
	hrtimer_forward(hr, now, NSEC_PER_MSEC);
	return HRTIMER_RESTART;
}

static void test_hrtimer_periodic(struct ktest *t)
{
	static struct hrtimer hr;

	for (int soft = 0; soft < 2; soft++) {
		periodic_runs = 0, ran_hard = ran_soft = false;
		hrtimer_init(&hr, CLOCK_MONOTONIC, soft ? HRTIMER_MODE_SOFT : 0);
		hr.function = periodic_fn;
		hrtimer_start(&hr, NSEC_PER_MSEC, HRTIMER_MODE_REL);
		for (int waits = 0; periodic_runs < 20 && waits < 100; waits++)
			msleep(10);
		hrtimer_cancel(&hr);
		ktest_log(t, "%s: 20 runs in %ld us", soft ? "soft" : "hard",
			  (periodic_last - periodic_first) / 1000);
		EXPECT_EQ(t, periodic_runs, 20);
		EXPECT_GE(t, periodic_last - periodic_first, 19 * NSEC_PER_MSEC);
		EXPECT_EQ(t, ran_hard, !soft);
		EXPECT_EQ(t, ran_soft, (bool)soft);
	}
	hrtimer_init(&hr, CLOCK_REALTIME, HRTIMER_MODE_ABS);
	hr.function = periodic_fn;
	periodic_runs = 19;
	ktime_t when = ktime_get_real() + 5 * NSEC_PER_MSEC;
	hrtimer_start(&hr, when, HRTIMER_MODE_ABS);
	msleep(30);
	EXPECT_EQ(t, periodic_runs, 20);
	EXPECT_GE(t, ktime_get_real(), when);
}

static volatile unsigned long dw_ran_at;

static void dw_fn(struct work_struct *w)
{
	(void)w;
	dw_ran_at = jiffies;
}

static void test_delayed_work_and_sleeps(struct ktest *t)
{
	static struct delayed_work dw;

	dw_ran_at = 0;
	INIT_DELAYED_WORK(&dw, dw_fn);
	unsigned long at = jiffies;
	EXPECT_TRUE(t, schedule_delayed_work(&dw, 5));
	EXPECT_FALSE(t, schedule_delayed_work(&dw, 5));
	msleep(100);
	EXPECT_TRUE(t, dw_ran_at && time_after_eq(dw_ran_at, at + 5));
	dw_ran_at = 0;
	EXPECT_TRUE(t, schedule_delayed_work(&dw, 10));
	EXPECT_TRUE(t, cancel_delayed_work_sync(&dw));
	msleep(80);
	EXPECT_EQ(t, dw_ran_at, 0);
	ktime_t t0 = ktime_get();
	msleep(20);
	EXPECT_GE(t, ktime_get() - t0, 20 * NSEC_PER_MSEC);
	for (unsigned long ns = 100; ns <= 1000000; ns *= 10) {
		t0 = ktime_get();
		ndelay(ns);
		EXPECT_GE(t, ktime_get() - t0, ns);     /* never short */
	}
	set_current_state(TASK_UNINTERRUPTIBLE);
	EXPECT_EQ(t, schedule_timeout(-5), 0);
	EXPECT_EQ(t, current->state, TASK_RUNNING);
}

KTEST_SUITE(timers,
	KTEST_CASE(test_wheel_index),
	KTEST_CASE(test_wheel_wrap),
	KTEST_CASE(test_timers_everywhere),
	KTEST_CASE(test_mod_and_del),
	KTEST_CASE(test_sync_cancel),
	KTEST_CASE(test_hrtimers_many),
	KTEST_CASE(test_hrtimer_periodic),
	KTEST_CASE(test_delayed_work_and_sleeps));

static void bad_timer_fn(struct timer_list *tl)
{
	(void)tl;
	*(volatile int *)0 = 1;
}

static void ktest_timer_fault(void)
{
	static struct timer_list tl;

	timer_setup(&tl, bad_timer_fn, 0);
	tl.expires = jiffies + 1;
	add_timer(&tl);
	msleep(1000);
	panic("timer_fault: the faulting timer did not stop the kernel");
}

KTEST_CRASH(timer_fault, ktest_timer_fault,
	"Oops: page fault [#1]",
	"Timer function: ",
	"bad_timer_fn+",
	"Kernel panic - not syncing: Fatal exception");

static void nop_timer(struct timer_list *tl) { (void)tl; }
static enum hrtimer_restart nop_hr(struct hrtimer *hr) { (void)hr; return HRTIMER_NORESTART; }

static void bench_wheel(struct ktest *t)
{
	static const unsigned sizes[] = { 1000, 10000, 100000, 1000000 };
	struct timer_list *all = kzalloc(1000000 * sizeof(*all)), probe;
	unsigned have = 0;

	ASSERT_TRUE(t, all != NULL);
	timer_setup(&probe, nop_timer, 0);
	for (unsigned s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (; have < sizes[s]; have++) {
			timer_setup(&all[have], nop_timer, 0);
			all[have].expires = jiffies + 1000 + rnd() % 1000000;
			add_timer(&all[have]);
		}
		u64 t0 = rdtsc();
		for (int i = 0; i < 1000; i++) {
			probe.expires = jiffies + 1 + rnd() % 1000000;
			add_timer(&probe);
			del_timer(&probe);
		}
		printk("# bench timer_wheel_add_del_%u: %lu instructions/op\n", sizes[s],
		       (unsigned long)((rdtsc() - t0) / 1000));
	}
	for (unsigned i = 0; i < have; i++)
		del_timer(&all[i]);
	kfree(all);
}

static void bench_wheel_expiry(struct ktest *t)
{
	const unsigned n = 10000;
	struct timer_base *base = timer_base_create(1000);
	struct timer_list *all = kzalloc(n * sizeof(*all));

	ASSERT_TRUE(t, base && all);
	for (unsigned i = 0; i < n; i++) {
		timer_setup(&all[i], nop_timer, 0);
		all[i].expires = 1100;
		timer_base_add(base, &all[i]);
	}
	u64 t0 = rdtsc();
	timer_base_run(base, 1200);
	printk("# bench timer_wheel_expire_per_timer: %lu instructions/op\n",
	       (unsigned long)((rdtsc() - t0) / n));
	kfree(all);
	kfree(base);
}

static void bench_hrtimers(struct ktest *t)
{
	static const unsigned sizes[] = { 1000, 10000, 100000 };
	struct hrtimer *all = kzalloc(100000 * sizeof(*all)), probe;
	unsigned have = 0;
	ktime_t far = ktime_get() + 1000 * NSEC_PER_SEC;

	ASSERT_TRUE(t, all != NULL);
	hrtimer_init(&probe, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	probe.function = nop_hr;
	for (unsigned s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (; have < sizes[s]; have++) {
			hrtimer_init(&all[have], CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
			all[have].function = nop_hr;
			hrtimer_start(&all[have], far + (ktime_t)(rnd() % NSEC_PER_SEC),
				      HRTIMER_MODE_ABS);
		}
		u64 t0 = rdtsc();
		for (int i = 0; i < 1000; i++) {
			hrtimer_start(&probe, far + (ktime_t)(rnd() % NSEC_PER_SEC),
				      HRTIMER_MODE_ABS);
			hrtimer_cancel(&probe);
		}
		printk("# bench hrtimer_start_cancel_%u: %lu instructions/op\n", sizes[s],
		       (unsigned long)((rdtsc() - t0) / 1000));
	}
	for (unsigned i = 0; i < have; i++)
		hrtimer_cancel(&all[i]);
	kfree(all);
}

KTEST_SUITE(bench_timers,
	KTEST_CASE(bench_wheel),
	KTEST_CASE(bench_wheel_expiry),
	KTEST_CASE(bench_hrtimers));
