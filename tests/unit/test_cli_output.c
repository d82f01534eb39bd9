/* Unit tests for fastvmix trace's output (cli/output.c): calls as
 * strace-like text and as JSON Lines, entries paired with returns per
 * thread, and the summary line. Scenario scripts grep these formats, so
 * they are pinned here byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "cli.h"
#include "fake_tracefs.h"

struct fixture {
	char *events;
	char *text;
	size_t size;
	FILE *out;
	struct output output;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->events = fake_events();
	f->out = open_memstream(&f->text, &f->size);
	assert_non_null(f->out);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fclose(f->out);
	free(f->text);
	fake_events_remove(f->events);
	free(f);
	return 0;
}

/* What output_record prints for the records of n, then output_finish. */
static const char *printed_all(struct fixture *f, bool json, const struct fvx_trace_record *r,
			       size_t n)
{
	size_t i;

	output_init(&f->output, f->out, json, f->events);
	rewind(f->out);
	for (i = 0; i < n; i++)
		output_record(&f->output, &r[i]);
	output_finish(&f->output);
	fputc(0, f->out);
	fflush(f->out);
	return f->text;
}

/* One call: its entry r, and its return with value ret. */
static const char *printed(struct fixture *f, bool json, const struct fvx_trace_record *r,
			   int64_t ret)
{
	struct fvx_trace_record call[2] = { *r, *r };

	call[1].flags |= FVX_RECORD_RETURN;
	call[1].seq++;
	call[1].tsc++;
	memset(call[1].args, 0, sizeof(call[1].args));
	call[1].args[0] = (uint64_t)ret;
	return printed_all(f, json, call, 2);
}

/* Records of threads: entry or return of nr by pid. */
static struct fvx_trace_record entry(uint32_t pid, uint64_t nr, uint64_t arg0)
{
	return (struct fvx_trace_record){ .nr = nr, .pid = pid, .tgid = 1, .args = { arg0 } };
}

static struct fvx_trace_record ret(uint32_t pid, uint64_t nr, int64_t value)
{
	return (struct fvx_trace_record){ .nr = nr,
					  .pid = pid,
					  .tgid = 1,
					  .args = { (uint64_t)value },
					  .flags = FVX_RECORD_RETURN };
}

static const struct fvx_trace_record write_record = {
	.seq = 5,
	.tsc = 123456789,
	.nr = 1,
	.args = { 3, 0x7ffd1000, 9, 0xdead, 0xbeef, 0xcafe },
	.cpu = 1,
	.pid = 42,
	.tgid = 41,
};

static void text_has_the_kernels_argument_count(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r = write_record;

	assert_string_equal(printed(f, false, &r, 9), "[pid    42] write(3, 0x7ffd1000, 9) = 9\n");
	r.nr = 39;
	assert_string_equal(printed(f, false, &r, 42), "[pid    42] getpid() = 42\n");
	r.nr = 231;
	r.args[0] = 7;
	r.pid = 123456;
	assert_string_equal(printed_all(f, false, &r, 1), "[pid 123456] exit_group(7) = ?\n");
}

static void text_without_tracefs_shows_six_arguments(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r = { .nr = 0, .pid = 7, .args = { 0, 4095, 4096, 0xffffff9c } };

	assert_string_equal(printed(f, false, &r, 0),
			    "[pid     7] read(0, 4095, 0x1000, 0xffffff9c, 0, 0) = 0\n");
}

static void text_names_unknown_numbers(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r = { .nr = 600, .pid = 1, .args = { 1, 2, 3, 4, 5, 6 } };

	assert_string_equal(printed(f, false, &r, -38),
			    "[pid     1] syscall_600(1, 2, 3, 4, 5, 6) = -1 ENOSYS "
			    "(Function not implemented)\n");
	r.nr = 1ULL << 40;
	assert_string_equal(printed(f, false, &r, 0),
			    "[pid     1] syscall_1099511627776(1, 2, 3, 4, 5, 6) = 0\n");
}

/* -4095..-1 are errors: -1, the errno's name from the kernel's headers and
 * strerror's message; addresses in hex; the rest in signed decimal. */
