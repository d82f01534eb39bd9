/* The exits the EPT views cause: EPT violations about the window, NMIs and
 * exceptions inside the analyzer view, failed VMFUNCs. VMX root only (the
 * views themselves are built at load time: views_build.c). */
#include "views.h"
#include "guest_mem.h"
#include "log.h"
#include "window.h"

static void switch_view(struct vcpu *v, u16 view)
{
	vmcs_write64(EPT_POINTER, v->hv->eptp_list[view]);
	vmcs_write16(EPTP_INDEX, view);
}

/* Whether rip is where Linux's IDT sends some vector: the IDT recorded at
 * load (dt.c keeps it loaded), never the live IDTR, which a LIDT could have
 * pointed at a table of the caller's own. */
static bool is_idt_handler(const struct vcpu *v, u64 rip)
{
	const struct hv *hv = v->hv;
	u64 base = v->dt.table[DT_IDT].base, cr3 = vmcs_readl(GUEST_CR3), gpa, lo, hi;
	u32 limit = v->dt.table[DT_IDT].limit, vector;

	for (vector = 0; vector < 256 && vector * 16 + 15 <= limit; vector++) {
		if (!guest_virt_to_phys(hv, cr3, base + vector * 16, &gpa) ||
		    !guest_read_direct(hv, hv->page_offset + gpa, &lo) ||
		    !guest_read_direct(hv, hv->page_offset + gpa + 8, &hi))
			return false;
		if (dt_gate_handler(lo, hi) == rip)
			return true;
	}
	return false;
}

/* Whether the event frame just pushed at the guest's RSP (with or without
 * an error code) returns into the window's code at ring 0: that is, the
 * event interrupted the trampoline or the analyzer. Its five slots (RIP,
 * CS, RFLAGS, RSP, SS; SDM 6.14.2) go to *s. */
static bool interrupted_window_code(const struct hv *hv, struct window_interruption *s)
{
	u64 rsp = vmcs_readl(GUEST_RSP), cr3 = vmcs_readl(GUEST_CR3), gpa, frame[6];
	int slot;

	for (slot = 0; slot < 6; slot++)
		if (!guest_virt_to_phys(hv, cr3, rsp + 8 * slot, &gpa) ||
		    !guest_read_direct(hv, hv->page_offset + gpa, &frame[slot]))
			return false;
	for (slot = 0; slot < 2; slot++) {
		if (window_code_address(hv, frame[slot]) && !(frame[slot + 1] & 3)) {
			*s = (struct window_interruption){ .rip = frame[slot],
							   .cs = frame[slot + 1],
							   .rflags = frame[slot + 2],
							   .rsp = frame[slot + 3],
							   .ss = frame[slot + 4] };
			return true;
		}
	}
	return false;
}

#define RFLAGS_RF BIT(16) /* set or not by the CPU as it resumes (SDM 27.3.3) */

/* Whether the guest is now exactly as the interrupted code was: RIP, the
 * general registers, RSP and RFLAGS. */
static bool exact_resume(const struct window_interruption *s, const struct guest_regs *r)
{
	unsigned int i;

	if (vmcs_readl(GUEST_RIP) != s->rip || vmcs_readl(GUEST_RSP) != s->rsp ||
	    (vmcs_readl(GUEST_RFLAGS) ^ s->rflags) & ~RFLAGS_RF)
		return false;
	for (i = 0; i < 16; i++)
		if (i != 4 && ((const u64 *)r)[i] != ((const u64 *)&s->regs)[i])
			return false;
	return true;
}

/* The interrupted code resumes in view 1, only as it was interrupted: what
 * differs (the frame or the saved registers, on a kernel stack other CPUs
 * can write, changed while Linux's handler ran) is put back.
 * Trampoline code, executable in both views, may have run on in view 0
 * from the interrupted instruction to this first access to the analyzer
 * view's memory: putting the snapshot back redoes that, from the same
 * state and so with the same effects. */
