/* VMX capabilities: read once from the capability MSRs, tested with small
 * predicates, and turned into VM-execution control values. Pure logic: the
 * hypervisor, the doctor command and the unit tests share it. */
#ifndef FVX_CORE_CAPS_H
#define FVX_CORE_CAPS_H

#include "../types.h"
#include "../status.h"
#include "../arch/x86/vmx.h"

struct vmx_caps {
	bool cpuid_vmx; /* CPUID.01H:ECX.VMX[bit 5] */
	u64 feature_control;
	u64 basic;
	u64 misc;
	/* Effective control MSRs: the TRUE_* ones when VMX_BASIC[55] says so. */
	u64 pin, proc, proc2, exit, entry;
	u64 ept_vpid;
	u64 vmfunc;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

/* Reads one MSR; false when the MSR does not exist (#GP on hardware). */
typedef bool (*rdmsr_fn)(void *ctx, u32 msr, u64 *value);

/* Fills caps; MSRs the CPU does not enumerate are left 0. */
enum fvx_status vmx_caps_read(struct vmx_caps *caps, bool cpuid_vmx, rdmsr_fn rdmsr, void *ctx);

/* A control bit may be 1 when set in the high half of its capability MSR
 * and may be 0 when clear in the low half (SDM A.3.1). */
static inline bool vmx_ctl_may_set(u64 cap, u32 bit)
{
	return (cap >> 32) & bit;
}

struct vmx_feature {
	const char *name;
	const char *use; /* what FastVMIX needs it for */
	bool required;
	bool (*present)(const struct vmx_caps *caps);
};

extern const struct vmx_feature vmx_features[];
extern const unsigned int vmx_feature_count;

/* The first required feature this CPU lacks, or NULL when it has them all. */
const struct vmx_feature *vmx_caps_first_missing(const struct vmx_caps *caps);

struct vmx_controls {
	u32 pin, proc, proc2, exit, entry;
};

/* Applies the allowed-0/allowed-1 rules of SDM A.3-A.5 to the wanted bits:
 * out gets the wanted bits plus every must-be-1 bit; refused gets the
 * wanted bits the CPU does not allow. FVX_ERR_UNSUPPORTED when any. */
enum fvx_status vmx_controls_compute(const struct vmx_caps *caps, const struct vmx_controls *want,
				     struct vmx_controls *out, struct vmx_controls *refused);

/* What FastVMIX asks for (before the allowed-0/1 rules). The guest keeps
 * RDTSCP, INVPCID and XSAVES only if the matching secondary control is set
 * (SDM 25.3), so they are wanted whenever the CPU has the instruction. */
void vmx_controls_wanted(bool cpu_has_rdtscp, bool cpu_has_invpcid, bool cpu_has_xsaves,
			 struct vmx_controls *want);

#endif
