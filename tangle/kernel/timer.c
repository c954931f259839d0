/* Tangled from chapters/28-timers.nw chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "trace.h"
#include "timer.h"
#include "sched.h"
#include "softirq.h"
#include "smp.h"
#include "kallsyms.h"
#include "mm.h"

#define LVL_CLK_SHIFT   3
#define LVL_CLK_MASK    ((1UL << LVL_CLK_SHIFT) - 1)
#define LVL_SHIFT(n)    ((n) * LVL_CLK_SHIFT)
#define LVL_GRAN(n)     (1UL << LVL_SHIFT(n))
#define LVL_BITS        6
#define LVL_SIZE        (1UL << LVL_BITS)
#define LVL_MASK        (LVL_SIZE - 1)
#define LVL_OFFS(n)     ((n) * LVL_SIZE)
#define LVL_DEPTH       9
#define WHEEL_SIZE      (LVL_SIZE * LVL_DEPTH)
#define LVL_START(n)    ((LVL_SIZE - 1) << (((n) - 1) * LVL_CLK_SHIFT))
#define WHEEL_TIMEOUT_CUTOFF    LVL_START(LVL_DEPTH)
#define WHEEL_TIMEOUT_MAX       (WHEEL_TIMEOUT_CUTOFF - LVL_GRAN(LVL_DEPTH - 1))

static unsigned calc_index(unsigned long expires, unsigned lvl, unsigned long *bucket_expiry)
{
	expires = (expires >> LVL_SHIFT(lvl)) + 1;
	*bucket_expiry = expires << LVL_SHIFT(lvl);
	return LVL_OFFS(lvl) + (expires & LVL_MASK);
}

static unsigned calc_wheel_index(unsigned long expires, unsigned long clk,
				 unsigned long *bucket_expiry)
{
	unsigned long delta = expires - clk;

	if ((long)delta < 0) {
		*bucket_expiry = clk;
		return clk & LVL_MASK;
	}
	for (unsigned lvl = 0; lvl < LVL_DEPTH - 1; lvl++)
		if (delta < LVL_START(lvl + 1))
			return calc_index(expires, lvl, bucket_expiry);
	if (delta >= WHEEL_TIMEOUT_CUTOFF)
		expires = clk + WHEEL_TIMEOUT_MAX;
	return calc_index(expires, LVL_DEPTH - 1, bucket_expiry);
}

struct timer_base {
	spinlock_t lock;
	struct timer_list *running_timer;
	unsigned long clk;                      /* the next jiffy to look at */
	unsigned long next_expiry;              /* the earliest bucket expiry */
	bool next_expiry_recalc;                /* a bucket emptied: may be early */
	u64 pending_map[LVL_DEPTH];             /* one word a level */
	struct hlist_head vectors[WHEEL_SIZE];
	unsigned long nr_pending, expired;
};

static DEFINE_PER_CPU(struct timer_base, timer_bases);

static struct timer_base *base_of(unsigned cpu)
{
	return per_cpu_ptr(&timer_bases, cpu);
}

#define TIMER_MOVING    (~0U)

static struct timer_base *lock_timer_base(struct timer_list *t, u64 *flags)
{
	for (;;) {
		u32 cpu = READ_ONCE(t->cpu);
		if (cpu != TIMER_MOVING) {
			struct timer_base *base = base_of(cpu);
			*flags = spin_lock_irqsave(&base->lock);
			if (READ_ONCE(t->cpu) == cpu)
				return base;
			spin_unlock_irqrestore(&base->lock, *flags);
		}
		pause();
	}
}

static void forward_timer_base(struct timer_base *base)
{
	unsigned long now = READ_ONCE(jiffies);

	if (time_after(now, base->clk))
		base->clk = time_before(base->next_expiry, now) ? base->next_expiry : now;
}

