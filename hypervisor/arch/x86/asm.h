/* All inline assembly of the hypervisor core. Each helper says what it
 * clobbers beyond its outputs; none touches memory unless it says so. */
#ifndef FVX_ARCH_ASM_H
#define FVX_ARCH_ASM_H

#include "../../types.h"

/* RDMSR; #GP on an MSR the CPU lacks. */
static inline u64 arch_rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void arch_wrmsr(u32 msr, u64 value)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)value), "d"((u32)(value >> 32)) : "memory");
}

/* CPUID leaf/subleaf into out[0..3] = eax, ebx, ecx, edx. */
static inline void arch_cpuid(u32 leaf, u32 subleaf, u32 out[4])
{
	asm volatile("cpuid"
		     : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
		     : "a"(leaf), "c"(subleaf));
}

#endif
