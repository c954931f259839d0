/* Tangled from chapters/29-utime.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "vdso.h"
#include "time.h"
#include "timer.h"
#include "task.h"
#include "sched.h"
#include "uaccess.h"
#include "mm.h"
#include "syscall.h"
#include "user-layout.h"
#include "clocks.h"

_Static_assert(CLOCKID_REALTIME == CLOCK_REALTIME && CLOCKID_MONOTONIC == CLOCK_MONOTONIC &&
	       CLOCKID_BOOTTIME == CLOCK_BOOTTIME, "the clock numbers disagree");

unsigned long clock_gettime_syscalls;

static bool clock_valid(int clock)
{
	return clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC ||
	       clock == CLOCK_BOOTTIME;
}

static struct timespec ktime_to_timespec(ktime_t t)
{
	return (struct timespec){ t / NSEC_PER_SEC, t % NSEC_PER_SEC };
}

long sys_clock_gettime(unsigned long clock, unsigned long uts, unsigned long a2,
		       unsigned long a3, unsigned long a4, unsigned long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	__atomic_fetch_add(&clock_gettime_syscalls, 1, __ATOMIC_RELAXED);
	if (!clock_valid((int)clock))
		return -EINVAL;
	struct timespec ts = ktime_to_timespec(hrtimer_clock_now((int)clock));
	struct timespec *u = (struct timespec *)uts;
	return put_user(ts.tv_sec, &u->tv_sec) || put_user(ts.tv_nsec, &u->tv_nsec) ?
	       -EFAULT : 0;
}

long sys_clock_getres(unsigned long clock, unsigned long ures, unsigned long a2,
		      unsigned long a3, unsigned long a4, unsigned long a5)
{
	static const struct timespec one_ns = { 0, 1 };

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (!clock_valid((int)clock))
		return -EINVAL;
	if (ures && copy_to_user((void *)ures, &one_ns, sizeof(one_ns)))
		return -EFAULT;
	return 0;
}

static long timespec_from_user(ktime_t *t, unsigned long uts)
{
	struct timespec ts;

	if (copy_from_user(&ts, (const void *)uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	*t = ts.tv_sec >= KTIME_MAX / NSEC_PER_SEC ? KTIME_MAX :
	     ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	return 0;
}

struct hrtimer_sleeper {
	struct hrtimer timer;
	struct task *task;                      /* NULL once the time has come */
};

static enum hrtimer_restart hrtimer_wakeup(struct hrtimer *t)
{
	struct hrtimer_sleeper *s = container_of(t, struct hrtimer_sleeper, timer);
	struct task *task = s->task;

	WRITE_ONCE(s->task, NULL);
	if (task)
		wake_up_process(task);
	return HRTIMER_NORESTART;
}

static long do_nanosleep(int clock, ktime_t when)
{
	struct hrtimer_sleeper s = { .task = current };

	hrtimer_init(&s.timer, clock, HRTIMER_MODE_ABS);
	s.timer.function = hrtimer_wakeup;
	hrtimer_start(&s.timer, when, HRTIMER_MODE_ABS);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!READ_ONCE(s.task) || READ_ONCE(current->kill_requested))
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	hrtimer_cancel(&s.timer);
	return READ_ONCE(s.task) ? -EINTR : 0;
}

static long clock_nanosleep_common(int clock, bool abs, unsigned long ureq,
				   unsigned long urem)
{
	ktime_t req;
	long err = timespec_from_user(&req, ureq);

	if (err)
		return err;
	ktime_t now = hrtimer_clock_now(clock);
	ktime_t when = abs ? req : req > KTIME_MAX - now ? KTIME_MAX : now + req;
	if (do_nanosleep(clock, when) == 0)
		return 0;
	if (!abs && urem) {
		ktime_t left = when - hrtimer_clock_now(clock);
		struct timespec r = ktime_to_timespec(left > 0 ? left : 0);
		if (copy_to_user((void *)urem, &r, sizeof(r)))
			return -EFAULT;
	}
	return -EINTR;
}

long sys_nanosleep(unsigned long ureq, unsigned long urem, unsigned long a2,
		   unsigned long a3, unsigned long a4, unsigned long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return clock_nanosleep_common(CLOCK_MONOTONIC, false, ureq, urem);
}

long sys_clock_nanosleep(unsigned long clock, unsigned long flags, unsigned long ureq,
			 unsigned long urem, unsigned long a4, unsigned long a5)
{
	(void)a4, (void)a5;
	if (!clock_valid((int)clock))
		return -EINVAL;
	return clock_nanosleep_common((int)clock, (int)flags & TIMER_ABSTIME, ureq, urem);
}

static union {
	struct vdso_data d;
	u8 page[PAGE_SIZE];
} vdso_page __attribute__((aligned(PAGE_SIZE)));

static bool vdso_frozen;                        /* a test writes the page */

void vdso_publish(bool tsc, u64 cycle_last, u32 mult, u32 shift, ktime_t mono,
		  u64 frac, ktime_t offs_real, ktime_t offs_boot)
{
	struct vdso_data *v = &vdso_page.d;

	if (READ_ONCE(vdso_frozen))
		return;
	WRITE_ONCE(v->seq, v->seq + 1);         /* odd: being written */
	smp_wmb();
	v->clock_mode = tsc ? VDSO_CLOCKMODE_TSC : VDSO_CLOCKMODE_NONE;
	v->cycle_last = cycle_last;
	v->mult = mult, v->shift = shift;
	v->mono = mono, v->frac = frac;
	v->offs_real = offs_real, v->offs_boot = offs_boot;
	smp_wmb();
	WRITE_ONCE(v->seq, v->seq + 1);         /* even: done */
}

extern const u8 vdso_text_start[], vdso_text_end[];

bool vdso_map(pte_t *pml4)
{
	u64 pa = page_alloc_zeroed();

	if ((unsigned long)(vdso_text_end - vdso_text_start) > PAGE_SIZE)
		panic("vdso: its code does not fit in a page");
	if (!pa)
		return false;
	memcpy(phys_to_virt(pa), vdso_text_start, vdso_text_end - vdso_text_start);
	if (map_page(pml4, USER_VDSO, pa, PTE_U)) {
		frame_free(pa);
		return false;
	}
	return map_page(pml4, USER_VVAR, virt_to_phys(&vdso_page),
			PTE_U | PTE_NOFREE | pte_nx) == 0;
}

ktime_t vdso_test_lag(u64 ahead)
{
	struct vdso_data *v = &vdso_page.d;

	WRITE_ONCE(vdso_frozen, true);
	smp_mb();
	for (unsigned s = READ_ONCE(v->seq);; s = READ_ONCE(v->seq)) {
		ndelay(10000);
		if (!(s & 1) && READ_ONCE(v->seq) == s)
			break;                  /* no writer in progress */
	}
	ktime_t mono = ktime_get();
	WRITE_ONCE(v->seq, v->seq + 1);
	smp_wmb();
	v->cycle_last = rdtsc() + ahead;
	v->mono = mono, v->frac = 0;
	smp_wmb();
	WRITE_ONCE(v->seq, v->seq + 1);
	return mono;
}

void vdso_test_done(void)
{
	WRITE_ONCE(vdso_frozen, false);
	update_wall_time();                     /* publish the true state now */
}
