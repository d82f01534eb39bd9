/* The page-table protection's load-time half: the EPT tables a split may
 * need later, taken from the pool now (ptprotect.c runs in VMX root). */
#include "vcpu.h"

#define RESERVE_TABLES 4 /* a 1 GiB page split down to 4 KiB, in each view */

enum fvx_status ptp_init(struct hv *hv)
{
	void *tables = pool_alloc(&hv->pool, RESERVE_TABLES);

	if (!tables)
		return FVX_ERR_NOMEM;
	pool_init(&hv->ptp.reserve, tables, hv_pa(hv, tables), RESERVE_TABLES * PAGE_SIZE_4K);
	return FVX_OK;
}
