/* Tangled from chapters/14-irq.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "kernel.h"

#define MAX_IOAPICS 4
#define MAX_OVERRIDES 16

struct acpi_info {
	int nr_ioapics;
	struct { u8 id; u32 addr, gsi_base; } ioapic[MAX_IOAPICS];
	int nr_overrides;
	struct { u8 irq; u32 gsi; u16 flags; } override[MAX_OVERRIDES];
	int nr_cpus;
	u8 cpu_apic_id[64];
};
extern struct acpi_info acpi_info;
void acpi_init(void);
