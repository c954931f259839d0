/* Tangled from chapters/11-entry.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "percpu.h"
#include "desc.h"
#include "vectors.h"
#include "entry.h"
#include "probe.h"
#include "mm.h"
#include "ktest.h"

static struct trap_probe *run_probe(void (*fn)(unsigned long), unsigned long arg,
				    int vector, const void *resume)
{
	probe_arm(vector, resume, 0);
	fn(arg);
	return this_cpu_ptr(&trap_probe);
}

#define CHECK_PROBE(t, p, vec, err, rip) do {				\
	EXPECT_EQ(t, (p)->hit_vector, vec);				\
	EXPECT_EQ(t, (p)->error_code, err);				\
	EXPECT_EQ(t, (p)->ip, (unsigned long)(rip));			\
} while (0)

static void test_faults_and_traps(struct ktest *t)
{
	struct trap_probe *p;

	p = run_probe(probe_divide, 0, X86_TRAP_DE, probe_divide_resume);
	CHECK_PROBE(t, p, X86_TRAP_DE, -1UL, probe_divide_insn);        /* fault */
	p = run_probe(probe_int3, 0, X86_TRAP_BP, probe_int3_resume);
	CHECK_PROBE(t, p, X86_TRAP_BP, -1UL, probe_int3_resume);        /* trap */
	p = run_probe(probe_single_step, 0, X86_TRAP_DB, probe_single_step_resume);
	CHECK_PROBE(t, p, X86_TRAP_DB, -1UL, probe_single_step_resume); /* trap */
	p = run_probe(probe_ud2, 0, X86_TRAP_UD, probe_ud2_resume);
	CHECK_PROBE(t, p, X86_TRAP_UD, -1UL, probe_ud2_insn);           /* fault */
	p = run_probe(probe_gp_selector, 0, X86_TRAP_GP, probe_gp_selector_resume);
	CHECK_PROBE(t, p, X86_TRAP_GP, TEST_NP_SEL, probe_gp_selector_insn);
	test_gdt_install();
	p = run_probe(probe_ss, 0, X86_TRAP_SS, probe_ss_resume);
	test_gdt_remove();
	CHECK_PROBE(t, p, X86_TRAP_SS, TEST_NP_SEL, probe_ss_insn);
}

static bool on_stack(unsigned long sp, unsigned long base, unsigned long size)
{
	return sp >= base && sp < base + size;
}

static void test_double_fault_ist(struct ktest *t)
{
	struct cpu_entry *ce = this_cpu_ptr(&cpu_entry);
	struct trap_probe *p = this_cpu_ptr(&trap_probe);
	u8 *small = vmap_stack(PAGE_SIZE);
	unsigned long rsp;

	asm volatile("mov %%rsp, %0" : "=r"(rsp));
	probe_arm(X86_TRAP_DF, probe_stack_overflow_resume, rsp - 16);
	probe_stack_overflow((unsigned long)small + PAGE_SIZE);
	EXPECT_EQ(t, p->hit_vector, X86_TRAP_DF);
	EXPECT_EQ(t, p->error_code, 0);
	EXPECT_TRUE(t, on_stack(p->handler_sp, ce->ist_stack_base[IST_DF - 1],
				IST_STACK_SIZE));
	EXPECT_EQ(t, p->cr2, (unsigned long)small - 8);
}

static void test_page_fault(struct ktest *t)
{
	u8 *stack = vmap_stack(PAGE_SIZE);
	unsigned long guard = (unsigned long)stack - 8;
	struct trap_probe *p = run_probe(probe_pf_read, guard, X86_TRAP_PF,
					 probe_pf_read_resume);

	CHECK_PROBE(t, p, X86_TRAP_PF, 0, probe_pf_read_insn);
	EXPECT_EQ(t, p->cr2, guard);
}

static void test_gate_types(struct ktest *t)
{
	struct trap_probe *p = this_cpu_ptr(&trap_probe);
	u64 flags = local_irq_save();

	test_gate_install(GATE_TRAP);
	probe_arm(X86_TRAP_BP, NULL, 0);
	sti();
	asm volatile("int %0" :: "i"(TEST_GATE_VECTOR) : "memory");
	cli();
	EXPECT_EQ(t, p->hit_vector, X86_TRAP_BP);
	EXPECT_TRUE(t, p->handler_flags & X86_EFLAGS_IF);       /* trap gate */
	EXPECT_TRUE(t, p->flags & X86_EFLAGS_IF);
	test_gate_install(GATE_INTERRUPT);
	probe_arm(X86_TRAP_BP, NULL, 0);
	sti();
	asm volatile("int %0" :: "i"(TEST_GATE_VECTOR) : "memory");
	cli();
	test_gate_remove();
	EXPECT_EQ(t, p->hit_vector, X86_TRAP_BP);
	EXPECT_FALSE(t, p->handler_flags & X86_EFLAGS_IF);      /* interrupt gate */
	local_irq_restore(flags);
}

static void test_irq_stack(struct ktest *t)
{
	unsigned long top = this_cpu_read(hardirq_stack_ptr);

	EXPECT_NE(t, top, 0);
	EXPECT_TRUE(t, translate(kernel_pml4, top - 8, NULL, NULL));
	EXPECT_FALSE(t, translate(kernel_pml4, top - IRQ_STACK_SIZE - 8, NULL, NULL));
	EXPECT_EQ(t, this_cpu_read(hardirq_stack_inuse), 0);
}

KTEST_SUITE(entry,
	KTEST_CASE(test_faults_and_traps),
	KTEST_CASE(test_page_fault),
	KTEST_CASE(test_gate_types),
	KTEST_CASE(test_double_fault_ist),
	KTEST_CASE(test_irq_stack));
