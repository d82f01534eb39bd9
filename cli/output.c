/* fastvmix trace's output: system calls as strace prints them, or as JSON
 * Lines, and the summary line on stderr. An entry record and the return
 * record of the same thread (pid) make one call:
 *     [pid N] name(args) = ret
 * When another thread's record comes in between, the call's line ends
 * "name(args <unfinished ...>" and its return is printed later as
 * "<... name resumed>) = ret", as strace does; so is a return whose entry
 * was not seen (the trace began during the call). exit and exit_group do
 * not return ("= ?"), nor does a call still running when the trace ends.
 * Arguments and return values are decoded (decode.c); -t/-tt/-ttt and -T
 * times come from the records' TSC (clock.c). With -e status= a line waits
 * for its return, to be judged; with -c no call is printed, only the table
 * at the end (summary.c). JSON Lines have one object per call, when it is
 * complete. Scenario scripts read these formats: change them only
 * together. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "cli.h"

void output_init(struct output *o, FILE *out, bool json, const char *events_dir)
{
	*o = (struct output){ .out = out, .opt = { .json = json, .status = STATUS_ALL } };
	syscall_table_init(&o->syscalls, events_dir);
}

bool output_set_options(struct output *o, const struct output_options *opt)
{
	o->opt = *opt;
	if (!o->opt.status)
		o->opt.status = STATUS_ALL;
	if (opt->summary && !o->summary)
		o->summary = calloc(1, sizeof(*o->summary));
	return !opt->summary || o->summary;
}
/* ---- calls waiting for their return, one per thread at most ---- */

static struct fvx_trace_record *pending_find(const struct output *o, uint32_t pid)
{
	size_t i;

	for (i = 0; i < o->pending_count; i++)
		if (o->pending[i].pid == pid)
			return &o->pending[i];
	return NULL;
}

/* Keeps the pending calls in the order they began (output_finish). */
static void pending_remove(struct output *o, struct fvx_trace_record *p)
{
	size_t i = p - o->pending;

	memmove(p, p + 1, (o->pending_count - i - 1) * sizeof(*p));
	o->pending_count--;
}

static bool pending_add(struct output *o, const struct fvx_trace_record *entry)
{
	if (o->pending_count == o->pending_max) {
		size_t max = o->pending_max ? 2 * o->pending_max : 16;
		struct fvx_trace_record *p = realloc(o->pending, max * sizeof(*p));

		if (!p)
			return false;
		o->pending = p;
		o->pending_max = max;
	}
	o->pending[o->pending_count++] = *entry;
	return true;
}

/* ---- what a call looks like ---- */

static bool never_returns(const char *name)
{
	return !strcmp(name, "exit") || !strcmp(name, "exit_group");
}

/* Text and JSON alike: no per-call output with -c, and only the calls
 * -e status= asks for. `ret` is NULL for a call that did not return. */
static bool shown(const struct output *o, const struct fvx_trace_record *ret)
{
	unsigned int status = !ret				    ? STATUS_UNFINISHED
			      : decode_errno((int64_t)ret->args[0]) ? STATUS_FAILED
								    : STATUS_SUCCESSFUL;

	return !o->opt.summary && (o->opt.status & status);
}

/* A line is printed at once unless it waits for its return to be judged
 * (-e status=) or is not printed at all (JSON, -c). */
static bool deferred(const struct output *o)
{
	return o->opt.json || o->opt.summary || o->opt.status != STATUS_ALL;
}

/* -t: the time of day, -tt with microseconds, -ttt in seconds since the
 * epoch; from the record's TSC, or when it cannot be converted, from the
 * time the frontend took the record. */
