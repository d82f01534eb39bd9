/* Unit tests for draining the trace rings (cli/drain.c): fake rings in
 * memory, filled with the producers' own fvx_ring_push. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"

#define CPUS 2
#define CAPACITY 8
#define RING_BYTES (FVX_RING_RECORDS + CAPACITY * sizeof(struct fvx_trace_record))

struct fake {
	struct device_rings rings;
	struct drain drain;
	uint64_t tsc;
};

static struct fvx_ring_header *ring(struct fake *f, unsigned int cpu)
{
	return fvx_ring_at(f->rings.rings, RING_BYTES, cpu);
}

static void push(struct fake *f, unsigned int cpu, uint64_t nr)
{
	struct fvx_trace_record r = { .tsc = ++f->tsc, .nr = nr, .cpu = cpu, .pid = 100 + cpu };

	fvx_ring_push(ring(f, cpu), CAPACITY, &f->rings.consumer[cpu].tail, &r);
}

static void push_at(struct fake *f, unsigned int cpu, uint64_t nr, uint64_t tsc)
{
	struct fvx_trace_record r = { .tsc = tsc, .nr = nr, .cpu = cpu, .pid = 100 + cpu };

	fvx_ring_push(ring(f, cpu), CAPACITY, &f->rings.consumer[cpu].tail, &r);
}

static void assert_time_order(const struct fvx_trace_record *r, int64_t n)
{
	int64_t i;

	for (i = 1; i < n; i++)
		assert_true(r[i - 1].tsc < r[i].tsc ||
			    (r[i - 1].tsc == r[i].tsc &&
			     (r[i - 1].cpu < r[i].cpu ||
			      (r[i - 1].cpu == r[i].cpu && r[i - 1].seq < r[i].seq))));
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	unsigned int cpu;

	assert_non_null(f);
	f->rings.geometry = (struct fvx_geometry){ .ring_bytes = RING_BYTES,
						   .cpu_count = CPUS,
						   .record_size = sizeof(struct fvx_trace_record) };
	f->rings.rings = calloc(CPUS, RING_BYTES);
	f->rings.consumer = calloc(1, FVX_CONSUMER_BYTES);
	assert_non_null(f->rings.rings);
	assert_non_null(f->rings.consumer);
	for (cpu = 0; cpu < CPUS; cpu++) {
		fvx_ring_init(ring(f, cpu), RING_BYTES);
		assert_int_equal(ring(f, cpu)->capacity, CAPACITY);
	}
	assert_int_equal(drain_init(&f->drain, &f->rings, 64), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;

	drain_free(&f->drain);
	assert_null(f->drain.batch);
	free(f->rings.rings);
	free(f->rings.consumer);
	free(f);
	return 0;
}

static void empty_rings_give_nothing(void **state)
{
	struct fake *f = *state;

	assert_int_equal(drain_batch(&f->drain), 0);
	assert_int_equal(drain_dropped(&f->drain), 0);
}

static void records_of_all_cpus_in_time_order(void **state)
{
	struct fake *f = *state;
	int i;

	push(f, 1, 10);
	push(f, 0, 11);
	push(f, 1, 12);
	push(f, 0, 13);
	assert_int_equal(drain_batch(&f->drain), 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(f->drain.batch[i].nr, 10 + i);
		assert_int_equal(f->drain.batch[i].tsc, i + 1);
	}
	assert_int_equal(f->drain.batch[0].seq, 1); /* cpu 1's first */
	assert_int_equal(f->drain.batch[3].seq, 2); /* cpu 0's second */
	assert_int_equal(f->rings.consumer[0].tail, 2);
	assert_int_equal(f->rings.consumer[1].tail, 2);
	assert_int_equal(drain_batch(&f->drain), 0);
}

/* Data records share their owner's TSC: equal times keep each CPU's ring
 * order (qsort alone is not stable), CPU by CPU. */
static void equal_times_keep_ring_order(void **state)
{
	struct fake *f = *state;
	int i;

	for (i = 0; i < 6; i++) {
		f->tsc = 7 - 1; /* every record at TSC 7 */
		push(f, (unsigned int)(i % 2), 20 + i);
	}
	assert_int_equal(drain_batch(&f->drain), 6);
	for (i = 0; i < 3; i++) {
		assert_int_equal(f->drain.batch[i].nr, 20 + 2 * i); /* cpu 0's, in order */
		assert_int_equal(f->drain.batch[3 + i].nr, 21 + 2 * i);
	}
}

