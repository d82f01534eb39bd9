/* Unit tests for fastvmix trace's output (cli/output.c): calls as
 * strace-like text and as JSON Lines, entries paired with returns per
 * thread, and the summary line. Scenario scripts grep these formats, so
 * they are pinned here byte for byte. */
#define _GNU_SOURCE /* struct ucred, SCM_CREDENTIALS */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/prctl.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <cmocka.h>

#include "cli.h"
#include "fake_tracefs.h"
#include "fastvmix/syscall_quick.h"

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

/* What output_record prints for the records of n with these options, then
 * output_finish (and -c's table). */
static const char *printed_with(struct fixture *f, const struct output_options *opt,
				const struct fvx_trace_record *r, size_t n)
{
	size_t i;

	output_init(&f->output, f->out, opt->json, f->events);
	assert_true(output_set_options(&f->output, opt));
	rewind(f->out);
	for (i = 0; i < n; i++)
		output_record(&f->output, &r[i]);
	output_finish(&f->output, f->out);
	fputc(0, f->out);
	fflush(f->out);
	return f->text;
}

static const char *printed_all(struct fixture *f, bool json, const struct fvx_trace_record *r,
			       size_t n)
{
	struct output_options opt = { .json = json };

	return printed_with(f, &opt, r, n);
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

/* A thread's end (trace.h FVX_TASK_EXIT): a wait(2) status. */
static struct fvx_trace_record task_exit(uint32_t pid, uint64_t status, bool last)
{
	return (struct fvx_trace_record){ .nr = FVX_TASK_EXIT,
					  .pid = pid,
					  .tgid = 1,
					  .args = { status, last },
					  .flags = FVX_RECORD_TASK };
}

/* A signal for pid (trace.h FVX_TASK_SIGNAL): its siginfo's union in
 * u0..u3. */
static struct fvx_trace_record task_signal(uint32_t pid, unsigned int sig, int code, uint64_t u0,
					   uint64_t u1, uint64_t u2, uint64_t u3)
{
	return (struct fvx_trace_record){ .nr = FVX_TASK_SIGNAL,
					  .pid = pid,
					  .tgid = 1,
					  .args = { pid | 1ULL << 32, fvx_signal_pack(sig, code, 0),
						    u0, u1, u2, u3 },
					  .flags = FVX_RECORD_TASK };
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

/* A call syscall_table.c does not describe (getrusage). */
static void text_without_tracefs_shows_six_arguments(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r = { .nr = 98, .pid = 7, .args = { 0, 4095, 4096, 0xffffff9c } };

	assert_string_equal(printed(f, false, &r, 0),
			    "[pid     7] getrusage(0, 4095, 0x1000, 0xffffff9c, 0, 0) = 0\n");
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
			    "[pid     9] openat(AT_FDCWD, 0x4000, O_RDONLY) = -1 ENOENT "
			    "(No such file or directory)\n");
	assert_string_equal(printed(f, false, &r, 3),
			    "[pid     9] openat(AT_FDCWD, 0x4000, O_RDONLY) = 3\n");
	r.nr = 39;
	assert_string_equal(printed(f, false, &r, -1),
			    "[pid     9] getpid() = -1 EPERM (Operation not permitted)\n");
	assert_string_equal(printed(f, false, &r, -4095),
			    "[pid     9] getpid() = -1 ERRNO_4095 (Unknown error 4095)\n");
	assert_string_equal(printed(f, false, &r, -4096), "[pid     9] getpid() = -4096\n");
	assert_string_equal(printed(f, false, &r, INT64_MAX),
			    "[pid     9] getpid() = 9223372036854775807\n");
	assert_string_equal(printed(f, false, &r, INT64_MIN),
			    "[pid     9] getpid() = -9223372036854775808\n");
	assert_string_equal(printed(f, false, &r, 0), "[pid     9] getpid() = 0\n");
	/* pids as %5u: padded to five columns, never cut. */
	r.pid = 0;
	assert_string_equal(printed(f, false, &r, 0), "[pid     0] getpid() = 0\n");
	r.pid = 12345;
	assert_string_equal(printed(f, false, &r, 7), "[pid 12345] getpid() = 7\n");
	r.pid = UINT32_MAX;
	assert_string_equal(printed(f, false, &r, 7), "[pid 4294967295] getpid() = 7\n");
	r.pid = 9;
	{
		char small[4];

		decode_int(-123456, small, sizeof(small));
		assert_string_equal(small, "-12");
	}
	r.nr = 12; /* brk */
	assert_string_equal(printed(f, false, &r, 0x55d4c2b6a000),
			    "[pid     9] brk(0xffffff9c) = 0x55d4c2b6a000\n");
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
	assert_string_equal(output_errno_name(512, buf, sizeof(buf)), "ERESTARTSYS");
	assert_string_equal(output_errno_name(520, buf, sizeof(buf)), "ERRNO_520");
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

	assert_string_equal(
		printed_all(f, false, r, 6),
		"[pid    10] futex(0x7f0000, FUTEX_WAIT, 0, NULL, NULL, 0 <unfinished ...>\n"
		"[pid    11] getpid() = 10\n"
		"[pid    11] futex(0x7f0000, FUTEX_WAIT, 0, NULL, NULL, 0 <unfinished ...>\n"
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
			    "[pid     6] write(3, NULL, 0 <unfinished ...>\n"
			    "[pid     7] <... clone resumed>) = 0\n"
			    "[pid     6] <... write resumed>) = 9\n");
}

/* exit and exit_group do not return: they end with their thread, as calls
 * do that their thread is in when it goes (its exit record, then strace's
 * "+++" line); calls running when the trace ends end "= ?". A call whose
 * thread ends before it shows what it fills is <unfinished ...>, as in
 * strace. */
static void text_calls_that_do_not_return(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r[] = {
		entry(20, 202, 0x7f0000), /* thread 20 waits in futex */
		entry(21, 0, 0), /* thread 21 reads */
		entry(22, 231, 3), /* thread 22 ends the process */
		task_exit(22, 3 << 8, false),
		task_exit(20, 3 << 8, false),
		entry(23, 60, 0), /* a thread that exits by itself */
		task_exit(23, 0, false),
		entry(25, 0, 4), /* a thread killed in read, */
		entry(26, 0, 5), /* and another, its line still open */
		task_exit(25, 9, false),
		task_exit(26, 9, true),
		entry(24, 59, 0x1000), /* execve, still running at the end */
	};

	assert_string_equal(
		printed_all(f, false, r, sizeof(r) / sizeof(r[0])),
		"[pid    20] futex(0x7f0000, FUTEX_WAIT, 0, NULL, NULL, 0 <unfinished ...>\n"
		"[pid    21] read(0,  <unfinished ...>\n"
		"[pid    22] exit_group(3) = ?\n"
		"[pid    22] +++ exited with 3 +++\n"
		"[pid    20] <... futex resumed>) = ?\n"
		"[pid    20] +++ exited with 3 +++\n"
		"[pid    23] exit(0) = ?\n"
		"[pid    23] +++ exited with 0 +++\n"
		"[pid    25] read(4,  <unfinished ...>\n"
		"[pid    26] read(5,  <unfinished ...>\n"
		"[pid    25] <... read resumed> <unfinished ...>) = ?\n"
		"[pid    25] +++ killed by SIGKILL +++\n"
		"[pid    26] <... read resumed> <unfinished ...>) = ?\n"
		"[pid    26] +++ killed by SIGKILL +++\n"
		"[pid    24] execve(0x1000, NULL, NULL <unfinished ...>) = ?\n"
		"[pid    21] <... read resumed>NULL, 0) = ?\n");
	/* Its line still open when its thread goes. */
	r[8] = task_exit(25, 9, true);
	assert_string_equal(printed_all(f, false, r + 7, 2),
			    "[pid    25] read(4,  <unfinished ...>) = ?\n"
			    "[pid    25] +++ killed by SIGKILL +++\n");
	/* Exit mode has no exit records: the lines are whole at once. */
	r[2].flags = FVX_RECORD_EXIT_MODE;
	assert_string_equal(printed_all(f, false, r + 2, 1), "[pid    22] exit_group(3) = ?\n");
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
			    "[pid    31] read(0,  <unfinished ...>\n"
			    "[pid    32] write(1, NULL, 0 <unfinished ...>\n"
			    "[pid    31] <... read resumed>NULL, 0) = ?\n"
			    "[pid    31] <... execve resumed>) = 0\n"
			    "[pid    32] <... write resumed>) = ?\n");
}

static void json_line(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r = write_record;

	assert_string_equal(
		printed(f, true, &r, 9),
		"{\"seq\":5,\"tsc\":123456789,\"cpu\":1,\"pid\":42,\"tgid\":41,\"arch\":\"x86_64\","
		"\"nr\":1,"
		"\"name\":\"write\",\"args\":[\"0x3\",\"0x7ffd1000\",\"0x9\","
		"\"0xdead\",\"0xbeef\",\"0xcafe\"],\"exit_mode\":false,\"ret\":9,\"errno\":null,"
		"\"decoded_args\":[\"3\",\"0x7ffd1000\",\"9\"],\"decoded_ret\":\"9\"}"
		"\n");
	r.flags = FVX_RECORD_EXIT_MODE;
	r.nr = 39;
	memset(r.args, 0, sizeof(r.args));
	assert_string_equal(
		printed(f, true, &r, -11),
		"{\"seq\":5,\"tsc\":123456789,\"cpu\":1,\"pid\":42,\"tgid\":41,\"arch\":\"x86_64\","
		"\"nr\":39,"
		"\"name\":\"getpid\",\"args\":[\"0\",\"0\",\"0\",\"0\",\"0\",\"0\"],"
		"\"exit_mode\":true,\"ret\":-11,\"errno\":\"EAGAIN\",\"decoded_args\":[],"
		"\"decoded_ret\":\"-1 EAGAIN (Resource temporarily unavailable)\"}\n");
	r.nr = 512;
	assert_non_null(strstr(printed(f, true, &r, 0), "\"nr\":512,\"name\":\"syscall_512\""));
}

/* One object per call, when it is complete: no return (ret null), no entry
 * seen (args null), in the order the calls end. */
static void json_calls(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r[] = { entry(10, 0, 3), ret(11, 56, 0), entry(11, 231, 0),
					task_exit(11, 0, true), ret(10, 0, -4) };

	assert_string_equal(
		printed_all(f, true, r, 5),
		"{\"seq\":0,\"tsc\":0,\"cpu\":0,\"pid\":11,\"tgid\":1,\"arch\":\"x86_64\",\"nr\":"
		"56,"
		"\"name\":\"clone\",\"args\":null,\"exit_mode\":false,\"ret\":0,"
		"\"errno\":null,\"decoded_args\":null,\"decoded_ret\":\"0\"}\n"
		"{\"seq\":0,\"tsc\":0,\"cpu\":0,\"pid\":11,\"tgid\":1,\"arch\":\"x86_64\",\"nr\":"
		"231,"
		"\"name\":\"exit_group\",\"args\":[\"0\",\"0\",\"0\",\"0\",\"0\",\"0\"],"
		"\"exit_mode\":false,\"ret\":null,\"errno\":null,\"decoded_args\":[\"0\"],"
		"\"decoded_ret\":null}\n"
		"{\"seq\":0,\"tsc\":0,\"cpu\":0,\"pid\":11,\"tgid\":1,\"event\":\"exit\","
		"\"status\":0,\"last_thread\":true,\"decoded\":\"exited with 0\"}\n"
		"{\"seq\":0,\"tsc\":0,\"cpu\":0,\"pid\":10,\"tgid\":1,\"arch\":\"x86_64\",\"nr\":0,"
		"\"name\":\"read\",\"args\":[\"0x3\",\"0\",\"0\",\"0\",\"0\",\"0\"],"
		"\"exit_mode\":false,\"ret\":-4,\"errno\":\"EINTR\",\"decoded_args\":[\"3\","
		"\"NULL\",\"0\"],\"decoded_ret\":\"-1 EINTR (Interrupted system call)\"}\n");
	r[4] = entry(12, 0, 0);
	assert_non_null(strstr(
		printed_all(f, true, r, 5),
		"\"pid\":12,\"tgid\":1,\"arch\":\"x86_64\",\"nr\":0,\"name\":\"read\",\"args\":["
		"\"0\",\"0\","
		"\"0\",\"0\",\"0\",\"0\"],\"exit_mode\":false,\"ret\":null,"
		"\"errno\":null,\"decoded_args\":[\"0\",\"NULL\",\"0\"],\"decoded_ret\":null}\n"));
}

/* One call's line: entry nr(args) by pid 5, returning ret. */
static const char *call_line(struct fixture *f, uint64_t nr, int64_t ret, uint64_t a0, uint64_t a1,
			     uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct fvx_trace_record r = { .nr = nr, .pid = 5, .args = { a0, a1, a2, a3, a4, a5 } };

	return printed(f, false, &r, ret);
}

/* open flags: the access mode, then O_ names from the uapi headers, a hex
 * remainder for bits without one; the mode in octal only when the call may
 * create a file; AT_FDCWD whether the int came sign-extended or not. */
static void decode_open(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(
		call_line(f, 257, 3, 0xffffff9c, 0x7ffe926d68d0, 01101 | 02000000, 0644, 0, 0),
		"[pid     5] openat(AT_FDCWD, 0x7ffe926d68d0, "
		"O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644) = 3\n");
	assert_string_equal(call_line(f, 257, 3, (uint64_t)-100, 0x1000, 02 | 04010000 | 0x40000000,
				      0777, 0, 0),
			    "[pid     5] openat(AT_FDCWD, 0x1000, O_RDWR|O_SYNC|0x40000000) = 3\n");
	assert_string_equal(call_line(f, 2, -13, 0x1000, 0, 0, 0, 0, 0),
			    "[pid     5] open(0x1000, O_RDONLY) = -1 EACCES (Permission denied)\n");
	assert_string_equal(call_line(f, 85, 4, 0x1000, 0, 0, 0, 0, 0),
			    "[pid     5] creat(0x1000, 000) = 4\n");
	assert_string_equal(call_line(f, 292, 4, 3, 5, 02000000, 0, 0, 0),
			    "[pid     5] dup3(3, 5, O_CLOEXEC) = 4\n");
}

/* mmap: PROT_ and MAP_ names, fd -1, the offset and the address in hex. */
static void decode_memory(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(call_line(f, 9, 0x7f00967b2000, 0, 8192, 3, 0x22, (uint64_t)-1, 0),
			    "[pid     5] mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
			    "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f00967b2000\n");
	assert_string_equal(call_line(f, 9, -12, 0x7f0096741000, 339968, 1, 0x812, 3, 0x17c000),
			    "[pid     5] mmap(0x7f0096741000, 339968, PROT_READ, "
			    "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x17c000) = -1 ENOMEM "
			    "(Cannot allocate memory)\n");
	assert_string_equal(call_line(f, 10, 0, 0x564543946000, 8192, 0, 0, 0, 0),
			    "[pid     5] mprotect(0x564543946000, 8192, PROT_NONE) = 0\n");
	assert_string_equal(
		call_line(f, 10, 0, 0x1000, 4096, 0x40000005, 0, 0, 0),
		"[pid     5] mprotect(0x1000, 4096, PROT_READ|PROT_EXEC|0x40000000) = 0\n");
}

/* clone as strace shows it: the stack first, the exit signal among the
 * flags, the pointers the flags use. */
static void decode_clone(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(call_line(f, 56, 30515, 0x1200011, 0, 0, 0x7f6b66c67e50, 0, 0),
			    "[pid     5] clone(child_stack=NULL, "
			    "flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
			    "child_tidptr=0x7f6b66c67e50) = 30515\n");
	assert_string_equal(call_line(f, 56, 7, 0x3d0f00, 0x7f0000100000, 0x7f0000200000,
				      0x7f0000200000, 0x7f0000300000, 0),
			    "[pid     5] clone(child_stack=0x7f0000100000, "
			    "flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|"
			    "CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, "
			    "parent_tid=0x7f0000200000, child_tidptr=0x7f0000200000, "
			    "tls=0x7f0000300000) = 7\n");
	assert_string_equal(call_line(f, 56, 8, 0, 0, 0, 0, 0, 0),
			    "[pid     5] clone(child_stack=NULL, flags=0) = 8\n");
}

/* Signal names (0 stays 0, real-time ones relative to SIGRTMIN), how. */
static void decode_signals(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(call_line(f, 62, 0, 30466, 15, 0, 0, 0, 0),
			    "[pid     5] kill(30466, SIGTERM) = 0\n");
	assert_string_equal(call_line(f, 62, 0, 30466, 0, 0, 0, 0, 0),
			    "[pid     5] kill(30466, 0) = 0\n");
	assert_string_equal(call_line(f, 62, -3, (uint64_t)-1, 9, 0, 0, 0, 0),
			    "[pid     5] kill(-1, SIGKILL) = -1 ESRCH (No such process)\n");
	assert_string_equal(call_line(f, 234, 0, 4, 5, 33, 0, 0, 0),
			    "[pid     5] tgkill(4, 5, SIGRT_1) = 0\n");
	assert_string_equal(call_line(f, 234, 0, 4, 5, 99, 0, 0, 0),
			    "[pid     5] tgkill(4, 5, 99) = 0\n");
	assert_string_equal(call_line(f, 14, 0, 0, 0x7ffc1000, 0, 8, 0, 0),
			    "[pid     5] rt_sigprocmask(SIG_BLOCK, 0x7ffc1000, NULL, 8) = 0\n");
	assert_string_equal(call_line(f, 13, 0, 17, 0x7ffc1000, 0, 8, 0, 0),
			    "[pid     5] rt_sigaction(SIGCHLD, 0x7ffc1000, NULL, 8) = 0\n");
}

