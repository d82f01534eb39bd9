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
#include "fastvmix/trace_select.h"
#include "fastvmix/ring.h"
#include "fastvmix/syscall_args.h"
#include "fastvmix/syscall_compat.h"
#include "fastvmix/uring.h"

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

/* syscalls.c: system call names and argument counts, the -e filter. 32-bit
 * calls (FVX_RECORD_COMPAT) have the numbers and names of the i386 table
 * (syscall_compat.h). */
#define SYSCALL_COUNT 512 /* the filter's bitmap covers syscalls 0..511 */
#define SYSCALL_EVENTS_DIR "/sys/kernel/tracing/events/syscalls"
struct syscall_table {
	const char *events_dir; /* tracefs syscall events: argument counts */
	signed char argc[SYSCALL_COUNT]; /* count + 1; 0 until looked up */
};
void syscall_table_init(struct syscall_table *t, const char *events_dir);
/* The x86-64 name of nr (the table's own), or syscall_N written in buf:
 * not a copy, one per record. */
const char *syscall_name(uint64_t nr, char *buf, size_t size);
/* The number of a name, or -1 when unknown or beyond the filter. */
int syscall_number(const char *name);
/* The same for the i386 table. */
const char *syscall_compat_name(uint64_t nr, char *buf, size_t size);
int syscall_compat_number(const char *name);
/* The name of a record's call, 64-bit or 32-bit. */
const char *syscall_record_name(const struct fvx_trace_record *r, char *buf, size_t size);
/* How many arguments nr takes: 6 when the kernel does not say. */
int syscall_argc(struct syscall_table *t, uint64_t nr, const char *name);
/* Which calls -e trace= asks for: x86-64 numbers (also what the kernel is
 * asked to trace) and i386 numbers, selected by the same names. */
struct syscall_filter {
	uint64_t native[8];
	uint64_t compat[8];
};
/* Parses "trace=NAME[,NAME...]": system call names (of either table),
 * strace's classes (%file, %desc, %network or %net, %process, %signal,
 * %ipc, %memory: a 32-bit call is in the class of the x86-64 call of the
 * same name) and "all"; -1 with a message on stderr. */
int syscall_filter_parse(const char *spec, struct syscall_filter *f);
/* Whether the filter selects a record's call. */
bool syscall_filter_wants(const struct syscall_filter *f, const struct fvx_trace_record *r);

/* decode.c and syscall_args.h: what a system call's arguments and return
 * value mean, for the x86-64 calls described in syscall_args.h. Values
 * with names come from tables generated from the uapi headers
 * (scripts/gen-constants.sh). */
struct const_name {
	uint64_t value;
	const char *name;
};
/* Whether syscall nr is in one of `classes` (enum fvx_syscall_class). */
bool syscall_in_class(uint64_t nr, unsigned int classes);

/* What a call's string, buffer, argv and socket address arguments point
 * to, put together from its data records (trace.h); the records come from
 * the ring, so nothing in them is trusted: a piece that does not fit is
 * ignored, pieces that disagree spoil the value, a value lacking a piece
 * is not shown, nor one whose bytes do not follow its encoding. */
struct captured {
	uint8_t state; /* enum fvx_data_state; 0: nothing */
	bool spoilt; /* pieces that disagree, or no memory for them */
	uint16_t total;
	uint64_t pieces[2]; /* bit i: piece i arrived */
	/* The value's bytes: allocated with its first piece, zeroed, at least
	 * CAPTURED_MIN (a structure's decoder reads its size), owned by the
	 * call_data (call_data_free); a part's, the caller's. */
	uint8_t *bytes;
};
#define CAPTURED_MIN FVX_DATA_VALUE_MAX
_Static_assert(FVX_DATA_PIECES_MAX <= 128, "a value's pieces fit captured.pieces");
struct call_data {
	struct captured arg[6];
	/* The call's return, once it came: what is shown of an address the
	 * call fills depends on whether it failed, as in strace. */
	bool returned;
	int64_t ret;
};
/* Every record of a thread's call moves one along (staged, pending), and a
 * sample decides how many threads have one pending: its values' bytes are
 * allocated as they arrive, not carried inline (six paths of 4096 bytes
 * made the frontend twelve times slower per record). */
