/* Tangled from chapters/01-boot.nw by 'make tangle'. Edit the chapter, not this file. */
#include "layout.h"
#include "x86-defs.h"
#include "multiboot.h"
#include "ktest-exit.h"

        .section .multiboot, "a"
        .balign 4
multiboot_header:
        .long MULTIBOOT_HEADER_MAGIC
        .long MULTIBOOT_HEADER_FLAGS
        .long -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_HEADER_FLAGS)

        .section .text.boot, "ax"
        .code32
        .globl _start
_start:
        cli
        cld
        movl    %eax, %ebp              /* Multiboot magic */
        movl    %ebx, %esi              /* physical address of the info */
        movl    $(boot_stack_top - KERNEL_VMA), %esp
        movl    $(msg_no_multiboot - KERNEL_VMA), %ebx
        cmpl    $MULTIBOOT_BOOTLOADER_MAGIC, %ebp
        jne     early_fail
        movl    $0x80000000, %eax
        cpuid                           /* clobbers EBX too */
        cmpl    $0x80000001, %eax
        jb      no_long_mode
        movl    $0x80000001, %eax
        cpuid
        testl   $CPUID_EXT_LM, %edx
        jz      no_long_mode
        movl    %edx, %ebx              /* keep the feature bits: NX below */
        movl    $(__bss_start - KERNEL_VMA), %edi
        movl    $(__bss_end - KERNEL_VMA), %ecx
        subl    %edi, %ecx
        shrl    $2, %ecx
        xorl    %eax, %eax
        rep stosl
        movl    $(boot_pd - KERNEL_VMA), %edi
        movl    $(PTE_P | PTE_W | PTE_PS), %eax
        movl    $512, %ecx
1:      movl    %eax, (%edi)            /* low half of the entry */
        movl    $0, 4(%edi)             /* high half: physical bits 32+ */
        addl    $0x200000, %eax
        addl    $8, %edi
        loop    1b

        movl    $(boot_pd - KERNEL_VMA + PTE_P + PTE_W), %eax
        movl    %eax, boot_pdpt_low - KERNEL_VMA
        movl    %eax, boot_pdpt_high - KERNEL_VMA + 510 * 8

        movl    $(boot_pdpt_low - KERNEL_VMA + PTE_P + PTE_W), %eax
        movl    %eax, boot_pml4 - KERNEL_VMA
        movl    %eax, boot_pml4 - KERNEL_VMA + 273 * 8
        movl    $(boot_pdpt_high - KERNEL_VMA + PTE_P + PTE_W), %eax
        movl    %eax, boot_pml4 - KERNEL_VMA + 511 * 8
        movl    $(CR4_PAE | CR4_PGE), %eax
        movl    %eax, %cr4

        movl    $(boot_pml4 - KERNEL_VMA), %eax
        movl    %eax, %cr3

        movl    $MSR_EFER, %ecx
        movl    $EFER_LME, %eax
        xorl    %edx, %edx
        testl   $CPUID_EXT_NX, %ebx
        jz      1f
        orl     $EFER_NXE, %eax
1:      wrmsr

        lgdt    boot_gdt_ptr - KERNEL_VMA
        movl    $(CR0_PE | CR0_ET | CR0_EM | CR0_NE | CR0_WP | CR0_PG), %eax
        movl    %eax, %cr0
        ljmp    $0x08, $(long_mode_entry - KERNEL_VMA)

no_long_mode:
        movl    $(msg_no_long_mode - KERNEL_VMA), %ebx

early_fail:                             /* %ebx: the message */
        movw    $0x3fd, %dx
1:      inb     %dx, %al
        testb   $0x20, %al              /* transmitter holding register empty */
        jz      1b
        movb    (%ebx), %al
        testb   %al, %al
        jz      2f
        movw    $0x3f8, %dx
        outb    %al, %dx
        incl    %ebx
        jmp     early_fail
2:      movb    $KTEST_EXIT_PANIC, %al
        outb    %al, $KTEST_EXIT_PORT
3:      hlt
        jmp     3b

        .section .rodata
msg_no_multiboot:
        .asciz "boot: not started by a Multiboot loader; halting\r\n"
msg_no_long_mode:
        .asciz "boot: this CPU has no 64-bit long mode; halting\r\n"

        .section .bss
        .balign PAGE_SIZE
        .globl boot_pml4
boot_pml4:      .space PAGE_SIZE
boot_pdpt_low:  .space PAGE_SIZE
boot_pdpt_high: .space PAGE_SIZE
boot_pd:        .space PAGE_SIZE
        .globl boot_stack, boot_stack_top
boot_stack:     .space BOOT_STACK_SIZE
boot_stack_top:

        .section .rodata
        .balign 8
boot_gdt:
        .quad 0                         /* null */
        .quad 0x00af9a000000ffff        /* 0x08: kernel code, 64-bit (L=1) */
        .quad 0x00cf92000000ffff        /* 0x10: kernel data */
boot_gdt_end:
boot_gdt_ptr:
        .word boot_gdt_end - boot_gdt - 1
        .long boot_gdt - KERNEL_VMA
boot_gdt_ptr64:
        .word boot_gdt_end - boot_gdt - 1
        .quad boot_gdt

        .section .text.boot, "ax"
        .code64
long_mode_entry:
        movw    $0x10, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        xorl    %eax, %eax
        movw    %ax, %fs
        movw    %ax, %gs
        movabsq $higher_half, %rax
        jmp     *%rax

        .cfi_sections .debug_frame
higher_half:
        .cfi_startproc simple
        .cfi_def_cfa rsp, 0
        .cfi_undefined rip              /* nothing called us */
        lgdt    boot_gdt_ptr64(%rip)
        movq    $boot_stack_top, %rsp
        movl    %ebp, %edi              /* magic */
        movl    %esi, %esi              /* info; zero-extends */
        xorl    %ebp, %ebp
        call    kmain
1:      hlt                             /* kmain does not return */
        jmp     1b
        .cfi_endproc
