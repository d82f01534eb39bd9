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

#endif
