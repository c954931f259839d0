/* Tangled from chapters/05-locks.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "kernel.h"
#include "percpu.h"

typedef struct {
	union {
		u32 val;
		struct {
			u16 owner;              /* the ticket being served */
			u16 next;               /* the next ticket to hand out */
		};
	};
	s16 holder;                     /* the CPU that holds it, or -1 */
} spinlock_t;

#define SPINLOCK_INIT { { 0 }, -1 }

static inline void spin_lock_init(spinlock_t *l)
{
	*l = (spinlock_t)SPINLOCK_INIT;
}

static inline bool spin_is_locked(spinlock_t *l)
{
	u32 v = READ_ONCE(l->val);
	return (u16)v != (u16)(v >> 16);
}

static inline void ticket_lock(spinlock_t *l)
{
	u32 old = 1U << 16;

	asm volatile("lock xaddl %0, %1" : "+r"(old), "+m"(l->val) :: "memory");
	u16 ticket = old >> 16;
	while (READ_ONCE(l->owner) != ticket)
		pause();
	barrier();
}

static inline void arch_spin_unlock(spinlock_t *l)
{
	l->holder = -1;
	barrier();
	WRITE_ONCE(l->owner, l->owner + 1);
}

static inline bool __spin_trylock(spinlock_t *l)
{
	u32 old = READ_ONCE(l->val), expected = old;

	if ((u16)old != (u16)(old >> 16))
		return false;
	asm volatile("lock cmpxchgl %2, %1"
		     : "+a"(old), "+m"(l->val) : "r"(expected + (1U << 16)) : "memory");
	return old == expected;
}

static inline bool spin_trylock(spinlock_t *l)
{
	preempt_disable();
	if (!__spin_trylock(l)) {
		preempt_enable();
		return false;
	}
	l->holder = smp_processor_id();
	return true;
}

extern bool spin_lock_unfair;           /* set under a hypervisor */

static inline void unfair_lock(spinlock_t *l)
{
	while (!__spin_trylock(l))
		while (spin_is_locked(l))
			pause();
}

static inline void spin_lock(spinlock_t *l)
{
	preempt_disable();
	if (spin_lock_unfair)
		unfair_lock(l);
	else
		ticket_lock(l);
	l->holder = smp_processor_id();
}

static inline void spin_unlock(spinlock_t *l)
{
	arch_spin_unlock(l);
	preempt_enable();
}

static inline void spin_lock_irq(spinlock_t *l)
{
	cli();
	spin_lock(l);
}

static inline void spin_unlock_irq(spinlock_t *l)
{
	arch_spin_unlock(l);
	sti();
	preempt_enable();
}

static inline u64 spin_lock_irqsave(spinlock_t *l)
{
	u64 flags = local_irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, u64 flags)
{
	arch_spin_unlock(l);
	local_irq_restore(flags);
	preempt_enable();
}

void spin_lock_choose(void);
