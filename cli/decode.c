/* Decoding a system call's arguments and return value as strace shows
 * them, from the argument types of fastvmix/syscall_args.h and the name tables
 * generated from the uapi headers (build/gen/const_names.h). Every value a
 * table does not name is shown as a number, so any record decodes. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/futex.h>
#include <linux/netlink.h>
#include <linux/prctl.h>
#include <linux/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include "cli.h"
#include "const_names.h"
#include "errno_names.h"

#define MAX_ERRNO 4095 /* -4095..-1 are errors, as Linux's IS_ERR_VALUE */
#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

/* ---- appending to a bounded buffer: too long is cut, never overrun ---- */

struct text {
	char *p;
	size_t size, len;
};

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len + 1 >= t->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->p + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n < t->size - t->len ? (size_t)n : t->size - t->len - 1;
}

/* One character, as put(t, "%c", c) without printf: strings are
 * quoted one character at a time. */
static void put_char(struct text *t, char c)
{
	if (t->len + 1 >= t->size)
		return;
	t->p[t->len++] = c;
	t->p[t->len] = 0;
}

/* ---- names from the generated tables ---- */

static const char *decode_value(const struct const_name *t, size_t n, uint64_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].value == v)
			return t[i].name;
	return NULL;
}

/* Appends the names of v's bits (the table has its widest masks first), a
 * hex remainder for bits without a name; nothing when v is 0. */
static void put_flags(struct text *t, const struct const_name *tab, size_t n, uint64_t v)
{
	const char *sep = "";
	size_t i;

	for (i = 0; i < n && v; i++)
		if (tab[i].value && (v & tab[i].value) == tab[i].value) {
			put(t, "%s%s", sep, tab[i].name);
			v &= ~tab[i].value;
			sep = "|";
		}
	if (v)
		put(t, "%s%#" PRIx64, sep, v);
}

/* Flags, or the name of no flag (PROT_NONE, F_OK, 0). */
static void put_flag_set(struct text *t, const struct const_name *tab, size_t n, uint64_t v,
			 const char *zero)
{
	if (!v)
		put(t, "%s", zero ? zero : "0");
	put_flags(t, tab, n, v);
}

static void put_value(struct text *t, const struct const_name *tab, size_t n, uint64_t v, bool hex)
{
	const char *name = decode_value(tab, n, v);

	if (name)
		put(t, "%s", name);
	else if (hex)
		put(t, "%#" PRIx64, v);
	else
		put(t, "%d", (int)v);
}

/* The name of v, an int, or as strace shows a value it has no name for:
 * "0x3e8" and a comment with the prefix and "_???" in it, as for prctl's. */
static void put_named(struct text *t, const struct const_name *tab, size_t n, uint64_t v,
		      const char *prefix)
{
	const char *name = decode_value(tab, n, (uint32_t)v);

	if (name)
		put(t, "%s", name);
	else
		put(t, "%#" PRIx32 " /* %s_??? */", (uint32_t)v, prefix);
}

/* The same for a long, which has no name beyond 32 bits. */
static void put_named_long(struct text *t, const struct const_name *tab, size_t n, uint64_t v,
			   const char *prefix)
{
	if (v >> 32)
		put(t, "%#" PRIx64 " /* %s_??? */", v, prefix);
	else
		put_named(t, tab, n, v, prefix);
}

/* SIGRTMIN + n has no name of its own: SIGRT_n, as strace shows it. The
 * kernel's signals are the 64 bits of its sigset_t on x86-64. */
static void put_signal(struct text *t, uint64_t v)
{
	const char *name = v ? decode_value(signals, COUNT(signals), v) : NULL;
	size_t i;

	if (name) {
		put(t, "%s", name);
		return;
	}
	for (i = 0; i < COUNT(signals); i++)
		if (!strcmp(signals[i].name, "SIGRTMIN") && v > signals[i].value && v <= 64) {
			put(t, "SIGRT_%" PRIu64, v - signals[i].value);
			return;
		}
	put(t, "%d", (int)v);
}

/* open(2)'s flags: the access mode (not a bit of its own), then the rest. */
static void put_open_flags(struct text *t, uint64_t v)
{
	put_value(t, open_access, COUNT(open_access), v & O_ACCMODE, false);
	if (v & ~(uint64_t)O_ACCMODE) {
		put(t, "|");
		put_flags(t, open_flags, COUNT(open_flags), v & ~(uint64_t)O_ACCMODE);
	}
}

/* socket(2)'s type: a type in the low bits, SOCK_CLOEXEC|SOCK_NONBLOCK. */
static void put_socket_type(struct text *t, uint64_t v)
{
	uint64_t type = v & 0xf; /* SOCK_TYPE_MASK, of the kernel's linux/net.h */

	put_value(t, socket_types, COUNT(socket_types), type, false);
	if (v & ~type) {
		put(t, "|");
		put_flags(t, socket_type_flags, COUNT(socket_type_flags), v & ~type);
	}
}

/* futex(2)'s op: a command, FUTEX_PRIVATE_FLAG shown as a _PRIVATE suffix
 * and FUTEX_CLOCK_REALTIME as a flag, as strace shows them. */
static void put_futex_op(struct text *t, uint64_t v)
{
	uint64_t cmd = v & FUTEX_CMD_MASK, rest = v & ~(uint64_t)FUTEX_CMD_MASK;

	put_value(t, futex_cmds, COUNT(futex_cmds), cmd, false);
	if (v & FUTEX_PRIVATE_FLAG) {
		put(t, "_PRIVATE");
		rest &= ~(uint64_t)FUTEX_PRIVATE_FLAG;
	}
	if (v & FUTEX_CLOCK_REALTIME) {
		put(t, "|FUTEX_CLOCK_REALTIME");
		rest &= ~(uint64_t)FUTEX_CLOCK_REALTIME;
	}
	if (rest)
		put(t, "|%#" PRIx64, rest);
}

/* statx's flags as strace shows them: the sync type first
 * (AT_STATX_SYNC_AS_STAT when 0), then the AT_ flags. */
static void put_statx_flags(struct text *t, uint32_t v)
{
	const char *sync = decode_value(statx_sync, COUNT(statx_sync), v & AT_STATX_SYNC_TYPE);

	if (sync) {
		put(t, "%s", sync);
		v &= ~(uint32_t)AT_STATX_SYNC_TYPE;
		if (v)
			put(t, "|");
	} else if (!v) {
		put(t, "0");
	}
	put_flags(t, at_flags, COUNT(at_flags), v);
}

/* A statx mask: STATX_ names, or with none of them strace's comment. */
static void put_statx_mask(struct text *t, uint32_t v)
{
	size_t i;

	for (i = 0; i < COUNT(statx_mask) && !(v & statx_mask[i].value); i++)
		;
	if (v && i == COUNT(statx_mask))
		put(t, "%#" PRIx32 " /* STATX_??? */", v);
	else
		put_flag_set(t, statx_mask, COUNT(statx_mask), v, "0");
}

