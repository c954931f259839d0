/* Tangled from chapters/22-sched.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "sched.h"
#include "irq.h"
#include "apic.h"
#include "syscall.h"
#include "traps.h"
#include "vectors.h"
#include "ktest.h"

struct per_thread {
	unsigned index, cpu;
};

static int report_where(void *data)
{
	struct per_thread *p = data;

	p->cpu = smp_processor_id();
	return 1000 + p->index;
}

static void test_kthread_every_cpu(struct ktest *t)
{
	struct per_thread *info = kzalloc(nr_cpu_ids * sizeof(*info));
	struct task **threads = kzalloc(nr_cpu_ids * sizeof(*threads));
	unsigned before = nr_tasks;

	ASSERT_TRUE(t, info && threads);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_online(cpu))
			continue;
		info[cpu] = (struct per_thread){ cpu, ~0U };
		threads[cpu] = kthread_create(report_where, &info[cpu], "every-cpu");
		ASSERT_TRUE(t, threads[cpu] != NULL);
		kthread_bind(threads[cpu], cpu);
		wake_up_new_task(threads[cpu]);
	}
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_online(cpu))
			continue;
		wait_task(threads[cpu]);
		EXPECT_EQ(t, kthread_stop(threads[cpu]), 1000 + cpu);
		EXPECT_EQ(t, info[cpu].cpu, cpu);
	}
	for (int i = 0; i < 100 && READ_ONCE(nr_tasks) != before; i++)
		udelay(1000);
	EXPECT_EQ(t, nr_tasks, before);
	ktest_log(t, "%u threads, one per CPU; %lu stacks made, %lu cached",
		  nr_cpus_online, stacks_made, stacks_cached);
	kfree(info);
	kfree(threads);
}

static void wait_until_asleep(struct task *k)
{
	while (!(READ_ONCE(k->state) & TASK_NORMAL) || READ_ONCE(k->on_rq))
		yield();
}

static int wait_for_stop(void *data)
{
	unsigned long *wakeups = data;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
		(*wakeups)++;
	}
	__set_current_state(TASK_RUNNING);
	return 77;
}

static int return_at_once(void *data)
{
	(void)data;
	return 42;
}

static void test_kthread_stop(struct ktest *t)
{
	unsigned long wakeups = 0;
	struct task *k = kthread_run(wait_for_stop, &wakeups, "wait-stop");

	ASSERT_TRUE(t, k != NULL);
	wait_until_asleep(k);
	EXPECT_TRUE(t, wake_up_process(k));         /* a spurious wake-up */
	EXPECT_EQ(t, kthread_stop(k), 77);
	EXPECT_GE(t, wakeups, 1);

	k = kthread_create(return_at_once, NULL, "never-ran");
	ASSERT_TRUE(t, k != NULL);
	EXPECT_EQ(t, kthread_stop(k), -EINTR);

	k = kthread_run(return_at_once, NULL, "exits");
	ASSERT_TRUE(t, k != NULL);
	while (!completion_done(&k->exited))
		yield();
	EXPECT_FALSE(t, wake_up_process(k));        /* dead: nothing to wake */
	EXPECT_EQ(t, kthread_stop(k), 42);
}

struct pingpong {
	volatile unsigned token;        /* 0 or 1: whose turn in the pair */
	struct wait_queue_head wq[2];
	unsigned long passes[2];
	unsigned long rounds;
	unsigned long cpus_seen[2];     /* bit c: ran on CPU c (c < 64) */
};

struct player {
	struct pingpong *pair;
	unsigned side;
	struct completion *all_done;
	atomic_t *left;
};

static int play(void *data)
{
	struct player *p = data;
	struct pingpong *pp = p->pair;
	unsigned me = p->side, other = 1 - me;

	for (unsigned long r = 0; r < pp->rounds; r++) {
		wait_event(pp->wq[me], READ_ONCE(pp->token) == me);
		pp->passes[me]++;
		if (smp_processor_id() < 64)
			pp->cpus_seen[me] |= 1UL << smp_processor_id();
		WRITE_ONCE(pp->token, other);
		wake_up(&pp->wq[other]);
	}
	if (atomic_add_return(-1, p->left) == 0)
		complete(p->all_done);
	return 0;
}

