/* Who is traced: the selection the analyzer (fast mode) and the hypervisor
 * (exit mode) both apply before they append a record (ring.h). Include
 * trace.h first. */
#ifndef FASTVMIX_TRACE_SELECT_H
#define FASTVMIX_TRACE_SELECT_H

#include "follow_set.h"

/* The system call a 64-bit SYSCALL asks for, read as Linux reads it:
 * entry_SYSCALL_64 passes EAX as an int and do_syscall_64 compares it as
 * unsigned, so RAX's upper half is ignored. */
static inline __u64 fvx_syscall_number(__u64 rax)
{
	return (__u32)rax;
}

static inline int fvx_syscall_selected(const struct fvx_config *c, __u64 nr)
{
	return nr < 512 && (c->filter.syscalls[nr / 64] >> (nr % 64)) & 1;
}

/* read(ctx, address, &value) reads guest kernel memory; 0 on failure. */
typedef int (*fvx_read64_fn)(void *ctx, __u64 address, __u64 *value);

/* Whether a process is one the trace selects by its tgid: everyone's when
 * there is no target, the target's, or (-f, fast mode) one the follow set
 * holds (follow_set.h; NULL: none). */
static inline int fvx_tgid_selected(const struct fvx_config *c, const struct fvx_follow_set *set,
				    __u64 tgid)
{
	return !c->filter.target_tgid || tgid == c->filter.target_tgid ||
	       (c->filter.follow_children && fvx_follow_contains(set, tgid));
}

/* Whether an ancestor of the task at t, up to 64 real_parent links
 * away, is selected by its tgid (fvx_task_selected_in). */
static __attribute__((noinline, unused)) int
fvx_task_ancestor_selected(const struct fvx_config *c, const struct fvx_follow_set *set, __u64 t,
			   fvx_read64_fn read, void *ctx)
{
	__u64 v;
	int depth;

	for (depth = 0; depth < 64; depth++) {
		if (!read(ctx, t + c->task.real_parent, &t) || !read(ctx, t + c->task.tgid, &v))
			return 0;
		if (fvx_tgid_selected(c, set, (__u32)v))
			return 1;
		if ((__u32)v <= 1)
			return 0; /* reached init */
	}
	return 0;
}

/* Whether the task at `task` is traced; its ids go to pid and tgid. With
 * -f, by its tgid when the follow set has room for every child (fast
 * mode); else (exit mode, set NULL, which gets no task events, or a set
 * that was full once) also when one of its ancestors is selected by its
 * tgid, up to 64 real_parent links: a process reparented away from every
 * selected one (to init, or by CLONE_PARENT) or deeper is not.
 * In line (every traced call's entry and return ask), the walk out of
 * line. */
static inline __attribute__((always_inline)) int
fvx_task_selected_in(const struct fvx_config *c, const struct fvx_follow_set *set, __u64 task,
		     fvx_read64_fn read, void *ctx, __u32 *pid, __u32 *tgid)
{
	__u64 v;

	/* 8-byte reads of 4-byte fields: the low half is the field. */
	if (!read(ctx, task + c->task.pid, &v))
		return 0;
	*pid = (__u32)v;
	if (!read(ctx, task + c->task.tgid, &v))
		return 0;
	*tgid = (__u32)v;
	if (fvx_tgid_selected(c, set, *tgid))
		return 1;
	if (!c->filter.follow_children || (set && !__atomic_load_n(&set->full, __ATOMIC_RELAXED)))
		return 0;
	return fvx_task_ancestor_selected(c, set, task, read, ctx);
}

/* Exit mode's selection: the real_parent walk alone. */
static inline int fvx_task_selected(const struct fvx_config *c, __u64 task, fvx_read64_fn read,
				    void *ctx, __u32 *pid, __u32 *tgid)
{
	return fvx_task_selected_in(c, 0, task, read, ctx, pid, tgid);
}

#endif
