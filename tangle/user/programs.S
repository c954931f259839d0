/* Tangled from chapters/13-syscalls.nw chapters/15-page-faults.nw chapters/22-sched.nw chapters/29-utime.nw by 'make tangle'. Edit the chapter, not this file. */
#include "user-asm.h"

        PROGRAM hello
        movl    $1, %edi
        leaq    hello_msg(%rip), %rsi
        movl    $hello_len, %edx
        SYSCALL SYS_write
        EXIT    0
hello_msg:
        .ascii  "hello from ring 3\n"
        hello_len = . - hello_msg
        END_PROGRAM hello

        PROGRAM getpid
        SYSCALL SYS_getpid
        movq    %rax, %rbx
        movl    $SYS_getpid, %eax
        INT80
        cmpq    %rax, %rbx
        jne     1f
        movq    %rax, %rdi
        SYSCALL SYS_exit
1:      EXIT    255
        END_PROGRAM getpid

        PROGRAM regs
        movl    $999, %eax
        syscall
        cmpq    $-ENOSYS, %rax
        jne     1f
        movl    $999, %eax
        INT80
        cmpq    $-ENOSYS, %rax
        jne     2f

        movq    $0x1234, %rbx
        movq    $0x5678, %rbp
        movq    $0x9abc, %r12
        movq    $0xdef0, %r15
        movq    $0x1111, %rdi
        movq    $0x2222, %rsi
        movq    $0x3333, %r8
        SYSCALL SYS_nop
        testq   %rax, %rax
        jne     3f
        cmpq    $0x1234, %rbx
        jne     4f
        cmpq    $0x5678, %rbp
        jne     4f
        cmpq    $0x9abc, %r12
        jne     4f
        cmpq    $0xdef0, %r15
        jne     4f
        cmpq    $0x1111, %rdi
        jne     5f
        cmpq    $0x2222, %rsi
        jne     5f
        cmpq    $0x3333, %r8
        jne     5f
        EXIT    0

1:      EXIT    1
2:      EXIT    2
3:      EXIT    3
4:      EXIT    4
5:      EXIT    5
        END_PROGRAM regs

        PROGRAM gsbase
        movabsq $0xffff888000000000, %rdi
        SYSCALL SYS_set_gs_base
        cmpq    $-EINVAL, %rax
        jne     1f
        movq    $0x12345000, %rdi
        SYSCALL SYS_set_gs_base
        SYSCALL SYS_nop
        movl    $SYS_nop, %eax
        INT80
        int3
        SYSCALL SYS_get_gs_base
        cmpq    $0x12345000, %rax
        jne     2f
        EXIT    0
1:      EXIT    1
2:      EXIT    2
        END_PROGRAM gsbase

        PROGRAM int_dpl0
        int     $FIRST_EXTERNAL_VECTOR
        EXIT    0
        END_PROGRAM int_dpl0

        PROGRAM ud2
        ud2
        END_PROGRAM ud2

        PROGRAM null
        movq    0, %rax
        EXIT    0
        END_PROGRAM null

        PROGRAM unaligned
        pushfq
        orl     $X86_EFLAGS_AC, (%rsp)
        popfq
        movl    -7(%rsp), %eax              /* a misaligned 4-byte load */
        EXIT    77
        END_PROGRAM unaligned

.macro READ_TSC                         /* RDX = the 64-bit TSC */
        rdtsc
        shlq    $32, %rdx
        orq     %rax, %rdx
.endm

.macro MEASURE insn
        READ_TSC
        movq    %rdx, %r12
        movl    $1000, %r13d
1:      movl    $SYS_nop, %eax
        \insn
        decl    %r13d
        jnz     1b
        READ_TSC
        subq    %r12, %rdx
        movq    %rdx, %rdi
        SYSCALL SYS_report
.endm

        PROGRAM bench
        MEASURE syscall
        MEASURE INT80
        MEASURE nop
        EXIT    0
        END_PROGRAM bench

        PROGRAM bench_pf
        movl    $2, %r14d                       /* two passes */
3:      READ_TSC
        movq    %rdx, %r12
        movq    $USER_DATA, %rbx
        movl    $64, %r13d
