/* VMX root assembly: the VM-exit stub, fault-safe MSR/XSETBV access and the
 * host IDT. The exit stub's frame is struct guest_regs (core/vcpu.h); its
 * offsets, like every other C layout used here, come from the generated
 * fvx_offsets.h. (Entering VMX and the last steps of leaving it run in the
 * guest's context: vmx_launch.S.) */

#include "fvx_offsets.h"

	.text

/* Host RIP. HOST_RSP points at the vcpu pointer (16-byte aligned). */
	.globl arch_vmx_exit_stub
arch_vmx_exit_stub:
	sub $GUEST_REGS_SIZE, %rsp	/* struct guest_regs; its rsp slot stays: the guest RSP is in the VMCS */
	mov %rax, R_RAX(%rsp)
	mov %rdx, R_RDX(%rsp)
	rdtsc				/* when this exit's handling began (tsc.c) */
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, %fs:VCPU_EXIT_TSC
	mov %rcx, R_RCX(%rsp)
	mov %rbx, R_RBX(%rsp)
	mov %rbp, R_RBP(%rsp)
	mov %rsi, R_RSI(%rsp)
	mov %rdi, R_RDI(%rsp)
	mov %r8, R_R8(%rsp)
	mov %r9, R_R9(%rsp)
	mov %r10, R_R10(%rsp)
	mov %r11, R_R11(%rsp)
	mov %r12, R_R12(%rsp)
	mov %r13, R_R13(%rsp)
	mov %r14, R_R14(%rsp)
	mov %r15, R_R15(%rsp)
	mov %rsp, %rdi
	mov GUEST_REGS_SIZE(%rsp), %rsi	/* the vcpu pointer at HOST_RSP */
	call vmexit_handler	/* returns when the guest is to be resumed */
	mov R_RAX(%rsp), %rax
	mov R_RCX(%rsp), %rcx
	mov R_RDX(%rsp), %rdx
	mov R_RBX(%rsp), %rbx
	mov R_RBP(%rsp), %rbp
	mov R_RSI(%rsp), %rsi
	mov R_RDI(%rsp), %rdi
	mov R_R8(%rsp), %r8
	mov R_R9(%rsp), %r9
	mov R_R10(%rsp), %r10
	mov R_R11(%rsp), %r11
	mov R_R12(%rsp), %r12
	mov R_R13(%rsp), %r13
	mov R_R14(%rsp), %r14
	mov R_R15(%rsp), %r15
	add $GUEST_REGS_SIZE, %rsp
	vmresume
	/* VMRESUME failed. */
	mov (%rsp), %rdi
	call vmresume_failed
	ud2

/* int arch_rdmsr_safe(u32 msr, u64 *value) */
	.globl arch_rdmsr_safe
arch_rdmsr_safe:
	mov %edi, %ecx
.Lrdmsr:
	rdmsr
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, (%rsi)
	xor %eax, %eax
	ret
.Lrdmsr_fixup:
	mov $-1, %eax
	ret

/* int arch_wrmsr_safe(u32 msr, u64 value) */
	.globl arch_wrmsr_safe
arch_wrmsr_safe:
	mov %edi, %ecx
	mov %esi, %eax
	mov %rsi, %rdx
	shr $32, %rdx
.Lwrmsr:
	wrmsr
	xor %eax, %eax
	ret
.Lwrmsr_fixup:
	mov $-1, %eax
	ret

/* int arch_xsetbv_safe(u32 index, u64 value) */
	.globl arch_xsetbv_safe
arch_xsetbv_safe:
	mov %edi, %ecx
	mov %esi, %eax
	mov %rsi, %rdx
	shr $32, %rdx
.Lxsetbv:
	xsetbv
	xor %eax, %eax
	ret
.Lxsetbv_fixup:
	mov $-1, %eax
	ret

/* Host IDT: 256 stubs, HOST_IDT_STUB_SIZE bytes apart. Each pushes an error
 * code (0 where the CPU pushes none) and its vector. */
	.align HOST_IDT_STUB_SIZE
	.globl arch_host_idt_stubs
arch_host_idt_stubs:
	vector = 0
	.rept 256
	.align HOST_IDT_STUB_SIZE
	.if vector == 8 || vector == 10 || vector == 11 || vector == 12 || vector == 13 || vector == 14 || vector == 17 || vector == 21 || vector == 29 || vector == 30
	.else
	pushq $0
	.endif
	pushq $vector
	jmp host_idt_common
	vector = vector + 1
	.endr
	/* Fails ("backwards") when a stub is longer than HOST_IDT_STUB_SIZE. */
	.org arch_host_idt_stubs + 256 * HOST_IDT_STUB_SIZE

/* Stack: vector, error code, RIP, CS, RFLAGS, RSP, SS. */
host_idt_common:
	cmpq $2, EF_VECTOR(%rsp)
	je .Lnmi
	cmpq $32, EF_VECTOR(%rsp)
	jae .Ldone		/* an interrupt: the host runs with IF=0, so stray */
	cmpq $13, EF_VECTOR(%rsp)
	jne .Lfatal
	push %rax
	push %rdx
	mov (16 + EF_RIP)(%rsp), %rax	/* faulting RIP, above RAX and RDX */
	lea .Lrdmsr(%rip), %rdx
	cmp %rdx, %rax
	lea .Lrdmsr_fixup(%rip), %rdx
	je .Lfixup
	lea .Lwrmsr(%rip), %rdx
	cmp %rdx, %rax
	lea .Lwrmsr_fixup(%rip), %rdx
	je .Lfixup
	lea .Lxsetbv(%rip), %rdx
	cmp %rdx, %rax
	lea .Lxsetbv_fixup(%rip), %rdx
	je .Lfixup
	pop %rdx
	pop %rax
	jmp .Lfatal
.Lfixup:
	mov %rdx, (16 + EF_RIP)(%rsp)
	pop %rdx
	pop %rax
	jmp .Ldone
.Lnmi:
	/* Remember the NMI; it is injected into the guest before VM entry. */
	movb $1, %fs:VCPU_NMI_PENDING
.Ldone:
	add $16, %rsp
	iretq
.Lfatal:
	mov %rsp, %rdi
	and $-16, %rsp
	call host_exception
	ud2

	.section .note.GNU-stack, "", @progbits