/* Families, types with their flags; unknown values as numbers. */
static void decode_sockets(void **state)
{
	struct fixture *f = *state;

	/* The protocol by family: IPPROTO_ for AF_INET and AF_INET6. */
	assert_string_equal(
		call_line(f, 41, 3, 2, 1 | 02000000, 0, 0, 0, 0),
		"[pid     5] socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3\n");
	assert_string_equal(call_line(f, 41, 3, 10, 2, 17, 0, 0, 0),
			    "[pid     5] socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP) = 3\n");
	assert_string_equal(call_line(f, 41, 3, 2, 3, 300, 0, 0, 0),
			    "[pid     5] socket(AF_INET, SOCK_RAW, 300) = 3\n");
	/* NETLINK_ for AF_NETLINK (a malware's route and uevent listeners). */
	assert_string_equal(
		call_line(f, 41, 3, 16, 3 | 02000000, 0, 0, 0, 0),
		"[pid     5] socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 3\n");
	assert_string_equal(
		call_line(f, 41, 3, 16, 2, 15, 0, 0, 0),
		"[pid     5] socket(AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT) = 3\n");
	assert_string_equal(call_line(f, 41, 3, 16, 3, 99, 0, 0, 0),
			    "[pid     5] socket(AF_NETLINK, SOCK_RAW, 99) = 3\n");
	/* sendto's and recvfrom's MSG_ flags, strace's names. */
	assert_string_equal(
		call_line(f, 44, 1, 3, 0, 0, 0x40 | 0x4000, 0, 0),
		"[pid     5] sendto(3, NULL, 0, MSG_DONTWAIT|MSG_NOSIGNAL, NULL, 0) = 1\n");
	assert_string_equal(call_line(f, 41, 3, 1, 2, 0, 0, 0, 0),
			    "[pid     5] socket(AF_UNIX, SOCK_DGRAM, 0) = 3\n");
	assert_string_equal(call_line(f, 41, -97, 200, 14 | 04000, 0, 0, 0, 0),
			    "[pid     5] socket(200, 14|SOCK_NONBLOCK, 0) = -1 EAFNOSUPPORT "
			    "(Address family not supported by protocol)\n");
	assert_string_equal(call_line(f, 288, 4, 3, 0, 0, 02000000, 0, 0),
			    "[pid     5] accept4(3, NULL, NULL, SOCK_CLOEXEC) = 4\n");
}

/* access modes, whence, fcntl and ioctl commands, futex ops, wait options. */
static void decode_commands(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(call_line(f, 21, -2, 0x1000, 0, 0, 0, 0, 0),
			    "[pid     5] access(0x1000, F_OK) = -1 ENOENT (No such file or "
			    "directory)\n");
	assert_string_equal(
		call_line(f, 439, 0, 3, 0x1000, 6, 0x100, 0, 0),
		"[pid     5] faccessat2(3, 0x1000, W_OK|R_OK, AT_SYMLINK_NOFOLLOW) = 0\n");
	assert_string_equal(call_line(f, 8, 10, 3, 0, 2, 0, 0, 0),
			    "[pid     5] lseek(3, 0, SEEK_END) = 10\n");
	assert_string_equal(call_line(f, 8, 10, 3, (uint64_t)-5, 7, 0, 0, 0),
			    "[pid     5] lseek(3, -5, 7) = 10\n");
	assert_string_equal(call_line(f, 72, 0, 3, 2, 1, 0, 0, 0),
			    "[pid     5] fcntl(3, F_SETFD, 0x1) = 0\n");
	assert_string_equal(call_line(f, 72, 4, 3, 1030, 0, 0, 0, 0),
			    "[pid     5] fcntl(3, F_DUPFD_CLOEXEC, 0) = 4\n");
	assert_string_equal(call_line(f, 16, 0, 1, 0x5401, 0x7ffd2000, 0, 0, 0),
			    "[pid     5] ioctl(1, TCGETS, 0x7ffd2000) = 0\n");
	assert_string_equal(call_line(f, 16, -25, 1, 0xc0045878, 0, 0, 0, 0),
			    "[pid     5] ioctl(1, 0xc0045878, 0) = -1 ENOTTY (Inappropriate ioctl "
			    "for device)\n");
	assert_string_equal(
		call_line(f, 202, 0, 0x7f0000, 128, 2, 0, 0, 0),
		"[pid     5] futex(0x7f0000, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0) = 0\n");
	assert_string_equal(call_line(f, 202, 1, 0x7f0000, 0x189, 1, 0, 0, 0xffffffff),
			    "[pid     5] futex(0x7f0000, FUTEX_WAIT_BITSET_PRIVATE|"
			    "FUTEX_CLOCK_REALTIME, 1, NULL, NULL, -1) = 1\n");
	assert_string_equal(call_line(f, 61, 0, (uint64_t)-1, 0x7ffd3000, 1, 0, 0, 0),
			    "[pid     5] wait4(-1, 0x7ffd3000, WNOHANG, NULL) = 0\n");
}

/* rt_sigreturn: the mask it restored, from its return record (args[1]),
 * as strace shows the frame's; "?" without a return; the value is the
 * restored RAX. */
static void sigreturn_mask_shown(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record call[3] = { entry(5, __NR_rt_sigreturn, 0x7ffd1000),
					    ret(5, __NR_rt_sigreturn, -4),
					    entry(5, __NR_rt_sigreturn, 9) };

	call[1].args[1] = 1ULL << (2 - 1) | 1ULL << (3 - 1); /* SIGINT, SIGQUIT */
	call[1].seq = 1;
	call[2].seq = 2;
	assert_string_equal(printed_all(f, false, call, 2),
			    "[pid     5] rt_sigreturn({mask=[INT QUIT]}) = -1 EINTR (Interrupted "
			    "system call)\n");
	call[1].args[1] = 0;
	call[1].args[0] = 0;
	assert_string_equal(printed_all(f, false, call, 3),
			    "[pid     5] rt_sigreturn({mask=[]}) = 0\n"
			    "[pid     5] rt_sigreturn({mask=?} <unfinished ...>) = ?\n");
	/* Not a mask: the agent's "unknown" (a bad frame: RDI is not one),
	 * anything with SIGKILL's bit, an exit-mode return's (no mask), a
	 * 32-bit call's (EBX). */
	call[1].args[1] = ~0ULL;
	assert_string_equal(printed_all(f, false, call, 2),
			    "[pid     5] rt_sigreturn({mask=?}) = 0\n");
	call[1].args[1] = 0x300; /* KILL USR1 */
	assert_string_equal(printed_all(f, false, call, 2),
			    "[pid     5] rt_sigreturn({mask=?}) = 0\n");
	call[1].args[1] = 2;
	call[1].flags |= FVX_RECORD_EXIT_MODE;
	assert_string_equal(printed_all(f, false, call, 2),
			    "[pid     5] rt_sigreturn({mask=?}) = 0\n");
	call[0].nr = call[1].nr = 173; /* i386 rt_sigreturn */
	call[0].flags = FVX_RECORD_COMPAT;
	call[1].flags = FVX_RECORD_COMPAT | FVX_RECORD_RETURN;
	call[0].args[0] = 2;
	assert_non_null(strstr(printed_all(f, false, call, 2), "rt_sigreturn({mask=?}) = 0\n"));
}

/* The kernel's restart errnos (not in uapi): "?" and strace's reasons. */
static void restart_errnos(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(call_line(f, 0, -512, 0, 0x1000, 10, 0, 0, 0),
			    "[pid     5] read(0, 0x1000, 10) = ? ERESTARTSYS (To be restarted if "
			    "SA_RESTART is set)\n");
	assert_string_equal(call_line(f, 34, -514, 0, 0, 0, 0, 0, 0),
			    "[pid     5] pause() = ? ERESTARTNOHAND (To be restarted if no "
			    "handler)\n");
	assert_string_equal(call_line(f, 35, -516, 0x1000, 0, 0, 0, 0, 0),
			    "[pid     5] nanosleep(0x1000, NULL) = ? ERESTART_RESTARTBLOCK "
			    "(Interrupted by signal)\n");
	assert_string_equal(call_line(f, 57, -513, 0, 0, 0, 0, 0, 0),
			    "[pid     5] fork() = ? ERESTARTNOINTR (To be restarted)\n");
	assert_string_equal(
		call_line(f, 16, -515, 1, 0x5401, 0, 0, 0, 0),
		"[pid     5] ioctl(1, TCGETS, 0) = -1 ENOIOCTLCMD (Unknown error 515)\n");
}

/* A clock where one TSC tick is 1 ns and TSC 0 is 1700000000 s. */
static struct output_options clocked(void)
{
	struct output_options opt = { 0 };

	assert_true(tsc_clock_set(&opt.clock, 0, 1700000000000000000LL, 1000000000,
				  1700000001000000000LL));
	return opt;
}

static struct fvx_trace_record at(struct fvx_trace_record r, uint64_t tsc)
{
	r.tsc = tsc;
	return r;
}

/* -ttt, -tt and -T from the records' TSC; resumed lines carry the time of
 * the return. */
static void timestamps_and_durations(void **state)
{
	struct fixture *f = *state;
	struct output_options opt = clocked();
	struct fvx_trace_record r[] = { at(entry(9, 39, 0), 100000), at(ret(9, 39, 9), 350000),
					at(entry(9, 0, 3), 1000000), at(entry(8, 39, 0), 1500000),
					at(ret(9, 0, 0), 2500000) };

	opt.timestamps = 3;
	opt.durations = true;
	assert_string_equal(
		printed_with(f, &opt, r, 5),
		"[pid     9] 1700000000.000100 getpid() = 9 <0.000250>\n"
		"[pid     9] 1700000000.001000 read(3,  <unfinished ...>\n"
		"[pid     8] 1700000000.001500 getpid( <unfinished ...>\n"
		"[pid     9] 1700000000.002500 <... read resumed>NULL, 0) = 0 <0.001500>\n"
		"[pid     8] 1700000000.001500 <... getpid resumed>) = ?\n");
	setenv("TZ", "UTC", 1);
	tzset();
	opt.timestamps = 2;
	opt.durations = false;
	assert_string_equal(printed_with(f, &opt, r, 2),
			    "[pid     9] 22:13:20.000100 getpid() = 9\n");
	opt.timestamps = 1;
	assert_string_equal(printed_with(f, &opt, r, 2), "[pid     9] 22:13:20 getpid() = 9\n");
}

/* A quick call recorded once, as it returned (FVX_RECORD_WHOLE, its
 * value in args[FVX_QUICK_VALUE]). */
static struct fvx_trace_record whole(uint32_t pid, uint64_t nr, uint64_t arg0, int64_t value)
{
	struct fvx_trace_record r = ret(pid, nr, (int64_t)arg0);

	r.flags |= FVX_RECORD_WHOLE;
	r.args[FVX_QUICK_VALUE] = (uint64_t)value;
	return r;
}

/* A quick call recorded whole prints the line its entry and return would:
 * between another thread's unfinished call and its resumption, with no
 * time in the call (-T); in JSON, the same object as that pair at one
 * moment. */
static void quick_calls_print_whole(void **state)
{
	struct fixture *f = *state;
	struct output_options opt = clocked();
	struct fvx_trace_record r[] = { at(entry(8, 0, 3), 1000), at(whole(9, 39, 0, 9), 2000),
					at(ret(8, 0, 5), 3000) };
	struct fvx_trace_record pair[2] = { at(entry(9, 121, 7), 2000), at(ret(9, 121, 4), 2000) };
	char *want;

	opt.durations = true;
	assert_string_equal(printed_with(f, &opt, r, 3),
			    "[pid     8] read(3,  <unfinished ...>\n"
			    "[pid     9] getpid() = 9 <0.000000>\n"
			    "[pid     8] <... read resumed>NULL, 0) = 5 <0.000002>\n");
	want = strdup(printed_all(f, true, pair, 2));
	assert_non_null(want);
	assert_non_null(strstr(want, "\"getpgid\""));
	r[1] = at(whole(9, 121, 7, 4), 2000);
	assert_string_equal(printed_all(f, true, &r[1], 1), want);
	free(want);
}

/* -e status=failed: only calls that returned an error, each whole when it
 * ends; status=unfinished: only those that did not return. */
static void status_filter(void **state)
{
	struct fixture *f = *state;
	struct output_options opt = { .status = STATUS_FAILED };
	struct fvx_trace_record r[] = { entry(1, 2, 0x1000), entry(2, 39, 0), ret(2, 39, 2),
					ret(1, 2, -2),	     entry(3, 0, 0),  ret(3, 0, -512),
					entry(4, 231, 0) };

	assert_string_equal(printed_with(f, &opt, r, 7),
			    "[pid     1] open(0x1000, O_RDONLY) = -1 ENOENT (No such file or "
			    "directory)\n"
			    "[pid     3] read(0, NULL, 0) = ? ERESTARTSYS (To be restarted if "
			    "SA_RESTART is set)\n");
	opt.status = STATUS_UNFINISHED;
	assert_string_equal(printed_with(f, &opt, r, 7), "[pid     4] exit_group(0) = ?\n");
	opt.status = STATUS_SUCCESSFUL;
	opt.json = true;
	assert_non_null(strstr(printed_with(f, &opt, r, 7), "\"name\":\"getpid\""));
	assert_null(strstr(f->text, "\"name\":\"open\""));
}

/* How threads end, as strace's "+++" lines say it, per thread. */
static void task_exit_lines(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r[] = {
		task_exit(1, 0, true),	       task_exit(2, 7 << 8, false),
		task_exit(3, 255 << 8, true),  task_exit(4, 9, true),
		task_exit(5, 11 | 0x80, true), task_exit(6, 6 | 0x80, true),
		task_exit(7, 15, false),       task_exit(8, 37, true),
	};

	assert_string_equal(printed_all(f, false, r, sizeof(r) / sizeof(r[0])),
			    "[pid     1] +++ exited with 0 +++\n"
			    "[pid     2] +++ exited with 7 +++\n"
			    "[pid     3] +++ exited with 255 +++\n"
			    "[pid     4] +++ killed by SIGKILL +++\n"
			    "[pid     5] +++ killed by SIGSEGV (core dumped) +++\n"
			    "[pid     6] +++ killed by SIGABRT (core dumped) +++\n"
			    "[pid     7] +++ killed by SIGTERM +++\n"
			    "[pid     8] +++ killed by SIGRT_5 +++\n");
}

/* Signals as strace 6.1 prints them (each line checked against it). */
static void task_signal_lines(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r[] = {
		task_signal(124, 17, 1, 123 | 0ULL << 32, 0, 0, 0), /* SIGCHLD, CLD_EXITED */
		task_signal(123, 10, 0, 123, 0, 0, 0), /* SIGUSR1, SI_USER */
		task_signal(125, 11, 1, 0x10, 0, 0, 0), /* SIGSEGV, SEGV_MAPERR */
		task_signal(123, 17, 2, 126 | 1000ULL << 32, 9, 8, 123), /* CLD_KILLED */
		task_signal(123, 12, -6, 123, 0, 0, 0), /* SI_TKILL */
		task_signal(123, 12, -1, 123, 42, 0, 0), /* SI_QUEUE */
		task_signal(123, 35, -1, 123, 0x7f0011223344, 0, 0), /* SIGRTMIN+3 */
		task_signal(123, 37, -2, 0, 7, 0, 0), /* SI_TIMER */
		task_signal(123, 8, 1, 0x55a3c181f57d, 0, 0, 0), /* SIGFPE */
		task_signal(123, 5, 0x80, 0, 0, 0, 0), /* SIGTRAP, SI_KERNEL */
		task_signal(123, 7, 2, 0x7f2c776ab000, 0, 0, 0), /* SIGBUS */
		task_signal(123, 31, 1, 0x7f2c775c1829, 110 | 0xc000003eULL << 32, 0, 0),
		task_signal(123, 15, 0, 0xffffffff00000001, 0, 0, 0), /* uid -1 */
		task_signal(123, 10, -100, 1, 0, 0, 0), /* a code without a name */
		task_signal(123, 30, 3, 0, 0, 0, 0), /* SIGPWR: neither */
	};

	r[11].args[1] = fvx_signal_pack(31, 1, 5); /* SIGSYS from seccomp, si_errno EIO */
	assert_string_equal(
		printed_all(f, false, r, sizeof(r) / sizeof(r[0])),
		"[pid   124] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=123, "
		"si_uid=0, "
		"si_status=0, si_utime=0, si_stime=0} ---\n"
		"[pid   123] --- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=123, si_uid=0} "
		"---\n"
		"[pid   125] --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} "
		"---\n"
		"[pid   123] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=126, "
		"si_uid=1000, "
		"si_status=SIGKILL, si_utime=8 /* 0.08 s */, si_stime=123 /* 1.23 s */} ---\n"
		"[pid   123] --- SIGUSR2 {si_signo=SIGUSR2, si_code=SI_TKILL, si_pid=123, "
		"si_uid=0} ---\n"
		"[pid   123] --- SIGUSR2 {si_signo=SIGUSR2, si_code=SI_QUEUE, si_pid=123, "
		"si_uid=0, "
		"si_int=42, si_ptr=0x2a} ---\n"
		"[pid   123] --- SIGRT_3 {si_signo=SIGRT_3, si_code=SI_QUEUE, si_pid=123, "
		"si_uid=0, "
		"si_int=287454020, si_ptr=0x7f0011223344} ---\n"
		"[pid   123] --- SIGRT_5 {si_signo=SIGRT_5, si_code=SI_TIMER, si_timerid=0, "
		"si_overrun=0, si_int=7, si_ptr=0x7} ---\n"
		"[pid   123] --- SIGFPE {si_signo=SIGFPE, si_code=FPE_INTDIV, "
		"si_addr=0x55a3c181f57d} "
		"---\n"
		"[pid   123] --- SIGTRAP {si_signo=SIGTRAP, si_code=SI_KERNEL, si_addr=NULL} ---\n"
		"[pid   123] --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, "
		"si_addr=0x7f2c776ab000} "
		"---\n"
		"[pid   123] --- SIGSYS {si_signo=SIGSYS, si_code=SYS_SECCOMP, si_errno=EIO, "
		"si_call_addr=0x7f2c775c1829, si_syscall=__NR_getppid, si_arch=AUDIT_ARCH_X86_64} "
		"---\n"
		"[pid   123] --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=1, si_uid=-1} "
		"---\n"
		"[pid   123] --- SIGUSR1 {si_signo=SIGUSR1, si_code=0xffffff9c, si_pid=1, "
		"si_uid=0} "
		"---\n"
		"[pid   123] --- SIGPWR {si_signo=SIGPWR, si_code=0x3} ---\n");
}

/* A stop signal the task takes by its default action begins a group stop:
 * strace's "--- stopped by SIGSTOP ---" after its line (strace 6.1, -f);
 * one the task catches or ignores, or SIGCONT, shows its line only. */
