/* RDMSR/WRMSR: the VMX capability MSRs behave as on a CPU without VMX,
 * IA32_FEATURE_CONTROL agrees with them, and the syscall-path MSRs are
 * virtualised: the guest reads what it wrote, while the CPU keeps what the
 * traced path needs (LSTAR may point at the trampoline, FMASK always clears
 * IF and TF, EFER.SCE stays set, STAR, CSTAR and SYSENTER_* keep Linux's
 * values from load). Everything else passes through. VMX root only (which
 * MSRs exit at all: msr_bitmap.c). */
#include "msr.h"
#include "exit.h"
#include "log.h"
#include "trace_ctl.h"

#define FMASK_REQUIRED (BIT(9) | BIT(8)) /* RFLAGS.IF, RFLAGS.TF */
#define EFER_WRITABLE (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)
#include "../arch/x86/asm.h"

/* What WRMSR accepts for each shadowed MSR (SDM Vol. 4 Table 2-2, Vol. 2B
 * WRMSR): the bits it keeps (SYSENTER_CS ignores bits 63:32) and whether a
 * non-canonical address raises #GP. */
static const struct {
	const char *name;
	u64 bits;
	bool canonical;
} shadowed_rules[SHADOWED_MSR_COUNT] = {
	[SHADOW_STAR] = { "STAR", ~0ULL, false },
	[SHADOW_CSTAR] = { "CSTAR", ~0ULL, false },
	[SHADOW_SYSENTER_CS] = { "SYSENTER_CS", 0xffffffffULL, false },
	[SHADOW_SYSENTER_ESP] = { "SYSENTER_ESP", ~0ULL, true },
	[SHADOW_SYSENTER_EIP] = { "SYSENTER_EIP", ~0ULL, true },
};

static bool is_vmx_capability(u32 msr)
{
	return msr >= MSR_IA32_VMX_BASIC && msr <= MSR_IA32_VMX_VMFUNC;
}

/* SDM 3.3.7.1: the bits above the highest linear-address bit (47, or 56
 * with 5-level paging) are copies of it. */
static bool is_canonical(u64 address)
{
	unsigned int unused = vmcs_readl(GUEST_CR4) & CR4_LA57 ? 7 : 16;

	return (u64)((s64)(address << unused) >> unused) == address;
}

/* The guest's view of IA32_EFER: the real one with the guest's SCE. */
static u64 guest_efer(const struct vcpu *v)
{
	return (vmcs_read64(GUEST_IA32_EFER) & ~EFER_SCE) | (v->guest_efer_sce ? EFER_SCE : 0);
}

/* A guest write the CPU does not get: counted, and logged a few times. */
static void note_shadowed_write(struct vcpu *v, const char *name, u64 value)
{
	if (v->msr_writes_shadowed++ < 16)
		root_log("cpu %u: WRMSR %s <- %x kept from the CPU at RIP %x\n", (u64)v->index,
			 name, value, vmcs_readl(GUEST_RIP));
}

static enum exit_action refuse(void)
{
	guest_inject_exception(VECTOR_GP, true, 0);
	return EXIT_RESUME;
}

static enum exit_action write_shadowed(struct vcpu *v, unsigned int i, u64 value)
{
	struct msr_shadow *s = &v->shadowed[i];

	if (shadowed_rules[i].canonical && !is_canonical(value))
		return refuse();
	value &= shadowed_rules[i].bits;
	if (value != s->real)
		note_shadowed_write(v, shadowed_rules[i].name, value);
	s->guest = value;
	guest_skip_instruction();
	return EXIT_RESUME;
}

/* SYSCALL enters the trampoline, so the real EFER.SCE stays set; the
 * guest reads back the SCE it wrote. The rest goes to the guest's EFER,
 * which VM entry loads (VM_ENTRY_LOAD_IA32_EFER). LMA is the CPU's (a
 * written LMA is ignored); LME cannot change with paging on (SDM 9.8.5),
 * and the host owns CR0.PG, so it never changes. */
static enum exit_action write_efer(struct vcpu *v, u64 value)
{
	u64 real = vmcs_read64(GUEST_IA32_EFER);

	if ((value & ~EFER_WRITABLE) ||
	    (((value ^ real) & EFER_LME) && (vmcs_readl(GUEST_CR0) & CR0_PG)))
		return refuse();
	if (!(value & EFER_SCE))
		note_shadowed_write(v, "EFER", value);
	v->guest_efer_sce = value & EFER_SCE;
	vmcs_write64(GUEST_IA32_EFER, (value & ~EFER_LMA) | (real & EFER_LMA) | EFER_SCE);
	guest_skip_instruction();
	return EXIT_RESUME;
}

enum exit_action handle_msr_read(struct vcpu *v, struct guest_regs *r)
{
	u32 msr = (u32)r->rcx;
	int i = shadowed_msr_index(msr);
	enum tsc_msr t;
	u64 value;

	if (msr == MSR_IA32_LSTAR) {
		value = v->guest_lstar;
	} else if (msr == MSR_IA32_FMASK) {
		value = v->guest_fmask;
	} else if (msr == MSR_IA32_EFER) {
		value = guest_efer(v);
	} else if (i >= 0) {
		value = v->shadowed[i].guest;
	} else if ((t = tsc_msr_read(v, msr, &value)) != TSC_MSR_OTHER) {
		if (t == TSC_MSR_GP)
			return refuse();
	} else if (is_vmx_capability(msr) || arch_rdmsr_safe(msr, &value) != 0) {
		return refuse();
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
	int i = shadowed_msr_index(msr);
	enum tsc_msr t = tsc_msr_write(v, msr, value);

	if (t != TSC_MSR_OTHER) {
		if (t == TSC_MSR_GP)
			return refuse();
		guest_skip_instruction();
		return EXIT_RESUME;
	}
	if (msr == MSR_IA32_LSTAR) {
		if (value >> 47 != 0x1ffff) /* not a canonical kernel address */
			return refuse();
		v->guest_lstar = value;
		trace_lstar_changed(v);
		guest_skip_instruction();
		return EXIT_RESUME;
	}
	if (msr == MSR_IA32_FMASK) {
		/* The guest keeps its own value; the real one always clears IF
		 * and TF, which the trampoline needs (SYSCALL: RFLAGS &= ~FMASK). */
		if (arch_wrmsr_safe(msr, value | FMASK_REQUIRED) != 0)
			return refuse();
		v->guest_fmask = value;
		guest_skip_instruction();
		return EXIT_RESUME;
	}
	if (msr == MSR_IA32_EFER)
		return write_efer(v, value);
	if (i >= 0)
		return write_shadowed(v, i, value);
	/* IA32_FEATURE_CONTROL is locked (SDM 24.7) and the VMX MSRs are read-only. */
	if (msr == MSR_IA32_FEATURE_CONTROL || is_vmx_capability(msr) ||
	    arch_wrmsr_safe(msr, value) != 0)
		return refuse();
	guest_skip_instruction();
	return EXIT_RESUME;
}