#define MAX_PLAYERS 256

static void test_wait_pingpong(struct ktest *t)
{
	bool soak = cmdline_get("ktest.soak");
	unsigned n = cmdline_number("sched.threads", soak ? 64 : 8) & ~1U;
	unsigned long rounds = cmdline_number("sched.rounds", soak ? 100000 : 2000);
	struct completion done;
	atomic_t left;

	n = MIN(MAX(n, 2U), (unsigned)MAX_PLAYERS);
	n = MIN(n, (unsigned)(frames_free_count() / 32) & ~1U);
	ASSERT_GT(t, n, 0);
	struct pingpong *pairs = kzalloc(n / 2 * sizeof(*pairs));
	struct player *players = kzalloc(n * sizeof(*players));
	struct task **threads = kzalloc(n * sizeof(*threads));
	ASSERT_TRUE(t, pairs && players && threads);
	init_completion(&done);
	atomic_set(&left, n);
	for (unsigned i = 0; i < n; i++) {
		struct pingpong *pp = &pairs[i / 2];
		if (i % 2 == 0) {
			*pp = (struct pingpong){ .rounds = rounds };
			init_waitqueue_head(&pp->wq[0]);
			init_waitqueue_head(&pp->wq[1]);
		}
		players[i] = (struct player){ pp, i % 2, &done, &left };
		threads[i] = kthread_run(play, &players[i], "pingpong");
		ASSERT_TRUE(t, threads[i] != NULL);
	}
	u64 start = rdtsc();
	u64 limit = (10 + n * rounds / 5000) * 1000 * tsc_khz;
	while (!completion_done(&done) && rdtsc() - start < limit) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule_timeout(tick_running ? 1 : 0);
		if (!tick_running)
			yield();
	}
	u64 took = rdtsc() - start;
	unsigned long cpus = 0;
	bool finished = completion_done(&done);
	for (unsigned i = 0; i < n / 2; i++) {
		EXPECT_EQ(t, pairs[i].passes[0], rounds);
		EXPECT_EQ(t, pairs[i].passes[1], rounds);
		cpus |= pairs[i].cpus_seen[0] | pairs[i].cpus_seen[1];
	}
	EXPECT_TRUE(t, finished);
	if (finished) {
		for (unsigned i = 0; i < n; i++)
			EXPECT_EQ(t, kthread_stop(threads[i]), 0);
		kfree(pairs);
		kfree(players);
		kfree(threads);
	}
	ktest_log(t, "%u threads, %lu rounds each: %lu wake-ups in %lu ms, on %d of CPUs 0-63",
		  n, rounds, n * rounds, took / tsc_khz, __builtin_popcountl(cpus));
}

struct sleeper {
	struct wait_queue_head wq;
	volatile bool go;
	unsigned cpu;
};

static int sleep_until_go(void *data)
{
	struct sleeper *s = data;

	wait_event(s->wq, READ_ONCE(s->go));
	s->cpu = smp_processor_id();
	return 0;
}

static void test_remote_wakeup(struct ktest *t)
{
	if (nr_cpus_online < 2)
		KTEST_SKIP(t, "one CPU");
	unsigned other = 1;
	while (!cpu_online(other))
		other++;
	struct sleeper s = { .cpu = ~0U };
	init_waitqueue_head(&s.wq);
	struct task *k = kthread_create(sleep_until_go, &s, "remote");
	ASSERT_TRUE(t, k != NULL);
	kthread_bind(k, other);
	wake_up_new_task(k);
	wait_until_asleep(k);
	unsigned long before = per_cpu(ipi_resched, other);
	WRITE_ONCE(s.go, true);
	wake_up(&s.wq);
	EXPECT_EQ(t, kthread_stop(k), 0);
	EXPECT_EQ(t, s.cpu, other);
	EXPECT_GT(t, per_cpu(ipi_resched, other), before);
}