static void group_stop_lines(void **state)
{
	struct fixture *f = *state;
	struct output_options opt = { 0 };
	struct fvx_trace_record r[] = {
		task_signal(7, 19, -6, 7, 0, 0, 0), /* SIGSTOP, SI_TKILL: stops */
		task_signal(7, 18, 0, 1, 0, 0, 0), /* SIGCONT */
		task_signal(8, 20, 0, 1, 0, 0, 0), /* SIGTSTP: stops */
		task_signal(9, 20, 0, 1, 0, 0, 0), /* SIGTSTP with a handler */
	};

	r[0].args[1] |= FVX_SIGNAL_STOPS;
	r[2].args[1] |= FVX_SIGNAL_STOPS;
	assert_string_equal(
		printed_all(f, false, r, 4),
		"[pid     7] --- SIGSTOP {si_signo=SIGSTOP, si_code=SI_TKILL, si_pid=7, si_uid=0} "
		"---\n"
		"[pid     7] --- stopped by SIGSTOP ---\n"
		"[pid     7] --- SIGCONT {si_signo=SIGCONT, si_code=SI_USER, si_pid=1, si_uid=0} "
		"---\n"
		"[pid     8] --- SIGTSTP {si_signo=SIGTSTP, si_code=SI_USER, si_pid=1, si_uid=0} "
		"---\n"
		"[pid     8] --- stopped by SIGTSTP ---\n"
		"[pid     9] --- SIGTSTP {si_signo=SIGTSTP, si_code=SI_USER, si_pid=1, si_uid=0} "
		"---\n");
	opt.json = true;
	assert_string_equal(
		printed_with(f, &opt, r, 1),
		"{\"seq\":0,\"tsc\":0,\"cpu\":0,\"pid\":7,\"tgid\":1,"
		"\"event\":\"signal\",\"signal\":19,\"si_code\":-6,\"decoded\":"
		"\"SIGSTOP {si_signo=SIGSTOP, si_code=SI_TKILL, si_pid=7, si_uid=0}\"}\n"
		"{\"seq\":0,\"tsc\":0,\"cpu\":0,\"pid\":7,\"tgid\":1,"
		"\"event\":\"stopped\",\"signal\":19,\"decoded\":\"stopped by SIGSTOP\"}\n");
}

/* A signal shows after the line of the call its thread was in, as the
 * thread takes it when the call ends; at once when the thread is in none.
 * With -c there are no such lines; -t stamps them; JSON has objects. */
static void task_lines_in_order(void **state)
{
	struct fixture *f = *state;
	struct output_options opt = clocked();
	struct fvx_trace_record r[] = {
		at(entry(1, 61, 0xffffffffffffffff), 1000), /* wait4 */
		at(task_exit(2, 0, true), 1500), /* the child ends */
		at(task_signal(1, 17, 1, 2, 0, 0, 0), 1600), /* SIGCHLD, discarded */
		at(task_signal(3, 10, 0, 3, 0, 0, 0), 1700), /* another thread's */
		at(ret(1, 61, 2), 2000), /* wait4 returns */
		at(entry(1, 231, 0), 3000), /* exit_group */
		at(task_signal(1, 15, 0, 9, 0, 0, 0), 3500), /* a signal as it goes */
		at(task_exit(1, 0, true), 4000),
	};

	assert_string_equal(
		printed_all(f, false, r, 8),
		"[pid     1] wait4(-1, NULL, 0, NULL <unfinished ...>\n"
		"[pid     2] +++ exited with 0 +++\n"
		"[pid     3] --- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=3, "
		"si_uid=0} ---\n"
		"[pid     1] <... wait4 resumed>) = 2\n"
		"[pid     1] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, "
		"si_uid=0, si_status=0, si_utime=0, si_stime=0} ---\n"
		"[pid     1] exit_group(0) = ?\n"
		"[pid     1] --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=9, "
		"si_uid=0} ---\n"
		"[pid     1] +++ exited with 0 +++\n");
	opt.summary = true;
	assert_null(strstr(printed_with(f, &opt, r, 8), "+++"));
	assert_null(strstr(f->text, "--- SIG"));
	opt.summary = false;
	opt.timestamps = 3;
	assert_non_null(strstr(printed_with(f, &opt, r + 1, 1),
			       "[pid     2] 1700000000.000001 +++ exited with 0 +++\n"));
	opt.timestamps = 0;
	opt.json = true;
	assert_string_equal(printed_with(f, &opt, r + 1, 2),
			    "{\"seq\":0,\"tsc\":1500,\"cpu\":0,\"pid\":2,\"tgid\":1,"
			    "\"event\":\"exit\",\"status\":0,\"last_thread\":true,"
			    "\"decoded\":\"exited with 0\"}\n"
			    "{\"seq\":0,\"tsc\":1600,\"cpu\":0,\"pid\":1,\"tgid\":1,"
			    "\"event\":\"signal\",\"signal\":17,\"si_code\":1,\"decoded\":"
			    "\"SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, si_uid=0, "
			    "si_status=0, si_utime=0, si_stime=0}\"}\n");
}

/* Task records from a hostile ring: unknown kinds are ignored, garbage
 * values decode to something, never beyond the line; a child the
 * analyzer could not follow is counted; many signals for one thread in a
 * call are shown, some at once. */
static void hostile_task_records(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r[600], bad = task_exit(9, ~0ULL, true);
	const char *text;
	size_t i;

	for (i = 0; i < 600; i++)
		r[i] = task_signal(5, (unsigned int)i, (int)(i * 7919), ~0ULL, ~0ULL, ~0ULL, ~0ULL);
	r[0] = entry(5, 0, 0);
	r[1] = bad;
	r[1].nr = 0;
	r[2] = bad;
	r[2].nr = 1ULL << 40;
	r[3] = bad;
	r[3].nr = FVX_TASK_FORK;
	r[4] = bad;
	r[4].nr = 4;
	r[5] = bad;
	r[5].flags |= FVX_RECORD_DATA | FVX_RECORD_RETURN;
	text = printed_all(f, false, r, 600);
	assert_int_equal(f->output.unfollowed, 1);
	assert_non_null(strstr(text, "[pid     9] +++ killed by 127 (core dumped) +++\n"));
	assert_null(strstr(text, "[pid     9] --- "));
	assert_non_null(strstr(text, "[pid     5] --- SIGSYS {si_signo=SIGSYS, si_code=0x"));
	assert_non_null(strstr(text, "[pid     5] --- 0 {} ---\n"));
	assert_non_null(strstr(text, "[pid     5] --- 255 {si_signo=255, si_code=0x"));
	assert_non_null(strstr(text, "[pid     5] <... read resumed>NULL, 0) = ?\n"));
	for (i = 0, text = f->text; (text = strstr(text, "[pid     5] --- ")); text++)
		i++;
	assert_int_equal(i, 600 - 6);
}

/* -c: no calls, strace's table by time spent, errors counted. */
static void summary_table(void **state)
{
	struct fixture *f = *state;
	struct output_options opt = clocked();
	struct fvx_trace_record r[] = {
		at(entry(1, 39, 0), 0),	       at(ret(1, 39, 1), 1000),
		at(entry(1, 2, 0x1000), 2000), at(ret(1, 2, -2), 5000),
		at(entry(1, 2, 0x1000), 6000), at(ret(1, 2, 3), 9000),
		at(entry(1, 0, 3), 10000),     at(ret(1, 0, 5), 10500),
		at(entry(1, 231, 0), 20000),
	};

	opt.summary = true;
	assert_string_equal(printed_with(f, &opt, r, 9),
			    "% time     seconds  usecs/call     calls    errors syscall\n"
			    "------ ----------- ----------- --------- --------- ----------------\n"
			    " 80.00    0.000006           3         2         1 open\n"
			    " 13.33    0.000001           1         1           getpid\n"
			    "  6.67    0.000000           0         1           read\n"
			    "  0.00    0.000000           0         1           exit_group\n"
			    "------ ----------- ----------- --------- --------- ----------------\n"
			    "100.00    0.000008           1         5         1 total\n");
}

/* -c with durations no clock can have (the TSCs of hostile or damaged
 * records): the sums stop at the largest time instead of overflowing
 * (ring_fuzz found the overflow). */
static void summary_times_saturate(void **state)
{
	struct fixture *f = *state;
	struct output_options opt = clocked();
	struct fvx_trace_record r[] = {
		at(entry(1, 39, 0), 0), at(ret(1, 39, 1), 1ULL << 62),
		at(entry(1, 39, 0), 0), at(ret(1, 39, 1), 1ULL << 62),
		at(entry(1, 2, 0), 0),	at(ret(1, 2, 3), 1ULL << 62),
	};
	const char *text;

	opt.summary = true;
	text = printed_with(f, &opt, r, 6);
	assert_string_equal(
		text, "% time     seconds  usecs/call     calls    errors syscall\n"
		      "------ ----------- ----------- --------- --------- ----------------\n"
		      "100.00 9223372036.854776 4611686018427387         2           getpid\n"
		      " 50.00 4611686018.427388 4611686018427387         1           open\n"
		      "------ ----------- ----------- --------- --------- ----------------\n"
		      "100.00 9223372036.854776 3074457345618258         3           total\n");
}

/* JSON: the decoded arguments and return beside the raw ones, the time
 * and duration with -ttt -T. */
static void json_decoded(void **state)
{
	struct fixture *f = *state;
	struct output_options opt = clocked();
	struct fvx_trace_record r[] = { at(entry(7, 62, 30466), 1000), at(ret(7, 62, -1), 3000) };

	r[0].args[1] = 9;
	opt.json = true;
	opt.timestamps = 3;
	opt.durations = true;
	assert_string_equal(
		printed_with(f, &opt, r, 2),
		"{\"seq\":0,\"tsc\":1000,\"cpu\":0,\"pid\":7,\"tgid\":1,\"arch\":\"x86_64\",\"nr\":"
		"62,"
		"\"name\":\"kill\",\"args\":[\"0x7702\",\"0x9\",\"0\",\"0\",\"0\",\"0\"],"
		"\"exit_mode\":false,\"ret\":-1,\"errno\":\"EPERM\","
		"\"decoded_args\":[\"30466\",\"SIGKILL\"],"
		"\"decoded_ret\":\"-1 EPERM (Operation not permitted)\","
		"\"time\":1700000000.000001,\"duration\":0.000002}\n");
}

/* ---- strings and buffers: data records before their owner ---- */

/* The data record for piece `offset` of argument arg's value (total
 * bytes of `bytes`), owned by nr's entry (or return) on thread pid. */
static struct fvx_trace_record data(uint32_t pid, uint64_t nr, uint32_t owner, int arg, int state,
				    int offset, int total, const char *bytes)
{
	int length = total - offset < FVX_DATA_PIECE ? total - offset : FVX_DATA_PIECE;
	struct fvx_trace_record r = { .nr = nr,
				      .pid = pid,
				      .tgid = 1,
				      .flags = FVX_RECORD_DATA | owner,
				      .cr3 = fvx_data_header_pack((struct fvx_data_header){
					      .arg = (__u8)arg,
					      .state = (__u8)state,
					      .offset = (__u16)offset,
					      .length = (__u16)(length > 0 ? length : 0),
					      .total = (__u16)total }) };

	if (length > 0)
		memcpy(r.args, bytes + offset, (size_t)length);
	return r;
}

static struct fvx_trace_record args3(struct fvx_trace_record r, uint64_t a1, uint64_t a2,
				     uint64_t a3)
{
	r.args[1] = a1;
	r.args[2] = a2;
	r.args[3] = a3;
	return r;
}

/* openat's path and write's buffer at entry, read's at return; NULL, a
 * truncated buffer ("..." after -s bytes), an unreadable pointer (its
 * address, as strace prints it) and a failed read (no data). */
static void strings_and_buffers_are_shown_quoted(void **state)
{
	struct fixture *f = *state;
	const char *path = "/etc/passwd", *hello = "hello\n", *big = "0123456789abcdef";
	struct fvx_trace_record r[] = {
		data(5, 257, 0, 1, FVX_DATA_COMPLETE, 0, 11, path),
		args3(entry(5, 257, (uint64_t)-100), 0x7000, 0, 0),
		ret(5, 257, 3),
		data(5, 1, 0, 1, FVX_DATA_COMPLETE, 0, 6, hello),
		args3(entry(5, 1, 1), 0x7100, 6, 0),
		ret(5, 1, 6),
		args3(entry(5, 0, 3), 0x7200, 100, 0),
		data(5, 0, FVX_RECORD_RETURN, 1, FVX_DATA_TRUNCATED, 0, 16, big),
		ret(5, 0, 100),
		entry(5, 2, 0),
		ret(5, 2, -14),
		data(5, 2, 0, 0, FVX_DATA_UNREADABLE, 0, 0, ""),
		entry(5, 2, 1),
		ret(5, 2, -14),
		args3(entry(5, 0, 3), 0x7200, 100, 0),
		ret(5, 0, -11),
	};
	struct output_options opt = { .string_limit = 8 };

	assert_string_equal(printed_with(f, &opt, r, 16),
			    "[pid     5] openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY) = 3\n"
			    "[pid     5] write(1, \"hello\\n\", 6) = 6\n"
			    "[pid     5] read(3, \"01234567\"..., 100) = 100\n"
			    "[pid     5] open(NULL, O_RDONLY) = -1 EFAULT (Bad address)\n"
			    "[pid     5] open(0x1, O_RDONLY) = -1 EFAULT (Bad address)\n"
			    "[pid     5] read(3, 0x7200, 100) = -1 EAGAIN (Resource temporarily "
			    "unavailable)\n");
}

/* A value in several pieces, whatever order they come in and however often;
 * a piece missing, pieces that disagree, or malformed ones: the address.
 * Orphans (their owner was dropped) never reach another call. */
static void data_pieces_are_checked(void **state)
{
	struct fixture *f = *state;
	char s[101];
	struct fvx_trace_record r[16];
	int n = 0;

	memset(s, 'x', 100);
	s[100] = 0;
	/* Pieces at 96, 0, 48, 0 again: shown whole. */
	r[n++] = data(6, 2, 0, 0, FVX_DATA_COMPLETE, 96, 100, s);
	r[n++] = data(6, 2, 0, 0, FVX_DATA_COMPLETE, 0, 100, s);
	r[n++] = data(6, 2, 0, 0, FVX_DATA_COMPLETE, 48, 100, s);
	r[n++] = data(6, 2, 0, 0, FVX_DATA_COMPLETE, 0, 100, s);
	r[n++] = entry(6, 2, 0x1000);
	/* The piece at 48 missing. */
	r[n++] = data(6, 2, 0, 0, FVX_DATA_COMPLETE, 0, 100, s);
	r[n++] = data(6, 2, 0, 0, FVX_DATA_COMPLETE, 96, 100, s);
	r[n++] = entry(6, 2, 0x2000);
	/* Two totals for one value. */
	r[n++] = data(6, 2, 0, 0, FVX_DATA_COMPLETE, 0, 4, "abcd");
	r[n++] = data(6, 2, 0, 0, FVX_DATA_COMPLETE, 0, 3, "abc");
	r[n++] = entry(6, 2, 0x3000);
	/* An orphan of unlink (its entry lost), then open; a malformed
	 * piece (argument 6). */
	r[n++] = data(6, 87, 0, 0, FVX_DATA_COMPLETE, 0, 3, "abc");
	r[n++] = data(6, 2, 0, 6, FVX_DATA_COMPLETE, 0, 3, "abc");
	r[n++] = entry(6, 2, 0x4000);
	/* An orphan of another thread's call: not this one's. */
	r[n++] = data(7, 2, 0, 0, FVX_DATA_COMPLETE, 0, 3, "abc");
	r[n++] = entry(6, 2, 0x5000);
	assert_string_equal(printed_all(f, false, r, (size_t)n),
			    "[pid     6] open(\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\", O_RDONLY) = ?\n"
			    "[pid     6] open(0x2000, O_RDONLY) = ?\n"
			    "[pid     6] open(0x3000, O_RDONLY) = ?\n"
			    "[pid     6] open(0x4000, O_RDONLY) = ?\n"
			    "[pid     6] open(0x5000, O_RDONLY <unfinished ...>) = ?\n");
}

/* Calls still running when the trace ends end in the order they began,
 * whichever returned meanwhile (their places in the frontend move). */
static void running_calls_end_in_the_order_they_began(void **state)
{
	struct fixture *f = *state;
	const uint32_t pids[] = { 7, 5, 9, 6, 8 };
	struct fvx_trace_record r[8];
	const char *out, *at[5];
	int n = 0, i;

	for (i = 0; i < 5; i++)
		r[n++] = entry(pids[i], 0, 3); /* read(3, ... */
	r[n++] = ret(5, 0, 1);
	r[n++] = ret(8, 0, 1);
	r[n++] = entry(5, 0, 4);
	out = printed_all(f, true, r, (size_t)n);
	/* JSON: one object per call, as it ends. */
	for (i = 0; i < 5; i++) {
		char pid[32];

		snprintf(pid, sizeof(pid), "\"pid\":%u,", pids[i]);
		at[i] = strstr(out, pid);
		assert_non_null(at[i]);
	}
	/* 5 and 8 returned first; then 7, 9, 6 as they began, then 5's second. */
	assert_true(at[1] < at[4] && at[4] < at[0] && at[0] < at[2] && at[2] < at[3]);
	assert_non_null(strstr(at[3], "\"pid\":5,"));
}

/* A path of PATH_MAX bytes in its 86 pieces prints whole; one of them
 * missing (the last, or one past the eighth), the address. */
static void long_paths_print_whole(void **state)
{
	struct fixture *f = *state;
	static char s[FVX_DATA_STRING_MAX + 1], want[FVX_DATA_STRING_MAX + 256];
	static struct fvx_trace_record r[3 * (FVX_DATA_PIECES_MAX + 1)];
	int n = 0, pieces = FVX_DATA_STRING_MAX / FVX_DATA_PIECE + 1, skip, i;

	memset(s, 'a', FVX_DATA_STRING_MAX);
	memcpy(s + FVX_DATA_STRING_MAX - 11, "/etc/shadow", 11);
	for (skip = -1; skip < 2; skip++) {
		for (i = 0; i < pieces; i++)
			if (i != (skip < 0 ? -1 : skip ? pieces - 1 : 9))
				r[n++] = data(6, 2, 0, 0, FVX_DATA_COMPLETE, i * FVX_DATA_PIECE,
					      FVX_DATA_STRING_MAX, s);
		r[n++] = entry(6, 2, 0x1000 + (uint64_t)skip + 1);
	}
	snprintf(want, sizeof(want),
		 "[pid     6] open(\"%s\", O_RDONLY) = ?\n"
		 "[pid     6] open(0x1001, O_RDONLY) = ?\n"
		 "[pid     6] open(0x1002, O_RDONLY <unfinished ...>) = ?\n",
		 s);
	assert_string_equal(printed_all(f, false, r, (size_t)n), want);
}

/* Lines longer than the output's line buffer (a path of PATH_MAX control
 * bytes, each shown as two characters) print whole and in order, after
 * and before shorter ones. */
