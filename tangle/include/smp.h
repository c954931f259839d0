/* Tangled from chapters/20-smp-boot.nw chapters/21-ipi.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once

#define TRAMPOLINE_PA   0x8000          /* the APs' first page: SIPI vector 8 */

#ifndef __ASSEMBLER__
#include "kernel.h"
#include "percpu.h"

extern u32 cpu_apic_id[NR_CPUS];        /* CPU number -> APIC ID */
extern unsigned nr_cpus_online;
extern unsigned cpus_left_out;          /* not started: x2APIC, or no memory */
bool cpu_online(unsigned cpu);
void smp_boot_cpus(void);

extern unsigned long tsc_khz;
void tsc_calibrate(void);
void udelay(unsigned long us);
#endif

#ifndef __ASSEMBLER__
struct ap_report {
	u64 gdt, idt, gs_base, stack;
	u16 tr;
	u32 apic_id;
};
DECLARE_PER_CPU(struct ap_report, ap_report);
#endif

#ifndef __ASSEMBLER__
enum { AP_WAITING, AP_STARTED, AP_ABANDONED };
extern u8 ap_state[NR_CPUS];
#endif

#ifndef __ASSEMBLER__
extern u64 ap_stack_top[NR_CPUS];
#endif

#ifndef __ASSEMBLER__
struct cpumask {
	u64 bits[NR_CPUS / 64];
};

static inline void cpumask_set(struct cpumask *m, unsigned cpu)
{
	m->bits[cpu / 64] |= 1UL << (cpu % 64);
}

static inline bool cpumask_test(const struct cpumask *m, unsigned cpu)
{
	return (m->bits[cpu / 64] >> (cpu % 64)) & 1;
}

void cpumask_online(struct cpumask *m);
#endif

#ifndef __ASSEMBLER__
typedef void (*smp_call_func_t)(void *info);

int smp_call_function_single(unsigned cpu, smp_call_func_t func, void *info, bool wait);
int smp_call_function_many(const struct cpumask *mask, smp_call_func_t func,
			   void *info, bool wait);
int on_each_cpu(smp_call_func_t func, void *info, bool wait);
#endif

#ifndef __ASSEMBLER__
struct pt_regs;
void smp_send_reschedule(unsigned cpu);
int irq_set_affinity(unsigned irq, unsigned cpu);
void synchronize_irq(unsigned irq);
void flush_tlb_kernel_range(unsigned long start, unsigned long end);
void vunmap(void *va, size_t size);
void smp_send_stop(void);
extern volatile bool smp_stop_requested;
DECLARE_PER_CPU(unsigned long, ipi_calls);
DECLARE_PER_CPU(unsigned long, ipi_resched);
DECLARE_PER_CPU(unsigned long, ipi_tlb);
void stop_this_cpu(struct pt_regs *regs, const char *how);
void ipi_init(void);
#endif

#ifndef __ASSEMBLER__
bool ipi_shorthand_allowed(void);
void send_ipi_all_but_self(unsigned vector);
void send_ipi_all(unsigned vector);
#endif

#ifndef __ASSEMBLER__
void flush_idle_calls(void);
#endif

#ifndef __ASSEMBLER__
void smp_call_self_by_ipi(smp_call_func_t func, void *info);
#endif

#ifndef __ASSEMBLER__
DECLARE_PER_CPU(bool, cpu_stopped);
DECLARE_PER_CPU(smp_call_func_t, call_running);
DECLARE_PER_CPU(unsigned, call_running_from);
#endif
