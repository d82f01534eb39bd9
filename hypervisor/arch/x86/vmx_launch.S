/* The loader's side of VMX: VMLAUNCH, which continues in the guest, and the
 * last steps of leaving VMX, after VMXOFF, which must run from code that
 * the host's and the guest's page tables both map (the loader's text).
 * Never run in VMX root after launch. C layouts come from the generated
 * fvx_offsets.h. */

#include "fvx_offsets.h"

	.text

/* int arch_vmx_launch(void) */
	.globl arch_vmx_launch
arch_vmx_launch:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov $VMCS_GUEST_RSP, %rax
	vmwrite %rsp, %rax
	mov $VMCS_GUEST_RIP, %rax
	lea .Lguest_start(%rip), %rdx
	vmwrite %rdx, %rax
	vmlaunch
	/* Still here: VMLAUNCH failed. */
	mov $1, %eax
	jmp .Lreturn
.Lguest_start:
	/* The first guest instruction: the same stack, now in VMX non-root. */
	xor %eax, %eax
.Lreturn:
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

/* void arch_leave_vmx(struct guest_regs *regs, const struct leave_state *s):
 * called by devirt.c after VMXOFF, on the host stack, with the host's page
 * tables (the kernel half executable again) and the leave IDT. Switches to
 * the guest's page tables first, then restores its descriptor tables,
 * segments and MSRs, and continues the guest where it was, on its own
 * stack. Never returns. */
	.globl arch_leave_vmx
arch_leave_vmx:
	endbr64				/* reached by an indirect call */
	mov LS_CR3(%rsi), %rax
	mov %rax, %cr3
	/* EFER with the guest's page tables: its NXE is theirs (LME and LMA
	 * are the host's too, so long mode goes on). */
	mov $MSR_NR_EFER, %ecx
	mov LS_EFER(%rsi), %eax
	mov (LS_EFER + 4)(%rsi), %edx
	wrmsr
	lgdt LS_GDTR(%rsi)
	lidt LS_IDTR(%rsi)
	mov LS_DS(%rsi), %ds
	mov LS_ES(%rsi), %es
	mov LS_SS(%rsi), %ss
	mov LS_FS(%rsi), %fs
	mov LS_GS(%rsi), %gs
	/* The bases after the selectors: loading a selector resets them. */
	mov $MSR_NR_FS_BASE, %ecx
	mov LS_FS_BASE(%rsi), %eax
	mov (LS_FS_BASE + 4)(%rsi), %edx
	wrmsr
	mov $MSR_NR_GS_BASE, %ecx
	mov LS_GS_BASE(%rsi), %eax
	mov (LS_GS_BASE + 4)(%rsi), %edx
	wrmsr
	mov $MSR_NR_DEBUGCTL, %ecx
	mov LS_DEBUGCTL(%rsi), %eax
	mov (LS_DEBUGCTL + 4)(%rsi), %edx
	wrmsr
	mov LS_DR7(%rsi), %rax
	mov %rax, %dr7
	/* RFLAGS and RIP below the guest's RSP, popped last. */
	mov R_RSP(%rdi), %rax
	sub $16, %rax
	mov LS_RIP(%rsi), %rdx
	mov %rdx, 8(%rax)
	mov LS_RFLAGS(%rsi), %rdx
	mov %rdx, (%rax)
	mov %rax, R_RSP(%rdi)
	mov R_RAX(%rdi), %rax
	mov R_RCX(%rdi), %rcx
	mov R_RDX(%rdi), %rdx
	mov R_RBX(%rdi), %rbx
	mov R_RBP(%rdi), %rbp
	mov R_RSI(%rdi), %rsi
	mov R_R8(%rdi), %r8
	mov R_R9(%rdi), %r9
	mov R_R10(%rdi), %r10
	mov R_R11(%rdi), %r11
	mov R_R12(%rdi), %r12
	mov R_R13(%rdi), %r13
	mov R_R14(%rdi), %r14
	mov R_R15(%rdi), %r15
	mov R_RSP(%rdi), %rsp
	mov R_RDI(%rdi), %rdi
	popfq
	ret

/* The leave IDT's NMI handler: an NMI while arch_leave_vmx switches page
 * tables is dropped, as one that hits VMX root during the UNLOAD VMCALL is. */
	.globl arch_leave_vmx_nmi
arch_leave_vmx_nmi:
	endbr64
	iretq

	.section .note.GNU-stack, "", @progbits