static void put_arg(struct text *t, enum fvx_arg_type type, uint64_t v)
{
	/* A pointer, its contents not captured (structures) or not readable:
	 * the address, as strace shows a pointer it cannot read. (prctl's
	 * argument is one only by its option: decode_prctl.) */
	if (type == FVX_ARG_PTR || type == FVX_ARG_STRUCT ||
	    (fvx_type_captured(type) && type != FVX_ARG_PRCTL_ARG)) {
		if (v)
			put(t, "%#" PRIx64, v);
		else
			put(t, "NULL");
		return;
	}
	switch (type) {
	case FVX_ARG_END:
	case FVX_ARG_INT:
	case FVX_ARG_FD: put(t, "%d", (int)v); break;
	case FVX_ARG_LONG: put(t, "%" PRId64, (int64_t)v); break;
	case FVX_ARG_ULONG: put(t, "%" PRIu64, v); break;
	case FVX_ARG_HEX: put(t, "%#" PRIx64, v); break;
	case FVX_ARG_DIRFD:
		if ((int)v == AT_FDCWD)
			put(t, "AT_FDCWD");
		else
			put(t, "%d", (int)v);
		break;
	case FVX_ARG_MODE: put(t, "%#03" PRIo64, v); break;
	case FVX_ARG_OPEN_FLAGS: put_open_flags(t, v); break;
	case FVX_ARG_FD_FLAGS: put_flag_set(t, open_flags, COUNT(open_flags), v, "0"); break;
	case FVX_ARG_AT_FLAGS: put_flag_set(t, at_flags, COUNT(at_flags), v, "0"); break;
	case FVX_ARG_PROT: put_flag_set(t, prot_flags, COUNT(prot_flags), v, "PROT_NONE"); break;
	case FVX_ARG_MAP_FLAGS: put_flag_set(t, map_flags, COUNT(map_flags), v, "0"); break;
	case FVX_ARG_MADVISE: put_value(t, madvise_advice, COUNT(madvise_advice), v, false); break;
	case FVX_ARG_CLONE_FLAGS: put_flag_set(t, clone_flags, COUNT(clone_flags), v, "0"); break;
	case FVX_ARG_SIGNAL: put_signal(t, v); break;
	case FVX_ARG_SIGRETURN_MASK: {
		char set[512] = "?";

		if (!fvx_sigreturn_mask_unknown(v))
			decode_sigset(v, set, sizeof(set));
		put(t, "{mask=%s}", set);
		break;
	}
	case FVX_ARG_SIGPROCMASK_HOW:
		put_value(t, sigprocmask_how, COUNT(sigprocmask_how), v, false);
		break;
	case FVX_ARG_WHENCE: put_value(t, seek_whence, COUNT(seek_whence), v, false); break;
	case FVX_ARG_FCNTL_CMD: put_value(t, fcntl_cmds, COUNT(fcntl_cmds), v, false); break;
	case FVX_ARG_IOCTL_REQUEST:
		put_value(t, ioctl_cmds, COUNT(ioctl_cmds), v & 0xffffffff, true);
		break;
	case FVX_ARG_FAMILY: put_value(t, socket_families, COUNT(socket_families), v, false); break;
	case FVX_ARG_SOCKET_TYPE: put_socket_type(t, v); break;
	case FVX_ARG_MSG_FLAGS: put_flag_set(t, msg_flags, COUNT(msg_flags), v, "0"); break;
	case FVX_ARG_PROTOCOL: put(t, "%d", (int)v); break; /* (by family: decode_args) */
	case FVX_ARG_SOCKET_FLAGS:
		put_flag_set(t, socket_type_flags, COUNT(socket_type_flags), v, "0");
		break;
	case FVX_ARG_ACCESS_MODE:
		put_flag_set(t, access_modes, COUNT(access_modes), v, "F_OK");
		break;
	case FVX_ARG_FUTEX_OP: put_futex_op(t, v); break;
	case FVX_ARG_WAIT_OPTIONS:
		put_flag_set(t, wait_options, COUNT(wait_options), v, "0");
		break;
	case FVX_ARG_CLOCKID:
		/* (One without a name: a process's or a thread's CPU clock, a
		 * device's.) */
		put_named(t, clock_ids, COUNT(clock_ids), v, "CLOCK");
		break;
	case FVX_ARG_TIMER_FLAGS: put_flag_set(t, timer_flags, COUNT(timer_flags), v, "0"); break;
	case FVX_ARG_PRCTL_OPTION:
		put_named(t, prctl_options, COUNT(prctl_options), v, "PR");
		break;
	case FVX_ARG_PTRACE_REQUEST:
		put_named_long(t, ptrace_requests, COUNT(ptrace_requests), v, "PTRACE");
		break;
	case FVX_ARG_PRCTL_ARG: put(t, "%#" PRIx64, v); break; /* (by option: decode_prctl) */
	case FVX_ARG_ITIMER_WHICH:
		put_named(t, itimer_which, COUNT(itimer_which), v, "ITIMER");
		break;
	case FVX_ARG_RLIMIT_RESOURCE:
		put_named(t, rlimit_resources, COUNT(rlimit_resources), v, "RLIMIT");
		break;
	case FVX_ARG_TIMERFD_FLAGS:
		put_flag_set(t, timerfd_flags, COUNT(timerfd_flags), v, "0");
		break;
	case FVX_ARG_TIMERFD_SETTIME_FLAGS:
		put_flag_set(t, timerfd_settime_flags, COUNT(timerfd_settime_flags), v, "0");
		break;
	case FVX_ARG_STATX_FLAGS: put_statx_flags(t, (uint32_t)v); break;
	case FVX_ARG_STATX_MASK: put_statx_mask(t, (uint32_t)v); break;
	default: put(t, "%#" PRIx64, v); break;
	}
}

void decode_arg(enum fvx_arg_type type, uint64_t v, char *buf, size_t size)
{
	struct text t = { buf, size, 0 };

	buf[0] = 0;
	put_arg(&t, type, v);
}

/* clone(2) on x86-64 takes (flags, stack, parent_tid, child_tid, tls);
 * strace shows them named, the stack first, the exit signal among the
 * flags, and the tid and tls pointers only when a flag makes them used. */
static int decode_clone(const __u64 a[6], char text[6][DECODE_ARG_MAX])
{
	struct text t;
	int n = 0;

	t = (struct text){ text[n++], DECODE_ARG_MAX, 0 };
	put(&t, "child_stack=");
	put_arg(&t, FVX_ARG_PTR, a[1]);
	t = (struct text){ text[n++], DECODE_ARG_MAX, 0 };
	put(&t, "flags=");
	put_flags(&t, clone_flags, COUNT(clone_flags), a[0] & ~(uint64_t)CSIGNAL);
	if (a[0] & CSIGNAL) {
		if (a[0] & ~(uint64_t)CSIGNAL)
			put(&t, "|");
		put_signal(&t, a[0] & CSIGNAL);
	} else if (!a[0]) {
		put(&t, "0");
	}
	if (a[0] & (CLONE_PARENT_SETTID | CLONE_PIDFD)) {
		t = (struct text){ text[n++], DECODE_ARG_MAX, 0 };
		put(&t, "parent_tid=");
		put_arg(&t, FVX_ARG_PTR, a[2]);
	}
	if (a[0] & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
		t = (struct text){ text[n++], DECODE_ARG_MAX, 0 };
		put(&t, "child_tidptr=");
		put_arg(&t, FVX_ARG_PTR, a[3]);
	}
	if (a[0] & CLONE_SETTLS) {
		t = (struct text){ text[n++], DECODE_ARG_MAX, 0 };
		put(&t, "tls=");
		put_arg(&t, FVX_ARG_PTR, a[4]);
	}
	return n;
}

/* n empty texts over text's first n. */
static void texts_start(struct text *t, char text[6][DECODE_ARG_MAX], int n)
{
	int i;

	for (i = 0; i < n; i++) {
		t[i] = (struct text){ text[i], DECODE_ARG_MAX, 0 };
		text[i][0] = 0;
	}
}

/* A signal, 0 for none, or a number that is none (a long). */
static void put_signal_or_0(struct text *t, uint64_t sig)
{
	if (sig && sig <= 64)
		put_signal(t, (uint32_t)sig);
	else
		put(t, "%" PRIu64, sig);
}

/* ptrace(2) as strace 6.1 shows it: PTRACE_TRACEME alone; the requests
 * that take a pid only (PTRACE_ATTACH...) with it; the resuming ones with
 * their signal, PTRACE_SEIZE and PTRACE_SETOPTIONS with their options;
 * the rest with address and data as pointers (strace shows what some of
 * them point to: README). */
static int decode_ptrace(const __u64 a[6], char text[6][DECODE_ARG_MAX])
{
	struct text t[4];

	texts_start(t, text, 4);
	put_arg(&t[0], FVX_ARG_PTRACE_REQUEST, a[0]);
	put(&t[1], "%d", (int)a[1]);
	put_arg(&t[2], FVX_ARG_PTR, a[2]);
	switch (a[0] >> 32 ? ~0ULL : a[0]) { /* (a long request) */
	case PTRACE_TRACEME: return 1;
	case PTRACE_ATTACH:
	case PTRACE_KILL:
	case PTRACE_INTERRUPT:
	case PTRACE_LISTEN: return 2;
	case PTRACE_DETACH:
	case PTRACE_CONT:
	case PTRACE_SYSCALL:
	case PTRACE_SINGLESTEP:
	case PTRACE_SINGLEBLOCK:
	case PTRACE_SYSEMU:
	case PTRACE_SYSEMU_SINGLESTEP: put_signal_or_0(&t[3], a[3]); return 4;
	case PTRACE_SEIZE:
	case PTRACE_SETOPTIONS:
		put_flag_set(&t[3], ptrace_options, COUNT(ptrace_options), a[3], "0");
		return 4;
	}
	put_arg(&t[3], FVX_ARG_PTR, a[3]);
	return 4;
}

static void put_quoted(struct text *t, const uint8_t *s, size_t len, bool more);

/* prctl(2) as strace 6.1 shows it for the options below (the task's name
 * a string of at most 15 bytes, "..." beyond, as Linux takes it; the
 * address when it was not read); any other with its four arguments in hex
 * (strace decodes more of them: README). */
static int decode_prctl(const __u64 a[6], const struct call_data *data,
			char text[6][DECODE_ARG_MAX])
{
	const struct captured *name = call_data_value(data, 1);
	struct text t[5];
	int i;

	texts_start(t, text, 5);
	put_arg(&t[0], FVX_ARG_PRCTL_OPTION, a[0]);
	switch ((uint32_t)a[0]) {
	case PR_GET_DUMPABLE: return 1;
	case PR_SET_NAME:
	case PR_GET_NAME:
		if (!a[1] || !name || name->state == FVX_DATA_UNREADABLE)
			put_arg(&t[1], FVX_ARG_PTR, a[1]);
		else
			put_quoted(
				&t[1], name->bytes,
				name->total < FVX_COMM_SIZE - 1 ? name->total : FVX_COMM_SIZE - 1,
				name->state == FVX_DATA_TRUNCATED || name->total >= FVX_COMM_SIZE);
		return 2;
	case PR_SET_PDEATHSIG: put_signal_or_0(&t[1], a[1]); return 2;
	case PR_SET_DUMPABLE: put(&t[1], "%d", (int)a[1]); return 2;
	case PR_CAPBSET_READ:
	case PR_CAPBSET_DROP:
		put_named_long(&t[1], capabilities, COUNT(capabilities), a[1], "CAP");
		return 2;
	case PR_SET_NO_NEW_PRIVS:
		for (i = 1; i < 5; i++)
			put(&t[i], "%" PRIu64, a[i]);
		return 5;
	}
	for (i = 1; i < 5; i++)
		put(&t[i], "%#" PRIx64, a[i]);
	return 5;
}

