/* Tangled from chapters/04-percpu.nw by 'make tangle'. Edit the chapter, not this file. */
#include "percpu.h"
#include "ktest.h"

static DEFINE_PER_CPU(u64, test_counter);
static DEFINE_PER_CPU(u8, test_byte);
static DEFINE_PER_CPU(u32, test_word) = 7;

static void test_boot_cpu(struct ktest *t)
{
	EXPECT_EQ(t, smp_processor_id(), 0);
	EXPECT_EQ(t, rdmsr(MSR_GS_BASE), __per_cpu_offset[0]);
	EXPECT_EQ(t, this_cpu_read(this_cpu_off), __per_cpu_offset[0]);
	EXPECT_EQ(t, this_cpu_ptr(&test_counter), per_cpu_ptr(&test_counter, 0));
	EXPECT_EQ(t, this_cpu_read(test_word), 7);      /* copied initialiser */
}

static void test_accessors(struct ktest *t)
{
	this_cpu_write(test_counter, 40);
	this_cpu_add(test_counter, 2);
	this_cpu_inc(test_byte);
	this_cpu_write(test_word, 0xdeadbeef);
	EXPECT_EQ(t, this_cpu_read(test_counter), 42);
	EXPECT_EQ(t, per_cpu(test_counter, 0), 42);
	EXPECT_EQ(t, this_cpu_read(test_byte), 1);
	EXPECT_EQ(t, per_cpu(test_word, 0), 0xdeadbeef);
	if (nr_cpu_ids > 1) {
		EXPECT_EQ(t, per_cpu(test_counter, 1), 0);  /* CPU 1 untouched */
		per_cpu(test_counter, 1) = 99;
	}
	EXPECT_EQ(t, this_cpu_read(test_counter), 42);
	EXPECT_EQ(t, test_counter, 0);                  /* the template */
}

static void test_areas_disjoint(struct ktest *t)
{
	unsigned long size = __per_cpu_end - __per_cpu_start;

	for (unsigned a = 0; a < nr_cpu_ids; a++) {
		char *pa = __per_cpu_start + __per_cpu_offset[a];
		EXPECT_TRUE(t, pa >= __per_cpu_end || pa + size <= __per_cpu_start);
		for (unsigned b = a + 1; b < nr_cpu_ids; b++) {
			char *pb = __per_cpu_start + __per_cpu_offset[b];
			EXPECT_TRUE(t, pa + size <= pb || pb + size <= pa);
		}
		EXPECT_EQ(t, per_cpu(cpu_number, a), a);
	}
}

static void test_get_put_cpu(struct ktest *t)
{
	int before = preempt_count();
	unsigned cpu = get_cpu();

	EXPECT_EQ(t, cpu, 0);
	EXPECT_EQ(t, preempt_count(), before + 1);
	put_cpu();
	EXPECT_EQ(t, preempt_count(), before);
}

static void test_rdgsbase(struct ktest *t)
{
	u32 a, b, c, d;
	u64 base;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 7)
		KTEST_SKIP(t, "no CPUID leaf 7");
	cpuid(7, 0, &a, &b, &c, &d);
	if (!(b & CPUID_7_EBX_FSGSBASE))
		KTEST_SKIP(t, "CPU lacks FSGSBASE (rdgsbase/wrgsbase)");
	u64 cr4 = read_cr4();
	write_cr4(cr4 | CR4_FSGSBASE);
	asm volatile("rdgsbase %0" : "=r"(base));
	write_cr4(cr4);
	EXPECT_EQ(t, base, rdmsr(MSR_GS_BASE));
	EXPECT_EQ(t, base, __per_cpu_offset[0]);
}

KTEST_SUITE(percpu,
	KTEST_CASE(test_boot_cpu),
	KTEST_CASE(test_accessors),
	KTEST_CASE(test_areas_disjoint),
	KTEST_CASE(test_get_put_cpu),
	KTEST_CASE(test_rdgsbase));
