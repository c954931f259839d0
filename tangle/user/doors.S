/* Tangled from chapters/16-doors.nw by 'make tangle'. Edit the chapter, not this file. */
#include "user-asm.h"
#include "desc.h"
#include "test-gdt.h"

.macro TO_COMPAT                        /* 64-bit mode -> compatibility mode */
        movq    $USER_DATA + USER_DATA_SIZE - 16, %rsp  /* below 4 GiB */
        leaq    1f(%rip), %rax
        movl    %eax, (%rsp)            /* a far pointer: the offset, */
        movw    $USER32_CS, 4(%rsp)     /* then the selector */
        ljmpl   *(%rsp)
        .code32
1:
.endm

.macro TO_64                            /* compatibility mode -> 64-bit mode */
        movl    %eax, %esi              /* keep the result */
        call    1f
1:      popl    %eax                    /* EAX = the address of 1 */
        addl    $(2f - 1b), %eax
        movl    %eax, (%esp)
        movw    $USER_CS, 4(%esp)
        ljmpl   *(%esp)
        .code64
2:
.endm

.macro COMPAT_CALL name, insn
        PROGRAM compat_\name
        TO_COMPAT
        movl    $SYS_getpid, %eax
        \insn
        TO_64
        cmpl    $-ENOSYS, %esi
        jne     1f
        EXIT    0
1:      EXIT    1
        END_PROGRAM compat_\name
.endm

        COMPAT_CALL syscall, syscall
        COMPAT_CALL int80, INT80
        COMPAT_CALL sysenter, sysenter

        PROGRAM sysenter
        movl    $SYS_getpid, %eax
        sysenter
        EXIT    1
        END_PROGRAM sysenter

.macro SET_TF
        pushfq
        orq     $X86_EFLAGS_TF, (%rsp)
        popfq                           /* the trap starts after the next one */
.endm

.macro STEP_ACROSS name, insn
        PROGRAM tf_\name
        movl    $SYS_nop, %eax
        SET_TF
        \insn
        nop
        .globl  user_tf_\name\()_trap
user_tf_\name\()_trap:
        EXIT    0
        END_PROGRAM tf_\name
.endm

        STEP_ACROSS syscall, syscall
        STEP_ACROSS int80, INT80
        STEP_ACROSS int3, int3

.macro STEP_ACROSS_MOVSS name, insn
        PROGRAM tf_movss_\name
        movl    $SYS_nop, %eax
        movw    %ss, %cx
        SET_TF
        movw    %cx, %ss
        \insn
        nop
        EXIT    0
        END_PROGRAM tf_movss_\name
.endm

        STEP_ACROSS_MOVSS syscall, syscall
        STEP_ACROSS_MOVSS int80, INT80
        STEP_ACROSS_MOVSS int3, int3

#define HOSTILE_FLAGS (X86_EFLAGS_NT | X86_EFLAGS_DF | X86_EFLAGS_AC)

.macro CHECK_FLAGS door
        movl    $\door, %r15d
        pushfq
        popq    %rbx
        movq    %rbx, %rcx
        andq    $HOSTILE_FLAGS | X86_EFLAGS_IOPL, %rcx
        cmpq    $HOSTILE_FLAGS, %rcx    /* all three kept, IOPL still 0 */
        jne     9f
.endm

        PROGRAM flags
        pushfq
        orq     $HOSTILE_FLAGS | X86_EFLAGS_IOPL, (%rsp)
        popfq
        xorl    %edi, %edi
        SYSCALL SYS_test
        CHECK_FLAGS 1
        movl    $SYS_test, %eax
        INT80
        CHECK_FLAGS 2
        int3
        CHECK_FLAGS 3
        pushfq
        andq    $~HOSTILE_FLAGS, (%rsp)
        popfq
        EXIT    0
9:      movq    %r15, %rdi
        andq    $~HOSTILE_FLAGS, %rbx
        pushq   %rbx
        popfq
        SYSCALL SYS_exit
        END_PROGRAM flags

        PROGRAM nt_iret
        pushfq
        orq     $X86_EFLAGS_NT, (%rsp)
        popfq
        pushq   $USER_DS
        leaq    8(%rsp), %rax
        pushq   %rax
        pushfq
        pushq   $USER_CS
        leaq    1f(%rip), %rax
        pushq   %rax
        iretq
