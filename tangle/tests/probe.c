/* Tangled from chapters/11-entry.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "percpu.h"
#include "probe.h"
#include "desc.h"
#include "entry.h"
#include "vectors.h"

DEFINE_PER_CPU(struct trap_probe, trap_probe) = { .vector = -1 };

void probe_arm(int vector, const void *resume, unsigned long resume_sp)
{
	struct trap_probe *p = this_cpu_ptr(&trap_probe);

	memset(p, 0, sizeof(*p));
	p->hit_vector = -1;
	p->resume = (unsigned long)resume;
	p->resume_sp = resume_sp;
	barrier();
	p->vector = vector;
}

bool probe_catch(struct pt_regs *regs, unsigned long error_code, int vector)
{
	struct trap_probe *p = this_cpu_ptr(&trap_probe);
	unsigned long here = (unsigned long)&here;

	if (p->vector != vector)
		return false;
	p->vector = -1;
	p->hit_vector = vector;
	p->error_code = error_code;
	p->ip = regs->ip;
	p->flags = regs->flags;
	p->sp = regs->sp;
	p->cr2 = read_cr2();
	p->handler_sp = here;
	p->handler_flags = save_flags();
	p->gs_base = rdmsr(MSR_GS_BASE);
	if (p->resume)
		regs->ip = p->resume;
	if (vector == X86_TRAP_DB) {
		regs->flags &= ~X86_EFLAGS_TF;  /* stop single-stepping */
		write_dr6(DR6_INIT);            /* as the handler would have */
	}
	if (p->resume_sp)
		regs->sp = p->resume_sp;
	return true;
}

static u64 test_gdt[GDT_ENTRIES + 1] __attribute__((aligned(16)));
static struct desc_ptr kernel_gdtr;

void test_gdt_install(void)
{
	struct desc_ptr gdtr = { sizeof(test_gdt) - 1, (u64)test_gdt };

	store_gdt(&kernel_gdtr);
	memcpy(test_gdt, (void *)kernel_gdtr.address, kernel_gdtr.size + 1);
	test_gdt[GDT_ENTRIES] = GDT_ENTRY(DESC_S | DESC_TYPE_DATA | DESC_DB |
					  DESC_G, 0, 0xfffff);   /* no DESC_P */
	asm volatile("lgdt %0" :: "m"(gdtr) : "memory");
}

void test_gdt_remove(void)
{
	asm volatile("lgdt %0" :: "m"(kernel_gdtr) : "memory");
}

static struct gate_desc saved_gate;

void test_gate_install(unsigned type)
{
	saved_gate = idt_table[TEST_GATE_VECTOR];
	pack_gate(&idt_table[TEST_GATE_VECTOR], type, (unsigned long)asm_int3,
		  0, 0, KERNEL_CS);
}

void test_gate_remove(void)
{
	idt_table[TEST_GATE_VECTOR] = saved_gate;
}
