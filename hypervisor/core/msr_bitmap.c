/* The MSR bitmap: which RDMSR/WRMSR exit (the handlers: msr.c), and the
 * shadowed MSRs' starting values. Load time. */
#include "msr.h"
#include "../arch/x86/asm.h"

/* SDM 24.6.9: read-low, read-high, write-low, write-high, 1 KiB each. */
static int bitmap_offset(u32 msr, bool write, u32 *bit)
{
	if (msr <= 0x1fff) {
		*bit = msr;
		return write ? 2048 : 0;
	}
	if (msr >= 0xc0000000 && msr <= 0xc0001fff) {
		*bit = msr - 0xc0000000;
		return write ? 3072 : 1024;
	}
	return -1;
}

static void intercept(u8 *bitmap, u32 msr, bool write)
{
	u32 bit;
	int off = bitmap_offset(msr, write, &bit);

	if (off >= 0)
		bitmap[off + bit / 8] |= 1 << (bit % 8);
}

bool msr_bitmap_exits(const u8 *bitmap, u32 msr, bool write)
{
	u32 bit;
	int off = bitmap_offset(msr, write, &bit);

	return off < 0 || (bitmap[off + bit / 8] & (1 << (bit % 8)));
}

void msr_bitmap_init(u8 *bitmap)
{
	unsigned int i;
	u32 msr;

	intercept(bitmap, MSR_IA32_FEATURE_CONTROL, false);
	intercept(bitmap, MSR_IA32_FEATURE_CONTROL, true);
	/* The guest's syscall entry: it reads back what it wrote, while the
	 * real MSR may point at the trampoline. */
	intercept(bitmap, MSR_IA32_LSTAR, false);
	intercept(bitmap, MSR_IA32_LSTAR, true);
	intercept(bitmap, MSR_IA32_FMASK, false);
	intercept(bitmap, MSR_IA32_FMASK, true);
	/* The TSC in guest time (tsc.c): reads of IA32_TSC go through the
	 * offset by themselves. */
	intercept(bitmap, MSR_IA32_TSC, true);
	intercept(bitmap, MSR_IA32_TSC_ADJUST, false);
	intercept(bitmap, MSR_IA32_TSC_ADJUST, true);
	intercept(bitmap, MSR_IA32_TSC_DEADLINE, false);
	intercept(bitmap, MSR_IA32_TSC_DEADLINE, true);
	/* The other syscall-path MSRs: the guest cannot redirect or switch off
	 * Linux's entry paths (msr.c). */
	intercept(bitmap, MSR_IA32_EFER, false);
	intercept(bitmap, MSR_IA32_EFER, true);
	for (i = 0; i < SHADOWED_MSR_COUNT; i++) {
		intercept(bitmap, shadowed_msr_number(i), false);
		intercept(bitmap, shadowed_msr_number(i), true);
	}
	for (msr = MSR_IA32_VMX_BASIC; msr <= MSR_IA32_VMX_VMFUNC; msr++) {
		intercept(bitmap, msr, false);
		intercept(bitmap, msr, true);
	}
}

void msr_shadows_init(struct vcpu *v)
{
	unsigned int i;

	for (i = 0; i < SHADOWED_MSR_COUNT; i++) {
		v->shadowed[i].real = arch_rdmsr(shadowed_msr_number(i));
		v->shadowed[i].guest = v->shadowed[i].real;
	}
	v->guest_efer_sce = arch_rdmsr(MSR_IA32_EFER) & EFER_SCE;
}
