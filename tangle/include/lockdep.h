/* Tangled from chapters/23-sleeping-locks.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "kernel.h"

struct lock_class {
	const char *name;
	int id;                         /* -1 until first used */
};

#define MAX_LOCK_CLASSES 64
#define MAX_HELD_LOCKS  8

extern bool lock_debug;
extern unsigned lockdep_warnings;
void lock_acquire(struct lock_class *c, bool trylock);
void lock_release(struct lock_class *c);
void lockdep_init(void);

struct task;
void lockdep_check_exit(struct task *t);
