/* The fastvmix command: one file per subcommand, listed in main.c, and the
 * files fastvmix trace is made of (device, launch, drain, output, syscalls). */
#ifndef FVX_CLI_H
#define FVX_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "fastvmix/ioctl.h"
#include "fastvmix/trace.h"
#include "fastvmix/ring.h"

struct cli_command {
	const char *name;
	const char *usage;
	const char *help;
	int (*run)(int argc, char **argv);
};

/* Whether a subcommand's argument asks for its help: --help or -h. */
static inline bool cli_wants_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

int cmd_doctor(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_analyzer(int argc, char **argv);

/* device.c: the /dev/fastvmix client */
#define FVX_CONSUMER_BYTES 4096 /* the page of consumer tails */
struct device_rings {
	struct fvx_geometry geometry;
	void *rings; /* read-only: cpu_count rings of ring_bytes (ring.h) */
	size_t rings_bytes;
	struct fvx_ring_consumer *consumer; /* FVX_CONSUMER_BYTES, read-write */
};
int device_open(void);
int device_load_analyzer(int fd, const char *path);
/* Asks for the geometry and maps the rings; refuses a geometry it cannot read. */
int device_map(int fd, struct device_rings *r);
void device_unmap(struct device_rings *r);

/* syscalls.c: system call names and argument counts, the -e filter */
#define SYSCALL_COUNT 512 /* the filter's bitmap covers syscalls 0..511 */
#define SYSCALL_EVENTS_DIR "/sys/kernel/tracing/events/syscalls"
struct syscall_table {
	const char *events_dir; /* tracefs syscall events: argument counts */
	signed char argc[SYSCALL_COUNT]; /* count + 1; 0 until looked up */
};
void syscall_table_init(struct syscall_table *t, const char *events_dir);
/* The x86-64 name of nr, or syscall_N, in buf. */
const char *syscall_name(uint64_t nr, char *buf, size_t size);
/* The number of a name, or -1 when unknown or beyond the filter. */
int syscall_number(const char *name);
/* How many arguments nr takes: 6 when the kernel does not say. */
int syscall_argc(struct syscall_table *t, uint64_t nr, const char *name);
/* Parses "trace=NAME[,NAME...]" into a bitmap; -1 with a message on stderr. */
int syscall_filter_parse(const char *spec, uint64_t syscalls[8]);

/* output.c: entry and return records paired per thread into calls, printed
 * strace-like or as JSON Lines; the summary line */
struct output {
	FILE *out;
	bool json;
	struct syscall_table syscalls;
	struct fvx_trace_record *pending; /* entries waiting for their return */
	size_t pending_count, pending_max;
	bool line_open; /* text: a call's line waits for its return */
	uint32_t open_pid; /* whose */
};
void output_init(struct output *o, FILE *out, bool json, const char *events_dir);
/* Takes the records of the trace in order, entries and returns. */
void output_record(struct output *o, const struct fvx_trace_record *r);
/* The trace is over: calls still waiting end as not returned (= ?). */
void output_finish(struct output *o);
/* errno e's name from the kernel's headers (ENOENT), or ERRNO_e in buf. */
const char *output_errno_name(int e, char *buf, size_t size);
void output_summary(FILE *err, uint64_t records, uint64_t dropped);

/* drain.c: the rings into batches of records in time order */
struct drain {
	void *rings;
	__u64 ring_bytes;
	unsigned int cpu_count;
	struct fvx_ring_consumer *consumer;
	struct fvx_trace_record *batch;
	size_t batch_max;
	__u64 lost; /* skipped by fvx_ring_pop (head and tail too far apart) */
	char problem[256]; /* why drain_batch failed */
};
int drain_init(struct drain *d, const struct device_rings *r, size_t batch_max);
void drain_free(struct drain *d);
/* Why CPU cpu's ring cannot be read (into buf), or NULL when it can. */
const char *drain_ring_problem(const struct drain *d, unsigned int cpu, char *buf, size_t size);
/* Takes up to batch_max finished records into d->batch, sorted by TSC, and
 * returns how many; -1 (reason in d->problem) when a ring is unreadable. */
int64_t drain_batch(struct drain *d);
/* Records lost so far: the rings' own drop counters plus what was skipped. */
uint64_t drain_dropped(const struct drain *d);

/* launch.c: the traced process, started here (-- CMD) or followed (-p) */
struct launch {
	pid_t pid; /* the traced tgid */
	pid_t child; /* 0 when following an existing process */
	int go; /* write end of the pipe the child waits on, or -1 */
	int execve_nr;
	bool exec_seen;
	bool exited;
	int status; /* of the child, once exited */
};
int launch_attach(struct launch *l, pid_t pid);
int launch_command(struct launch *l, char **command);
pid_t launch_target(const struct launch *l);
/* Lets the child exec (once tracing is on). */
void launch_go(struct launch *l);
/* Kills the child, if any, and reaps it. */
void launch_abort(struct launch *l);
/* Whether the traced process is gone (the child is reaped). */
bool launch_done(struct launch *l);
/* Whether a record is the sample's: a started command's begin at its execve. */
bool launch_wants(struct launch *l, const struct fvx_trace_record *r);
/* fastvmix trace's exit status: the child's, 128 + signal, or 0. */
int launch_exit_code(const struct launch *l);

/* status.c: one CPU's answer to the status query */
#define STATUS_JSON_VERSION 1 /* of `fastvmix status --json` */
struct status_cpu {
	int error; /* errno of the query, 0 when status holds the counters */
	struct fvx_cpu_status status;
};
/* The report for hv (CPU 0's answer) and cpus[0..hv->cpu_count - 1]. */
int status_print(FILE *out, bool json, const struct fvx_cpu_status *hv,
		 const struct status_cpu *cpus);

/* Reads MSR `msr` of CPU `cpu` through /dev/cpu/N/msr (Linux msr driver). */
bool cli_rdmsr(int cpu, uint32_t msr, uint64_t *value);
/* Number of CPUs that have an msr device node; 0 when the driver is absent. */
int cli_msr_cpus(void);

#endif
