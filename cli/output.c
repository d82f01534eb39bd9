/* fastvmix trace's output: one line per record, strace-like text or JSON
 * Lines, and the summary line on stderr. Scenario scripts read these
 * formats: change them only together. */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"

void output_init(struct output *o, FILE *out, bool json, const char *events_dir)
{
	o->out = out;
	o->json = json;
	syscall_table_init(&o->syscalls, events_dir);
}

/* Syscall names are [a-z0-9_] (or syscall_N): nothing to escape. */
static void record_json(FILE *out, const struct fvx_trace_record *r, const char *name)
{
	int i;

	fprintf(out,
		"{\"seq\":%" PRIu64 ",\"tsc\":%" PRIu64 ",\"cpu\":%u,\"pid\":%u,\"tgid\":%u,"
		"\"nr\":%" PRIu64 ",\"name\":\"%s\",\"args\":[",
		(uint64_t)r->seq, (uint64_t)r->tsc, r->cpu, r->pid, r->tgid, (uint64_t)r->nr, name);
	for (i = 0; i < 6; i++)
		fprintf(out, "%s\"%#" PRIx64 "\"", i ? "," : "", (uint64_t)r->args[i]);
	fprintf(out, "],\"exit_mode\":%s}\n", r->flags & FVX_RECORD_EXIT_MODE ? "true" : "false");
}

/* Small values (fds, sizes, flags) in decimal, the rest (addresses) in hex. */
static void record_text(FILE *out, const struct fvx_trace_record *r, const char *name, int argc)
{
	int i;

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

void output_record(struct output *o, const struct fvx_trace_record *r)
{
	char name[64];

	syscall_name(r->nr, name, sizeof(name));
	if (o->json)
		record_json(o->out, r, name);
	else
		record_text(o->out, r, name, syscall_argc(&o->syscalls, r->nr, name));
}

void output_summary(FILE *err, uint64_t records, uint64_t dropped)
{
	fprintf(err, "fastvmix: %" PRIu64 " records, %" PRIu64 " dropped\n", records, dropped);
}