static int move_myself(void *data)
{
	unsigned *cpu = data;
	struct cpumask m;

	cpumask_of(&m, *cpu);
	set_cpus_allowed(current, &m);
	*cpu = smp_processor_id();
	return 0;
}

static void test_affinity(struct ktest *t)
{
	if (nr_cpus_online < 2)
		KTEST_SKIP(t, "one CPU");
	unsigned last = nr_cpu_ids - 1;
	while (!cpu_online(last))
		last--;
	unsigned where = last;
	struct task *k = kthread_create(move_myself, &where, "move-self");
	ASSERT_TRUE(t, k != NULL);
	kthread_bind(k, 0);
	wake_up_new_task(k);
	wait_task(k);
	EXPECT_EQ(t, kthread_stop(k), 0);
	EXPECT_EQ(t, where, last);

	struct sleeper s = { .cpu = ~0U };
	init_waitqueue_head(&s.wq);
	k = kthread_run(sleep_until_go, &s, "moved");
	ASSERT_TRUE(t, k != NULL);
	wait_until_asleep(k);
	struct cpumask m;
	cpumask_of(&m, last);
	set_cpus_allowed(k, &m);
	WRITE_ONCE(s.go, true);
	wake_up(&s.wq);
	EXPECT_EQ(t, kthread_stop(k), 0);
	EXPECT_EQ(t, s.cpu, last);
}

struct turns {
	char log[64];
	atomic_t len;
	int rounds;
};

static int take_turns(void *data)
{
	struct turns *tu = data;
	char me = current->comm[0];

	for (int i = 0; i < tu->rounds; i++) {
		int at = atomic_add_return(1, &tu->len) - 1;
		if (at < (int)sizeof(tu->log) - 1)
			tu->log[at] = me;
		yield();
	}
	return 0;
}

static int note_ran(void *data)
{
	WRITE_ONCE(*(bool *)data, true);
	return 0;
}

static void test_priority_and_yield(struct ktest *t)
{
	struct turns tu = { .rounds = 8 };
	struct task *a = kthread_create(take_turns, &tu, "A");
	struct task *b = kthread_create(take_turns, &tu, "B");

	ASSERT_TRUE(t, a && b);
	kthread_bind(a, 0);
	kthread_bind(b, 0);
	preempt_disable();                      /* both queued before either runs */
	wake_up_new_task(a);
	wake_up_new_task(b);
	preempt_enable();
	wait_task(a);
	wait_task(b);
	EXPECT_EQ(t, kthread_stop(a), 0);
	EXPECT_EQ(t, kthread_stop(b), 0);
	EXPECT_STREQ(t, tu.log, "ABABABABABABABAB");

	bool ran = false;
	struct task *h = kthread_create(note_ran, &ran, "urgent");
	ASSERT_TRUE(t, h != NULL);
	kthread_bind(h, 0);
	h->prio = 1;
	wake_up_new_task(h);
	EXPECT_TRUE(t, READ_ONCE(ran));
	EXPECT_EQ(t, kthread_stop(h), 0);
	set_task_prio(current, NR_PRIO);                /* refused: out of range */
	EXPECT_EQ(t, current->prio, DEFAULT_PRIO);
}

enum spin_kind { SPIN_PREEMPTIBLE, SPIN_PREEMPT_OFF, SPIN_COND_RESCHED };

struct spinner {
	enum spin_kind kind;
	volatile bool stop, finished;
	volatile unsigned long test_progress;   /* the test thread's, seen when done */
	unsigned long seen_progress;
	bool cond_resched_switched;
};

static volatile unsigned long test_progress;

