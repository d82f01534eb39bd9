/* The default analyzer: one record per system call of the traced tasks, and
 * one more when it returns (FVX_RECORD_RETURN, the value in args[0];
 * rt_sigreturn's also the signal mask it restored in args[1]); before
 * each, the data records of its string, buffer, argv and socket address
 * arguments (trace.h), read from the traced process without faulting
 * (guest_read.h). 32-bit calls (FVX_RECORD_COMPAT) are selected and
 * captured through their x86-64 twin (syscall_compat.h), a socketcall as
 * the call it does the work of. With -f it
 * follows the children of the traced tasks by fork, in a set in its data
 * area (follow_set.h), and records their ends and signals (trace_task.h),
 * and the operations they submit through an io_uring (uring.h). */
#include "fvx_analyzer.h"
#include "fastvmix/guest_read.h"
#include "fastvmix/syscall_args.h"
#include "fastvmix/syscall_compat.h"
#include "fastvmix/syscall_quick.h"
#include "fastvmix/trace_capture.h"
#include "fastvmix/trace_task.h"
#include "fastvmix/uring.h"

FVX_ANALYZER("syscall");
FVX_ANALYZER_FLAGS(FVX_ANALYZER_F_WAIT | FVX_ANALYZER_F_WHOLE);

/* Guest memory through the direct map: guest_read.h has checked it. */
static int direct_copy(void *ctx, __u64 va, void *out, __u64 len)
{
	(void)ctx;
	__builtin_memcpy(out, (const void *)va, len);
	return 1;
}

struct emit_ctx {
	const struct fvx_config *cfg;
	__u64 cpu;
};

static void emit_data(void *ctx, const struct fvx_trace_record *r)
{
	const struct emit_ctx *e = ctx;

	fvx_emit(e->cfg, e->cpu, r);
}

/* The data records of rec's arguments that are due now (fvx_capture).
 * Out of line: the many calls with none to read (getpid) do not pay for
 * its frame. */
static __attribute__((noinline)) __u8 capture(const struct fvx_config *cfg,
					      struct fvx_trace_data *data,
					      const struct fvx_trace_record *rec,
					      const __u64 args[6])
{
	struct emit_ctx e = { cfg, rec->cpu };
	struct fvx_guest_mem mem = { .limits = &cfg->phys, .copy = direct_copy, .cr3 = rec->cr3 };

	return fvx_capture(cfg, &mem, rec, args, fvx_room(cfg, rec->cpu),
			   (rec->flags & (FVX_RECORD_RETURN | FVX_RECORD_URING)) ==
					   FVX_RECORD_RETURN
				   ? fvx_again_take(data->again, rec)
				   : 0,
			   emit_data, &e);
}

/* i386's socketcall as the call it does the work of (trace_capture.h).
 * Out of line: other calls do not pay for its frame. */
static __attribute__((noinline)) void unfold(const struct fvx_config *cfg,
					     struct fvx_trace_data *data,
					     struct fvx_trace_record *rec, __u64 args[6])
{
	struct fvx_guest_mem mem = { .limits = &cfg->phys,
				     .copy = direct_copy,
				     .cr3 = fvx_read_cr3() };
	__u64 task = fvx_percpu_read64(cfg->task.current_task), pid;

	if (fvx_kernel_read64(0, task + cfg->task.pid, &pid))
		fvx_socketcall_unfold(&mem, data->socketcalls, (__u32)pid, rec, args);
}

/* Whether an event that cannot wait (a task event, an io_uring operation
 * or completion) may take a record now, when the trace waits rather than
 * drops: not from the headroom kept for returns and their data, which a
 * flood of such events (signals a sample ignores, timers, operations)
 * would otherwise take from the returns of the calls under way. One that
 * may not is dropped, counted as the ring counts its drops. */
static int event_room(const struct fvx_config *cfg, __u64 cpu)
{
	if (!(cfg->flags & FVX_CONFIG_RETRY) || fvx_entry_room(cfg, cpu, 1))
		return 1;
	fvx_ring(cfg, cpu)->dropped++;
	return 0;
}

/* Stamps r as every record is: the host's clock, the address space, the
 * CPU. */
