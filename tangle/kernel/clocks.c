/* Tangled from chapters/26-clocks.nw chapters/27-tick.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "clocks.h"
#include "smp.h"
#include "platform.h"
#include "irq.h"
#include "errno.h"
#include "time.h"

u64 tsc_hz, tsc_cpuid_hz, cpu_base_mhz, clocks_ready_tsc;
bool tsc_invariant;
struct calibration tsc_fast, tsc_refined, lapic_cal;

static void tsc_identify(void)
{
	u32 a, b, c, d, max;

	cpuid(0x80000000, 0, &max, &b, &c, &d);
	if (max >= 0x80000007) {
		cpuid(0x80000007, 0, &a, &b, &c, &d);
		tsc_invariant = d & (1u << 8);
	}
	cpuid(0, 0, &max, &b, &c, &d);
	if (max >= 0x15) {
		cpuid(0x15, 0, &a, &b, &c, &d);
		if (a && b && c)
			tsc_cpuid_hz = (u64)c * b / a;
	}
	if (max >= 0x16) {
		cpuid(0x16, 0, &a, &b, &c, &d);
		cpu_base_mhz = a & 0xffff;
	}
	printk("tsc: %sinvariant; CPUID 0x15: %lu Hz; 0x16: %lu MHz (0: not given)\n",
	       tsc_invariant ? "" : "not ", tsc_cpuid_hz, cpu_base_mhz);
}

struct edge {
	u64 tsc;                        /* the TSC at the edge, best estimate */
	u64 spread;                     /* +- spread / 2 around it */
	u64 ref;                        /* the reference's new value */
};

static struct edge find_edge(const struct refclock *r, int tries)
{
	struct edge best = { .spread = ~0UL };
	u64 prev_t0 = rdtsc(), prev = r->read();

	for (int found = 0, polls = 0; found < tries && polls < 10000000; polls++) {
		u64 t0 = rdtsc();
		u64 v = r->read();
		u64 t1 = rdtsc();
		if (v != prev) {
			if (t1 - prev_t0 < best.spread) {
				best.spread = t1 - prev_t0;
				best.tsc = prev_t0 + best.spread / 2;
				best.ref = v;
			}
			found++;
		}
		prev = v, prev_t0 = t0;
	}
	return best;
}

static struct measurement measure(const struct refclock *r, u64 ns)
{
	u64 want = mul_div(ns, r->hz, 1000000000);
	u64 half_wrap = mul_div(r->mask / 2, tsc_khz * 1000, r->hz);
again:;
	struct edge a = find_edge(r, 8);
	u64 last = a.ref, ext = 0, seen = rdtsc();

	while (ext < want) {
		u64 v = r->read(), now = rdtsc();
		if (now - seen > half_wrap)
			goto again;             /* held up: a wrap may be lost */
		seen = now;
		ext += (v - last) & r->mask;
		last = v;
	}
	struct edge b = find_edge(r, 8);
	ext += (b.ref - last) & r->mask;
	return (struct measurement){ b.tsc - a.tsc, ext, a.spread + b.spread };
}

static struct calibration calibrate_tsc(const struct refclock *r, u64 ns)
{
	struct measurement m = measure(r, ns);

	return (struct calibration){
		.against = r->name,
		.hz = mul_div(m.dtsc, r->hz, m.dref),
		.window_ns = mul_div(m.dref, 1000000000, r->hz),
		.error_ppb = mul_div(m.spread / 2 + 1, 1000000000, m.dtsc),
	};
}

#define PIT_HZ          1193182
#define PIT_CH0         0x40
#define PIT_CH2         0x42
#define PIT_CMD         0x43
#define PORT_SYS_CTRL   0x61

static u64 pit_ch2_read(void)
{
	outb(PIT_CMD, 0x80);                    /* latch channel 2 */
	u8 lo = inb(PIT_CH2);
	return (u16)-(lo | inb(PIT_CH2) << 8);
}

static const struct refclock pit_ref = { "PIT", pit_ch2_read, 0xffff, PIT_HZ };

static bool pit_ch2_start(u8 *saved)
{
	*saved = inb(PORT_SYS_CTRL);
	if (*saved == 0xff)
		return false;                   /* no PIT */
	outb(PORT_SYS_CTRL, (*saved & ~0x02) | 0x01);   /* gate on, speaker off */
	outb(PIT_CMD, 0xb0);                    /* channel 2, lo/hi byte, mode 0 */
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	return true;
}

static u64 hpet_ref_read(void) { return hpet_read(); }

static struct calibration calibrate_tsc_rtc(void)
{
	struct refclock rtc_ref = { "RTC", rtc_seconds_read, 0xff, 1 };
	struct edge a = find_edge(&rtc_ref, 1), b = find_edge(&rtc_ref, 1);

	if (a.spread == ~0UL || b.spread == ~0UL)
		return (struct calibration){ 0 };
	return (struct calibration){ "RTC", b.tsc - a.tsc, 1000000000,
		mul_div((a.spread + b.spread) / 2 + 1, 1000000000, b.tsc - a.tsc) };
}

static void print_calibration(const char *what, const struct calibration *c)
{
	printk("%s: %lu.%06lu MHz against the %s over %lu ms, +-%lu.%03lu ppm\n",
	       what, c->hz / 1000000, c->hz % 1000000, c->against,
	       c->window_ns / 1000000, c->error_ppb / 1000, c->error_ppb % 1000);
}

