/* Tangled from chapters/14-irq.nw chapters/20-smp-boot.nw chapters/21-ipi.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "trace.h"
#include "apic.h"
#include "mm.h"
#include "vectors.h"
#include "platform.h"
#include "spinlock.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1

void pic_init(void)
{
	outb(PIC1_CMD, 0x11);           /* ICW1: init, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, 0x20);          /* ICW2: vector base */
	outb(PIC2_DATA, 0x28);
	outb(PIC1_DATA, 0x04);          /* ICW3: slave on input 2 */
	outb(PIC2_DATA, 0x02);          /*       slave's cascade identity */
	outb(PIC1_DATA, 0x01);          /* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);          /* mask everything */
	outb(PIC2_DATA, 0xff);
}

static spinlock_t pic_lock = SPINLOCK_INIT;

void pic_mask(unsigned irq, bool masked)
{
	u16 port = irq < 8 ? PIC1_DATA : PIC2_DATA;
	u64 f = spin_lock_irqsave(&pic_lock);
	u8 imr = inb(port);

	outb(port, masked ? imr | (1 << (irq & 7)) : imr & ~(1 << (irq & 7)));
	if (irq >= 8 && !masked)
		outb(PIC1_DATA, inb(PIC1_DATA) & ~(1 << PIC_CASCADE_IRQ));
	spin_unlock_irqrestore(&pic_lock, f);
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, 0x20);
	outb(PIC1_CMD, 0x20);
}

bool pic_in_service(unsigned irq)
{
	u16 port = irq < 8 ? PIC1_CMD : PIC2_CMD;

	outb(port, 0x0b);
	return inb(port) & (1 << (irq & 7));
}

#define MSR_APIC_BASE           0x1b
#define APIC_BASE_EXTD          (1UL << 10)     /* x2APIC mode */
#define APIC_BASE_ENABLE        (1UL << 11)
#define MSR_X2APIC_FIRST        0x800           /* + register offset / 16 */

static volatile u32 *lapic;
bool x2apic_mode;

u32 apic_read(u32 reg)
{
	if (x2apic_mode)
		return rdmsr(MSR_X2APIC_FIRST + reg / 16);
	return lapic[reg / 4];
}

void apic_write(u32 reg, u32 val)
{
	if (x2apic_mode)
		wrmsr(MSR_X2APIC_FIRST + reg / 16, val);
	else
		lapic[reg / 4] = val;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

unsigned apic_id(void)
{
	u32 id = apic_read(APIC_ID);

	return x2apic_mode ? id : id >> 24;
}

bool lapic_present, x2apic_present;

bool lapic_detect(void)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	lapic_present = d & CPUID_1_EDX_APIC;
	x2apic_present = lapic_present && (c & CPUID_1_ECX_X2APIC);
	return lapic_present;
}

void lapic_init(bool pic_through_lint0)
{
	u64 msr = rdmsr(MSR_APIC_BASE);

	if (!lapic && !x2apic_mode)
		x2apic_mode = (msr & APIC_BASE_EXTD) ||
			      (x2apic_present && !cmdline_get("nox2apic"));
	if (x2apic_mode && !(msr & APIC_BASE_EXTD))
		wrmsr(MSR_APIC_BASE, msr | APIC_BASE_ENABLE | APIC_BASE_EXTD);
	if (!x2apic_mode && !lapic)
		lapic = vmap_phys(msr & ~0xfffUL, PAGE_SIZE,
				  PTE_W | PTE_PCD | PTE_PWT | pte_nx);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | SPURIOUS_APIC_VECTOR);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_LINT0, pic_through_lint0 ? APIC_DM_EXTINT : APIC_LVT_MASKED);
	apic_write(APIC_LVT_LINT1, APIC_DM_NMI);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_LVT_ERROR, ERROR_APIC_VECTOR);
	apic_write(APIC_ESR, 0);                /* clear latched errors */
	apic_eoi();                             /* and any stale in-service bit */
}