_Static_assert(sizeof(struct call_data) <= 256, "a call's values are allocated, not inline");
/* Takes a data record's piece; false when it is malformed (ignored). */
bool call_data_add(struct call_data *d, const struct fvx_trace_record *r);
/* Argument i's value when it arrived whole and consistent, else NULL. */
const struct captured *call_data_value(const struct call_data *d, int i);
/* The arguments `from` carries, over those in `to` (a return's data over
 * its entry's), moved: `from` keeps the rest, to be freed. */
void call_data_merge(struct call_data *to, struct call_data *from);
/* Frees what d holds, and empties it. A call_data is moved by copying it
 * and forgetting the source, never copied to be used twice. */
void call_data_free(struct call_data *d);

/* Strings print whole: a path's 4096 bytes, each up to 4 as an escape;
 * with the quotes, separators and "..." of an argv's strings (at least 2
 * bytes of its value each, 256 in all) or a socket address's field names,
 * less than 256 more. */
#define DECODE_ARG_MAX (4 * FVX_DATA_MAX + 256) /* bytes of one decoded argument, NUL included */
/* Argument v of type t as strace shows it (O_RDONLY|O_CLOEXEC, 0644, NULL);
 * strings and buffers as their address, NULL or hex. */
void decode_arg(enum fvx_arg_type t, uint64_t v, char *buf, size_t size);
/* bytes[0..len) as strace quotes them: "...", C escapes, octal for the
 * rest; `more`: followed by ... (truncated). */
void decode_quoted(const uint8_t *bytes, size_t len, bool more, char *buf, size_t size);
/* The x86-64 number whose declaration (syscall_args.h) and argument count
 * describe a record's call: its own, a 32-bit call's twin's, or
 * DECODE_NO_DECL (a 32-bit call without a twin: six raw arguments). */
#define DECODE_NO_DECL UINT64_MAX
uint64_t decode_decl_nr(const struct fvx_trace_record *r);
/* An entry record's arguments as shown, into text[]; returns how many.
 * argc is how many to show of a call syscall_args.h does not describe.
 * A 32-bit call's are decoded as its twin's, 32 bits wide.
 * Strings and buffers whose contents `data` has (it may be NULL) are
 * shown quoted, buffers up to string_limit bytes; argv and envp, socket
 * addresses and their lengths as strace shows them. */
int decode_args(const struct fvx_trace_record *entry, const struct call_data *data, int argc,
		int string_limit, char text[6][DECODE_ARG_MAX]);
/* Whether decode_args shows any argument of a call whose declaration is
 * decl_nr's (decode_decl_nr), argc as it gets: getpid's none. */
bool decode_shows_args(uint64_t decl_nr, int argc);
/* value in decimal, as printf's %lld, into buf of size bytes (cut to
 * fit): without printf's machinery, for every return value. */
void decode_int(int64_t value, char *buf, size_t size);
/* The first argument a call fills (shown once it returns, as strace
 * does), or 6; args, the call's arguments (NULL: not known), say it for a
 * call whose option says it (prctl's second, which PR_GET_NAME fills). */
int decode_first_out_arg(uint64_t nr, const __u64 *args);
/* One element of a captured iovec array (FVX_ARG_IOV, trace.h). */
struct iov_item {
	uint64_t base, len;
	bool readable, more; /* its bytes came; it holds more than those */
	const uint8_t *bytes;
	size_t shown;
};
/* The element at *at of value c, moving *at past it; false after the
 * last (or at a malformed one: what the kernel wrote is not trusted). */
