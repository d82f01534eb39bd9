/* The exit-less trace path's shared layout: the analyzer window, the config
 * page, the per-CPU scratch the trampoline uses, events, the trace filter
 * and trace records (the rings themselves: ring.h). Include
 * <linux/types.h> or hypervisor/types.h first. Assembly and the analyzer
 * linker script take their offsets from here through the generated
 * asm-offsets header (hypervisor/arch/x86/offsets.c). */
#ifndef FASTVMIX_TRACE_H
#define FASTVMIX_TRACE_H

/* The window: 1 GiB of guest-physical space that is not RAM, mapped into
 * the kernel with one 1 GiB PDPTE. Only these offsets are backed. */
#define FVX_WIN_MAX_CPUS 32
#define FVX_WIN_TRAMPOLINE 0x0000 /* one trampoline copy per CPU (IA32_LSTAR is per CPU) */
#define FVX_WIN_TRAMPOLINE_STRIDE 0x400 /* bytes per CPU's copy */
#define FVX_WIN_TRAMPOLINE_EXIT 0x200 /* the exit-mode entry within a copy */
/* Where a system call's return is reported, within a copy: a C function
 * void ret(__u64 nr, __s64 value) the agent's sys_exit probe calls on this
 * CPU's copy, in fast mode and in exit mode. */
#define FVX_WIN_TRAMPOLINE_RETURN 0x280
#define FVX_WIN_TRAMPOLINE_RETURN_EXIT 0x380
#define FVX_WIN_CONFIG 0x8000 /* struct fvx_config, read-only in both views */
#define FVX_WIN_CODE 0x10000 /* analyzer image */
#define FVX_WIN_CODE_SIZE 0x40000
#define FVX_WIN_DATA 0x50000 /* analyzer scratch, RW in the analyzer view only */
#define FVX_WIN_DATA_SIZE 0x10000
#define FVX_WIN_STACKS 0x60000 /* one analyzer stack per CPU */
#define FVX_WIN_STACK_SIZE 0x4000
#define FVX_WIN_RINGS 0x100000 /* one ring per CPU */
#define FVX_WIN_BACKED 0x400000 /* bytes of the window that are backed */
_Static_assert(FVX_WIN_MAX_CPUS *FVX_WIN_TRAMPOLINE_STRIDE <= FVX_WIN_CONFIG,
	       "a trampoline copy per CPU below the config page");
_Static_assert(FVX_WIN_STACKS + FVX_WIN_MAX_CPUS * FVX_WIN_STACK_SIZE <= FVX_WIN_RINGS,
	       "a stack per CPU below the rings");

/* Per-CPU scratch in Linux's per-CPU area (the agent's DEFINE_PER_CPU),
 * reached by the trampoline through %gs after SWAPGS: only where it parks
 * the caller's registers. What it trusts (its CPU number, its analyzer
 * stack, where the config page is) is written into its own copy by the
 * hypervisor, not read from guest memory. */
struct fvx_percpu_scratch {
	__u64 user_rsp;
	__u64 rax;
	__u64 rcx;
	__u64 rbx;
};
_Static_assert(sizeof(struct fvx_percpu_scratch) == 32, "fvx_percpu_scratch layout");

/* What the trampoline hands the analyzer (on the analyzer stack). A
 * return (the analyzer's return entry) has the number, the return value in
 * args[0], user_rip 0 and FVX_RECORD_RETURN in flags. */
struct fvx_event {
	__u64 nr;
	__u64 args[6];
	__u64 user_rip;
	__u64 cpu;
	__u64 flags;
};
_Static_assert(sizeof(struct fvx_event) == 80, "fvx_event layout");

#define FVX_MODE_FAST 1 /* VMFUNC into the analyzer view: no VM exit */
#define FVX_MODE_EXIT 2 /* VMCALL per event: the hypervisor writes the record */

/* The rings' shape: one definition, embedded wherever it is reported. */
struct fvx_geometry {
	__u64 ring_bytes; /* per CPU, header included */
	__u64 capacity; /* records per ring, a power of two (fvx_ring_capacity) */
	__u32 cpu_count;
	__u32 record_size;
};
_Static_assert(sizeof(struct fvx_geometry) == 24, "fvx_geometry layout");

