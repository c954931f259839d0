/* Tangled from chapters/03-memory.nw chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#include "kernel.h"
#include "mm.h"
#include "spinlock.h"

#define MAGIC_SMALL 0x6b6d616cU         /* "kmal" */
#define MAGIC_LARGE 0x6b6d4c47U         /* "kmLG" */
#define MAGIC_FREE  0x66726565U         /* "free" */

struct kmalloc_header {
	u32 magic;
	u32 size;               /* class size, or number of frames */
	struct kmalloc_header *next;    /* on the free list */
};

static struct kmalloc_header *free_list[KMALLOC_CLASSES];
static spinlock_t kmalloc_lock = SPINLOCK_INIT;
static struct kmalloc_stats stats;      /* small classes under the lock */

static void *kmalloc_large(size_t size)
{
	size_t frames = ALIGN_UP(size + sizeof(struct kmalloc_header),
				 PAGE_SIZE) / PAGE_SIZE;
	u64 pa = frames_alloc(frames);

	if (!pa)
		return NULL;
	struct kmalloc_header *h = phys_to_virt(pa);
	h->magic = MAGIC_LARGE;
	h->size = frames;
	__atomic_fetch_add(&stats.live[KMALLOC_CLASSES], 1, __ATOMIC_RELAXED);
	return h + 1;
}

void *kmalloc(size_t size)
{
	int c = 0;

	while (c < KMALLOC_CLASSES && (16UL << c) < size + sizeof(struct kmalloc_header))
		c++;
	if (c == KMALLOC_CLASSES)
		return kmalloc_large(size);

	u64 flags = spin_lock_irqsave(&kmalloc_lock);
	if (!free_list[c]) {
		u64 pa = frame_alloc();
		size_t osize = 16UL << c;

		stats.carved_frames += pa != 0;

		for (size_t off = 0; pa && off + osize <= PAGE_SIZE; off += osize) {
			struct kmalloc_header *o = phys_to_virt(pa + off);
			o->magic = MAGIC_FREE;
			o->size = osize;
			o->next = free_list[c];
			free_list[c] = o;
		}
	}
	struct kmalloc_header *h = free_list[c];
	if (h) {
		free_list[c] = h->next;
		h->magic = MAGIC_SMALL;
		stats.live[c]++;
	}
	spin_unlock_irqrestore(&kmalloc_lock, flags);
	return h ? h + 1 : NULL;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	struct kmalloc_header *h = (struct kmalloc_header *)p - 1;
	if (h->magic == MAGIC_LARGE) {
		h->magic = MAGIC_FREE;
		__atomic_fetch_sub(&stats.live[KMALLOC_CLASSES], 1, __ATOMIC_RELAXED);
		frames_free(virt_to_phys(h), h->size);
		return;
	}
	if (h->magic != MAGIC_SMALL)
		panic("kfree(%p): %s", p, h->magic == MAGIC_FREE ?
		      "double free" : "not allocated by kmalloc");
	int c = __builtin_ctz(h->size / 16);
	u64 flags = spin_lock_irqsave(&kmalloc_lock);
	h->magic = MAGIC_FREE;
	h->next = free_list[c];
	free_list[c] = h;
	stats.live[c]--;
	spin_unlock_irqrestore(&kmalloc_lock, flags);
}

void kmalloc_get_stats(struct kmalloc_stats *s)
{
	u64 flags = spin_lock_irqsave(&kmalloc_lock);

	*s = stats;
	s->live[KMALLOC_CLASSES] = __atomic_load_n(&stats.live[KMALLOC_CLASSES],
						   __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&kmalloc_lock, flags);
}

unsigned long kmalloc_live_total(const struct kmalloc_stats *s)
{
	unsigned long n = 0;

	for (int c = 0; c <= KMALLOC_CLASSES; c++)
		n += s->live[c];
	return n;
}

void show_kmalloc(void)
{
	struct kmalloc_stats s;

	kmalloc_get_stats(&s);
	for (int c = 0; c < KMALLOC_CLASSES; c++) {
		unsigned long n = 0;
		u64 f = spin_lock_irqsave(&kmalloc_lock);
		for (struct kmalloc_header *h = free_list[c]; h; h = h->next)
			n++;
		spin_unlock_irqrestore(&kmalloc_lock, f);
		printk("  kmalloc-%-5lu %6lu in use, %6lu free\n", 16UL << c, s.live[c], n);
	}
	printk("  large        %6lu in use; %lu frames carved into small objects\n",
	       s.live[KMALLOC_CLASSES], s.carved_frames);
}
