/* Tangled from chapters/11-entry.nw chapters/15-page-faults.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "ptregs.h"
#include "percpu.h"
#include "test-gdt.h"

struct trap_probe {
	int vector;                     /* armed for this vector; -1: off */
	unsigned long resume;           /* where to continue */
	unsigned long resume_sp;        /* and on which stack (0: unchanged) */
	/* what the handler saw */
	int hit_vector;
	unsigned long error_code, ip, flags, sp, cr2, handler_sp;
	unsigned long gs_base, handler_flags;
};
DECLARE_PER_CPU(struct trap_probe, trap_probe);

void probe_arm(int vector, const void *resume, unsigned long resume_sp);
bool probe_catch(struct pt_regs *regs, unsigned long error_code, int vector);
void test_gate_install(unsigned type);
void test_gate_remove(void);
void test_gdt_install(void);
void test_gdt_remove(void);

#define DECLARE_PROBE(name) \
	void probe_##name(unsigned long arg); \
	extern char probe_##name##_insn[], probe_##name##_resume[];
DECLARE_PROBE(divide)
DECLARE_PROBE(int3)
DECLARE_PROBE(single_step)
DECLARE_PROBE(ud2)
DECLARE_PROBE(gp_selector)
DECLARE_PROBE(ss)
DECLARE_PROBE(pf_read)
DECLARE_PROBE(stack_overflow)

struct ktest;
struct task;
void with_user_space(struct ktest *t, void (*fn)(struct ktest *, struct task *));

DECLARE_PROBE(call)
