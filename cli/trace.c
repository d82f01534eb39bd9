/* fastvmix trace: start a command (or follow a pid), trace its system calls
 * and their returns through the exit-less path, and print them strace-like
 * or as JSON Lines.
 * The options and the main loop; launching (launch.c), draining the rings
 * (drain.c), printing (output.c) and syscall names (syscalls.c) are apart. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_ANALYZER "/lib/fastvmix/syscall.fvxa"
#define BATCH_RECORDS 65536 /* per drain pass; the rest waits for the next */
#define POLL_US 2000

struct options {
	bool follow, json;
	int pid;
	uint32_t mode, seal;
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
	"usage: fastvmix trace [-f] [-e trace=NAMES] [-o FILE] [--json] [--mode fast|exit] "       \
	"[--analyzer FILE] [--seal SECONDS] (-p PID | -- CMD [ARGS])\n"

static void help(void)
{
	printf(USAGE
	       "Traces the system calls of CMD, from its execve, or of the running process PID.\n"
	       "  -f                 also trace their children\n"
	       "  -e trace=NAMES     only these system calls (comma-separated)\n"
	       "  -o FILE            write the trace to FILE instead of stdout\n"
	       "  --json             JSON Lines: one object per system call, with its return\n"
	       "  --mode fast|exit   fast: no VM exit per call (default); exit: the hypervisor\n"
	       "                     writes every record\n"
	       "  --analyzer FILE    load this analyzer first (default, when none is loaded:\n"
	       "                     %s)\n"
	       "  --seal SECONDS     a sealed trace: for SECONDS nobody, not even guest ring 0,\n"
	       "                     can stop it, change it or unload FastVMIX; the trace\n"
	       "                     lasts at least that long\n"
	       "Exits with CMD's status; prints \"fastvmix: N records, M dropped\" on stderr.\n",
	       DEFAULT_ANALYZER);
}

/* 1 when --help was asked for, -1 on wrong usage. */
static int parse(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "json", no_argument, 0, 'j' },	   { "mode", required_argument, 0, 'm' },
		{ "analyzer", required_argument, 0, 'a' }, { "seal", required_argument, 0, 's' },
		{ "help", no_argument, 0, 'h' },	   { 0, 0, 0, 0 }
	};
	int c;

	*o = (struct options){ .mode = FVX_MODE_FAST };
	while ((c = getopt_long(argc, argv, "+fp:e:o:h", longs, NULL)) != -1) {
		switch (c) {
		case 'h': return 1;
		case 'f': o->follow = true; break;
		case 'p': o->pid = atoi(optarg); break;
		case 'e': o->filter = optarg; break;
		case 'o': o->output = optarg; break;
		case 'j': o->json = true; break;
		case 'a': o->analyzer = optarg; break;
		case 's': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*optarg < '0' || *optarg > '9' || *end || v < 1 || v > 86400)
				return -1;
			o->seal = (uint32_t)v;
			break;
		}
		case 'm':
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

/* Starts tracing; without --analyzer, loads the default analyzer when the
 * hypervisor has none (ENOENT). */
