/* Control registers: the host owns CR0.PE/NE/PG and CR4.VMXE (guest/host
 * masks); the guest sees CR4.VMXE clear and cannot set it, as on a CPU
 * without VMX. XCR0 writes are checked before they reach the CPU. */
#include "exit.h"
#include "../arch/x86/asm.h"

/* Exit qualification for control-register accesses (SDM Table 27-3). */
#define CR_QUAL_CR(q) ((q)&15)
#define CR_QUAL_TYPE(q) (((q) >> 4) & 3)
#define CR_QUAL_GPR(q) (((q) >> 8) & 15)
#define CR_TYPE_MOV_TO 0

enum exit_action handle_cr_access(struct vcpu *v, struct guest_regs *r)
{
	u64 q = vmcs_readl(EXIT_QUALIFICATION), value;
	const struct vmx_caps *c = &v->hv->caps;

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
	default: /* CR3 and CR8 accesses do not exit: the controls are off */
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
