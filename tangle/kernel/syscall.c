/* Tangled from chapters/13-syscalls.nw chapters/22-sched.nw chapters/29-utime.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "trace.h"
#include "percpu.h"
#include "syscall.h"
#include "task.h"
#include "desc.h"
#include "uaccess.h"
#include "vectors.h"
#include "sched.h"

__attribute__((always_inline)) inline long do_syscall(struct pt_regs *regs)
{
	sti();
	trace(TRACE_SYSCALL_ENTRY, regs->orig_ax, regs->di, 0);
	this_cpu_read(current_task)->syscalls++;

	unsigned long nr = regs->orig_ax;
	if (likely(nr < NR_syscalls))
		regs->ax = sys_call_table[nr](regs->di, regs->si, regs->dx,
					      regs->r10, regs->r8, regs->r9);
	else
		regs->ax = -ENOSYS;
	trace(TRACE_SYSCALL_EXIT, regs->orig_ax, regs->ax, 0);
	if (unlikely(regs->ip >= USER_TOP || (regs->cs & 3) != 3))
		user_exception(regs, 0, X86_TRAP_GP);
	return regs->ax;
}

void do_int80_syscall(struct pt_regs *regs, unsigned long nr)
{
	(void)nr;                       /* also in regs->orig_ax */
	if (unlikely(regs->cs != USER_CS)) {
		regs->ax = -ENOSYS;
		return;
	}
	do_syscall(regs);
}

#define SYSCALL_ARGS unsigned long a0, unsigned long a1, unsigned long a2, \
	unsigned long a3, unsigned long a4, unsigned long a5
#define UNUSED_ARGS (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5

static long sys_nop(SYSCALL_ARGS)
{
	UNUSED_ARGS;
	return 0;
}

static long sys_getpid(SYSCALL_ARGS)
{
	UNUSED_ARGS;
	return this_cpu_read(current_task)->pid;
}

static long sys_write(SYSCALL_ARGS)
{
	const char *buf = (const char *)a1;
	unsigned long len = a2, done = 0;
	char chunk[128];

	(void)a3, (void)a4, (void)a5;
	if (a0 != 1 && a0 != 2)
		return -EBADF;
	if (!access_ok(buf, len))
		return -EFAULT;
	len = MIN(len, 4096UL);
	while (done < len) {
		unsigned long n = MIN(len - done, sizeof(chunk));
		if (copy_from_user(chunk, buf + done, n))
			return -EFAULT;
		for (unsigned long i = 0; i < n; i++)
			console_putc(chunk[i]);
		done += n;
	}
	return len;
}

static long sys_uname(SYSCALL_ARGS)
{
	static const char name[32] = "litkernel x86_64";

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	return copy_to_user((void *)a0, name, sizeof(name)) ? -EFAULT : 0;
}

static long sys_log(SYSCALL_ARGS)
{
	char msg[80];
	long n = strncpy_from_user(msg, (const char *)a0, sizeof(msg) - 1);

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (n < 0)
		return n;
	msg[n] = '\0';
	printk("%s[%d]: %s\n", current_task_name(),
	       this_cpu_read(current_task)->pid, msg);
	return n;
}

static long sys_set_gs_base(SYSCALL_ARGS)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (a0 >= USER_TOP)
		return -EINVAL;
	wrmsr(MSR_KERNEL_GS_BASE, a0);
	return 0;
}

static long sys_get_gs_base(SYSCALL_ARGS)
{
	UNUSED_ARGS;
	return rdmsr(MSR_KERNEL_GS_BASE);
}

syscall_fn syscall_test_hook;

static long sys_test(SYSCALL_ARGS)
{
	syscall_fn hook = READ_ONCE(syscall_test_hook);

	return hook ? hook(a0, a1, a2, a3, a4, a5) : -ENOSYS;
}

static long sys_report(SYSCALL_ARGS)
{
	struct task *t = this_cpu_read(current_task);

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	if (t->nr_reports < (int)ARRAY_SIZE(t->reports))
		t->reports[t->nr_reports++] = a0;
	return 0;
}

void task_exit(long code) __attribute__((noreturn));

static long sys_exit(SYSCALL_ARGS)
{
	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	task_exit(a0);
}

const syscall_fn sys_call_table[NR_syscalls] = {
	[SYS_nop] = sys_nop,
	[SYS_write] = sys_write,
	[SYS_exit] = sys_exit,
	[SYS_getpid] = sys_getpid,
	[SYS_set_gs_base] = sys_set_gs_base,
	[SYS_get_gs_base] = sys_get_gs_base,
	[SYS_report] = sys_report,
	[SYS_uname] = sys_uname,
	[SYS_log] = sys_log,
	[SYS_test] = sys_test,
	[SYS_yield] = sys_sched_yield,
	[SYS_kill] = sys_kill,

	[SYS_clock_gettime] = sys_clock_gettime,
	[SYS_clock_getres] = sys_clock_getres,
	[SYS_nanosleep] = sys_nanosleep,
	[SYS_clock_nanosleep] = sys_clock_nanosleep,
};

bool sysret_is_safe(const struct pt_regs *regs)
{
	if (regs->cx != regs->ip || regs->r11 != regs->flags)
		return false;           /* SYSRET would not return to the frame */
	if (regs->cs != USER_CS || regs->ss != USER_DS)
		return false;           /* SYSRET loads these from STAR */
	if (regs->ip >= USER_TOP)
		return false;           /* non-canonical: #GP in ring 0 on Intel */
	if (regs->flags & (X86_EFLAGS_RF | X86_EFLAGS_TF))
		return false;           /* SYSRET cannot return these faithfully */
	return true;
}

bool do_syscall_64(struct pt_regs *regs)
{
	do_syscall(regs);
	exit_to_user_mode(regs);
	return sysret_is_safe(regs);
}

DEFINE_PER_CPU(unsigned long, syscall_user_sp);
DEFINE_PER_CPU(unsigned long, syscall_kernel_sp);
extern char entry_SYSCALL_64[], entry_SYSCALL_compat[];

void syscall_init(void)
{
	wrmsr(MSR_STAR, ((u64)USER32_CS << 48) | ((u64)KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (u64)entry_SYSCALL_64);
	wrmsr(MSR_CSTAR, (u64)entry_SYSCALL_compat);
	wrmsr(MSR_SYSCALL_MASK, SYSCALL_FLAGS_MASK);
	wrmsr(MSR_IA32_SYSENTER_CS, 0);
	wrmsr(MSR_IA32_SYSENTER_ESP, 0);
	wrmsr(MSR_IA32_SYSENTER_EIP, 0);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	write_cr0(read_cr0() | CR0_AM);
	this_cpu_write(syscall_kernel_sp, this_cpu_ptr(&cpu_entry)->tss.sp0);
}
