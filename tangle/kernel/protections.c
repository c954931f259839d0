/* Tangled from chapters/15-page-faults.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "smap.h"

bool smap_enabled, smep_enabled, umip_enabled;
extern int __start_smap_sites[], __stop_smap_sites[];

void protections_init(void)
{
	u32 a, b = 0, c = 0, d;

	cpuid(0, 0, &a, &b, &c, &d);
	b = c = 0;
	if (a >= 7)
		cpuid(7, 0, &a, &b, &c, &d);
	smep_enabled = b & CPUID_7_EBX_SMEP;
	smap_enabled = b & CPUID_7_EBX_SMAP;
	umip_enabled = c & CPUID_7_ECX_UMIP;
	if (!smap_enabled)
		for (int *site = __start_smap_sites; site < __stop_smap_sites; site++)
			memcpy((u8 *)site + *site, "\x0f\x1f\x00", 3);
	write_cr4(read_cr4() | (smep_enabled ? CR4_SMEP : 0) |
		  (smap_enabled ? CR4_SMAP : 0) |
		  (umip_enabled ? CR4_UMIP : 0));
	printk("protections: NX %s, SMEP %s, SMAP %s, UMIP %s (%ld sites %s)\n",
	       rdmsr(MSR_EFER) & EFER_NXE ? "on" : "absent",
	       smep_enabled ? "on" : "absent", smap_enabled ? "on" : "absent",
	       umip_enabled ? "on" : "absent",
	       (long)(__stop_smap_sites - __start_smap_sites),
	       smap_enabled ? "kept" : "patched out");
}
