/* Tangled from chapters/14-irq.nw chapters/20-smp-boot.nw chapters/21-ipi.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "kernel.h"

#define APIC_ID         0x020
#define APIC_TPR        0x080
#define APIC_EOI        0x0b0
#define APIC_SVR        0x0f0
#define APIC_ESR        0x280
#define APIC_ICR_LOW    0x300
#define APIC_ICR_HIGH   0x310
#define APIC_LVT_TIMER  0x320
#define APIC_LVT_LINT0  0x350
#define APIC_LVT_LINT1  0x360
#define APIC_LVT_ERROR  0x370
#define APIC_SVR_ENABLE 0x100
#define APIC_LVT_MASKED 0x10000
#define APIC_DM_FIXED   0x000
#define APIC_DM_NMI     0x400
#define APIC_DM_EXTINT  0x700           /* LINT0: the 8259's INTR, as is */
#define APIC_ICR_BUSY   0x1000          /* delivery status: send pending */
#define APIC_DEST_SELF  0x40000         /* shorthand: self */
#define CPUID_1_EDX_APIC (1 << 9)       /* the CPU has a local APIC */
#define CPUID_1_ECX_X2APIC (1 << 21)    /* ... which has an x2APIC mode */

u32 apic_read(u32 reg);
void apic_write(u32 reg, u32 val);
void apic_eoi(void);
unsigned apic_id(void);
void apic_send_ipi_self(unsigned vector);
void apic_send_nmi_self(void);
bool lapic_detect(void);
void lapic_init(bool pic_through_lint0);
extern bool lapic_present, x2apic_present, x2apic_mode, ioapic_present;
bool ioapic_init(void);
void ioapic_route(unsigned gsi, unsigned vector, unsigned dest, bool level,
		  bool active_low);
void ioapic_mask(unsigned gsi, bool masked);
unsigned isa_irq_to_gsi(unsigned irq, bool *level, bool *active_low);

#define PIC_CASCADE_IRQ 2               /* the slave's output, on the master */
void pic_init(void);
void pic_mask(unsigned irq, bool masked);
void pic_eoi(unsigned irq);
bool pic_in_service(unsigned irq);

#define APIC_DM_INIT        0x500
#define APIC_DM_STARTUP     0x600
#define APIC_INT_ASSERT     0x4000
#define APIC_INT_LEVELTRIG  0x8000
void apic_send_ipi(unsigned apic_id, u32 icr_low);

#define APIC_DEST_ALLINC    0x80000     /* shorthand: all including self */
#define APIC_DEST_ALLBUT    0xc0000     /* shorthand: all excluding self */

void ioapic_set_dest(unsigned gsi, unsigned apic_id);
