/* Tangled from chapters/22-sched.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "sched.h"

void init_waitqueue_head(struct wait_queue_head *wq)
{
	spin_lock_init(&wq->lock);
	INIT_LIST_HEAD(&wq->head);
}

static void prepare(struct wait_queue_head *wq, struct wait_queue_entry *w,
		    int state, bool exclusive)
{
	u64 f = spin_lock_irqsave(&wq->lock);

	w->exclusive = exclusive;
	if (list_empty(&w->entry)) {
		if (exclusive)
			list_add_tail(&w->entry, &wq->head);
		else
			list_add(&w->entry, &wq->head);
	}
	set_current_state(state);
	spin_unlock_irqrestore(&wq->lock, f);
}

void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *w, int state)
{
	prepare(wq, w, state, false);
}

void prepare_to_wait_exclusive(struct wait_queue_head *wq, struct wait_queue_entry *w,
			       int state)
{
	prepare(wq, w, state, true);
}

static void wake_locked(struct wait_queue_head *wq, int states, int nr_exclusive)
{
	struct wait_queue_entry *w, *n;

	list_for_each_entry_safe(w, n, &wq->head, entry) {
		bool exclusive = w->exclusive;
		if (!wake_up_state(w->task, states))
			continue;
		list_del_init_careful(&w->entry);
		if (exclusive && !--nr_exclusive)
			break;
	}
}

void __wake_up(struct wait_queue_head *wq, int states, int nr_exclusive)
{
	u64 f = spin_lock_irqsave(&wq->lock);

	wake_locked(wq, states, nr_exclusive);
	spin_unlock_irqrestore(&wq->lock, f);
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *w)
{
	__set_current_state(TASK_RUNNING);
	if (!list_empty_careful(&w->entry)) {
		u64 f = spin_lock_irqsave(&wq->lock);
		list_del_init(&w->entry);
		spin_unlock_irqrestore(&wq->lock, f);
	}
}

DEFINE_WAIT_QUEUE_HEAD(serial_line_wait);

void init_completion(struct completion *x)
{
	x->done = 0;
	init_waitqueue_head(&x->wait);
}

void complete(struct completion *x)
{
	u64 f = spin_lock_irqsave(&x->wait.lock);

	if (x->done != COMPLETION_ALL)
		x->done++;
	wake_locked(&x->wait, TASK_NORMAL, 1);
	spin_unlock_irqrestore(&x->wait.lock, f);
}

void complete_all(struct completion *x)
{
	u64 f = spin_lock_irqsave(&x->wait.lock);

	x->done = COMPLETION_ALL;
	wake_locked(&x->wait, TASK_NORMAL, 0);
	spin_unlock_irqrestore(&x->wait.lock, f);
}

void wait_for_completion(struct completion *x)
{
	DEFINE_WAIT(w);

	might_sleep();
	u64 f = spin_lock_irqsave(&x->wait.lock);
	while (!x->done) {
		if (list_empty(&w.entry)) {
			w.exclusive = true;
			list_add_tail(&w.entry, &x->wait.head);
		}
		set_current_state(TASK_UNINTERRUPTIBLE);
		spin_unlock_irqrestore(&x->wait.lock, f);
		schedule();
		f = spin_lock_irqsave(&x->wait.lock);
	}
	if (!list_empty(&w.entry))
		list_del_init(&w.entry);
	if (x->done != COMPLETION_ALL)
		x->done--;
	__set_current_state(TASK_RUNNING);
	spin_unlock_irqrestore(&x->wait.lock, f);
}

bool completion_done(struct completion *x)
{
	return READ_ONCE(x->done) != 0;
}
