/* Tangled from chapters/26-clocks.nw chapters/27-tick.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "clocks.h"
#include "apic.h"
#include "irq.h"
#include "desc.h"
#include "atomic.h"
#include "time.h"

#define APIC_TMICT              0x380
#define APIC_TMCCT              0x390
#define APIC_TDCR               0x3e0
#define APIC_TDCR_DIV1          0xb
#define APIC_LVT_TIMER_PERIODIC (1u << 17)
#define APIC_LVT_TIMER_DEADLINE (2u << 17)
#define MSR_IA32_TSC_DEADLINE   0x6e0
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

u64 lapic_timer_hz;
bool tsc_deadline_present;
DEFINE_PER_CPU(void (*)(void), lapic_timer_event);
DEFINE_PER_CPU(unsigned long, lapic_timer_irqs);

static void lapic_timer_interrupt(struct pt_regs *regs)
{
	(void)regs;
	this_cpu_inc(lapic_timer_irqs);
	apic_eoi();
	void (*event)(void) = this_cpu_read(lapic_timer_event);
	if (event)
		event();
}

u32 lapic_timer_count(void)
{
	return apic_read(APIC_TMCCT);
}

static void lapic_timer_arm(u32 mode, u32 count)
{
	apic_write(APIC_TMICT, 0);
	apic_write(APIC_TDCR, APIC_TDCR_DIV1);
	apic_write(APIC_LVT_TIMER, LOCAL_TIMER_VECTOR | mode);
	apic_write(APIC_TMICT, count);
}

void lapic_timer_oneshot(u32 count)
{
	lapic_timer_arm(0, count);
}

void lapic_timer_periodic(u32 count)
{
	lapic_timer_arm(APIC_LVT_TIMER_PERIODIC, count);
}

void lapic_timer_stop(void)
{
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_TMICT, 0);
	if (tsc_deadline_present)
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
}

void lapic_timer_deadline(u64 tsc)
{
	if (!tsc_deadline_present) {
		printk("apic-timer: no TSC-deadline mode (CPUID.1:ECX[24] clear)\n");
		return;
	}
	apic_write(APIC_LVT_TIMER, LOCAL_TIMER_VECTOR | APIC_LVT_TIMER_DEADLINE);
	mb();
	wrmsr(MSR_IA32_TSC_DEADLINE, tsc);
}

static u64 lapic_count_up(void)
{
	return (u32)~apic_read(APIC_TMCCT);
}

void lapic_timer_calibrate(void)
{
	if (!lapic_present) {
		printk("apic-timer: no local APIC\n");
		return;
	}
	u32 a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	tsc_deadline_present = c & CPUID_1_ECX_TSC_DEADLINE;
	set_system_vector(LOCAL_TIMER_VECTOR, lapic_timer_interrupt);
	lapic_timer_arm(APIC_LVT_MASKED, 0xffffffff);
	struct refclock r = { "TSC", lapic_count_up, 0xffffffff, 0 };
	struct measurement m = measure_for_tsc(&r, tsc_hz / 50);  /* 20 ms */
	lapic_timer_stop();
	lapic_timer_hz = mul_div(m.dref, tsc_hz, m.dtsc);
	lapic_cal = (struct calibration){
		"TSC", lapic_timer_hz, mul_div(m.dtsc, 1000000000, tsc_hz),
		mul_div(m.spread / 2 + 1, 1000000000, m.dtsc) + tsc_refined.error_ppb };
	printk("apic-timer: %lu.%06lu MHz against the TSC over %lu ms, +-%lu.%03lu ppm; "
	       "TSC-deadline mode %s\n", lapic_timer_hz / 1000000, lapic_timer_hz % 1000000,
	       lapic_cal.window_ns / 1000000, lapic_cal.error_ppb / 1000,
	       lapic_cal.error_ppb % 1000, tsc_deadline_present ? "present" : "absent");
}

static DEFINE_PER_CPU(struct clock_event_device, lapic_events);

static int lapic_next_event(unsigned long ticks, struct clock_event_device *dev)
{
	(void)dev;
	apic_write(APIC_TMICT, ticks);
	return 0;
}

static int lapic_set_oneshot(struct clock_event_device *dev)
{
	(void)dev;
	lapic_timer_arm(0, 0);                  /* one-shot, stopped */
	return 0;
}

static int lapic_set_periodic(struct clock_event_device *dev)
{
	lapic_timer_periodic(dev->hz / HZ);
	return 0;
}

static int lapic_shutdown(struct clock_event_device *dev)
{
	(void)dev;
	lapic_timer_stop();
	return 0;
}

static void lapic_event(void)
{
	struct clock_event_device *dev = this_cpu_ptr(&lapic_events);

	dev->events++;
	dev->next_event = KTIME_MAX;
	if (dev->event_handler)
		dev->event_handler(dev);
}

void lapic_clockevent_init(unsigned cpu)
{
	struct clock_event_device *dev = this_cpu_ptr(&lapic_events);

	*dev = (struct clock_event_device){
		.name = "lapic", .rating = 100, .cpu = cpu,
		.features = CLOCK_EVT_FEAT_PERIODIC | CLOCK_EVT_FEAT_ONESHOT,
		.set_next_event = lapic_next_event, .set_state_oneshot = lapic_set_oneshot,
		.set_state_periodic = lapic_set_periodic, .set_state_shutdown = lapic_shutdown,
	};
	this_cpu_write(lapic_timer_event, lapic_event);
	clockevents_config_and_register(dev, lapic_timer_hz, 0xf, 0x7fffffff);
}