/* Small values (fds, sizes, flags) in decimal, the rest (addresses) in hex:
 * a call syscall_args.h does not describe. */
static void decode_unknown(uint64_t v, char *buf)
{
	if (v < 4096)
		snprintf(buf, DECODE_ARG_MAX, "%" PRIu64, v);
	else
		snprintf(buf, DECODE_ARG_MAX, "%#" PRIx64, v);
}

/* ---- strings and buffers: the data records ---- */

bool call_data_add(struct call_data *d, const struct fvx_trace_record *r)
{
	struct fvx_data_header h = fvx_data_header_unpack(r->cr3);
	struct captured *c;

	if (!(r->flags & FVX_RECORD_DATA) || !fvx_data_header_valid(h))
		return false;
	c = &d->arg[h.arg];
	if (c->state && (c->state != h.state || c->total != h.total))
		c->spoilt = true;
	if (!c->state && !c->spoilt) {
		c->bytes = calloc(1, h.total > CAPTURED_MIN ? h.total : CAPTURED_MIN);
		c->spoilt = !c->bytes;
	}
	if (c->spoilt)
		return true;
	c->state = h.state;
	c->total = h.total;
	c->pieces[h.offset / FVX_DATA_PIECE / 64] |= 1ULL << (h.offset / FVX_DATA_PIECE % 64);
	memcpy(c->bytes + h.offset, r->args, h.length);
	return true;
}

const struct captured *call_data_value(const struct call_data *d, int i)
{
	const struct captured *c = d ? &d->arg[i] : NULL;
	unsigned int want, k;

	if (!c || !c->state || c->spoilt)
		return NULL;
	/* Pieces 0..want-1 (an empty value: piece 0 alone), no other. */
	want = c->total ? (c->total + FVX_DATA_PIECE - 1) / FVX_DATA_PIECE : 1;
	for (k = 0; k < 128; k++)
		if ((c->pieces[k / 64] >> (k % 64) & 1) != (k < want))
			return NULL;
	return c;
}

void call_data_merge(struct call_data *to, struct call_data *from)
{
	int i;

	for (i = 0; i < 6; i++)
		if (from->arg[i].state) {
			free(to->arg[i].bytes);
			to->arg[i] = from->arg[i];
			memset(&from->arg[i], 0, sizeof(from->arg[i]));
		}
}

void call_data_free(struct call_data *d)
{
	int i;

	for (i = 0; i < 6; i++)
		if (d->arg[i].bytes) /* (most calls have none) */
			free(d->arg[i].bytes);
	memset(d, 0, sizeof(*d));
}

/* strace's string_quote: C escapes for the usual controls, the printable
 * ASCII as it is, octal for the rest in as few digits as can be read back
 * (three when a digit follows). */
static void put_quoted(struct text *t, const uint8_t *s, size_t len, bool more)
{
	static const char esc_from[] = "\"\\\f\n\r\t\v", esc_to[] = "\"\\fnrtv";
	size_t i;

	put(t, "\"");
	for (i = 0; i < len; i++) {
		const char *e = s[i] ? strchr(esc_from, s[i]) : NULL;
		unsigned int c = s[i];

		if (e)
			put(t, "\\%c", esc_to[e - esc_from]);
		else if (c >= 0x20 && c < 0x7f)
			put_char(t, (char)c);
		else if (i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '7')
			put(t, "\\%03o", c);
		else
			put(t, "\\%o", c);
	}
	put(t, more ? "\"..." : "\"");
}

void decode_quoted(const uint8_t *bytes, size_t len, bool more, char *buf, size_t size)
{
	struct text t = { buf, size, 0 };

	buf[0] = 0;
	put_quoted(&t, bytes, len, more);
}

/* ---- execve's argv and envp ---- */

/* The item of an argv value (trace.h) at *at, moved past it: its kind
 * (FVX_VEC_*) with its string or pointer, 0 at the value's end, -1 when
 * the bytes there are not an item. */
static int argv_item(const struct captured *c, size_t *at, const uint8_t **s, size_t *len,
		     uint64_t *p)
{
	const uint8_t *nul;
	uint8_t kind;

	if (*at >= c->total)
		return 0;
	kind = c->bytes[(*at)++];
	if (kind == FVX_VEC_STR) {
		nul = memchr(c->bytes + *at, 0, c->total - *at);
		if (!nul)
			return -1;
		*s = c->bytes + *at;
		*len = (size_t)(nul - *s);
		*at += *len + 1;
	} else if (kind == FVX_VEC_ADDR) {
		if (c->total - *at < 8)
			return -1;
		memcpy(p, c->bytes + *at, 8);
		*at += 8;
	} else if (kind != FVX_VEC_FAULT || *at != c->total || *at == 1 ||
		   c->state != FVX_DATA_COMPLETE) {
		return -1; /* a fault ends a complete value, after an item */
	}
	return kind;
}

static bool argv_valid(const struct captured *c)
{
	const uint8_t *s;
	size_t at = 0, len;
	uint64_t p;
	int kind;

	while ((kind = argv_item(c, &at, &s, &len, &p)) > 0)
		;
	return kind == 0;
}

/* argv as strace's printargv shows it: at most string_limit strings, each
 * quoted up to string_limit bytes, "..." for more; a string that could
 * not be read as its address; where the array could not be read, "..."
 * and the address of that pointer in a comment. */
static void put_argv(struct text *t, uint64_t v, const struct captured *c, int string_limit,
		     unsigned int ptr_size)
{
	size_t limit = (size_t)string_limit, at = 0, len = 0, n;
	bool more = c->state == FVX_DATA_TRUNCATED;
	const uint8_t *s = NULL;
	uint64_t p = 0;
	int kind;

	put(t, "[");
	for (n = 0; (kind = argv_item(c, &at, &s, &len, &p)) > 0; n++) {
		if (kind == FVX_VEC_FAULT) {
			put(t, ", ... /* %#" PRIx64 " */", v + ptr_size * n);
			break;
		}
		if (n >= limit) {
			more = true;
			break;
		}
		if (n)
			put(t, ", ");
		if (kind == FVX_VEC_ADDR)
			put_arg(t, FVX_ARG_PTR, p);
		else
			put_quoted(t, s, len > limit ? limit : len, len > limit);
	}
	if (more)
		put(t, n ? ", ..." : "...");
	put(t, "]");
}

/* envp as strace's printargc shows it: its address and, in a comment, how
 * many pointers precede its NULL ("unterminated" when one could not be
 * read, "+" when more were left uncounted). */
static void put_envp(struct text *t, uint64_t v, const struct captured *c)
{
	bool fault = c->total == 5 && c->bytes[4] == FVX_VEC_FAULT && c->state == FVX_DATA_COMPLETE;
	uint32_t n;

	put_arg(t, FVX_ARG_PTR, v);
	if (c->total != 4 && !fault)
		return;
	memcpy(&n, c->bytes, 4);
	put(t, " /* %" PRIu32 "%s var%s%s */", n, c->state == FVX_DATA_TRUNCATED ? "+" : "",
	    n == 1 ? "" : "s", fault ? ", unterminated" : "");
}

/* ---- socket addresses ---- */

/* strace decodes AF_INET6's fields from this many bytes on (its
 * sa_printers' min_len), the scope id only beyond them. */
#define SIN6_MIN_LEN offsetof(struct sockaddr_in6, sin6_scope_id)

static void put_sockaddr_in(struct text *t, const struct sockaddr_in *in)
{
	char ip[INET_ADDRSTRLEN] = "";

	inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
	put(t, "sin_port=htons(%u), sin_addr=inet_addr(\"%s\")", ntohs(in->sin_port), ip);
}

/* The scope of a link-local address: its interface by name, as strace
 * shows an interface index, when this machine has it. */
static void put_sockaddr_in6(struct text *t, const struct sockaddr_in6 *in6, int len)
{
	char ip[INET6_ADDRSTRLEN] = "", ifname[IF_NAMESIZE + 1];

	inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
	put(t,
	    "sin6_port=htons(%u), sin6_flowinfo=htonl(%u), inet_pton(AF_INET6, \"%s\", &sin6_addr)",
	    ntohs(in6->sin6_port), ntohl(in6->sin6_flowinfo), ip);
	if (len <= (int)SIN6_MIN_LEN)
		return;
	if ((IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr) || IN6_IS_ADDR_MC_LINKLOCAL(&in6->sin6_addr)) &&
	    if_indextoname(in6->sin6_scope_id, ifname))
		put(t, ", sin6_scope_id=if_nametoindex(\"%s\")", ifname);
	else
		put(t, ", sin6_scope_id=%u", in6->sin6_scope_id);
}

/* A path up to its NUL, or an abstract name (a NUL first) whole after @. */
static void put_sockaddr_un(struct text *t, const uint8_t *sa, int len)
{
	size_t path =
		(size_t)(len > (int)sizeof(struct sockaddr_un) ? (int)sizeof(struct sockaddr_un)
							       : len) -
		sizeof(sa_family_t);
	const uint8_t *p = sa + sizeof(sa_family_t);

	put(t, "sun_path=");
	if (p[0]) {
		put_quoted(t, p, strnlen((const char *)p, path), false);
	} else {
		put(t, "@");
		put_quoted(t, p + 1, path - 1, false);
	}
}

