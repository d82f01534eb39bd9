/* The debug registers while the window is protected: a hardware
 * breakpoint (DR0-DR3 enabled in DR7) on the window's addresses would take
 * every SYSCALL to a #DB handler of the guest's before the trampoline
 * records anything, and so would a data breakpoint on what the trampoline
 * touches before it switches views (its per-CPU scratch, the task's
 * bytes), or the #DB a MOV SS holds back over a SYSCALL. MOV to and from
 * DR exit; the guest reads back what it wrote, the CPU gets DR7 without
 * the breakpoints that cover the window; #DB exits, and one whose RIP is
 * in the window's code never reaches the guest. */
#ifndef FVX_CORE_DR_H
#define FVX_CORE_DR_H

#include "../types.h"

/* Per CPU. */
struct dr_cpu {
	bool exiting; /* MOV-DR and #DB exiting are on */
	u64 window; /* the window's address DR7 was last filtered for */
	u64 dr7; /* DR7 as the guest wrote it (the VMCS holds it filtered) */
	u64 refused; /* breakpoints on the window the guest enabled, left out */
	u32 logged;
};

struct vcpu;
struct guest_regs;

/* VMX root, from ptp_sync_cpu: MOV-DR exiting on while the window is
 * protected (DR7 filtered from then on), off otherwise (DR7 as the guest
 * wrote it). */
void dr_sync_cpu(struct vcpu *v, bool on);
/* The DR7 the guest wrote (what leaving VMX puts back). */
u64 dr_guest_dr7(const struct vcpu *v);
/* The exception bitmap: #DB exits while the window is protected, and
 * while kprotect.c single-steps Linux's text_poke by #DB (a CPU without
 * the monitor trap flag). */
void dr_intercept(struct vcpu *v);
/* A #DB for the guest, its DR6 as the CPU sets it (SDM 17.2.3): the hits
 * of this one (B0-B3 of dr6_bits) replace the last, BD and BS are added. */
void dr_inject_db(u64 dr6_bits);
/* A #DB exit while the window is protected: dropped when its RIP is in the
 * window's code (counted), else given to the guest with its DR6. False
 * when not protecting. */
bool dr_debug_exception(struct vcpu *v);

#endif
