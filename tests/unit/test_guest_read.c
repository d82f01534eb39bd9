/* Unit tests for the analyzer's user-memory reader (guest_read.h) on a fake
 * physical memory with hostile page tables: whatever the tables say, it
 * reads only RAM below the top, outside the hidden ranges, through a
 * direct map that maps it, and stops where a user access would fault. And
 * for what the analyzer captures with it (trace_capture.h): which
 * arguments, how much, in which state, in how many data records. */
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
#include "fastvmix/guest_read.h"
#include "fastvmix/syscall_args.h"
#include "fastvmix/syscall_compat.h"
#include "fastvmix/trace_capture.h"
#include "fastvmix/uring.h"

#define RAM (8ULL << 20) /* the fake machine's RAM: physical [0, 8 MiB) */
#define PAGE_OFFSET 0xffff888000000000ULL
#define P FVX_PTE_PRESENT
#define U FVX_PTE_USER
#define W (1ULL << 1)
#define PS FVX_PTE_LARGE
#define PROTNONE (1ULL << 8) /* Linux's _PAGE_PROTNONE: the global bit, present clear */

/* Physical layout: the tables, then data pages. */
#define PML4 0x1000ULL
#define DIRECT_PDPT 0x2000ULL
#define DIRECT_PD 0x3000ULL
#define USER_PDPT 0x4000ULL
#define USER_PD 0x5000ULL
#define USER_PT 0x6000ULL
#define DATA 0x10000ULL /* data pages from here */
#define HIDDEN 0x400000ULL /* [4 MiB, 5 MiB): the hypervisor's */

/* The user address the tests map: PML4 1, PDPT 2, PD 3, PT i -> page i. */
#define VA(pte, off) ((1ULL << 39) | (2ULL << 30) | (3ULL << 21) | ((__u64)(pte) << 12) | (off))

static __u8 *ram;
static __u32 owner_compat; /* FVX_RECORD_COMPAT: the calls are 32-bit */
static unsigned int copies; /* calls of the copy callback */
static struct fvx_phys_limits limits = { .page_offset = PAGE_OFFSET,
					 .ram_top = RAM,
					 .hidden_start = { HIDDEN },
					 .hidden_size = { 1 << 20 } };

static void set64(__u64 pa, __u64 v)
{
	memcpy(ram + pa, &v, 8);
}

/* Only ever asked for allowed RAM: anything else fails the test, as it
 * would fault or touch hidden memory in the guest. */
static int fake_copy(void *ctx, __u64 va, void *out, __u64 len)
{
	__u64 pa = va - PAGE_OFFSET;

	(void)ctx;
	copies++;
	if (va < PAGE_OFFSET || pa >= RAM || len > RAM - pa || len > 4096 ||
	    (pa < HIDDEN + (1 << 20) && HIDDEN < pa + len))
		fail_msg("copy of %#llx (%llu bytes) outside allowed RAM", (unsigned long long)va,
			 (unsigned long long)len);
	memcpy(out, ram + pa, len);
	return 1;
}

static struct fvx_guest_mem mem = { .limits = &limits, .cr3 = PML4, .copy = fake_copy };

/* Direct map: PML4 273 (0xffff888000000000) -> PD of 2 MiB pages over
 * [0, 8 MiB); user: VA(i, 0) -> DATA + i pages. */
