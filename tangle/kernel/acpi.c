/* Tangled from chapters/14-irq.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "acpi.h"
#include "mm.h"

struct acpi_info acpi_info;

struct __attribute__((packed)) acpi_header {
	char signature[4];
	u32 length;
	u8 revision, checksum;
	char oem[6], oem_table[8];
	u32 oem_revision, creator, creator_revision;
};

static const void *acpi_map(u64 pa, size_t len)
{
	return vmap_phys(pa, len, pte_nx);
}
static bool checksum_ok(const void *p, size_t len)
{
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += ((const u8 *)p)[i];
	return sum == 0;
}

static u32 find_rsdt(void)
{
	const u8 *bios = acpi_map(0xe0000, 0x20000);

	for (u64 off = 0; off < 0x20000; off += 16) {
		const u8 *p = bios + off;
		if (memcmp(p, "RSD PTR ", 8) == 0 && checksum_ok(p, 20))
			return *(const u32 *)(p + 16);
	}
	return 0;
}
static void parse_madt(const u8 *madt, u32 len)
{
	for (u32 off = 44; off + 2 <= len; off += madt[off + 1]) {
		const u8 *e = madt + off;
		if (e[1] < 2)
			break;                  /* a zero length would loop forever */
		if (e[0] == 0 && (e[4] & 1) && acpi_info.nr_cpus < 64)
			acpi_info.cpu_apic_id[acpi_info.nr_cpus++] = e[3];
		else if (e[0] == 1 && acpi_info.nr_ioapics < MAX_IOAPICS) {
			int n = acpi_info.nr_ioapics++;
			acpi_info.ioapic[n].id = e[2];
			acpi_info.ioapic[n].addr = *(const u32 *)(e + 4);
			acpi_info.ioapic[n].gsi_base = *(const u32 *)(e + 8);
		} else if (e[0] == 2 && acpi_info.nr_overrides < MAX_OVERRIDES) {
			int n = acpi_info.nr_overrides++;
			acpi_info.override[n].irq = e[3];
			acpi_info.override[n].gsi = *(const u32 *)(e + 4);
			acpi_info.override[n].flags = *(const u16 *)(e + 8);
		}
	}
}
void acpi_init(void)
{
	u32 rsdt_pa = find_rsdt();

	if (!rsdt_pa)
		panic("acpi: no RSDP found; cannot find the I/O APIC");
	const struct acpi_header *rsdt = acpi_map(rsdt_pa, sizeof(*rsdt));
	rsdt = acpi_map(rsdt_pa, rsdt->length);
	if (memcmp(rsdt->signature, "RSDT", 4) != 0 ||
	    !checksum_ok(rsdt, rsdt->length))
		panic("acpi: the RSDT is damaged");
	const u32 *entries = (const u32 *)(rsdt + 1);
	for (u32 i = 0; i < (rsdt->length - sizeof(*rsdt)) / 4; i++) {
		const struct acpi_header *h = acpi_map(entries[i], sizeof(*h));
		if (memcmp(h->signature, "APIC", 4) != 0)
			continue;
		h = acpi_map(entries[i], h->length);
		if (!checksum_ok(h, h->length))
			panic("acpi: MADT checksum is wrong");
		parse_madt((const u8 *)h, h->length);
	}
	printk("acpi: %d CPUs, %d I/O APICs, %d interrupt overrides\n",
	       acpi_info.nr_cpus, acpi_info.nr_ioapics, acpi_info.nr_overrides);
	if (!acpi_info.nr_ioapics)
		panic("acpi: the MADT lists no I/O APIC");
}
