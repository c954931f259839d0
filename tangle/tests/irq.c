/* Tangled from chapters/14-irq.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "percpu.h"
#include "irq.h"
#include "errno.h"
#include "apic.h"
#include "platform.h"
#include "vectors.h"
#include "desc.h"
#include "probe.h"
#include "traps.h"
#include "entry.h"
#include "ktest.h"

#define NO_LAPIC "no local APIC: these tests raise their interrupts with self-IPIs"

static volatile unsigned test_ipi_count;
static volatile unsigned long test_ipi_sp, test_ipi_flags, test_ipi_preempt;

static void test_ipi_handler(struct pt_regs *regs)
{
	unsigned long here = (unsigned long)&here;

	(void)regs;
	test_ipi_sp = here;
	test_ipi_flags = save_flags();
	test_ipi_preempt = preempt_count();
	test_ipi_count++;
	apic_eoi();
}

static void test_self_ipi(struct ktest *t)
{
	unsigned long top = this_cpu_read(hardirq_stack_ptr);

	if (!lapic_present)
		KTEST_SKIP(t, NO_LAPIC);
	set_system_vector(TEST_IPI_VECTOR, test_ipi_handler);
	test_ipi_count = 0;
	apic_send_ipi_self(TEST_IPI_VECTOR);
	apic_send_ipi_self(TEST_IPI_VECTOR);
	EXPECT_EQ(t, test_ipi_count, 2);
	EXPECT_TRUE(t, test_ipi_sp < top && test_ipi_sp >= top - IRQ_STACK_SIZE);
	EXPECT_FALSE(t, test_ipi_flags & X86_EFLAGS_IF);
	EXPECT_TRUE(t, test_ipi_preempt & HARDIRQ_MASK);
	EXPECT_FALSE(t, in_interrupt());
}

#define OUTER_IRQ       (FIRST_SOFT_IRQ_LINE + 2)
#define INNER_IRQ       (FIRST_SOFT_IRQ_LINE + 3)

static volatile unsigned outer_calls, inner_calls, outer_calls_seen;
static volatile unsigned long outer_flags, inner_flags, inner_preempt, inner_sp;
static volatile u8 inner_stack_inuse;

static irqreturn_t outer_handler(int irq, void *dev)
{
	(void)irq, (void)dev;
	if (outer_calls++ == 0) {
		outer_flags = save_flags();
		apic_send_ipi_self(irq_to_vector(INNER_IRQ));   /* nests at once */
	}
	return IRQ_HANDLED;
}

static irqreturn_t inner_handler(int irq, void *dev)
{
	unsigned long here = (unsigned long)&here;

	(void)irq, (void)dev;
	inner_calls++;
	inner_sp = here;
	inner_flags = save_flags();
	inner_preempt = preempt_count();
	inner_stack_inuse = this_cpu_read(hardirq_stack_inuse);
	apic_send_ipi_self(irq_to_vector(OUTER_IRQ));   /* waits: IF=0 */
	outer_calls_seen = outer_calls;
	return IRQ_HANDLED;
}

static void test_nesting(struct ktest *t)
{
	int outer, inner;

	if (!lapic_present)
		KTEST_SKIP(t, NO_LAPIC);
	ASSERT_EQ(t, request_irq(OUTER_IRQ, outer_handler, 0, "outer", &outer), 0);
	ASSERT_EQ(t, request_irq(INNER_IRQ, inner_handler, 0, "inner", &inner), 0);
	preempt_disable();                      /* this CPU's stack and counters */
	unsigned long top = this_cpu_read(hardirq_stack_ptr);
	unsigned before = *this_cpu_ptr(&irq_stats[OUTER_IRQ]);
	outer_calls = inner_calls = outer_calls_seen = 0;
	apic_send_ipi_self(irq_to_vector(OUTER_IRQ));
	for (int spin = 0; spin < 1000000 && outer_calls < 2; spin++)
		pause();                        /* an emulator may deliver late */
	preempt_enable();
	EXPECT_TRUE(t, outer_flags & X86_EFLAGS_IF);
	EXPECT_EQ(t, inner_calls, 1);
	EXPECT_FALSE(t, inner_flags & X86_EFLAGS_IF);
	EXPECT_EQ(t, inner_preempt & HARDIRQ_MASK, 2 * HARDIRQ_OFFSET);
	EXPECT_EQ(t, inner_stack_inuse, 1);
	EXPECT_TRUE(t, inner_sp < top && inner_sp >= top - IRQ_STACK_SIZE);
	EXPECT_EQ(t, outer_calls_seen, 1);
	EXPECT_EQ(t, outer_calls, 2);
	EXPECT_EQ(t, *this_cpu_ptr(&irq_stats[OUTER_IRQ]), before + 2);
	free_irq(INNER_IRQ, &inner);
	free_irq(OUTER_IRQ, &outer);
}

