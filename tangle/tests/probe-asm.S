/* Tangled from chapters/11-entry.nw chapters/15-page-faults.nw by 'make tangle'. Edit the chapter, not this file. */
#include "test-gdt.h"

#define PROBE(name)                             \
        .text;                                  \
        .globl probe_##name, probe_##name##_insn, probe_##name##_resume; \
probe_##name:

        PROBE(divide)                           /* #DE: fault */
        xorl    %ecx, %ecx
        movl    $1, %eax
        xorl    %edx, %edx
probe_divide_insn:
        divl    %ecx
probe_divide_resume:
        ret

        PROBE(int3)                             /* #BP: trap */
probe_int3_insn:
        int3
probe_int3_resume:
        ret

        PROBE(single_step)                      /* #DB from TF: trap */
        pushfq
        orq     $0x100, (%rsp)                  /* RFLAGS.TF */
        popfq
probe_single_step_insn:
        nop
probe_single_step_resume:
        ret

        PROBE(ud2)                              /* #UD: fault */
probe_ud2_insn:
        ud2
probe_ud2_resume:
        ret

        PROBE(gp_selector)                      /* #GP(0x40): fault */
        movl    $TEST_NP_SEL, %eax
probe_gp_selector_insn:
        movl    %eax, %ds
probe_gp_selector_resume:
        ret

        PROBE(ss)                               /* #SS(0x40): fault */
        movl    $TEST_NP_SEL, %eax
probe_ss_insn:
        movl    %eax, %ss
probe_ss_resume:
        ret

        PROBE(stack_overflow)                   /* #PF while pushing: #DF */
        pushq   %rbp
        movq    %rsp, %rbp
        movq    %rdi, %rsp
1:      pushq   $0
        jmp     1b
probe_stack_overflow_insn:
probe_stack_overflow_resume:
        movq    %rbp, %rsp
        popq    %rbp
        ret

        PROBE(pf_read)                          /* #PF: fault */
probe_pf_read_insn:
        movq    (%rdi), %rax
probe_pf_read_resume:
        ret

        PROBE(call)                             /* call *%rdi */
probe_call_insn:
        call    *%rdi
probe_call_resume:
        addq    $8, %rsp                        /* the call's return address */
        ret