static void lines_longer_than_the_buffer_print_whole(void **state)
{
	struct fixture *f = *state;
	static char s[FVX_DATA_STRING_MAX + 1], shown[2 * FVX_DATA_STRING_MAX + 1];
	static char want[2 * sizeof(shown) + 256];
	static struct fvx_trace_record r[2 * (FVX_DATA_PIECES_MAX + 1) + 2];
	int n = 0, pieces = FVX_DATA_STRING_MAX / FVX_DATA_PIECE + 1, call, i;

	memset(s, 1, FVX_DATA_STRING_MAX);
	for (i = 0; i < FVX_DATA_STRING_MAX; i++)
		memcpy(shown + 2 * i, "\\1", 2);
	r[n++] = entry(6, __NR_getpid, 0);
	for (call = 0; call < 2; call++) {
		for (i = 0; i < pieces; i++)
			r[n++] = data(6, 2, 0, 0, FVX_DATA_COMPLETE, i * FVX_DATA_PIECE,
				      FVX_DATA_STRING_MAX, s);
		r[n++] = entry(6, 2, 0x1000);
	}
	snprintf(want, sizeof(want),
		 "[pid     6] getpid() = ?\n"
		 "[pid     6] open(\"%s\", O_RDONLY) = ?\n"
		 "[pid     6] open(\"%s\", O_RDONLY <unfinished ...>) = ?\n",
		 shown, shown);
	assert_true(strlen(want) > 2 * sizeof(((struct output *)0)->line));
	assert_string_equal(printed_all(f, false, r, (size_t)n), want);
}

/* strace's quoting: C escapes, octal in the fewest digits unless a digit
 * follows, "..." after a truncated value. */
static void quoting_follows_strace(void **state)
{
	const uint8_t bytes[] = { '"', '\\', '\n', '\t', '\r', '\f', '\v', 0,
				  '1', 0,    'a',  0x7f, 0x1b, '7',  0xff, 'z' };
	char out[128];

	decode_quoted(bytes, sizeof(bytes), false, out, sizeof(out));
	assert_string_equal(out, "\"\\\"\\\\\\n\\t\\r\\f\\v\\0001\\0a\\177\\0337\\377z\"");
	decode_quoted((const uint8_t *)"abc", 3, true, out, sizeof(out));
	assert_string_equal(out, "\"abc\"...");
	decode_quoted(NULL, 0, false, out, sizeof(out));
	assert_string_equal(out, "\"\"");
}

/* --json: "data" holds the values as JSON strings, byte b as U+00bb. */
static void json_data(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r[] = { data(5, 1, 0, 1, FVX_DATA_TRUNCATED, 0, 4, "a\"\n\xe9"),
					args3(entry(5, 1, 1), 0x7100, 9, 0), ret(5, 1, 9) };

	struct output_options opt = { .json = true, .string_limit = 32 };

	assert_non_null(
		strstr(printed_with(f, &opt, r, 3),
		       "\"decoded_args\":[\"1\",\"\\\"a\\\\\\\"\\\\n\\\\351\\\"...\",\"9\"],"
		       "\"data\":[null,{\"bytes\":\"a\\\"\\n\xc3\xa9\",\"truncated\":true},"
		       "null,null,null,null],"));
}

/* ---- argv, envp and socket addresses ---- */

/* A captured value of argument arg: at entry (owner 0) or at return. */
struct value {
	int arg;
	uint32_t owner;
	int state;
	int total;
	const char *bytes;
};
#define IN(arg, state, lit) ((struct value){ (arg), 0, (state), (int)sizeof(lit) - 1, (lit) })
#define OUT(arg, state, lit)                                                                       \
	((struct value){ (arg), FVX_RECORD_RETURN, (state), (int)sizeof(lit) - 1, (lit) })
#define NONE ((struct value){ -1, 0, 0, 0, NULL })

static size_t add_value(struct fvx_trace_record *r, size_t n, uint64_t nr, struct value v)
{
	int offset = 0;

	do {
		r[n++] = data(5, nr, v.owner, v.arg, v.state, offset, v.total, v.bytes);
		offset += FVX_DATA_PIECE;
	} while (offset < v.total);
	return n;
}

/* The line of nr(a) = retval on thread 5 with values v[0..2) (arg -1:
 * none) and -s string_limit. */
static const char *with_values(struct fixture *f, int string_limit, uint64_t nr,
			       const uint64_t a[6], struct value v0, struct value v1,
			       int64_t retval)
{
	const struct value v[2] = { v0, v1 };
	struct fvx_trace_record r[32];
	struct output_options opt = { .string_limit = string_limit };
	size_t n = 0, i;

	for (i = 0; i < 2; i++)
		if (v[i].arg >= 0 && !v[i].owner)
			n = add_value(r, n, nr, v[i]);
	r[n] = entry(5, nr, 0);
	memcpy(r[n++].args, a, sizeof(r[0].args));
	for (i = 0; i < 2; i++)
		if (v[i].arg >= 0 && v[i].owner)
			n = add_value(r, n, nr, v[i]);
	r[n++] = ret(5, nr, retval);
	return printed_with(f, &opt, r, n);
}

#define ARGV 0x7ffd0000
#define ENVP 0x7ffd0100

/* An iovec value's item (trace.h) at buf + *n: base, length, word, bytes. */
static void iov_put(char *buf, int *n, uint64_t base, uint64_t len, uint16_t word, const char *b)
{
	memcpy(buf + *n, &base, 8);
	memcpy(buf + *n + 8, &len, 8);
	memcpy(buf + *n + 16, &word, 2);
	*n += FVX_IOV_ITEM;
	if (word != FVX_IOV_UNREADABLE) {
		memcpy(buf + *n, b, word & FVX_IOV_SHOWN);
		*n += word & FVX_IOV_SHOWN;
	}
}

/* fstat(3, 0x7000) = 0 on thread 5 with the first `total` bytes of st
 * captured at its return. */
static const char *fstat_line(struct fixture *f, const struct stat *st, int total)
{
	const uint64_t a[6] = { 3, 0x7000 };

	return with_values(
		f, 32, 5, a,
		(struct value){ 1, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, total, (const char *)st },
		NONE, 0);
}

/* A struct stat as strace abbreviates it: a file's mode and size, a
 * device's number, set-id and sticky bits by name; its address when the
 * call failed or the value is short. */
static void stat_buffers_as_strace_prints_them(void **state)
{
	struct fixture *f = *state;
	struct stat st = { .st_mode = S_IFREG | 0644, .st_size = 9 };
	const uint64_t a[6] = { 3, 0x7000 };

	assert_string_equal(fstat_line(f, &st, FVX_STAT_SIZE),
			    "[pid     5] fstat(3, {st_mode=S_IFREG|0644, st_size=9, ...}) = 0\n");
	st.st_mode = S_IFCHR | 0620;
	st.st_rdev = makedev(0x88, 1);
	assert_string_equal(
		fstat_line(f, &st, FVX_STAT_SIZE),
		"[pid     5] fstat(3, {st_mode=S_IFCHR|0620, st_rdev=makedev(0x88, 0x1), "
		"...}) = 0\n");
	st.st_mode = S_IFREG | S_ISUID | S_ISVTX | 0755;
	assert_string_equal(
		fstat_line(f, &st, FVX_STAT_SIZE),
		"[pid     5] fstat(3, {st_mode=S_IFREG|S_ISUID|S_ISVTX|0755, st_size=9, "
		"...}) = 0\n");
	assert_string_equal(fstat_line(f, &st, FVX_STAT_SIZE - 8),
			    "[pid     5] fstat(3, 0x7000) = 0\n");
	assert_string_equal(with_values(f, 32, 5, a, NONE, NONE, -9),
			    "[pid     5] fstat(3, 0x7000) = -1 EBADF (Bad file descriptor)\n");
}

/* A kernel struct sigaction's bytes (handler, flags, restorer, mask). */
static const char *sigaction_bytes(char *buf, uint64_t handler, uint64_t flags, uint64_t restorer,
				   uint64_t mask)
{
	memcpy(buf, &handler, 8);
	memcpy(buf + 8, &flags, 8);
	memcpy(buf + 16, &restorer, 8);
	memcpy(buf + 24, &mask, 8);
	return buf;
}

/* rt_sigaction's and rt_sigprocmask's structures as strace 6.1 printed
 * them for the same calls: handlers by name or address, masks by signal
 * name ("~[...]" for more than half the signals), flags in strace's order
 * with a hex remainder, the restorer with SA_RESTORER only; an address for
 * what was not captured (a fault, NULL, a failed call's old action). */
static void signal_structures_as_strace_prints_them(void **state)
{
	struct fixture *f = *state;
	char act[32], old[32], set[8], oset[8];
	const uint64_t a[6] = { 10, 0x7000, 0x7100, 8 }, m[6] = { 0, 0x7200, 0x7300, 8 };
	const uint64_t sa_restorer = 0x04000000, sa_restart = 0x10000000, sa_siginfo = 4;
	uint64_t full = ~(1ULL << 31 | 1ULL << 32), some = 1ULL << 1 | 1ULL << 2;

	sigaction_bytes(act, 0x401615, sa_restorer | sa_restart | sa_siginfo, 0x4088b0,
			1ULL << 16 | 1ULL << 36);
	sigaction_bytes(old, 0, 0, 0, 0);
	assert_string_equal(
		with_values(f, 32, __NR_rt_sigaction, a,
			    (struct value){ 1, 0, FVX_DATA_COMPLETE, 32, act },
			    (struct value){ 2, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 32, old }, 0),
		"[pid     5] rt_sigaction(SIGUSR1, {sa_handler=0x401615, sa_mask=[CHLD RT_5], "
		"sa_flags=SA_RESTORER|SA_RESTART|SA_SIGINFO, sa_restorer=0x4088b0}, "
		"{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0\n");
	sigaction_bytes(act, 0, 0x08000000 | 0x40000000 | 0x80000000 | 1 | 2 | 0x420, 0, 5);
	assert_string_equal(
		with_values(f, 32, __NR_rt_sigaction, (const uint64_t[6]){ 17, 0x7000, 0, 8 },
			    (struct value){ 1, 0, FVX_DATA_COMPLETE, 32, act }, NONE, 0),
		"[pid     5] rt_sigaction(SIGCHLD, {sa_handler=SIG_DFL, sa_mask=[HUP QUIT], "
		"sa_flags=SA_ONSTACK|SA_NODEFER|SA_RESETHAND|SA_NOCLDSTOP|SA_NOCLDWAIT|0x420}, "
		"NULL, 8) = 0\n");
	sigaction_bytes(act, 1, sa_restorer, 0x4088b0, 0);
	assert_string_equal(
		with_values(f, 32, __NR_rt_sigaction, a,
			    (struct value){ 1, 0, FVX_DATA_COMPLETE, 32, act }, NONE, -14),
		"[pid     5] rt_sigaction(SIGUSR1, {sa_handler=SIG_IGN, sa_mask=[], "
		"sa_flags=SA_RESTORER, sa_restorer=0x4088b0}, 0x7100, 8) = -1 EFAULT (Bad "
		"address)\n");
	assert_string_equal(
		with_values(f, 32, __NR_rt_sigaction, a,
			    (struct value){ 1, 0, FVX_DATA_UNREADABLE, 0, act }, NONE, -14),
		"[pid     5] rt_sigaction(SIGUSR1, 0x7000, 0x7100, 8) = -1 EFAULT (Bad address)\n");
	memcpy(set, &full, 8);
	memcpy(oset, &(uint64_t){ 0 }, 8);
	assert_string_equal(
		with_values(f, 32, __NR_rt_sigprocmask, m,
			    (struct value){ 1, 0, FVX_DATA_COMPLETE, 8, set },
			    (struct value){ 2, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 8, oset }, 0),
		"[pid     5] rt_sigprocmask(SIG_BLOCK, ~[RTMIN RT_1], [], 8) = 0\n");
	full &= ~(1ULL << 8 | 1ULL << 18);
	memcpy(set, &some, 8);
	memcpy(oset, &full, 8);
	assert_string_equal(
		with_values(f, 32, __NR_rt_sigprocmask, (const uint64_t[6]){ 2, 0x7200, 0x7300, 8 },
			    (struct value){ 1, 0, FVX_DATA_COMPLETE, 8, set },
			    (struct value){ 2, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 8, oset }, 0),
		"[pid     5] rt_sigprocmask(SIG_SETMASK, [INT QUIT], ~[KILL STOP RTMIN RT_1], 8) = "
		"0\n");
	assert_string_equal(
		with_values(f, 32, __NR_rt_sigprocmask, (const uint64_t[6]){ 1, 8, 0, 8 }, NONE,
			    NONE, -14),
		"[pid     5] rt_sigprocmask(SIG_UNBLOCK, 0x8, NULL, 8) = -1 EFAULT (Bad "
		"address)\n");
}

/* The same in JSON: the mask's members by name, the handler by name or
 * address, the flags as text and as a number. */
static void signal_structures_in_json(void **state)
{
	struct fixture *f = *state;
	static char act[32];
	struct fvx_trace_record r[8] = { args3(entry(5, __NR_rt_sigaction, 3), 10, 0x7000, 0) };
	struct output_options opt = { .json = true, .string_limit = 32 };
	size_t n;

	r[0].args[3] = 8;
	sigaction_bytes(act, 0x401615, 0x04000000, 0x4088b0, 1ULL << 16 | 1ULL << 36);
	n = add_value(r, 0, __NR_rt_sigaction, (struct value){ 1, 0, FVX_DATA_COMPLETE, 32, act });
	r[n] = args3(entry(5, __NR_rt_sigaction, 3), 10, 0x7000, 0);
	r[n++].args[3] = 8;
	r[n++] = ret(5, __NR_rt_sigaction, 0);
	assert_non_null(strstr(printed_with(f, &opt, r, n),
			       "\"data\":[null,{\"sigaction\":{\"handler\":4199957,\"mask\":"
			       "[\"CHLD\",\"RT_5\"],\"flags\":\"SA_RESTORER\",\"flags_value\":"
			       "67108864,\"restorer\":4229296}},"));
}

/* writev's and readv's elements as strace prints them: quoted buffers,
 * "..." after a cut one, an unreadable one's address, "..." for elements
 * that did not fit; readv's at its return, its address when it failed;
 * an item that claims more bytes than the value has ends the list. */
static void iovec_arrays_as_strace_prints_them(void **state)
{
	struct fixture *f = *state;
	static char v[FVX_DATA_MAX];
	const uint64_t w[6] = { 1, 0x7000, 3 }, r[6] = { 3, 0x7000, 2 };
	int n = 0;

	iov_put(v, &n, 0x7100, 3, 3, "abc");
	iov_put(v, &n, 0x7200, 40, 4 | FVX_IOV_MORE, "x\nyz");
	iov_put(v, &n, 0x7300, 5, FVX_IOV_UNREADABLE, NULL);
	assert_string_equal(
		with_values(f, 4, 20, w, (struct value){ 1, 0, FVX_DATA_COMPLETE, n, v }, NONE, 48),
		"[pid     5] writev(1, [{iov_base=\"abc\", iov_len=3}, {iov_base=\"x\\nyz\"..., "
		"iov_len=40}, {iov_base=0x7300, iov_len=5}], 3) = 48\n");
	assert_string_equal(
		with_values(f, 4, 20, w, (struct value){ 1, 0, FVX_DATA_TRUNCATED, 21, v }, NONE,
			    48),
		"[pid     5] writev(1, [{iov_base=\"abc\", iov_len=3}, ...], 3) = 48\n");
	assert_string_equal(with_values(f, 4, 20, w,
					(struct value){ 1, 0, FVX_DATA_UNREADABLE, 0, v }, NONE,
					-14),
			    "[pid     5] writev(1, 0x7000, 3) = -1 EFAULT (Bad address)\n");
	/* The first item's word says 3 bytes, the value ends after 2. */
	assert_string_equal(
		with_values(f, 4, 20, w, (struct value){ 1, 0, FVX_DATA_COMPLETE, 20, v }, NONE, 1),
		"[pid     5] writev(1, [...], 3) = 1\n");
	n = 0;
	iov_put(v, &n, 0x7100, 3, 3, "abc");
	iov_put(v, &n, 0x7200, 40, 7, "0123456");
	assert_string_equal(
		with_values(f, 32, 19, r,
			    (struct value){ 1, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, n, v }, NONE,
			    10),
		"[pid     5] readv(3, [{iov_base=\"abc\", iov_len=3}, "
		"{iov_base=\"0123456\", iov_len=40}], 2) = 10\n");
	assert_string_equal(with_values(f, 32, 19, r, NONE, NONE, -9),
			    "[pid     5] readv(3, 0x7000, 2) = -1 EBADF (Bad file descriptor)\n");
}

/* put msghdr h with control bytes ctl (n of them) into v: its length. */
static int msghdr_with_control(char *v, struct msghdr h, const void *ctl, int n)
{
	memcpy(v, &h, sizeof(h));
	v[FVX_MSGHDR_SIZE] = 0;
	v[FVX_MSGHDR_SIZE + 1] = FVX_DATA_UNREADABLE;
	v[FVX_MSGHDR_SIZE + 2] = (char)n;
	memcpy(v + FVX_MSGHDR_HEAD, ctl, n);
	return FVX_MSGHDR_HEAD + n;
}

/* Control data as strace shows it (the strings are strace 6.1's for the
 * same calls): SCM_RIGHTS's descriptors, SCM_CREDENTIALS's pid, uid and
 * gid, one too short for its data without it, other levels' by number;
 * "..." where msg_controllen says more than was read; a length past the
 * control data ends the walk; a count byte past the value ignored. */
