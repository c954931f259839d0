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

static inline void spin_lock(spinlock_t *l)
{
	u16 ticket = 1;

	asm volatile("lock xaddw %0, %1" : "+r"(ticket), "+m"(l->next) :: "memory");
	while (READ_ONCE(l->owner) != ticket)
		pause();
	barrier();
	l->holder = smp_processor_id();
}

static inline void spin_unlock(spinlock_t *l)
{
	l->holder = -1;
	barrier();
	WRITE_ONCE(l->owner, l->owner + 1);
}

static inline bool spin_trylock(spinlock_t *l)
{
	u32 old = READ_ONCE(l->val);

	if ((u16)old != (u16)(old >> 16))
		return false;
	u32 new = old + (1U << 16);
	asm volatile("lock cmpxchgl %2, %1" : "+a"(old), "+m"(l->val) : "r"(new) : "memory");
	if (old != new - (1U << 16))
		return false;
	l->holder = smp_processor_id();
	return true;
}

static inline void spin_lock_irq(spinlock_t *l)
{
	cli();
	spin_lock(l);
}

static inline void spin_unlock_irq(spinlock_t *l)
{
	spin_unlock(l);
	sti();
}

static inline u64 spin_lock_irqsave(spinlock_t *l)
{
	u64 flags = local_irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, u64 flags)
{
	spin_unlock(l);
	local_irq_restore(flags);
}
