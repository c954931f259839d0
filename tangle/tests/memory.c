/* Tangled from chapters/03-memory.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "mm.h"
#include "ktest.h"

static int probe_variable = 42;

static void test_kernel_mappings(struct ktest *t)
{
	u64 pa, flags;

	ASSERT_TRUE(t, translate(kernel_pml4, (u64)test_kernel_mappings, &pa, &flags));
	EXPECT_FALSE(t, flags & PTE_W);
	EXPECT_FALSE(t, flags & PTE_NX);
	ASSERT_TRUE(t, translate(kernel_pml4, (u64)&probe_variable, &pa, &flags));
	EXPECT_TRUE(t, flags & PTE_W);
	EXPECT_EQ(t, flags & PTE_NX, pte_nx);
	EXPECT_EQ(t, pa, virt_to_phys(&probe_variable));
	EXPECT_EQ(t, *(int *)phys_to_virt(pa), 42);
	EXPECT_FALSE(t, translate(kernel_pml4, 0, NULL, NULL));
	EXPECT_EQ(t, read_cr3() & PTE_ADDR_MASK, virt_to_phys(kernel_pml4));
}

static void test_map_unmap(struct ktest *t)
{
	const u64 va = 0xffffc80000000000UL;   /* an unused kernel range */
	u64 pa = page_alloc_zeroed(), got;
	u64 *direct = phys_to_virt(pa);

	ASSERT_NE(t, pa, 0);
	ASSERT_EQ(t, map_page(kernel_pml4, va, pa, PTE_W | pte_nx), 0);
	EXPECT_TRUE(t, translate(kernel_pml4, va, &got, NULL));
	EXPECT_EQ(t, got, pa);
	*(volatile u64 *)va = 0x1234abcd;
	EXPECT_EQ(t, *direct, 0x1234abcd);
	EXPECT_EQ(t, unmap_page(kernel_pml4, va), 0);
	EXPECT_FALSE(t, translate(kernel_pml4, va, NULL, NULL));
	EXPECT_EQ(t, unmap_page(kernel_pml4, va), -1);
	frame_free(pa);
}

static void test_kmalloc(struct ktest *t)
{
	void *a = kmalloc(10), *b = kmalloc(10), *big;

	ASSERT_NE(t, a, NULL);
	ASSERT_NE(t, b, NULL);
	EXPECT_NE(t, a, b);
	EXPECT_EQ(t, (u64)a % 16, 0);
	memset(a, 0xaa, 10);
	kfree(a);
	EXPECT_EQ(t, kmalloc(12), a);           /* same class, LIFO reuse */
	u64 before = frames_free_count();
	big = kzalloc(3 * PAGE_SIZE);
	ASSERT_NE(t, big, NULL);
	EXPECT_EQ(t, frames_free_count(), before - 4);  /* header needs a 4th */
	EXPECT_EQ(t, ((u8 *)big)[3 * PAGE_SIZE - 1], 0);
	kfree(big);
	EXPECT_EQ(t, frames_free_count(), before);
	kfree(a);
	kfree(b);
}

static void test_frames(struct ktest *t)
{
	u64 before = frames_free_count();
	u64 a = frame_alloc(), run = frames_alloc(5);

	ASSERT_NE(t, a, 0);
	ASSERT_NE(t, run, 0);
	EXPECT_EQ(t, a % PAGE_SIZE, 0);
	EXPECT_EQ(t, frames_free_count(), before - 6);
	for (int i = 0; i < 5; i++)
		EXPECT_FALSE(t, frame_is_free(run + i * PAGE_SIZE));
	frame_free(a);
	frames_free(run, 5);
	EXPECT_EQ(t, frames_free_count(), before);
	EXPECT_TRUE(t, frame_is_free(a));
}

static void test_reserved(struct ktest *t)
{
	EXPECT_FALSE(t, frame_is_free(0));
	EXPECT_FALSE(t, frame_is_free(0x9f000));
	for (char *p = __kernel_start; p < __kernel_end; p += PAGE_SIZE)
		EXPECT_FALSE(t, frame_is_free(virt_to_phys(p)));
	EXPECT_GE(t, frames_free_count() + frames_peak_use(),
		  MIN_FREE_MEMORY / PAGE_SIZE);
}

static void test_vmap_stack(struct ktest *t)
{
	u8 *a = vmap_stack(2 * PAGE_SIZE), *b = vmap_stack(PAGE_SIZE);
	u64 flags;

	EXPECT_GE(t, (u64)a, VMAP_START);
	ASSERT_TRUE(t, translate(kernel_pml4, (u64)a, NULL, &flags));
	EXPECT_TRUE(t, flags & PTE_W);
	EXPECT_TRUE(t, translate(kernel_pml4, (u64)a + PAGE_SIZE, NULL, NULL));
	EXPECT_FALSE(t, translate(kernel_pml4, (u64)a - PAGE_SIZE, NULL, NULL));
	EXPECT_FALSE(t, translate(kernel_pml4, (u64)b - PAGE_SIZE, NULL, NULL));
	EXPECT_EQ(t, a[2 * PAGE_SIZE - 1], 0);
	EXPECT_EQ(t, (u64)b, (u64)a + 3 * PAGE_SIZE);
}

static void test_high_memory(struct ktest *t)
{
	const u64 high = 4UL << 30;
	u64 pa = frames_alloc_range(1, high, -1UL), got;

	EXPECT_EQ(t, frames_alloc_range(1, 0x1000, 0x100000), 0);  /* reserved */
	if (!pa)
		KTEST_SKIP(t, "no RAM above 4 GiB here (the -m 8G boot has some)");
	EXPECT_GE(t, pa, high);
	u64 *p = phys_to_virt(pa);
	for (int i = 0; i < 512; i++)
		p[i] = pa + i;
	ASSERT_TRUE(t, translate(kernel_pml4, (u64)p, &got, NULL));
	EXPECT_EQ(t, got, pa);
	for (int i = 0; i < 512; i++)
		if (p[i] != pa + i)
			t->failures++;
	frame_free(pa);
	EXPECT_TRUE(t, frame_is_free(pa));
}

KTEST_SUITE(memory,
	KTEST_CASE(test_frames),
	KTEST_CASE(test_reserved),
	KTEST_CASE(test_kernel_mappings),
	KTEST_CASE(test_map_unmap),
	KTEST_CASE(test_vmap_stack),
	KTEST_CASE(test_kmalloc),
	KTEST_CASE(test_high_memory));
