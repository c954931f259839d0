/* Tangled from chapters/01-boot.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once

#define MULTIBOOT_HEADER_MAGIC   0x1BADB002
#define MULTIBOOT_PAGE_ALIGN     (1 << 0)
#define MULTIBOOT_MEMORY_INFO    (1 << 1)
#define MULTIBOOT_HEADER_FLAGS   (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

#define MULTIBOOT_INFO_MEMORY    (1 << 0)   /* mem_lower, mem_upper valid */
#define MULTIBOOT_INFO_CMDLINE   (1 << 2)   /* cmdline valid */
#define MULTIBOOT_INFO_MEM_MAP   (1 << 6)   /* mmap_* valid */

#define MULTIBOOT_MEMORY_AVAILABLE 1

#ifndef __ASSEMBLER__
struct __attribute__((packed)) multiboot_info {
	u32 flags;
	u32 mem_lower, mem_upper;       /* KiB below 1 MiB, above 1 MiB */
	u32 boot_device;
	u32 cmdline;                    /* physical address of a C string */
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;     /* the memory map: bytes, address */
};

/* One memory-map entry; size does not count the size field itself. */
struct __attribute__((packed)) multiboot_mmap_entry {
	u32 size;
	u64 addr, len;
	u32 type;
};
#endif
