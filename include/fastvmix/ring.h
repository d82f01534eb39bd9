/* The trace ring protocol, in one place for its three users: the analyzer
 * (producer, fast mode), the hypervisor (producer, exit mode) and the
 * frontend (consumer). One ring per CPU in the window, one producer per CPU
 * (interrupts are off), one consumer whose tail lives in ordinary guest
 * memory. Each side trusts nothing the other side can write: the producer
 * re-checks the tail, the consumer the header. Include trace.h first. */
#ifndef FASTVMIX_RING_H
#define FASTVMIX_RING_H

/* 2: data records (FVX_RECORD_DATA, trace.h) among the records; 3: quick
 * calls recorded whole (FVX_RECORD_WHOLE), without an entry record. */
#define FVX_RING_VERSION 3
/* At the start of each CPU's ring; records start at FVX_RING_RECORDS. */
struct fvx_ring_header {
	__u32 version;
	__u32 record_size;
	__u64 capacity; /* records, a power of two */
	__u64 head; /* records ever written; only the producer writes it */
	__u64 dropped; /* records lost because the ring was full */
	__u64 reserved[4];
};
_Static_assert(sizeof(struct fvx_ring_header) == 64, "fvx_ring_header layout");
#define FVX_RING_RECORDS 4096

/* Records in each CPU's ring: what the hypervisor's loader is given
 * (fastvmix_hv.ko ring_records=N), rounded up to a power of two. The
 * default holds a burst of more than 100,000 records per CPU before a
 * traced thread waits for the frontend (or, with --drop, before the first
 * record is lost). */
#define FVX_RING_RECORDS_DEFAULT 131072
#define FVX_RING_RECORDS_MIN 4096
#define FVX_RING_RECORDS_MAX (1U << 22)

/* One per CPU in the consumer page (ordinary guest memory). */
struct fvx_ring_consumer {
	__u64 tail; /* records consumed */
	__u64 reserved[7];
};
_Static_assert(sizeof(struct fvx_ring_consumer) == 64, "fvx_ring_consumer layout");

/* CPU `cpu`'s ring, for rings laid out from `rings` every `ring_bytes`. */
static inline struct fvx_ring_header *fvx_ring_at(void *rings, __u64 ring_bytes, __u64 cpu)
{
	return (struct fvx_ring_header *)((char *)rings + cpu * ring_bytes);
}

/* The largest power-of-two record count that fits a ring of ring_bytes. */
static inline __u64 fvx_ring_capacity(__u64 ring_bytes)
{
	__u64 capacity = 1;

	if (ring_bytes < FVX_RING_RECORDS + sizeof(struct fvx_trace_record))
		return 0;
	while (capacity * 2 * sizeof(struct fvx_trace_record) <= ring_bytes - FVX_RING_RECORDS)
		capacity *= 2;
	return capacity;
}

static inline void fvx_ring_init(struct fvx_ring_header *h, __u64 ring_bytes)
{
	*h = (struct fvx_ring_header){ .version = FVX_RING_VERSION,
				       .record_size = sizeof(struct fvx_trace_record),
				       .capacity = fvx_ring_capacity(ring_bytes) };
}

/* Consumer side: whether a header (written by the guest kernel, so not
 * trusted) describes a ring of this version that fits ring_bytes. */
static inline int fvx_ring_valid(const struct fvx_ring_header *h, __u64 ring_bytes)
{
	__u64 c = h->capacity;

	return h->version == FVX_RING_VERSION &&
	       h->record_size == sizeof(struct fvx_trace_record) && c && !(c & (c - 1)) &&
	       ring_bytes >= FVX_RING_RECORDS &&
	       c <= (ring_bytes - FVX_RING_RECORDS) / sizeof(struct fvx_trace_record);
}

static inline struct fvx_trace_record *fvx_ring_slot(const struct fvx_ring_header *h,
						     __u64 capacity, __u64 index)
{
	return (struct fvx_trace_record *)((char *)h + FVX_RING_RECORDS) + (index & (capacity - 1));
}

/* Producer side, in two steps, for a record written in place: the slot
 * the next record goes to, or 0 (counted as dropped) when the ring is full
 * or the tail is corrupt; then, once every field of it is written,
 * fvx_ring_commit makes it the consumer's. Nothing in between may write
 * this ring: one producer per CPU, with interrupts off. `capacity` is the
 * producer's own copy (fvx_ring_capacity of the geometry), never the
 * header's, so a rewritten header cannot move a write outside the ring. */
static inline struct fvx_trace_record *fvx_ring_claim(struct fvx_ring_header *h, __u64 capacity,
						      const volatile __u64 *tail, __u64 *head)
{
	*head = h->head;
	if (*head - *tail >= capacity) {
		h->dropped++;
		return 0;
	}
	return fvx_ring_slot(h, capacity, *head);
}

/* `head` is what fvx_ring_claim read: the header is not read again. */
static inline void fvx_ring_commit(struct fvx_ring_header *h, struct fvx_trace_record *slot,
				   __u64 head)
{
	slot->seq = head + 1;
	__asm__ __volatile__("" ::: "memory"); /* x86 stores stay in order */
	h->head = head + 1;
}

/* Producer side: appends r, or counts it as dropped (fvx_ring_claim);
 * never half a record. */
static inline void fvx_ring_push(struct fvx_ring_header *h, __u64 capacity,
				 const volatile __u64 *tail, const struct fvx_trace_record *r)
{
	__u64 head;
	struct fvx_trace_record *slot = fvx_ring_claim(h, capacity, tail, &head);

	if (slot) {
		*slot = *r;
		fvx_ring_commit(h, slot, head);
	}
}

/* Producer side: how many records fit now (0 when the tail is corrupt). */
static inline __u64 fvx_ring_room(const struct fvx_ring_header *h, __u64 capacity,
				  const volatile __u64 *tail)
{
	__u64 used = h->head - *tail;

	return used > capacity ? 0 : capacity - used;
}

/* Consumer side: how many records are finished. */
static inline __u64 fvx_ring_head(const struct fvx_ring_header *h)
{
	return __atomic_load_n(&h->head, __ATOMIC_ACQUIRE);
}

/* Consumer side: copies up to max finished records of a ring, up to `head`
 * (fvx_ring_head), into out and advances *tail. `capacity` is the
 * consumer's own copy, from a header it read once and found valid
 * (fvx_ring_valid): the header is shared with the producer, and a kernel
 * that rewrites it between the check and the copy must not move a read
 * outside the ring. A head more than a ring ahead of the tail skips to the
 * last full ring, and one behind it to the head; *lost counts what was
 * skipped. Returns the number copied. */
static inline __u64 fvx_ring_pop(const struct fvx_ring_header *h, __u64 capacity, __u64 head,
				 __u64 *tail, struct fvx_trace_record *out, __u64 max, __u64 *lost)
{
	__u64 n = 0;

	if (head < *tail)
		*tail = head;
	if (head - *tail > capacity) {
		*lost += head - *tail - capacity;
		*tail = head - capacity;
	}
	while (*tail != head && n < max)
		out[n++] = *fvx_ring_slot(h, capacity, (*tail)++);
	return n;
}

#endif