1:      EXIT    1
        END_PROGRAM nt_iret

SEL_null  = 0
SEL_tss   = TSS_SEL | 3
SEL_np    = TEST_NP_SEL | 3
SEL_limit = 0xfff8 | 3
SEL_ldt   = 0x4 | 3

.irp reg, ds, es, fs, gs, ss
.irp sel, null, tss, np, limit, ldt
        PROGRAM seg_\reg\()_\sel
        movw    $SEL_\sel, %ax
        movw    %ax, %\reg
        SYSCALL SYS_nop
        EXIT    0
        END_PROGRAM seg_\reg\()_\sel
.endr
.endr

        PROGRAM seg_leave
        movw    $USER_DS, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %fs
        movw    %ax, %gs
        EXIT    0
        END_PROGRAM seg_leave

.macro NULL_BIT seg, bit
        movw    %\seg, %ax
        testw   %ax, %ax
        jz      1f
        orl     $\bit, %edi
1:
.endm

        PROGRAM seg_fresh
        xorl    %edi, %edi
        NULL_BIT ds, 1
        NULL_BIT es, 2
        NULL_BIT fs, 4
        NULL_BIT gs, 8
        SYSCALL SYS_exit
        END_PROGRAM seg_fresh

.macro PRIVILEGED name, insn:vararg
        PROGRAM priv_\name
        \insn
        EXIT    0
        END_PROGRAM priv_\name
.endm

        PRIVILEGED hlt,      hlt
        PRIVILEGED cli,      cli
        PRIVILEGED sti,      sti
        PRIVILEGED in,       inb $0x80, %al
        PRIVILEGED out,      outb %al, $0x80
        PRIVILEGED ins,      insb
        PRIVILEGED outs,     outsb
        PRIVILEGED lgdt,     lgdt (%rsp)
        PRIVILEGED lidt,     lidt (%rsp)
        PRIVILEGED lldt,     lldt %ax
        PRIVILEGED ltr,      ltr %ax
        PRIVILEGED rd_cr0,   movq %cr0, %rax
        PRIVILEGED wr_cr3,   movq %rax, %cr3
        PRIVILEGED rd_cr4,   movq %cr4, %rax
        PRIVILEGED rd_cr8,   movq %cr8, %rax
        PRIVILEGED rd_dr7,   movq %dr7, %rax
        PRIVILEGED wr_dr0,   movq %rax, %dr0
        PRIVILEGED rdmsr,    rdmsr
        PRIVILEGED wrmsr,    wrmsr
        PRIVILEGED invlpg,   invlpg (%rsp)
        PRIVILEGED invd,     invd
        PRIVILEGED wbinvd,   wbinvd
        PRIVILEGED clts,     clts
        PRIVILEGED lmsw,     lmsw %ax
        PRIVILEGED swapgs,   swapgs
        PRIVILEGED sysret,   sysretq
        PRIVILEGED rdpmc,    rdpmc

        PRIVILEGED sysexit,  sysexitq
        PRIVILEGED xsetbv,   xsetbv
        PRIVILEGED wrgsbase, wrgsbase %rax
        PRIVILEGED rdfsbase, rdfsbase %rax
        PRIVILEGED mov_cs,   movw %ax, %cs
        PRIVILEGED into,     .byte 0xce
        PRIVILEGED sgdt,     sgdt -16(%rsp)
        PRIVILEGED sidt,     sidt -16(%rsp)
        PRIVILEGED sldt,     sldt %ax
        PRIVILEGED str,      str %ax
        PRIVILEGED smsw,     smsw %ax

        PRIVILEGED x87,      fninit
        PRIVILEGED sse,      xorps %xmm0, %xmm0

        PROGRAM far_jmp_kernel
        leaq    1f(%rip), %rax
        movl    %eax, -8(%rsp)
        movw    $KERNEL_CS, -4(%rsp)
        ljmpl   *-8(%rsp)
1:      EXIT    1
        END_PROGRAM far_jmp_kernel

        PROGRAM iret_kernel
        pushq   $KERNEL_DS
        pushq   %rsp
        pushfq
        pushq   $KERNEL_CS
        leaq    1f(%rip), %rax
        pushq   %rax
        iretq
