/* Tangled from chapters/20-smp-boot.nw by 'make tangle'. Edit the chapter, not this file. */
#include "layout.h"
#include "x86-defs.h"
#include "smp.h"

#define TR(label) (TRAMPOLINE_PA + (label) - trampoline_start)

        .section .rodata.trampoline, "a"
        .globl  trampoline_start, trampoline_end
        .code16
trampoline_start:
        cli
        cld
        movw    %cs, %ax
        movw    %ax, %ds
        lgdtl   tr_gdt_ptr - trampoline_start
        movl    %cr0, %eax
        orl     $CR0_PE, %eax
        movl    %eax, %cr0
        ljmpl   $0x08, $TR(tr_protected)

        .code32
tr_protected:
        movl    $0x10, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    $CR4_PAE, %eax
        movl    %eax, %cr4
        movl    $(boot_pml4 - KERNEL_VMA), %eax
        movl    %eax, %cr3
        movl    $MSR_EFER, %ecx
        rdmsr
        orl     $(EFER_LME | EFER_NXE | EFER_SCE), %eax
        wrmsr
        movl    %cr0, %eax
        orl     $CR0_PG, %eax
        movl    %eax, %cr0
        ljmp    $0x18, $TR(tr_long)

        .code64
tr_long:
        movabsq $ap_entry_64, %rax
        jmpq    *%rax

        .balign 8
tr_gdt:
        .quad   0
        .quad   0x00cf9a000000ffff      /* 0x08: 32-bit code, 4 GiB */
        .quad   0x00cf92000000ffff      /* 0x10: data, 4 GiB */
        .quad   0x00af9a000000ffff      /* 0x18: 64-bit code */
tr_gdt_ptr:
        .word   tr_gdt_ptr - tr_gdt - 1
        .long   TR(tr_gdt)
trampoline_end:

        .text
        .globl  ap_entry_64
ap_entry_64:
        .cfi_startproc simple
        .cfi_def_cfa rsp, 0
        .cfi_undefined rip              /* the first frame of this CPU */
        movq    ap_boot_cr3(%rip), %rax
        movq    %rax, %cr3
        movl    $1, %eax
        cpuid                           /* EBX[31:24]: the initial APIC ID */
        shrl    $24, %ebx
        leaq    ap_cpu_of_apic(%rip), %rax
        movzwl  (%rax,%rbx,2), %edi     /* this CPU's number */
        leaq    ap_stack_top(%rip), %rax
        movq    (%rax,%rdi,8), %rsp
        leaq    __per_cpu_offset(%rip), %rax
        movq    (%rax,%rdi,8), %rax
        movq    %rax, %rdx
        shrq    $32, %rdx
        movl    $MSR_GS_BASE, %ecx
        wrmsr
        xorl    %ebp, %ebp
        call    ap_start
1:      hlt
        jmp     1b
        .cfi_endproc
