/* Tangled from chapters/11-entry.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "percpu.h"
#include "probe.h"

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
	if (vector == 1)
		regs->flags &= ~X86_EFLAGS_TF;  /* stop single-stepping */
	if (p->resume_sp)
		regs->sp = p->resume_sp;
	return true;
}
