/* VMX capability decoding and control computation (SDM Appendix A).
 * Pure: runs in the loader before launch, in the doctor command, and in the
 * host unit tests. */
#include "caps.h"

enum fvx_status vmx_caps_read(struct vmx_caps *caps, bool cpuid_vmx, rdmsr_fn rdmsr, void *ctx)
{
	bool true_ctls;

	*caps = (struct vmx_caps){ .cpuid_vmx = cpuid_vmx };
	if (!cpuid_vmx)
		return FVX_ERR_UNSUPPORTED;
	if (!rdmsr(ctx, MSR_IA32_FEATURE_CONTROL, &caps->feature_control) ||
	    !rdmsr(ctx, MSR_IA32_VMX_BASIC, &caps->basic))
		return FVX_ERR_UNSUPPORTED;
	true_ctls = caps->basic & VMX_BASIC_TRUE_CTLS;
	/* SDM A.3.1: with TRUE_* MSRs, the "default1" controls may be cleared. */
	if (!rdmsr(ctx, true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS,
		   &caps->pin) ||
	    !rdmsr(ctx, true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS,
		   &caps->proc) ||
	    !rdmsr(ctx, true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
		   &caps->exit) ||
	    !rdmsr(ctx, true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS,
		   &caps->entry) ||
	    !rdmsr(ctx, MSR_IA32_VMX_MISC, &caps->misc) ||
	    !rdmsr(ctx, MSR_IA32_VMX_CR0_FIXED0, &caps->cr0_fixed0) ||
	    !rdmsr(ctx, MSR_IA32_VMX_CR0_FIXED1, &caps->cr0_fixed1) ||
	    !rdmsr(ctx, MSR_IA32_VMX_CR4_FIXED0, &caps->cr4_fixed0) ||
	    !rdmsr(ctx, MSR_IA32_VMX_CR4_FIXED1, &caps->cr4_fixed1))
		return FVX_ERR_UNSUPPORTED;
	/* SDM A.3.3: PROCBASED_CTLS2 exists only if secondary controls can be activated. */
	if (vmx_ctl_may_set(caps->proc, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) &&
	    !rdmsr(ctx, MSR_IA32_VMX_PROCBASED_CTLS2, &caps->proc2))
		return FVX_ERR_UNSUPPORTED;
	/* SDM A.10: EPT_VPID_CAP exists if EPT or VPID can be enabled. */
	if ((vmx_ctl_may_set(caps->proc2, SECONDARY_EXEC_ENABLE_EPT) ||
	     vmx_ctl_may_set(caps->proc2, SECONDARY_EXEC_ENABLE_VPID)) &&
	    !rdmsr(ctx, MSR_IA32_VMX_EPT_VPID_CAP, &caps->ept_vpid))
		return FVX_ERR_UNSUPPORTED;
	/* SDM A.11: VMFUNC exists if "enable VM functions" can be set. */
	if (vmx_ctl_may_set(caps->proc2, SECONDARY_EXEC_ENABLE_VMFUNC) &&
	    !rdmsr(ctx, MSR_IA32_VMX_VMFUNC, &caps->vmfunc))
		return FVX_ERR_UNSUPPORTED;
	return FVX_OK;
}

static bool has_vmx_enabled(const struct vmx_caps *c)
{
	/* SDM 24.7: VMXON needs bit 2 set once the MSR is locked; an unlocked
	 * MSR is set and locked by the loader. */
	if (!c->cpuid_vmx)
		return false;
	if (!(c->feature_control & FEATURE_CONTROL_LOCKED))
		return true;
	return c->feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX;
}

#define PROC2_FEATURE(fn, bit)                                                                     \
	static bool fn(const struct vmx_caps *c)                                                   \
	{                                                                                          \
		return vmx_ctl_may_set(c->proc, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) &&          \
		       vmx_ctl_may_set(c->proc2, bit);                                             \
	}
#define PROC_FEATURE(fn, bit)                                                                      \
	static bool fn(const struct vmx_caps *c)                                                   \
	{                                                                                          \
		return vmx_ctl_may_set(c->proc, bit);                                              \
	}
#define EPT_FEATURE(fn, bit)                                                                       \
	static bool fn(const struct vmx_caps *c)                                                   \
	{                                                                                          \
		return has_ept(c) && (c->ept_vpid & (bit)) == (bit);                               \
	}
#define VPID_FEATURE(fn, bit)                                                                      \
	static bool fn(const struct vmx_caps *c)                                                   \
	{                                                                                          \
		return has_vpid(c) && (c->ept_vpid & (bit)) == (bit);                              \
	}

