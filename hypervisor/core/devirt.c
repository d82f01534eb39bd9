/* Leaving VMX on one CPU (after the UNLOAD VMCALL): VMX root up to VMXOFF.
 * The steps after it run in the loader (arch_leave_vmx), because switching
 * to the guest's page tables needs code that they map too, and the root
 * image is mapped only by the host's. */
#include "exit.h"
#include "host.h"
#include "../arch/x86/asm.h"

/* Continue the guest natively with the state it had at the VMCALL (SDM
 * 31.4: VMXOFF leaves guest state as is).
 *
 * The syscall-path MSRs keep their real values, not the guest's shadows
 * (msr.c): a write the hypervisor kept from the CPU must not take effect
 * because it left, or unloading would hand a ring-0 attacker the entry
 * paths it was refused. So EFER is GUEST_IA32_EFER (SCE set, NXE as the
 * guest wrote it); STAR and CSTAR were never written; SYSENTER_* hold the
 * host fields VM exit loaded, which are Linux's values from load, as the
 * guest fields are. LSTAR and FMASK go back to the guest's own: their real
 * values belong to tracing, which ends here, and the guest may change them
 * (only their trampoline-side effect is enforced). */
void vcpu_devirtualize(struct vcpu *v, struct guest_regs *r)
{
	const struct hv *hv = v->hv;
	const struct descriptor_table leave_idt = { .limit = sizeof(hv->leave_idt) - 1,
						    .base = (u64)hv->leave_idt };
	u64 cr0 = vmcs_readl(GUEST_CR0), cr4 = vmcs_readl(GUEST_CR4);
	bool pending;
	struct leave_state s = {
		.rip = vmcs_readl(GUEST_RIP),
		.rflags = vmcs_readl(GUEST_RFLAGS),
		.cr3 = vmcs_readl(GUEST_CR3),
		.fs_base = vmcs_readl(GUEST_FS_BASE),
		.gs_base = vmcs_readl(GUEST_GS_BASE),
		.debugctl = vmcs_read64(GUEST_IA32_DEBUGCTL),
		.dr7 = dr_guest_dr7(v),
		.efer = vmcs_read64(GUEST_IA32_EFER),
		.gdtr_limit = vmcs_read32(GUEST_GDTR_LIMIT),
		.gdtr_base = vmcs_readl(GUEST_GDTR_BASE),
		.idtr_limit = vmcs_read32(GUEST_IDTR_LIMIT),
		.idtr_base = dt_guest_idt_base(v), /* never the window's */
		.ds = vmcs_read16(GUEST_DS_SELECTOR),
		.es = vmcs_read16(GUEST_ES_SELECTOR),
		.fs = vmcs_read16(GUEST_FS_SELECTOR),
		.gs = vmcs_read16(GUEST_GS_SELECTOR),
		.ss = vmcs_read16(GUEST_SS_SELECTOR),
	};

	r->rsp = vmcs_readl(GUEST_RSP);
	/* The guest's TSC goes on from where it is: the CPU's TSC takes the
	 * offset, and the guest's deadline is in that time again (tsc.c). */
	pending = v->tsc.deadline && v->tsc.armed > arch_rdtsc(); /* not fired yet */
	arch_wrmsr(MSR_IA32_TSC, arch_rdtsc() + vmcs_read64(TSC_OFFSET));
	if (pending)
		arch_wrmsr(MSR_IA32_TSC_DEADLINE, v->tsc.deadline);
	arch_wrmsr(MSR_IA32_LSTAR, v->guest_lstar); /* tracing ends with the hypervisor */
	arch_wrmsr(MSR_IA32_FMASK, v->guest_fmask);
	arch_vmclear(hv_pa(hv, v->vmcs));
	arch_vmxoff();
	cr4 &= ~CR4_VMXE;
	arch_write_cr4(cr4);
	arch_write_cr0(cr0);
	/* Out of VMX root: the loader's code becomes executable on this CPU.
	 * Toggling CR4.PGE flushes every TLB and paging-structure cache entry
	 * (SDM 4.10.4.1), so no entry still says NX. */
	host_kernel_half_executable(v);
	arch_write_cr4(cr4 ^ CR4_PGE);
	arch_write_cr4(cr4);
	/* An NMI from here until the guest's IDT is back must not need the
	 * root image, which the guest's page tables do not map. */
	arch_lidt(&leave_idt);
	hv->leave_vmx(r, &s);
}
