/* Tangled from chapters/14-irq.nw chapters/26-clocks.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "platform.h"
#include "mm.h"

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

static u32 find_rsdt(void)
{
	const u8 *bios = acpi_map(0xe0000, 0x20000);

	for (u64 off = 0; off < 0x20000; off += 16) {
		const u8 *p = bios + off;
		if (memcmp(p, "RSD PTR ", 8) == 0 && table_checksum_ok(p, 20))
			return *(const u32 *)(p + 16);
	}
	return 0;
}

void acpi_parse_madt(struct platform_info *p, const u8 *madt, u32 len)
{
	for (u32 off = 44; off + 2 <= len; off += madt[off + 1]) {
		const u8 *e = madt + off;
		if (e[1] < 2 || off + e[1] > len)
			break;                  /* a zero length would loop forever */
		if (e[0] == 0 && (e[4] & 1))
			platform_add_cpu(p, e[3]);
		else if (e[0] == 9 && (e[8] & 1))
			platform_add_cpu(p, *(const u32 *)(e + 4));
		else if (e[0] == 1 && p->nr_ioapics < MAX_IOAPICS) {
			int n = p->nr_ioapics++;
			p->ioapic[n].id = e[2];
			p->ioapic[n].addr = *(const u32 *)(e + 4);
			p->ioapic[n].gsi_base = *(const u32 *)(e + 8);
		} else if (e[0] == 2)
			platform_add_override(p, e[3], *(const u32 *)(e + 4),
					      *(const u16 *)(e + 8));
	}
}

bool acpi_probe(struct platform_info *p)
{
	u32 rsdt_pa = find_rsdt();

	if (!rsdt_pa)
		return false;
	const struct acpi_header *rsdt = acpi_map(rsdt_pa, sizeof(*rsdt));
	rsdt = acpi_map(rsdt_pa, rsdt->length);
	if (memcmp(rsdt->signature, "RSDT", 4) != 0 ||
	    !table_checksum_ok(rsdt, rsdt->length)) {
		printk("acpi: the RSDT is damaged; ignoring ACPI\n");
		return false;
	}
	const u32 *entries = (const u32 *)(rsdt + 1);
	bool madt = false;
	for (u32 i = 0; i < (rsdt->length - sizeof(*rsdt)) / 4; i++) {
		const struct acpi_header *h = acpi_map(entries[i], sizeof(*h));
		if (h->length < sizeof(*h) || h->length > 0x100000)
			continue;               /* not a table */
		h = acpi_map(entries[i], h->length);
		bool good = table_checksum_ok(h, h->length);
		if (memcmp(h->signature, "APIC", 4) == 0) {
			if (!good) {
				printk("acpi: the MADT's checksum is wrong; ignoring it\n");
				return false;
			}
			acpi_parse_madt(p, (const u8 *)h, h->length);
			madt = true;
		} else if (good) {
			if (memcmp(h->signature, "HPET", 4) == 0 && h->length >= 56 &&
			    ((const u8 *)h)[40] == 0)
				p->hpet_addr = *(const u64 *)((const u8 *)h + 44);
			if (memcmp(h->signature, "FACP", 4) == 0 && h->length > 108)
				p->rtc_century = ((const u8 *)h)[108];
		}
	}
	return madt;
}
