/* Tangled from chapters/15-page-faults.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "kernel.h"
#include "extable.h"
#include "smap.h"
#include "task.h"
#include "syscall.h"

unsigned long copy_from_user(void *to, const void *from, unsigned long n);
unsigned long copy_to_user(void *to, const void *from, unsigned long n);
long strncpy_from_user(char *dst, const char *src, long count);

#define get_user(x, ptr) ({						\
	int e__ = -EFAULT;						\
	__typeof__(ptr) p__ = (ptr);					\
	__typeof__((__typeof__(*p__))0) v__ = 0;	/* unqualified */	\
	if (access_ok(p__, sizeof(*p__))) {				\
		e__ = 0;						\
		asm volatile(ASM_STAC					\
			     "1: mov %[mem], %[val]\n\t"		\
			     ASM_CLAC					\
			     "2:\n\t"					\
			     ".pushsection .fixup, \"ax\"\n"		\
			     "3:\t" ASM_CLAC				\
			     "movl %[efault], %[err]\n\t"		\
			     "xorl %k[val], %k[val]\n\t"		\
			     "jmp 2b\n\t"				\
			     ".popsection\n\t"				\
			     _ASM_EXTABLE(1b, 3b)			\
			     : [err] "+r"(e__), [val] "=&r"(v__)	\
			     : [mem] "m"(*p__), [efault] "i"(-EFAULT));	\
	}								\
	(x) = v__;							\
	e__;								\
})

#define put_user(x, ptr) ({						\
	int e__ = -EFAULT;						\
	__typeof__(ptr) p__ = (ptr);					\
	__typeof__(*p__) v__ = (x);					\
	if (access_ok(p__, sizeof(*p__))) {				\
		e__ = 0;						\
		asm volatile(ASM_STAC					\
			     "1: mov %[val], %[mem]\n\t"		\
			     ASM_CLAC					\
			     "2:\n\t"					\
			     ".pushsection .fixup, \"ax\"\n"		\
			     "3:\t" ASM_CLAC				\
			     "movl %[efault], %[err]\n\t"		\
			     "jmp 2b\n\t"				\
			     ".popsection\n\t"				\
			     _ASM_EXTABLE(1b, 3b)			\
			     : [err] "+r"(e__), [mem] "=m"(*p__)		\
			     : [val] "r"(v__), [efault] "i"(-EFAULT));	\
	}								\
	e__;								\
})
