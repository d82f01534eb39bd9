/* The hypervisor core's API for its loader. */
#ifndef FVX_HYPERVISOR_H
#define FVX_HYPERVISOR_H

#include "status.h"

/* Checks every CPU, then starts the hypervisor on all of them. Nothing is
 * left running when it fails. */
enum fvx_status hv_load(void);
/* Stops the hypervisor on every CPU and frees its memory. */
void hv_unload(void);

#endif
