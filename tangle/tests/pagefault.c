/* Tangled from chapters/15-page-faults.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "percpu.h"
#include "traps.h"
#include "uaccess.h"
#include "extable.h"
#include "smap.h"
#include "probe.h"
#include "vectors.h"
#include "ktest.h"

void with_user_space(struct ktest *t, void (*fn)(struct ktest *, struct task *))
{
	struct task *task = task_create("hello");
	u64 flags = local_irq_save();

	this_cpu_write(current_task, task);
	write_cr3(virt_to_phys(task->pml4));
	fn(t, task);
	write_cr3(virt_to_phys(kernel_pml4));
	this_cpu_write(current_task, NULL);
	local_irq_restore(flags);
	task_free(task);
}

static void uaccess_sizes(struct ktest *t, struct task *task)
{
	u8 b; u16 w; u32 l; u64 q;
	unsigned long before = task->demand_zero;

	EXPECT_EQ(t, put_user((u8)0x11, (u8 *)USER_DATA), 0);
	EXPECT_EQ(t, put_user((u16)0x2222, (u16 *)(USER_DATA + 2)), 0);
	EXPECT_EQ(t, put_user((u32)0x33333333, (u32 *)(USER_DATA + 4)), 0);
	EXPECT_EQ(t, put_user((u64)0x4444444444444444, (u64 *)(USER_DATA + 8)), 0);
	EXPECT_EQ(t, get_user(b, (u8 *)USER_DATA), 0);
	EXPECT_EQ(t, get_user(w, (u16 *)(USER_DATA + 2)), 0);
	EXPECT_EQ(t, get_user(l, (u32 *)(USER_DATA + 4)), 0);
	EXPECT_EQ(t, get_user(q, (u64 *)(USER_DATA + 8)), 0);
	EXPECT_EQ(t, b, 0x11);
	EXPECT_EQ(t, w, 0x2222);
	EXPECT_EQ(t, l, 0x33333333);
	EXPECT_EQ(t, q, 0x4444444444444444);
	EXPECT_EQ(t, task->demand_zero, before + 1);    /* one page faulted in */
}

static void uaccess_bad_pointers(struct ktest *t, struct task *task)
{
	u64 q = 1;
	u32 l = 1;

	(void)task;
	EXPECT_EQ(t, get_user(q, (u64 *)0), -EFAULT);
	EXPECT_EQ(t, q, 0);                             /* zeroed on failure */
	EXPECT_EQ(t, get_user(q, (u64 *)kernel_pml4), -EFAULT);
	EXPECT_EQ(t, put_user(q, (u64 *)USER_RODATA), -EFAULT);
	EXPECT_EQ(t, get_user(q, (u64 *)USER_RODATA), 0);       /* reads are fine */
	EXPECT_EQ(t, get_user(l, (u32 *)(USER_DATA + USER_DATA_SIZE - 2)), -EFAULT);
	EXPECT_EQ(t, get_user(q, (u64 *)(USER_TOP - 4)), -EFAULT);
}

static void uaccess_partial_copy(struct ktest *t, struct task *task)
{
	char buf[100];
	char *end = (char *)(USER_DATA + USER_DATA_SIZE);

	(void)task;
	memset(buf, 'k', sizeof(buf));
	EXPECT_EQ(t, copy_to_user(end - 40, buf, 100), 60);
	memset(buf, 'x', sizeof(buf));
	EXPECT_EQ(t, copy_from_user(buf, end - 40, 100), 60);
	EXPECT_EQ(t, buf[0], 'k');
	EXPECT_EQ(t, buf[39], 'k');
	EXPECT_EQ(t, buf[40], 0);                       /* zeroed, not stale */
	EXPECT_EQ(t, buf[99], 0);
	EXPECT_EQ(t, copy_to_user((void *)USER_DATA, buf, -1UL), -1UL);
	EXPECT_EQ(t, strncpy_from_user(buf, (char *)USER_RODATA, 10), 0);
	EXPECT_EQ(t, strncpy_from_user(buf, (char *)0, 10), -EFAULT);
}

static void test_uaccess(struct ktest *t)
{
	with_user_space(t, uaccess_sizes);
	with_user_space(t, uaccess_bad_pointers);
	with_user_space(t, uaccess_partial_copy);
}

static int smap_probe_result;

static void smap_read(struct ktest *t, struct task *task)
{
	u64 v = 0;

	(void)task;
	EXPECT_EQ(t, put_user((u64)7, (u64 *)USER_DATA), 0);   /* map it */
	asm volatile(ASM_TRY(2f)
		     "movq (%1), %0\n\t"
		     "2:"
		     : "+r"(v) : "r"(USER_DATA));
	smap_probe_result = this_cpu_read(fixup_vector);
}