bool decode_iov_item(const struct captured *c, size_t *at, struct iov_item *out);
/* What follows "= ": "3", "0x7f2a1000" (mmap), "-1 ENOENT (No such file or
 * directory)", "? ERESTARTSYS (To be restarted if SA_RESTART is set)". */
void decode_ret(uint64_t nr, int64_t value, char *buf, size_t size);
/* The same for a return record, 64-bit or 32-bit. */
void decode_record_ret(const struct fvx_trace_record *ret, char *buf, size_t size);
/* The errno of a failed call's return value, or 0. */
int decode_errno(int64_t value);
/* How a thread ended (a wait(2) status, trace.h FVX_TASK_EXIT) as strace's
 * "+++ ... +++" line says it: "exited with 0", "killed by SIGKILL",
 * "killed by SIGSEGV (core dumped)". */
void decode_exit(uint64_t status, char *buf, size_t size);
/* A sigset_t's 64 signals as strace shows them: "[CHLD RT_5]", or
 * "~[KILL STOP]" when more than half are in it. */
void decode_sigset(uint64_t set, char *buf, size_t size);
/* Signal sig as a member of a sigset ("CHLD", "RT_5"). */
void decode_set_member(unsigned int sig, char *buf, size_t size);
/* A sigaction's flags ("SA_RESTORER|SA_RESTART", "0"). */
void decode_sa_flags(uint64_t flags, char *buf, size_t size);
/* "SIG_DFL", "SIG_IGN", or NULL for a handler's address. */
const char *decode_sig_handler(uint64_t handler);
/* Of a captured time structure of `units` struct timespec or timeval
 * (fvx_time_units) of a 64-bit call (wide) or a 32-bit one: the i-th's
 * seconds and nanoseconds or microseconds; false when c has not that
 * call's size of it. */
bool decode_time(const struct captured *c, int units, int i, bool wide, int64_t *sec,
		 int64_t *frac);
/* A signal record (trace.h FVX_TASK_SIGNAL) as strace's "--- ... ---" line
 * shows it: "SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=1, si_uid=0}". */
void decode_signal(const struct fvx_trace_record *r, char *buf, size_t size);
/* "stopped by SIGSTOP": the group stop a signal record with
 * FVX_SIGNAL_STOPS begins. */
void decode_stop(const struct fvx_trace_record *r, char *buf, size_t size);
/* An io_uring opcode's name ("IORING_OP_OPENAT"), or its number. */
void decode_uring_op(uint32_t op, char *buf, size_t size);
/* An io_uring operation without a twin call (its record's args are the
 * entry's words, uring.h): "{flags=0, fd=3, off=0, addr=0x..., ...}". */
void decode_uring_raw(const struct fvx_trace_record *r, char *buf, size_t size);

/* clock.c: the records' TSC as time of day and durations */
struct tsc_clock {
	uint64_t tsc0; /* a TSC reading... */
	int64_t ns0; /* ...and CLOCK_REALTIME then, in ns since the epoch */
	double ns_per_tick; /* 0: no conversion */
};
/* Measures the TSC's rate against CLOCK_REALTIME (sleeps 20 ms); false
 * when the TSC does not advance. */
bool tsc_clock_calibrate(struct tsc_clock *c);
/* The conversion two simultaneous readings a and b make. */
bool tsc_clock_set(struct tsc_clock *c, uint64_t tsc_a, int64_t ns_a, uint64_t tsc_b, int64_t ns_b);
bool tsc_clock_valid(const struct tsc_clock *c);
/* CLOCK_REALTIME, in ns since the epoch, when the TSC read tsc. */
int64_t tsc_clock_ns(const struct tsc_clock *c, uint64_t tsc);
/* How long `ticks` of the TSC are, in ns. */
int64_t tsc_clock_ticks_ns(const struct tsc_clock *c, uint64_t ticks);

