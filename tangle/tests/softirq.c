/* Tangled from chapters/24-softirq.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "softirq.h"
#include "sched.h"
#include "smp.h"
#include "apic.h"
#include "uart.h"
#include "ktest.h"

static struct {
	volatile unsigned long runs;
	unsigned cpu, count;
	volatile bool flood;                    /* raise again while set */
	u64 flood_end;                          /* or until this TSC value */
} test_sirq;

static void (*test_action_bench)(void);   /* the benchmark's, when set */

static void test_action(void)
{
	if (test_action_bench) {
		test_action_bench();
		return;
	}
	test_sirq.runs++;
	test_sirq.cpu = smp_processor_id();
	test_sirq.count = preempt_count();
	if (test_sirq.flood) {
		if (rdtsc() < test_sirq.flood_end)
			raise_softirq(TEST_SOFTIRQ);
		else
			test_sirq.flood = false;
	}
}

static void raise_in_irq(void *info)
{
	unsigned long n = (unsigned long)info;

	while (n--)
		raise_softirq_irqoff(TEST_SOFTIRQ);
}

static void need_test_softirq(void)
{
	static bool opened;

	if (!opened) {
		open_softirq(TEST_SOFTIRQ, test_action);
		opened = true;
	}
}

static void test_softirq_runs_at_irq_exit(struct ktest *t)
{
	if (!lapic_present)
		KTEST_SKIP(t, "no local APIC: no self-IPI");
	need_test_softirq();
	unsigned long before = test_sirq.runs;
	unsigned me = get_cpu();
	smp_call_self_by_ipi(raise_in_irq, (void *)1UL);
	EXPECT_EQ(t, test_sirq.runs, before + 1);
	EXPECT_EQ(t, test_sirq.cpu, me);
	EXPECT_EQ(t, test_sirq.count & (SOFTIRQ_MASK | HARDIRQ_MASK), SOFTIRQ_OFFSET);
	put_cpu();
}

static void test_softirq_bh_disabled(struct ktest *t)
{
	if (!lapic_present)
		KTEST_SKIP(t, "no local APIC: no self-IPI");
	need_test_softirq();
	unsigned long before = test_sirq.runs;
	local_bh_disable();
	smp_call_self_by_ipi(raise_in_irq, (void *)1000UL);
	EXPECT_EQ(t, test_sirq.runs, before);           /* not at the exit */
	EXPECT_TRUE(t, in_softirq() && !in_serving_softirq());
	local_bh_enable();
	EXPECT_EQ(t, test_sirq.runs, before + 1);       /* once, for 1,000 */
	EXPECT_FALSE(t, in_softirq());
}

static void test_softirq_flood(struct ktest *t)
{
	if (!lapic_present)
		KTEST_SKIP(t, "no local APIC: no self-IPI");
	if (!tick_running)
		KTEST_SKIP(t, "no tick: ksoftirqd would never be preempted");
	need_test_softirq();
	unsigned me = smp_processor_id();             /* init is bound here */
	unsigned long runs0 = test_sirq.runs, kd0 = per_cpu(ksoftirqd_runs, me);
	u64 start = rdtsc();
	test_sirq.flood_end = start + 10000 * tsc_khz;
	test_sirq.flood = true;
	smp_call_self_by_ipi(raise_in_irq, (void *)1UL);
	struct task *p = run_user_program("getpid");     /* during the flood */
	bool flooding = READ_ONCE(test_sirq.flood);
	u64 ms = (rdtsc() - start) / tsc_khz;
	WRITE_ONCE(test_sirq.flood, false);
	EXPECT_TRUE(t, flooding);
	EXPECT_FALSE(t, p->killed);
	EXPECT_EQ(t, p->exit_code, p->pid);
	task_free(p);
	EXPECT_GT(t, per_cpu(ksoftirqd_runs, me), kd0);
	ktest_log(t, "a program ran to its end %lu ms into a flood of %lu runs; "
		  "ksoftirqd took over %lu times", (unsigned long)ms,
		  test_sirq.runs - runs0, per_cpu(ksoftirqd_runs, me) - kd0);
}

