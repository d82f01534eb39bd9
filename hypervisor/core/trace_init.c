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
		/* Where the analyzer may read guest memory: RAM outside what the EPT
		 * views hide (hv.c build_ept). */
		.phys = { .page_offset = hv->page_offset,
			  .ram_top = hv->ram_top,
			  .hidden_start = { hv->pool.pa, hv->window_pa },
			  .hidden_size = { hv->pool.size, hv->window_size } },
		.string_limit = FVX_DATA_BUFFER_DEFAULT,
	};
	window_reset_rings(hv);
}
