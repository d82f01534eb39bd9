/* Control registers: the host owns CR0.PE/NE/PG and CR4.VMXE (guest/host
 * masks); the guest sees CR4.VMXE clear and cannot set it, as on a CPU
 * without VMX. MOV to CR3 exits while the window's page tables are
 * protected (ptprotect.c) and is then done here. XCR0 writes are checked
 * before they reach the CPU. */
#include "exit.h"
#include "../arch/x86/asm.h"

/* Exit qualification for control-register accesses (SDM Table 27-3). */
#define CR_QUAL_CR(q) ((q)&15)
#define CR_QUAL_TYPE(q) (((q) >> 4) & 3)
#define CR_QUAL_GPR(q) (((q) >> 8) & 15)
#define CR_TYPE_MOV_TO 0
#define CR_TYPE_MOV_FROM 1

#define CR4_PCIDE BIT(17)
#define CR3_NOFLUSH BIT(63)

/* What MOV to CR3 would invalidate (SDM 4.10.4.1): without PCIDs, the
 * non-global entries of PCID 0; with PCIDs, those of the new PCID. The
 * guest's entries are tagged with this CPU's VPID, so INVVPID does it: one
 * single-context flush drops them all, global ones too, which is more than
 * the instruction must (allowed: "the processor is always free to
 * invalidate additional entries") and also drops any global translation
 * an attacker left for the window's address. */
static void flush_guest_tlb(const struct vcpu *v)
{
	if (v->hv->caps.ept_vpid & VMX_VPID_INVVPID_SINGLE_CONTEXT)
		arch_invvpid(INVVPID_SINGLE_CONTEXT, vmcs_read16(VIRTUAL_PROCESSOR_ID), 0);
	else
		arch_invvpid(INVVPID_ALL_CONTEXT, 0, 0);
}

/* MOV to CR3 under CR3-load exiting, done as the CPU would (SDM Vol. 2,
 * MOV to control register; 4.10.4.1). The reserved-bit #GP is ours to
 * raise: fault-like VM exits take priority over it (SDM 25.1.1). */
static enum exit_action mov_to_cr3(struct vcpu *v, u64 value)
{
	bool flush = true;
	enum ptp_cr3 tables;

	if (value & CR3_NOFLUSH) {
		/* With CR4.PCIDE, bit 63 asks for no invalidation and is not
		 * written to CR3; without, it is reserved. */
		if (!(vmcs_readl(GUEST_CR4) & CR4_PCIDE)) {
			guest_inject_exception(VECTOR_GP, true, 0);
			return EXIT_RESUME;
		}
		value &= ~CR3_NOFLUSH;
		flush = false;
	}
	/* Bits 62:MAXPHYADDR are reserved (SDM 4.5, Table 4-12). */
	if (value & (~0ULL << v->hv->maxphyaddr)) {
		guest_inject_exception(VECTOR_GP, true, 0);
		return EXIT_RESUME;
	}
	tables = ptp_cr3_load(v, value);
	if (tables == PTP_CR3_REFUSED) {
		guest_inject_exception(VECTOR_GP, true, 0);
		return EXIT_RESUME;
	}
	vmcs_writel(GUEST_CR3, value);
	/* After a repair, nothing cached through the old entries may stay. */
	if (flush || tables == PTP_CR3_REPAIRED)
		flush_guest_tlb(v);
	guest_skip_instruction();
	return EXIT_RESUME;
}

enum exit_action handle_cr_access(struct vcpu *v, struct guest_regs *r)
{
	u64 q = vmcs_readl(EXIT_QUALIFICATION), value;
	const struct vmx_caps *c = &v->hv->caps;

	if (CR_QUAL_TYPE(q) == CR_TYPE_MOV_FROM && CR_QUAL_CR(q) == 3) {
		/* Only where CR3-store exiting cannot be cleared (SDM A.3.2). */
		guest_write_gpr(r, CR_QUAL_GPR(q), vmcs_readl(GUEST_CR3));
		guest_skip_instruction();
		return EXIT_RESUME;
	}
	if (CR_QUAL_TYPE(q) != CR_TYPE_MOV_TO) {
		/* CLTS/LMSW touch only CR0 bits the guest owns, except clearing PE. */
		guest_inject_exception(VECTOR_GP, true, 0);
		return EXIT_RESUME;
	}
	value = guest_read_gpr(r, CR_QUAL_GPR(q));
	switch (CR_QUAL_CR(q)) {
	case 0:
		/* Only a write that changes PE, NE or PG exits: Linux never does. */
		if ((value & c->cr0_fixed0) != (c->cr0_fixed0 & 0xffffffff) ||
		    (value & ~c->cr0_fixed1)) {
			guest_inject_exception(VECTOR_GP, true, 0);
			return EXIT_RESUME;
		}
		vmcs_writel(GUEST_CR0, value);
		vmcs_writel(CR0_READ_SHADOW, value);
		break;
	case 4:
		/* Setting VMXE, or a bit this CPU lacks, is #GP (SDM 2.5). */
		if ((value & CR4_VMXE) || (value & ~c->cr4_fixed1)) {
			guest_inject_exception(VECTOR_GP, true, 0);
			return EXIT_RESUME;
		}
		vmcs_writel(GUEST_CR4, value | c->cr4_fixed0);
		vmcs_writel(CR4_READ_SHADOW, value);
		break;
	case 3: return mov_to_cr3(v, value);
	default: /* CR8 accesses do not exit: the controls are off */
		guest_inject_exception(VECTOR_UD, false, 0);
		return EXIT_RESUME;
	}
	guest_skip_instruction();
	return EXIT_RESUME;
}

/* XSETBV (SDM Vol. 2, XSETBV; 13.3): only XCR0, from ring 0, with a value the
 * CPU supports and the dependencies between components respected. */
enum exit_action handle_xsetbv(struct vcpu *v, struct guest_regs *r)
{
	u64 value = ((r->rdx & 0xffffffff) << 32) | (r->rax & 0xffffffff), supported;
	u32 leaf[4];

	arch_cpuid(0xd, 0, leaf);
	supported = ((u64)leaf[3] << 32) | leaf[0];
	if (guest_cpl() != 0 || (u32)r->rcx != 0 || !(value & BIT(0)) || (value & ~supported) ||
	    ((value & BIT(2)) && !(value & BIT(1))) || ((value & 0xe0) && (value & 0xe0) != 0xe0) ||
	    ((value & 0xe0) && !(value & BIT(2))) || arch_xsetbv_safe(0, value) != 0) {
		guest_inject_exception(VECTOR_GP, true, 0);
		return EXIT_RESUME;
	}
	guest_skip_instruction();
	return EXIT_RESUME;
}
