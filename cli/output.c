/* fastvmix trace's output: system calls as strace prints them, or as JSON
 * Lines, and the summary line on stderr. An entry record and the return
 * record of the same thread (pid) make one call:
 *     [pid N] name(args) = ret
 * When another thread's record comes in between, the call's line ends
 * "name(args <unfinished ...>" and its return is printed later as
 * "<... name resumed>) = ret", as strace does; so is a return whose entry
 * was not seen (the trace began during the call). exit and exit_group do
 * not return ("= ?"), nor does a call still running when the trace ends.
 * JSON Lines have one object per call, when it is complete. Scenario
 * scripts read these formats: change them only together. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "errno_names.h"

#define MAX_ERRNO 4095 /* -4095..-1 are errors, as Linux's IS_ERR_VALUE */

void output_init(struct output *o, FILE *out, bool json, const char *events_dir)
{
	*o = (struct output){ .out = out, .json = json };
	syscall_table_init(&o->syscalls, events_dir);
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

/* ---- what a return value looks like ---- */

const char *output_errno_name(int e, char *buf, size_t size)
{
	if (e > 0 && (size_t)e < sizeof(errno_names) / sizeof(errno_names[0]) && errno_names[e])
		return errno_names[e];
	snprintf(buf, size, "ERRNO_%d", e);
	return buf;
}

/* The errno of a failed call's return value, or 0. */
static int failed_with(const struct fvx_trace_record *ret)
{
	int64_t v = (int64_t)ret->args[0];

	return v < 0 && v >= -MAX_ERRNO ? (int)-v : 0;
}

/* Calls that return an address, printed in hex as strace does. */
static bool returns_address(const char *name)
{
	static const char *const names[] = { "brk", "mmap", "mremap", "shmat" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static bool never_returns(const char *name)
{
	return !strcmp(name, "exit") || !strcmp(name, "exit_group");
}

/* " = ret", " = -1 ENOENT (No such file or directory)", or " = ?". */
static void print_ret(FILE *out, const char *name, const struct fvx_trace_record *ret)
{
	char buf[32];
	int e;

	if (!ret) {
		fputs(" = ?", out);
		return;
	}
	e = failed_with(ret);
	if (e)
		fprintf(out, " = -1 %s (%s)", output_errno_name(e, buf, sizeof(buf)), strerror(e));
	else if (returns_address(name))
		fprintf(out, " = %#" PRIx64, (uint64_t)ret->args[0]);
	else
		fprintf(out, " = %" PRId64, (int64_t)ret->args[0]);
}

/* ---- text ---- */

/* Small values (fds, sizes, flags) in decimal, the rest (addresses) in hex. */
static void print_call(struct output *o, const struct fvx_trace_record *r, const char *name)
{
	int argc = syscall_argc(&o->syscalls, r->nr, name), i;

	fprintf(o->out, "[pid %5u] %s(", r->pid, name);
	for (i = 0; i < argc && i < 6; i++) {
		uint64_t a = r->args[i];

		if (a < 4096)
			fprintf(o->out, "%s%" PRIu64, i ? ", " : "", a);
		else
			fprintf(o->out, "%s%#" PRIx64, i ? ", " : "", a);
	}
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

/* Syscall names are [a-z0-9_] (or syscall_N): nothing to escape. `entry`
 * is NULL for a return whose entry was not seen, `ret` for a call that did
 * not return; one of them is there. */
static void print_json(FILE *out, const struct fvx_trace_record *entry,
		       const struct fvx_trace_record *ret, const char *name)
{
	const struct fvx_trace_record *r = entry ? entry : ret;
	char buf[32];
	int i, e;

	fprintf(out,
		"{\"seq\":%" PRIu64 ",\"tsc\":%" PRIu64 ",\"cpu\":%u,\"pid\":%u,\"tgid\":%u,"
		"\"nr\":%" PRIu64 ",\"name\":\"%s\",\"args\":",
		(uint64_t)r->seq, (uint64_t)r->tsc, r->cpu, r->pid, r->tgid, (uint64_t)r->nr, name);
	if (entry) {
		for (i = 0; i < 6; i++)
			fprintf(out, "%s\"%#" PRIx64 "\"", i ? "," : "[", (uint64_t)entry->args[i]);
		fputc(']', out);
	} else {
		fputs("null", out);
	}
	fprintf(out,
		",\"exit_mode\":%s,\"ret\":", r->flags & FVX_RECORD_EXIT_MODE ? "true" : "false");
	if (ret)
		fprintf(out, "%" PRId64, (int64_t)ret->args[0]);
	else
		fputs("null", out);
	e = ret ? failed_with(ret) : 0;
	if (e)
		fprintf(out, ",\"errno\":\"%s\"}\n", output_errno_name(e, buf, sizeof(buf)));
	else
		fputs(",\"errno\":null}\n", out);
}

/* ---- pairing ---- */

/* Ends a call: `entry` is its pending entry (removed here) or NULL when it
 * was not seen; `ret` its return record, or NULL when it did not return
 * (`running`: it may still be running as the trace ends). */
static void complete(struct output *o, struct fvx_trace_record *entry,
		     const struct fvx_trace_record *ret, bool running)
{
	const struct fvx_trace_record *r = entry ? entry : ret;
	char name[64];

	syscall_name(r->nr, name, sizeof(name));
	if (o->json) {
		print_json(o->out, entry, ret, name);
	} else if (entry && o->line_open && o->open_pid == entry->pid) {
		fputs(running ? " <unfinished ...>)" : ")", o->out);
		print_ret(o->out, name, ret);
		fputc('\n', o->out);
		o->line_open = false;
	} else {
		suspend_open_line(o);
		fprintf(o->out, "[pid %5u] <... %s resumed>)", r->pid, name);
		print_ret(o->out, name, ret);
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
		if (o->json) {
			print_json(o->out, r, NULL, name);
			return;
		}
		suspend_open_line(o);
		print_call(o, r, name);
		fputs(")", o->out);
		print_ret(o->out, name, NULL);
		fputc('\n', o->out);
		return;
	}
	if (o->json)
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

void output_finish(struct output *o)
{
	if (o->line_open)
		complete(o, pending_find(o, o->open_pid), NULL, true);
	while (o->pending_count)
		complete(o, &o->pending[0], NULL, true);
	free(o->pending);
	o->pending = NULL;
	o->pending_max = 0;
}

void output_summary(FILE *err, uint64_t records, uint64_t dropped)
{
	fprintf(err, "fastvmix: %" PRIu64 " records, %" PRIu64 " dropped\n", records, dropped);
}