static struct {
	struct tasklet tl;
	atomic_t inside, overlaps, done;
	unsigned long *queued, *ran;            /* per CPU, nr_cpu_ids long */
	volatile bool go;
	unsigned long each;
} tt;

static void tasklet_fn(struct tasklet *t)
{
	(void)t;
	if (atomic_add_return(1, &tt.inside) > 1)
		atomic_inc(&tt.overlaps);
	tt.ran[smp_processor_id()]++;
	atomic_add(-1, &tt.inside);
}

static int hammer_tasklet(void *info)
{
	(void)info;
	unsigned cpu = smp_processor_id();

	while (!READ_ONCE(tt.go))
		yield();
	for (unsigned long i = 0; i < tt.each; i++) {
		local_bh_disable();
		if (tasklet_schedule(&tt.tl))
			tt.queued[cpu]++;
		local_bh_enable();
	}
	atomic_inc(&tt.done);
	return 0;
}

static void test_tasklet_torture(struct ktest *t)
{
	bool soak = cmdline_get("ktest.soak");
	unsigned cpus = soak ? nr_cpu_ids : MIN(nr_cpu_ids, 4U), used = 0;
	struct task **k = kzalloc(cpus * sizeof(*k));

	memset(&tt, 0, sizeof(tt));
	tt.queued = kzalloc(cpus * sizeof(*tt.queued));
	tt.ran = kzalloc(nr_cpu_ids * sizeof(*tt.ran));
	ASSERT_TRUE(t, k && tt.queued && tt.ran);
	tasklet_setup(&tt.tl, tasklet_fn, "torture");
	tt.each = soak ? 10000 : 2000;
	for (unsigned cpu = 0; cpu < cpus; cpu++)
		if (cpu_online(cpu)) {
			used++;
			k[cpu] = kthread_create(hammer_tasklet, NULL, "tasklet-hammer");
			ASSERT_TRUE(t, k[cpu] != NULL);
			kthread_bind(k[cpu], cpu);
			wake_up_new_task(k[cpu]);
		}
	WRITE_ONCE(tt.go, true);
	unsigned long queued = 0, ran = 0;
	for (unsigned cpu = 0; cpu < cpus; cpu++)
		if (cpu_online(cpu)) {
			wait_task(k[cpu]);
			EXPECT_EQ(t, kthread_stop(k[cpu]), 0);
		}
	tasklet_kill(&tt.tl);
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		EXPECT_EQ(t, tt.ran[cpu], cpu < cpus ? tt.queued[cpu] : 0);
		queued += cpu < cpus ? tt.queued[cpu] : 0;
		ran += tt.ran[cpu];
	}
	EXPECT_EQ(t, atomic_read(&tt.overlaps), 0);
	ktest_log(t, "%lu schedules on %u CPUs queued it %lu times; it ran %lu times",
		  tt.each * used, used, queued, ran);
	kfree(k);
	kfree(tt.queued);
	kfree(tt.ran);
}

static volatile int simple_runs;

static void simple_fn(struct tasklet *t)
{
	(void)t;
	simple_runs++;
}

static void test_tasklet_disable(struct ktest *t)
{
	if (!tick_running)
		KTEST_SKIP(t, "no tick: ksoftirqd spinning on the disabled tasklet "
			   "would never be preempted");
	DECLARE_TASKLET_DISABLED(tl, simple_fn);
	simple_runs = 0;
	EXPECT_TRUE(t, tasklet_schedule(&tl));
	EXPECT_FALSE(t, tasklet_schedule(&tl));         /* queued already */
	for (int i = 0; i < 10; i++)
		yield();                                /* ksoftirqd gets turns */
	EXPECT_EQ(t, simple_runs, 0);
	tasklet_enable(&tl);
	tasklet_kill(&tl);                              /* waits for the run */
	EXPECT_EQ(t, simple_runs, 1);
	tasklet_disable(&tl);
	tasklet_enable(&tl);
	EXPECT_TRUE(t, tasklet_hi_schedule(&tl));
	tasklet_kill(&tl);
	EXPECT_EQ(t, simple_runs, 2);
	atomic_inc(&tl.killing);                        /* as during a kill */
	EXPECT_FALSE(t, tasklet_schedule(&tl));
	atomic_dec(&tl.killing);
}