static void enqueue_timer(struct timer_base *base, struct timer_list *t)
{
	unsigned long bucket_expiry;
	unsigned idx = calc_wheel_index(t->expires, base->clk, &bucket_expiry);

	hlist_add_head(&t->entry, &base->vectors[idx]);
	t->idx = idx;
	base->pending_map[idx / LVL_SIZE] |= 1UL << (idx % LVL_SIZE);
	base->nr_pending++;
	if (time_before(bucket_expiry, base->next_expiry))
		base->next_expiry = bucket_expiry;
}

static bool detach_if_pending(struct timer_base *base, struct timer_list *t)
{
	if (!timer_pending(t))
		return false;
	hlist_del_init(&t->entry);
	base->nr_pending--;
	if (!base->vectors[t->idx].first) {     /* the bucket is empty now */
		base->pending_map[t->idx / LVL_SIZE] &= ~(1UL << (t->idx % LVL_SIZE));
		base->next_expiry_recalc = true;
	}
	return true;
}

#define NEXT_TIMER_MAX_DELTA    ((1UL << 30) - 1)

static unsigned long next_expiry_of(struct timer_base *base)
{
	unsigned long next = base->clk + NEXT_TIMER_MAX_DELTA;

	for (unsigned lvl = 0; lvl < LVL_DEPTH; lvl++) {
		u64 map = base->pending_map[lvl];
		if (!map)
			continue;
		unsigned long start = (base->clk + LVL_GRAN(lvl) - 1) >> LVL_SHIFT(lvl);
		unsigned pos = start & LVL_MASK;
		u64 rot = pos ? (map >> pos) | (map << (LVL_SIZE - pos)) : map;
		unsigned long at = (start + __builtin_ctzl(rot)) << LVL_SHIFT(lvl);
		if (time_before(at, next))
			next = at;
	}
	return next;
}

static int __mod_timer(struct timer_list *t, unsigned long expires, int target)
{
	u64 f;
	struct timer_base *base = lock_timer_base(t, &f);
	int was = detach_if_pending(base, t);
	unsigned cpu = target >= 0 ? (unsigned)target :
		       (t->flags & TIMER_PINNED) ? t->cpu : smp_processor_id();
	struct timer_base *new = base_of(cpu);

	if (new != base && base->running_timer != t) {
		WRITE_ONCE(t->cpu, TIMER_MOVING);
		spin_unlock(&base->lock);
		spin_lock(&new->lock);
		WRITE_ONCE(t->cpu, cpu);
		base = new;
	}
	t->expires = expires;
	forward_timer_base(base);
	unsigned long before = base->next_expiry;
	enqueue_timer(base, t);
	bool earlier = base->next_expiry != before;
	unsigned kick = t->cpu;
	spin_unlock_irqrestore(&base->lock, f);
	if (earlier)
		tick_nohz_kick(kick);
	return was;
}

unsigned long timer_double_adds;

void timer_setup(struct timer_list *t, void (*fn)(struct timer_list *), u16 flags)
{
	*t = (struct timer_list){ .function = fn, .flags = flags,
				  .cpu = smp_processor_id() };
}

void add_timer(struct timer_list *t)
{
	if (timer_pending(t)) {
		timer_double_adds++;
		printk("timer: add_timer of a pending timer (%p, function %p) from %p; ignored\n",
		       t, t->function, __builtin_return_address(0));
		return;
	}
	__mod_timer(t, t->expires, -1);
}

void add_timer_on(struct timer_list *t, unsigned cpu)
{
	if (timer_pending(t) || cpu >= nr_cpu_ids || !cpu_online(cpu)) {
		printk("timer: add_timer_on(CPU %u) of %s (function %p); ignored\n", cpu,
		       timer_pending(t) ? "a pending timer" : "a timer to an offline CPU",
		       t->function);
		return;
	}
	__mod_timer(t, t->expires, cpu);
}

int mod_timer(struct timer_list *t, unsigned long expires)
{
	return __mod_timer(t, expires, -1);
}

int del_timer(struct timer_list *t)
{
	u64 f;
	struct timer_base *base = lock_timer_base(t, &f);
	int was = detach_if_pending(base, t);

	spin_unlock_irqrestore(&base->lock, f);
	return was;
}

