/* Tangled from chapters/23-sleeping-locks.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "sched.h"

struct semaphore {
	spinlock_t lock;
	unsigned count;                 /* free units */
	struct list_head wait_list;
};

void sema_init(struct semaphore *s, unsigned count);
void down(struct semaphore *s);
int down_interruptible(struct semaphore *s);
int down_timeout(struct semaphore *s, long ticks);
int down_trylock(struct semaphore *s);
void up(struct semaphore *s);
