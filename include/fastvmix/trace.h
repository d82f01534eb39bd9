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
#define FVX_WIN_TRAMPOLINE_STRIDE 0x800 /* bytes per CPU's copy */
#define FVX_WIN_TRAMPOLINE_EXIT 0x3c0 /* the exit-mode entry within a copy */
/* Where the kernel reports, within a copy: a C function
 * int event(__u64 nr, __s64 value, const __u64 args[6], __u64 flags) the
 * agent's tracepoint probes call on this CPU's copy (trampoline.S): a
 * system call's return (flags FVX_RECORD_RETURN), a 32-bit system call's
 * entry (FVX_RECORD_COMPAT alone) or a task event (FVX_RECORD_TASK). Exit
 * mode reports 64-bit returns only, and ignores args and flags. */
#define FVX_WIN_TRAMPOLINE_RETURN 0x420
/* In that call's flags, fast mode's return entry only: args is not an
 * array but the register frame Linux saved at the 64-bit call's entry, its
 * struct pt_regs, where the arguments are at FVX_PT_REGS_* (the agent's
 * user return notifier, every traced call's return: no copy of them). */
#define FVX_EVENT_REGS (1u << 31)
#define FVX_EVENT_REGS_BIT 31
/* In that call's flags, with FVX_RECORD_WHOLE: the reporter can make the
 * thread make the call again (the agent's notifier sends it back to its
 * SYSCALL), so the record may wait for room as an entry does
 * (FVX_ENTRY_RETRY); without it, where only the returns' headroom is
 * left, the record is dropped and counted. */
#define FVX_EVENT_MAY_WAIT (1u << 30)
/* Linux's x86-64 struct pt_regs, as its entry code pushes it (the agent
 * checks them against <asm/ptrace.h>): a 64-bit call's arguments. */
#define FVX_PT_REGS_R10 56
#define FVX_PT_REGS_R9 64
#define FVX_PT_REGS_R8 72
#define FVX_PT_REGS_DX 96
#define FVX_PT_REGS_SI 104
#define FVX_PT_REGS_DI 112
#define FVX_WIN_TRAMPOLINE_RETURN_EXIT 0x680
/* The 32-bit system call entries, within a copy, while a fast trace runs:
 * `int $0x80` (the window's IDT sends vector 0x80 to CPU 0's copy) and
 * SYSENTER (each CPU's IA32_SYSENTER_EIP at its own). They give a marked
 * task back its tracepoint bit before Linux reads it (trampoline.S). */
#define FVX_WIN_TRAMPOLINE_INT80 0x6c0
#define FVX_WIN_TRAMPOLINE_SYSENTER 0x740
#define FVX_WIN_CONFIG 0x10000 /* struct fvx_config, read-only in both views */
/* Linux's IDT as the hypervisor recorded it at load, but for vector 0x80:
 * the IDT the CPUs use while a fast trace runs, read-only in both views. */
#define FVX_WIN_IDT 0x11000
/* A page only the normal view maps (read-only, no data): the trampoline
 * reads it right after each VMFUNC back to view 0, so that ring-0 code that
 * jumps to such a VMFUNC with ECX = 1, to run the code after it in the
 * analyzer view, faults there instead (an attack, views.c), before that
 * code writes anything the analyzer view lets it. */
#define FVX_WIN_GUARD 0x12000
#define FVX_WIN_CODE 0x20000 /* analyzer image */
#define FVX_WIN_CODE_SIZE 0x40000
#define FVX_WIN_DATA 0x60000 /* analyzer scratch, RW in the analyzer view only */
#define FVX_WIN_DATA_SIZE 0x10000
#define FVX_WIN_STACKS 0x70000 /* one analyzer stack per CPU */
#define FVX_WIN_STACK_SIZE 0x4000
#define FVX_WIN_RINGS 0x100000 /* one ring per CPU */
/* The window spans one 1 GiB page; its first fvx_window_info.backed bytes
 * are backed: the head above, then the rings, as large as the loader was
 * asked to make them (FVX_RING_RECORDS_DEFAULT, ring.h). */
#define FVX_WIN_SPAN 0x40000000ULL
_Static_assert(FVX_WIN_MAX_CPUS *FVX_WIN_TRAMPOLINE_STRIDE <= FVX_WIN_CONFIG,
	       "a trampoline copy per CPU below the config page");
_Static_assert(FVX_WIN_STACKS + FVX_WIN_MAX_CPUS * FVX_WIN_STACK_SIZE <= FVX_WIN_RINGS,
	       "a stack per CPU below the rings");

/* The top of each CPU's analyzer stack holds what the trampoline measures
 * of the time the analyzer view takes (timing transparency, hidden from
 * the traced process's TSC); the stack itself starts below it. Only the
 * analyzer view and the hypervisor can write it (views_build.c). */
