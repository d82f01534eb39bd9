/* The syscall entry trampoline, copied into the analyzer window at offset 0
 * (fast mode) and WIN_TRAMPOLINE_EXIT (exit mode); IA32_LSTAR points here
 * while tracing. It runs at CPL0 with interrupts off on the user's stack,
 * right after SYSCALL, and leaves every register and flag as it found them
 * before jumping to Linux's own entry (config->forward). Offsets come from
 * the C headers through the generated fvx_offsets.h; SCRATCH() operands are
 * placeholders the hypervisor patches (trampoline.h). */
#include "trampoline.h"
#include "fvx_offsets.h"

#define SCRATCH(field) %gs:(FVX_SCRATCH_MARKER + field)
#define CONFIG (fvx_trampoline + WIN_CONFIG)
#define DATA (fvx_trampoline + WIN_DATA)
#define EVENT(field) (8 + field)(%rsp)

	.section .rodata
	.balign 4096
	.globl fvx_trampoline
fvx_trampoline:
	/* Fast mode: VMFUNC into the analyzer view, call the analyzer on this
	 * CPU's analyzer stack, VMFUNC back. No VM exit. */
	swapgs
	mov %rsp, SCRATCH(S_USER_RSP)
	mov %rax, SCRATCH(S_RAX)
	mov %rcx, SCRATCH(S_RCX)
	mov SCRATCH(S_STACK_TOP), %rsp
	mov $0, %eax			/* VMFUNC leaf 0: EPTP switching */
	mov $1, %ecx			/* to view 1: the analyzer view */
	vmfunc
	pushfq
	sub $TRAMP_FRAME, %rsp		/* user R11 at 0, struct fvx_event at 8 */
	mov %r11, (%rsp)
	movq $0, EVENT(EV_FLAGS)
	mov SCRATCH(S_CPU), %rax
	mov %rax, EVENT(EV_CPU)
	mov SCRATCH(S_RCX), %rax
	mov %rax, EVENT(EV_USER_RIP)
	mov %rdi, EVENT(EV_ARGS + 0)
	mov %rsi, EVENT(EV_ARGS + 8)
	mov %rdx, EVENT(EV_ARGS + 16)
	mov %r10, EVENT(EV_ARGS + 24)
	mov %r8, EVENT(EV_ARGS + 32)
	mov %r9, EVENT(EV_ARGS + 40)
	mov SCRATCH(S_RAX), %rax
	mov %rax, EVENT(EV_NR)
	lea EVENT(0), %rdi
	lea CONFIG(%rip), %rsi
	lea DATA(%rip), %rdx
	call *(CONFIG + CFG_ANALYZER_ENTRY)(%rip)
	mov (%rsp), %r11
	mov EVENT(EV_ARGS + 0), %rdi
	mov EVENT(EV_ARGS + 8), %rsi
	mov EVENT(EV_ARGS + 16), %rdx
	mov EVENT(EV_ARGS + 24), %r10
	mov EVENT(EV_ARGS + 32), %r8
	mov EVENT(EV_ARGS + 40), %r9
	add $TRAMP_FRAME, %rsp
	popfq
	mov $0, %eax
	mov $0, %ecx			/* back to view 0 */
	vmfunc
	mov SCRATCH(S_RAX), %rax
	mov SCRATCH(S_RCX), %rcx
	mov SCRATCH(S_USER_RSP), %rsp
	swapgs
	jmp *(CONFIG + CFG_FORWARD)(%rip)
	.globl fvx_trampoline_fast_end
fvx_trampoline_fast_end:

	.org WIN_TRAMPOLINE_EXIT	/* fails to assemble if the fast part is longer */
	/* Exit mode: one VMCALL per system call, as a classic tracer would. */
	swapgs
	mov %rax, SCRATCH(S_RAX)
	mov %rcx, SCRATCH(S_RCX)
	mov %rbx, SCRATCH(S_RBX)
	mov %rax, %rbx			/* RBX = syscall number */
	movabs $(VMCALL_MAGIC << 32 | VMCALL_TRACE_EVENT), %rax
	vmcall
	mov SCRATCH(S_RAX), %rax
	mov SCRATCH(S_RCX), %rcx
	mov SCRATCH(S_RBX), %rbx
	swapgs
	jmp *(CONFIG + CFG_FORWARD)(%rip)
	.globl fvx_trampoline_end
fvx_trampoline_end:

	.section .note.GNU-stack, "", @progbits
