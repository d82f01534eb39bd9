/* Draining the trace rings: every finished record of every CPU's ring into
 * one batch in time order, through the ring protocol (fastvmix/ring.h).
 * The ring headers are written by the producers, not by us, so each one is
 * checked on every pass before it is read. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int drain_init(struct drain *d, const struct device_rings *r, size_t batch_max)
{
	*d = (struct drain){ .rings = r->rings,
			     .ring_bytes = r->geometry.ring_bytes,
			     .cpu_count = r->geometry.cpu_count,
			     .consumer = r->consumer,
			     .batch_max = batch_max };
	d->batch = malloc(batch_max * sizeof(*d->batch));
	if (!d->batch) {
		perror("fastvmix trace");
		return -1;
	}
	return 0;
}

void drain_free(struct drain *d)
{
	free(d->batch);
	free(d->merged);
	d->batch = NULL;
	d->merged = NULL;
}

/* CPU cpu's ring header, each field read once: what is checked is what is
 * used, whatever the producer writes meanwhile. */
static struct fvx_ring_header header_copy(const struct drain *d, unsigned int cpu)
{
	const struct fvx_ring_header *h = fvx_ring_at(d->rings, d->ring_bytes, cpu);

	return (struct fvx_ring_header){
		.version = __atomic_load_n(&h->version, __ATOMIC_RELAXED),
		.record_size = __atomic_load_n(&h->record_size, __ATOMIC_RELAXED),
		.capacity = __atomic_load_n(&h->capacity, __ATOMIC_RELAXED),
	};
}

static const char *header_problem(const struct drain *d, unsigned int cpu,
				  const struct fvx_ring_header *h, char *buf, size_t size)
{
	if (fvx_ring_valid(h, d->ring_bytes))
		return NULL;
	if (h->version != FVX_RING_VERSION)
		snprintf(buf, size,
			 "cpu %u's ring is version %u, this fastvmix reads version %u: "
			 "fastvmix and the hypervisor are from different versions",
			 cpu, h->version, FVX_RING_VERSION);
	else if (h->record_size != sizeof(struct fvx_trace_record))
		snprintf(buf, size,
			 "cpu %u's ring holds %u-byte records, this fastvmix reads %zu-byte "
			 "records: fastvmix and the hypervisor are from different versions",
			 cpu, h->record_size, sizeof(struct fvx_trace_record));
	else
		snprintf(buf, size, "cpu %u's ring header is corrupt (capacity %llu in %llu bytes)",
			 cpu, (unsigned long long)h->capacity, (unsigned long long)d->ring_bytes);
	return buf;
}

const char *drain_ring_problem(const struct drain *d, unsigned int cpu, char *buf, size_t size)
{
	struct fvx_ring_header h = header_copy(d, cpu);

	return header_problem(d, cpu, &h, buf, size);
}

/* Checks that CPU cpu's records, in ring order, go on numbering from the
 * last batch's; counts what is missing. */
/* a + b, or UINT64_MAX: counts a guest writes into cannot wrap to 0. */
static uint64_t add_saturated(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static void check_numbering(struct drain *d, unsigned int cpu, const struct fvx_trace_record *r,
			    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		__u64 want = d->next_seq[cpu];

		if (want && r[i].seq != want)
			d->unnumbered =
				add_saturated(d->unnumbered, r[i].seq > want ? r[i].seq - want : 1);
		d->next_seq[cpu] = r[i].seq + 1;
	}
}

/* By TSC; then a CPU's records in ring order: data records share their
 * owner's TSC and must stay before it (qsort is not stable). */