struct fvx_tsc_slot {
	__u64 hidden; /* ticks in the analyzer view since the hypervisor last took them */
	__u64 start; /* the trampoline's: the TSC when the running measure began */
	__u32 track; /* the hypervisor's: nonzero asks for FVX_VMCALL_TSC_TRACK first */
	__u32 reserved;
	/* The hypervisor's, at every exit: what to add to this CPU's TSC as
	 * the guest reads it (offset by this CPU's hidden time) for the
	 * host's, the one clock all CPUs share. Records are stamped with it. */
	__u64 host;
};
_Static_assert(sizeof(struct fvx_tsc_slot) == 32, "fvx_tsc_slot layout: keeps the stack aligned");
/* Window offset of CPU cpu's analyzer stack top, where its fvx_tsc_slot is. */
#define FVX_WIN_STACK_TOP(cpu)                                                                     \
	(FVX_WIN_STACKS + ((cpu) + 1) * FVX_WIN_STACK_SIZE - sizeof(struct fvx_tsc_slot))

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
 * args[0] (and user_rip), FVX_RECORD_RETURN in flags, and in call_args the
 * call's arguments (from the agent's sys_exit probe: pt_regs), for the
 * buffers a call fills; at entry call_args is not set (args has them). */
struct fvx_event {
	__u64 nr;
	__u64 args[6];
	__u64 user_rip;
	__u64 cpu;
	__u64 flags;
	__u64 call_args[6];
};
_Static_assert(sizeof(struct fvx_event) == 128, "fvx_event layout");

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
#define FVX_TRACE_REQUEST_VERSION 4
struct fvx_trace_request {
	__u32 version;
	__u32 mode; /* FVX_MODE_FAST or FVX_MODE_EXIT */
	struct fvx_trace_filter filter;
	/* A sealed trace: until the seal ends nobody can stop it, change its
	 * filter, load an analyzer or unload the hypervisor. */
	__u32 seal_seconds; /* from the frontend; 0: not sealed */
	/* -s: bytes of a buffer argument the analyzer captures; more than
	 * FVX_DATA_BUFFER_MAX is taken as that. */
	__u32 string_limit;
	__u64 seal_ticks; /* TSC ticks, filled in by the agent for the hypervisor */
	__u32 flags; /* FVX_TRACE_* */
	/* With FVX_TRACE_HIDE_TIME: TSC ticks each traced system call costs
	 * outside the analyzer view, or in exit mode outside the hypervisor's
	 * recording (the kernel's tracing slow path, the agent's probes), as
	 * the frontend measured them; hidden with the analyzer's own time. At most FVX_TSC_CALL_TICKS_MAX; 0
	 * without FVX_TRACE_HIDE_TIME. */
	__u32 tsc_call_ticks;
};
/* When a ring is full, drop the record (counted) instead of making the
 * thread wait until the frontend has drained it. */
#define FVX_TRACE_DROP (1u << 0)
/* Take the analyzer's own time out of the traced processes' user-mode
 * RDTSC (hypervisor/core/tsc.c). It costs exits: RDTSC exiting is on while
 * a traced process runs, and the kernel reads the TSC too (on x86 at the
 * end of every system call, for its stack randomisation), so without it a
 * traced call takes no VM exit at all, and with it about one. */
#define FVX_TRACE_HIDE_TIME (1u << 1)
#define FVX_TRACE_FLAGS (FVX_TRACE_DROP | FVX_TRACE_HIDE_TIME)
#define FVX_TSC_CALL_TICKS_MAX 100000
/* A request's hidden cost per call is valid (both the agent and the
 * hypervisor check it). */
static inline int fvx_tsc_call_ticks_valid(__u32 flags, __u32 ticks)
{
	return ticks <= FVX_TSC_CALL_TICKS_MAX && (!ticks || (flags & FVX_TRACE_HIDE_TIME));
}
_Static_assert(sizeof(struct fvx_trace_request) == 104, "fvx_trace_request layout");