static void text_return_values(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r = { .nr = 257, .pid = 9, .args = { 0xffffff9c, 0x4000, 0, 0 } };
	char buf[32];

	assert_string_equal(printed(f, false, &r, -2),
			    "[pid     9] openat(0xffffff9c, 0x4000, 0, 0, 0, 0) = -1 ENOENT "
			    "(No such file or directory)\n");
	assert_string_equal(printed(f, false, &r, 3),
			    "[pid     9] openat(0xffffff9c, 0x4000, 0, 0, 0, 0) = 3\n");
	r.nr = 39;
	assert_string_equal(printed(f, false, &r, -1),
			    "[pid     9] getpid() = -1 EPERM (Operation not permitted)\n");
	assert_string_equal(printed(f, false, &r, -4095),
			    "[pid     9] getpid() = -1 ERRNO_4095 (Unknown error 4095)\n");
	assert_string_equal(printed(f, false, &r, -4096), "[pid     9] getpid() = -4096\n");
	assert_string_equal(printed(f, false, &r, INT64_MAX),
			    "[pid     9] getpid() = 9223372036854775807\n");
	r.nr = 12; /* brk */
	assert_string_equal(printed(f, false, &r, 0x55d4c2b6a000),
			    "[pid     9] brk(0xffffff9c, 0x4000, 0, 0, 0, 0) = 0x55d4c2b6a000\n");
	r.nr = 9; /* mmap: an address, or an error */
	assert_non_null(strstr(printed(f, false, &r, 0x7f0000001000), ") = 0x7f0000001000\n"));
	assert_non_null(
		strstr(printed(f, false, &r, -12), ") = -1 ENOMEM (Cannot allocate memory)\n"));
	/* The names come from the kernel's uapi headers, aliases left out. */
	assert_string_equal(output_errno_name(2, buf, sizeof(buf)), "ENOENT");
	assert_string_equal(output_errno_name(11, buf, sizeof(buf)), "EAGAIN");
	assert_string_equal(output_errno_name(35, buf, sizeof(buf)), "EDEADLK");
	assert_string_equal(output_errno_name(133, buf, sizeof(buf)), "EHWPOISON");
	assert_string_equal(output_errno_name(0, buf, sizeof(buf)), "ERRNO_0");
	assert_string_equal(output_errno_name(512, buf, sizeof(buf)), "ERRNO_512");
}

/* Two threads in calls at once, as strace prints them. */
static void text_interleaved_threads(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r[] = {
		entry(10, 202, 0x7f0000), /* futex: thread 10 waits */
		entry(11, 39, 0),	  ret(11, 39, 10),
		entry(11, 202, 0x7f0000), /* futex: thread 11 wakes it */
		ret(10, 202, 0),	  ret(11, 202, 1),
	};

	assert_string_equal(printed_all(f, false, r, 6),
			    "[pid    10] futex(0x7f0000, 0, 0, 0, 0, 0 <unfinished ...>\n"
			    "[pid    11] getpid() = 10\n"
			    "[pid    11] futex(0x7f0000, 0, 0, 0, 0, 0 <unfinished ...>\n"
			    "[pid    10] <... futex resumed>) = 0\n"
			    "[pid    11] <... futex resumed>) = 1\n");
}

/* A return whose entry was not seen: the trace began during the call, or
 * a child's first return from clone. */
static void text_return_without_entry(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r[] = { ret(5, 0, 30), entry(6, 1, 3), ret(7, 56, 0),
					ret(6, 1, 9) };

	assert_string_equal(printed_all(f, false, r, 4),
			    "[pid     5] <... read resumed>) = 30\n"
			    "[pid     6] write(3, 0, 0 <unfinished ...>\n"
			    "[pid     7] <... clone resumed>) = 0\n"
			    "[pid     6] <... write resumed>) = 9\n");
}

/* exit and exit_group do not return; calls running when the trace ends, or
 * when their thread goes with the process, end "= ?" as in strace. */
static void text_calls_that_do_not_return(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r[] = {
		entry(20, 202, 0x7f0000), /* thread 20 waits in futex */
		entry(21, 0, 0), /* thread 21 reads */
		entry(22, 231, 3), /* thread 22 ends the process */
		entry(23, 60, 0), /* a thread that exits by itself */
		entry(24, 59, 0x1000), /* execve, still running at the end */
	};

	assert_string_equal(printed_all(f, false, r, 5),
			    "[pid    20] futex(0x7f0000, 0, 0, 0, 0, 0 <unfinished ...>\n"
			    "[pid    21] read(0, 0, 0, 0, 0, 0 <unfinished ...>\n"
			    "[pid    22] exit_group(3) = ?\n"
			    "[pid    23] exit(0, 0, 0, 0, 0, 0) = ?\n"
			    "[pid    24] execve(0x1000, 0, 0, 0, 0, 0 <unfinished ...>) = ?\n"
			    "[pid    20] <... futex resumed>) = ?\n"
			    "[pid    21] <... read resumed>) = ?\n");
}

/* A thread's return that was lost (a dropped record): its next call ends
 * the last one "= ?"; a return of another call than the pending one (a
 * thread's execve returns under the leader's pid) ends the pending one. */
