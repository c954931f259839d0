/* Tangled from chapters/13-syscalls.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "task.h"
#include "ktest.h"

#define BENCH_LOOPS 1000

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
	long empty = time_loop(false), total = time_loop(true);

	report("int3_kernel", total, empty);
	EXPECT_GT(t, total, empty);
}
#include "apic.h"
#include "irq.h"
#include "vectors.h"

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

KTEST_SUITE(bench,
	KTEST_CASE(bench_int3),
	KTEST_CASE(bench_syscalls),
	KTEST_CASE(bench_self_ipi));