/* Each CPU's run comes in time order and the runs are merged: every
 * interleaving of the two CPUs' times, ties included, in the order a sort
 * by (time, CPU, number) gives; each record once. */
static void runs_of_cpus_merged_in_time_order(void **state)
{
	struct fake *f = *state;
	uint64_t t0 = 0, t1 = 0, seen = 0;
	int pass, i;

	for (pass = 0; pass < 40; pass++) {
		for (i = 0; i < CAPACITY; i++) {
			t0 += (uint64_t)((pass * 7 + i * 3) % 4); /* 0: a tie with the last */
			t1 += (uint64_t)((pass * 5 + i) % 3);
			push_at(f, 0, 2 * i, t0);
			push_at(f, 1, 2 * i + 1, t1);
		}
		assert_int_equal(drain_batch(&f->drain), 2 * CAPACITY);
		assert_time_order(f->drain.batch, 2 * CAPACITY);
		for (i = 0; i < 2 * CAPACITY; i++)
			seen += 1ULL << f->drain.batch[i].nr;
		assert_int_equal(seen, (1ULL << (2 * CAPACITY)) - 1);
		seen = 0;
	}
	assert_int_equal(drain_dropped(&f->drain), 0);
}

/* A run out of time order (a damaged ring: a clock that went back) is no
 * merge's input: the batch is sorted whole. */
static void run_out_of_order_sorted(void **state)
{
	struct fake *f = *state;
	static const uint64_t times0[] = { 50, 10, 40, 20 }, times1[] = { 15, 35, 45 };
	int i;

	for (i = 0; i < 4; i++)
		push_at(f, 0, (uint64_t)i, times0[i]);
	for (i = 0; i < 3; i++)
		push_at(f, 1, 10 + (uint64_t)i, times1[i]);
	assert_int_equal(drain_batch(&f->drain), 7);
	assert_time_order(f->drain.batch, 7);
	assert_int_equal(f->drain.batch[0].tsc, 10);
	assert_int_equal(f->drain.batch[6].tsc, 50);
	/* One CPU's run alone, out of order, too. */
	for (i = 0; i < 4; i++)
		push_at(f, 1, (uint64_t)i, times0[i]);
	assert_int_equal(drain_batch(&f->drain), 4);
	assert_time_order(f->drain.batch, 4);
}

static void wrap_around(void **state)
{
	struct fake *f = *state;
	int i;

	for (i = 0; i < 5; i++)
		push(f, 0, i);
	assert_int_equal(drain_batch(&f->drain), 5);
	/* Slots 5, 6, 7, then 0, 1, 2, 3, 4 again. */
	for (i = 0; i < 8; i++)
		push(f, 0, 100 + i);
	assert_int_equal(drain_batch(&f->drain), 8);
	for (i = 0; i < 8; i++) {
		assert_int_equal(f->drain.batch[i].nr, 100 + i);
		assert_int_equal(f->drain.batch[i].seq, 6 + i);
	}
	assert_int_equal(f->rings.consumer[0].tail, 13);
	assert_int_equal(drain_dropped(&f->drain), 0);
}

static void full_ring_counts_drops(void **state)
{
	struct fake *f = *state;
	int i;

	for (i = 0; i < CAPACITY + 3; i++)
		push(f, 1, i);
	assert_int_equal(ring(f, 1)->dropped, 3);
	assert_int_equal(drain_batch(&f->drain), CAPACITY);
	for (i = 0; i < CAPACITY; i++)
		assert_int_equal(f->drain.batch[i].nr, i); /* the oldest are kept */
	assert_int_equal(drain_dropped(&f->drain), 3);
	push(f, 1, 99);
	assert_int_equal(drain_batch(&f->drain), 1);
	assert_int_equal(f->drain.batch[0].nr, 99);
}

/* Numbering: consecutive per CPU across batches, drops and skips are not
 * gaps; a record whose number jumps (a damaged ring) is counted missing. */