void clocks_init(void)
{
	u8 saved;
	u64 f = local_irq_save();

	tsc_identify();
	hpet_init();
	bool pit = pit_ch2_start(&saved);
	if (pit) {
		tsc_fast = calibrate_tsc(&pit_ref, 20000000);
		print_calibration("tsc: fast", &tsc_fast);
	}
	if (hpet_present) {
		struct refclock hpet_ref = { "HPET", hpet_ref_read, 0xffffffff, hpet_hz };
		tsc_refined = calibrate_tsc(&hpet_ref, 50000000);
	} else if (pit)
		tsc_refined = calibrate_tsc(&pit_ref, 100000000);
	if (tsc_refined.hz) {
		print_calibration("tsc: refined", &tsc_refined);
		if (tsc_fast.hz) {
			s64 d = (s64)(tsc_fast.hz - tsc_refined.hz);
			u64 ppb = mul_div(d < 0 ? -d : d, 1000000000, tsc_refined.hz);
			printk("tsc: the fast calibration was %lu.%03lu ppm %s\n", ppb / 1000,
			       ppb % 1000, d < 0 ? "low" : "high");
		}
	}
	if (pit)
		outb(PORT_SYS_CTRL, saved);
	if (!tsc_refined.hz && !tsc_cpuid_hz && boot_rtc_valid()) {
		tsc_refined = calibrate_tsc_rtc();
		if (tsc_refined.hz)
			print_calibration("tsc: refined", &tsc_refined);
	}
	if (tsc_refined.hz)
		tsc_hz = tsc_refined.hz;
	else if (tsc_cpuid_hz)
		tsc_hz = tsc_cpuid_hz;
	else
		tsc_hz = tsc_khz * 1000;
	tsc_khz = (tsc_hz + 500) / 1000;
	if (!tsc_refined.hz)
		printk("tsc: no reference clock; %lu Hz from %s\n", tsc_hz,
		       tsc_cpuid_hz ? "CPUID 0x15" : "the first estimate");
	lapic_timer_calibrate();
	clocks_ready_tsc = rdtsc();
	local_irq_restore(f);
	printk("clocks: calibrated %lu ms after reset\n", clocks_ready_tsc / (tsc_hz / 1000));
	rtc_boot_time();
}

void ndelay(unsigned long ns)
{
	u64 start = rdtsc(), ticks = mul_div(ns, tsc_hz, 1000000000);

	while (rdtsc() - start < ticks)
		pause();
}

struct measurement measure_for_tsc(const struct refclock *r, u64 tsc_ticks)
{
	struct edge a = find_edge(r, 8);
	u64 last = a.ref, ext = 0;

	while (rdtsc() - a.tsc < tsc_ticks) {
		u64 v = r->read();
		ext += (v - last) & r->mask;
		last = v;
	}
	struct edge b = find_edge(r, 8);
	ext += (b.ref - last) & r->mask;
	return (struct measurement){ b.tsc - a.tsc, ext, a.spread + b.spread };
}

static void (*pit_fn)(void);
unsigned long pit_irqs;

static irqreturn_t pit_interrupt(int irq, void *dev_id)
{
	(void)irq, (void)dev_id;
	pit_irqs++;
	if (pit_fn)
		pit_fn();
	return IRQ_HANDLED;
}

int pit_periodic_start(unsigned hz, void (*fn)(void))
{
	if (hz < 19 || hz > PIT_HZ / 2)
		return -EINVAL;
	if (inb(PORT_SYS_CTRL) == 0xff)
		return -ENODEV;
	int err = request_irq(0, pit_interrupt, 0, "pit", &pit_fn);
	if (err)
		return err;                     /* IRQ 0 is taken: leave its owner be */
	pit_fn = fn;
	u16 divisor = (PIT_HZ + hz / 2) / hz;
	outb(PIT_CMD, 0x34);                    /* channel 0, lo/hi byte, mode 2 */
	outb(PIT_CH0, divisor & 0xff);
	outb(PIT_CH0, divisor >> 8);
	return 0;
}

void pit_periodic_stop(void)
{
	outb(PIT_CMD, 0x30);                    /* channel 0, mode 0 */
	outb(PIT_CH0, 0);
	outb(PIT_CH0, 0);
	free_irq(0, &pit_fn);
}

u64 tsc_remeasure(u64 ns)
{
	struct refclock hpet_ref = { "HPET", hpet_ref_read, 0xffffffff, hpet_hz };
	u8 saved = 0;
	bool pit = !hpet_present && pit_ch2_start(&saved);
	u64 f = local_irq_save();
	struct calibration c = { 0 };

	if (hpet_present || pit)
		c = calibrate_tsc(hpet_present ? &hpet_ref : &pit_ref, ns);
	else if (boot_rtc_valid())
		c = calibrate_tsc_rtc();
	local_irq_restore(f);
	if (pit)
		outb(PORT_SYS_CTRL, saved);
	return c.hz;
}

static struct clock_event_device pit_events;

static void pit_event(void)
{
	pit_events.events++;
	pit_events.next_event = KTIME_MAX;
	if (pit_events.event_handler)
		pit_events.event_handler(&pit_events);
}

static int pit_set_periodic(struct clock_event_device *dev)
{
	(void)dev;
	return pit_periodic_start(HZ, pit_event);
}

static int pit_shutdown(struct clock_event_device *dev)
{
	(void)dev;
	pit_periodic_stop();
	return 0;
}

void pit_clockevent_init(void)
{
	pit_events = (struct clock_event_device){
		.name = "pit", .rating = 0, .cpu = 0, .features = CLOCK_EVT_FEAT_PERIODIC,
		.set_state_periodic = pit_set_periodic, .set_state_shutdown = pit_shutdown,
	};
	clockevents_config_and_register(&pit_events, PIT_HZ, 1, 0xffff);
}
