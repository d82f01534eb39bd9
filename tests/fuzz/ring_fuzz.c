/* libFuzzer target: the frontend's ring consumer, from asking the agent
 * for the geometry (cli/device.c, with ioctl and mmap wrapped at link time)
 * through draining (cli/drain.c over include/fastvmix/ring.h) to printing
 * the records (cli/output.c), against a guest kernel that writes what it
 * likes into the rings and the consumer page, between passes and while a
 * pass reads them.
 *
 * The rings are a memfd mapped twice: read-only where the frontend reads
 * them, with unmapped pages around, and read-write for the "kernel".
 * cli/drain.c is built with -fsanitize-coverage=trace-loads, so every load
 * it makes calls __sanitizer_cov_load* below first: that is where the
 * kernel's concurrent writes happen (deterministically, at the load the
 * input names) and where the work of one pass is counted.
 *
 * Checked on every pass: no read outside the mapping (guard pages, ASan),
 * the batch within its bounds and in time order, a refusal with a reason,
 * and work bounded by the rings and the batch size, not by the values the
 * kernel wrote. Records the input makes itself go to the output too, to
 * exercise the argument and return decoders (cli/decode.c) with any value,
 * data records of any shape, to exercise their assembly into calls, and
 * calls whose argv, envp, socket addresses, iovec arrays or msghdrs come
 * as whole values of any bytes, to exercise their decoding. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "fuzz_input.h"

#define PAGE 4096UL
#define MAX_RINGS_BYTES ((4UL << 20) - FVX_WIN_RINGS) /* the smallest window's */
#define MAX_BATCH 256
#define MAX_OPS 64
#define MAX_RACES 4
#define FAKE_FD 1000

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __wrap_fprintf(FILE *stream, const char *fmt, ...);
int __real_munmap(void *addr, size_t len);

static struct {
	int memfd;
	uint8_t *area; /* guard, the frontend's read-only view, guard */
	uint8_t *kernel; /* the kernel's read-write view of the same pages */
	uint8_t *consumer; /* the consumer page, shared with the kernel */
	FILE *output; /* where the records are printed: /dev/null */
	bool trace; /* FVX_FUZZ_TRACE: say what the kernel and each pass do,
		     * print the calls on stdout */
	uint8_t dirty[MAX_RINGS_BYTES / PAGE];
	struct fvx_geometry geometry; /* what FVX_IOC_INFO answers */
	int info_errno;
	const uint8_t *rings; /* where the frontend mapped them, NULL when not */
	size_t rings_len;
	/* The kernel's writes during a pass: at the load-th load of the rings
	 * or the consumer page, value goes to offset (consumer page if
	 * in_consumer). */
	struct race {
		unsigned int load;
		bool in_consumer;
		uint64_t offset, value;
		unsigned int width;
	} races[MAX_RACES];
	unsigned int race_count;
	unsigned long loads; /* of the rings and the consumer page, this pass */
	bool in_pass;
} f;

