/* Tangled from chapters/25-workqueue.nw chapters/28-timers.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "sched.h"
#include "timer.h"

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	struct list_head entry;
	work_func_t func;
	unsigned long pending;          /* bit 0: queued, not yet started */
	struct worker_pool *pool;       /* where it was queued last */
	struct workqueue_struct *wq;
};

#define INIT_WORK(w, f) do {						\
	INIT_LIST_HEAD(&(w)->entry);					\
	(w)->func = (f);						\
	(w)->pending = 0;						\
	(w)->pool = NULL;						\
	(w)->wq = NULL;							\
} while (0)

struct workqueue_struct {
	const char *name;
	atomic_t in_flight;
	bool dying, destroyed;
};

extern struct workqueue_struct *system_wq;

struct workqueue_struct *alloc_workqueue(const char *name);
void destroy_workqueue(struct workqueue_struct *wq);
bool queue_work_on(unsigned cpu, struct workqueue_struct *wq, struct work_struct *work);
bool __queue_work(unsigned cpu, struct workqueue_struct *wq, struct work_struct *work);
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
bool schedule_work(struct work_struct *work);
bool schedule_work_on(unsigned cpu, struct work_struct *work);
void flush_work(struct work_struct *work);
void flush_workqueue(struct workqueue_struct *wq);
bool cancel_work(struct work_struct *work);
bool cancel_work_sync(struct work_struct *work);
void workqueue_init(void);

void wq_worker_sleeping(struct task *t);
void wq_worker_running(struct task *t);
void wq_worker_describe(struct task *t);
void wq_worker_dying(struct task *t);
void show_workqueues(void);

struct delayed_work {
	struct work_struct work;
	struct timer_list timer;
	struct workqueue_struct *wq;
	unsigned cpu;
};

void delayed_work_timer_fn(struct timer_list *t);
#define INIT_DELAYED_WORK(dw, f) do {					\
	INIT_WORK(&(dw)->work, (f));					\
	timer_setup(&(dw)->timer, delayed_work_timer_fn, 0);		\
} while (0)

bool queue_delayed_work_on(unsigned cpu, struct workqueue_struct *wq,
			   struct delayed_work *dw, unsigned long delay);
bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
			unsigned long delay);
bool schedule_delayed_work(struct delayed_work *dw, unsigned long delay);
bool cancel_delayed_work(struct delayed_work *dw);
bool cancel_delayed_work_sync(struct delayed_work *dw);