static int spin(void *data)
{
	struct spinner *s = data;
	u64 start = rdtsc(), cap = 20000 * tsc_khz;
	unsigned long t0 = jiffies;

	if (s->kind == SPIN_PREEMPT_OFF)
		preempt_disable();
	while (!READ_ONCE(s->stop) && jiffies - t0 < 16 && rdtsc() - start < cap) {
		if (s->kind == SPIN_COND_RESCHED && jiffies - t0 >= 4 && cond_resched())
			s->cond_resched_switched = true;
		pause();
	}
	s->seen_progress = test_progress;
	s->finished = true;
	if (s->kind == SPIN_PREEMPT_OFF)
		preempt_enable();
	return 0;
}

static void run_spinner(struct ktest *t, struct spinner *s)
{
	struct task *k = kthread_create(spin, s, "spinner");

	ASSERT_TRUE(t, k != NULL);
	kthread_bind(k, 0);
	wake_up_new_task(k);
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule_timeout(2);
	test_progress++;
	WRITE_ONCE(s->stop, true);
	EXPECT_EQ(t, kthread_stop(k), 0);
}

static void test_preemption(struct ktest *t)
{
	if (!tick_running)
		KTEST_SKIP(t, "no tick (schedtick=off, or no clock-event device)");
	struct spinner a = { .kind = SPIN_PREEMPTIBLE };
	unsigned long p0 = test_progress;
	run_spinner(t, &a);
	EXPECT_EQ(t, a.seen_progress, p0 + 1);  /* stopped by the test thread */

	struct spinner b = { .kind = SPIN_PREEMPT_OFF };
	unsigned long p1 = test_progress;
	run_spinner(t, &b);
	EXPECT_EQ(t, b.seen_progress, p1);      /* ran to its deadline */

	struct spinner c = { .kind = SPIN_COND_RESCHED };
	preempt_mode = PREEMPT_NONE;
	run_spinner(t, &c);
	preempt_mode = PREEMPT_FULL;
	EXPECT_TRUE(t, c.cond_resched_switched);
	EXPECT_EQ(t, c.seen_progress, test_progress);
}

static void test_user_programs_everywhere(struct ktest *t)
{
	struct task **progs = kzalloc(nr_cpu_ids * sizeof(*progs));

	ASSERT_TRUE(t, progs != NULL);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_online(cpu))
			continue;
		struct cpumask m;
		cpumask_of(&m, cpu);
		progs[cpu] = start_user_program("getpid", 0, &m);
	}
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_online(cpu))
			continue;
		wait_task(progs[cpu]);
		EXPECT_FALSE(t, progs[cpu]->killed);
		EXPECT_EQ(t, progs[cpu]->exit_code, progs[cpu]->pid);
		task_free(progs[cpu]);
	}
	kfree(progs);
}

static void test_kill_spinning_program(struct ktest *t)
{
	if (!tick_running)
		KTEST_SKIP(t, "no tick (schedtick=off, or no clock-event device)");
	struct cpumask m;
	cpumask_of(&m, 0);
	struct task *spinner = start_user_program("spin", 0, &m);
	struct task *killer = run_user_program_arg("killer", spinner->pid);
	EXPECT_EQ(t, killer->exit_code, 0);
	task_free(killer);
	wait_task(spinner);
	EXPECT_TRUE(t, spinner->killed_by_request);
	EXPECT_GT(t, spinner->nr_switches, 1);
	task_free(spinner);

	unsigned other = nr_cpus_online > 1 ? 1 : 0;
	while (!cpu_online(other))
		other++;
	cpumask_of(&m, other);
	spinner = start_user_program("spin", 0, &m);
	while (READ_ONCE(spinner->nr_switches) == 0)
		yield();
	EXPECT_EQ(t, task_kill(spinner->pid), 0);
	wait_task(spinner);
	EXPECT_TRUE(t, spinner->killed_by_request);
	task_free(spinner);
	EXPECT_EQ(t, task_kill(current->pid), -EPERM);
	EXPECT_EQ(t, task_kill(0x7fffffff), -ESRCH);
}

