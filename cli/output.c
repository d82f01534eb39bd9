/* fastvmix trace's output: system calls as strace prints them, or as JSON
 * Lines, and the summary line on stderr. An entry record and the return
 * record of the same thread (pid) make one call:
 *     [pid N] name(args) = ret
 * When another thread's record comes in between, the call's line ends
 * "name(args <unfinished ...>" and its return is printed later as
 * "<... name resumed>) = ret", as strace does; so is a return whose entry
 * was not seen (the trace began during the call). exit and exit_group do
 * not return ("= ?"), nor does a call still running when the trace ends.
 * Arguments and return values are decoded (decode.c), strings and buffers
 * from the data records that come before their entry or return record
 * (trace.h): kept per thread until it comes. An argument the call fills
 * (read's buffer) is shown when it returns, as strace shows it:
 *     read(3,  <unfinished ...>  ...  <... read resumed>"abc", 32) = 3
 * -t/-tt/-ttt and -T
 * times come from the records' TSC (clock.c). With -e status= a line waits
 * for its return, to be judged; with -c no call is printed, only the table
 * at the end (summary.c). JSON Lines have one object per call, when it is
 * complete. 32-bit calls (FVX_RECORD_COMPAT) have their i386 names and are
 * decoded as their x86-64 twins (syscall_compat.h); when a thread's calls
 * change from one to the other, strace's line says so:
 *     [ Process PID=N runs in 32 bit mode. ]
 * Scenario scripts read these formats: change them only together. */
#define _GNU_SOURCE /* struct statx */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <json-c/json.h>

#include "cli.h"
#include "fastvmix/syscall_quick.h"

/* Adds v to o under key, a string literal (the macro refuses anything
 * else): json-c neither copies it nor looks for it, each key being added
 * once per object. JSON Lines' hot path; cli_json_put is for other keys. */
static int put_literal(struct json_object *o, const char *key, struct json_object *v)
{
	if (o && !json_object_object_add_ex(
			 o, key, v, JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_KEY_IS_CONSTANT))
		return 0;
	json_object_put(v);
	return -1;
}
#define JSON_PUT(o, key, v) put_literal((o), "" key "", (v))

/* Text goes to the output in few writes: each piece is appended to the
 * line buffer, which goes to the stream when full, once a record leaves
 * it half full (output_record), when the caller asks (output_flush: after
 * each drain pass) and at the end of the trace. */
static void out_flush(struct output *o)
{
	if (o->line_len)
		fwrite(o->line, 1, o->line_len, o->out);
	o->line_len = 0;
}

static void out_long(struct output *o, const char *p, size_t n)
{
	out_flush(o);
	if (n > sizeof(o->line))
		fwrite(p, 1, n, o->out);
	else
		memcpy(o->line, p, o->line_len = n);
}

static inline void out_mem(struct output *o, const char *p, size_t n)
{
	if (n > sizeof(o->line) - o->line_len) {
		out_long(o, p, n);
		return;
	}
	memcpy(o->line + o->line_len, p, n);
	o->line_len += n;
}

static inline void out_str(struct output *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static inline void out_char(struct output *o, char c)
{
	if (o->line_len == sizeof(o->line))
		out_flush(o);
	o->line[o->line_len++] = c;
}

static void __attribute__((format(printf, 2, 3))) out_fmt(struct output *o, const char *fmt, ...)
{
	size_t room = sizeof(o->line) - o->line_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->line + o->line_len, room, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < room) {
		o->line_len += (size_t)n;
		return;
	}
	out_flush(o);
	va_start(ap, fmt);
	vfprintf(o->out, fmt, ap);
	va_end(ap);
}