static void put_sockaddr_nl(struct text *t, const struct sockaddr_nl *nl)
{
	if (nl->nl_pad)
		put(t, "nl_pad=%#x, ", nl->nl_pad);
	put(t, "nl_pid=%d, nl_groups=%#08x", (int)nl->nl_pid, nl->nl_groups);
}

/* len (2..FVX_SOCKADDR_MAX) bytes of a socket address as strace's
 * print_sockaddr shows them: the family, then its fields for AF_UNIX,
 * AF_INET, AF_INET6 and AF_NETLINK, the bytes after the family for the
 * others and for addresses too short for their fields. */
static void put_sockaddr(struct text *t, const uint8_t *bytes, int len)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_un un;
		struct sockaddr_nl nl;
		uint8_t b[FVX_SOCKADDR_MAX + 1]; /* zeros after len, as strace's */
	} a = { .b = { 0 } };
	const char *family;

	memcpy(a.b, bytes, (size_t)len);
	family = decode_value(socket_families, COUNT(socket_families), a.sa.sa_family);
	if (family)
		put(t, "{sa_family=%s", family);
	else
		put(t, "{sa_family=%#x /* AF_??? */", a.sa.sa_family);
	if (len > (int)sizeof(sa_family_t)) {
		put(t, ", ");
		if (a.sa.sa_family == AF_UNIX)
			put_sockaddr_un(t, a.b, len);
		else if (a.sa.sa_family == AF_INET && len >= (int)sizeof(a.in))
			put_sockaddr_in(t, &a.in);
		else if (a.sa.sa_family == AF_INET6 && len >= (int)SIN6_MIN_LEN)
			put_sockaddr_in6(t, &a.in6, len);
		else if (a.sa.sa_family == AF_NETLINK && len >= (int)sizeof(a.nl))
			put_sockaddr_nl(t, &a.nl);
		else {
			put(t, "sa_data=");
			put_quoted(t, a.b + sizeof(sa_family_t), (size_t)len - sizeof(sa_family_t),
				   false);
		}
	}
	put(t, "}");
}

/* An address of len bytes at v, `have` of them captured (bytes): as
 * strace's decode_sockaddr, its address (or NULL) when len is below 2 or
 * the bytes it needs (at most FVX_SOCKADDR_MAX) are not there. */
static void put_sockaddr_at(struct text *t, uint64_t v, int len, const uint8_t *bytes, size_t have)
{
	int n = len < FVX_SOCKADDR_MAX ? len : FVX_SOCKADDR_MAX;

	if (!v || len < 2 || !bytes || have < (size_t)n)
		put_arg(t, FVX_ARG_PTR, v);
	else
		put_sockaddr(t, bytes, n);
}

/* The address a call fills (argument i) and its length (i + 1) as strace
 * shows them once the call returned: the length the caller gave and the
 * one the call left, [16] or [128 => 16], and min(both) bytes of the
 * address; addresses when the caller's length (recvfrom: the call's) was
 * not read; the address when the call failed. */
static void put_sockname(struct text *addr, struct text *len, uint64_t nr, const __u64 *args, int i,
			 const struct call_data *data)
{
	const struct captured *in = call_data_value(data, i + 1), *out = call_data_value(data, i);
	bool have_in = in && in->state == FVX_DATA_COMPLETE && in->total == 4;
	bool have_out = out && out->state == FVX_DATA_COMPLETE && out->total >= 4;
	bool failed = !data || !data->returned || decode_errno(data->ret);
	int32_t given = 0, left = 0;

	if (have_in)
		memcpy(&given, in->bytes, 4);
	if (have_out)
		memcpy(&left, out->bytes, 4);
	if (!args[i] || !args[i + 1] || !(nr == __NR_recvfrom ? have_out : have_in)) {
		put_arg(addr, FVX_ARG_PTR, args[i]);
		put_arg(len, FVX_ARG_PTR, args[i + 1]);
	} else if (failed || !have_out) {
		put_arg(addr, FVX_ARG_PTR, args[i]);
		put(len, "[%" PRId32 "]", given);
	} else {
		put_sockaddr_at(addr, args[i], given < left ? given : left, out->bytes + 4,
				out->total - 4u);
		if (given != left)
			put(len, "[%" PRId32 " => %" PRId32 "]", given, left);
		else
			put(len, "[%" PRId32 "]", left);
	}
}

/* ---- arguments whose contents were captured ---- */

/* The arguments shown from what the analyzer read of them: those it
 * captures (fvx_type_captured), but a socket address's length (shown with
 * the address: put_sockname, put_sockaddr_at) and prctl's (decode_prctl). */
static bool is_data_arg(uint8_t type)
{
	return fvx_type_captured(type) && type != FVX_ARG_SOCKADDR_OUT && type != FVX_ARG_SOCKLEN &&
	       type != FVX_ARG_PRCTL_ARG;
}

_Static_assert(sizeof(struct stat) == FVX_STAT_SIZE, "the analyzer captures x86-64's struct stat");

_Static_assert(sizeof(struct statx) == FVX_STATX_SIZE, "the analyzer captures struct statx whole");

/* A file mode as strace shows st_mode: its type, the set-id and sticky
 * bits, then the permissions in octal (S_IFREG|0644). */
static void put_file_mode(struct text *t, uint32_t mode)
{
	static const struct const_name types[] = {
		{ S_IFREG, "S_IFREG" },	  { S_IFDIR, "S_IFDIR" }, { S_IFCHR, "S_IFCHR" },
		{ S_IFBLK, "S_IFBLK" },	  { S_IFIFO, "S_IFIFO" }, { S_IFLNK, "S_IFLNK" },
		{ S_IFSOCK, "S_IFSOCK" },
	};
	static const struct const_name bits[] = {
		{ S_ISUID, "S_ISUID" },
		{ S_ISGID, "S_ISGID" },
		{ S_ISVTX, "S_ISVTX" },
	};
	const char *sep = "";
	size_t i;

	for (i = 0; i < COUNT(types); i++)
		if ((mode & S_IFMT) == types[i].value) {
			put(t, "%s", types[i].name);
			mode &= ~(uint32_t)S_IFMT;
			sep = "|";
		}
	for (i = 0; i < COUNT(bits); i++)
		if (mode & bits[i].value) {
			put(t, "%s%s", sep, bits[i].name);
			mode &= ~(uint32_t)bits[i].value;
			sep = "|";
		}
	put(t, "%s%#03o", sep, mode);
}

/* A struct stat as strace abbreviates it: {st_mode=S_IFREG|0644,
 * st_size=9, ...}, a device's st_rdev instead of its size. */
/* A signal's name in a sigset as strace shows it: without "SIG", and for
 * SIGRTMIN + n, RTMIN or RT_n. */
static void put_set_member(struct text *t, unsigned int sig)
{
	const char *name = decode_value(signals, COUNT(signals), sig);
	size_t i;

	if (name && strncmp(name, "SIGRTMIN", 8)) {
		put(t, "%s", name + 3);
		return;
	}
	for (i = 0; i < COUNT(signals); i++)
		if (!strcmp(signals[i].name, "SIGRTMIN") && sig >= signals[i].value) {
			if (sig == signals[i].value)
				put(t, "RTMIN");
			else
				put(t, "RT_%u", sig - (unsigned int)signals[i].value);
			return;
		}
	put(t, "%u", sig);
}

static uint64_t le64(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, sizeof(v)); /* (x86-64: little-endian, as the capture) */
	return v;
}

/* A resource limit as strace shows it: RLIM64_INFINITY, a multiple of
 * 1024 as "N*1024", else the number. */
static void put_rlim(struct text *t, uint64_t lim)
{
	if (lim == UINT64_MAX)
		put(t, "RLIM64_INFINITY");
	else if (lim > 1024 && lim % 1024 == 0)
		put(t, "%" PRIu64 "*1024", lim / 1024);
	else
		put(t, "%" PRIu64, lim);
}

/* struct rlimit: {rlim_cur=..., rlim_max=...}. */
static void put_rlimit(struct text *t, const uint8_t *bytes)
{
	put(t, "{rlim_cur=");
	put_rlim(t, le64(bytes));
	put(t, ", rlim_max=");
	put_rlim(t, le64(bytes + 8));
	put(t, "}");
}

_Static_assert(sizeof(struct sysinfo) == FVX_SYSINFO_SIZE,
	       "the analyzer captures x86-64's sysinfo");

/* struct sysinfo, every field, as strace shows it: what a sample that
 * checks for a sandbox (little memory, a short uptime, few processes)
 * read. */
