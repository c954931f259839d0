/* Tangled from chapters/03-memory.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "mm.h"
#include "spinlock.h"

#define MAX_PHYS_MEM  (16UL << 30)
#define MAX_FRAMES    (MAX_PHYS_MEM >> PAGE_SHIFT)

static u64 *frame_bitmap;                       /* 1: free; after the kernel */
static u64 max_frame;                           /* frames below this exist */
static u64 nr_free;
static u64 search_hint;                         /* a word to start from */
static spinlock_t frame_lock = SPINLOCK_INIT;

static bool bit_free(u64 f)
{
	return frame_bitmap[f / 64] & (1UL << (f % 64));
}

static void set_free(u64 f)
{
	frame_bitmap[f / 64] |= 1UL << (f % 64);
	nr_free++;
}

static u64 low_water = -1UL;                    /* the fewest free frames seen */

static void set_used(u64 f)
{
	frame_bitmap[f / 64] &= ~(1UL << (f % 64));
	if (--nr_free < low_water)
		low_water = nr_free;
}

static u64 bitmap_pa, bitmap_bytes;

static void place_bitmap(void)
{
	for (int i = 0; i < boot_info.nr_regions; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		if (r->type == MULTIBOOT_MEMORY_AVAILABLE)
			max_frame = MAX(max_frame,
					MIN((r->base + r->len) >> PAGE_SHIFT, MAX_FRAMES));
	}
	bitmap_bytes = ALIGN_UP(max_frame, 64) / 8;
	bitmap_pa = ALIGN_UP(virt_to_phys(__kernel_end), PAGE_SIZE);
	bool fits = false;
	for (int i = 0; i < boot_info.nr_regions; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		fits |= r->type == MULTIBOOT_MEMORY_AVAILABLE && r->base <= bitmap_pa &&
			bitmap_pa + bitmap_bytes <= r->base + r->len;
	}
	if (!fits)
		memory_too_small();
	frame_bitmap = phys_to_virt(bitmap_pa);
	memset(frame_bitmap, 0, bitmap_bytes);
}

void frames_init(void)
{
	place_bitmap();
	for (int i = 0; i < boot_info.nr_regions; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		if (r->type != MULTIBOOT_MEMORY_AVAILABLE)
			continue;
		u64 start = ALIGN_UP(r->base, PAGE_SIZE) >> PAGE_SHIFT;
		u64 end = ALIGN_DOWN(r->base + r->len, PAGE_SIZE) >> PAGE_SHIFT;
		if (end > MAX_FRAMES) {
			printk("memory: ignoring RAM above %lu GiB\n",
			       MAX_PHYS_MEM >> 30);
			end = MAX_FRAMES;
		}
		for (u64 f = start; f < end; f++)
			if (!bit_free(f))
				set_free(f);
	}
	u64 kstart = virt_to_phys(__kernel_start) >> PAGE_SHIFT;
	u64 kend = ALIGN_UP(bitmap_pa + bitmap_bytes, PAGE_SIZE) >> PAGE_SHIFT;

	for (u64 f = 0; f < max_frame; f++)
		if (bit_free(f) && (f < (0x100000 >> PAGE_SHIFT) ||
				    (f >= kstart && f < kend)))
			set_used(f);
}

static u64 find_run(u64 from, u64 to, size_t n)
{
	u64 run = 0;

	for (u64 f = from; f < to; f++) {
		if (f % 64 == 0 && frame_bitmap[f / 64] == 0 && f + 64 <= to) {
			f += 63;                /* 64 used frames: skip */
			run = 0;
			continue;
		}
		run = bit_free(f) ? run + 1 : 0;
		if (run == n)
			return f + 1 - n;
	}
	return 0;
}

static u64 find_one(u64 from, u64 to)
{
	u64 first = ~0UL << (from % 64);        /* in the first word, from on */

	for (u64 w = from / 64; w * 64 < to; w++, first = ~0UL)
		if (frame_bitmap[w] & first) {
			u64 f = w * 64 + __builtin_ctzll(frame_bitmap[w] & first);
			return f < to ? f : 0;
		}
	return 0;
}

static u64 find_free(u64 from, u64 to, size_t n)
{
	return n == 1 ? find_one(from, to) : find_run(from, to, n);
}

u64 frames_alloc(size_t n)
{
	u64 flags = spin_lock_irqsave(&frame_lock);
	u64 f = find_free(search_hint * 64, max_frame, n);

	if (!f)
		f = find_free(0, max_frame, n);
	if (f) {
		for (u64 i = 0; i < n; i++)
			set_used(f + i);
		search_hint = (f + n) / 64;
	}
	spin_unlock_irqrestore(&frame_lock, flags);
	return f << PAGE_SHIFT;
}

u64 frames_alloc_range(size_t n, u64 min_pa, u64 max_pa)
{
	u64 flags = spin_lock_irqsave(&frame_lock);
	u64 f = find_free(ALIGN_UP(min_pa, PAGE_SIZE) >> PAGE_SHIFT,
			  MIN(max_pa >> PAGE_SHIFT, max_frame), n);

	for (u64 i = 0; f && i < n; i++)
		set_used(f + i);
	spin_unlock_irqrestore(&frame_lock, flags);
	return f << PAGE_SHIFT;
}

void frames_free(u64 pa, size_t n)
{
	u64 flags = spin_lock_irqsave(&frame_lock);

	for (u64 f = pa >> PAGE_SHIFT; n--; f++) {
		if (f >= max_frame || bit_free(f))
			panic("frames_free: frame %#lx is not allocated",
			      f << PAGE_SHIFT);
		set_free(f);
	}
	spin_unlock_irqrestore(&frame_lock, flags);
}

bool frame_is_free(u64 pa)
{
	u64 f = pa >> PAGE_SHIFT;

	return f < max_frame && bit_free(f);
}

u64 frames_free_count(void)
{
	return READ_ONCE(nr_free);
}

static u64 boot_free;                   /* free frames when memory_init ended */

u64 frames_peak_use(void)
{
	return boot_free - READ_ONCE(low_water);
}

u64 page_alloc_zeroed(void)
{
	u64 pa = frame_alloc();

	if (pa) {
		void *dst = phys_to_virt(pa);
		unsigned long count = PAGE_SIZE / 8;
		asm volatile("rep stosq" : "+D"(dst), "+c"(count) : "a"(0UL) : "memory");
	}
	return pa;
}

void frames_boot_done(void)
{
	boot_free = low_water = nr_free;
}

void memory_too_small(void)
{
	panic("memory: only %lu KiB free after the kernel and its page tables; "
	      "it needs %lu KiB (QEMU: -m 4M or more)",
	      nr_free * PAGE_SIZE / 1024, MIN_FREE_MEMORY / 1024);
}
