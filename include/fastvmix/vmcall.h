/* The VMCALL interface of the FastVMIX hypervisor (guest ring 0 only).
 * Include <linux/types.h> (kernel, user space) or hypervisor/types.h first.
 *
 * Call:   RAX = FVX_VMCALL_MAGIC << 32 | function, RBX, RCX, RDX = arguments
 * Return: RAX = FVX_VMCALL_OK or a negative FVX_VMCALL_E* code, RBX = value
 * A VMCALL from ring 3 or without the magic raises #UD, as on a CPU that has
 * no hypervisor. */
#ifndef FASTVMIX_VMCALL_H
#define FASTVMIX_VMCALL_H

#define FVX_VMCALL_MAGIC 0x46564d58ULL /* "FVMX" */
#define FVX_VMCALL_ABI_VERSION 1

enum fvx_vmcall_function {
	FVX_VMCALL_VERSION = 1, /* RBX <- FVX_VMCALL_ABI_VERSION */
	/* RBX = cpu, RCX = guest-physical address of a struct fvx_cpu_status
	 * (must not cross a page), RDX = its size. */
	FVX_VMCALL_STATUS = 2,
	/* RBX = the unload key the loader got at launch: this CPU leaves VMX. */
	FVX_VMCALL_UNLOAD = 3,
};

#define FVX_VMCALL_OK 0
#define FVX_VMCALL_ENOSYS (-1) /* unknown function */
#define FVX_VMCALL_EINVAL (-2) /* bad argument: cpu, address or size */
#define FVX_VMCALL_EPERM (-3) /* wrong unload key */

#define FVX_EXIT_REASON_COUNT 72

/* Feature bits in fvx_cpu_status.features. */
#define FVX_FEATURE_EPT (1u << 0)
#define FVX_FEATURE_VPID (1u << 1)
#define FVX_FEATURE_MSR_BITMAP (1u << 2)
#define FVX_FEATURE_EPT_1G (1u << 3)
#define FVX_FEATURE_HIDDEN_MEMORY (1u << 4)

#define FVX_CPU_STATUS_VERSION 1
struct fvx_cpu_status {
	__u32 version; /* FVX_CPU_STATUS_VERSION */
	__u32 size; /* sizeof(struct fvx_cpu_status) */
	__u32 cpu;
	__u32 cpu_count; /* CPUs running under the hypervisor */
	__u64 features; /* FVX_FEATURE_* */
	__u64 hv_base; /* the hypervisor's memory, hidden from the guest */
	__u64 hv_size;
	__u64 vmcalls;
	__u64 exits_total;
	__u64 exits[FVX_EXIT_REASON_COUNT]; /* by basic exit reason */
};
_Static_assert(sizeof(struct fvx_cpu_status) == 56 + 8 * FVX_EXIT_REASON_COUNT,
	       "fvx_cpu_status layout");

#endif
