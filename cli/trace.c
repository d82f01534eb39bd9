/* fastvmix trace: start a command (or follow a pid), trace its system calls
 * through the exit-less path, and print them strace-like or as JSON Lines.
 * Syscall names come from libseccomp, argument counts from the guest
 * kernel's own syscall trace events in tracefs when mounted. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_ANALYZER "/lib/fastvmix/syscall.fvxa"

struct options {
	bool follow, json;
	/* Launching a command: its records start at its execve (the fork
	 * child's own calls before that are the tracer's, not the sample's). */
	int child;
	int execve_nr;
	bool exec_seen;
	int pid;
	uint32_t mode;
	const char *output, *analyzer, *filter;
	char **command;
};

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static const char *syscall_name(uint64_t nr, char *buf, size_t size)
{
	char *name = nr < 512 ? seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)nr) : NULL;

	if (name) {
		snprintf(buf, size, "%s", name);
		free(name);
	} else {
		snprintf(buf, size, "syscall_%" PRIu64, nr);
	}
	return buf;
}

/* Arguments of a syscall, from /sys/kernel/tracing/events/syscalls. */
static int syscall_argc(uint64_t nr, const char *name)
{
	static signed char cache[512];
	char path[256], line[256];
	int n = 0, after_nr = 0;
	FILE *f;

	if (nr >= 512)
		return 6;
	if (cache[nr])
		return cache[nr] - 1;
	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/syscalls/sys_enter_%s/format",
		 name);
	f = fopen(path, "r");
	if (!f) {
		cache[nr] = 7;
		return 6;
	}
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "__syscall_nr"))
			after_nr = 1;
		else if (after_nr && strstr(line, "field:"))
			n++;
	}
	fclose(f);
	cache[nr] = (signed char)(n + 1);
	return n;
}

static void print_record(FILE *out, const struct fvx_trace_record *r, const struct options *o)
{
	char name[64];
	int i, argc;

	syscall_name(r->nr, name, sizeof(name));
	if (o->json) {
		fprintf(out,
			"{\"seq\":%" PRIu64 ",\"tsc\":%" PRIu64
			",\"cpu\":%u,\"pid\":%u,\"tgid\":%u,"
			"\"nr\":%" PRIu64 ",\"name\":\"%s\",\"args\":[",
			(uint64_t)r->seq, (uint64_t)r->tsc, r->cpu, r->pid, r->tgid,
			(uint64_t)r->nr, name);
		for (i = 0; i < 6; i++)
			fprintf(out, "%s\"%#" PRIx64 "\"", i ? "," : "", (uint64_t)r->args[i]);
		fprintf(out, "],\"exit_mode\":%s}\n",
			r->flags & FVX_RECORD_EXIT_MODE ? "true" : "false");
		return;
	}
	argc = syscall_argc(r->nr, name);
	fprintf(out, "[pid %5u] %s(", r->pid, name);
	for (i = 0; i < argc && i < 6; i++) {
		uint64_t a = r->args[i];

		if (a < 4096)
			fprintf(out, "%s%" PRIu64, i ? ", " : "", a);
		else
			fprintf(out, "%s%#" PRIx64, i ? ", " : "", a);
	}
	fprintf(out, ")\n");
}

static int by_tsc(const void *a, const void *b)
{
	const struct fvx_trace_record *x = a, *y = b;

	return x->tsc < y->tsc ? -1 : x->tsc > y->tsc;
}

