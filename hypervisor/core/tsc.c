/* Timing transparency (tsc.h). The guest reads the TSC through the TSC
 * offset (CPU_BASED_USE_TSC_OFFSETTING): every exit moves the offset back by
 * the time the exit took, from the exit stub's first RDTSC to the last step
 * before VM entry, plus the calibrated cost of the transitions around it
 * (measured by the loader at load time, FVX_VMCALL_TSC_CALIBRATE). So the
 * guest's TSC stands still while the hypervisor runs: monotonic, and a
 * CPUID costs what it costs without a hypervisor. The offset only ever
 * decreases, by at most the time that passed, so the guest's TSC never
 * goes back.
 *
 * Because each CPU's offset moves by its own exits, the guest's TSCs drift
 * apart across CPUs by the difference in hypervisor time (small; Linux's
 * clocksource watchdog tolerates far more). The guest's TSC-deadline timer
 * is kept in guest time: the real MSR is programmed with the host time at
 * which the guest's TSC reaches the deadline, again after each exit. Writes
 * to IA32_TSC and IA32_TSC_ADJUST change the offset instead of the CPU's
 * TSC, which the hypervisor's own deadlines (sealed traces) use. VMX root
 * only. */
#include "tsc.h"
#include "exit.h"
#include "../arch/x86/asm.h"
#include "../arch/x86/vmx.h"

static u64 guest_now(u64 host)
{
	return host + vmcs_read64(TSC_OFFSET);
}

/* The real deadline for a guest deadline still armed: when the host TSC
 * reaches the guest's value with today's offset, or at once (1) when the
 * guest's TSC already passed it (a write of IA32_TSC or IA32_TSC_ADJUST
 * moved it on). One that fired (the CPU cleared the MSR) or fires now (1)
 * is left alone: after this exit the guest's TSC may be short of it again,
 * by the transition cost and the exit's own time, but its interrupt is
 * delivered or pending, and arming it again would fire it twice. */
static void arm_deadline(struct vcpu *v, u64 host_now)
{
	u64 d = v->tsc.deadline;

	if (!d || arch_rdmsr(MSR_IA32_TSC_DEADLINE) <= 1)
		return;
	arch_wrmsr(MSR_IA32_TSC_DEADLINE,
		   d > guest_now(host_now) ? d - vmcs_read64(TSC_OFFSET) : 1);
}

void tsc_hide_exit(struct vcpu *v)
{
	u64 now = arch_rdtsc(), spent = now - v->tsc.exit_tsc + v->tsc.transition;

	vmcs_write64(TSC_OFFSET, vmcs_read64(TSC_OFFSET) - spent);
	v->tsc.hidden += spent;
	arm_deadline(v, now);
}

enum tsc_msr tsc_msr_read(struct vcpu *v, u32 msr, u64 *value)
{
	if (msr == MSR_IA32_TSC_DEADLINE) {
		/* 0 once it fired, as the CPU clears it (SDM 10.5.4.1). */
		*value = arch_rdmsr(MSR_IA32_TSC_DEADLINE) ? v->tsc.deadline : 0;
		return TSC_MSR_DONE;
	}
	if (msr == MSR_IA32_TSC_ADJUST) {
		*value = v->tsc.tsc_adjust;
		return v->tsc.has_adjust ? TSC_MSR_DONE : TSC_MSR_GP;
	}
	return TSC_MSR_OTHER;
}

enum tsc_msr tsc_msr_write(struct vcpu *v, u32 msr, u64 value)
{
	if (msr == MSR_IA32_TSC_DEADLINE) {
		v->tsc.deadline = value;
		if (value && value <= guest_now(arch_rdtsc()))
			value = 1; /* in the past: fire now */
		else if (value)
			value -= vmcs_read64(TSC_OFFSET);
		arch_wrmsr(MSR_IA32_TSC_DEADLINE, value);
		return TSC_MSR_DONE;
	}
	if (msr == MSR_IA32_TSC) {
		/* The guest's TSC becomes value (SDM 17.17.3), the CPU's stays. */
		vmcs_write64(TSC_OFFSET, value - arch_rdtsc());
		return TSC_MSR_DONE;
	}
	if (msr == MSR_IA32_TSC_ADJUST) {
		if (!v->tsc.has_adjust)
			return TSC_MSR_GP;
		/* Adding to IA32_TSC_ADJUST adds to the TSC (SDM 17.17.3). */
		vmcs_write64(TSC_OFFSET, vmcs_read64(TSC_OFFSET) + (value - v->tsc.tsc_adjust));
		v->tsc.tsc_adjust = value;
		return TSC_MSR_DONE;
	}
	return TSC_MSR_OTHER;
}

s64 tsc_calibrate(struct vcpu *v, struct guest_regs *r)
{
	/* Only the loader knows the key; an attacker with a larger value
	 * could make the guest's TSC go back at each exit. */
	if (r->rbx != v->hv->unload_key) {
		v->bad_unload_keys++;
		return FVX_VMCALL_EPERM;
	}
	if (r->rcx > TSC_TRANSITION_MAX)
		return FVX_VMCALL_EINVAL;
	v->tsc.transition = r->rcx;
	return FVX_VMCALL_OK;
}