/* summary.c: -c, calls, errors and time per system call */
struct summary_entry {
	uint64_t calls, errors;
	int64_t ns; /* in calls whose entry and return were both seen */
};
struct summary {
	struct summary_entry by_nr[SYSCALL_COUNT]; /* numbers beyond are not traced */
	struct summary_entry compat[SYSCALL_COUNT]; /* 32-bit calls, by i386 number */
};
/* Counts the call of record r (its entry, or its return when the entry was
 * not seen). */
void summary_add(struct summary *s, const struct fvx_trace_record *r, bool failed, int64_t ns);
/* strace's table, the calls that took longest first; then, when there were
 * 32-bit calls, "System call usage summary for 32 bit mode:" and theirs. */
void summary_print(const struct summary *s, FILE *out);

/* output.c: entry and return records paired per thread into calls, printed
 * strace-like or as JSON Lines; the summary line */
enum output_status { /* -e status=: which calls are shown */
		     STATUS_SUCCESSFUL = 1 << 0,
		     STATUS_FAILED = 1 << 1, /* returned an error */
		     STATUS_UNFINISHED = 1 << 2, /* did not return (= ?) */
		     STATUS_ALL = 7,
};
struct output_options {
	bool json;
	int timestamps; /* 1: -t, 2: -tt, 3: -ttt */
	bool durations; /* -T */
	bool summary; /* -c: the table at the end instead of the calls */
	unsigned int status; /* enum output_status */
	int string_limit; /* -s: bytes of a buffer shown */
	struct tsc_clock clock; /* for timestamps and durations */
};
/* A call waiting for its return: its entry and what its data records
 * brought. */
struct call {
	struct fvx_trace_record entry;
	struct call_data data;
	/* The arguments its line shows at its entry: those before the first
	 * one the call fills, or before a string its entry could not read
	 * (the analyzer reads that again at the return, trace_capture.h). */
	int split;
	uint64_t seq; /* the order calls began in */
};
struct thread_mode {
	uint32_t pid;
	bool compat;
};
/* Where each thread's entry is in an array (pid_index.c): a sample decides
 * how many threads there are, so no lookup scans them all. */
struct pid_slot {
	uint32_t pid;
	bool used;
	size_t at;
};
struct pid_index {
	struct pid_slot *slots;
	size_t cap, count; /* cap: a power of two (2^bits), at least twice count */
	unsigned int bits;
	uint64_t mult; /* the hash's odd multiplier, random */
};
/* Whether pid has an entry, and where. */
bool pid_index_find(const struct pid_index *x, uint32_t pid, size_t *at);
/* pid's entry is at `at` now; false when there is no memory for it. */
bool pid_index_set(struct pid_index *x, uint32_t pid, size_t at);
void pid_index_remove(struct pid_index *x, uint32_t pid);
void pid_index_free(struct pid_index *x);
/* Data records wait for the record they precede (trace.h), per thread. */
#define OUTPUT_STAGED_MAX 16
/* Signal records waiting for their thread's call to end, at most. */
#define OUTPUT_SIGNALS_MAX 256
struct staged {
	uint32_t pid;
	uint32_t owner_flags; /* FVX_RECORD_RETURN and FVX_RECORD_COMPAT of the owner */
	uint64_t nr;
	struct call_data data;
};
struct output {
	FILE *out;
	struct output_options opt;
	struct syscall_table syscalls;
	struct summary *summary; /* -c */
	struct call *pending; /* entries waiting for their return */
	size_t pending_count, pending_max;
	uint64_t pending_seq;
	struct pid_index pending_at; /* each pending call's thread */
	struct staged *staged; /* OUTPUT_STAGED_MAX, once a data record came */
	size_t staged_count;
	bool line_open; /* text: a call's line waits for its return */
	uint32_t open_pid; /* whose */
	struct thread_mode *threads; /* whether each thread's calls are 32-bit */
	size_t thread_count, thread_max;
	struct pid_index thread_at;
	bool last_compat; /* the last call seen: a new thread's, until it calls */
	struct fvx_trace_record *signals; /* signals whose thread is in a call, till it ends */
	size_t signal_count, signal_max;
	uint64_t unfollowed; /* children the analyzer could not follow by fork */
	size_t line_len; /* text in line, not yet written to out */
	char line[8192];
	/* The last line's "[pid N] ", kept for the next of the same thread. */
	uint32_t prefix_pid;
	size_t prefix_len; /* 0: none yet */
	char prefix[24];
};
void output_init(struct output *o, FILE *out, bool json, const char *events_dir);
/* Options beyond --json; false when out of memory (-c's table). */
bool output_set_options(struct output *o, const struct output_options *opt);
/* Takes the records of the trace in order: entries, returns, data and
 * task records (a thread's end, a signal). */