/* Where Linux keeps what the analyzer reads about the current task. */
struct fvx_task_layout {
	__u64 current_task; /* per-CPU offset of `current_task` */
	__u32 pid; /* offsets in struct task_struct */
	__u32 tgid;
	__u32 real_parent;
	/* The bit, counted from the start of struct task_struct, that marks a
	 * task the trace may select (FVX_CONFIG_TASK_MARKS): one of
	 * thread_info.syscall_work that Linux leaves alone. */
	__u32 mark;
	/* Masks within the tracepoint bit's byte (FVX_CONFIG_DEFER). watch:
	 * the bits that let something change a system call between its
	 * SYSCALL and its run, ptrace's syscall stops and seccomp's among them
	 * (Linux's SYSCALL_WORK_SECCOMP, _SYSCALL_TRACE, _SYSCALL_EMU,
	 * _SYSCALL_USER_DISPATCH); defer: one bit Linux leaves alone, which
	 * the trampoline sets to say "this call is recorded from sys_enter".
	 * 0: never defer. */
	__u8 watch;
	__u8 defer;
	__u16 reserved; /* 0 */
	/* The bit, counted as mark, of Linux's SYSCALL_WORK_SYSCALL_TRACEPOINT
	 * in thread_info.syscall_work: whether a task's system calls reach the
	 * syscall tracepoints (the agent's probes) at all. With task marks,
	 * the trampoline keeps it on a marked task only for the calls that
	 * need the probes (FVX_CONFIG_TASK_MARKS). */
	__u32 tracepoint;
	/* Offset of the task's ptrace flags (a 32-bit word, nonzero while a
	 * tracer is attached): such a task keeps its tracepoint bit. */
	__u32 ptrace;
	/* Bits counted as mark, for a selected call's return without the
	 * tracepoints (FVX_CONFIG_FAST_SKIP): pending, one of
	 * thread_info.syscall_work that Linux leaves alone, which says the
	 * call's return is due; notify, Linux's TIF_USER_RETURN_NOTIFY in
	 * thread_info.flags, which makes the kernel call the agent's user
	 * return notifier as the task goes back to user mode. */
	__u32 pending;
	__u32 notify;
	__u32 reserved2; /* 0 */
};
_Static_assert(sizeof(struct fvx_task_layout) == 48, "fvx_task_layout layout");

/* Where the analyzer may read guest memory (guest_read.h): Linux's direct
 * map and the physical addresses behind it that are guest RAM outside the
 * hypervisor's own memory. Measured by the hypervisor at load, not told
 * by the guest. */
struct fvx_phys_limits {
	__u64 page_offset; /* Linux's page_offset_base: physical 0 in the direct map */
	__u64 ram_top; /* no physical address at or above is read */
	__u64 hidden_start[2]; /* the hypervisor's memory and the window's backing: */
	__u64 hidden_size[2]; /* in no EPT view, never read */
};
_Static_assert(sizeof(struct fvx_phys_limits) == 48, "fvx_phys_limits layout");

#define FVX_CONFIG_VERSION 10
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
	struct fvx_phys_limits phys;
	__u32 string_limit; /* -s: bytes of a buffer argument captured, <= FVX_DATA_BUFFER_MAX */
	__u32 tsc_call_ticks; /* fvx_trace_request's, hidden per traced call (trampoline.S) */
	/* Linux's 32-bit entries, where the window's go on: vector 0x80's
	 * handler in the IDT and IA32_SYSENTER_EIP, as recorded at load. */
	__u64 forward_int80;
	__u64 forward_sysenter;
};
_Static_assert(sizeof(struct fvx_config) == 272, "fvx_config layout");
/* Nothing lost: an entry the analyzer cannot record because its CPU's
 * ring is full is not run yet. The trampoline returns the thread to its
 * SYSCALL instruction with every register as it was; the thread makes the
 * call again when it next runs, after the scheduler ran the frontend. Set
 * by the hypervisor unless the trace drops (FVX_TRACE_DROP) or the analyzer
 * does not report a full ring (FVX_ANALYZER_F_WAIT). */
#define FVX_CONFIG_RETRY (1u << 0)
/* Only tasks with their mark (fvx_task_layout.mark) set can be selected:
 * the trampoline sends a system call of any other task straight on to
 * Linux, without entering the analyzer view. The agent keeps the mark on
 * the tasks the trace may select and takes it and the tracepoint bit off
 * the others, which then skip Linux's syscall tracepoints. A marked task
 * keeps its tracepoint bit only while it needs the agent's probes: the
 * trampoline clears it for a 64-bit call the filter leaves out
 * (FVX_CONFIG_FAST_SKIP) and sets it again for one the filter selects and
 * at the 32-bit entries (FVX_WIN_TRAMPOLINE_INT80, _SYSENTER), whose calls
 * only the probes see. Set by the hypervisor when the trace has a target
 * and is not sealed: the mark is guest kernel data, so a sealed trace
 * leaves the choice to the analyzer alone. */
#define FVX_CONFIG_TASK_MARKS (1u << 1)
/* A task whose calls something may change after its SYSCALL (a ptrace
 * tracer at its syscall-entry stop, a seccomp filter's SECCOMP_RET_TRACE:
 * fvx_task_layout.watch) is not recorded by the trampoline, which would
 * show the call as asked, not as run: the trampoline sets the task's
 * defer bit and the agent's sys_enter probe records the call as Linux
 * runs it (its sys_exit probe, if seccomp or ptrace skipped it). Set by
 * the hypervisor when the trace is not sealed: those bits and the probes
 * are guest kernel data and text, so a sealed trace records every
 * SYSCALL at the trampoline, as asked. */
