/* Unit tests for how a fast-mode trace follows processes: the follow set
 * the default analyzer keeps in its data area (follow_set.h), selection by
 * it (trace_select.h), and the analyzer's handling of task events on a
 * fake config and fake tasks (trace_task.h), hostile values included. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/types.h>

#include "fastvmix/trace.h"
#include "fastvmix/trace_select.h"
#include "fastvmix/trace_task.h"

static struct fvx_follow_set *set;

static int setup(void **state)
{
	(void)state;
	set = calloc(1, FVX_WIN_DATA_SIZE); /* the analyzer's data area, zeroed per trace */
	return set ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(set);
	return 0;
}

/* ---- the set ---- */

static void add_find_remove(void **state)
{
	assert_false(fvx_follow_contains(set, 123));
	assert_int_equal(fvx_follow_add(set, 123), FVX_FOLLOW_ADDED);
	assert_true(fvx_follow_contains(set, 123));
	assert_int_equal(fvx_follow_add(set, 123), FVX_FOLLOW_ADDED); /* once only */
	assert_int_equal(fvx_follow_add(set, 124), FVX_FOLLOW_ADDED);
	fvx_follow_remove(set, 123);
	assert_false(fvx_follow_contains(set, 123));
	assert_true(fvx_follow_contains(set, 124));
	fvx_follow_remove(set, 123); /* gone already: nothing happens */
	fvx_follow_remove(set, 999);
	assert_true(fvx_follow_contains(set, 124));
	assert_int_equal(fvx_follow_add(set, FVX_PID_LIMIT - 1), FVX_FOLLOW_ADDED);
	assert_true(fvx_follow_contains(set, FVX_PID_LIMIT - 1));
	assert_int_equal(set->full, 0);
	assert_null(memchr(set->reserved, 1, sizeof(set->reserved)));
}

/* No Linux task has tgid 0 or one at PID_MAX_LIMIT and beyond: never
 * added, never found, never counted as the set being full. */
static void impossible_tgids_are_refused(void **state)
{
	static const __u64 bad[] = { 0,		 FVX_PID_LIMIT,	 FVX_FOLLOW_GONE,
				     1ULL << 32, 1ULL << 32 | 5, ~0ULL };
	size_t i, j;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(fvx_follow_add(set, bad[i]), FVX_FOLLOW_INVALID);
		assert_false(fvx_follow_contains(set, bad[i]));
		fvx_follow_remove(set, bad[i]);
	}
	assert_int_equal(set->full, 0);
	for (j = 0; j < FVX_FOLLOW_SLOTS; j++)
		assert_int_equal(set->slot[j], FVX_FOLLOW_EMPTY);
	assert_false(fvx_follow_contains(set, 5)); /* 1 << 32 | 5 is not 5 */
	assert_false(fvx_follow_contains(NULL, 5));
}

/* n tgids whose probe sequences all start at the same slot. */
static void colliding(__u32 *out, unsigned int n)
{
	__u32 t, home = fvx_follow_index(set, 1000, 0);
	unsigned int k = 0;

	for (t = 1; t < FVX_PID_LIMIT && k < n; t++)
		if (fvx_follow_index(set, t, 0) == home)
			out[k++] = t;
	assert_int_equal(k, n);
}

/* 64 processes in one probe sequence: the 65th finds no slot, is counted,
 * and is not added; a removed one's slot is taken again, and lookups go
 * on past removed slots. */
