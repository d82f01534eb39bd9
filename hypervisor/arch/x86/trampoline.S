/* The syscall entry trampoline, copied into the analyzer window at offset 0
 * (fast mode) and 0x800 (exit mode); IA32_LSTAR points here while tracing.
 * It runs at CPL0 with interrupts off on the user's stack, right after
 * SYSCALL, and leaves every register and flag as it found them before
 * jumping to Linux's own entry (config->forward).
 *
 * %gs:0x7ffe00NN are placeholders: the hypervisor adds the per-CPU offset
 * of the agent's struct fvx_percpu_scratch when it copies the code, so NN is
 * the field offset. The config page is 0x1000 after the trampoline page. */

#define S_USER_RSP 0x7ffe0000
#define S_RAX 0x7ffe0008
#define S_RCX 0x7ffe0010
#define S_STACK 0x7ffe0018
#define S_RBX 0x7ffe0020
#define S_CPU 0x7ffe0028

#define CONFIG (fvx_trampoline + 0x1000)
#define CFG_FORWARD (CONFIG + 8)
#define CFG_ENTRY (CONFIG + 16)
#define DATA (fvx_trampoline + 0x50000)

	.section .rodata
	.balign 4096
	.globl fvx_trampoline
fvx_trampoline:
	/* Fast mode: VMFUNC into the analyzer view, call the analyzer on this
	 * CPU's analyzer stack, VMFUNC back. No VM exit. */
	swapgs
	mov %rsp, %gs:S_USER_RSP
	mov %rax, %gs:S_RAX
	mov %rcx, %gs:S_RCX
	mov %gs:S_STACK, %rsp
	mov $0, %eax			/* VMFUNC leaf 0: EPTP switching */
	mov $1, %ecx			/* to view 1: the analyzer view */
	vmfunc
	pushfq
	pushq $0			/* struct fvx_event, top down: flags */
	pushq %gs:S_CPU			/* cpu */
	pushq %gs:S_RCX			/* user_rip */
	push %r9			/* args[5] */
	push %r8
	push %r10
	push %rdx
	push %rsi
	push %rdi			/* args[0] */
	pushq %gs:S_RAX			/* nr */
	push %r11			/* user RFLAGS; 16-byte aligned from here */
	lea 8(%rsp), %rdi
	lea CONFIG(%rip), %rsi
	lea DATA(%rip), %rdx
	call *CFG_ENTRY(%rip)
	pop %r11
	add $8, %rsp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %r10
	pop %r8
	pop %r9
	add $24, %rsp
	popfq
	mov $0, %eax
	mov $0, %ecx			/* back to view 0 */
	vmfunc
	mov %gs:S_RAX, %rax
	mov %gs:S_RCX, %rcx
	mov %gs:S_USER_RSP, %rsp
	swapgs
	jmp *CFG_FORWARD(%rip)
	.globl fvx_trampoline_fast_end
fvx_trampoline_fast_end:

	.balign 0x800
	/* Exit mode: one VMCALL per system call, as a classic tracer would. */
	swapgs
	mov %rax, %gs:S_RAX
	mov %rcx, %gs:S_RCX
	mov %rbx, %gs:S_RBX
	mov %gs:S_RAX, %rbx		/* RBX = syscall number */
	mov %gs:S_CPU, %rcx		/* RCX = cpu */
	movabs $0x46564d5800000007, %rax	/* FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_TRACE_EVENT */
	vmcall
	mov %gs:S_RAX, %rax
	mov %gs:S_RCX, %rcx
	mov %gs:S_RBX, %rbx
	swapgs
	jmp *CFG_FORWARD(%rip)
	.globl fvx_trampoline_end
fvx_trampoline_end:

	.section .note.GNU-stack, "", @progbits
