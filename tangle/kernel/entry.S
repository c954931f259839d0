/* Tangled from chapters/11-entry.nw chapters/13-syscalls.nw chapters/22-sched.nw by 'make tangle'. Edit the chapter, not this file. */
#include "layout.h"
#include "x86-defs.h"
#include "desc.h"
#include "vectors.h"
#include "ptregs.h"
#include "smap.h"
#include "syscall.h"

.macro PUSH_CALLER_SAVED
        pushq   %rdi
        pushq   %rsi
        pushq   %rdx
        pushq   %rcx
        pushq   %rax
        pushq   %r8
        pushq   %r9
        pushq   %r10
        pushq   %r11
.endm

.macro PUSH_CALLEE_SAVED
        pushq   %rbx
        pushq   %rbp
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
.endm

.macro PUSH_REGS
        PUSH_CALLER_SAVED
        PUSH_CALLEE_SAVED
.endm

.macro POP_CALLEE_SAVED
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbp
        popq    %rbx
.endm

.macro POP_CALLER_SAVED
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rax
        popq    %rcx
        popq    %rdx
        popq    %rsi
        popq    %rdi
.endm

.macro POP_REGS
        POP_CALLEE_SAVED
        POP_CALLER_SAVED
.endm

.macro ENTER_FROM_ANY
        ASM_CLAC
        cld
        testb   $3, 16(%rsp)            /* CS of the interrupted code */
        jz      .Lkernel_entry_\@
        swapgs
.Lkernel_entry_\@:
        PUSH_REGS
.endm

        .text
        .globl exit_to_interrupted
exit_to_interrupted:
        movq    %rsp, %rdi              /* the frame */
        call    irqentry_exit           /* may switch threads */
        POP_REGS
        addq    $8, %rsp                /* the error code / orig_ax slot */
        testb   $3, 8(%rsp)             /* returning to ring 3? */
        jz      1f
        swapgs
1:      iretq

.macro PARANOID_ENTER
        ASM_CLAC
        cld
        PUSH_REGS
        movl    $MSR_GS_BASE, %ecx
        rdmsr                           /* EDX: the base's high half */
        movl    $1, %ebx                /* 1: GS was already the kernel's */
        testl   %edx, %edx
        js      .Lparanoid_kernel_gs_\@
        swapgs
        xorl    %ebx, %ebx
.Lparanoid_kernel_gs_\@:
.endm

paranoid_exit:
        testl   %ebx, %ebx
        jnz     1f
        swapgs
1:      POP_REGS
        addq    $8, %rsp
        iretq

        .cfi_sections .debug_frame

#define LEB2(x) ((x) & 0x7f) | 0x80, (x) >> 7  /* two-byte LEB128, x < 8192 */

.macro FRAME_CFI base
        .cfi_escape 0x0f, 4, 0x77, LEB2(PTREGS_SP - \base), 0x06
        .cfi_escape 0x10, 16, 3, 0x77, LEB2(PTREGS_IP - \base)
        .if \base == 0
        .cfi_escape 0x10, 6, 3, 0x77, LEB2(PTREGS_BP)
        .else
        .cfi_same_value rbp
        .endif
.endm

#define KIND_NOERR        0
#define KIND_ERR          1
#define KIND_PARANOID     2
#define KIND_PARANOID_ERR 3
#define KIND_SYSCALL      4

.macro idtentry vec, name, kind
        .globl asm_\name
        .type asm_\name, @function
        .balign 16
asm_\name:
        .cfi_startproc simple
        .cfi_signal_frame
        .if \kind == KIND_NOERR || \kind == KIND_PARANOID || \kind == KIND_SYSCALL
        FRAME_CFI PTREGS_IP
        .else
        FRAME_CFI PTREGS_ORIG_AX
        .endif
        .if \kind == KIND_NOERR || \kind == KIND_PARANOID
        pushq   $-1
        .elseif \kind == KIND_SYSCALL
        pushq   %rax                    /* orig_ax: the system-call number */
        .endif
        FRAME_CFI PTREGS_ORIG_AX
        .if \kind == KIND_PARANOID || \kind == KIND_PARANOID_ERR
        PARANOID_ENTER
        .else
        ENTER_FROM_ANY
        .endif
        FRAME_CFI 0
        movq    %rsp, %rdi
        movq    PTREGS_ORIG_AX(%rsp), %rsi
        .if \kind != KIND_SYSCALL
        movq    $-1, PTREGS_ORIG_AX(%rsp)
        call    exc_\name
        .else
        call    do_\name
        .endif
        .if \kind == KIND_PARANOID || \kind == KIND_PARANOID_ERR
        jmp     paranoid_exit
        .else
        jmp     exit_to_interrupted
        .endif
        .cfi_endproc
.endm

#define VECTOR(vec, trap, name, kind, ist, dpl, gate, handler) \
        idtentry vec, name, KIND_##kind;
#include "vector-list.h"
#undef VECTOR

        .balign 8
        .globl irq_entries_start
