/* Tangled from chapters/16-doors.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "task.h"
#include "syscall.h"
#include "vectors.h"
#include "desc.h"
#include "smap.h"
#include "traps.h"
#include "format.h"
#include "probe.h"
#include "ktest.h"

#define ANY_ERROR (-1L)

static struct task *run_hostile(struct ktest *t, const char *name,
				unsigned long arg)
{
	struct task *task = run_user_program_arg(name, arg);

	if (task->killed)
		ktest_log(t, "%s(%#lx): killed by vector %d, error %#lx, at %#lx",
			  name, arg, task->vector, task->error_code, task->fault_ip);
	return task;
}

static void expect_exit(struct ktest *t, const char *name, unsigned long arg,
			long code)
{
	struct task *task = run_hostile(t, name, arg);

	EXPECT_FALSE(t, task->killed);
	EXPECT_EQ(t, task->exit_code, code);
	task_free(task);
}

static void expect_killed(struct ktest *t, const char *name, unsigned long arg,
			  int vector, long error)
{
	struct task *task = run_hostile(t, name, arg);

	EXPECT_TRUE(t, task->killed);
	EXPECT_EQ(t, task->vector, vector);
	if (error != ANY_ERROR)
		EXPECT_EQ(t, task->error_code, (unsigned long)error);
	task_free(task);
}

static bool intel(void)
{
	return strcmp(cpu_vendor(), "GenuineIntel") == 0;
}

static unsigned long hook_flags[4], hook_cs, hook_calls;

static long door_hook(unsigned long a0, unsigned long a1, unsigned long a2,
		      unsigned long a3, unsigned long a4, unsigned long a5)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (hook_calls < ARRAY_SIZE(hook_flags))
		hook_flags[hook_calls] = save_flags();
	asm volatile("mov %%cs, %0" : "=r"(hook_cs));
	hook_calls++;
	if (a0)
		current_pt_regs()->ip = a0;
	return 0;
}

static void test_compat_mode(struct ktest *t)
{
	struct task *task = run_hostile(t, "compat_syscall", 0);

	if (task->killed)
		EXPECT_TRUE(t, intel() && task->vector == X86_TRAP_UD);
	else
		EXPECT_EQ(t, task->exit_code, 0);
	task_free(task);
	expect_exit(t, "compat_int80", 0, 0);
	task = run_hostile(t, "compat_sysenter", 0);
	EXPECT_TRUE(t, task->killed);
	EXPECT_TRUE(t, task->vector == X86_TRAP_GP ||
		       (!intel() && task->vector == X86_TRAP_UD));
	task_free(task);
	expect_killed(t, "sysenter", 0, intel() ? X86_TRAP_GP : X86_TRAP_UD,
		      intel() ? 0 : ANY_ERROR);
}

extern char user_tf_syscall_start[], user_tf_syscall_trap[];
extern char user_tf_int80_start[], user_tf_int80_trap[];
extern char user_tf_int3_start[], user_tf_int3_trap[];

static void expect_trap_at(struct ktest *t, const char *name,
			   const char *start, const char *trap)
{
	struct task *task = run_hostile(t, name, 0);

	EXPECT_TRUE(t, task->killed);
	EXPECT_EQ(t, task->vector, X86_TRAP_DB);
	EXPECT_EQ(t, task->fault_ip, USER_TEXT + (trap - start));
	task_free(task);
}

static void test_trap_flag(struct ktest *t)
{
	expect_trap_at(t, "tf_syscall", user_tf_syscall_start, user_tf_syscall_trap);
	expect_trap_at(t, "tf_int80", user_tf_int80_start, user_tf_int80_trap);
	expect_trap_at(t, "tf_int3", user_tf_int3_start, user_tf_int3_trap);
	expect_killed(t, "tf_movss_syscall", 0, X86_TRAP_DB, ANY_ERROR);
	expect_killed(t, "tf_movss_int80", 0, X86_TRAP_DB, ANY_ERROR);
	expect_killed(t, "tf_movss_int3", 0, X86_TRAP_DB, ANY_ERROR);
}

static void test_resume_elsewhere(struct ktest *t)
{
	WRITE_ONCE(syscall_test_hook, door_hook);
	for (unsigned long door = 0; door < 2; door++) {
		expect_exit(t, "resume", door, 0);
		struct task *task = run_hostile(t, "resume_noncanonical", door);
		EXPECT_TRUE(t, task->killed);
		EXPECT_EQ(t, task->vector, X86_TRAP_GP);
		EXPECT_EQ(t, task->fault_ip, USER_TOP);
		EXPECT_EQ(t, task->fault_syscall, SYS_test);  /* the kernel's doing */
		task_free(task);
	}
	WRITE_ONCE(syscall_test_hook, NULL);
}

