/* Fills the current VMCS so that the running Linux continues as the guest
 * (late launch): guest state is this CPU's state now, host state is the
 * hypervisor's own (SDM 24.4, 24.5, 26.2-26.3 for what VM entry checks). */
#include "vmcs_setup.h"
#include "../arch/x86/asm.h"
#include "../arch/x86/vmcs.h"

static u32 segment_ar(u16 sel)
{
	u32 ar;

	if (!(sel & ~3) || !arch_lar(sel, &ar))
		return SEGMENT_AR_UNUSABLE; /* null: DPL 0, which is the CPL for SS */
	return (ar >> 8) & 0xf0ff;
}

static void guest_segment(enum vmcs_segment s, u16 sel, u64 base)
{
	u32 ar = segment_ar(sel);

	if (s == SEG_SS)
		ar = segment_ar_ss(ar); /* as after every exit (exit.c) */
	if (ar & SEGMENT_AR_UNUSABLE)
		vmcs_write_segment(s, sel, base, 0, ar);
	else
		vmcs_write_segment(s, sel, base, arch_lsl(sel), ar);
}

/* Base of a 16-byte system descriptor (SDM 7.2.3). */
static u64 system_descriptor_base(const struct descriptor_table *gdt, u16 sel)
{
	const u64 *d = (const u64 *)(gdt->base + (sel & ~7));

	return ((d[0] >> 16) & 0xffffff) | ((d[0] >> 56) << 24) | (d[1] << 32);
}

/* Execution, exit and entry controls (SDM 24.6-24.8). Every field the
 * controls make meaningful is written, even where 0 is the value. */
static void setup_controls(const struct hv *hv, const struct vcpu *v, u64 cr4)
{
	const struct vmx_caps *c = &hv->caps;

	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, hv->ctls.pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, hv->ctls.proc);
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, hv->ctls.proc2);
	vmcs_write32(VM_EXIT_CONTROLS, hv->ctls.exit);
	vmcs_write32(VM_ENTRY_CONTROLS, hv->ctls.entry);
	vmcs_write32(EXCEPTION_BITMAP, 0);
	/* With #PF not in the bitmap, mask 0 / match 0 means no #PF exits
	 * whatever the error code (SDM 25.2). */
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write64(MSR_BITMAP, hv_pa(hv, hv->msr_bitmap));
	if (hv->ctls.proc2 & SECONDARY_EXEC_XSAVES)
		vmcs_write64(XSS_EXIT_BITMAP, 0); /* XSAVES/XRSTORS never exit */
	vmcs_write64(EPT_POINTER, hv->eptp);
	/* VMFUNC leaf 0 switches between the two views (SDM 25.5.6.3). */
	vmcs_write64(VM_FUNCTION_CONTROL, VMX_VMFUNC_EPTP_SWITCHING);
	vmcs_write64(EPTP_LIST_ADDRESS, hv_pa(hv, hv->eptp_list));
	vmcs_write16(EPTP_INDEX, 0);
	vmcs_write16(VIRTUAL_PROCESSOR_ID, v->index + 1); /* 0 is the host's */
	/* The host owns the CR0 bits VMX fixes and CR4.VMXE; the guest reads
	 * its own values of them from the shadows (SDM 25.3). */
	vmcs_writel(CR0_GUEST_HOST_MASK, c->cr0_fixed0 & 0xffffffff);
	vmcs_writel(CR0_READ_SHADOW, arch_read_cr0());
	vmcs_writel(CR4_GUEST_HOST_MASK, c->cr4_fixed0 | CR4_VMXE);
	vmcs_writel(CR4_READ_SHADOW, cr4 & ~CR4_VMXE);
}

