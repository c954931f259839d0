/* Tangled from chapters/14-irq.nw chapters/22-sched.nw chapters/24-softirq.nw chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "kernel.h"
#include "ptregs.h"
#include "percpu.h"

#define NR_IRQS         32      /* 0-15: ISA IRQs; 16-23: unused; 24-31: tests */
#define FIRST_SOFT_IRQ_LINE 24  /* lines raised only by self-IPIs (tests) */

typedef enum { IRQ_NONE = 0, IRQ_HANDLED = 1 } irqreturn_t;
typedef irqreturn_t (*irq_handler_t)(int irq, void *dev_id);

#define IRQF_SHARED     0x01    /* the line may be shared */
#define IRQF_DISABLED   0x02    /* run with interrupts disabled */

int request_irq(unsigned irq, irq_handler_t handler, unsigned long flags,
		const char *name, void *dev_id);
void free_irq(unsigned irq, void *dev_id);
unsigned irq_to_vector(unsigned irq);
void irq_init(void);
void show_interrupts(void);

typedef void (*sysvec_handler_t)(struct pt_regs *regs);
void set_system_vector(unsigned vector, sysvec_handler_t fn);
DECLARE_PER_CPU(unsigned int, irq_stats[NR_IRQS]);
DECLARE_PER_CPU(unsigned long, spurious_count);
DECLARE_PER_CPU(struct pt_regs *, irq_regs);

#define HARDIRQ_OFFSET  0x10000
#define HARDIRQ_MASK    0xf0000
#define in_irq()        (preempt_count() & HARDIRQ_MASK)
#define in_interrupt()  (preempt_count() & ~0xff)

static inline void irq_enter(void)
{
	this_cpu_add(preempt_count, HARDIRQ_OFFSET);
}

static inline void irq_exit(void)
{
	this_cpu_add(preempt_count, -HARDIRQ_OFFSET);
}

int rtc_periodic_start(unsigned rate);
extern void (*rtc_tick_hook)(void);
void rtc_periodic_stop(void);
unsigned rtc_periodic_ticks(void);
void serial_irq_init(void);
irqreturn_t serial_interrupt(int irq, void *dev_id);
unsigned serial_lines_received(void);
void serial_last_line(char *buf, size_t size);

#define PREEMPT_MASK    0x000000ff
#define SOFTIRQ_OFFSET  0x00000100
#define SOFTIRQ_MASK    0x0000ff00
#define NMI_OFFSET      0x00100000
#define NMI_MASK        0x00f00000

#define in_hardirq()    (preempt_count() & HARDIRQ_MASK)
#define in_softirq()    (preempt_count() & SOFTIRQ_MASK)
#define in_nmi()        (preempt_count() & NMI_MASK)
#define in_task()       (!(preempt_count() & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_MASK)))
#define in_atomic()     (preempt_count() != 0)

_Static_assert((PREEMPT_MASK & SOFTIRQ_MASK) == 0 && (SOFTIRQ_MASK & HARDIRQ_MASK) == 0 &&
	       (HARDIRQ_MASK & NMI_MASK) == 0 && (NMI_MASK & PREEMPT_NEED_RESCHED) == 0,
	       "the fields of preempt_count overlap");

static inline void nmi_enter(void)
{
	this_cpu_add(preempt_count, NMI_OFFSET + HARDIRQ_OFFSET);
}

static inline void nmi_exit(void)
{
	this_cpu_add(preempt_count, -(NMI_OFFSET + HARDIRQ_OFFSET));
}

extern unsigned long rx_ring_received, rx_ring_overruns;

const char *irq_action_name(unsigned irq);
