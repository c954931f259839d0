/* Tangled from chapters/01-boot.nw chapters/02-console.nw chapters/26-clocks.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "types.h"
#include "layout.h"
#include "x86-defs.h"
#include "x86.h"
#include "string.h"

#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)  (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define MIN(a, b)       ((a) < (b) ? (a) : (b))
#define MAX(a, b)       ((a) > (b) ? (a) : (b))
#define likely(x)       __builtin_expect(!!(x), 1)
#define unlikely(x)     __builtin_expect(!!(x), 0)
#define barrier()       asm volatile("" ::: "memory")
#define READ_ONCE(x)    (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
void console_init(void);
bool console_present(void);
void console_putc(char c);
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintk(const char *fmt, va_list ap);
void panic(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
extern void (*panic_notifier)(void);
extern void (*panic_stop_cpus)(void);

#define BUG_ON(cond) do {						\
	if (unlikely(cond))						\
		panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__);	\
} while (0)
void kmain(u32 magic, u32 mbi_phys) __attribute__((noreturn));

extern char __kernel_start[], __kernel_end[], __text_end[];
extern char __rodata_start[], __rodata_end[], __data_start[];
extern char __bss_start[], __bss_end[];
extern char boot_stack[], boot_stack_top[];

#define BOOT_CMDLINE_MAX 256
#define BOOT_MMAP_MAX    256

struct mem_region {
	u64 base, len;
	u32 type;                       /* 1: usable RAM */
};

struct boot_info {
	char cmdline[BOOT_CMDLINE_MAX];
	size_t cmdline_length;          /* as the loader passed it */
	int nr_regions;
	struct mem_region regions[BOOT_MMAP_MAX];
	int regions_dropped;            /* entries beyond BOOT_MMAP_MAX */
	u64 usable_dropped;             /* bytes of usable RAM in them */
};
extern struct boot_info boot_info;

void multiboot_parse(u32 magic, u32 mbi_phys);
void boot_copy_cmdline(struct boot_info *bi, const char *cmdline);
void boot_copy_mmap(struct boot_info *bi, const u8 *map, u32 length);
const char *cmdline_get(const char *key);
unsigned long cmdline_number(const char *key, unsigned long otherwise);
const char *cpu_vendor(void);

static inline u64 mul_div(u64 a, u64 b, u64 c)
{
	u64 q, r;
	asm("mulq %3; divq %4" : "=a"(q), "=d"(r) : "a"(a), "rm"(b), "rm"(c) : "cc");
	return q;
}
