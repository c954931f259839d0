/* Tangled from chapters/27-tick.nw chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "time.h"
#include "spinlock.h"
#include "smp.h"
#include "clocks.h"

void clocks_calc_mult_shift(u32 *mult, u32 *shift, u64 from, u64 to, u64 max_from)
{
	u32 sft;
	u64 m = 0;

	for (sft = 32; sft > 0; sft--) {
		m = mul_div(to, 1UL << sft, from);
		if (m <= 0xffffffffUL && m <= ~0UL / MAX(max_from, 1UL))
			break;
	}
	*mult = m ? m : 1;
	*shift = sft;
}

static struct list_head clocksources = LIST_HEAD_INIT(clocksources);
static spinlock_t clocksource_lock = SPINLOCK_INIT;
static struct clocksource *curr_cs;

struct clocksource *clocksource_current(void)
{
	return READ_ONCE(curr_cs);
}

static struct clocksource *clocksource_best(void)
{
	const char *want = cmdline_get("clocksource");
	struct clocksource *cs, *best = NULL;

	list_for_each_entry(cs, &clocksources, list) {
		if (cs->flags & CLOCK_SOURCE_UNSTABLE)
			continue;
		if (want && !strcmp(want, cs->name))
			return cs;
		if (!best || cs->rating > best->rating)
			best = cs;
	}
	return best;
}

static void clocksource_select(void)
{
	struct clocksource *best = clocksource_best();

	if (best && best != curr_cs) {
		if (curr_cs)
			printk("clocksource: switched from %s to %s\n", curr_cs->name, best->name);
		timekeeping_change(best);
		WRITE_ONCE(curr_cs, best);
	}
}

void clocksource_register_hz(struct clocksource *cs, u64 hz)
{
	u64 most = MIN(cs->mask, 10 * hz);

	cs->hz = hz;
	clocks_calc_mult_shift(&cs->mult, &cs->shift, hz, NSEC_PER_SEC, most);
	cs->max_cycles = MIN(cs->mask, ~0UL / cs->mult);
	cs->wd_valid = false;
	u64 f = spin_lock_irqsave(&clocksource_lock);
	list_add_tail(&cs->list, &clocksources);
	clocksource_select();
	spin_unlock_irqrestore(&clocksource_lock, f);
	printk("clocksource: %s, %lu Hz, mult %u shift %u, rating %d\n",
	       cs->name, hz, cs->mult, cs->shift, cs->rating);
}

void clocksource_unregister(struct clocksource *cs)
{
	u64 f = spin_lock_irqsave(&clocksource_lock);
	list_del_init(&cs->list);
	if (cs == curr_cs)
		curr_cs = NULL, timekeeping_change(NULL);
	clocksource_select();
	spin_unlock_irqrestore(&clocksource_lock, f);
}

static u64 read_tsc(struct clocksource *cs)
{
	(void)cs;
	asm volatile("lfence" ::: "memory");    /* ordered: see tk_now */
	return rdtsc();
}

static u64 read_hpet(struct clocksource *cs) { (void)cs; return hpet_read(); }

static struct clocksource cs_tsc = { .name = "tsc", .read = read_tsc,
	.mask = ~0UL, .rating = 300, .user_readable = true };
static struct clocksource cs_hpet = { .name = "hpet", .read = read_hpet,
	.mask = 0xffffffff, .rating = 250 };

void clocksources_init(void)
{
	if (hpet_present)
		clocksource_register_hz(&cs_hpet, hpet_hz);
	cs_tsc.flags = tsc_invariant ? 0 : CLOCK_SOURCE_MUST_VERIFY;
	clocksource_register_hz(&cs_tsc, tsc_hz);
}

#define WATCHDOG_INTERVAL       (HZ / 2)
#define WATCHDOG_THRESHOLD      (NSEC_PER_SEC >> 5)
#define WATCHDOG_MAX_SKEW       (100 * NSEC_PER_USEC)

static u64 cs_delta_ns(struct clocksource *cs, u64 now, u64 last)
{
	return ((now - last) & cs->mask) * cs->mult >> cs->shift;
}

static bool watchdog_read(struct clocksource *wd, struct clocksource *cs,
			  u64 *wdnow, u64 *csnow)
{
	for (int tries = 0; tries < 3; tries++) {
		u64 f = local_irq_save();
		u64 a = wd->read(wd);
		*csnow = cs->read(cs);
		u64 b = wd->read(wd);
		local_irq_restore(f);
		*wdnow = b;
		if (cs_delta_ns(wd, b, a) <= WATCHDOG_MAX_SKEW)
			return true;
	}
	return false;
}

unsigned long watchdog_checks, watchdog_skipped;
static struct clocksource *watchdog_used;

void clocksource_watchdog(void)
{
	struct clocksource *cs, *wd = NULL;
	u64 f = spin_lock_irqsave(&clocksource_lock);

	list_for_each_entry(cs, &clocksources, list)
		if (!(cs->flags & (CLOCK_SOURCE_MUST_VERIFY | CLOCK_SOURCE_UNSTABLE)) &&
		    cs->rating > 1 && (!wd || cs->rating > wd->rating))
			wd = cs;
	if (wd != watchdog_used) {              /* a new watchdog: start again */
		list_for_each_entry(cs, &clocksources, list)
			cs->wd_valid = false;
		watchdog_used = wd;
	}
	list_for_each_entry(cs, &clocksources, list) {
		if (!wd || !(cs->flags & CLOCK_SOURCE_MUST_VERIFY) ||
		    (cs->flags & CLOCK_SOURCE_UNSTABLE))
			continue;
		u64 wdnow, csnow;
		if (!watchdog_read(wd, cs, &wdnow, &csnow)) {
			watchdog_skipped++;
			continue;
		}
		if (cs->wd_valid) {
			s64 wd_ns = cs_delta_ns(wd, wdnow, cs->wd_last);
			s64 cs_ns = cs_delta_ns(cs, csnow, cs->cs_last);
			watchdog_checks++;
			if (cs_ns - wd_ns > WATCHDOG_THRESHOLD || wd_ns - cs_ns > WATCHDOG_THRESHOLD) {
				printk("clocksource: timekeeping watchdog: %s is unstable: %ld ns "
				       "where %s says %ld ns\n", cs->name, cs_ns, wd->name, wd_ns);
				cs->flags |= CLOCK_SOURCE_UNSTABLE;
				cs->rating = 0;
				clocksource_select();
				continue;
			}
		}
		cs->wd_last = wdnow, cs->cs_last = csnow, cs->wd_valid = true;
	}
	spin_unlock_irqrestore(&clocksource_lock, f);
}

void clocksource_mark_unstable(struct clocksource *cs)
{
	u64 f = spin_lock_irqsave(&clocksource_lock);
	cs->flags |= CLOCK_SOURCE_UNSTABLE;
	cs->rating = 0;
	clocksource_select();
	spin_unlock_irqrestore(&clocksource_lock, f);
}

void show_clocksources(void)
{
	struct clocksource *cs;
	u64 f = spin_lock_irqsave(&clocksource_lock);

	list_for_each_entry(cs, &clocksources, list)
		printk("%c %-8s rating %3d, %lu Hz%s%s\n", cs == curr_cs ? '*' : ' ',
		       cs->name, cs->rating, (unsigned long)cs->hz,
		       cs->flags & CLOCK_SOURCE_UNSTABLE ? ", unstable" : "",
		       cs->user_readable ? ", readable by programs" : "");
	spin_unlock_irqrestore(&clocksource_lock, f);
}
