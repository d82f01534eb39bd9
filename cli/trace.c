/* fastvmix trace: start a command (or follow a pid), trace its system calls
 * and their returns through the exit-less path, and print them strace-like
 * or as JSON Lines.
 * The options and the main loop; launching (launch.c), draining the rings
 * (drain.c), printing (output.c) and syscall names (syscalls.c) are apart. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_ANALYZER "/lib/fastvmix/syscall.fvxa"
#define BATCH_RECORDS 65536 /* per drain pass; the rest waits for the next */
#define POLL_US 2000

struct options {
	bool follow, json, durations, summary, drop, hide_time;
	int pid, timestamps, string_limit;
	unsigned int status;
	uint32_t mode, seal, tsc_call_ticks;
	const char *output, *analyzer, *filter;
	char **command;
};

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

#define USAGE                                                                                      \
	"usage: fastvmix trace [-f] [-c] [-t[t[t]]] [-T] [-e trace=NAMES] [-e status=WHICH] "      \
	"[-s N] [-o FILE] [--json] [--mode fast|exit] [--analyzer FILE] [--drop] [--hide-time] "   \
	"[--seal "                                                                                 \
	"SECONDS] "                                                                                \
	"(-p PID | -- CMD [ARGS])\n"

static void help(void)
{
	printf(USAGE
	       "Traces the system calls of CMD, from its execve, or of the running process PID,\n"
	       "and prints them as strace does, arguments decoded (flags, modes, signals);\n"
	       "strings and structures show as their address.\n"
	       "  -f                 also trace the children they make (followed by fork,\n"
	       "                     wherever they go)\n"
	       "  -e trace=NAMES     only these system calls (comma-separated): names, all,\n"
	       "                     and strace's classes %%file, %%desc, %%network (%%net),\n"
	       "                     %%process, %%signal, %%ipc, %%memory, %%clock\n"
	       "  -e status=WHICH    only the calls that ended so (comma-separated):\n"
	       "                     successful, failed (returned an error), unfinished, all\n"
	       "  -t, -tt, -ttt      prefix each line with the time of day, with microseconds,\n"
	       "                     or in seconds since the epoch\n"
	       "  -T                 show the time spent in each call: <seconds>\n"
	       "  -c                 no calls: a table of calls, errors and time per system\n"
	       "                     call at the end (to FILE with -o, else to stderr)\n"
	       "  -s N               print at most N bytes of a string (taken now, used once\n"
	       "                     string contents are captured)\n"
	       "  -o FILE            write the trace to FILE instead of stdout\n"
	       "  --json             JSON Lines: one object per system call, with its return,\n"
	       "                     and per thread's end and signal\n"
	       "  --mode fast|exit   fast: no VM exit per call (default); exit: the hypervisor\n"
	       "                     writes every record\n"
	       "  --analyzer FILE    load this analyzer first (default, when none is loaded:\n"
	       "                     %s)\n"
	       "  --drop             when a CPU's ring is full, drop records (counted) instead\n"
	       "                     of making the traced thread wait for this command\n"
	       "  --hide-time        take the analyzer's time (exit mode: the hypervisor's\n"
	       "                     recording), and the kernel's tracing work per call\n"
	       "                     (calibrated first), out of what the\n"
	       "                     traced processes read with RDTSC (costs a VM exit per\n"
	       "                     RDTSC of theirs and of the kernel's while they run)\n"
	       "  --seal SECONDS     a sealed trace: for SECONDS nobody, not even guest ring 0,\n"
	       "                     can stop it, change it or unload FastVMIX; the trace\n"
	       "                     lasts at least that long\n"
	       "Times come from the records' TSC, whose rate fastvmix measures against the\n"
	       "clock for 20 ms when it starts; durations (-T, -c) are wall-clock time from a\n"
	       "call's entry to its return.\n"
	       "Each thread's end and each signal print as strace's \"+++\" and \"---\" lines.\n"
	       "Exits with CMD's status; prints \"fastvmix: N records, M dropped\" on stderr.\n",
	       DEFAULT_ANALYZER);
}