1:      movb    $1, (%rbx)
        addq    $4096, %rbx
        decl    %r13d
        jnz     1b
        READ_TSC
        subq    %r12, %rdx
        movq    %rdx, %rdi
        SYSCALL SYS_report
        decl    %r14d
        jnz     3b
        EXIT    0
        END_PROGRAM bench_pf

.macro EXPECT_EFAULT case
        cmpq    $-EFAULT, %rax
        jne     9f
        movl    $\case, %r15d
.endm

        PROGRAM badptr
        xorl    %r15d, %r15d
        movl    $1, %edi                        /* write(1, NULL, 10) */
        xorl    %esi, %esi
        movl    $10, %edx
        SYSCALL SYS_write
        EXPECT_EFAULT 1
        movl    $1, %edi                        /* write(1, kernel, 10) */
        movabsq $0xffffffff80100000, %rsi
        movl    $10, %edx
        SYSCALL SYS_write
        EXPECT_EFAULT 2
        movl    $1, %edi                        /* write(1, unmapped, 10) */
        movq    $USER_UNMAPPED, %rsi
        movl    $10, %edx
        SYSCALL SYS_write
        EXPECT_EFAULT 3
        movl    $1, %edi                        /* straddling the data end */
        movq    $USER_DATA + USER_DATA_SIZE - 4, %rsi
        movl    $10, %edx
        SYSCALL SYS_write
        EXPECT_EFAULT 4
        movl    $1, %edi                        /* length overflow */
        movq    $USER_DATA, %rsi
        movq    $-1, %rdx
        SYSCALL SYS_write
        EXPECT_EFAULT 5
        movq    $USER_RODATA, %rdi              /* uname(read-only page) */
        SYSCALL SYS_uname
        EXPECT_EFAULT 6
        xorl    %edi, %edi                      /* uname(NULL) */
        SYSCALL SYS_uname
        EXPECT_EFAULT 7
        movabsq $0xffff888000000000, %rdi       /* log(kernel address) */
        SYSCALL SYS_log
        EXPECT_EFAULT 8
        movq    $USER_UNMAPPED, %rdi            /* log(unmapped) */
        SYSCALL SYS_log
        EXPECT_EFAULT 9
        movq    $USER_DATA, %rdi                /* uname into fresh data */
        SYSCALL SYS_uname
        testq   %rax, %rax
        jne     9f
        EXIT    0
9:      movq    %r15, %rdi
        incq    %rdi
        SYSCALL SYS_exit
        END_PROGRAM badptr

        PROGRAM demand
        movq    $USER_DATA, %rbx
        movl    $8, %ecx
1:      cmpq    $0, (%rbx)
        jne     2f
        cmpq    $0, 4088(%rbx)
        jne     2f
        movq    %rbx, (%rbx)
        addq    $4096, %rbx
        decl    %ecx
        jnz     1b
        pushq   $1                              /* the stack page */
        EXIT    0
2:      EXIT    1
        END_PROGRAM demand

        PROGRAM rowrite
        movq    $USER_RODATA, %rax
        movq    (%rax), %rbx                    /* maps the page, read-only */
        movq    $1, (%rax)                      /* a protection fault */
        EXIT    0
        END_PROGRAM rowrite

        PROGRAM spin
1:      jmp     1b
        END_PROGRAM spin

        PROGRAM killer
        SYSCALL SYS_kill
        movq    %rax, %rdi                      /* 0, or the error */
        SYSCALL SYS_exit
        END_PROGRAM killer

        PROGRAM test_call
        SYSCALL SYS_test
        EXIT    0
        END_PROGRAM test_call

        PROGRAM yielder
        READ_TSC
        movq    %rdx, %r12
        movl    $1000, %r13d
1:      SYSCALL SYS_yield
        decl    %r13d
        jnz     1b
        READ_TSC
        subq    %r12, %rdx
        movq    %rdx, %rdi
        SYSCALL SYS_report
        EXIT    0
        END_PROGRAM yielder

.macro CHECK n, expect                  /* the result must be \expect */
        cmpq    $\expect, %rax
        je      .Lcheck\@
        EXIT    \n
