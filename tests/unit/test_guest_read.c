/* Unit tests for the analyzer's user-memory reader (guest_read.h) on a fake
 * physical memory with hostile page tables: whatever the tables say, it
 * reads only RAM below the top, outside the hidden ranges, through a
 * direct map that maps it, and stops where a user access would fault. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/types.h>

#include "fastvmix/trace.h"
#include "fastvmix/guest_read.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