int del_timer_sync(struct timer_list *t)
{
	for (;;) {
		u64 f;
		struct timer_base *base = lock_timer_base(t, &f);
		if (base->running_timer != t) {
			int was = detach_if_pending(base, t);
			spin_unlock_irqrestore(&base->lock, f);
			return was;
		}
		spin_unlock_irqrestore(&base->lock, f);
		pause();
	}
}

static int collect_expired_timers(struct timer_base *base, struct hlist_head *heads)
{
	unsigned long clk = base->clk;
	int levels = 0;

	for (unsigned lvl = 0; lvl < LVL_DEPTH; lvl++) {
		unsigned idx = LVL_OFFS(lvl) + (clk & LVL_MASK);
		if (base->pending_map[lvl] & (1UL << (clk & LVL_MASK))) {
			base->pending_map[lvl] &= ~(1UL << (clk & LVL_MASK));
			heads[levels].first = base->vectors[idx].first;
			if (heads[levels].first)
				heads[levels].first->pprev = &heads[levels].first;
			base->vectors[idx].first = NULL;
			levels++;
		}
		if (clk & LVL_CLK_MASK)
			break;
		clk >>= LVL_CLK_SHIFT;
	}
	return levels;
}

static void expire_timers(struct timer_base *base, struct hlist_head *head, u64 *f)
{
	while (head->first) {
		struct timer_list *t = container_of(head->first, struct timer_list, entry);
		void (*fn)(struct timer_list *) = t->function;
		hlist_del_init(&t->entry);
		base->nr_pending--;
		base->running_timer = t;
		base->expired++;
		spin_unlock_irqrestore(&base->lock, *f);
		unsigned count = preempt_count();
		this_cpu_write(running_timer_fn, (void *)fn);
		trace(TRACE_TIMER_START, 0, fn, 0);
		fn(t);
		trace(TRACE_TIMER_END, 0, fn, 0);
		this_cpu_write(running_timer_fn, NULL);
		if (preempt_count() != count) {
			printk("BUG: timer function [<%p>] returned with preempt_count %x, not %x\n",
			       fn, preempt_count(), count);
			this_cpu_write(preempt_count,
				       (this_cpu_read(preempt_count) & PREEMPT_NEED_RESCHED) | count);
		}
		*f = spin_lock_irqsave(&base->lock);
		base->running_timer = NULL;
	}
}

DEFINE_PER_CPU(void *, running_timer_fn);

static void __run_timers(struct timer_base *base, unsigned long now)
{
	struct hlist_head heads[LVL_DEPTH];
	u64 f = spin_lock_irqsave(&base->lock);

	while (time_after_eq(now, base->clk)) {
		unsigned long next = next_expiry_of(base);
		if (time_after(next, base->clk)) {
			base->clk = time_after(next, now) ? now + 1 : next;
			continue;
		}
		int levels = collect_expired_timers(base, heads);
		base->clk++;
		while (levels--)
			expire_timers(base, heads + levels, &f);
	}
	base->next_expiry = next_expiry_of(base);
	base->next_expiry_recalc = false;
	spin_unlock_irqrestore(&base->lock, f);
}

void run_timer_softirq(void)
{
	struct timer_base *base = this_cpu_ptr(&timer_bases);
	unsigned long now = READ_ONCE(jiffies);

	if (time_after_eq(now, READ_ONCE(base->next_expiry)))
		__run_timers(base, now);
}

unsigned timer_wheel_index(unsigned long expires, unsigned long clk,
			   unsigned long *bucket_expiry)
{
	return calc_wheel_index(expires, clk, bucket_expiry);
}

struct timer_base *timer_base_create(unsigned long clk)
{
	struct timer_base *base = kzalloc(sizeof(*base));

	if (base) {
		base->lock = (spinlock_t)SPINLOCK_INIT;
		base->clk = clk;
		base->next_expiry = clk + NEXT_TIMER_MAX_DELTA;
	}
	return base;
}

void timer_base_add(struct timer_base *base, struct timer_list *t)
{
	u64 f = spin_lock_irqsave(&base->lock);
	enqueue_timer(base, t);
	spin_unlock_irqrestore(&base->lock, f);
}

