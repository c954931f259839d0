/* Tangled from chapters/01-boot.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once

#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##UL
#endif

#define KERNEL_VMA   UL(0xffffffff80000000)  /* kernel image, top 2 GiB */
#define PAGE_OFFSET  UL(0xffff888000000000)  /* direct map of all RAM */
#define KERNEL_PHYS  UL(0x100000)            /* load address: 1 MiB */

#define PAGE_SHIFT   12
#define PAGE_SIZE    (UL(1) << PAGE_SHIFT)
#define LARGE_PAGE_SIZE (UL(1) << 21)         /* a 2 MiB page */

#define BOOT_STACK_SIZE (4 * PAGE_SIZE)
