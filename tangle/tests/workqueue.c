/* Tangled from chapters/25-workqueue.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "workqueue.h"
#include "irq.h"
#include "smp.h"
#include "apic.h"
#include "ktest.h"

struct probe {
	struct work_struct work;
	unsigned cpu, count;
	bool in_task;
	struct completion *gate;        /* wait for it, if set */
	volatile bool started, done;
	int ticket;
};
static atomic_t tickets;

static void probe_fn(struct work_struct *w)
{
	struct probe *p = container_of(w, struct probe, work);

	p->started = true;
	p->cpu = smp_processor_id();
	p->count = preempt_count();
	p->in_task = in_task();
	if (p->gate)
		wait_for_completion(p->gate);   /* sleeps in the item */
	p->ticket = atomic_add_return(1, &tickets);
	p->done = true;
}

static void probe_init(struct probe *p, struct completion *gate)
{
	*p = (struct probe){ .gate = gate };
	INIT_WORK(&p->work, probe_fn);
}

static void test_work_runs_where_queued(struct ktest *t)
{
	struct probe p;

	for (unsigned cpu = 0; cpu < MIN(nr_cpu_ids, 8U); cpu++) {
		if (!cpu_online(cpu))
			continue;
		probe_init(&p, NULL);
		EXPECT_TRUE(t, schedule_work_on(cpu, &p.work));
		flush_work(&p.work);
		EXPECT_TRUE(t, p.done);
		EXPECT_EQ(t, p.cpu, cpu);
		EXPECT_EQ(t, p.count, 0);
		EXPECT_TRUE(t, p.in_task);
	}
	probe_init(&p, NULL);
	unsigned me = get_cpu();
	EXPECT_TRUE(t, schedule_work_on(nr_cpu_ids + 3, &p.work));
	put_cpu();
	flush_work(&p.work);
	EXPECT_TRUE(t, p.done);
	EXPECT_EQ(t, p.cpu, me);
}

static void test_worker_sleeps_another_runs(struct ktest *t)
{
	struct completion gate;
	struct probe a, b;

	init_completion(&gate);
	probe_init(&a, &gate);
	probe_init(&b, NULL);
	unsigned cpu = smp_processor_id();
	EXPECT_TRUE(t, schedule_work_on(cpu, &a.work));
	EXPECT_TRUE(t, schedule_work_on(cpu, &b.work));
	for (u64 s = rdtsc(); !b.done && rdtsc() - s < 5000 * tsc_khz; )
		yield();
	bool b_first = b.done && !a.done;
	complete(&gate);
	flush_work(&a.work);
	flush_work(&b.work);
	EXPECT_TRUE(t, b_first);
	EXPECT_LT(t, b.ticket, a.ticket);
}

static int open_gate_later(void *gate)
{
	for (int i = 0; i < 20; i++)
		yield();
	complete(gate);
	return 0;
}

static void test_cancel(struct ktest *t)
{
	struct completion gate;
	struct probe p;

	probe_init(&p, NULL);
	preempt_disable();
	EXPECT_TRUE(t, schedule_work_on(smp_processor_id(), &p.work));
	EXPECT_FALSE(t, schedule_work_on(smp_processor_id(), &p.work));  /* pending */
	EXPECT_TRUE(t, cancel_work(&p.work));
	preempt_enable();
	flush_work(&p.work);
	EXPECT_FALSE(t, p.started);

	init_completion(&gate);
	probe_init(&p, &gate);
	EXPECT_TRUE(t, schedule_work(&p.work));
	while (!p.started)
		yield();
	struct task *opener = kthread_run(open_gate_later, &gate, "gate-opener");
	ASSERT_TRUE(t, opener != NULL);
	EXPECT_FALSE(t, cancel_work_sync(&p.work));     /* running: waited for */
	EXPECT_TRUE(t, p.done);
	EXPECT_EQ(t, kthread_stop(opener), 0);
}

static void test_destroy_drains(struct ktest *t)
{
	struct workqueue_struct *wq = alloc_workqueue("test");
	static struct probe p[8];

	ASSERT_TRUE(t, wq != NULL);
	for (unsigned i = 0; i < 8; i++) {
		probe_init(&p[i], NULL);
		EXPECT_TRUE(t, queue_work_on(i % nr_cpus_online, wq, &p[i].work));
	}
	destroy_workqueue(wq);
	for (unsigned i = 0; i < 8; i++)
		EXPECT_TRUE(t, p[i].done);
	EXPECT_EQ(t, atomic_read(&wq->in_flight), 0);
	probe_init(&p[0], NULL);
	EXPECT_FALSE(t, queue_work(wq, &p[0].work));     /* refused */
	destroy_workqueue(wq);                           /* reported */
}

static void null_item(struct work_struct *w)
{
	(void)w;
	*(volatile int *)0 = 1;
}

static void test_oops_in_work_item(struct ktest *t)
{
	struct work_struct bad;
	struct probe after;
	unsigned cpu = smp_processor_id();

	INIT_WORK(&bad, null_item);
	EXPECT_TRUE(t, schedule_work_on(cpu, &bad));
	flush_work(&bad);
	probe_init(&after, NULL);
	EXPECT_TRUE(t, schedule_work_on(cpu, &after.work));
	flush_work(&after.work);
	EXPECT_TRUE(t, after.done);
	EXPECT_EQ(t, after.cpu, cpu);
	show_workqueues();
}

KTEST_SUITE(workqueue,
	KTEST_CASE(test_work_runs_where_queued),
	KTEST_CASE(test_worker_sleeps_another_runs),
	KTEST_CASE(test_cancel),
	KTEST_CASE(test_destroy_drains),
	KTEST_CASE(test_oops_in_work_item));

static u64 wq_t0, wq_sum;

static void timed_fn(struct work_struct *w)
{
	(void)w;
	wq_sum += rdtsc() - wq_t0;
}

static void queue_in_irq(void *info)
{
	wq_t0 = rdtsc();
	queue_work(system_wq, info);
}

static void bench_work_queue(struct ktest *t)
{
	struct work_struct w;

	if (!lapic_present)
		KTEST_SKIP(t, "no local APIC: no self-IPI");
	INIT_WORK(&w, timed_fn);
	wq_sum = 0;
	for (int i = 0; i < 1000; i++) {
		smp_call_self_by_ipi(queue_in_irq, &w);
		flush_work(&w);
	}
	printk("# bench work_queue_to_run: %lu instructions/op\n",
	       (unsigned long)(wq_sum / 1000));
}

KTEST_SUITE(bench_workqueue,
	KTEST_CASE(bench_work_queue));