void timer_base_run(struct timer_base *base, unsigned long now)
{
	__run_timers(base, now);
}

struct process_timer {
	struct timer_list timer;
	struct task *task;
};

static void process_timeout(struct timer_list *t)
{
	struct process_timer *p = from_timer(p, t, timer);

	wake_up_process(p->task);
}

long schedule_timeout(long timeout)
{
	if (timeout == (long)MAX_SCHEDULE_TIMEOUT) {
		schedule();
		return timeout;
	}
	if (timeout < 0) {
		printk("schedule_timeout: wrong timeout value %lx from %p\n", timeout,
		       __builtin_return_address(0));
		__set_current_state(TASK_RUNNING);
		return 0;
	}
	tick_update_jiffies();
	unsigned long expire = jiffies + timeout;
	struct process_timer pt = { .task = current };
	timer_setup(&pt.timer, process_timeout, 0);
	__mod_timer(&pt.timer, expire, -1);
	schedule();
	del_timer_sync(&pt.timer);
	long left = (long)(expire - jiffies);
	return left > 0 ? left : 0;
}

void msleep(unsigned long ms)
{
	unsigned long timeout = msecs_to_jiffies(ms) + 1;

	while (timeout)
		timeout = schedule_timeout_uninterruptible(timeout);
}

#define HRTIMER_BASES   6                       /* 3 clocks x (hard, soft) */

struct hrtimer_clock_base {
	struct hrtimer head;                    /* its links are the list's heads */
	unsigned levels;                        /* how many levels are in use */
};

struct hrtimer_cpu_base {
	spinlock_t lock;
	struct hrtimer_clock_base bases[HRTIMER_BASES];
	struct hrtimer *running;
	bool softirq_activated;                 /* due soft timers await the softirq */
	unsigned queued;                        /* timers on all six queues */
	ktime_t expires_next;                   /* hr_earliest, kept up to date */
	u64 seq, rand;
	unsigned long soft_runs;
};

static DEFINE_PER_CPU(struct hrtimer_cpu_base, hrtimer_bases);

static unsigned clock_index(int clock)
{
	return clock == CLOCK_REALTIME ? 0 : clock == CLOCK_MONOTONIC ? 1 : 2;
}

static struct hrtimer_clock_base *hr_base(struct hrtimer_cpu_base *cb, const struct hrtimer *t)
{
	return &cb->bases[clock_index(t->clock) * 2 + t->soft];
}

static bool hr_before(const struct hrtimer *a, const struct hrtimer *b)
{
	return a->expires < b->expires || (a->expires == b->expires && a->seq < b->seq);
}

static unsigned hr_random_levels(struct hrtimer_cpu_base *cb)
{
	u64 x = cb->rand;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	cb->rand = x;
	unsigned levels = 1;
	while (levels < HRT_LEVELS && (x & 3) == 0)
		levels++, x >>= 2;
	return levels;
}

static void hr_update_next(struct hrtimer_cpu_base *cb);

static void hr_find(struct hrtimer_clock_base *b, const struct hrtimer *t,
		    struct hrtimer **prev)
{
	struct hrtimer *x = &b->head;

	for (int l = (int)b->levels - 1; l >= 0; l--) {
		while (x->next[l] && hr_before(x->next[l], t))
			x = x->next[l];
		prev[l] = x;
	}
}

static void hr_enqueue(struct hrtimer_cpu_base *cb, struct hrtimer *t)
{
	struct hrtimer_clock_base *b = hr_base(cb, t);
	struct hrtimer *prev[HRT_LEVELS];

	t->seq = cb->seq++;
	t->levels = hr_random_levels(cb);
	hr_find(b, t, prev);
	for (; b->levels < t->levels; b->levels++)
		prev[b->levels] = &b->head;     /* a new top level starts at the head */
	for (unsigned l = 0; l < t->levels; l++) {
		t->next[l] = prev[l]->next[l];
		prev[l]->next[l] = t;
	}
	cb->queued++;
	WRITE_ONCE(t->enqueued, true);
	hr_update_next(cb);
}