.Lcheck\@:
.endm

        PROGRAM timebad
        subq    $64, %rsp
        movl    $99, %edi                       /* no such clock */
        movq    %rsp, %rsi
        SYSCALL SYS_clock_gettime
        CHECK   1, -EINVAL
        movl    $CLOCKID_MONOTONIC, %edi        /* a null pointer */
        xorl    %esi, %esi
        SYSCALL SYS_clock_gettime
        CHECK   2, -EFAULT
        movl    $CLOCKID_MONOTONIC, %edi        /* a kernel address */
        movabsq $0xffffffff80100000, %rsi
        SYSCALL SYS_clock_gettime
        CHECK   3, -EFAULT
        movl    $CLOCKID_MONOTONIC, %edi        /* the read-only time page */
        movl    $USER_VVAR, %esi
        SYSCALL SYS_clock_gettime
        CHECK   4, -EFAULT
        movl    $CLOCKID_MONOTONIC, %edi        /* getres: null is allowed */
        xorl    %esi, %esi
        SYSCALL SYS_clock_getres
        CHECK   5, 0
        movl    $CLOCKID_BOOTTIME, %edi
        movq    %rsp, %rsi
        SYSCALL SYS_clock_getres
        CHECK   6, 0
        movq    8(%rsp), %rax                   /* one nanosecond */
        CHECK   7, 1
        movl    $99, %edi
        movq    %rsp, %rsi
        SYSCALL SYS_clock_getres
        CHECK   8, -EINVAL

        movq    $0, (%rsp)
        movq    $1000000000, 8(%rsp)
        movq    %rsp, %rdi
        xorl    %esi, %esi
        SYSCALL SYS_nanosleep
        CHECK   9, -EINVAL
        movq    $-1, (%rsp)
        movq    $0, 8(%rsp)
        movq    %rsp, %rdi
        SYSCALL SYS_nanosleep
        CHECK   10, -EINVAL
        movq    $0, (%rsp)
        movq    $-1, 8(%rsp)
        movq    %rsp, %rdi
        SYSCALL SYS_nanosleep
        CHECK   11, -EINVAL
        xorl    %edi, %edi
        SYSCALL SYS_nanosleep
        CHECK   12, -EFAULT
        movl    $USER_UNMAPPED, %edi
        SYSCALL SYS_nanosleep
        CHECK   13, -EFAULT
        movq    $0, 8(%rsp)
        movl    $99, %edi
        xorl    %esi, %esi
        movq    %rsp, %rdx
        xorl    %r10d, %r10d
        SYSCALL SYS_clock_nanosleep
        CHECK   14, -EINVAL
        movq    %rsp, %rdi                      /* zero: at once */
        xorl    %esi, %esi
        SYSCALL SYS_nanosleep
        CHECK   15, 0
        movl    $CLOCKID_MONOTONIC, %edi        /* 0 s, absolute: long past */
        movl    $TIMER_ABSTIME_FLAG, %esi
        movq    %rsp, %rdx
        xorl    %r10d, %r10d
        SYSCALL SYS_clock_nanosleep
        CHECK   16, 0
        EXIT    0
        END_PROGRAM timebad

.macro TS_NS off                        /* RAX = the timespec at \off(%rsp), in ns */
        imulq   $1000000000, \off(%rsp), %rax
        addq    \off+8(%rsp), %rax
.endm

.macro THREE_READS clock                /* report page-syscall-page differences */
        movl    $\clock, %edi
        movq    %rsp, %rsi
        CALL_VDSO_CLOCK_GETTIME
        movl    $\clock, %edi
        leaq    16(%rsp), %rsi
        SYSCALL SYS_clock_gettime
        movl    $\clock, %edi
        leaq    32(%rsp), %rsi
        CALL_VDSO_CLOCK_GETTIME
        TS_NS   16
        movq    %rax, %rbx
        TS_NS   0
        movq    %rbx, %rdi
        subq    %rax, %rdi
        SYSCALL SYS_report                      /* syscall - first page read */
        TS_NS   32
        movq    %rax, %rdi
        subq    %rbx, %rdi
        SYSCALL SYS_report                      /* second page read - syscall */
