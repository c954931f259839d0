/* Tangled from chapters/10-idt-gdt.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once

#define GDT_ENTRY_KERNEL_CS  1
#define GDT_ENTRY_KERNEL_DS  2
#define GDT_ENTRY_USER32_CS  3
#define GDT_ENTRY_USER_DS    4
#define GDT_ENTRY_USER_CS    5
#define GDT_ENTRY_TSS        6          /* 16 bytes: entries 6 and 7 */
#define GDT_ENTRIES          8

#define KERNEL_CS  (GDT_ENTRY_KERNEL_CS * 8)        /* 0x08 */
#define KERNEL_DS  (GDT_ENTRY_KERNEL_DS * 8)        /* 0x10 */
#define USER32_CS  (GDT_ENTRY_USER32_CS * 8 + 3)    /* 0x1b */
#define USER_DS    (GDT_ENTRY_USER_DS * 8 + 3)      /* 0x23 */
#define USER_CS    (GDT_ENTRY_USER_CS * 8 + 3)      /* 0x2b */
#define TSS_SEL    (GDT_ENTRY_TSS * 8)              /* 0x30 */

/* IST slots (1-based, as a gate's IST field counts them). */
#define IST_DF     1
#define IST_NMI    2
#define IST_MC     3
#define IST_DB     4
#define IST_STACK_SIZE (4 * PAGE_SIZE)
#define TASK_STACK_SIZE (4 * PAGE_SIZE)
#define IRQ_STACK_SIZE (4 * PAGE_SIZE)

#ifndef __ASSEMBLER__
#include "kernel.h"
#include "percpu.h"
#include "vectors.h"

#define DESC_TYPE_CODE  0x000a          /* execute/read */
#define DESC_TYPE_DATA  0x0002          /* read/write */
#define DESC_S          0x0010          /* code or data, not system */
#define DESC_DPL3       0x0060
#define DESC_P          0x0080
#define DESC_L          0x2000          /* 64-bit code */
#define DESC_DB         0x4000          /* 32-bit segment */
#define DESC_G          0x8000          /* limit counts 4 KiB pages */

#define GDT_ENTRY(flags, base, limit)					\
	((((u64)(base) & 0xff000000) << 32) | (((u64)(base) & 0xffffff) << 16) | \
	 (((u64)(limit) & 0xf0000) << 32) | ((u64)(limit) & 0xffff) |	\
	 ((u64)(flags) << 40))
struct __attribute__((packed)) tss {
	u32 reserved0;
	u64 sp0, sp1, sp2;      /* stacks for a change to ring 0, 1, 2 */
	u64 reserved1;
	u64 ist[7];             /* IST1 ... IST7 */
	u64 reserved2;
	u16 reserved3;
	u16 io_bitmap_base;
};
_Static_assert(sizeof(struct tss) == 104, "the 64-bit TSS is 104 bytes");
struct idt_bits {
	u16 ist : 3,
	    zero : 5,
	    type : 5,
	    dpl : 2,
	    p : 1;
} __attribute__((packed));

struct gate_desc {
	u16 offset_low;
	u16 segment;
	struct idt_bits bits;
	u16 offset_middle;
	u32 offset_high;
	u32 reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct gate_desc) == 16, "a 64-bit gate is 16 bytes");

enum {
	GATE_INTERRUPT = 0xe,
	GATE_TRAP = 0xf,
	GATE_CALL = 0xc,        /* GDT or LDT only: a 64-bit IDT rejects it */
	GATE_TASK = 0x5,        /* none in long mode: no task switching */
};

void pack_gate(struct gate_desc *g, unsigned type, unsigned long func,
	       unsigned dpl, unsigned ist, unsigned seg);

static inline unsigned long gate_offset(const struct gate_desc *g)
{
	return g->offset_low | ((unsigned long)g->offset_middle << 16) |
	       ((unsigned long)g->offset_high << 32);
}

extern struct gate_desc idt_table[NR_VECTORS];
struct cpu_entry {
	u64 gdt[GDT_ENTRIES];
	struct tss tss;
	u64 ist_stack_base[7];  /* lowest address of each IST stack */
	u64 task_stack_base;    /* the stack sp0 points to the top of */
};
DECLARE_PER_CPU(struct cpu_entry, cpu_entry);

void cpu_init_descriptors(unsigned cpu);
void idt_setup(void);
void load_idt(void);

void set_intr_gate(unsigned n, const void *fn);         /* DPL 0, IF cleared */
void set_trap_gate(unsigned n, const void *fn);         /* DPL 0, IF kept */
void set_system_intr_gate(unsigned n, const void *fn);  /* DPL 3, IF cleared */
void set_system_trap_gate(unsigned n, const void *fn);  /* DPL 3, IF kept */

struct desc_ptr {
	u16 size;
	u64 address;
} __attribute__((packed));

static inline void store_idt(struct desc_ptr *p)
{
	asm volatile("sidt %0" : "=m"(*p));
}

static inline void store_gdt(struct desc_ptr *p)
{
	asm volatile("sgdt %0" : "=m"(*p));
}

static inline u16 store_tr(void)
{
	u16 sel;

	asm volatile("str %0" : "=r"(sel));
	return sel;
}

static inline u16 store_ldt(void)
{
	u16 sel;

	asm volatile("sldt %0" : "=r"(sel));
	return sel;
}
#endif