#define SIRQ_BENCH_LOOPS 1000

static u64 bench_t0, bench_sum;

static void bench_action(void)
{
	bench_sum += rdtsc() - bench_t0;
}

static void bench_raise(void *info)
{
	(void)info;
	bench_t0 = rdtsc();
	raise_softirq_irqoff(TEST_SOFTIRQ);
}

static void bench_tasklet_fn(struct tasklet *t)
{
	(void)t;
	bench_sum += rdtsc() - bench_t0;
}

static DECLARE_TASKLET(bench_tasklet, bench_tasklet_fn);

static void bench_schedule(void *info)
{
	(void)info;
	bench_t0 = rdtsc();
	tasklet_schedule(&bench_tasklet);
}

static void bench_bottom_halves(struct ktest *t)
{
	if (!lapic_present)
		KTEST_SKIP(t, "no local APIC: no self-IPI");
	need_test_softirq();
	test_action_bench = bench_action;
	bench_sum = 0;
	for (int i = 0; i < SIRQ_BENCH_LOOPS; i++)
		smp_call_self_by_ipi(bench_raise, NULL);
	test_action_bench = NULL;
	printk("# bench softirq_raise_to_run: %lu instructions/op\n",
	       (unsigned long)(bench_sum / SIRQ_BENCH_LOOPS));
	bench_sum = 0;
	for (int i = 0; i < SIRQ_BENCH_LOOPS; i++)
		smp_call_self_by_ipi(bench_schedule, NULL);
	printk("# bench tasklet_schedule_to_run: %lu instructions/op\n",
	       (unsigned long)(bench_sum / SIRQ_BENCH_LOOPS));
	tasklet_kill(&bench_tasklet);
}

static void bench_uart_top_half(struct ktest *t)
{
	u64 f = local_irq_save(), sum = 0, most = 0;
	u8 ier = inb(COM1 + UART_IER), mcr = inb(COM1 + UART_MCR);

	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_MCR, mcr | MCR_LOOP);
	for (int i = 0; i < SIRQ_BENCH_LOOPS; i++) {
		outb(COM1 + UART_DATA, i % 40 == 39 ? '\n' : 'a' + i % 26);
		for (int spin = 0; !(inb(COM1 + UART_LSR) & LSR_DR) && spin < 100000; spin++)
			pause();
		irq_enter();                            /* as in a real interrupt */
		u64 t0 = rdtsc();
		serial_interrupt(COM1_IRQ, NULL);
		u64 d = rdtsc() - t0;
		irq_exit();
		sum += d;
		most = MAX(most, d);
	}
	outb(COM1 + UART_MCR, mcr);
	outb(COM1 + UART_IER, ier);
	local_irq_restore(f);
	printk("# bench uart_rx_top_half: %lu instructions/op\n",
	       (unsigned long)(sum / SIRQ_BENCH_LOOPS));
	printk("# bench uart_rx_top_half_max: %lu instructions/op\n", (unsigned long)most);
	EXPECT_FALSE(t, inb(COM1 + UART_LSR) & LSR_DR);
}

KTEST_SUITE(bench_softirq,
	KTEST_CASE(bench_bottom_halves),
	KTEST_CASE(bench_uart_top_half));

static void test_show_softirqs(struct ktest *t)
{
	show_softirqs();
	EXPECT_GT(t, per_cpu(softirq_stats[TASKLET_SOFTIRQ], 0), 0);
}

KTEST_SUITE(softirq,
	KTEST_CASE(test_softirq_runs_at_irq_exit),
	KTEST_CASE(test_softirq_bh_disabled),
	KTEST_CASE(test_softirq_flood),
	KTEST_CASE(test_tasklet_torture),
	KTEST_CASE(test_tasklet_disable),
	KTEST_CASE(test_show_softirqs));
