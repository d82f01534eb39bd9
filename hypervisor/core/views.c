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

/* Whether rip is where the guest's IDT sends some vector. */
static bool is_idt_handler(const struct hv *hv, u64 rip)
{
	u64 base = vmcs_readl(GUEST_IDTR_BASE), cr3 = vmcs_readl(GUEST_CR3), gpa, lo, hi;
	u32 limit = vmcs_read32(GUEST_IDTR_LIMIT), vector;

	for (vector = 0; vector < 256 && vector * 16 + 15 <= limit; vector++) {
		if (!guest_virt_to_phys(hv, cr3, base + vector * 16, &gpa) ||
		    !guest_read_direct(hv, hv->page_offset + gpa, &lo) ||
		    !guest_read_direct(hv, hv->page_offset + gpa + 8, &hi))
			return false;
		if (((lo & 0xffff) | ((lo >> 32) & 0xffff0000) | (hi << 32)) == rip)
			return true;
	}
	return false;
}

/* Whether the event frame just pushed at the guest's RSP (with or without
 * an error code) returns into the window's code: that is, the event
 * interrupted the trampoline or the analyzer. */
static bool interrupted_window_code(const struct hv *hv)
{
	u64 rsp = vmcs_readl(GUEST_RSP), cr3 = vmcs_readl(GUEST_CR3), gpa, v;
	int slot;

	for (slot = 0; slot < 2; slot++) {
		if (!guest_virt_to_phys(hv, cr3, rsp + 8 * slot, &gpa) ||
		    !guest_read_direct(hv, hv->page_offset + gpa, &v))
			return false;
		if (window_code_address(hv, v))
			return true;
	}
	return false;
}

/* EPT violations in either view that concern the window or view 1. */
bool views_ept_violation(struct vcpu *v, struct guest_regs *r)
{
	struct hv *hv = v->hv;
	u64 q = vmcs_readl(EXIT_QUALIFICATION), gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	u64 rip = vmcs_readl(GUEST_RIP);
	bool fetch = q & BIT(2), in_window = gpa - hv->window_gpa < GIB;
	u16 view = vmcs_read16(EPTP_INDEX);

	if (view == VIEW_ANALYZER && fetch && !in_window && is_idt_handler(hv, rip) &&
	    interrupted_window_code(hv)) {
		/* An NMI or exception hit the trampoline or analyzer and went to
		 * Linux's handler, which does not run in the analyzer view: run
		 * it in the normal view, and come back when it returns to the
		 * very instruction it interrupted. */
		switch_view(v, VIEW_NORMAL);
		v->analyzer_interrupted = true;
		return true;
	}
	/* Back from the handler: the interrupted trampoline or analyzer touches
	 * what only the analyzer view maps. Resume it there. */
	if (view == VIEW_NORMAL && in_window && v->analyzer_interrupted &&
	    window_code_address(hv, rip)) {
		switch_view(v, VIEW_ANALYZER);
		v->analyzer_interrupted = false;
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
