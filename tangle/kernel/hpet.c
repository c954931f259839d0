/* Tangled from chapters/26-clocks.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "clocks.h"
#include "platform.h"
#include "mm.h"
#include "irq.h"
#include "errno.h"

#define HPET_CAP        0x000
#define HPET_CFG        0x010
#define HPET_COUNTER    0x0f0
#define HPET_T0_CFG     0x100
#define HPET_T0_CMP     0x108
#define HPET_CAP_64BIT  (1UL << 13)
#define HPET_CAP_LEGACY (1UL << 15)
#define HPET_CFG_ENABLE 0x1
#define HPET_CFG_LEGACY 0x2
#define HPET_TN_ENABLE  0x04            /* interrupt enable */
#define HPET_TN_PERIODIC 0x08
#define HPET_TN_PER_CAP 0x10
#define HPET_TN_VAL_SET 0x40            /* the next write sets the period */
#define HPET_TN_32BIT   0x100

bool hpet_present;
u64 hpet_hz;
static volatile u32 *hpet_regs;
static u64 hpet_cap;

static u32 hpet_reg(unsigned off) { return hpet_regs[off / 4]; }
static void hpet_set(unsigned off, u32 v) { hpet_regs[off / 4] = v; }

u64 hpet_read(void)
{
	return hpet_reg(HPET_COUNTER);
}

void hpet_init(void)
{
	const char *want = cmdline_get("hpet");

	if (!platform.hpet_addr || (want && !strcmp(want, "off"))) {
		printk("hpet: none%s\n",
		       platform.hpet_addr ? " (hpet=off)" : " in the ACPI tables");
		return;
	}
	hpet_regs = vmap_phys(platform.hpet_addr, PAGE_SIZE, PTE_W | PTE_PCD | pte_nx);
	hpet_cap = hpet_reg(HPET_CAP) | (u64)hpet_reg(HPET_CAP + 4) << 32;
	u32 period_fs = hpet_cap >> 32;
	if (period_fs < 100000 || period_fs > 100000000) {
		printk("hpet: period %u fs is not possible; ignoring it\n", period_fs);
		return;
	}
	hpet_hz = 1000000000000000UL / period_fs;
	hpet_set(HPET_T0_CFG, hpet_reg(HPET_T0_CFG) & ~(HPET_TN_ENABLE | HPET_TN_PERIODIC));
	hpet_set(HPET_CFG, (hpet_reg(HPET_CFG) & ~HPET_CFG_LEGACY) | HPET_CFG_ENABLE);
	hpet_present = true;
	printk("hpet: at %lx, %lu Hz, %u-bit counter, %lu comparators%s\n",
	       platform.hpet_addr, hpet_hz, hpet_cap & HPET_CAP_64BIT ? 64 : 32,
	       ((hpet_cap >> 8) & 0x1f) + 1,
	       hpet_cap & HPET_CAP_LEGACY ? ", legacy replacement" : "");
}

static void (*hpet_fn)(void);
static u32 hpet_t0_first;               /* the first expiry */
static bool hpet_t0_seen;               /* the first has come */
unsigned long hpet_timer0_irqs, hpet_timer0_stale;

static irqreturn_t hpet_timer0_interrupt(int irq, void *dev_id)
{
	(void)irq, (void)dev_id;
	if (!hpet_t0_seen && (s32)(hpet_read() - READ_ONCE(hpet_t0_first)) < 0) {
		hpet_timer0_stale++;            /* not ours: an edge from before */
		return IRQ_NONE;
	}
	hpet_t0_seen = true;
	hpet_timer0_irqs++;
	if (hpet_fn)
		hpet_fn();
	return IRQ_HANDLED;
}

int hpet_timer0_start(u32 delta, bool periodic, void (*fn)(void))
{
	if (!hpet_present || !(hpet_cap & HPET_CAP_LEGACY))
		return -ENODEV;
	if (periodic && !(hpet_reg(HPET_T0_CFG) & HPET_TN_PER_CAP))
		return -EINVAL;
	hpet_t0_first = hpet_read() + delta;    /* refuse stale edges at once */
	hpet_t0_seen = false;
	int err = request_irq(0, hpet_timer0_interrupt, 0, "hpet", &hpet_fn);
	if (err)
		return err;
	hpet_fn = fn;
	hpet_set(HPET_CFG, hpet_reg(HPET_CFG) | HPET_CFG_LEGACY);
	u32 cfg = (hpet_reg(HPET_T0_CFG) & ~(HPET_TN_PERIODIC | HPET_TN_VAL_SET)) |
		  HPET_TN_ENABLE | HPET_TN_32BIT;
	if (periodic)
		cfg |= HPET_TN_PERIODIC | HPET_TN_VAL_SET;
	u64 f = local_irq_save();
	u32 now = hpet_read();
	WRITE_ONCE(hpet_t0_first, now + delta);
	hpet_set(HPET_T0_CFG, cfg);
	hpet_set(HPET_T0_CMP, now + delta);
	if (periodic)
		hpet_set(HPET_T0_CMP, delta);
	s32 ahead = (s32)(now + delta - (u32)hpet_read());
	local_irq_restore(f);
	if (ahead <= 0) {
		hpet_timer0_stop();
		return -ETIME;
	}
	return 0;
}

void hpet_timer0_stop(void)
{
	hpet_set(HPET_T0_CFG, hpet_reg(HPET_T0_CFG) & ~(HPET_TN_ENABLE | HPET_TN_PERIODIC));
	hpet_set(HPET_CFG, hpet_reg(HPET_CFG) & ~HPET_CFG_LEGACY);
	free_irq(0, &hpet_fn);
}
