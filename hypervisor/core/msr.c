/* RDMSR/WRMSR: the VMX capability MSRs behave as on a CPU without VMX,
 * IA32_FEATURE_CONTROL agrees with them, and IA32_LSTAR is virtualised (the
 * guest reads what it wrote; the real MSR may point at the trampoline).
 * Everything else passes through. VMX root only (which MSRs exit at all:
 * msr_bitmap.c). */
#include "msr.h"
#include "exit.h"
#include "trace_ctl.h"

#define FMASK_REQUIRED (BIT(9) | BIT(8)) /* RFLAGS.IF, RFLAGS.TF */
#include "../arch/x86/asm.h"

static bool is_vmx_capability(u32 msr)
{
	return msr >= MSR_IA32_VMX_BASIC && msr <= MSR_IA32_VMX_VMFUNC;
}

enum exit_action handle_msr_read(struct vcpu *v, struct guest_regs *r)
{
	u32 msr = (u32)r->rcx;
	u64 value;

	if (msr == MSR_IA32_LSTAR) {
		value = v->guest_lstar;
	} else if (msr == MSR_IA32_FMASK) {
		value = v->guest_fmask;
	} else if (is_vmx_capability(msr) || arch_rdmsr_safe(msr, &value) != 0) {
		guest_inject_exception(VECTOR_GP, true, 0);
		return EXIT_RESUME;
	}
	if (msr == MSR_IA32_FEATURE_CONTROL)
		value &= ~(FEATURE_CONTROL_VMX_INSIDE_SMX | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	r->rax = (u32)value;
	r->rdx = value >> 32;
	guest_skip_instruction();
	return EXIT_RESUME;
}

enum exit_action handle_msr_write(struct vcpu *v, struct guest_regs *r)
{
	u32 msr = (u32)r->rcx;
	u64 value = ((r->rdx & 0xffffffff) << 32) | (r->rax & 0xffffffff);

	if (msr == MSR_IA32_LSTAR) {
		if (value >> 47 != 0x1ffff) { /* not a canonical kernel address */
			guest_inject_exception(VECTOR_GP, true, 0);
			return EXIT_RESUME;
		}
		v->guest_lstar = value;
		trace_lstar_changed(v);
		guest_skip_instruction();
		return EXIT_RESUME;
	}
	if (msr == MSR_IA32_FMASK) {
		/* The guest keeps its own value; the real one always clears IF
		 * and TF, which the trampoline needs (SYSCALL: RFLAGS &= ~FMASK). */
		if (arch_wrmsr_safe(msr, value | FMASK_REQUIRED) != 0) {
			guest_inject_exception(VECTOR_GP, true, 0);
			return EXIT_RESUME;
		}
		v->guest_fmask = value;
		guest_skip_instruction();
		return EXIT_RESUME;
	}
	/* IA32_FEATURE_CONTROL is locked (SDM 24.7) and the VMX MSRs are read-only. */
	if (msr == MSR_IA32_FEATURE_CONTROL || is_vmx_capability(msr) ||
	    arch_wrmsr_safe(msr, value) != 0) {
		guest_inject_exception(VECTOR_GP, true, 0);
		return EXIT_RESUME;
	}
	guest_skip_instruction();
	return EXIT_RESUME;
}
