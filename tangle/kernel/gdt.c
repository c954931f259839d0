/* Tangled from chapters/10-idt-gdt.nw chapters/11-entry.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "desc.h"
#include "percpu.h"
#include "entry.h"
#include "mm.h"

#define CODE (DESC_P | DESC_S | DESC_TYPE_CODE | DESC_G)
#define DATA (DESC_P | DESC_S | DESC_TYPE_DATA | DESC_G | DESC_DB)

static const u64 gdt_template[GDT_ENTRIES] = {
	[GDT_ENTRY_KERNEL_CS] = GDT_ENTRY(CODE | DESC_L, 0, 0xfffff),
	[GDT_ENTRY_KERNEL_DS] = GDT_ENTRY(DATA, 0, 0xfffff),
	[GDT_ENTRY_USER32_CS] = GDT_ENTRY(CODE | DESC_DB | DESC_DPL3, 0, 0xfffff),
	[GDT_ENTRY_USER_DS]   = GDT_ENTRY(DATA | DESC_DPL3, 0, 0xfffff),
	[GDT_ENTRY_USER_CS]   = GDT_ENTRY(CODE | DESC_L | DESC_DPL3, 0, 0xfffff),
};

DEFINE_PER_CPU(struct cpu_entry, cpu_entry);

static void set_tss_desc(u64 *gdt, const struct tss *tss)
{
	u64 base = (u64)tss;

	gdt[GDT_ENTRY_TSS] = GDT_ENTRY(DESC_P | 0x9, base, sizeof(*tss) - 1);
	gdt[GDT_ENTRY_TSS + 1] = base >> 32;
}

void cpu_init_descriptors(unsigned cpu)
{
	struct cpu_entry *ce = per_cpu_ptr(&cpu_entry, cpu);

	memcpy(ce->gdt, gdt_template, sizeof(gdt_template));
	for (int i = IST_DF; i <= IST_DB; i++) {
		ce->ist_stack_base[i - 1] = (u64)vmap_stack(IST_STACK_SIZE);
		ce->tss.ist[i - 1] = ce->ist_stack_base[i - 1] + IST_STACK_SIZE;
	}
	ce->task_stack_base = (u64)vmap_stack(TASK_STACK_SIZE);
	ce->tss.sp0 = ce->task_stack_base + TASK_STACK_SIZE;
	ce->tss.io_bitmap_base = sizeof(struct tss);
	BUG_ON((long)rdmsr(MSR_GS_BASE) >= 0);  /* the paranoid entry's test */
	per_cpu(hardirq_stack_ptr, cpu) = (u64)vmap_stack(IRQ_STACK_SIZE) + IRQ_STACK_SIZE;
	set_tss_desc(ce->gdt, &ce->tss);
	struct desc_ptr gdtr = { sizeof(ce->gdt) - 1, (u64)ce->gdt };

	asm volatile("lgdt %0" :: "m"(gdtr));
	asm volatile("pushq %[cs]\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "movl %[ds], %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%ss\n\t"
		     :: [cs] "i"(KERNEL_CS), [ds] "i"(KERNEL_DS) : "rax", "memory");
	asm volatile("ltr %w0" :: "r"(TSS_SEL));
	asm volatile("lldt %w0" :: "r"(0));
	write_dr7(0);
	write_dr6(DR6_INIT);
}

DEFINE_PER_CPU(unsigned long, hardirq_stack_ptr);
DEFINE_PER_CPU(u8, hardirq_stack_inuse);