static int by_tsc(const void *a, const void *b)
{
	const struct fvx_trace_record *x = a, *y = b;

	if (x->tsc != y->tsc)
		return x->tsc < y->tsc ? -1 : 1;
	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Whether records [from, to) of the batch are in time order. */
static bool run_ordered(const struct fvx_trace_record *r, size_t from, size_t to)
{
	size_t i;

	for (i = from + 1; i < to; i++)
		if (by_tsc(&r[i - 1], &r[i]) > 0)
			return false;
	return true;
}

/* Puts the batch in time order. Each CPU's records, run `cpu` at
 * [start[cpu], start[cpu + 1]), come in the order the CPU wrote them, which
 * is time order (its clock only goes forward): one run is ordered as it is,
 * and several are merged, a record's worth of comparisons each (a sort
 * would copy each record log2(n) times). A run out of order (a ring the
 * guest damaged) or no memory to merge into: the batch is sorted instead. */
static void order(struct drain *d, const size_t *start, unsigned int runs, size_t n)
{
	size_t at[FVX_WIN_MAX_CPUS], i;
	struct fvx_trace_record *swap;
	unsigned int r, filled = 0, best;

	for (r = 0; r < runs; r++) {
		if (!run_ordered(d->batch, start[r], start[r + 1]))
			goto sort;
		filled += start[r + 1] > start[r];
		at[r] = start[r];
	}
	if (filled <= 1)
		return;
	if (!d->merged)
		d->merged = malloc(d->batch_max * sizeof(*d->merged));
	if (!d->merged)
		goto sort;
	for (i = 0; i < n; i++) {
		best = runs;
		for (r = 0; r < runs; r++)
			if (at[r] < start[r + 1] &&
			    (best == runs || by_tsc(&d->batch[at[r]], &d->batch[at[best]]) < 0))
				best = r;
		d->merged[i] = d->batch[at[best]++];
	}
	swap = d->batch;
	d->batch = d->merged;
	d->merged = swap;
	return;
sort:
	qsort(d->batch, n, sizeof(*d->batch), by_tsc);
}

/* Where a pop of CPU cpu's ring from `tail` to `head` starts and how many
 * records it finds, as fvx_ring_pop will go (a tail beyond the head snaps
 * back, a head more than a ring ahead skips). */
static __u64 ring_from(__u64 capacity, __u64 head, __u64 tail, __u64 *avail)
{
	if (head < tail)
		tail = head;
	if (head - tail > capacity)
		tail = head - capacity;
	*avail = head - tail;
	return tail;
}

/* The fields a merge orders by (by_tsc) of the record at index `at` of
 * CPU cpu's ring, each read once, when `left` records remain there. */
static void next_key(const struct drain *d, const struct fvx_ring_header *seen, unsigned int cpu,
		     __u64 at, __u64 left, struct fvx_trace_record *key)
{
	const struct fvx_trace_record *r;

	if (!left)
		return;
	r = fvx_ring_slot(fvx_ring_at(d->rings, d->ring_bytes, cpu), seen->capacity, at);
	key->tsc = __atomic_load_n(&r->tsc, __ATOMIC_RELAXED);
	key->cpu = __atomic_load_n(&r->cpu, __ATOMIC_RELAXED);
	key->seq = __atomic_load_n(&r->seq, __ATOMIC_RELAXED);
}

/* How many records each CPU's ring gives this batch, into take[]: all they
 * hold when that fits the batch; else the batch_max earliest of them, as a
 * merge of the rings picks them, so that nothing left for the next batch
 * is earlier than what this one takes (a ring larger than the batch would
 * otherwise fill it alone, and a call that entered on another CPU would
 * show its return before its entry). The records are read here only to
 * count: a producer that rewrites them meanwhile moves nothing out of a
 * ring or past what it holds. */
static void batch_shares(const struct drain *d, unsigned int cpus,
			 const struct fvx_ring_header *seen, const __u64 *heads, const __u64 *tails,
			 __u64 *take)
{
	struct fvx_trace_record next[FVX_WIN_MAX_CPUS]; /* each CPU's next: its key */
	__u64 from[FVX_WIN_MAX_CPUS], avail[FVX_WIN_MAX_CPUS], sum = 0;
	unsigned int cpu, best;
	size_t i;

	for (cpu = 0; cpu < cpus; cpu++) {
		from[cpu] = ring_from(seen[cpu].capacity, heads[cpu], tails[cpu], &avail[cpu]);
		take[cpu] = avail[cpu];
		sum += avail[cpu];
	}
	if (sum <= d->batch_max)
		return;
	for (cpu = 0; cpu < cpus; cpu++) {
		take[cpu] = 0;
		next_key(d, &seen[cpu], cpu, from[cpu], avail[cpu], &next[cpu]);
	}
	for (i = 0; i < d->batch_max; i++) {
		best = cpus;
		for (cpu = 0; cpu < cpus; cpu++)
			if (take[cpu] < avail[cpu] &&
			    (best == cpus || by_tsc(&next[cpu], &next[best]) < 0))
				best = cpu;
		take[best]++;
		next_key(d, &seen[best], best, from[best] + take[best], avail[best] - take[best],
			 &next[best]);
	}
}

int64_t drain_batch(struct drain *d)
{
	struct fvx_ring_header seen[FVX_WIN_MAX_CPUS];
	__u64 heads[FVX_WIN_MAX_CPUS], tails[FVX_WIN_MAX_CPUS], take[FVX_WIN_MAX_CPUS];
	size_t n = 0, start[FVX_WIN_MAX_CPUS + 1];
	unsigned int cpu;

	/* Every ring's header and head first, then the records up to them: a
	 * call that enters on one CPU and returns on another while the rings
	 * are copied has both records in this batch, or its entry in this one
	 * and its return in the next, never the return first (unless the
	 * whole call fits between two loads of a head). Each header is read
	 * and checked once; the copy checked is the one used. */
	for (cpu = 0; cpu < d->cpu_count && cpu < FVX_WIN_MAX_CPUS; cpu++) {
		seen[cpu] = header_copy(d, cpu);
		if (header_problem(d, cpu, &seen[cpu], d->problem, sizeof(d->problem)))
			return -1;
		heads[cpu] = fvx_ring_head(fvx_ring_at(d->rings, d->ring_bytes, cpu));
		tails[cpu] = __atomic_load_n(&d->consumer[cpu].tail, __ATOMIC_RELAXED);
	}
	batch_shares(d, cpu, seen, heads, tails, take);
	for (cpu = 0; cpu < d->cpu_count && cpu < FVX_WIN_MAX_CPUS; cpu++) {
		__u64 tail = tails[cpu], lost = d->lost, got;

		start[cpu] = n;
		got = fvx_ring_pop(fvx_ring_at(d->rings, d->ring_bytes, cpu), seen[cpu].capacity,
				   heads[cpu], &tail, d->batch + n, take[cpu], &d->lost);
		__atomic_store_n(&d->consumer[cpu].tail, tail, __ATOMIC_RELEASE);
		if (d->lost != lost)
			d->next_seq[cpu] = 0; /* skipped: counted as lost already */
		check_numbering(d, cpu, d->batch + n, got);
		n += got;
	}
	start[cpu] = n;
	order(d, start, cpu, n);
	return n;
}

uint64_t drain_capacity(const struct drain *d)
{
	return (uint64_t)d->cpu_count * fvx_ring_capacity(d->ring_bytes);
}

uint64_t drain_missing(const struct drain *d)
{
	return d->unnumbered;
}

uint64_t drain_dropped(const struct drain *d)
{
	uint64_t dropped = d->lost;
	unsigned int cpu;

	for (cpu = 0; cpu < d->cpu_count; cpu++)
		dropped =
			add_saturated(dropped, fvx_ring_at(d->rings, d->ring_bytes, cpu)->dropped);
	return dropped;
}
