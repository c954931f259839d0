/* Tangled from chapters/10-idt-gdt.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "desc.h"
#include "vectors.h"
#include "percpu.h"
#include "mm.h"
#include "ktest.h"

static void test_pack_gate(struct ktest *t)
{
	struct gate_desc g;
	unsigned long fn = 0xffffffff81234567UL;
	u64 q[2];

	pack_gate(&g, GATE_TRAP, fn, 3, 2, KERNEL_CS);
	memcpy(q, &g, sizeof(q));
	EXPECT_EQ(t, gate_offset(&g), fn);
	/* offset 15:0, selector, IST 2, type 0xf, DPL 3, P, offset 31:16 */
	EXPECT_EQ(t, q[0], 0x8123ef0200084567UL);
	EXPECT_EQ(t, q[1], 0xffffffffUL);        /* offset 63:32, reserved 0 */
}

static void test_idt_contents(struct ktest *t)
{
	struct desc_ptr p;

	store_idt(&p);
	EXPECT_EQ(t, p.address, (u64)idt_table);
	EXPECT_EQ(t, p.size, 16 * NR_VECTORS - 1);
	for (int v = 0; v < NR_VECTORS; v++) {
		const struct gate_desc *g = &idt_table[v];
		bool user = v == X86_TRAP_BP || v == IA32_SYSCALL_VECTOR;
		if (!g->bits.p || g->segment != KERNEL_CS ||
		    gate_offset(g) < (u64)__kernel_start ||
		    gate_offset(g) >= (u64)__text_end || g->bits.dpl != (user ? 3 : 0) ||
		    g->bits.type != GATE_INTERRUPT)
			ktest_log(t, "bad gate %#x", v), t->failures++;
	}
	EXPECT_EQ(t, (unsigned)idt_table[X86_TRAP_NMI].bits.ist, IST_NMI);
	EXPECT_EQ(t, (unsigned)idt_table[X86_TRAP_DF].bits.ist, IST_DF);
	EXPECT_EQ(t, (unsigned)idt_table[X86_TRAP_MC].bits.ist, IST_MC);
	EXPECT_EQ(t, (unsigned)idt_table[X86_TRAP_DB].bits.ist, IST_DB);
	EXPECT_EQ(t, (unsigned)idt_table[X86_TRAP_PF].bits.ist, 0);
}

static void test_gdt_tss(struct ktest *t)
{
	struct cpu_entry *ce = this_cpu_ptr(&cpu_entry);
	struct desc_ptr p;
	u16 cs;

	store_gdt(&p);
	asm volatile("mov %%cs, %0" : "=r"(cs));
	EXPECT_EQ(t, p.address, (u64)ce->gdt);
	EXPECT_EQ(t, cs, KERNEL_CS);
	EXPECT_EQ(t, store_tr(), TSS_SEL);
	EXPECT_EQ(t, store_ldt(), 0);                              /* no LDT */
	EXPECT_EQ(t, (ce->gdt[GDT_ENTRY_TSS] >> 40) & 0xf, 0xb);   /* busy */
	EXPECT_EQ(t, KERNEL_DS, KERNEL_CS + 8);                    /* SYSCALL */
	EXPECT_EQ(t, USER_DS, (USER32_CS & ~3) + 8 + 3);           /* SYSRET */
	EXPECT_EQ(t, USER_CS, (USER32_CS & ~3) + 16 + 3);
	for (int i = 0; i < IST_DB; i++) {
		EXPECT_EQ(t, ce->tss.ist[i], ce->ist_stack_base[i] + IST_STACK_SIZE);
		EXPECT_FALSE(t, translate(kernel_pml4, ce->ist_stack_base[i] - 1,
					  NULL, NULL));
	}
}

KTEST_SUITE(idt,
	KTEST_CASE(test_pack_gate),
	KTEST_CASE(test_idt_contents),
	KTEST_CASE(test_gdt_tss));
