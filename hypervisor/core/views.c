/* The EPT views: the analyzer window as each view sees it, the EPTP list
 * VMFUNC switches through, and the exits the views cause (EPT violations
 * about the window, NMIs and exceptions inside the analyzer view, failed
 * VMFUNCs). Building runs at load time; the handlers in VMX root.
 *
 *   window part   normal view (0)   analyzer view (1)
 *   trampoline    X only            X only
 *   config        R                 R
 *   analyzer code -                 R X
 *   scratch/stacks-                 R W
 *   rings         R                 R W
 *
 * Guest RAM is R W X in view 0 and R W in view 1, so nothing but the
 * trampoline and the analyzer runs in view 1. */
#include "views.h"
#include "guest_mem.h"
#include "log.h"
#include "window.h"

static u8 window_perm(const struct hv *hv, u64 off, bool analyzer)
{
	u8 x = hv->x_only ? EPT_EXEC : EPT_EXEC | EPT_READ;

	if (off < FVX_WIN_CONFIG)
		return x;
	if (off < FVX_WIN_CONFIG + PAGE_SIZE_4K) /* the config page */
		return EPT_READ;
	if (off >= FVX_WIN_CODE && off < FVX_WIN_CODE + FVX_WIN_CODE_SIZE)
		return analyzer ? EPT_READ | EPT_EXEC : 0;
	if (off >= FVX_WIN_DATA && off < FVX_WIN_STACKS + FVX_WIN_MAX_CPUS * FVX_WIN_STACK_SIZE)
		return analyzer ? EPT_READ | EPT_WRITE : 0;
	if (off >= FVX_WIN_RINGS)
		return analyzer ? EPT_READ | EPT_WRITE : EPT_READ;
	return 0;
}

static enum fvx_status map_window(struct hv *hv, u64 pml4, bool analyzer)
{
	enum fvx_status s;
	u64 off;
	u8 perm;

	for (off = 0; off < FVX_WIN_BACKED; off += PAGE_SIZE_4K) {
		perm = window_perm(hv, off, analyzer);
		if (!perm)
			continue;
		/* Write-back whatever the guest's PAT says: the kernel maps the
		 * window WB and the frontend's mapping of the rings must not
		 * alias it with another type. */
		s = ept_map_page(&hv->pool, pml4, hv->window_gpa + off, hv->window_pa + off,
				 perm | EPT_IGNORE_PAT, MEMTYPE_WB);
		if (s != FVX_OK)
			return s;
	}
	return FVX_OK;
}

enum fvx_status views_build(struct hv *hv, const struct ept_layout *normal_layout, u64 normal_pml4)
{
	struct ept_layout l = *normal_layout;
	struct ept_stats stats;
	u64 pml4;
	enum fvx_status s;

	if (hv->cpu_count > FVX_WIN_MAX_CPUS)
		return FVX_ERR_UNSUPPORTED;
	/* Halfway up the physical address space, far from MMIO, and never on
	 * RAM (a machine with more RAM than that cannot have the window). */
	hv->window_gpa = l.limit / 2;
	if (hv->window_gpa < hv->ram_top || hv->window_gpa + GIB > l.limit)
		return FVX_ERR_UNSUPPORTED;
	hv->x_only = hv->caps.ept_vpid & VMX_EPT_EXECUTE_ONLY;
	hv->ring_bytes = ((FVX_WIN_BACKED - FVX_WIN_RINGS) / hv->cpu_count) & ~(PAGE_SIZE_4K - 1);
	hv->ring_capacity = fvx_ring_capacity(hv->ring_bytes);
	l.ram_perm = EPT_READ | EPT_WRITE;
	s = ept_build(&hv->pool, &l, &pml4, &stats);
	if (s == FVX_OK)
		s = map_window(hv, pml4, true);
	if (s == FVX_OK)
		s = map_window(hv, normal_pml4, false);
	if (s != FVX_OK)
		return s;
	hv->eptp_analyzer = ept_pointer(pml4);
	hv->eptp_list = pool_alloc(&hv->pool, 1);
	if (!hv->eptp_list)
		return FVX_ERR_NOMEM;
	hv->eptp_list[VIEW_NORMAL] = hv->eptp;
	hv->eptp_list[VIEW_ANALYZER] = hv->eptp_analyzer;
	return FVX_OK;
}

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
