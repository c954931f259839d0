/* Tangled from chapters/14-irq.nw chapters/26-clocks.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "irq.h"
#include "spinlock.h"
#include "clocks.h"
#include "platform.h"
#include "smp.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

static spinlock_t cmos_lock = SPINLOCK_INIT;

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
	spin_lock(&cmos_lock);
	u8 why = cmos_read(0x0c);
	spin_unlock(&cmos_lock);
	if (!(why & 0x40))
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
	u64 f = spin_lock_irqsave(&cmos_lock);
	cmos_write(0x0a, (cmos_read(0x0a) & 0xf0) | (rate & 0x0f));
	cmos_write(0x0b, cmos_read(0x0b) | 0x40);
	cmos_read(0x0c);                        /* clear a stale interrupt */
	spin_unlock_irqrestore(&cmos_lock, f);
	return 0;
}

void rtc_periodic_stop(void)
{
	u64 f = spin_lock_irqsave(&cmos_lock);

	cmos_write(0x0b, cmos_read(0x0b) & ~0x40);
	cmos_read(0x0c);
	spin_unlock_irqrestore(&cmos_lock, f);
	free_irq(8, (void *)&rtc_ticks);
}

unsigned rtc_periodic_ticks(void)
{
	return rtc_ticks;
}

#define RTC_REG_A       0x0a
#define RTC_REG_B       0x0b
#define RTC_UIP         0x80            /* A: update in progress */
#define RTC_24H         0x02            /* B: 24-hour mode */
#define RTC_BINARY      0x04            /* B: binary, not BCD */
#define RTC_PM          0x80            /* hour, 12-hour mode: afternoon */
#define RTC_SET         0x80            /* B: updates stopped for a write */

s64 boot_time_seconds = -1;
unsigned long rtc_uip_waits;            /* reads that met an update */

static u8 cmos_read_locked(u8 reg)
{
	u64 f = spin_lock_irqsave(&cmos_lock);
	u8 v = cmos_read(reg);
	spin_unlock_irqrestore(&cmos_lock, f);
	return v;
}

struct rtc_raw { u8 a, sec, min, hour, day, mon, year, century, b, a2, sec2; };

static void rtc_read_raw(struct rtc_raw *r)
{
	u64 f = spin_lock_irqsave(&cmos_lock);
	r->a = cmos_read(RTC_REG_A);
	r->sec = cmos_read(0x00);
	r->min = cmos_read(0x02);
	r->hour = cmos_read(0x04);
	r->day = cmos_read(0x07);
	r->mon = cmos_read(0x08);
	r->year = cmos_read(0x09);
	r->century = platform.rtc_century ? cmos_read(platform.rtc_century) : 0;
	r->b = cmos_read(RTC_REG_B);
	r->a2 = cmos_read(RTC_REG_A);
	r->sec2 = cmos_read(0x00);
	spin_unlock_irqrestore(&cmos_lock, f);
}

static unsigned from_bcd(u8 v, bool binary)
{
	return binary ? v : (v >> 4) * 10 + (v & 0x0f);
}

bool rtc_read_time(struct rtc_time *tm)
{
	struct rtc_raw r;

	for (int attempt = 0; attempt < 10; attempt++) {
		u64 start = rdtsc();
		bool waited = false;
		while ((cmos_read_locked(RTC_REG_A) & RTC_UIP) &&
		       rdtsc() - start < 1100 * tsc_khz) {
			waited = true;
			pause();
		}
		if (waited)
			rtc_uip_waits++;
		rtc_read_raw(&r);
		if (!((r.a | r.a2) & RTC_UIP) && r.sec == r.sec2)
			break;
	}
	bool bin = r.b & RTC_BINARY;
	tm->sec = from_bcd(r.sec, bin);
	tm->min = from_bcd(r.min, bin);
	tm->hour = from_bcd(r.hour & 0x7f, bin);
	if (!(r.b & RTC_24H)) {
		tm->hour %= 12;
		if (r.hour & RTC_PM)
			tm->hour += 12;
	}
	tm->day = from_bcd(r.day, bin);
	tm->mon = from_bcd(r.mon, bin);
	tm->year = from_bcd(r.year, bin);
	if (r.century)
		tm->year += 100 * from_bcd(r.century, bin);
	else
		tm->year += tm->year < 70 ? 2000 : 1900;
	return tm->sec < 60 && tm->min < 60 && tm->hour < 24 &&
	       tm->mon >= 1 && tm->mon <= 12 && tm->day >= 1 && tm->day <= 31 &&
	       r.a != 0xff;
}

s64 rtc_time_to_seconds(const struct rtc_time *tm)
{
	s64 y = tm->year - (tm->mon <= 2);      /* years begin in March */
	s64 m = (tm->mon + 9) % 12;             /* March = 0 */
	s64 days = 365 * y + y / 4 - y / 100 + y / 400 +
		   (153 * m + 2) / 5 + tm->day - 1 - 719468;
	return ((days * 24 + tm->hour) * 60 + tm->min) * 60 + tm->sec;
}

static u8 to_bcd(unsigned v, bool binary)
{
	return binary ? v : (v / 10) << 4 | v % 10;
}

void rtc_set_time(const struct rtc_time *tm)
{
	u64 f = spin_lock_irqsave(&cmos_lock);
	u8 b = cmos_read(RTC_REG_B);
	bool bin = b & RTC_BINARY;
	unsigned hour = tm->hour;
	u8 pm = 0;
	if (!(b & RTC_24H)) {
		pm = hour >= 12 ? RTC_PM : 0;
		hour = hour % 12 ? hour % 12 : 12;
	}
	cmos_write(RTC_REG_B, b | RTC_SET);
	cmos_write(0x00, to_bcd(tm->sec, bin));
	cmos_write(0x02, to_bcd(tm->min, bin));
	cmos_write(0x04, to_bcd(hour, bin) | pm);
	cmos_write(0x07, to_bcd(tm->day, bin));
	cmos_write(0x08, to_bcd(tm->mon, bin));
	cmos_write(0x09, to_bcd(tm->year % 100, bin));
	if (platform.rtc_century)
		cmos_write(platform.rtc_century, to_bcd(tm->year / 100, bin));
	cmos_write(RTC_REG_B, b & ~RTC_SET);
	spin_unlock_irqrestore(&cmos_lock, f);
}

u64 rtc_seconds_read(void)
{
	return cmos_read_locked(0x00);
}

bool rtc_update_in_progress(void)
{
	return cmos_read_locked(RTC_REG_A) & RTC_UIP;
}

bool boot_rtc_valid(void)
{
	struct rtc_time tm;
	return rtc_read_time(&tm);
}

void rtc_boot_time(void)
{
	struct rtc_time tm;

	if (!rtc_read_time(&tm)) {
		printk("rtc: no valid date in the CMOS (no RTC?)\n");
		return;
	}
	boot_time_seconds = rtc_time_to_seconds(&tm);
	printk("rtc: %04u-%02u-%02u %02u:%02u:%02u UTC, %ld s since 1970%s\n",
	       tm.year, tm.mon, tm.day, tm.hour, tm.min, tm.sec, boot_time_seconds,
	       platform.rtc_century ? "" : " (no century register: 1970-2069)");
}