/* Why CPU cpu's ring cannot be read, or NULL when it can (ring.h). */
static const char *ring_problem(const struct device_rings *r, unsigned int cpu, char *buf,
				size_t size)
{
	const struct fvx_ring_header *h = fvx_ring_at(r->rings, r->geometry.ring_bytes, cpu);

	if (fvx_ring_valid(h, r->geometry.ring_bytes))
		return NULL;
	if (h->version != FVX_RING_VERSION)
		snprintf(buf, size,
			 "cpu %u's ring is version %u, this fastvmix reads version %u: "
			 "fastvmix and the hypervisor are from different versions",
			 cpu, h->version, FVX_RING_VERSION);
	else if (h->record_size != sizeof(struct fvx_trace_record))
		snprintf(buf, size,
			 "cpu %u's ring holds %u-byte records, this fastvmix reads %zu-byte "
			 "records: fastvmix and the hypervisor are from different versions",
			 cpu, h->record_size, sizeof(struct fvx_trace_record));
	else
		snprintf(buf, size, "cpu %u's ring header is corrupt (capacity %llu in %llu bytes)",
			 cpu, (unsigned long long)h->capacity,
			 (unsigned long long)r->geometry.ring_bytes);
	return buf;
}

/* Takes every finished record off every ring, prints them in time order.
 * Returns the number taken, or -1 when a ring is not readable. */
static int64_t drain(struct device_rings *r, FILE *out, struct options *o,
		     struct fvx_trace_record *batch, size_t batch_max, __u64 *lost)
{
	char why[256];
	size_t n = 0, i;
	unsigned int cpu;

	for (cpu = 0; cpu < r->geometry.cpu_count; cpu++) {
		const struct fvx_ring_header *h =
			fvx_ring_at(r->rings, r->geometry.ring_bytes, cpu);
		__u64 tail = r->consumer[cpu].tail;

		/* Checked on every pass: the header is not ours. */
		if (ring_problem(r, cpu, why, sizeof(why))) {
			fprintf(stderr, "fastvmix trace: %s\n", why);
			return -1;
		}
		n += fvx_ring_pop(h, &tail, batch + n, batch_max - n, lost);
		__atomic_store_n(&r->consumer[cpu].tail, tail, __ATOMIC_RELEASE);
	}
	qsort(batch, n, sizeof(*batch), by_tsc);
	for (i = 0; i < n; i++) {
		if (o->child && !o->exec_seen) {
			if (batch[i].tgid == (uint32_t)o->child &&
			    batch[i].nr == (uint64_t)o->execve_nr)
				o->exec_seen = true;
			else
				continue;
		}
		print_record(out, &batch[i], o);
	}
	return n;
}

static int parse_filter(const char *spec, uint64_t syscalls[8])
{
	char *copy, *name, *save;
	int nr;

	memset(syscalls, 0, 8 * sizeof(uint64_t));
	if (strncmp(spec, "trace=", 6)) {
		fprintf(stderr, "fastvmix trace: -e takes trace=NAME[,NAME...]\n");
		return -1;
	}
	copy = strdup(spec + 6);
	for (name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);
		if (nr < 0 || nr >= 512) {
			fprintf(stderr, "fastvmix trace: unknown system call '%s'\n", name);
			free(copy);
			return -1;
		}
		syscalls[nr / 64] |= 1ULL << (nr % 64);
	}
	free(copy);
	return 0;
}

