/* Timing transparency: the time a CPU spends in VMX root is taken out of
 * the guest's TSC (tsc.c). */
#ifndef FVX_CORE_TSC_H
#define FVX_CORE_TSC_H

#include "../types.h"

/* The largest transition cost the loader may set, in TSC ticks: a VM exit
 * and entry on any CPU cost far less. */
#define TSC_TRANSITION_MAX 100000

/* Per CPU. exit_tsc is written by the exit stub (vmx_entry.S) first thing,
 * before any handler runs. */
struct tsc_cpu {
	u64 exit_tsc; /* host TSC when this exit's handling began */
	u64 transition; /* ticks of each exit not between exit_tsc and the resume */
	u64 hidden; /* ticks taken out of the guest's TSC so far */
	u64 deadline; /* IA32_TSC_DEADLINE as the guest wrote it (guest time), 0 when off */
	u64 tsc_adjust; /* IA32_TSC_ADJUST as the guest wrote it */
	bool has_adjust; /* the CPU has IA32_TSC_ADJUST */
};

struct vcpu;
struct guest_regs;

/* The last step before VM entry: the offset moves back by the time this
 * exit took, and an armed TSC deadline follows it. */
void tsc_hide_exit(struct vcpu *v);
/* The TSC MSRs, in the guest's time: TSC_MSR_OTHER when msr is none of
 * them, TSC_MSR_DONE (the value read, or the write done), or TSC_MSR_GP. */
enum tsc_msr { TSC_MSR_OTHER, TSC_MSR_DONE, TSC_MSR_GP };
enum tsc_msr tsc_msr_read(struct vcpu *v, u32 msr, u64 *value);
enum tsc_msr tsc_msr_write(struct vcpu *v, u32 msr, u64 value);
/* FVX_VMCALL_TSC_CALIBRATE: RBX = the unload key, RCX = the transition
 * cost the loader measured on this CPU. */
s64 tsc_calibrate(struct vcpu *v, struct guest_regs *r);

#endif
