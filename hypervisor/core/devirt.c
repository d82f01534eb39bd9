/* Leaving VMX on one CPU: VMX root only */
#include "exit.h"
#include "../arch/x86/asm.h"

#define CR4_VMXE BIT(13)

/* VMX root: leave VMX on this CPU and continue the guest natively with the
 * state it had at the VMCALL (SDM 31.4: VMXOFF leaves guest state as is). */
void vcpu_devirtualize(struct vcpu *v, struct guest_regs *r)
{
	struct descriptor_table gdtr, idtr;
	u64 rip = vmcs_readl(GUEST_RIP), rflags = vmcs_readl(GUEST_RFLAGS);
	u64 cr0 = vmcs_readl(GUEST_CR0), cr3 = vmcs_readl(GUEST_CR3), cr4 = vmcs_readl(GUEST_CR4);
	u64 fs_base = vmcs_readl(GUEST_FS_BASE), gs_base = vmcs_readl(GUEST_GS_BASE);
	u64 dr7 = vmcs_readl(GUEST_DR7), debugctl = vmcs_read64(GUEST_IA32_DEBUGCTL);
	u16 ds = vmcs_read16(GUEST_DS_SELECTOR), es = vmcs_read16(GUEST_ES_SELECTOR);
	u16 fs = vmcs_read16(GUEST_FS_SELECTOR), gs = vmcs_read16(GUEST_GS_SELECTOR);
	u16 ss = vmcs_read16(GUEST_SS_SELECTOR);

	gdtr.base = vmcs_readl(GUEST_GDTR_BASE);
	gdtr.limit = vmcs_read32(GUEST_GDTR_LIMIT);
	idtr.base = vmcs_readl(GUEST_IDTR_BASE);
	idtr.limit = vmcs_read32(GUEST_IDTR_LIMIT);
	r->rsp = vmcs_readl(GUEST_RSP);

	arch_wrmsr(MSR_IA32_LSTAR, v->guest_lstar); /* tracing ends with the hypervisor */
	arch_vmclear(hv_pa(v->hv, v->vmcs));
	arch_vmxoff();
	arch_write_cr4(cr4 & ~CR4_VMXE);
	arch_write_cr0(cr0);
	arch_write_cr3(cr3);
	arch_lgdt(&gdtr);
	arch_lidt(&idtr);
	arch_load_ds(ds);
	arch_load_es(es);
	arch_load_ss(ss);
	arch_load_fs(fs);
	arch_load_gs(gs);
	arch_wrmsr(MSR_IA32_FS_BASE, fs_base);
	arch_wrmsr(MSR_IA32_GS_BASE, gs_base);
	arch_wrmsr(MSR_IA32_DEBUGCTL, debugctl);
	arch_write_dr7(dr7);
	arch_return_to_guest(r, rip, rflags);
}
