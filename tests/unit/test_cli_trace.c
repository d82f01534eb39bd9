/* Unit tests for fastvmix trace as a whole (cli/trace.c and the files it
 * uses) against a fake /dev/fastvmix: open, ioctl, mmap and munmap are
 * wrapped at link time (-Wl,--wrap), so the real command runs on the host,
 * starts real children, and every path can be checked for what it leaves
 * behind (mappings, fds, children; memory with valgrind). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli.h"

#define CPUS 2
/* Rings of two pages, as the hypervisor lays them out (page multiples):
 * the header page, and records for fvx_ring_capacity(RING_BYTES). */
#define RING_BYTES (2 * FVX_RING_RECORDS)
#define CAPACITY 32

static struct {
	int fd; /* what open(/dev/fastvmix) returned: a /dev/null fd */
	struct fvx_geometry geometry;
	int info_errno, start_errno, consumer_mmap_errno;
	__u32 ring_version; /* written into the headers at TRACE_START */
	struct fvx_trace_request req;
	int starts, stops, analyzer_loads;
	/* After TRACE_STOP: each flush of the trace's output fills cpu 1's
	 * ring again, this many times at most (a kernel that goes on writing). */
	int flood, refills;
	uint64_t flood_tsc;
	void *rings, *consumer;
	int maps, unmaps;
} dev;

int __real_open(const char *path, int flags, ...);
int __real_ioctl(int fd, unsigned long request, ...);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_fflush(FILE *stream);
int __real_munmap(void *addr, size_t len);

int __wrap_open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	if (!strcmp(path, FVX_AGENT_DEVICE)) {
		dev.fd = __real_open("/dev/null", flags);
		return dev.fd;
	}
	va_start(ap, flags);
	mode = va_arg(ap, mode_t);
	va_end(ap);
	return __real_open(path, flags, mode);
}

static struct fvx_ring_header *ring(unsigned int cpu)
{
	return fvx_ring_at(dev.rings, dev.geometry.ring_bytes, cpu);
}

static void produce(unsigned int cpu, uint64_t tsc, uint32_t tgid, uint64_t nr, uint64_t arg0,
		    uint32_t flags)
{
	struct fvx_trace_record r = { .tsc = tsc,
				      .nr = nr,
				      .args = { arg0 },
				      .cpu = cpu,
				      .pid = tgid,
				      .tgid = tgid,
				      .flags = flags };

	fvx_ring_push(ring(cpu), CAPACITY, &((struct fvx_ring_consumer *)dev.consumer)[cpu].tail,
		      &r);
}

/* What the hypervisor would record for the started command, each call
 * with its return: its own getpid before exec (not the sample's), an i386
 * 59 (olduname, not its execve: not the sample's either), then
 * execve, getpid (on both CPUs), a write that fails, exit_group (which does
 * not return), the record of its end; and two records cpu 1 had no room
 * for. */
static void trace_start(const struct fvx_trace_request *req)
{
	unsigned int cpu;
	uint32_t t = req->filter.target_tgid;

	dev.req = *req;
	for (cpu = 0; cpu < CPUS; cpu++) {
		fvx_ring_init(ring(cpu), dev.geometry.ring_bytes);
		ring(cpu)->version = dev.ring_version;
		((struct fvx_ring_consumer *)dev.consumer)[cpu].tail = 0;
	}
	produce(0, 10, t, 39, 0, 0);
	produce(0, 11, t, 39, t, FVX_RECORD_RETURN);
	produce(0, 12, t, 59, 0, FVX_RECORD_COMPAT);
	produce(0, 20, t, 59, 0x1000, 0);
	produce(0, 21, t, 59, 0, FVX_RECORD_RETURN);
	produce(0, 30, t, 39, 0, 0);
	produce(0, 31, t, 39, t, FVX_RECORD_RETURN);
	produce(1, 40, t, 39, 0, 0);
	produce(1, 41, t, 39, t, FVX_RECORD_RETURN);
	produce(0, 50, t, 1, 3, 0);
	produce(0, 51, t, 1, (uint64_t)-9, FVX_RECORD_RETURN);
	produce(0, 60, t, 231, 7, 0);
	produce(0, 61, t, FVX_TASK_EXIT, 7 << 8, FVX_RECORD_TASK);
	ring(1)->dropped = 2;
}

