/* Protection of the guest kernel's own code and tables that the traced
 * path relies on: kernel text, read-only data (sys_call_table, the
 * __ro_after_init data) and the page of the IDT. Their pages are read-only
 * in both EPT views from load to unload. Linux's own text_poke (alternatives,
 * static keys, static calls, ftrace, kprobes) writes kernel text through a
 * private address space, poking_mm: a write from there is let through for
 * one instruction and counted; every other write is refused and counted.
 * One instruction: until the monitor-trap-flag exit, or, on a CPU without
 * the monitor trap flag (Bochs), until the single-step #DB that RFLAGS.TF
 * raises after it, which exits through the exception bitmap. */
#ifndef FVX_CORE_KPROTECT_H
#define FVX_CORE_KPROTECT_H

#include "../types.h"
#include "../status.h"

enum kprot_kind {
	KPROT_TEXT, /* kernel text: text_poke may write it */
	KPROT_RODATA, /* read-only data, __ro_after_init included */
	KPROT_IDT, /* the page of the IDT */
	KPROT_KINDS
};

/* For messages, at load time and in VMX root alike. */
static const char *const kprot_kind_name[KPROT_KINDS] = { "kernel text", "read-only data",
							  "the IDT" };

#define KPROT_OPEN_MAX 2 /* pages one instruction may write: a store across a page end */

/* Guest-physical, page-aligned [start, end) per kind; end == start when the
 * loader could not name the range (then nothing of it is protected). */
struct kprot_state {
	struct {
		u64 start, end;
	} range[KPROT_KINDS];
	u64 patch_cr3; /* the top-level table text_poke writes through, 0 if unknown */
	bool mtf; /* the monitor trap flag ends a step; else RFLAGS.TF */
	u64 pages; /* 4 KiB pages protected in each view */
};

/* Per CPU: the pages opened for the instruction being stepped. */
struct kprot_cpu {
	u64 *open[KPROT_OPEN_MAX]; /* normal-view EPT leaves, write allowed until the step ends */
	bool stepping; /* a step is under way */
	bool guest_tf; /* RFLAGS.TF as the guest had it before a TF step */
	u32 logged;
};

struct hv;
struct vcpu;
struct guest_regs;

/* Load time (kprotect_init.c): the ranges the platform names, made read-only
 * in both views. */
enum fvx_status kprot_init(struct hv *hv);
/* VMX root: a write to a protected page (true when it was one). */
bool kprot_ept_violation(struct vcpu *v, struct guest_regs *r);
/* Whether gpa is on a page this protection keeps read-only (from load to
 * unload, whatever text_poke opens for an instruction). */
bool kprot_covers(const struct hv *hv, u64 gpa);
/* The end of a step: handle_mtf, and kprot_debug_exception for #DB (exit.h). */

#endif
