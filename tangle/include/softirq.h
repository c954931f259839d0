/* Tangled from chapters/24-softirq.nw chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "kernel.h"
#include "percpu.h"
#include "irq.h"
#include "atomic.h"
#include "spinlock.h"

enum {
	HI_SOFTIRQ, TIMER_SOFTIRQ, NET_TX_SOFTIRQ, NET_RX_SOFTIRQ, BLOCK_SOFTIRQ,
	IRQ_POLL_SOFTIRQ, TASKLET_SOFTIRQ, SCHED_SOFTIRQ, HRTIMER_SOFTIRQ,
	RCU_SOFTIRQ,
	TEST_SOFTIRQ,                   /* this kernel's tests */
	NR_SOFTIRQS
};

void open_softirq(unsigned nr, void (*action)(void));
void raise_softirq(unsigned nr);
void raise_softirq_irqoff(unsigned nr);
void show_softirqs(void);
DECLARE_PER_CPU(u32, softirq_pending);
DECLARE_PER_CPU(unsigned long, softirq_stats[NR_SOFTIRQS]);
DECLARE_PER_CPU(unsigned long, ksoftirqd_runs);

#define SOFTIRQ_DISABLE_OFFSET  (2 * SOFTIRQ_OFFSET)
#define in_serving_softirq()    (preempt_count() & SOFTIRQ_OFFSET)

static inline void local_bh_disable(void)
{
	this_cpu_add(preempt_count, SOFTIRQ_DISABLE_OFFSET);
	barrier();
}

void local_bh_enable(void);

static inline void spin_lock_bh(spinlock_t *l)
{
	local_bh_disable();
	spin_lock(l);
}

static inline void spin_unlock_bh(spinlock_t *l)
{
	spin_unlock(l);
	local_bh_enable();
}

enum { TASKLET_STATE_SCHED, TASKLET_STATE_RUN };

struct tasklet {
	struct tasklet *next;
	unsigned long state;            /* TASKLET_STATE_* bits */
	atomic_t count;                 /* disabled while non-zero */
	atomic_t killing;               /* tasklet_kills waiting */
	void (*func)(struct tasklet *t);
	const char *name;
};

#define DECLARE_TASKLET(n, f) \
	struct tasklet n = { NULL, 0, ATOMIC_INIT(0), ATOMIC_INIT(0), f, #n }
#define DECLARE_TASKLET_DISABLED(n, f) \
	struct tasklet n = { NULL, 0, ATOMIC_INIT(1), ATOMIC_INIT(0), f, #n }

void tasklet_setup(struct tasklet *t, void (*func)(struct tasklet *t), const char *name);
bool tasklet_schedule(struct tasklet *t);
bool tasklet_hi_schedule(struct tasklet *t);
void tasklet_disable(struct tasklet *t);
void tasklet_enable(struct tasklet *t);
void tasklet_kill(struct tasklet *t);
void softirq_init(void);

void invoke_softirq(void);

const char *softirq_name(unsigned nr);