static void put_sysinfo(struct text *t, const uint8_t *b)
{
	put(t,
	    "{uptime=%" PRIu64 ", loads=[%" PRIu64 ", %" PRIu64 ", %" PRIu64 "], totalram=%" PRIu64
	    ", freeram=%" PRIu64 ", sharedram=%" PRIu64 ", bufferram=%" PRIu64
	    ", totalswap=%" PRIu64 ", freeswap=%" PRIu64 ", procs=%u, totalhigh=%" PRIu64
	    ", freehigh=%" PRIu64 ", mem_unit=%u}",
	    le64(b + offsetof(struct sysinfo, uptime)), le64(b + offsetof(struct sysinfo, loads)),
	    le64(b + offsetof(struct sysinfo, loads) + 8),
	    le64(b + offsetof(struct sysinfo, loads) + 16),
	    le64(b + offsetof(struct sysinfo, totalram)),
	    le64(b + offsetof(struct sysinfo, freeram)),
	    le64(b + offsetof(struct sysinfo, sharedram)),
	    le64(b + offsetof(struct sysinfo, bufferram)),
	    le64(b + offsetof(struct sysinfo, totalswap)),
	    le64(b + offsetof(struct sysinfo, freeswap)),
	    (unsigned int)(uint16_t)le64(b + offsetof(struct sysinfo, procs)),
	    le64(b + offsetof(struct sysinfo, totalhigh)),
	    le64(b + offsetof(struct sysinfo, freehigh)),
	    (unsigned int)(uint32_t)le64(b + offsetof(struct sysinfo, mem_unit)));
}

bool decode_time(const struct captured *c, int units, int i, bool wide, int64_t *sec, int64_t *frac)
{
	const uint8_t *b;

	if (i >= units || c->total != units * (wide ? FVX_TIME_SIZE : FVX_TIME32_SIZE))
		return false;
	b = c->bytes + i * (wide ? FVX_TIME_SIZE : FVX_TIME32_SIZE);
	*sec = wide ? (int64_t)le64(b) : (int32_t)(uint32_t)le64(b);
	*frac = wide ? (int64_t)le64(b + 8) : (int32_t)(uint32_t)le64(b + 4);
	return true;
}

/* A captured time structure of type (fvx_time_units) as strace shows it:
 * "{tv_sec=1, tv_nsec=500}", an itimer's "{it_interval={...},
 * it_value={...}}", the fraction unsigned of its own width; a 64-bit call's
 * (wide) or a 32-bit one's; false when c does not have its size. */
static bool put_time(struct text *t, uint8_t type, const struct captured *c, bool wide)
{
	int units = fvx_time_units(type), i;
	int64_t sec[2], frac[2];

	for (i = 0; i < units; i++)
		if (!decode_time(c, units, i, wide, &sec[i], &frac[i]))
			return false;
	for (i = 0; i < units; i++) {
		if (units == 2)
			put(t, i ? ", it_value=" : "{it_interval=");
		put(t, "{tv_sec=%" PRId64 ", %s=%" PRIu64 "}", sec[i],
		    fvx_time_usec(type) ? "tv_usec" : "tv_nsec",
		    wide ? (uint64_t)frac[i] : (uint32_t)frac[i]);
	}
	if (units == 2)
		put(t, "}");
	return true;
}

void decode_sigset(uint64_t set, char *buf, size_t size)
{
	struct text t = { buf, size, 0 };
	/* More than half of the 64 signals: strace shows the ones left out. */
	bool invert = __builtin_popcountll(set) > 32;
	const char *sep = "";
	unsigned int sig;

	buf[0] = 0;
	if (invert)
		set = ~set;
	put(&t, "%s[", invert ? "~" : "");
	for (sig = 1; sig <= 64; sig++)
		if (set >> (sig - 1) & 1) {
			put(&t, "%s", sep);
			put_set_member(&t, sig);
			sep = " ";
		}
	put(&t, "]");
}

void decode_set_member(unsigned int sig, char *buf, size_t size)
{
	struct text t = { buf, size, 0 };

	buf[0] = 0;
	put_set_member(&t, sig);
}

void decode_sa_flags(uint64_t flags, char *buf, size_t size)
{
	struct text t = { buf, size, 0 };

	buf[0] = 0;
	put_flag_set(&t, sa_flags, COUNT(sa_flags), flags, NULL);
}

const char *decode_sig_handler(uint64_t handler)
{
	return decode_value(sig_handlers, COUNT(sig_handlers), handler);
}

static void put_sigset(struct text *t, uint64_t set)
{
	char buf[512];

	decode_sigset(set, buf, sizeof(buf));
	put(t, "%s", buf);
}

/* The kernel's struct sigaction (FVX_SIGACTION_SIZE bytes: handler, flags,
 * restorer, mask) as strace shows it; the restorer only with SA_RESTORER. */
static void put_sigaction(struct text *t, const uint8_t *bytes)
{
	uint64_t handler = le64(bytes), flags = le64(bytes + 8), restorer = le64(bytes + 16);
	const char *name = decode_value(sig_handlers, COUNT(sig_handlers), handler);
	size_t i;

	if (name)
		put(t, "{sa_handler=%s, sa_mask=", name);
	else
		put(t, "{sa_handler=%#" PRIx64 ", sa_mask=", handler);
	put_sigset(t, le64(bytes + 24));
	put(t, ", sa_flags=");
	put_flag_set(t, sa_flags, COUNT(sa_flags), flags, NULL);
	for (i = 0; i < COUNT(sa_flags); i++)
		if (!strcmp(sa_flags[i].name, "SA_RESTORER") && (flags & sa_flags[i].value))
			put(t, ", sa_restorer=%#" PRIx64, restorer);
	put(t, "}");
}

static void put_stat(struct text *t, const uint8_t *bytes)
{
	struct stat st;

	memcpy(&st, bytes, sizeof(st));
	put(t, "{st_mode=");
	put_file_mode(t, st.st_mode);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		put(t, ", st_rdev=makedev(%#x, %#x)", major(st.st_rdev), minor(st.st_rdev));
	else
		put(t, ", st_size=%" PRIu64, (uint64_t)st.st_size);
	put(t, ", ...}");
}

/* A struct utsname as strace abbreviates it: {sysname="Linux",
 * nodename="vm", ...} (each field up to its NUL, at most its 65 bytes). */
static void put_utsname(struct text *t, const uint8_t *bytes)
{
	const uint8_t *node = bytes + FVX_UTSNAME_FIELD;

	put(t, "{sysname=");
	put_quoted(t, bytes, strnlen((const char *)bytes, FVX_UTSNAME_FIELD), false);
	put(t, ", nodename=");
	put_quoted(t, node, strnlen((const char *)node, FVX_UTSNAME_FIELD), false);
	put(t, ", ...}");
}

/* A struct statx as strace abbreviates it: {stx_mask=STATX_BASIC_STATS,
 * stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=9, ...}. */
static void put_statx(struct text *t, const uint8_t *bytes)
{
	struct statx st;

	memcpy(&st, bytes, sizeof(st));
	put(t, "{stx_mask=");
	put_statx_mask(t, st.stx_mask);
	put(t, ", stx_attributes=");
	put_flag_set(t, statx_attrs, COUNT(statx_attrs), st.stx_attributes, "0");
	put(t, ", stx_mode=");
	put_file_mode(t, st.stx_mode);
	put(t, ", stx_size=%" PRIu64 ", ...}", (uint64_t)st.stx_size);
}

bool decode_iov_item(const struct captured *c, size_t *at, struct iov_item *out)
{
	uint16_t word;

	if (*at + FVX_IOV_ITEM > c->total)
		return false;
	memcpy(&out->base, c->bytes + *at, 8);
	memcpy(&out->len, c->bytes + *at + 8, 8);
	memcpy(&word, c->bytes + *at + 16, 2);
	out->readable = word != FVX_IOV_UNREADABLE;
	out->more = out->readable && (word & FVX_IOV_MORE);
	out->shown = out->readable ? word & FVX_IOV_SHOWN : 0;
	out->bytes = c->bytes + *at + FVX_IOV_ITEM;
	if (out->shown > c->total - *at - FVX_IOV_ITEM)
		return false;
	*at += FVX_IOV_ITEM + out->shown;
	return true;
}

/* An iovec array as strace shows it: [{iov_base="...", iov_len=N}, ...],
 * a buffer that could not be read as its address, "..." for the elements
 * that did not fit. */
static void put_iov(struct text *t, const struct captured *c)
{
	struct iov_item it;
	size_t at = 0;
	bool first = true;

	put(t, "[");
	while (decode_iov_item(c, &at, &it)) {
		put(t, "%s{iov_base=", first ? "" : ", ");
		first = false;
		if (it.readable)
			put_quoted(t, it.bytes, it.shown, it.more);
		else
			put_arg(t, FVX_ARG_PTR, it.base);
		put(t, ", iov_len=%" PRIu64 "}", it.len);
	}
	if (c->state == FVX_DATA_TRUNCATED || at != c->total)
		put(t, "%s...", first ? "" : ", ");
	put(t, "]");
}

/* Socket levels of control messages, by the C library's names for them
 * (strace's); and SOL_SOCKET's two messages with data strace decodes. */
static const struct const_name cmsg_levels[] = {
	{ SOL_IP, "SOL_IP" },		{ SOL_SOCKET, "SOL_SOCKET" }, { SOL_TCP, "SOL_TCP" },
	{ SOL_UDP, "SOL_UDP" },		{ SOL_IPV6, "SOL_IPV6" },     { SOL_PACKET, "SOL_PACKET" },
	{ SOL_NETLINK, "SOL_NETLINK" },
};
static const struct const_name scm_types[] = {
	{ SCM_RIGHTS, "SCM_RIGHTS" },
	{ SCM_CREDENTIALS, "SCM_CREDENTIALS" },
};