static void a_full_sequence_is_counted(void **state)
{
	__u32 t[FVX_FOLLOW_PROBES + 2];
	unsigned int i;

	colliding(t, FVX_FOLLOW_PROBES + 2);
	for (i = 0; i < FVX_FOLLOW_PROBES; i++)
		assert_int_equal(fvx_follow_add(set, t[i]), FVX_FOLLOW_ADDED);
	assert_int_equal(fvx_follow_add(set, t[FVX_FOLLOW_PROBES]), FVX_FOLLOW_FULL);
	assert_int_equal(set->full, 1);
	assert_false(fvx_follow_contains(set, t[FVX_FOLLOW_PROBES]));
	for (i = 0; i < FVX_FOLLOW_PROBES; i++)
		assert_true(fvx_follow_contains(set, t[i]));
	fvx_follow_remove(set, t[3]);
	assert_true(fvx_follow_contains(set, t[FVX_FOLLOW_PROBES - 1])); /* past the hole */
	assert_int_equal(fvx_follow_add(set, t[FVX_FOLLOW_PROBES + 1]), FVX_FOLLOW_ADDED);
	assert_int_equal(set->slot[fvx_follow_index(set, t[0], 3)], t[FVX_FOLLOW_PROBES + 1]);
	assert_int_equal(fvx_follow_add(set, t[FVX_FOLLOW_PROBES]), FVX_FOLLOW_FULL);
	assert_int_equal(set->full, 2);
	/* One already there beyond a hole is found, not added twice. */
	fvx_follow_remove(set, t[0]);
	assert_int_equal(fvx_follow_add(set, t[10]), FVX_FOLLOW_ADDED);
	assert_int_equal(set->slot[fvx_follow_index(set, t[0], 0)], FVX_FOLLOW_GONE);
}

/* The key a trace draws moves every tgid's probe sequence: children a
 * sample found to share a home slot under one key (as it can find them
 * when it knows the hash) are spread under another. */
static void the_key_moves_the_slots(void **state)
{
	__u32 t[FVX_FOLLOW_PROBES + 2], home;
	unsigned int i, same = 0;

	colliding(t, FVX_FOLLOW_PROBES + 2);
	set->key = fvx_follow_key(0x5eed5eed5eed5eedULL, 123456789);
	assert_int_not_equal(set->key, 0);
	assert_int_not_equal(set->key, fvx_follow_key(0x5eed5eed5eed5eedULL, 123456790));
	home = fvx_follow_index(set, t[0], 0);
	for (i = 1; i < FVX_FOLLOW_PROBES + 2; i++)
		same += fvx_follow_index(set, t[i], 0) == home;
	assert_true(same < 4);
	for (i = 0; i < FVX_FOLLOW_PROBES + 2; i++)
		assert_int_equal(fvx_follow_add(set, t[i]), FVX_FOLLOW_ADDED);
	assert_int_equal(set->full, 0);
}

/* A process's whole life, many times over: removed slots are reused and
 * the set does not fill up with them. */
static void churn_does_not_fill_the_set(void **state)
{
	__u32 round, t;

	for (round = 0; round < 50; round++) {
		for (t = 1; t <= 3000; t++)
			assert_int_equal(fvx_follow_add(set, round * 3000 + t), FVX_FOLLOW_ADDED);
		for (t = 1; t <= 3000; t++)
			assert_true(fvx_follow_contains(set, round * 3000 + t));
		for (t = 1; t <= 3000; t++)
			fvx_follow_remove(set, round * 3000 + t);
		assert_false(fvx_follow_contains(set, round * 3000 + 1500));
	}
	assert_int_equal(set->full, 0);
}

/* The same tgid twice (two CPUs adding it at once, which only forged
 * events do): removing it removes both. */
static void remove_takes_every_copy(void **state)
{
	set->slot[fvx_follow_index(set, 77, 0)] = FVX_FOLLOW_GONE;
	set->slot[fvx_follow_index(set, 77, 1)] = 77;
	set->slot[fvx_follow_index(set, 77, 2)] = 77;
	assert_true(fvx_follow_contains(set, 77));
	fvx_follow_remove(set, 77);
	assert_false(fvx_follow_contains(set, 77));
	assert_int_equal(set->slot[fvx_follow_index(set, 77, 2)], FVX_FOLLOW_GONE);
}

/* Whatever the slots hold, every operation ends after its probes. */
static void garbage_slots_stay_bounded(void **state)
{
	unsigned int seed = 7, i;

	for (i = 0; i < FVX_FOLLOW_SLOTS; i++)
		set->slot[i] = rand_r(&seed) | 1; /* never EMPTY */
	for (i = 1; i < 2000; i++) {
		int r = fvx_follow_add(set, i);

		assert_true(r == FVX_FOLLOW_ADDED || r == FVX_FOLLOW_FULL);
		fvx_follow_remove(set, i);
		(void)fvx_follow_contains(set, i + 1);
	}
	assert_true(set->full > 0);
}

