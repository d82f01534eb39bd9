/* Descriptor tables: what the traced path relies on (Linux's IDT for the
 * recovery of an interrupted analyzer, views.c; its GDT and TSS) is kept
 * as it was when the hypervisor loaded, while a window is configured. */
#ifndef FVX_CORE_DT_H
#define FVX_CORE_DT_H

#include "../types.h"

#define DT_GDT 0 /* as the instruction identity's bit 0: SGDT, LGDT */
#define DT_IDT 1 /* SIDT, LIDT */

struct dt_table {
	u64 base;
	u32 limit;
};

/* The handler address of a 64-bit IDT gate, its two quadwords (SDM 6.14.1). */
static inline u64 dt_gate_handler(u64 lo, u64 hi)
{
	return (lo & 0xffff) | ((lo >> 32) & 0xffff0000) | (hi << 32);
}

/* Per CPU. table[] and tr are recorded at load (vmcs_setup.c) and never
 * change; a load the policy refuses goes to the shadow, which the store
 * instructions return, so the guest sees what it loaded. */
struct dt_cpu {
	struct dt_table table[2]; /* Linux's GDTR and IDTR */
	u64 gdt_alias; /* the same GDT through Linux's direct map; 0: none */
	u16 tr; /* Linux's TSS selector, and its segment as loaded */
	u64 tr_base;
	u32 tr_limit, tr_ar;
	bool shadowed[2], tr_shadowed;
	struct dt_table shadow[2];
	u16 tr_shadow;
	bool exiting; /* descriptor-table exiting is on */
	/* Nonzero: the IDT the CPU uses in place of Linux's while this CPU
	 * runs a fast trace (the window's, trace_ctl.c); loads and stores of
	 * Linux's IDT still name Linux's. */
	u64 window_idt;
	u32 logged;
};

struct vcpu;

/* VMX root, from ptp_sync_cpu: descriptor-table exiting on while the
 * window is protected, off otherwise. Turning it on takes back what the
 * guest loaded natively in between. */
void dt_sync_cpu(struct vcpu *v, bool on);

/* VMX root: the window's IDT (base, 0: none) in place of Linux's on this
 * CPU, if Linux's or the window's is loaded. */
void dt_set_window_idt(struct vcpu *v, u64 base);

/* VMX root: the IDTR base the guest has loaded (Linux's, where the window's
 * stands in for it). */
u64 dt_guest_idt_base(const struct vcpu *v);

#endif