/* msg_control as strace shows it: [{cmsg_len=20, cmsg_level=SOL_SOCKET,
 * cmsg_type=SCM_RIGHTS, cmsg_data=[3]}, ...]; the descriptors of
 * SCM_RIGHTS and the pid, uid and gid of SCM_CREDENTIALS (other messages'
 * data is not shown: strace decodes some more); a message whose length is
 * shorter than its header ends the walk, as does the end of what was read
 * ("..." when msg_controllen says there is more). */
static void put_cmsgs(struct text *t, const uint8_t *b, size_t n, uint64_t controllen)
{
	size_t at = 0, data, i;
	struct cmsghdr h;
	struct ucred cred;
	bool bad = false, shown = false;
	int fd;

	put(t, "[");
	while (at + sizeof(h) <= n) {
		memcpy(&h, b + at, sizeof(h));
		put(t, "%s{cmsg_len=%" PRIu64 ", cmsg_level=", shown ? ", " : "",
		    (uint64_t)h.cmsg_len);
		shown = true;
		put_named(t, cmsg_levels, COUNT(cmsg_levels), (uint32_t)h.cmsg_level, "SOL");
		put(t, ", cmsg_type=");
		if (h.cmsg_level == SOL_SOCKET)
			put_value(t, scm_types, COUNT(scm_types), (uint32_t)h.cmsg_type, true);
		else
			put(t, "%#x", (unsigned int)h.cmsg_type);
		data = h.cmsg_len < sizeof(h) ? 0 : h.cmsg_len - sizeof(h);
		if (data > n - at - sizeof(h))
			data = n - at - sizeof(h);
		if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS) {
			put(t, ", cmsg_data=[");
			for (i = 0; i + sizeof(fd) <= data; i += sizeof(fd)) {
				memcpy(&fd, b + at + sizeof(h) + i, sizeof(fd));
				put(t, "%s%d", i ? ", " : "", fd);
			}
			put(t, "]");
		} else if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_CREDENTIALS &&
			   data >= sizeof(cred)) {
			memcpy(&cred, b + at + sizeof(h), sizeof(cred));
			put(t, ", cmsg_data={pid=%d, uid=%u, gid=%u}", (int)cred.pid,
			    (unsigned int)cred.uid, (unsigned int)cred.gid);
		}
		put(t, "}");
		bad = h.cmsg_len < sizeof(h) || h.cmsg_len > controllen - at;
		if (bad || h.cmsg_len > n - at)
			break; /* malformed, or longer than what was read */
		at += (h.cmsg_len + 7) & ~(size_t)7; /* CMSG_ALIGN */
	}
	if (!bad && n < controllen)
		put(t, "%s...", shown ? ", " : "");
	put(t, "]");
}

/* A struct msghdr as strace shows it: {msg_name=..., msg_namelen=16,
 * msg_iov=[...], msg_iovlen=1, msg_control=[...], msg_controllen=24,
 * msg_flags=0}; the address it could not read, the elements of msg_iov as
 * writev's, the control data as put_cmsgs (its address when it could not
 * be read), flags other than 0 in hex (strace names them). */
static void put_msghdr(struct text *t, const struct captured *c)
{
	struct msghdr h;
	uint8_t bytes[FVX_DATA_MAX];
	struct captured iov = { .bytes = bytes };
	size_t name, control, at = FVX_MSGHDR_HEAD;

	_Static_assert(sizeof(h) == FVX_MSGHDR_SIZE, "the analyzer captures x86-64's msghdr");
	memcpy(&h, c->bytes, sizeof(h));
	name = c->bytes[FVX_MSGHDR_SIZE];
	control = c->bytes[FVX_MSGHDR_SIZE + 2];
	if (name > c->total - at)
		name = 0; /* malformed */
	if (control > c->total - at - name || control > h.msg_controllen)
		control = 0;
	put(t, "{msg_name=");
	if (h.msg_name && name >= 2 &&
	    name == (h.msg_namelen < FVX_SOCKADDR_MAX ? h.msg_namelen : FVX_SOCKADDR_MAX))
		put_sockaddr(t, c->bytes + at, (int)name);
	else
		put_arg(t, FVX_ARG_PTR, (uint64_t)h.msg_name);
	at += name + control;
	put(t, ", msg_namelen=%u, msg_iov=", h.msg_namelen);
	iov.state = c->bytes[FVX_MSGHDR_SIZE + 1];
	iov.total = (uint16_t)(c->total - at);
	memcpy(iov.bytes, c->bytes + at, iov.total);
	if (!h.msg_iov || iov.state == FVX_DATA_UNREADABLE)
		put_arg(t, FVX_ARG_PTR, (uint64_t)h.msg_iov);
	else
		put_iov(t, &iov);
	put(t, ", msg_iovlen=%zu, ", (size_t)h.msg_iovlen);
	if (h.msg_controllen) {
		put(t, "msg_control=");
		if (control >= sizeof(struct cmsghdr))
			put_cmsgs(t, c->bytes + at - control, control, h.msg_controllen);
		else
			put_arg(t, FVX_ARG_PTR, (uint64_t)h.msg_control);
		put(t, ", ");
	}
	put(t, "msg_controllen=%zu, msg_flags=", (size_t)h.msg_controllen);
	put_flag_set(t, msg_flags, COUNT(msg_flags), (uint32_t)h.msg_flags, "0");
	put(t, "}");
}

/* Argument i (of a type is_data_arg names): its contents when they
 * arrived, else its address as strace prints a pointer it could not
 * read. Buffers show at most string_limit bytes (-s); strings (path
 * names) whole. */
static void put_data_arg(struct text *t, uint8_t type, const __u64 *args, int i,
			 const struct captured *c, int string_limit, unsigned int ptr_size,
			 bool wide)
{
	uint64_t v = args[i];
	size_t len;
	bool more;

	if (type == FVX_ARG_SOCKADDR) {
		put_sockaddr_at(t, v, i < 5 ? (int)args[i + 1] : 0,
				c && c->state == FVX_DATA_COMPLETE ? c->bytes : NULL,
				c ? c->total : 0);
		return;
	}
	if (!v || !c || c->state == FVX_DATA_UNREADABLE ||
	    (type == FVX_ARG_ARGV && !argv_valid(c))) {
		put_arg(t, type, v);
		return;
	}
	if (type == FVX_ARG_ARGV) {
		put_argv(t, v, c, string_limit, ptr_size);
		return;
	}
	if (type == FVX_ARG_ENVP) {
		put_envp(t, v, c);
		return;
	}
	if (type == FVX_ARG_IOV || type == FVX_ARG_IOV_OUT) {
		put_iov(t, c);
		return;
	}
	if (type == FVX_ARG_MSGHDR || type == FVX_ARG_MSGHDR_OUT) {
		if (c->total >= FVX_MSGHDR_HEAD)
			put_msghdr(t, c);
		else
			put_arg(t, type, v);
		return;
	}
	if (type == FVX_ARG_UTSNAME_OUT || type == FVX_ARG_TIMEZONE ||
	    type == FVX_ARG_TIMEZONE_OUT) {
		int32_t tz[2];

		if (type == FVX_ARG_UTSNAME_OUT && c->total == FVX_UTSNAME_SHOWN) {
			put_utsname(t, c->bytes);
		} else if (type != FVX_ARG_UTSNAME_OUT && c->total == FVX_TIMEZONE_SIZE) {
			memcpy(tz, c->bytes, sizeof(tz));
			put(t, "{tz_minuteswest=%" PRId32 ", tz_dsttime=%" PRId32 "}", tz[0],
			    tz[1]);
		} else {
			put_arg(t, type, v);
		}
		return;
	}
	if (type == FVX_ARG_RLIMIT || type == FVX_ARG_RLIMIT_OUT) {
		if (c->total == FVX_RLIMIT_SIZE)
			put_rlimit(t, c->bytes);
		else
			put_arg(t, type, v);
		return;
	}
	if (type == FVX_ARG_SYSINFO_OUT) {
		if (c->total == FVX_SYSINFO_SIZE)
			put_sysinfo(t, c->bytes);
		else
			put_arg(t, type, v);
		return;
	}
	if (type == FVX_ARG_STAT_OUT || type == FVX_ARG_STATX_OUT) {
		if (type == FVX_ARG_STAT_OUT && c->total == FVX_STAT_SIZE)
			put_stat(t, c->bytes);
		else if (type == FVX_ARG_STATX_OUT && c->total == FVX_STATX_SIZE)
			put_statx(t, c->bytes);
		else
			put_arg(t, type, v);
		return;
	}
	if (type == FVX_ARG_SIGACTION || type == FVX_ARG_SIGACTION_OUT) {
		if (c->total == FVX_SIGACTION_SIZE)
			put_sigaction(t, c->bytes);
		else
			put_arg(t, type, v);
		return;
	}
	if (fvx_time_units(type)) {
		if (!put_time(t, type, c, wide))
			put_arg(t, type, v);
		return;
	}
	if (type == FVX_ARG_SIGSET || type == FVX_ARG_SIGSET_OUT) {
		if (c->total == FVX_SIGSET_SIZE)
			put_sigset(t, le64(c->bytes));
		else
			put_arg(t, type, v);
		return;
	}
	len = c->total;
	more = c->state == FVX_DATA_TRUNCATED;
	if ((type == FVX_ARG_BUF || type == FVX_ARG_BUF_OUT) && len > (size_t)string_limit) {
		len = (size_t)string_limit;
		more = true;
	}
	put_quoted(t, c->bytes, len, more);
}

