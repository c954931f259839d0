/* Tangled from chapters/13-syscalls.nw chapters/29-utime.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "ptregs.h"
#include "errno.h"

#define SYS_nop         0
#define SYS_write       1
#define SYS_exit        2
#define SYS_getpid      3
#define SYS_set_gs_base 4
#define SYS_get_gs_base 5
#define SYS_report      6
#define SYS_uname       7
#define SYS_log         8
#define SYS_test        9       /* a hook for tests; -ENOSYS otherwise */
#define SYS_yield       10      /* Chapter sched */
#define SYS_kill        11      /* Chapter sched */
#define SYS_clock_gettime   12  /* Chapter utime */
#define SYS_clock_getres    13  /* Chapter utime */
#define SYS_nanosleep       14  /* Chapter utime */
#define SYS_clock_nanosleep 15  /* Chapter utime */
#define NR_syscalls     16

#ifndef __ASSEMBLER__
typedef long (*syscall_fn)(unsigned long, unsigned long, unsigned long,
			   unsigned long, unsigned long, unsigned long);
extern const syscall_fn sys_call_table[NR_syscalls];
extern syscall_fn syscall_test_hook;
void syscall_init(void);
long do_syscall(struct pt_regs *regs);
bool do_syscall_64(struct pt_regs *regs);
bool sysret_is_safe(const struct pt_regs *regs);
#endif

#ifndef __ASSEMBLER__
#include "percpu.h"
DECLARE_PER_CPU(unsigned long, syscall_kernel_sp);

static inline struct pt_regs *current_pt_regs(void)
{
	return (struct pt_regs *)this_cpu_read(syscall_kernel_sp) - 1;
}
#endif

#define SYSCALL_FLAGS_MASK (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
	X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF | X86_EFLAGS_IF | \
	X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_IOPL | X86_EFLAGS_NT | \
	X86_EFLAGS_RF | X86_EFLAGS_AC | X86_EFLAGS_ID)

#ifndef __ASSEMBLER__
long sys_clock_gettime(unsigned long, unsigned long, unsigned long,
		       unsigned long, unsigned long, unsigned long);
long sys_clock_getres(unsigned long, unsigned long, unsigned long,
		      unsigned long, unsigned long, unsigned long);
long sys_nanosleep(unsigned long, unsigned long, unsigned long,
		   unsigned long, unsigned long, unsigned long);
long sys_clock_nanosleep(unsigned long, unsigned long, unsigned long,
			 unsigned long, unsigned long, unsigned long);
extern unsigned long clock_gettime_syscalls;
#endif
