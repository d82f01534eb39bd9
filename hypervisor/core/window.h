/* The analyzer window's backing block as the hypervisor addresses it: the
 * config page and the rings (layout in include/fastvmix/trace.h, ring.h).
 * Shared by views.c and trace_ctl.c. */
#ifndef FVX_CORE_WINDOW_H
#define FVX_CORE_WINDOW_H

#include "vcpu.h"
#include "../platform.h"
#include "fastvmix/ring.h"

#define GIB (1ULL << 30)

/* Each CPU's ring for `records` asked for: that many rounded up to a
 * power of two; 0 outside [FVX_RING_RECORDS_MIN, FVX_RING_RECORDS_MAX]. */
static inline u64 window_ring_capacity(u64 records)
{
	u64 capacity = FVX_RING_RECORDS_MIN;

	if (records < FVX_RING_RECORDS_MIN || records > FVX_RING_RECORDS_MAX)
		return 0;
	while (capacity < records)
		capacity *= 2;
	return capacity;
}

/* A ring's bytes: its header page, then its records (a whole number of
 * pages: capacity is a multiple of 4096). */
static inline u64 window_ring_bytes(u64 capacity)
{
	return FVX_RING_RECORDS + capacity * sizeof(struct fvx_trace_record);
}

/* The bytes that back the window for rings of `capacity` records: the head
 * (trampolines to stacks, up to FVX_WIN_RINGS) and each CPU's ring, in
 * whole blocks. 0 for no CPU, more than the window serves, or a window
 * beyond its 1 GiB page. */
static inline u64 window_backing(u64 cpus, u64 capacity)
{
	u64 size;

	if (!cpus || cpus > FVX_WIN_MAX_CPUS || !capacity || capacity > FVX_RING_RECORDS_MAX)
		return 0;
	size = FVX_WIN_RINGS + cpus * window_ring_bytes(capacity);
	size = (size + PLATFORM_CONTIG_BLOCK - 1) & ~(PLATFORM_CONTIG_BLOCK - 1);
	return size <= FVX_WIN_SPAN ? size : 0;
}

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
