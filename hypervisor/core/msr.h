/* MSR virtualisation: which MSR accesses exit (the MSR bitmap) and what the
 * guest sees. */
#ifndef FVX_CORE_MSR_H
#define FVX_CORE_MSR_H

#include "vcpu.h"
#include "../arch/x86/vmx.h"

/* Marks the MSRs FastVMIX virtualises in a zeroed 4 KiB bitmap (SDM 24.6.9). */
void msr_bitmap_init(u8 *bitmap);

/* Whether an RDMSR/WRMSR of msr exits with this bitmap (MSRs outside the two
 * bitmap ranges always exit). */
bool msr_bitmap_exits(const u8 *bitmap, u32 msr, bool write);

/* The MSR behind each enum shadowed_msr (vcpu.h). */
static inline u32 shadowed_msr_number(enum shadowed_msr i)
{
	static const u32 numbers[SHADOWED_MSR_COUNT] = {
		[SHADOW_STAR] = MSR_IA32_STAR,
		[SHADOW_CSTAR] = MSR_IA32_CSTAR,
		[SHADOW_SYSENTER_CS] = MSR_IA32_SYSENTER_CS,
		[SHADOW_SYSENTER_ESP] = MSR_IA32_SYSENTER_ESP,
		[SHADOW_SYSENTER_EIP] = MSR_IA32_SYSENTER_EIP,
	};

	return numbers[i];
}

/* msr's enum shadowed_msr, or -1 when it is not shadowed. */
static inline int shadowed_msr_index(u32 msr)
{
	int i;

	for (i = 0; i < SHADOWED_MSR_COUNT; i++)
		if (shadowed_msr_number(i) == msr)
			return i;
	return -1;
}

/* Load time, on the CPU itself: the guest's view of each shadowed MSR and
 * of EFER.SCE starts as Linux's real value. */
void msr_shadows_init(struct vcpu *v);

#endif
