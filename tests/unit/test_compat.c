/* Unit tests for the i386 system call table generated from the uapi
 * headers (scripts/gen-compat.sh) and what the analyzer does with it
 * (syscall_compat.h): each number's x86-64 twin, the calls left without
 * one, which 32-bit calls a filter selects, and whose declaration a record
 * gets. */
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
#include "fastvmix/syscall_args.h"
#include "fastvmix/syscall_compat.h"

/* Known pairs, as <asm/unistd_32.h> and <asm/unistd_64.h> number them. */
static void twins_are_the_same_calls(void **state)
{
	static const struct {
		int i386, x86_64;
		const char *name;
	} pairs[] = {
		{ 1, 60, "exit" },	    { 3, 0, "read" },	    { 4, 1, "write" },
		{ 5, 2, "open" },	    { 6, 3, "close" },	    { 11, 59, "execve" },
		{ 20, 39, "getpid" },	    { 45, 12, "brk" },	    { 106, 4, "stat" },
		{ 252, 231, "exit_group" }, { 295, 257, "openat" }, { 359, 41, "socket" },
	};
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		assert_string_equal(fvx_compat_names[pairs[i].i386], pairs[i].name);
		assert_int_equal(fvx_compat_twin(pairs[i].i386), pairs[i].x86_64);
	}
}

/* Same name, other arguments: no twin. i386-only calls: none either. */
static void calls_whose_arguments_differ_have_no_twin(void **state)
{
	static const struct {
		int nr;
		const char *name;
	} none[] = {
		{ 90, "mmap" }, /* old_mmap: a pointer to the arguments */
		{ 82, "select" }, /* old_select */
		{ 120, "clone" }, /* tls and child_tid the other way round */
		{ 180, "pread64" }, /* the offset in two registers */
		{ 324, "fallocate" }, /* likewise */
		{ 182, "chown" }, /* 16-bit ids */
		{ 24, "getuid" }, /* likewise */
		{ 192, "mmap2" }, /* i386 only */
		{ 102, "socketcall" }, /* likewise */
		{ 140, "_llseek" }, /* likewise */
		{ 212, "chown32" }, /* likewise */
	};
	size_t i;

	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		assert_string_equal(fvx_compat_names[none[i].nr], none[i].name);
		assert_int_equal(fvx_compat_twin(none[i].nr), -1);
	}
}

/* Every twin is an x86-64 number the filter covers; numbers beyond the
 * table, and holes in it, have none. */
static void twins_are_in_range(void **state)
{
	int nr, twins = 0;

	for (nr = 0; nr < FVX_COMPAT_SYSCALLS; nr++) {
		int twin = fvx_compat_twin(nr);

		assert_true(twin >= -1 && twin < 512);
		if (!fvx_compat_names[nr][0])
			assert_int_equal(twin, -1);
		twins += twin >= 0;
	}
	assert_true(twins > 250);
	assert_int_equal(fvx_compat_twin(FVX_COMPAT_SYSCALLS), -1);
	assert_int_equal(fvx_compat_twin(0xffffffffULL), -1);
	assert_int_equal(fvx_compat_twin(~0ULL), -1);
}

static void select_only(struct fvx_config *c, int nr)
{
	memset(c, 0, sizeof(*c));
	c->filter.syscalls[nr / 64] |= 1ULL << (nr % 64);
}

/* The analyzer records a 32-bit call whose twin the filter selects, one
 * without a twin always (the frontend selects it by name), and never a
 * number the bitmap does not cover (the -1 of a call the kernel skipped,
 * as the agent reports it: 0xffffffff). */
static void the_filter_selects_by_the_twin(void **state)
{
	struct fvx_config c;

	select_only(&c, 39); /* getpid */
	assert_true(fvx_compat_selected(&c, 20));
	assert_false(fvx_compat_selected(&c, 5)); /* open */
	assert_false(fvx_compat_selected(&c, 4)); /* write */
	assert_true(fvx_compat_selected(&c, 192)); /* mmap2: no twin */
	assert_true(fvx_compat_selected(&c, 90)); /* i386's mmap: no twin */
	assert_true(fvx_compat_selected(&c, 500)); /* no such call: ENOSYS, shown */
	assert_false(fvx_compat_selected(&c, 512));
	assert_false(fvx_compat_selected(&c, 0xffffffffULL));
	assert_false(fvx_compat_selected(&c, ~0ULL));
	select_only(&c, 2); /* open */
	assert_true(fvx_compat_selected(&c, 5));
	assert_false(fvx_compat_selected(&c, 20));
	/* The i386 number itself means nothing to the bitmap: x86-64 20 is
	 * writev, i386 20 getpid. */
	select_only(&c, 20);
	assert_false(fvx_compat_selected(&c, 20));
	memset(c.filter.syscalls, 0xff, sizeof(c.filter.syscalls));
	assert_true(fvx_compat_selected(&c, 20) && fvx_compat_selected(&c, 5));
	assert_false(fvx_compat_selected(&c, 512));
}

/* A record's declaration: its own for a 64-bit call, its twin's for a
 * 32-bit one, none without a twin. */
static void records_get_their_twins_declaration(void **state)
{
	assert_ptr_equal(fvx_record_decl(5, FVX_RECORD_COMPAT), fvx_syscall_decl(2));
	assert_ptr_equal(fvx_record_decl(3, FVX_RECORD_COMPAT | FVX_RECORD_RETURN),
			 fvx_syscall_decl(0));
	assert_ptr_equal(fvx_record_decl(5, 0), fvx_syscall_decl(5)); /* x86-64 fstat */
	assert_null(fvx_record_decl(192, FVX_RECORD_COMPAT));
	assert_null(fvx_record_decl(90, FVX_RECORD_COMPAT));
	assert_null(fvx_record_decl(100000, FVX_RECORD_COMPAT));
	assert_null(fvx_record_decl(~0ULL, FVX_RECORD_COMPAT | FVX_RECORD_DATA));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(twins_are_the_same_calls),
		cmocka_unit_test(calls_whose_arguments_differ_have_no_twin),
		cmocka_unit_test(twins_are_in_range),
		cmocka_unit_test(the_filter_selects_by_the_twin),
		cmocka_unit_test(records_get_their_twins_declaration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