static inline __attribute__((always_inline)) void stamp(struct fvx_trace_record *r,
							const struct fvx_config *cfg, __u64 cpu)
{
	r->tsc = fvx_host_tsc(cfg, cpu);
	r->cr3 = fvx_read_cr3();
	r->cpu = (__u32)cpu;
}

/* Whether a call of number nr and flags is selected now, by the filter
 * and by the current task, whose ids go to pid and tgid. */
static inline __attribute__((always_inline)) int
selected(const struct fvx_event *ev, const struct fvx_config *cfg, const struct fvx_follow_set *set,
	 __u64 nr, __u32 flags, __u32 *pid, __u32 *tgid)
{
	if (ev->cpu >= cfg->geometry.cpu_count ||
	    !(flags & FVX_RECORD_COMPAT ? fvx_compat_selected(cfg, nr)
					: fvx_syscall_selected(cfg, nr)))
		return 0;
	return fvx_task_selected_in(cfg, set, fvx_percpu_read64(cfg->task.current_task),
				    fvx_kernel_read64, 0, pid, tgid);
}

/* Whether an entry (not a return, nor an io_uring operation) finds no room
 * for itself beyond the headroom kept for returns and data, while the
 * trace waits rather than drops: then it is not recorded but retried
 * (FVX_ENTRY_RETRY). */
static inline __attribute__((always_inline)) int entry_waits(const struct fvx_config *cfg,
							     __u64 cpu, __u32 flags)
{
	return (cfg->flags & FVX_CONFIG_RETRY) &&
	       !(flags & (FVX_RECORD_RETURN | FVX_RECORD_URING)) && !fvx_entry_room(cfg, cpu, 1);
}

/* A 64-bit call's entry or return that has no data records (getpid's),
 * or a quick call recorded whole (FVX_RECORD_WHOLE), when selected:
 * written in place in the ring, its args the first n of `shown` and
 * zeros, rather than built and copied as record's. One that `waits` finds
 * no room beyond the returns' headroom, when the trace waits, is not
 * recorded (FVX_ENTRY_RETRY): an entry, or a whole record the thread can
 * make again. In line, where n is a constant: each argument one store (a
 * loop cost five instructions an argument, every traced call). One that
 * WAITS_OR_DROPS instead is dropped there, counted (a whole record that
 * cannot wait: record_whole), once its task is known to be selected. */
#define WAITS 1
#define WAITS_OR_DROPS 2
static inline __attribute__((always_inline)) int
record_plain(const struct fvx_event *ev, const struct fvx_config *cfg, struct fvx_trace_data *data,
	     __u64 nr, __u32 flags, const __u64 *shown, int n, int waits)
{
	struct fvx_ring_header *ring;
	struct fvx_trace_record *slot;
	__u64 head, capacity = cfg->geometry.capacity, used;
	__u32 pid, tgid;
	int i;

	/* The task alone: the trampoline tested the number against the same
	 * read-only filter before its switch into this view (record_plain
	 * takes 64-bit calls only, which reach the analyzer through it). */
	if (ev->cpu >= cfg->geometry.cpu_count ||
	    !fvx_task_selected_in(cfg, &data->set, fvx_percpu_read64(cfg->task.current_task),
				  fvx_kernel_read64, 0, &pid, &tgid))
		return FVX_ENTRY_DONE;
	/* entry_waits and fvx_ring_claim, from one look at the ring. */
	ring = fvx_ring(cfg, ev->cpu);
	head = ring->head;
	used = head - *fvx_tail(cfg, ev->cpu);
	if ((cfg->flags & FVX_CONFIG_RETRY) && waits &&
	    used > capacity - 1 - FVX_RING_HEADROOM(capacity)) { /* (a tail beyond the head too) */
		if (waits != WAITS_OR_DROPS)
			return FVX_ENTRY_RETRY;
		ring->dropped++;
		return FVX_ENTRY_DONE;
	}
	if (used >= capacity) {
		ring->dropped++;
		return FVX_ENTRY_DONE;
	}
	slot = fvx_ring_slot(ring, capacity, head);
	stamp(slot, cfg, ev->cpu);
	slot->nr = nr;
#pragma GCC unroll 6
	for (i = 0; i < 6; i++)
		slot->args[i] = i < n ? shown[i] : 0;
	slot->pid = pid;
	slot->tgid = tgid;
	slot->flags = flags;
	/* (A call begins: an entry, or a whole one.) */
	if ((flags & (FVX_RECORD_RETURN | FVX_RECORD_WHOLE)) != FVX_RECORD_RETURN)
		fvx_again_forget(data->again, pid);
	fvx_ring_commit(ring, slot, head);
	return FVX_ENTRY_DONE;
}

