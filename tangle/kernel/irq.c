/* Tangled from chapters/14-irq.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "percpu.h"
#include "irq.h"
#include "apic.h"
#include "spinlock.h"
#include "vectors.h"
#include "probe.h"
#include "traps.h"
#include "acpi.h"
#include "mm.h"

struct irqaction {
	irq_handler_t handler;
	unsigned long flags;
	const char *name;
	void *dev_id;
	struct irqaction *next;
};

struct irq_desc {
	struct irqaction *action;
	spinlock_t lock;
	unsigned gsi;
	bool has_line, level, disabled;
	bool in_progress, pending;      /* a handler runs; another came */
	unsigned count, unhandled;      /* for the storm detector */
};

static struct irq_desc irq_desc[NR_IRQS];
static sysvec_handler_t system_vectors[NR_VECTORS];
DEFINE_PER_CPU(unsigned int, irq_stats[NR_IRQS]);
DEFINE_PER_CPU(unsigned long, spurious_count);
unsigned irq_to_vector(unsigned irq)
{
	return FIRST_EXTERNAL_VECTOR + irq;
}

void set_system_vector(unsigned vector, sysvec_handler_t fn)
{
	system_vectors[vector] = fn;
}
int request_irq(unsigned irq, irq_handler_t handler, unsigned long flags,
		const char *name, void *dev_id)
{
	if (irq >= NR_IRQS || !handler)
		return -22;                     /* -EINVAL */
	struct irq_desc *desc = &irq_desc[irq];
	struct irqaction *new = kzalloc(sizeof(*new));
	if (!new)
		return -12;                     /* -ENOMEM */
	*new = (struct irqaction){ handler, flags, name, dev_id, NULL };

	u64 f = spin_lock_irqsave(&desc->lock);
	struct irqaction **p = &desc->action;
	if (*p && !((*p)->flags & flags & IRQF_SHARED)) {
		spin_unlock_irqrestore(&desc->lock, f);
		kfree(new);
		return -16;                     /* -EBUSY */
	}
	while (*p)
		p = &(*p)->next;
	*p = new;
	if (desc->action == new) {
		desc->disabled = false;
		desc->count = desc->unhandled = 0;
		if (desc->has_line)
			ioapic_mask(desc->gsi, false);
	}
	spin_unlock_irqrestore(&desc->lock, f);
	return 0;
}
void free_irq(unsigned irq, void *dev_id)
{
	struct irq_desc *desc = &irq_desc[irq];
	u64 f = spin_lock_irqsave(&desc->lock);
	struct irqaction **p = &desc->action, *gone = NULL;

	while (*p && (*p)->dev_id != dev_id)
		p = &(*p)->next;
	if (*p) {
		gone = *p;
		*p = gone->next;
	}
	if (!desc->action && desc->has_line)
		ioapic_mask(desc->gsi, true);
	spin_unlock_irqrestore(&desc->lock, f);
	if (!gone)
		printk("free_irq: IRQ %u has no action for %p\n", irq, dev_id);
	while (READ_ONCE(desc->in_progress))    /* synchronize_irq() */
		pause();
	kfree(gone);
}
static void handle_irq(unsigned irq, struct irq_desc *desc);