static void text_lost_and_mismatched_returns(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r[] = {
		entry(30, 39, 0), entry(30, 39, 0), ret(30, 39, 30),
		entry(31, 0, 0),  entry(32, 1, 1),  ret(31, 59, 0),
	};

	assert_string_equal(printed_all(f, false, r, 6),
			    "[pid    30] getpid() = ?\n"
			    "[pid    30] getpid() = 30\n"
			    "[pid    31] read(0, 0, 0, 0, 0, 0 <unfinished ...>\n"
			    "[pid    32] write(1, 0, 0 <unfinished ...>\n"
			    "[pid    31] <... read resumed>) = ?\n"
			    "[pid    31] <... execve resumed>) = 0\n"
			    "[pid    32] <... write resumed>) = ?\n");
}

static void json_line(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r = write_record;

	assert_string_equal(
		printed(f, true, &r, 9),
		"{\"seq\":5,\"tsc\":123456789,\"cpu\":1,\"pid\":42,\"tgid\":41,\"nr\":1,"
		"\"name\":\"write\",\"args\":[\"0x3\",\"0x7ffd1000\",\"0x9\","
		"\"0xdead\",\"0xbeef\",\"0xcafe\"],\"exit_mode\":false,\"ret\":9,\"errno\":null}"
		"\n");
	r.flags = FVX_RECORD_EXIT_MODE;
	r.nr = 39;
	memset(r.args, 0, sizeof(r.args));
	assert_string_equal(
		printed(f, true, &r, -11),
		"{\"seq\":5,\"tsc\":123456789,\"cpu\":1,\"pid\":42,\"tgid\":41,\"nr\":39,"
		"\"name\":\"getpid\",\"args\":[\"0\",\"0\",\"0\",\"0\",\"0\",\"0\"],"
		"\"exit_mode\":true,\"ret\":-11,\"errno\":\"EAGAIN\"}\n");
	r.nr = 512;
	assert_non_null(strstr(printed(f, true, &r, 0), "\"nr\":512,\"name\":\"syscall_512\""));
}

/* One object per call, when it is complete: no return (ret null), no entry
 * seen (args null), in the order the calls end. */
static void json_calls(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r[] = { entry(10, 0, 3), ret(11, 56, 0), entry(11, 231, 0),
					ret(10, 0, -4) };

	assert_string_equal(
		printed_all(f, true, r, 4),
		"{\"seq\":0,\"tsc\":0,\"cpu\":0,\"pid\":11,\"tgid\":1,\"nr\":56,"
		"\"name\":\"clone\",\"args\":null,\"exit_mode\":false,\"ret\":0,"
		"\"errno\":null}\n"
		"{\"seq\":0,\"tsc\":0,\"cpu\":0,\"pid\":11,\"tgid\":1,\"nr\":231,"
		"\"name\":\"exit_group\",\"args\":[\"0\",\"0\",\"0\",\"0\",\"0\",\"0\"],"
		"\"exit_mode\":false,\"ret\":null,\"errno\":null}\n"
		"{\"seq\":0,\"tsc\":0,\"cpu\":0,\"pid\":10,\"tgid\":1,\"nr\":0,"
		"\"name\":\"read\",\"args\":[\"0x3\",\"0\",\"0\",\"0\",\"0\",\"0\"],"
		"\"exit_mode\":false,\"ret\":-4,\"errno\":\"EINTR\"}\n");
	r[3] = entry(12, 0, 0);
	assert_non_null(
		strstr(printed_all(f, true, r, 4),
		       "\"pid\":12,\"tgid\":1,\"nr\":0,\"name\":\"read\",\"args\":[\"0\",\"0\","
		       "\"0\",\"0\",\"0\",\"0\"],\"exit_mode\":false,\"ret\":null,"
		       "\"errno\":null}\n"));
}

static void summary_line(void **state)
{
	struct fixture *f = *state;

	rewind(f->out);
	output_summary(f->out, 40000, 17);
	fputc(0, f->out);
	fflush(f->out);
	assert_string_equal(f->text, "fastvmix: 40000 records, 17 dropped\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(text_has_the_kernels_argument_count, setup,
						teardown),
		cmocka_unit_test_setup_teardown(text_without_tracefs_shows_six_arguments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(text_names_unknown_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(text_return_values, setup, teardown),
		cmocka_unit_test_setup_teardown(text_interleaved_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(text_return_without_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(text_calls_that_do_not_return, setup, teardown),
		cmocka_unit_test_setup_teardown(text_lost_and_mismatched_returns, setup, teardown),
		cmocka_unit_test_setup_teardown(json_line, setup, teardown),
		cmocka_unit_test_setup_teardown(json_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(summary_line, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