#define FVX_CONFIG_DEFER (1u << 2)
/* With task marks: a marked task's 64-bit call the filter leaves out
 * goes through Linux's fast path, as an unmarked task's: the trampoline
 * takes the task's tracepoint bit off (unless something may change the
 * call before it runs, fvx_task_layout.watch, which the sys_enter probe
 * then sees). Set by the hypervisor with FVX_CONFIG_TASK_MARKS when the
 * window has Linux's IDT with its own `int $0x80` entry (FVX_WIN_IDT) and
 * every CPU runs a fast trace, so uses it: without it a 32-bit call after
 * such a call would reach no probe. */
#define FVX_CONFIG_FAST_SKIP (1u << 3)
/* The trampoline measures its time in the analyzer view (fvx_tsc_slot):
 * set by the hypervisor when the trace hides that time
 * (FVX_TRACE_HIDE_TIME) and RDTSC exiting can hide it. Without it the
 * measure's two reads of IA32_TSC are left out. */
#define FVX_CONFIG_MEASURE (1u << 4)
/* Quick calls (syscall_quick.h) are recorded whole at their return: the
 * trampoline sends a marked task's quick call that returns through the
 * notifier (FVX_CONFIG_FAST_SKIP's path) straight on to Linux, and its
 * return entry marks that return FVX_RECORD_WHOLE. Set by the hypervisor
 * for the whole trace when the analyzer records such returns
 * (FVX_ANALYZER_F_WHOLE) and the trace does not measure the analyzer
 * view's time (FVX_CONFIG_MEASURE: a call's kernel work is hidden at its
 * entry). */
#define FVX_CONFIG_QUICK (1u << 5)
/* What fvx_entry returns (analyzer.h, FVX_ANALYZER_F_WAIT). */
#define FVX_ENTRY_DONE 0
#define FVX_ENTRY_RETRY 1
/* Records an entry leaves free in its ring for the returns and the data of
 * calls already under way, which cannot wait: 1/8 of the ring. */
#define FVX_RING_HEADROOM(capacity) ((capacity) / 8)

/* Record flags (an event's flags are record flags too). */
#define FVX_RECORD_EXIT_MODE (1u << 0) /* written by the hypervisor (exit mode) */
/* A system call returned: args[0] is its value (rt_sigreturn's in fast
 * mode: args[1] the signal mask it restored, which the agent passes as its
 * argument). */
#define FVX_RECORD_RETURN (1u << 1)
/* (FVX_SIGRETURN_MASK_UNKNOWN when the agent did not see it restored. No
 * mask Linux restores has SIGKILL's bit: one that has it, whatever its
 * width, is unknown.) */
#define FVX_SIGRETURN_MASK_UNKNOWN (~0ULL)
static inline int fvx_sigreturn_mask_unknown(__u64 mask)
{
	return mask >> 8 & 1;
}
#define FVX_RECORD_DATA (1u << 2) /* bytes of an argument: see below */
/* A 32-bit system call (int $0x80, SYSENTER, a 32-bit process's SYSCALL):
 * nr is the i386 table's (<asm/unistd_32.h>), args are the registers Linux
 * reads for it (EBX, ECX, EDX, ESI, EDI, EBP), zero-extended. */
#define FVX_RECORD_COMPAT (1u << 3)
/* Not a system call: what happened to a task, nr says what (FVX_TASK_*).
 * pid and tgid are the task's. */
#define FVX_RECORD_TASK (1u << 4)
/* Not a system call: an operation a traced task submitted through an
 * io_uring (uring.h), recorded as the x86-64 call that does the same: nr
 * and args that call's; its opcode in bits 24..31 of flags. With
 * FVX_RECORD_RETURN its completion: args[0] the result, args[1] the
 * user_data, args[2] the CQE's flags. Set by the analyzer only (an event's
 * flags never carry it). */
#define FVX_RECORD_URING (1u << 5)
/* With FVX_RECORD_RETURN: a quick call (syscall_quick.h), recorded once,
 * as it returned: args[0..4] its arguments, args[FVX_QUICK_VALUE] its
 * value; its entry has no record of its own. Fast mode's only: from the
 * agent's notifier, whose return entry reads the arguments from pt_regs
 * (FVX_EVENT_REGS); the analyzer takes it for a quick call only. */
#define FVX_RECORD_WHOLE (1u << 6)
#define FVX_RECORD_FLAGS                                                                           \
	(FVX_RECORD_EXIT_MODE | FVX_RECORD_RETURN | FVX_RECORD_DATA | FVX_RECORD_COMPAT |          \
	 FVX_RECORD_TASK)