irq_entries_start:
        vector = FIRST_EXTERNAL_VECTOR
        .rept NR_VECTORS - FIRST_EXTERNAL_VECTOR
        .balign 8
        .byte   0x6a, vector            /* pushq $vector (sign-extended) */
        jmp     asm_common_interrupt
        vector = vector + 1
        .endr

.macro IRQ_STACK_CFI
        .cfi_escape 0x0f, 7, 0x77, 0, 0x06, 0x23, LEB2(PTREGS_SP), 0x06
        .cfi_escape 0x10, 16, 6, 0x77, 0, 0x06, 0x23, LEB2(PTREGS_IP)
        .cfi_escape 0x10, 6, 6, 0x77, 0, 0x06, 0x23, LEB2(PTREGS_BP)
.endm

        .balign 16
asm_common_interrupt:
        .cfi_startproc simple
        .cfi_signal_frame
        FRAME_CFI PTREGS_ORIG_AX
        ENTER_FROM_ANY
        FRAME_CFI 0
        movq    %rsp, %rdi
        cmpb    $0, %gs:hardirq_stack_inuse
        jne     1f                      /* nested: already on the IRQ stack */
        movb    $1, %gs:hardirq_stack_inuse
        movq    %gs:hardirq_stack_ptr, %rsp
        pushq   %rdi                    /* the interrupted stack pointer */
        IRQ_STACK_CFI
        call    common_interrupt
        popq    %rsp
        FRAME_CFI 0
        movb    $0, %gs:hardirq_stack_inuse
        jmp     exit_to_interrupted
1:      call    common_interrupt
        jmp     exit_to_interrupted
        .cfi_endproc

        .text
        .globl entry_SYSCALL_64
        .balign 16
entry_SYSCALL_64:
        .cfi_startproc simple
        .cfi_def_cfa rsp, 0
        .cfi_undefined rip              /* the first frame of this stack */
        swapgs
        movq    %rsp, %gs:syscall_user_sp
        movq    %gs:syscall_kernel_sp, %rsp
        pushq   $USER_DS                /* ss */
        pushq   %gs:syscall_user_sp     /* sp */
        pushq   %r11                    /* flags */
        pushq   $USER_CS                /* cs */
        pushq   %rcx                    /* ip */
        pushq   %rax                    /* orig_ax: the number */
        PUSH_CALLER_SAVED
        subq    $48, %rsp               /* slots for RBX ... R15, unsaved */
        movq    %rsp, %rdi
        call    do_syscall_64
        testb   %al, %al                /* may we return with SYSRET? */
        jz      syscall_return_via_iret
        addq    $48, %rsp
        POP_CALLER_SAVED
        movq    32(%rsp), %rsp          /* the user's RSP, from the frame */
        swapgs
        sysretq
syscall_return_via_iret:
        addq    $48, %rsp
        POP_CALLER_SAVED
        addq    $8, %rsp                /* orig_ax */
        swapgs
        iretq
        .cfi_endproc

        .globl entry_SYSCALL_compat
        .balign 16
entry_SYSCALL_compat:
        movl    $-ENOSYS, %eax
        sysretl

/* void user_enter(unsigned long ip, unsigned long sp, unsigned long arg) */
        .globl user_enter
user_enter:
        pushq   $USER_DS
        pushq   %rsi
        pushq   $0x202                  /* IF, and bit 1 which is always 1 */
        pushq   $USER_CS
        pushq   %rdi
        pushq   %rdx                    /* the argument */
        xorl    %eax, %eax
        xorl    %ebx, %ebx
        xorl    %ecx, %ecx
        xorl    %edx, %edx
        xorl    %esi, %esi
        xorl    %edi, %edi
        xorl    %ebp, %ebp
        xorl    %r8d, %r8d
        xorl    %r9d, %r9d
        xorl    %r10d, %r10d
        xorl    %r11d, %r11d
        xorl    %r12d, %r12d
        xorl    %r13d, %r13d
        xorl    %r14d, %r14d
        xorl    %r15d, %r15d
        popq    %rdi
        swapgs
        iretq

        .globl ret_from_fork
ret_from_fork:
        .cfi_startproc simple
        .cfi_def_cfa rsp, 0
        .cfi_undefined rip              /* the first frame of this stack */
        movq    %rax, %rdi              /* the task switched away from */
        call    schedule_tail
        movq    %r12, %rdi              /* the argument */
        call    *%rbx                   /* the task's function */
        movslq  %eax, %rdi              /* its int result, as a long */
        call    kthread_exit            /* does not return */
        ud2
        .cfi_endproc

/* struct task *switch_stacks(unsigned long *save_sp, unsigned long new_sp,
 *                            struct task *prev) */
        .globl switch_stacks
switch_stacks:
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        movq    %rsp, (%rdi)            /* the old task's stack pointer */
        movq    %rsi, %rsp              /* the new task's */
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        movq    %rdx, %rax              /* prev, returned on the new stack */
        ret
