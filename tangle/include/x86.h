/* Tangled from chapters/02-console.nw chapters/10-idt-gdt.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "types.h"

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" :: "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(u16 port, u32 v)
{
	asm volatile("outl %0, %1" :: "a"(v), "Nd"(port));
}

static inline u32 inl(u16 port)
{
	u32 v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" :: "c"(msr), "a"((u32)v), "d"((u32)(v >> 32))
		     : "memory");
}

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	asm volatile("cpuid"
		     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub));
}

#define DEFINE_CR_ACCESSORS(n)						\
static inline u64 read_cr##n(void)					\
{									\
	u64 v;								\
	asm volatile("mov %%cr" #n ", %0" : "=r"(v));			\
	return v;							\
}									\
static inline void write_cr##n(u64 v)					\
{									\
	asm volatile("mov %0, %%cr" #n :: "r"(v) : "memory");		\
}

DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)

#define X86_EFLAGS_IF (1UL << 9)

static inline void cli(void) { asm volatile("cli" ::: "memory"); }
static inline void sti(void) { asm volatile("sti" ::: "memory"); }
static inline void hlt(void) { asm volatile("hlt" ::: "memory"); }
static inline void pause(void) { asm volatile("pause" ::: "memory"); }

static inline u64 save_flags(void)
{
	u64 f;

	asm volatile("pushfq; popq %0" : "=r"(f) :: "memory");
	return f;
}

static inline u64 local_irq_save(void)
{
	u64 f = save_flags();

	cli();
	return f;
}

static inline void local_irq_restore(u64 f)
{
	if (f & X86_EFLAGS_IF)
		sti();
}

static inline void invlpg(const void *va)
{
	asm volatile("invlpg (%0)" :: "r"(va) : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

#define DEFINE_DR_ACCESSORS(n)						\
static inline u64 read_dr##n(void)					\
{									\
	u64 v;								\
	asm volatile("mov %%db" #n ", %0" : "=r"(v));			\
	return v;							\
}									\
static inline void write_dr##n(u64 v)					\
{									\
	asm volatile("mov %0, %%db" #n :: "r"(v) : "memory");		\
}

DEFINE_DR_ACCESSORS(0)
DEFINE_DR_ACCESSORS(6)
DEFINE_DR_ACCESSORS(7)

#define DR6_INIT  0xffff0ff0UL          /* DR6 with no event recorded */
#define DR6_BS    (1UL << 14)           /* single step */
#define DR6_TRAPS 0xfUL                 /* breakpoints 0-3 hit */
#define DR7_L0    (1UL << 0)            /* breakpoint 0 enabled */
