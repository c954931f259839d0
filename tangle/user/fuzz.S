/* Tangled from chapters/90-harness.nw by 'make tangle'. Edit the chapter, not this file. */
#include "user-asm.h"

#define FZ_ARGS   0                     /* six arguments */
#define FZ_CLASS  48                    /* their six classes */
#define FZ_FRAME  (96 + 256)            /* and room below the stack's top */
#define FZ_TIMESPEC USER_DATA           /* the request the sleeps get */
#define FZ_HOSTILE (X86_EFLAGS_DF | X86_EFLAGS_NT | X86_EFLAGS_AC)

.macro XORSHIFT tmp
        movq    %r15, \tmp
        shlq    $13, \tmp
        xorq    \tmp, %r15
        movq    %r15, \tmp
        shrq    $7, \tmp
        xorq    \tmp, %r15
        movq    %r15, \tmp
        shlq    $17, \tmp
        xorq    \tmp, %r15
.endm

.macro UNREADABLE n
        movq    FZ_CLASS+8*\n(%rsp), %rax
        subq    $8, %rax
        cmpq    $13 - 8, %rax
        ja      .Lreadable\@
        movq    $0, FZ_ARGS+8*\n(%rsp)
        movq    $0, FZ_CLASS+8*\n(%rsp)
.Lreadable\@:
.endm

.macro PREPARED_REQUEST n
        movq    FZ_CLASS+8*\n(%rsp), %rax
        subq    $11, %rax
        cmpq    $13 - 11, %rax
        ja      .Lprepared\@
        call    fuzz_timespec
        movq    %rax, FZ_ARGS+8*\n(%rsp)
.Lprepared\@:
.endm

        PROGRAM fuzz
        andq    $-16, %rsp
        subq    $FZ_FRAME, %rsp
        movl    %edi, %r14d                     /* calls to make */
        shrq    $32, %rdi
        movabsq $0x9e3779b97f4a7c15, %r15
        imulq   %rdi, %r15
        orq     $1, %r15                        /* the generator's state */
        xorl    %r13d, %r13d                    /* calls made */
fuzz_loop:
        cmpq    %r14, %r13
        jae     fuzz_done
        call    fuzz_number                     /* RBX */
        xorl    %ebp, %ebp
1:      call    fuzz_arg                        /* RAX: a value, RCX: its class */
        movq    %rax, FZ_ARGS(%rsp,%rbp,8)
        movq    %rcx, FZ_CLASS(%rsp,%rbp,8)
        incl    %ebp
        cmpl    $6, %ebp
        jb      1b
        cmpq    $SYS_write, %rbx
        jne     1f
        movq    FZ_ARGS(%rsp), %rax
        decq    %rax
        cmpq    $1, %rax
        ja      1f                              /* not the console */
        UNREADABLE 1
1:      cmpq    $SYS_log, %rbx
        jne     2f
        UNREADABLE 0
2:      cmpq    $SYS_nanosleep, %rbx
        jne     3f
        PREPARED_REQUEST 0
3:      cmpq    $SYS_clock_nanosleep, %rbx
        jne     4f
        PREPARED_REQUEST 2
4:      cmpq    $SYS_kill, %rbx
        jne     5f
        call    fuzz_pid
        movq    %rax, FZ_ARGS(%rsp)
5:
        testl   $3 << 21, %r15d
        jnz     3f
        pushfq
        orq     $FZ_HOSTILE, (%rsp)
        popfq
3:
        movq    FZ_ARGS(%rsp), %rdi
        movq    FZ_ARGS+8(%rsp), %rsi
        movq    FZ_ARGS+16(%rsp), %rdx
        movq    FZ_ARGS+24(%rsp), %r10
        movq    FZ_ARGS+32(%rsp), %r8
        movq    FZ_ARGS+40(%rsp), %r9
        movq    %rbx, %rax
        btl     $20, %r15d
        jc      1f
        syscall
        jmp     2f
1:      INT80
2:      pushfq
        andq    $~FZ_HOSTILE, (%rsp)
        popfq
        incq    %r13
        cmpq    $NR_syscalls, %rbx
        jb      1f
        movl    $1, %ebp
        cmpq    $-ENOSYS, %rax
        jne     fuzz_wrong
        jmp     fuzz_loop
1:      cmpq    $-4095, %rax
        jb      3f                              /* not an error */
        movl    $2, %ebp
        cmpq    $-EFAULT, %rax
        je      3f
        cmpq    $-EINVAL, %rax
        je      3f
        cmpq    $-EBADF, %rax
        je      3f
        cmpq    $-ENOSYS, %rax
        je      3f
        cmpq    $-ESRCH, %rax
        je      3f
        cmpq    $-EPERM, %rax
        je      3f
        cmpq    $-EINTR, %rax
        je      3f
        jmp     fuzz_wrong
3:
        cmpq    $SYS_write, %rbx
        jne     4f
        movq    FZ_ARGS(%rsp), %rcx
        decq    %rcx
        cmpq    $1, %rcx
        ja      4f                              /* not the console */
        movl    $3, %ebp
        cmpq    $-EFAULT, %rax
        je      4f
        testq   %rax, %rax
        jne     fuzz_wrong                      /* it printed something */
        cmpq    $0, FZ_ARGS+16(%rsp)
        jne     fuzz_wrong                      /* 0 bytes of more than 0 */
