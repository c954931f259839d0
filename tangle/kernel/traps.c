/* Tangled from chapters/12-dispatch.nw chapters/21-ipi.nw chapters/25-workqueue.nw chapters/28-timers.nw chapters/30-watchdog.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "trace.h"
#include "percpu.h"
#include "traps.h"
#include "entry.h"
#include "task.h"
#include "kallsyms.h"
#include "vectors.h"
#include "irq.h"
#include "extable.h"
#include "mm.h"
#include "smp.h"
#include "workqueue.h"
#include "timer.h"

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range exceeded", "invalid opcode", "device not available",
	"double fault", "coprocessor segment overrun", "invalid TSS",
	"segment not present", "stack segment", "general protection",
	"page fault", "reserved 15", "x87 floating-point error",
	"alignment check", "machine check", "SIMD floating-point error",
	"virtualization", "control protection", "reserved 22", "reserved 23",
	"reserved 24", "reserved 25", "reserved 26", "reserved 27",
	"hypervisor injection", "VMM communication", "security", "reserved 31",
};

const char *exception_name(int vector)
{
	return vector >= 0 && vector < 32 ? exception_names[vector] : "interrupt";
}

bool (*exception_hook)(struct pt_regs *regs, unsigned long error_code, int vector);

#define ENTRY_WRAPPER(name, vec)					\
	void exc_##name(struct pt_regs *regs, unsigned long error_code)	\
	{								\
		if (vec == X86_TRAP_NMI)				\
			nmi_enter();					\
		trace(TRACE_EXC_ENTRY, vec, regs->ip, error_code);	\
		if (likely(exception_hook == NULL) ||			\
		    !exception_hook(regs, error_code, vec))		\
			do_##name(regs, error_code);			\
		trace(TRACE_EXC_EXIT, vec, 0, 0);			\
		if (vec == X86_TRAP_NMI)				\
			nmi_exit();					\
	}
#define WRAP_NOERR ENTRY_WRAPPER
#define WRAP_ERR ENTRY_WRAPPER
#define WRAP_PARANOID ENTRY_WRAPPER
#define WRAP_PARANOID_ERR ENTRY_WRAPPER
#define WRAP_SYSCALL(name, vec)
#define VECTOR(vec, trap, name, kind, ist, dpl, gate, handler) WRAP_##kind(name, vec)
#include "vector-list.h"
#undef VECTOR

void handle_exception(struct pt_regs *regs, unsigned long error_code, int vector)
{
	if (vector == X86_TRAP_MC)
		die("machine check", regs, error_code, vector);
	if (user_mode(regs)) {
		user_exception(regs, error_code, vector);
		return;
	}
	if (fixup_exception(regs, vector, error_code))
		return;
	if (in_irq())
		die("exception in interrupt context", regs, error_code, vector);
	die(exception_name(vector), regs, error_code, vector);
}

#define HANDLER_DEFAULT(name, vec)					\
	void do_##name(struct pt_regs *regs, unsigned long error_code)	\
	{								\
		handle_exception(regs, error_code, vec);		\
	}
#define HANDLER_OWN(name, vec)
#define VECTOR(vec, trap, name, kind, ist, dpl, gate, handler) HANDLER_##handler(name, vec)
#include "vector-list.h"
#undef VECTOR

DEFINE_PER_CPU(unsigned long, int3_count);

void do_int3(struct pt_regs *regs, unsigned long error_code)
{
	(void)error_code;
	if (user_mode(regs)) {
		printk("breakpoint in %s at %#lx\n", current_task_name(), regs->ip);
		return;
	}
	this_cpu_inc(int3_count);
}

DEFINE_PER_CPU(unsigned long, kernel_debug_count);

void do_debug(struct pt_regs *regs, unsigned long error_code)
{
	unsigned long dr6 = read_dr6();

	write_dr6(DR6_INIT);
	if (user_mode(regs))
		user_exception(regs, error_code, X86_TRAP_DB);
	this_cpu_inc(kernel_debug_count);
	printk("debug exception in the kernel at %#lx (DR6 %#lx): ", regs->ip, dr6);
	if (dr6 & DR6_BS)
		regs->flags &= ~X86_EFLAGS_TF;
	if (dr6 & DR6_TRAPS)
		write_dr7(0);
	printk("%s\n", dr6 & DR6_TRAPS ? "breakpoints disarmed" : "single-step stopped");
}

DEFINE_PER_CPU(unsigned long, nmi_count);

void do_nmi(struct pt_regs *regs, unsigned long error_code)
{
	unsigned long cr2 = read_cr2();

	(void)error_code;
	this_cpu_inc(nmi_count);
	if (smp_stop_requested && !this_cpu_read(cpu_stopped))
		stop_this_cpu(regs, "NMI");
	if (this_cpu_read(nmi_backtrace_requested)) {
		nmi_cpu_backtrace(regs);
		if (read_cr2() != cr2)
			write_cr2(cr2);
		return;
	}
	printk("NMI received on CPU %u at %#lx\n", smp_processor_id(), regs->ip);
	if (read_cr2() != cr2)
		write_cr2(cr2);
}

void do_double_fault(struct pt_regs *regs, unsigned long error_code)
{
	unsigned long cr2 = read_cr2();
	bool guard = !translate(kernel_pml4, cr2, NULL, NULL) &&
		     translate(kernel_pml4, cr2 + PAGE_SIZE, NULL, NULL);

	printk("double fault: RSP %#lx, CR2 %#lx%s\n", regs->sp, cr2,
	       guard ? ": a guard page, kernel stack overflow?" : "");
	die("double fault", regs, error_code, X86_TRAP_DF);
}

void die(const char *what, struct pt_regs *regs, unsigned long error_code,
	 int vector)
{
	static int oops_count;

	cli();
	printk("\nOops: %s [#%d] CPU %u\n", what, ++oops_count, smp_processor_id());
	if (this_cpu_read(call_running)) {
		printk("while running a cross-CPU call from CPU %u: ",
		       this_cpu_read(call_running_from));
		print_symbol("", (unsigned long)this_cpu_read(call_running));
	}
	if (current->flags & PF_WQ_WORKER)
		wq_worker_describe(current);
	if (this_cpu_read(running_timer_fn))
		print_symbol("Timer function: ", (unsigned long)this_cpu_read(running_timer_fn));
	if (vector >= 0 && vector < 32)
		printk("vector %d, error code %#lx\n", vector, error_code);
	if (vector == X86_TRAP_PF)
		printk("CR2: %016lx (the address that faulted)\n", read_cr2());
	show_regs(regs);
	printk("Code:");
	for (unsigned long a = regs->ip - 21; a < regs->ip + 11; a++) {
		if (!translate(kernel_pml4, a, NULL, NULL)) {
			printk(" ??");
			continue;
		}
		printk(a == regs->ip ? " <%02x>" : " %02x", *(const u8 *)a);
	}
	printk("\n");
	printk("Call Trace:\n");
	print_symbol("  ", regs->ip);
	show_backtrace(regs->bp);
	if ((current->flags & PF_WQ_WORKER) && !in_interrupt()) {
		printk("workqueue: %s dies; its pool replaces it\n", current->name);
		wq_worker_dying(current);
		this_cpu_write(preempt_count, this_cpu_read(preempt_count) & PREEMPT_NEED_RESCHED);
		do_exit(-EFAULT);
	}
	panic("Fatal exception");
}

void show_regs(const struct pt_regs *regs)
{
	printk("RIP: %04lx:%016lx ", regs->cs, regs->ip);
	print_symbol("", regs->ip);
	printk("RSP: %04lx:%016lx EFLAGS: %08lx ORIG_RAX: %016lx\n",
	       regs->ss, regs->sp, regs->flags, regs->orig_ax);
	printk("RAX: %016lx RBX: %016lx RCX: %016lx\n", regs->ax, regs->bx, regs->cx);
	printk("RDX: %016lx RSI: %016lx RDI: %016lx\n", regs->dx, regs->si, regs->di);
	printk("RBP: %016lx R08: %016lx R09: %016lx\n", regs->bp, regs->r8, regs->r9);
	printk("R10: %016lx R11: %016lx R12: %016lx\n", regs->r10, regs->r11, regs->r12);
	printk("R13: %016lx R14: %016lx R15: %016lx\n", regs->r13, regs->r14, regs->r15);
	printk("CR0: %016lx CR3: %016lx CR4: %016lx\n", read_cr0(), read_cr3(), read_cr4());
	printk("GS:  %016lx KERNEL_GS: %016lx\n", rdmsr(MSR_GS_BASE),
	       rdmsr(MSR_KERNEL_GS_BASE));
}

void show_backtrace(unsigned long bp)
{
	for (int depth = 0; depth < 32; depth++) {
		if (!bp || bp % 8 || bp < KERNEL_VMA - (1UL << 46) ||
		    !translate(kernel_pml4, bp, NULL, NULL) ||
		    !translate(kernel_pml4, bp + 8, NULL, NULL))
			break;
		unsigned long ret = ((unsigned long *)bp)[1];
		if (!ret)
			break;
		print_symbol("  ", ret);
		bp = ((unsigned long *)bp)[0];
	}
}
