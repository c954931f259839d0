/* Tangled from chapters/20-smp-boot.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "smp.h"
#include "desc.h"
#include "platform.h"
#include "ktest.h"

static void test_all_online(struct ktest *t)
{
	unsigned online = 0;

	if (nr_cpu_ids < 2)
		KTEST_SKIP(t, "one CPU");
	for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
		online += cpu_online(cpu);
	EXPECT_EQ(t, online, nr_cpus_online);
	EXPECT_TRUE(t, cpu_online(0));
	if (!cmdline_get("smp.phantom") && !cmdline_get("smp.late"))
		EXPECT_EQ(t, nr_cpus_online + cpus_left_out, nr_cpu_ids);
}

static void test_each_cpu_its_own(struct ktest *t)
{
	if (nr_cpus_online < 2)
		KTEST_SKIP(t, "one CPU");
	for (unsigned cpu = 1; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_online(cpu))
			continue;
		const struct ap_report *r = per_cpu_ptr(&ap_report, cpu);
		const struct cpu_entry *ce = per_cpu_ptr(&cpu_entry, cpu);
		EXPECT_EQ(t, r->gdt, (u64)ce->gdt);
		EXPECT_EQ(t, r->idt, (u64)idt_table);
		EXPECT_EQ(t, (unsigned)r->tr, TSS_SEL);
		EXPECT_EQ(t, r->gs_base, __per_cpu_offset[cpu]);
		EXPECT_LT(t, r->stack, ap_stack_top[cpu]);
		EXPECT_GE(t, r->stack, ap_stack_top[cpu] - TASK_STACK_SIZE);
		EXPECT_EQ(t, r->apic_id, cpu_apic_id[cpu]);
		for (unsigned other = 0; other < cpu; other++) {
			const struct cpu_entry *oe = per_cpu_ptr(&cpu_entry, other);
			EXPECT_NE(t, __per_cpu_offset[other], __per_cpu_offset[cpu]);
			for (int i = 0; i < IST_DB; i++)
				EXPECT_NE(t, oe->tss.ist[i], ce->tss.ist[i]);
		}
	}
}

static void test_phantom_left_out(struct ktest *t)
{
	if (!cmdline_get("smp.phantom"))
		KTEST_SKIP(t, "no phantom CPU (the smp-phantom boot of the matrix has one)");
	EXPECT_EQ(t, nr_cpus_online, nr_cpu_ids - 1);
	EXPECT_FALSE(t, cpu_online(nr_cpu_ids - 1));
	EXPECT_TRUE(t, cpu_online(nr_cpu_ids - 2));
}

static u16 pit_ch2_count(void)
{
	outb(0x43, 0x80);                       /* latch channel 2 */
	u8 lo = inb(0x42);
	return lo | inb(0x42) << 8;
}

static void test_udelay_against_pit(struct ktest *t)
{
	u8 ctrl = inb(0x61);

	if (ctrl == 0xff)
		KTEST_SKIP(t, "no PIT on this machine");
	unsigned ticks = ~0U;
	for (int attempt = 0; attempt < 10; attempt++) {
		outb(0x61, (ctrl & ~0x02) | 0x01);
		outb(0x43, 0xb0);               /* channel 2, mode 0 */
		outb(0x42, 0xff);
		outb(0x42, 0xff);
		u64 f = local_irq_save();
		u16 before = pit_ch2_count();
		udelay(10000);
		u16 after = pit_ch2_count();
		local_irq_restore(f);
		outb(0x61, ctrl);
		unsigned took = (u16)(before - after);
		ktest_log(t, "udelay(10000) took %u PIT ticks (11932 expected)", took);
		ticks = MIN(ticks, took);
		if (ticks > 11932 * 8 / 10 && ticks < 11932 * 12 / 10)
			break;
	}
	EXPECT_GT(t, ticks, 11932 * 8 / 10);
	EXPECT_LT(t, ticks, 11932 * 12 / 10);
}

static void test_late_ap_parked(struct ktest *t)
{
	unsigned long cpu = cmdline_number("smp.late", 0);

	if (!cmdline_get("smp.late"))
		KTEST_SKIP(t, "no late CPU (the smp-late boot of the matrix has one)");
	ASSERT_TRUE(t, cpu > 0 && cpu < nr_cpu_ids);
	udelay(3500000);
	EXPECT_FALSE(t, cpu_online(cpu));
	EXPECT_EQ(t, __atomic_load_n(&ap_state[cpu], __ATOMIC_ACQUIRE), AP_ABANDONED);
	EXPECT_EQ(t, nr_cpus_online, nr_cpu_ids - 1);
}

KTEST_SUITE(smpboot,
	KTEST_CASE(test_all_online),
	KTEST_CASE(test_each_cpu_its_own),
	KTEST_CASE(test_phantom_left_out),
	KTEST_CASE(test_late_ap_parked),
	KTEST_CASE(test_udelay_against_pit));