static int setup(void **state)
{
	int i;

	(void)state;
	ram = calloc(1, RAM);
	copies = 0;
	owner_compat = 0; /* (a failed test may have left it set) */
	set64(PML4 + 273 * 8, DIRECT_PDPT | P | W);
	set64(DIRECT_PDPT, DIRECT_PD | P | W);
	for (i = 0; i < 4; i++)
		set64(DIRECT_PD + i * 8, ((__u64)i << 21) | P | W | PS);
	set64(PML4 + 1 * 8, USER_PDPT | P | W | U);
	set64(USER_PDPT + 2 * 8, USER_PD | P | W | U);
	set64(USER_PD + 3 * 8, USER_PT | P | W | U);
	for (i = 0; i < 8; i++)
		set64(USER_PT + i * 8, (DATA + i * 4096ULL) | P | W | U);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static __u64 read_str(__u64 va, char *out, __u64 size, int *nul)
{
	return fvx_user_read(&mem, va, out, size, 1, nul);
}

static void reads_a_string_and_a_buffer(void **state)
{
	char out[64];
	int nul;

	memcpy(ram + DATA + 100, "/etc/passwd", 12);
	assert_int_equal(read_str(VA(0, 100), out, sizeof(out), &nul), 11);
	assert_true(nul);
	assert_string_equal(out, "/etc/passwd");
	/* A buffer: exactly size bytes, NULs included. */
	assert_int_equal(fvx_user_read(&mem, VA(0, 100), out, 16, 0, &nul), 16);
	assert_false(nul);
	assert_memory_equal(out, ram + DATA + 100, 16);
}

/* Each level's entry not present, then without U/S: nothing read. */
static void each_level_needs_present_and_user(void **state)
{
	const __u64 entries[] = { PML4 + 8, USER_PDPT + 16, USER_PD + 24, USER_PT };
	char out[8];
	int i, nul;

	memcpy(ram + DATA, "abc", 4);
	for (i = 0; i < 4; i++) {
		__u64 e;

		memcpy(&e, ram + entries[i], 8);
		set64(entries[i], e & ~P);
		assert_int_equal(read_str(VA(0, 0), out, 8, &nul), 0);
		set64(entries[i], e & ~U);
		assert_int_equal(read_str(VA(0, 0), out, 8, &nul), 0);
		set64(entries[i], e);
		assert_int_equal(read_str(VA(0, 0), out, 8, &nul), 3);
	}
}

/* PROT_NONE: Linux keeps the PTE with _PAGE_PROTNONE and P clear. */
static void prot_none_is_unreadable(void **state)
{
	char out[8];
	int nul;

	memcpy(ram + DATA, "abc", 4);
	set64(USER_PT, DATA | PROTNONE | U);
	assert_int_equal(read_str(VA(0, 0), out, 8, &nul), 0);
}

static void large_pages(void **state)
{
	char out[8];
	int nul;

	/* 2 MiB: PD entry 3 maps physical [2 MiB, 4 MiB). */
	memcpy(ram + (2 << 20) + 0x1234, "two", 4);
	set64(USER_PD + 3 * 8, (2ULL << 20) | P | U | PS);
	assert_int_equal(read_str(VA(1, 0x234), out, 8, &nul), 3);
	assert_string_equal(out, "two");
	/* 1 GiB: PDPT entry 2 maps physical [0, 1 GiB). */
	memcpy(ram + (3ULL << 21) + 0x2010, "one", 4);
	set64(USER_PDPT + 2 * 8, 0 | P | U | PS);
	assert_int_equal(read_str(VA(2, 0x10), out, 8, &nul), 3);
	assert_string_equal(out, "one");
	/* PS in a PML4 entry is reserved: no page. */
	set64(PML4 + 8, USER_PDPT | P | U | PS);
	assert_int_equal(read_str(VA(2, 0x10), out, 8, &nul), 0);
}

/* A string or a buffer running into an unmapped page: the bytes before. */
static void stops_at_the_end_of_what_is_mapped(void **state)
{
	char out[64];
	int nul;

	memset(ram + DATA + 4096 - 4, 'x', 4);
	set64(USER_PT + 8, 0);
	assert_int_equal(read_str(VA(0, 4096 - 4), out, sizeof(out), &nul), 4);
	assert_false(nul);
	assert_int_equal(fvx_user_read(&mem, VA(0, 4096 - 4), out, 32, 0, &nul), 4);
	/* Mapped again: the read goes on into the next page. */
	set64(USER_PT + 8, (DATA + 4096) | P | U);
	ram[DATA + 4096 + 2] = 0;
	memset(ram + DATA + 4096, 'y', 2);
	assert_int_equal(read_str(VA(0, 4096 - 4), out, sizeof(out), &nul), 6);
	assert_true(nul);
	assert_memory_equal(out, "xxxxyy", 6);
}

/* No NUL: as many bytes as asked for, never more. */
static void string_without_terminator_is_bounded(void **state)
{
	char out[40] = { 0 };
	int nul;

	memset(ram + DATA, 'z', 3 * 4096);
	assert_int_equal(read_str(VA(0, 0), out, 32, &nul), 32);
	assert_false(nul);
	assert_int_equal(out[32], 0);
}

static void kernel_and_noncanonical_addresses_read_nothing(void **state)
{
	const __u64 bad[] = { PAGE_OFFSET,	     PAGE_OFFSET + DATA,    FVX_USER_TOP,
			      0x0000900000000000ULL, 0xffffffff81000000ULL, 0 };
	char out[8];
	int i, nul;

	for (i = 0; i < 6; i++)
		assert_int_equal(read_str(bad[i], out, 8, &nul), 0);
	/* The last user page, then the end of the user half: the read stops. */
	set64(PML4 + 255 * 8, USER_PDPT | P | U);
	set64(USER_PDPT + 511 * 8, USER_PD | P | U);
	set64(USER_PD + 511 * 8, USER_PT | P | U);
	set64(USER_PT + 511 * 8, DATA | P | U);
	memset(ram + DATA + 4094, 'e', 2);
	assert_int_equal(read_str(FVX_USER_TOP - 2, out, 8, &nul), 2);
	/* A wrapping address range stops too. */
	assert_int_equal(read_str(~0ULL - 1, out, 8, &nul), 0);
}

/* Entries pointing at or above the top of RAM, or into hidden memory,
 * whether data or tables: never copied (fake_copy fails the test). */
static void physical_addresses_outside_ram_are_not_read(void **state)
{
	const __u64 bad[] = { RAM, RAM + 4096, 1ULL << 40, FVX_PTE_ADDR, HIDDEN, HIDDEN + 0xff000 };
	char out[8];
	int i, nul;

	for (i = 0; i < 6; i++) {
		set64(USER_PT, bad[i] | P | U);
		assert_int_equal(read_str(VA(0, 0), out, 8, &nul), 0);
		set64(USER_PT, DATA | P | U);
		set64(USER_PD + 3 * 8, bad[i] | P | U);
		assert_int_equal(read_str(VA(0, 0), out, 8, &nul), 0);
		set64(USER_PD + 3 * 8, USER_PT | P | U);
	}
	/* The last bytes below the top are readable. */
	set64(USER_PT, (RAM - 4096) | P | U);
	memcpy(ram + RAM - 3, "hi", 3);
	assert_int_equal(read_str(VA(0, 4093), out, 8, &nul), 2);
}

/* RAM the direct map leaves out (a hole, memory taken out of it): the
 * user PTE is fine, the direct map's is not present: nothing is read. */
static void pages_outside_the_direct_map_are_not_read(void **state)
{
	char out[8];
	int nul;

	memcpy(ram + (2 << 20), "abc", 4);
	set64(USER_PT, (2ULL << 20) | P | U);
	assert_int_equal(read_str(VA(0, 0), out, 8, &nul), 3);
	set64(DIRECT_PD + 8, 0); /* physical [2 MiB, 4 MiB) */
	assert_int_equal(read_str(VA(0, 0), out, 8, &nul), 0);
	/* The direct map puts another page there: not the one asked for. */
	set64(DIRECT_PD + 8, (3ULL << 21) | P | PS);
	assert_int_equal(read_str(VA(0, 0), out, 8, &nul), 0);
	/* A table outside the direct map ends the walk too. */
	set64(DIRECT_PD + 8, (1ULL << 21) | P | PS);
	set64(DIRECT_PD, 0);
	assert_int_equal(read_str(VA(0, 0), out, 8, &nul), 0);
}

/* A table that points at itself at every level: four steps, then a
 * "page" that is the table; it ends, and after a bounded number of reads. */
static void self_referencing_tables_terminate(void **state)
{
	char out[64];
	int nul;

	set64(PML4 + 8, PML4 | P | U);
	copies = 0;
	/* PML4[1] -> PML4 as PDPT, PD, PT: index 1 at every level. */
	assert_int_equal(read_str((1ULL << 39) | (1ULL << 30) | (1ULL << 21) | (1ULL << 12) | 8,
				  out, sizeof(out), &nul),
			 2); /* the "page" is the table: PML4[1] is 0x1005, "\x05\x10" */
	assert_true(copies < 64);
}

/* ---- what the analyzer captures ---- */

#define EMITTED_MAX (6 * FVX_DATA_PIECES_MAX + 1)
static struct fvx_trace_record emitted[EMITTED_MAX];
static int emitted_count;

static void fake_emit(void *ctx, const struct fvx_trace_record *r)
{
	(void)ctx;
	assert_true(emitted_count < EMITTED_MAX);
	emitted[emitted_count++] = *r;
}

static struct fvx_config config = { .string_limit = 32 };
static __u8 capture_again, last_unread; /* fvx_capture's `again` and what it returned */

/* Captures for the call nr(args) (at its return with value ret when
 * at_return) with room records free; returns how many were emitted. */
static int capture(__u64 nr, const __u64 args[6], int at_return, __s64 ret, __u64 room)
{
	struct fvx_trace_record owner = {
		.nr = nr, .pid = 42, .tgid = 41, .tsc = 99, .cpu = 1, .flags = owner_compat
	};
	int i;

	if (at_return) {
		owner.flags |= FVX_RECORD_RETURN;
		owner.args[0] = (__u64)ret;
	} else {
		for (i = 0; i < 6; i++)
			owner.args[i] = args[i];
	}
	emitted_count = 0;
	last_unread =
		fvx_capture(&config, &mem, &owner, args, room, capture_again, fake_emit, NULL);
	return emitted_count;
}

static int value_of(int arg, __u8 *out, int *state);

/* Piece n's header, after checking it is a data record of the owner. */
static struct fvx_data_header piece(int n, int at_return)
{
	const struct fvx_trace_record *r = &emitted[n];

	assert_int_equal(r->flags,
			 FVX_RECORD_DATA | owner_compat | (at_return ? FVX_RECORD_RETURN : 0));
	assert_int_equal(r->pid, 42);
	assert_int_equal(r->tsc, 99);
	assert_true(fvx_data_header_valid(fvx_data_header_unpack(r->cr3)));
	return fvx_data_header_unpack(r->cr3);
}

/* openat's path at entry: one piece, the string without its NUL; a long
 * one whole (a prefix of 300 bytes and where it leads, as strace shows
 * it), in pieces of FVX_DATA_PIECE across a page boundary; one without a
 * NUL in PATH_MAX bytes cut at FVX_DATA_STRING_MAX. */
static void paths_are_captured_at_entry(void **state)
{
	static const char tail[] = "/../../../../etc/shadow";
	__u64 args[6] = { (__u64)-100, VA(0, 100), 0, 0 };
	struct fvx_data_header h;
	__u8 v[FVX_DATA_MAX];
	int i, st, n;

	memcpy(ram + DATA + 100, "/etc/passwd", 12);
	assert_int_equal(capture(257, args, 0, 0, 100), 1);
	h = piece(0, 0);
	assert_int_equal(h.arg, 1);
	assert_int_equal(h.state, FVX_DATA_COMPLETE);
	assert_int_equal(h.total, 11);
	assert_memory_equal(emitted[0].args, "/etc/passwd", 11);
	/* Nothing at its return: the path was read at entry. */
	assert_int_equal(capture(257, args, 1, 3, 100), 0);
	/* 4000 bytes from near the page's end: they go on in the next page. */
	args[1] = VA(0, 4000);
	memset(ram + DATA + 4000, 'a', 300);
	memcpy(ram + DATA + 4300, tail, sizeof(tail));
	n = (300 + (int)sizeof(tail) - 1 + FVX_DATA_PIECE - 1) / FVX_DATA_PIECE;
	assert_int_equal(capture(257, args, 0, 0, 1000), n);
	assert_int_equal(value_of(1, v, &st), 300 + (int)sizeof(tail) - 1);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	assert_memory_equal(v + 300, tail, sizeof(tail) - 1);
	/* No NUL in PATH_MAX bytes. */
	args[1] = VA(0, 100);
	memset(ram + DATA + 100, 'p', 2 * 4096);
	n = FVX_DATA_STRING_MAX / FVX_DATA_PIECE + 1;
	assert_int_equal(capture(257, args, 0, 0, 1000), n);
	for (i = 0; i < n; i++) {
		h = piece(i, 0);
		assert_int_equal(h.offset, i * FVX_DATA_PIECE);
		assert_int_equal(h.total, FVX_DATA_STRING_MAX);
		assert_int_equal(h.state, FVX_DATA_TRUNCATED);
	}
	assert_int_equal(h.length, FVX_DATA_STRING_MAX - (n - 1) * FVX_DATA_PIECE);
	/* A ring without room for them all and the call: none, the address. */
	assert_int_equal(capture(257, args, 0, 0, (__u64)n), 0);
}

/* write's buffer at entry: min(count, -s) bytes, truncated beyond; a 4 GiB
 * count is bounded the same; -s beyond the hard bound is that bound. */
static void write_buffers_are_bounded(void **state)
{
	__u64 args[6] = { 1, VA(0, 0), 6 };

	memcpy(ram + DATA, "hello\n", 6);
	assert_int_equal(capture(1, args, 0, 0, 100), 1);
	assert_int_equal(piece(0, 0).state, FVX_DATA_COMPLETE);
	assert_int_equal(piece(0, 0).total, 6);
	args[2] = 4ULL << 30;
	assert_int_equal(capture(1, args, 0, 0, 100), 1);
	assert_int_equal(piece(0, 0).state, FVX_DATA_TRUNCATED);
	assert_int_equal(piece(0, 0).total, 32);
	config.string_limit = 100000;
	assert_int_equal(capture(1, args, 0, 0, 100), FVX_DATA_BUFFER_MAX / FVX_DATA_PIECE + 1);
	assert_int_equal(piece(0, 0).total, FVX_DATA_BUFFER_MAX);
	config.string_limit = 0; /* -s 0: strace's ""... */
	assert_int_equal(capture(1, args, 0, 0, 100), 1);
	assert_int_equal(piece(0, 0).total, 0);
	assert_int_equal(piece(0, 0).state, FVX_DATA_TRUNCATED);
	config.string_limit = 32;
}

/* read's buffer at its return: what it filled (the return value), only
 * when it succeeded; getcwd's path likewise. */
static void filled_buffers_are_captured_at_return(void **state)
{
	__u64 args[6] = { 3, VA(0, 0), 100 };

	memcpy(ram + DATA, "abcdefgh", 8);
	assert_int_equal(capture(0, args, 0, 0, 100), 0);
	assert_int_equal(capture(0, args, 1, 5, 100), 1);
	assert_int_equal(piece(0, 1).total, 5);
	assert_int_equal(piece(0, 1).state, FVX_DATA_COMPLETE);
	assert_int_equal(capture(0, args, 1, -11, 100), 0);
	assert_int_equal(capture(0, args, 1, 0, 100), 1);
	assert_int_equal(piece(0, 1).total, 0);
	args[0] = VA(0, 0);
	args[1] = 4096;
	memcpy(ram + DATA, "/root", 6);
	assert_int_equal(capture(79, args, 1, 6, 100), 1);
	assert_int_equal(piece(0, 1).total, 5);
	assert_int_equal(piece(0, 1).arg, 0);
}

/* Bad pointers: NULL is not read (the frontend prints NULL); 0x1, a
 * string into an unmapped page, a PROT_NONE page: one UNREADABLE piece. */
static void bad_pointers_are_unreadable(void **state)
{
	__u64 args[6] = { 0, 0 };

	assert_int_equal(capture(2, args, 0, 0, 100), 0);
	args[0] = 1;
	assert_int_equal(capture(2, args, 0, 0, 100), 1);
	assert_int_equal(piece(0, 0).state, FVX_DATA_UNREADABLE);
	assert_int_equal(piece(0, 0).total, 0);
	memset(ram + DATA + 4096 - 4, 'x', 4);
	set64(USER_PT + 8, 0);
	args[0] = VA(0, 4096 - 4);
	assert_int_equal(capture(2, args, 0, 0, 100), 1);
	assert_int_equal(piece(0, 0).state, FVX_DATA_UNREADABLE);
	set64(USER_PT, DATA | PROTNONE | U);
	args[0] = VA(0, 0);
	assert_int_equal(capture(2, args, 0, 0, 100), 1);
	assert_int_equal(piece(0, 0).state, FVX_DATA_UNREADABLE);
	/* write() of 8 bytes of which 4 are mapped: unreadable, as strace. */
	args[0] = 1;
	args[1] = VA(0, 4096 + 4096 - 4);
	args[2] = 8;
	set64(USER_PT + 8, (DATA + 4096) | P | U);
	set64(USER_PT + 16, 0);
	assert_int_equal(capture(1, args, 0, 0, 100), 1);
	assert_int_equal(piece(0, 0).state, FVX_DATA_UNREADABLE);
}

/* A ring without room for the pieces and their owner gets none of them. */
static void pieces_need_room_for_their_owner(void **state)
{
	__u64 args[6] = { VA(0, 0), VA(0, 200) }; /* rename(old, new) */

	memcpy(ram + DATA, "old", 4);
	memcpy(ram + DATA + 200, "new", 4);
	assert_int_equal(capture(82, args, 0, 0, 3), 2);
	assert_int_equal(piece(1, 0).arg, 1);
	assert_int_equal(capture(82, args, 0, 0, 2), 1);
	assert_int_equal(capture(82, args, 0, 0, 1), 0);
	assert_int_equal(capture(82, args, 0, 0, 0), 0);
}

/* ---- vectors and socket addresses ---- */

#define SYS_EXECVE 59

/* Argument arg's value as the emitted pieces carry it, into out (at least
 * FVX_DATA_MAX bytes); its total, or -1 when no piece has it. */
static int value_of(int arg, __u8 *out, int *state)
{
	int i, total = -1;

	for (i = 0; i < emitted_count; i++) {
		struct fvx_data_header h = fvx_data_header_unpack(emitted[i].cr3);

		if (h.arg != arg)
			continue;
		assert_true(fvx_data_header_valid(h));
		memcpy(out + h.offset, emitted[i].args, h.length);
		*state = h.state;
		total = h.total;
	}
	return total;
}

/* The pointer p at user address va. */
static void put_ptr(__u64 va, __u64 p)
{
	__u64 pa = DATA + ((va >> 12) & 511) * 4096 + (va & 4095);

	set64(pa, p);
}

static void put_str(__u64 va, const char *s)
{
	memcpy(ram + DATA + ((va >> 12) & 511) * 4096 + (va & 4095), s, strlen(s) + 1);
}

/* execve("/bin/ls", ["ls", "-l", "/"], envp of 3): argv's items and
 * envp's count; an empty argv; execveat's argv and envp at 2 and 3. */
static void argv_and_envp_are_captured_at_entry(void **state)
{
	__u64 args[6] = { VA(2, 0), VA(0, 0), VA(0, 256) };
	__u8 v[FVX_DATA_MAX];
	__u32 count;
	int st, i;

	put_str(VA(2, 0), "/bin/ls");
	put_str(VA(1, 0), "ls");
	put_str(VA(1, 8), "-l");
	put_str(VA(1, 16), "/");
	put_ptr(VA(0, 0), VA(1, 0));
	put_ptr(VA(0, 8), VA(1, 8));
	put_ptr(VA(0, 16), VA(1, 16));
	for (i = 0; i < 3; i++)
		put_ptr(VA(0, 256 + 8 * i), VA(1, 0));
	assert_int_equal(capture(SYS_EXECVE, args, 0, 0, 100), 3);
	assert_int_equal(value_of(1, v, &st), 11);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	assert_memory_equal(v, "\1ls\0\1-l\0\1/\0", 11);
	assert_int_equal(value_of(2, v, &st), 4);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	memcpy(&count, v, 4);
	assert_int_equal(count, 3);
	/* Nothing at the return (there is none when it succeeds). */
	assert_int_equal(capture(SYS_EXECVE, args, 1, -2, 100), 0);
	/* argv[0] NULL: an empty value; execveat (dirfd, path, argv, envp). */
	put_ptr(VA(0, 0), 0);
	assert_int_equal(capture(SYS_EXECVE, args, 0, 0, 100), 3);
	assert_int_equal(value_of(1, v, &st), 0);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	args[0] = (__u64)-100;
	args[1] = VA(2, 0);
	args[2] = VA(0, 8);
	args[3] = VA(0, 256);
	assert_int_equal(capture(322, args, 0, 0, 100), 3);
	assert_int_equal(value_of(2, v, &st), 7);
	assert_memory_equal(v, "\1-l\0\1/\0", 7);
	assert_int_equal(value_of(3, v, &st), 4);
}

/* setsockopt's optlen is an int: the kernel reads 4 bytes for a length
 * of 1 << 32 | 4, and so does the capture (not -s bytes and "..."). */
static void an_int_length_is_the_low_half(void **state)
{
	__u64 args[6] = { 3, 1, 2, VA(2, 0), (1ULL << 32) | 4 };
	__u8 v[FVX_DATA_MAX];
	int st;

	put_str(VA(2, 0), "abcdefgh");
	assert_int_equal(capture(54, args, 0, 0, 100), 1); /* setsockopt */
	assert_int_equal(value_of(3, v, &st), 4);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	assert_memory_equal(v, "abcd", 4);
}

/* A 32-bit execve's arrays hold 4-byte pointers (compat_uptr_t), as the
 * kernel reads them: [0x1000] and then NULL, not [0x1000, 0x2000]; envp
 * counts its 4-byte pointers. */
static void compat_argv_has_4_byte_pointers(void **state)
{
	__u64 args[6] = { VA(2, 0), VA(0, 0), VA(0, 256) }, p;
	__u32 argv[4] = { 0x1000, 0, 0x2000, 0 }, envp[4] = { 1, 2, 3, 0 }, count;
	__u8 v[FVX_DATA_MAX];
	int st;

	put_str(VA(2, 0), "/bin/sh");
	memcpy(ram + DATA, argv, sizeof(argv));
	memcpy(ram + DATA + 256, envp, sizeof(envp));
	owner_compat = FVX_RECORD_COMPAT;
	assert_int_equal(capture(11, args, 0, 0, 100), 3); /* i386 execve */
	assert_int_equal(value_of(1, v, &st), 9);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	assert_int_equal(v[0], FVX_VEC_ADDR); /* (nothing mapped there) */
	memcpy(&p, v + 1, 8);
	assert_int_equal(p, 0x1000);
	assert_int_equal(value_of(2, v, &st), 4);
	memcpy(&count, v, 4);
	assert_int_equal(count, 3);
	owner_compat = 0;
}

/* A page of a 32-bit process's: user address LOW -> DATA + 8 pages (the
 * page after it not mapped). */
#define LOW 0x10000ULL
static void map_low(void)
{
	set64(PML4, 0x7000 | P | W | U);
	set64(0x7000, 0x8000 | P | W | U);
	set64(0x8000, 0x9000 | P | W | U);
	set64(0x9000 + 16 * 8, (DATA + 8 * 4096ULL) | P | W | U);
}

/* socketcall(call, array) of thread pid (flags: FVX_RECORD_COMPAT, and
 * FVX_RECORD_RETURN at its return) through fvx_socketcall_unfold: the
 * record as it leaves it; args as it leaves them. */
static struct fvx_trace_record socketcall(struct fvx_slot *table, __u32 pid, __u32 flags,
					  __u64 call, __u64 array, __u64 args[6])
{
	struct fvx_trace_record rec = { .nr = 102, .flags = flags };

	args[0] = call;
	args[1] = array;
	fvx_socketcall_unfold(&mem, table, pid, &rec, args);
	return rec;
}

/* i386's socketcall(SYS_CONNECT, args) is the i386 connect of the words at
 * args, whose socket address is then captured; accept is accept4 with
 * flags 0. A return takes the words its entry read, whatever the array
 * holds by then (a recv into it), and only its own thread's; one whose
 * entry was not unfolded stays socketcall. An unreadable or short array,
 * an unknown call, or a 64-bit call of the same number: socketcall's
 * registers, untouched. */
static void socketcall_is_the_call_it_does(void **state)
{
	static struct fvx_slot table[FVX_SOCKETCALL_SLOTS];
	const __u32 connect[3] = { 3, LOW + 64, 16 }, accept[3] = { 4, LOW + 64, LOW + 96 };
	const __u32 decoy[3] = { 9, LOW + 200, 5 };
	const __u8 sin[16] = { 2, 0, 0, 80, 127, 0, 0, 1 };
	const __u64 bad[][2] = {
		{ 3, 0x1 }, { 3, LOW + 4096 - 8 }, { 0, LOW }, { 21, LOW }, { 1ULL << 40, LOW }
	};
	struct fvx_trace_record rec = { .nr = 102, .flags = FVX_RECORD_COMPAT };
	__u64 args[6] = { 3, LOW, 0x55, 0x66 }, want[6] = { 3, LOW + 64, 16 };
	__u8 v[FVX_DATA_MAX];
	size_t i;
	int st;

	(void)state;
	memset(table, 0, sizeof(table));
	map_low();
	memcpy(ram + DATA + 8 * 4096, connect, sizeof(connect));
	memcpy(ram + DATA + 8 * 4096 + 64, sin, sizeof(sin));
	fvx_socketcall_unfold(&mem, table, 42, &rec, args);
	assert_int_equal(rec.nr, 362); /* i386 connect */
	assert_memory_equal(args, want, sizeof(want));
	assert_memory_equal(rec.args, want, sizeof(want));
	owner_compat = FVX_RECORD_COMPAT;
	assert_int_equal(capture(362, args, 0, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), 16);
	assert_memory_equal(v, sin, 16);
	owner_compat = 0;
	/* accept: accept4's four arguments, the last 0. At its return the
	 * array holds a decoy (the call received into it): the entry's words
	 * still. Another thread's return does not take them. */
	memcpy(ram + DATA + 8 * 4096, accept, sizeof(accept));
	rec = (struct fvx_trace_record){ .nr = 102, .flags = FVX_RECORD_COMPAT };
	args[0] = 5;
	args[1] = LOW;
	args[3] = 0x77;
	fvx_socketcall_unfold(&mem, table, 42, &rec, args);
	assert_int_equal(rec.nr, 364); /* i386 accept4 */
	assert_int_equal(args[2], LOW + 96);
	assert_int_equal(args[3], 0);
	memcpy(ram + DATA + 8 * 4096, decoy, sizeof(decoy));
	rec = (struct fvx_trace_record){ .nr = 102,
					 .flags = FVX_RECORD_COMPAT | FVX_RECORD_RETURN,
					 .args = { 5 } };
	args[0] = 5;
	args[1] = LOW;
	fvx_socketcall_unfold(&mem, table, 42 + FVX_SOCKETCALL_SLOTS, &rec, args);
	assert_int_equal(rec.nr, 102);
	fvx_socketcall_unfold(&mem, table, 42, &rec, args);
	assert_int_equal(rec.nr, 364);
	assert_int_equal(rec.args[0], 5);
	assert_int_equal(args[0], 4);
	assert_int_equal(args[1], LOW + 64);
	assert_int_equal(args[2], LOW + 96);
	/* Taken: a second return (none came in between) stays socketcall. */
	rec = socketcall(table, 42, FVX_RECORD_COMPAT | FVX_RECORD_RETURN, 5, LOW, args);
	assert_int_equal(rec.nr, 102);
	/* Not unfolded, and the thread's earlier words forgotten: its return
	 * stays socketcall too. */
	memcpy(ram + DATA + 8 * 4096 + 4096 - 8, connect, 8);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		__u64 a[6] = { 0 };

		memcpy(ram + DATA + 8 * 4096, connect, sizeof(connect));
		assert_int_equal(socketcall(table, 42, FVX_RECORD_COMPAT, 3, LOW, a).nr, 362);
		a[2] = 7;
		rec = socketcall(table, 42, FVX_RECORD_COMPAT, bad[i][0], bad[i][1], a);
		assert_int_equal(rec.nr, 102);
		assert_int_equal(a[0], bad[i][0]);
		assert_int_equal(a[1], bad[i][1]);
		assert_int_equal(a[2], 7);
		rec = socketcall(table, 42, FVX_RECORD_COMPAT | FVX_RECORD_RETURN, 3, LOW, a);
		assert_int_equal(rec.nr, 102);
	}
	/* A slot another thread of it is writing (on another CPU) stays its:
	 * the entry unfolds, its return shows socketcall's registers; nor does
	 * a failed entry forget another thread's words. */
	memcpy(ram + DATA + 8 * 4096, connect, sizeof(connect));
	table[42].key = FVX_SLOT_WRITING | (42 + FVX_SOCKETCALL_SLOTS);
	assert_int_equal(socketcall(table, 42, FVX_RECORD_COMPAT, 3, LOW, args).nr, 362);
	assert_int_equal(table[42].key, FVX_SLOT_WRITING | (42 + FVX_SOCKETCALL_SLOTS));
	rec = socketcall(table, 42, FVX_RECORD_COMPAT | FVX_RECORD_RETURN, 3, LOW, args);
	assert_int_equal(rec.nr, 102);
	table[42].key = fvx_socketcall_key(42 + FVX_SOCKETCALL_SLOTS, 3);
	(void)socketcall(table, 42, FVX_RECORD_COMPAT, 3, 0x1, args);
	assert_int_equal(table[42].key, fvx_socketcall_key(42 + FVX_SOCKETCALL_SLOTS, 3));
	rec = socketcall(table, 42, 0, 3, LOW, args); /* x86-64's getuid */
	assert_int_equal(rec.nr, 102);
	assert_int_equal(args[1], LOW);
}

