/* The page-table protection's load-time half: the EPT tables a split may
 * need later, taken from the pool now (ptprotect.c runs in VMX root). */
#include "vcpu.h"

#define RESERVE_TABLES 4 /* a 1 GiB page split down to 4 KiB, in each view */
#define GUARD_POOL_KEPT 16 /* pool pages left free after the guards' tables */
_Static_assert(PTP_GUARDS * sizeof(struct ptp_guard) <= PAGE_SIZE_4K, "the guards fit a page");
_Static_assert(PTP_GUARDS >= FVX_MAX_CPUS, "a guard for each CPU's table");

enum fvx_status ptp_init(struct hv *hv)
{
	void *tables = pool_alloc(&hv->pool, RESERVE_TABLES);

	if (!tables)
		return FVX_ERR_NOMEM;
	pool_init(&hv->ptp.reserve, tables, hv_pa(hv, tables), RESERVE_TABLES * PAGE_SIZE_4K);
	/* The guarded top-level tables' slots (ptprotect.c); their EPT
	 * tables come last (ptp_init_guards). */
	hv->ptp.guard = pool_alloc(&hv->pool, 1);
	if (!hv->ptp.guard)
		return FVX_ERR_NOMEM;
	return FVX_OK;
}

enum fvx_status ptp_init_guards(struct hv *hv)
{
	u64 free = (hv->pool.size - hv->pool.used) / PAGE_SIZE_4K, n, pages, i;
	struct ptp_split *split;
	u8 *tables;

	/* Each split: its tables, and its share of the slots' pages (one
	 * page more for the rounding). */
	n = free > GUARD_POOL_KEPT + 1 ? (free - GUARD_POOL_KEPT - 1) * PAGE_SIZE_4K /
						 (PTP_SPLIT_TABLES * PAGE_SIZE_4K + sizeof(*split))
				       : 0;
	if (n > PTP_SPLITS)
		n = PTP_SPLITS;
	if (!n)
		return FVX_OK; /* loaded tables stay writable: checked at exits */
	pages = (n * sizeof(*split) + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K;
	split = pool_alloc(&hv->pool, pages);
	tables = split ? pool_alloc(&hv->pool, n * PTP_SPLIT_TABLES) : NULL;
	if (!tables)
		return FVX_ERR_NOMEM;
	for (i = 0; i < n; i++)
		pool_init(&split[i].tables, tables + i * PTP_SPLIT_TABLES * PAGE_SIZE_4K,
			  hv_pa(hv, tables) + i * PTP_SPLIT_TABLES * PAGE_SIZE_4K,
			  PTP_SPLIT_TABLES * PAGE_SIZE_4K);
	hv->ptp.split = split;
	hv->ptp.splits = n;
	return FVX_OK;
}