extern char entry_SYSCALL_64[], asm_int80_syscall[];

static void test_debug_in_kernel(struct ktest *t)
{
	unsigned long before = this_cpu_read(kernel_debug_count);

	asm volatile("pushfq; orq %0, (%%rsp); popfq; nop; nop"
		     :: "i"(X86_EFLAGS_TF) : "memory", "cc");
	EXPECT_EQ(t, this_cpu_read(kernel_debug_count), before + 1);
	EXPECT_FALSE(t, save_flags() & X86_EFLAGS_TF);
	const char *doors[] = { entry_SYSCALL_64, asm_int80_syscall };
	for (unsigned i = 0; i < ARRAY_SIZE(doors); i++) {
		before = this_cpu_read(kernel_debug_count);
		write_dr0((u64)doors[i]);
		write_dr7(DR7_L0);              /* execution breakpoint 0 */
		expect_exit(t, "rsp_kernel", 0, 0);
		EXPECT_EQ(t, this_cpu_read(kernel_debug_count), before + 1);
		EXPECT_EQ(t, read_dr7() & DR7_L0, 0);   /* disarmed */
		write_dr7(0);
	}
}

static void test_flags(struct ktest *t)
{
	const unsigned long bad = X86_EFLAGS_NT | X86_EFLAGS_DF |
		(smap_enabled ? X86_EFLAGS_AC : 0) |
		X86_EFLAGS_TF | X86_EFLAGS_IOPL;

	hook_calls = 0;
	WRITE_ONCE(syscall_test_hook, door_hook);
	struct task *task = run_hostile(t, "flags", 0);
	WRITE_ONCE(syscall_test_hook, NULL);
	EXPECT_FALSE(t, task->killed);
	EXPECT_EQ(t, task->exit_code, 0);
	EXPECT_EQ(t, hook_calls, 2);
	EXPECT_EQ(t, hook_flags[0] & (bad | X86_EFLAGS_AC), 0);  /* SYSCALL */
	EXPECT_EQ(t, hook_flags[1] & bad, 0);                    /* int $0x80 */
	EXPECT_TRUE(t, hook_flags[0] & hook_flags[1] & X86_EFLAGS_IF);
	EXPECT_EQ(t, hook_cs, KERNEL_CS);
	task_free(task);
	expect_killed(t, "nt_iret", 0, X86_TRAP_GP, 0);
}

static void test_selectors(struct ktest *t)
{
	static const char *const regs[] = { "ds", "es", "fs", "gs", "ss" };
	static const struct { const char *name; long error; } sels[] = {
		{ "null", 0 }, { "tss", TSS_SEL }, { "np", TEST_NP_SEL },
		{ "limit", 0xfff8 }, { "ldt", 0x4 },
	};

	test_gdt_install();
	for (unsigned r = 0; r < ARRAY_SIZE(regs); r++)
		for (unsigned s = 0; s < ARRAY_SIZE(sels); s++) {
			char name[16];
			snprintf(name, sizeof(name), "seg_%s_%s", regs[r], sels[s].name);
			if (s == 0 && r < 4)
				expect_exit(t, name, 0, 0);
			else
				expect_killed(t, name, 0, X86_TRAP_GP, sels[s].error);
		}
	test_gdt_remove();
	expect_exit(t, "seg_leave", 0, 0);
	expect_exit(t, "seg_fresh", 0, 0);      /* a bit per inherited selector */
}