static void numbering_gaps_are_counted(void **state)
{
	struct fake *f = *state;
	int i;

	for (i = 0; i < 3; i++)
		push(f, 0, i);
	push(f, 1, 7);
	assert_int_equal(drain_batch(&f->drain), 4);
	push(f, 0, 3);
	assert_int_equal(drain_batch(&f->drain), 1);
	assert_int_equal(drain_missing(&f->drain), 0);
	push(f, 0, 4);
	fvx_ring_slot(ring(f, 0), CAPACITY, ring(f, 0)->head - 1)->seq += 5;
	push(f, 0, 5);
	/* 4 reads as 9: 4..8 missing, then 5 out of order */
	assert_int_equal(drain_batch(&f->drain), 2);
	assert_int_equal(drain_missing(&f->drain), 6);
	for (i = 0; i < CAPACITY + 3; i++)
		push(f, 1, i); /* drops: numbering goes on */
	assert_int_equal(drain_batch(&f->drain), CAPACITY);
	assert_int_equal(drain_missing(&f->drain), 6);
}

/* Sequence numbers and drop counters a ring-0 guest rewrote to wrap the
 * counts: they stop at UINT64_MAX, never back to 0 (which would hide
 * that a ring was damaged). */
static void rewritten_counts_do_not_wrap(void **state)
{
	struct fake *f = *state;
	/* gaps of 2^63 - 2, 2^63 - 3, 1 (backwards) and 2^63 - 3: more
	 * than 2^64 in all */
	static const uint64_t seqs[5] = { 1, 1ULL << 63, UINT64_MAX - 1, 2, 1ULL << 63 };
	int i;

	for (i = 0; i < 5; i++) {
		push(f, 0, i);
		fvx_ring_slot(ring(f, 0), CAPACITY, i)->seq = seqs[i];
	}
	assert_int_equal(drain_batch(&f->drain), 5);
	assert_true(drain_missing(&f->drain) == UINT64_MAX);
	ring(f, 0)->dropped = UINT64_MAX - 1;
	ring(f, 1)->dropped = 7;
	assert_true(drain_dropped(&f->drain) == UINT64_MAX);
}

static void batch_limit_leaves_the_rest(void **state)
{
	struct fake *f = *state;
	int i;

	f->drain.batch_max = 3;
	for (i = 0; i < 5; i++)
		push(f, 0, i);
	assert_int_equal(drain_batch(&f->drain), 3);
	assert_int_equal(f->drain.batch[2].nr, 2);
	assert_int_equal(drain_batch(&f->drain), 2);
	assert_int_equal(f->drain.batch[1].nr, 4);
	assert_int_equal(drain_dropped(&f->drain), 0);
}

/* Rings that hold more than a batch (a ring of 131,072 records, a batch of
 * 65,536): a batch takes the earliest records of all CPUs, not all it can
 * of the first CPU's ring, so that what waits for the next batch is never
 * earlier than what this one took (a thread that entered a call on cpu 1
 * and returned on cpu 0 would otherwise show its return before its entry,
 * and its lines go back in time). */
static void batch_limit_takes_the_earliest_of_every_cpu(void **state)
{
	struct fake *f = *state;
	struct fvx_trace_record all[9];
	int64_t got, n = 0;
	int i;

	f->drain.batch_max = 4;
	for (i = 0; i < 6; i++)
		push_at(f, 0, (uint64_t)i, 10 + (uint64_t)i);
	for (i = 0; i < 3; i++)
		push_at(f, 1, 100 + (uint64_t)i, 1 + (uint64_t)i);
	while ((got = drain_batch(&f->drain)) > 0) {
		assert_true(got <= 4);
		assert_true(n + got <= 9);
		memcpy(all + n, f->drain.batch, (size_t)got * sizeof(*all));
		n += got;
	}
	assert_int_equal(got, 0);
	assert_int_equal(n, 9);
	assert_time_order(all, n);
	assert_int_equal(all[0].nr, 100);
	assert_int_equal(all[3].nr, 0);
	assert_int_equal(drain_dropped(&f->drain), 0);
	assert_int_equal(drain_missing(&f->drain), 0);
}

static void head_far_ahead_skips_to_the_last_ring(void **state)
{
	struct fake *f = *state;
	int i;

	for (i = 0; i < CAPACITY; i++)
		push(f, 0, i);
	ring(f, 0)->head += 5; /* a corrupt head: more than a ring ahead */
	assert_int_equal(drain_batch(&f->drain), CAPACITY);
	assert_int_equal(f->rings.consumer[0].tail, CAPACITY + 5);
	assert_int_equal(drain_dropped(&f->drain), 5);
}