/* Two CPUs at once: each churns its own processes while the other's
 * long-lived ones must be found at every moment. */
struct churner {
	__u32 base;
	unsigned int misses;
};

static void *churn(void *arg)
{
	struct churner *c = arg;
	__u32 round, t, other = c->base == 100000 ? 200000 : 100000;

	for (round = 0; round < 200; round++) {
		for (t = 1; t <= 500; t++)
			if (fvx_follow_add(set, c->base + 1000 + t) != FVX_FOLLOW_ADDED)
				c->misses++;
		for (t = 0; t < 50; t++)
			if (!fvx_follow_contains(set, other + t) ||
			    !fvx_follow_contains(set, c->base + t))
				c->misses++;
		for (t = 1; t <= 500; t++)
			fvx_follow_remove(set, c->base + 1000 + t);
	}
	return NULL;
}

static void concurrent_adds_and_removes(void **state)
{
	struct churner a = { .base = 100000 }, b = { .base = 200000 };
	pthread_t ta, tb;
	__u32 t;

	for (t = 0; t < 50; t++) {
		assert_int_equal(fvx_follow_add(set, a.base + t), FVX_FOLLOW_ADDED);
		assert_int_equal(fvx_follow_add(set, b.base + t), FVX_FOLLOW_ADDED);
	}
	assert_int_equal(pthread_create(&ta, NULL, churn, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, churn, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.misses + b.misses, 0);
	for (t = 1; t <= 500; t++) {
		assert_false(fvx_follow_contains(set, a.base + 1000 + t));
		assert_false(fvx_follow_contains(set, b.base + 1000 + t));
	}
	assert_int_equal(set->full, 0);
}

/* ---- the analyzer's task events ---- */

/* Fake guest tasks: task i at tasks[i], with the layout below. */
#define PID_OFF 0x10
#define TGID_OFF 0x14
#define PARENT_OFF 0x20
#define TASKS 300
static __u8 tasks[TASKS][64];

static __u64 task_at(unsigned int i)
{
	return (__u64)(uintptr_t)tasks[i];
}

static void make_task(unsigned int i, __u32 pid, __u32 tgid, unsigned int parent)
{
	__u64 p = task_at(parent);

	memcpy(tasks[i] + PID_OFF, &pid, 4);
	memcpy(tasks[i] + TGID_OFF, &tgid, 4);
	memcpy(tasks[i] + PARENT_OFF, &p, 8);
}

/* Reads only the fake tasks: anything else fails the test. */
static int fake_read(void *ctx, __u64 address, __u64 *value)
{
	(void)ctx;
	if (address < task_at(0) || address + 8 > task_at(TASKS))
		fail_msg("read of %#llx outside the tasks", (unsigned long long)address);
	memcpy(value, (const void *)(uintptr_t)address, 8);
	return 1;
}

static struct fvx_config cfg = {
	.task = { .pid = PID_OFF, .tgid = TGID_OFF, .real_parent = PARENT_OFF },
	.filter = { .target_tgid = 100, .follow_children = 1 },
};

/* The analyzer's answer to task event nr(args) in the context of task
 * `current`: 1 and the record, or 0. */
static int event(__u64 nr, unsigned int current, __u64 a0, __u64 a1, __u64 a2,
		 struct fvx_trace_record *rec)
{
	struct fvx_event ev = { .nr = nr, .args = { a0, a1, a2 }, .flags = FVX_RECORD_TASK };

	memcpy(ev.call_args, ev.args, sizeof(ev.args));
	return fvx_task_event(&cfg, set, &ev, task_at(current), fake_read, NULL, rec);
}

static int selected(unsigned int i)
{
	__u32 pid, tgid;

	return fvx_task_selected_in(&cfg, set, task_at(i), fake_read, NULL, &pid, &tgid);
}

/* init (task 0, pid 1); the target 100 (task 1); an unrelated process 500
 * (task 2), all children of init. */
static int tasks_setup(void **state)
{
	memset(tasks, 0, sizeof(tasks));
	make_task(0, 1, 1, 0);
	make_task(1, 100, 100, 0);
	make_task(2, 500, 500, 0);
	cfg.filter.target_tgid = 100;
	cfg.filter.follow_children = 1;
	return setup(state);
}

static void fork_follows_children_wherever_they_go(void **state)
{
	struct fvx_trace_record rec;

	/* The target makes 101 (task 3): followed, even once init adopts it
	 * (its parent exited: a double fork) or CLONE_PARENT made it init's. */
	make_task(3, 101, 101, 0);
	assert_false(selected(3));
	assert_int_equal(event(FVX_TASK_FORK, 1, task_at(3), 101, 101, &rec), 0);
	assert_true(fvx_follow_contains(set, 101));
	assert_true(selected(3));
	/* 101 makes 102 (task 4), 102 makes a thread 103 of its own. */
	make_task(4, 102, 102, 0);
	assert_int_equal(event(FVX_TASK_FORK, 3, task_at(4), 102, 102, &rec), 0);
	make_task(5, 103, 102, 0);
	assert_int_equal(event(FVX_TASK_FORK, 4, task_at(5), 103, 102, &rec), 0);
	assert_true(selected(4) && selected(5));
	assert_false(fvx_follow_contains(set, 103));
	/* A thread of the target itself: nothing to add. */
	assert_int_equal(event(FVX_TASK_FORK, 1, 0, 104, 100, &rec), 0);
	assert_false(fvx_follow_contains(set, 100));
	/* Someone else's child is not followed. */
	assert_int_equal(event(FVX_TASK_FORK, 2, 0, 501, 501, &rec), 0);
	assert_false(fvx_follow_contains(set, 501));
	assert_int_equal(set->full, 0);
}

/* Without -f, or tracing everyone, forks change nothing. */
static void fork_without_follow_adds_nothing(void **state)
{
	struct fvx_trace_record rec;

	cfg.filter.follow_children = 0;
	assert_int_equal(event(FVX_TASK_FORK, 1, 0, 101, 101, &rec), 0);
	cfg.filter.follow_children = 1;
	cfg.filter.target_tgid = 0;
	assert_int_equal(event(FVX_TASK_FORK, 1, 0, 101, 101, &rec), 0);
	assert_false(fvx_follow_contains(set, 101));
}

/* A fork chain 200 deep: the last one is followed, though its ancestors
 * are far more than the 64 real_parent links selection used to walk. */
static void a_deep_fork_chain_is_followed(void **state)
{
	struct fvx_trace_record rec;
	__u32 pid, tgid;
	unsigned int i;

	for (i = 3; i < 203; i++) {
		make_task(i, 1000 + i, 1000 + i, i == 3 ? 1 : i - 1);
		assert_int_equal(
			event(FVX_TASK_FORK, i == 3 ? 1 : i - 1, 0, 1000 + i, 1000 + i, &rec), 0);
	}
	assert_true(selected(202));
	/* The walk alone (exit mode) does not reach the target. */
	assert_false(fvx_task_selected(&cfg, task_at(202), fake_read, NULL, &pid, &tgid));
}

/* A process's end: a record for each selected thread; its last thread
 * takes it out of the set, so a process that gets its pid is not traced. */
static void exit_records_and_forgets(void **state)
{
	struct fvx_trace_record rec;

	make_task(3, 101, 101, 1);
	make_task(4, 102, 101, 1);
	assert_int_equal(event(FVX_TASK_FORK, 1, 0, 101, 101, &rec), 0);
	assert_int_equal(event(FVX_TASK_EXIT, 4, 0x300, 0, 0, &rec), 1); /* a thread */
	assert_int_equal(rec.nr, FVX_TASK_EXIT);
	assert_int_equal(rec.flags, FVX_RECORD_TASK);
	assert_int_equal(rec.pid, 102);
	assert_int_equal(rec.tgid, 101);
	assert_int_equal(rec.args[0], 0x300);
	assert_int_equal(rec.args[1], 0);
	assert_true(fvx_follow_contains(set, 101));
	assert_int_equal(event(FVX_TASK_EXIT, 3, 9, 7, 0, &rec), 1); /* killed, the last */
	assert_int_equal(rec.pid, 101);
	assert_int_equal(rec.args[0], 9);
	assert_int_equal(rec.args[1], 1);
	assert_false(fvx_follow_contains(set, 101));
	make_task(3, 101, 101, 2); /* the pid again, someone else's child */
	assert_false(selected(3));
	assert_int_equal(event(FVX_TASK_EXIT, 3, 0, 1, 0, &rec), 0);
	assert_int_equal(event(FVX_TASK_EXIT, 2, 0, 1, 0, &rec), 0); /* never traced */
	assert_int_equal(event(FVX_TASK_EXIT, 1, 0x700, 1, 0, &rec), 1); /* the target */
	assert_int_equal(rec.pid, 100);
}

/* A full set: the child that found no slot is reported (a FORK record) and
 * selection walks real_parent from then on, so it is still traced while
 * its parent chain leads to a followed process. */
static void a_full_set_is_reported_and_walked(void **state)
{
	struct fvx_trace_record rec;
	__u32 t[FVX_FOLLOW_PROBES + 1];
	unsigned int i;

	colliding(t, FVX_FOLLOW_PROBES + 1);
	for (i = 0; i < FVX_FOLLOW_PROBES; i++)
		assert_int_equal(fvx_follow_add(set, t[i]), FVX_FOLLOW_ADDED);
	make_task(3, t[FVX_FOLLOW_PROBES], t[FVX_FOLLOW_PROBES], 1);
	assert_int_equal(
		event(FVX_TASK_FORK, 1, 0, t[FVX_FOLLOW_PROBES], t[FVX_FOLLOW_PROBES], &rec), 1);
	assert_int_equal(rec.nr, FVX_TASK_FORK);
	assert_int_equal(rec.flags, FVX_RECORD_TASK);
	assert_int_equal(rec.pid, t[FVX_FOLLOW_PROBES]);
	assert_int_equal(rec.tgid, t[FVX_FOLLOW_PROBES]);
	assert_int_equal(rec.args[0], 100);
	assert_int_equal(rec.args[1], 100);
	assert_int_equal(set->full, 1);
	assert_true(selected(3)); /* by the walk */
	make_task(4, 600, 600, 3); /* and its children */
	assert_true(selected(4));
	assert_false(selected(2));
}

/* Signals: for the current task (taken) or another (sent and discarded),
 * recorded for a selected process with the event's values as they are. */
static void signals_of_selected_tasks_are_recorded(void **state)
{
	struct fvx_trace_record rec;
	struct fvx_event ev = { .nr = FVX_TASK_SIGNAL,
				.args = { 100 | 100ULL << 32, fvx_signal_pack(10, 0, 0),
					  7 | 0ULL << 32, 0, 0, 0 } };
	static const __u64 bad_ids[] = { 0,
					 100,
					 100ULL << 32,
					 100 | (__u64)FVX_PID_LIMIT << 32,
					 FVX_PID_LIMIT | 100ULL << 32,
					 ~0ULL };
	size_t i;

	assert_int_equal(fvx_task_event(&cfg, set, &ev, task_at(1), fake_read, NULL, &rec), 1);
	assert_int_equal(rec.nr, FVX_TASK_SIGNAL);
	assert_int_equal(rec.pid, 100);
	assert_int_equal(rec.tgid, 100);
	assert_memory_equal(rec.args, ev.args, sizeof(rec.args));
	/* SIGCHLD for the target, sent by an unrelated task 500. */
	ev.args[1] = fvx_signal_pack(17, 1, 0);
	assert_int_equal(fvx_task_event(&cfg, set, &ev, task_at(2), fake_read, NULL, &rec), 1);
	assert_int_equal(rec.pid, 100);
	/* To 500: not selected, whoever sends it. */
	ev.args[0] = 500 | 500ULL << 32;
	assert_int_equal(fvx_task_event(&cfg, set, &ev, task_at(1), fake_read, NULL, &rec), 0);
	assert_int_equal(fvx_task_event(&cfg, set, &ev, task_at(2), fake_read, NULL, &rec), 0);
	/* Hostile values: no such task, no such signal. */
	for (i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		ev.args[0] = bad_ids[i];
		assert_int_equal(fvx_task_event(&cfg, set, &ev, task_at(1), fake_read, NULL, &rec),
				 0);
	}
	ev.args[0] = 100 | 100ULL << 32;
	ev.args[1] = fvx_signal_pack(0, 0, 0);
	assert_int_equal(fvx_task_event(&cfg, set, &ev, task_at(1), fake_read, NULL, &rec), 0);
	ev.args[1] = fvx_signal_pack(65, 0, 0);
	assert_int_equal(fvx_task_event(&cfg, set, &ev, task_at(1), fake_read, NULL, &rec), 0);
	ev.args[1] = fvx_signal_pack(64, -6, 0xffff);
	assert_int_equal(fvx_task_event(&cfg, set, &ev, task_at(1), fake_read, NULL, &rec), 1);
	assert_int_equal(fvx_signal_number(rec.args[1]), 64);
	assert_int_equal(fvx_signal_code(rec.args[1]), -6);
	assert_int_equal(fvx_signal_errno(rec.args[1]), 0xffff);
}

/* Events that are none of the three, or forks of impossible children:
 * nothing recorded, nothing added. */
static void hostile_events_change_nothing(void **state)
{
	static const __u64 nrs[] = { 0, 4, 60, 231, 1ULL << 32 | FVX_TASK_EXIT, ~0ULL };
	struct fvx_trace_record rec;
	size_t i;

	for (i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
		assert_int_equal(event(nrs[i], 1, 1, 1, 101, &rec), 0);
	assert_int_equal(event(FVX_TASK_FORK, 1, 0, 0, 0, &rec), 0);
	assert_int_equal(event(FVX_TASK_FORK, 1, 0, 5, FVX_PID_LIMIT, &rec), 0);
	assert_int_equal(event(FVX_TASK_FORK, 1, 0, 5, 1ULL << 32 | 101, &rec), 0);
	assert_false(fvx_follow_contains(set, 101));
	assert_int_equal(set->full, 0);
	for (i = 0; i < FVX_FOLLOW_SLOTS; i++)
		assert_int_equal(set->slot[i], FVX_FOLLOW_EMPTY);
	/* An exit whose values are garbage is still the current task's. */
	assert_int_equal(event(FVX_TASK_EXIT, 1, ~0ULL, 0x1234, 0, &rec), 1);
	assert_int_equal(rec.args[1], 1);
}

/* Exit mode's selection is the walk alone, up to 64 links, as before. */
static void exit_mode_selection_walks(void **state)
{
	__u32 pid, tgid;
	unsigned int i;

	for (i = 3; i < 203; i++)
		make_task(i, 1000 + i, 1000 + i, i - 1);
	make_task(3, 1003, 1003, 1);
	assert_true(fvx_task_selected(&cfg, task_at(3), fake_read, NULL, &pid, &tgid));
	assert_int_equal(pid, 1003);
	assert_true(fvx_task_selected(&cfg, task_at(66), fake_read, NULL, &pid, &tgid));
	assert_false(fvx_task_selected(&cfg, task_at(67), fake_read, NULL, &pid, &tgid));
	assert_false(fvx_task_selected(&cfg, task_at(2), fake_read, NULL, &pid, &tgid));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(add_find_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(impossible_tgids_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(the_key_moves_the_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(a_full_sequence_is_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(churn_does_not_fill_the_set, setup, teardown),
		cmocka_unit_test_setup_teardown(remove_takes_every_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(garbage_slots_stay_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(concurrent_adds_and_removes, setup, teardown),
		cmocka_unit_test_setup_teardown(fork_follows_children_wherever_they_go, tasks_setup,
						teardown),
		cmocka_unit_test_setup_teardown(fork_without_follow_adds_nothing, tasks_setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_deep_fork_chain_is_followed, tasks_setup,
						teardown),
		cmocka_unit_test_setup_teardown(exit_records_and_forgets, tasks_setup, teardown),
		cmocka_unit_test_setup_teardown(a_full_set_is_reported_and_walked, tasks_setup,
						teardown),
		cmocka_unit_test_setup_teardown(signals_of_selected_tasks_are_recorded, tasks_setup,
						teardown),
		cmocka_unit_test_setup_teardown(hostile_events_change_nothing, tasks_setup,
						teardown),
		cmocka_unit_test_setup_teardown(exit_mode_selection_walks, tasks_setup, teardown),
	};

	return cmocka_run_group_tests_name("follow", tests, NULL, NULL);
}