static void apic_icr_write(u32 low, u32 dest)
{
	if (x2apic_mode) {
		asm volatile("mfence; lfence" ::: "memory");
		wrmsr(MSR_X2APIC_FIRST + APIC_ICR_LOW / 16, (u64)dest << 32 | low);
		return;
	}
	u64 f = local_irq_save();

	apic_write(APIC_ICR_HIGH, dest << 24);
	apic_write(APIC_ICR_LOW, low);
	while (apic_read(APIC_ICR_LOW) & APIC_ICR_BUSY)
		pause();
	local_irq_restore(f);
}

void apic_send_ipi_self(unsigned vector)
{
	trace(TRACE_IPI_SEND, vector, smp_processor_id(), 0);
	apic_icr_write(APIC_DEST_SELF | APIC_DM_FIXED | vector, 0);
}

void apic_send_nmi_self(void)
{
	apic_icr_write(APIC_DM_NMI, apic_id());
}

#define IOAPIC_VER              1               /* version, entries - 1 */
#define IOAPIC_REDTBL_LO(n)     (0x10 + 2 * (n))
#define IOAPIC_REDTBL_HI(n)     (0x11 + 2 * (n))

static volatile u32 *ioapic;
static unsigned ioapic_entries;
static spinlock_t ioapic_lock = SPINLOCK_INIT;

static u32 ioapic_read(u32 reg)
{
	ioapic[0] = reg;
	return ioapic[4];
}

static void ioapic_write(u32 reg, u32 val)
{
	ioapic[0] = reg;
	ioapic[4] = val;
}

#define IOAPIC_MASKED   (1 << 16)
#define IOAPIC_LEVEL    (1 << 15)
#define IOAPIC_LOW      (1 << 13)

void ioapic_route(unsigned gsi, unsigned vector, unsigned dest, bool level,
		  bool active_low)
{
	u32 low = vector | IOAPIC_MASKED | (level ? IOAPIC_LEVEL : 0) |
		  (active_low ? IOAPIC_LOW : 0);

	u64 f = spin_lock_irqsave(&ioapic_lock);
	ioapic_write(IOAPIC_REDTBL_HI(gsi), dest << 24);
	ioapic_write(IOAPIC_REDTBL_LO(gsi), low);
	spin_unlock_irqrestore(&ioapic_lock, f);
}

void ioapic_mask(unsigned gsi, bool masked)
{
	u64 f = spin_lock_irqsave(&ioapic_lock);
	u32 low = ioapic_read(IOAPIC_REDTBL_LO(gsi));

	low = masked ? low | IOAPIC_MASKED : low & ~IOAPIC_MASKED;
	ioapic_write(IOAPIC_REDTBL_LO(gsi), low);
	spin_unlock_irqrestore(&ioapic_lock, f);
}

unsigned isa_irq_to_gsi(unsigned irq, bool *level, bool *active_low)
{
	*level = *active_low = false;
	for (int i = 0; i < platform.nr_overrides; i++) {
		if (platform.override[i].irq != irq)
			continue;
		u16 f = platform.override[i].flags;
		*active_low = (f & 3) == 3;
		*level = ((f >> 2) & 3) == 3;
		return platform.override[i].gsi;
	}
	return irq;
}

bool ioapic_present;

bool ioapic_init(void)
{
	ioapic = vmap_phys(platform.ioapic[0].addr, PAGE_SIZE,
			   PTE_W | PTE_PCD | PTE_PWT | pte_nx);
	u32 version = ioapic_read(IOAPIC_VER);
	if ((version & 0xff) == 0 || version == 0xffffffff) {
		printk("ioapic: nothing answers at %#x, where the firmware says an "
		       "I/O APIC is\n", platform.ioapic[0].addr);
		return false;
	}
	ioapic_entries = ((version >> 16) & 0xff) + 1;
	for (unsigned gsi = 0; gsi < ioapic_entries; gsi++)
		ioapic_write(IOAPIC_REDTBL_LO(gsi), IOAPIC_MASKED);
	ioapic_present = true;
	return true;
}

void apic_send_ipi(unsigned apic_id, u32 icr_low)
{
	apic_icr_write(icr_low, apic_id);
}

void ioapic_set_dest(unsigned gsi, unsigned apic_id)
{
	u64 f = spin_lock_irqsave(&ioapic_lock);

	ioapic_write(IOAPIC_REDTBL_HI(gsi), apic_id << 24);
	spin_unlock_irqrestore(&ioapic_lock, f);
}
