/* Tangled from chapters/13-syscalls.nw chapters/14-irq.nw chapters/15-page-faults.nw chapters/16-doors.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "task.h"
#include "traps.h"
#include "ktest.h"
#include "apic.h"
#include "irq.h"
#include "vectors.h"

#include "uaccess.h"
#include "probe.h"

#define BENCH_LOOPS 1000

/* A benchmark measures the kernel as it runs without tests: the harness's
   exception hook, which offers every exception to the tests' probe first,
   is taken out while the measured code runs. */
#define WITHOUT_TEST_HOOK(stmt) do {					\
	__typeof__(exception_hook) saved_hook__ = exception_hook;	\
	exception_hook = NULL;						\
	stmt;								\
	exception_hook = saved_hook__;					\
} while (0)

static void report(const char *name, long total, long empty)
{
	printk("# bench %s: %ld instructions/op\n", name,
	       (total - empty) / BENCH_LOOPS);
}

static void bench_syscalls(struct ktest *t)
{
	struct task *task = run_user_program("bench");

	ASSERT_EQ(t, task->nr_reports, 3);
	report("syscall_null", task->reports[0], task->reports[2]);
	report("int80_null", task->reports[1], task->reports[2]);
	EXPECT_GT(t, task->reports[0], task->reports[2]);
	task_free(task);
}

static long time_loop(bool trap)
{
	u64 start = rdtsc();

	for (int i = 0; i < BENCH_LOOPS; i++) {
		if (trap)
			asm volatile("int3");
		else
			asm volatile("nop");
	}
	return rdtsc() - start;
}

static void bench_int3(struct ktest *t)
{
	long empty = time_loop(false), total;

	WITHOUT_TEST_HOOK(total = time_loop(true));
	report("int3_kernel", total, empty);
	EXPECT_GT(t, total, empty);
}

static void bench_ipi_handler(struct pt_regs *regs)
{
	(void)regs;
	apic_eoi();
}

static void no_ipi(unsigned vector)
{
	(void)vector;
	barrier();
}

static long time_ipis(void (*send)(unsigned))
{
	u64 start = rdtsc();

	for (int i = 0; i < BENCH_LOOPS; i++)
		send(TEST_IPI_VECTOR);
	return rdtsc() - start;
}

static void bench_self_ipi(struct ktest *t)
{
	set_system_vector(TEST_IPI_VECTOR, bench_ipi_handler);
	u64 flags = local_irq_save();
	sti();
	long empty = time_ipis(no_ipi), total = time_ipis(apic_send_ipi_self);
	local_irq_restore(flags);
	report("irq_self_ipi", total, empty);
	EXPECT_GT(t, total, empty);
}

static void bench_demand_zero(struct ktest *t)
{
	struct task *task;
	u64 page[512];
	u64 start, clear;

	WITHOUT_TEST_HOOK(task = run_user_program("bench_pf"));
	ASSERT_EQ(t, task->nr_reports, 2);
	void *dst = page;
	unsigned long count = 512;
	start = rdtsc();
	asm volatile("rep stosq" : "+D"(dst), "+c"(count) : "a"(0UL) : "memory");
	clear = rdtsc() - start;
	long per_fault = (task->reports[0] - task->reports[1]) / 64;
	printk("# bench demand_zero_fault: %ld instructions/op\n", per_fault);
	printk("# bench demand_zero_clear: %lu instructions/op (rep stosq, 512 iterations)\n",
	       clear);
	printk("# bench demand_zero_rest: %ld instructions/op\n", per_fault - (long)clear);
	EXPECT_GT(t, per_fault, 0);
	task_free(task);
}

static void bad_get_user_loop(struct ktest *t, struct task *task)
{
	u64 v, start = rdtsc();

	(void)task;
	for (int i = 0; i < BENCH_LOOPS; i++)
		if (get_user(v, (u64 *)USER_UNMAPPED) != -EFAULT)
			t->failures++;
	printk("# bench get_user_fault: %lu instructions/op\n",
	       (rdtsc() - start) / BENCH_LOOPS);
}

static void bench_get_user_fault(struct ktest *t)
{
	WITHOUT_TEST_HOOK(with_user_space(t, bad_get_user_loop));
}

static void bench_hostile_run(struct ktest *t)
{
	u64 start = rdtsc();

	for (int i = 0; i < 100; i++) {
		struct task *task;
		WITHOUT_TEST_HOOK(task = run_user_program("priv_hlt"));
		if (!task->killed)
			t->failures++;
		task_free(task);
	}
	printk("# bench hostile_program_run: %lu instructions/op\n",
	       (rdtsc() - start) / 100);
}

KTEST_SUITE(bench,
	KTEST_CASE(bench_int3),
	KTEST_CASE(bench_syscalls),
	KTEST_CASE(bench_self_ipi),

	KTEST_CASE(bench_demand_zero),
	KTEST_CASE(bench_get_user_fault),

	KTEST_CASE(bench_hostile_run),);