static int64_t record_ns(const struct output *o, uint64_t tsc)
{
	struct timespec now;

	if (tsc_clock_valid(&o->opt.clock))
		return tsc_clock_ns(&o->opt.clock, tsc);
	clock_gettime(CLOCK_REALTIME, &now);
	return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static void print_timestamp(const struct output *o, uint64_t tsc)
{
	int64_t ns = record_ns(o, tsc);
	time_t sec = (time_t)(ns / 1000000000);
	long usec = (long)(ns % 1000000000) / 1000;
	struct tm tm;
	char hms[16];

	if (!o->opt.timestamps)
		return;
	if (o->opt.timestamps >= 3) {
		fprintf(o->out, "%lld.%06ld ", (long long)sec, usec);
		return;
	}
	localtime_r(&sec, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	if (o->opt.timestamps == 2)
		fprintf(o->out, "%s.%06ld ", hms, usec);
	else
		fprintf(o->out, "%s ", hms);
}

/* Time spent in the call, or -1 when it is not known. */
static int64_t duration_ns(const struct output *o, const struct fvx_trace_record *entry,
			   const struct fvx_trace_record *ret)
{
	if (!entry || !ret || ret->tsc < entry->tsc || !tsc_clock_valid(&o->opt.clock))
		return -1;
	return tsc_clock_ticks_ns(&o->opt.clock, ret->tsc - entry->tsc);
}

/* " = ret", " = -1 ENOENT (No such file or directory)", or " = ?"; -T's
 * " <0.000012>". */
static void print_ret(struct output *o, const struct fvx_trace_record *entry,
		      const struct fvx_trace_record *ret)
{
	char text[128];
	int64_t ns = duration_ns(o, entry, ret);

	if (!ret) {
		fputs(" = ?", o->out);
		return;
	}
	decode_ret(ret->nr, (int64_t)ret->args[0], text, sizeof(text));
	fprintf(o->out, " = %s", text);
	if (o->opt.durations && ns >= 0)
		fprintf(o->out, " <%" PRId64 ".%06" PRId64 ">", ns / 1000000000,
			ns % 1000000000 / 1000);
}

/* ---- text ---- */

static void print_call(struct output *o, const struct fvx_trace_record *r, const char *name)
{
	char text[6][DECODE_ARG_MAX];
	int n = decode_args(r, syscall_argc(&o->syscalls, r->nr, name), text), i;

	fprintf(o->out, "[pid %5u] ", r->pid);
	print_timestamp(o, r->tsc);
	fprintf(o->out, "%s(", name);
	for (i = 0; i < n; i++)
		fprintf(o->out, "%s%s", i ? ", " : "", text[i]);
}

/* Another thread's record comes: the open line waits for its return. */
static void suspend_open_line(struct output *o)
{
	if (!o->line_open)
		return;
	fputs(" <unfinished ...>\n", o->out);
	o->line_open = false;
}

/* ---- JSON Lines: one object per call ---- */

static struct json_object *hex_string(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%#" PRIx64, v);
	return json_object_new_string(buf);
}

/* seconds.microseconds as a JSON number, as -ttt and -T print it. */
static struct json_object *seconds(int64_t ns)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64 ".%06" PRId64, ns / 1000000000,
		 ns % 1000000000 / 1000);
	return json_object_new_double_s((double)ns / 1e9, buf);
}

/* The raw arguments: all six, in hex. */
static struct json_object *raw_args(const struct fvx_trace_record *entry, int *err)
{
	struct json_object *raw;
	int i;

	if (!entry)
		return NULL;
	raw = json_object_new_array();
	*err |= !raw;
	for (i = 0; i < 6 && raw; i++)
		*err |= json_object_array_add(raw, hex_string(entry->args[i]));
	return raw;
}

/* The arguments as the text shows them. */
static struct json_object *decoded_args(struct output *o, const struct fvx_trace_record *entry,
					const char *name, int *err)
{
	char text[6][DECODE_ARG_MAX];
	struct json_object *decoded;
	int i, n;

	if (!entry)
		return NULL;
	decoded = json_object_new_array();
	*err |= !decoded;
	n = decode_args(entry, syscall_argc(&o->syscalls, entry->nr, name), text);
	for (i = 0; i < n && decoded; i++)
		*err |= json_object_array_add(decoded, json_object_new_string(text[i]));
	return decoded;
}

/* `entry` is NULL for a return whose entry was not seen, `ret` for a call
 * that did not return; one of them is there. Strings are escaped by
 * json-c. */
