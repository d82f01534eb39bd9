/* fastvmix trace -c: per system call, how many calls, how many failed and
 * the time spent in them (from the TSC of the entry to that of the return:
 * wall-clock latency, as strace -c -w counts it), printed as strace's
 * summary table. */
#include <inttypes.h>
#include <stdlib.h>

#include "cli.h"

void summary_add(struct summary *s, uint64_t nr, bool failed, int64_t ns)
{
	struct summary_entry *e;

	if (nr >= SYSCALL_COUNT)
		return;
	e = &s->by_nr[nr];
	e->calls++;
	e->errors += failed;
	e->ns += ns > 0 ? ns : 0;
}

static const struct summary *sorting; /* qsort has no context argument */

/* Most time first; then most calls, then by number. */
static int by_time(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	const struct summary_entry *p = &sorting->by_nr[x], *q = &sorting->by_nr[y];

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

void summary_print(const struct summary *s, FILE *out)
{
	static const char rule[] = "------ ----------- ----------- --------- --------- "
				   "----------------\n";
	uint16_t order[SYSCALL_COUNT];
	uint64_t calls = 0, errors = 0;
	int64_t ns = 0;
	size_t n = 0, i;
	char name[64];

	for (i = 0; i < SYSCALL_COUNT; i++)
		if (s->by_nr[i].calls) {
			order[n++] = (uint16_t)i;
			calls += s->by_nr[i].calls;
			errors += s->by_nr[i].errors;
			ns += s->by_nr[i].ns;
		}
	sorting = s;
	qsort(order, n, sizeof(order[0]), by_time);
	fputs("% time     seconds  usecs/call     calls    errors syscall\n", out);
	fputs(rule, out);
	for (i = 0; i < n; i++) {
		const struct summary_entry *e = &s->by_nr[order[i]];

		row(out, ns ? 100.0 * e->ns / ns : 0, e->ns, e->calls, e->errors,
		    syscall_name(order[i], name, sizeof(name)));
	}
	fputs(rule, out);
	row(out, 100.0, ns, calls, errors, "total");
}
