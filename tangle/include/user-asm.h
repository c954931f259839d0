/* Tangled from chapters/13-syscalls.nw chapters/29-utime.nw by 'make tangle'. Edit the chapter, not this file. */
#pragma once
#include "x86-defs.h"
#include "syscall.h"
#include "user-layout.h"
#include "vectors.h"

.macro SYSCALL nr
        movl    $\nr, %eax
        syscall
.endm

.macro INT80
        int     $IA32_SYSCALL_VECTOR
.endm

.macro EXIT code
        movl    $\code, %edi
        SYSCALL SYS_exit
.endm
.macro PROGRAM name
        .section .rodata.user, "a"
        .balign 16
        .globl  user_\name\()_start, user_\name\()_end
user_\name\()_start:
.endm

.macro END_PROGRAM name
user_\name\()_end:
        .section .rodata.user.names, "a"
user_\name\()_name:
        .asciz  "\name"
        .section .user_programs, "a"
        .balign 8
        .quad   user_\name\()_name, user_\name\()_start, user_\name\()_end
        .section .rodata.user, "a"
.endm

.macro CALL_VDSO_CLOCK_GETTIME          /* EDI: the clock; RSI: the timespec */
        movl    $USER_VDSO, %eax
        call    *%rax
.endm