static void test_smap(struct ktest *t)
{
	if (!smap_enabled)
		KTEST_SKIP(t, "this CPU has no SMAP");
	EXPECT_TRUE(t, read_cr4() & CR4_SMAP);
	with_user_space(t, smap_read);
	EXPECT_EQ(t, smap_probe_result, X86_TRAP_PF);
	EXPECT_FALSE(t, save_flags() & X86_EFLAGS_AC);
}

__attribute__((noinline)) static void ktest_null_trigger(void)
{
	*(volatile int *)0 = 1;
}

KTEST_CRASH(null, ktest_null_trigger,
	"BUG: kernel NULL pointer dereference, address: 0000000000000000",
	"#PF: supervisor write access in kernel mode",
	"#PF: error_code(0x0002) - not-present page",
	"Oops: page fault", "CR2: 0000000000000000",
	"ktest_null_trigger", "Kernel panic - not syncing: Fatal exception");

static void test_asm_try(struct ktest *t)
{
	asm volatile(ASM_TRY(2f) "ud2\n\t" "2:" ::: "memory");
	EXPECT_EQ(t, this_cpu_read(fixup_vector), X86_TRAP_UD);
	asm volatile(ASM_TRY(2f) "movq (%0), %%rax\n\t" "2:"
		     :: "r"(0x8000000000000000UL) : "rax");
	EXPECT_EQ(t, this_cpu_read(fixup_vector), X86_TRAP_GP);
	EXPECT_EQ(t, this_cpu_read(fixup_error_code), 0);
	asm volatile(ASM_TRY(2f) "nop\n\t" "2:" ::: "memory");
	EXPECT_EQ(t, this_cpu_read(fixup_vector), -1);          /* no exception */
}

static void test_extable(struct ktest *t)
{
	const struct exception_table_entry *e;
	long n = __stop___ex_table - __start___ex_table;

	ASSERT_GT(t, n, 10);
	static struct exception_table_entry copy[8];
	for (int i = 0; i < 8; i++)
		ex_set(&copy[i], ex_insn(&__start___ex_table[7 - i]),
		       ex_fixup(&__start___ex_table[7 - i]));
	sort_extable(copy, 8);
	for (int i = 1; i < 8; i++)
		EXPECT_LT(t, ex_insn(&copy[i - 1]), ex_insn(&copy[i]));
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(t, ex_fixup(search_exception_tables(ex_insn(&copy[i]))),
			  ex_fixup(&copy[i]));
	for (e = __start___ex_table; e < __stop___ex_table; e++) {
		if (e > __start___ex_table)
			EXPECT_LE(t, ex_insn(e - 1), ex_insn(e));
		EXPECT_GE(t, ex_insn(e), (unsigned long)__kernel_start);
		EXPECT_LT(t, ex_insn(e), (unsigned long)__text_end);
		EXPECT_GE(t, ex_fixup(e), (unsigned long)__kernel_start);
		EXPECT_LT(t, ex_fixup(e), (unsigned long)__text_end);
		EXPECT_EQ(t, search_exception_tables(ex_insn(e)), e);
	}
	EXPECT_EQ(t, search_exception_tables((unsigned long)kmain), NULL);
	ktest_log(t, "%ld entries", n);
}

#define PF_PROT_INSTR (PF_PROT | PF_INSTR)    /* 0x11: present, fetch, ring 0 */

static unsigned long smep_error;

static void smep_jump(struct ktest *t, struct task *task)
{
	(void)t, (void)task;
	probe_arm(X86_TRAP_PF, probe_call_resume, 0);
	probe_call(USER_TEXT);
	smep_error = this_cpu_ptr(&trap_probe)->error_code;
}

static void test_smep(struct ktest *t)
{
	if (!smep_enabled)
		KTEST_SKIP(t, "this CPU has no SMEP");
	with_user_space(t, smep_jump);
	EXPECT_EQ(t, smep_error, PF_PROT_INSTR);
}

static void test_user_faults(struct ktest *t)
{
	struct task *task = run_user_program("badptr");

	EXPECT_FALSE(t, task->killed);
	EXPECT_EQ(t, task->exit_code, 0);       /* else: the failing case */
	task_free(task);
	task = run_user_program("demand");
	EXPECT_FALSE(t, task->killed);
	EXPECT_EQ(t, task->exit_code, 0);
	EXPECT_EQ(t, task->demand_zero, 8 + 1); /* 8 data pages, 1 stack page */
	task_free(task);
	task = run_user_program("rowrite");
	EXPECT_TRUE(t, task->killed);
	EXPECT_EQ(t, task->vector, X86_TRAP_PF);
	EXPECT_EQ(t, task->error_code, PF_PROT | PF_WRITE | PF_USER);
	EXPECT_EQ(t, task->fault_addr, USER_RODATA);
	task_free(task);
}

KTEST_SUITE(pagefault,
	KTEST_CASE(test_uaccess),
	KTEST_CASE(test_smap),
	KTEST_CASE(test_asm_try),
	KTEST_CASE(test_extable),
	KTEST_CASE(test_smep),
	KTEST_CASE(test_user_faults));
