/* Tangled from chapters/23-sleeping-locks.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "sched.h"
#include "lockdep.h"

struct mutex {
	atomic_t count;                 /* 1 free, 0 locked, < 0 waiters */
	spinlock_t wait_lock;
	struct list_head wait_list;
	struct task *owner;
	struct lock_class *class;
};

void __mutex_init(struct mutex *m, struct lock_class *class);
bool mutex_trylock(struct mutex *m);
void mutex_lock_slowpath(struct mutex *m);
void mutex_unlock_slowpath(struct mutex *m);
void mutex_lock_checked(struct mutex *m);
void mutex_unlock_checked(struct mutex *m);

#define mutex_init(m) do {						\
	static struct lock_class class__ = { #m, -1 };			\
	__mutex_init((m), &class__);					\
} while (0)

static inline bool mutex_is_locked(struct mutex *m)
{
	return atomic_read(&m->count) != 1;
}

static inline struct task *mutex_owner(struct mutex *m)
{
	return (struct task *)((unsigned long)READ_ONCE(m->owner) & ~1UL);
}

static inline void __mutex_lock(struct mutex *m)
{
	bool negative;

	asm volatile("lock decl %0" : "+m"(m->count.counter), "=@ccs"(negative)
		     :: "memory");
	if (unlikely(negative))
		mutex_lock_slowpath(m);
}

static inline void mutex_lock(struct mutex *m)
{
	if (unlikely(lock_debug)) {
		mutex_lock_checked(m);
		return;
	}
	__mutex_lock(m);
	WRITE_ONCE(m->owner, current);
}

static inline void __mutex_unlock(struct mutex *m)
{
	bool waiters;

	WRITE_ONCE(m->owner, NULL);
	asm volatile("lock incl %0" : "+m"(m->count.counter), "=@ccle"(waiters)
		     :: "memory");
	if (unlikely(waiters))
		mutex_unlock_slowpath(m);
}

static inline void mutex_unlock(struct mutex *m)
{
	if (unlikely(m->owner != current)) {
		mutex_unlock_checked(m);
		return;
	}
	__mutex_unlock(m);
}
