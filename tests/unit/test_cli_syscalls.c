/* Unit tests for system call naming (cli/syscalls.c): the -e trace=NAMES
 * filter, names, numbers and argument counts from tracefs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <seccomp.h>

#include "cli.h"
#include "fake_tracefs.h"

static bool has(const uint64_t syscalls[8], int nr)
{
	return syscalls[nr / 64] >> (nr % 64) & 1;
}

static int count(const uint64_t syscalls[8])
{
	int i, n = 0;

	for (i = 0; i < 8; i++)
		n += __builtin_popcountll(syscalls[i]);
	return n;
}

static void filter_one_name(void **state)
{
	struct syscall_filter f;
	uint64_t *s = f.native;

	assert_int_equal(syscall_filter_parse("trace=getpid", &f), 0);
	assert_true(has(s, 39));
	assert_int_equal(count(s), 1);
}

static void filter_several_names(void **state)
{
	struct syscall_filter f;
	uint64_t *s = f.native;

	memset(&f, 0xff, sizeof(f));
	assert_int_equal(syscall_filter_parse("trace=getpid,write,openat,,exit_group", &f), 0);
	assert_true(has(s, 39));
	assert_true(has(s, 1));
	assert_true(has(s, 257));
	assert_true(has(s, 231));
	assert_int_equal(count(s), 4);
}

static void filter_empty_list_traces_nothing(void **state)
{
	struct syscall_filter f;
	uint64_t *s = f.native;

	memset(&f, 0xff, sizeof(f));
	assert_int_equal(syscall_filter_parse("trace=", &f), 0);
	assert_int_equal(count(s), 0);
}

static void filter_refuses_unknown_names(void **state)
{
	struct syscall_filter f;

	assert_int_equal(syscall_filter_parse("trace=getpid,no_such_call", &f), -1);
	assert_int_equal(syscall_filter_parse("trace=GETPID", &f), -1);
}

/* strace's classes, from syscall_table.c: a few members and non-members
 * of each. */
static void filter_classes(void **state)
{
	struct syscall_filter f;
	uint64_t *s = f.native;

	assert_int_equal(syscall_filter_parse("trace=%file", &f), 0);
	assert_true(has(s, 257) && has(s, 2) && has(s, 59) && has(s, 4) && has(s, 87));
	assert_false(has(s, 0) || has(s, 1) || has(s, 3) || has(s, 41));
	assert_int_equal(syscall_filter_parse("trace=%desc", &f), 0);
	assert_true(has(s, 0) && has(s, 3) && has(s, 257) && has(s, 9) && has(s, 72));
	assert_false(has(s, 4) || has(s, 39));
	assert_int_equal(syscall_filter_parse("trace=%network", &f), 0);
	assert_true(has(s, 41) && has(s, 42) && has(s, 44) && has(s, 288));
	assert_false(has(s, 0) || has(s, 257));
	assert_int_equal(syscall_filter_parse("trace=%net", &f), 0);
	assert_true(has(s, 41) && !has(s, 0));
	assert_int_equal(syscall_filter_parse("trace=%process", &f), 0);
	assert_true(has(s, 56) && has(s, 57) && has(s, 59) && has(s, 231) && has(s, 61) &&
		    has(s, 62) && has(s, 435));
	assert_false(has(s, 39) || has(s, 13));
	assert_int_equal(syscall_filter_parse("trace=%memory", &f), 0);
	assert_true(has(s, 9) && has(s, 10) && has(s, 11) && has(s, 12) && has(s, 25));
	assert_false(has(s, 0) || has(s, 56));
	assert_int_equal(syscall_filter_parse("trace=%signal", &f), 0);
	assert_true(has(s, 13) && has(s, 14) && has(s, 62) && has(s, 234));
	assert_false(has(s, 56) || has(s, 9));
	assert_int_equal(syscall_filter_parse("trace=%ipc", &f), 0);
	assert_true(has(s, 29) && has(s, 30) && has(s, 64) && has(s, 68));
	assert_false(has(s, 41) || has(s, 0));
	assert_int_equal(syscall_filter_parse("trace=%clock", &f), 0);
	assert_true(has(s, 228) && has(s, 229) && has(s, 227) && has(s, 96) && has(s, 164) &&
		    has(s, 201) && has(s, 159) && has(s, 305));
	assert_false(has(s, 35) || has(s, 230) || has(s, 38) || has(s, 0));
	/* Names and classes together; all. */
	assert_int_equal(syscall_filter_parse("trace=getpid,%ipc", &f), 0);
	assert_true(has(s, 39) && has(s, 29));
	assert_int_equal(syscall_filter_parse("trace=all", &f), 0);
	assert_int_equal(count(s), 512);
	assert_int_equal(syscall_filter_parse("trace=%files", &f), -1);
	assert_int_equal(syscall_filter_parse("trace=file", &f), -1);
}