/* -e status=successful,failed,unfinished or all; 0 when unknown. */
static unsigned int parse_status(const char *list)
{
	static const struct {
		const char *name;
		unsigned int status;
	} names[] = { { "successful", STATUS_SUCCESSFUL },
		      { "failed", STATUS_FAILED },
		      { "unfinished", STATUS_UNFINISHED },
		      { "all", STATUS_ALL } };
	unsigned int status = 0;
	size_t i, len;

	while (*list) {
		len = strcspn(list, ",");
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (len == strlen(names[i].name) && !strncmp(list, names[i].name, len))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return 0;
		status |= names[i].status;
		list += len + (list[len] == ',');
	}
	return status;
}

/* A whole number in [min, max], or -1. */
static long parse_number(const char *s, long min, long max)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	return *end || v < min || v > max ? -1 : v;
}

enum { OPT_JSON = 256, OPT_MODE, OPT_ANALYZER, OPT_SEAL, OPT_DROP, OPT_HIDE_TIME };

/* 1 when --help was asked for, -1 on wrong usage. */
static int parse(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = { { "json", no_argument, 0, OPT_JSON },
					       { "mode", required_argument, 0, OPT_MODE },
					       { "analyzer", required_argument, 0, OPT_ANALYZER },
					       { "seal", required_argument, 0, OPT_SEAL },
					       { "drop", no_argument, 0, OPT_DROP },
					       { "hide-time", no_argument, 0, OPT_HIDE_TIME },
					       { "help", no_argument, 0, 'h' },
					       { 0, 0, 0, 0 } };
	long v;
	int c;

	*o = (struct options){ .mode = FVX_MODE_FAST, .string_limit = 32, .status = STATUS_ALL };
	while ((c = getopt_long(argc, argv, "+fp:e:o:s:tTch", longs, NULL)) != -1) {
		switch (c) {
		case 'h': return 1;
		case 'f': o->follow = true; break;
		case 'p': o->pid = atoi(optarg); break;
		case 'e':
			if (!strncmp(optarg, "status=", 7)) {
				o->status = parse_status(optarg + 7);
				if (!o->status) {
					fprintf(stderr,
						"fastvmix trace: -e status= takes successful, "
						"failed, unfinished or all\n");
					return -1;
				}
			} else {
				o->filter = optarg;
			}
			break;
		case 'o': o->output = optarg; break;
		case 't': o->timestamps++; break;
		case 'T': o->durations = true; break;
		case 'c': o->summary = true; break;
		case 's':
			v = parse_number(optarg, 0, 1 << 20);
			if (v < 0)
				return -1;
			o->string_limit = (int)v;
			break;
		case OPT_JSON: o->json = true; break;
		case OPT_DROP: o->drop = true; break;
		case OPT_HIDE_TIME: o->hide_time = true; break;
		case OPT_ANALYZER: o->analyzer = optarg; break;
		case OPT_SEAL:
			v = parse_number(optarg, 1, 86400);
			if (v < 0)
				return -1;
			o->seal = (uint32_t)v;
			break;
		case OPT_MODE:
			if (!strcmp(optarg, "fast"))
				o->mode = FVX_MODE_FAST;
			else if (!strcmp(optarg, "exit"))
				o->mode = FVX_MODE_EXIT;
			else
				return -1;
			break;
		default: return -1;
		}
	}
	o->command = argv + optind;
	if (o->pid < 0 || (o->pid && *o->command) || (!o->pid && !*o->command))
		return -1;
	return 0;
}

/* What the output shows beyond --json. Times need the TSC's rate: without
 * it they are when the records were read, and durations are not shown. */
static bool output_options(struct output *out, const struct options *o)
{
	struct output_options opt = { .json = o->json,
				      .timestamps = o->timestamps,
				      .durations = o->durations,
				      .summary = o->summary,
				      .status = o->status,
				      .string_limit = o->string_limit };

	if ((o->timestamps || o->durations || o->summary) && !tsc_clock_calibrate(&opt.clock))
		fprintf(stderr, "fastvmix trace: the TSC does not advance: times are when the "
				"records were read, durations are not known\n");
	if (output_set_options(out, &opt))
		return true;
	fprintf(stderr, "fastvmix trace: out of memory\n");
	return false;
}