static int start(int fd, const struct options *o, pid_t target, const uint64_t syscalls[8])
{
	struct fvx_trace_request req = { .version = FVX_TRACE_REQUEST_VERSION,
					 .mode = o->mode,
					 .seal_seconds = o->seal,
					 .filter = { .target_tgid = target,
						     .follow_children = o->follow } };
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

static bool selected(const uint64_t syscalls[8], uint64_t nr)
{
	return nr < 512 && (syscalls[nr / 64] >> (nr % 64)) & 1;
}

/* One drain pass: takes what the rings hold and prints what the user asked
 * for. Returns the records of the system calls the user selected, or -1
 * when a ring is unreadable. */
static int64_t pass(struct drain *d, struct launch *l, struct output *out, const uint64_t wanted[8])
{
	int64_t n = drain_batch(d), i, taken = 0;

	if (n < 0) {
		fprintf(stderr, "fastvmix trace: %s\n", d->problem);
		return -1;
	}
	for (i = 0; i < n; i++) {
		/* launch_wants sees every record (it waits for the execve). */
		bool visible = launch_wants(l, &d->batch[i]);

		if (!selected(wanted, d->batch[i].nr))
			continue;
		taken++;
		if (visible)
			output_record(out, &d->batch[i]);
	}
	if (taken)
		fflush(out->out); /* a call's line shows while it runs */
	return taken;
}

/* The syscalls the hypervisor must report: what the user selected, and a
 * launched command's execve, which marks where the command starts. */
static void kernel_filter(const struct options *o, const uint64_t wanted[8], uint64_t out[8])
{
	int execve_nr = syscall_number("execve");

	memcpy(out, wanted, 8 * sizeof(uint64_t));
	if (!o->pid && execve_nr >= 0 && execve_nr < 512)
		out[execve_nr / 64] |= 1ULL << (execve_nr % 64);
}

/* Drains and prints until the command is done (or interrupted), stops the
 * trace (a sealed one only when its seal is over: drained meanwhile) and
 * drains what is left. Adds the records taken to *records; -1 when a ring
 * could not be read. */
static int follow(int fd, struct drain *d, struct launch *l, struct output *out,
		  const uint64_t wanted[8], uint64_t *records)
{
	int64_t n;

	for (;;) {
		n = pass(d, l, out, wanted);
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
		n = pass(d, l, out, wanted);
		if (n < 0)
			return -1;
		*records += n;
		usleep(POLL_US * 50);
	}
	n = pass(d, l, out, wanted);
	if (n < 0)
		return -1;
	*records += n;
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	struct options o;
	struct device_rings rings;
	struct drain drain;
	struct output output;
	struct launch launch;
	uint64_t wanted[8], syscalls[8], records = 0;
	int fd, rc = 1;
	FILE *out = stdout;

	switch (parse(argc, argv, &o)) {
	case 0: break;
	case 1: help(); return 0;
	default: fprintf(stderr, USAGE); return 2;
	}
	memset(wanted, 0xff, sizeof(wanted));
	if (o.filter && syscall_filter_parse(o.filter, wanted) != 0)
		return 2;
	kernel_filter(&o, wanted, syscalls);
	if (o.pid && launch_attach(&launch, o.pid) != 0)
		return 1;
	if (o.output && !(out = fopen(o.output, "we"))) {
		fprintf(stderr, "fastvmix trace: %s: %s\n", o.output, strerror(errno));
		return 1;
	}
	output_init(&output, out, o.json, SYSCALL_EVENTS_DIR);
	fd = device_open();
	if (fd < 0)
		goto close_out;
	if (o.analyzer && device_load_analyzer(fd, o.analyzer) != 0)
		goto close_fd;
	if (device_map(fd, &rings) != 0)
		goto close_fd;
	if (drain_init(&drain, &rings, BATCH_RECORDS) != 0)
		goto unmap;
	if (!o.pid && launch_command(&launch, o.command) != 0)
		goto free_batch;
	if (start(fd, &o, launch_target(&launch), syscalls) != 0) {
		launch_abort(&launch);
		goto free_batch;
	}
	interrupted = 0;
	signal(SIGINT, on_interrupt);
	launch_go(&launch);
	if (follow(fd, &drain, &launch, &output, wanted, &records) != 0) {
		launch_abort(&launch);
		goto free_batch;
	}
	output_finish(&output);
	fflush(out);
	output_summary(stderr, records, drain_dropped(&drain));
	rc = launch_exit_code(&launch);
free_batch:
	drain_free(&drain);
unmap:
	device_unmap(&rings);
close_fd:
	close(fd);
close_out:
	output_finish(&output); /* after a failure: what was begun, ended */
	if (out != stdout)
		fclose(out);
	return rc;
}