static unsigned seen_nmi = ~0U, seen_int3 = ~0U;
static bool (*saved_hook)(struct pt_regs *, unsigned long, int);

static bool context_hook(struct pt_regs *regs, unsigned long error_code, int vector)
{
	if (vector == X86_TRAP_NMI && seen_nmi == ~0U) {
		seen_nmi = preempt_count();
		return true;
	}
	if (vector == X86_TRAP_BP && seen_int3 == ~0U) {
		seen_int3 = preempt_count();
		return true;
	}
	return saved_hook && saved_hook(regs, error_code, vector);
}

static void in_hardirq_handler(void *info)
{
	unsigned *seen = info;

	seen[0] = preempt_count();
	seen[1] = in_hardirq() && !in_task() && !in_nmi() && !in_softirq();
	seen_int3 = ~0U;
	asm volatile("int3");
	seen[2] = seen_int3;
}

static void test_preempt_count_contexts(struct ktest *t)
{
	spinlock_t l = SPINLOCK_INIT;

	EXPECT_EQ(t, preempt_count(), 0);
	EXPECT_TRUE(t, in_task() && !in_atomic());
	preempt_disable();
	EXPECT_EQ(t, preempt_count(), 1);
	spin_lock(&l);
	EXPECT_EQ(t, preempt_count(), 2);
	spin_unlock(&l);
	preempt_enable();
	saved_hook = exception_hook;
	exception_hook = context_hook;
	seen_int3 = ~0U;
	asm volatile("int3");
	EXPECT_EQ(t, seen_int3, 0);                     /* exception in a thread */
	if (lapic_present) {
		unsigned seen[3] = { ~0U, 0, ~0U };
		smp_call_self_by_ipi(in_hardirq_handler, seen);
		EXPECT_EQ(t, seen[0], HARDIRQ_OFFSET);
		EXPECT_TRUE(t, seen[1]);
		EXPECT_EQ(t, seen[2], HARDIRQ_OFFSET);          /* exception in an IRQ */
		seen_nmi = ~0U;
		apic_send_nmi_self();
		for (u64 s = rdtsc(); seen_nmi == ~0U && rdtsc() - s < 100 * tsc_khz; )
			pause();
		EXPECT_EQ(t, seen_nmi, NMI_OFFSET + HARDIRQ_OFFSET);
	} else
		ktest_log(t, "no local APIC: the interrupt and NMI cases are not run");
	exception_hook = saved_hook;
	EXPECT_EQ(t, preempt_count(), 0);
}

static spinlock_t leaked_lock = SPINLOCK_INIT;
static bool leak_it;

static long lock_in_syscall(unsigned long a0, unsigned long a1, unsigned long a2,
			    unsigned long a3, unsigned long a4, unsigned long a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	spin_lock(&leaked_lock);
	if (!leak_it)
		spin_unlock(&leaked_lock);
	return 0;
}

static void test_debug_checks(struct ktest *t)
{
	int n = atomic_read(&sched_bug_count);

	might_sleep();
	yield();
	EXPECT_EQ(t, atomic_read(&sched_bug_count), n);
	preempt_disable();
	might_sleep();
	preempt_enable();
	EXPECT_EQ(t, atomic_read(&sched_bug_count), n + 1);
	cli();
	might_sleep();
	sti();
	EXPECT_EQ(t, atomic_read(&sched_bug_count), n + 2);
	preempt_disable();
	schedule();                                     /* the count is repaired */
	EXPECT_EQ(t, atomic_read(&sched_bug_count), n + 3);
	EXPECT_EQ(t, preempt_count(), 0);
	WRITE_ONCE(syscall_test_hook, lock_in_syscall);
	leak_it = false;
	task_free(run_user_program("test_call"));
	EXPECT_EQ(t, atomic_read(&sched_bug_count), n + 3);
	leak_it = true;
	task_free(run_user_program("test_call"));
	WRITE_ONCE(syscall_test_hook, NULL);
	EXPECT_EQ(t, atomic_read(&sched_bug_count), n + 4);
	EXPECT_TRUE(t, spin_is_locked(&leaked_lock));
	arch_spin_unlock(&leaked_lock);
}

