/* The agent's checks of what user space hands it: ioctl arguments and mmap
 * requests of /dev/fastvmix. Pure functions of the argument structs, so the
 * fuzzer (tests/fuzz/ioctl_fuzz.c) runs them without a kernel. Each returns
 * 0 (or, for mmap, which mapping) or a negated errno: the FVX_VMCALL_E*
 * codes are the same numbers (vmcall.h). */
#ifndef FVX_AGENT_CHECKS_H
#define FVX_AGENT_CHECKS_H

#include "fastvmix/ioctl.h"

/* FVX_IOC_TRACE_START. The filter goes to the hypervisor as it is: it
 * takes any target and bitmap, and reads follow_children as a boolean. A
 * seal lasts at most a day (FVX_SEAL_SECONDS_MAX); a hidden cost per
 * call only with --hide-time, and bounded (fvx_tsc_call_ticks_valid). */
#define FVX_SEAL_SECONDS_MAX 86400
static inline int agent_check_trace_request(const struct fvx_trace_request *req)
{
	if (req->version != FVX_TRACE_REQUEST_VERSION ||
	    (req->mode != FVX_MODE_FAST && req->mode != FVX_MODE_EXIT) ||
	    req->seal_seconds > FVX_SEAL_SECONDS_MAX || (req->flags & ~FVX_TRACE_FLAGS) ||
	    !fvx_tsc_call_ticks_valid(req->flags, req->tsc_call_ticks))
		return FVX_VMCALL_EINVAL;
	return 0;
}

/* FVX_IOC_ANALYZER_LOAD: an image that fits the window's code region (the
 * hypervisor checks its contents). */
static inline int agent_check_analyzer_request(const struct fvx_ioc_analyzer *req)
{
	if (req->version != FVX_IOC_ANALYZER_VERSION || !req->size || req->size > FVX_WIN_CODE_SIZE)
		return FVX_VMCALL_EINVAL;
	return 0;
}

/* FVX_IOC_INFO */
static inline int agent_check_info_request(const struct fvx_ioc_info *req)
{
	return req->version == FVX_IOC_INFO_VERSION ? 0 : FVX_VMCALL_EINVAL;
}

enum agent_mapping {
	AGENT_MAP_RINGS = 1, /* the rings, read-only */
	AGENT_MAP_CONSUMER, /* the page of consumer tails, read-write */
};

/* An mmap of size bytes at offset off (writable: VM_WRITE asked for), with
 * the rings laid out as g says: the enum agent_mapping to set up, or why
 * it is refused. */
static inline int agent_check_mmap(__u64 off, __u64 size, int writable,
				   const struct fvx_geometry *g, __u64 page_size)
{
	if (off == FVX_MMAP_RINGS) {
		if (size > g->ring_bytes * g->cpu_count || writable)
			return FVX_VMCALL_EPERM;
		return AGENT_MAP_RINGS;
	}
	if (off == FVX_MMAP_CONSUMER && size == page_size)
		return AGENT_MAP_CONSUMER;
	return FVX_VMCALL_EINVAL;
}

#endif