/* cpu 1's ring full again, while dev.flood says so. */
static void flood(void)
{
	if (dev.flood <= 0 || !dev.rings || !dev.consumer)
		return;
	dev.flood--;
	dev.refills++;
	while (fvx_ring_room(ring(1), CAPACITY,
			     &((struct fvx_ring_consumer *)dev.consumer)[1].tail))
		produce(1, ++dev.flood_tsc, 1, 39, 0, 0);
}

/* The frontend flushes its output after each drain pass that printed. */
int __wrap_fflush(FILE *stream)
{
	int rc = __real_fflush(stream);

	if (stream && stream != stderr && stream != stdout && dev.stops)
		flood();
	return rc;
}

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != dev.fd)
		return __real_ioctl(fd, request, arg);
	switch (request) {
	case FVX_IOC_INFO: {
		struct fvx_ioc_info *info = arg;

		assert_int_equal(info->version, FVX_IOC_INFO_VERSION);
		if (dev.info_errno) {
			errno = dev.info_errno;
			return -1;
		}
		info->mode = 0;
		info->geometry = dev.geometry;
		return 0;
	}
	case FVX_IOC_TRACE_START:
		dev.starts++;
		assert_non_null(dev.rings);
		assert_non_null(dev.consumer);
		if (dev.start_errno) {
			errno = dev.start_errno;
			return -1;
		}
		trace_start(arg);
		return 0;
	case FVX_IOC_TRACE_STOP:
		dev.stops++;
		flood();
		return 0;
	case FVX_IOC_ANALYZER_LOAD: dev.analyzer_loads++; return 0;
	}
	errno = ENOTTY;
	return -1;
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p;

	if (fd != dev.fd)
		return __real_mmap(addr, len, prot, flags, fd, off);
	if ((uint64_t)off == FVX_MMAP_CONSUMER && dev.consumer_mmap_errno) {
		errno = dev.consumer_mmap_errno;
		return MAP_FAILED;
	}
	/* Writable here: this side plays the producer too. */
	p = __real_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	if ((uint64_t)off == FVX_MMAP_RINGS) {
		assert_int_equal(len, (size_t)dev.geometry.ring_bytes * dev.geometry.cpu_count);
		dev.rings = p;
	} else {
		assert_int_equal(off, (off_t)FVX_MMAP_CONSUMER);
		assert_int_equal(len, FVX_CONSUMER_BYTES);
		dev.consumer = p;
	}
	dev.maps++;
	return p;
}

int __wrap_munmap(void *addr, size_t len)
{
	if (addr == dev.rings)
		dev.rings = NULL;
	else if (addr == dev.consumer)
		dev.consumer = NULL;
	else
		return __real_munmap(addr, len);
	dev.unmaps++;
	return __real_munmap(addr, len);
}

static int setup(void **state)
{
	memset(&dev, 0, sizeof(dev));
	dev.fd = -1;
	dev.geometry = (struct fvx_geometry){ .ring_bytes = RING_BYTES,
					      .cpu_count = CPUS,
					      .record_size = sizeof(struct fvx_trace_record) };
	dev.ring_version = FVX_RING_VERSION;
	return 0;
}

