// SPDX-License-Identifier: GPL-2.0
/* fastvmix: the agent module behind /dev/fastvmix. Maps the analyzer window
 * into the kernel with one 1 GiB PDPTE, tells the hypervisor where Linux
 * keeps what the analyzer needs, loads analyzers, starts and stops tracing
 * on every CPU, reports system calls' returns to the window while tracing,
 * and maps the rings read-only into the frontend. */
#include <linux/compat.h>
#include <linux/efi.h>
#include <linux/entry-common.h>
#include <linux/fs.h>
#include <linux/io_uring_types.h>
#include <linux/kprobes.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/tracepoint.h>
#include <linux/user-return-notifier.h>
#include <asm/syscall.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/current.h>
#include <asm/pgtable.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>
#include <trace/events/rseq.h>
#include <trace/events/sched.h>
#include <trace/events/signal.h>

#include "fastvmix/ioctl.h"
#include "fastvmix/vmcall.h"
#include "fastvmix/syscall_quick.h"
#include "checks.h"

/* The hypervisor's status codes are errnos (vmcall.h): passed up unchanged. */
_Static_assert(FVX_VMCALL_EPERM == -EPERM && FVX_VMCALL_ENOENT == -ENOENT &&
		       FVX_VMCALL_EBUSY == -EBUSY && FVX_VMCALL_EINVAL == -EINVAL &&
		       FVX_VMCALL_ENOSYS == -ENOSYS,
	       "VMCALL status codes are negated errnos");

#define GIB (1ULL << 30)
/* PML4 entry 511's PDPT covers the top 512 GiB; its slots 0..443 are an
 * unused hole in Linux's x86-64 layout (Documentation/x86/x86_64/mm.rst). */
#define WINDOW_SLOT_FIRST 1
#define WINDOW_SLOT_LAST 443

bool fastvmix_hv_running(void); /* the loader's: also makes it a dependency */

static DEFINE_PER_CPU(struct fvx_percpu_scratch, fvx_scratch);
static DEFINE_MUTEX(agent_lock);
static struct fvx_window_info window;
static u64 *window_pdpte;
static u64 window_va;
static struct fvx_ring_consumer *consumer;
static u32 trace_mode;
static struct file *trace_owner; /* the descriptor that started the trace */
/* A sealed trace holds a reference to this module: no rmmod until it ends. */
static bool sealed_ref;

/* A local array every path writes whole before it is read: not zeroed
 * first as the kernel's automatic variable initialization
 * (CONFIG_INIT_STACK_ALL_ZERO) would, on every traced call's return. */
#if __has_attribute(__uninitialized__)
#define FVX_UNINITIALIZED __attribute__((__uninitialized__))
#else
#define FVX_UNINITIALIZED
#endif

static u64 event_entry; /* FVX_WIN_TRAMPOLINE_RETURN{,_EXIT} while the probes are on */
static bool reports_on; /* the probes are registered */
static bool uring_on; /* the io_uring probes report (fast mode, while tracing) */
/* Registering the io_uring probes costs (41 kprobes: each patches kernel
 * text, which the hypervisor lets through one write at a time; seconds in
 * the emulated machine): io_uring=0 does without, and without tracing
 * io_uring operations. */
static bool io_uring = true;
module_param(io_uring, bool, 0444);
MODULE_PARM_DESC(io_uring, "trace io_uring operations (default on)");

static s64 vmcall(u32 function, u64 rbx, u64 rcx, u64 *rbx_out)
{
	return fvx_vmcall(function, rbx, rcx, 0, rbx_out);
}

/* VMCALL with a struct: through a zeroed page, so it never crosses one. */
static s64 vmcall_struct(u32 function, const void *in, size_t size, void *out)
{
	void *page = (void *)get_zeroed_page(GFP_KERNEL);
	s64 r;

	if (!page)
		return -ENOMEM;
	if (in)
		memcpy(page, in, size);
	r = vmcall(function, virt_to_phys(page), size, NULL);
	if (out)
		memcpy(out, page, size);
	free_page((unsigned long)page);
	return r;
}

static void flush_this_cpu(void *unused)
{
	__flush_tlb_all();
}

static int map_window(void)
{
	u64 *pml4 = __va(__read_cr3() & PTE_PFN_MASK), *pdpt;
	int slot;

	if (!(pml4[511] & _PAGE_PRESENT))
		return -ENODEV;
	pdpt = __va(pml4[511] & PTE_PFN_MASK);
	for (slot = WINDOW_SLOT_FIRST; slot <= WINDOW_SLOT_LAST; slot++)
		if (!READ_ONCE(pdpt[slot]))
			break;
	if (slot > WINDOW_SLOT_LAST)
		return -ENOSPC;
	/* One 1 GiB page, kernel-only, write-back: with PML4[511] (shared by
	 * every address space since boot) the only two entries that carry it.
	 * From FVX_VMCALL_CONFIGURE to FVX_VMCALL_UNCONFIGURE the hypervisor
	 * keeps both as they are now (the PDPT page is read-only in EPT). */
	WRITE_ONCE(pdpt[slot], window.window_gpa | _PAGE_PRESENT | _PAGE_RW | _PAGE_PSE |
				       _PAGE_GLOBAL | _PAGE_ACCESSED | _PAGE_DIRTY);
	window_pdpte = &pdpt[slot];
	window_va = 0xffffff8000000000ULL + (u64)slot * GIB;
	on_each_cpu(flush_this_cpu, NULL, 1); /* every CPU: the entry is global */
	return 0;
}

/* Any VM exit makes a CPU take up the protection of the window's page
 * tables that FVX_VMCALL_CONFIGURE turned on (CR3-load exiting, the PDPT
 * read-only in EPT): make every CPU exit now, not at its first trace. */
static void protect_on_cpu(void *info)
{
	vmcall(FVX_VMCALL_VERSION, 0, 0, NULL);
}

/* The hypervisor stops protecting the window's entries, so that
 * unmap_window may clear them; if it will not, the mapping stays. */
static void unconfigure(void)
{
	s64 r = vmcall(FVX_VMCALL_UNCONFIGURE, 0, 0, NULL);

	if (r != FVX_VMCALL_OK) {
		pr_err("fastvmix: window still protected (status %lld): left mapped\n", r);
		window_pdpte = NULL;
	}
}

static void unmap_window(void)
{
	if (!window_pdpte)
		return;
	WRITE_ONCE(*window_pdpte, 0);
	window_pdpte = NULL;
	on_each_cpu(flush_this_cpu, NULL, 1);
}

struct mode_call {
	u32 mode;
	atomic_t error; /* the first CPU's refusal, an FVX_VMCALL_E* */
};

static void set_mode_on_cpu(void *info)
{
	struct mode_call *call = info;
	s64 r = vmcall(FVX_VMCALL_TRACE_MODE, call->mode, 0, NULL);

	if (r != FVX_VMCALL_OK)
		atomic_cmpxchg(&call->error, 0, (int)r);
}

/* Sets the trace mode on every CPU. A start refused somewhere is taken
 * back everywhere; a stop the hypervisor refuses (a sealed trace) leaves
 * the trace on. Returns the hypervisor's status as an errno. */