4:      cmpq    $SYS_uname, %rbx
        jne     fuzz_loop
        movl    $4, %ebp
        movq    FZ_CLASS(%rsp), %rcx
        subq    $12, %rcx
        cmpq    $1, %rcx
        jbe     5f                              /* a writable class */
        cmpq    $-EFAULT, %rax
        jne     fuzz_wrong                      /* wrote where it may not */
        jmp     fuzz_loop
5:      testq   %rax, %rax
        jne     fuzz_wrong
        jmp     fuzz_loop
        jmp     fuzz_loop
fuzz_done:
        movq    %r13, %rdi
        SYSCALL SYS_exit

fuzz_number:
        XORSHIFT %rax
        movq    %r15, %rax
        shrq    $24, %rax
        xorl    %edx, %edx
        movl    $NR_syscalls, %ecx
        divq    %rcx                            /* RDX: a number in the table */
        movq    %rdx, %rbx
        movq    %r15, %rax
        shrq    $16, %rax
        movzbl  %al, %eax                       /* bits 16-23: a small number */
        movl    %r15d, %ecx
        andl    $15, %ecx                       /* bits 0-3: the kind */
        cmpl    $12, %ecx
        jb      4f                              /* 0-11: in the table */
        je      1f
        cmpl    $14, %ecx
        jb      2f
        je      3f
        movq    %r15, %rbx                      /* 15: any value */
        jmp     4f
1:      leaq    NR_syscalls(%rax), %rbx         /* 12: past the table */
        jmp     4f
2:      notq    %rax                            /* 13: -1 down to -256 */
        movq    %rax, %rbx
        jmp     4f
3:      andl    $31, %eax                       /* 14: one bit of 32-63 set */
        addl    $32, %eax
        btsq    %rax, %rbx
4:      cmpq    $SYS_exit, %rbx
        je      fuzz_number
        cmpq    $SYS_report, %rbx
        je      fuzz_number
        ret

fuzz_arg:
        XORSHIFT %rax
        movq    %r15, %rcx
        shrq    $60, %rcx                       /* the class */
        XORSHIFT %rax
        movq    %rcx, %rdx
        shlq    $4, %rdx
        leaq    fuzz_classes(%rip), %rax
        addq    %rax, %rdx                      /* its base and mask */
        movq    8(%rdx), %rax
        andq    %r15, %rax
        addq    (%rdx), %rax
        ret

        .balign 16
fuzz_classes:
        .quad   0, 15                                   /* 0: NULL, small */
        .quad   0xffffffff80000000, 0xffff8             /* 1: kernel image */
        .quad   0xffff888000000000, 0xffff8             /* 2: direct map */
        .quad   0x0000800000000000, 0xff8               /* 3: non-canonical */
        .quad   0xdead000000000000, 0xfff               /* 4: non-canonical */
        .quad   0x0000100000000000, 0x00003ffffffff000  /* 5: unmapped */
        .quad   USER_TOP - 8, 7                         /* 6: at USER_TOP */
        .quad   -16, 15                                 /* 7: -16 to -1 */
        .quad   USER_DATA + USER_DATA_SIZE - 8, 7       /* 8: straddles */
        .quad   USER_RODATA + 4096 - 8, 7               /* 9: straddles */
        .quad   USER_STACK_TOP - 8, 7                   /* 10: straddles */
        .quad   USER_VVAR, 0x1ff8                       /* 11: read-only */
        .quad   USER_DATA + 4096, 0x3ff8                /* 12: data */
        .quad   USER_STACK_TOP - USER_STACK_SIZE, 0x1ff8 /* 13: stack */
        .quad   0x8000000000000000, 0                   /* 14: 2^63 */
        .quad   0, -1                                   /* 15: anything */

fuzz_timespec:
        XORSHIFT %rax
        movq    %r15, %rax
        andl    $1023, %eax
        movq    %rax, FZ_TIMESPEC + 8                   /* tv_nsec */
        movq    %r15, %rax
        shrq    $10, %rax
        andl    $7, %eax
        negq    %rax                                    /* CF: it was not 0 */
        sbbq    %rax, %rax
        notq    %rax                                    /* 0, or -1 one time in 8 */
        movq    %rax, FZ_TIMESPEC                       /* tv_sec */
        movl    $FZ_TIMESPEC, %eax
        ret

fuzz_pid:
        XORSHIFT %rax
        movq    %r15, %rax
        movzbl  %ah, %ecx                       /* a small number */
        andl    $3, %eax
        jz      1f
        cmpl    $2, %eax
        jb      2f
        je      3f
        movq    %rcx, %rax                      /* 3: -1 down to -256 */
        notq    %rax
        ret
1:      ret                                     /* 0: zero */
2:      movl    $0x7fffffff, %eax               /* 1: just below 2^31 */
        subl    %ecx, %eax
        ret
3:      movl    $0x80000000, %eax               /* 2: 2^31 and up */
        addq    %rcx, %rax
        ret

fuzz_wrong:                                     /* EBP: the kind, RAX: the answer */
        movq    %rax, %r12
        movq    %rbp, %rdi
        SYSCALL SYS_report
        movq    %rbx, %rdi
        SYSCALL SYS_report
        movq    %r12, %rdi
        SYSCALL SYS_report
        movq    FZ_ARGS(%rsp), %rdi
        SYSCALL SYS_report
        movq    FZ_ARGS+8(%rsp), %rdi
        SYSCALL SYS_report
        movq    FZ_ARGS+16(%rsp), %rdi
        SYSCALL SYS_report
        movq    %rbp, %rdi
        negq    %rdi
        SYSCALL SYS_exit
        END_PROGRAM fuzz
