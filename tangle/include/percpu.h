/* Tangled from chapters/04-percpu.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "kernel.h"

#define NR_CPUS 256

#define PER_CPU_SECTION __attribute__((section(".data..percpu")))
#define DEFINE_PER_CPU(type, name)  PER_CPU_SECTION __typeof__(type) name
#define DECLARE_PER_CPU(type, name) extern PER_CPU_SECTION __typeof__(type) name

extern unsigned long __per_cpu_offset[NR_CPUS];
extern unsigned nr_cpu_ids;
extern char __per_cpu_start[], __per_cpu_end[];

DECLARE_PER_CPU(unsigned long, this_cpu_off);
DECLARE_PER_CPU(unsigned int, cpu_number);
DECLARE_PER_CPU(unsigned int, preempt_count);

void percpu_early_init(void);
void setup_per_cpu_areas(unsigned nr_cpus);

#define this_cpu_read(var) ({						\
	__typeof__(var) v__;						\
	asm volatile("mov %%gs:%c1, %0" : "=r"(v__) : "i"(&(var)) : "memory"); \
	v__;								\
})
#define this_cpu_write(var, val)					\
	asm volatile("mov %0, %%gs:%c1"					\
		     :: "r"((__typeof__(var))(val)), "i"(&(var)) : "memory")
#define this_cpu_add(var, val)						\
	asm volatile("add %0, %%gs:%c1"					\
		     :: "r"((__typeof__(var))(val)), "i"(&(var)) : "memory")
#define this_cpu_inc(var) this_cpu_add(var, 1)
#define this_cpu_dec(var) this_cpu_add(var, -1)

#define per_cpu_ptr(ptr, cpu) \
	((__typeof__(ptr))((unsigned long)(ptr) + __per_cpu_offset[cpu]))
#define per_cpu(var, cpu) (*per_cpu_ptr(&(var), (cpu)))
#define this_cpu_ptr(ptr) \
	((__typeof__(ptr))((unsigned long)(ptr) + this_cpu_read(this_cpu_off)))

#define smp_processor_id() this_cpu_read(cpu_number)

#define PREEMPT_NEED_RESCHED 0x80000000u        /* set: no reschedule due */
void preempt_schedule(void);

static inline void preempt_disable(void)
{
	this_cpu_inc(preempt_count);
	barrier();
}

static inline void preempt_enable_no_resched(void)
{
	barrier();
	this_cpu_dec(preempt_count);
}

static inline void preempt_enable(void)
{
	bool zero;

	barrier();
	asm volatile("decl %%gs:%c1" : "=@ccz"(zero) : "i"(&preempt_count) : "memory");
	if (unlikely(zero))
		preempt_schedule();
}

#define preempt_count() (this_cpu_read(preempt_count) & ~PREEMPT_NEED_RESCHED)
#define get_cpu() ({ preempt_disable(); smp_processor_id(); })
#define put_cpu() preempt_enable()