static void print_json(struct output *o, const struct fvx_trace_record *entry,
		       const struct fvx_trace_record *ret, const char *name)
{
	const struct fvx_trace_record *r = entry ? entry : ret;
	struct json_object *obj = json_object_new_object();
	int e = ret ? decode_errno((int64_t)ret->args[0]) : 0, err = 0;
	int64_t ns = duration_ns(o, entry, ret);
	char buf[128];

	err |= cli_json_put(obj, "seq", json_object_new_uint64(r->seq));
	err |= cli_json_put(obj, "tsc", json_object_new_uint64(r->tsc));
	err |= cli_json_put(obj, "cpu", json_object_new_int64(r->cpu));
	err |= cli_json_put(obj, "pid", json_object_new_int64(r->pid));
	err |= cli_json_put(obj, "tgid", json_object_new_int64(r->tgid));
	err |= cli_json_put(obj, "nr", json_object_new_uint64(r->nr));
	err |= cli_json_put(obj, "name", json_object_new_string(name));
	err |= cli_json_put(obj, "args", raw_args(entry, &err));
	err |= cli_json_put(obj, "exit_mode",
			    json_object_new_boolean(!!(r->flags & FVX_RECORD_EXIT_MODE)));
	err |= cli_json_put(obj, "ret", ret ? json_object_new_int64((int64_t)ret->args[0]) : NULL);
	err |= cli_json_put(obj, "errno",
			    e ? json_object_new_string(output_errno_name(e, buf, sizeof(buf)))
			      : NULL);
	err |= cli_json_put(obj, "decoded_args", decoded_args(o, entry, name, &err));
	if (ret)
		decode_ret(ret->nr, (int64_t)ret->args[0], buf, sizeof(buf));
	err |= cli_json_put(obj, "decoded_ret", ret ? json_object_new_string(buf) : NULL);
	if (o->opt.timestamps)
		err |= cli_json_put(obj, "time", seconds(record_ns(o, r->tsc)));
	if (o->opt.durations)
		err |= cli_json_put(obj, "duration", ns >= 0 ? seconds(ns) : NULL);
	if (!obj || err)
		fprintf(stderr, "fastvmix trace: out of memory for a JSON line\n");
	else
		fprintf(o->out, "%s\n",
			json_object_to_json_string_ext(
				obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}

int cli_json_put(struct json_object *o, const char *key, struct json_object *v)
{
	if (o && json_object_object_add(o, key, v) == 0)
		return 0;
	json_object_put(v);
	return -1;
}

/* ---- pairing ---- */

/* A call's whole line, printed when it ends: "name(args) = ret". */
static void print_whole(struct output *o, const struct fvx_trace_record *entry,
			const struct fvx_trace_record *ret, const char *name, bool running)
{
	suspend_open_line(o);
	print_call(o, entry, name);
	fputs(running ? " <unfinished ...>)" : ")", o->out);
	print_ret(o, entry, ret);
	fputc('\n', o->out);
}

/* Ends a call: `entry` is its pending entry (removed here) or NULL when it
 * was not seen; `ret` its return record, or NULL when it did not return
 * (`running`: it may still be running as the trace ends). */
static void complete(struct output *o, struct fvx_trace_record *entry,
		     const struct fvx_trace_record *ret, bool running)
{
	const struct fvx_trace_record *r = entry ? entry : ret;
	char name[64];

	syscall_name(r->nr, name, sizeof(name));
	if (o->summary)
		summary_add(o->summary, r->nr, ret && decode_errno((int64_t)ret->args[0]),
			    duration_ns(o, entry, ret));
	if (!shown(o, ret)) {
		/* left out: -c, or -e status= (deferred: no line open) */
	} else if (o->opt.json) {
		print_json(o, entry, ret, name);
	} else if (entry && o->line_open && o->open_pid == entry->pid) {
		fputs(running ? " <unfinished ...>)" : ")", o->out);
		print_ret(o, entry, ret);
		fputc('\n', o->out);
		o->line_open = false;
	} else if (entry && deferred(o)) {
		print_whole(o, entry, ret, name, running);
	} else {
		suspend_open_line(o);
		fprintf(o->out, "[pid %5u] ", r->pid);
		print_timestamp(o, ret ? ret->tsc : r->tsc);
		fprintf(o->out, "<... %s resumed>)", name);
		print_ret(o, entry, ret);
		fputc('\n', o->out);
	}
	if (entry)
		pending_remove(o, entry);
}

static void on_entry(struct output *o, const struct fvx_trace_record *r)
{
	struct fvx_trace_record *lost = pending_find(o, r->pid);
	char name[64];

	/* The thread began another call: the last one's return was lost. */
	if (lost)
		complete(o, lost, NULL, false);
	syscall_name(r->nr, name, sizeof(name));
	if (never_returns(name) || !pending_add(o, r)) {
		if (o->summary)
			summary_add(o->summary, r->nr, false, -1);
		if (!shown(o, NULL))
			return;
		if (o->opt.json)
			print_json(o, r, NULL, name);
		else
			print_whole(o, r, NULL, name, false);
		return;
	}
	if (deferred(o))
		return;
	suspend_open_line(o);
	print_call(o, r, name);
	o->line_open = true;
	o->open_pid = r->pid;
}

static void on_return(struct output *o, const struct fvx_trace_record *r)
{
	struct fvx_trace_record *entry = pending_find(o, r->pid);

	/* Another call's return: the pending one did not return. */
	if (entry && entry->nr != r->nr) {
		complete(o, entry, NULL, false);
		entry = NULL;
	}
	complete(o, entry, r, false);
}

void output_record(struct output *o, const struct fvx_trace_record *r)
{
	if (r->flags & FVX_RECORD_RETURN)
		on_return(o, r);
	else
		on_entry(o, r);
}

void output_finish(struct output *o, FILE *table)
{
	if (o->line_open)
		complete(o, pending_find(o, o->open_pid), NULL, true);
	while (o->pending_count)
		complete(o, &o->pending[0], NULL, true);
	free(o->pending);
	o->pending = NULL;
	o->pending_max = 0;
	if (o->summary && table)
		summary_print(o->summary, table);
	free(o->summary);
	o->summary = NULL;
}

void output_summary(FILE *err, uint64_t records, uint64_t dropped)
{
	fprintf(err, "fastvmix: %" PRIu64 " records, %" PRIu64 " dropped\n", records, dropped);
}
