/* Multiboot entry of the PVH boot shim (32-bit protected mode, paging off). */
	.section .multiboot, "a"
	.align 4
	.long 0x1badb002		/* multiboot magic */
	.long 0x00000003		/* page-aligned modules, memory map */
	.long -(0x1badb002 + 0x00000003)

	.text
	.code32
	.globl _start
_start:
	cli
	cld
	movl $stack_top, %esp
	pushl %ebx			/* multiboot information */
	pushl %eax			/* multiboot magic */
	call shim_main			/* returns only on error */
1:	hlt
	jmp 1b

/* void jump_to_kernel(u32 entry, u32 start_info): the PVH entry ABI wants
 * %ebx = start_info, flat 32-bit segments, paging and interrupts off. */
	.globl jump_to_kernel
jump_to_kernel:
	movl 4(%esp), %eax
	movl 8(%esp), %ebx
	jmp *%eax

	.bss
	.align 16
	.space 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
