/* Tangled from chapters/14-irq.nw chapters/21-ipi.nw chapters/24-softirq.nw chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "trace.h"
#include "percpu.h"
#include "irq.h"
#include "apic.h"
#include "spinlock.h"
#include "vectors.h"
#include "traps.h"
#include "platform.h"
#include "mm.h"
#include "errno.h"
#include "smp.h"
#include "softirq.h"

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
	const struct irq_chip *chip;    /* the controller the line is on */
	unsigned gsi;
	bool has_line, level, disabled;
	bool in_progress, pending;      /* a handler runs; another came */
	unsigned count, unhandled;      /* for the storm detector */
};

static struct irq_desc irq_desc[NR_IRQS];
static sysvec_handler_t system_vectors[NR_VECTORS];
DEFINE_PER_CPU(unsigned int, irq_stats[NR_IRQS]);
DEFINE_PER_CPU(unsigned long, spurious_count);
DEFINE_PER_CPU(struct pt_regs *, irq_regs);

struct irq_chip {
	const char *name;               /* as /proc/interrupts shows it */
	void (*mask)(struct irq_desc *desc, bool masked);
	void (*eoi)(struct irq_desc *desc);
	bool (*spurious)(struct irq_desc *desc);
};

static void ioapic_chip_mask(struct irq_desc *d, bool m) { ioapic_mask(d->gsi, m); }
static void lapic_chip_eoi(struct irq_desc *d) { (void)d; apic_eoi(); }
static void pic_chip_mask(struct irq_desc *d, bool m) { pic_mask(d->gsi, m); }
static void pic_chip_eoi(struct irq_desc *d) { pic_eoi(d->gsi); }
static void no_mask(struct irq_desc *d, bool m) { (void)d, (void)m; }

static bool pic_chip_spurious(struct irq_desc *d)
{
	if ((d->gsi != 7 && d->gsi != 15) || pic_in_service(d->gsi))
		return false;
	if (d->gsi == 15)
		pic_eoi(0);
	return true;
}

static bool never_spurious(struct irq_desc *d) { (void)d; return false; }

static const struct irq_chip ioapic_chip = {
	"IO-APIC", ioapic_chip_mask, lapic_chip_eoi, never_spurious };
static const struct irq_chip pic_chip = {
	"XT-PIC", pic_chip_mask, pic_chip_eoi, pic_chip_spurious };
static const struct irq_chip lapic_chip = {
	"LAPIC", no_mask, lapic_chip_eoi, never_spurious };

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
		return -EINVAL;
	struct irq_desc *desc = &irq_desc[irq];
	struct irqaction *new = kzalloc(sizeof(*new));
	if (!new)
		return -ENOMEM;
	*new = (struct irqaction){ handler, flags, name, dev_id, NULL };

	u64 f = spin_lock_irqsave(&desc->lock);
	struct irqaction **p = &desc->action;
	if (*p && !((*p)->flags & flags & IRQF_SHARED)) {
		spin_unlock_irqrestore(&desc->lock, f);
		kfree(new);
		return -EBUSY;
	}
	while (*p)
		p = &(*p)->next;
	*p = new;
	if (desc->action == new) {
		desc->disabled = false;
		desc->count = desc->unhandled = 0;
		if (desc->has_line)
			desc->chip->mask(desc, false);
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
		desc->chip->mask(desc, true);
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

	struct pt_regs *outer = this_cpu_read(irq_regs);

	this_cpu_write(irq_regs, regs);
	irq_enter();
	trace(TRACE_IRQ_ENTRY, vector, 0, 0);
	if (system_vectors[vector])
		system_vectors[vector](regs);
	else if (irq < NR_IRQS)
		handle_irq(irq, &irq_desc[irq]);
	else {
		this_cpu_inc(spurious_count);
		if (lapic_present)
			apic_eoi();
	}
	trace(TRACE_IRQ_EXIT, (u8)regs->orig_ax, 0, 0);
	irq_exit();
	this_cpu_write(irq_regs, outer);
	if (!in_interrupt() && this_cpu_read(softirq_pending))
		invoke_softirq();
}

static void handle_irq(unsigned irq, struct irq_desc *desc)
{
	irqreturn_t ret = IRQ_NONE;

	if (!desc->chip || desc->chip->spurious(desc)) {
		this_cpu_inc(spurious_count);
		return;
	}
	(*this_cpu_ptr(&irq_stats[irq]))++;     /* IF=0: no race on this CPU */
	if (desc->level && desc->has_line)
		desc->chip->mask(desc, true);
	desc->chip->eoi(desc);
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
					desc->chip->mask(desc, true);
				printk("irq %u: nobody cared (%u of 1000 unhandled); disabling it\n",
				       irq, desc->unhandled);
			}
			desc->count = desc->unhandled = 0;
		}
	} while (desc->pending && !desc->disabled);
	desc->in_progress = false;
	if (desc->level && desc->has_line && !desc->disabled)
		desc->chip->mask(desc, false);
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

