/* The VMCALL interface of the FastVMIX hypervisor (guest ring 0 only).
 * Include <linux/types.h> (kernel, user space) or hypervisor/types.h first.
 *
 * Call:   RAX = FVX_VMCALL_MAGIC << 32 | function, RBX, RCX, RDX = arguments
 * Return: RAX = FVX_VMCALL_OK or a negative FVX_VMCALL_E* code, RBX = value
 * A VMCALL from ring 3 or without the magic raises #UD, as on a CPU that has
 * no hypervisor. */
#ifndef FASTVMIX_VMCALL_H
#define FASTVMIX_VMCALL_H

#include "trace.h"

#define FVX_VMCALL_MAGIC 0x46564d58ULL /* "FVMX" */
#define FVX_VMCALL_ABI_VERSION 1

#define FVX_VMCALL_VERSION 1 /* RBX <- FVX_VMCALL_ABI_VERSION */
/* RBX = cpu, RCX = guest-physical address of a struct fvx_cpu_status (must
 * not cross a page), RDX = its size. */
#define FVX_VMCALL_STATUS 2
/* RBX = the unload key the loader got at launch: this CPU leaves VMX. */
#define FVX_VMCALL_UNLOAD 3
/* RBX = guest-physical address of a struct fvx_window_info to fill. */
#define FVX_VMCALL_WINDOW_INFO 4
/* RBX = guest-physical address of a struct fvx_agent_config. */
#define FVX_VMCALL_CONFIGURE 5
/* RBX = guest-physical address of an analyzer image (physically contiguous,
 * page-aligned), RCX = its size. RBX <- an enum analyzer_image_error
 * (fastvmix/analyzer.h) on FVX_VMCALL_EINVAL. */
#define FVX_VMCALL_ANALYZER_LOAD 6
/* Exit-mode trampoline only: RBX = syscall number. */
#define FVX_VMCALL_TRACE_EVENT 7
/* RBX = guest-physical address of a struct fvx_trace_request (its filter);
 * resets the rings and zeroes the analyzer's data area. */
#define FVX_VMCALL_TRACE_FILTER 8
/* RBX = FVX_MODE_FAST or FVX_MODE_EXIT, or 0 to stop: this CPU only. */
#define FVX_VMCALL_TRACE_MODE 9
/* Exit-mode return entry only: RBX = syscall number, RCX = return value. */
#define FVX_VMCALL_TRACE_RETURN 10
/* Undoes FVX_VMCALL_CONFIGURE: the hypervisor stops protecting the
 * window's page-table entries, so the agent may unmap it. Not while
 * tracing (EBUSY). */
#define FVX_VMCALL_UNCONFIGURE 11
/* The loader, at load time, on each CPU: RBX = the unload key, RCX = the
 * TSC ticks an exit costs outside the hypervisor's own measurement. */
#define FVX_VMCALL_TSC_CALIBRATE 12
/* This CPU's trampoline copy only (its TSC routine, when the hypervisor
 * asks through fvx_tsc_slot.track): the address space that runs is about
 * to spend time in the analyzer view; from now on its user-mode RDTSC and
 * RDTSCP exit, and read its TSC without that time. */
#define FVX_VMCALL_TSC_TRACK 13
#define FVX_VMCALL_COUNT 14 /* functions are 1 .. FVX_VMCALL_COUNT - 1 */

/* The one error vocabulary from the hypervisor to the frontend: each code is
 * the negated Linux errno of the same name, so the agent and the loader hand
 * it to user space unchanged and the frontend prints strerror() of it. */
#define FVX_VMCALL_OK 0
#define FVX_VMCALL_EPERM (-1) /* wrong unload key, or not from the trampoline */
#define FVX_VMCALL_ENOENT (-2) /* not configured / no analyzer loaded */
#define FVX_VMCALL_EBUSY (-16) /* not while tracing */
#define FVX_VMCALL_EINVAL (-22) /* bad argument: cpu, address or size */
#define FVX_VMCALL_ENOSYS (-38) /* unknown function */

#define FVX_EXIT_REASON_COUNT 72

/* Feature bits in fvx_cpu_status.features. */
#define FVX_FEATURE_EPT (1u << 0)
#define FVX_FEATURE_VPID (1u << 1)
#define FVX_FEATURE_MSR_BITMAP (1u << 2)
#define FVX_FEATURE_EPT_1G (1u << 3)
#define FVX_FEATURE_HIDDEN_MEMORY (1u << 4)
/* This CPU checks the window's page-table entries on every CR3 load. */
#define FVX_FEATURE_PT_PROTECT (1u << 5)

