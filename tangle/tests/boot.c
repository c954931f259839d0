/* Tangled from chapters/01-boot.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "multiboot.h"
#include "mm.h"
#include "ktest.h"
#include "sched.h"

static void test_long_mode_active(struct ktest *t)
{
	u64 efer = rdmsr(MSR_EFER);

	EXPECT_TRUE(t, efer & EFER_LME);
	EXPECT_TRUE(t, efer & EFER_LMA);
	EXPECT_TRUE(t, read_cr0() & CR0_PG);
	EXPECT_TRUE(t, read_cr0() & CR0_WP);
	EXPECT_TRUE(t, read_cr4() & CR4_PAE);
}

static void test_higher_half(struct ktest *t)
{
	u64 rip;

	asm volatile("lea 0(%%rip), %0" : "=r"(rip));
	EXPECT_GE(t, rip, KERNEL_VMA);
	EXPECT_GE(t, (u64)&boot_info, KERNEL_VMA);
	EXPECT_EQ(t, (u64)__kernel_start, KERNEL_VMA + KERNEL_PHYS);
}

static void test_boot_stack(struct ktest *t)
{
	u64 local = 0;
	u64 rbp = (u64)__builtin_frame_address(0);

	EXPECT_GE(t, init_task.sp, (u64)boot_stack);
	EXPECT_LT(t, init_task.sp, (u64)boot_stack_top);
	EXPECT_GE(t, (u64)&local, (u64)current->stack);
	EXPECT_LT(t, (u64)&local, current->stack_top);
	EXPECT_EQ(t, (u64)boot_stack_top % 16, 0);
	EXPECT_EQ(t, rbp % 8, 0);
}

static void test_multiboot_info(struct ktest *t)
{
	u64 usable = 0;

	ASSERT_GT(t, boot_info.nr_regions, 0);
	for (int i = 0; i < boot_info.nr_regions; i++)
		if (boot_info.regions[i].type == MULTIBOOT_MEMORY_AVAILABLE)
			usable += boot_info.regions[i].len;
	EXPECT_GE(t, usable, MIN_FREE_MEMORY);
	EXPECT_NE(t, cmdline_get("ktest"), NULL);
	EXPECT_EQ(t, cmdline_get("no-such-option"), NULL);
	EXPECT_EQ(t, boot_info.regions_dropped, 0);
	const char *min = cmdline_get("ktest-mmap-min");
	if (min) {
		int n = 0;
		while (*min >= '0' && *min <= '9')
			n = n * 10 + *min++ - '0';
		EXPECT_GE(t, boot_info.nr_regions, n);
	}
}

static void test_long_boot_input(struct ktest *t)
{
	static struct multiboot_mmap_entry map[300];
	static struct boot_info bi;
	static char line[301];

	for (int i = 0; i < 300; i++)
		map[i] = (struct multiboot_mmap_entry){
			.size = sizeof(map[i]) - 4, .addr = (u64)i << 20,
			.len = i == 7 ? 0 : 1 << 20,
			.type = MULTIBOOT_MEMORY_AVAILABLE };
	boot_copy_mmap(&bi, (const u8 *)map, sizeof(map));
	EXPECT_EQ(t, bi.nr_regions, BOOT_MMAP_MAX);
	EXPECT_EQ(t, bi.regions_dropped, 300 - 1 - BOOT_MMAP_MAX);
	EXPECT_EQ(t, bi.usable_dropped, (u64)(300 - 1 - BOOT_MMAP_MAX) << 20);
	EXPECT_EQ(t, bi.regions[7].base, 8UL << 20);    /* the empty one skipped */
	memset(&bi, 0, sizeof(bi));
	map[3].size = 4;                                /* malformed */
	boot_copy_mmap(&bi, (const u8 *)map, sizeof(map));
	EXPECT_EQ(t, bi.nr_regions, 3);
	memset(line, 'x', 300);
	boot_copy_cmdline(&bi, line);
	EXPECT_EQ(t, bi.cmdline_length, 300);
	EXPECT_EQ(t, strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
}

KTEST_SUITE(boot,
	KTEST_CASE(test_long_mode_active),
	KTEST_CASE(test_higher_half),
	KTEST_CASE(test_boot_stack),
	KTEST_CASE(test_multiboot_info),
	KTEST_CASE(test_long_boot_input));