static void route_isa_irqs(void);
static void use_pic_for_isa_irqs(void);

void irq_init(void)
{
	bool ioapic = lapic_detect() && platform.nr_ioapics > 0 && ioapic_init();

	pic_init();
	if (lapic_present)
		lapic_init(!ioapic);
	else
		printk("irq: this CPU has no local APIC; the 8259 PIC delivers "
		       "interrupts, and this CPU is the only one\n");
	if (ioapic)
		route_isa_irqs();
	else
		use_pic_for_isa_irqs();
	for (unsigned irq = FIRST_SOFT_IRQ_LINE; irq < NR_IRQS; irq++)
		irq_desc[irq].chip = lapic_present ? &lapic_chip : NULL;
	set_system_vector(SPURIOUS_APIC_VECTOR, spurious_interrupt);
	set_system_vector(ERROR_APIC_VECTOR, error_interrupt);
}

static bool gsi_taken_by_override(unsigned irq, unsigned gsi)
{
	for (int i = 0; i < platform.nr_overrides; i++)
		if (platform.override[i].gsi == gsi && platform.override[i].irq != irq)
			return true;
	return false;
}

static void route_isa_irqs(void)
{
	for (unsigned irq = 0; irq < 16; irq++) {
		struct irq_desc *d = &irq_desc[irq];
		bool low;
		d->gsi = isa_irq_to_gsi(irq, &d->level, &low);
		if (gsi_taken_by_override(irq, d->gsi))
			continue;               /* e.g. IRQ 2: GSI 2 is the timer's */
		d->chip = &ioapic_chip;
		d->has_line = true;
		ioapic_route(d->gsi, irq_to_vector(irq), apic_id(), d->level, low);
	}
}

static void use_pic_for_isa_irqs(void)
{
	printk("irq: no I/O APIC; the 8259 PIC delivers the ISA interrupts\n");
	for (unsigned irq = 0; irq < 16; irq++) {
		struct irq_desc *d = &irq_desc[irq];
		d->gsi = irq;
		d->chip = &pic_chip;
		d->has_line = irq != PIC_CASCADE_IRQ;
	}
}

#define SHOWN_CPUS 8
#define show_per_cpu_row(tag, var, what) do {				\
	printk("%4s:", tag);						\
	for (unsigned c = 0; c < MIN(nr_cpu_ids, SHOWN_CPUS); c++)	\
		if (cpu_online(c))					\
			printk(" %10lu", (unsigned long)per_cpu(var, c));	\
	printk("   %s\n", what);						\
} while (0)

void show_interrupts(void)
{
	printk("     ");
	for (unsigned c = 0; c < MIN(nr_cpu_ids, SHOWN_CPUS); c++)
		if (cpu_online(c))
			printk("       CPU%-2u", c);
	printk("\n");
	for (unsigned irq = 0; irq < NR_IRQS; irq++) {
		struct irq_desc *d = &irq_desc[irq];
		unsigned total = 0;
		for (unsigned c = 0; c < nr_cpu_ids; c++)
			total += per_cpu(irq_stats[irq], c);
		if (!d->action && !total)
			continue;
		printk("%4u:", irq);
		for (unsigned c = 0; c < MIN(nr_cpu_ids, SHOWN_CPUS); c++)
			if (cpu_online(c))
				printk(" %10u", per_cpu(irq_stats[irq], c));
		printk("  %7s-%-5s", d->chip ? d->chip->name : "none", d->level ? "level" : "edge");
		for (struct irqaction *a = d->action; a; a = a->next)
			printk(" %s%s", a->name, a->next ? "," : "");
		printk("\n");
	}
	show_per_cpu_row("NMI", nmi_count, "Non-maskable interrupts");
	show_per_cpu_row("SPU", spurious_count, "Spurious interrupts");
	show_per_cpu_row("CAL", ipi_calls, "Function call interrupts");
	show_per_cpu_row("RES", ipi_resched, "Rescheduling interrupts");
	show_per_cpu_row("TLB", ipi_tlb, "TLB shootdowns");
}

int irq_set_affinity(unsigned irq, unsigned cpu)
{
	if (irq >= NR_IRQS || !irq_desc[irq].has_line || !cpu_online(cpu))
		return -EINVAL;
	if (irq_desc[irq].chip != &ioapic_chip)
		return -EINVAL;                 /* the PIC reaches one CPU */
	ioapic_set_dest(irq_desc[irq].gsi, cpu_apic_id[cpu]);
	return 0;
}

void synchronize_irq(unsigned irq)
{
	while (irq < NR_IRQS && READ_ONCE(irq_desc[irq].in_progress))
		pause();
}

const char *irq_action_name(unsigned irq)
{
	return irq < NR_IRQS && irq_desc[irq].action ? irq_desc[irq].action->name : NULL;
}