static void msghdr_control_data(void **state)
{
	struct fixture *f = *state;
	static char v[FVX_DATA_MAX];
	struct msghdr h = { .msg_iov = (void *)0x7200,
			    .msg_iovlen = 1,
			    .msg_control = (void *)0x7400,
			    .msg_controllen = 24 };
	const uint64_t a[6] = { 3, 0x7000, 0 };
	struct {
		struct cmsghdr h;
		int data[8];
	} c = { { .cmsg_len = 24, .cmsg_level = SOL_SOCKET, .cmsg_type = SCM_RIGHTS }, { 3, 1 } };
	struct ucred cred = { 5340, 0, 0 };
	int n = msghdr_with_control(v, h, &c, 24);
	const char *head = "[pid     5] sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=0x7200, "
			   "msg_iovlen=1, msg_control=[",
		   *tail = "], msg_controllen=24, msg_flags=0}, 0) = 1\n";
	char want[512];

#define CONTROL(text, len)                                                                         \
	do {                                                                                       \
		snprintf(want, sizeof(want), "%s%s%s", head, text, tail);                          \
		assert_string_equal(with_values(f, 32, 46, a,                                      \
						(struct value){ 1, 0, FVX_DATA_COMPLETE, len, v }, \
						NONE, 1),                                          \
				    want);                                                         \
	} while (0)
	CONTROL("{cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[3, 1]}", n);
	c.h.cmsg_len = 28;
	c.h.cmsg_type = SCM_CREDENTIALS;
	memcpy(c.data, &cred, sizeof(cred));
	h.msg_controllen = 32;
	n = msghdr_with_control(v, h, &c, 32);
	tail = "], msg_controllen=32, msg_flags=0}, 0) = 1\n";
	CONTROL("{cmsg_len=28, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, "
		"cmsg_data={pid=5340, uid=0, gid=0}}",
		n);
	/* Cut short by recvmsg's buffer (MSG_CTRUNC): no data. */
	c.h.cmsg_len = 24;
	h.msg_controllen = 24;
	n = msghdr_with_control(v, h, &c, 24);
	tail = "], msg_controllen=24, msg_flags=0}, 0) = 1\n";
	CONTROL("{cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS}", n);
	/* Another level's: by number, no data. */
	c.h.cmsg_len = 20;
	c.h.cmsg_level = 99;
	c.h.cmsg_type = 77;
	n = msghdr_with_control(v, h, &c, 24);
	CONTROL("{cmsg_len=20, cmsg_level=0x63 /* SOL_??? */, cmsg_type=0x4d}", n);
	/* Twelve descriptors, eight read: "...". */
	memset(c.data, 0, sizeof(c.data));
	c.data[0] = 3;
	c.data[1] = 1;
	c.h.cmsg_len = 64;
	c.h.cmsg_level = SOL_SOCKET;
	c.h.cmsg_type = SCM_RIGHTS;
	h.msg_controllen = 64;
	n = msghdr_with_control(v, h, &c, FVX_MSGHDR_CONTROL_MAX);
	tail = "], msg_controllen=64, msg_flags=0}, 0) = 1\n";
	CONTROL("{cmsg_len=64, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[3, 1, 0, 0, "
		"0, 0, 0, 0]}, ...",
		n);
	/* A length past msg_controllen: the walk ends, nothing more. */
	c.h.cmsg_len = 4000;
	h.msg_controllen = 24;
	n = msghdr_with_control(v, h, &c, 24);
	tail = "], msg_controllen=24, msg_flags=0}, 0) = 1\n";
	CONTROL("{cmsg_len=4000, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[3, 1]}",
		n);
#undef CONTROL
	/* A count byte past the value, or more than msg_controllen: the
	 * address, as when it could not be read. */
	v[FVX_MSGHDR_SIZE + 2] = (char)200;
	assert_non_null(strstr(
		with_values(f, 32, 46, a, (struct value){ 1, 0, FVX_DATA_COMPLETE, n, v }, NONE, 1),
		"msg_control=0x7400, msg_controllen=24, "));
	v[FVX_MSGHDR_SIZE + 2] = 0;
	assert_non_null(strstr(
		with_values(f, 32, 46, a, (struct value){ 1, 0, FVX_DATA_COMPLETE, n, v }, NONE, 1),
		"msg_control=0x7400, msg_controllen=24, "));
}

/* sendmsg's and recvmsg's struct msghdr as strace prints it: the name
 * decoded, the elements as writev's; NULL and unreadable names and
 * elements as addresses; control data's address; the structure's address
 * when it was not read; a name length byte past the value ignored. */
static void msghdr_as_strace_prints_it(void **state)
{
	struct fixture *f = *state;
	static char v[FVX_DATA_MAX];
	struct msghdr h = { .msg_name = (void *)0x7100,
			    .msg_namelen = 16,
			    .msg_iov = (void *)0x7200,
			    .msg_iovlen = 1 };
	const uint64_t a[6] = { 5, 0x7000, 0 };
	int n = FVX_MSGHDR_HEAD;

	memcpy(v, &h, sizeof(h));
	v[FVX_MSGHDR_SIZE] = 16;
	v[FVX_MSGHDR_SIZE + 1] = FVX_DATA_COMPLETE;
	v[FVX_MSGHDR_SIZE + 2] = 0;
	memcpy(v + n, "\2\0\0\11\177\0\0\1\0\0\0\0\0\0\0\0", 16);
	n += 16;
	iov_put(v, &n, 0x7300, 4, 4, "ping");
	assert_string_equal(
		with_values(f, 32, 46, a, (struct value){ 1, 0, FVX_DATA_COMPLETE, n, v }, NONE, 4),
		"[pid     5] sendmsg(5, {msg_name={sa_family=AF_INET, sin_port=htons(9), "
		"sin_addr=inet_addr(\"127.0.0.1\")}, msg_namelen=16, msg_iov=[{iov_base=\"ping\", "
		"iov_len=4}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 4\n");
	/* recvmsg: no name, control data not read, MSG_TRUNC; the elements
	 * unread. */
	h.msg_name = NULL;
	h.msg_namelen = 0;
	h.msg_control = (void *)0x7400;
	h.msg_controllen = 24;
	h.msg_flags = MSG_TRUNC;
	memcpy(v, &h, sizeof(h));
	v[FVX_MSGHDR_SIZE] = 0;
	v[FVX_MSGHDR_SIZE + 1] = FVX_DATA_UNREADABLE;
	assert_string_equal(
		with_values(f, 32, 47, a,
			    (struct value){ 1, FVX_RECORD_RETURN, FVX_DATA_COMPLETE,
					    FVX_MSGHDR_HEAD, v },
			    NONE, 4),
		"[pid     5] recvmsg(5, {msg_name=NULL, msg_namelen=0, msg_iov=0x7200, "
		"msg_iovlen=1, msg_control=0x7400, msg_controllen=24, msg_flags=MSG_TRUNC}, 0) "
		"= 4\n");
	/* A name length byte past the value: the name's address. */
	h.msg_name = (void *)0x7100;
	memcpy(v, &h, sizeof(h));
	v[FVX_MSGHDR_SIZE] = 200;
	assert_non_null(strstr(with_values(f, 32, 47, a,
					   (struct value){ 1, FVX_RECORD_RETURN, FVX_DATA_COMPLETE,
							   FVX_MSGHDR_HEAD, v },
					   NONE, 4),
			       "{msg_name=0x7100, msg_namelen=0, "));
	assert_string_equal(with_values(f, 32, 46, a,
					(struct value){ 1, 0, FVX_DATA_UNREADABLE, 0, v }, NONE,
					-14),
			    "[pid     5] sendmsg(5, 0x7000, 0) = -1 EFAULT (Bad address)\n");
	assert_string_equal(with_values(f, 32, 47, a, NONE, NONE, -11),
			    "[pid     5] recvmsg(5, 0x7000, 0) = -1 EAGAIN (Resource temporarily "
			    "unavailable)\n");
}

/* The same as JSON Lines: each element's base, length, bytes and whether
 * it holds more, or "unreadable"; the array "truncated" when elements did
 * not fit, and when an item claims more bytes than the value has (the
 * elements after it are not shown: the text line's "..."). */
static void iovec_arrays_in_json(void **state)
{
	struct fixture *f = *state;
	static char v[FVX_DATA_MAX];
	struct fvx_trace_record r[8] = { args3(entry(5, 19, 3), 0x7000, 3, 0) };
	struct output_options opt = { .json = true, .string_limit = 32 };
	size_t n;
	int len = 0, whole;

	iov_put(v, &len, 0x7100, 3, 3, "abc");
	iov_put(v, &len, 0x7200, 40, 2 | FVX_IOV_MORE, "de");
	iov_put(v, &len, 0x7300, 5, FVX_IOV_UNREADABLE, NULL);
	whole = len;
	iov_put(v, &len, 0x7400, 1, 0, "");
	memcpy(v + len - 2, &(uint16_t){ 0x7fff }, 2);
	n = add_value(r, 1, 19,
		      (struct value){ 1, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, whole, v });
	r[n++] = ret(5, 19, 5);
	assert_non_null(strstr(printed_with(f, &opt, r, n),
			       "\"data\":[null,{\"iov\":[{\"base\":\"0x7100\",\"len\":3,"
			       "\"bytes\":\"abc\",\"truncated\":false},{\"base\":\"0x7200\","
			       "\"len\":40,\"bytes\":\"de\",\"truncated\":true},{\"base\":"
			       "\"0x7300\",\"len\":5,\"unreadable\":true}],\"truncated\":false},"));
	/* The fourth item says 0x7fff bytes follow; the value ends there. */
	n = add_value(r, 1, 19, (struct value){ 1, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, len, v });
	r[n++] = ret(5, 19, 5);
	assert_non_null(strstr(printed_with(f, &opt, r, n),
			       "\"len\":5,\"unreadable\":true}],\"truncated\":true},"));
}

/* execve as strace prints it by default: argv's strings, envp's address
 * and how many; NULL; addresses when nothing was captured. */
static void execve_shows_argv_and_envp(void **state)
{
	struct fixture *f = *state;
	const uint64_t a[6] = { 0, ARGV, ENVP }, n[6] = { 0 }, one[6] = { 0, 1, ENVP };

	assert_string_equal(
		with_values(f, 32, 59, a, IN(1, FVX_DATA_COMPLETE, "\1ls\0\1-l\0\1/\0"),
			    IN(2, FVX_DATA_COMPLETE, "\27\0\0\0"), 0),
		"[pid     5] execve(NULL, [\"ls\", \"-l\", \"/\"], 0x7ffd0100 /* 23 vars "
		"*/) = 0\n");
	assert_string_equal(with_values(f, 32, 59, n, NONE, NONE, -14),
			    "[pid     5] execve(NULL, NULL, NULL) = -1 EFAULT (Bad address)\n");
	assert_string_equal(
		with_values(f, 32, 59, one, IN(1, FVX_DATA_UNREADABLE, ""),
			    IN(2, FVX_DATA_COMPLETE, "\1\0\0\0"), -14),
		"[pid     5] execve(NULL, 0x1, 0x7ffd0100 /* 1 var */) = -1 EFAULT (Bad "
		"address)\n");
	/* Exit mode, or a full ring: addresses. */
	assert_string_equal(with_values(f, 32, 59, a, NONE, NONE, 0),
			    "[pid     5] execve(NULL, 0x7ffd0000, 0x7ffd0100) = 0\n");
}

/* An unreadable string (its address), the array unreadable after two
 * pointers ("..." and where, in a comment), envp unterminated; -s strings
 * of -s bytes, "..." for more; empty arrays; envp beyond the count. */
static void execve_argv_as_strace_abbreviates_it(void **state)
{
	struct fixture *f = *state;
	const uint64_t a[6] = { 0, ARGV, ENVP };

	assert_string_equal(
		with_values(f, 32, 59, a, IN(1, FVX_DATA_COMPLETE, "\1a\0\2\20\0\0\0\0\0\0\0\3"),
			    IN(2, FVX_DATA_COMPLETE, "\2\0\0\0\3"), -14),
		"[pid     5] execve(NULL, [\"a\", 0x10, ... /* 0x7ffd0010 */], 0x7ffd0100 /* 2 "
		"vars, unterminated */) = -1 EFAULT (Bad address)\n");
	assert_string_equal(with_values(f, 2, 59, a, IN(1, FVX_DATA_TRUNCATED, "\1abc\0\1x\0"),
					IN(2, FVX_DATA_TRUNCATED, "\0\4\0\0"), 0),
			    "[pid     5] execve(NULL, [\"ab\"..., \"x\", ...], 0x7ffd0100 /* 1024+ "
			    "vars */) = 0\n");
	assert_string_equal(
		with_values(f, 2, 59, a, IN(1, FVX_DATA_COMPLETE, "\1a\0\1b\0\1c\0"),
			    IN(2, FVX_DATA_COMPLETE, "\0\0\0\0"), 0),
		"[pid     5] execve(NULL, [\"a\", \"b\", ...], 0x7ffd0100 /* 0 vars */) = "
		"0\n");
	assert_string_equal(with_values(f, 32, 59, a, IN(1, FVX_DATA_COMPLETE, ""), NONE, 0),
			    "[pid     5] execve(NULL, [], 0x7ffd0100) = 0\n");
	assert_string_equal(with_values(f, 0, 59, a, IN(1, FVX_DATA_TRUNCATED, ""), NONE, 0),
			    "[pid     5] execve(NULL, [...], 0x7ffd0100) = 0\n");
}

/* Values that do not follow the encoding (the ring is not trusted): a
 * string without its NUL, a pointer cut short, an unknown item, a fault
 * first or not last, an envp of the wrong size: the address. */
static void execve_malformed_values_show_addresses(void **state)
{
	struct fixture *f = *state;
	const uint64_t a[6] = { 0, ARGV, ENVP };
	const struct value bad[] = {
		IN(1, FVX_DATA_COMPLETE, "\1ls"),	  IN(1, FVX_DATA_COMPLETE, "\2\1\0\0"),
		IN(1, FVX_DATA_COMPLETE, "\4"),		  IN(1, FVX_DATA_COMPLETE, "\3"),
		IN(1, FVX_DATA_COMPLETE, "\1a\0\3\1b\0"), IN(1, FVX_DATA_TRUNCATED, "\1a\0\3"),
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_string_equal(
			with_values(f, 32, 59, a, bad[i], IN(2, FVX_DATA_COMPLETE, "\1\0\0"), 0),
			"[pid     5] execve(NULL, 0x7ffd0000, 0x7ffd0100) = 0\n");
}

/* execveat: dirfd, path, argv, envp, flags. */
static void execveat_shows_argv_and_envp(void **state)
{
	struct fixture *f = *state;
	const uint64_t a[6] = { (uint64_t)-100, 0, ARGV, ENVP, 0x1000 };

	assert_string_equal(
		with_values(f, 32, 322, a, IN(2, FVX_DATA_COMPLETE, "\1ls\0"),
			    IN(3, FVX_DATA_COMPLETE, "\5\0\0\0"), 0),
		"[pid     5] execveat(AT_FDCWD, NULL, [\"ls\"], 0x7ffd0100 /* 5 vars */, "
		"AT_EMPTY_PATH) = 0\n");
}

#define SA 0x7000
#define IN_LOCALHOST_80 "\2\0\0P\177\0\0\1\0\0\0\0\0\0\0\0"

/* connect, bind, sendto: the address at entry, decoded as strace decodes
 * AF_INET, AF_INET6 (the scope of a link-local address by its
 * interface's name when there is one), AF_UNIX (paths and abstract
 * names), AF_NETLINK and the rest (sa_data); too short for its family's
 * fields: sa_data. */
static void socket_addresses_as_strace_prints_them(void **state)
{
	static const struct {
		uint64_t nr;
		const char *name;
		int len;
		const char *bytes, *shown;
	} cases[] = {
		{ 42, "connect", 16, IN_LOCALHOST_80,
		  "{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}" },
		{ 49, "bind", 28, "\12\0\1\273\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1\0\0\0\0",
		  "{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
		  "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}" },
		{ 42, "connect", 24, "\12\0\0P\0\0\0\7\376\200\0\0\0\0\0\0\0\0\0\0\0\0\0\1",
		  "{sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(7), "
		  "inet_pton(AF_INET6, \"fe80::1\", &sin6_addr)}" },
		{ 42, "connect", 28, "\12\0\0P\0\0\0\0\376\200\0\0\0\0\0\0\0\0\0\0\0\0\0\1\0\0\0\0",
		  "{sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), "
		  "inet_pton(AF_INET6, \"fe80::1\", &sin6_addr), sin6_scope_id=0}" },
		{ 42, "connect", 13, "\1\0/run/x\0junk",
		  "{sa_family=AF_UNIX, sun_path=\"/run/x\"}" },
		{ 49, "bind", 7, "\1\0\0name", "{sa_family=AF_UNIX, sun_path=@\"name\"}" },
		{ 49, "bind", 2, "\1\0", "{sa_family=AF_UNIX}" },
		{ 49, "bind", 12, "\20\0\0\0\0\0\0\0\1\0\0\0",
		  "{sa_family=AF_NETLINK, nl_pid=0, nl_groups=0x000001}" },
		{ 42, "connect", 3, "\377\0000", "{sa_family=0xff /* AF_??? */, sa_data=\"0\"}" },
		{ 42, "connect", 8, "\2\0\0P\177\0\0\1",
		  "{sa_family=AF_INET, sa_data=\"\\0P\\177\\0\\0\\1\"}" },
	};
	struct fixture *f = *state;
	const struct value lo = IN(1, FVX_DATA_COMPLETE,
				   "\12\0\0P\0\0\0\0\376\200\0\0\0\0\0\0\0\0\0\0\0\0\0\1\1\0\0\0");
	uint64_t a[6] = { 3, SA };
	char want[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a[2] = (uint64_t)cases[i].len;
		snprintf(want, sizeof(want), "[pid     5] %s(3, %s, %d) = 0\n", cases[i].name,
			 cases[i].shown, cases[i].len);
		assert_string_equal(with_values(f, 32, cases[i].nr, a,
						(struct value){ 1, 0, FVX_DATA_COMPLETE,
								cases[i].len, cases[i].bytes },
						NONE, 0),
				    want);
	}
	a[2] = 28;
	if (if_nametoindex("lo") == 1)
		assert_non_null(strstr(with_values(f, 32, 42, a, lo, NONE, 0),
				       "sin6_scope_id=if_nametoindex(\"lo\")}, 28) = 0\n"));
}

/* The address's length is an int: below 2 (a 4 GiB length is 0) the
 * address; NULL; not captured, unreadable or short: the address. */
static void bad_socket_addresses_show_as_strace_shows_them(void **state)
{
	struct fixture *f = *state;
	uint64_t a[6] = { 3, SA, 4ULL << 30 }, to[6] = { 3, 0x7100, 2, 0, SA, 16 };

	assert_string_equal(with_values(f, 32, 42, a, NONE, NONE, -22),
			    "[pid     5] connect(3, 0x7000, 0) = -1 EINVAL (Invalid argument)\n");
	a[2] = 16;
	assert_string_equal(with_values(f, 32, 42, a, IN(1, FVX_DATA_UNREADABLE, ""), NONE, -14),
			    "[pid     5] connect(3, 0x7000, 16) = -1 EFAULT (Bad address)\n");
	assert_string_equal(with_values(f, 32, 42, a, IN(1, FVX_DATA_COMPLETE, "\2\0\0P"), NONE, 0),
			    "[pid     5] connect(3, 0x7000, 16) = 0\n");
	a[1] = 0;
	assert_string_equal(with_values(f, 32, 42, a, NONE, NONE, -14),
			    "[pid     5] connect(3, NULL, 16) = -1 EFAULT (Bad address)\n");
	assert_string_equal(with_values(f, 32, 44, to, IN(1, FVX_DATA_COMPLETE, "hi"),
					IN(4, FVX_DATA_COMPLETE, IN_LOCALHOST_80), 2),
			    "[pid     5] sendto(3, \"hi\", 2, 0, {sa_family=AF_INET, "
			    "sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 2\n");
}

#define LEN 0x7100
#define ACCEPTED "\2\0\234@\177\0\0\1\0\0\0\0\0\0\0\0"

/* accept, getsockname, getpeername: the caller's length at entry, the
 * address and the call's length at return: [16], [128 => 16] (the
 * shorter of the two decoded); failed: the address and the caller's;
 * the caller's length not read: both addresses; NULL. */
static void filled_socket_addresses_as_strace_prints_them(void **state)
{
	static const struct {
		uint64_t nr;
		struct value given, left;
		int64_t ret;
		const char *line;
	} cases[] = {
		{ 43, IN(2, FVX_DATA_COMPLETE, "\20\0\0\0"),
		  OUT(1, FVX_DATA_COMPLETE, "\20\0\0\0" ACCEPTED), 4,
		  "accept(3, {sa_family=AF_INET, sin_port=htons(40000), "
		  "sin_addr=inet_addr(\"127.0.0.1\")}, [16]) = 4" },
		{ 288, IN(2, FVX_DATA_COMPLETE, "\200\0\0\0"),
		  OUT(1, FVX_DATA_COMPLETE, "\20\0\0\0" ACCEPTED), 4,
		  "accept4(3, {sa_family=AF_INET, sin_port=htons(40000), "
		  "sin_addr=inet_addr(\"127.0.0.1\")}, [128 => 16], 0) = 4" },
		{ 51, IN(2, FVX_DATA_COMPLETE, "n\0\0\0"),
		  OUT(1, FVX_DATA_COMPLETE, "\2\0\0\0\1\0"), 0,
		  "getsockname(3, {sa_family=AF_UNIX}, [110 => 2]) = 0" },
		{ 52, IN(2, FVX_DATA_COMPLETE, "\10\0\0\0"),
		  OUT(1, FVX_DATA_COMPLETE, "\20\0\0\0" ACCEPTED), 0,
		  "getpeername(3, {sa_family=AF_INET, sa_data=\"\\234@\\177\\0\\0\\1\"}, "
		  "[8 => 16]) = 0" },
		{ 43, IN(2, FVX_DATA_COMPLETE, "\20\0\0\0"), OUT(1, FVX_DATA_COMPLETE, "\20\0\0\0"),
		  -11, "accept(3, 0x7000, [16]) = -1 EAGAIN (Resource temporarily unavailable)" },
		{ 43, IN(2, FVX_DATA_COMPLETE, "\20\0\0\0"), OUT(1, FVX_DATA_UNREADABLE, ""), 4,
		  "accept(3, 0x7000, [16]) = 4" },
		/* The address partly readable: fewer bytes than the length. */
		{ 43, IN(2, FVX_DATA_COMPLETE, "\20\0\0\0"),
		  OUT(1, FVX_DATA_COMPLETE, "\20\0\0\0\2\0\234@"), 4,
		  "accept(3, 0x7000, [16]) = 4" },
		{ 43, IN(2, FVX_DATA_UNREADABLE, ""),
		  OUT(1, FVX_DATA_COMPLETE, "\20\0\0\0" ACCEPTED), 4,
		  "accept(3, 0x7000, 0x7100) = 4" },
	};
	struct fixture *f = *state;
	const uint64_t a[6] = { 3, SA, LEN }, nulls[6] = { 3, 0, 0 };
	char want[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "[pid     5] %s\n", cases[i].line);
		assert_string_equal(with_values(f, 32, cases[i].nr, a, cases[i].given,
						cases[i].left, cases[i].ret),
				    want);
	}
	assert_string_equal(with_values(f, 32, 43, nulls, NONE, NONE, 4),
			    "[pid     5] accept(3, NULL, NULL) = 4\n");
}