/* Appends rec (its number, arguments and flags set), after the data records
 * of `args` (the call's arguments), when the filter and the current task
 * select it; an entry without room waits (entry_waits). An io_uring
 * operation cannot wait (the kernel is preparing it): it is dropped
 * instead (event_room), and its data are an entry's. */
static int record(const struct fvx_event *ev, const struct fvx_config *cfg,
		  struct fvx_trace_data *data, struct fvx_trace_record *rec, const __u64 args[6])
{
	int waits = !(rec->flags & (FVX_RECORD_RETURN | FVX_RECORD_URING));
	__u8 unread = 0;
	__u64 unfolded[6];
	int i;

	if (rec->nr == FVX_COMPAT_SOCKETCALL && (rec->flags & FVX_RECORD_COMPAT)) {
		for (i = 0; i < 6; i++)
			unfolded[i] = args[i];
		unfold(cfg, data, rec, unfolded);
		args = unfolded;
	}
	if (!selected(ev, cfg, &data->set, rec->nr, rec->flags, &rec->pid, &rec->tgid))
		return FVX_ENTRY_DONE;
	if (entry_waits(cfg, ev->cpu, rec->flags))
		return FVX_ENTRY_RETRY;
	if ((rec->flags & FVX_RECORD_URING) && !event_room(cfg, ev->cpu))
		return FVX_ENTRY_DONE;
	stamp(rec, cfg, ev->cpu);
	/* (An io_uring completion without its submission's arguments: args 0.) */
	if (args && fvx_capture_any(rec->nr, rec->flags))
		unread = capture(cfg, data, rec, args);
	if (waits)
		fvx_again_put(data->again, rec, unread);
	fvx_emit(cfg, ev->cpu, rec);
	return FVX_ENTRY_DONE;
}

/* An entry with data records, or a 32-bit one: built on the stack and
 * copied. Out of line: the plain calls' path (fvx_entry) does not pay for
 * its frame. */
static __attribute__((noinline)) int entry_copied(const struct fvx_event *ev,
						  const struct fvx_config *cfg, void *scratch,
						  __u64 nr, __u32 flags)
{
	struct fvx_trace_record rec = { .nr = nr, .flags = flags };
	int i;

	for (i = 0; i < 6; i++)
		rec.args[i] = ev->args[i];
	return record(ev, cfg, scratch, &rec, ev->args);
}

/* A 64-bit call's entry (the trampoline), or a 32-bit one's (the agent's
 * sys_enter probe, FVX_RECORD_COMPAT). */
int fvx_entry(const struct fvx_event *ev, const struct fvx_config *cfg, void *scratch)
{
	__u64 nr = fvx_syscall_number(ev->nr);
	__u32 flags = (__u32)ev->flags & FVX_RECORD_FLAGS;

	if (!(flags & FVX_RECORD_COMPAT) && !fvx_capture_any(nr, flags))
		return record_plain(ev, cfg, scratch, nr, flags, ev->args, 6, WAITS);
	return entry_copied(ev, cfg, scratch, nr, flags);
}

/* A task was made, ended or got a signal: appended at once (it cannot wait
 * for room), beyond the returns' headroom (event_room). */
static void task_event(const struct fvx_event *ev, const struct fvx_config *cfg,
		       struct fvx_follow_set *set)
{
	struct fvx_trace_record rec;

	if (ev->cpu >= cfg->geometry.cpu_count ||
	    !fvx_task_event(cfg, set, ev, fvx_percpu_read64(cfg->task.current_task),
			    fvx_kernel_read64, 0, &rec) ||
	    !event_room(cfg, ev->cpu))
		return;
	stamp(&rec, cfg, ev->cpu);
	fvx_emit(cfg, ev->cpu, &rec);
}