struct roamer {
	volatile bool *stop;
	unsigned long cpus;             /* bit c: ran on CPU c (c < 64) */
	volatile bool elsewhere;        /* ran on a CPU other than 0 */
};

static int roam(void *data)
{
	struct roamer *r = data;
	u64 start = rdtsc();

	while (!READ_ONCE(*r->stop) && rdtsc() - start < 2000 * tsc_khz) {
		if (smp_processor_id() < 64)
			r->cpus |= 1UL << smp_processor_id();
		if (smp_processor_id() != 0)
			r->elsewhere = true;
		pause();
	}
	return 0;
}

static void test_load_balance(struct ktest *t)
{
	if (nr_cpus_online < 2)
		KTEST_SKIP(t, "one CPU");
	if (!tick_running)
		KTEST_SKIP(t, "no tick: nothing kicks an idle CPU");
	static struct roamer r[16];
	static struct task *k[16];
	unsigned n = MIN(2 * nr_cpus_online, 16U);
	volatile bool stop = false;
	struct cpumask all;

	cpumask_fill(&all);
	for (unsigned i = 0; i < n; i++) {
		r[i] = (struct roamer){ &stop, 0, false };
		k[i] = kthread_create(roam, &r[i], "roamer");
		ASSERT_TRUE(t, k[i] != NULL);
		kthread_bind(k[i], 0);
		wake_up_new_task(k[i]);
	}
	for (unsigned i = 0; i < n; i++)
		set_cpus_allowed(k[i], &all);
	bool moved = false;
	for (int waits = 0; waits < 4 * HZ && !moved; waits++) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule_timeout(1);
		for (unsigned i = 0; i < n; i++)
			moved |= READ_ONCE(r[i].elsewhere);
	}
	stop = true;
	for (unsigned i = 0; i < n; i++)
		EXPECT_EQ(t, kthread_stop(k[i]), 0);
	EXPECT_TRUE(t, moved);
	unsigned long cpus = 0;
	for (unsigned i = 0; i < n; i++)
		cpus |= r[i].cpus;
	ktest_log(t, "%u spinners queued on CPU 0 ran on %d of CPUs 0-63", n, __builtin_popcountl(cpus));
}

KTEST_SUITE(sched,
	KTEST_CASE(test_kthread_every_cpu),
	KTEST_CASE(test_kthread_stop),
	KTEST_CASE(test_wait_pingpong),
	KTEST_CASE(test_remote_wakeup),
	KTEST_CASE(test_affinity),
	KTEST_CASE(test_priority_and_yield),
	KTEST_CASE(test_preemption),
	KTEST_CASE(test_user_programs_everywhere),
	KTEST_CASE(test_kill_spinning_program),
	KTEST_CASE(test_preempt_count_contexts),
	KTEST_CASE(test_debug_checks),
	KTEST_CASE(test_load_balance));

#define BENCH_SWITCHES 1000

struct yielder {
	u64 start, end;
};

static int yield_loop(void *data)
{
	struct yielder *y = data;

	y->start = rdtsc();
	for (int i = 0; i < BENCH_SWITCHES; i++)
		yield();
	y->end = rdtsc();
	return 0;
}

static void bench_print(const char *name, u64 total, u64 ops)
{
	printk("# bench %s: %lu instructions/op\n", name, (unsigned long)(total / ops));
}

