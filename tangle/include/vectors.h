/* Tangled from chapters/10-idt-gdt.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once

#define FIRST_EXTERNAL_VECTOR   0x20    /* IRQ n arrives on vector 0x20 + n */
#define IA32_SYSCALL_VECTOR     0x80
#define LOCAL_TIMER_VECTOR      0xef
#define TEST_TRAP_VECTOR        0xf0    /* a DPL 0 trap gate, for tests */
#define TEST_INTR_VECTOR        0xf1    /* a DPL 0 interrupt gate, for tests */
#define TEST_IPI_VECTOR         0xf2    /* self-IPIs in tests and benchmarks */
#define CALL_FUNCTION_SINGLE_VECTOR 0xfb
#define CALL_FUNCTION_VECTOR    0xfc
#define RESCHEDULE_VECTOR       0xfd
#define ERROR_APIC_VECTOR       0xfe
#define SPURIOUS_APIC_VECTOR    0xff
#define NR_VECTORS              256

#define X86_TRAP_DE     0       /* divide error */
#define X86_TRAP_DB     1       /* debug */
#define X86_TRAP_NMI    2
#define X86_TRAP_BP     3       /* breakpoint: int3 */
#define X86_TRAP_OF     4       /* overflow: into */
#define X86_TRAP_BR     5       /* bound range exceeded */
#define X86_TRAP_UD     6       /* invalid opcode */
#define X86_TRAP_NM     7       /* device not available */
#define X86_TRAP_DF     8       /* double fault */
#define X86_TRAP_TS     10      /* invalid TSS */
#define X86_TRAP_NP     11      /* segment not present */
#define X86_TRAP_SS     12      /* stack-segment fault */
#define X86_TRAP_GP     13      /* general protection */
#define X86_TRAP_PF     14      /* page fault */
#define X86_TRAP_MF     16      /* x87 floating-point error */
#define X86_TRAP_AC     17      /* alignment check */
#define X86_TRAP_MC     18      /* machine check */
#define X86_TRAP_XF     19      /* SIMD floating-point error */