int decode_first_out_arg(uint64_t nr, const __u64 *args)
{
	const struct fvx_syscall_decl *d = fvx_syscall_decl(nr);
	int i;

	if (nr == __NR_prctl && args && (uint32_t)args[0] != PR_GET_NAME)
		return 6; /* (only PR_GET_NAME fills its second) */
	for (i = 0; d && i < 6 && d->args[i] != FVX_ARG_END; i++)
		if (d->args[i] == FVX_ARG_BUF_OUT || d->args[i] == FVX_ARG_PATH_OUT ||
		    d->args[i] == FVX_ARG_SOCKADDR_OUT || d->args[i] == FVX_ARG_IOV_OUT ||
		    d->args[i] == FVX_ARG_MSGHDR_OUT || d->args[i] == FVX_ARG_SIGACTION_OUT ||
		    d->args[i] == FVX_ARG_SIGSET_OUT || fvx_fixed_filled(d->args[i]) ||
		    d->args[i] == FVX_ARG_SIGRETURN_MASK || d->args[i] == FVX_ARG_PRCTL_ARG)
			return i;
	return 6;
}

uint64_t decode_decl_nr(const struct fvx_trace_record *r)
{
	int twin = fvx_compat_twin(r->nr);

	if (!(r->flags & FVX_RECORD_COMPAT))
		return r->nr;
	return twin < 0 ? DECODE_NO_DECL : (uint64_t)twin;
}

/* A 32-bit call's entry as its x86-64 twin's: the twin's number, each
 * argument the 32-bit register it is, a long sign-extended. */
static void as_twin(const struct fvx_trace_record *r, struct fvx_trace_record *twin)
{
	const struct fvx_syscall_decl *d;
	int i;

	*twin = *r;
	twin->nr = decode_decl_nr(r);
	twin->flags &= ~FVX_RECORD_COMPAT;
	d = fvx_syscall_decl(twin->nr);
	for (i = 0; i < 6; i++)
		twin->args[i] = d && d->args[i] == FVX_ARG_LONG ? (uint64_t)(int32_t)r->args[i]
								: (uint32_t)r->args[i];
}

bool decode_shows_args(uint64_t decl_nr, int argc)
{
	const struct fvx_syscall_decl *d = fvx_syscall_decl(decl_nr);

	if (!d)
		return argc > 0;
	return d->args[0] != FVX_ARG_END || decl_nr == __NR_clone || decl_nr == __NR_ptrace ||
	       decl_nr == __NR_prctl;
}

int decode_args(const struct fvx_trace_record *entry, const struct call_data *data, int argc,
		int string_limit, char text[6][DECODE_ARG_MAX])
{
	struct fvx_trace_record twin;
	const __u64 *args;
	uint64_t nr;
	const struct fvx_syscall_decl *d;
	bool wide = !(entry->flags & FVX_RECORD_COMPAT); /* (a 32-bit call's structures) */
	int i;

	if (!wide) {
		as_twin(entry, &twin);
		entry = &twin;
	}
	args = entry->args;
	nr = entry->nr;
	d = fvx_syscall_decl(nr);
	if (!d) {
		for (i = 0; i < argc && i < 6; i++)
			decode_unknown(args[i], text[i]);
		return i;
	}
	if (nr == __NR_clone)
		return decode_clone(args, text);
	if (nr == __NR_ptrace)
		return decode_ptrace(args, text);
	if (nr == __NR_prctl)
		return decode_prctl(args, data, text);
	for (i = 0; i < 6 && d->args[i] != FVX_ARG_END; i++) {
		struct text t = { text[i], DECODE_ARG_MAX, 0 };

		text[i][0] = 0;
		if (d->args[i] == FVX_ARG_SOCKADDR_OUT && i < 5 &&
		    d->args[i + 1] == FVX_ARG_SOCKLEN) {
			struct text len = { text[i + 1], DECODE_ARG_MAX, 0 };

			text[i + 1][0] = 0;
			put_sockname(&t, &len, nr, args, i, data);
			i++;
		} else if (d->args[i] == FVX_ARG_PROTOCOL &&
			   ((int)args[0] == AF_INET || (int)args[0] == AF_INET6)) {
			put_value(&t, ip_protocols, COUNT(ip_protocols), (int)args[i], false);
		} else if (d->args[i] == FVX_ARG_PROTOCOL && (int)args[0] == AF_NETLINK) {
			put_value(&t, netlink_protocols, COUNT(netlink_protocols), (int)args[i],
				  false);
		} else if (is_data_arg(d->args[i])) {
			put_data_arg(&t, d->args[i], args, i, call_data_value(data, i),
				     string_limit, entry->flags & FVX_RECORD_COMPAT ? 4 : 8, wide);
		} else {
			put_arg(&t, d->args[i], args[i]);
		}
	}
	/* open and openat read their mode only when they may create a file. */
	if ((nr == __NR_open || nr == __NR_openat) && i > 0 && d->args[i - 1] == FVX_ARG_MODE &&
	    !(args[i - 2] & O_CREAT) && (args[i - 2] & O_TMPFILE) != O_TMPFILE)
		i--;
	return i;
}

/* ---- return values ---- */

/* Linux's own errnos that never reach user space (include/linux/errno.h,
 * not part of the uapi headers, so not generated): a call interrupted by a
 * signal returns one of the ERESTART ones to the kernel, which restarts it
 * or turns it into EINTR. */
static const char *const kernel_errnos[] = {
	[512 - 512] = "ERESTARTSYS",
	[513 - 512] = "ERESTARTNOINTR",
	[514 - 512] = "ERESTARTNOHAND",
	[515 - 512] = "ENOIOCTLCMD",
	[516 - 512] = "ERESTART_RESTARTBLOCK",
	[517 - 512] = "EPROBE_DEFER",
	[518 - 512] = "EOPENSTALE",
	[519 - 512] = "ENOPARAM",
	[521 - 512] = "EBADHANDLE",
	[522 - 512] = "ENOTSYNC",
	[523 - 512] = "EBADCOOKIE",
	[524 - 512] = "ENOTSUPP",
	[525 - 512] = "ETOOSMALL",
	[526 - 512] = "ESERVERFAULT",
	[527 - 512] = "EBADTYPE",
	[528 - 512] = "EJUKEBOX",
	[529 - 512] = "EIOCBQUEUED",
	[530 - 512] = "ERECALLCONFLICT",
	[531 - 512] = "ENOGRACE",
};

/* The restart errnos as strace explains them: the call is not over. */
static const char *restart_reason(int e)
{
	switch (e) {
	case 512: return "To be restarted if SA_RESTART is set";
	case 513: return "To be restarted";
	case 514: return "To be restarted if no handler";
	case 516: return "Interrupted by signal";
	}
	return NULL;
}

const char *output_errno_name(int e, char *buf, size_t size)
{
	if (e > 0 && (size_t)e < COUNT(errno_names) && errno_names[e])
		return errno_names[e];
	if (e >= 512 && (size_t)(e - 512) < COUNT(kernel_errnos) && kernel_errnos[e - 512])
		return kernel_errnos[e - 512];
	snprintf(buf, size, "ERRNO_%d", e);
	return buf;
}

int decode_errno(int64_t value)
{
	return value < 0 && value >= -MAX_ERRNO ? (int)-value : 0;
}

/* A 32-bit call returns EAX: an errno, or a 32-bit value, which an
 * address is, and the value of a call without a twin when it is one only
 * an address can be (at or above 2 GiB, beyond any count); else as its
 * twin returns. */
void decode_record_ret(const struct fvx_trace_record *ret, char *buf, size_t size)
{
	int64_t value = (int32_t)ret->args[0];
	uint64_t nr = decode_decl_nr(ret);
	const struct fvx_syscall_decl *d = fvx_syscall_decl(nr);

	if (!(ret->flags & FVX_RECORD_COMPAT))
		decode_ret(ret->nr, (int64_t)ret->args[0], buf, size);
	else if (!decode_errno(value) && (d ? d->ret == FVX_RET_ADDR : value < 0))
		snprintf(buf, size, "%#" PRIx32, (uint32_t)value);
	else
		decode_ret(nr, value, buf, size);
}

void decode_ret(uint64_t nr, int64_t value, char *buf, size_t size)
{
	const struct fvx_syscall_decl *d = fvx_syscall_decl(nr);
	int e = decode_errno(value);
	char name[32];

	if (e && restart_reason(e))
		snprintf(buf, size, "? %s (%s)", output_errno_name(e, name, sizeof(name)),
			 restart_reason(e));
	else if (e)
		snprintf(buf, size, "-1 %s (%s)", output_errno_name(e, name, sizeof(name)),
			 strerror(e));
	else if (d && d->ret == FVX_RET_ADDR)
		snprintf(buf, size, "%#" PRIx64, (uint64_t)value);
	else if (!value &&
		 (nr == __NR_poll || nr == __NR_ppoll || nr == __NR_select || nr == __NR_pselect6))
		snprintf(buf, size, "0 (Timeout)"); /* no descriptor ready: as strace says */
	else
		decode_int(value, buf, size);
}