static const struct { const char *name; int vector; } privileged[] = {
	{ "priv_hlt", X86_TRAP_GP }, { "priv_cli", X86_TRAP_GP },
	{ "priv_sti", X86_TRAP_GP }, { "priv_in", X86_TRAP_GP },
	{ "priv_out", X86_TRAP_GP }, { "priv_ins", X86_TRAP_GP },
	{ "priv_outs", X86_TRAP_GP }, { "priv_lgdt", X86_TRAP_GP },
	{ "priv_lidt", X86_TRAP_GP }, { "priv_lldt", X86_TRAP_GP },
	{ "priv_ltr", X86_TRAP_GP }, { "priv_rd_cr0", X86_TRAP_GP },
	{ "priv_wr_cr3", X86_TRAP_GP }, { "priv_rd_cr4", X86_TRAP_GP },
	{ "priv_rd_cr8", X86_TRAP_GP }, { "priv_rd_dr7", X86_TRAP_GP },
	{ "priv_wr_dr0", X86_TRAP_GP }, { "priv_rdmsr", X86_TRAP_GP },
	{ "priv_wrmsr", X86_TRAP_GP }, { "priv_invlpg", X86_TRAP_GP },
	{ "priv_invd", X86_TRAP_GP }, { "priv_wbinvd", X86_TRAP_GP },
	{ "priv_clts", X86_TRAP_GP }, { "priv_lmsw", X86_TRAP_GP },
	{ "priv_swapgs", X86_TRAP_GP }, { "priv_sysret", X86_TRAP_GP },
	{ "priv_rdpmc", X86_TRAP_GP },
	{ "priv_wrgsbase", X86_TRAP_UD }, { "priv_rdfsbase", X86_TRAP_UD },
	{ "priv_mov_cs", X86_TRAP_UD }, { "priv_into", X86_TRAP_UD },
	{ "priv_x87", X86_TRAP_NM }, { "priv_sse", X86_TRAP_UD },
};

static void test_privileged(struct ktest *t)
{
	static const char *const umip[] = {
		"priv_sgdt", "priv_sidt", "priv_sldt", "priv_str", "priv_smsw",
	};

	for (unsigned i = 0; i < ARRAY_SIZE(privileged); i++)
		expect_killed(t, privileged[i].name, 0, privileged[i].vector,
			      privileged[i].vector == X86_TRAP_GP ? 0 : ANY_ERROR);
	expect_killed(t, "priv_sysexit", 0, intel() ? X86_TRAP_GP : X86_TRAP_UD,
		      intel() ? 0 : ANY_ERROR);
	struct task *xs = run_hostile(t, "priv_xsetbv", 0);

	EXPECT_TRUE(t, xs->killed);
	EXPECT_TRUE(t, xs->vector == X86_TRAP_UD || xs->vector == X86_TRAP_GP);
	task_free(xs);
	for (unsigned i = 0; i < ARRAY_SIZE(umip); i++) {
		if (umip_enabled)
			expect_killed(t, umip[i], 0, X86_TRAP_GP, 0);
		else
			expect_exit(t, umip[i], 0, 0);
	}
	expect_killed(t, "far_jmp_kernel", 0, X86_TRAP_GP, KERNEL_CS);
	struct task *task = run_hostile(t, "iret_kernel", 0);
	bool qemu_smap_quirk = smap_enabled && task->vector == X86_TRAP_PF &&
			       task->error_code == PF_PROT;

	EXPECT_TRUE(t, task->killed);
	if (qemu_smap_quirk)
		ktest_log(t, "iretq frame read as a supervisor access (QEMU 7.2 with SMAP)");
	else {
		EXPECT_EQ(t, task->vector, X86_TRAP_GP);
		EXPECT_EQ(t, task->error_code, KERNEL_CS);
	}
	task_free(task);
}

static void test_every_gate(struct ktest *t)
{
	struct task *probe = run_user_program_arg("int_n", 0x81);
	unsigned unit = probe->error_code == 0x81 * 16 + 2 ? 16 : 8;

	task_free(probe);
	if (unit == 16)
		ktest_log(t, "#GP error codes count 16-byte gates (QEMU 7.2)");
	for (unsigned v = 0; v < NR_VECTORS; v++) {
		if (v == IA32_SYSCALL_VECTOR)
			continue;               /* a system call, tested elsewhere */
		unsigned gate = v == X86_TRAP_BP ? v + 1 : v;
		struct task *task = run_user_program_arg("int_n", v);
		bool ok = task->killed && task->vector == X86_TRAP_GP &&
			  task->error_code == gate * unit + 2;
		if (!ok)
			ktest_log(t, "int $%#x: killed %d, vector %d, error %#lx",
				  v, task->killed, task->vector, task->error_code),
			t->failures++;
		task_free(task);
	}
}

static void test_icebp(struct ktest *t)
{
	struct task *task = run_hostile(t, "icebp", 0);
	int vector = task->vector;

	EXPECT_TRUE(t, task->killed);
	task_free(task);
	if (vector == X86_TRAP_UD)
		KTEST_SKIP(t, "int1 (icebp) raises #UD, not #DB, here (QEMU 7.2's TCG)");
	EXPECT_EQ(t, vector, X86_TRAP_DB);
}

