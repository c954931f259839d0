/* Tangled from chapters/14-irq.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "platform.h"
#include "mm.h"

static u32 mp_search(u64 base, u64 len)
{
	const u8 *area = vmap_phys(base, len, pte_nx);

	for (u64 off = 0; off + 16 <= len; off += 16)
		if (memcmp(area + off, "_MP_", 4) == 0 &&
		    table_checksum_ok(area + off, 16))
			return *(const u32 *)(area + off + 4);
	return 0;
}

static u32 find_mp_config(void)
{
	u64 ebda = (u64)*(const u16 *)phys_to_virt(0x40e) << 4;
	u32 config = 0;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		config = mp_search(ebda, 1024);
	if (!config)
		config = mp_search(0x9fc00, 1024);
	if (!config)
		config = mp_search(0xf0000, 0x10000);
	return config;
}

void mp_parse_config(struct platform_info *p, const u8 *table, u32 len)
{
	int isa_bus = -1;

	for (u32 off = 44; off < len;) {
		const u8 *e = table + off;
		if (e[0] == 0 && off + 20 <= len && (e[3] & 1))
			platform_add_cpu(p, e[1]);
		else if (e[0] == 1 && off + 8 <= len && memcmp(e + 2, "ISA", 3) == 0)
			isa_bus = e[1];
		else if (e[0] == 2 && off + 8 <= len && (e[3] & 1) &&
			 p->nr_ioapics < MAX_IOAPICS) {
			int n = p->nr_ioapics++;
			p->ioapic[n] = (typeof(p->ioapic[0])){ e[1], *(const u32 *)(e + 4), 0 };
		} else if (e[0] == 3 && off + 8 <= len && e[1] == 0 && e[4] == isa_bus)
			platform_add_override(p, e[5], e[7], *(const u16 *)(e + 2));
		else if (e[0] > 4)
			break;                  /* an unknown type: its length is unknown */
		off += e[0] == 0 ? 20 : 8;
	}
}

bool mp_probe(struct platform_info *p)
{
	u32 pa = find_mp_config();

	if (!pa)
		return false;
	const u8 *t = vmap_phys(pa, 44, pte_nx);
	u16 len = *(const u16 *)(t + 4);
	t = vmap_phys(pa, len, pte_nx);
	if (memcmp(t, "PCMP", 4) != 0 || !table_checksum_ok(t, len)) {
		printk("mptable: the configuration table is damaged; ignoring it\n");
		return false;
	}
	mp_parse_config(p, t, len);
	return true;
}