static void hr_remove(struct hrtimer_cpu_base *cb, struct hrtimer *t)
{
	struct hrtimer_clock_base *b = hr_base(cb, t);
	struct hrtimer *prev[HRT_LEVELS];

	hr_find(b, t, prev);
	for (unsigned l = 0; l < t->levels; l++)
		if (prev[l]->next[l] == t)
			prev[l]->next[l] = t->next[l];
	while (b->levels > 0 && !b->head.next[b->levels - 1])
		b->levels--;                    /* an emptied top level goes */
	cb->queued--;
	WRITE_ONCE(t->enqueued, false);
	hr_update_next(cb);
}

ktime_t hrtimer_clock_now(int clock)
{
	return clock == CLOCK_REALTIME ? ktime_get_real() :
	       clock == CLOCK_BOOTTIME ? ktime_get_boottime() : ktime_get();
}

static ktime_t clock_offset(unsigned base_index)
{
	unsigned clock = base_index / 2;
	return clock == 1 ? 0 : ktime_get_offset(clock == 2);
}

static ktime_t hr_earliest(struct hrtimer_cpu_base *cb)
{
	ktime_t next = KTIME_MAX;

	if (!cb->queued)
		return next;
	for (unsigned i = 0; i < HRTIMER_BASES; i += 1 + cb->softirq_activated) {
		struct hrtimer *first = cb->bases[i].head.next[0];
		if (first && first->expires - clock_offset(i) < next)
			next = first->expires - clock_offset(i);
	}
	return next;
}

static void hr_update_next(struct hrtimer_cpu_base *cb)
{
	WRITE_ONCE(cb->expires_next, hr_earliest(cb));
}

ktime_t hrtimer_next_event(void)
{
	return READ_ONCE(this_cpu_ptr(&hrtimer_bases)->expires_next);  /* see below */
}

static struct hrtimer_cpu_base *lock_hrtimer_base(struct hrtimer *t, u64 *flags)
{
	for (;;) {
		u32 cpu = READ_ONCE(t->cpu);
		if (cpu != TIMER_MOVING) {
			struct hrtimer_cpu_base *cb = per_cpu_ptr(&hrtimer_bases, cpu);
			*flags = spin_lock_irqsave(&cb->lock);
			if (READ_ONCE(t->cpu) == cpu)
				return cb;
			spin_unlock_irqrestore(&cb->lock, *flags);
		}
		pause();
	}
}

void hrtimer_init(struct hrtimer *t, int clock, enum hrtimer_mode mode)
{
	memset(t, 0, sizeof(*t));
	t->clock = clock;
	t->soft = mode & HRTIMER_MODE_SOFT;
	t->cpu = smp_processor_id();
}

void hrtimer_start(struct hrtimer *t, ktime_t tim, enum hrtimer_mode mode)
{
	u64 f;
	struct hrtimer_cpu_base *cb = lock_hrtimer_base(t, &f);
	unsigned cpu = smp_processor_id();

	if (t->enqueued)
		hr_remove(cb, t);
	if (cb->running != t && t->cpu != cpu) {
		WRITE_ONCE(t->cpu, TIMER_MOVING);
		spin_unlock(&cb->lock);
		cb = this_cpu_ptr(&hrtimer_bases);
		spin_lock(&cb->lock);
		WRITE_ONCE(t->cpu, cpu);
	}
	t->expires = mode & HRTIMER_MODE_REL ? hrtimer_clock_now(t->clock) + tim : tim;
	ktime_t before = cb->expires_next;
	hr_enqueue(cb, t);
	unsigned i = clock_index(t->clock) * 2 + t->soft;
	bool first = cb->bases[i].head.next[0] == t && t->expires - clock_offset(i) < before;
	unsigned where = t->cpu;
	spin_unlock_irqrestore(&cb->lock, f);
	if (first && where == smp_processor_id())
		tick_reprogram_local();
	else if (first)
		tick_kick_cpu(where);
}