#define FVX_CPU_STATUS_VERSION 7
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
	/* Attacks and repairs, by kind. */
	__u64 view_attacks; /* view switches by code of one's own, refused VMFUNCs */
	__u64 cr3_loads; /* MOV to CR3 done by the hypervisor (checked) */
	__u64 pml4e_repaired; /* the window's PML4E written back (at a CR3 load or later) */
	__u64 pdpte_repaired; /* the window's PDPTE written back */
	__u64 cr3_refused; /* CR3 loads refused (#GP): table unreadable or not repairable */
	__u64 pdpt_writes_emulated; /* writes to other slots of the window's PDPT, done */
	__u64 pdpt_writes_refused; /* writes to the window's slot, or undecodable (#GP) */
	__u64 sealed_refusals; /* attempts to end or change a sealed trace */
	__u64 bad_unload_keys; /* UNLOAD with a wrong key */
	__u64 msr_writes_shadowed; /* STAR, SYSENTER_*, EFER.SCE: kept from the CPU */
	__u64 dt_loads_refused; /* LIDT/LGDT/LLDT/LTR away from Linux's tables */
	__u64 kernel_writes_refused; /* kernel text, read-only data, the IDT page */
	__u64 text_pokes; /* Linux's own text_poke writes to kernel text, let through */
	__u64 resume_tampered; /* an interrupted analyzer's state changed under it */
	/* Timing transparency: TSC ticks taken out of the guest's TSC. */
	__u64 tsc_transition; /* per exit, beyond the hypervisor's own time (calibrated at load) */
	__u64 tsc_hidden; /* in all, since load */
	/* The analyzer's time in fast mode, taken out of the TSC that the
	 * user code of the address space it ran for reads (RDTSC exiting on
	 * only while such an address space runs). */
	__u64 rdtsc_exits; /* RDTSC and RDTSCP exits */
	__u64 rdtsc_adjusted; /* of those, answered with an address space's analyzer time out */
	__u64 tsc_analyzer; /* analyzer ticks measured on this CPU and taken out */
	__u64 tsc_spaces; /* address spaces with analyzer time taken out, now (all CPUs) */
	__u64 tsc_evicted; /* dropped from the full table: their TSC jumped forward (all CPUs) */
	__u64 tsc_deadline_rearms; /* the TSC deadline moved with the offset after an exit */
	/* Of tsc_hidden, spent catching up with the CPU that hid most, so that
	 * the CPUs' TSCs stay together. */
	__u64 tsc_evened;
	/* What this CPU was let off catching up: beyond the largest debt (the
	 * CPUs then part), or after the guest set its TSC itself. */
	__u64 tsc_forgiven;
	/* Of the repairs, those of a table already loaded: guest ring 0
	 * rewrote an entry after the CR3 load, found at a later exit. */
	__u64 loaded_repaired;
	/* A top-level table a CPU has loaded is read-only while loaded: the
	 * guest's writes to its other slots, done for it; to the window's
	 * slot (or undecodable), refused; loads of a table that could not be
	 * made read-only (no EPT tables left for a split). */
	__u64 table_writes_emulated;
	__u64 table_writes_refused;
	__u64 tables_unguarded;
	/* A loaded table found bad at an exit that may not be repaired (the
	 * guest could not write it itself): it stays bad, and is refused if
	 * loaded again. */
	__u64 loaded_refused;
	/* Hardware breakpoints (DR0-DR3) on the window the guest enabled,
	 * left out of the DR7 the CPU uses. */
	__u64 breakpoints_refused;
};
_Static_assert(sizeof(struct fvx_cpu_status) == 56 + 8 * FVX_EXIT_REASON_COUNT + 30 * 8,
	       "fvx_cpu_status layout");

#define FVX_WINDOW_INFO_VERSION 1
struct fvx_window_info {
	__u32 version;
	__u32 size;
	__u64 window_gpa; /* 1 GiB aligned, not RAM */
	__u64 backed; /* bytes backed from the start (FVX_WIN_SPAN) */
	struct fvx_geometry geometry;
};
_Static_assert(sizeof(struct fvx_window_info) == 24 + sizeof(struct fvx_geometry),
	       "fvx_window_info layout");

#define FVX_AGENT_CONFIG_VERSION 5
/* What only the guest kernel knows: where it mapped the window and where
 * its own data lives. The page-table entries that map the window are not
 * named here: the hypervisor finds them from window_va in the tables of
 * the CPU that configures, and checks them. */
struct fvx_agent_config {
	__u32 version;
	__u32 size;
	__u64 window_va;
	__u64 consumer_va;
	__u64 scratch_percpu; /* per-CPU offset of struct fvx_percpu_scratch (< 2 GiB) */
	struct fvx_task_layout task;
};
_Static_assert(sizeof(struct fvx_agent_config) == 32 + sizeof(struct fvx_task_layout),
	       "fvx_agent_config layout");

/* The guest side of a VMCALL (agent, loader, unload): returns RAX, *rbx_out
 * gets RBX. Clobbers nothing else. */
static inline long long fvx_vmcall_raw(__u64 rax, __u64 rbx, __u64 rcx, __u64 rdx, __u64 *rbx_out)
{
	__asm__ __volatile__("vmcall" : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx) : : "memory");
	if (rbx_out)
		*rbx_out = rbx;
	return (long long)rax;
}

static inline long long fvx_vmcall(__u32 function, __u64 rbx, __u64 rcx, __u64 rdx, __u64 *rbx_out)
{
	return fvx_vmcall_raw(FVX_VMCALL_MAGIC << 32 | function, rbx, rcx, rdx, rbx_out);
}

#endif
