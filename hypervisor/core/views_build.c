/* Builds the two EPT views of the analyzer window at load time, and the
 * EPTP list VMFUNC switches through (the exits they cause: views.c).
 *
 *   window part   normal view (0)   analyzer view (1)
 *   trampoline    R X               R X
 *   config, IDT   R                 R
 *   analyzer code R, the dummy page R X
 *   scratch/stacks-                 R W
 *   rings         R                 R W
 *
 * Guest RAM is R W X in view 0 and R W in view 1, so nothing but the
 * trampoline and the analyzer runs in view 1. In view 0, reading the
 * window's code never faults: Linux reads the instruction bytes at a
 * faulting RIP (a BUG check, an oops's "Code:" line, kprobes), also when
 * the RIP is in the window, and an EPT violation there would fault inside
 * its fault handling. The analyzer's code reads as the dummy page that hides the
 * hypervisor's memory; the stacks stay
 * unmapped, since a trampoline resumed in view 0 must stop at its first
 * access to them (views.c). */
#include "views.h"
#include "window.h"

static u8 window_perm(const struct hv *hv, u64 off, bool analyzer)
{
	if (off < FVX_WIN_CONFIG)
		return EPT_EXEC | EPT_READ;
	if (off < FVX_WIN_CONFIG + PAGE_SIZE_4K) /* the config page */
		return EPT_READ;
	if (off >= FVX_WIN_IDT && off < FVX_WIN_IDT + PAGE_SIZE_4K) /* the CPUs read it */
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
	u64 off, hpa;
	u8 perm;

	for (off = 0; off < hv->window_size; off += PAGE_SIZE_4K) {
		perm = window_perm(hv, off, analyzer);
		hpa = hv->window_pa + off;
		/* The rings, in 2 MiB pages: one permission throughout, and
		 * 4 KiB pages would take a table of the pool per 2 MiB in each
		 * view (a window of rings near 1 GiB: the whole pool). */
		if (off >= FVX_WIN_RINGS && !(off & (PAGE_SIZE_2M - 1)) &&
		    off + PAGE_SIZE_2M <= hv->window_size && !(hpa & (PAGE_SIZE_2M - 1))) {
			s = ept_map_2m(&hv->pool, pml4, hv->window_gpa + off, hpa,
				       perm | EPT_IGNORE_PAT, MEMTYPE_WB);
			if (s != FVX_OK)
				return s;
			off += PAGE_SIZE_2M - PAGE_SIZE_4K;
			continue;
		}
		if (!analyzer && ((off >= FVX_WIN_CODE && off < FVX_WIN_CODE + FVX_WIN_CODE_SIZE) ||
				  off == FVX_WIN_GUARD)) {
			perm = EPT_READ;
			hpa = hv_pa(hv, hv->dummy);
		}
		if (!perm)
			continue;
		/* Write-back whatever the guest's PAT says: the kernel maps the
		 * window WB and the frontend's mapping of the rings must not
		 * alias it with another type. */
		s = ept_map_page(&hv->pool, pml4, hv->window_gpa + off, hpa, perm | EPT_IGNORE_PAT,
				 MEMTYPE_WB);
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
	/* Rings of the capacity hv_load chose, which the backing holds. */
	hv->ring_bytes = window_ring_bytes(hv->ring_capacity);
	if (!hv->ring_capacity || fvx_ring_capacity(hv->ring_bytes) != hv->ring_capacity ||
	    FVX_WIN_RINGS + hv->cpu_count * hv->ring_bytes > hv->window_size)
		return FVX_ERR_INVALID;
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
