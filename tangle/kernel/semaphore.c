/* Tangled from chapters/23-sleeping-locks.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "semaphore.h"

struct sem_waiter {
	struct list_head list;
	struct task *task;
	bool up;                        /* a unit was handed to us */
};

void sema_init(struct semaphore *s, unsigned count)
{
	spin_lock_init(&s->lock);
	s->count = count;
	INIT_LIST_HEAD(&s->wait_list);
}

static int down_common(struct semaphore *s, int state, long timeout)
{
	struct sem_waiter w = { .task = current };

	list_add_tail(&w.list, &s->wait_list);
	for (;;) {
		set_current_state(state);
		if (state == TASK_INTERRUPTIBLE && READ_ONCE(current->kill_requested))
			break;
		if (timeout <= 0)
			break;
		spin_unlock_irq(&s->lock);
		timeout = schedule_timeout(timeout);
		spin_lock_irq(&s->lock);
		if (w.up) {
			__set_current_state(TASK_RUNNING);
			return 0;
		}
	}
	list_del_init(&w.list);
	__set_current_state(TASK_RUNNING);
	return timeout <= 0 ? -ETIME : -EINTR;
}

static int down_state(struct semaphore *s, int state, long timeout)
{
	might_sleep();
	spin_lock_irq(&s->lock);
	int ret = 0;
	if (s->count > 0)
		s->count--;
	else
		ret = down_common(s, state, timeout);
	spin_unlock_irq(&s->lock);
	return ret;
}

void down(struct semaphore *s)
{
	down_state(s, TASK_UNINTERRUPTIBLE, MAX_SCHEDULE_TIMEOUT);
}

int down_interruptible(struct semaphore *s)
{
	return down_state(s, TASK_INTERRUPTIBLE, MAX_SCHEDULE_TIMEOUT);
}

int down_timeout(struct semaphore *s, long ticks)
{
	return down_state(s, TASK_UNINTERRUPTIBLE, ticks);
}

int down_trylock(struct semaphore *s)
{
	u64 f = spin_lock_irqsave(&s->lock);
	bool got = s->count > 0;

	if (got)
		s->count--;
	spin_unlock_irqrestore(&s->lock, f);
	return !got;
}

void up(struct semaphore *s)
{
	u64 f = spin_lock_irqsave(&s->lock);

	if (list_empty(&s->wait_list))
		s->count++;
	else {
		struct sem_waiter *w = list_first_entry(&s->wait_list,
							struct sem_waiter, list);
		list_del_init(&w->list);
		w->up = true;
		wake_up_process(w->task);
	}
	spin_unlock_irqrestore(&s->lock, f);
}
