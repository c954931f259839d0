/* Tangled from chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "kernel.h"
#include "percpu.h"

enum trace_type {
	TRACE_NONE,
	TRACE_IRQ_ENTRY, TRACE_IRQ_EXIT,
	TRACE_EXC_ENTRY, TRACE_EXC_EXIT,
	TRACE_IPI_SEND,
	TRACE_SOFTIRQ_ENTRY, TRACE_SOFTIRQ_EXIT,
	TRACE_TASKLET_START, TRACE_TASKLET_END,
	TRACE_WORK_START, TRACE_WORK_END,
	TRACE_TIMER_START, TRACE_TIMER_END,
	TRACE_HRTIMER_START, TRACE_HRTIMER_END,
	TRACE_SWITCH,
	TRACE_SYSCALL_ENTRY, TRACE_SYSCALL_EXIT,
	TRACE_MARK,                     /* c: a string with static storage, or 0 */
	NR_TRACE_TYPES
};
#define TRACE_ALL_BUT_SELF      (~0UL)  /* IPI_SEND's b: the shorthands */
#define TRACE_ALL               (~1UL)

struct trace_event {
	u64 tsc;                        /* when: the CPU's time-stamp counter */
	u32 type : 8, pid : 24;         /* what, and the current task */
	u32 a;                          /* the values: see the table */
	u64 b, c;
};
_Static_assert(sizeof(struct trace_event) == 32, "an event is 32 bytes");

extern bool trace_enabled;
void trace_record(unsigned type, u32 a, u64 b, u64 c);

#define trace(type, a, b, c) do {					\
	if (unlikely(READ_ONCE(trace_enabled)))				\
		trace_record((type), (a), (u64)(b), (u64)(c));		\
} while (0)

static inline u64 trace_name(const char *name)
{
	u64 v;

	__builtin_memcpy(&v, name, 8);
	return v;
}

#define TRACE_ENTRIES   2048            /* events in each CPU's ring */

int trace_start(void);
unsigned trace_stop(void);
void trace_free(void);
unsigned long trace_dump(unsigned long last);
unsigned long trace_export(void);
u64 trace_recorded(unsigned cpu);
const struct trace_event *trace_peek(unsigned cpu, u64 index);
const char *trace_type_name(unsigned type);