/* An io_uring operation's arguments wait in a slot for its completion,
 * found by the kernel's request: taken once, by that request only; a slot
 * another writer holds is not written; no request (0) keeps nothing. Only
 * the operations whose calls fill memory need theirs. */
static void uring_arguments_wait_for_their_completion(void **state)
{
	static struct fvx_slot table[FVX_URING_SLOTS];
	const __u64 req = 0xffff888004a1b2c0ULL, other = req + 0x40, args[6] = { 3, 0x7000, 32 };
	struct fvx_slot *slot = fvx_uring_slot(table, req);
	__u64 kept[6];

	assert_true(slot >= table && slot < table + FVX_URING_SLOTS);
	assert_int_equal(fvx_slot_put(slot, slot->key, fvx_uring_key(req), args), 1);
	assert_int_equal(fvx_slot_take(fvx_uring_slot(table, other), fvx_uring_key(other), kept),
			 0);
	assert_int_equal(fvx_slot_take(slot, fvx_uring_key(req), kept), 1);
	assert_memory_equal(kept, args, sizeof(kept));
	assert_int_equal(slot->key, 0);
	assert_int_equal(fvx_slot_take(slot, fvx_uring_key(req), kept), 0);
	assert_int_equal(fvx_slot_take(slot, fvx_uring_key(0), kept), 0);
	/* Held by another writer: left alone, and nothing to take. */
	slot->key = FVX_SLOT_WRITING | 7;
	assert_int_equal(fvx_slot_put(slot, slot->key, fvx_uring_key(req), args), 0);
	assert_int_equal(slot->key, FVX_SLOT_WRITING | 7);
	assert_int_equal(fvx_slot_take(slot, fvx_uring_key(req), kept), 0);
	/* A key read before another writer came: the claim fails. */
	slot->key = fvx_uring_key(other);
	assert_int_equal(fvx_slot_put(slot, 0, fvx_uring_key(req), args), 0);
	assert_int_equal(slot->key, fvx_uring_key(other));
	assert_int_equal(fvx_uring_key(0), 0);
	assert_true(fvx_uring_key(req) >> 63 && !(fvx_uring_key(req) & FVX_SLOT_WRITING));
}