.endm

        PROGRAM timeclocks
        subq    $64, %rsp
        movl    $CLOCKID_MONOTONIC, %edi
        movq    %rsp, %rsi
        CALL_VDSO_CLOCK_GETTIME
        TS_NS   0
        movq    %rax, %rdi
        SYSCALL SYS_report
        THREE_READS CLOCKID_MONOTONIC
        THREE_READS CLOCKID_REALTIME
        THREE_READS CLOCKID_BOOTTIME
        EXIT    0
        END_PROGRAM timeclocks

        PROGRAM timesleep
        movq    %rdi, %r12                      /* the sleep, in ns */
        subq    $64, %rsp
        movl    $CLOCKID_MONOTONIC, %edi
        movq    %rsp, %rsi
        CALL_VDSO_CLOCK_GETTIME
        TS_NS   0
        movq    %rax, %r13                      /* before */
        movq    %r12, %rax
        xorl    %edx, %edx
        movl    $1000000000, %ecx
        divq    %rcx
        movq    %rax, 16(%rsp)
        movq    %rdx, 24(%rsp)
        leaq    16(%rsp), %rdi
        xorl    %esi, %esi
        SYSCALL SYS_nanosleep
        CHECK   1, 0
        movl    $CLOCKID_MONOTONIC, %edi
        movq    %rsp, %rsi
        CALL_VDSO_CLOCK_GETTIME
        TS_NS   0
        movq    %rax, %r14                      /* after */
        movq    %r14, %rdi
        subq    %r13, %rdi
        SYSCALL SYS_report                      /* how long it slept */
        leaq    (%r14,%r12), %r15               /* the absolute target */
        movq    %r15, %rax
        xorl    %edx, %edx
        movl    $1000000000, %ecx
        divq    %rcx
        movq    %rax, 16(%rsp)
        movq    %rdx, 24(%rsp)
        movl    $CLOCKID_MONOTONIC, %edi
        movl    $TIMER_ABSTIME_FLAG, %esi
        leaq    16(%rsp), %rdx
        xorl    %r10d, %r10d
        SYSCALL SYS_clock_nanosleep
        CHECK   2, 0
        movl    $CLOCKID_MONOTONIC, %edi
        movq    %rsp, %rsi
        CALL_VDSO_CLOCK_GETTIME
        TS_NS   0
        movq    %rax, %rdi
        subq    %r15, %rdi
        SYSCALL SYS_report                      /* how late the absolute one */
        EXIT    0
        END_PROGRAM timesleep

        PROGRAM sleepforever
        subq    $16, %rsp
        movabsq $0x4000000000000000, %rax
        movq    %rax, (%rsp)
        movq    $0, 8(%rsp)
        movq    %rsp, %rdi
        leaq    (%rsp), %rsi                    /* rem: the same timespec */
        SYSCALL SYS_nanosleep
        EXIT    1                               /* never: killed on the way out */
        END_PROGRAM sleepforever

        PROGRAM timewrite
        movl    $USER_VVAR, %eax
        movq    $0, (%rax)
        EXIT    0
        END_PROGRAM timewrite

        PROGRAM timeread
        movq    %rdi, %r12                      /* readings left */
        xorl    %r13d, %r13d                    /* the previous reading */
        xorl    %r14d, %r14d                    /* backward steps */
        xorl    %r15d, %r15d                    /* disagreements */
        xorl    %ebx, %ebx                      /* readings */
        subq    $64, %rsp
1:      movl    $CLOCKID_MONOTONIC, %edi
        movq    %rsp, %rsi
        CALL_VDSO_CLOCK_GETTIME
        TS_NS   0
        cmpq    %r13, %rax
        jae     2f
        incq    %r14