PROC2_FEATURE(has_ept, SECONDARY_EXEC_ENABLE_EPT)
PROC2_FEATURE(has_vpid, SECONDARY_EXEC_ENABLE_VPID)
PROC2_FEATURE(has_unrestricted_guest, SECONDARY_EXEC_UNRESTRICTED_GUEST)
PROC2_FEATURE(has_vmfunc, SECONDARY_EXEC_ENABLE_VMFUNC)
PROC2_FEATURE(has_desc_table_exiting, SECONDARY_EXEC_DESC_TABLE_EXITING)
PROC2_FEATURE(has_ept_ve, SECONDARY_EXEC_EPT_VIOLATION_VE)
PROC2_FEATURE(has_tsc_scaling, SECONDARY_EXEC_TSC_SCALING)
PROC_FEATURE(has_rdtsc_exiting, CPU_BASED_RDTSC_EXITING)
PROC_FEATURE(has_tsc_offsetting, CPU_BASED_USE_TSC_OFFSETTING)
PROC_FEATURE(has_msr_bitmaps, CPU_BASED_USE_MSR_BITMAPS)
PROC_FEATURE(has_cr3_load_exiting, CPU_BASED_CR3_LOAD_EXITING)
PROC_FEATURE(has_mtf, CPU_BASED_MONITOR_TRAP_FLAG)
EPT_FEATURE(has_ept_4level, VMX_EPT_PAGE_WALK_4)
EPT_FEATURE(has_ept_wb, VMX_EPT_MEMTYPE_WB)
EPT_FEATURE(has_ept_2m, VMX_EPT_2MB_PAGE)
EPT_FEATURE(has_ept_1g, VMX_EPT_1GB_PAGE)
EPT_FEATURE(has_ept_ad, VMX_EPT_AD)
EPT_FEATURE(has_ept_xonly, VMX_EPT_EXECUTE_ONLY)
EPT_FEATURE(has_invept_all, VMX_EPT_INVEPT | VMX_EPT_INVEPT_ALL_CONTEXT)
EPT_FEATURE(has_invept_single, VMX_EPT_INVEPT | VMX_EPT_INVEPT_SINGLE_CONTEXT)
VPID_FEATURE(has_invvpid_all, VMX_VPID_INVVPID | VMX_VPID_INVVPID_ALL_CONTEXT)
VPID_FEATURE(has_invvpid_single, VMX_VPID_INVVPID | VMX_VPID_INVVPID_SINGLE_CONTEXT)
VPID_FEATURE(has_invvpid_addr, VMX_VPID_INVVPID | VMX_VPID_INVVPID_ADDR)

static bool has_eptp_switching(const struct vmx_caps *c)
{
	return has_vmfunc(c) && (c->vmfunc & VMX_VMFUNC_EPTP_SWITCHING);
}

static bool has_preemption_timer(const struct vmx_caps *c)
{
	return vmx_ctl_may_set(c->pin, PIN_BASED_VMX_PREEMPTION_TIMER);
}

static bool has_wb_vmcs(const struct vmx_caps *c)
{
	return VMX_BASIC_MEMTYPE(c->basic) == 6; /* SDM A.1: 6 = write-back */
}