static int set_mode(u32 mode)
{
	struct mode_call call = { .mode = mode, .error = ATOMIC_INIT(0) };
	int err;

	on_each_cpu(set_mode_on_cpu, &call, 1);
	err = atomic_read(&call.error);
	if (!err) {
		trace_mode = mode;
		if (!mode && sealed_ref) {
			sealed_ref = false;
			module_put(THIS_MODULE);
		}
		return 0;
	}
	if (mode) {
		call.mode = 0;
		on_each_cpu(set_mode_on_cpu, &call, 1);
		trace_mode = 0;
	}
	return err;
}

/* What the kernel reports: probes on Linux's tracepoints (the ftrace/perf
 * ones) while a trace runs: every system call's return, the entries of
 * 32-bit system calls (int $0x80 and SYSENTER do not go through IA32_LSTAR,
 * so the trampoline never sees them), tasks being made and ending, and
 * signals.
 * The probes analyse nothing themselves (they are guest-writable module
 * text): each calls the event entry in this CPU's trampoline copy in the
 * window, which the hypervisor wrote, and which does what the SYSCALL
 * entry does (trampoline.S). Copy n is CPU n's: the hypervisor numbers its
 * CPUs as Linux does (smp_processor_id() where it launched each).
 * Tracepoint probes run with preemption off, so the CPU cannot change
 * between reading its number and returning from its copy, whose analyzer
 * stack and ring are that CPU's alone. In exit mode the copy's exit-mode
 * return entry makes one VMCALL of the same, and the hypervisor writes the
 * records (io_uring operations are fast mode's only). */
typedef int (*event_entry_fn)(u64 nr, s64 value, const u64 args[6], u64 flags);

static int notrace report(u64 nr, s64 value, const u64 args[6], u64 flags)
{
	u64 offset = READ_ONCE(event_entry);
	event_entry_fn entry;

	entry = (event_entry_fn)(window_va + FVX_WIN_TRAMPOLINE +
				 smp_processor_id() * FVX_WIN_TRAMPOLINE_STRIDE + offset);
	return entry(nr, value, args, flags);
}

/* A system call's arguments as it got them: for a 32-bit one, the low
 * halves of the registers Linux reads for it. A 64-bit one's straight from
 * pt_regs, as syscall_get_arguments reads them: this is every traced
 * return's path. */
static void notrace call_args(struct pt_regs *regs, bool compat, u64 args[6])
{
	unsigned long a[6] FVX_UNINITIALIZED;
	int i;

	if (!compat) {
		args[0] = regs->di;
		args[1] = regs->si;
		args[2] = regs->dx;
		args[3] = regs->r10;
		args[4] = regs->r8;
		args[5] = regs->r9;
		return;
	}
	syscall_get_arguments(current, regs, a);
	for (i = 0; i < 6; i++)
		args[i] = (u32)a[i];
}

/* The trace's 64-bit system calls (fvx_trace_request's filter), so that
 * the return of one it does not select costs no more than this test: the
 * trampoline's return entry, which tests the same bits in the config,
 * stays the judge. */
static u64 return_filter[8];

/* Deferred calls (FVX_CONFIG_DEFER): the bit of syscall_work, in the byte
 * of SYSCALL_WORK_SYSCALL_TRACEPOINT, that the trampoline sets
 * instead of recording a 64-bit call whose task has one of FVX_WORK_WATCH:
 * a ptrace tracer at the syscall-entry stop (or seccomp's SECCOMP_RET_TRACE)
 * may change the call before it runs, and seccomp or the tracer may skip
 * it. Linux never tests the bit (its SYSCALL_WORK_ENTER and _EXIT masks
 * leave it out). The sys_enter probe takes it and records the call as
 * Linux runs it; a call skipped before that probe leaves it to the sys_exit
 * probe, which records the entry before the return. A bit left by a trace
 * that stopped in between is cleared by the trampoline's next look at the
 * task.
 * The trampoline sends a number the filter does not select straight on,
 * without looking at the task, but a tracer or seccomp can make it one the
 * filter selects (orig_ax); and seccomp's bit can be set from another CPU
 * (SECCOMP_FILTER_FLAG_TSYNC) between the trampoline's look and Linux's.
 * So in a trace that defers, the sys_enter probe also records a watched
 * task's call without the bit (record_watched): as it runs; in the second
 * case it then shows twice, as asked and as run. */
#define FVX_WORK_DEFER_BIT 7
#define FVX_WORK_WATCH                                                                             \
	(SYSCALL_WORK_SECCOMP | SYSCALL_WORK_SYSCALL_TRACE | SYSCALL_WORK_SYSCALL_EMU |            \
	 SYSCALL_WORK_SYSCALL_USER_DISPATCH)

static bool record_watched; /* the trace defers: not sealed (FVX_CONFIG_DEFER) */

static bool notrace take_deferred(void)
{
	unsigned long *work = &current_thread_info()->syscall_work;

	/* A plain read first: most calls were not deferred, and a locked
	 * write per call would cost every traced task. */
	return test_bit(FVX_WORK_DEFER_BIT, work) && test_and_clear_bit(FVX_WORK_DEFER_BIT, work);
}

/* Where a return is reported from; counted per CPU, read as the module's
 * parameter "returns" (tests check that each route ran). */
enum return_route {
	RETURN_TRACEPOINT, /* the sys_exit probe */
	RETURN_NOTIFIER, /* the user return notifier (on_user_return) */
	RETURN_STOP, /* a stop on the way back (probe_sched_switch) */
	RETURN_RSEQ, /* an rseq abort (probe_rseq_ip_fixup) */
	RETURN_SIGNAL, /* a signal's delivery (probe_signal_deliver) */
	RETURN_ROUTES
};
static const char *const return_route_names[RETURN_ROUTES] = { "tracepoint", "notifier", "stop",
							       "rseq", "signal" };
static DEFINE_PER_CPU(unsigned long[RETURN_ROUTES], return_routes);

static int returns_get(char *buf, const struct kernel_param *kp)
{
	int len = 0, r, cpu;

	for (r = 0; r < RETURN_ROUTES; r++) {
		unsigned long n = 0;

		for_each_possible_cpu(cpu)
			n += per_cpu(return_routes, cpu)[r];
		len += scnprintf(buf + len, PAGE_SIZE - len, "%s%s %lu", r ? " " : "",
				 return_route_names[r], n);
	}
	return len + scnprintf(buf + len, PAGE_SIZE - len, "\n");
}

static int returns_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops returns_ops = { .get = returns_get, .set = returns_set };
module_param_cb(returns, &returns_ops, NULL, 0400); /* (root's: which calls are traced) */
MODULE_PARM_DESC(returns, "returns reported, by route, since the module was loaded");

/* A pending 64-bit call whose number Linux took out of pt_regs (orig_ax
 * -1) as it ran: rt_sigreturn's (restore_sigcontext). Not at the sys_exit
 * probe: there -1 is also a call skipped, by a tracer or by
 * probe_sys_enter to make it again (a pending return is reported before a
 * tracer can touch the registers, and the trampoline makes its own calls
 * again before Linux sees them). */
static bool notrace returns_from_sigreturn(struct pt_regs *regs, bool compat,
					   enum return_route route)
{
	return !compat && (long)regs->orig_ax == -1 && route != RETURN_TRACEPOINT;
}

/* Where the fast return entry finds a 64-bit call's arguments when it is
 * handed its pt_regs (FVX_EVENT_REGS). */