static int calls_a, calls_b;
static unsigned long flags_a, flags_b;

static irqreturn_t handler_a(int irq, void *dev)
{
	(void)irq, (void)dev;
	calls_a++;
	flags_a = save_flags();
	return IRQ_HANDLED;
}

static irqreturn_t handler_b(int irq, void *dev)
{
	(void)irq, (void)dev;
	calls_b++;
	flags_b = save_flags();
	return IRQ_NONE;
}

static void test_shared_line(struct ktest *t)
{
	const unsigned irq = FIRST_SOFT_IRQ_LINE;
	int a, b;
	unsigned before = *this_cpu_ptr(&irq_stats[irq]);

	if (!lapic_present)
		KTEST_SKIP(t, NO_LAPIC);
	ASSERT_EQ(t, request_irq(irq, handler_a, IRQF_SHARED, "test-a", &a), 0);
	ASSERT_EQ(t, request_irq(irq, handler_b, IRQF_SHARED | IRQF_DISABLED,
				 "test-b", &b), 0);
	EXPECT_EQ(t, request_irq(irq, handler_a, 0, "test-c", &calls_a), -16);
	calls_a = calls_b = 0;
	apic_send_ipi_self(irq_to_vector(irq));
	EXPECT_EQ(t, calls_a, 1);
	EXPECT_EQ(t, calls_b, 1);
	EXPECT_FALSE(t, flags_b & X86_EFLAGS_IF);       /* IRQF_DISABLED */
	free_irq(irq, &b);
	apic_send_ipi_self(irq_to_vector(irq));
	EXPECT_EQ(t, calls_a, 2);
	EXPECT_EQ(t, calls_b, 1);
	EXPECT_TRUE(t, flags_a & X86_EFLAGS_IF);        /* non-critical part */
	EXPECT_EQ(t, *this_cpu_ptr(&irq_stats[irq]), before + 2);
	show_interrupts();
	free_irq(irq, &a);
}

static void test_controllers(struct ktest *t)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	EXPECT_EQ(t, lapic_present, (d & CPUID_1_EDX_APIC) != 0);
	EXPECT_GE(t, platform.nr_cpus, 1);
	EXPECT_EQ(t, platform.cpus_dropped, 0);
	if (!lapic_present)
		KTEST_SKIP(t, "no local APIC: the PIC delivers the interrupts");
	EXPECT_EQ(t, apic_read(APIC_SVR), APIC_SVR_ENABLE | SPURIOUS_APIC_VECTOR);
	EXPECT_EQ(t, apic_id(), b >> 24);       /* the initial APIC ID */
	EXPECT_EQ(t, platform.cpu_apic_id[0], apic_id());
	if (!ioapic_present)
		KTEST_SKIP(t, "no I/O APIC answers here: the PIC delivers");
	EXPECT_EQ(t, inb(0x21), 0xff);          /* the PIC is masked for good */
	EXPECT_EQ(t, inb(0xa1), 0xff);
	EXPECT_EQ(t, platform.nr_ioapics, 1);
}

static void put32(u8 *p, u32 v) { memcpy(p, &v, 4); }

static void test_firmware_tables(struct ktest *t)
{
	static u8 madt[44 + 300 * 16 + 12 + 10 + 2];
	static struct platform_info p;
	u8 *e = madt + 44;

	for (u32 id = 0; id < 300; id++, e += 16) {
		e[0] = 9, e[1] = 16, put32(e + 4, id), put32(e + 8, 1);
	}
	e[0] = 1, e[1] = 12, e[2] = 7, put32(e + 4, 0xfec00000), e += 12;
	e[0] = 2, e[1] = 10, e[3] = 0, put32(e + 4, 2), e += 10;
	e[0] = 0, e[1] = 0;                     /* length zero: the end */
	acpi_parse_madt(&p, madt, sizeof(madt));
	EXPECT_EQ(t, p.nr_cpus, NR_CPUS);
	EXPECT_EQ(t, p.cpus_dropped, 300 - NR_CPUS);
	EXPECT_EQ(t, p.dropped_apic_id[0], NR_CPUS);
	EXPECT_EQ(t, p.nr_ioapics, 1);
	EXPECT_EQ(t, p.ioapic[0].id, 7);
	EXPECT_EQ(t, p.nr_overrides, 1);
	EXPECT_EQ(t, p.override[0].gsi, 2);
	static u8 mp[44 + 2 * 20 + 4 * 8];
	u8 *m = mp + 44;

	memset(&p, 0, sizeof(p));
	m[0] = 0, m[1] = 0, m[3] = 3, m += 20;          /* CPU 0: enabled, boot CPU */
	m[0] = 0, m[1] = 1, m[3] = 0, m += 20;          /* CPU 1: disabled */
	m[0] = 1, m[1] = 5, memcpy(m + 2, "ISA   ", 6), m += 8;
	m[0] = 2, m[1] = 9, m[3] = 1, put32(m + 4, 0xfec00000), m += 8;
	m[0] = 3, m[1] = 0, m[4] = 5, m[5] = 0, m[6] = 9, m[7] = 2, m += 8;
	m[0] = 4, m += 8;                               /* a local assignment */
	mp_parse_config(&p, mp, sizeof(mp));
	EXPECT_EQ(t, p.nr_cpus, 1);
	EXPECT_EQ(t, p.nr_ioapics, 1);
	EXPECT_EQ(t, p.ioapic[0].id, 9);
	EXPECT_EQ(t, p.nr_overrides, 1);
	EXPECT_EQ(t, p.override[0].irq, 0);
	EXPECT_EQ(t, p.override[0].gsi, 2);
}