/* Task events (FVX_RECORD_TASK), from the agent's probes on Linux's
 * scheduler and signal tracepoints (fast mode only); args as they come
 * from the agent, then what the default analyzer records (trace_task.h):
 *   FORK    the current task made a new one (fork, vfork, clone, clone3),
 *           before it first runs: args[0] its task_struct, args[1] its pid,
 *           args[2] its tgid. Recorded only for a child of a selected task
 *           that the analyzer could not add to its follow set
 *           (follow_set.h): pid and tgid the child's, args[0] and args[1]
 *           the parent's pid and tgid.
 *   EXIT    the current task ends: args[0] its exit code as wait(2)
 *           reports it (status << 8, or the signal, | 0x80 for a core),
 *           args[1] 1 when it was the last thread of its process. Recorded
 *           as it came, pid and tgid the task's.
 *   SIGNAL  a task gets a signal, where strace shows one (`--- SIGx {...}
 *           ---`): when the task takes it (Linux's signal_deliver), or
 *           when Linux discards it as it is sent but a tracer would have
 *           seen it taken: one whose disposition ignores it (SIGCHLD by
 *           default), or a fatal one Linux turns into killing the whole
 *           process (SIGTERM by default); never SIGKILL. args[0] the task's
 *           pid | its tgid << 32, args[1] fvx_signal_pack(signal, si_code,
 *           si_errno), args[2..5] the siginfo's union (its 32 bytes after
 *           the header, as <asm-generic/siginfo.h> lays them out on x86-64:
 *           si_pid | si_uid << 32, si_status, si_utime, si_stime for
 *           SIGCHLD; si_addr for SIGSEGV...). Recorded as it came, pid and
 *           tgid the task's. */
#define FVX_TASK_FORK 1
#define FVX_TASK_EXIT 2
#define FVX_TASK_SIGNAL 3
/*   IO_URING the current task submits an io_uring operation (the kernel
 *           prepares its submission queue entry): args the entry's first
 *           48 bytes (uring.h), user_rip the kernel's request (struct
 *           io_kiocb *: a key, never read). Recorded as FVX_RECORD_URING.
 *   IO_URING_DONE  an io_uring operation completes (the kernel posts its
 *           completion queue entry) in the current task: the submitter, the
 *           ring's SQPOLL thread or an io worker of its process. args[0]
 *           the result (the CQE's res, sign-extended), args[1] its
 *           user_data, args[2] the opcode (FVX_URING_OP_NONE when the
 *           kernel did not say: a completion of its own), args[3] the
 *           CQE's flags, args[4] the request (IO_URING's user_rip; 0:
 *           none). Recorded as FVX_RECORD_URING | FVX_RECORD_RETURN
 *           (uring.h), after the data records of what the operation
 *           filled, as its call's return would have them (a read's
 *           buffer), from the arguments its submission kept in the
 *           analyzer's data area. */
#define FVX_TASK_IO_URING 4
#define FVX_TASK_IO_URING_DONE 5
/* IO_URING_DONE's opcode for a completion the kernel posted without a
 * request (no operation has that number). */
#define FVX_URING_OP_NONE 0xff

/* A signal event's args[1]: the signal (1..64), si_errno (16 bits, as
 * seccomp's data) and si_code; and FVX_SIGNAL_STOPS: the task takes the
 * signal's default action, which stops it (SIGSTOP, SIGTSTP, SIGTTIN,
 * SIGTTOU without a handler: a group stop begins, strace's "stopped by"). */
#define FVX_SIGNAL_STOPS (1u << 8)
static inline __u64 fvx_signal_pack(__u32 sig, int code, int err)
{
	return (__u64)(sig & 0xff) | (__u64)(__u16)err << 16 | (__u64)(__u32)code << 32;
}

static inline int fvx_signal_stops(__u64 packed)
{
	return !!(packed & FVX_SIGNAL_STOPS);
}

static inline __u32 fvx_signal_number(__u64 packed)
{
	return packed & 0xff;
}

static inline int fvx_signal_code(__u64 packed)
{
	return (int)(packed >> 32);
}

static inline __u32 fvx_signal_errno(__u64 packed)
{
	return (packed >> 16) & 0xffff;
}

