/* fastvmix trace -c: per system call, how many calls, how many failed and
 * the time spent in them (from the TSC of the entry to that of the return:
 * wall-clock latency, as strace -c -w counts it), printed as strace's
 * summary table; 32-bit calls in a table of their own, as strace prints
 * them. */
#include <inttypes.h>
#include <stdlib.h>

#include "cli.h"

/* a + b for times that are not negative: INT64_MAX at most (records'
 * TSCs can be anything, so can the durations taken from them). */
static int64_t add_ns(int64_t a, int64_t b)
{
	return b > INT64_MAX - a ? INT64_MAX : a + b;
}

void summary_add(struct summary *s, const struct fvx_trace_record *r, bool failed, int64_t ns)
{
	struct summary_entry *e;

	if (r->nr >= SYSCALL_COUNT)
		return;
	e = r->flags & FVX_RECORD_COMPAT ? &s->compat[r->nr] : &s->by_nr[r->nr];
	e->calls++;
	e->errors += failed;
	e->ns = add_ns(e->ns, ns > 0 ? ns : 0);
}

static const struct summary_entry *sorting; /* qsort has no context argument */

/* Most time first; then most calls, then by number. */
static int by_time(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	const struct summary_entry *p = &sorting[x], *q = &sorting[y];

	if (p->ns != q->ns)
		return p->ns > q->ns ? -1 : 1;
	if (p->calls != q->calls)
		return p->calls > q->calls ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void row(FILE *out, double percent, int64_t ns, uint64_t calls, uint64_t errors,
		const char *name)
{
	char errs[24] = "";

	if (errors)
		snprintf(errs, sizeof(errs), "%" PRIu64, errors);
	fprintf(out, "%6.2f %11.6f %11" PRIu64 " %9" PRIu64 " %9s %s\n", percent, ns / 1e9,
		calls ? (uint64_t)(ns / 1000) / calls : 0, calls, errs, name);
}

/* One table: by_nr's calls, named by `name`; 0 when it has none. */
static uint64_t table(const struct summary_entry *by_nr,
		      const char *(*name)(uint64_t nr, char *buf, size_t size), FILE *out)
{
	static const char rule[] = "------ ----------- ----------- --------- --------- "
				   "----------------\n";
	uint16_t order[SYSCALL_COUNT];
	uint64_t calls = 0, errors = 0;
	int64_t ns = 0;
	size_t n = 0, i;
	char buf[64];

	for (i = 0; i < SYSCALL_COUNT; i++)
		if (by_nr[i].calls) {
			order[n++] = (uint16_t)i;
			calls += by_nr[i].calls;
			errors += by_nr[i].errors;
			ns = add_ns(ns, by_nr[i].ns);
		}
	if (!out)
		return calls;
	sorting = by_nr;
	qsort(order, n, sizeof(order[0]), by_time);
	fputs("% time     seconds  usecs/call     calls    errors syscall\n", out);
	fputs(rule, out);
	for (i = 0; i < n; i++) {
		const struct summary_entry *e = &by_nr[order[i]];

		row(out, ns ? 100.0 * e->ns / ns : 0, e->ns, e->calls, e->errors,
		    name(order[i], buf, sizeof(buf)));
	}
	fputs(rule, out);
	row(out, 100.0, ns, calls, errors, "total");
	return calls;
}

void summary_print(const struct summary *s, FILE *out)
{
	table(s->by_nr, syscall_name, out);
	if (!table(s->compat, syscall_compat_name, NULL))
		return;
	fputs("System call usage summary for 32 bit mode:\n", out);
	table(s->compat, syscall_compat_name, out);
}