static void test_unhandled_storm(struct ktest *t)
{
	const unsigned irq = FIRST_SOFT_IRQ_LINE + 1;
	int dev;

	if (!lapic_present)
		KTEST_SKIP(t, NO_LAPIC);
	ASSERT_EQ(t, request_irq(irq, handler_b, 0, "storm", &dev), 0);
	calls_b = 0;
	for (int i = 0; i < 1000; i++)
		apic_send_ipi_self(irq_to_vector(irq));
	EXPECT_EQ(t, calls_b, 1000);
	apic_send_ipi_self(irq_to_vector(irq));
	EXPECT_EQ(t, calls_b, 1000);                    /* disabled now */
	free_irq(irq, &dev);
}

static void test_nmi_ist(struct ktest *t)
{
	struct cpu_entry *ce = this_cpu_ptr(&cpu_entry);
	struct trap_probe *p = this_cpu_ptr(&trap_probe);
	unsigned long base = ce->ist_stack_base[IST_NMI - 1];

	if (!lapic_present)
		KTEST_SKIP(t, NO_LAPIC);
	probe_arm(X86_TRAP_NMI, NULL, 0);
	apic_send_nmi_self();
	for (int i = 0; i < 1000 && p->hit_vector != X86_TRAP_NMI; i++)
		pause();
	EXPECT_EQ(t, p->hit_vector, X86_TRAP_NMI);
	EXPECT_TRUE(t, p->handler_sp >= base && p->handler_sp < base + IST_STACK_SIZE);
	EXPECT_EQ(t, p->gs_base, __per_cpu_offset[0]);  /* paranoid entry */
}

static void test_spurious_vector(struct ktest *t)
{
	unsigned long before = this_cpu_read(spurious_count);

	if (!lapic_present)
		KTEST_SKIP(t, NO_LAPIC);
	apic_send_ipi_self(SPURIOUS_APIC_VECTOR);
	EXPECT_EQ(t, this_cpu_read(spurious_count), before + 1);
	apic_eoi();     /* a real spurious interrupt sets no in-service bit */
}

static void test_uart_receive(struct ktest *t)
{
	char line[128];
	unsigned before = this_cpu_read(irq_stats[4]);
	unsigned lines = serial_lines_received();

	printk("ktest: type a line on the serial console\n");
	for (u64 start = rdtsc(); serial_lines_received() == lines; ) {
		if (rdtsc() - start > 5000000000UL)
			KTEST_SKIP(t, "nobody typed a line on the serial console");
		pause();
	}
	serial_last_line(line, sizeof(line));
	EXPECT_STREQ(t, line, "ktest serial input");
	EXPECT_GT(t, this_cpu_read(irq_stats[4]), before);
}

static void test_rtc_periodic(struct ktest *t)
{
	unsigned before = *this_cpu_ptr(&irq_stats[8]);
	unsigned start_ticks = rtc_periodic_ticks();
	int err = rtc_periodic_start(6);

	if (rtc_tick_hook)
		ASSERT_EQ(t, err, -EBUSY);
	else
		ASSERT_EQ(t, err, 0);
	for (u64 start = rdtsc(); rtc_periodic_ticks() - start_ticks < 10; ) {
		if (rdtsc() - start > 20000000000UL)
			break;
		pause();
	}
	if (!err)
		rtc_periodic_stop();
	EXPECT_GE(t, rtc_periodic_ticks() - start_ticks, 10);
	EXPECT_GE(t, *this_cpu_ptr(&irq_stats[8]) - before, 10);
}

KTEST_SUITE(irq,
	KTEST_CASE(test_controllers),
	KTEST_CASE(test_firmware_tables),
	KTEST_CASE(test_self_ipi),
	KTEST_CASE(test_shared_line),
	KTEST_CASE(test_nesting),
	KTEST_CASE(test_unhandled_storm),
	KTEST_CASE(test_nmi_ist),
	KTEST_CASE(test_spurious_vector),
	KTEST_CASE(test_uart_receive),
	KTEST_CASE(test_rtc_periodic));