static int parse(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = { { "json", no_argument, 0, 'j' },
					       { "mode", required_argument, 0, 'm' },
					       { "analyzer", required_argument, 0, 'a' },
					       { 0, 0, 0, 0 } };
	int c;

	*o = (struct options){ .mode = FVX_MODE_FAST };
	while ((c = getopt_long(argc, argv, "+fp:e:o:", longs, NULL)) != -1) {
		switch (c) {
		case 'f': o->follow = true; break;
		case 'p': o->pid = atoi(optarg); break;
		case 'e': o->filter = optarg; break;
		case 'o': o->output = optarg; break;
		case 'j': o->json = true; break;
		case 'a': o->analyzer = optarg; break;
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

static int start(int fd, const struct options *o, int target, uint64_t syscalls[8])
{
	struct fvx_trace_request req = { .version = FVX_TRACE_REQUEST_VERSION,
					 .mode = o->mode,
					 .filter = { .target_tgid = target,
						     .follow_children = o->follow } };

	memcpy(req.filter.syscalls, syscalls, sizeof(req.filter.syscalls));
	if (ioctl(fd, FVX_IOC_TRACE_START, &req) == 0)
		return 0;
	if (errno == ENOENT && !o->analyzer && device_load_analyzer(fd, DEFAULT_ANALYZER) == 0 &&
	    ioctl(fd, FVX_IOC_TRACE_START, &req) == 0)
		return 0;
	fprintf(stderr, "fastvmix trace: cannot start tracing: %s\n", strerror(errno));
	return -1;
}

int cmd_trace(int argc, char **argv)
{
	struct options o;
	struct device_rings rings;
	struct fvx_trace_record *batch;
	uint64_t syscalls[8], records = 0, dropped = 0;
	__u64 lost = 0; /* skipped by fvx_ring_pop: counted as dropped */
	int64_t n;
	int fd, go[2], status = 0, target, rc = 1;
	unsigned int cpu;
	pid_t child = 0;
	FILE *out = stdout;

	if (parse(argc, argv, &o) != 0) {
		fprintf(stderr, "usage: fastvmix trace [-f] [-e trace=NAMES] [-o FILE] [--json] "
				"[--mode fast|exit] [--analyzer FILE] (-p PID | -- CMD [ARGS])\n");
		return 2;
	}
	memset(syscalls, 0xff, sizeof(syscalls));
	if (o.filter && parse_filter(o.filter, syscalls) != 0)
		return 2;
	if (o.pid && kill(o.pid, 0) != 0) {
		fprintf(stderr, "fastvmix trace: no process %d: %s\n", o.pid, strerror(errno));
		return 1;
	}
	if (o.output && !(out = fopen(o.output, "we"))) {
		fprintf(stderr, "fastvmix trace: %s: %s\n", o.output, strerror(errno));
		return 1;
	}
	fd = device_open();
	if (fd < 0)
		return 1;
	if ((o.analyzer && device_load_analyzer(fd, o.analyzer) != 0) ||
	    device_map(fd, &rings) != 0)
		goto out;
	batch = malloc(sizeof(*batch) * 65536);
	target = o.pid;
	if (!o.pid) {
		/* The child waits until tracing is on, so its first instruction
		 * after exec is traced. */
		if (pipe2(go, O_CLOEXEC) != 0 || (child = fork()) < 0)
			goto out;
		if (child == 0) {
			char c;

			close(go[1]);
			if (read(go[0], &c, 1) != 1)
				_exit(126);
			execvp(o.command[0], o.command);
			fprintf(stderr, "fastvmix trace: %s: %s\n", o.command[0], strerror(errno));
			_exit(127);
		}
		close(go[0]);
		target = child;
		o.child = child;
		o.execve_nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, "execve");
	}
	if (start(fd, &o, target, syscalls) != 0) {
		if (child)
			kill(child, SIGKILL);
		goto out;
	}
	signal(SIGINT, on_interrupt);
	if (child && write(go[1], "g", 1) != 1)
		kill(child, SIGKILL);
	for (;;) {
		n = drain(&rings, out, &o, batch, 65536, &lost);
		if (n < 0)
			break;
		records += n;
		if (interrupted)
			break;
		if (child && waitpid(child, &status, WNOHANG) == child)
			break;
		if (o.pid && kill(o.pid, 0) != 0)
			break;
		usleep(2000);
	}
	ioctl(fd, FVX_IOC_TRACE_STOP);
	if (n < 0 || (n = drain(&rings, out, &o, batch, 65536, &lost)) < 0) {
		if (child)
			kill(child, SIGKILL);
		goto out;
	}
	records += n;
	for (cpu = 0; cpu < rings.geometry.cpu_count; cpu++)
		dropped += fvx_ring_at(rings.rings, rings.geometry.ring_bytes, cpu)->dropped;
	dropped += lost;
	fflush(out);
	fprintf(stderr, "fastvmix: %" PRIu64 " records, %" PRIu64 " dropped\n", records, dropped);
	rc = child ? (WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) : 0;
out:
	close(fd);
	if (out != stdout)
		fclose(out);
	return rc;
}
