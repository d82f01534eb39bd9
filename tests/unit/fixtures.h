/* Capability-MSR fixtures for the unit tests: a fake RDMSR over a table. */
#ifndef FVX_TEST_FIXTURES_H
#define FVX_TEST_FIXTURES_H

#include "core/caps.h"

struct msr_value {
	u32 msr;
	u64 value;
};

struct msr_table {
	const struct msr_value *values;
	unsigned int count;
};

static inline bool fake_rdmsr(void *ctx, u32 msr, u64 *value)
{
	const struct msr_table *t = ctx;
	unsigned int i;

	for (i = 0; i < t->count; i++)
		if (t->values[i].msr == msr) {
			*value = t->values[i].value;
			return true;
		}
	return false;
}

/* Read in Bochs 2.7, cpu model corei7_icelake_u (see the Bochs notes). The
 * MISC and CR-fixed values are from the broadwell_ult model of the same
 * Bochs, which FastVMIX's emulated machine uses. */
static const struct msr_value bochs_icelake[] = {
	{ MSR_IA32_FEATURE_CONTROL, 0x5 },
	{ MSR_IA32_VMX_BASIC, 0x00d8100000000004ULL },
	{ MSR_IA32_VMX_TRUE_PINBASED_CTLS, 0x0000007f00000016ULL },
	{ MSR_IA32_VMX_TRUE_PROCBASED_CTLS, 0xfff9fffe04006172ULL },
	{ MSR_IA32_VMX_PROCBASED_CTLS2, 0x02977fff00000000ULL },
	{ MSR_IA32_VMX_TRUE_EXIT_CTLS, 0x007fffff00036dfbULL },
	{ MSR_IA32_VMX_TRUE_ENTRY_CTLS, 0x0000ffff000011fbULL },
	{ MSR_IA32_VMX_EPT_VPID_CAP, 0x00000f0106334141ULL },
	{ MSR_IA32_VMX_VMFUNC, 0x1 },
	{ MSR_IA32_VMX_MISC, 0x00000000200401e0ULL },
	{ MSR_IA32_VMX_CR0_FIXED0, 0x80000021ULL },
	{ MSR_IA32_VMX_CR0_FIXED1, 0xffffffffULL },
	{ MSR_IA32_VMX_CR4_FIXED0, 0x2000ULL },
	{ MSR_IA32_VMX_CR4_FIXED1, 0x3727ffULL },
};

/* Read by `fastvmix doctor --raw` in the emulated machine (Bochs 2.7,
 * broadwell_ult): no XSAVES and no TSC scaling, otherwise like icelake. */
static const struct msr_value bochs_broadwell[] = {
	{ MSR_IA32_FEATURE_CONTROL, 0x5 },
	{ MSR_IA32_VMX_BASIC, 0x00d810000000002bULL },
	{ MSR_IA32_VMX_TRUE_PINBASED_CTLS, 0x0000007f00000016ULL },
	{ MSR_IA32_VMX_TRUE_PROCBASED_CTLS, 0xf7f9fffe04006172ULL },
	{ MSR_IA32_VMX_PROCBASED_CTLS2, 0x00057fff00000000ULL },
	{ MSR_IA32_VMX_TRUE_EXIT_CTLS, 0x007fffff00036dfbULL },
	{ MSR_IA32_VMX_TRUE_ENTRY_CTLS, 0x0000ffff000011fbULL },
	{ MSR_IA32_VMX_EPT_VPID_CAP, 0x00000f0106334141ULL },
	{ MSR_IA32_VMX_VMFUNC, 0x1 },
	{ MSR_IA32_VMX_MISC, 0x00000000200401e0ULL },
	{ MSR_IA32_VMX_CR0_FIXED0, 0x80000021ULL },
	{ MSR_IA32_VMX_CR0_FIXED1, 0xffffffffULL },
	{ MSR_IA32_VMX_CR4_FIXED0, 0x2000ULL },
	{ MSR_IA32_VMX_CR4_FIXED1, 0x3727ffULL },
};

/* A CPU shaped like Sandy Bridge, built from the SDM's bit meanings: no
 * TRUE_* MSRs (so CR3-load/store exiting are default1), no VMFUNC, no 1 GiB
 * EPT pages, no EPT A/D. */
static const struct msr_value no_vmfunc[] = {
	{ MSR_IA32_FEATURE_CONTROL, 0x5 },
	{ MSR_IA32_VMX_BASIC, 0x00da040000000010ULL & ~VMX_BASIC_TRUE_CTLS },
	{ MSR_IA32_VMX_PINBASED_CTLS, 0x0000007f00000016ULL },
	{ MSR_IA32_VMX_PROCBASED_CTLS, 0xfff9fffe0401e172ULL },
	{ MSR_IA32_VMX_PROCBASED_CTLS2, 0x000000ff00000000ULL },
	{ MSR_IA32_VMX_EXIT_CTLS, 0x007fffff00036dffULL },
	{ MSR_IA32_VMX_ENTRY_CTLS, 0x0000ffff000011ffULL },
	{ MSR_IA32_VMX_EPT_VPID_CAP, 0x00000f0106114141ULL },
	{ MSR_IA32_VMX_MISC, 0x00000000000401e5ULL },
	{ MSR_IA32_VMX_CR0_FIXED0, 0x80000021ULL },
	{ MSR_IA32_VMX_CR0_FIXED1, 0xffffffffULL },
	{ MSR_IA32_VMX_CR4_FIXED0, 0x2000ULL },
	{ MSR_IA32_VMX_CR4_FIXED1, 0x1767ffULL },
};

#define MSR_TABLE(a) ((struct msr_table){ (a), sizeof(a) / sizeof((a)[0]) })

#endif