/* recvfrom reads the call's length first: not readable, both addresses;
 * failed, the address and the caller's length; else as accept. */
static void recvfrom_shows_the_sender(void **state)
{
	struct fixture *f = *state;
	const uint64_t a[6] = { 3, 0x7200, 100, 0, SA, LEN };
	struct fvx_trace_record r[16];
	size_t n = 0;
	struct output_options opt = { .string_limit = 32 };

	n = add_value(r, n, 45, IN(5, FVX_DATA_COMPLETE, "\20\0\0\0"));
	r[n] = entry(5, 45, 0);
	memcpy(r[n++].args, a, sizeof(r[0].args));
	n = add_value(r, n, 45, OUT(1, FVX_DATA_COMPLETE, "abc"));
	n = add_value(r, n, 45, OUT(4, FVX_DATA_COMPLETE, "\20\0\0\0" IN_LOCALHOST_80));
	r[n++] = ret(5, 45, 3);
	assert_string_equal(printed_with(f, &opt, r, n),
			    "[pid     5] recvfrom(3, \"abc\", 100, 0, {sa_family=AF_INET, "
			    "sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}, [16]) = 3\n");
	assert_string_equal(with_values(f, 32, 45, a, IN(5, FVX_DATA_COMPLETE, "\20\0\0\0"),
					OUT(4, FVX_DATA_COMPLETE, "\20\0\0\0"), -11),
			    "[pid     5] recvfrom(3, 0x7200, 100, 0, 0x7000, [16]) = -1 EAGAIN "
			    "(Resource temporarily unavailable)\n");
	assert_string_equal(with_values(f, 32, 45, a, IN(5, FVX_DATA_COMPLETE, "\20\0\0\0"),
					OUT(4, FVX_DATA_UNREADABLE, ""), -11),
			    "[pid     5] recvfrom(3, 0x7200, 100, 0, 0x7000, 0x7100) = -1 EAGAIN "
			    "(Resource temporarily unavailable)\n");
	/* The caller's length not read: 0, as strace has it then. */
	assert_string_equal(with_values(f, 32, 45, a, NONE,
					OUT(4, FVX_DATA_COMPLETE, "\20\0\0\0" IN_LOCALHOST_80), 3),
			    "[pid     5] recvfrom(3, 0x7200, 100, 0, 0x7000, [0 => 16]) = 3\n");
}