/* Which reads keep their arguments: READ and RECV into the entry's buffer;
 * not into a buffer the kernel picks, a registered one, or an array's.
 * Which operations may change the program's memory: all but those that
 * only read it or none (a write may go to /proc/self/mem, a read to an
 * address mapping the same page as another's). */
static void uring_reads_that_keep_their_arguments(void **state)
{
	const __u32 select = 1u << IOSQE_BUFFER_SELECT_BIT;

	assert_true(fvx_uring_keeps(IORING_OP_READ, 0) && fvx_uring_keeps(IORING_OP_RECV, 0));
	assert_false(fvx_uring_keeps(IORING_OP_READ, select) ||
		     fvx_uring_keeps(IORING_OP_RECV, select) ||
		     fvx_uring_keeps(IORING_OP_READ_FIXED, 0) ||
		     fvx_uring_keeps(IORING_OP_READV, 0) || fvx_uring_keeps(IORING_OP_RECVMSG, 0) ||
		     fvx_uring_keeps(IORING_OP_WRITE, 0) || fvx_uring_keeps(IORING_OP_ACCEPT, 0));
	assert_true(fvx_uring_may_write(IORING_OP_READ) && fvx_uring_may_write(IORING_OP_READV) &&
		    fvx_uring_may_write(IORING_OP_WRITE) && fvx_uring_may_write(IORING_OP_SPLICE) &&
		    fvx_uring_may_write(IORING_OP_MADVISE) &&
		    fvx_uring_may_write(IORING_OP_FALLOCATE) &&
		    fvx_uring_may_write(IORING_OP_STATX) && fvx_uring_may_write(0xfe));
	assert_false(fvx_uring_may_write(IORING_OP_NOP) || fvx_uring_may_write(IORING_OP_OPENAT) ||
		     fvx_uring_may_write(IORING_OP_SEND) || fvx_uring_may_write(IORING_OP_CLOSE));
}

/* A batch of a read of the secret into B and a read of a decoy into B (or
 * into another address mapping B's page): the second's submission drops
 * the first's arguments, so the first's completion shows no bytes rather
 * than the decoy's; so does any operation's completion that may have
 * changed memory as it ran. One that cannot, or in another address space,
 * leaves them; a request submitted again drops what it left; a slot
 * another writer holds is left to it. */
static void uring_submissions_drop_what_they_may_overwrite(void **state)
{
	static struct fvx_slot table[FVX_URING_SLOTS];
	const __u64 req = 0xffff888004a1b2c0ULL, other = 0xffff888004a1c400ULL, root = 0x1000;
	const __u64 kept[6] = { 3, 0x7000, 32, 0, IORING_OP_READ, root };
	struct fvx_slot *slot = fvx_uring_slot(table, req);
	__u64 got[6];

#define KEEP() assert_int_equal(fvx_slot_put(slot, slot->key, fvx_uring_key(req), kept), 1)
	KEEP();
	fvx_uring_spoil(table, root, other, 1);
	assert_int_equal(slot->key, 0);
	KEEP();
	fvx_uring_spoil(table, root + 0x1000, other, 1);
	fvx_uring_spoil(table, root, other, 0);
	fvx_uring_spoil(table, root, 0, 0);
	assert_int_equal(slot->key, fvx_uring_key(req));
	fvx_uring_spoil(table, root + 0x1000, req, 0);
	assert_int_equal(fvx_slot_take(slot, fvx_uring_key(req), got), 0);
	slot->key = FVX_SLOT_WRITING | 7;
	fvx_uring_spoil(table, root, other, 1);
	assert_int_equal(slot->key, FVX_SLOT_WRITING | 7);
	slot->key = 0;
#undef KEEP
}

/* argv pointing at nothing mapped (or at 0x1): UNREADABLE; an array with
 * no NULL up to an unmapped page: its strings, then FVX_VEC_FAULT; a
 * string with no NUL up to an unmapped page, or in kernel memory: its
 * pointer (FVX_VEC_ADDR); one with no NUL within -s + 1 bytes: those. */
static void bad_argv_shows_as_strace_shows_it(void **state)
{
	__u64 args[6] = { VA(2, 0), VA(0, 0), 0 }, p;
	__u8 v[FVX_DATA_MAX], want[64];
	int st;

	set64(USER_PT, 0);
	assert_int_equal(capture(SYS_EXECVE, args, 0, 0, 100), 2);
	assert_int_equal(value_of(1, v, &st), 0);
	assert_int_equal(st, FVX_DATA_UNREADABLE);
	args[1] = 1;
	assert_int_equal(capture(SYS_EXECVE, args, 0, 0, 100), 2);
	assert_int_equal(value_of(1, v, &st), 0);
	assert_int_equal(st, FVX_DATA_UNREADABLE);
	/* Three pointers at the end of page 4, page 5 not mapped. */
	set64(USER_PT + 5 * 8, 0);
	args[1] = VA(4, 4096 - 24);
	put_str(VA(2, 100), "a");
	put_str(VA(2, 4096 - 4), "abcd"); /* runs into page 3... */
	set64(USER_PT + 3 * 8, 0); /* ...which is not mapped */
	memset(ram + DATA + 6 * 4096, 'z', 4096);
	put_ptr(VA(4, 4096 - 24), VA(2, 100));
	put_ptr(VA(4, 4096 - 16), VA(2, 4096 - 4));
	put_ptr(VA(4, 4096 - 8), PAGE_OFFSET + DATA);
	assert_int_equal(capture(SYS_EXECVE, args, 0, 0, 100), 2);
	assert_int_equal(value_of(1, v, &st), 3 + 9 + 9 + 1);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	memcpy(want, "\1a\0\2", 4);
	p = VA(2, 4096 - 4);
	memcpy(want + 4, &p, 8);
	want[12] = FVX_VEC_ADDR;
	p = PAGE_OFFSET + DATA;
	memcpy(want + 13, &p, 8);
	want[21] = FVX_VEC_FAULT;
	assert_memory_equal(v, want, 22);
	/* A string of 4096 'z' (no NUL before page 7's zeros): -s + 1 bytes. */
	put_ptr(VA(4, 4096 - 8), VA(6, 0));
	assert_int_equal(capture(SYS_EXECVE, args, 0, 0, 100), 2);
	assert_int_equal(value_of(1, v, &st), 3 + 9 + 1 + 33 + 1 + 1);
	assert_int_equal(v[12], FVX_VEC_STR);
	assert_int_equal(v[13 + 32], 'z');
	assert_int_equal(v[13 + 33], 0);
	assert_int_equal(v[13 + 34], FVX_VEC_FAULT);
}

/* More strings than -s: -s of them, TRUNCATED; more bytes than
 * FVX_DATA_VALUE_MAX: what fits, TRUNCATED; -s 0: none, TRUNCATED. */
static void argv_is_bounded(void **state)
{
	__u64 args[6] = { VA(2, 0), VA(0, 0), 0 };
	__u8 v[FVX_DATA_MAX];
	char s[31];
	int st, i;

	for (i = 0; i < 40; i++)
		put_ptr(VA(0, 8 * i), VA(1, 0));
	put_ptr(VA(0, 8 * 40), 0);
	put_str(VA(1, 0), "a");
	assert_int_equal(capture(SYS_EXECVE, args, 0, 0, 100), 1 + 2);
	assert_int_equal(value_of(1, v, &st), 32 * 3);
	assert_int_equal(st, FVX_DATA_TRUNCATED);
	/* Strings of 30 bytes: eight fill the value. */
	memset(s, 'x', 30);
	s[30] = 0;
	put_str(VA(1, 0), s);
	assert_int_equal(capture(SYS_EXECVE, args, 0, 0, 100), 7);
	assert_int_equal(value_of(1, v, &st), FVX_DATA_VALUE_MAX);
	assert_int_equal(st, FVX_DATA_TRUNCATED);
	assert_int_equal(v[FVX_DATA_VALUE_MAX - 32], FVX_VEC_STR);
	assert_int_equal(v[FVX_DATA_VALUE_MAX - 1], 0);
	/* Strings of 40 bytes, -s 100: six fit, the seventh does not. */
	memset(ram + DATA + 4096, 'y', 40);
	ram[DATA + 4096 + 40] = 0;
	config.string_limit = 100;
	assert_int_equal(capture(SYS_EXECVE, args, 0, 0, 100), 1 + 6);
	assert_int_equal(value_of(1, v, &st), 6 * 42);
	assert_int_equal(st, FVX_DATA_TRUNCATED);
	config.string_limit = 0;
	assert_int_equal(capture(SYS_EXECVE, args, 0, 0, 100), 2);
	assert_int_equal(value_of(1, v, &st), 0);
	assert_int_equal(st, FVX_DATA_TRUNCATED);
	config.string_limit = 32;
}

/* envp: counted up to its NULL or to FVX_ENVP_MAX (TRUNCATED beyond,
 * exactly that many before a NULL is COMPLETE); unreadable at once, or
 * after some pointers (counted, then FVX_VEC_FAULT). */
static void envp_is_counted(void **state)
{
	__u64 args[6] = { VA(2, 0), 0, VA(0, 0) };
	__u8 v[FVX_DATA_MAX];
	__u32 count;
	int st, i;

	for (i = 0; i < 1100; i++)
		put_ptr(VA(0, 8 * i), 0x1000);
	copies = 0;
	assert_int_equal(capture(SYS_EXECVE, args, 0, 0, 100), 2);
	assert_int_equal(value_of(2, v, &st), 4);
	assert_int_equal(st, FVX_DATA_TRUNCATED);
	memcpy(&count, v, 4);
	assert_int_equal(count, FVX_ENVP_MAX);
	assert_true(copies < 1000); /* the array in chunks: a page walk each */
	put_ptr(VA(0, 8 * FVX_ENVP_MAX), 0);
	assert_int_equal(capture(SYS_EXECVE, args, 0, 0, 100), 2);
	assert_int_equal(value_of(2, v, &st), 4);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	memcpy(&count, v, 4);
	assert_int_equal(count, FVX_ENVP_MAX);
	/* Two pointers at the end of page 4, page 5 not mapped. */
	set64(USER_PT + 5 * 8, 0);
	args[2] = VA(4, 4096 - 16);
	put_ptr(VA(4, 4096 - 16), 0x1000);
	put_ptr(VA(4, 4096 - 8), 0x1000);
	assert_int_equal(capture(SYS_EXECVE, args, 0, 0, 100), 2);
	assert_int_equal(value_of(2, v, &st), 5);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	memcpy(&count, v, 4);
	assert_int_equal(count, 2);
	assert_int_equal(v[4], FVX_VEC_FAULT);
	args[2] = VA(5, 0);
	assert_int_equal(capture(SYS_EXECVE, args, 0, 0, 100), 2);
	assert_int_equal(value_of(2, v, &st), 0);
	assert_int_equal(st, FVX_DATA_UNREADABLE);
}

