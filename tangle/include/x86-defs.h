/* Tangled from chapters/01-boot.nw chapters/04-percpu.nw chapters/13-syscalls.nw chapters/15-page-faults.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "layout.h"

#define CR0_PE   (1 << 0)     /* protected mode */
#define CR0_EM   (1 << 2)     /* no floating-point unit: x87 raises #NM */
#define CR0_ET   (1 << 4)     /* extension type: always 1 */
#define CR0_NE   (1 << 5)     /* native floating-point error reporting */
#define CR0_WP   (1 << 16)    /* write-protect applies to ring 0 too */
#define CR0_PG   (UL(1) << 31) /* paging */

#define CR4_PAE  (1 << 5)     /* physical address extension */
#define CR4_PGE  (1 << 7)     /* global pages */
#define CR4_PCE  (1 << 8)     /* rdpmc allowed in ring 3: left clear */

#define MSR_EFER 0xc0000080
#define EFER_SCE (1 << 0)     /* SYSCALL/SYSRET enable */
#define EFER_LME (1 << 8)     /* long mode enable */
#define EFER_LMA (1 << 10)    /* long mode active (read-only) */
#define EFER_NXE (1 << 11)    /* no-execute bit in page tables */

#define CPUID_EXT_LM  (1 << 29)   /* 0x80000001 EDX: long mode */
#define CPUID_EXT_NX  (1 << 20)   /* 0x80000001 EDX: no-execute */

/* Page-table entry bits. */
#define PTE_P    (1 << 0)     /* present */
#define PTE_W    (1 << 1)     /* writable */
#define PTE_U    (1 << 2)     /* user accessible */
#define PTE_PWT  (1 << 3)     /* write-through */
#define PTE_PCD  (1 << 4)     /* cache disable: device registers */
#define PTE_PS   (1 << 7)     /* large page (in a PD or PDPT entry) */
#define PTE_G    (1 << 8)     /* global: survives a CR3 reload */

#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define CR4_FSGSBASE       (1 << 16)    /* rdgsbase and friends allowed */
#define CPUID_7_EBX_FSGSBASE (1 << 0)

#define MSR_STAR         0xc0000081
#define MSR_LSTAR        0xc0000082
#define MSR_CSTAR        0xc0000083     /* SYSCALL from compatibility mode */
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_IA32_SYSENTER_CS  0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define CR0_AM           (1 << 18)      /* alignment mask */
#define X86_EFLAGS_CF    (1 << 0)
#define X86_EFLAGS_FIXED (1 << 1)       /* reserved, always 1 */
#define X86_EFLAGS_PF    (1 << 2)
#define X86_EFLAGS_AF    (1 << 4)
#define X86_EFLAGS_ZF    (1 << 6)
#define X86_EFLAGS_SF    (1 << 7)
#define X86_EFLAGS_TF    (1 << 8)
#define X86_EFLAGS_DF    (1 << 10)
#define X86_EFLAGS_OF    (1 << 11)
#define X86_EFLAGS_IOPL  (3 << 12)
#define X86_EFLAGS_NT    (1 << 14)
#define X86_EFLAGS_RF    (1 << 16)
#define X86_EFLAGS_AC    (1 << 18)
#define X86_EFLAGS_ID    (1 << 21)

#define CR4_UMIP  (1 << 11)   /* sgdt, sidt, sldt, smsw, str: ring 0 only */
#define CR4_SMEP  (1 << 20)   /* no ring-0 fetch from user pages */
#define CR4_SMAP  (1 << 21)   /* no ring-0 data access to user pages */
#define CPUID_7_EBX_SMEP (1 << 7)
#define CPUID_7_EBX_SMAP (1 << 20)
#define CPUID_7_ECX_UMIP (1 << 2)
