/* The hypervisor core's API for its loader. */
#ifndef FVX_HYPERVISOR_H
#define FVX_HYPERVISOR_H

#include "types.h"
#include "status.h"

/* Checks every CPU, then starts the hypervisor on all of them, with
 * ring_records records in each CPU's trace ring (FVX_RING_RECORDS_DEFAULT,
 * fastvmix/ring.h). Nothing is left running when it fails. */
enum fvx_status hv_load(u64 ring_records);
/* Stops the hypervisor on every CPU and frees its memory. */
void hv_unload(void);

#endif