/* connect, bind, sendto: the address at entry, min(len, 128) bytes of it;
 * a length below 2 (as an int: 4 GiB is 0, 0xffffffff is -1) reads
 * nothing; a page not present: UNREADABLE. */
static void socket_addresses_are_captured_at_entry(void **state)
{
	__u64 args[6] = { 3, VA(0, 0), 16 };
	__u8 v[FVX_DATA_MAX];
	int st;

	memcpy(ram + DATA, "\2\0\0\120\177\0\0\1", 8);
	assert_int_equal(capture(42, args, 0, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), 16);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	assert_memory_equal(v, "\2\0\0\120\177\0\0\1", 8);
	assert_int_equal(capture(42, args, 1, 0, 100), 0);
	args[2] = 4ULL << 30;
	assert_int_equal(capture(42, args, 0, 0, 100), 0);
	args[2] = 0xffffffff;
	assert_int_equal(capture(49, args, 0, 0, 100), 0);
	args[2] = 1;
	assert_int_equal(capture(49, args, 0, 0, 100), 0);
	args[2] = 0x7fffffff;
	assert_int_equal(capture(49, args, 0, 0, 100), 3);
	assert_int_equal(value_of(1, v, &st), FVX_SOCKADDR_MAX);
	args[1] = VA(1, 4096 - 8);
	args[2] = 16;
	set64(USER_PT + 2 * 8, 0);
	assert_int_equal(capture(42, args, 0, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), 0);
	assert_int_equal(st, FVX_DATA_UNREADABLE);
	/* sendto(3, buf, 2, 0, addr, 16): the buffer and the address. */
	args[1] = VA(0, 100);
	args[2] = 2;
	args[3] = 0;
	args[4] = VA(0, 0);
	args[5] = 16;
	assert_int_equal(capture(44, args, 0, 0, 100), 2);
	assert_int_equal(value_of(4, v, &st), 16);
}

/* accept, getsockname, recvfrom: the length at entry (when the address is
 * not NULL), at return the length then and the address the call filled
 * (only the length when it failed; UNREADABLE when the length pointer is
 * not readable); the readable start of an address partly mapped. */
static void socket_addresses_are_captured_at_return(void **state)
{
	__u64 args[6] = { 3, VA(0, 0), VA(0, 512) };
	__u8 v[FVX_DATA_MAX];
	__u32 len = 128, got;
	int st;

	memcpy(ram + DATA + 512, &len, 4);
	memcpy(ram + DATA, "\2\0\0\120\177\0\0\1", 8);
	assert_int_equal(capture(43, args, 0, 0, 100), 1);
	assert_int_equal(value_of(2, v, &st), 4);
	memcpy(&got, v, 4);
	assert_int_equal(got, 128);
	len = 16;
	memcpy(ram + DATA + 512, &len, 4);
	assert_int_equal(capture(43, args, 1, 4, 100), 1);
	assert_int_equal(value_of(1, v, &st), 4 + 16);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	memcpy(&got, v, 4);
	assert_int_equal(got, 16);
	assert_memory_equal(v + 4, "\2\0\0\120\177\0\0\1", 8);
	assert_int_equal(capture(51, args, 1, -9, 100), 1);
	assert_int_equal(value_of(1, v, &st), 4);
	/* Lengths: beyond 128, negative, too short to read. */
	len = 0x7fffffff;
	memcpy(ram + DATA + 512, &len, 4);
	assert_int_equal(capture(52, args, 1, 0, 100), 3);
	assert_int_equal(value_of(1, v, &st), 4 + FVX_SOCKADDR_MAX);
	len = 0xffffffff;
	memcpy(ram + DATA + 512, &len, 4);
	assert_int_equal(capture(52, args, 1, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), 4);
	/* An address at the end of page 1, page 2 not mapped: what is. */
	len = 16;
	memcpy(ram + DATA + 512, &len, 4);
	set64(USER_PT + 2 * 8, 0);
	args[1] = VA(1, 4096 - 8);
	assert_int_equal(capture(43, args, 1, 4, 100), 1);
	assert_int_equal(value_of(1, v, &st), 4 + 8);
	/* The length not readable at return; NULL length or address. */
	args[2] = VA(2, 0);
	assert_int_equal(capture(43, args, 1, 4, 100), 1);
	assert_int_equal(value_of(1, v, &st), 0);
	assert_int_equal(st, FVX_DATA_UNREADABLE);
	args[2] = 0;
	assert_int_equal(capture(43, args, 0, 0, 100), 0);
	assert_int_equal(capture(43, args, 1, 4, 100), 0);
	args[1] = 0;
	args[2] = VA(0, 512);
	assert_int_equal(capture(43, args, 0, 0, 100), 0);
	assert_int_equal(capture(43, args, 1, 4, 100), 0);
	/* recvfrom(3, buf, 100, 0, addr, &len) = 5: the buffer, the address. */
	args[1] = VA(0, 100);
	args[2] = 100;
	args[3] = 0;
	args[4] = VA(0, 0);
	args[5] = VA(0, 512);
	assert_int_equal(capture(45, args, 0, 0, 100), 1);
	assert_int_equal(value_of(5, v, &st), 4);
	assert_int_equal(capture(45, args, 1, 5, 100), 2);
	assert_int_equal(value_of(1, v, &st), 5);
	assert_int_equal(value_of(4, v, &st), 4 + 16);
}

/* 32-bit calls (i386 numbers) are captured as their x86-64 twins: open's
 * path, write's buffer at entry, read's at its return; calls without a
 * twin (mmap2, i386's old mmap), or beyond the table, are not. */
/* Item k of an iovec value at *at: checks its base, length and word, and
 * its bytes (`bytes`, when readable), and moves *at past it. */
static void iov_item(const __u8 *v, int *at, __u64 base, __u64 len, __u16 word, const char *bytes)
{
	__u64 b, l;
	__u16 w;

	memcpy(&b, v + *at, 8);
	memcpy(&l, v + *at + 8, 8);
	memcpy(&w, v + *at + 16, 2);
	assert_int_equal(b, base);
	assert_int_equal(l, len);
	assert_int_equal(w, word);
	*at += FVX_IOV_ITEM;
	if (word != FVX_IOV_UNREADABLE) {
		assert_memory_equal(v + *at, bytes, word & FVX_IOV_SHOWN);
		*at += word & FVX_IOV_SHOWN;
	}
}

/* The iovec at user address va: element k. */
static void put_iov(__u64 va, int k, __u64 base, __u64 len)
{
	put_ptr(va + 16 * k, base);
	put_ptr(va + 16 * k + 8, len);
}

/* writev's elements at entry: each buffer up to -s (32), "more" beyond,
 * an unmapped one unreadable; readv's at return, each its share of the
 * return value (none when it failed); a 32-bit call's 8-byte elements;
 * what does not fit FVX_DATA_MAX truncated; an unmapped array unreadable;
 * a negative count none. */
static void iovec_buffers_are_captured(void **state)
{
	__u64 args[6] = { 3, VA(0, 0), 3 };
	char xs[41];
	__u8 v[FVX_DATA_MAX];
	int st, at = 0, k;

	memset(xs, 'x', 40);
	xs[40] = 0;
	put_str(VA(1, 0), "abc");
	put_str(VA(1, 100), xs);
	set64(USER_PT + 2 * 8, 0);
	put_iov(VA(0, 0), 0, VA(1, 0), 3);
	put_iov(VA(0, 0), 1, VA(1, 100), 40);
	put_iov(VA(0, 0), 2, VA(2, 0), 5);
	assert_int_equal(capture(__NR_writev, args, 0, 0, 100), 2);
	assert_int_equal(value_of(1, v, &st), 3 * FVX_IOV_ITEM + 3 + 32);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	iov_item(v, &at, VA(1, 0), 3, 3, "abc");
	iov_item(v, &at, VA(1, 100), 40, 32 | FVX_IOV_MORE, xs);
	iov_item(v, &at, VA(2, 0), 5, FVX_IOV_UNREADABLE, NULL);
	assert_int_equal(capture(__NR_writev, args, 1, 48, 100), 0);
	/* readv returned 10: "abc", then 7 of the 40, then nothing. */
	assert_int_equal(capture(__NR_readv, args, 0, 0, 100), 0);
	assert_int_equal(capture(__NR_readv, args, 1, 10, 100), 2);
	assert_int_equal(value_of(1, v, &st), 3 * FVX_IOV_ITEM + 3 + 7);
	at = 0;
	iov_item(v, &at, VA(1, 0), 3, 3, "abc");
	iov_item(v, &at, VA(1, 100), 40, 7, xs);
	iov_item(v, &at, VA(2, 0), 5, 0, "");
	assert_int_equal(capture(__NR_readv, args, 1, -14, 100), 0);
	/* i386 writev (146): struct compat_iovec, two 4-byte words (the
	 * fake maps nothing below 4 GiB: its buffer is unreadable). */
	owner_compat = FVX_RECORD_COMPAT;
	put_ptr(VA(0, 512), 0x8048000 | 3ULL << 32);
	put_ptr(VA(0, 520), 0x8049000 | 7ULL << 32);
	args[1] = VA(0, 512);
	args[2] = 2;
	assert_int_equal(capture(146, args, 0, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), 2 * FVX_IOV_ITEM);
	at = 0;
	iov_item(v, &at, 0x8048000, 3, FVX_IOV_UNREADABLE, NULL);
	iov_item(v, &at, 0x8049000, 7, FVX_IOV_UNREADABLE, NULL);
	owner_compat = 0;
	/* 20 one-byte elements: 13 fit, then "...". */
	for (k = 0; k < 20; k++)
		put_iov(VA(3, 0), k, VA(1, 0), 1);
	args[1] = VA(3, 0);
	args[2] = 20;
	assert_int_equal(capture(__NR_writev, args, 0, 0, 100), 6);
	assert_int_equal(value_of(1, v, &st), 13 * (FVX_IOV_ITEM + 1));
	assert_int_equal(st, FVX_DATA_TRUNCATED);
	/* An element past the mapping: the ones before, then "...". */
	args[1] = VA(1, 4096 - 16);
	put_iov(VA(1, 4096 - 16), 0, VA(1, 0), 3);
	assert_int_equal(capture(__NR_writev, args, 0, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), FVX_IOV_ITEM + 3);
	assert_int_equal(st, FVX_DATA_TRUNCATED);
	/* The array itself unmapped: its address; a negative count: none. */
	args[1] = VA(2, 0);
	assert_int_equal(capture(__NR_writev, args, 0, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), 0);
	assert_int_equal(st, FVX_DATA_UNREADABLE);
	args[1] = VA(0, 0);
	args[2] = (__u64)-1;
	assert_int_equal(capture(__NR_writev, args, 0, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), 0);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	/* A 4 GiB element: -s of it. */
	put_iov(VA(0, 0), 0, VA(1, 100), 4ULL << 30);
	args[2] = 1;
	assert_int_equal(capture(__NR_writev, args, 0, 0, 100), 2);
	at = 0;
	value_of(1, v, &st);
	iov_item(v, &at, VA(1, 100), 4ULL << 30, 32 | FVX_IOV_MORE, xs);
	/* At entry each element is its own length: two of 2^63 - 1 (a call
	 * the kernel refuses) leave the third its "abc", as strace shows it. */
	put_iov(VA(0, 0), 0, VA(1, 100), (1ULL << 63) - 1);
	put_iov(VA(0, 0), 1, VA(1, 100), (1ULL << 63) - 1);
	put_iov(VA(0, 0), 2, VA(1, 0), 3);
	args[2] = 3;
	assert_int_equal(capture(__NR_writev, args, 0, 0, 100), 3);
	assert_int_equal(value_of(1, v, &st), 3 * FVX_IOV_ITEM + 32 + 32 + 3);
	at = 0;
	iov_item(v, &at, VA(1, 100), (1ULL << 63) - 1, 32 | FVX_IOV_MORE, xs);
	iov_item(v, &at, VA(1, 100), (1ULL << 63) - 1, 32 | FVX_IOV_MORE, xs);
	iov_item(v, &at, VA(1, 0), 3, 3, "abc");
}

