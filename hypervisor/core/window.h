/* The analyzer window's backing block as the hypervisor addresses it: the
 * config page and the rings (layout in include/fastvmix/trace.h, ring.h).
 * Shared by views.c and trace_ctl.c. */
#ifndef FVX_CORE_WINDOW_H
#define FVX_CORE_WINDOW_H

#include "vcpu.h"
#include "fastvmix/ring.h"

#define GIB (1ULL << 30)
#define WINDOW_ORDER 10 /* the window's backing block: 2^order pages */
#define WINDOW_BLOCK_SIZE (PAGE_SIZE_4K << WINDOW_ORDER)

static inline struct fvx_config *window_config(const struct hv *hv)
{
	return (struct fvx_config *)(hv->window + FVX_WIN_CONFIG);
}

static inline struct fvx_ring_header *window_ring(const struct hv *hv, unsigned int cpu)
{
	return fvx_ring_at(hv->window + FVX_WIN_RINGS, hv->ring_bytes, cpu);
}

/* Empties every CPU's ring (a new trace, or at load time). */
static inline void window_reset_rings(const struct hv *hv)
{
	unsigned int cpu;

	for (cpu = 0; cpu < hv->cpu_count; cpu++)
		fvx_ring_init(window_ring(hv, cpu), hv->ring_bytes);
}

/* Zeroes the analyzer's data area (a new trace): each trace's analyzer
 * starts from nothing, e.g. the default analyzer's follow set (follow_set.h)
 * holds no process of an earlier trace. */
static inline void window_reset_data(const struct hv *hv)
{
	u64 *data = (u64 *)(hv->window + FVX_WIN_DATA);
	u64 i;

	for (i = 0; i < FVX_WIN_DATA_SIZE / 8; i++)
		data[i] = 0;
}

/* Whether a guest virtual address lies in the window's trampoline or
 * analyzer code, where the views may be switched legitimately. */
static inline bool window_code_address(const struct hv *hv, u64 va)
{
	return va - window_config(hv)->window_va < FVX_WIN_CODE + FVX_WIN_CODE_SIZE;
}

#endif