/* Starts tracing; without --analyzer, loads the default analyzer when the
 * hypervisor has none (ENOENT). */
static int start(int fd, const struct options *o, pid_t target, const uint64_t syscalls[8])
{
	struct fvx_trace_request req = {
		.version = FVX_TRACE_REQUEST_VERSION,
		.mode = o->mode,
		.seal_seconds = o->seal,
		.flags = (o->drop ? FVX_TRACE_DROP : 0) | (o->hide_time ? FVX_TRACE_HIDE_TIME : 0),
		.string_limit = (__u32)o->string_limit,
		.filter = { .target_tgid = target, .follow_children = o->follow },
		.tsc_call_ticks = o->hide_time ? o->tsc_call_ticks : 0,
	};
	int err;

	memcpy(req.filter.syscalls, syscalls, sizeof(req.filter.syscalls));
	if (ioctl(fd, FVX_IOC_TRACE_START, &req) == 0)
		return 0;
	err = errno;
	if (err == ENOENT && !o->analyzer && device_load_analyzer(fd, DEFAULT_ANALYZER) == 0) {
		if (ioctl(fd, FVX_IOC_TRACE_START, &req) == 0)
			return 0;
		err = errno;
	}
	fprintf(stderr, "fastvmix trace: cannot start tracing: %s\n", strerror(err));
	return -1;
}

/* ---- --hide-time: what a traced call costs outside the analyzer view ---- */

#define CALIBRATE_ROUNDS 301
#define CALIBRATE_KEPT (CALIBRATE_ROUNDS * 9 / 10)

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* rdtsc; getpid; rdtsc, as a timing probe in a traced process would take
 * it: the mean of the fastest 90% (the rest met an interrupt). A mean, not
 * a median: where the clock moves in steps (Bochs with 2 vCPUs counts in
 * 5s), the median is a step off as often as not, and hiding a step too much
 * or too little per call shows in every traced call; the mean of many
 * readings lands between the steps, where the call's cost is. */
static uint64_t getpid_ticks(void)
{
	static uint64_t t[CALIBRATE_ROUNDS];
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < CALIBRATE_ROUNDS; i++) {
		uint64_t t0 = __builtin_ia32_rdtsc(), t1;
		long nr = SYS_getpid;

		__asm__ __volatile__("syscall" : "+a"(nr) : : "rcx", "r11", "memory");
		t1 = __builtin_ia32_rdtsc();
		t[i] = t1 - t0;
	}
	qsort(t, CALIBRATE_ROUNDS, sizeof(t[0]), compare_u64);
	for (i = 0; i < CALIBRATE_KEPT; i++)
		sum += t[i];
	return (sum + CALIBRATE_KEPT / 2) / CALIBRATE_KEPT;
}

/* Fast mode hides the analyzer's time (the trampoline measures it), exit
 * mode the hypervisor's recording (its exits'), but a traced call also
 * costs the kernel's tracing slow path and the agent's probes, outside
 * them: measured here, as the difference
 * between this process's getpid untraced and traced (this process alone,
 * getpid alone, its RDTSCs already answered without the analyzer's time),
 * and hidden with each traced call of the real trace. Every call costs
 * the same of it: one constant keeps ratios between calls as they are. */
/* The least of CALIBRATE_PASSES measures: what disturbs a pass (another
 * CPU's catching up, an interrupt storm) only ever adds. */
#define CALIBRATE_PASSES 3
static uint64_t least_getpid_ticks(void)
{
	uint64_t least = UINT64_MAX, t;
	unsigned int i;

	for (i = 0; i < CALIBRATE_PASSES; i++) {
		t = getpid_ticks();
		if (t < least)
			least = t;
	}
	return least;
}