/* Call nr(3, va) (at its entry, or its return with 0) where va's bytes
 * run past the mapping (page 2 unmapped): argument 1 unreadable; the
 * 32-bit call compat_nr, whose layout differs, captures nothing. */
static void unreadable_and_not_compat(__u64 nr, __u64 compat_nr, int at_return, __u64 va)
{
	__u64 args[6] = { 3, va };
	__u8 v[FVX_DATA_MAX];
	int st;

	set64(USER_PT + 2 * 8, 0);
	assert_int_equal(capture(nr, args, at_return, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), 0);
	assert_int_equal(st, FVX_DATA_UNREADABLE);
	owner_compat = FVX_RECORD_COMPAT;
	args[1] = VA(0, 0);
	assert_int_equal(capture(compat_nr, args, at_return, 0, 100), 0);
	owner_compat = 0;
}

/* fstat's and newfstatat's struct stat at a successful return, whole;
 * nothing at entry, after a failure, or for a 32-bit call (another
 * layout); unreadable when it is not all mapped. */
static void stat_buffers_are_captured_at_return(void **state)
{
	__u64 args[6] = { 3, VA(0, 0) }, at[6] = { (__u64)-100, VA(0, 512), VA(1, 0), 0 };
	__u8 v[FVX_DATA_MAX];
	int st, i;

	for (i = 0; i < FVX_STAT_SIZE; i++)
		ram[DATA + i] = (__u8)i;
	put_str(VA(0, 512), "/etc/passwd");
	assert_int_equal(capture(__NR_fstat, args, 0, 0, 100), 0);
	assert_int_equal(capture(__NR_fstat, args, 1, -9, 100), 0);
	assert_int_equal(capture(__NR_fstat, args, 1, 0, 100), 3);
	assert_int_equal(value_of(1, v, &st), FVX_STAT_SIZE);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	assert_memory_equal(v, ram + DATA, FVX_STAT_SIZE);
	/* newfstatat(AT_FDCWD, "/etc/passwd", buf, 0): the path at entry,
	 * the buffer at return. */
	assert_int_equal(capture(__NR_newfstatat, at, 0, 0, 100), 1);
	assert_int_equal(capture(__NR_newfstatat, at, 1, 0, 100), 3);
	assert_int_equal(value_of(2, v, &st), FVX_STAT_SIZE);
	/* The last 8 bytes past the mapping; i386 fstat (108). */
	unreadable_and_not_compat(__NR_fstat, 108, 1, VA(1, 4096 - FVX_STAT_SIZE + 8));
}

/* Captures nr(args) (at its successful return when at_return): one
 * record, argument arg's value the size bytes of the data pages at at. */
static void captured_whole(__u64 nr, const __u64 args[6], int at_return, int arg, int at, int size)
{
	__u8 v[FVX_DATA_MAX];
	int st;

	assert_int_equal(capture(nr, args, at_return, 0, 100), 1);
	assert_int_equal(value_of(arg, v, &st), size);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	assert_memory_equal(v, ram + DATA + at, size);
}

/* statx's struct statx at a successful return, whole (256 bytes), a
 * 32-bit call's too (the same layout); nothing at entry or after a
 * failure. */
static void statx_is_captured_at_return(void **state)
{
	__u64 args[6] = { 3, VA(0, 512), 0x1000, 0x7ff, VA(0, 0) };
	__u8 v[FVX_DATA_MAX];
	int st, i;

	for (i = 0; i < FVX_STATX_SIZE; i++)
		ram[DATA + i] = (__u8)(i * 7);
	put_str(VA(0, 512), "");
	assert_int_equal(capture(__NR_statx, args, 1, -2, 100), 0);
	assert_int_equal(capture(__NR_statx, args, 1, 0, 100),
			 (FVX_STATX_SIZE + FVX_DATA_PIECE - 1) / FVX_DATA_PIECE);
	assert_int_equal(value_of(4, v, &st), FVX_STATX_SIZE);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	assert_memory_equal(v, ram + DATA, FVX_STATX_SIZE);
	owner_compat = FVX_RECORD_COMPAT;
	assert_true(capture(383 /* i386 statx */, args, 1, 0, 100) > 0);
	assert_int_equal(value_of(4, v, &st), FVX_STATX_SIZE);
	owner_compat = 0;
	/* uname's first two fields, at a successful return; gettimeofday's
	 * struct timezone (8 bytes), settimeofday's at entry. */
	args[0] = VA(0, 0);
	assert_int_equal(capture(__NR_uname, args, 0, 0, 100), 0);
	assert_int_equal(capture(__NR_uname, args, 1, -14, 100), 0);
	assert_int_equal(capture(__NR_uname, args, 1, 0, 100),
			 (FVX_UTSNAME_SHOWN + FVX_DATA_PIECE - 1) / FVX_DATA_PIECE);
	assert_int_equal(value_of(0, v, &st), FVX_UTSNAME_SHOWN);
	assert_memory_equal(v, ram + DATA, FVX_UTSNAME_SHOWN);
	args[0] = 0;
	args[1] = VA(0, 64);
	captured_whole(__NR_gettimeofday, args, 1, 1, 64, FVX_TIMEZONE_SIZE);
	captured_whole(__NR_settimeofday, args, 0, 1, 64, FVX_TIMEZONE_SIZE);
	assert_int_equal(capture(__NR_settimeofday, args, 1, 0, 100), 0);
	/* A struct rlimit (16 bytes): setrlimit's and prlimit64's new one at
	 * entry, getrlimit's and prlimit64's old one at a successful return;
	 * a 32-bit call's (another layout for getrlimit and setrlimit) not. */
	captured_whole(__NR_setrlimit, args, 0, 1, 64, FVX_RLIMIT_SIZE);
	captured_whole(__NR_getrlimit, args, 1, 1, 64, FVX_RLIMIT_SIZE);
	assert_int_equal(capture(__NR_getrlimit, args, 1, -22, 100), 0);
	args[2] = VA(0, 128);
	args[3] = VA(0, 256);
	captured_whole(__NR_prlimit64, args, 0, 2, 128, FVX_RLIMIT_SIZE);
	captured_whole(__NR_prlimit64, args, 1, 3, 256, FVX_RLIMIT_SIZE);
	owner_compat = FVX_RECORD_COMPAT;
	assert_int_equal(capture(75 /* i386 setrlimit */, args, 0, 0, 100), 0);
	owner_compat = 0;
	/* sysinfo's struct sysinfo (112 bytes) at a successful return only. */
	args[0] = VA(0, 512);
	assert_int_equal(capture(__NR_sysinfo, args, 0, 0, 100), 0);
	assert_int_equal(capture(__NR_sysinfo, args, 1, -14, 100), 0);
	assert_true(capture(__NR_sysinfo, args, 1, 0, 100) > 0);
	assert_int_equal(value_of(0, v, &st), FVX_SYSINFO_SIZE);
	assert_memory_equal(v, ram + DATA + 512, FVX_SYSINFO_SIZE);
}

/* rt_sigaction's new action at entry and old one at a successful return,
 * whole (32 bytes); rt_sigprocmask's sets the same (8 bytes); nothing for
 * NULL, a sigset size the kernel refuses (strace shows the address), a
 * failed call's old one, or a 32-bit sigaction (another layout), while a
 * 32-bit call's sigset (the same 8 bytes) is captured; unreadable when
 * not all mapped. */
static void signal_structures_are_captured(void **state)
{
	__u64 act[6] = { 10, VA(0, 0), VA(0, 64), 8 }, mask[6] = { 0, VA(0, 128), VA(0, 136), 8 };
	__u8 v[FVX_DATA_MAX];
	int st, i;

	for (i = 0; i < 160; i++)
		ram[DATA + i] = (__u8)(i + 1);
	assert_int_equal(capture(__NR_rt_sigaction, act, 0, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), FVX_SIGACTION_SIZE);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	assert_memory_equal(v, ram + DATA, FVX_SIGACTION_SIZE);
	assert_int_equal(value_of(2, v, &st), -1); /* the old one: at return */
	assert_int_equal(capture(__NR_rt_sigaction, act, 1, 0, 100), 1);
	assert_int_equal(value_of(2, v, &st), FVX_SIGACTION_SIZE);
	assert_memory_equal(v, ram + DATA + 64, FVX_SIGACTION_SIZE);
	assert_int_equal(capture(__NR_rt_sigaction, act, 1, -14, 100), 0);
	assert_int_equal(capture(__NR_rt_sigprocmask, mask, 0, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), FVX_SIGSET_SIZE);
	assert_memory_equal(v, ram + DATA + 128, FVX_SIGSET_SIZE);
	assert_int_equal(capture(__NR_rt_sigprocmask, mask, 1, 0, 100), 1);
	assert_int_equal(value_of(2, v, &st), FVX_SIGSET_SIZE);
	assert_memory_equal(v, ram + DATA + 136, FVX_SIGSET_SIZE);
	/* NULL; a sigset size of 4 (EINVAL). */
	act[1] = 0;
	assert_int_equal(capture(__NR_rt_sigaction, act, 0, 0, 100), 0);
	mask[3] = 4;
	assert_int_equal(capture(__NR_rt_sigprocmask, mask, 0, 0, 100), 0);
	assert_int_equal(capture(__NR_rt_sigprocmask, mask, 1, 0, 100), 0);
	/* i386: rt_sigaction (174) has another layout, rt_sigprocmask (175)
	 * the same set. */
	owner_compat = FVX_RECORD_COMPAT;
	act[1] = VA(0, 0);
	assert_int_equal(capture(174, act, 0, 0, 100), 0);
	mask[3] = 8;
	assert_int_equal(capture(175, mask, 0, 0, 100), 1);
	owner_compat = 0;
	/* rt_sigpending's set at return, rt_sigsuspend's at entry: the size
	 * is their second argument. */
	mask[0] = VA(0, 128);
	mask[1] = 8;
	assert_int_equal(capture(__NR_rt_sigsuspend, mask, 0, 0, 100), 1);
	assert_int_equal(value_of(0, v, &st), FVX_SIGSET_SIZE);
	assert_int_equal(capture(__NR_rt_sigpending, mask, 1, 0, 100), 1);
	assert_int_equal(value_of(0, v, &st), FVX_SIGSET_SIZE);
	mask[1] = 16;
	assert_int_equal(capture(__NR_rt_sigpending, mask, 1, 0, 100), 0);
	/* Its last 8 bytes past the mapping. */
	set64(USER_PT + 2 * 8, 0);
	act[1] = VA(1, 4096 - FVX_SIGACTION_SIZE + 8);
	assert_int_equal(capture(__NR_rt_sigaction, act, 0, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), 0);
	assert_int_equal(st, FVX_DATA_UNREADABLE);
}