static void filter_refuses_other_qualifiers(void **state)
{
	struct syscall_filter f;

	assert_int_equal(syscall_filter_parse("getpid", &f), -1);
	assert_int_equal(syscall_filter_parse("signal=all", &f), -1);
	assert_int_equal(syscall_filter_parse("", &f), -1);
}

static void names_and_numbers(void **state)
{
	char buf[64];

	assert_string_equal(syscall_name(39, buf, sizeof(buf)), "getpid");
	assert_string_equal(syscall_name(257, buf, sizeof(buf)), "openat");
	assert_string_equal(syscall_name(600, buf, sizeof(buf)), "syscall_600");
	assert_string_equal(syscall_name(UINT64_MAX, buf, sizeof(buf)),
			    "syscall_18446744073709551615");
	assert_int_equal(syscall_number("execve"), 59);
	assert_int_equal(syscall_number("no_such_call"), -1);
}

static void argument_counts_from_tracefs(void **state)
{
	struct syscall_table t;
	char *dir = fake_events(), path[256];

	syscall_table_init(&t, dir);
	assert_int_equal(syscall_argc(&t, 1, "write"), 3);
	assert_int_equal(syscall_argc(&t, 39, "getpid"), 0);
	assert_int_equal(syscall_argc(&t, 231, "exit_group"), 1);
	assert_int_equal(syscall_argc(&t, 0, "read"), 6); /* no event: all six */
	assert_int_equal(syscall_argc(&t, 600, "syscall_600"), 6);
	/* Read once: later answers come from the table. */
	snprintf(path, sizeof(path), "%s/sys_enter_write/format", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(syscall_argc(&t, 1, "write"), 3);
	fake_events_remove(dir);
}

/* -e trace= names select 32-bit calls by their i386 names: a name both
 * tables have selects both, an i386-only one only the 32-bit call; a
 * class takes the 32-bit calls whose x86-64 namesake it has. */
static void filter_selects_32_bit_calls_by_name(void **state)
{
	struct syscall_filter f;
	struct fvx_trace_record r = { .nr = 5, .flags = FVX_RECORD_COMPAT };

	assert_int_equal(syscall_filter_parse("trace=open", &f), 0);
	assert_true(has(f.native, 2) && has(f.compat, 5));
	assert_int_equal(count(f.native) + count(f.compat), 2);
	assert_true(syscall_filter_wants(&f, &r));
	r.flags = 0; /* x86-64 5 is fstat */
	assert_false(syscall_filter_wants(&f, &r));
	r.flags = FVX_RECORD_COMPAT | FVX_RECORD_RETURN;
	r.nr = 100000;
	assert_false(syscall_filter_wants(&f, &r));
	assert_int_equal(syscall_filter_parse("trace=mmap2,_llseek", &f), 0);
	assert_true(has(f.compat, 192) && has(f.compat, 140));
	assert_int_equal(count(f.native), 0);
	assert_int_equal(count(f.compat), 2);
	assert_int_equal(syscall_filter_parse("trace=mmap", &f), 0); /* i386's is old_mmap */
	assert_true(has(f.native, 9) && has(f.compat, 90));
	assert_int_equal(syscall_filter_parse("trace=%file", &f), 0);
	assert_true(has(f.compat, 5) && has(f.compat, 11) && has(f.compat, 295) &&
		    has(f.compat, 182));
	assert_false(has(f.compat, 20) || has(f.compat, 4));
	/* Calls without a namesake: as the call they do the work of. */
	assert_true(has(f.compat, 195) && has(f.compat, 300)); /* stat64, fstatat64 */
	assert_int_equal(syscall_filter_parse("trace=%network", &f), 0);
	assert_true(has(f.compat, 102)); /* socketcall */
	assert_int_equal(syscall_filter_parse("trace=%ipc", &f), 0);
	assert_true(has(f.compat, 117)); /* ipc */
	assert_int_equal(syscall_filter_parse("trace=%process", &f), 0);
	assert_true(has(f.compat, 7)); /* waitpid */
	assert_int_equal(syscall_filter_parse("trace=%memory", &f), 0);
	assert_true(has(f.compat, 90) && has(f.compat, 45) && has(f.compat, 125));
	assert_false(has(f.compat, 5));
	assert_int_equal(syscall_filter_parse("trace=all", &f), 0);
	assert_int_equal(count(f.compat), 512);
	assert_int_equal(syscall_filter_parse("trace=mmap3", &f), -1);
}

/* A socket call named: also the socketcall doing its work that could not
 * be unfolded (so it never vanishes), and for accept socketcall's accept,
 * recorded as i386 accept4; other names leave socketcall out. */
static void filter_keeps_socketcall_for_socket_calls(void **state)
{
	struct syscall_filter f;

	(void)state;
	assert_int_equal(syscall_filter_parse("trace=connect", &f), 0);
	assert_true(has(f.native, 42) && has(f.compat, 362) && has(f.compat, 102));
	assert_int_equal(count(f.native) + count(f.compat), 3);
	assert_int_equal(syscall_filter_parse("trace=accept", &f), 0);
	assert_true(has(f.native, 43) && has(f.compat, 364) && has(f.compat, 102));
	assert_false(has(f.native, 288)); /* (the analyzer's filter has it: trace.c) */
	assert_int_equal(syscall_filter_parse("trace=sendto", &f), 0);
	assert_true(has(f.compat, 369) && has(f.compat, 102));
	assert_int_equal(syscall_filter_parse("trace=open,getpid", &f), 0);
	assert_false(has(f.compat, 102));
}

static void compat_names_and_numbers(void **state)
{
	struct fvx_trace_record r = { .nr = 5, .flags = FVX_RECORD_COMPAT };
	char buf[64];

	assert_string_equal(syscall_compat_name(20, buf, sizeof(buf)), "getpid");
	assert_string_equal(syscall_compat_name(192, buf, sizeof(buf)), "mmap2");
	assert_string_equal(syscall_compat_name(451, buf, sizeof(buf)), "syscall_451");
	assert_string_equal(syscall_compat_name(UINT64_MAX, buf, sizeof(buf)),
			    "syscall_18446744073709551615");
	assert_int_equal(syscall_compat_number("exit_group"), 252);
	assert_int_equal(syscall_compat_number("socket"), 359);
	assert_int_equal(syscall_compat_number("arch_prctl"), 384);
	assert_int_equal(syscall_compat_number("no_such_call"), -1);
	assert_int_equal(syscall_compat_number(""), -1);
	assert_string_equal(syscall_record_name(&r, buf, sizeof(buf)), "open");
	r.flags = FVX_RECORD_RETURN;
	assert_string_equal(syscall_record_name(&r, buf, sizeof(buf)), "fstat");
}

/* The generated table against libseccomp's: the same name for every i386
 * number (libseccomp resolves names of socket and IPC calls to its own
 * multiplexed numbers, so the table names them), and every twin the
 * x86-64 call of that name. */
static void compat_table_agrees_with_libseccomp(void **state)
{
	int nr, named = 0;

	for (nr = 0; nr < FVX_COMPAT_SYSCALLS; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86, nr);
		int twin = fvx_compat_twin(nr);

		if (fvx_compat_names[nr][0]) {
			assert_non_null(name);
			assert_string_equal(name, fvx_compat_names[nr]);
			named++;
		}
		free(name);
		if (twin < 0)
			continue;
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, twin);
		assert_non_null(name);
		assert_string_equal(name, fvx_compat_names[nr]);
		free(name);
	}
	assert_true(named > 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(filter_one_name),
		cmocka_unit_test(filter_several_names),
		cmocka_unit_test(filter_empty_list_traces_nothing),
		cmocka_unit_test(filter_refuses_unknown_names),
		cmocka_unit_test(filter_classes),
		cmocka_unit_test(filter_refuses_other_qualifiers),
		cmocka_unit_test(names_and_numbers),
		cmocka_unit_test(argument_counts_from_tracefs),
		cmocka_unit_test(filter_selects_32_bit_calls_by_name),
		cmocka_unit_test(filter_keeps_socketcall_for_socket_calls),
		cmocka_unit_test(compat_names_and_numbers),
		cmocka_unit_test(compat_table_agrees_with_libseccomp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
