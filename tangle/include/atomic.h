/* Tangled from chapters/05-locks.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "types.h"

typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic64_t;

#define ATOMIC_INIT(i) { (i) }

static inline int atomic_read(const atomic_t *v) { return READ_ONCE(v->counter); }
static inline void atomic_set(atomic_t *v, int i) { WRITE_ONCE(v->counter, i); }
static inline long atomic64_read(const atomic64_t *v) { return READ_ONCE(v->counter); }
static inline void atomic64_set(atomic64_t *v, long i) { WRITE_ONCE(v->counter, i); }

static inline void atomic_add(int i, atomic_t *v)
{
	asm volatile("lock addl %1, %0" : "+m"(v->counter) : "ir"(i) : "memory");
}

static inline int atomic_add_return(int i, atomic_t *v)
{
	int old = i;

	asm volatile("lock xaddl %0, %1" : "+r"(old), "+m"(v->counter) :: "memory");
	return old + i;
}

static inline int atomic_cmpxchg(atomic_t *v, int old, int new)
{
	asm volatile("lock cmpxchgl %2, %1"
		     : "+a"(old), "+m"(v->counter) : "r"(new) : "memory");
	return old;
}

static inline int atomic_xchg(atomic_t *v, int new)
{
	asm volatile("xchgl %0, %1" : "+r"(new), "+m"(v->counter) :: "memory");
	return new;
}

#define atomic_inc(v) atomic_add(1, v)
#define atomic_dec(v) atomic_add(-1, v)

static inline void atomic64_add(long i, atomic64_t *v)
{
	asm volatile("lock addq %1, %0" : "+m"(v->counter) : "er"(i) : "memory");
}

#define smp_rmb()       barrier()
#define smp_wmb()       barrier()
#define smp_mb()        asm volatile("lock addl $0, -4(%%rsp)" ::: "memory", "cc")
#define mb()            asm volatile("mfence" ::: "memory")
