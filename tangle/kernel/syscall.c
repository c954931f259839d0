/* Tangled from chapters/13-syscalls.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "percpu.h"
#include "syscall.h"
#include "task.h"
#include "desc.h"
#include "uaccess.h"

long do_syscall(struct pt_regs *regs)
{
	unsigned long nr = regs->orig_ax;

	if (likely(nr < NR_syscalls))
		regs->ax = sys_call_table[nr](regs->di, regs->si, regs->dx,
					      regs->r10, regs->r8, regs->r9);
	else
		regs->ax = -ENOSYS;
	return regs->ax;
}
void do_int80_syscall(struct pt_regs *regs, unsigned long nr)
{
	(void)nr;                       /* also in regs->orig_ax */
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
};
DEFINE_PER_CPU(unsigned long, syscall_user_sp);
DEFINE_PER_CPU(unsigned long, syscall_kernel_sp);
extern char entry_SYSCALL_64[];
void syscall_init(void)
{
	wrmsr(MSR_STAR, ((u64)USER32_CS << 48) | ((u64)KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (u64)entry_SYSCALL_64);
	wrmsr(MSR_SYSCALL_MASK, X86_EFLAGS_TF | X86_EFLAGS_DF | X86_EFLAGS_IF |
	      X86_EFLAGS_IOPL | X86_EFLAGS_AC | X86_EFLAGS_NT);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	write_cr0(read_cr0() | CR0_AM);
	this_cpu_write(syscall_kernel_sp, this_cpu_ptr(&cpu_entry)->tss.sp0);
}
