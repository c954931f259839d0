/* Tangled from chapters/15-page-faults.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "percpu.h"
#include "task.h"
#include "traps.h"
#include "extable.h"
#include "smap.h"
#include "uaccess.h"
#include "vectors.h"
#include "irq.h"

DEFINE_PER_CPU(unsigned long, demand_zero_faults);

int handle_user_fault(struct task *t, unsigned long addr, unsigned long error_code)
{
	const struct vm_region *r = NULL;

	for (int i = 0; i < t->nr_regions; i++)
		if (addr >= t->regions[i].start && addr < t->regions[i].end)
			r = &t->regions[i];
	if (!r || (error_code & PF_PROT) ||
	    ((error_code & PF_WRITE) && !(r->flags & VM_WRITE)) ||
	    ((error_code & PF_INSTR) && !(r->flags & VM_EXEC)))
		return -1;
	u64 pa = frame_alloc();
	unsigned long page = addr & ~(PAGE_SIZE - 1);

	if (!pa)
		return -1;
	void *dst = phys_to_virt(pa);
	unsigned long count = PAGE_SIZE / 8;
	asm volatile("rep stosq" : "+D"(dst), "+c"(count) : "a"(0UL) : "memory");
	if (map_page(t->pml4, page, pa, PTE_U | ((r->flags & VM_WRITE) ? PTE_W : 0) |
		     ((r->flags & VM_EXEC) ? 0 : pte_nx))) {
		frame_free(pa);
		return -1;
	}
	t->demand_zero++;
	this_cpu_inc(demand_zero_faults);
	return 0;
}

void do_page_fault(struct pt_regs *regs, unsigned long error_code)
{
	unsigned long addr = read_cr2();
	struct task *t = this_cpu_read(current_task);
	bool smap_violation = smap_enabled && !(error_code & PF_USER) &&
			      !(regs->flags & X86_EFLAGS_AC);

	if (error_code & PF_RSVD)
		die("reserved bit set in a page-table entry", regs, error_code,
		    X86_TRAP_PF);
	if (addr < USER_TOP && t && !smap_violation && !in_interrupt() &&
	    handle_user_fault(t, addr, error_code) == 0)
		return;
	if (!user_mode(regs)) {
		if (fixup_exception(regs, X86_TRAP_PF, error_code))
			return;
		if (addr < PAGE_SIZE)
			printk("BUG: kernel NULL pointer dereference, address: %016lx\n", addr);
		else
			printk("BUG: unable to handle page fault for address: %016lx\n", addr);
		printk("#PF: %s %s in %s mode%s\n",
		       error_code & PF_USER ? "user" : "supervisor",
		       error_code & PF_INSTR ? "instruction fetch" :
		       error_code & PF_WRITE ? "write access" : "read access",
		       user_mode(regs) ? "user" : "kernel",
		       smap_violation && addr < USER_TOP &&
		       (error_code & (PF_PROT | PF_INSTR)) == PF_PROT ? " (SMAP: no stac)" : "");
		printk("#PF: error_code(0x%04lx) - %s\n", error_code,
		       error_code & PF_PROT ? "permissions violation" : "not-present page");
		die("page fault", regs, error_code, X86_TRAP_PF);
	}
	t->fault_addr = addr;           /* CR2 as read on entry */
	user_exception(regs, error_code, X86_TRAP_PF);
}