static_assert(offsetof(struct pt_regs, di) == FVX_PT_REGS_DI);
static_assert(offsetof(struct pt_regs, si) == FVX_PT_REGS_SI);
static_assert(offsetof(struct pt_regs, dx) == FVX_PT_REGS_DX);
static_assert(offsetof(struct pt_regs, r10) == FVX_PT_REGS_R10);
static_assert(offsetof(struct pt_regs, r8) == FVX_PT_REGS_R8);
static_assert(offsetof(struct pt_regs, r9) == FVX_PT_REGS_R9);

/* report_return's copy of the arguments: a 32-bit call's, rt_sigreturn's
 * (with the signal mask it restored as its argument: strace shows the
 * frame's, the same but that Linux leaves SIGKILL and SIGSTOP out), and
 * every call's at the sys_exit probe, which exit mode's return entry, an
 * array's reader only, also gets. */
static noinline void notrace report_return_copied(struct pt_regs *regs, long ret, u32 nr,
						  bool compat, bool sigreturn)
{
	u64 args[6] FVX_UNINITIALIZED;

	call_args(regs, compat, args);
	/* (An rt_sigreturn that failed before restoring anything, a bad
	 * frame, keeps its number: its RDI is no mask.) */
	if (!compat && nr == __NR_rt_sigreturn)
		args[0] = sigreturn ? current->blocked.sig[0] : FVX_SIGRETURN_MASK_UNKNOWN;
	report(nr, compat ? (s32)ret : ret, args,
	       FVX_RECORD_RETURN | (compat ? FVX_RECORD_COMPAT : 0));
}

/* A system call's return with `ret`, from `route`: a 32-bit one (whose
 * number is the i386 table's: also a 64-bit execve that started a 32-bit
 * program, which Linux makes look like the i386 one) for the analyzer to
 * select. With its arguments as pt_regs holds them (the return value is in
 * AX only): where a call like read(2) put what it filled. In line, for
 * each route its own: the notifier's is every traced call's return.
 * What the return entry says: FVX_ENTRY_RETRY for a quick call it could
 * not record whole (FVX_RECORD_WHOLE, which it marks itself) when the
 * caller said the call may be made again (may_wait: the notifier's), which
 * it did not record. */
static __always_inline int report_return(struct pt_regs *regs, long ret, enum return_route route,
					 bool may_wait)
{
	/* (in_compat_syscall would also take orig_ax's x32 bit, which
	 * rt_sigreturn's -1 has.) */
	bool compat = in_ia32_syscall();
	bool sigreturn = returns_from_sigreturn(regs, compat, route);
	u32 nr = sigreturn ? __NR_rt_sigreturn : (u32)regs->orig_ax;

	/* (The notifier's calls are those the trampoline selected by the
	 * same filter: its return entry tests it again.) */
	if (route != RETURN_NOTIFIER && !compat &&
	    (nr >= 512 || !(READ_ONCE(return_filter[nr / 64]) >> (nr % 64) & 1)))
		return FVX_ENTRY_DONE;
	this_cpu_inc(return_routes[route]);
	/* The routes of a pending return are fast mode's alone: its return
	 * entry reads a 64-bit call's arguments from pt_regs itself. */
	if (route != RETURN_TRACEPOINT && !compat && nr != __NR_rt_sigreturn)
		return report(nr, ret, (const u64 *)regs,
			      FVX_RECORD_RETURN | FVX_EVENT_REGS |
				      (may_wait ? FVX_EVENT_MAY_WAIT : 0));
	report_return_copied(regs, ret, nr, compat, sigreturn);
	return FVX_ENTRY_DONE;
}

/* The current task's pending return (take_pending), from a route that
 * sees it before Linux changes pt_regs: its value as the call left RAX. */
static void notrace report_pending(enum return_route route)
{
	struct pt_regs *regs = current_pt_regs();

	(void)report_return(regs, regs->ax, route, false);
}

static bool notrace return_pending(void);

static void notrace probe_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	u64 args[6];

	/* A deferred call seccomp or ptrace skipped: no sys_enter saw it. */
	if (!in_compat_syscall() && take_deferred()) {
		call_args(regs, false, args);
		report((u32)regs->orig_ax, 0, args, 0);
	}
	/* (One pending is the notifier's: on_user_return. One SIGKILL ends
	 * has no return, as in strace: "= ?", from the exit record.) */
	if (!return_pending() && !fatal_signal_pending(current))
		(void)report_return(regs, ret, RETURN_TRACEPOINT, false);
}

/* A 32-bit system call's entry, or a deferred 64-bit one's, after ptrace
 * and seccomp had their say: as Linux runs it. One the analyzer could not
 * record while the trace waits for the frontend (FVX_ENTRY_RETRY) is not
 * run yet: the call is skipped (orig_ax -1, as the tracepoint allows) and
 * the thread goes back to its `int $0x80` or SYSCALL with EAX as it was,
 * to make it again once it next runs (2 bytes: after SYSENTER, Linux's
 * return point is the vDSO instruction after an `int $0x80` there for
 * this very purpose). */
static void notrace probe_sys_enter(void *data, struct pt_regs *regs, long id)
{
	bool compat = in_compat_syscall();
	u64 args[6];

	if (!compat && !take_deferred() &&
	    !(READ_ONCE(record_watched) &&
	      (READ_ONCE(current_thread_info()->syscall_work) & FVX_WORK_WATCH)))
		return; /* the trampoline recorded it */
	call_args(regs, compat, args);
	if (report((u32)id, 0, args, compat ? FVX_RECORD_COMPAT : 0) == FVX_ENTRY_RETRY) {
		regs->orig_ax = -1;
		regs->ax = (u32)id;
		regs->ip -= 2;
	}
}

/* Task marks (FVX_CONFIG_TASK_MARKS): while a trace with a target runs,
 * only the tasks it may select have the mark (FVX_WORK_MARK_BIT) and keep
 * SYSCALL_WORK_SYSCALL_TRACEPOINT, which registering the syscall
 * tracepoints set on every task and copy_process gives every new one. The
 * others' system calls then take Linux's fast path (no sys_enter/sys_exit
 * probe), and the trampoline sends them on without entering the analyzer
 * view. A marked task's tracepoint bit is the trampoline's from then on:
 * off for a 64-bit call the filter leaves out, on for one it selects and
 * at the 32-bit entries (trace.h). The marks over-approximate the
 * selection, never under: a task keeps its mark unless it is certainly not
 * selectable, that is (at the start) not of the target's process nor a
 * descendant of it, or (made later) made by a task without the mark, or
 * without -f by a task of another process.
 * The start walks real_parent links, the analyzer follows children by fork
 * (follow_set.h): a child reported by fork and then moved away from its
 * maker (clone(CLONE_PARENT), an orphan adopted by init) is followed but
 * has no selected ancestor. So the start runs before sched_process_fork
 * reports any child (reports_start), and each child reported gets its
 * mark from probe_fork alone, set or cleared, whatever the start did to it
 * (copy_process may have linked it in before the start got there). */
#define FVX_WORK_MARK_BIT 8
static bool marks_on;
static u32 mark_target;
static bool mark_follow;

/* Whether t is of the target's process or (-f) a descendant of it, up to
 * the 64 real_parent links the analyzer walks (trace_select.h). */
static bool notrace mark_keeps(struct task_struct *t)
{
	int depth;

	for (depth = 0; depth <= 64 && t; depth++) {
		if (t->tgid == mark_target)
			return true;
		if (!mark_follow || t->pid <= 1)
			return false;
		t = rcu_dereference(t->real_parent);
	}
	return false;
}

