/* Tangled from chapters/29-utime.nw by 'make tangle'. Edit the chapter, not this file. */
#include "user-asm.h"
#include "vdso.h"

        .section .rodata.user, "a"
        .balign 16
        .globl  vdso_text_start, vdso_text_end
vdso_text_start:
        vvar = vdso_text_start - 4096
        leaq    vdso_zero(%rip), %r10
        cmpl    $CLOCKID_MONOTONIC, %edi
        je      1f
        leaq    vvar+VDSO_OFFS_REAL(%rip), %r10
        cmpl    $CLOCKID_REALTIME, %edi
        je      1f
        leaq    vvar+VDSO_OFFS_BOOT(%rip), %r10
        cmpl    $CLOCKID_BOOTTIME, %edi
        jne     vdso_fallback

1:      movl    vvar+VDSO_SEQ(%rip), %r8d
        testl   $1, %r8d
        jnz     3f                              /* being written: wait */
        cmpl    $VDSO_CLOCKMODE_TSC, vvar+VDSO_CLOCK_MODE(%rip)
        jne     vdso_fallback
        lfence
        rdtsc
        shlq    $32, %rdx
        orq     %rdx, %rax
        subq    vvar+VDSO_CYCLE_LAST(%rip), %rax
        jnc     2f
        xorl    %eax, %eax                      /* behind cycle_last: no time */
2:      movl    vvar+VDSO_MULT(%rip), %ecx
        imulq   %rcx, %rax
        addq    vvar+VDSO_FRAC(%rip), %rax
        movl    vvar+VDSO_SHIFT(%rip), %ecx
        shrq    %cl, %rax
        addq    vvar+VDSO_MONO(%rip), %rax
        addq    (%r10), %rax
        cmpl    vvar+VDSO_SEQ(%rip), %r8d
        jne     1b                              /* written meanwhile: again */

        xorl    %edx, %edx
        movl    $1000000000, %ecx
        divq    %rcx
        movq    %rax, (%rsi)
        movq    %rdx, 8(%rsi)
        xorl    %eax, %eax
        ret
3:      pause
        jmp     1b
vdso_fallback:
        movl    $SYS_clock_gettime, %eax
        syscall
        ret
        .balign 8
vdso_zero:
        .quad   0
vdso_text_end:
