/* Timing transparency, the load-time half (tsc.h): where the vDSO's code
 * is, whose RDTSCs read the guest's TSC as it is (its clock_gettime must
 * stay Linux's), and whether this CPU model lets RDTSC exiting be switched
 * on (else the analyzer's time stays visible). */
#include "vcpu.h"
#include "../platform.h"

_Static_assert(ARRAY_LEN(((struct platform_kernel_layout *)0)->vdso) == TSC_VDSO_IMAGES,
	       "one range per vDSO image");

void tsc_init(struct hv *hv)
{
	struct platform_kernel_layout l = { 0 };
	unsigned int i;

	hv->tsc.rdtsc_exiting = vmx_ctl_may_set(hv->caps.proc, CPU_BASED_RDTSC_EXITING);
	hv->tsc.timer = vmx_ctl_may_set(hv->caps.pin, PIN_BASED_VMX_PREEMPTION_TIMER);
	/* (With one CPU there is nobody to catch up with.) */
	hv->tsc.call_back = hv->cpu_count > 1 && hv->tsc.timer &&
			    vmx_ctl_may_set(hv->caps.proc, CPU_BASED_MWAIT_EXITING);
	hv->tsc.timer_shift = VMX_MISC_PREEMPTION_TIMER_RATE(hv->caps.misc);
	platform_kernel_layout(&l);
	for (i = 0; i < TSC_VDSO_IMAGES; i++) {
		u64 start = l.vdso[i].start, end = l.vdso[i].end;

		if (start == end)
			continue;
		if (start > end || ((start | end) & (PAGE_SIZE_4K - 1)) || end > hv->ram_top) {
			platform_log(
				"vDSO image %u at %llx-%llx is not page-aligned RAM: its RDTSCs "
				"read as user code's\n",
				i, start, end);
			continue;
		}
		hv->tsc.vdso[i].start = start;
		hv->tsc.vdso[i].end = end;
	}
	if (!hv->tsc.call_back && hv->cpu_count > 1)
		platform_log("no VMX-preemption timer or MWAIT exiting: a CPU catches up with "
			     "the others' hypervisor time only at its own exits\n");
	if (!hv->tsc.rdtsc_exiting)
		platform_log(
			"no RDTSC exiting: the analyzer's time stays in traced processes' TSC\n");
}