static void tail_beyond_head_snaps_back(void **state)
{
	struct fake *f = *state;

	push(f, 0, 1);
	f->rings.consumer[0].tail = 1000; /* a corrupt tail */
	assert_int_equal(drain_batch(&f->drain), 0);
	assert_int_equal(f->rings.consumer[0].tail, 1);
	push(f, 0, 2);
	assert_int_equal(drain_batch(&f->drain), 1);
	assert_int_equal(f->drain.batch[0].nr, 2);
	assert_int_equal(drain_dropped(&f->drain), 0);
}

/* The header is shared with the producer: a kernel can rewrite its
 * capacity between the consumer's check and the copy. The copy goes by the
 * checked capacity, so no read leaves the ring. Found by ring_fuzz (its
 * input tests/fuzz/corpus/ring_fuzz/crash-capacity-rewritten-during-a-pass). */
static void pop_goes_by_the_checked_capacity(void **state)
{
	struct fake *f = *state;
	struct fvx_trace_record out[CAPACITY];
	__u64 tail = CAPACITY, lost = 0;
	int i;

	for (i = 0; i < CAPACITY; i++)
		push(f, 0, i);
	f->rings.consumer[0].tail = CAPACITY; /* consumed: slots 0.. hold 8.. now */
	for (i = CAPACITY; i < CAPACITY + 5; i++)
		push(f, 0, i);
	ring(f, 0)->capacity = 0; /* rewritten after the check */
	assert_int_equal(fvx_ring_pop(ring(f, 0), CAPACITY, fvx_ring_head(ring(f, 0)), &tail, out,
				      CAPACITY, &lost),
			 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(out[i].nr, CAPACITY + i);
	assert_int_equal(tail, CAPACITY + 5);
	assert_int_equal(lost, 0);
}

static void refused(struct fake *f, unsigned int cpu, const char *expect)
{
	__u64 tail = f->rings.consumer[cpu].tail;

	assert_int_equal(drain_batch(&f->drain), -1);
	assert_non_null(strstr(f->drain.problem, expect));
	assert_int_equal(f->rings.consumer[cpu].tail, tail); /* nothing taken */
}

static void unknown_version_refused(void **state)
{
	struct fake *f = *state;

	push(f, 1, 1);
	ring(f, 1)->version = FVX_RING_VERSION + 1;
	refused(f, 1, "cpu 1's ring is version 4, this fastvmix reads version 3");
}

static void unknown_record_size_refused(void **state)
{
	struct fake *f = *state;

	push(f, 0, 1);
	ring(f, 0)->record_size = 128;
	refused(f, 0, "cpu 0's ring holds 128-byte records, this fastvmix reads 96-byte records");
}

static void corrupt_capacity_refused(void **state)
{
	struct fake *f = *state;
	char why[256];

	ring(f, 0)->capacity = 6; /* not a power of two */
	refused(f, 0, "cpu 0's ring header is corrupt (capacity 6 in 4864 bytes)");
	ring(f, 0)->capacity = 2 * CAPACITY; /* beyond the ring */
	refused(f, 0, "header is corrupt");
	ring(f, 0)->capacity = CAPACITY;
	assert_null(drain_ring_problem(&f->drain, 0, why, sizeof(why)));
	assert_int_equal(drain_batch(&f->drain), 0);
}

static void unwritten_header_refused(void **state)
{
	struct fake *f = *state;

	memset(ring(f, 0), 0, sizeof(struct fvx_ring_header));
	refused(f, 0, "version 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(empty_rings_give_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(records_of_all_cpus_in_time_order, setup, teardown),
		cmocka_unit_test_setup_teardown(wrap_around, setup, teardown),
		cmocka_unit_test_setup_teardown(full_ring_counts_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(batch_limit_leaves_the_rest, setup, teardown),
		cmocka_unit_test_setup_teardown(batch_limit_takes_the_earliest_of_every_cpu, setup,
						teardown),
		cmocka_unit_test_setup_teardown(head_far_ahead_skips_to_the_last_ring, setup,
						teardown),
		cmocka_unit_test_setup_teardown(tail_beyond_head_snaps_back, setup, teardown),
		cmocka_unit_test_setup_teardown(pop_goes_by_the_checked_capacity, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_version_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(equal_times_keep_ring_order, setup, teardown),
		cmocka_unit_test_setup_teardown(runs_of_cpus_merged_in_time_order, setup, teardown),
		cmocka_unit_test_setup_teardown(run_out_of_order_sorted, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_record_size_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(numbering_gaps_are_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(rewritten_counts_do_not_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(corrupt_capacity_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(unwritten_header_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
