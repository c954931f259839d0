/* Tangled from chapters/28-timers.nw chapters/30-watchdog.nw chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "time.h"
#include "spinlock.h"

struct hlist_node { struct hlist_node *next, **pprev; };
struct hlist_head { struct hlist_node *first; };

static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h)
{
	n->next = h->first;
	if (h->first)
		h->first->pprev = &n->next;
	h->first = n;
	n->pprev = &h->first;
}

static inline void hlist_del_init(struct hlist_node *n)
{
	if (!n->pprev)
		return;
	*n->pprev = n->next;
	if (n->next)
		n->next->pprev = n->pprev;
	n->next = NULL, n->pprev = NULL;
}

struct timer_list {
	struct hlist_node entry;        /* pprev is NULL when not pending */
	unsigned long expires;          /* in jiffies */
	void (*function)(struct timer_list *t);
	u32 cpu;                        /* the wheel it is on; ~0: moving */
	u16 idx;                        /* its bucket, while pending */
	u16 flags;
};
#define TIMER_PINNED    0x1             /* stays on the CPU it was added on */
#define from_timer(var, t, field) container_of(t, __typeof__(*var), field)

void timer_setup(struct timer_list *t, void (*fn)(struct timer_list *), u16 flags);
void add_timer(struct timer_list *t);
void add_timer_on(struct timer_list *t, unsigned cpu);
int mod_timer(struct timer_list *t, unsigned long expires);
int del_timer(struct timer_list *t);
int del_timer_sync(struct timer_list *t);
void msleep(unsigned long ms);

static inline bool timer_pending(const struct timer_list *t)
{
	return READ_ONCE(t->entry.pprev) != NULL;
}

enum hrtimer_mode {
	HRTIMER_MODE_ABS = 0x0, HRTIMER_MODE_REL = 0x1, HRTIMER_MODE_SOFT = 0x4,
};
enum hrtimer_restart { HRTIMER_NORESTART, HRTIMER_RESTART };
enum { CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_BOOTTIME = 7 };

#define HRT_LEVELS 12

struct hrtimer {
	struct hrtimer *next[HRT_LEVELS];       /* the skip list's links */
	u8 levels;                              /* how many of them are used */
	bool enqueued, soft;
	int clock;
	u32 cpu;
	u64 seq;                                /* breaks ties between expiries */
	ktime_t expires;
	enum hrtimer_restart (*function)(struct hrtimer *t);
};

void hrtimer_init(struct hrtimer *t, int clock, enum hrtimer_mode mode);
void hrtimer_start(struct hrtimer *t, ktime_t tim, enum hrtimer_mode mode);
int hrtimer_try_to_cancel(struct hrtimer *t);
int hrtimer_cancel(struct hrtimer *t);
u64 hrtimer_forward(struct hrtimer *t, ktime_t now, ktime_t interval);
ktime_t hrtimer_clock_now(int clock);

static inline bool hrtimer_is_queued(const struct hrtimer *t)
{
	return READ_ONCE(t->enqueued);
}

ktime_t timers_next_event(ktime_t now);
ktime_t hrtimer_next_event(void);
void hrtimer_run_hard(ktime_t now);
void run_timer_softirq(void);
void timers_init(void);
DECLARE_PER_CPU(void *, running_timer_fn);

struct timer_base;
unsigned timer_wheel_index(unsigned long expires, unsigned long clk,
			   unsigned long *bucket_expiry);
struct timer_base *timer_base_create(unsigned long clk);
void timer_base_add(struct timer_base *base, struct timer_list *t);
void timer_base_run(struct timer_base *base, unsigned long now);
extern unsigned long timer_double_adds;

void watchdog_init(void);
void watchdog_set_thresh(unsigned long ms);
unsigned long watchdog_get_thresh(void);
void watchdog_cost(unsigned cpu, unsigned long *runs, u64 *cost);
void touch_watchdog(void);
DECLARE_PER_CPU(unsigned long, softlockup_count);
DECLARE_PER_CPU(unsigned long, hardlockup_count);
DECLARE_PER_CPU(unsigned long, nmi_backtrace_count);

void show_timers(void);
