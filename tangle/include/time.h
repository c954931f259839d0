/* Tangled from chapters/27-tick.nw chapters/29-utime.nw chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "kernel.h"
#include "percpu.h"
#include "list.h"

typedef s64 ktime_t;                            /* nanoseconds */
#define KTIME_MAX       ((ktime_t)(~0UL >> 1))
#define NSEC_PER_USEC   1000L
#define NSEC_PER_MSEC   1000000L
#define NSEC_PER_SEC    1000000000L
#define HZ              250
#define TICK_NSEC       (NSEC_PER_SEC / HZ)
#define INITIAL_JIFFIES ((unsigned long)(-300 * HZ))

extern volatile unsigned long jiffies;
extern bool tick_running;                       /* time slices are enforced */

#define time_after(a, b)        ((long)((b) - (a)) < 0)
#define time_before(a, b)       time_after(b, a)
#define time_after_eq(a, b)     ((long)((a) - (b)) >= 0)
#define time_before_eq(a, b)    time_after_eq(b, a)

static inline unsigned long msecs_to_jiffies(unsigned long ms)
{
	return (ms * HZ + 999) / 1000;          /* never short */
}

#define CLAMP(v, lo, hi)        MIN(MAX((v), (lo)), (hi))

#define CLOCK_SOURCE_MUST_VERIFY 0x1
#define CLOCK_SOURCE_UNSTABLE    0x2

struct clocksource {
	const char *name;
	u64 (*read)(struct clocksource *cs);
	u64 mask;                       /* its width: wraps at mask + 1 */
	u32 mult, shift;                /* ns = (counts * mult) >> shift */
	int rating;
	unsigned flags;
	u64 hz;
	u64 max_cycles;                 /* the most counts mult can take */
	struct list_head list;
	u64 wd_last, cs_last;           /* the watchdog's last readings */
	bool wd_valid;
	bool user_readable;             /* programs may read it (Chapter utime) */
};

void clocksource_register_hz(struct clocksource *cs, u64 hz);
void clocksource_unregister(struct clocksource *cs);
void clocksource_mark_unstable(struct clocksource *cs);
struct clocksource *clocksource_current(void);
void clocks_calc_mult_shift(u32 *mult, u32 *shift, u64 from, u64 to, u64 max_from);

ktime_t ktime_get(void);
ktime_t ktime_get_real(void);
ktime_t ktime_get_boottime(void);
ktime_t ktime_get_offset(int boot);
void timekeeping_init(void);
void update_wall_time(void);

#define CLOCK_EVT_FEAT_PERIODIC 0x1
#define CLOCK_EVT_FEAT_ONESHOT  0x2

enum clock_event_state { CLOCK_EVT_STATE_DETACHED, CLOCK_EVT_STATE_SHUTDOWN,
			 CLOCK_EVT_STATE_PERIODIC, CLOCK_EVT_STATE_ONESHOT };

struct clock_event_device {
	const char *name;
	unsigned features;
	int rating;
	u32 mult, shift;                /* ticks = (ns * mult) >> shift */
	u64 min_delta_ns, max_delta_ns;
	unsigned long min_delta_ticks, max_delta_ticks;
	int (*set_next_event)(unsigned long ticks, struct clock_event_device *dev);
	int (*set_state_periodic)(struct clock_event_device *dev);
	int (*set_state_oneshot)(struct clock_event_device *dev);
	int (*set_state_shutdown)(struct clock_event_device *dev);
	void (*event_handler)(struct clock_event_device *dev);
	enum clock_event_state state;
	ktime_t next_event;
	u64 hz;
	unsigned cpu;
	unsigned long events;           /* interrupts taken */
};

void clockevents_config_and_register(struct clock_event_device *dev, u64 hz,
				     unsigned long min_ticks, unsigned long max_ticks);
int clockevents_program_event(struct clock_event_device *dev, ktime_t expires, bool force);
void clockevents_switch_state(struct clock_event_device *dev, enum clock_event_state s);
DECLARE_PER_CPU(struct clock_event_device *, tick_device);

struct tick_sched {
	ktime_t next_tick;              /* the next tick's time, on the grid */
	bool idle, stopped;
	bool suspended;                 /* a test has the device: hands off */
	unsigned long ticks;            /* tick interrupts taken */
	unsigned long idle_ticks;       /* of them, while idle */
	unsigned long stops;            /* times the idle tick was stopped */
};
DECLARE_PER_CPU(struct tick_sched, tick_cpu_sched);
extern bool tick_nohz_active, tick_periodic_off;

void tick_early_init(void);
void tick_init(void);
void tick_setup_cpu(unsigned cpu);
void tick_nohz_kick(unsigned cpu);
void tick_kick_cpu(unsigned cpu);
void tick_reprogram_local(void);
ktime_t jiffies_to_ktime(unsigned long j);
void tick_nohz_idle_stop(void);
void tick_update_jiffies(void);
void tick_nohz_idle_exit(void);
void tick_suspend_local(void);
void tick_resume_local(void);

void timekeeping_change(struct clocksource *cs);
void clocksources_init(void);
void clocksource_watchdog(void);
extern unsigned long watchdog_checks, watchdog_skipped;

void lapic_clockevent_init(unsigned cpu);
void pit_clockevent_init(void);

#define WATCHDOG_INTERVAL       (HZ / 2)

long schedule_timeout_uninterruptible(long timeout);

struct timespec {
	s64 tv_sec;
	s64 tv_nsec;                            /* 0 to 999 999 999 */
};
#define TIMER_ABSTIME   0x1

void vdso_publish(bool tsc, u64 cycle_last, u32 mult, u32 shift, ktime_t mono,
		  u64 frac, ktime_t offs_real, ktime_t offs_boot);
ktime_t vdso_test_lag(u64 ahead);
void vdso_test_done(void);

void show_clocksources(void);