static void resume_interrupted(struct vcpu *v, struct guest_regs *r, bool ran_on)
{
	struct window_interruption *s = &v->interrupted;
	u64 rsp = r->rsp;

	if (!ran_on && !exact_resume(s, r)) {
		v->resume_tampered++;
		root_log("cpu %u: interrupted window code resumed at RIP %x, not as interrupted at "
			 "RIP %x: restored\n",
			 (u64)v->index, vmcs_readl(GUEST_RIP), s->rip);
	}
	*r = s->regs;
	r->rsp = rsp;
	vmcs_writel(GUEST_RIP, s->rip);
	vmcs_writel(GUEST_RSP, s->rsp);
	vmcs_writel(GUEST_RFLAGS, s->rflags);
	switch_view(v, VIEW_ANALYZER);
	v->analyzer_interrupted = false;
}

/* EPT violations in either view that concern the window or view 1. */
bool views_ept_violation(struct vcpu *v, struct guest_regs *r)
{
	struct hv *hv = v->hv;
	u64 q = vmcs_readl(EXIT_QUALIFICATION), gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	u64 rip = vmcs_readl(GUEST_RIP);
	bool fetch = q & BIT(2), in_window = gpa - hv->window_gpa < GIB;
	u16 view = vmcs_read16(EPTP_INDEX);
	struct window_interruption s;

	if (view == VIEW_ANALYZER && fetch && !in_window && is_idt_handler(v, rip) &&
	    interrupted_window_code(hv, &s)) {
		/* An NMI or exception hit the trampoline or analyzer and went to
		 * Linux's handler, which does not run in the analyzer view: run
		 * it in the normal view, and come back when it returns to the
		 * very instruction it interrupted, in the very state. An event
		 * that never returns leaves the snapshot behind: an exact
		 * resume of it later only redoes the interrupted work. */
		s.regs = *r;
		v->interrupted = s;
		switch_view(v, VIEW_NORMAL);
		v->analyzer_interrupted = true;
		return true;
	}
	/* Back from the handler: the interrupted trampoline or analyzer touches
	 * what only the analyzer view maps, at ring 0. Analyzer code is not
	 * executable in view 0, so its resume is a fetch at the interrupted
	 * RIP; a fetch anywhere else is a jump into the window. */
	if (view == VIEW_NORMAL && in_window && v->analyzer_interrupted &&
	    window_code_address(hv, rip) && guest_cpl() == 0 &&
	    vmcs_read16(GUEST_CS_SELECTOR) == v->interrupted.cs &&
	    (!fetch || rip == v->interrupted.rip)) {
		resume_interrupted(v, r,
				   !fetch && rip != v->interrupted.rip &&
					   rip - window_config(hv)->window_va < FVX_WIN_CONFIG &&
					   v->interrupted.rip - window_config(hv)->window_va <
						   FVX_WIN_CONFIG);
		return true;
	}
	if (view != VIEW_ANALYZER && !in_window)
		return false;
	if (v->attacks++ < 16)
		root_log("cpu %u: attack: %s access to GPA %x in view %u at RIP %x\n",
			 (u64)v->index,
			 fetch		? (const char *)"execute"
			 : (q & BIT(1)) ? "write"
					: "read",
			 gpa, (u64)view, rip);
	switch_view(v, VIEW_NORMAL);
	/* A fetch in view 1 from outside the window's code: code that switched
	 * views by itself (VMFUNC works at any CPL), or an event delivered
	 * right after such a VMFUNC whose handler is now being fetched. Undo
	 * the switch and let the very same fetch happen again in view 0: the
	 * handler runs as if nothing had happened, and own code simply goes on
	 * without the analyzer view. Injecting a fault here would hit Linux's
	 * entry code before its SWAPGS and lose the event. */
	if (view == VIEW_ANALYZER && fetch && !in_window)
		return true;
	/* A data access to the window that this view does not allow (ring 0
	 * only: the window is a supervisor mapping): #UD to the accessor. */
	guest_inject_exception(VECTOR_UD, false, 0);
	return true;
}

/* A VMFUNC that failed (a view that does not exist, or another leaf). */
enum exit_action handle_vmfunc(struct vcpu *v, struct guest_regs *r)
{
	v->attacks++;
	root_log("cpu %u: VMFUNC leaf %x index %x refused at RIP %x\n", (u64)v->index, r->rax,
		 r->rcx, vmcs_readl(GUEST_RIP));
	guest_inject_exception(VECTOR_UD, false, 0);
	return EXIT_RESUME;
}
