/* Tangled from chapters/26-clocks.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "kernel.h"
#include "percpu.h"

struct rtc_time {
	unsigned year, mon, day, hour, min, sec;        /* mon and day from 1 */
};

bool rtc_read_time(struct rtc_time *tm);
void rtc_set_time(const struct rtc_time *tm);
s64 rtc_time_to_seconds(const struct rtc_time *tm);
extern s64 boot_time_seconds;                   /* RTC at boot; -1 if none */

extern u64 tsc_hz;
extern bool tsc_invariant;
extern u64 tsc_cpuid_hz;                        /* CPUID 0x15: exact, or 0 */
extern u64 cpu_base_mhz;                        /* CPUID 0x16: nominal, or 0 */

struct calibration {
	const char *against;                    /* the reference's name */
	u64 hz;                                 /* the result */
	u64 window_ns;                          /* how long it measured */
	u64 error_ppb;                          /* its bound: +- parts per 10^9 */
};
extern struct calibration tsc_fast, tsc_refined, lapic_cal;
extern u64 clocks_ready_tsc;                    /* TSC when calibration ended */
void clocks_init(void);
void ndelay(unsigned long ns);

extern bool hpet_present;
extern u64 hpet_hz;
u64 hpet_read(void);
int hpet_timer0_start(u32 delta, bool periodic, void (*fn)(void));
void hpet_timer0_stop(void);

int pit_periodic_start(unsigned hz, void (*fn)(void));
void pit_periodic_stop(void);

extern u64 lapic_timer_hz;
extern bool tsc_deadline_present;
DECLARE_PER_CPU(void (*)(void), lapic_timer_event);
DECLARE_PER_CPU(unsigned long, lapic_timer_irqs);
void lapic_timer_oneshot(u32 count);
void lapic_timer_periodic(u32 count);
void lapic_timer_deadline(u64 tsc);
void lapic_timer_stop(void);
u32 lapic_timer_count(void);

struct refclock {
	const char *name;
	u64 (*read)(void);              /* counts up */
	u64 mask;                       /* its width: it wraps at mask + 1 */
	u64 hz;                         /* its rate, 0 if unknown */
};

struct measurement { u64 dtsc, dref, spread; };

struct measurement measure_for_tsc(const struct refclock *r, u64 tsc_ticks);
void hpet_init(void);
void lapic_timer_calibrate(void);
void rtc_boot_time(void);
u64 rtc_seconds_read(void);
bool rtc_update_in_progress(void);
bool boot_rtc_valid(void);
extern unsigned long pit_irqs, hpet_timer0_irqs, hpet_timer0_stale, rtc_uip_waits;

u64 tsc_remeasure(u64 ns);
