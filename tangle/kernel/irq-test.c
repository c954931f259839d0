/* Tangled from chapters/14-irq.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "percpu.h"
#include "irq.h"
#include "apic.h"
#include "acpi.h"
#include "vectors.h"
#include "desc.h"
#include "probe.h"
#include "traps.h"
#include "entry.h"
#include "ktest.h"

static void test_controllers(struct ktest *t)
{
	u32 a, b, c, d;

	EXPECT_EQ(t, inb(0x21), 0xff);
	EXPECT_EQ(t, inb(0xa1), 0xff);
	EXPECT_EQ(t, apic_read(APIC_SVR), APIC_SVR_ENABLE | SPURIOUS_APIC_VECTOR);
	cpuid(1, 0, &a, &b, &c, &d);
	EXPECT_EQ(t, apic_id(), b >> 24);       /* the initial APIC ID */
	EXPECT_GE(t, acpi_info.nr_cpus, 1);
	EXPECT_EQ(t, acpi_info.nr_ioapics, 1);
}
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
static void test_unhandled_storm(struct ktest *t)
{
	const unsigned irq = FIRST_SOFT_IRQ_LINE + 1;
	int dev;

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

	probe_arm(2, NULL, 0);
	apic_send_nmi_self();
	for (int i = 0; i < 1000 && p->hit_vector != 2; i++)
		pause();
	EXPECT_EQ(t, p->hit_vector, 2);
	EXPECT_TRUE(t, p->handler_sp >= base && p->handler_sp < base + IST_STACK_SIZE);
	EXPECT_EQ(t, p->gs_base, __per_cpu_offset[0]);  /* paranoid entry */
}
static void test_spurious_vector(struct ktest *t)
{
	unsigned long before = this_cpu_read(spurious_count);

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

	ASSERT_EQ(t, rtc_periodic_start(6), 0);
	for (u64 start = rdtsc(); rtc_periodic_ticks() - start_ticks < 10; ) {
		if (rdtsc() - start > 20000000000UL)
			break;
		pause();
	}
	rtc_periodic_stop();
	EXPECT_GE(t, rtc_periodic_ticks() - start_ticks, 10);
	EXPECT_GE(t, *this_cpu_ptr(&irq_stats[8]) - before, 10);
}

KTEST_SUITE(irq,
	KTEST_CASE(test_controllers),
	KTEST_CASE(test_self_ipi),
	KTEST_CASE(test_shared_line),
	KTEST_CASE(test_unhandled_storm),
	KTEST_CASE(test_nmi_ist),
	KTEST_CASE(test_spurious_vector),
	KTEST_CASE(test_uart_receive),
	KTEST_CASE(test_rtc_periodic));
