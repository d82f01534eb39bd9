/* ioctls of /dev/fastvmix-hv (the loader module). Each argument struct
 * starts with its version; the kernel rejects versions it does not know. */
#ifndef FASTVMIX_IOCTL_H
#define FASTVMIX_IOCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include "vmcall.h"

#define FVX_HV_DEVICE "/dev/fastvmix-hv"

#define FVX_IOC_HV_STATUS_VERSION 1
struct fvx_ioc_hv_status {
	__u32 version; /* in: FVX_IOC_HV_STATUS_VERSION */
	__u32 cpu; /* in: which CPU's counters */
	struct fvx_cpu_status status; /* out */
};
_Static_assert(sizeof(struct fvx_ioc_hv_status) == 8 + sizeof(struct fvx_cpu_status),
	       "fvx_ioc_hv_status layout");

#define FVX_IOC_HV_STATUS _IOWR('F', 0x01, struct fvx_ioc_hv_status)

/* /dev/fastvmix (the agent module): analyzers and tracing. */
#define FVX_AGENT_DEVICE "/dev/fastvmix"

#define FVX_IOC_ANALYZER_VERSION 1
struct fvx_ioc_analyzer {
	__u32 version; /* in */
	__u32 size; /* in: image bytes */
	__u64 image; /* in: user address of the image */
	__u32 error; /* out: enum analyzer_image_error (analyzer.h) on EINVAL */
	__u32 reserved;
};
_Static_assert(sizeof(struct fvx_ioc_analyzer) == 24, "fvx_ioc_analyzer layout");

#define FVX_IOC_INFO_VERSION 2
struct fvx_ioc_info {
	__u32 version; /* in */
	__u32 mode; /* out: current FVX_MODE_*, 0 when idle */
	struct fvx_geometry geometry; /* out */
};
_Static_assert(sizeof(struct fvx_ioc_info) == 8 + sizeof(struct fvx_geometry),
	       "fvx_ioc_info layout");

/* Errors are errno values; those from the hypervisor are its FVX_VMCALL_E*
 * codes unchanged (vmcall.h). */
#define FVX_IOC_ANALYZER_LOAD _IOWR('F', 0x10, struct fvx_ioc_analyzer)
#define FVX_IOC_TRACE_START _IOW('F', 0x11, struct fvx_trace_request)
#define FVX_IOC_TRACE_STOP _IO('F', 0x12)
#define FVX_IOC_INFO _IOWR('F', 0x13, struct fvx_ioc_info)

/* mmap offsets of /dev/fastvmix: the rings (read-only), then the page of
 * consumer tails (struct fvx_ring_consumer per CPU, read-write). */
#define FVX_MMAP_RINGS 0
#define FVX_MMAP_CONSUMER (1ULL << 32)

#endif