static void notrace mark(struct task_struct *t, bool keep)
{
	unsigned long *work = &task_thread_info(t)->syscall_work;

	if (keep) {
		set_bit(FVX_WORK_MARK_BIT, work);
		set_task_syscall_work(t, SYSCALL_TRACEPOINT);
	} else {
		clear_bit(FVX_WORK_MARK_BIT, work);
		clear_task_syscall_work(t, SYSCALL_TRACEPOINT);
	}
}

/* A selected call's return without the tracepoints (trace.h,
 * fvx_task_layout.pending): while calls may skip the tracepoints, the
 * trampoline takes a marked task's tracepoint bit off for a call it
 * records, and sets the task's pending bit (FVX_WORK_PENDING_BIT, in
 * syscall_work, which Linux leaves alone) and TIF_USER_RETURN_NOTIFY. As
 * the task goes back to user mode, Linux's exit work calls the user
 * return notifiers of its CPU (arch_exit_to_user_mode_prepare): this
 * agent has one on every CPU while a trace runs, on_user_return, which
 * reports the return from pt_regs. Linux moves the notify flag from a task
 * to the next one on its CPU when it switches, since the notifiers are
 * the CPU's: probe_sched_switch keeps it with the task that has the
 * pending bit instead, wherever that task goes back to user mode. A
 * signal taken on the way (signal_deliver, before Linux changes pt_regs
 * for its handler or a restart) reports the return there, as the
 * sys_exit probe saw it (-ERESTARTSYS and the like); so do a stop on the
 * way (a group stop, a tracer's: the switch away from a task stopped or
 * traced, before anyone can change its registers or its memory meanwhile)
 * and an rseq abort (rseq_ip_fixup, before Linux moves RIP to the abort
 * handler, which could make the call look restarted). A child copies its
 * maker's bits: its fork's return (0) is reported as it first goes to
 * user mode. */
#define FVX_WORK_PENDING_BIT 9
static DEFINE_PER_CPU(struct user_return_notifier, return_notifiers);
static bool notifiers_on;

static bool notrace return_pending(void)
{
	return test_bit(FVX_WORK_PENDING_BIT, &current_thread_info()->syscall_work);
}

/* The current task's pending return, once: its bit and its notify flag
 * off. */
static bool notrace take_pending(void)
{
	if (!return_pending() ||
	    !test_and_clear_bit(FVX_WORK_PENDING_BIT, &current_thread_info()->syscall_work))
		return false;
	clear_thread_flag(TIF_USER_RETURN_NOTIFY);
	/* An io_uring thread (made by copy_process without a fork event, with
	 * its maker's bits) never returns from a call of its own. */
	return !(current->flags & PF_IO_WORKER);
}

/* In Linux's exit to user mode, interrupts off, after its signal work:
 * pt_regs as the task will see them. A call Linux sends back to its
 * SYSCALL to be made again, with no signal taken (a stop, the freezer,
 * task work: signal_deliver reports the others) has RIP two bytes before
 * the RCX its SYSCALL saved and RAX back to its number (or
 * restart_syscall's): its value is shown as strace shows a restart,
 * -ERESTARTSYS (-ERESTART_RESTARTBLOCK for restart_syscall's), since the
 * code Linux had is gone. (Not rt_sigreturn's: the registers it restored
 * may look so, and its value is theirs.) A quick call (syscall_quick.h),
 * which the return entry records whole, may wait for room in the ring as
 * an entry does: one not recorded is sent back to its SYSCALL (2 bytes
 * before the RIP it saved in RCX) with RAX its number, to be made again
 * when the thread next runs, by then after the frontend drained the ring;
 * such a call asks a question and changes nothing, so making it twice is
 * making it once: not while a tracer, seccomp or the audit may act on it
 * or log it (a seccomp filter another thread installs with
 * SECCOMP_FILTER_FLAG_TSYNC while the call runs may hand it to a
 * supervisor, which would see it twice). */
static void notrace on_user_return(struct user_return_notifier *urn)
{
	struct pt_regs *regs = current_pt_regs();
	s64 value = regs->ax;

	if (!take_pending()) {
		clear_thread_flag(TIF_USER_RETURN_NOTIFY); /* the flag alone: not ours */
		return;
	}
	if ((long)regs->orig_ax != -1 && regs->ip + 2 == regs->cx &&
	    (regs->ax == regs->orig_ax || regs->ax == __NR_restart_syscall))
		value = regs->ax == __NR_restart_syscall ? -ERESTART_RESTARTBLOCK : -ERESTARTSYS;
	if (report_return(regs, value, RETURN_NOTIFIER, true) != FVX_ENTRY_RETRY)
		return;
	/* (Rare: the ring is full. The conditions are looked at only then.) */
	if (regs->ip == regs->cx && !current->ptrace &&
	    !(current_thread_info()->syscall_work &
	      (FVX_WORK_WATCH | SYSCALL_WORK_SYSCALL_AUDIT))) {
		regs->ip -= 2;
		regs->ax = regs->orig_ax;
	} else {
		this_cpu_dec(return_routes[RETURN_NOTIFIER]); /* (counted once) */
		(void)report_return(regs, value, RETURN_NOTIFIER, false);
	}
}

static void notifier_on(void *unused)
{
	struct user_return_notifier *urn = this_cpu_ptr(&return_notifiers);

	urn->on_user_return = on_user_return;
	user_return_notifier_register(urn);
}

static void notifier_off(void *unused)
{
	user_return_notifier_unregister(this_cpu_ptr(&return_notifiers));
}

/* No task's pending bit or notify flag (a call still running then has
 * no return recorded, unless its tracepoint bit is on again and the
 * sys_exit probe there). A task copied from one the walk had not yet
 * cleared, and linked in behind it, has its bit taken by probe_fork. */
static void pending_clear(void)
{
	struct task_struct *p, *t;

	rcu_read_lock();
	for_each_process_thread(p, t)
	{
		if (test_bit(FVX_WORK_PENDING_BIT, &task_thread_info(t)->syscall_work)) {
			clear_bit(FVX_WORK_PENDING_BIT, &task_thread_info(t)->syscall_work);
			clear_tsk_thread_flag(t, TIF_USER_RETURN_NOTIFY);
		}
	}
	rcu_read_unlock();
}

/* After the trace, while the probes are still there: no notifier left,
 * and no pending bit. */
static void notifiers_stop(void)
{
	if (!notifiers_on)
		return;
	on_each_cpu(notifier_off, NULL, 1);
	notifiers_on = false;
	pending_clear();
}

/* prev (the current task) stops in its exit work: a group stop, a
 * tracer's stop there (a signal's, or PTRACE_EVENT_STOP's: a group stop
 * or PTRACE_INTERRUPT under PTRACE_SEIZE); not a ptrace event's from
 * inside a call (fork, exec...: exit_code's second byte), which has not
 * returned yet. */
static bool notrace stops_returned(const struct task_struct *prev, unsigned int prev_state)
{
	int event = READ_ONCE(prev->exit_code) >> 8;

	return (prev_state & __TASK_STOPPED) ||
	       ((prev_state & __TASK_TRACED) && (!event || event == PTRACE_EVENT_STOP));
}

