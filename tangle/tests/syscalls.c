/* Tangled from chapters/13-syscalls.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "percpu.h"
#include "task.h"
#include "syscall.h"
#include "vectors.h"
#include "ktest.h"

static struct task *run(struct ktest *t, const char *name)
{
	struct task *task = run_user_program(name);

	ktest_log(t, "%s: %s %ld", name, task->killed ? "killed, vector" : "exit",
		  task->killed ? task->vector : task->exit_code);
	return task;
}

static void test_getpid_and_regs(struct ktest *t)
{
	struct task *task = run(t, "getpid");

	EXPECT_FALSE(t, task->killed);
	EXPECT_EQ(t, task->exit_code, task->pid);
	task_free(task);
	task = run(t, "regs");
	EXPECT_FALSE(t, task->killed);
	EXPECT_EQ(t, task->exit_code, 0);       /* 1-5 name the failed check */
	task_free(task);
}

static void test_swapgs(struct ktest *t)
{
	struct task *task = run(t, "gsbase");

	EXPECT_FALSE(t, task->killed);
	EXPECT_EQ(t, task->exit_code, 0);
	EXPECT_EQ(t, rdmsr(MSR_GS_BASE), __per_cpu_offset[0]);
	EXPECT_EQ(t, smp_processor_id(), 0);
	task_free(task);
}

static void test_killed(struct ktest *t)
{
	struct task *task = run(t, "int_dpl0");

	EXPECT_TRUE(t, task->killed);
	EXPECT_EQ(t, task->vector, X86_TRAP_GP);
	/* Index 0x20 with the IDT bit; QEMU 7.2's TCG counts 16-byte units. */
	EXPECT_TRUE(t, task->error_code == 0x20 * 8 + 2 ||
		       task->error_code == 0x20 * 16 + 2);
	task_free(task);
	task = run(t, "ud2");
	EXPECT_TRUE(t, task->killed);
	EXPECT_EQ(t, task->vector, X86_TRAP_UD);
	task_free(task);
	task = run(t, "null");
	EXPECT_TRUE(t, task->killed);
	EXPECT_EQ(t, task->vector, X86_TRAP_PF);
	EXPECT_EQ(t, task->fault_addr, 0);
	EXPECT_EQ(t, task->error_code, 4);      /* user, read, not present */
	task_free(task);
}

static void test_hello(struct ktest *t)
{
	struct task *task = run(t, "hello");

	EXPECT_FALSE(t, task->killed);
	EXPECT_EQ(t, task->exit_code, 0);
	task_free(task);
}

static void test_alignment_check(struct ktest *t)
{
	struct task *task = run(t, "unaligned");
	bool unchecked = !task->killed && task->exit_code == 77;
	bool killed_by_ac = task->killed && task->vector == X86_TRAP_AC;

	task_free(task);
	if (unchecked)
		KTEST_SKIP(t, "this CPU (or QEMU's TCG) does not raise #AC");
	EXPECT_TRUE(t, killed_by_ac);
}

static void test_no_leak(struct ktest *t)
{
	u64 before = frames_free_count();

	task_free(run_user_program("hello"));
	task_free(run_user_program("null"));
	EXPECT_EQ(t, frames_free_count(), before);
}

KTEST_SUITE(syscalls,
	KTEST_CASE(test_hello),
	KTEST_CASE(test_getpid_and_regs),
	KTEST_CASE(test_swapgs),
	KTEST_CASE(test_killed),
	KTEST_CASE(test_alignment_check),
	KTEST_CASE(test_no_leak));