/* prctl's task name: PR_SET_NAME's at entry, 15 bytes at most as Linux
 * reads it (TRUNCATED without a NUL in them, also when the page after
 * them is not mapped), PR_GET_NAME's at a successful return; nothing for
 * another option. */
static void prctl_names_are_captured(void **state)
{
	__u64 set[6] = { PR_SET_NAME, VA(0, 0) }, get[6] = { PR_GET_NAME, VA(0, 0) };
	__u8 v[FVX_DATA_MAX];
	int st;

	put_str(VA(0, 0), "kworker/0:1");
	assert_int_equal(capture(__NR_prctl, set, 0, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), 11);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	assert_memory_equal(v, "kworker/0:1", 11);
	assert_int_equal(capture(__NR_prctl, set, 1, 0, 100), 0);
	assert_int_equal(capture(__NR_prctl, get, 0, 0, 100), 0);
	assert_int_equal(capture(__NR_prctl, get, 1, -14, 100), 0);
	assert_int_equal(capture(__NR_prctl, get, 1, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), 11);
	put_str(VA(0, 0), "0123456789abcdefghijkl");
	assert_int_equal(capture(__NR_prctl, set, 0, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), FVX_COMM_SIZE - 1);
	assert_int_equal(st, FVX_DATA_TRUNCATED);
	/* The option is an int: its high half does not hide the name. */
	set[0] = 0x100000000ULL | PR_SET_NAME;
	assert_int_equal(capture(__NR_prctl, set, 0, 0, 100), 1);
	/* 15 bytes ending the last mapped page, which Linux reads whole. */
	set[0] = PR_SET_NAME;
	set[1] = VA(1, 4096 - 15);
	put_str(VA(1, 4096 - 15), "kworker/u8:2-ev");
	set64(USER_PT + 2 * 8, 0);
	assert_int_equal(capture(__NR_prctl, set, 0, 0, 100), 1);
	assert_int_equal(value_of(1, v, &st), FVX_COMM_SIZE - 1);
	assert_int_equal(st, FVX_DATA_TRUNCATED);
	set[0] = PR_SET_PDEATHSIG;
	set[1] = 9;
	assert_int_equal(capture(__NR_prctl, set, 0, 0, 100), 0);
}

/* A struct timespec the call reads at entry (nanosleep's), one it fills at
 * a successful return (clock_gettime's), and a struct timeval the same
 * (select's timeout, gettimeofday's): 16 bytes, an itimerval 32; an i386
 * call's 8 and 16 (its old_timespec32, old_itimerval32); nothing for NULL, at the other end of the call, or
 * after a failure; unreadable when not all mapped. */
static void time_structures_are_captured(void **state)
{
	__u64 sleep[6] = { VA(0, 0), 0 }, get[6] = { 1, VA(0, 32) };
	__u64 sel[6] = { 0, 0, 0, 0, VA(0, 64) }, tod[6] = { VA(0, 96), 0 };
	__u64 itimer[6] = { 1, VA(0, 0), VA(0, 64) };
	__u8 v[FVX_DATA_MAX];
	int st, i;

	for (i = 0; i < 128; i++)
		ram[DATA + i] = (__u8)(i + 1);
	captured_whole(__NR_nanosleep, sleep, 0, 0, 0, FVX_TIME_SIZE);
	assert_int_equal(capture(__NR_nanosleep, sleep, 1, 0, 100), 0);
	assert_int_equal(capture(__NR_clock_gettime, get, 0, 0, 100), 0);
	assert_int_equal(capture(__NR_clock_gettime, get, 1, -22, 100), 0);
	captured_whole(__NR_clock_gettime, get, 1, 1, 32, FVX_TIME_SIZE);
	captured_whole(__NR_select, sel, 0, 4, 64, FVX_TIME_SIZE);
	captured_whole(__NR_gettimeofday, tod, 1, 0, 96, FVX_TIME_SIZE);
	/* setitimer's itimervals: the new one at entry, the old at return. */
	captured_whole(__NR_setitimer, itimer, 0, 1, 0, 2 * FVX_TIME_SIZE);
	captured_whole(__NR_setitimer, itimer, 1, 2, 64, 2 * FVX_TIME_SIZE);
	/* i386 nanosleep (162), clock_gettime (265), setitimer (104):
	 * old_timespec32, old_itimerval32. */
	owner_compat = FVX_RECORD_COMPAT;
	captured_whole(162, sleep, 0, 0, 0, FVX_TIME32_SIZE);
	captured_whole(265, get, 1, 1, 32, FVX_TIME32_SIZE);
	captured_whole(104, itimer, 0, 1, 0, 2 * FVX_TIME32_SIZE);
	owner_compat = 0;
	/* NULL: the pointer shows. */
	sleep[0] = 0;
	assert_int_equal(capture(__NR_nanosleep, sleep, 0, 0, 100), 0);
	/* Its last 8 bytes past the mapping. */
	set64(USER_PT + 2 * 8, 0);
	sleep[0] = VA(1, 4096 - 8);
	assert_int_equal(capture(__NR_nanosleep, sleep, 0, 0, 100), 1);
	assert_int_equal(value_of(0, v, &st), 0);
	assert_int_equal(st, FVX_DATA_UNREADABLE);
}

/* A sleep's remaining time (nanosleep's second, clock_nanosleep's fourth)
 * only at a return a signal cut short (a restart code, as Linux leaves
 * it), as strace shows it: not after it slept its time, not after another
 * error (EINTR is the program's, after the handler), not for an absolute
 * time, not at entry; an i386 call's old_timespec32. */
static void a_sleeps_remaining_time_is_captured_when_cut_short(void **state)
{
	__u64 sleep[6] = { VA(0, 0), VA(0, 32) }, rel[6] = { 1, 0, VA(0, 0), VA(0, 64) };
	__u64 abs[6] = { 1, 1, VA(0, 0), VA(0, 64) };
	__u8 v[FVX_DATA_MAX];
	int st, i;
	static const __s64 cut[] = { -512, -513, -514, -516 };

	for (i = 0; i < 128; i++)
		ram[DATA + i] = (__u8)(i + 3);
	for (i = 0; i < 4; i++) {
		assert_int_equal(capture(__NR_nanosleep, sleep, 1, cut[i], 100), 1);
		assert_int_equal(value_of(1, v, &st), FVX_TIME_SIZE);
		assert_int_equal(st, FVX_DATA_COMPLETE);
		assert_memory_equal(v, ram + DATA + 32, FVX_TIME_SIZE);
	}
	assert_int_equal(capture(__NR_nanosleep, sleep, 1, 0, 100), 0);
	assert_int_equal(capture(__NR_nanosleep, sleep, 1, -4, 100), 0);
	assert_int_equal(capture(__NR_nanosleep, sleep, 1, -515, 100), 0);
	assert_int_equal(capture(__NR_clock_nanosleep, rel, 1, -516, 100), 1);
	assert_int_equal(value_of(3, v, &st), FVX_TIME_SIZE);
	assert_memory_equal(v, ram + DATA + 64, FVX_TIME_SIZE);
	assert_int_equal(capture(__NR_clock_nanosleep, abs, 1, -516, 100), 0);
	/* At entry only the time asked for. */
	assert_int_equal(capture(__NR_nanosleep, sleep, 0, 0, 100), 1);
	assert_int_equal(value_of(0, v, &st), FVX_TIME_SIZE);
	owner_compat = FVX_RECORD_COMPAT;
	assert_int_equal(capture(162, sleep, 1, -516, 100), 1);
	assert_int_equal(value_of(1, v, &st), FVX_TIME32_SIZE);
	owner_compat = 0;
}

/* sendmsg's struct msghdr at entry: the structure, its address's bytes
 * and its elements; recvmsg's at return (the elements' share of the
 * return value); a NULL or short name none; an msg_iovlen of 2^40 only
 * what fits; an unreadable structure its address; nothing for a 32-bit
 * call. */
static void msghdr_is_captured(void **state)
{
	struct {
		__u64 name;
		__u32 namelen, pad;
		__u64 iov, iovlen, control, controllen;
		__u32 flags, pad2;
	} h = { VA(0, 256), 16, 0, VA(0, 512), 2, 0, 0, 0, 0 };
	__u64 args[6] = { 3, VA(0, 0), 0 };
	__u8 v[FVX_DATA_MAX];
	int st, at;

	memcpy(ram + DATA, &h, sizeof(h));
	memcpy(ram + DATA + 256, "\2\0\0\11\177\0\0\1\0\0\0\0\0\0\0\0", 16);
	put_str(VA(1, 0), "ping");
	put_str(VA(1, 100), "-pong\n");
	put_iov(VA(0, 512), 0, VA(1, 0), 4);
	put_iov(VA(0, 512), 1, VA(1, 100), 6);
	assert_int_equal(capture(__NR_sendmsg, args, 1, 10, 100), 0);
	assert_int_equal(capture(__NR_sendmsg, args, 0, 0, 100), 3);
	assert_int_equal(value_of(1, v, &st), FVX_MSGHDR_HEAD + 16 + 2 * FVX_IOV_ITEM + 10);
	assert_int_equal(st, FVX_DATA_COMPLETE);
	assert_memory_equal(v, &h, FVX_MSGHDR_SIZE);
	assert_int_equal(v[FVX_MSGHDR_SIZE], 16);
	assert_int_equal(v[FVX_MSGHDR_SIZE + 1], FVX_DATA_COMPLETE);
	assert_int_equal(v[FVX_MSGHDR_SIZE + 2], 0); /* no control data */
	assert_memory_equal(v + FVX_MSGHDR_HEAD, ram + DATA + 256, 16);
	at = FVX_MSGHDR_HEAD + 16;
	iov_item(v, &at, VA(1, 0), 4, 4, "ping");
	iov_item(v, &at, VA(1, 100), 6, 6, "-pong\n");
	/* recvmsg returned 5, no name. */
	h.name = 0;
	memcpy(ram + DATA, &h, sizeof(h));
	assert_int_equal(capture(__NR_recvmsg, args, 0, 0, 100), 0);
	assert_int_equal(capture(__NR_recvmsg, args, 1, -11, 100), 0);
	assert_int_equal(capture(__NR_recvmsg, args, 1, 5, 100), 3);
	assert_int_equal(value_of(1, v, &st), FVX_MSGHDR_HEAD + 2 * FVX_IOV_ITEM + 5);
	assert_int_equal(v[FVX_MSGHDR_SIZE], 0);
	at = FVX_MSGHDR_HEAD;
	iov_item(v, &at, VA(1, 0), 4, 4, "ping");
	iov_item(v, &at, VA(1, 100), 6, 1, "-");
	/* Control data: read whole after the name, at most
	 * FVX_MSGHDR_CONTROL_MAX; none when shorter than a struct cmsghdr
	 * or not readable whole. */
	h.name = VA(0, 256);
	h.control = VA(0, 1024);
	h.controllen = 24;
	memcpy(ram + DATA, &h, sizeof(h));
	memcpy(ram + DATA + 1024, "\30\0\0\0\0\0\0\0\1\0\0\0\1\0\0\0\3\0\0\0\1\0\0\0", 24);
	assert_true(capture(__NR_sendmsg, args, 0, 0, 100) > 1);
	assert_int_equal(value_of(1, v, &st), FVX_MSGHDR_HEAD + 16 + 24 + 2 * FVX_IOV_ITEM + 10);
	assert_int_equal(v[FVX_MSGHDR_SIZE + 2], 24);
	assert_memory_equal(v + FVX_MSGHDR_HEAD + 16, ram + DATA + 1024, 24);
	h.controllen = 1000;
	memcpy(ram + DATA, &h, sizeof(h));
	assert_true(capture(__NR_sendmsg, args, 0, 0, 100) > 1);
	value_of(1, v, &st);
	assert_int_equal(v[FVX_MSGHDR_SIZE + 2], FVX_MSGHDR_CONTROL_MAX);
	h.controllen = 15;
	memcpy(ram + DATA, &h, sizeof(h));
	assert_true(capture(__NR_sendmsg, args, 0, 0, 100) > 1);
	value_of(1, v, &st);
	assert_int_equal(v[FVX_MSGHDR_SIZE + 2], 0);
	h.control = VA(8, 0); /* not mapped */
	h.controllen = 24;
	memcpy(ram + DATA, &h, sizeof(h));
	assert_true(capture(__NR_sendmsg, args, 0, 0, 100) > 1);
	value_of(1, v, &st);
	assert_int_equal(v[FVX_MSGHDR_SIZE + 2], 0);
	assert_int_equal(v[FVX_MSGHDR_SIZE], 16);
	/* The largest name and control data leave room for an element. */
	h.namelen = 4096;
	h.control = VA(0, 1024);
	h.controllen = 4096;
	memcpy(ram + DATA, &h, sizeof(h));
	assert_true(capture(__NR_sendmsg, args, 0, 0, 100) > 1);
	assert_true(value_of(1, v, &st) <= FVX_DATA_MAX);
	assert_int_equal((__u8)v[FVX_MSGHDR_SIZE], FVX_SOCKADDR_MAX);
	assert_int_equal(v[FVX_MSGHDR_SIZE + 2], FVX_MSGHDR_CONTROL_MAX);
	assert_int_equal(st, FVX_DATA_TRUNCATED);
	h.control = 0;
	h.controllen = 0;
	/* A name of 1 byte is none; 2^40 elements: those that fit. */
	h.name = VA(0, 256);
	h.namelen = 1;
	h.iovlen = 1ULL << 40;
	memcpy(ram + DATA, &h, sizeof(h));
	for (at = 2; at < 16; at++)
		put_iov(VA(0, 512), at, VA(1, 0), 1);
	assert_true(capture(__NR_sendmsg, args, 0, 0, 100) > 0);
	assert_true(value_of(1, v, &st) <= FVX_DATA_MAX);
	assert_int_equal(st, FVX_DATA_TRUNCATED);
	assert_int_equal(v[FVX_MSGHDR_SIZE], 0);
	/* The structure past the mapping; i386 sendmsg (370). */
	unreadable_and_not_compat(__NR_sendmsg, 370, 0, VA(1, 4096 - 8));
}

