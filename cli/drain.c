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
	d->batch = NULL;
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
static void check_numbering(struct drain *d, unsigned int cpu, const struct fvx_trace_record *r,
			    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		__u64 want = d->next_seq[cpu];

		if (want && r[i].seq != want)
			d->unnumbered += r[i].seq > want ? r[i].seq - want : 1;
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

int64_t drain_batch(struct drain *d)
{
	struct fvx_ring_header seen[FVX_WIN_MAX_CPUS];
	__u64 heads[FVX_WIN_MAX_CPUS];
	size_t n = 0;
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
	}
	for (cpu = 0; cpu < d->cpu_count && cpu < FVX_WIN_MAX_CPUS; cpu++) {
		__u64 tail = d->consumer[cpu].tail, lost = d->lost, got;

		got = fvx_ring_pop(fvx_ring_at(d->rings, d->ring_bytes, cpu), seen[cpu].capacity,
				   heads[cpu], &tail, d->batch + n, d->batch_max - n, &d->lost);
		__atomic_store_n(&d->consumer[cpu].tail, tail, __ATOMIC_RELEASE);
		if (d->lost != lost)
			d->next_seq[cpu] = 0; /* skipped: counted as lost already */
		check_numbering(d, cpu, d->batch + n, got);
		n += got;
	}
	qsort(d->batch, n, sizeof(*d->batch), by_tsc);
	return n;
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
		dropped += fvx_ring_at(d->rings, d->ring_bytes, cpu)->dropped;
	return dropped;
}
