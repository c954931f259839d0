/* Tangled from chapters/10-idt-gdt.nw chapters/11-entry.nw chapters/21-ipi.nw chapters/31-monitor.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once

#define FIRST_EXTERNAL_VECTOR   0x20    /* IRQ n arrives on vector 0x20 + n */
#define IA32_SYSCALL_VECTOR     0x80
#define LOCAL_TIMER_VECTOR      0xef
#define TEST_GATE_VECTOR        0xf0    /* a gate tests install for a while */
#define TEST_IPI_VECTOR         0xf2    /* self-IPIs in tests and benchmarks */
#define CALL_FUNCTION_SINGLE_VECTOR 0xfb
#define CALL_FUNCTION_VECTOR    0xfc
#define RESCHEDULE_VECTOR       0xfd
#define ERROR_APIC_VECTOR       0xfe
#define SPURIOUS_APIC_VECTOR    0xff
#define NR_VECTORS              256

#ifndef __ASSEMBLER__
enum x86_trap {
#define VECTOR(vec, trap, name, kind, ist, dpl, gate, handler) X86_TRAP_##trap = vec,
#include "vector-list.h"
#undef VECTOR
};
#endif

#define STOP_CPU_VECTOR         0xf8

#define TRACE_QUIESCE_VECTOR    0xf3    /* the tracer's stop (Chapter monitor) */