int hrtimer_try_to_cancel(struct hrtimer *t)
{
	u64 f;
	struct hrtimer_cpu_base *cb = lock_hrtimer_base(t, &f);
	int ret = cb->running == t ? -1 : t->enqueued;

	if (ret == 1)
		hr_remove(cb, t);
	spin_unlock_irqrestore(&cb->lock, f);
	return ret;
}

int hrtimer_cancel(struct hrtimer *t)
{
	for (;;) {
		int ret = hrtimer_try_to_cancel(t);
		if (ret >= 0)
			return ret;
		pause();
	}
}

u64 hrtimer_forward(struct hrtimer *t, ktime_t now, ktime_t interval)
{
	if (now < t->expires || interval <= 0)
		return 0;
	u64 n = (now - t->expires) / interval + 1;
	t->expires += n * interval;
	return n;
}

static void hr_run_queue(struct hrtimer_cpu_base *cb, unsigned i, ktime_t mono, u64 *f)
{
	struct hrtimer_clock_base *b = &cb->bases[i];
	ktime_t now = mono + clock_offset(i);
	struct hrtimer *t;

	for (int n = 0; n < 10000 && (t = b->head.next[0]) && t->expires <= now; n++) {
		hr_remove(cb, t);
		cb->running = t;
		spin_unlock_irqrestore(&cb->lock, *f);
		void *fn = (void *)t->function;
		this_cpu_write(running_timer_fn, fn);
		trace(TRACE_HRTIMER_START, 0, fn, 0);
		enum hrtimer_restart r = t->function(t);
		trace(TRACE_HRTIMER_END, 0, fn, 0);
		this_cpu_write(running_timer_fn, NULL);
		*f = spin_lock_irqsave(&cb->lock);
		if (r == HRTIMER_RESTART && !t->enqueued)
			hr_enqueue(cb, t);
		cb->running = NULL;
	}
}

void hrtimer_run_hard(ktime_t now)
{
	struct hrtimer_cpu_base *cb = this_cpu_ptr(&hrtimer_bases);
	if (READ_ONCE(cb->expires_next) > now)
		return;
	u64 f = spin_lock_irqsave(&cb->lock);
	bool soft_due = false;

	for (unsigned i = 0; i < HRTIMER_BASES; i += 2) {
		if (cb->bases[i].head.next[0])      /* most queues are empty */
			hr_run_queue(cb, i, now, &f);
		struct hrtimer *s = cb->bases[i + 1].head.next[0];
		soft_due |= s && s->expires - clock_offset(i + 1) <= now;
	}
	if (soft_due && !cb->softirq_activated) {
		cb->softirq_activated = true;
		hr_update_next(cb);
		raise_softirq_irqoff(HRTIMER_SOFTIRQ);
	}
	spin_unlock_irqrestore(&cb->lock, f);
}

static void hrtimer_run_softirq(void)
{
	struct hrtimer_cpu_base *cb = this_cpu_ptr(&hrtimer_bases);
	ktime_t now = ktime_get();
	u64 f = spin_lock_irqsave(&cb->lock);

	cb->softirq_activated = false;
	hr_update_next(cb);
	for (unsigned i = 1; i < HRTIMER_BASES; i += 2)
		hr_run_queue(cb, i, now, &f);
	cb->soft_runs++;
	spin_unlock_irqrestore(&cb->lock, f);
	tick_reprogram_local();
}

ktime_t timers_next_event(ktime_t now)
{
	struct timer_base *base = this_cpu_ptr(&timer_bases);
	u64 f = spin_lock_irqsave(&base->lock);
	if (base->next_expiry_recalc) {
		base->next_expiry = next_expiry_of(base);
		base->next_expiry_recalc = false;
	}
	unsigned long next = base->next_expiry;
	bool any = base->nr_pending;
	spin_unlock_irqrestore(&base->lock, f);
	if (any && time_before_eq(next, READ_ONCE(jiffies)))
		next = READ_ONCE(jiffies) + 1;  /* due: the softirq has it */
	ktime_t when = any ? jiffies_to_ktime(next) : KTIME_MAX;
	(void)now;
	return MIN(when, hrtimer_next_event());
}

