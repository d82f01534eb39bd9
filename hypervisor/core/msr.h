/* MSR virtualisation: which MSR accesses exit (the MSR bitmap) and what the
 * guest sees. */
#ifndef FVX_CORE_MSR_H
#define FVX_CORE_MSR_H

#include "vcpu.h"

/* Marks the MSRs FastVMIX virtualises in a zeroed 4 KiB bitmap (SDM 24.6.9). */
void msr_bitmap_init(u8 *bitmap);

/* Whether an RDMSR/WRMSR of msr exits with this bitmap (MSRs outside the two
 * bitmap ranges always exit). */
bool msr_bitmap_exits(const u8 *bitmap, u32 msr, bool write);

#endif