static void notrace probe_sched_switch(void *data, bool preempt, struct task_struct *prev,
				       struct task_struct *next, unsigned int prev_state)
{
	if (test_bit(FVX_WORK_PENDING_BIT, &task_thread_info(prev)->syscall_work)) {
		clear_tsk_thread_flag(prev, TIF_USER_RETURN_NOTIFY);
		if (stops_returned(prev, prev_state) && take_pending())
			report_pending(RETURN_STOP);
	}
	if (test_bit(FVX_WORK_PENDING_BIT, &task_thread_info(next)->syscall_work) &&
	    !(next->flags & PF_IO_WORKER))
		set_tsk_thread_flag(next, TIF_USER_RETURN_NOTIFY);
}

static void notrace probe_rseq_ip_fixup(void *data, unsigned long regs_ip, unsigned long start_ip,
					unsigned long post_commit_offset, unsigned long abort_ip)
{
	if (take_pending())
		report_pending(RETURN_RSEQ);
}

static void marks_start(const struct fvx_trace_request *req)
{
	struct task_struct *p, *t;

	if (!req->filter.target_tgid)
		return;
	mark_target = req->filter.target_tgid;
	mark_follow = req->filter.follow_children;
	WRITE_ONCE(marks_on, true);
	rcu_read_lock();
	for_each_process_thread(p, t) mark(t, mark_keeps(t));
	rcu_read_unlock();
}

/* Every task's tracepoint bit on again, as the tracepoints left them:
 * other users of the syscall tracepoints (perf, ftrace) see every task
 * again, and when no one else uses them unregistering clears the bits
 * everywhere. The marks first: a trampoline that saw one may still take
 * its task's tracepoint bit off, but not after the grace period (it runs
 * with interrupts off). */
static void marks_stop(void)
{
	struct task_struct *p, *t;

	if (!marks_on)
		return;
	WRITE_ONCE(marks_on, false);
	synchronize_rcu(); /* no probe_fork that saw marks_on is left */
	rcu_read_lock();
	for_each_process_thread(p, t)
		clear_bit(FVX_WORK_MARK_BIT, &task_thread_info(t)->syscall_work);
	rcu_read_unlock();
	synchronize_rcu(); /* nor a trampoline that saw a mark */
	rcu_read_lock();
	for_each_process_thread(p, t) set_task_syscall_work(t, SYSCALL_TRACEPOINT);
	rcu_read_unlock();
}

/* After sched_process_fork's probe is registered: every task the start's
 * walk would mark, marked (never unmarked). A thread copy_process copied
 * before the walk reached its maker, and linked in after, has its maker's
 * old syscall_work (the mark is copied with the whole task, early); if
 * its fork was reported before the probe was there, nothing else marks
 * it. */
static void marks_catch_up(void)
{
	struct task_struct *p, *t;

	if (!READ_ONCE(marks_on))
		return;
	rcu_read_lock();
	for_each_process_thread(p, t) if (mark_keeps(t)) mark(t, true);
	rcu_read_unlock();
}

static void notrace probe_fork(void *data, struct task_struct *parent, struct task_struct *child)
{
	const u64 args[6] = { (u64)child, child->pid, child->tgid };

	/* Before the child first runs, and before the analyzer decides
	 * whether to follow it: a selected maker has the mark. */
	if (READ_ONCE(marks_on))
		mark(child, test_bit(FVX_WORK_MARK_BIT, &task_thread_info(parent)->syscall_work) &&
				    (mark_follow || child->tgid == mark_target));
	else /* a mark copy_process copied from its maker before marks_stop took it */
		clear_bit(FVX_WORK_MARK_BIT, &task_thread_info(child)->syscall_work);
	if (!READ_ONCE(notifiers_on)) /* and a pending bit, before notifiers_stop took it */
		clear_bit(FVX_WORK_PENDING_BIT, &task_thread_info(child)->syscall_work);
	report(FVX_TASK_FORK, 0, args, FVX_RECORD_TASK);
}

static void notrace probe_exit(void *data, struct task_struct *p)
{
	const u64 args[6] = { (u64)p->exit_code, !atomic_read(&p->signal->live) };

	report(FVX_TASK_EXIT, 0, args, FVX_RECORD_TASK);
}

/* A signal for task t (trace.h, FVX_TASK_SIGNAL): its siginfo's union as
 * the task gets it. One sent without a siginfo gets the one Linux makes
 * for it when it queues it (__send_signal_locked): SI_USER from the
 * current task, or with SEND_SIG_PRIV, SI_KERNEL and nothing else. */
static void notrace report_signal(int sig, const struct kernel_siginfo *info, struct task_struct *t,
				  bool stops)
{
	u64 args[6] = { (u64)t->pid | (u64)t->tgid << 32 };
	int code = SI_KERNEL, err = 0;

	BUILD_BUG_ON(sizeof(info->_sifields) != 4 * sizeof(u64));
	if (info == SEND_SIG_NOINFO) {
		code = SI_USER;
		args[2] = (u32)task_tgid_vnr(current) |
			  (u64)from_kuid_munged(current_user_ns(), current_uid()) << 32;
	} else if (info != SEND_SIG_PRIV) {
		code = info->si_code;
		err = info->si_errno;
		memcpy(&args[2], &info->_sifields, sizeof(info->_sifields));
	}
	args[1] = fvx_signal_pack(sig, code, err) | (stops ? FVX_SIGNAL_STOPS : 0);
	report(FVX_TASK_SIGNAL, 0, args, FVX_RECORD_TASK);
}

/* Signals where strace shows them. A tracer sees each signal its tracee
 * takes (signal_deliver, in the task), and two kinds more that Linux
 * discards as they are sent to a task without a tracer (signal_generate,
 * in the sender, under the task's siglock): one whose disposition ignores
 * it (SIGCHLD by default), which a tracer's tracee takes all the same, and
 * a fatal one that Linux turns into a SIGKILL for every thread (SIGTERM by
 * default: it then sets SIGNAL_GROUP_EXIT with the signal as the exit
 * code). SIGKILL strace never shows. A stop signal the task takes by its
 * default action stops it (FVX_SIGNAL_STOPS: strace's "stopped by"), but
 * for a SIGTSTP, SIGTTIN or SIGTTOU to an orphaned process group, which
 * Linux then drops: that one shows as a stop too. */
static void notrace probe_signal_generate(void *data, int sig, struct kernel_siginfo *info,
					  struct task_struct *t, int group, int result)
{
	const struct signal_struct *s = t->signal;
	void __user *handler;

	if (sig < 1 || sig > _NSIG || sig == SIGKILL || t->ptrace)
		return;
	handler = t->sighand->action[sig - 1].sa.sa_handler;
	if ((result == TRACE_SIGNAL_IGNORED && !(s->flags & SIGNAL_GROUP_EXIT) &&
	     (handler == SIG_IGN || (handler == SIG_DFL && sig_kernel_ignore(sig)))) ||
	    (result == TRACE_SIGNAL_DELIVERED && (s->flags & SIGNAL_GROUP_EXIT) &&
	     s->group_exit_code == sig))
		report_signal(sig, info, t, false);
}