/* The page-table root of a CR3 (without its PCID, which differs by CPU). */
#define CR3_ROOT(cr3) ((cr3)&0x000ffffffffff000ULL)

/* An io_uring operation (FVX_TASK_IO_URING): as the call that does the
 * same, selected by that call's number; one without such a call as
 * io_uring_enter's. First the kept arguments it may make untrue go
 * (fvx_uring_spoil: all of its address space when it may write memory,
 * a read too); then a recorded read (fvx_uring_keeps) keeps its
 * arguments for its completion, by its request (user_rip), with its opcode
 * and its address space in the fifth and sixth, which no read takes: a
 * completion in another address space (an IOPOLL ring another process
 * reaps) would read another's memory at those addresses. */
static void uring_event(const struct fvx_event *ev, const struct fvx_config *cfg,
			struct fvx_trace_data *data)
{
	struct fvx_trace_record rec = { .flags = FVX_RECORD_URING };
	int nr = fvx_uring_call(ev->args, rec.args);
	__u32 op = ev->args[0] & 0xff, sqe_flags = ev->args[0] >> 8 & 0xff;
	struct fvx_slot *slot = fvx_uring_slot(data->urings, ev->user_rip);
	__u64 root = CR3_ROOT(fvx_read_cr3());

	fvx_uring_spoil(data->urings, root, ev->user_rip, fvx_uring_may_write(op));
	rec.nr = nr < 0 ? __NR_io_uring_enter : (__u64)nr;
	rec.flags |= op << FVX_RECORD_URING_OP_SHIFT;
	(void)record(ev, cfg, data, &rec, nr < 0 ? (const __u64[6]){ 0 } : rec.args);
	if (rec.tsc && ev->user_rip && fvx_uring_keeps(op, sqe_flags)) {
		rec.args[4] = op;
		rec.args[5] = root;
		(void)fvx_slot_put(slot, __atomic_load_n(&slot->key, __ATOMIC_RELAXED),
				   fvx_uring_key(ev->user_rip), rec.args);
	}
}

/* An io_uring operation's completion (FVX_TASK_IO_URING_DONE): as a
 * return of the call that does the same, selected by its number (a read or
 * a write by either of its twins: the completion does not say the
 * offset, and their arguments are alike); one without such a call as
 * io_uring_enter's. With its data records when its submission kept its
 * arguments (uring_event). */
static void uring_done_event(const struct fvx_event *ev, const struct fvx_config *cfg,
			     struct fvx_trace_data *data)
{
	__u32 op = ev->args[2] > 0xff ? FVX_URING_OP_NONE : (__u32)ev->args[2];
	int nr = fvx_uring_twin_of(op, 0), at = fvx_uring_twin_of(op, 1);
	struct fvx_trace_record rec = {
		.flags = FVX_RECORD_URING | FVX_RECORD_RETURN | op << FVX_RECORD_URING_OP_SHIFT,
		.args = { (__u64)(__s64)(__s32)ev->args[0], ev->args[1], (__u32)ev->args[3] },
	};
	__u64 kept[6], root = CR3_ROOT(fvx_read_cr3());
	int has = fvx_slot_take(fvx_uring_slot(data->urings, ev->args[4]),
				fvx_uring_key(ev->args[4]), kept) &&
		  kept[4] == op && kept[5] == root;

	/* (An operation that changed memory as it ran, before this post.) */
	fvx_uring_spoil(data->urings, root, 0, fvx_uring_may_write(op));
	kept[4] = kept[5] = 0;
	if (nr >= 0 && at >= 0 && !fvx_syscall_selected(cfg, (__u64)nr))
		nr = at;
	rec.nr = nr < 0 ? __NR_io_uring_enter : (__u64)nr;
	(void)record(ev, cfg, data, &rec, has && nr >= 0 ? kept : 0);
}

/* A task event, or a return with data records or of a 32-bit call: out
 * of line, so that the plain returns' path (fvx_return) does not pay for
 * their frames. */
