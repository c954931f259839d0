/* Tangled from chapters/14-irq.nw chapters/26-clocks.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "kernel.h"
#include "percpu.h"

#define MAX_IOAPICS 4
#define MAX_OVERRIDES 24
#define MAX_CPUS_LISTED_DROPPED 16

struct platform_info {
	const char *source;             /* "ACPI", "MP tables" or "none" */
	int nr_cpus;
	u32 cpu_apic_id[NR_CPUS];
	int cpus_dropped;               /* listed beyond NR_CPUS */
	u32 dropped_apic_id[MAX_CPUS_LISTED_DROPPED];
	int nr_ioapics;
	struct { u8 id; u32 addr, gsi_base; } ioapic[MAX_IOAPICS];
	int nr_overrides;
	struct { u8 irq; u32 gsi; u16 flags; } override[MAX_OVERRIDES];
	u8 rtc_century;                 /* CMOS index of the century, or 0 */
	u64 hpet_addr;                  /* the HPET's registers, or 0 */
};
extern struct platform_info platform;

void platform_init(void);
void platform_add_cpu(struct platform_info *p, u32 apic_id);
void platform_add_override(struct platform_info *p, u8 irq, u32 gsi, u16 flags);
bool acpi_probe(struct platform_info *p);
void acpi_parse_madt(struct platform_info *p, const u8 *madt, u32 len);
bool mp_probe(struct platform_info *p);
void mp_parse_config(struct platform_info *p, const u8 *table, u32 len);
bool table_checksum_ok(const void *table, size_t len);