static void test_garbage_registers(struct ktest *t)
{
	expect_exit(t, "garbage", 0, 0);
}

static void test_bad_stack(struct ktest *t)
{
	expect_exit(t, "rsp_kernel", 0, 0);
	expect_exit(t, "rsp_noncanonical", 0, 0);
	expect_exit(t, "rsp_zero", 0, 0);
	expect_killed(t, "rsp_kernel", 1, X86_TRAP_PF, PF_PROT | PF_WRITE | PF_USER);
	struct task *task = run_hostile(t, "rsp_noncanonical", 1);
	EXPECT_TRUE(t, task->killed);           /* #SS(0); QEMU 7.2: #GP(0) */
	EXPECT_TRUE(t, task->vector == X86_TRAP_SS || task->vector == X86_TRAP_GP);
	EXPECT_EQ(t, task->error_code, 0);
	task_free(task);
	expect_killed(t, "rsp_zero", 1, X86_TRAP_PF, ANY_ERROR);
}

static void test_sysret_decision(struct ktest *t)
{
	struct pt_regs good = {
		.ip = USER_TEXT + 0x10, .cx = USER_TEXT + 0x10,
		.flags = X86_EFLAGS_IF | X86_EFLAGS_FIXED,
		.r11 = X86_EFLAGS_IF | X86_EFLAGS_FIXED,
		.cs = USER_CS, .ss = USER_DS, .sp = USER_STACK_TOP,
	};
	struct pt_regs r;

	EXPECT_TRUE(t, sysret_is_safe(&good));
	r = good, r.ip = r.cx = USER_TOP;               /* non-canonical */
	EXPECT_FALSE(t, sysret_is_safe(&r));
	r = good, r.ip = r.cx = 0xffff800000000000UL;   /* kernel, canonical */
	EXPECT_FALSE(t, sysret_is_safe(&r));
	r = good, r.ip += 2;                            /* ip changed */
	EXPECT_FALSE(t, sysret_is_safe(&r));
	r = good, r.flags |= X86_EFLAGS_TF, r.r11 = r.flags;
	EXPECT_FALSE(t, sysret_is_safe(&r));
	r = good, r.flags |= X86_EFLAGS_RF, r.r11 = r.flags;
	EXPECT_FALSE(t, sysret_is_safe(&r));
	r = good, r.r11 ^= X86_EFLAGS_DF;               /* flags changed */
	EXPECT_FALSE(t, sysret_is_safe(&r));
	r = good, r.cs = USER32_CS;
	EXPECT_FALSE(t, sysret_is_safe(&r));
	r = good, r.ss = KERNEL_DS;
	EXPECT_FALSE(t, sysret_is_safe(&r));
}

extern char entry_SYSCALL_compat[];

static void test_kernel_intact(struct ktest *t)
{
	u64 before = frames_free_count();

	expect_killed(t, "priv_hlt", 0, X86_TRAP_GP, 0);
	expect_exit(t, "compat_int80", 0, 0);
	EXPECT_EQ(t, frames_free_count(), before);
	EXPECT_EQ(t, rdmsr(MSR_GS_BASE), __per_cpu_offset[smp_processor_id()]);
	EXPECT_EQ(t, rdmsr(MSR_IA32_SYSENTER_CS), 0);
	EXPECT_EQ(t, rdmsr(MSR_CSTAR), (u64)entry_SYSCALL_compat);
	EXPECT_EQ(t, rdmsr(MSR_SYSCALL_MASK), SYSCALL_FLAGS_MASK);
	EXPECT_EQ(t, read_dr7() & 0xff, 0);     /* no breakpoint armed */
	EXPECT_EQ(t, read_cr4() & (CR4_PCE | CR4_FSGSBASE), 0);
}

KTEST_SUITE(doors,
	KTEST_CASE(test_compat_mode),
	KTEST_CASE(test_trap_flag),
	KTEST_CASE(test_debug_in_kernel),
	KTEST_CASE(test_flags),
	KTEST_CASE(test_selectors),
	KTEST_CASE(test_privileged),
	KTEST_CASE(test_every_gate),
	KTEST_CASE(test_icebp),
	KTEST_CASE(test_garbage_registers),
	KTEST_CASE(test_bad_stack),
	KTEST_CASE(test_sysret_decision),
	KTEST_CASE(test_resume_elsewhere),
	KTEST_CASE(test_kernel_intact));