struct fvx_trace_record {
	__u64 seq; /* per CPU, from 1, consecutive: drops are counted, not numbered */
	/* The host's TSC (fvx_tsc_slot.host): one clock on every CPU, which
	 * orders records across CPUs; the guest's TSC runs behind it by each
	 * CPU's hidden time. */
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

/* Data records: what a string or buffer argument points to, read by the
 * analyzer (fast mode only) from the traced process's memory without
 * faulting (guest_read.h). A value travels as one or more records with
 * FVX_RECORD_DATA in flags, written just BEFORE the record they belong to
 * (its owner: the entry, or with FVX_RECORD_RETURN also set, the return),
 * on the same ring, with the owner's tsc, nr, cpu, pid and tgid; so the
 * frontend has a call's data when its line is printed, and a drop of the
 * owner leaves the pieces as orphans it discards. In a data record:
 *   cr3      the piece's header (fvx_data_header): the argument index,
 *            the value's state, this piece's offset and length, and the
 *            value's total length;
 *   args[]   up to FVX_DATA_PIECE bytes of the value, from that offset.
 * States: COMPLETE (a string up to its NUL, excluded; a buffer's bytes as
 * far as the call's count, or return value, goes), TRUNCATED (more than
 * the cap: strace's "..."), UNREADABLE (some byte of what was wanted is
 * not mapped for the user: one piece of length 0; strace prints the
 * address). What is captured, per the argument types of syscall_args.h:
 *   FVX_ARG_STR       at entry, a string up to FVX_DATA_STRING_MAX bytes
 *                     (strace prints path names whole, up to PATH_MAX);
 *   FVX_ARG_BUF       at entry, min(count, string_limit) bytes; count is
 *                     the next argument (write, sendto, setxattr...);
 *   FVX_ARG_BUF_OUT   at return, min(return value, count,
 *                     string_limit) bytes, when the call succeeded (read);
 *   FVX_ARG_PATH_OUT  at return, a string (getcwd);
 *   FVX_ARG_ARGV      at entry, the strings of a NULL-terminated array of
 *                     pointers (execve's argv) as items: FVX_VEC_STR, the
 *                     string up to its NUL or its first string_limit + 1
 *                     bytes (strace prints -s of them, then "..."), then a
 *                     NUL; FVX_VEC_ADDR and the
 *                     pointer (8 bytes, little-endian) of a string that is
 *                     not readable; last, FVX_VEC_FAULT when a pointer of
 *                     the array is not (strace prints "..." and its
 *                     address in a comment).
 *                     COMPLETE up to the NULL or the fault; TRUNCATED when
 *                     more strings follow than string_limit or than fit
 *                     FVX_DATA_VALUE_MAX (strace's "..."); UNREADABLE when the
 *                     first pointer is not readable;
 *   FVX_ARG_ENVP      at entry, the number of pointers before the array's
 *                     NULL (4 bytes, little-endian), then FVX_VEC_FAULT when
 *                     a pointer before the NULL is not readable (strace:
 *                     "unterminated"); TRUNCATED when FVX_ENVP_MAX pointers
 *                     were counted and more follow; UNREADABLE when the
 *                     first is not readable;
 *   FVX_ARG_SOCKADDR  at entry, min(len, FVX_SOCKADDR_MAX) bytes when
 *                     len >= 2, len being the next argument, an int
 *                     (connect, bind, sendto);
 *   FVX_ARG_SOCKLEN   at entry, the int it points to (4 bytes), when the
 *                     address before it is not NULL (the size the caller
 *                     gives: accept, recvfrom);
 *   FVX_ARG_SOCKADDR_OUT at return, when the next argument (a socklen_t *)
 *                     is not NULL: the length it points to then (4 bytes,
 *                     little-endian; UNREADABLE when it is not readable),
 *                     then, when the call succeeded and that length is at
 *                     least 2, the readable start of min(length,
 *                     FVX_SOCKADDR_MAX) bytes of the address (the frontend
 *                     shows the address when fewer than it needs are
 *                     there);
 *   FVX_ARG_IOV       at entry (writev), and FVX_ARG_IOV_OUT at return when
 *                     the call succeeded (readv), the elements of the array
 *                     of struct iovec (a 32-bit call's: its compat_iovec),
 *                     count the next argument, each as an item: its base
 *                     and length (8 bytes each, little-endian), a 2-byte
 *                     word (FVX_IOV_SHOWN), and that many bytes of its
 *                     buffer: at most string_limit of what it holds (its
 *                     length; at return, its share of the return value, the
 *                     buffers being filled in order); FVX_IOV_MORE in the
 *                     word when it holds more, the word FVX_IOV_UNREADABLE
 *                     (and no bytes) when its buffer is not readable.
 *                     COMPLETE with every element; TRUNCATED when the next
 *                     does not fit FVX_DATA_VALUE_MAX or cannot be read (strace's
 *                     "..."); UNREADABLE when the first cannot;
 *   FVX_ARG_STAT_OUT  at return, when a 64-bit call succeeded, the struct
 *                     stat it filled (FVX_STAT_SIZE bytes, x86-64's
 *                     layout; a 32-bit call's, another layout, is not
 *                     captured);
 *   FVX_ARG_UTSNAME_OUT at return, when uname succeeded, the first
 *                     FVX_UTSNAME_SHOWN bytes of the struct utsname it
 *                     filled (sysname and nodename, as strace shows
 *                     them); FVX_ARG_TIMEZONE at entry and
 *                     FVX_ARG_TIMEZONE_OUT at a successful return, the
 *                     struct timezone (FVX_TIMEZONE_SIZE bytes);
 *                     FVX_ARG_RLIMIT at entry and FVX_ARG_RLIMIT_OUT
 *                     at a successful return, a 64-bit call's struct
 *                     rlimit (FVX_RLIMIT_SIZE bytes; a 32-bit call's
 *                     is not captured); FVX_ARG_SYSINFO_OUT at a
 *                     successful return, a 64-bit call's struct sysinfo
 *                     (FVX_SYSINFO_SIZE bytes);
 *   FVX_ARG_STATX_OUT at return, when the call succeeded, the struct statx
 *                     it filled (FVX_STATX_SIZE bytes; a 32-bit call's too);
 *   FVX_ARG_SIGACTION at entry, and FVX_ARG_SIGACTION_OUT at return when
 *                     the call succeeded, the kernel's struct sigaction
 *                     (FVX_SIGACTION_SIZE bytes: handler, flags, restorer,
 *                     mask; not a 32-bit call's, another layout); the
 *                     same for FVX_ARG_SIGSET and FVX_ARG_SIGSET_OUT, a
 *                     sigset_t (FVX_SIGSET_SIZE bytes); none of them when
 *                     the call's sigset size (the fourth argument, or the
 *                     second after a set in the first) is not
 *                     FVX_SIGSET_SIZE or the pointer is NULL;
 *   FVX_ARG_MSGHDR    at entry (sendmsg), and FVX_ARG_MSGHDR_OUT at return
 *                     when the call succeeded (recvmsg), of a 64-bit call:
 *                     the struct msghdr (FVX_MSGHDR_SIZE bytes), a byte
 *                     with how many bytes of the address msg_name points
 *                     to follow (min(msg_namelen, FVX_SOCKADDR_MAX); 0 when
 *                     NULL, shorter than 2 or not readable), a byte with
 *                     the state of msg_iov's elements, a byte with how many
 *                     bytes of the control data msg_control points to
 *                     follow (min(msg_controllen, FVX_MSGHDR_CONTROL_MAX);
 *                     0 when NULL, shorter than a struct cmsghdr or not
 *                     readable whole), those bytes (FVX_MSGHDR_HEAD in
 *                     all), the address's, the control data's, then the
 *                     elements as FVX_ARG_IOV's items in the rest of
 *                     FVX_DATA_VALUE_MAX. TRUNCATED when the elements are;
 *                     UNREADABLE when the structure is not readable.
 *   FVX_ARG_PRCTL_ARG prctl's task name: PR_SET_NAME's at entry, a
 *                     string of at most FVX_COMM_SIZE - 1 bytes, as Linux
 *                     reads it (TRUNCATED without a NUL in them), and
 *                     PR_GET_NAME's at a successful return, of at most
 *                     FVX_COMM_SIZE;
 *   FVX_ARG_TIMESPEC  at entry, and FVX_ARG_TIMESPEC_OUT at return when
 *                     the call succeeded, the struct timespec (a 64-bit
 *                     call's: FVX_TIME_SIZE bytes, two 64-bit words; a
 *                     32-bit call's old_timespec32: FVX_TIME32_SIZE bytes,
 *                     two 32-bit words); the same for FVX_ARG_TIMEVAL and
 *                     FVX_ARG_TIMEVAL_OUT, a struct timeval; none when the
 *                     pointer is NULL.
 * A ring that has no room for the pieces and their owner gets the owner
 * alone: the call then shows addresses. */
#define FVX_DATA_PIECE 48 /* bytes of a value per data record: args[] */
/* A string argument (FVX_ARG_STR: path names, and a few others such as
 * mount's type or an xattr's name): up to PATH_MAX (4096 bytes, its NUL
 * included), as strace prints a path; a longer one is cut, the rest "...".
 * So a long prefix (a/a/.../../../etc/shadow) cannot hide where a path
 * leads. */
#define FVX_DATA_STRING_MAX 4096
#define FVX_DATA_BUFFER_DEFAULT 32 /* strace's -s */
#define FVX_DATA_BUFFER_MAX 256 /* -s's hard bound: interrupts are off */
/* Every other value (argv's strings, an iovec's elements, a msghdr) at most:
 * what it costs to read, with interrupts off, stays bounded. */
#define FVX_DATA_VALUE_MAX 256
#define FVX_DATA_MAX 4096 /* the largest value: a path */
#define FVX_VEC_STR 1 /* items of an FVX_ARG_ARGV value */
#define FVX_VEC_ADDR 2
#define FVX_VEC_FAULT 3
#define FVX_ENVP_MAX 1024 /* envp pointers counted at most */
#define FVX_IOV_ITEM 18 /* an FVX_ARG_IOV item's base, length and word */
#define FVX_IOV_SHOWN 0x7fff /* the word's bytes that follow */
#define FVX_IOV_MORE 0x8000 /* the word's flag: the buffer holds more */
#define FVX_IOV_UNREADABLE 0xffff
#define FVX_STAT_SIZE 144 /* x86-64's struct stat */
#define FVX_SIGACTION_SIZE 32 /* the kernel's struct sigaction on x86-64 */
#define FVX_SIGSET_SIZE 8 /* the kernel's sigset_t: 64 signals */
#define FVX_TIME_SIZE 16 /* x86-64's struct timespec, struct timeval */
#define FVX_COMM_SIZE 16 /* a task's name, NUL included (Linux's TASK_COMM_LEN) */
#define FVX_STATX_SIZE 256 /* struct statx, for 64-bit and 32-bit calls alike */
#define FVX_UTSNAME_FIELD 65 /* a struct utsname's field (__NEW_UTS_LEN + 1) */
#define FVX_UTSNAME_SHOWN (2 * FVX_UTSNAME_FIELD) /* sysname, nodename: strace's */
#define FVX_TIMEZONE_SIZE 8 /* struct timezone: two ints */
#define FVX_RLIMIT_SIZE 16 /* struct rlimit (x86-64's), struct rlimit64 */
#define FVX_SYSINFO_SIZE 112 /* struct sysinfo (x86-64's) */
#define FVX_TIME32_SIZE 8 /* i386's: old_timespec32, old_timeval32 */
#define FVX_MSGHDR_SIZE 56 /* x86-64's struct msghdr */
#define FVX_MSGHDR_HEAD (FVX_MSGHDR_SIZE + 3) /* it and its three byte counts */
#define FVX_MSGHDR_CONTROL_MAX 48 /* control data bytes read at most (8 descriptors) */
#define FVX_SOCKADDR_MAX 128 /* sizeof(struct sockaddr_storage): strace reads no more */
#define FVX_DATA_PIECES_MAX ((FVX_DATA_MAX + FVX_DATA_PIECE - 1) / FVX_DATA_PIECE)
_Static_assert(FVX_DATA_PIECE == sizeof(((struct fvx_trace_record *)0)->args),
	       "a piece fills args");
_Static_assert(FVX_DATA_STRING_MAX <= FVX_DATA_MAX && FVX_DATA_BUFFER_MAX <= FVX_DATA_VALUE_MAX &&
		       FVX_DATA_VALUE_MAX <= FVX_DATA_MAX &&
		       4 + FVX_SOCKADDR_MAX <= FVX_DATA_VALUE_MAX &&
		       FVX_STAT_SIZE <= FVX_DATA_VALUE_MAX &&
		       FVX_STATX_SIZE <= FVX_DATA_VALUE_MAX &&
		       FVX_UTSNAME_SHOWN <= FVX_DATA_VALUE_MAX &&
		       FVX_MSGHDR_HEAD + FVX_SOCKADDR_MAX + FVX_MSGHDR_CONTROL_MAX + FVX_IOV_ITEM <=
			       FVX_DATA_VALUE_MAX,
	       "values fit FVX_DATA_MAX (a msghdr's with room for an element of msg_iov)");

enum fvx_data_state {
	FVX_DATA_COMPLETE = 1,
	FVX_DATA_TRUNCATED = 2,
	FVX_DATA_UNREADABLE = 3,
};

/* A data record's header, in its cr3 field. */
struct fvx_data_header {
	__u8 arg; /* 0..5 */
	__u8 state; /* enum fvx_data_state */
	__u16 offset; /* of this piece in the value, a multiple of FVX_DATA_PIECE */
	__u16 length; /* bytes in this piece: min(FVX_DATA_PIECE, total - offset) */
	__u16 total; /* bytes of the value captured, <= FVX_DATA_MAX */
};
_Static_assert(sizeof(struct fvx_data_header) == 8, "fvx_data_header layout");

static inline __u64 fvx_data_header_pack(struct fvx_data_header h)
{
	return (__u64)h.arg | (__u64)h.state << 8 | (__u64)h.offset << 16 | (__u64)h.length << 32 |
	       (__u64)h.total << 48;
}

static inline struct fvx_data_header fvx_data_header_unpack(__u64 v)
{
	return (struct fvx_data_header){ .arg = (__u8)v,
					 .state = (__u8)(v >> 8),
					 .offset = (__u16)(v >> 16),
					 .length = (__u16)(v >> 32),
					 .total = (__u16)(v >> 48) };
}

/* Whether a header (from the ring: not trusted) describes a piece that
 * fits its value and the record. */
static inline int fvx_data_header_valid(struct fvx_data_header h)
{
	if (h.arg >= 6 || h.state < FVX_DATA_COMPLETE || h.state > FVX_DATA_UNREADABLE ||
	    h.total > FVX_DATA_MAX || h.offset % FVX_DATA_PIECE)
		return 0;
	if (h.state == FVX_DATA_UNREADABLE || !h.total)
		return !h.offset && !h.length && !h.total;
	return h.offset < h.total &&
	       h.length ==
		       (h.total - h.offset < FVX_DATA_PIECE ? h.total - h.offset : FVX_DATA_PIECE);
}

#endif
