/* Tangled from chapters/12-dispatch.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "percpu.h"
#include "ptregs.h"
#include "traps.h"
#include "probe.h"
#include "desc.h"
#include "kallsyms.h"
#include "vectors.h"
#include "ktest.h"

static void test_saved_registers(struct ktest *t)
{
	struct trap_probe *p = this_cpu_ptr(&trap_probe);
	unsigned long rbx = 0, r12 = 0;

	test_gate_install(GATE_TRAP);
	probe_arm(X86_TRAP_BP, NULL, 0);
	asm volatile("movq $0x1111, %%rbx\n\t"
		     "movq $0x2222, %%r12\n\t"
		     "int %2\n\t"
		     "movq %%rbx, %0\n\t"
		     "movq %%r12, %1"
		     : "=r"(rbx), "=r"(r12) : "i"(TEST_GATE_VECTOR)
		     : "rbx", "r12", "memory");
	test_gate_remove();
	EXPECT_EQ(t, p->hit_vector, X86_TRAP_BP);
	EXPECT_EQ(t, rbx, 0x1111);              /* preserved across the trap */
	EXPECT_EQ(t, r12, 0x2222);
	EXPECT_EQ(t, p->error_code, -1UL);      /* the stub's dummy */
	EXPECT_EQ(t, p->flags & 2, 2);          /* RFLAGS bit 1 is always 1 */
}

static int frames_seen;
static unsigned long frame_addr[4];

static __attribute__((noinline)) void record_frames(void)
{
	unsigned long bp = (unsigned long)__builtin_frame_address(0);

	for (frames_seen = 0; frames_seen < 4 && bp; frames_seen++) {
		frame_addr[frames_seen] = ((unsigned long *)bp)[1];
		bp = ((unsigned long *)bp)[0];
	}
}

static void test_frame_chain(struct ktest *t)
{
	unsigned long off, size;

	record_frames();
	ASSERT_GT(t, frames_seen, 1);
	EXPECT_STREQ(t, kallsyms_lookup(frame_addr[0], &off, &size),
		     "test_frame_chain");
	EXPECT_STREQ(t, kallsyms_lookup(frame_addr[1], &off, &size), "run_suite");
}

__attribute__((noinline)) static void ktest_oops_trigger(void)
{
	asm volatile("ud2");
}

KTEST_CRASH(oops, ktest_oops_trigger,
	"Oops: invalid opcode", "RIP: 0008:", "ktest_oops_trigger",
	"Code:", "<0f> 0b", "Call Trace:", "ktest_main",
	"Kernel panic - not syncing: Fatal exception");

static void test_int3_counted(struct ktest *t)
{
	unsigned long before = this_cpu_read(int3_count);

	asm volatile("int3" ::: "memory");
	asm volatile("int3" ::: "memory");
	EXPECT_EQ(t, this_cpu_read(int3_count), before + 2);
}

static void test_kallsyms(struct ktest *t)
{
	unsigned long off, size;
	const char *name = kallsyms_lookup((unsigned long)show_backtrace, &off, &size);

	ASSERT_NE(t, name, NULL);
	EXPECT_STREQ(t, name, "show_backtrace");
	EXPECT_EQ(t, off, 0);
	name = kallsyms_lookup((unsigned long)kmain + 5, &off, &size);
	EXPECT_STREQ(t, name, "kmain");
	EXPECT_EQ(t, off, 5);
	EXPECT_GT(t, size, 5);
	EXPECT_EQ(t, kallsyms_lookup(0x1000, &off, &size), NULL);
}

KTEST_SUITE(dispatch,
	KTEST_CASE(test_saved_registers),
	KTEST_CASE(test_int3_counted),
	KTEST_CASE(test_kallsyms),
	KTEST_CASE(test_frame_chain));
