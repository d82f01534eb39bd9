/* Kernel text protection, the load-time half (kprotect.h): the ranges the
 * platform names, each 4 KiB page given its own EPT leaf and made read-only
 * in both views. The splits are done here, from the pool, so that VMX root
 * only ever flips the write bit of a leaf that exists. */
#include "vcpu.h"
#include "views.h"
#include "../platform.h"

static bool range_ok(const struct hv *hv, u64 start, u64 end)
{
	return start < end && !((start | end) & (PAGE_SIZE_4K - 1)) && end <= hv->ram_top;
}

static enum fvx_status protect(struct hv *hv, u64 start, u64 end)
{
	u64 roots[2] = { hv->eptp & EPT_ADDR_MASK, hv->eptp_analyzer & EPT_ADDR_MASK }, gpa, *leaf;
	unsigned int view;

	for (gpa = start; gpa < end; gpa += PAGE_SIZE_4K) {
		for (view = 0; view < 2; view++) {
			leaf = ept_leaf_4k(&hv->pool, &hv->pool, roots[view], gpa);
			if (!leaf)
				return FVX_ERR_NOMEM;
			*leaf &= ~(u64)EPT_WRITE;
		}
		hv->kprot.pages++;
	}
	return FVX_OK;
}

enum fvx_status kprot_init(struct hv *hv)
{
	struct kprot_state *k = &hv->kprot;
	struct platform_kernel_layout l = { 0 };
	enum fvx_status s = FVX_OK;
	unsigned int kind;

	platform_kernel_layout(&l);
	k->range[KPROT_TEXT].start = l.text.start;
	k->range[KPROT_TEXT].end = l.text.end;
	k->range[KPROT_RODATA].start = l.rodata.start;
	k->range[KPROT_RODATA].end = l.rodata.end;
	hv->idt_page = l.idt_page; /* also the window's IDT's source (trace_ctl.c) */
	k->range[KPROT_IDT].start = l.idt_page;
	k->range[KPROT_IDT].end = l.idt_page ? l.idt_page + PAGE_SIZE_4K : 0;
	/* Linux patches its text with text_poke, whose stores are let
	 * through one instruction at a time: without knowing its address
	 * space the text stays writable (rodata and the IDT are never
	 * patched). */
	if (!l.patch_cr3) {
		platform_log("text_poke's address space unknown: kernel text left writable\n");
		k->range[KPROT_TEXT].end = k->range[KPROT_TEXT].start;
	}
	k->mtf = vmx_ctl_may_set(hv->caps.proc, CPU_BASED_MONITOR_TRAP_FLAG);
	k->patch_cr3 = l.patch_cr3;
	for (kind = 0; s == FVX_OK && kind < KPROT_KINDS; kind++) {
		u64 start = k->range[kind].start, end = k->range[kind].end;

		if (start == end)
			continue;
		if (!range_ok(hv, start, end)) {
			platform_log("%s at %llx-%llx is not page-aligned RAM: not protected\n",
				     kprot_kind_name[kind], start, end);
			k->range[kind].end = start;
			continue;
		}
		s = protect(hv, start, end);
		if (s == FVX_OK)
			platform_log("%s %llx-%llx read-only in both views\n",
				     kprot_kind_name[kind], start, end - 1);
	}
	return s;
}