void output_record(struct output *o, const struct fvx_trace_record *r);
/* What output_record has printed, out to the stream now. */
void output_flush(struct output *o);
/* The trace is over: calls still waiting end as not returned (= ?); with
 * -c the table goes to `table`. */
void output_finish(struct output *o, FILE *table);
/* errno e's name from the kernel's headers (ENOENT), or ERRNO_e in buf. */
const char *output_errno_name(int e, char *buf, size_t size);
void output_summary(FILE *err, uint64_t records, uint64_t dropped);
struct json_object;
/* Adds v under key; on failure drops v. A NULL v is JSON null. */
int cli_json_put(struct json_object *o, const char *key, struct json_object *v);

/* drain.c: the rings into batches of records in time order */
struct drain {
	void *rings;
	__u64 ring_bytes;
	unsigned int cpu_count;
	struct fvx_ring_consumer *consumer;
	struct fvx_trace_record *batch;
	struct fvx_trace_record *merged; /* batch_max records, for merging CPUs' runs */
	size_t batch_max;
	__u64 lost; /* skipped by fvx_ring_pop (head and tail too far apart) */
	/* Each CPU's records are numbered from 1 without a gap (drops are
	 * counted, not numbered): the next one expected, 0 before the first,
	 * and the records missing from that numbering (a damaged ring). */
	__u64 next_seq[FVX_WIN_MAX_CPUS];
	__u64 unnumbered;
	char problem[256]; /* why drain_batch failed */
};
int drain_init(struct drain *d, const struct device_rings *r, size_t batch_max);
void drain_free(struct drain *d);
/* Why CPU cpu's ring cannot be read (into buf), or NULL when it can. */
const char *drain_ring_problem(const struct drain *d, unsigned int cpu, char *buf, size_t size);
/* Takes up to batch_max finished records into d->batch, sorted by TSC, and
 * returns how many; -1 (reason in d->problem) when a ring is unreadable. */
int64_t drain_batch(struct drain *d);
/* The most records the rings hold at once: a ring per CPU, as the geometry
 * lays them out (whatever their headers say). */
uint64_t drain_capacity(const struct drain *d);
/* Records lost so far: the rings' own drop counters plus what was skipped. */
uint64_t drain_dropped(const struct drain *d);
/* Records missing from the CPUs' numbering so far, not counted as dropped
 * by anyone: 0 unless the rings were damaged. */
uint64_t drain_missing(const struct drain *d);

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
/* The attack counters, summed over every CPU: fastvmix trace reads them
 * before and after, and says what changed. */
#define STATUS_ATTACK_KINDS 17
struct status_attacks {
	uint64_t count[STATUS_ATTACK_KINDS];
};
/* 0, or -1 when the hypervisor's status cannot be read (quietly). */
int status_attacks(struct status_attacks *a);
/* One line on out, when any count but Linux's own text_pokes grew. */
void status_attacks_report(FILE *out, const struct status_attacks *before,
			   const struct status_attacks *after);

/* Reads MSR `msr` of CPU `cpu` through /dev/cpu/N/msr (Linux msr driver). */
bool cli_rdmsr(int cpu, uint32_t msr, uint64_t *value);
/* Number of CPUs that have an msr device node; 0 when the driver is absent. */
int cli_msr_cpus(void);

#endif
