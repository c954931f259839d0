/* Tangled from chapters/03-memory.nw chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "kernel.h"
#include "multiboot.h"

static inline void *phys_to_virt(u64 pa)
{
	return (void *)(pa + PAGE_OFFSET);
}

static inline u64 virt_to_phys(const void *va)
{
	u64 a = (u64)va;

	return a >= KERNEL_VMA ? a - KERNEL_VMA : a - PAGE_OFFSET;
}

void memory_init(void);
u64 frames_alloc(size_t n);             /* n contiguous frames; 0: none */
u64 frames_alloc_range(size_t n, u64 min_pa, u64 max_pa);
void frames_free(u64 pa, size_t n);
static inline u64 frame_alloc(void) { return frames_alloc(1); }
static inline void frame_free(u64 pa) { frames_free(pa, 1); }
bool frame_is_free(u64 pa);
u64 frames_free_count(void);
u64 frames_peak_use(void);              /* most frames in use since boot */
u64 page_alloc_zeroed(void);            /* one zeroed frame, or 0 */

typedef u64 pte_t;

#define PTE_NX        (1UL << 63)       /* no execute (if EFER.NXE) */
#define PTE_ADDR_MASK 0x000ffffffffff000UL

extern pte_t *kernel_pml4;
extern u64 pte_nx;                      /* PTE_NX, or 0 if unsupported */

void paging_init(void);
int map_page(pte_t *pml4, u64 va, u64 pa, u64 flags);
pte_t *pml4_alloc(void);                /* a new PML4 sharing the kernel half */
int unmap_page(pte_t *pml4, u64 va);
bool translate(pte_t *pml4, u64 va, u64 *pa, u64 *flags);

#define VMAP_START    0xffffc90000000000UL      /* as Linux's vmalloc area */
#define VMAP_END      0xffffe90000000000UL

void *vmap_stack(size_t size);          /* fresh zeroed frames, guard below */
void *vmap_phys(u64 pa, size_t size, u64 flags);    /* map existing frames */

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);

#define KMALLOC_CLASSES 8               /* 16 << 0 ... 16 << 7 = 2048 */

struct kmalloc_stats {
	unsigned long live[KMALLOC_CLASSES + 1];        /* the last: large */
	unsigned long carved_frames;
};

void kmalloc_get_stats(struct kmalloc_stats *s);
unsigned long kmalloc_live_total(const struct kmalloc_stats *s);

#define MIN_FREE_MEMORY (UL(1) << 20)   /* after the image and page tables */
void memory_too_small(void) __attribute__((noreturn));
void frames_init(void);
void frames_boot_done(void);

void show_kmalloc(void);