/* The harness's own messages (fprintf is wrapped, below). */
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\n==== FUZZ INVARIANT BROKEN: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* cli/device.c explains every refusal on stderr: not once per input here. */
int __wrap_fprintf(FILE *stream, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (stream == stderr)
		return 0;
	va_start(ap, fmt);
	n = vfprintf(stream, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- the agent: FVX_IOC_INFO and the two mappings ---- */

int __wrap_ioctl(int fd, unsigned long request, void *arg)
{
	struct fvx_ioc_info *info = arg;

	if (fd != FAKE_FD || request != FVX_IOC_INFO)
		fail("ioctl %#lx on fd %d", request, fd);
	if (f.info_errno) {
		errno = f.info_errno;
		return -1;
	}
	info->mode = FVX_MODE_FAST;
	info->geometry = f.geometry;
	return 0;
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (fd != FAKE_FD)
		return __real_mmap(addr, len, prot, flags, fd, off);
	if (off == FVX_MMAP_CONSUMER && len == PAGE)
		return f.consumer;
	/* As agent_mmap: read-only, no more than the rings. */
	if (off != FVX_MMAP_RINGS || (prot & PROT_WRITE) || !len ||
	    len > f.geometry.ring_bytes * f.geometry.cpu_count || len > MAX_RINGS_BYTES) {
		errno = off == FVX_MMAP_RINGS ? EPERM : EINVAL;
		return MAP_FAILED;
	}
	if (__real_mmap(f.area + PAGE, len, PROT_READ, MAP_SHARED | MAP_FIXED, f.memfd, 0) ==
	    MAP_FAILED)
		fail("mapping the rings");
	f.rings = f.area + PAGE;
	f.rings_len = len;
	return f.area + PAGE;
}

int __wrap_munmap(void *addr, size_t len)
{
	if (addr == f.consumer)
		return 0;
	if (addr != f.rings)
		return __real_munmap(addr, len);
	if (__real_mmap(f.area + PAGE, MAX_RINGS_BYTES, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		fail("unmapping the rings");
	f.rings = NULL;
	return 0;
}

/* ---- the kernel ---- */

static void kernel_write(uint64_t off, const void *src, unsigned int len)
{
	if (off >= MAX_RINGS_BYTES || len > MAX_RINGS_BYTES - off)
		return;
	memcpy(f.kernel + off, src, len);
	f.dirty[off / PAGE] = f.dirty[(off + len - 1) / PAGE] = 1;
}

static void consumer_write(uint64_t off, const void *src, unsigned int len)
{
	if (off < PAGE && len <= PAGE - off)
		memcpy(f.consumer + off, src, len);
}

/* Every load cli/drain.c makes. */
static void on_load(const void *p)
{
	const uint8_t *a = p;
	unsigned int i;

	if (!f.in_pass || !((f.rings && a >= f.rings && a < f.rings + f.rings_len) ||
			    (a >= f.consumer && a < f.consumer + PAGE)))
		return;
	f.loads++;
	for (i = 0; i < f.race_count; i++) {
		struct race *r = &f.races[i];

		if (r->load != f.loads)
			continue;
		if (f.trace) /* replaying one input */
			say("kernel writes %#llx to %s %#llx at load %u\n",
			    (unsigned long long)r->value, r->in_consumer ? "consumer" : "rings",
			    (unsigned long long)r->offset, r->load);
		if (r->in_consumer)
			consumer_write(r->offset, &r->value, r->width);
		else
			kernel_write(r->offset, &r->value, r->width);
	}
}

void __sanitizer_cov_load1(uint8_t *addr);
void __sanitizer_cov_load2(uint16_t *addr);
void __sanitizer_cov_load4(uint32_t *addr);
void __sanitizer_cov_load8(uint64_t *addr);
void __sanitizer_cov_load16(__int128 *addr);
void __sanitizer_cov_load1(uint8_t *addr)
{
	on_load(addr);
}
void __sanitizer_cov_load2(uint16_t *addr)
{
	on_load(addr);
}
void __sanitizer_cov_load4(uint32_t *addr)
{
	on_load(addr);
}
void __sanitizer_cov_load8(uint64_t *addr)
{
	on_load(addr);
}
void __sanitizer_cov_load16(__int128 *addr)
{
	on_load(addr);
}

/* ---- the input ---- */

static uint64_t pick(struct fuzz_input *in)
{
	uint8_t t = in_u8(in);

	switch (t % 6) {
	case 0: return t >> 3;
	case 1: return in_u8(in);
	case 2: return in_u16(in);
	case 3: return in_u32(in);
	case 4: return in_u64(in);
	}
	return (1ULL << (t >> 2)) + (int8_t)in_u8(in); /* around a power of two */
}

static void geometry(struct fuzz_input *in)
{
	uint8_t t = in_u8(in);
	struct fvx_geometry *g = &f.geometry;

	g->cpu_count = 1 + in_u8(in) % 4;
	g->record_size = sizeof(struct fvx_trace_record);
	switch (t % 4) {
	case 0: /* as views_build sizes them */
		g->ring_bytes = (MAX_RINGS_BYTES / g->cpu_count) & ~(PAGE - 1);
		break;
	case 1: /* a few records */
		g->ring_bytes =
			FVX_RING_RECORDS + (in_u8(in) % 9) * sizeof(struct fvx_trace_record);
		break;
	case 2: g->ring_bytes = PAGE * (1 + in_u8(in) % 8); break;
	default:
		g->ring_bytes = pick(in);
		g->cpu_count = in_u32(in);
		g->record_size = in_u8(in) & 1 ? in_u32(in) : g->record_size;
	}
	f.info_errno = (t & 0xf0) == 0xf0 ? EINVAL : 0;
}

static struct fvx_ring_header *kernel_ring(const struct drain *d, unsigned int cpu)
{
	return fvx_ring_at(f.kernel, d->ring_bytes, cpu);
}

/* The producer as ring.h has it: its own capacity, the consumer's tail. */
static void push(const struct drain *d, struct fuzz_input *in)
{
	uint8_t t = in_u8(in);
	unsigned int cpu = t % d->cpu_count, n = 1 + (t >> 4);
	__u64 capacity = fvx_ring_capacity(d->ring_bytes);
	struct fvx_ring_header *h = kernel_ring(d, cpu);
	static __u64 tsc;
	struct fvx_trace_record r = { .cpu = cpu, .nr = in_u8(in) };

	if (!capacity)
		return;
	while (n--) {
		r.tsc = ++tsc - (in_u8(in) & 3); /* a little out of order across CPUs */
		fvx_ring_push(h, capacity, &((struct fvx_ring_consumer *)f.consumer)[cpu].tail, &r);
		f.dirty[(uint64_t)((uint8_t *)h - f.kernel) / PAGE] = 1;
		f.dirty[(uint64_t)((uint8_t *)fvx_ring_slot(h, capacity, h->head - 1) - f.kernel +
				   sizeof(r) - 1) /
			PAGE] = 1;
		f.dirty[(uint64_t)((uint8_t *)fvx_ring_slot(h, capacity, h->head - 1) - f.kernel) /
			PAGE] = 1;
	}
}

static const uint8_t header_fields[][2] = {
	{ 0, 4 }, { 4, 4 }, { 8, 8 }, { 16, 8 }, { 24, 8 } /* version .. dropped */
};

/* Where a hostile write goes: a header field, anywhere in the rings, or a
 * consumer tail. */
static void target(const struct drain *d, struct fuzz_input *in, bool *in_consumer,
		   uint64_t *offset, unsigned int *width)
{
	uint8_t t = in_u8(in);
	unsigned int cpu = (t >> 4) % (d->cpu_count ? d->cpu_count : 1);

	*in_consumer = false;
	switch (t % 4) {
	case 0:
	case 1:
		*offset = (uint64_t)cpu * d->ring_bytes + header_fields[(t >> 1) % 5][0];
		*width = header_fields[(t >> 1) % 5][1];
		break;
	case 2:
		*offset = in_u32(in) % MAX_RINGS_BYTES;
		*width = 8;
		break;
	default:
		*in_consumer = true;
		*offset = cpu * sizeof(struct fvx_ring_consumer);
		*width = 8;
	}
}

static void poke(const struct drain *d, struct fuzz_input *in)
{
	bool in_consumer;
	uint64_t offset, value;
	unsigned int width;

	target(d, in, &in_consumer, &offset, &width);
	value = pick(in);
	if (in_consumer)
		consumer_write(offset, &value, width);
	else
		kernel_write(offset, &value, width);
}

static void race(const struct drain *d, struct fuzz_input *in)
{
	struct race *r;

	if (f.race_count == MAX_RACES)
		return;
	r = &f.races[f.race_count++];
	r->load = 1 + in_u8(in) % 32;
	target(d, in, &r->in_consumer, &r->offset, &r->width);
	r->value = pick(in);
}

static void pass(struct drain *d, struct output *out)
{
	int64_t n;
	size_t i;
	/* Per CPU: the header's fields and the tail, a few times over; per
	 * record: its slot and the capacity it is found by. */
	unsigned long bound = 32UL * d->cpu_count + 4UL * d->batch_max;

	if (f.trace)
		for (i = 0; i < d->cpu_count; i++) {
			const struct fvx_ring_header *h = fvx_ring_at(d->rings, d->ring_bytes, i);

			say("pass: ring %zu of %llu bytes: version %u, record %u, capacity %llu, "
			    "head %llu, tail %llu\n",
			    i, (unsigned long long)d->ring_bytes, h->version, h->record_size,
			    (unsigned long long)h->capacity, (unsigned long long)h->head,
			    (unsigned long long)d->consumer[i].tail);
		}
	f.loads = 0;
	f.in_pass = true;
	n = drain_batch(d);
	f.in_pass = false;
	f.race_count = 0;
	if (f.loads > bound)
		fail("a pass loaded the rings %lu times (bound %lu)", f.loads, bound);
	if (n == -1) {
		if (!memchr(d->problem, 0, sizeof(d->problem)) || !d->problem[0])
			fail("a refused pass without a reason");
		return;
	}
	if (n < 0 || (size_t)n > d->batch_max)
		fail("a pass returned %lld records (batch %zu)", (long long)n, d->batch_max);
	for (i = 1; i < (size_t)n; i++)
		if (d->batch[i - 1].tsc > d->batch[i].tsc)
			fail("records out of time order");
	for (i = 0; i < (size_t)n; i++)
		output_record(out, &d->batch[i]);
}

/* A data record's header: one the frontend may take (any field pushed
 * to or past its bounds: arguments 6 and 7, states 0 and 4, totals over
 * FVX_DATA_MAX, offsets past the total, lengths that do not fit), or any
 * 64 bits. */
static __u64 data_header(struct fuzz_input *in, uint8_t t)
{
	struct fvx_data_header h;
	uint8_t k;

	if (t & 32)
		return pick(in);
	k = in_u8(in);
	h.arg = k % 8;
	h.state = (k >> 3) % 5;
	h.total = in_u16(in) % (FVX_DATA_MAX + 64);
	h.offset = (in_u8(in) % 8) * FVX_DATA_PIECE;
	h.length = h.offset < h.total ? h.total - h.offset : 0;
	if (h.length > FVX_DATA_PIECE)
		h.length = FVX_DATA_PIECE;
	if (k & 0x80)
		h.length = in_u8(in);
	return fvx_data_header_pack(h);
}

/* A value of argument arg of owner's call, in all its pieces: any state,
 * total and bytes. */
static void whole_value(struct output *out, struct fuzz_input *in,
			const struct fvx_trace_record *owner, int arg)
{
	struct fvx_trace_record piece = *owner;
	struct fvx_data_header h = { .arg = (__u8)arg, .state = 1 + in_u8(in) % 3 };
	uint8_t bytes[FVX_DATA_MAX] = { 0 };
	unsigned int i;

	h.total = h.state == FVX_DATA_UNREADABLE ? 0 : in_u16(in) % (FVX_DATA_MAX + 1);
	for (i = 0; i < h.total; i++)
		bytes[i] = in_u8(in);
	piece.flags |= FVX_RECORD_DATA;
	do {
		h.length =
			h.total - h.offset < FVX_DATA_PIECE ? h.total - h.offset : FVX_DATA_PIECE;
		piece.cr3 = fvx_data_header_pack(h);
		memset(piece.args, 0, sizeof(piece.args));
		memcpy(piece.args, bytes + h.offset, h.length);
		output_record(out, &piece);
		h.offset += FVX_DATA_PIECE;
	} while (h.offset < h.total);
}

/* A call whose arguments have encoded values (argv, envp, socket
 * addresses, iovec arrays, struct msghdr): values before its entry
 * (argument i when bit i of the first mask is set), the entry, unless bit
 * 7 says it does not return, values before its return (the second mask)
 * and the return. With bit 6 of t, an i386 iovec call (decoded as its
 * x86-64 twin). */
static void whole_call(struct output *out, struct fuzz_input *in, uint8_t t)
{
	static const uint16_t calls[] = { __NR_execve,	 __NR_execveat,	   __NR_connect,
					  __NR_bind,	 __NR_sendto,	   __NR_accept,
					  __NR_accept4,	 __NR_getsockname, __NR_getpeername,
					  __NR_recvfrom, __NR_writev,	   __NR_readv,
					  __NR_pwritev,	 __NR_preadv,	   __NR_pwritev2,
					  __NR_preadv2,	 __NR_sendmsg,	   __NR_recvmsg };
	/* i386 writev, readv, pwritev, preadv, pwritev2, preadv2. */
	static const uint16_t compat_calls[] = { 146, 145, 334, 333, 379, 378 };
	struct fvx_trace_record r = { .pid = 1 + (t >> 1 & 3) };
	uint8_t which = in_u8(in), at_entry = in_u8(in), at_return = in_u8(in);
	int i;

	r.nr = calls[which % (sizeof(calls) / sizeof(calls[0]))];
	if (t & 64) {
		r.nr = compat_calls[which % (sizeof(compat_calls) / sizeof(compat_calls[0]))];
		r.flags = FVX_RECORD_COMPAT;
	}
	r.tsc = pick(in);
	for (i = 0; i < 6; i++)
		r.args[i] = pick(in);
	for (i = 0; i < 6; i++)
		if (at_entry >> i & 1)
			whole_value(out, in, &r, i);
	output_record(out, &r);
	if (at_entry & 0x80)
		return;
	r.flags |= FVX_RECORD_RETURN;
	for (i = 0; i < 6; i++)
		if (at_return >> i & 1)
			whole_value(out, in, &r, i);
	memset(r.args, 0, sizeof(r.args));
	r.args[0] = pick(in);
	output_record(out, &r);
}

/* A record of the input's making, straight to the output: any number, any
 * arguments, entry or return, 64-bit or 32-bit (bit 6: the i386 table),
 * so that every decoder sees every value; or a data record (bit 4):
 * pieces of any shape, for any call, before their owner, after it, twice,
 * or never followed by it; or a task record (bit 5 without bit 4): a
 * thread's end, a signal, a fork or any kind, with any values; or (bits
 * 4, 5 and 0) an io_uring operation or a piece of one, any opcode, any
 * call; or (bit 7) a whole call with values (whole_call). */
static void record(struct output *out, struct fuzz_input *in)
{
	struct fvx_trace_record r = { 0 };
	uint8_t t = in_u8(in);
	unsigned int i;

	if (t & 128) {
		whole_call(out, in, t);
		return;
	}
	r.nr = t & 1 ? pick(in) : in_u16(in) % 512;
	r.pid = 1 + (t >> 1 & 3);
	r.tsc = pick(in);
	r.flags = (t & 8 ? FVX_RECORD_RETURN : 0) | (t & 64 ? FVX_RECORD_COMPAT : 0);
	if (t & 16) {
		r.flags |= FVX_RECORD_DATA;
		r.cr3 = data_header(in, t);
	}
	if ((t & 48) == 32) {
		r.flags |= FVX_RECORD_TASK;
		if (!(t & 1))
			r.nr = in_u8(in) % 5;
	}
	if ((t & 49) == 49) {
		r.flags |= FVX_RECORD_URING | (uint32_t)in_u8(in) << FVX_RECORD_URING_OP_SHIFT;
		if (in_u8(in) & 1)
			r.flags &= ~(uint32_t)FVX_RECORD_DATA;
	}
	for (i = 0; i < 6; i++)
		r.args[i] = pick(in);
	output_record(out, &r);
}

static void reset(void)
{
	size_t p;

	for (p = 0; p < sizeof(f.dirty); p++)
		if (f.dirty[p]) {
			memset(f.kernel + p * PAGE, 0, PAGE);
			f.dirty[p] = 0;
		}
	memset(f.consumer, 0, PAGE);
	f.race_count = 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	f.memfd = memfd_create("fvx-rings", 0);
	if (f.memfd < 0 || ftruncate(f.memfd, MAX_RINGS_BYTES))
		fail("memfd");
	f.area = __real_mmap(NULL, MAX_RINGS_BYTES + 2 * PAGE, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f.kernel =
		__real_mmap(NULL, MAX_RINGS_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, f.memfd, 0);
	f.consumer = __real_mmap(NULL, 3 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f.area == MAP_FAILED || f.kernel == MAP_FAILED || f.consumer == MAP_FAILED)
		fail("mmap");
	f.consumer += PAGE;
	f.trace = getenv("FVX_FUZZ_TRACE") != NULL;
	f.output = f.trace ? stdout : fopen("/dev/null", "w");
	if (!f.output)
		fail("/dev/null");
	if (mprotect(f.consumer, PAGE, PROT_READ | PROT_WRITE))
		fail("mprotect");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct device_rings r;
	struct drain d;
	struct output out;
	struct output_options opt;
	unsigned int ops, cpu;
	uint8_t batch;

	reset();
	geometry(&in);
	if (device_map(FAKE_FD, &r) != 0)
		return 0;
	if (r.geometry.record_size != sizeof(struct fvx_trace_record) || !r.geometry.cpu_count ||
	    r.geometry.cpu_count > FVX_WIN_MAX_CPUS || r.geometry.ring_bytes < FVX_RING_RECORDS ||
	    r.rings_bytes > MAX_RINGS_BYTES)
		fail("mapped a geometry the frontend cannot read: %u rings of %llu bytes",
		     r.geometry.cpu_count, (unsigned long long)r.geometry.ring_bytes);
	batch = in_u8(&in);
	if (drain_init(&d, &r, 1 + batch % MAX_BATCH))
		fail("drain_init");
	/* Text or JSON Lines, argument counts from a tracefs that is not there;
	 * timestamps, durations, -c and -e status= on some inputs. */
	output_init(&out, f.output, batch & 0x80, "/nonexistent");
	opt = (struct output_options){ .json = batch & 0x80,
				       .timestamps = batch >> 5 & 3,
				       .durations = batch & 0x10,
				       .summary = batch & 0x08,
				       .status = batch & 0x04 ? STATUS_FAILED : STATUS_ALL,
				       .string_limit = (batch & 3) * 100 }; /* 300: over the cap */
	tsc_clock_set(&opt.clock, 0, 0, 3, 1);
	if (!output_set_options(&out, &opt))
		fail("output_set_options");
	for (cpu = 0; cpu < d.cpu_count; cpu++)
		if (!(in_u8(&in) & 0x80)) { /* the hypervisor's trace_init */
			fvx_ring_init(kernel_ring(&d, cpu), d.ring_bytes);
			f.dirty[(uint64_t)cpu * d.ring_bytes / PAGE] = 1;
		}
	for (ops = 0; ops < MAX_OPS && !in_done(&in); ops++) {
		switch (in_u8(&in) % 8) {
		case 0:
		case 1:
		case 2: push(&d, &in); break;
		case 3: poke(&d, &in); break;
		case 4: race(&d, &in); break;
		case 5: (void)drain_dropped(&d); break;
		case 7: record(&out, &in); break;
		default: pass(&d, &out);
		}
	}
	pass(&d, &out);
	output_finish(&out, f.output); /* calls still waiting: "= ?"; -c's table */
	drain_free(&d);
	device_unmap(&r);
	return 0;
}