void common_interrupt(struct pt_regs *regs)
{
	unsigned vector = (u8)regs->orig_ax;
	unsigned irq = vector - FIRST_EXTERNAL_VECTOR;

	this_cpu_add(preempt_count, HARDIRQ_OFFSET);
	if (system_vectors[vector])
		system_vectors[vector](regs);
	else if (irq < NR_IRQS)
		handle_irq(irq, &irq_desc[irq]);
	else {
		this_cpu_inc(spurious_count);
		apic_eoi();
	}
	this_cpu_add(preempt_count, -HARDIRQ_OFFSET);
	
}
static void handle_irq(unsigned irq, struct irq_desc *desc)
{
	irqreturn_t ret = IRQ_NONE;

	(*this_cpu_ptr(&irq_stats[irq]))++;     /* IF=0: no race on this CPU */
	if (desc->level && desc->has_line)
		ioapic_mask(desc->gsi, true);
	apic_eoi();
	spin_lock(&desc->lock);
	if (desc->disabled || !desc->action) {
		spin_unlock(&desc->lock);
		return;
	}
	if (desc->in_progress) {
		desc->pending = true;
		spin_unlock(&desc->lock);
		return;
	}
	desc->in_progress = true;
	do {
		desc->pending = false;
		bool irqs_on = (preempt_count() & HARDIRQ_MASK) == HARDIRQ_OFFSET;
		for (struct irqaction *a = desc->action; a; a = a->next)
			if (a->flags & IRQF_DISABLED)
				irqs_on = false;
		spin_unlock(&desc->lock);
		if (irqs_on)
			sti();
		for (struct irqaction *a = desc->action; a; a = a->next)
			ret |= a->handler(irq, a->dev_id);
		cli();
		spin_lock(&desc->lock);
		if (ret == IRQ_NONE)
			desc->unhandled++;
		if (++desc->count == 1000) {
			if (desc->unhandled > 990) {
				desc->disabled = true;
				if (desc->has_line)
					ioapic_mask(desc->gsi, true);
				printk("irq %u: nobody cared (%u of 1000 unhandled); disabling it\n",
				       irq, desc->unhandled);
			}
			desc->count = desc->unhandled = 0;
		}
	} while (desc->pending && !desc->disabled);
	desc->in_progress = false;
	if (desc->level && desc->has_line && !desc->disabled)
		ioapic_mask(desc->gsi, false);
	spin_unlock(&desc->lock);
}
static void spurious_interrupt(struct pt_regs *regs)
{
	(void)regs;
	this_cpu_inc(spurious_count);
}

static void error_interrupt(struct pt_regs *regs)
{
	(void)regs;
	apic_write(APIC_ESR, 0);
	printk("APIC error on CPU %u: ESR %#x\n", smp_processor_id(),
	       apic_read(APIC_ESR));
	apic_eoi();
}
static bool gsi_taken_by_override(unsigned irq, unsigned gsi)
{
	for (int i = 0; i < acpi_info.nr_overrides; i++)
		if (acpi_info.override[i].gsi == gsi && acpi_info.override[i].irq != irq)
			return true;
	return false;
}
void irq_init(void)
{
	acpi_init();
	lapic_init();
	ioapic_init();
	for (unsigned irq = 0; irq < 16; irq++) {
		struct irq_desc *d = &irq_desc[irq];
		bool low;
		d->gsi = isa_irq_to_gsi(irq, &d->level, &low);
		if (gsi_taken_by_override(irq, d->gsi))
			continue;               /* e.g. IRQ 2: GSI 2 is the timer's */
		d->has_line = true;
		ioapic_route(d->gsi, irq_to_vector(irq), apic_id(), d->level, low);
	}
	set_system_vector(SPURIOUS_APIC_VECTOR, spurious_interrupt);
	set_system_vector(ERROR_APIC_VECTOR, error_interrupt);
}
void show_interrupts(void)
{
	printk("           CPU0\n");
	for (unsigned irq = 0; irq < NR_IRQS; irq++) {
		struct irq_desc *d = &irq_desc[irq];
		if (!d->action && !per_cpu(irq_stats[irq], 0))
			continue;
		printk("%4u: %10u  %s", irq, per_cpu(irq_stats[irq], 0),
		       d->level ? "IO-APIC-level" : d->has_line ? "IO-APIC-edge " : "no-line      ");
		for (struct irqaction *a = d->action; a; a = a->next)
			printk(" %s%s", a->name, a->next ? "," : "");
		printk("\n");
	}
	printk(" NMI: %10lu\n SPU: %10lu\n", per_cpu(nmi_count, 0),
	       per_cpu(spurious_count, 0));
}
