/* Tangled from chapters/22-sched.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "list.h"
#include "spinlock.h"

struct task;
struct wait_queue_head {
	spinlock_t lock;
	struct list_head head;
};
#define WAIT_QUEUE_HEAD_INIT(name) { SPINLOCK_INIT, LIST_HEAD_INIT((name).head) }
#define DEFINE_WAIT_QUEUE_HEAD(name) \
	struct wait_queue_head name = WAIT_QUEUE_HEAD_INIT(name)

struct wait_queue_entry {
	struct task *task;
	bool exclusive;                 /* wake_up wakes one of these */
	struct list_head entry;
};
#define DEFINE_WAIT(name) struct wait_queue_entry name = \
	{ current, false, LIST_HEAD_INIT((name).entry) }

void init_waitqueue_head(struct wait_queue_head *wq);
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *w, int state);
void prepare_to_wait_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *w,
			       int state);
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *w);
void __wake_up(struct wait_queue_head *wq, int states, int nr_exclusive);
#define wake_up(wq)             __wake_up(wq, TASK_NORMAL, 1)
#define wake_up_all(wq)         __wake_up(wq, TASK_NORMAL, 0)
#define wake_up_interruptible(wq) __wake_up(wq, TASK_INTERRUPTIBLE, 1)

#define wait_event(wq, cond) do {					\
	might_sleep();							\
	DEFINE_WAIT(w__);						\
	for (;;) {							\
		prepare_to_wait(&(wq), &w__, TASK_UNINTERRUPTIBLE);	\
		if (cond)						\
			break;						\
		schedule();						\
	}								\
	finish_wait(&(wq), &w__);					\
} while (0)

#define wait_event_timeout(wq, cond, timeout) ({			\
	long left__ = (timeout);					\
	might_sleep();							\
	DEFINE_WAIT(w__);						\
	for (;;) {							\
		prepare_to_wait(&(wq), &w__, TASK_UNINTERRUPTIBLE);	\
		if (cond) {						\
			left__ = MAX(left__, 1L);			\
			break;						\
		}							\
		if (!left__)						\
			break;						\
		left__ = schedule_timeout(left__);			\
	}								\
	finish_wait(&(wq), &w__);					\
	left__;								\
})

#define wait_event_interruptible(wq, cond) ({				\
	int ret__ = 0;							\
	might_sleep();							\
	DEFINE_WAIT(w__);						\
	for (;;) {							\
		prepare_to_wait(&(wq), &w__, TASK_INTERRUPTIBLE);	\
		if (cond)						\
			break;						\
		if (READ_ONCE(current->kill_requested)) {		\
			ret__ = -EINTR;					\
			break;						\
		}							\
		schedule();						\
	}								\
	finish_wait(&(wq), &w__);					\
	ret__;								\
})

struct completion {
	unsigned done;
	struct wait_queue_head wait;
};
#define COMPLETION_ALL  (~0U)

void init_completion(struct completion *x);
void complete(struct completion *x);
void complete_all(struct completion *x);
void wait_for_completion(struct completion *x);
bool completion_done(struct completion *x);
