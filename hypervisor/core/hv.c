/* Load and unload of the hypervisor on every CPU. Runs in the loader's
 * context (VMX non-root before launch); no exit handler lives here. */
#include "../hypervisor.h"
#include "../platform.h"
#include "../arch/x86/asm.h"
#include "caps.h"

static bool native_rdmsr(void *ctx, u32 msr, u64 *value)
{
	*value = arch_rdmsr(msr);
	return true;
}

static enum fvx_status check_this_cpu(void *ctx)
{
	struct vmx_caps caps;
	const struct vmx_feature *missing;
	u32 r[4];

	arch_cpuid(1, 0, r);
	if (vmx_caps_read(&caps, r[2] & BIT(5), native_rdmsr, NULL) != FVX_OK) {
		platform_log("cpu %u: no VMX\n", platform_cpu_index());
		return FVX_ERR_UNSUPPORTED;
	}
	missing = vmx_caps_first_missing(&caps);
	if (missing) {
		platform_log("cpu %u lacks %s (needed for %s)\n", platform_cpu_index(),
			     missing->name, missing->use);
		return FVX_ERR_UNSUPPORTED;
	}
	return FVX_OK;
}

enum fvx_status hv_load(void)
{
	enum fvx_status s = platform_on_each_cpu(check_this_cpu, NULL);

	if (s == FVX_OK)
		platform_log("%u cpu(s) have every VMX feature FastVMIX requires\n",
			     platform_cpu_count());
	return s;
}

void hv_unload(void)
{
}