1:      EXIT    1
        END_PROGRAM iret_kernel

        PROGRAM int_n
        leaq    1f(%rip), %rax
        leaq    (%rax,%rdi,2), %rax
        jmp     *%rax
1:      vector = 0
        .rept   256
        .byte   0xcd, vector            /* int $vector */
        vector = vector + 1
        .endr
        EXIT    0
        END_PROGRAM int_n

        PROGRAM icebp
        .byte   0xf1                    /* int1 */
        EXIT    0
        END_PROGRAM icebp

.macro GARBAGE nr
        movabsq $0xffff888000000000, %rbx       /* the direct map */
        movabsq $0x8000000000000000, %rcx       /* non-canonical */
        movq    $-1, %rdx                       /* a huge length */
        movabsq $0xffffffff80100000, %rsi       /* the kernel image */
        movabsq $0x0000800000000000, %rdi       /* first non-user address */
        movabsq $0xdeadbeefdeadbeef, %rbp
        movq    $-4096, %r8
        movabsq $0x7ffffffffff0, %r9            /* the unmapped top page */
        movabsq $0xffffffffffffff00, %r10
        movabsq $0x5555555555555555, %r11
        movabsq $0xaaaaaaaaaaaaaaaa, %r12
        movabsq $0x00000000ffffffff, %r13
        movabsq $0xffffffff00000000, %r14
        movq    $-2, %r15
        movabsq $0xffffffff00000000 + \nr, %rax
.endm

.macro EXPECT_RESULT value, case
        movl    $\case, %r15d
        cmpq    $\value, %rax
        jne     9f
.endm

        PROGRAM garbage
        GARBAGE SYS_getpid
        syscall
        EXPECT_RESULT -ENOSYS, 1
        GARBAGE SYS_getpid
        INT80
        EXPECT_RESULT -ENOSYS, 2
        GARBAGE 0
        movl    $SYS_write, %eax                /* fd = RDI: garbage */
        syscall
        EXPECT_RESULT -EBADF, 3
        GARBAGE 0
        movl    $1, %edi                        /* buf = RSI: the kernel */
        movl    $SYS_write, %eax
        syscall
        EXPECT_RESULT -EFAULT, 4
        GARBAGE 0
        movq    %rbx, %rdi                      /* the direct map */
        movl    $SYS_uname, %eax
        INT80
        EXPECT_RESULT -EFAULT, 5
        GARBAGE 0
        movq    %rcx, %rdi                      /* non-canonical */
        movl    $SYS_log, %eax
        syscall
        EXPECT_RESULT -EFAULT, 6
        GARBAGE 0
        movq    %rsi, %rdi                      /* the kernel image */
        movl    $SYS_set_gs_base, %eax
        syscall
        EXPECT_RESULT -EINVAL, 7
        GARBAGE 0
        int3
        EXIT    0
9:      movq    %r15, %rdi
        SYSCALL SYS_exit
        END_PROGRAM garbage

.macro BAD_STACK name, value
        PROGRAM rsp_\name
        movq    %rsp, %r12
        movq    %rdi, %r13
        movabsq $\value, %rsp
        SYSCALL SYS_nop
        movl    $SYS_nop, %eax
        INT80
        int3
        testq   %r13, %r13
        jz      1f
        pushq   $0
1:      movq    %r12, %rsp
        EXIT    0
        END_PROGRAM rsp_\name
.endm

        BAD_STACK kernel, 0xffffffff80101000
        BAD_STACK noncanonical, 0x0000800000000008
        BAD_STACK zero, 0

.macro RESUME_AT name, target
        PROGRAM \name
        movq    %rdi, %r12
        \target
        movl    $SYS_test, %eax
        testq   %r12, %r12
        jnz     2f
        syscall
        EXIT    1                       /* SYSRET to RCX lands here */
2:      INT80
        EXIT    2
1:      EXIT    0
        END_PROGRAM \name
.endm

        RESUME_AT resume, "leaq 1f(%rip), %rdi"
        RESUME_AT resume_noncanonical, "movabsq $0x0000800000000000, %rdi"
