/* Tangled from chapters/14-irq.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "platform.h"
#include "apic.h"

struct platform_info platform;

void platform_init(void)
{
	const char *acpi = cmdline_get("acpi"), *mp = cmdline_get("mptable");

	if (acpi && strcmp(acpi, "off") == 0)
		printk("platform: ACPI disabled on the command line\n");
	else if (acpi_probe(&platform))
		platform.source = "ACPI";
	if (mp && strcmp(mp, "off") == 0)
		printk("platform: MP tables disabled on the command line\n");
	else if (!platform.source && mp_probe(&platform))
		platform.source = "MP tables";
	if (!platform.source) {
		u32 a, b, c, d;
		cpuid(1, 0, &a, &b, &c, &d);
		platform.source = "none";
		platform_add_cpu(&platform, d & CPUID_1_EDX_APIC ? b >> 24 : 0);
	}
	printk("platform: %s: %d CPUs, %d I/O APICs, %d interrupt overrides\n",
	       platform.source, platform.nr_cpus, platform.nr_ioapics,
	       platform.nr_overrides);
	if (platform.cpus_dropped) {
		printk("platform: %d CPUs beyond NR_CPUS (%d) left out, APIC IDs",
		       platform.cpus_dropped, NR_CPUS);
		for (int i = 0; i < MIN(platform.cpus_dropped, MAX_CPUS_LISTED_DROPPED); i++)
			printk(" %u", platform.dropped_apic_id[i]);
		printk("%s\n", platform.cpus_dropped > MAX_CPUS_LISTED_DROPPED ? " ..." : "");
	}
}

void platform_add_cpu(struct platform_info *p, u32 apic_id)
{
	if (p->nr_cpus < NR_CPUS) {
		p->cpu_apic_id[p->nr_cpus++] = apic_id;
		return;
	}
	if (p->cpus_dropped < MAX_CPUS_LISTED_DROPPED)
		p->dropped_apic_id[p->cpus_dropped] = apic_id;
	p->cpus_dropped++;
}

void platform_add_override(struct platform_info *p, u8 irq, u32 gsi, u16 flags)
{
	if (p->nr_overrides < MAX_OVERRIDES)
		p->override[p->nr_overrides++] = (typeof(p->override[0])){ irq, gsi, flags };
}

bool table_checksum_ok(const void *table, size_t len)
{
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += ((const u8 *)table)[i];
	return sum == 0;
}