static void notrace probe_signal_deliver(void *data, int sig, struct kernel_siginfo *info,
					 struct k_sigaction *ka)
{
	/* A pending return first, as the call left RAX (on_user_return);
	 * none for a call SIGKILL ends (a fatal signal's, another thread's
	 * exit_group or execve): it never returns to user mode, and strace
	 * shows "= ?" (the exit record ends it so). But a quick call's, whose
	 * entry has no record (syscall_quick.h): it ran, and is shown with
	 * the value it had; unless seccomp may have killed it before it ran
	 * (a filter another thread installed with SECCOMP_FILTER_FLAG_TSYNC
	 * while it was under way), which leaves RAX its number. */
	if (take_pending() &&
	    (sig != SIGKILL ||
	     (!in_ia32_syscall() && fvx_syscall_quick((u32)current_pt_regs()->orig_ax) &&
	      !test_syscall_work(SECCOMP))))
		report_pending(RETURN_SIGNAL);
	if (sig != SIGKILL)
		report_signal(sig, info, current,
			      sig_kernel_stop(sig) && ka->sa.sa_handler == SIG_DFL);
}

/* io_uring submissions (uring.h): each operation's prep function, which
 * the kernel's io_uring calls with the request and the submission queue
 * entry (its first two arguments), in the task that submits it: the
 * caller of io_uring_enter, or with IORING_SETUP_SQPOLL the ring's kernel
 * thread (a thread of the same process). No tracepoint carries the entry
 * (io_uring_submit_sqe comes after it is gone), so kprobes on those
 * functions, registered with the module (io_uring=0: not at all), which
 * report while a fast-mode trace runs (the synchronize_rcu of reports_stop
 * waits for a handler under way, which runs with preemption off).
 * The entry is memory the program also maps and may change meanwhile: the
 * opcode, the flags and, for an operation on a file, the fd come from the
 * request, which the kernel filled from the entry before (io_init_req);
 * the rest is what the entry says when the prep function starts, give or
 * take such a race (README: known limits). */
static bool uring_op_has_file(u8 op)
{
	switch (op) {
	case IORING_OP_READV:
	case IORING_OP_WRITEV:
	case IORING_OP_READ_FIXED:
	case IORING_OP_WRITE_FIXED:
	case IORING_OP_READ:
	case IORING_OP_WRITE:
	case IORING_OP_FSYNC:
	case IORING_OP_SYNC_FILE_RANGE:
	case IORING_OP_FALLOCATE:
	case IORING_OP_FADVISE:
	case IORING_OP_SENDMSG:
	case IORING_OP_RECVMSG:
	case IORING_OP_SEND:
	case IORING_OP_RECV:
	case IORING_OP_SEND_ZC:
	case IORING_OP_SENDMSG_ZC:
	case IORING_OP_ACCEPT:
	case IORING_OP_CONNECT:
	case IORING_OP_SHUTDOWN: return true;
	}
	return false;
}

static bool uring_all_probed;

static int notrace probe_uring(struct kprobe *p, struct pt_regs *regs)
{
	const struct io_kiocb *req = (const void *)regs->di;
	u64 sqe[6];

	if (!READ_ONCE(uring_on) || !req || !regs->si)
		return 0;
	memcpy(sqe, (const void *)regs->si, sizeof(sqe));
	sqe[0] = (sqe[0] & 0xffff0000ULL) | req->opcode | (u64)(u8)req->flags << 8 |
		 (uring_op_has_file(req->opcode) ? (u64)(u32)req->cqe.fd : sqe[0] >> 32) << 32;
	/* The request (a read then keeps its arguments for its completion)
	 * only when every prep function is probed: each submission drops
	 * what it may make untrue, which one not seen could not. */
	report(FVX_TASK_IO_URING, READ_ONCE(uring_all_probed) ? (s64)(unsigned long)req : 0, sqe,
	       FVX_RECORD_TASK);
	return 0;
}

/* Their completions: Linux's io_uring_complete tracepoint, as the kernel
 * posts each completion queue entry, in the task that completes the
 * operation (the submitter, the ring's SQPOLL thread, or an io worker of
 * its process; not from an interrupt, where the current task is whoever
 * was interrupted). Attributed to the current task: an IOPOLL ring's
 * completions go to whichever task reaps them. Registered with the
 * kprobes. */
static struct tracepoint *uring_complete_tp;
static bool uring_complete_registered;

static void notrace probe_uring_complete(void *data, void *ctx, void *req, u64 user_data, int res,
					 unsigned int cflags, u64 extra1, u64 extra2)
{
	const struct io_kiocb *r = req;
	u64 args[6] = { (u64)(s64)res, user_data, r ? r->opcode : FVX_URING_OP_NONE, cflags,
			(unsigned long)req };

	if (!READ_ONCE(uring_on) || !in_task())
		return;
	report(FVX_TASK_IO_URING_DONE, 0, args, FVX_RECORD_TASK);
}

#define URING_PREP(fn)                                                                             \
	{                                                                                          \
		.symbol_name = #fn, .pre_handler = probe_uring                                     \
	}
static struct kprobe uring_probes[] = {
	URING_PREP(io_prep_rw),
	URING_PREP(io_openat_prep),
	URING_PREP(io_openat2_prep),
	URING_PREP(io_close_prep),
	URING_PREP(io_statx_prep),
	URING_PREP(io_unlinkat_prep),
	URING_PREP(io_mkdirat_prep),
	URING_PREP(io_renameat_prep),
	URING_PREP(io_linkat_prep),
	URING_PREP(io_symlinkat_prep),
	URING_PREP(io_socket_prep),
	URING_PREP(io_connect_prep),
	URING_PREP(io_accept_prep),
	URING_PREP(io_sendmsg_prep),
	URING_PREP(io_recvmsg_prep),
	URING_PREP(io_send_zc_prep),
	URING_PREP(io_shutdown_prep),
	URING_PREP(io_fsync_prep),
	URING_PREP(io_sfr_prep),
	URING_PREP(io_fallocate_prep),
	URING_PREP(io_fadvise_prep),
	URING_PREP(io_madvise_prep),
	URING_PREP(io_splice_prep),
	URING_PREP(io_tee_prep),
	URING_PREP(io_fsetxattr_prep),
	URING_PREP(io_setxattr_prep),
	URING_PREP(io_fgetxattr_prep),
	URING_PREP(io_getxattr_prep),
	URING_PREP(io_epoll_ctl_prep),
	URING_PREP(io_msg_ring_prep),
	URING_PREP(io_uring_cmd_prep),
	URING_PREP(io_files_update_prep),
	URING_PREP(io_provide_buffers_prep),
	URING_PREP(io_remove_buffers_prep),
	URING_PREP(io_poll_add_prep),
	URING_PREP(io_poll_remove_prep),
	URING_PREP(io_timeout_prep),
	URING_PREP(io_timeout_remove_prep),
	URING_PREP(io_link_timeout_prep),
	URING_PREP(io_async_cancel_prep),
	URING_PREP(io_nop_prep),
};
static bool uring_registered[ARRAY_SIZE(uring_probes)];

/* Those the kernel has (not all kernels have io_uring, or each op). */
static void uring_probes_register(void)
{
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(uring_probes); i++) {
		uring_registered[i] = !register_kprobe(&uring_probes[i]);
		n += uring_registered[i];
	}
	WRITE_ONCE(uring_all_probed, n == ARRAY_SIZE(uring_probes));
	if (n < ARRAY_SIZE(uring_probes))
		pr_info("fastvmix: %zu of %zu io_uring operations traced\n", n,
			ARRAY_SIZE(uring_probes));
	uring_complete_registered =
		uring_complete_tp &&
		!tracepoint_probe_register(uring_complete_tp, probe_uring_complete, NULL);
	if (!uring_complete_registered)
		pr_info("fastvmix: io_uring completions not traced\n");
}