void timers_init(void)
{
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct timer_base *base = base_of(cpu);
		base->lock = (spinlock_t)SPINLOCK_INIT;
		base->clk = jiffies;
		base->next_expiry = jiffies + NEXT_TIMER_MAX_DELTA;
		struct hrtimer_cpu_base *cb = per_cpu_ptr(&hrtimer_bases, cpu);
		cb->lock = (spinlock_t)SPINLOCK_INIT;
		cb->expires_next = KTIME_MAX;
		cb->rand = 0x9e3779b97f4a7c15UL * (cpu + 1) | 1;
	}
	open_softirq(TIMER_SOFTIRQ, run_timer_softirq);
	open_softirq(HRTIMER_SOFTIRQ, hrtimer_run_softirq);
}

#define SHOW_TIMERS 8

struct timer_row { void *fn; s64 when; int queue; };

static int keep_earliest(struct timer_row *rows, int n, struct timer_row r)
{
	int i = n < SHOW_TIMERS ? n++ : SHOW_TIMERS;

	while (i > 0 && rows[i - 1].when > r.when) {
		if (i < SHOW_TIMERS)
			rows[i] = rows[i - 1];
		i--;
	}
	if (i < SHOW_TIMERS)
		rows[i] = r;
	return n;
}

static int wheel_rows(unsigned cpu, struct timer_row *rows, unsigned long *pending)
{
	struct timer_base *base = &per_cpu(timer_bases, cpu);
	int n = 0;
	u64 f = spin_lock_irqsave(&base->lock);

	*pending = base->nr_pending;
	for (unsigned i = 0; i < WHEEL_SIZE; i++)
		for (struct hlist_node *e = base->vectors[i].first; e; e = e->next) {
			struct timer_list *t = container_of(e, struct timer_list, entry);
			n = keep_earliest(rows, n, (struct timer_row){
				(void *)t->function, (long)(t->expires - jiffies), 0 });
		}
	spin_unlock_irqrestore(&base->lock, f);
	return n;
}

static int hrtimer_rows(unsigned cpu, struct timer_row *rows, unsigned *queued)
{
	struct hrtimer_cpu_base *cb = &per_cpu(hrtimer_bases, cpu);
	ktime_t mono = ktime_get();
	int n = 0;
	u64 f = spin_lock_irqsave(&cb->lock);

	*queued = cb->queued;
	for (unsigned q = 0; q < HRTIMER_BASES; q++) {
		int k = 0;
		for (struct hrtimer *t = cb->bases[q].head.next[0]; t && k < SHOW_TIMERS;
		     t = t->next[0], k++)
			n = keep_earliest(rows, n, (struct timer_row){
				(void *)t->function, t->expires - (mono + clock_offset(q)), q });
	}
	spin_unlock_irqrestore(&cb->lock, f);
	return n;
}

static void print_symbol_in(const char *fmt, long when, void *fn)
{
	char prefix[48];

	snprintf(prefix, sizeof(prefix), fmt, when);
	print_symbol(prefix, (unsigned long)fn);
}

void show_timers(void)
{
	static const char *const queue_names[HRTIMER_BASES] = {
		"real", "real/soft", "mono", "mono/soft", "boot", "boot/soft" };
	struct timer_row rows[SHOW_TIMERS];
	unsigned long pending;
	unsigned queued;

	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_online(cpu))
			continue;
		int n = wheel_rows(cpu, rows, &pending);
		printk("CPU %u: wheel: %lu pending\n", cpu, pending);
		for (int i = 0; i < n; i++)
			print_symbol_in("    in %ld jiffies: ", rows[i].when, rows[i].fn);
		n = hrtimer_rows(cpu, rows, &queued);
		printk("CPU %u: hrtimers: %u queued\n", cpu, queued);
		for (int i = 0; i < n; i++) {
			printk("    %-9s in %ld us: ", queue_names[rows[i].queue],
			       rows[i].when / 1000);
			print_symbol("", (unsigned long)rows[i].fn);
		}
	}
}
