/* Tangled from chapters/20-smp-boot.nw by 'make tangle'. Edit the chapter, not this file. */
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
extern u64 ap_stack_top[NR_CPUS];
#endif