/* All at once: one wait for the handlers under way. */
static void uring_probes_unregister(void)
{
	struct kprobe *kps[ARRAY_SIZE(uring_probes)];
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(uring_probes); i++)
		if (uring_registered[i])
			kps[n++] = &uring_probes[i];
	if (n)
		unregister_kprobes(kps, (int)n);
	memset(uring_registered, 0, sizeof(uring_registered));
	WRITE_ONCE(uring_all_probed, false);
	if (uring_complete_registered) {
		tracepoint_probe_unregister(uring_complete_tp, probe_uring_complete, NULL);
		tracepoint_synchronize_unregister();
		uring_complete_registered = false;
	}
}

static struct probe {
	const char *name;
	void *fn;
	struct tracepoint *tp;
} probes[] = {
	/* In this order: the marks go on between sys_enter and sched_process_fork. */
	{ "sys_exit", probe_sys_exit },
	{ "sys_enter", probe_sys_enter },
	{ "sched_process_fork", probe_fork },
	{ "sched_process_exit", probe_exit },
	{ "signal_generate", probe_signal_generate },
	{ "signal_deliver", probe_signal_deliver },
	{ "sched_switch", probe_sched_switch },
	{ "rseq_ip_fixup", probe_rseq_ip_fixup },
};

static void find_tracepoint(struct tracepoint *tp, void *priv)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(probes); i++)
		if (!strcmp(tp->name, probes[i].name))
			probes[i].tp = tp;
	if (!strcmp(tp->name, "io_uring_complete"))
		uring_complete_tp = tp;
}

/* Once this returns, no CPU is in a probe or the event entry. */
static void reports_stop(void)
{
	size_t i;

	WRITE_ONCE(uring_on, false);
	marks_stop();
	notifiers_stop();
	for (i = 0; i < ARRAY_SIZE(probes); i++)
		tracepoint_probe_unregister(probes[i].tp, probes[i].fn, NULL);
	tracepoint_synchronize_unregister();
}

static int reports_start(const struct fvx_trace_request *req)
{
	u32 mode = req->mode;
	size_t i;
	int err = 0;

	event_entry =
		mode == FVX_MODE_EXIT ? FVX_WIN_TRAMPOLINE_RETURN_EXIT : FVX_WIN_TRAMPOLINE_RETURN;
	memcpy(return_filter, req->filter.syscalls, sizeof(return_filter));
	WRITE_ONCE(record_watched, mode == FVX_MODE_FAST && !req->seal_ticks);
	/* sys_exit also sets SYSCALL_WORK_SYSCALL_TRACEPOINT on every task,
	 * so that each one's system calls reach both syscall tracepoints;
	 * the marks then, before sched_process_fork (see marks_start). */
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		if (probes[i].fn == (void *)probe_fork)
			marks_start(req);
		err = tracepoint_probe_register(probes[i].tp, probes[i].fn, NULL);
		if (err)
			break;
	}
	if (err) {
		marks_stop();
		while (i--)
			tracepoint_probe_unregister(probes[i].tp, probes[i].fn, NULL);
		tracepoint_synchronize_unregister();
		return err;
	}
	marks_catch_up();
	/* No pending bit left from before (a task copied as the last fast
	 * trace ended, whose fork probe had gone): in exit mode too, where
	 * one would keep the sys_exit probe from reporting the task's returns
	 * and send a signal's or a stop's report the pt_regs of fast mode's
	 * return entry (FVX_EVENT_REGS), which the exit-mode entry reads as
	 * an array. A task copied from then on has its bit taken by
	 * probe_fork, registered now. Before any CPU traces, so before the
	 * trampoline sets a pending bit. */
	pending_clear();
	if (mode == FVX_MODE_FAST) {
		on_each_cpu(notifier_on, NULL, 1);
		notifiers_on = true;
	}
	WRITE_ONCE(uring_on, mode == FVX_MODE_FAST);
	return 0;
}

/* Entries first, then returns: each call whose entry was recorded gets its
 * return recorded too, unless it is still running when the trace stops. A
 * sealed trace the hypervisor does not stop keeps its returns too. */
static int trace_stop(void)
{
	int err;

	/* Every tracepoint bit back before the first CPU stops taking 32-bit
	 * calls through the window (FVX_CONFIG_FAST_SKIP); a sealed trace,
	 * which goes on, does not use the marks. */
	marks_stop();
	err = set_mode(0);
	if (err)
		return err;
	if (reports_on)
		reports_stop();
	reports_on = false;
	return 0;
}

static long analyzer_load(struct fvx_ioc_analyzer __user *uarg)
{
	struct fvx_ioc_analyzer req;
	unsigned int order;
	void *image;
	u64 error = 0;
	s64 r;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	r = agent_check_analyzer_request(&req);
	if (r)
		return r;
	if (trace_mode)
		return -EBUSY;
	order = get_order(req.size);
	image = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!image)
		return -ENOMEM;
	if (copy_from_user(image, u64_to_user_ptr(req.image), req.size)) {
		free_pages((unsigned long)image, order);
		return -EFAULT;
	}
	r = vmcall(FVX_VMCALL_ANALYZER_LOAD, virt_to_phys(image), req.size, &error);
	free_pages((unsigned long)image, order);
	if (r == FVX_VMCALL_EINVAL) {
		req.error = error;
		return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : -EINVAL;
	}
	return r;
}

static long trace_start(const struct fvx_trace_request __user *uarg)
{
	struct fvx_trace_request req;
	s64 r;
	int err;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	r = agent_check_trace_request(&req);
	if (r)
		return r;
	if (trace_mode)
		return -EBUSY;
	req.seal_ticks = (u64)req.seal_seconds * tsc_khz * 1000;
	memset(consumer, 0, PAGE_SIZE);
	/* The hypervisor takes the request as it is (its filter, its seal). */
	r = vmcall_struct(FVX_VMCALL_TRACE_FILTER, &req, sizeof(req), NULL);
	if (r != FVX_VMCALL_OK)
		return r;
	/* Returns first, then entries (the reverse of trace_stop). */
	err = reports_start(&req);
	if (err)
		return err;
	err = set_mode(req.mode);
	if (err) {
		reports_stop();
		return err;
	}
	reports_on = true;
	if (req.seal_seconds) {
		__module_get(THIS_MODULE);
		sealed_ref = true;
	}
	return 0;
}

static long agent_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct fvx_ioc_info info;
	long err;

	mutex_lock(&agent_lock);
	switch (cmd) {
	case FVX_IOC_ANALYZER_LOAD: err = analyzer_load((void __user *)arg); break;
	case FVX_IOC_TRACE_START:
		err = trace_start((void __user *)arg);
		if (!err)
			trace_owner = file;
		break;
	case FVX_IOC_TRACE_STOP:
		/* Only the descriptor that started the trace ends it (anyone,
		 * once that one is closed), and no one a sealed trace. */
		err = trace_mode && trace_owner && file != trace_owner ? -EPERM : trace_stop();
		break;
	case FVX_IOC_INFO:
		err = -EFAULT;
		if (copy_from_user(&info, (void __user *)arg, sizeof(info)))
			break;
		err = agent_check_info_request(&info);
		if (err)
			break;
		info.geometry = window.geometry;
		info.mode = trace_mode;
		err = copy_to_user((void __user *)arg, &info, sizeof(info)) ? -EFAULT : 0;
		break;
	default: err = -ENOTTY;
	}
	mutex_unlock(&agent_lock);
	return err;
}