void output_init(struct output *o, FILE *out, bool json, const char *events_dir)
{
	/* fastvmix is single-threaded: no lock around each write. */
	__fsetlocking(out, FSETLOCKING_BYCALLER);
	*o = (struct output){ .out = out,
			      .opt = { .json = json,
				       .status = STATUS_ALL,
				       .string_limit = FVX_DATA_BUFFER_DEFAULT } };
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

static struct call *pending_find(const struct output *o, uint32_t pid)
{
	size_t at;

	return pid_index_find(&o->pending_at, pid, &at) ? &o->pending[at] : NULL;
}

/* The last pending call takes p's place: a call holds up to six values of
 * FVX_DATA_MAX bytes, too many to move along for each return. Their order
 * is in seq (output_finish). */
static void pending_remove(struct output *o, struct call *p)
{
	struct call *last = &o->pending[o->pending_count - 1];

	call_data_free(&p->data);
	pid_index_remove(&o->pending_at, p->entry.pid);
	if (p != last) {
		memcpy(p, last, sizeof(*p));
		pid_index_set(&o->pending_at, p->entry.pid, (size_t)(p - o->pending));
	}
	o->pending_count--;
}

static int later_first(const void *a, const void *b)
{
	uint64_t x = ((const struct call *)a)->seq, y = ((const struct call *)b)->seq;

	return x > y ? -1 : x < y;
}

/* The pending calls sorted the last begun first, so that the one that
 * began first is the last (which goes without another taking its place). */
static void pending_sort(struct output *o)
{
	size_t i;

	if (o->pending_count > 1)
		qsort(o->pending, o->pending_count, sizeof(*o->pending), later_first);
	for (i = 0; i < o->pending_count; i++)
		pid_index_set(&o->pending_at, o->pending[i].entry.pid, i);
}

/* struct call's split. */
static int split_of(const struct call *c)
{
	uint64_t nr = decode_decl_nr(&c->entry);
	const struct fvx_syscall_decl *d = fvx_syscall_decl(nr);
	int out = decode_first_out_arg(nr, c->entry.args), i;

	for (i = 0; d && i < out; i++)
		if (d->args[i] == FVX_ARG_STR && c->data.arg[i].state == FVX_DATA_UNREADABLE)
			return i;
	return out;
}

/* Takes entry, and data (moved in) when there are some; NULL when there
 * is no memory (data stay the caller's). */
static struct call *pending_add(struct output *o, const struct fvx_trace_record *entry,
				const struct call_data *data)
{
	struct call *c;

	if (o->pending_count == o->pending_max) {
		size_t max = o->pending_max ? 2 * o->pending_max : 16;
		struct call *p = realloc(o->pending, max * sizeof(*p));

		if (!p)
			return NULL;
		o->pending = p;
		o->pending_max = max;
	}
	if (!pid_index_set(&o->pending_at, entry->pid, o->pending_count))
		return NULL;
	c = &o->pending[o->pending_count++];
	c->seq = o->pending_seq++;
	c->entry = *entry;
	if (data)
		c->data = *data;
	else
		memset(&c->data, 0, sizeof(c->data));
	c->split = split_of(c);
	return c;
}

/* ---- data records, waiting for the record they precede ---- */

static struct staged *staged_find(const struct output *o, uint32_t pid)
{
	size_t i;

	for (i = 0; i < o->staged_count; i++)
		if (o->staged[i].pid == pid)
			return &o->staged[i];
	return NULL;
}

/* What a data record says of its owner, beyond the number: an entry or a
 * return, of a 64-bit or a 32-bit call. */
#define OWNER_FLAGS (FVX_RECORD_RETURN | FVX_RECORD_COMPAT | FVX_RECORD_URING)

/* Keeps a piece for its thread's next record. A piece of another call
 * than the one staged (its owner was lost) starts over; with every slot
 * taken, the oldest thread's pieces go. */
static void staged_add(struct output *o, const struct fvx_trace_record *r)
{
	uint32_t owner = r->flags & OWNER_FLAGS;
	struct staged *s;

	if (!o->staged && !(o->staged = calloc(OUTPUT_STAGED_MAX, sizeof(*o->staged))))
		return;
	s = staged_find(o, r->pid);
	if (s && (s->nr != r->nr || s->owner_flags != owner)) {
		call_data_free(&s->data);
	} else if (!s) {
		if (o->staged_count == OUTPUT_STAGED_MAX) {
			call_data_free(&o->staged[0].data);
			memmove(o->staged, o->staged + 1, --o->staged_count * sizeof(*o->staged));
		}
		s = &o->staged[o->staged_count++];
		memset(&s->data, 0, sizeof(s->data));
	}
	s->pid = r->pid;
	s->nr = r->nr;
	s->owner_flags = owner;
	call_data_add(&s->data, r);
}

/* The pieces staged for owner r, into data; false when there are none.
 * Either way the thread's staged pieces are gone: they precede their
 * owner, so any left are orphans. */
static bool staged_take(struct output *o, const struct fvx_trace_record *r, struct call_data *data)
{
	struct staged *s = o->staged ? staged_find(o, r->pid) : NULL;
	bool mine = s && s->nr == r->nr && s->owner_flags == (r->flags & OWNER_FLAGS);

	if (mine)
		*data = s->data; /* moved */
	else if (s)
		call_data_free(&s->data);
	if (s)
		memmove(s, s + 1, (o->staged_count-- - (size_t)(s - o->staged) - 1) * sizeof(*s));
	return mine;
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

static void print_timestamp(struct output *o, uint64_t tsc)
{
	int64_t ns = record_ns(o, tsc);
	time_t sec = (time_t)(ns / 1000000000);
	long usec = (long)(ns % 1000000000) / 1000;
	struct tm tm;
	char hms[16];

	if (!o->opt.timestamps)
		return;
	if (o->opt.timestamps >= 3) {
		out_fmt(o, "%lld.%06ld ", (long long)sec, usec);
		return;
	}
	localtime_r(&sec, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	if (o->opt.timestamps == 2)
		out_fmt(o, "%s.%06ld ", hms, usec);
	else
		out_fmt(o, "%s ", hms);
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
		out_str(o, " = ?");
		return;
	}
	decode_record_ret(ret, text, sizeof(text));
	out_str(o, " = ");
	out_str(o, text);
	if (o->opt.durations && ns >= 0)
		out_fmt(o, " <%" PRId64 ".%06" PRId64 ">", ns / 1000000000, ns % 1000000000 / 1000);
}

/* ---- text ---- */

/* Arguments from..to of a call, as strace separates them: after the
 * first printed, or when the line already has some (`more`), ", ". */
static __attribute__((noinline)) void print_decoded(struct output *o, const struct call *c,
						    int argc, int from, int to, bool more)
{
	char text[6][DECODE_ARG_MAX];
	int n = decode_args(&c->entry, &c->data, argc, o->opt.string_limit, text), i;

	for (i = from; i < n && i < to; i++) {
		if (i > from || more)
			out_str(o, ", ");
		out_str(o, text[i]);
	}
}

/* (A call without arguments, getpid, does not pay for the decoder's
 * 100 KB of text, whose pages the stack clash protection probes one by
 * one.) */
static void print_args(struct output *o, const struct call *c, const char *name, int from, int to,
		       bool more)
{
	uint64_t nr = decode_decl_nr(&c->entry);
	int argc = syscall_argc(&o->syscalls, nr, name);

	if (from < to && decode_shows_args(nr, argc))
		print_decoded(o, c, argc, from, to, more);
}

/* Another thread's record comes: the open line waits for its return. */
static void suspend_open_line(struct output *o)
{
	if (!o->line_open)
		return;
	out_str(o, " <unfinished ...>\n");
	o->line_open = false;
}

/* A line of its own for thread pid: "[pid N] " (N right-aligned in 5
 * columns, as strace's %5u) and -t's time. Written by hand: every line
 * starts here, and printf's machinery costs more than the rest. */
static void begin_line(struct output *o, uint32_t pid, uint64_t tsc)
{
	char digits[12];
	size_t n;

	suspend_open_line(o);
	if (!o->prefix_len || o->prefix_pid != pid) {
		decode_int(pid, digits, sizeof(digits));
		n = strlen(digits);
		o->prefix_len = n < 5 ? 10 - n : 5;
		memcpy(o->prefix, "[pid      ", o->prefix_len);
		memcpy(o->prefix + o->prefix_len, digits, n);
		memcpy(o->prefix + o->prefix_len + n, "] ", 2);
		o->prefix_len += n + 2;
		o->prefix_pid = pid;
	}
	out_mem(o, o->prefix, o->prefix_len);
	print_timestamp(o, tsc);
}

/* "[pid N] name(args" on a line of its own: all of them, or (`head`) those before the first
 * the call fills, followed by ", " when there are such ("read(3, "). */
static void print_call(struct output *o, const struct call *c, const char *name, bool head)
{
	int out = head ? c->split : 6;

	begin_line(o, c->entry.pid, c->entry.tsc);
	out_str(o, name);
	out_char(o, '(');
	print_args(o, c, name, 0, out, false);
	if (out < 6)
		out_str(o, out ? ", " : "");
}

/* What print_call left out with `head`: the arguments the call filled. */
static void print_tail(struct output *o, const struct call *c, const char *name)
{
	print_args(o, c, name, c->split, 6, false);
}

/* ---- JSON Lines: one object per call ---- */

/* v as printf's %#llx ("0" for 0), written by hand: six per call. */
static struct json_object *hex_string(uint64_t v)
{
	char buf[24], digits[16];
	size_t n = 0, d = 0;

	do
		digits[d++] = "0123456789abcdef"[v & 15];
	while (v >>= 4);
	if (d > 1 || digits[0] != '0') {
		buf[n++] = '0';
		buf[n++] = 'x';
	}
	while (d)
		buf[n++] = digits[--d];
	return json_object_new_string_len(buf, (int)n);
}

/* A file time in nanoseconds, saturated: the kernel's bytes are not
 * trusted. */
static int64_t timespec_ns(struct timespec ts)
{
	if (ts.tv_sec > INT64_MAX / 1000000000 - 1 || ts.tv_sec < INT64_MIN / 1000000000 + 1)
		return ts.tv_sec < 0 ? INT64_MIN + 1 : INT64_MAX;
	return ts.tv_sec * 1000000000 + (ts.tv_nsec % 1000000000);
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
static struct json_object *raw_args(const struct call *entry, int *err)
{
	struct json_object *raw;
	int i;

	if (!entry)
		return NULL;
	raw = json_object_new_array();
	*err |= !raw;
	for (i = 0; i < 6 && raw; i++)
		*err |= json_object_array_add(raw, hex_string(entry->entry.args[i]));
	return raw;
}

/* The arguments as the text shows them. */
static struct json_object *decoded_args(struct output *o, const struct call *entry,
					const char *name, int *err)
{
	char text[6][DECODE_ARG_MAX];
	struct json_object *decoded;
	int i, n;

	if (!entry)
		return NULL;
	decoded = json_object_new_array();
	*err |= !decoded;
	n = decode_args(&entry->entry, &entry->data,
			syscall_argc(&o->syscalls, decode_decl_nr(&entry->entry), name),
			o->opt.string_limit, text);
	for (i = 0; i < n && decoded; i++)
		*err |= json_object_array_add(decoded, json_object_new_string(text[i]));
	return decoded;
}

/* A captured value as a JSON string: byte b is code point U+00bb (json-c
 * writes it as UTF-8 and escapes the controls), so any bytes come back
 * exactly and the line stays valid JSON. */
static struct json_object *bytes_string(const struct captured *v)
{
	char s[2 * FVX_DATA_MAX + 1];
	size_t i, n = 0;

	for (i = 0; i < v->total; i++) {
		if (v->bytes[i] < 0x80) {
			s[n++] = (char)v->bytes[i];
		} else {
			s[n++] = (char)(0xc0 | v->bytes[i] >> 6);
			s[n++] = (char)(0x80 | (v->bytes[i] & 0x3f));
		}
	}
	return json_object_new_string_len(s, (int)n);
}

/* An iovec array's elements: {"base": "0x...", "len": N, "bytes": "...",
 * "truncated": false}, or with "unreadable": true instead of the bytes.
 * *cut: elements are missing, those that did not fit or those after a
 * malformed item (the text's "..."). */
static struct json_object *iov_json(const struct captured *v, int *err, bool *cut)
{
	struct json_object *items = json_object_new_array();
	struct iov_item it;
	size_t at = 0;

	*err |= !items;
	while (items && decode_iov_item(v, &at, &it)) {
		struct json_object *one = json_object_new_object();
		uint8_t bytes[FVX_DATA_MAX];
		struct captured part = { .total = (uint16_t)it.shown, .bytes = bytes };

		*err |= JSON_PUT(one, "base", hex_string(it.base));
		*err |= JSON_PUT(one, "len", json_object_new_uint64(it.len));
		if (it.readable) {
			memcpy(part.bytes, it.bytes, it.shown);
			*err |= JSON_PUT(one, "bytes", bytes_string(&part));
			*err |= JSON_PUT(one, "truncated", json_object_new_boolean(it.more));
		} else {
			*err |= JSON_PUT(one, "unreadable", json_object_new_boolean(1));
		}
		*err |= json_object_array_add(items, one);
	}
	*cut = v->state == FVX_DATA_TRUNCATED || at != v->total;
	return items;
}

/* A struct stat's fields (FVX_ARG_STAT_OUT): {"dev", "ino", "mode",
 * "nlink", "uid", "gid", "rdev", "size", "blksize", "blocks", "atime",
 * "mtime", "ctime"}, times in seconds. */
static struct json_object *stat_json(const struct captured *v, int *err)
{
	struct json_object *o = json_object_new_object();
	struct stat st;

	memcpy(&st, v->bytes, sizeof(st));
	*err |= JSON_PUT(o, "dev", json_object_new_uint64(st.st_dev));
	*err |= JSON_PUT(o, "ino", json_object_new_uint64(st.st_ino));
	*err |= JSON_PUT(o, "mode", json_object_new_uint64(st.st_mode));
	*err |= JSON_PUT(o, "nlink", json_object_new_uint64(st.st_nlink));
	*err |= JSON_PUT(o, "uid", json_object_new_uint64(st.st_uid));
	*err |= JSON_PUT(o, "gid", json_object_new_uint64(st.st_gid));
	*err |= JSON_PUT(o, "rdev", json_object_new_uint64(st.st_rdev));
	*err |= JSON_PUT(o, "size", json_object_new_int64(st.st_size));
	*err |= JSON_PUT(o, "blksize", json_object_new_int64(st.st_blksize));
	*err |= JSON_PUT(o, "blocks", json_object_new_int64(st.st_blocks));
	*err |= JSON_PUT(o, "atime", seconds(timespec_ns(st.st_atim)));
	*err |= JSON_PUT(o, "mtime", seconds(timespec_ns(st.st_mtim)));
	*err |= JSON_PUT(o, "ctime", seconds(timespec_ns(st.st_ctim)));
	return o;
}

static int64_t statx_ns(struct statx_timestamp ts)
{
	return ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A struct statx's fields (FVX_ARG_STATX_OUT): {"mask", "attributes",
 * "mode", "nlink", "uid", "gid", "ino", "size", "blksize", "blocks",
 * "atime", "btime", "ctime", "mtime"}, times in seconds. */
static struct json_object *statx_json(const struct captured *v, int *err)
{
	struct json_object *o = json_object_new_object();
	struct statx st;

	memcpy(&st, v->bytes, sizeof(st));
	*err |= JSON_PUT(o, "mask", json_object_new_uint64(st.stx_mask));
	*err |= JSON_PUT(o, "attributes", json_object_new_uint64(st.stx_attributes));
	*err |= JSON_PUT(o, "mode", json_object_new_uint64(st.stx_mode));
	*err |= JSON_PUT(o, "nlink", json_object_new_uint64(st.stx_nlink));
	*err |= JSON_PUT(o, "uid", json_object_new_uint64(st.stx_uid));
	*err |= JSON_PUT(o, "gid", json_object_new_uint64(st.stx_gid));
	*err |= JSON_PUT(o, "ino", json_object_new_uint64(st.stx_ino));
	*err |= JSON_PUT(o, "size", json_object_new_uint64(st.stx_size));
	*err |= JSON_PUT(o, "blksize", json_object_new_uint64(st.stx_blksize));
	*err |= JSON_PUT(o, "blocks", json_object_new_uint64(st.stx_blocks));
	*err |= JSON_PUT(o, "atime", seconds(statx_ns(st.stx_atime)));
	*err |= JSON_PUT(o, "btime", seconds(statx_ns(st.stx_btime)));
	*err |= JSON_PUT(o, "ctime", seconds(statx_ns(st.stx_ctime)));
	*err |= JSON_PUT(o, "mtime", seconds(statx_ns(st.stx_mtime)));
	return o;
}

/* A struct utsname's first fields: {"sysname", "nodename"}. */
static struct json_object *utsname_json(const struct captured *v, int *err)
{
	struct json_object *o = json_object_new_object();
	const char *f = (const char *)v->bytes;

	*err |= JSON_PUT(o, "sysname",
			 json_object_new_string_len(f, (int)strnlen(f, FVX_UTSNAME_FIELD)));
	f += FVX_UTSNAME_FIELD;
	*err |= JSON_PUT(o, "nodename",
			 json_object_new_string_len(f, (int)strnlen(f, FVX_UTSNAME_FIELD)));
	return o;
}

/* A struct timezone: {"minuteswest", "dsttime"}. */
static struct json_object *timezone_json(const struct captured *v, int *err)
{
	struct json_object *o = json_object_new_object();
	int32_t tz[2];

	memcpy(tz, v->bytes, sizeof(tz));
	*err |= JSON_PUT(o, "minuteswest", json_object_new_int(tz[0]));
	*err |= JSON_PUT(o, "dsttime", json_object_new_int(tz[1]));
	return o;
}

/* A sigset_t's members, by name ("CHLD", "RT_5"). */
static struct json_object *sigset_json(uint64_t set, int *err)
{
	struct json_object *a = json_object_new_array();
	char name[32];
	unsigned int sig;

	*err |= !a;
	for (sig = 1; a && sig <= 64; sig++)
		if (set >> (sig - 1) & 1) {
			decode_set_member(sig, name, sizeof(name));
			*err |= json_object_array_add(a, json_object_new_string(name));
		}
	return a;
}

static uint64_t bytes_u64(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

/* The kernel's struct sigaction: {"handler": "SIG_DFL" or its address,
 * "mask": [...], "flags": "SA_RESTORER|...", "flags_value", "restorer"}. */
static struct json_object *sigaction_json(const struct captured *v, int *err)
{
	struct json_object *o = json_object_new_object();
	uint64_t handler = bytes_u64(v->bytes), flags = bytes_u64(v->bytes + 8);
	const char *name = decode_sig_handler(handler);
	char text[256];

	decode_sa_flags(flags, text, sizeof(text));
	*err |= JSON_PUT(o, "handler",
			 name ? json_object_new_string(name) : json_object_new_uint64(handler));
	*err |= JSON_PUT(o, "mask", sigset_json(bytes_u64(v->bytes + 24), err));
	*err |= JSON_PUT(o, "flags", json_object_new_string(text));
	*err |= JSON_PUT(o, "flags_value", json_object_new_uint64(flags));
	*err |= JSON_PUT(o, "restorer", json_object_new_uint64(bytes_u64(v->bytes + 16)));
	return o;
}

/* One struct timespec or timeval of v: {"sec", "nsec"} or {"sec", "usec"}. */
static struct json_object *one_time_json(uint8_t type, const struct captured *v, int units, int i,
					 bool wide, int *err)
{
	struct json_object *o = json_object_new_object();
	int64_t sec = 0, frac = 0;

	*err |= !o || !decode_time(v, units, i, wide, &sec, &frac);
	*err |= JSON_PUT(o, "sec", json_object_new_int64(sec));
	if (fvx_time_usec(type))
		*err |= JSON_PUT(o, "usec", json_object_new_int64(frac));
	else
		*err |= JSON_PUT(o, "nsec", json_object_new_int64(frac));
	return o;
}

/* A time structure (of a 64-bit call: wide) into one: {"timespec": {...}},
 * {"timeval": {...}}, {"itimerspec": {"interval": {...}, "value": {...}}},
 * {"itimerval": ...}; false when type is none or v has not its size. */
static bool time_json(uint8_t type, const struct captured *v, bool wide, struct json_object *one,
		      int *err)
{
	static const char *const keys[2][2] = { { "timespec", "timeval" },
						{ "itimerspec", "itimerval" } };
	int units = fvx_time_units(type);
	struct json_object *o;
	int64_t sec, frac;

	if (!units || !decode_time(v, units, 0, wide, &sec, &frac))
		return false;
	if (units == 1) {
		o = one_time_json(type, v, 1, 0, wide, err);
	} else {
		o = json_object_new_object();
		*err |= JSON_PUT(o, "interval", one_time_json(type, v, 2, 0, wide, err));
		*err |= JSON_PUT(o, "value", one_time_json(type, v, 2, 1, wide, err));
	}
	*err |= put_literal(one, keys[units - 1][fvx_time_usec(type)], o);
	return true;
}

/* A struct sysinfo's fields by name (every one, "loads" an array). */
static struct json_object *sysinfo_json(const uint8_t *b, int *err)
{
	static const struct {
		const char *name;
		size_t at, size;
	} fields[] = {
		{ "uptime", offsetof(struct sysinfo, uptime), 8 },
		{ "totalram", offsetof(struct sysinfo, totalram), 8 },
		{ "freeram", offsetof(struct sysinfo, freeram), 8 },
		{ "sharedram", offsetof(struct sysinfo, sharedram), 8 },
		{ "bufferram", offsetof(struct sysinfo, bufferram), 8 },
		{ "totalswap", offsetof(struct sysinfo, totalswap), 8 },
		{ "freeswap", offsetof(struct sysinfo, freeswap), 8 },
		{ "procs", offsetof(struct sysinfo, procs), 2 },
		{ "totalhigh", offsetof(struct sysinfo, totalhigh), 8 },
		{ "freehigh", offsetof(struct sysinfo, freehigh), 8 },
		{ "mem_unit", offsetof(struct sysinfo, mem_unit), 4 },
	};
	struct json_object *o = json_object_new_object(), *loads = json_object_new_array();
	size_t i;

	for (i = 0; i < 3; i++)
		*err |= json_object_array_add(
			loads, json_object_new_uint64(
				       bytes_u64(b + offsetof(struct sysinfo, loads) + 8 * i)));
	*err |= JSON_PUT(o, "loads", loads);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint64_t v = bytes_u64(b + fields[i].at);

		if (fields[i].size < 8)
			v &= (1ULL << (8 * fields[i].size)) - 1;
		*err |= put_literal(o, fields[i].name, json_object_new_uint64(v));
	}
	return o;
}

/* "data", when the call has some: per argument, null or what it pointed to: {"bytes": "...",
 * "truncated": false} (an iovec array's: {"iov": [...], "truncated": false}; a struct stat's
 * {"stat": {...}}, a struct statx's {"statx": {...}}, a sigaction's {"sigaction": {...}}, a
 * sigset's {"sigset": [...]}, a struct rlimit's {"rlimit": {"cur", "max"}}, a
 * struct sysinfo's {"sysinfo": {"uptime", "totalram", ...}}, a
 * timespec's {"timespec": {...}}, a timeval's {"timeval": {...}}); an
 * unreadable one is {"unreadable": true}. */
static struct json_object *data_args(const struct call *entry, int *err)
{
	const struct fvx_syscall_decl *d;
	struct json_object *data;
	int i;

	for (i = 0; entry && i < 6 && !call_data_value(&entry->data, i); i++)
		;
	if (!entry || i == 6)
		return NULL; /* none: no "data" */
	d = fvx_syscall_decl(decode_decl_nr(&entry->entry));
	data = json_object_new_array();
	*err |= !data;
	for (i = 0; i < 6 && data; i++) {
		const struct captured *v = call_data_value(&entry->data, i);
		struct json_object *one = v ? json_object_new_object() : NULL;
		bool cut;

		if (v && v->state == FVX_DATA_UNREADABLE) {
			*err |= JSON_PUT(one, "unreadable", json_object_new_boolean(1));
		} else if (v && d && d->args[i] == FVX_ARG_STAT_OUT && v->total == FVX_STAT_SIZE) {
			*err |= JSON_PUT(one, "stat", stat_json(v, err));
		} else if (v && d && d->args[i] == FVX_ARG_STATX_OUT &&
			   v->total == FVX_STATX_SIZE) {
			*err |= JSON_PUT(one, "statx", statx_json(v, err));
		} else if (v && d && d->args[i] == FVX_ARG_UTSNAME_OUT &&
			   v->total == FVX_UTSNAME_SHOWN) {
			*err |= JSON_PUT(one, "utsname", utsname_json(v, err));
		} else if (v && d &&
			   (d->args[i] == FVX_ARG_TIMEZONE || d->args[i] == FVX_ARG_TIMEZONE_OUT) &&
			   v->total == FVX_TIMEZONE_SIZE) {
			*err |= JSON_PUT(one, "timezone", timezone_json(v, err));
		} else if (v && d &&
			   (d->args[i] == FVX_ARG_SIGACTION ||
			    d->args[i] == FVX_ARG_SIGACTION_OUT) &&
			   v->total == FVX_SIGACTION_SIZE) {
			*err |= JSON_PUT(one, "sigaction", sigaction_json(v, err));
		} else if (v && d &&
			   (d->args[i] == FVX_ARG_SIGSET || d->args[i] == FVX_ARG_SIGSET_OUT) &&
			   v->total == FVX_SIGSET_SIZE) {
			*err |= JSON_PUT(one, "sigset", sigset_json(bytes_u64(v->bytes), err));
		} else if (v && d &&
			   time_json(d->args[i], v, !(entry->entry.flags & FVX_RECORD_COMPAT), one,
				     err)) {
		} else if (v && d &&
			   (d->args[i] == FVX_ARG_RLIMIT || d->args[i] == FVX_ARG_RLIMIT_OUT) &&
			   v->total == FVX_RLIMIT_SIZE) {
			struct json_object *lim = json_object_new_object();

			*err |= JSON_PUT(lim, "cur", json_object_new_uint64(bytes_u64(v->bytes)));
			*err |= JSON_PUT(lim, "max",
					 json_object_new_uint64(bytes_u64(v->bytes + 8)));
			*err |= JSON_PUT(one, "rlimit", lim);
		} else if (v && d && d->args[i] == FVX_ARG_SYSINFO_OUT &&
			   v->total == FVX_SYSINFO_SIZE) {
			*err |= JSON_PUT(one, "sysinfo", sysinfo_json(v->bytes, err));
		} else if (v && d && (d->args[i] == FVX_ARG_IOV || d->args[i] == FVX_ARG_IOV_OUT)) {
			*err |= JSON_PUT(one, "iov", iov_json(v, err, &cut));
			*err |= JSON_PUT(one, "truncated", json_object_new_boolean(cut));
		} else if (v) {
			*err |= JSON_PUT(one, "bytes", bytes_string(v));
			*err |= JSON_PUT(one, "truncated",
					 json_object_new_boolean(v->state == FVX_DATA_TRUNCATED));
		}
		*err |= json_object_array_add(data, one);
	}
	return data;
}

/* What every object starts with: the record's place and task. */
static int json_head(struct json_object *obj, const struct fvx_trace_record *r)
{
	int err = 0;

	err |= JSON_PUT(obj, "seq", json_object_new_uint64(r->seq));
	err |= JSON_PUT(obj, "tsc", json_object_new_uint64(r->tsc));
	err |= JSON_PUT(obj, "cpu", json_object_new_int64(r->cpu));
	err |= JSON_PUT(obj, "pid", json_object_new_int64(r->pid));
	err |= JSON_PUT(obj, "tgid", json_object_new_int64(r->tgid));
	return err;
}

/* One line of JSON; the object is freed. */
static void json_emit(struct output *o, struct json_object *obj, int err)
{
	if (!obj || err) {
		fprintf(stderr, "fastvmix trace: out of memory for a JSON line\n");
	} else {
		out_str(o, json_object_to_json_string_ext(
				   obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		out_char(o, '\n');
	}
	json_object_put(obj);
}

/* `entry` is NULL for a return whose entry was not seen, `ret` for a call
 * that did not return; one of them is there. Strings are escaped by
 * json-c. */
static void print_json(struct output *o, const struct call *entry,
		       const struct fvx_trace_record *ret, const char *name)
{
	const struct fvx_trace_record *r = entry ? &entry->entry : ret;
	struct json_object *obj = json_object_new_object();
	int e = ret ? decode_errno((int64_t)ret->args[0]) : 0, err = 0;
	int64_t ns = duration_ns(o, entry ? &entry->entry : NULL, ret);
	struct json_object *data;
	char buf[128];

	err |= json_head(obj, r);
	err |= JSON_PUT(obj, "arch",
			json_object_new_string(r->flags & FVX_RECORD_COMPAT ? "i386" : "x86_64"));
	err |= JSON_PUT(obj, "nr", json_object_new_uint64(r->nr));
	err |= JSON_PUT(obj, "name", json_object_new_string(name));
	err |= JSON_PUT(obj, "args", raw_args(entry, &err));
	err |= JSON_PUT(obj, "exit_mode",
			json_object_new_boolean(!!(r->flags & FVX_RECORD_EXIT_MODE)));
	err |= JSON_PUT(obj, "ret", ret ? json_object_new_int64((int64_t)ret->args[0]) : NULL);
	err |= JSON_PUT(obj, "errno",
			e ? json_object_new_string(output_errno_name(e, buf, sizeof(buf))) : NULL);
	err |= JSON_PUT(obj, "decoded_args", decoded_args(o, entry, name, &err));
	data = data_args(entry, &err);
	if (data)
		err |= JSON_PUT(obj, "data", data);
	if (ret)
		decode_record_ret(ret, buf, sizeof(buf));
	err |= JSON_PUT(obj, "decoded_ret", ret ? json_object_new_string(buf) : NULL);
	if (o->opt.timestamps)
		err |= JSON_PUT(obj, "time", seconds(record_ns(o, r->tsc)));
	if (o->opt.durations)
		err |= JSON_PUT(obj, "duration", ns >= 0 ? seconds(ns) : NULL);
	json_emit(o, obj, err);
}

int cli_json_put(struct json_object *o, const char *key, struct json_object *v)
{
	if (o && json_object_object_add(o, key, v) == 0)
		return 0;
	json_object_put(v);
	return -1;
}

/* ---- pairing ---- */

/* How a call ended without its return: the thread began another call (its
 * return was lost), the thread ended in it (strace's exit event), or the
 * trace ended meanwhile. */
enum call_end { END_RETURNED, END_LOST, END_GONE, END_RUNNING };

/* " <unfinished ...>)", or ")": strace marks a call that ended without
 * showing what it fills (its decoder waits for the return), and one the
 * trace left running. */
static void print_close(struct output *o, uint64_t nr, enum call_end how)
{
	bool fills = decode_first_out_arg(nr, NULL) < 6;

	out_str(o, how == END_RUNNING || (how == END_GONE && fills) ? " <unfinished ...>)" : ")");
}

/* A call's whole line, printed when it ends: "name(args) = ret". */
static void print_whole(struct output *o, const struct call *entry,
			const struct fvx_trace_record *ret, const char *name, enum call_end how)
{
	print_call(o, entry, name, false);
	print_close(o, entry->entry.nr, how == END_GONE ? END_LOST : how);
	print_ret(o, &entry->entry, ret);
	out_char(o, '\n');
}

static void flush_signals(struct output *o, uint32_t pid);

/* Ends a call: `entry` is its pending call (removed here) or NULL when it
 * was not seen; `ret` its return record, or NULL when it did not return
 * (`how`). Signals its thread got meanwhile follow its line. */
static void complete(struct output *o, struct call *entry, const struct fvx_trace_record *ret,
		     enum call_end how)
{
	const struct fvx_trace_record *r = entry ? &entry->entry : ret;
	const struct fvx_trace_record *e = entry ? &entry->entry : NULL;
	uint32_t pid = r->pid;
	char buf[64];
	const char *name = syscall_record_name(r, buf, sizeof(buf));

	if (how == END_RUNNING && never_returns(name))
		how = END_LOST; /* it was not going to return */
	if (o->summary)
		summary_add(o->summary, r, ret && decode_errno((int64_t)ret->args[0]),
			    duration_ns(o, e, ret));
	if (!shown(o, ret)) {
		/* left out: -c, or -e status= (deferred: no line open) */
	} else if (o->opt.json) {
		print_json(o, entry, ret, name);
	} else if (entry && o->line_open && o->open_pid == e->pid) {
		if (how != END_GONE)
			print_tail(o, entry, name);
		print_close(o, r->nr, how);
		print_ret(o, e, ret);
		out_char(o, '\n');
		o->line_open = false;
	} else if (entry && deferred(o)) {
		print_whole(o, entry, ret, name, how);
	} else {
		begin_line(o, r->pid, ret ? ret->tsc : r->tsc);
		out_fmt(o, "<... %s resumed>", name);
		if (entry && how != END_GONE)
			print_tail(o, entry, name);
		print_close(o, r->nr, how == END_RUNNING ? END_LOST : how);
		print_ret(o, e, ret);
		out_char(o, '\n');
	}
	if (entry)
		pending_remove(o, entry);
	flush_signals(o, pid);
}

/* ---- 64-bit and 32-bit ---- */

/* Which call a record is of, whichever table numbers it: a 32-bit call is
 * its twin (execve's entry is 64-bit when its return is 32-bit, as the
 * program it started is). */
static uint64_t call_id(const struct fvx_trace_record *r)
{
	int twin = fvx_compat_twin(r->nr);

	if (!(r->flags & FVX_RECORD_COMPAT))
		return r->nr;
	return twin >= 0 ? (uint64_t)twin : 1ULL << 32 | r->nr;
}

static struct thread_mode *thread_find(const struct output *o, uint32_t pid)
{
	size_t at;

	return pid_index_find(&o->thread_at, pid, &at) ? &o->threads[at] : NULL;
}

static struct thread_mode *thread_add(struct output *o, uint32_t pid)
{
	if (o->thread_count == o->thread_max) {
		size_t max = o->thread_max ? 2 * o->thread_max : 16;
		struct thread_mode *t = realloc(o->threads, max * sizeof(*t));

		if (!t)
			return NULL;
		o->threads = t;
		o->thread_max = max;
	}
	if (!pid_index_set(&o->thread_at, pid, o->thread_count))
		return NULL;
	o->threads[o->thread_count].pid = pid;
	return &o->threads[o->thread_count++];
}

/* The thread is gone (exit, exit_group): its number may come again. The
 * last thread takes its place. */
static void thread_forget(struct output *o, uint32_t pid)
{
	struct thread_mode *t = thread_find(o, pid);

	if (!t)
		return;
	pid_index_remove(&o->thread_at, pid);
	*t = o->threads[--o->thread_count];
	if (t != &o->threads[o->thread_count])
		pid_index_set(&o->thread_at, t->pid, (size_t)(t - o->threads));
}

/* strace's line when a thread's call (an entry, or a return whose entry
 * was not seen) is 32-bit after 64-bit ones or the other way round,
 * before the call's line. A thread not seen before runs as the last call
 * seen did, as strace takes it. Text only. */
static void personality(struct output *o, const struct fvx_trace_record *r)
{
	bool compat = r->flags & FVX_RECORD_COMPAT;
	struct thread_mode *t = thread_find(o, r->pid);
	bool was = t ? t->compat : o->last_compat;

	if (!t)
		t = thread_add(o, r->pid);
	if (t)
		t->compat = compat;
	o->last_compat = compat;
	if (was == compat || o->opt.json || o->opt.summary)
		return;
	begin_line(o, r->pid, r->tsc);
	out_fmt(o, "[ Process PID=%u runs in %s mode. ]\n", r->pid, compat ? "32 bit" : "64 bit");
}

/* rt_sigreturn's argument, the mask it restored, is its return's in fast
 * mode (trace.h): unknown until then, in exit mode and for a 32-bit one. */
static void sigreturn_mask(struct fvx_trace_record *entry, const struct fvx_trace_record *ret)
{
	if (decode_decl_nr(entry) != __NR_rt_sigreturn)
		return;
	entry->args[0] =
		ret && !(entry->flags & FVX_RECORD_COMPAT) && !(ret->flags & FVX_RECORD_EXIT_MODE)
			? ret->args[1]
			: FVX_SIGRETURN_MASK_UNKNOWN;
}

static void on_entry(struct output *o, const struct fvx_trace_record *r)
{
	struct call *lost = pending_find(o, r->pid), *c, alone;
	struct call_data data;
	bool has_data = staged_take(o, r, &data);
	char buf[64];
	const char *name;

	/* The thread began another call: the last one's return was lost. */
	if (lost)
		complete(o, lost, NULL, END_LOST);
	personality(o, r);
	name = syscall_record_name(r, buf, sizeof(buf));
	if (never_returns(name))
		thread_forget(o, r->pid);
	/* (exit and exit_group end with their thread: its exit record.) */
	c = pending_add(o, r, has_data ? &data : NULL);
	if (c)
		sigreturn_mask(&c->entry, NULL);
	if (!c) {
		alone.entry = *r;
		sigreturn_mask(&alone.entry, NULL);
		if (has_data)
			alone.data = data;
		else
			memset(&alone.data, 0, sizeof(alone.data));
		if (o->summary)
			summary_add(o->summary, r, false, -1);
		if (shown(o, NULL)) {
			if (o->opt.json)
				print_json(o, &alone, NULL, name);
			else
				print_whole(o, &alone, NULL, name, END_LOST);
		}
		call_data_free(&alone.data);
		return;
	}
	if (deferred(o))
		return;
	print_call(o, c, name, true);
	o->line_open = true;
	o->open_pid = r->pid;
}

static void on_return(struct output *o, const struct fvx_trace_record *r)
{
	struct call *entry = pending_find(o, r->pid);
	struct call_data data;
	bool has_data = staged_take(o, r, &data);

	/* Another call's return: the pending one did not return. */
	if (entry && call_id(&entry->entry) != call_id(r)) {
		complete(o, entry, NULL, END_LOST);
		entry = NULL;
	}
	if (!entry)
		personality(o, r);
	if (entry && has_data)
		call_data_merge(&entry->data, &data);
	if (has_data)
		call_data_free(&data); /* what was not merged */
	if (entry) {
		entry->data.returned = true;
		entry->data.ret = (int64_t)r->args[0];
		sigreturn_mask(&entry->entry, r);
	}
	complete(o, entry, r, END_RETURNED);
}

/* A quick call recorded once, as it returned (FVX_RECORD_WHOLE): its
 * entry and its return, the same moment (-T shows no time in it). */
static void on_whole(struct output *o, const struct fvx_trace_record *r)
{
	struct fvx_trace_record entry = *r, ret = *r;

	entry.flags &= ~(FVX_RECORD_RETURN | FVX_RECORD_WHOLE);
	entry.args[FVX_QUICK_VALUE] = 0;
	ret.flags &= ~FVX_RECORD_WHOLE;
	memset(ret.args, 0, sizeof(ret.args));
	ret.args[0] = r->args[FVX_QUICK_VALUE];
	on_entry(o, &entry);
	on_return(o, &ret);
}

/* ---- what happened to a task: strace's "+++" and "---" lines ---- */

/* "[pid N] +++ exited with 0 +++", "[pid N] --- SIGCHLD {...} ---" (`mark`
 * around `text`), or as JSON: {"seq": ..., "event": "exit", ...}. Not with
 * -c. */
static void print_task(struct output *o, const struct fvx_trace_record *r, const char *mark,
		       const char *text, const char *event)
{
	struct json_object *obj;
	int err = 0;

	if (o->opt.summary)
		return;
	if (!o->opt.json) {
		begin_line(o, r->pid, r->tsc);
		out_fmt(o, "%s %s %s\n", mark, text, mark);
		return;
	}
	obj = json_object_new_object();
	err |= json_head(obj, r);
	err |= JSON_PUT(obj, "event", json_object_new_string(event));
	if (r->nr == FVX_TASK_EXIT) {
		err |= JSON_PUT(obj, "status", json_object_new_int64((uint32_t)r->args[0]));
		err |= JSON_PUT(obj, "last_thread", json_object_new_boolean(!!r->args[1]));
	} else {
		err |= JSON_PUT(obj, "signal",
				json_object_new_int64(fvx_signal_number(r->args[1])));
		if (strcmp(event, "stopped"))
			err |= JSON_PUT(obj, "si_code",
					json_object_new_int64(fvx_signal_code(r->args[1])));
	}
	err |= JSON_PUT(obj, "decoded", json_object_new_string(text));
	if (o->opt.timestamps)
		err |= JSON_PUT(obj, "time", seconds(record_ns(o, r->tsc)));
	json_emit(o, obj, err);
}

/* A signal's line, and after it strace's "--- stopped by SIGSTOP ---" when
 * the task's default action for it stops the task (JSON: "event":
 * "stopped"). */
static void print_signal(struct output *o, const struct fvx_trace_record *r)
{
	char text[512];

	decode_signal(r, text, sizeof(text));
	print_task(o, r, "---", text, "signal");
	if (fvx_signal_stops(r->args[1])) {
		decode_stop(r, text, sizeof(text));
		print_task(o, r, "---", text, "stopped");
	}
}

/* A signal shows after the line of the call its thread is in (the thread
 * takes it when the call ends, as under strace): kept until then. */
static void on_signal(struct output *o, const struct fvx_trace_record *r)
{
	struct fvx_trace_record *p;
	size_t max;

	if (!pending_find(o, r->pid)) {
		print_signal(o, r);
		return;
	}
	if (o->signal_count == o->signal_max) {
		max = o->signal_max ? 2 * o->signal_max : 8;
		p = max <= OUTPUT_SIGNALS_MAX ? realloc(o->signals, max * sizeof(*p)) : NULL;
		if (!p) {
			print_signal(o, r); /* too many waiting: at once */
			return;
		}
		o->signals = p;
		o->signal_max = max;
	}
	o->signals[o->signal_count++] = *r;
}

/* The signals thread pid got while in its call, in order. */
static void flush_signals(struct output *o, uint32_t pid)
{
	size_t i = 0;

	while (i < o->signal_count) {
		if (o->signals[i].pid != pid) {
			i++;
			continue;
		}
		print_signal(o, &o->signals[i]);
		memmove(o->signals + i, o->signals + i + 1,
			(--o->signal_count - i) * sizeof(*o->signals));
	}
}

/* A thread ended: the call it was in ends "= ?", as strace ends it. */
static void on_exit_record(struct output *o, const struct fvx_trace_record *r)
{
	struct call *c = pending_find(o, r->pid);
	struct call_data unused = { 0 };
	char how[64];

	staged_take(o, r, &unused); /* its data can have no owner now */
	call_data_free(&unused);
	if (c)
		complete(o, c, NULL, END_GONE);
	flush_signals(o, r->pid);
	thread_forget(o, r->pid); /* (killed, or another thread's exit_group) */
	decode_exit(r->args[0], how, sizeof(how));
	print_task(o, r, "+++", how, "exit");
}

static void on_task(struct output *o, const struct fvx_trace_record *r)
{
	switch (r->nr) {
	case FVX_TASK_FORK: o->unfollowed++; break; /* a child not followed by fork */
	case FVX_TASK_EXIT: on_exit_record(o, r); break;
	case FVX_TASK_SIGNAL: on_signal(o, r); break;
	}
}

/* ---- io_uring operations ---- */

/* "[pid N] io_uring IORING_OP_OPENAT openat(AT_FDCWD, "/tmp/x", O_RDONLY)":
 * what an operation asks for, as the call that does the same (it has no
 * return of its own here: its completion is the ring's); one without such
 * a call as its entry's fields. In JSON an object with "event": "io_uring".
 * Not counted by -c, which counts system calls; shown unless -e status=
 * asks for some (it has no status). */
static void print_uring(struct output *o, const struct fvx_trace_record *r, const struct call *c)
{
	bool twin = fvx_uring_twin(fvx_uring_record_op(r->flags)) >= 0;
	char op[64], buf[64], raw[256];
	const char *name;
	struct json_object *obj, *data;
	int err = 0;

	if (o->opt.summary || o->opt.status != STATUS_ALL)
		return;
	decode_uring_op(fvx_uring_record_op(r->flags), op, sizeof(op));
	name = syscall_record_name(r, buf, sizeof(buf));
	if (!twin)
		decode_uring_raw(r, raw, sizeof(raw));
	if (!o->opt.json) {
		begin_line(o, r->pid, r->tsc);
		out_fmt(o, "io_uring %s ", op);
		if (twin) {
			out_fmt(o, "%s(", name);
			print_args(o, c, name, 0, 6, false);
			out_str(o, ")\n");
		} else {
			out_fmt(o, "%s\n", raw);
		}
		return;
	}
	obj = json_object_new_object();
	err |= json_head(obj, r);
	err |= JSON_PUT(obj, "event", json_object_new_string("io_uring"));
	err |= JSON_PUT(obj, "op", json_object_new_string(op));
	if (twin) {
		err |= JSON_PUT(obj, "nr", json_object_new_uint64(r->nr));
		err |= JSON_PUT(obj, "name", json_object_new_string(name));
		err |= JSON_PUT(obj, "args", raw_args(c, &err));
		err |= JSON_PUT(obj, "decoded_args", decoded_args(o, c, name, &err));
		data = data_args(c, &err);
		if (data)
			err |= JSON_PUT(obj, "data", data);
	} else {
		err |= JSON_PUT(obj, "sqe", raw_args(c, &err));
		err |= JSON_PUT(obj, "decoded", json_object_new_string(raw));
	}
	if (o->opt.timestamps)
		err |= JSON_PUT(obj, "time", seconds(record_ns(o, r->tsc)));
	json_emit(o, obj, err);
}

static void on_uring(struct output *o, const struct fvx_trace_record *r)
{
	struct call c = { .entry = *r };

	(void)staged_take(o, r, &c.data); /* (c.data stays zero without) */
	print_uring(o, r, &c);
	call_data_free(&c.data);
}

/* A completed io_uring read's buffer as its completion is posted, as its
 * call's return shows it (", buffer at completion \"hello\\n\""): each
 * value captured and readable; nothing when its submission's arguments were
 * not kept, or were dropped (fvx_uring_spoil, README). */
static void print_buffer(struct output *o, const struct call *c)
{
	char text[6][DECODE_ARG_MAX];
	struct fvx_trace_record call = c->entry;
	int i, n;

	/* (The completion does not carry the addresses: a stand-in where a
	 * value came, whose decoding shows the value.) */
	for (i = 0; i < 6; i++)
		call.args[i] = call_data_value(&c->data, i) ? ~0ULL : 0;
	n = decode_args(&call, &c->data, 6, o->opt.string_limit, text);
	for (i = 0; i < n; i++) {
		const struct captured *v = call_data_value(&c->data, i);

		if (v && v->state != FVX_DATA_UNREADABLE)
			out_fmt(o, ", buffer at completion %s", text[i]);
	}
}

/* "[pid N] io_uring IORING_OP_OPENAT completed user_data=0x2a = 5": an
 * operation's result, in the task that completed it (the submitter, the
 * ring's SQPOLL thread or an io worker), decoded as its twin call's return
 * (`= -1 ENOENT (No such file or directory)`); the user_data pairs it with
 * its submission; a read's buffer follows (print_buffer; JSON "data", as
 * a call's). A completion Linux posts
 * without its request (each but
 * the last result of a multishot accept, recv or poll; an
 * IORING_OP_MSG_RING message, whose sender chooses user_data and result
 * and may post it to another process's ring) says so: nothing ties it to
 * a submission. In JSON "event": "io_uring_result". Not counted by -c
 * (as on_uring); judged by -e status= as a call's return is (failed: an
 * error). */
static void on_uring_done(struct output *o, const struct fvx_trace_record *r)
{
	uint32_t op = fvx_uring_record_op(r->flags);
	int64_t res = (int64_t)r->args[0];
	char name[64], text[128], errno_name[64];
	struct call c = { .entry = { .nr = r->nr, .flags = FVX_RECORD_URING } };
	struct json_object *obj, *data;
	int e = decode_errno(res), err = 0;

	(void)staged_take(o, r, &c.data); /* what it filled (c.data stays zero without) */
	if (o->opt.summary || !(o->opt.status & (e ? STATUS_FAILED : STATUS_SUCCESSFUL))) {
		call_data_free(&c.data);
		return;
	}
	if (op == FVX_URING_OP_NONE)
		snprintf(name, sizeof(name),
			 "(no request: a multishot result or a MSG_RING message)");
	else
		decode_uring_op(op, name, sizeof(name));
	decode_record_ret(r, text, sizeof(text));
	if (!o->opt.json) {
		begin_line(o, r->pid, r->tsc);
		out_fmt(o, "io_uring %s completed user_data=%#" PRIx64 " = %s", name,
			(uint64_t)r->args[1], text);
		print_buffer(o, &c);
		out_char(o, '\n');
		call_data_free(&c.data);
		return;
	}
	obj = json_object_new_object();
	err |= json_head(obj, r);
	err |= JSON_PUT(obj, "event", json_object_new_string("io_uring_result"));
	err |= JSON_PUT(obj, "op", op == FVX_URING_OP_NONE ? NULL : json_object_new_string(name));
	err |= JSON_PUT(obj, "user_data", json_object_new_uint64(r->args[1]));
	err |= JSON_PUT(obj, "cqe_flags", json_object_new_uint64((uint32_t)r->args[2]));
	err |= JSON_PUT(obj, "ret", json_object_new_int64(res));
	err |= JSON_PUT(
		obj, "errno",
		e ? json_object_new_string(output_errno_name(e, errno_name, sizeof(errno_name)))
		  : NULL);
	err |= JSON_PUT(obj, "decoded_ret", json_object_new_string(text));
	data = data_args(&c, &err);
	if (data)
		err |= JSON_PUT(obj, "data", data);
	if (o->opt.timestamps)
		err |= JSON_PUT(obj, "time", seconds(record_ns(o, r->tsc)));
	json_emit(o, obj, err);
	call_data_free(&c.data);
}

void output_record(struct output *o, const struct fvx_trace_record *r)
{
	if (r->flags & FVX_RECORD_TASK)
		on_task(o, r);
	else if (r->flags & FVX_RECORD_DATA)
		staged_add(o, r);
	else if ((r->flags & FVX_RECORD_URING) && (r->flags & FVX_RECORD_RETURN))
		on_uring_done(o, r);
	else if (r->flags & FVX_RECORD_URING)
		on_uring(o, r);
	else if ((r->flags & (FVX_RECORD_RETURN | FVX_RECORD_WHOLE)) ==
		 (FVX_RECORD_RETURN | FVX_RECORD_WHOLE))
		on_whole(o, r);
	else if (r->flags & FVX_RECORD_RETURN)
		on_return(o, r);
	else
		on_entry(o, r);
	if (o->line_len >= sizeof(o->line) / 2)
		out_flush(o);
}

void output_flush(struct output *o)
{
	out_flush(o);
	fflush(o->out);
}

void output_finish(struct output *o, FILE *table)
{
	if (o->line_open)
		complete(o, pending_find(o, o->open_pid), NULL, END_RUNNING);
	pending_sort(o);
	while (o->pending_count)
		complete(o, &o->pending[o->pending_count - 1], NULL, END_RUNNING);
	while (o->signal_count)
		flush_signals(o, o->signals[0].pid);
	free(o->pending);
	o->pending = NULL;
	o->pending_max = 0;
	pid_index_free(&o->pending_at);
	free(o->signals);
	o->signals = NULL;
	o->signal_max = 0;
	while (o->staged_count)
		call_data_free(&o->staged[--o->staged_count].data);
	free(o->staged);
	o->staged = NULL;
	free(o->threads);
	o->threads = NULL;
	pid_index_free(&o->thread_at);
	o->thread_count = o->thread_max = 0;
	out_flush(o);
	if (o->summary && table)
		summary_print(o->summary, table);
	free(o->summary);
	o->summary = NULL;
}

void output_summary(FILE *err, uint64_t records, uint64_t dropped)
{
	fprintf(err, "fastvmix: %" PRIu64 " records, %" PRIu64 " dropped\n", records, dropped);
}