/* Which calls the analyzer captures for at all (fvx_capture_any): those
 * with a string, buffer or structure argument, 32-bit ones through their
 * twins; not getpid, close or an unknown number. */
static void calls_without_data_skip_the_capture(void **state)
{
	static const struct {
		__u64 nr;
		__u32 flags;
		int any;
	} calls[] = {
		{ __NR_getpid, 0, 0 },	      { __NR_close, 0, 0 },	   { __NR_openat, 0, 1 },
		{ __NR_writev, 0, 1 },	      { __NR_fstat, 0, 1 },	   { __NR_recvmsg, 0, 1 },
		{ __NR_execve, 0, 1 },	      { __NR_connect, 0, 1 },	   { 600, 0, 0 },
		{ 20, FVX_RECORD_COMPAT, 0 }, { 5, FVX_RECORD_COMPAT, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		assert_int_equal(fvx_capture_any(calls[i].nr, calls[i].flags), calls[i].any);
	}
}

/* The table's own flag (fvx_syscall_decl.captures, computed by macro) is
 * what its argument types say, for every call it describes. */
static void the_captures_flag_follows_the_argument_types(void **state)
{
	unsigned long nr, described = 0, captures = 0;
	int i, any;

	for (nr = 0; nr < FVX_SYSCALL_DECLS; nr++) {
		const struct fvx_syscall_decl *d = fvx_syscall_decl(nr);

		if (!d)
			continue;
		for (i = 0, any = 0; i < 6 && d->args[i] != FVX_ARG_END; i++)
			any |= fvx_type_captured(d->args[i]);
		assert_int_equal(d->captures, any);
		described++;
		captures += any;
	}
	assert_true(captures > 50 && described - captures > 50);
}

static void compat_calls_are_captured_as_their_twins(void **state)
{
	__u64 args[6] = { VA(0, 100), 0, 0 };

	owner_compat = FVX_RECORD_COMPAT;
	memcpy(ram + DATA + 100, "/nonexistent/fvx-compat", 24);
	assert_int_equal(capture(5, args, 0, 0, 100), 1);
	assert_int_equal(piece(0, 0).arg, 0);
	assert_int_equal(piece(0, 0).total, 23);
	assert_memory_equal(emitted[0].args, "/nonexistent/fvx-compat", 23);
	assert_int_equal(emitted[0].nr, 5);
	args[0] = 1;
	args[1] = VA(0, 100);
	args[2] = 12;
	assert_int_equal(capture(4, args, 0, 0, 100), 1);
	assert_int_equal(piece(0, 0).arg, 1);
	assert_int_equal(piece(0, 0).total, 12);
	assert_int_equal(capture(3, args, 0, 0, 100), 0);
	assert_int_equal(capture(3, args, 1, 5, 100), 1);
	assert_int_equal(piece(0, 1).total, 5);
	args[0] = VA(0, 100);
	assert_int_equal(capture(192, args, 0, 0, 100), 0);
	assert_int_equal(capture(90, args, 0, 0, 100), 0);
	assert_int_equal(capture(FVX_COMPAT_SYSCALLS, args, 0, 0, 100), 0);
	assert_int_equal(capture(~0ULL, args, 0, 0, 100), 0);
	owner_compat = 0;
}

/* A path on a page not present at the entry (the call itself faults it
 * in) is read again at the return, when asked: fvx_capture says which
 * strings the entry could not read, and the analyzer's table remembers
 * them per thread until that call's return. */
static void unread_strings_are_read_again_at_return(void **state)
{
	__u64 args[6] = { VA(0, 100), 0, 0 }, pte, table[FVX_AGAIN_SLOTS] = { 0 };
	struct fvx_trace_record call = { .pid = 42, .nr = 2 }, other = call;

	memcpy(&pte, ram + USER_PT, 8);
	memcpy(ram + DATA + 100, "/late", 6);
	set64(USER_PT, 0);
	assert_int_equal(capture(2, args, 0, 0, 100), 1);
	assert_int_equal(piece(0, 0).state, FVX_DATA_UNREADABLE);
	assert_int_equal(last_unread, 1);
	set64(USER_PT, pte);
	assert_int_equal(capture(2, args, 1, 3, 100), 0); /* not asked: nothing */
	capture_again = 1;
	assert_int_equal(capture(2, args, 1, 3, 100), 1);
	assert_int_equal(piece(0, 1).state, FVX_DATA_COMPLETE);
	assert_int_equal(piece(0, 1).total, 5);
	assert_memory_equal(emitted[0].args, "/late", 5);
	assert_int_equal(last_unread, 0); /* only entries report */
	capture_again = 0;
	assert_int_equal(capture(2, args, 0, 0, 100), 1);
	assert_int_equal(last_unread, 0);

	/* The table: the same thread's same call takes it back once. */
	fvx_again_put(table, &call, 1);
	other.nr = 257;
	assert_int_equal(fvx_again_take(table, &other), 0);
	other = call;
	other.flags = FVX_RECORD_COMPAT;
	assert_int_equal(fvx_again_take(table, &other), 0);
	other.flags = 0;
	other.pid = 42 + FVX_AGAIN_SLOTS; /* the same slot */
	assert_int_equal(fvx_again_take(table, &other), 0);
	assert_int_equal(fvx_again_take(table, &call), 1);
	assert_int_equal(fvx_again_take(table, &call), 0);
	/* An entry that read everything forgets its thread's last call. */
	fvx_again_put(table, &call, 4);
	call.nr = 257;
	fvx_again_put(table, &call, 0);
	call.nr = 2;
	assert_int_equal(fvx_again_take(table, &call), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(reads_a_string_and_a_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(each_level_needs_present_and_user, setup, teardown),
		cmocka_unit_test_setup_teardown(prot_none_is_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(large_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(stops_at_the_end_of_what_is_mapped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(string_without_terminator_is_bounded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(kernel_and_noncanonical_addresses_read_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(physical_addresses_outside_ram_are_not_read, setup,
						teardown),
		cmocka_unit_test_setup_teardown(pages_outside_the_direct_map_are_not_read, setup,
						teardown),
		cmocka_unit_test_setup_teardown(self_referencing_tables_terminate, setup, teardown),
		cmocka_unit_test_setup_teardown(paths_are_captured_at_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(write_buffers_are_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(filled_buffers_are_captured_at_return, setup,
						teardown),
		cmocka_unit_test_setup_teardown(bad_pointers_are_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(pieces_need_room_for_their_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(compat_argv_has_4_byte_pointers, setup, teardown),
		cmocka_unit_test_setup_teardown(socketcall_is_the_call_it_does, setup, teardown),
		cmocka_unit_test_setup_teardown(an_int_length_is_the_low_half, setup, teardown),
		cmocka_unit_test_setup_teardown(argv_and_envp_are_captured_at_entry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(bad_argv_shows_as_strace_shows_it, setup, teardown),
		cmocka_unit_test_setup_teardown(argv_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(envp_is_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(socket_addresses_are_captured_at_entry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(socket_addresses_are_captured_at_return, setup,
						teardown),
		cmocka_unit_test_setup_teardown(unread_strings_are_read_again_at_return, setup,
						teardown),
		cmocka_unit_test_setup_teardown(iovec_buffers_are_captured, setup, teardown),
		cmocka_unit_test_setup_teardown(signal_structures_are_captured, setup, teardown),
		cmocka_unit_test_setup_teardown(time_structures_are_captured, setup, teardown),
		cmocka_unit_test_setup_teardown(statx_is_captured_at_return, setup, teardown),
		cmocka_unit_test_setup_teardown(prctl_names_are_captured, setup, teardown),
		cmocka_unit_test_setup_teardown(uring_arguments_wait_for_their_completion, setup,
						teardown),
		cmocka_unit_test_setup_teardown(uring_reads_that_keep_their_arguments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(uring_submissions_drop_what_they_may_overwrite,
						setup, teardown),
		cmocka_unit_test_setup_teardown(stat_buffers_are_captured_at_return, setup,
						teardown),
		cmocka_unit_test_setup_teardown(msghdr_is_captured, setup, teardown),
		cmocka_unit_test(calls_without_data_skip_the_capture),
		cmocka_unit_test(the_captures_flag_follows_the_argument_types),
		cmocka_unit_test_setup_teardown(a_sleeps_remaining_time_is_captured_when_cut_short,
						setup, teardown),
		cmocka_unit_test_setup_teardown(compat_calls_are_captured_as_their_twins, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