/* accept's line breaks before the address, which comes with its return. */
static void filled_socket_addresses_come_with_the_return(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r[16];
	size_t n = 0;

	n = add_value(r, n, 43, IN(2, FVX_DATA_COMPLETE, "\20\0\0\0"));
	r[n] = entry(5, 43, 3);
	r[n].args[1] = SA;
	r[n++].args[2] = LEN;
	r[n++] = entry(6, 39, 0);
	r[n++] = ret(6, 39, 6);
	n = add_value(r, n, 43, OUT(1, FVX_DATA_COMPLETE, "\20\0\0\0" ACCEPTED));
	r[n++] = ret(5, 43, 4);
	assert_string_equal(
		printed_all(f, false, r, n),
		"[pid     5] accept(3,  <unfinished ...>\n"
		"[pid     6] getpid() = 6\n"
		"[pid     5] <... accept resumed>{sa_family=AF_INET, "
		"sin_port=htons(40000), sin_addr=inet_addr(\"127.0.0.1\")}, [16]) = 4\n");
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

/* ---- 32-bit calls ---- */

static struct fvx_trace_record compat(struct fvx_trace_record r)
{
	r.flags |= FVX_RECORD_COMPAT;
	return r;
}

/* A thread's end forgets its mode: a new thread that gets its pid runs as
 * the last call seen did, as any new thread (no mode line of the dead
 * 32-bit one's). */
static void a_threads_end_forgets_its_mode(void **state)
{
	struct fvx_trace_record r[] = {
		compat(entry(70, 20, 0)), compat(ret(70, 20, 70)), task_exit(70, 9, false),
		entry(71, 39, 0),	  ret(71, 39, 71),	   entry(70, 39, 0),
		ret(70, 39, 70),
	};
	const char *out = printed_all(*state, false, r, sizeof(r) / sizeof(r[0]));

	assert_non_null(
		strstr(out, "[pid    70] getpid() = 70\n[pid    70] +++ killed by SIGKILL"));
	assert_null(strstr(out, "PID=70 runs in 64 bit mode"));
}

/* A path the entry could not read (its page not present yet) and the
 * analyzer read again at the return: the line waits for it there, also
 * when another thread comes between; read at neither, the address. */
static void strings_read_again_at_the_return(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record r[] = {
		data(7, 2, 0, 0, FVX_DATA_UNREADABLE, 0, 0, ""),
		args3(entry(7, 2, 0x4a1000), 0, 0, 0),
		entry(8, 39, 0),
		ret(8, 39, 8),
		data(7, 2, FVX_RECORD_RETURN, 0, FVX_DATA_COMPLETE, 0, 5, "/late"),
		ret(7, 2, 3),
		data(7, 2, 0, 0, FVX_DATA_UNREADABLE, 0, 0, ""),
		args3(entry(7, 2, 0x4a1000), 0, 0, 0),
		ret(7, 2, -14),
	};

	assert_string_equal(printed_all(f, false, r, sizeof(r) / sizeof(r[0])),
			    "[pid     7] open( <unfinished ...>\n"
			    "[pid     8] getpid() = 8\n"
			    "[pid     7] <... open resumed>\"/late\", O_RDONLY) = 3\n"
			    "[pid     7] open(0x4a1000, O_RDONLY) = -1 EFAULT (Bad address)\n");
}

/* compat64's calls (tests/system/progs): getpid, a failed open and a
 * write through SYSCALL, the same through int $0x80, exit_group: the
 * 32-bit ones named from the i386 table, decoded as their x86-64 twins,
 * their data records theirs, and strace's line at each switch. */
static void compat_calls_as_strace(void **state)
{
	struct fixture *f = *state;
	const char *path = "/nonexistent/fvx-compat", *msg = "fvx-compat\n";
	struct fvx_trace_record r[] = {
		entry(50, 39, 0),
		ret(50, 39, 50),
		data(50, 2, 0, 0, FVX_DATA_COMPLETE, 0, 23, path),
		args3(entry(50, 2, 0x4a1000), 0, 0, 0),
		ret(50, 2, -2),
		data(50, 1, 0, 1, FVX_DATA_COMPLETE, 0, 11, msg),
		args3(entry(50, 1, 1), 0x4a2000, 11, 0),
		ret(50, 1, 11),
		compat(entry(50, 20, 0)),
		compat(ret(50, 20, 50)),
		data(50, 5, FVX_RECORD_COMPAT, 0, FVX_DATA_COMPLETE, 0, 23, path),
		compat(args3(entry(50, 5, 0x4a1000), 0, 0, 0)),
		compat(ret(50, 5, -2)),
		data(50, 4, FVX_RECORD_COMPAT, 1, FVX_DATA_COMPLETE, 0, 11, msg),
		compat(args3(entry(50, 4, 1), 0x4a2000, 11, 0)),
		compat(ret(50, 4, 11)),
		entry(50, 231, 0),
		task_exit(50, 0, true),
	};
	const char *three =
		"[pid    50] getpid() = 50\n"
		"[pid    50] open(\"/nonexistent/fvx-compat\", O_RDONLY) = -1 ENOENT (No "
		"such file or directory)\n"
		"[pid    50] write(1, \"fvx-compat\\n\", 11) = 11\n";
	struct output_options opt = { .string_limit = FVX_DATA_BUFFER_DEFAULT };
	char want[1024];

	snprintf(want, sizeof(want),
		 "%s[pid    50] [ Process PID=50 runs in 32 bit mode. ]\n"
		 "%s[pid    50] [ Process PID=50 runs in 64 bit mode. ]\n"
		 "[pid    50] exit_group(0) = ?\n"
		 "[pid    50] +++ exited with 0 +++\n",
		 three, three);
	assert_string_equal(printed_with(f, &opt, r, sizeof(r) / sizeof(r[0])), want);
}

/* A 32-bit program's start: its execve entry is 64-bit, its return
 * 32-bit (one call); the switch shows at its first call. A thread first
 * seen runs as the last call seen (strace's current personality); a
 * return whose entry was not seen switches too. */
static void compat_execve_and_threads(void **state)
{
	struct fvx_trace_record r[] = {
		args3(entry(60, 59, 0x1000), 0x2000, 0x3000, 0),
		compat(ret(60, 11, 0)),
		compat(entry(60, 20, 0)),
		compat(ret(60, 20, 60)),
		compat(entry(61, 20, 0)),
		compat(ret(61, 20, 60)),
		compat(ret(62, 3, 5)),
		ret(63, 0, 1),
	};

	assert_string_equal(printed_all(*state, false, r, sizeof(r) / sizeof(r[0])),
			    "[pid    60] execve(0x1000, 0x2000, 0x3000) = 0\n"
			    "[pid    60] [ Process PID=60 runs in 32 bit mode. ]\n"
			    "[pid    60] getpid() = 60\n"
			    "[pid    61] getpid() = 60\n"
			    "[pid    62] <... read resumed>) = 5\n"
			    "[pid    63] [ Process PID=63 runs in 64 bit mode. ]\n"
			    "[pid    63] <... read resumed>) = 1\n");
}

/* nr(a) with the 16 bytes ts as argument arg's value (at its return when
 * out), returning ret: its line. */
static const char *time_line(struct fixture *f, uint64_t nr, const uint64_t a[6], int arg, bool out,
			     const char *ts, int64_t ret)
{
	return with_values(
		f, 32, nr, a,
		(struct value){ arg, out ? FVX_RECORD_RETURN : 0, FVX_DATA_COMPLETE, 16, ts }, NONE,
		ret);
}

/* prctl and ptrace as strace 6.1 showed them for anti.c's calls: the
 * task's name (cut at 15 bytes with "..." as Linux cuts it, the address
 * when not read), options and requests by name, an unknown one in hex with
 * strace's comment, each with as many arguments as strace shows. */
static void prctl_and_ptrace_as_strace_prints_them(void **state)
{
	struct fixture *f = *state;
	const uint64_t set[6] = { 15, 0x7000 }, get[6] = { 16, 0x7000 };

	assert_string_equal(
		with_values(f, 32, __NR_prctl, set,
			    (struct value){ 1, 0, FVX_DATA_COMPLETE, 11, "kworker/0:1" }, NONE, 0),
		"[pid     5] prctl(PR_SET_NAME, \"kworker/0:1\") = 0\n");
	assert_string_equal(
		with_values(f, 32, __NR_prctl, set,
			    (struct value){ 1, 0, FVX_DATA_TRUNCATED, 16, "0123456789abcdef" },
			    NONE, 0),
		"[pid     5] prctl(PR_SET_NAME, \"0123456789abcde\"...) = 0\n");
	assert_string_equal(with_values(f, 32, __NR_prctl, set,
					(struct value){ 1, 0, FVX_DATA_UNREADABLE, 0, "" }, NONE,
					-14),
			    "[pid     5] prctl(PR_SET_NAME, 0x7000) = -1 EFAULT (Bad address)\n");
	assert_string_equal(
		with_values(f, 32, __NR_prctl, get,
			    (struct value){ 1, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 4, "sshd" },
			    NONE, 0),
		"[pid     5] prctl(PR_GET_NAME, \"sshd\") = 0\n");
	assert_string_equal(
		with_values(f, 32, __NR_prctl, (const uint64_t[6]){ 1, 9 }, NONE, NONE, 0),
		"[pid     5] prctl(PR_SET_PDEATHSIG, SIGKILL) = 0\n");
	assert_string_equal(
		with_values(f, 32, __NR_prctl, (const uint64_t[6]){ 23, 21 }, NONE, NONE, 1),
		"[pid     5] prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN) = 1\n");
	assert_string_equal(
		with_values(f, 32, __NR_prctl, (const uint64_t[6]){ 38, 1 }, NONE, NONE, 0),
		"[pid     5] prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0\n");
	assert_string_equal(
		with_values(f, 32, __NR_prctl, (const uint64_t[6]){ 1000, 1, 2, 3, 4 }, NONE, NONE,
			    -22),
		"[pid     5] prctl(0x3e8 /* PR_??? */, 0x1, 0x2, 0x3, 0x4) = -1 EINVAL (Invalid "
		"argument)\n");
	assert_string_equal(
		with_values(f, 32, __NR_ptrace, (const uint64_t[6]){ 0 }, NONE, NONE, 0),
		"[pid     5] ptrace(PTRACE_TRACEME) = 0\n");
	assert_string_equal(
		with_values(f, 32, __NR_ptrace, (const uint64_t[6]){ 16, 999999 }, NONE, NONE, -3),
		"[pid     5] ptrace(PTRACE_ATTACH, 999999) = -1 ESRCH (No such process)\n");
	assert_string_equal(
		with_values(f, 32, __NR_ptrace, (const uint64_t[6]){ 0x4206, 7, 0, 1 }, NONE, NONE,
			    0),
		"[pid     5] ptrace(PTRACE_SEIZE, 7, NULL, PTRACE_O_TRACESYSGOOD) = 0\n");
	assert_string_equal(
		with_values(f, 32, __NR_ptrace, (const uint64_t[6]){ 7, 7, 0, 19 }, NONE, NONE, 0),
		"[pid     5] ptrace(PTRACE_CONT, 7, NULL, SIGSTOP) = 0\n");
	assert_string_equal(with_values(f, 32, __NR_ptrace,
					(const uint64_t[6]){ 2, 7, 0x7000, 0x7100 }, NONE, NONE, 0),
			    "[pid     5] ptrace(PTRACE_PEEKDATA, 7, 0x7000, 0x7100) = 0\n");
	/* Interleaved: PR_SET_NAME's line shows its name at entry, as
	 * strace's; PR_GET_NAME's waits for the name it fills. */
	{
		struct fvx_trace_record r[10];
		size_t n = add_value(r, 0, __NR_prctl,
				     (struct value){ 1, 0, FVX_DATA_COMPLETE, 4, "sshd" });

		r[n] = entry(5, __NR_prctl, PR_SET_NAME);
		r[n++].args[1] = 0x7000;
		r[n++] = entry(6, 39, 0);
		r[n++] = ret(6, 39, 6);
		r[n++] = ret(5, __NR_prctl, 0);
		r[n] = entry(5, __NR_prctl, PR_GET_NAME);
		r[n++].args[1] = 0x7000;
		r[n++] = entry(6, 39, 0);
		r[n++] = ret(6, 39, 6);
		n = add_value(r, n, __NR_prctl,
			      (struct value){ 1, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 4, "sshd" });
		r[n] = ret(5, __NR_prctl, 0);
		assert_string_equal(printed_all(f, false, r, n + 1),
				    "[pid     5] prctl(PR_SET_NAME, \"sshd\" <unfinished ...>\n"
				    "[pid     6] getpid() = 6\n"
				    "[pid     5] <... prctl resumed>) = 0\n"
				    "[pid     5] prctl(PR_GET_NAME,  <unfinished ...>\n"
				    "[pid     6] getpid() = 6\n"
				    "[pid     5] <... prctl resumed>\"sshd\") = 0\n");
	}
	/* Longs beyond 32 bits, as strace 6.1 showed them. */
	assert_string_equal(
		with_values(f, 32, __NR_ptrace, (const uint64_t[6]){ 0x100000000ULL }, NONE, NONE,
			    -3),
		"[pid     5] ptrace(0x100000000 /* PTRACE_??? */, 0, NULL, NULL) = -1 ESRCH (No "
		"such process)\n");
	assert_string_equal(with_values(f, 32, __NR_prctl,
					(const uint64_t[6]){ 23, 0x100000015ULL }, NONE, NONE, -22),
			    "[pid     5] prctl(PR_CAPBSET_READ, 0x100000015 /* CAP_??? */) = -1 "
			    "EINVAL (Invalid "
			    "argument)\n");
	assert_string_equal(
		with_values(f, 32, __NR_prctl, (const uint64_t[6]){ 1, 0x100000009ULL }, NONE, NONE,
			    -22),
		"[pid     5] prctl(PR_SET_PDEATHSIG, 4294967305) = -1 EINVAL (Invalid argument)\n");
	assert_string_equal(
		with_values(f, 32, __NR_prctl, (const uint64_t[6]){ 0x10000000fULL, 0x7000 },
			    (struct value){ 1, 0, FVX_DATA_TRUNCATED, 15, "123456789012345" }, NONE,
			    0),
		"[pid     5] prctl(PR_SET_NAME, \"123456789012345\"...) = 0\n");
	assert_string_equal(
		with_values(f, 32, __NR_ptrace, (const uint64_t[6]){ 0x9999, 7 }, NONE, NONE, -5),
		"[pid     5] ptrace(0x9999 /* PTRACE_??? */, 7, NULL, NULL) = -1 EIO "
		"(Input/output error)\n");
}

/* statx's flags, mask and struct statx as strace 6.1 showed them for the
 * same calls (the sync type first; STATX_BASIC_STATS and STATX_ALL by
 * name; an unknown mask bit with strace's comment; a failed call's
 * address). */
static void statx_as_strace_prints_it(void **state)
{
	struct fixture *f = *state;
	const uint64_t a[6] = { (uint64_t)-100, 0x7000, 0x4100, 0x7ff, 0x7100 };
	static struct statx st;
	static char s0[] = "/etc/passwd";

	st.stx_mask = 0x17ff;
	st.stx_mode = 0100644;
	st.stx_size = 1221;
	assert_string_equal(
		with_values(f, 32, __NR_statx, a, (struct value){ 1, 0, FVX_DATA_COMPLETE, 11, s0 },
			    (struct value){ 4, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 256,
					    (const char *)&st },
			    0),
		"[pid     5] statx(AT_FDCWD, \"/etc/passwd\", "
		"AT_STATX_DONT_SYNC|AT_SYMLINK_NOFOLLOW, "
		"STATX_BASIC_STATS, {stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, "
		"stx_mode=S_IFREG|0644, stx_size=1221, ...}) = 0\n");
	assert_string_equal(
		with_values(f, 32, __NR_statx,
			    (const uint64_t[6]){ 3, 0x7000, 0x1000, 0x80000000, 0x7100 },
			    (struct value){ 1, 0, FVX_DATA_COMPLETE, 0, "" }, NONE, -22),
		"[pid     5] statx(3, \"\", AT_STATX_SYNC_AS_STAT|AT_EMPTY_PATH, 0x80000000 /* "
		"STATX_??? */, 0x7100) = -1 EINVAL (Invalid argument)\n");
	assert_string_equal(with_values(f, 32, __NR_statx,
					(const uint64_t[6]){ 3, 0x7000, 0, 0x202, 0x7100 },
					(struct value){ 1, 0, FVX_DATA_COMPLETE, 0, "" }, NONE, -2),
			    "[pid     5] statx(3, \"\", AT_STATX_SYNC_AS_STAT, "
			    "STATX_MODE|STATX_SIZE, 0x7100) = "
			    "-1 ENOENT (No such file or directory)\n");
	{
		struct output_options json = { .json = true, .string_limit = 32 };
		struct fvx_trace_record r[8] = { entry(5, __NR_statx, 3) };
		size_t n;

		memcpy(r[0].args, a, sizeof(r[0].args));
		n = add_value(r, 1, __NR_statx,
			      (struct value){ 4, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 256,
					      (const char *)&st });
		r[n++] = ret(5, __NR_statx, 0);
		assert_non_null(strstr(printed_with(f, &json, r, n),
				       "{\"statx\":{\"mask\":6143,\"attributes\":0,\"mode\":33188,"
				       "\"nlink\":0,\"uid\":0,\"gid\":0,\"ino\":0,\"size\":1221,"));
	}
}

/* uname's struct utsname (its first two fields) and a struct timezone as
 * strace 6.1 showed them; a failed uname's address; in JSON by field. */
static void uname_and_timezone_as_strace_prints_them(void **state)
{
	struct fixture *f = *state;
	static char uts[FVX_UTSNAME_SHOWN] = "Linux";
	char tz[8] = { 0 };
	struct output_options json = { .json = true, .string_limit = 32 };
	struct fvx_trace_record r[8] = { entry(5, __NR_uname, 0x7000) };
	size_t n;

	memcpy(uts + FVX_UTSNAME_FIELD, "vm", 3);
	assert_string_equal(with_values(f, 32, __NR_uname, (const uint64_t[6]){ 0x7000 },
					(struct value){ 0, FVX_RECORD_RETURN, FVX_DATA_COMPLETE,
							FVX_UTSNAME_SHOWN, uts },
					NONE, 0),
			    "[pid     5] uname({sysname=\"Linux\", nodename=\"vm\", ...}) = 0\n");
	assert_string_equal(
		with_values(f, 32, __NR_uname, (const uint64_t[6]){ 8 }, NONE, NONE, -14),
		"[pid     5] uname(0x8) = -1 EFAULT (Bad address)\n");
	memcpy(tz, &(int32_t){ -60 }, 4);
	assert_string_equal(
		with_values(f, 32, __NR_gettimeofday, (const uint64_t[6]){ 0, 0x7000 },
			    (struct value){ 1, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 8, tz }, NONE,
			    0),
		"[pid     5] gettimeofday(NULL, {tz_minuteswest=-60, tz_dsttime=0}) = 0\n");
	n = add_value(
		r, 1, __NR_uname,
		(struct value){ 0, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, FVX_UTSNAME_SHOWN, uts });
	r[n++] = ret(5, __NR_uname, 0);
	assert_non_null(strstr(printed_with(f, &json, r, n),
			       "{\"utsname\":{\"sysname\":\"Linux\",\"nodename\":\"vm\"}}"));
}

/* struct rlimit as strace prints it (RLIM64_INFINITY, multiples of 1024
 * as N*1024), the resource by name (an unknown one in hex), given at entry
 * and filled at return; the address of one not captured; in JSON by
 * field. */
static void rlimits_as_strace_prints_them(void **state)
{
	struct fixture *f = *state;
	uint64_t lim[2] = { 8192 * 1024, UINT64_MAX }, none[2] = { 0, 1024 };
	struct output_options json = { .json = true, .string_limit = 32 };
	struct fvx_trace_record r[8] = { entry(5, __NR_getrlimit, 3) };
	size_t n;

	assert_string_equal(
		with_values(f, 32, __NR_prlimit64, (const uint64_t[6]){ 0, 4, 0x7000, 0x7010 },
			    (struct value){ 2, 0, FVX_DATA_COMPLETE, 16, (const char *)none },
			    (struct value){ 3, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 16,
					    (const char *)lim },
			    0),
		"[pid     5] prlimit64(0, RLIMIT_CORE, {rlim_cur=0, rlim_max=1024}, "
		"{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0\n");
	assert_string_equal(
		with_values(f, 32, __NR_getrlimit, (const uint64_t[6]){ 99, 0x7000 }, NONE, NONE,
			    -22),
		"[pid     5] getrlimit(0x63 /* RLIMIT_??? */, 0x7000) = -1 EINVAL (Invalid "
		"argument)\n");
	n = add_value(
		r, 1, __NR_getrlimit,
		(struct value){ 1, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 16, (const char *)lim });
	r[n++] = ret(5, __NR_getrlimit, 0);
	assert_non_null(strstr(printed_with(f, &json, r, n),
			       "{\"rlimit\":{\"cur\":8388608,\"max\":18446744073709551615}}"));
}

/* struct sysinfo, every field, as strace prints it; a failed call's
 * address; in JSON by field. */
static void sysinfo_as_strace_prints_it(void **state)
{
	struct fixture *f = *state;
	uint64_t si[14] = { 42, 1, 2, 3, 536870912, 1000, 0, 4096, 0, 0, 77, 0, 0, 1 };
	struct output_options json = { .json = true, .string_limit = 32 };
	struct fvx_trace_record r[12] = { entry(5, __NR_sysinfo, 0x7000) };
	size_t n;

	assert_string_equal(
		with_values(f, 32, __NR_sysinfo, (const uint64_t[6]){ 0x7000 },
			    (struct value){ 0, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 112,
					    (const char *)si },
			    NONE, 0),
		"[pid     5] sysinfo({uptime=42, loads=[1, 2, 3], totalram=536870912, "
		"freeram=1000, sharedram=0, bufferram=4096, totalswap=0, freeswap=0, procs=77, "
		"totalhigh=0, freehigh=0, mem_unit=1}) = 0\n");
	assert_string_equal(
		with_values(f, 32, __NR_sysinfo, (const uint64_t[6]){ 0 }, NONE, NONE, -14),
		"[pid     5] sysinfo(NULL) = -1 EFAULT (Bad address)\n");
	n = add_value(
		r, 1, __NR_sysinfo,
		(struct value){ 0, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 112, (const char *)si });
	r[n++] = ret(5, __NR_sysinfo, 0);
	assert_non_null(
		strstr(printed_with(f, &json, r, n),
		       "{\"sysinfo\":{\"loads\":[1,2,3],\"uptime\":42,\"totalram\":536870912,"));
	assert_non_null(
		strstr(f->text, "\"procs\":77,\"totalhigh\":0,\"freehigh\":0,\"mem_unit\":1}"));
}

/* struct timespec and struct timeval as strace 6.1 prints them, clocks by
 * name (an unknown one, such as a process's CPU clock, in hex), a
 * select that timed out with strace's "(Timeout)"; an
 * i386 call's old_timespec32; the address for what was not captured (a
 * failed call's, an unreadable one); in JSON by field. */
static void time_structures_as_strace_prints_them(void **state)
{
	struct fixture *f = *state;
	char ts[16], ts32[8], ts32x4[32];
	const int64_t four[4] = { 1, 2, 3, 4 };
	const uint64_t sleep[6] = { 0x7000, 0 }, get[6] = { 1, 0x7000 };
	const uint64_t abs[6] = { 0, 1, 0x7000, 0x7100 }, cpu[6] = { (uint64_t)-6, 0x7000 };
	const uint64_t tod[6] = { 0x7000, 0 }, sel[6] = { 0, 0, 0, 0, 0x7000 };
	struct output_options opt = { .json = true, .string_limit = 32 };
	struct fvx_trace_record r[8];
	size_t n;

	memcpy(ts32x4, four, sizeof(four));
	memcpy(ts, &(int64_t){ 1 }, 8);
	memcpy(ts + 8, &(int64_t){ 500000000 }, 8);
	assert_string_equal(time_line(f, __NR_nanosleep, sleep, 0, false, ts, 0),
			    "[pid     5] nanosleep({tv_sec=1, tv_nsec=500000000}, NULL) = 0\n");
	assert_string_equal(
		time_line(f, __NR_clock_gettime, get, 1, true, ts, 0),
		"[pid     5] clock_gettime(CLOCK_MONOTONIC, {tv_sec=1, tv_nsec=500000000}) = 0\n");
	assert_string_equal(
		with_values(f, 32, __NR_clock_gettime, cpu, NONE, NONE, -22),
		"[pid     5] clock_gettime(0xfffffffa /* CLOCK_??? */, 0x7000) = -1 EINVAL "
		"(Invalid argument)\n");
	assert_string_equal(time_line(f, __NR_clock_nanosleep, abs, 2, false, ts, 0),
			    "[pid     5] clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, {tv_sec=1, "
			    "tv_nsec=500000000}, 0x7100) = 0\n");
	assert_string_equal(with_values(f, 32, __NR_nanosleep, sleep,
					(struct value){ 0, 0, FVX_DATA_UNREADABLE, 0, ts }, NONE,
					-14),
			    "[pid     5] nanosleep(0x7000, NULL) = -1 EFAULT (Bad address)\n");
	assert_string_equal(time_line(f, __NR_gettimeofday, tod, 0, true, ts, 0),
			    "[pid     5] gettimeofday({tv_sec=1, tv_usec=500000000}, NULL) = 0\n");
	/* An itimerval: interval, then value; an itimerspec; an unknown timer. */
	{
		char iv[32] = { 0 };
		const uint64_t set[6] = { 1, 0x7000, 0x7100 };

		memcpy(iv + 16, &(int64_t){ 100 }, 8);
		assert_string_equal(
			with_values(
				f, 32, __NR_setitimer, set,
				(struct value){ 1, 0, FVX_DATA_COMPLETE, 32, iv },
				(struct value){ 2, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 32, iv },
				0),
			"[pid     5] setitimer(ITIMER_VIRTUAL, {it_interval={tv_sec=0, tv_usec=0}, "
			"it_value={tv_sec=100, tv_usec=0}}, {it_interval={tv_sec=0, tv_usec=0}, "
			"it_value={tv_sec=100, tv_usec=0}}) = 0\n");
		assert_string_equal(
			with_values(f, 32, __NR_timerfd_settime,
				    (const uint64_t[6]){ 3, 3, 0x7000 },
				    (struct value){ 2, 0, FVX_DATA_COMPLETE, 32, iv }, NONE, 0),
			"[pid     5] timerfd_settime(3, TFD_TIMER_ABSTIME|TFD_TIMER_CANCEL_ON_SET, "
			"{it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=100, tv_nsec=0}}, "
			"NULL) "
			"= 0\n");
		assert_string_equal(
			with_values(f, 32, __NR_getitimer, (const uint64_t[6]){ 5, 0x7000 }, NONE,
				    NONE, -22),
			"[pid     5] getitimer(0x5 /* ITIMER_??? */, 0x7000) = -1 EINVAL (Invalid "
			"argument)\n");
		/* Half an itimerspec: the address. */
		assert_string_equal(with_values(f, 32, __NR_timerfd_settime,
						(const uint64_t[6]){ 3, 0, 0x7000 },
						(struct value){ 2, 0, FVX_DATA_COMPLETE, 16, iv },
						NONE, 0),
				    "[pid     5] timerfd_settime(3, 0, 0x7000, NULL) = 0\n");
	}
	/* A sleep a signal cut short: the time left, as strace shows it (the
	 * analyzer captures it only then: fvx_rem_filled). */
	{
		char left[16];
		const uint64_t cut[6] = { 0x7000, 0x7100 };

		memcpy(left, &(int64_t){ 0 }, 8);
		memcpy(left + 8, &(int64_t){ 250000000 }, 8);
		assert_string_equal(
			with_values(
				f, 32, __NR_nanosleep, cut,
				(struct value){ 0, 0, FVX_DATA_COMPLETE, 16, ts },
				(struct value){ 1, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 16, left },
				-516),
			"[pid     5] nanosleep({tv_sec=1, tv_nsec=500000000}, {tv_sec=0, "
			"tv_nsec=250000000}) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)\n");
		assert_string_equal(
			with_values(f, 32, __NR_nanosleep, cut,
				    (struct value){ 0, 0, FVX_DATA_COMPLETE, 16, ts }, NONE, 0),
			"[pid     5] nanosleep({tv_sec=1, tv_nsec=500000000}, 0x7100) = 0\n");
	}
	/* No descriptor ready: strace's "(Timeout)". */
	assert_string_equal(
		time_line(f, __NR_select, sel, 4, false, ts, 0),
		"[pid     5] select(0, NULL, NULL, NULL, {tv_sec=1, tv_usec=500000000}) = "
		"0 (Timeout)\n");
	assert_string_equal(
		with_values(f, 32, __NR_ppoll, (const uint64_t[6]){ 0, 0, 0, 0, 8 }, NONE, NONE, 1),
		"[pid     5] ppoll(NULL, 0, NULL, NULL, 8) = 1\n");
	/* A value of neither size shows the address. */
	assert_string_equal(with_values(f, 32, __NR_nanosleep, sleep,
					(struct value){ 0, 0, FVX_DATA_COMPLETE, 12, ts }, NONE, 0),
			    "[pid     5] nanosleep(0x7000, NULL) = 0\n");
	memcpy(ts + 8, &(int64_t){ -1 }, 8);
	assert_string_equal(
		time_line(f, __NR_nanosleep, sleep, 0, false, ts, -22),
		"[pid     5] nanosleep({tv_sec=1, tv_nsec=18446744073709551615}, NULL) = "
		"-1 EINVAL (Invalid argument)\n");
	memcpy(ts + 8, &(int64_t){ 500000000 }, 8);
	/* i386 nanosleep (162): two 32-bit words, a negative fraction unsigned
	 * as strace shows it. */
	memcpy(ts32, &(int32_t){ 2 }, 4);
	memcpy(ts32 + 4, &(int32_t){ -1 }, 4);
	r[0] = data(70, 162, FVX_RECORD_COMPAT, 0, FVX_DATA_COMPLETE, 0, 8, ts32);
	r[1] = compat(args3(entry(70, 162, 0x7000), 0, 0, 0));
	r[2] = compat(ret(70, 162, 0));
	assert_non_null(strstr(printed_all(f, false, r, 3),
			       "nanosleep({tv_sec=2, tv_nsec=4294967295}, NULL) = 0\n"));
	r[0] = entry(5, __NR_clock_gettime, 1);
	r[0].args[1] = 0x7000;
	n = add_value(r, 1, __NR_clock_gettime,
		      (struct value){ 1, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 16, ts });
	r[n++] = ret(5, __NR_clock_gettime, 0);
	assert_non_null(strstr(printed_with(f, &opt, r, n),
			       "\"data\":[null,{\"timespec\":{\"sec\":1,\"nsec\":500000000}}"));
	r[0] = entry(5, __NR_getitimer, 0);
	r[0].args[1] = 0x7000;
	memcpy(ts32, &(int32_t){ 0 }, 4);
	n = add_value(r, 1, __NR_getitimer,
		      (struct value){ 1, FVX_RECORD_RETURN, FVX_DATA_COMPLETE, 32, ts32x4 });
	r[n++] = ret(5, __NR_getitimer, 0);
	assert_non_null(strstr(printed_with(f, &opt, r, n),
			       "{\"itimerval\":{\"interval\":{\"sec\":1,\"usec\":2},"
			       "\"value\":{\"sec\":3,\"usec\":4}}}"));
}

/* 32 bits wide: a long sign-extended (lseek's -1), EAX's errno, an
 * address in hex (brk), a call without a twin raw, with a value only an
 * address can be in hex (mmap2). Hostile: a number beyond the table, a
 * 32-bit call's data records before a 64-bit call of the same number and
 * the other way round (neither is the other's), upper halves set. */
static void compat_values_and_hostile_records(void **state)
{
	struct fvx_trace_record r[] = {
		compat(args3(entry(70, 19, 3), 0xffffffff, 0, 0)),
		compat(ret(70, 19, -22)),
		compat(entry(70, 45, 0)),
		compat(ret(70, 45, (int32_t)0xf7f5e000)),
		compat(args3(entry(70, 192, 0), 8192, 3, 0x22)),
		compat(ret(70, 192, (int32_t)0xf7f5e000)),
		compat(args3(entry(70, 100000, 1), 2, 3, 0)),
		compat(ret(70, 100000, -38)),
		compat(entry(70, ~0ULL, 0)),
		data(70, 2, FVX_RECORD_COMPAT, 0, FVX_DATA_COMPLETE, 0, 3, "abc"),
		args3(entry(70, 2, 0x5000), 0, 0, 0),
		ret(70, 2, -2),
		data(70, 5, 0, 0, FVX_DATA_COMPLETE, 0, 3, "abc"),
		compat(args3(entry(70, 5, 0xffffffff00006000), 0xffffffff00000000, 0, 0)),
		compat(ret(70, 5, 0x100000003)),
	};

	assert_string_equal(
		printed_all(*state, false, r, sizeof(r) / sizeof(r[0])),
		"[pid    70] [ Process PID=70 runs in 32 bit mode. ]\n"
		"[pid    70] lseek(3, -1, SEEK_SET) = -1 EINVAL (Invalid argument)\n"
		"[pid    70] brk(NULL) = 0xf7f5e000\n"
		"[pid    70] mmap2(0, 0x2000, 3, 34, 0, 0) = 0xf7f5e000\n"
		"[pid    70] syscall_100000(1, 2, 3, 0, 0, 0) = -1 ENOSYS (Function not "
		"implemented)\n"
		"[pid    70] syscall_18446744073709551615(0, 0, 0, 0, 0, 0) = ?\n"
		"[pid    70] [ Process PID=70 runs in 64 bit mode. ]\n"
		"[pid    70] open(0x5000, O_RDONLY) = -1 ENOENT (No such file or directory)\n"
		"[pid    70] [ Process PID=70 runs in 32 bit mode. ]\n"
		"[pid    70] open(0x6000, O_RDONLY) = 3\n");
}

/* JSON Lines: "arch" says which table "nr" is of; -c: a table of its own
 * for the 32-bit calls, as strace prints it. */
static void compat_json_and_summary(void **state)
{
	struct fixture *f = *state;
	struct output_options opt = clocked();
	struct fvx_trace_record r[] = {
		at(entry(1, 39, 0), 0),
		at(ret(1, 39, 1), 1000),
		at(compat(entry(1, 5, 0x4000)), 2000),
		at(compat(ret(1, 5, -2)), 5000),
		at(compat(entry(1, 20, 0)), 6000),
		at(compat(ret(1, 20, 1)), 7000),
	};

	opt.json = true;
	printed_with(f, &opt, r, 2);
	assert_non_null(
		strstr(f->text, "\"tgid\":1,\"arch\":\"x86_64\",\"nr\":39,\"name\":\"getpid\""));
	printed_with(f, &opt, r + 2, 2);
	assert_non_null(strstr(f->text, "\"tgid\":1,\"arch\":\"i386\",\"nr\":5,\"name\":\"open\","
					"\"args\":[\"0x4000\",\"0\",\"0\",\"0\",\"0\",\"0\"],"
					"\"exit_mode\":false,\"ret\":-2,\"errno\":\"ENOENT\","
					"\"decoded_args\":[\"0x4000\",\"O_RDONLY\"],"));
	assert_null(strstr(f->text, "Process"));
	opt.json = false;
	opt.summary = true;
	assert_string_equal(printed_with(f, &opt, r, 6),
			    "% time     seconds  usecs/call     calls    errors syscall\n"
			    "------ ----------- ----------- --------- --------- ----------------\n"
			    "100.00    0.000001           1         1           getpid\n"
			    "------ ----------- ----------- --------- --------- ----------------\n"
			    "100.00    0.000001           1         1           total\n"
			    "System call usage summary for 32 bit mode:\n"
			    "% time     seconds  usecs/call     calls    errors syscall\n"
			    "------ ----------- ----------- --------- --------- ----------------\n"
			    " 75.00    0.000003           3         1         1 open\n"
			    " 25.00    0.000001           1         1           getpid\n"
			    "------ ----------- ----------- --------- --------- ----------------\n"
			    "100.00    0.000004           2         2         1 total\n");
}

/* ---- io_uring operations ---- */

static struct fvx_trace_record uring(struct fvx_trace_record r, uint32_t op)
{
	r.flags |= FVX_RECORD_URING | op << FVX_RECORD_URING_OP_SHIFT;
	return r;
}

/* An openat and a write submitted through an io_uring while the thread is
 * in io_uring_enter, and by the ring's kernel thread (pid 9): each a line
 * of its own, as the call that does the same with its path and buffer;
 * the call the thread is in resumes after them. A NOP, which no call
 * does, shows the entry's fields. */
static void uring_operations_as_their_calls(void **state)
{
	struct fixture *f = *state;
	const char *path = "/tmp/fvx-uring", *text = "fvx-uring\n";
	struct fvx_trace_record r[] = {
		args3(entry(5, __NR_io_uring_enter, 4), 1, 1, 1),
		data(5, __NR_openat, FVX_RECORD_URING | IORING_OP_OPENAT << 24, 1,
		     FVX_DATA_COMPLETE, 0, 14, path),
		uring(args3(entry(5, __NR_openat, (uint64_t)-100), 0x7000, O_WRONLY | O_CREAT,
			    0600),
		      IORING_OP_OPENAT),
		ret(5, __NR_io_uring_enter, 1),
		data(9, __NR_pwrite64, FVX_RECORD_URING | IORING_OP_WRITE << 24, 1,
		     FVX_DATA_COMPLETE, 0, 10, text),
		uring(args3(entry(9, __NR_pwrite64, 3), 0x7100, 10, 0), IORING_OP_WRITE),
		uring(args3(entry(5, __NR_io_uring_enter, 0x300000000ULL), 0, 0x7200, 0),
		      IORING_OP_NOP),
		uring(entry(5, __NR_openat, 0), 0xfe),
	};
	const char *want =
		"[pid     5] io_uring_enter(4, 1, 1, 1, 0, 0 <unfinished ...>\n"
		"[pid     5] io_uring IORING_OP_OPENAT openat(AT_FDCWD, \"/tmp/fvx-uring\", "
		"O_WRONLY|O_CREAT, 0600)\n"
		"[pid     5] <... io_uring_enter resumed>) = 1\n"
		"[pid     9] io_uring IORING_OP_WRITE pwrite64(3, \"fvx-uring\\n\", 10, 0)\n"
		"[pid     5] io_uring IORING_OP_NOP {flags=0, fd=3, off=0, addr=0x7200, len=0, "
		"op_flags=0, user_data=0}\n"
		"[pid     5] io_uring 0xfe /* IORING_OP_??? */ {flags=0, fd=0, off=0, addr=0, "
		"len=0, op_flags=0, user_data=0}\n";
	struct output_options opt = { .string_limit = 32 }, summary = { .summary = true },
			      json = { .json = true, .string_limit = 32 };
	const char *got;

	got = printed_with(f, &opt, r, sizeof(r) / sizeof(r[0]));
	if (strcmp(got, want))
		fprintf(stderr, "got:\n%s", got);
	assert_string_equal(got, want);
	/* Not a system call: -c counts io_uring_enter alone. */
	assert_null(strstr(printed_with(f, &summary, r, sizeof(r) / sizeof(r[0])), "openat"));
	assert_string_equal(
		printed_with(f, &json, r + 1, 2),
		"{\"seq\":0,\"tsc\":0,\"cpu\":0,\"pid\":5,\"tgid\":1,\"event\":\"io_uring\","
		"\"op\":\"IORING_OP_OPENAT\",\"nr\":257,\"name\":\"openat\",\"args\":["
		"\"0xffffffffffffff9c\","
		"\"0x7000\",\"0x41\",\"0x180\",\"0\",\"0\"],\"decoded_args\":[\"AT_FDCWD\","
		"\"\\\"/tmp/fvx-uring\\\"\",\"O_WRONLY|O_CREAT\",\"0600\"],"
		"\"data\":[null,{\"bytes\":\"/tmp/"
		"fvx-uring\",\"truncated\":false},null,null,null,null]}\n");
}

/* Their completions: a line each, in the task that completed it, with its
 * user_data and its result decoded as its twin call's return; one the
 * kernel posted without an operation says so. Inside another thread's
 * call, that call's line is suspended as for any other line. JSON: an
 * "io_uring_result" object; not in -c; -e status=failed shows the failed
 * one alone. */
static void uring_completions(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record done_open = uring(ret(7, __NR_openat, 5), IORING_OP_OPENAT),
				done_fail = uring(ret(5, __NR_openat, -2 /* ENOENT */),
						  IORING_OP_OPENAT),
				done_write = uring(ret(9, __NR_pwrite64, 10), IORING_OP_WRITE),
				done_none =
					uring(ret(5, __NR_io_uring_enter, 0), FVX_URING_OP_NONE);
	struct fvx_trace_record r[6];
	struct output_options opt = { .string_limit = 32 }, summary = { .summary = true },
			      failed = { .status = STATUS_FAILED },
			      json = { .json = true, .string_limit = 32 };
	const char *got,
		*want = "[pid     5] io_uring_enter(4, 1, 1, 1, 0, 0 <unfinished ...>\n"
			"[pid     7] io_uring IORING_OP_OPENAT completed user_data=0x2a = 5\n"
			"[pid     5] <... io_uring_enter resumed>) = 1\n"
			"[pid     5] io_uring IORING_OP_OPENAT completed user_data=0 = -1 ENOENT "
			"(No "
			"such file or directory)\n"
			"[pid     9] io_uring IORING_OP_WRITE completed user_data=0xf00d = 10\n"
			"[pid     5] io_uring (no request: a multishot result or a MSG_RING "
			"message) "
			"completed user_data=0x1 = 0\n";

	done_open.args[1] = 42;
	done_write.args[1] = 0xf00d;
	done_none.args[1] = 1;
	r[0] = args3(entry(5, __NR_io_uring_enter, 4), 1, 1, 1);
	r[1] = done_open;
	r[2] = ret(5, __NR_io_uring_enter, 1);
	r[3] = done_fail;
	r[4] = done_write;
	r[5] = done_none;
	got = printed_with(f, &opt, r, 6);
	if (strcmp(got, want))
		fprintf(stderr, "got:\n%s", got);
	assert_string_equal(got, want);
	assert_null(strstr(printed_with(f, &summary, r, 6), "IORING"));
	assert_string_equal(
		printed_with(f, &failed, r + 3, 3),
		"[pid     5] io_uring IORING_OP_OPENAT completed user_data=0 = -1 ENOENT (No "
		"such file or directory)\n");
	assert_string_equal(printed_with(f, &json, r + 3, 1),
			    "{\"seq\":0,\"tsc\":0,\"cpu\":0,\"pid\":5,\"tgid\":1,"
			    "\"event\":\"io_uring_result\",\"op\":\"IORING_OP_OPENAT\","
			    "\"user_data\":0,\"cqe_flags\":0,\"ret\":-2,\"errno\":\"ENOENT\","
			    "\"decoded_ret\":\"-1 ENOENT (No such file or directory)\"}\n");
	assert_non_null(strstr(printed_with(f, &json, r + 5, 1), "\"op\":null"));
}

/* A read's completion with what it read, from the data records the
 * analyzer put before it (its call's return's: a buffer up to -s, cut with
 * "..."); in JSON its "data"; an unreadable buffer adds nothing; pieces of
 * another record are not its. */
static void uring_completions_show_what_they_filled(void **state)
{
	struct fixture *f = *state;
	struct fvx_trace_record done = uring(ret(7, __NR_pread64, 10), IORING_OP_READ), r[4];
	struct output_options opt = { .string_limit = 4 },
			      json = { .json = true, .string_limit = 32 };
	uint32_t owner = done.flags & ~FVX_RECORD_DATA;

	done.args[1] = 42;
	r[0] = data(7, __NR_pread64, owner, 1, FVX_DATA_COMPLETE, 0, 10, "fvx-uring\n");
	r[1] = done;
	assert_string_equal(printed_with(f, &opt, r, 2),
			    "[pid     7] io_uring IORING_OP_READ completed user_data=0x2a = 10, "
			    "buffer at completion \"fvx-\"...\n");
	assert_non_null(strstr(printed_with(f, &json, r, 2),
			       "\"decoded_ret\":\"10\",\"data\":[null,{\"bytes\":\"fvx-uring\\n\","
			       "\"truncated\":false},null,null,null,null]}"));
	r[0] = data(7, __NR_pread64, owner, 1, FVX_DATA_UNREADABLE, 0, 0, "");
	assert_string_equal(printed_with(f, &opt, r, 2),
			    "[pid     7] io_uring IORING_OP_READ completed user_data=0x2a = 10\n");
	/* A piece of the thread's pread64 call (no URING), then the completion. */
	r[0] = data(7, __NR_pread64, FVX_RECORD_RETURN, 1, FVX_DATA_COMPLETE, 0, 3, "abc");
	assert_string_equal(printed_with(f, &opt, r, 2),
			    "[pid     7] io_uring IORING_OP_READ completed user_data=0x2a = 10\n");
}

/* decode_shows_args, which lets a call without arguments skip the
 * decoder, says what the decoder does: for every 64-bit number, a 32-bit
 * call without a twin, and every argument count, some argument shown
 * exactly when it says so. */
static void shows_args_as_the_decoder_does(void **state)
{
	static char text[6][DECODE_ARG_MAX];
	struct fvx_trace_record r = { .args = { 1, 2, 3, 4, 5, 6 } };
	uint64_t nr;
	int argc;

	(void)state;
	for (nr = 0; nr <= 512; nr++)
		for (argc = 0; argc <= 6; argc++) {
			r.nr = nr;
			r.flags = nr == 512 ? FVX_RECORD_COMPAT : 0; /* (no i386 call 512) */
			assert_int_equal(decode_shows_args(decode_decl_nr(&r), argc),
					 decode_args(&r, NULL, argc, 32, text) > 0);
		}
	r.nr = __NR_getpid;
	r.flags = 0;
	assert_false(decode_shows_args(decode_decl_nr(&r), 6));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shows_args_as_the_decoder_does),
		cmocka_unit_test_setup_teardown(uring_operations_as_their_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(uring_completions_show_what_they_filled, setup,
						teardown),
		cmocka_unit_test_setup_teardown(uring_completions, setup, teardown),
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
		cmocka_unit_test_setup_teardown(decode_open, setup, teardown),
		cmocka_unit_test_setup_teardown(decode_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(decode_clone, setup, teardown),
		cmocka_unit_test_setup_teardown(decode_signals, setup, teardown),
		cmocka_unit_test_setup_teardown(decode_sockets, setup, teardown),
		cmocka_unit_test_setup_teardown(decode_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(restart_errnos, setup, teardown),
		cmocka_unit_test_setup_teardown(sigreturn_mask_shown, setup, teardown),
		cmocka_unit_test_setup_teardown(rlimits_as_strace_prints_them, setup, teardown),
		cmocka_unit_test_setup_teardown(sysinfo_as_strace_prints_it, setup, teardown),
		cmocka_unit_test_setup_teardown(timestamps_and_durations, setup, teardown),
		cmocka_unit_test_setup_teardown(quick_calls_print_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(status_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(task_exit_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(task_signal_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(group_stop_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(task_lines_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile_task_records, setup, teardown),
		cmocka_unit_test_setup_teardown(summary_table, setup, teardown),
		cmocka_unit_test_setup_teardown(summary_times_saturate, setup, teardown),
		cmocka_unit_test_setup_teardown(json_decoded, setup, teardown),
		cmocka_unit_test_setup_teardown(summary_line, setup, teardown),
		cmocka_unit_test_setup_teardown(strings_and_buffers_are_shown_quoted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(data_pieces_are_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(long_paths_print_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(lines_longer_than_the_buffer_print_whole, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_threads_end_forgets_its_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(running_calls_end_in_the_order_they_began, setup,
						teardown),
		cmocka_unit_test_setup_teardown(quoting_follows_strace, setup, teardown),
		cmocka_unit_test_setup_teardown(json_data, setup, teardown),
		cmocka_unit_test_setup_teardown(execve_shows_argv_and_envp, setup, teardown),
		cmocka_unit_test_setup_teardown(iovec_arrays_as_strace_prints_them, setup,
						teardown),
		cmocka_unit_test_setup_teardown(signal_structures_as_strace_prints_them, setup,
						teardown),
		cmocka_unit_test_setup_teardown(signal_structures_in_json, setup, teardown),
		cmocka_unit_test_setup_teardown(statx_as_strace_prints_it, setup, teardown),
		cmocka_unit_test_setup_teardown(uname_and_timezone_as_strace_prints_them, setup,
						teardown),
		cmocka_unit_test_setup_teardown(prctl_and_ptrace_as_strace_prints_them, setup,
						teardown),
		cmocka_unit_test_setup_teardown(time_structures_as_strace_prints_them, setup,
						teardown),
		cmocka_unit_test_setup_teardown(stat_buffers_as_strace_prints_them, setup,
						teardown),
		cmocka_unit_test_setup_teardown(msghdr_as_strace_prints_it, setup, teardown),
		cmocka_unit_test_setup_teardown(msghdr_control_data, setup, teardown),
		cmocka_unit_test_setup_teardown(iovec_arrays_in_json, setup, teardown),
		cmocka_unit_test_setup_teardown(execve_argv_as_strace_abbreviates_it, setup,
						teardown),
		cmocka_unit_test_setup_teardown(execve_malformed_values_show_addresses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(execveat_shows_argv_and_envp, setup, teardown),
		cmocka_unit_test_setup_teardown(socket_addresses_as_strace_prints_them, setup,
						teardown),
		cmocka_unit_test_setup_teardown(bad_socket_addresses_show_as_strace_shows_them,
						setup, teardown),
		cmocka_unit_test_setup_teardown(filled_socket_addresses_as_strace_prints_them,
						setup, teardown),
		cmocka_unit_test_setup_teardown(recvfrom_shows_the_sender, setup, teardown),
		cmocka_unit_test_setup_teardown(filled_socket_addresses_come_with_the_return, setup,
						teardown),
		cmocka_unit_test_setup_teardown(strings_read_again_at_the_return, setup, teardown),
		cmocka_unit_test_setup_teardown(compat_calls_as_strace, setup, teardown),
		cmocka_unit_test_setup_teardown(compat_execve_and_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(compat_values_and_hostile_records, setup, teardown),
		cmocka_unit_test_setup_teardown(compat_json_and_summary, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
