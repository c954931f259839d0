/* Tangled from chapters/10-idt-gdt.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "desc.h"
#include "vectors.h"
#include "entry.h"

struct gate_desc idt_table[NR_VECTORS] __attribute__((aligned(PAGE_SIZE)));

void pack_gate(struct gate_desc *g, unsigned type, unsigned long func,
	       unsigned dpl, unsigned ist, unsigned seg)
{
	g->offset_low = (u16)func;
	g->segment = seg;
	g->bits.ist = ist;
	g->bits.zero = 0;
	g->bits.type = type;
	g->bits.dpl = dpl;
	g->bits.p = 1;
	g->offset_middle = (u16)(func >> 16);
	g->offset_high = (u32)(func >> 32);
	g->reserved = 0;
}

void set_intr_gate(unsigned n, const void *fn)
{
	pack_gate(&idt_table[n], GATE_INTERRUPT, (unsigned long)fn, 0, 0, KERNEL_CS);
}

void set_trap_gate(unsigned n, const void *fn)
{
	pack_gate(&idt_table[n], GATE_TRAP, (unsigned long)fn, 0, 0, KERNEL_CS);
}

void set_system_intr_gate(unsigned n, const void *fn)
{
	pack_gate(&idt_table[n], GATE_INTERRUPT, (unsigned long)fn, 3, 0, KERNEL_CS);
}

void set_system_trap_gate(unsigned n, const void *fn)
{
	pack_gate(&idt_table[n], GATE_TRAP, (unsigned long)fn, 3, 0, KERNEL_CS);
}

void idt_setup(void)
{
	for (unsigned v = FIRST_EXTERNAL_VECTOR; v < NR_VECTORS; v++)
		set_intr_gate(v, irq_entries_start + 8 * (v - FIRST_EXTERNAL_VECTOR));
#define VECTOR(vec, trap, name, kind, ist, dpl, gate, handler) \
	pack_gate(&idt_table[vec], GATE_##gate, (unsigned long)asm_##name, \
		  dpl, ist, KERNEL_CS);
#include "vector-list.h"
#undef VECTOR
}

void load_idt(void)
{
	struct desc_ptr idtr = { sizeof(idt_table) - 1, (u64)idt_table };

	asm volatile("lidt %0" :: "m"(idtr));
}
