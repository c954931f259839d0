/* Tangled from chapters/27-tick.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "time.h"
#include "errno.h"

DEFINE_PER_CPU(struct clock_event_device *, tick_device);

void clockevents_config_and_register(struct clock_event_device *dev, u64 hz,
				     unsigned long min_ticks, unsigned long max_ticks)
{
	dev->hz = hz;
	dev->min_delta_ticks = min_ticks;
	dev->max_delta_ticks = max_ticks;
	dev->max_delta_ns = mul_div(max_ticks, NSEC_PER_SEC, hz);
	dev->min_delta_ns = mul_div(min_ticks, NSEC_PER_SEC, hz) + 1;
	clocks_calc_mult_shift(&dev->mult, &dev->shift, NSEC_PER_SEC, hz, dev->max_delta_ns);
	dev->state = CLOCK_EVT_STATE_DETACHED;
	struct clock_event_device *cur = per_cpu(tick_device, dev->cpu);
	if (!cur || cur->rating < dev->rating)
		per_cpu(tick_device, dev->cpu) = dev;
}

void clockevents_switch_state(struct clock_event_device *dev, enum clock_event_state s)
{
	if (dev->state == s && s != CLOCK_EVT_STATE_ONESHOT)
		return;
	if (s == CLOCK_EVT_STATE_PERIODIC && dev->set_state_periodic)
		dev->set_state_periodic(dev);
	else if (s == CLOCK_EVT_STATE_ONESHOT && dev->set_state_oneshot)
		dev->set_state_oneshot(dev);
	else if (s == CLOCK_EVT_STATE_SHUTDOWN && dev->set_state_shutdown)
		dev->set_state_shutdown(dev);
	dev->state = s;
}

int clockevents_program_event(struct clock_event_device *dev, ktime_t expires, bool force)
{
	if (dev->state != CLOCK_EVT_STATE_ONESHOT)
		return -EINVAL;
	ktime_t now = ktime_get(), delta = expires - now;
	if (delta <= 0 && !force)
		return -ETIME;
	u64 ns = CLAMP((u64)MAX(delta, 0L), dev->min_delta_ns, dev->max_delta_ns);
	dev->next_event = now + ns;             /* when it will really fire */
	unsigned long ticks = (ns * dev->mult) >> dev->shift;
	ticks = CLAMP(ticks, dev->min_delta_ticks, dev->max_delta_ticks);
	return dev->set_next_event(ticks, dev);
}
