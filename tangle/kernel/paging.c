/* Tangled from chapters/03-memory.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "mm.h"
#include "spinlock.h"

pte_t *kernel_pml4;
u64 pte_nx;

static unsigned pt_index(u64 va, int level)   /* level 4 = PML4 ... 1 = PT */
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & 511;
}

static pte_t *walk(pte_t *pml4, u64 va, bool create, u64 flags)
{
	pte_t *table = pml4;

	for (int level = 4; level > 1; level--) {
		pte_t *e = &table[pt_index(va, level)];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			u64 pa = page_alloc_zeroed();
			if (!pa)
				return NULL;
			*e = pa | PTE_P | PTE_W;
		} else if (*e & PTE_PS) {
			return NULL;
		}
		*e |= flags & PTE_U;    /* a user page needs a user path */
		table = phys_to_virt(*e & PTE_ADDR_MASK);
	}
	return &table[pt_index(va, 1)];
}

static spinlock_t pt_lock = SPINLOCK_INIT;

int map_page(pte_t *pml4, u64 va, u64 pa, u64 flags)
{
	u64 irq = spin_lock_irqsave(&pt_lock);
	pte_t *e = walk(pml4, va, true, flags);

	if (e) {
		*e = (pa & PTE_ADDR_MASK) | flags | PTE_P;
		invlpg((void *)va);
	}
	spin_unlock_irqrestore(&pt_lock, irq);
	return e ? 0 : -1;
}

int unmap_page(pte_t *pml4, u64 va)
{
	u64 irq = spin_lock_irqsave(&pt_lock);
	pte_t *e = walk(pml4, va, false, 0);
	bool mapped = e && (*e & PTE_P);

	if (mapped) {
		*e = 0;
		invlpg((void *)va);
	}
	spin_unlock_irqrestore(&pt_lock, irq);
	return mapped ? 0 : -1;
}

bool translate(pte_t *pml4, u64 va, u64 *pa, u64 *flags)
{
	pte_t *table = pml4;

	for (int level = 4; level >= 1; level--) {
		pte_t e = table[pt_index(va, level)];
		if (!(e & PTE_P))
			return false;
		if (level == 1 || (e & PTE_PS)) {
			u64 span = 1UL << (PAGE_SHIFT + 9 * (level - 1));
			if (pa)
				*pa = (e & PTE_ADDR_MASK & ~(span - 1)) | (va & (span - 1));
			if (flags)
				*flags = e & ~PTE_ADDR_MASK;
			return true;
		}
		table = phys_to_virt(e & PTE_ADDR_MASK);
	}
	return false;
}

static void map_large(pte_t *pml4, u64 va, u64 pa, u64 flags)
{
	pte_t *table = pml4;

	for (int level = 4; level > 2; level--) {
		pte_t *e = &table[pt_index(va, level)];
		if (!(*e & PTE_P)) {
			u64 t = page_alloc_zeroed();
			if (!t)
				memory_too_small();
			*e = t | PTE_P | PTE_W;
		}
		table = phys_to_virt(*e & PTE_ADDR_MASK);
	}
	pte_t *pde = &table[pt_index(va, 2)];
	if (*pde & PTE_P)
		panic("paging: %#lx is already mapped (overlapping memory map?)",
		      va);
	*pde = pa | flags | PTE_P | PTE_PS;
}

static void map_direct(void)
{
	u64 flags = PTE_W | PTE_G | pte_nx;

	for (int i = 0; i < boot_info.nr_regions; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		if (r->type != MULTIBOOT_MEMORY_AVAILABLE)
			continue;
		u64 pa = ALIGN_UP(r->base, PAGE_SIZE);
		u64 end = ALIGN_DOWN(r->base + r->len, PAGE_SIZE);
		while (pa < end) {
			if (pa % LARGE_PAGE_SIZE == 0 && pa + LARGE_PAGE_SIZE <= end) {
				map_large(kernel_pml4, PAGE_OFFSET + pa, pa, flags);
				pa += LARGE_PAGE_SIZE;
			} else {
				if (map_page(kernel_pml4, PAGE_OFFSET + pa, pa, flags))
					memory_too_small();
				pa += PAGE_SIZE;
			}
		}
	}
}

static void map_kernel_image(void)
{
	for (u64 va = (u64)__kernel_start; va < (u64)__kernel_end; va += PAGE_SIZE) {
		u64 flags = PTE_G;
		if (va >= (u64)__rodata_start && va < (u64)__rodata_end)
			flags |= pte_nx;
		else if (va >= (u64)__data_start)
			flags |= PTE_W | pte_nx;
		if (map_page(kernel_pml4, va, va - KERNEL_VMA, flags))
			memory_too_small();
	}
}

void paging_init(void)
{
	pte_nx = (rdmsr(MSR_EFER) & EFER_NXE) ? PTE_NX : 0;
	kernel_pml4 = phys_to_virt(page_alloc_zeroed());
	for (int i = 256; i < 512; i++) {
		u64 pdpt = page_alloc_zeroed();
		if (!pdpt)
			memory_too_small();
		kernel_pml4[i] = pdpt | PTE_P | PTE_W;
	}
	map_direct();
	map_kernel_image();
	write_cr3(virt_to_phys(kernel_pml4));
}

pte_t *pml4_alloc(void)
{
	u64 pa = page_alloc_zeroed();
	pte_t *pml4;

	if (!pa)
		return NULL;
	pml4 = phys_to_virt(pa);
	memcpy(pml4 + 256, kernel_pml4 + 256, 256 * sizeof(pte_t));
	return pml4;
}

static u64 vmap_next = VMAP_START;
static spinlock_t vmap_lock = SPINLOCK_INIT;

static u64 vmap_reserve(size_t size)
{
	u64 flags = spin_lock_irqsave(&vmap_lock);
	u64 va = vmap_next + PAGE_SIZE;         /* skip the guard page */

	vmap_next = va + ALIGN_UP(size, PAGE_SIZE);
	if (vmap_next > VMAP_END)
		panic("vmap: out of address space");
	spin_unlock_irqrestore(&vmap_lock, flags);
	return va;
}

void *vmap_stack(size_t size)
{
	u64 va = vmap_reserve(size);

	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		u64 pa = page_alloc_zeroed();
		if (!pa || map_page(kernel_pml4, va + off, pa, PTE_W | PTE_G | pte_nx))
			panic("vmap_stack: out of memory");
	}
	return (void *)va;
}

void *vmap_phys(u64 pa, size_t size, u64 flags)
{
	u64 base = ALIGN_DOWN(pa, PAGE_SIZE);
	u64 len = ALIGN_UP(pa + size, PAGE_SIZE) - base;
	u64 va = vmap_reserve(len);

	for (u64 off = 0; off < len; off += PAGE_SIZE)
		if (map_page(kernel_pml4, va + off, base + off, flags | PTE_G))
			panic("vmap_phys: out of memory");
	return (void *)(va + (pa - base));
}

void memory_init(void)
{
	for (int i = 0; i < boot_info.nr_regions; i++) {
		const struct mem_region *r = &boot_info.regions[i];
		printk("memory: 0x%010lx-0x%010lx %s\n", r->base,
		       r->base + r->len - 1,
		       r->type == MULTIBOOT_MEMORY_AVAILABLE ? "usable" : "reserved");
	}
	frames_init();
	paging_init();
	u64 free = frames_free_count();
	printk("memory: %lu MiB free in %lu frames\n",
	       free / (1024 * 1024 / PAGE_SIZE), free);
	if (free < MIN_FREE_MEMORY / PAGE_SIZE)
		memory_too_small();
	frames_boot_done();
}