const struct vmx_feature vmx_features[] = {
	{ "VMX enabled by firmware", "VMXON (IA32_FEATURE_CONTROL)", true, has_vmx_enabled },
	{ "write-back VMCS memory", "VMXON region and VMCS in ordinary memory", true, has_wb_vmcs },
	{ "EPT", "guest-physical isolation and the two views", true, has_ept },
	{ "4-level EPT", "EPT page walk of length 4", true, has_ept_4level },
	{ "EPT write-back type", "EPT paging structures in write-back memory", true, has_ept_wb },
	{ "2 MiB EPT pages", "identity map of guest memory", true, has_ept_2m },
	{ "1 GiB EPT pages", "identity map of guest memory with fewer tables", false, has_ept_1g },
	{ "EPT execute-only", "entry trampoline page mapped execute-only", false, has_ept_xonly },
	{ "EPT A/D flags", "not used", false, has_ept_ad },
	{ "INVEPT all-context", "flushing EPT translations after a view change", true,
	  has_invept_all },
	{ "INVEPT single-context", "flushing one view", false, has_invept_single },
	{ "VPID", "keeping guest TLB entries across VM exits", true, has_vpid },
	{ "INVVPID all-context", "flushing guest TLB entries", true, has_invvpid_all },
	{ "INVVPID single-context", "flushing one VPID", false, has_invvpid_single },
	{ "INVVPID individual-address", "flushing one page", false, has_invvpid_addr },
	{ "unrestricted guest", "not needed: the guest is already in long mode", false,
	  has_unrestricted_guest },
	{ "VMFUNC", "exit-less view switch on every system call", true, has_vmfunc },
	{ "EPTP switching", "VMFUNC leaf 0 (IA32_VMX_VMFUNC bit 0)", true, has_eptp_switching },
	{ "EPT-violation #VE", "not used", false, has_ept_ve },
	{ "RDTSC exiting", "hiding the analyzer's time from traced processes' RDTSC", false,
	  has_rdtsc_exiting },
	{ "TSC offsetting", "timing transparency", true, has_tsc_offsetting },
	{ "TSC scaling", "not used", false, has_tsc_scaling },
	{ "MSR bitmaps", "virtualising IA32_LSTAR without exits on other MSRs", true,
	  has_msr_bitmaps },
	{ "CR3-load exiting", "checking the analyzer's page-table entries", true,
	  has_cr3_load_exiting },
	{ "descriptor-table exiting", "keeping Linux's IDT, GDT and TSS under the traced path",
	  true, has_desc_table_exiting },
	{ "monitor trap flag", "not used", false, has_mtf },
	{ "VMX preemption timer", "keeping the CPUs' TSCs together (with MWAIT exiting)", false,
	  has_preemption_timer },
};
const unsigned int vmx_feature_count = ARRAY_LEN(vmx_features);

const struct vmx_feature *vmx_caps_first_missing(const struct vmx_caps *caps)
{
	unsigned int i;

	for (i = 0; i < vmx_feature_count; i++)
		if (vmx_features[i].required && !vmx_features[i].present(caps))
			return &vmx_features[i];
	return NULL;
}

/* SDM A.3.1: bits 31:0 are the allowed 0-settings (1 = must be 1),
 * bits 63:32 the allowed 1-settings (0 = must be 0). */
static u32 adjust(u64 cap, u32 want, u32 *refused)
{
	u32 must_be_1 = (u32)cap, may_be_1 = (u32)(cap >> 32);

	*refused = want & ~may_be_1;
	return (want & may_be_1) | must_be_1;
}

enum fvx_status vmx_controls_compute(const struct vmx_caps *caps, const struct vmx_controls *want,
				     struct vmx_controls *out, struct vmx_controls *refused)
{
	out->pin = adjust(caps->pin, want->pin, &refused->pin);
	out->proc = adjust(caps->proc, want->proc, &refused->proc);
	out->exit = adjust(caps->exit, want->exit, &refused->exit);
	out->entry = adjust(caps->entry, want->entry, &refused->entry);
	if (out->proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) {
		out->proc2 = adjust(caps->proc2, want->proc2, &refused->proc2);
	} else {
		/* SDM 26.2.1.1: without secondary controls they act as all zero. */
		out->proc2 = 0;
		refused->proc2 = want->proc2;
	}
	if (refused->pin | refused->proc | refused->proc2 | refused->exit | refused->entry)
		return FVX_ERR_UNSUPPORTED;
	return FVX_OK;
}

void vmx_controls_wanted(bool cpu_has_rdtscp, bool cpu_has_invpcid, bool cpu_has_xsaves,
			 struct vmx_controls *want)
{
	want->pin = 0; /* interrupts and NMIs go straight to the guest */
	/* No CR3-load or descriptor-table exiting at launch: ptprotect.c
	 * turns them on per CPU once the window is configured (they are
	 * required, so they can be). */
	want->proc = CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS |
		     CPU_BASED_USE_TSC_OFFSETTING; /* tsc.c */
	want->proc2 = SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID |
		      (cpu_has_rdtscp ? SECONDARY_EXEC_ENABLE_RDTSCP : 0) |
		      (cpu_has_invpcid ? SECONDARY_EXEC_ENABLE_INVPCID : 0) |
		      (cpu_has_xsaves ? SECONDARY_EXEC_XSAVES : 0) | SECONDARY_EXEC_ENABLE_VMFUNC;
	want->exit = VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_DEBUG_CONTROLS |
		     VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT | VM_EXIT_SAVE_IA32_EFER |
		     VM_EXIT_LOAD_IA32_EFER;
	want->entry = VM_ENTRY_IA32E_MODE | VM_ENTRY_LOAD_DEBUG_CONTROLS | VM_ENTRY_LOAD_IA32_PAT |
		      VM_ENTRY_LOAD_IA32_EFER;
}