/* Guest state: this CPU as it is now (RSP/RIP: arch_vmx_launch). */
static void setup_guest_state(const struct descriptor_table *gdtr,
			      const struct descriptor_table *idtr, u16 tr, u64 cr4)
{
	vmcs_writel(GUEST_CR0, arch_read_cr0());
	vmcs_writel(GUEST_CR3, arch_read_cr3());
	vmcs_writel(GUEST_CR4, cr4);
	vmcs_writel(GUEST_DR7, arch_read_dr7());
	vmcs_writel(GUEST_RFLAGS, arch_read_rflags());
	guest_segment(SEG_ES, arch_read_es(), 0);
	guest_segment(SEG_CS, arch_read_cs(), 0);
	guest_segment(SEG_SS, arch_read_ss(), 0);
	guest_segment(SEG_DS, arch_read_ds(), 0);
	guest_segment(SEG_FS, arch_read_fs(), arch_rdmsr(MSR_IA32_FS_BASE));
	guest_segment(SEG_GS, arch_read_gs(), arch_rdmsr(MSR_IA32_GS_BASE));
	guest_segment(SEG_LDTR, arch_read_ldtr(), 0);
	vmcs_write_segment(SEG_TR, tr, system_descriptor_base(gdtr, tr), arch_lsl(tr),
			   segment_ar(tr));
	vmcs_writel(GUEST_GDTR_BASE, gdtr->base);
	vmcs_write32(GUEST_GDTR_LIMIT, gdtr->limit);
	vmcs_writel(GUEST_IDTR_BASE, idtr->base);
	vmcs_write32(GUEST_IDTR_LIMIT, idtr->limit);
	vmcs_write64(GUEST_IA32_DEBUGCTL, arch_rdmsr(MSR_IA32_DEBUGCTL));
	vmcs_write64(GUEST_IA32_PAT, arch_rdmsr(MSR_IA32_PAT));
	vmcs_write64(GUEST_IA32_EFER, arch_rdmsr(MSR_IA32_EFER));
	vmcs_write32(GUEST_SYSENTER_CS, arch_rdmsr(MSR_IA32_SYSENTER_CS));
	vmcs_writel(GUEST_SYSENTER_ESP, arch_rdmsr(MSR_IA32_SYSENTER_ESP));
	vmcs_writel(GUEST_SYSENTER_EIP, arch_rdmsr(MSR_IA32_SYSENTER_EIP));
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, 0);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

/* Host state: the hypervisor's page tables, GDT, IDT, TSS and stack; %fs
 * points at the vcpu. Selectors need RPL = TI = 0 (SDM 26.2.3). No CET in
 * VMX root, whose image has no ENDBR64: every exit loads CR4 from the host
 * field (SDM 27.5.1). */
static void setup_host_state(const struct hv *hv, struct vcpu *v, u16 tr, u64 cr4)
{
	vmcs_writel(HOST_CR0, arch_read_cr0());
	vmcs_writel(HOST_CR3, v->host_cr3);
	vmcs_writel(HOST_CR4, cr4 & ~CR4_CET);
	vmcs_write16(HOST_CS_SELECTOR, arch_read_cs() & ~7);
	vmcs_write16(HOST_SS_SELECTOR, arch_read_ss() & ~7);
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, tr & ~7);
	vmcs_writel(HOST_FS_BASE, (u64)v);
	vmcs_writel(HOST_GS_BASE, arch_rdmsr(MSR_IA32_GS_BASE));
	vmcs_writel(HOST_TR_BASE, (u64)v->tss);
	vmcs_writel(HOST_GDTR_BASE, (u64)v->gdt);
	vmcs_writel(HOST_IDTR_BASE, (u64)hv->idt);
	vmcs_write32(HOST_IA32_SYSENTER_CS, arch_rdmsr(MSR_IA32_SYSENTER_CS));
	vmcs_writel(HOST_IA32_SYSENTER_ESP, arch_rdmsr(MSR_IA32_SYSENTER_ESP));
	vmcs_writel(HOST_IA32_SYSENTER_EIP, arch_rdmsr(MSR_IA32_SYSENTER_EIP));
	vmcs_write64(HOST_IA32_PAT, arch_rdmsr(MSR_IA32_PAT));
	vmcs_write64(HOST_IA32_EFER, arch_rdmsr(MSR_IA32_EFER));
	/* The vcpu pointer sits at HOST_RSP, 16-byte aligned (vmx_entry.S). */
	*(struct vcpu **)(v->stack + HOST_STACK_PAGES * PAGE_SIZE_4K - 16) = v;
	vmcs_writel(HOST_RSP, (u64)(v->stack + HOST_STACK_PAGES * PAGE_SIZE_4K - 16));
	vmcs_writel(HOST_RIP, hv->root.exit_stub); /* arch_vmx_exit_stub in the root image */
}

void vmcs_setup(const struct hv *hv, struct vcpu *v)
{
	struct descriptor_table gdtr, idtr;
	u64 cr4 = arch_read_cr4();
	u16 tr = arch_read_tr();

	arch_sgdt(&gdtr);
	arch_sidt(&idtr);
	setup_controls(hv, v, cr4);
	setup_guest_state(&gdtr, &idtr, tr, cr4);
	/* Linux's tables, which the traced path relies on (dt.c). */
	v->dt.table[DT_GDT] = (struct dt_table){ gdtr.base, gdtr.limit };
	v->dt.table[DT_IDT] = (struct dt_table){ idtr.base, idtr.limit };
	v->dt.tr = tr;
	v->dt.tr_base = system_descriptor_base(&gdtr, tr);
	v->dt.tr_limit = arch_lsl(tr);
	v->dt.tr_ar = segment_ar(tr);
	setup_host_state(hv, v, tr, cr4);
}
