/* The trace ring protocol, shared by the analyzer (fast mode) and the
 * hypervisor (exit mode): who is traced, and appending one record. One
 * producer per CPU (interrupts are off), one consumer; the tail comes from
 * guest memory and is not trusted. Include trace.h first. */
#ifndef FASTVMIX_TRACE_EMIT_H
#define FASTVMIX_TRACE_EMIT_H

static inline int fvx_syscall_selected(const struct fvx_config *c, __u64 nr)
{
	return nr < 512 && (c->syscalls[nr / 64] >> (nr % 64)) & 1;
}

/* read(ctx, address, &value) reads guest kernel memory; 0 on failure. */
typedef int (*fvx_read64_fn)(void *ctx, __u64 address, __u64 *value);

/* Whether the task at `task` is traced; its ids go to pid and tgid. */
static inline int fvx_task_selected(const struct fvx_config *c, __u64 task, fvx_read64_fn read,
				    void *ctx, __u32 *pid, __u32 *tgid)
{
	__u64 v, t = task;
	int depth;

	if (!read(ctx, task + c->task_pid, &v))
		return 0;
	*pid = (__u32)v; /* pid and tgid are adjacent 32-bit fields */
	if (!read(ctx, task + c->task_tgid, &v))
		return 0;
	*tgid = (__u32)v;
	if (!c->target_tgid || *tgid == c->target_tgid)
		return 1;
	if (!c->follow_children)
		return 0;
	for (depth = 0; depth < 64; depth++) {
		if (!read(ctx, t + c->task_real_parent, &t) || !read(ctx, t + c->task_tgid, &v))
			return 0;
		if ((__u32)v == c->target_tgid)
			return 1;
		if ((__u32)v <= 1)
			return 0; /* reached init */
	}
	return 0;
}

static inline void fvx_ring_push(struct fvx_ring_header *h, const volatile __u64 *tail,
				 const struct fvx_trace_record *r)
{
	struct fvx_trace_record *slot;
	__u64 head = h->head;

	if (head - *tail >= h->capacity) {
		h->dropped++; /* full, or a corrupt tail: never half a record */
		return;
	}
	slot = (struct fvx_trace_record *)((char *)h + FVX_RING_RECORDS) +
	       (head & (h->capacity - 1));
	*slot = *r;
	slot->seq = head + 1;
	__asm__ __volatile__("" ::: "memory"); /* x86 stores stay in order */
	h->head = head + 1;
}

#endif
