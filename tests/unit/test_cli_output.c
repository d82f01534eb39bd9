/* Unit tests for fastvmix trace's output (cli/output.c): one record as
 * strace-like text and as a JSON Line, and the summary line. Scenario
 * scripts grep these formats, so they are pinned here byte for byte. */
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

/* What output_record prints for r. */
static const char *printed(struct fixture *f, bool json, const struct fvx_trace_record *r)
{
	output_init(&f->output, f->out, json, f->events);
	rewind(f->out);
	output_record(&f->output, r);
	fputc(0, f->out);
	fflush(f->out);
	return f->text;
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

	assert_string_equal(printed(f, false, &r), "[pid    42] write(3, 0x7ffd1000, 9)\n");
	r.nr = 39;
	assert_string_equal(printed(f, false, &r), "[pid    42] getpid()\n");
	r.nr = 231;
	r.args[0] = 7;
	r.pid = 123456;
	assert_string_equal(printed(f, false, &r), "[pid 123456] exit_group(7)\n");
}

static void text_without_tracefs_shows_six_arguments(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r = { .nr = 0, .pid = 7, .args = { 0, 4095, 4096, 0xffffff9c } };

	assert_string_equal(printed(f, false, &r),
			    "[pid     7] read(0, 4095, 0x1000, 0xffffff9c, 0, 0)\n");
}

static void text_names_unknown_numbers(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r = { .nr = 600, .pid = 1, .args = { 1, 2, 3, 4, 5, 6 } };

	assert_string_equal(printed(f, false, &r), "[pid     1] syscall_600(1, 2, 3, 4, 5, 6)\n");
	r.nr = 1ULL << 40;
	assert_string_equal(printed(f, false, &r),
			    "[pid     1] syscall_1099511627776(1, 2, 3, 4, 5, 6)\n");
}

static void json_line(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r = write_record;

	assert_string_equal(
		printed(f, true, &r),
		"{\"seq\":5,\"tsc\":123456789,\"cpu\":1,\"pid\":42,\"tgid\":41,\"nr\":1,"
		"\"name\":\"write\",\"args\":[\"0x3\",\"0x7ffd1000\",\"0x9\","
		"\"0xdead\",\"0xbeef\",\"0xcafe\"],\"exit_mode\":false}\n");
	r.flags = FVX_RECORD_EXIT_MODE;
	r.nr = 39;
	memset(r.args, 0, sizeof(r.args));
	assert_string_equal(
		printed(f, true, &r),
		"{\"seq\":5,\"tsc\":123456789,\"cpu\":1,\"pid\":42,\"tgid\":41,\"nr\":39,"
		"\"name\":\"getpid\",\"args\":[\"0\",\"0\",\"0\",\"0\",\"0\",\"0\"],"
		"\"exit_mode\":true}\n");
	r.nr = 512;
	assert_non_null(strstr(printed(f, true, &r), "\"nr\":512,\"name\":\"syscall_512\""));
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
		cmocka_unit_test_setup_teardown(json_line, setup, teardown),
		cmocka_unit_test_setup_teardown(summary_line, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
