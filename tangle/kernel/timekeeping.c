/* Tangled from chapters/27-tick.nw chapters/29-utime.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "time.h"
#include "seqlock.h"
#include "spinlock.h"
#include "clocks.h"

struct timekeeper {
	struct clocksource *clock;
	u64 cycle_last, mask;
	u32 mult, shift;
	ktime_t mono;                   /* CLOCK_MONOTONIC at cycle_last */
	u64 frac;                       /* and a fraction, << shift */
	ktime_t offs_real, offs_boot;   /* REALTIME and BOOTTIME - MONOTONIC */
};

static struct timekeeper tk;
static seqcount_t tk_seq;
static spinlock_t tk_lock = SPINLOCK_INIT;

static ktime_t tk_now(void)
{
	struct clocksource *cs = READ_ONCE(tk.clock);

	if (!cs)
		return tk.mono;
	u64 delta = (cs->read(cs) - tk.cycle_last) & tk.mask;
	if (delta & ~(tk.mask >> 1))
		delta = 0;                      /* behind cycle_last: no time */
	return tk.mono + (ktime_t)((delta * tk.mult + tk.frac) >> tk.shift);
}

ktime_t ktime_get(void)
{
	unsigned seq;
	ktime_t t;

	do {
		seq = read_seqcount_begin(&tk_seq);
		t = tk_now();
	} while (read_seqcount_retry(&tk_seq, seq));
	return t;
}

ktime_t ktime_get_real(void)
{
	unsigned seq;
	ktime_t t;

	do {
		seq = read_seqcount_begin(&tk_seq);
		t = tk_now() + tk.offs_real;
	} while (read_seqcount_retry(&tk_seq, seq));
	return t;
}

ktime_t ktime_get_boottime(void)
{
	unsigned seq;
	ktime_t t;

	do {
		seq = read_seqcount_begin(&tk_seq);
		t = tk_now() + tk.offs_boot;
	} while (read_seqcount_retry(&tk_seq, seq));
	return t;
}

ktime_t ktime_get_offset(int boot)
{
	return READ_ONCE(*(boot ? &tk.offs_boot : &tk.offs_real));
}

static void tk_accumulate(void)
{
	u64 now = tk.clock->read(tk.clock);
	u64 delta = (now - tk.cycle_last) & tk.mask;

	if (delta & ~(tk.mask >> 1))
		return;                         /* behind: keep the last state */
	u64 ns = delta * tk.mult + tk.frac;
	tk.mono += ns >> tk.shift;
	tk.frac = ns & ((1UL << tk.shift) - 1);
	tk.cycle_last = now;
}

void update_wall_time(void)
{
	u64 f = spin_lock_irqsave(&tk_lock);
	write_seqcount_begin(&tk_seq);
	if (tk.clock)
		tk_accumulate();
	vdso_publish(tk.clock && tk.clock->user_readable, tk.cycle_last, tk.mult, tk.shift,
		     tk.mono, tk.frac, tk.offs_real, tk.offs_boot);
	write_seqcount_end(&tk_seq);
	spin_unlock_irqrestore(&tk_lock, f);
}

void timekeeping_change(struct clocksource *cs)
{
	u64 f = spin_lock_irqsave(&tk_lock);
	write_seqcount_begin(&tk_seq);
	if (tk.clock)
		tk_accumulate();
	tk.clock = cs;
	if (cs) {
		tk.cycle_last = cs->read(cs);
		tk.mask = cs->mask, tk.mult = cs->mult, tk.shift = cs->shift;
		tk.frac = 0;
	}
	vdso_publish(tk.clock && tk.clock->user_readable, tk.cycle_last, tk.mult, tk.shift,
		     tk.mono, tk.frac, tk.offs_real, tk.offs_boot);
	write_seqcount_end(&tk_seq);
	spin_unlock_irqrestore(&tk_lock, f);
}

void timekeeping_init(void)
{
	clocksources_init();
	ktime_t mono = ktime_get();
	u64 f = spin_lock_irqsave(&tk_lock);
	write_seqcount_begin(&tk_seq);
	tk.offs_real = boot_time_seconds >= 0 ? boot_time_seconds * NSEC_PER_SEC - mono : 0;
	tk.offs_boot = 0;
	vdso_publish(tk.clock && tk.clock->user_readable, tk.cycle_last, tk.mult, tk.shift,
		     tk.mono, tk.frac, tk.offs_real, tk.offs_boot);
	write_seqcount_end(&tk_seq);
	spin_unlock_irqrestore(&tk_lock, f);
	printk("timekeeping: clock source %s; the time of day from the %s\n",
	       clocksource_current()->name, boot_time_seconds >= 0 ? "RTC" : "epoch (no RTC)");
}