2:      movq    %rax, %r13
        incq    %rbx
        testl   $1023, %ebx
        jnz     4f
        movl    $CLOCKID_MONOTONIC, %edi
        leaq    16(%rsp), %rsi
        SYSCALL SYS_clock_gettime
        movl    $CLOCKID_MONOTONIC, %edi
        movq    %rsp, %rsi
        CALL_VDSO_CLOCK_GETTIME
        TS_NS   16
        cmpq    %r13, %rax                      /* the page's first <= syscall */
        jb      3f
        movq    %rax, %r13
        TS_NS   0
        cmpq    %r13, %rax                      /* syscall <= the page's second */
        jae     5f
3:      incq    %r15
        TS_NS   0
5:      movq    %rax, %r13
4:      decq    %r12
        jnz     1b
        movq    %r14, %rdi
        SYSCALL SYS_report
        movq    %r15, %rdi
        SYSCALL SYS_report
        movq    %rbx, %rdi
        SYSCALL SYS_report
        EXIT    0
        END_PROGRAM timeread

        PROGRAM timepeek
        movq    %rdi, %r12                      /* readings left */
        movq    $-1, %r13                       /* the smallest */
        xorl    %r14d, %r14d                    /* the largest */
        xorl    %r15d, %r15d                    /* the first */
        subq    $16, %rsp
1:      movl    $CLOCKID_MONOTONIC, %edi
        movq    %rsp, %rsi
        CALL_VDSO_CLOCK_GETTIME
        TS_NS   0
        testq   %r15, %r15
        jnz     2f
        movq    %rax, %r15
2:      cmpq    %r13, %rax
        jae     3f
        movq    %rax, %r13
3:      cmpq    %r14, %rax
        jbe     4f
        movq    %rax, %r14
4:      decq    %r12
        jnz     1b
        movq    %r15, %rdi
        SYSCALL SYS_report
        movq    %r13, %rdi
        SYSCALL SYS_report
        movq    %r14, %rdi
        SYSCALL SYS_report
        EXIT    0
        END_PROGRAM timepeek

        PROGRAM clockbench
        subq    $32, %rsp
        movl    $CLOCKID_MONOTONIC, %edi
        movq    %rsp, %rsi
        CALL_VDSO_CLOCK_GETTIME
        READ_TSC
        movq    %rdx, %r12
        movl    $1000, %r13d
1:      movl    $CLOCKID_MONOTONIC, %edi
        movq    %rsp, %rsi
        CALL_VDSO_CLOCK_GETTIME
        decl    %r13d
        jnz     1b
        READ_TSC
        subq    %r12, %rdx
        movq    %rdx, %rdi
        SYSCALL SYS_report
        READ_TSC
        movq    %rdx, %r12
        movl    $1000, %r13d
2:      movl    $CLOCKID_MONOTONIC, %edi
        movq    %rsp, %rsi
        SYSCALL SYS_clock_gettime
        decl    %r13d
        jnz     2b
        READ_TSC
        subq    %r12, %rdx
        movq    %rdx, %rdi
        SYSCALL SYS_report
        EXIT    0
        END_PROGRAM clockbench

        PROGRAM sleepbench
        subq    $64, %rsp
        movq    $0, 32(%rsp)                    /* 1 ms */
        movq    $1000000, 40(%rsp)
        xorl    %r14d, %r14d                    /* the sum of the lateness */
        xorl    %r15d, %r15d                    /* the largest */
        movl    $200, %ebx
1:      movl    $CLOCKID_MONOTONIC, %edi
        movq    %rsp, %rsi
        CALL_VDSO_CLOCK_GETTIME
        TS_NS   0
        movq    %rax, %r12
        leaq    32(%rsp), %rdi
        xorl    %esi, %esi
        SYSCALL SYS_nanosleep
        CHECK   1, 0
        movl    $CLOCKID_MONOTONIC, %edi
        movq    %rsp, %rsi
        CALL_VDSO_CLOCK_GETTIME
        TS_NS   0
        subq    %r12, %rax
        subq    $1000000, %rax                  /* the lateness */
        addq    %rax, %r14
        cmpq    %r15, %rax
        jle     2f
        movq    %rax, %r15
2:      decl    %ebx
        jnz     1b
        movq    %r14, %rdi
        SYSCALL SYS_report
        movq    %r15, %rdi
        SYSCALL SYS_report
        EXIT    0
        END_PROGRAM sleepbench