/* Whom to trace: one definition, from the ioctl to the config page. */
struct fvx_trace_filter {
	__u32 target_tgid; /* 0: everyone */
	__u32 follow_children; /* also descendants of target_tgid */
	__u64 syscalls[8]; /* bit n set: trace syscall n (0..511) */
};
_Static_assert(sizeof(struct fvx_trace_filter) == 72, "fvx_trace_filter layout");

/* A trace request: the argument of FVX_IOC_TRACE_START and, unchanged, of
 * FVX_VMCALL_TRACE_FILTER. */
#define FVX_TRACE_REQUEST_VERSION 2
struct fvx_trace_request {
	__u32 version;
	__u32 mode; /* FVX_MODE_FAST or FVX_MODE_EXIT */
	struct fvx_trace_filter filter;
	/* A sealed trace: until the seal ends nobody can stop it, change its
	 * filter, load an analyzer or unload the hypervisor. */
	__u32 seal_seconds; /* from the frontend; 0: not sealed */
	__u32 flags; /* FVX_TRACE_* */
	__u64 seal_ticks; /* TSC ticks, filled in by the agent for the hypervisor */
};
/* When a ring is full, drop the record (counted) instead of making the
 * thread wait until the frontend has drained it. */
#define FVX_TRACE_DROP (1u << 0)
#define FVX_TRACE_FLAGS FVX_TRACE_DROP
_Static_assert(sizeof(struct fvx_trace_request) == 96, "fvx_trace_request layout");

/* Where Linux keeps what the analyzer reads about the current task. */
struct fvx_task_layout {
	__u64 current_task; /* per-CPU offset of `current_task` */
	__u32 pid; /* offsets in struct task_struct */
	__u32 tgid;
	__u32 real_parent;
	__u32 reserved;
};
_Static_assert(sizeof(struct fvx_task_layout) == 24, "fvx_task_layout layout");

#define FVX_CONFIG_VERSION 3
/* The config page: written by the hypervisor only. */
struct fvx_config {
	__u32 version;
	__u32 size;
	__u64 forward; /* the guest's own syscall entry: where the trampoline goes on */
	__u64 analyzer_entry; /* window address of the analyzer's entry point */
	__u64 window_va; /* the window's kernel virtual address */
	__u64 consumer_va; /* kernel address of the consumers' tails (struct fvx_ring_consumer[]) */
	struct fvx_geometry geometry;
	__u32 mode; /* FVX_MODE_*, 0 when not tracing */
	__u32 flags; /* FVX_CONFIG_* */
	struct fvx_task_layout task;
	struct fvx_trace_filter filter;
	__u64 return_entry; /* window address of the analyzer's return entry, 0: none */
};
_Static_assert(sizeof(struct fvx_config) == 176, "fvx_config layout");
/* Nothing lost: an entry the analyzer cannot record because its CPU's
 * ring is full is not run yet. The trampoline returns the thread to its
 * SYSCALL instruction with every register as it was; the thread makes the
 * call again when it next runs, after the scheduler ran the frontend. Set
 * by the hypervisor unless the trace drops (FVX_TRACE_DROP) or the analyzer
 * does not report a full ring (FVX_ANALYZER_F_WAIT). */
#define FVX_CONFIG_RETRY (1u << 0)
/* What fvx_entry returns (analyzer.h, FVX_ANALYZER_F_WAIT). */
#define FVX_ENTRY_DONE 0
#define FVX_ENTRY_RETRY 1
/* Records an entry leaves free in its ring for the returns and the data of
 * calls already under way, which cannot wait: 1/8 of the ring. */
#define FVX_RING_HEADROOM(capacity) ((capacity) / 8)

/* Record flags (an event's flags are record flags too). */
#define FVX_RECORD_EXIT_MODE (1u << 0) /* written by the hypervisor (exit mode) */
#define FVX_RECORD_RETURN (1u << 1) /* a system call returned: args[0] is its value */

struct fvx_trace_record {
	__u64 seq; /* per CPU, from 1, consecutive: drops are counted, not numbered */
	__u64 tsc;
	__u64 cr3;
	__u64 nr;
	__u64 args[6];
	__u32 cpu;
	__u32 pid;
	__u32 tgid;
	__u32 flags;
};
_Static_assert(sizeof(struct fvx_trace_record) == 96, "fvx_trace_record layout");

#endif