/* Nothing left behind: no mapping, the device closed, no child unreaped. */
static void assert_released(void)
{
	assert_int_equal(dev.unmaps, dev.maps);
	assert_null(dev.rings);
	assert_null(dev.consumer);
	if (dev.fd >= 0)
		assert_int_equal(fcntl(dev.fd, F_GETFD), -1);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static char err_text[4096];

/* Runs fastvmix trace with these arguments; its stderr goes to err_text. */
static int trace(char **argv)
{
	char path[] = "/tmp/fvx-trace-err-XXXXXX";
	int argc = 0, saved = dup(2), tmp = mkstemp(path), rc;
	ssize_t n;

	assert_true(saved >= 0 && tmp >= 0);
	unlink(path);
	while (argv[argc])
		argc++;
	optind = 0; /* getopt starts over */
	fflush(stderr);
	dup2(tmp, 2);
	rc = cmd_trace(argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(tmp, err_text, sizeof(err_text) - 1, 0);
	err_text[n > 0 ? n : 0] = 0;
	close(tmp);
	return rc;
}

static char *slurp(const char *path)
{
	static char text[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = 0;
	fclose(f);
	unlink(path);
	return text;
}

static void command_traced_from_its_execve(void **state)
{
	char *argv[] = { "trace", "--json", "-o", "/tmp/fvx-trace-out.json", "--", "sh",
			 "-c",	  "exit 7", NULL };
	char expect[2048];
	uint32_t t;

	assert_int_equal(trace(argv), 7);
	t = dev.req.filter.target_tgid;
	assert_true(t > 0);
	assert_int_equal(dev.req.version, FVX_TRACE_REQUEST_VERSION);
	assert_int_equal(dev.req.mode, FVX_MODE_FAST);
	assert_int_equal(dev.req.filter.follow_children, 0);
	assert_int_equal(dev.req.filter.syscalls[0], UINT64_MAX);
	assert_int_equal(dev.req.filter.syscalls[7], UINT64_MAX);
	/* One object per call, from its entry, with its return. */
	snprintf(expect, sizeof(expect),
		 "{\"seq\":4,\"tsc\":20,\"cpu\":0,\"pid\":%u,\"tgid\":%u,\"arch\":\"x86_64\","
		 "\"nr\":59,\"name\":"
		 "\"execve\",\"args\":[\"0x1000\",\"0\",\"0\",\"0\",\"0\",\"0\"],"
		 "\"exit_mode\":false,\"ret\":0,\"errno\":null,\"decoded_args\":[\"0x1000\","
		 "\"NULL\","
		 "\"NULL\"],\"decoded_ret\":\"0\"}\n"
		 "{\"seq\":6,\"tsc\":30,\"cpu\":0,\"pid\":%u,\"tgid\":%u,\"arch\":\"x86_64\","
		 "\"nr\":39,\"name\":"
		 "\"getpid\",\"args\":[\"0\",\"0\",\"0\",\"0\",\"0\",\"0\"],"
		 "\"exit_mode\":false,\"ret\":%u,\"errno\":null,\"decoded_args\":[],"
		 "\"decoded_ret\":\"%u\"}\n"
		 "{\"seq\":1,\"tsc\":40,\"cpu\":1,\"pid\":%u,\"tgid\":%u,\"arch\":\"x86_64\","
		 "\"nr\":39,\"name\":"
		 "\"getpid\",\"args\":[\"0\",\"0\",\"0\",\"0\",\"0\",\"0\"],"
		 "\"exit_mode\":false,\"ret\":%u,\"errno\":null,\"decoded_args\":[],"
		 "\"decoded_ret\":\"%u\"}\n"
		 "{\"seq\":8,\"tsc\":50,\"cpu\":0,\"pid\":%u,\"tgid\":%u,\"arch\":\"x86_64\","
		 "\"nr\":1,\"name\":"
		 "\"write\",\"args\":[\"0x3\",\"0\",\"0\",\"0\",\"0\",\"0\"],"
		 "\"exit_mode\":false,\"ret\":-9,\"errno\":\"EBADF\",\"decoded_args\":[\"3\","
		 "\"NULL\",\"0\"],\"decoded_ret\":\"-1 EBADF (Bad file descriptor)\"}\n"
		 "{\"seq\":10,\"tsc\":60,\"cpu\":0,\"pid\":%u,\"tgid\":%u,\"arch\":\"x86_64\","
		 "\"nr\":231,"
		 "\"name\":\"exit_group\",\"args\":[\"0x7\",\"0\",\"0\",\"0\",\"0\",\"0\"],"
		 "\"exit_mode\":false,\"ret\":null,\"errno\":null,\"decoded_args\":[\"7\"],"
		 "\"decoded_ret\":null}\n"
		 "{\"seq\":11,\"tsc\":61,\"cpu\":0,\"pid\":%u,\"tgid\":%u,\"event\":\"exit\","
		 "\"status\":1792,\"last_thread\":false,\"decoded\":\"exited with 7\"}\n",
		 t, t, t, t, t, t, t, t, t, t, t, t, t, t, t, t);
	assert_string_equal(slurp("/tmp/fvx-trace-out.json"), expect);
	/* Thirteen taken off the rings (the pre-exec ones too), two cpu 1 dropped. */
	/* (No hypervisor status device here: said, not left out.) */
	assert_string_equal(err_text,
			    "fastvmix: 13 records, 2 dropped\n"
			    "fastvmix: the hypervisor's attack counters could not be "
			    "read: what it refused or repaired while tracing is not known\n");
	assert_int_equal(dev.starts, 1);
	assert_int_equal(dev.stops, 1);
	assert_int_equal(dev.maps, 2);
	assert_released();
}

static void text_output_and_options(void **state)
{
	char *argv[] = { "trace",  "-f",
			 "--mode", "exit",
			 "-e",	   "trace=getpid,write",
			 "-o",	   "/tmp/fvx-trace-out.txt",
			 "--",	   "true",
			 NULL };
	char *text;
	int lines;

	assert_int_equal(trace(argv), 0);
	assert_int_equal(dev.req.mode, FVX_MODE_EXIT);
	assert_int_equal(dev.req.filter.follow_children, 1);
	/* execve is reported too, to find the command's start, but not shown. */
	assert_int_equal(dev.req.filter.syscalls[0], 1ULL << 39 | 1ULL << 1 | 1ULL << 59);
	assert_int_equal(dev.req.filter.syscalls[3], 0);
	text = slurp("/tmp/fvx-trace-out.txt");
	/* From the execve on, only what -e selected: the child's own getpid
	 * before it, the execve and exit_group are not shown; its end is,
	 * whatever -e says, as in strace. */
	assert_ptr_equal(strstr(text, "] getpid("), strchr(text, ']'));
	assert_null(strstr(text, "] execve("));
	assert_null(strstr(text, "] exit_group("));
	assert_non_null(strstr(text, "] write("));
	assert_non_null(strstr(text, ") = -1 EBADF (Bad file descriptor)\n"));
	assert_non_null(strstr(text, "] +++ exited with 7 +++\n"));
	assert_null(strstr(text, "<unfinished ...>"));
	for (lines = 0; (text = strchr(text, '\n')); text++)
		lines++;
	assert_int_equal(lines, 4);
	assert_released();
}

/* -e trace=accept: the analyzer's filter has accept, and accept4 too, the
 * twin of the i386 accept4 that socketcall's accept is recorded as. */
static void accept_selects_socketcalls_accept(void **state)
{
	char *argv[] = { "trace", "-e", "trace=accept", "-o", "/tmp/fvx-trace-out.txt", "--",
			 "true",  NULL };

	assert_int_equal(trace(argv), 0);
	assert_int_equal(dev.req.filter.syscalls[0] >> 43 & 1, 1);
	assert_int_equal(dev.req.filter.syscalls[288 / 64] >> (288 % 64) & 1, 1);
	assert_int_equal(dev.req.filter.syscalls[0] >> 42 & 1, 0); /* connect: not */
	assert_released();
}

/* -e status=failed -T -ttt -s: only the failed write, timed from the TSC;
 * -e trace=%desc selects by class. */
static void strace_options(void **state)
{
	char *argv[] = {
		"trace", "-e", "status=failed",		 "-e", "trace=%desc", "-ttt", "-T", "-s",
		"64",	 "-o", "/tmp/fvx-trace-out.txt", "--", "true",	      NULL
	};
	char *text;

	assert_int_equal(trace(argv), 0);
	assert_int_equal(dev.req.filter.syscalls[0] >> 1 & 1, 1); /* write: %desc */
	assert_int_equal(dev.req.filter.syscalls[0] >> 39 & 1, 0); /* getpid: not */
	text = slurp("/tmp/fvx-trace-out.txt");
	/* One call: "[pid N] SECONDS.USECS write(3) = -1 EBADF (...) <0.000000>",
	 * and its end, as strace shows it whatever -e status= says. */
	assert_non_null(strstr(text, " write(3, NULL, 0) = -1 EBADF (Bad file descriptor) <0.0"));
	assert_non_null(strchr(text, '.'));
	text = strchr(text, '\n') + 1;
	assert_non_null(strstr(text, " +++ exited with 7 +++\n"));
	assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
	assert_released();
}

/* -c: no calls, the table at the end, in the -o file. */
static void summary_option(void **state)
{
	char *argv[] = { "trace", "-c", "-o", "/tmp/fvx-trace-out.txt", "--", "true", NULL };
	char *text;

	assert_int_equal(trace(argv), 0);
	text = slurp("/tmp/fvx-trace-out.txt");
	assert_ptr_equal(
		strstr(text, "% time     seconds  usecs/call     calls    errors syscall\n"), text);
	assert_non_null(strstr(text, "         1         1 write\n"));
	assert_non_null(strstr(text, "         2           getpid\n"));
	assert_non_null(strstr(text, "         5         1 total\n"));
	assert_null(strstr(text, "] ")); /* nor a "+++" line */
	assert_released();
}

/* Wrong -e status= and -s values are usage errors. */
static void bad_option_values(void **state)
{
	char *status[] = { "trace", "-e", "status=bogus", "--", "true", NULL };
	char *size[] = { "trace", "-s", "x", "--", "true", NULL };

	assert_int_equal(trace(status), 2);
	assert_non_null(strstr(err_text, "status= takes successful, failed, unfinished or all"));
	assert_int_equal(trace(size), 2);
	assert_int_equal(dev.starts, 0);
}

static void ignore(int sig)
{
}

static void attached_until_interrupted(void **state)
{
	char pid[16], *argv[] = { "trace", "-p", pid, "-o", "/dev/null", NULL };
	pid_t parent = getpid(), helper;

	/* Interrupted over and over until it is over: the first SIGINT may
	 * come before fastvmix trace has its handler. */
	signal(SIGINT, ignore);
	snprintf(pid, sizeof(pid), "%d", (int)getppid());
	helper = fork();
	assert_true(helper >= 0);
	if (helper == 0) {
		for (;;) {
			usleep(50000);
			kill(parent, SIGINT);
		}
	}
	assert_int_equal(trace(argv), 0);
	kill(helper, SIGKILL);
	assert_int_equal(waitpid(helper, NULL, 0), helper);
	signal(SIGINT, SIG_DFL);
	assert_int_equal(dev.req.filter.target_tgid, getppid());
	/* Attached: every record is the process's, none is held back. */
	/* (No hypervisor status device here: said, not left out.) */
	assert_string_equal(err_text,
			    "fastvmix: 13 records, 2 dropped\n"
			    "fastvmix: the hypervisor's attack counters could not be "
			    "read: what it refused or repaired while tracing is not known\n");
	assert_released();
}

static void start_refused(void **state)
{
	char *argv[] = { "trace", "--", "sleep", "10", NULL };

	dev.start_errno = EBUSY;
	assert_int_equal(trace(argv), 1);
	assert_string_equal(err_text,
			    "fastvmix trace: cannot start tracing: Device or resource busy\n");
	assert_int_equal(dev.stops, 0);
	assert_released(); /* the held child is killed and reaped */
}

static void no_analyzer_loads_the_default(void **state)
{
	char *argv[] = { "trace", "--", "true", NULL };

	dev.start_errno = ENOENT;
	assert_int_equal(trace(argv), 1);
	/* Tried again only if the default analyzer is on this host. */
	assert_int_equal(dev.starts, 1 + dev.analyzer_loads);
	assert_true(dev.analyzer_loads || strstr(err_text, "/lib/fastvmix/syscall.fvxa"));
	assert_released();
}

static void unknown_ring_version_refused(void **state)
{
	char *argv[] = { "trace", "-o", "/dev/null", "--", "sleep", "10", NULL };

	dev.ring_version = FVX_RING_VERSION + 1;
	assert_int_equal(trace(argv), 1);
	assert_non_null(
		strstr(err_text, "cpu 0's ring is version 4, this fastvmix reads version 3"));
	assert_null(strstr(err_text, "records,"));
	assert_int_equal(dev.stops, 1);
	assert_released();
}

static void unknown_record_size_refused(void **state)
{
	char *argv[] = { "trace", "--", "true", NULL };

	dev.geometry.record_size = 128;
	assert_int_equal(trace(argv), 1);
	assert_non_null(
		strstr(err_text, "trace records are 128 bytes, this fastvmix reads 96-byte"));
	assert_int_equal(dev.maps, 0);
	assert_int_equal(dev.starts, 0);
	assert_released();
}

static void impossible_geometry_refused(void **state)
{
	char *argv[] = { "trace", "--", "true", NULL };

	dev.geometry.cpu_count = 0;
	assert_int_equal(trace(argv), 1);
	dev.geometry.cpu_count = 1u << 31;
	assert_int_equal(trace(argv), 1);
	dev.geometry.cpu_count = CPUS;
	dev.geometry.ring_bytes = 1ULL << 62;
	assert_int_equal(trace(argv), 1);
	assert_non_null(strstr(err_text, "not a layout this fastvmix can map"));
	/* Rings that do not start on a page: the second ring's header would be
	 * misaligned for its atomic reads. Found by ring_fuzz (its input
	 * tests/fuzz/corpus/ring_fuzz/crash-misaligned-ring-headers). */
	dev.geometry.ring_bytes = FVX_RING_RECORDS + 8 * sizeof(struct fvx_trace_record);
	assert_int_equal(trace(argv), 1);
	assert_non_null(strstr(err_text, "not a layout this fastvmix can map"));
	assert_int_equal(dev.maps, 0);
	assert_released();
}

static void info_refused(void **state)
{
	char *argv[] = { "trace", "--", "true", NULL };

	dev.info_errno = EINVAL;
	assert_int_equal(trace(argv), 1);
	assert_non_null(strstr(err_text, "Invalid argument"));
	assert_int_equal(dev.maps, 0);
	assert_released();
}

static void second_mapping_fails(void **state)
{
	char *argv[] = { "trace", "--", "true", NULL };

	dev.consumer_mmap_errno = ENOMEM;
	assert_int_equal(trace(argv), 1);
	assert_int_equal(dev.maps, 1);
	assert_released();
}

static void bad_usage_touches_nothing(void **state)
{
	char *none[] = { "trace", NULL }, *both[] = { "trace", "-p", "1", "--", "true", NULL },
	     *mode[] = { "trace", "--mode", "slow", "--", "true", NULL },
	     *filter[] = { "trace", "-e", "trace=nope", "--", "true", NULL },
	     *help[] = { "trace", "--help", NULL };

	assert_int_equal(trace(none), 2);
	assert_non_null(strstr(err_text, "usage: fastvmix trace"));
	assert_int_equal(trace(both), 2);
	assert_int_equal(trace(mode), 2);
	assert_int_equal(trace(filter), 2);
	assert_string_equal(err_text, "fastvmix trace: unknown system call or class 'nope'\n");
	assert_int_equal(trace(help), 0);
	assert_string_equal(err_text, "");
	assert_int_equal(dev.fd, -1);
}

static void no_such_process(void **state)
{
	char *argv[] = { "trace", "-p", "999999999", NULL };

	assert_int_equal(trace(argv), 1);
	assert_non_null(strstr(err_text, "no process 999999999"));
	assert_int_equal(dev.fd, -1);
}

static void unwritable_output(void **state)
{
	char *argv[] = { "trace", "-o", "/nonexistent/dir/out", "--", "true", NULL };

	assert_int_equal(trace(argv), 1);
	assert_int_equal(dev.fd, -1);
	assert_released();
}

/* Records that go on coming after the trace stopped (the rings are the
 * window's: the next trace, started as soon as this one stopped, writes
 * them, or a kernel that rewrites a head): the last drain takes at most
 * what the rings can hold, a ring per CPU, and ends, where it took batch
 * after batch for as long as they came, printing another trace's records
 * as this one's and never ending. */
static void last_drain_ends_however_the_rings_fill(void **state)
{
	char *argv[] = { "trace", "-o", "/tmp/fvx-trace-flood.txt", "--", "true", NULL };
	unsigned long long records = 0;

	dev.flood = 1000; /* refills at most: the test ends either way */
	dev.flood_tsc = 1000;
	assert_int_equal(trace(argv), 0);
	slurp("/tmp/fvx-trace-flood.txt");
	assert_int_equal(sscanf(err_text, "fastvmix: %llu records", &records), 1);
	/* 13 before the stop; after it, two rings' worth and a pass more. */
	assert_true(records <= 13 + 2 * CPUS * CAPACITY);
	/* The stop's, two passes' and the end's flush. */
	assert_true(dev.refills <= 4);
	assert_released();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(command_traced_from_its_execve, setup),
		cmocka_unit_test_setup(text_output_and_options, setup),
		cmocka_unit_test_setup(accept_selects_socketcalls_accept, setup),
		cmocka_unit_test_setup(strace_options, setup),
		cmocka_unit_test_setup(summary_option, setup),
		cmocka_unit_test_setup(bad_option_values, setup),
		cmocka_unit_test_setup(attached_until_interrupted, setup),
		cmocka_unit_test_setup(start_refused, setup),
		cmocka_unit_test_setup(no_analyzer_loads_the_default, setup),
		cmocka_unit_test_setup(unknown_ring_version_refused, setup),
		cmocka_unit_test_setup(unknown_record_size_refused, setup),
		cmocka_unit_test_setup(impossible_geometry_refused, setup),
		cmocka_unit_test_setup(info_refused, setup),
		cmocka_unit_test_setup(second_mapping_fails, setup),
		cmocka_unit_test_setup(bad_usage_touches_nothing, setup),
		cmocka_unit_test_setup(no_such_process, setup),
		cmocka_unit_test_setup(unwritable_output, setup),
		cmocka_unit_test_setup(last_drain_ends_however_the_rings_fill, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