static int agent_mmap(struct file *file, struct vm_area_struct *vma)
{
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT, size = vma->vm_end - vma->vm_start;
	int mapping = agent_check_mmap(off, size, !!(vma->vm_flags & VM_WRITE), &window.geometry,
				       PAGE_SIZE);

	if (mapping == AGENT_MAP_RINGS) {
		vma->vm_flags &= ~VM_MAYWRITE;
		return remap_pfn_range(vma, vma->vm_start,
				       (window.window_gpa + FVX_WIN_RINGS) >> PAGE_SHIFT, size,
				       vma->vm_page_prot);
	}
	if (mapping == AGENT_MAP_CONSUMER)
		return remap_pfn_range(vma, vma->vm_start, virt_to_phys(consumer) >> PAGE_SHIFT,
				       PAGE_SIZE, vma->vm_page_prot);
	return mapping;
}

static int agent_release(struct inode *inode, struct file *file)
{
	/* The frontend that started the trace is gone: nobody drains the
	 * rings any more. Other descriptors come and go freely. */
	mutex_lock(&agent_lock);
	if (trace_mode && file == trace_owner && trace_stop() != 0)
		trace_owner = NULL; /* sealed: stopped later, by anyone */
	mutex_unlock(&agent_lock);
	return 0;
}

static const struct file_operations agent_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = agent_ioctl,
	.mmap = agent_mmap,
	.release = agent_release,
};

static struct miscdevice agent_device = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "fastvmix",
	.fops = &agent_fops,
	.mode = 0600,
};

static int __init agent_init(void)
{
	struct fvx_agent_config cfg = { .version = FVX_AGENT_CONFIG_VERSION, .size = sizeof(cfg) };
	size_t i;
	s64 r;
	int err;

	/* With page-table isolation, SYSCALL arrives on user page tables that
	 * do not map the window: the trampoline would fault. */
	if (boot_cpu_has(X86_FEATURE_PTI)) {
		pr_err("fastvmix: page-table isolation is on: boot with nopti\n");
		return -EOPNOTSUPP;
	}
	/* EFI runtime services run on efi_mm, whose top-level table has a
	 * PML4E 511 of its own (a PDPT with the EFI mappings): the window's
	 * protection, which puts the kernel's PML4E back in every table
	 * loaded, would take those mappings away from the firmware. */
	if (efi_enabled(EFI_RUNTIME_SERVICES)) {
		pr_err("fastvmix: EFI runtime services are on: boot with efi=noruntime\n");
		return -EOPNOTSUPP;
	}
	if (!fastvmix_hv_running()) {
		pr_err("fastvmix: the hypervisor is not running (load fastvmix_hv first)\n");
		return -ENODEV;
	}
	for_each_kernel_tracepoint(find_tracepoint, NULL);
	for (i = 0; i < ARRAY_SIZE(probes); i++)
		if (!probes[i].tp) {
			pr_err("fastvmix: no %s tracepoint (CONFIG_FTRACE_SYSCALLS, "
			       "CONFIG_TRACEPOINTS)\n",
			       probes[i].name);
			return -EOPNOTSUPP;
		}
	r = vmcall_struct(FVX_VMCALL_WINDOW_INFO, NULL, sizeof(window), &window);
	if (r != FVX_VMCALL_OK || window.version != FVX_WINDOW_INFO_VERSION ||
	    window.geometry.cpu_count < num_possible_cpus()) {
		pr_err("fastvmix: no usable analyzer window (status %lld)\n", r);
		return -ENODEV;
	}
	consumer = (void *)get_zeroed_page(GFP_KERNEL);
	if (!consumer)
		return -ENOMEM;
	err = map_window();
	if (err)
		goto free_consumer;
	cfg.window_va = window_va;
	cfg.consumer_va = (u64)consumer;
	cfg.scratch_percpu = (u64)&fvx_scratch;
	cfg.task.current_task = (u64)&current_task;
	cfg.task.pid = offsetof(struct task_struct, pid);
	cfg.task.tgid = offsetof(struct task_struct, tgid);
	cfg.task.real_parent = offsetof(struct task_struct, real_parent);
	cfg.task.mark =
		offsetof(struct task_struct, thread_info.syscall_work) * 8 + FVX_WORK_MARK_BIT;
	cfg.task.tracepoint = offsetof(struct task_struct, thread_info.syscall_work) * 8 +
			      SYSCALL_WORK_BIT_SYSCALL_TRACEPOINT;
	cfg.task.ptrace = offsetof(struct task_struct, ptrace);
	cfg.task.pending =
		offsetof(struct task_struct, thread_info.syscall_work) * 8 + FVX_WORK_PENDING_BIT;
	cfg.task.notify =
		offsetof(struct task_struct, thread_info.flags) * 8 + TIF_USER_RETURN_NOTIFY;
	BUILD_BUG_ON(sizeof(((struct task_struct *)0)->ptrace) != 4);
	/* The tracepoint's byte: Linux's lowest 7 bits, the highest unused;
	 * the mark above them, unused too. */
	BUILD_BUG_ON(
		SYSCALL_WORK_BIT_SYSCALL_TRACEPOINT >= 8 || FVX_WORK_WATCH >= 1 << 8 ||
		SYSCALL_WORK_BIT_SYSCALL_EXIT_TRAP >= FVX_WORK_DEFER_BIT ||
		((SYSCALL_WORK_ENTER | SYSCALL_WORK_EXIT) &
		 (BIT(FVX_WORK_DEFER_BIT) | BIT(FVX_WORK_MARK_BIT) | BIT(FVX_WORK_PENDING_BIT))));
	cfg.task.watch = FVX_WORK_WATCH;
	cfg.task.defer = 1 << FVX_WORK_DEFER_BIT;
	r = vmcall_struct(FVX_VMCALL_CONFIGURE, &cfg, sizeof(cfg), NULL);
	if (r != FVX_VMCALL_OK) {
		pr_err("fastvmix: the hypervisor refused the configuration (status %lld)\n", r);
		err = -EINVAL;
		goto unmap;
	}
	on_each_cpu(protect_on_cpu, NULL, 1);
	if (io_uring)
		uring_probes_register();
	err = misc_register(&agent_device);
	if (err)
		goto unregister;
	pr_info("fastvmix: agent ready: window at %#llx (guest-physical %#llx), %u rings of %llu "
		"KiB\n",
		window_va, window.window_gpa, window.geometry.cpu_count,
		window.geometry.ring_bytes >> 10);
	return 0;
unregister:
	uring_probes_unregister();
	unconfigure();
unmap:
	unmap_window();
free_consumer:
	free_page((unsigned long)consumer);
	return err;
}

static void __exit agent_exit(void)
{
	misc_deregister(&agent_device);
	mutex_lock(&agent_lock);
	marks_stop();
	if (trace_mode)
		set_mode(0);
	/* Whatever the hypervisor said: the probe is this module's text. */
	if (reports_on)
		reports_stop();
	reports_on = false;
	mutex_unlock(&agent_lock);
	uring_probes_unregister();
	unconfigure();
	unmap_window();
	free_page((unsigned long)consumer);
}

module_init(agent_init);
module_exit(agent_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("FastVMIX agent: analyzers and exit-less tracing");