static int calibrate(int fd, struct options *o)
{
	struct options c = *o;
	uint64_t syscalls[8] = { 0 }, native, traced;

	native = least_getpid_ticks();
	syscalls[SYS_getpid / 64] = 1ULL << (SYS_getpid % 64);
	c.follow = false;
	c.seal = 0;
	c.tsc_call_ticks = 0;
	if (start(fd, &c, getpid(), syscalls) != 0)
		return -1;
	traced = least_getpid_ticks();
	if (ioctl(fd, FVX_IOC_TRACE_STOP) != 0) {
		fprintf(stderr, "fastvmix trace: cannot stop the calibration: %s\n",
			strerror(errno));
		return -1;
	}
	o->tsc_call_ticks = traced <= native ? 0
			    : traced - native > FVX_TSC_CALL_TICKS_MAX
				    ? FVX_TSC_CALL_TICKS_MAX
				    : (uint32_t)(traced - native);
	fprintf(stderr,
		"fastvmix trace: --hide-time: %" PRIu32 " ticks per traced call hidden beyond the "
		"analyzer's own (getpid: %" PRIu64 " ticks untraced, %" PRIu64 " traced)\n",
		o->tsc_call_ticks, native, traced);
	return 0;
}

/* One drain pass: takes what the rings hold, up to a batch, and prints
 * what the user asked for. Returns the records of the system calls the
 * user selected and the task records (threads' ends and signals, shown
 * whatever -e trace= says, as strace shows them), or -1 when a ring is
 * unreadable; *drained: the records taken from the rings. */
static int64_t pass(struct drain *d, struct launch *l, struct output *out,
		    const struct syscall_filter *wanted, int64_t *drained)
{
	int64_t n = drain_batch(d), i, taken = 0;

	*drained = n;
	if (n < 0) {
		fprintf(stderr, "fastvmix trace: %s\n", d->problem);
		return -1;
	}
	for (i = 0; i < n; i++) {
		/* launch_wants sees every record (it waits for the execve). */
		bool visible = launch_wants(l, &d->batch[i]);

		if (!(d->batch[i].flags & FVX_RECORD_TASK) &&
		    !syscall_filter_wants(wanted, &d->batch[i]))
			continue;
		taken++;
		if (visible)
			output_record(out, &d->batch[i]);
	}
	if (taken)
		output_flush(out); /* a call's line shows while it runs */
	return taken;
}

/* The syscalls the hypervisor must report: what the user selected, and a
 * launched command's execve, which marks where the command starts. */
static void kernel_filter(const struct options *o, const struct syscall_filter *wanted,
			  uint64_t out[8])
{
	int execve_nr = syscall_number("execve"), twin;
	unsigned int nr;

	memcpy(out, wanted->native, 8 * sizeof(uint64_t));
	/* The analyzer selects a 32-bit call by its twin (syscall_compat.h):
	 * one asked for alone (socketcall's accept, as accept4) needs it. */
	for (nr = 0; nr < FVX_COMPAT_SYSCALLS; nr++)
		if ((wanted->compat[nr / 64] >> (nr % 64) & 1) &&
		    (twin = fvx_compat_twin(nr)) >= 0 && twin < 512)
			out[twin / 64] |= 1ULL << (twin % 64);
	if (!o->pid && execve_nr >= 0 && execve_nr < 512)
		out[execve_nr / 64] |= 1ULL << (execve_nr % 64);
}

/* Drains and prints until the command is done (or interrupted), stops the
 * trace (a sealed one only when its seal is over: drained meanwhile) and
 * drains what is left, batch after batch until the rings are empty (they
 * may hold several batches: the frontend was held up by its output, say),
 * or what they can hold is taken.
 * Adds the records taken to *records; -1 when a ring could not be read. */