static void bench_context_switch(struct ktest *t)
{
	struct yielder y[2];
	struct task *k[2];

	for (int i = 0; i < 2; i++) {
		k[i] = kthread_create(yield_loop, &y[i], "yielder");
		ASSERT_TRUE(t, k[i] != NULL);
		kthread_bind(k[i], 0);
	}
	wake_up_new_task(k[0]);
	wake_up_new_task(k[1]);
	wait_task(k[0]);
	wait_task(k[1]);
	u64 span = MAX(y[0].end, y[1].end) - MIN(y[0].start, y[1].start);
	bench_print("context_switch_kthread", span, 2 * BENCH_SWITCHES);
	kthread_stop(k[0]);
	kthread_stop(k[1]);
}

struct bare_trip {
	struct task *a, *b;
	u64 start, end;
};

static int bare_pinger(void *data)
{
	struct bare_trip *r = data;

	r->start = rdtsc();
	for (int i = 0; i < BENCH_SWITCHES; i++) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		wake_up_process(r->b);
		schedule();
	}
	r->end = rdtsc();
	return 0;
}

static int bare_ponger(void *data)
{
	struct bare_trip *r = data;

	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule();                                     /* until the first ping */
	for (int i = 0; i < BENCH_SWITCHES; i++) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		wake_up_process(r->a);
		if (i < BENCH_SWITCHES - 1)
			schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

struct round_trip {
	struct completion ping, pong;
	u64 start, end;
};

static int pinger(void *data)
{
	struct round_trip *r = data;

	r->start = rdtsc();
	for (int i = 0; i < BENCH_SWITCHES; i++) {
		complete(&r->ping);
		wait_for_completion(&r->pong);
	}
	r->end = rdtsc();
	return 0;
}

static int ponger(void *data)
{
	struct round_trip *r = data;

	for (int i = 0; i < BENCH_SWITCHES; i++) {
		wait_for_completion(&r->ping);
		complete(&r->pong);
	}
	return 0;
}

static void bench_bare_wakeup(struct ktest *t)
{
	struct bare_trip r;

	r.b = kthread_create(bare_ponger, &r, "ponger");
	r.a = kthread_create(bare_pinger, &r, "pinger");
	ASSERT_TRUE(t, r.a && r.b);
	kthread_bind(r.a, 0);
	kthread_bind(r.b, 0);
	wake_up_new_task(r.b);
	wake_up_new_task(r.a);
	wait_task(r.a);
	wait_task(r.b);
	bench_print("wakeup_round_trip", r.end - r.start, BENCH_SWITCHES);
	kthread_stop(r.a);
	kthread_stop(r.b);
}

static void bench_wakeup(struct ktest *t)
{
	struct round_trip r;
	init_completion(&r.ping);
	init_completion(&r.pong);
	struct task *b = kthread_create(ponger, &r, "ponger");
	struct task *a = kthread_create(pinger, &r, "pinger");

	ASSERT_TRUE(t, a && b);
	kthread_bind(a, 0);
	kthread_bind(b, 0);
	wake_up_new_task(b);
	wake_up_new_task(a);
	wait_task(a);
	wait_task(b);
	bench_print("completion_round_trip", r.end - r.start, BENCH_SWITCHES);
	kthread_stop(a);
	kthread_stop(b);
}

static void bench_yield_user(struct ktest *t)
{
	struct cpumask m;
	struct task *p[2];

	cpumask_of(&m, 0);
	p[0] = start_user_program("yielder", 0, &m);
	p[1] = start_user_program("yielder", 0, &m);
	wait_task(p[0]);
	wait_task(p[1]);
	ASSERT_EQ(t, p[0]->nr_reports, 1);
	ASSERT_EQ(t, p[1]->nr_reports, 1);
	bench_print("sched_yield_user_pair",
		    (p[0]->reports[0] + p[1]->reports[0]) / 2, 2 * BENCH_SWITCHES);
	task_free(p[0]);
	task_free(p[1]);
}

KTEST_SUITE(bench_sched,
	KTEST_CASE(bench_context_switch),
	KTEST_CASE(bench_bare_wakeup),
	KTEST_CASE(bench_wakeup),
	KTEST_CASE(bench_yield_user));
