/* Tangled from chapters/23-sleeping-locks.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "mutex.h"

struct mutex_waiter {
	struct list_head list;
	struct task *task;
};

void __mutex_init(struct mutex *m, struct lock_class *class)
{
	atomic_set(&m->count, 1);
	spin_lock_init(&m->wait_lock);
	INIT_LIST_HEAD(&m->wait_list);
	m->owner = NULL;
	m->class = class;
}

void mutex_lock_slowpath(struct mutex *m)
{
	struct mutex_waiter w = { .task = current };

	spin_lock(&m->wait_lock);
	list_add_tail(&w.list, &m->wait_list);
	for (;;) {
		if (atomic_xchg(&m->count, -1) == 1)
			break;
		set_current_state(TASK_UNINTERRUPTIBLE);
		spin_unlock(&m->wait_lock);
		schedule();
		spin_lock(&m->wait_lock);
	}
	__set_current_state(TASK_RUNNING);
	list_del_init(&w.list);
	if (list_empty(&m->wait_list))
		atomic_set(&m->count, 0);
	spin_unlock(&m->wait_lock);
}

void mutex_unlock_slowpath(struct mutex *m)
{
	spin_lock(&m->wait_lock);
	atomic_set(&m->count, 1);
	if (!list_empty(&m->wait_list))
		wake_up_process(list_first_entry(&m->wait_list,
						 struct mutex_waiter, list)->task);
	spin_unlock(&m->wait_lock);
}

bool mutex_trylock(struct mutex *m)
{
	if (atomic_cmpxchg(&m->count, 1, 0) != 1)
		return false;
	if (!lock_debug) {
		WRITE_ONCE(m->owner, current);
		return true;
	}
	lock_acquire(m->class, true);
	WRITE_ONCE(m->owner, (struct task *)((unsigned long)current | 1));
	return true;
}

void mutex_lock_checked(struct mutex *m)
{
	might_sleep();
	lock_acquire(m->class, false);
	__mutex_lock(m);
	WRITE_ONCE(m->owner, (struct task *)((unsigned long)current | 1));
}

void mutex_unlock_checked(struct mutex *m)
{
	struct task *owner = mutex_owner(m);

	if (owner == current) {
		lock_release(m->class);
		__mutex_unlock(m);
		return;
	}
	if (!owner)
		printk("BUG: %s[%d] unlocks mutex %s, which is not locked\n",
		       current->name, current->pid, m->class->name);
	else
		printk("BUG: %s[%d] unlocks mutex %s, which %s[%d] holds; refused\n",
		       current->name, current->pid, m->class->name,
		       owner->name, owner->pid);
	sched_bug_trace();
}