static int follow(int fd, struct drain *d, struct launch *l, struct output *out,
		  const struct syscall_filter *wanted, uint64_t *records)
{
	int64_t n, drained;
	uint64_t left;

	for (;;) {
		n = pass(d, l, out, wanted, &drained);
		if (n < 0) {
			ioctl(fd, FVX_IOC_TRACE_STOP); /* unreadable rings: stop at once */
			return -1;
		}
		*records += n;
		if (interrupted || launch_done(l))
			break;
		usleep(POLL_US);
	}
	while (ioctl(fd, FVX_IOC_TRACE_STOP) != 0 && errno == EPERM) {
		n = pass(d, l, out, wanted, &drained);
		if (n < 0)
			return -1;
		*records += n;
		usleep(POLL_US * 50);
	}
	/* At most what the rings hold, a ring per CPU: records that go on
	 * coming now are not this trace's (the next trace's producers write
	 * the same rings) and would keep this loop going for ever. */
	left = drain_capacity(d);
	do {
		n = pass(d, l, out, wanted, &drained);
		if (n < 0)
			return -1;
		*records += n;
		left -= (uint64_t)drained < left ? (uint64_t)drained : left;
	} while (drained > 0 && left > 0);
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	struct options o;
	struct device_rings rings;
	struct drain drain;
	struct output output;
	struct launch launch;
	struct syscall_filter wanted;
	uint64_t syscalls[8], records = 0;
	struct status_attacks attacks[2];
	bool watched;
	int fd, rc = 1;
	FILE *out = stdout;

	switch (parse(argc, argv, &o)) {
	case 0: break;
	case 1: help(); return 0;
	default: fprintf(stderr, USAGE); return 2;
	}
	memset(&wanted, 0xff, sizeof(wanted));
	if (o.filter && syscall_filter_parse(o.filter, &wanted) != 0)
		return 2;
	kernel_filter(&o, &wanted, syscalls);
	if (o.pid && launch_attach(&launch, o.pid) != 0)
		return 1;
	if (o.output && !(out = fopen(o.output, "we"))) {
		fprintf(stderr, "fastvmix trace: %s: %s\n", o.output, strerror(errno));
		return 1;
	}
	output_init(&output, out, o.json, SYSCALL_EVENTS_DIR);
	if (!output_options(&output, &o))
		goto close_out;
	fd = device_open();
	if (fd < 0)
		goto close_out;
	if (o.analyzer && device_load_analyzer(fd, o.analyzer) != 0)
		goto close_fd;
	if (device_map(fd, &rings) != 0)
		goto close_fd;
	if (drain_init(&drain, &rings, BATCH_RECORDS) != 0)
		goto unmap;
	if (o.hide_time && calibrate(fd, &o) != 0)
		goto free_batch;
	if (!o.pid && launch_command(&launch, o.command) != 0)
		goto free_batch;
	if (start(fd, &o, launch_target(&launch), syscalls) != 0) {
		launch_abort(&launch);
		goto free_batch;
	}
	/* A traced task whose ring is full waits for this frontend (nothing
	 * lost: it makes its call again until the ring has room), so the
	 * frontend outranks it: on a shared CPU the waiting task would
	 * otherwise take half the time the drain it waits for needs. After
	 * the command was made, which keeps its own priority. */
	(void)setpriority(PRIO_PROCESS, 0, -20);
	watched = status_attacks(&attacks[0]) == 0;
	interrupted = 0;
	signal(SIGINT, on_interrupt);
	launch_go(&launch);
	if (follow(fd, &drain, &launch, &output, &wanted, &records) != 0) {
		launch_abort(&launch);
		goto free_batch;
	}
	output_finish(&output, o.output ? out : stderr);
	fflush(out);
	output_summary(stderr, records, drain_dropped(&drain));
	if (watched && status_attacks(&attacks[1]) == 0)
		status_attacks_report(stderr, &attacks[0], &attacks[1]);
	else
		fprintf(stderr, "fastvmix: the hypervisor's attack counters could not be read: "
				"what it refused or repaired while tracing is not known\n");
	if (drain_missing(&drain))
		fprintf(stderr,
			"fastvmix: %" PRIu64
			" records missing from the rings' numbering (damaged rings)\n",
			drain_missing(&drain));
	if (output.unfollowed)
		fprintf(stderr,
			"fastvmix: %" PRIu64
			" children could not be followed by fork (the analyzer's "
			"follow set was full): their processes were traced while their parent "
			"chain "
			"led to a traced one\n",
			output.unfollowed);
	rc = launch_exit_code(&launch);
free_batch:
	drain_free(&drain);
unmap:
	device_unmap(&rings);
close_fd:
	close(fd);
close_out:
	output_finish(&output, NULL); /* after a failure: what was begun, ended */
	if (out != stdout)
		fclose(out);
	return rc;
}
