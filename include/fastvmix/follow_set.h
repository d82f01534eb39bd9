/* The processes a fast-mode trace follows besides its target (-f): the
 * default analyzer keeps their tgids in its data area (the `scratch` of
 * analyzer.h, FVX_WIN_DATA), which the hypervisor zeroes when a trace
 * starts. A child is added when a selected task makes it (FVX_TASK_FORK,
 * before the child first runs), whoever its parent is by then (clone with
 * CLONE_PARENT, a child reparented to init, any depth); it is removed when
 * its last thread ends (FVX_TASK_EXIT), before Linux can give its pid to
 * another process. Threads share their process's tgid: nothing to add.
 *
 * An open-addressing hash table shared by every CPU, with interrupts off
 * and no lock: slots change only by compare-and-swap, EMPTY -> tgid,
 * tgid -> GONE and GONE -> tgid, never back to EMPTY, so a lookup may stop
 * at the first EMPTY slot. Every operation looks at FVX_FOLLOW_PROBES
 * slots at most. A child that finds none of them free is counted in
 * `full`; from then on selection also walks each task's real_parent chain
 * (trace_select.h), as exit mode does, so that only a child reparented
 * away from every followed process can escape, and the analyzer reports
 * each such child (a FVX_TASK_FORK record, which fastvmix trace counts).
 * Nothing here trusts a value: a tgid that no Linux task can have is
 * never added. Include <linux/types.h> or hypervisor/types.h first. */
#ifndef FASTVMIX_FOLLOW_SET_H
#define FASTVMIX_FOLLOW_SET_H

#define FVX_FOLLOW_SLOTS 8192 /* a power of two */
#define FVX_FOLLOW_PROBES 64
#define FVX_FOLLOW_EMPTY 0u
#define FVX_FOLLOW_GONE 0xffffffffu /* removed: lookups go on past it, adds reuse it */
/* Linux's PID_MAX_LIMIT on 64-bit: every pid and tgid is below it. */
#define FVX_PID_LIMIT (1u << 22)

struct fvx_follow_set {
	__u32 full; /* children that found no free slot: see above */
	/* The hash's key, which the hypervisor draws when a trace starts
	 * (fvx_follow_key): pids are handed out in order and a sample knows
	 * them, so with a fixed hash it could keep children alive in one
	 * probe sequence and fill a later child's slots on purpose. */
	__u32 key;
	__u32 reserved[14];
	__u32 slot[FVX_FOLLOW_SLOTS];
};

/* What fvx_follow_add did. */
#define FVX_FOLLOW_ADDED 0 /* or it was there already */
#define FVX_FOLLOW_INVALID 1 /* not a tgid: nothing done */
#define FVX_FOLLOW_FULL 2 /* no free slot: counted in `full` */

static inline int fvx_follow_valid(__u64 tgid)
{
	return tgid && tgid < FVX_PID_LIMIT;
}

/* A trace's key, from a secret of the hypervisor's (the unload key, which
 * neither the guest nor its ring 0 can read) and the TSC: mixed so that
 * neither shows through. */
static inline __u32 fvx_follow_key(__u64 secret, __u64 tsc)
{
	return (__u32)(((secret ^ tsc) * 0x9e3779b97f4a7c15ULL) >> 32);
}

/* The i-th slot of tgid's probe sequence in s: Fibonacci hashing of the
 * tgid under s's key into 2^13 slots (consecutive pids land far apart),
 * then the next ones. */
static inline __u32 fvx_follow_index(const struct fvx_follow_set *s, __u64 tgid, __u32 i)
{
	return ((((__u32)tgid ^ s->key) * 0x9e3779b1u >> 19) + i) & (FVX_FOLLOW_SLOTS - 1);
}
_Static_assert(FVX_FOLLOW_SLOTS == 1u << (32 - 19), "the hash covers the slots");

static inline __u32 fvx_follow_load(const __u32 *slot)
{
	return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

static inline int fvx_follow_contains(const struct fvx_follow_set *s, __u64 tgid)
{
	__u32 i, v;

	if (!s || !fvx_follow_valid(tgid))
		return 0;
	for (i = 0; i < FVX_FOLLOW_PROBES; i++) {
		v = fvx_follow_load(&s->slot[fvx_follow_index(s, tgid, i)]);
		if (v == tgid)
			return 1;
		if (v == FVX_FOLLOW_EMPTY)
			return 0;
	}
	return 0;
}

/* Adds tgid in the first free slot of its probe sequence, unless it is
 * there already. A slot another CPU takes meanwhile is looked at again:
 * at most twice FVX_FOLLOW_PROBES compare-and-swaps in all. */
static inline int fvx_follow_add(struct fvx_follow_set *s, __u64 tgid)
{
	__u32 i = 0, tries = 0, v, *slot;

	if (!fvx_follow_valid(tgid))
		return FVX_FOLLOW_INVALID;
	if (fvx_follow_contains(s, tgid))
		return FVX_FOLLOW_ADDED;
	while (i < FVX_FOLLOW_PROBES && tries < 2 * FVX_FOLLOW_PROBES) {
		slot = &s->slot[fvx_follow_index(s, tgid, i)];
		v = fvx_follow_load(slot);
		if (v == tgid)
			return FVX_FOLLOW_ADDED;
		if (v != FVX_FOLLOW_EMPTY && v != FVX_FOLLOW_GONE) {
			i++;
			continue;
		}
		tries++;
		if (__atomic_compare_exchange_n(slot, &v, (__u32)tgid, 0, __ATOMIC_SEQ_CST,
						__ATOMIC_ACQUIRE))
			return FVX_FOLLOW_ADDED;
	}
	__atomic_add_fetch(&s->full, 1, __ATOMIC_SEQ_CST);
	return FVX_FOLLOW_FULL;
}

/* Removes every copy of tgid (two CPUs adding the same tgid at once, which
 * only a forged event does, may leave two). */
static inline void fvx_follow_remove(struct fvx_follow_set *s, __u64 tgid)
{
	__u32 i, v, *slot;

	if (!fvx_follow_valid(tgid))
		return;
	for (i = 0; i < FVX_FOLLOW_PROBES; i++) {
		slot = &s->slot[fvx_follow_index(s, tgid, i)];
		v = fvx_follow_load(slot);
		if (v == FVX_FOLLOW_EMPTY)
			return;
		if (v == tgid)
			__atomic_compare_exchange_n(slot, &v, FVX_FOLLOW_GONE, 0, __ATOMIC_SEQ_CST,
						    __ATOMIC_ACQUIRE);
	}
}

#endif