void decode_int(int64_t value, char *buf, size_t size)
{
	char digits[20];
	uint64_t v = value < 0 ? -(uint64_t)value : (uint64_t)value;
	size_t d = 0, n = 0;

	do
		digits[d++] = (char)('0' + v % 10);
	while (v /= 10);
	if (value < 0 && n + 1 < size)
		buf[n++] = '-';
	while (d && n + 1 < size)
		buf[n++] = digits[--d];
	if (size)
		buf[n] = 0;
}

/* ---- task events: how a thread ended, a signal's siginfo ---- */

void decode_exit(uint64_t status, char *buf, size_t size)
{
	struct text t = { buf, size, 0 };

	buf[0] = 0;
	if (!(status & 0x7f)) {
		put(&t, "exited with %u", (unsigned int)(status >> 8) & 0xff);
		return;
	}
	put(&t, "killed by ");
	put_signal(&t, status & 0x7f);
	if (status & 0x80)
		put(&t, " (core dumped)");
}

/* A siginfo's union (trace.h: the 32 bytes after its header), read by
 * offset as <asm-generic/siginfo.h> lays it out on x86-64. */
struct sifields {
	uint8_t b[32];
};

static int32_t field32(const struct sifields *u, size_t off)
{
	int32_t v;

	memcpy(&v, u->b + off, sizeof(v));
	return v;
}

static uint64_t field64(const struct sifields *u, size_t off)
{
	uint64_t v;

	memcpy(&v, u->b + off, sizeof(v));
	return v;
}

/* si_code: a sender's code (SI_USER...), else the signal's own; a code
 * without a name in hex, as strace prints it. */
static void put_si_code(struct text *t, unsigned int sig, int code)
{
	static const struct {
		int sig;
		const struct const_name *codes;
		size_t n;
	} own[] = {
		{ SIGILL, ill_codes, COUNT(ill_codes) },
		{ SIGFPE, fpe_codes, COUNT(fpe_codes) },
		{ SIGSEGV, segv_codes, COUNT(segv_codes) },
		{ SIGBUS, bus_codes, COUNT(bus_codes) },
		{ SIGTRAP, trap_codes, COUNT(trap_codes) },
		{ SIGCHLD, cld_codes, COUNT(cld_codes) },
		{ SIGIO, poll_codes, COUNT(poll_codes) },
		{ SIGSYS, sys_codes, COUNT(sys_codes) },
	};
	const char *name = decode_value(si_codes, COUNT(si_codes), (uint64_t)(int64_t)code);
	size_t i;

	for (i = 0; !name && i < COUNT(own); i++)
		if ((int)sig == own[i].sig)
			name = decode_value(own[i].codes, own[i].n, (uint64_t)code);
	if (name)
		put(t, "%s", name);
	else
		put(t, "%#x", (unsigned int)code);
}

/* si_pid and si_uid, the sender's (strace's printsigsource). */
static void put_si_source(struct text *t, const struct sifields *u)
{
	put(t, ", si_pid=%d, si_uid=", field32(u, 0));
	if ((uint32_t)field32(u, 4) == UINT32_MAX)
		put(t, "-1");
	else
		put(t, "%u", (uint32_t)field32(u, 4));
}

/* si_int and si_ptr, a sigqueue's value. */
static void put_si_value(struct text *t, const struct sifields *u)
{
	put(t, ", si_int=%d, si_ptr=", field32(u, 8));
	put_arg(t, FVX_ARG_PTR, field64(u, 8));
}

static void put_si_addr(struct text *t, const char *field, const struct sifields *u, size_t off)
{
	put(t, ", %s=", field);
	put_arg(t, FVX_ARG_PTR, field64(u, off));
}

/* A clock_t in USER_HZ ticks (100 on x86), as strace prints it. */
static void put_si_clock(struct text *t, const char *field, uint64_t ticks)
{
	put(t, ", %s=%" PRIu64, field, ticks);
	if (ticks)
		put(t, " /* %" PRIu64 ".%02" PRIu64 " s */", ticks / 100, ticks % 100);
}

/* What a signal sent by a task (si_code <= 0) carries. */
static void put_si_sender(struct text *t, int code, const struct sifields *u)
{
	switch (code) {
	case SI_USER:
	case SI_TKILL: put_si_source(t, u); break;
	case SI_TIMER:
		put(t, ", si_timerid=%#x, si_overrun=%d", (unsigned int)field32(u, 0),
		    field32(u, 4));
		put_si_value(t, u);
		break;
	case SI_SIGIO:
		put(t, ", si_band=%" PRId64 ", si_fd=%d", (int64_t)field64(u, 0), field32(u, 8));
		break;
	default:
		put_si_source(t, u);
		if (field64(u, 8))
			put_si_value(t, u);
	}
}

/* What a signal the kernel sends (si_code > 0) carries: by signal. */
static void put_si_kernel(struct text *t, unsigned int sig, int code, const struct sifields *u)
{
	char name[64];
	const char *call;
	uint32_t arch = (uint32_t)field32(u, 12);

	switch (sig) {
	case SIGCHLD:
		put_si_source(t, u);
		put(t, ", si_status=");
		if (code == CLD_EXITED)
			put(t, "%d", field32(u, 8));
		else
			put_signal(t, (uint64_t)(int64_t)field32(u, 8));
		put_si_clock(t, "si_utime", field64(u, 16));
		put_si_clock(t, "si_stime", field64(u, 24));
		break;
	case SIGILL:
	case SIGFPE:
	case SIGTRAP: put_si_addr(t, "si_addr", u, 0); break;
	case SIGBUS:
		put_si_addr(t, "si_addr", u, 0);
		if (code == BUS_MCEERR_AR || code == BUS_MCEERR_AO)
			put(t, ", si_addr_lsb=%#x", (unsigned int)(uint16_t)field32(u, 8));
		break;
	case SIGSEGV:
		put_si_addr(t, "si_addr", u, 0);
		if (code == SEGV_BNDERR) {
			put_si_addr(t, "si_lower", u, 16);
			put_si_addr(t, "si_upper", u, 24);
		} else if (code == SEGV_PKUERR) {
			put(t, ", si_pkey=%u", (uint32_t)field32(u, 16));
		}
		break;
	case SIGIO:
		if (code == POLL_IN || code == POLL_OUT || code == POLL_MSG)
			put(t, ", si_band=%" PRId64 ", si_fd=%d", (int64_t)field64(u, 0),
			    field32(u, 8));
		break;
	case SIGSYS:
		put_si_addr(t, "si_call_addr", u, 0);
		call = syscall_name((uint32_t)field32(u, 8), name, sizeof(name));
		if (arch == AUDIT_ARCH_X86_64 && strncmp(call, "syscall_", 8))
			put(t, ", si_syscall=__NR_%s", call);
		else
			put(t, ", si_syscall=%u", (uint32_t)field32(u, 8));
		if (arch == AUDIT_ARCH_X86_64)
			put(t, ", si_arch=AUDIT_ARCH_X86_64");
		else if (arch == AUDIT_ARCH_I386)
			put(t, ", si_arch=AUDIT_ARCH_I386");
		else
			put(t, ", si_arch=%#x /* AUDIT_ARCH_??? */", arch);
		break;
	default:
		if (field64(u, 0))
			put_si_source(t, u);
		if (field64(u, 8))
			put_si_value(t, u);
	}
}

void decode_signal(const struct fvx_trace_record *r, char *buf, size_t size)
{
	struct text t = { buf, size, 0 };
	unsigned int sig = fvx_signal_number(r->args[1]), e = fvx_signal_errno(r->args[1]);
	int code = fvx_signal_code(r->args[1]);
	struct sifields u;

	memcpy(u.b, &r->args[2], sizeof(u.b));
	buf[0] = 0;
	put_signal(&t, sig);
	if (!sig) {
		put(&t, " {}");
		return;
	}
	put(&t, " {si_signo=");
	put_signal(&t, sig);
	put(&t, ", si_code=");
	put_si_code(&t, sig, code);
	if (e && e < COUNT(errno_names) && errno_names[e])
		put(&t, ", si_errno=%s", errno_names[e]);
	else if (e)
		put(&t, ", si_errno=%u", e);
	if (code <= 0)
		put_si_sender(&t, code, &u);
	else
		put_si_kernel(&t, sig, code, &u);
	put(&t, "}");
}

void decode_stop(const struct fvx_trace_record *r, char *buf, size_t size)
{
	struct text t = { buf, size, 0 };

	buf[0] = 0;
	put(&t, "stopped by ");
	put_signal(&t, fvx_signal_number(r->args[1]));
}

/* ---- io_uring operations ---- */

void decode_uring_op(uint32_t op, char *buf, size_t size)
{
	const char *name = decode_value(uring_ops, COUNT(uring_ops), op);

	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%#x /* IORING_OP_??? */", op);
}

void decode_uring_raw(const struct fvx_trace_record *r, char *buf, size_t size)
{
	struct fvx_uring_sqe s;

	memcpy(&s, r->args, sizeof(s));
	snprintf(buf, size,
		 "{flags=%#x, fd=%d, off=%#" PRIx64 ", addr=%#" PRIx64 ", len=%u, op_flags=%#x, "
		 "user_data=%#" PRIx64 "}",
		 s.flags, s.fd, (uint64_t)s.off, (uint64_t)s.addr, s.len, s.op_flags,
		 (uint64_t)s.user_data);
}
