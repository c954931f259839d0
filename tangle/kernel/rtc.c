/* Tangled from chapters/14-irq.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "irq.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static void cmos_write(u8 reg, u8 val)
{
	outb(CMOS_INDEX, reg);
	outb(CMOS_DATA, val);
}

static volatile unsigned rtc_ticks;
void (*rtc_tick_hook)(void);

static irqreturn_t rtc_interrupt(int irq, void *dev_id)
{
	(void)irq, (void)dev_id;
	if (!(cmos_read(0x0c) & 0x40))
		return IRQ_NONE;
	rtc_ticks++;
	if (rtc_tick_hook)
		rtc_tick_hook();
	return IRQ_HANDLED;
}

int rtc_periodic_start(unsigned rate)
{
	int err = request_irq(8, rtc_interrupt, 0, "rtc", (void *)&rtc_ticks);

	if (err)
		return err;
	u64 f = local_irq_save();
	cmos_write(0x0a, (cmos_read(0x0a) & 0xf0) | (rate & 0x0f));
	cmos_write(0x0b, cmos_read(0x0b) | 0x40);
	cmos_read(0x0c);                        /* clear a stale interrupt */
	local_irq_restore(f);
	return 0;
}

void rtc_periodic_stop(void)
{
	u64 f = local_irq_save();

	cmos_write(0x0b, cmos_read(0x0b) & ~0x40);
	cmos_read(0x0c);
	local_irq_restore(f);
	free_irq(8, (void *)&rtc_ticks);
}

unsigned rtc_periodic_ticks(void)
{
	return rtc_ticks;
}
