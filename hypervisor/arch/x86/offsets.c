/* The C layouts and constants that assembly (vmx_entry.S, vmx_launch.S,
 * trampoline.S) and the linker scripts (root.ld.S, analyzers/sdk/fvxa.ld.S) use,
 * generated from the headers that define them (Linux's asm-offsets pattern):
 * scripts/gen-offsets.sh compiles this file to assembly and turns each
 * "->NAME value" line into "#define NAME value". Never linked. */
#include "../../types.h"
#include "../../core/exit.h"
#include "../../core/root_image.h"
#include "asm.h"
#include "trampoline.h"
#include "vmcs.h"
#include "fastvmix/analyzer.h"
#include "fastvmix/trace.h"
#include "fastvmix/syscall_quick.h"
#include "fastvmix/vmcall.h"

#define DEFINE(name, value) __asm__ volatile("\n.ascii \"->" #name " %c0\"" : : "i"((s64)(value)))
#define OFFSET(name, type, member) DEFINE(name, __builtin_offsetof(struct type, member))
#define QUICK_HALVES(w)                                                                            \
	DEFINE(QUICK_L##w, FVX_QUICK_WORD(w) & 0xffffffff);                                        \
	DEFINE(QUICK_H##w, FVX_QUICK_WORD(w) >> 32)

void fvx_offsets(void);

void fvx_offsets(void)
{
	/* vmx_entry.S: the exit stub's register frame and what it reads. */
	OFFSET(R_RAX, guest_regs, rax);
	OFFSET(R_RCX, guest_regs, rcx);
	OFFSET(R_RDX, guest_regs, rdx);
	OFFSET(R_RBX, guest_regs, rbx);
	OFFSET(R_RSP, guest_regs, rsp);
	OFFSET(R_RBP, guest_regs, rbp);
	OFFSET(R_RSI, guest_regs, rsi);
	OFFSET(R_RDI, guest_regs, rdi);
	OFFSET(R_R8, guest_regs, r8);
	OFFSET(R_R9, guest_regs, r9);
	OFFSET(R_R10, guest_regs, r10);
	OFFSET(R_R11, guest_regs, r11);
	OFFSET(R_R12, guest_regs, r12);
	OFFSET(R_R13, guest_regs, r13);
	OFFSET(R_R14, guest_regs, r14);
	OFFSET(R_R15, guest_regs, r15);
	DEFINE(GUEST_REGS_SIZE, sizeof(struct guest_regs));
	OFFSET(VCPU_NMI_PENDING, vcpu, nmi_pending);
	OFFSET(VCPU_EXIT_TSC, vcpu, tsc.exit_tsc);
	OFFSET(EF_VECTOR, exception_frame, vector);
	OFFSET(EF_RIP, exception_frame, rip);
	/* vmx_launch.S: what arch_leave_vmx restores after VMXOFF. */
	OFFSET(LS_RIP, leave_state, rip);
	OFFSET(LS_RFLAGS, leave_state, rflags);
	OFFSET(LS_CR3, leave_state, cr3);
	OFFSET(LS_FS_BASE, leave_state, fs_base);
	OFFSET(LS_GS_BASE, leave_state, gs_base);
	OFFSET(LS_DEBUGCTL, leave_state, debugctl);
	OFFSET(LS_DR7, leave_state, dr7);
	OFFSET(LS_EFER, leave_state, efer);
	OFFSET(LS_GDTR, leave_state, gdtr_limit);
	OFFSET(LS_IDTR, leave_state, idtr_limit);
	OFFSET(LS_DS, leave_state, ds);
	OFFSET(LS_ES, leave_state, es);
	OFFSET(LS_FS, leave_state, fs);
	OFFSET(LS_GS, leave_state, gs);
	OFFSET(LS_SS, leave_state, ss);
	/* MSR numbers for ECX, as s32: an immediate must fit in 32 bits. */
	DEFINE(MSR_NR_FS_BASE, (s32)MSR_IA32_FS_BASE);
	DEFINE(MSR_NR_GS_BASE, (s32)MSR_IA32_GS_BASE);
	DEFINE(MSR_NR_DEBUGCTL, (s32)MSR_IA32_DEBUGCTL);
	DEFINE(MSR_NR_EFER, (s32)MSR_IA32_EFER);
	DEFINE(VMCS_GUEST_RSP, GUEST_RSP);
	DEFINE(VMCS_GUEST_RIP, GUEST_RIP);

	/* trampoline.S: the window, the per-CPU scratch, the config page, the
	 * event it builds for the analyzer, and the exit-mode VMCALL. */
	DEFINE(WIN_CONFIG, FVX_WIN_CONFIG);
	DEFINE(WIN_DATA, FVX_WIN_DATA);
	DEFINE(WIN_GUARD, FVX_WIN_GUARD);
	DEFINE(WIN_TRAMPOLINE_EXIT, FVX_WIN_TRAMPOLINE_EXIT);
	DEFINE(WIN_TRAMPOLINE_RETURN, FVX_WIN_TRAMPOLINE_RETURN);
	DEFINE(WIN_TRAMPOLINE_RETURN_EXIT, FVX_WIN_TRAMPOLINE_RETURN_EXIT);
	DEFINE(WIN_TRAMPOLINE_STRIDE, FVX_WIN_TRAMPOLINE_STRIDE);
	DEFINE(WIN_TRAMPOLINE_INT80, FVX_WIN_TRAMPOLINE_INT80);
	DEFINE(WIN_TRAMPOLINE_SYSENTER, FVX_WIN_TRAMPOLINE_SYSENTER);
	OFFSET(S_USER_RSP, fvx_percpu_scratch, user_rsp);
	OFFSET(S_RAX, fvx_percpu_scratch, rax);
	OFFSET(S_RCX, fvx_percpu_scratch, rcx);
	OFFSET(S_RBX, fvx_percpu_scratch, rbx);
	DEFINE(SCRATCH_SIZE, sizeof(struct fvx_percpu_scratch));
	OFFSET(CFG_FORWARD, fvx_config, forward);
	OFFSET(CFG_FORWARD_INT80, fvx_config, forward_int80);
	OFFSET(CFG_FORWARD_SYSENTER, fvx_config, forward_sysenter);
	OFFSET(CFG_ANALYZER_ENTRY, fvx_config, analyzer_entry);
	OFFSET(CFG_FLAGS, fvx_config, flags);
	DEFINE(CONFIG_RETRY, FVX_CONFIG_RETRY);
	DEFINE(CONFIG_TASK_MARKS, FVX_CONFIG_TASK_MARKS);
	DEFINE(CONFIG_DEFER, FVX_CONFIG_DEFER);
	DEFINE(CONFIG_FAST_SKIP, FVX_CONFIG_FAST_SKIP);
	DEFINE(CONFIG_MEASURE, FVX_CONFIG_MEASURE);
	DEFINE(CONFIG_QUICK, FVX_CONFIG_QUICK);
	DEFINE(RECORD_WHOLE, FVX_RECORD_WHOLE);
	/* The quick calls' bitmap, in 32-bit halves (the assembler's
	 * constants here are 32-bit): numbers below 192 only
	 * (syscall_quick.h). */
	QUICK_HALVES(0);
	QUICK_HALVES(1);
	QUICK_HALVES(2);
	DEFINE(ENTRY_RETRY, FVX_ENTRY_RETRY);
	OFFSET(CFG_RETURN_ENTRY, fvx_config, return_entry);
	OFFSET(CFG_SYSCALLS, fvx_config, filter.syscalls);
	OFFSET(CFG_CURRENT_TASK, fvx_config, task.current_task);
	OFFSET(CFG_TASK_MARK, fvx_config, task.mark);
	OFFSET(CFG_TSC_CALL_TICKS, fvx_config, tsc_call_ticks);
	OFFSET(EV_NR, fvx_event, nr);
	OFFSET(EV_ARGS, fvx_event, args);
	OFFSET(EV_USER_RIP, fvx_event, user_rip);
	OFFSET(EV_CPU, fvx_event, cpu);
	OFFSET(EV_FLAGS, fvx_event, flags);
	OFFSET(EV_CALL_ARGS, fvx_event, call_args);
	/* The trampoline's frame below the saved RFLAGS: user R11 at 0, the
	 * event at 8, rounded so that the analyzer is called 16-byte aligned. */
	DEFINE(TRAMP_FRAME, ((sizeof(struct fvx_event) + 8 + 15) & ~15ULL) + 8);
	/* The return entry's frame: the event at 0, from the aligned stack top,
	 * so that the analyzer is called 16-byte aligned. */
	DEFINE(RETURN_FRAME, (sizeof(struct fvx_event) + 15) & ~15ULL);
	DEFINE(RECORD_RETURN, FVX_RECORD_RETURN);
	DEFINE(RECORD_COMPAT, FVX_RECORD_COMPAT);
	DEFINE(RECORD_TASK, FVX_RECORD_TASK);
	DEFINE(EVENT_REGS_BIT, FVX_EVENT_REGS_BIT);
	DEFINE(PT_REGS_DI, FVX_PT_REGS_DI);
	DEFINE(PT_REGS_SI, FVX_PT_REGS_SI);
	DEFINE(PT_REGS_DX, FVX_PT_REGS_DX);
	DEFINE(PT_REGS_R10, FVX_PT_REGS_R10);
	DEFINE(PT_REGS_R8, FVX_PT_REGS_R8);
	DEFINE(PT_REGS_R9, FVX_PT_REGS_R9);
	DEFINE(VMCALL_MAGIC, FVX_VMCALL_MAGIC);
	DEFINE(VMCALL_TRACE_EVENT, FVX_VMCALL_TRACE_EVENT);
	DEFINE(VMCALL_TRACE_RETURN, FVX_VMCALL_TRACE_RETURN);
	DEFINE(VMCALL_TSC_TRACK, FVX_VMCALL_TSC_TRACK);
	/* The analyzer view's time: CPU 0's slot (FIX_TSC moves each copy's
	 * references to its own CPU's), and the MSR read for the TSC. */
	DEFINE(WIN_TSC_SLOT, FVX_WIN_STACK_TOP(0));
	OFFSET(T_HIDDEN, fvx_tsc_slot, hidden);
	OFFSET(T_START, fvx_tsc_slot, start);
	OFFSET(T_TRACK, fvx_tsc_slot, track);
	DEFINE(MSR_NR_TSC, MSR_IA32_TSC);

	/* root.ld.S: the VMX-root image header. */
	DEFINE(RIH_MAGIC, ROOT_IMAGE_MAGIC);
	DEFINE(RIH_VERSION, ROOT_IMAGE_VERSION);
	DEFINE(RIH_HEADER_SIZE, sizeof(struct root_image_header));
	OFFSET(RIH_OFF_MAGIC, root_image_header, magic);
	OFFSET(RIH_OFF_VERSION, root_image_header, version);
	OFFSET(RIH_OFF_HEADER_SIZE, root_image_header, header_size);
	OFFSET(RIH_OFF_IMAGE_SIZE, root_image_header, image_size);
	OFFSET(RIH_OFF_TEXT_END, root_image_header, text_end);
	OFFSET(RIH_OFF_RELA_OFFSET, root_image_header, rela_offset);
	OFFSET(RIH_OFF_RELA_SIZE, root_image_header, rela_size);
	OFFSET(RIH_OFF_EXIT_STUB, root_image_header, exit_stub);
	OFFSET(RIH_OFF_IDT_STUBS, root_image_header, idt_stubs);
	DEFINE(HOST_IDT_STUB_SIZE, ARCH_HOST_IDT_STUB_SIZE);

	/* fvxa.ld.S: the analyzer image header. */
	DEFINE(FVXA_MAGIC, FVX_ANALYZER_MAGIC);
	DEFINE(FVXA_VERSION, FVX_ANALYZER_VERSION);
	DEFINE(FVXA_HEADER_SIZE, sizeof(struct fvx_analyzer_header));
	OFFSET(FVXA_OFF_MAGIC, fvx_analyzer_header, magic);
	OFFSET(FVXA_OFF_VERSION, fvx_analyzer_header, version);
	OFFSET(FVXA_OFF_HEADER_SIZE, fvx_analyzer_header, header_size);
	OFFSET(FVXA_OFF_IMAGE_SIZE, fvx_analyzer_header, image_size);
	OFFSET(FVXA_OFF_ENTRY, fvx_analyzer_header, entry);
	OFFSET(FVXA_OFF_FLAGS, fvx_analyzer_header, flags);
	OFFSET(FVXA_OFF_RETURN_ENTRY, fvx_analyzer_header, return_entry);
	OFFSET(FVXA_OFF_NAME, fvx_analyzer_header, name);
}