static __attribute__((noinline)) void return_copied(const struct fvx_event *ev,
						    const struct fvx_config *cfg, void *scratch,
						    __u64 nr, __u32 flags, const __u64 shown[2])
{
	struct fvx_trace_record rec = { .nr = nr, .args = { shown[0], shown[1] }, .flags = flags };

	if ((ev->flags & FVX_RECORD_TASK) && ev->nr == FVX_TASK_IO_URING)
		uring_event(ev, cfg, scratch);
	else if ((ev->flags & FVX_RECORD_TASK) && ev->nr == FVX_TASK_IO_URING_DONE)
		uring_done_event(ev, cfg, scratch);
	else if (ev->flags & FVX_RECORD_TASK)
		task_event(ev, cfg, &((struct fvx_trace_data *)scratch)->set);
	else
		(void)record(ev, cfg, scratch, &rec, ev->call_args);
}

/* Any other return or task event (fvx_return). Out of line, with its own
 * frame. */
static __attribute__((noinline)) int return_other(const struct fvx_event *ev,
						  const struct fvx_config *cfg, void *scratch)
{
	__u64 nr = fvx_syscall_number(ev->nr);
	__u32 flags = (__u32)ev->flags & FVX_RECORD_FLAGS;
	/* The value; rt_sigreturn's also the mask it restored. */
	__u64 shown[2] = { ev->args[0], nr == __NR_rt_sigreturn && !(flags & FVX_RECORD_COMPAT)
						? ev->call_args[0]
						: 0 };

	if (!(ev->flags & FVX_RECORD_TASK) && !(flags & FVX_RECORD_COMPAT) &&
	    !fvx_capture_any(nr, flags))
		(void)record_plain(ev, cfg, scratch, nr, flags, shown, 2, 0);
	else
		return_copied(ev, cfg, scratch, nr, flags, shown);
	return FVX_ENTRY_DONE;
}

/* A 64-bit return marked FVX_RECORD_WHOLE: a quick call whose entry was
 * not recorded, whole, its first five arguments from pt_regs, its value in
 * the sixth (FVX_QUICK_VALUE). Like an entry it never takes the headroom
 * kept for the returns of calls under way: it waits for room when the
 * thread can make it again (FVX_EVENT_MAY_WAIT: the notifier's), else (a
 * return reported at a signal's delivery, a stop or an rseq abort, which
 * a sample can make as often as it likes) it is dropped, counted, as a
 * task event is, once its task is known to be selected (WAITS_OR_DROPS).
 * Out of line, with its own frame. */
static __attribute__((noinline)) int record_whole(const struct fvx_event *ev,
						  const struct fvx_config *cfg, void *scratch)
{
	__u64 nr = fvx_syscall_number(ev->nr);
	const __u64 shown[6] = { ev->call_args[0], ev->call_args[1], ev->call_args[2],
				 ev->call_args[3], ev->call_args[4], ev->args[0] };

	/* (The trampoline marks quick calls only: any other marked whole is
	 * the return it is, FVX_RECORD_WHOLE left out.) */
	if (!fvx_syscall_quick(nr))
		return return_other(ev, cfg, scratch);
	return record_plain(ev, cfg, scratch, nr, FVX_RECORD_RETURN | FVX_RECORD_WHOLE, shown, 6,
			    ev->flags & FVX_EVENT_MAY_WAIT ? WAITS : WAITS_OR_DROPS);
}

/* A return (FVX_RECORD_RETURN, with FVX_RECORD_COMPAT for a 32-bit call, or
 * FVX_RECORD_WHOLE for a quick call whose entry was not recorded), or a
 * task event (FVX_RECORD_TASK). FVX_ENTRY_RETRY for a whole call not
 * recorded (record_whole). */
int fvx_return(const struct fvx_event *ev, const struct fvx_config *cfg, void *scratch)
{
	if ((ev->flags & (FVX_RECORD_WHOLE | FVX_RECORD_TASK | FVX_RECORD_COMPAT |
			  FVX_RECORD_RETURN)) == (FVX_RECORD_WHOLE | FVX_RECORD_RETURN))
		return record_whole(ev, cfg, scratch);
	return return_other(ev, cfg, scratch);
}
