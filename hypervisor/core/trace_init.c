/* The analyzer window's config page and ring headers as the guest first
 * sees them. Load time (trace_ctl.c changes them in VMX root). */
#include "trace_ctl.h"
#include "window.h"

void trace_init(struct hv *hv)
{
	*window_config(hv) = (struct fvx_config){
		.version = FVX_CONFIG_VERSION,
		.size = sizeof(struct fvx_config),
		.geometry = { .ring_bytes = hv->ring_bytes,
			      .capacity = hv->ring_capacity,
			      .cpu_count = hv->cpu_count,
			      .record_size = sizeof(struct fvx_trace_record) },
	};
	window_reset_rings(hv);
}
