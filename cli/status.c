/* fastvmix status: the hypervisor's per-CPU VM-exit counters by reason,
 * read with VMCALL through the loader's device, as text or as one JSON
 * document for scripts. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "fastvmix/exit_reasons.h"
#include "fastvmix/ioctl.h"

#define USAGE "usage: fastvmix status [--json]\n"
#define MAX_CPUS 4096 /* more than the hypervisor reports is a broken answer */

#define EXIT_NAME(number, id, text) [number] = text,
static const char *const exit_names[FVX_EXIT_REASON_COUNT] = { FVX_EXIT_REASONS(EXIT_NAME) };
#undef EXIT_NAME

static const struct {
	uint64_t bit;
	const char *name;
} feature_names[] = {
	{ FVX_FEATURE_EPT, "ept" },
	{ FVX_FEATURE_VPID, "vpid" },
	{ FVX_FEATURE_MSR_BITMAP, "msr_bitmap" },
	{ FVX_FEATURE_EPT_1G, "ept_1g" },
	{ FVX_FEATURE_HIDDEN_MEMORY, "hidden_memory" },
	{ FVX_FEATURE_PT_PROTECT, "pt_protect" },
};

/* Attacks the hypervisor refused or repaired, by kind, per CPU. */
#define COUNTER(field)                                                                             \
	{                                                                                          \
#field, offsetof(struct fvx_cpu_status, field)                                     \
	}
static const struct {
	const char *name;
	size_t offset;
} attack_counters[] = {
	COUNTER(view_attacks),	       COUNTER(pml4e_repaired),	     COUNTER(loaded_repaired),
	COUNTER(table_writes_refused), COUNTER(pdpte_repaired),	     COUNTER(cr3_refused),
	COUNTER(pdpt_writes_refused),  COUNTER(sealed_refusals),     COUNTER(bad_unload_keys),
	COUNTER(msr_writes_shadowed),  COUNTER(dt_loads_refused),    COUNTER(kernel_writes_refused),
	COUNTER(text_pokes),	       COUNTER(resume_tampered),     COUNTER(loaded_refused),
	COUNTER(tables_unguarded),     COUNTER(breakpoints_refused),
};

_Static_assert(sizeof(attack_counters) / sizeof(attack_counters[0]) == STATUS_ATTACK_KINDS,
	       "one count per attack counter");

static uint64_t attack_count(const struct fvx_cpu_status *s, unsigned int i)
{
	return *(const uint64_t *)((const char *)s + attack_counters[i].offset);
}

static int query(int fd, unsigned int cpu, struct fvx_ioc_hv_status *req)
{
	memset(req, 0, sizeof(*req));
	req->version = FVX_IOC_HV_STATUS_VERSION;
	req->cpu = cpu;
	return ioctl(fd, FVX_IOC_HV_STATUS, req);
}

static void print_text(FILE *out, const struct fvx_cpu_status *hv, const struct status_cpu *cpus)
{
	unsigned int i, r;

	fprintf(out, "hypervisor: %u cpu(s); EPT%s%s%s; memory %#llx-%#llx hidden from the guest\n",
		hv->cpu_count, hv->features & FVX_FEATURE_EPT_1G ? " (1 GiB pages)" : "",
		hv->features & FVX_FEATURE_VPID ? ", VPID" : "",
		hv->features & FVX_FEATURE_MSR_BITMAP ? ", MSR bitmap" : "",
		(unsigned long long)hv->hv_base,
		(unsigned long long)(hv->hv_base + hv->hv_size - 1));
	fprintf(out, "analyzer time hidden from %llu address space(s), %llu evicted\n",
		(unsigned long long)hv->tsc_spaces, (unsigned long long)hv->tsc_evicted);
	for (i = 0; i < hv->cpu_count; i++) {
		const struct fvx_cpu_status *s = &cpus[i].status;

		if (cpus[i].error) {
			fprintf(out, "cpu %u: not running under the hypervisor (%s)\n", i,
				strerror(cpus[i].error));
			continue;
		}
		fprintf(out, "cpu %u: %llu exits, %llu vmcalls\n", s->cpu,
			(unsigned long long)s->exits_total, (unsigned long long)s->vmcalls);
		for (r = 0; r < FVX_EXIT_REASON_COUNT; r++)
			if (s->exits[r])
				fprintf(out, "  %-28s %2u %12llu\n",
					exit_names[r] ? exit_names[r] : "?", r,
					(unsigned long long)s->exits[r]);
		fprintf(out,
			"  page-table protection: %s, %llu CR3 loads checked, %llu writes to "
			"loaded "
			"tables done, %llu tables left writable\n",
			s->features & FVX_FEATURE_PT_PROTECT ? "on" : "off",
			(unsigned long long)s->cr3_loads,
			(unsigned long long)s->table_writes_emulated,
			(unsigned long long)s->tables_unguarded);
		fprintf(out,
			"  TSC: %llu ticks hidden (%llu catching up with the other CPUs, %llu let "
			"off), %llu per exit calibrated, deadline moved %llu times\n",
			(unsigned long long)s->tsc_hidden, (unsigned long long)s->tsc_evened,
			(unsigned long long)s->tsc_forgiven, (unsigned long long)s->tsc_transition,
			(unsigned long long)s->tsc_deadline_rearms);
		fprintf(out,
			"  analyzer time: %llu ticks taken out of processes' TSCs; %llu RDTSC "
			"exits, "
			"%llu answered without it\n",
			(unsigned long long)s->tsc_analyzer, (unsigned long long)s->rdtsc_exits,
			(unsigned long long)s->rdtsc_adjusted);
		for (r = 0; r < sizeof(attack_counters) / sizeof(attack_counters[0]); r++)
			if (attack_count(s, r))
				fprintf(out, "  attack %-24s %15llu\n", attack_counters[r].name,
					(unsigned long long)attack_count(s, r));
	}
}

static struct json_object *cpu_json(unsigned int cpu, const struct status_cpu *c)
{
	struct json_object *o = json_object_new_object(), *exits, *reason, *attacks;
	const struct fvx_cpu_status *s = &c->status;
	char key[16];
	unsigned int r;
	int err;

	if (!o)
		return NULL;
	err = cli_json_put(o, "cpu", json_object_new_int64(cpu));
	if (c->error) {
		err |= cli_json_put(o, "error", json_object_new_string(strerror(c->error)));
		goto out;
	}
	err |= cli_json_put(o, "exits_total", json_object_new_uint64(s->exits_total));
	err |= cli_json_put(o, "vmcalls", json_object_new_uint64(s->vmcalls));
	err |= cli_json_put(o, "pt_protect",
			    json_object_new_boolean(!!(s->features & FVX_FEATURE_PT_PROTECT)));
	err |= cli_json_put(o, "cr3_loads", json_object_new_uint64(s->cr3_loads));
	err |= cli_json_put(o, "table_writes_emulated",
			    json_object_new_uint64(s->table_writes_emulated));
	err |= cli_json_put(o, "tables_unguarded", json_object_new_uint64(s->tables_unguarded));
	err |= cli_json_put(o, "tsc_hidden", json_object_new_uint64(s->tsc_hidden));
	err |= cli_json_put(o, "tsc_transition", json_object_new_uint64(s->tsc_transition));
	err |= cli_json_put(o, "tsc_analyzer", json_object_new_uint64(s->tsc_analyzer));
	err |= cli_json_put(o, "rdtsc_exits", json_object_new_uint64(s->rdtsc_exits));
	err |= cli_json_put(o, "rdtsc_adjusted", json_object_new_uint64(s->rdtsc_adjusted));
	err |= cli_json_put(o, "tsc_deadline_rearms",
			    json_object_new_uint64(s->tsc_deadline_rearms));
	err |= cli_json_put(o, "tsc_evened", json_object_new_uint64(s->tsc_evened));
	err |= cli_json_put(o, "tsc_forgiven", json_object_new_uint64(s->tsc_forgiven));
	attacks = json_object_new_object();
	err |= !attacks || cli_json_put(o, "attacks", attacks);
	for (r = 0; attacks && r < sizeof(attack_counters) / sizeof(attack_counters[0]); r++)
		err |= cli_json_put(attacks, attack_counters[r].name,
				    json_object_new_uint64(attack_count(s, r)));
	exits = json_object_new_object();
	err |= !exits || cli_json_put(o, "exits", exits);
	for (r = 0; exits && r < FVX_EXIT_REASON_COUNT; r++) {
		if (!s->exits[r])
			continue;
		snprintf(key, sizeof(key), "%u", r);
		reason = json_object_new_object();
		err |= !reason || cli_json_put(exits, key, reason);
		if (!reason)
			continue;
		err |= cli_json_put(reason, "name",
				    exit_names[r] ? json_object_new_string(exit_names[r]) : NULL);
		err |= cli_json_put(reason, "count", json_object_new_uint64(s->exits[r]));
	}
out:
	if (err) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *status_json(const struct fvx_cpu_status *hv,
				       const struct status_cpu *cpus)
{
	struct json_object *doc = json_object_new_object(), *features, *list, *cpu;
	unsigned int i;
	int err;

	if (!doc)
		return NULL;
	err = cli_json_put(doc, "version", json_object_new_int(STATUS_JSON_VERSION));
	err |= cli_json_put(doc, "cpu_count", json_object_new_int64(hv->cpu_count));
	features = json_object_new_array();
	err |= !features || cli_json_put(doc, "features", features);
	for (i = 0; features && i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
		if (hv->features & feature_names[i].bit)
			err |= json_object_array_add(features,
						     json_object_new_string(feature_names[i].name));
	err |= cli_json_put(doc, "hv_base", json_object_new_uint64(hv->hv_base));
	err |= cli_json_put(doc, "hv_size", json_object_new_uint64(hv->hv_size));
	err |= cli_json_put(doc, "tsc_spaces", json_object_new_uint64(hv->tsc_spaces));
	err |= cli_json_put(doc, "tsc_evicted", json_object_new_uint64(hv->tsc_evicted));
	list = json_object_new_array();
	err |= !list || cli_json_put(doc, "cpus", list);
	for (i = 0; list && i < hv->cpu_count; i++) {
		cpu = cpu_json(i, &cpus[i]);
		err |= !cpu || json_object_array_add(list, cpu);
	}
	if (err) {
		json_object_put(doc);
		return NULL;
	}
	return doc;
}

/* Writes an object compactly, except that the elements of its array
 * member `lines` go one per line: one CPU per line, for grep and sed. */
static void print_json_lines(FILE *out, struct json_object *doc, const char *lines)
{
	const int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
	struct json_object *name;
	const char *sep = "";
	size_t i, n;

	fputc('{', out);
	json_object_object_foreach(doc, key, value)
	{
		name = json_object_new_string(key);
		fprintf(out, "%s%s:", sep, json_object_to_json_string_ext(name, flags));
		json_object_put(name);
		sep = ",";
		if (strcmp(key, lines) || !json_object_is_type(value, json_type_array) ||
		    !(n = json_object_array_length(value))) {
			fputs(json_object_to_json_string_ext(value, flags), out);
			continue;
		}
		fputc('[', out);
		for (i = 0; i < n; i++)
			fprintf(out, "\n%s%s",
				json_object_to_json_string_ext(json_object_array_get_idx(value, i),
							       flags),
				i + 1 < n ? "," : "\n");
		fputc(']', out);
	}
	fputs("}\n", out);
}

int status_print(FILE *out, bool json, const struct fvx_cpu_status *hv,
		 const struct status_cpu *cpus)
{
	struct json_object *doc;

	if (!json) {
		print_text(out, hv, cpus);
		return 0;
	}
	doc = status_json(hv, cpus);
	if (!doc) {
		fprintf(stderr, "fastvmix status: out of memory\n");
		return -1;
	}
	print_json_lines(out, doc, "cpus");
	json_object_put(doc);
	return 0;
}

/* Reads the hypervisor's summary (CPU 0's status) and every CPU's status
 * from the loader's device; *cpus is allocated. 0, or -1 after a message. */
static int fetch(int fd, struct fvx_cpu_status *hv, struct status_cpu **cpus)
{
	struct fvx_ioc_hv_status req;
	unsigned int cpu;

	if (query(fd, 0, &req) != 0) {
		fprintf(stderr, "fastvmix status: %s\n", strerror(errno));
		return -1;
	}
	if (req.status.version != FVX_CPU_STATUS_VERSION) {
		fprintf(stderr,
			"fastvmix status: hypervisor reports status version %u, expected %u\n",
			req.status.version, FVX_CPU_STATUS_VERSION);
		return -1;
	}
	if (req.status.cpu_count > MAX_CPUS) {
		fprintf(stderr, "fastvmix status: hypervisor reports %u cpus\n",
			req.status.cpu_count);
		return -1;
	}
	*hv = req.status;
	*cpus = calloc(hv->cpu_count ? hv->cpu_count : 1, sizeof(**cpus));
	if (!*cpus) {
		perror("fastvmix status");
		return -1;
	}
	for (cpu = 0; cpu < hv->cpu_count; cpu++) {
		if (query(fd, cpu, &req) != 0)
			(*cpus)[cpu].error = errno;
		else
			(*cpus)[cpu].status = req.status;
	}
	return 0;
}

/* The attack counters that say a sample tampered, or tried to (all but
 * text_pokes: Linux's own, as when the agent's probes are registered). */
static bool tells_tampering(unsigned int i)
{
	return attack_counters[i].offset != offsetof(struct fvx_cpu_status, text_pokes);
}

int status_attacks(struct status_attacks *a)
{
	struct fvx_ioc_hv_status req;
	unsigned int cpu, count, i;
	int fd = open(FVX_HV_DEVICE, O_RDONLY | O_CLOEXEC);

	memset(a, 0, sizeof(*a));
	if (fd < 0)
		return -1;
	if (query(fd, 0, &req) != 0 || req.status.version != FVX_CPU_STATUS_VERSION ||
	    req.status.cpu_count > MAX_CPUS) {
		close(fd);
		return -1;
	}
	count = req.status.cpu_count;
	for (cpu = 0; cpu < count; cpu++) {
		if (query(fd, cpu, &req) != 0)
			continue;
		for (i = 0; i < STATUS_ATTACK_KINDS; i++)
			a->count[i] += attack_count(&req.status, i);
	}
	close(fd);
	return 0;
}

void status_attacks_report(FILE *out, const struct status_attacks *before,
			   const struct status_attacks *after)
{
	const char *sep = "";
	unsigned int i;

	for (i = 0; i < STATUS_ATTACK_KINDS; i++) {
		if (!tells_tampering(i) || after->count[i] <= before->count[i])
			continue;
		if (!*sep)
			fprintf(out,
				"fastvmix: while tracing, the hypervisor refused or repaired ");
		fprintf(out, "%s%s %" PRIu64, sep, attack_counters[i].name,
			after->count[i] - before->count[i]);
		sep = ", ";
	}
	if (*sep)
		fprintf(out, " (guest ring 0, or a sample trying: `fastvmix status` has them "
			     "per CPU)\n");
}

int cmd_status(int argc, char **argv)
{
	struct fvx_cpu_status hv;
	struct status_cpu *cpus;
	bool json = argc == 2 && !strcmp(argv[1], "--json");
	int fd, rc = 1;

	if (argc == 2 && cli_wants_help(argv[1])) {
		printf(USAGE "Prints the running hypervisor's VM exits by reason, per CPU\n"
			     "(through %s).\n"
			     "  --json   one JSON document: the hypervisor on the first line,\n"
			     "           then one line per CPU\n",
		       FVX_HV_DEVICE);
		return 0;
	}
	if (argc > 2 || (argc == 2 && !json)) {
		fprintf(stderr, USAGE);
		return 2;
	}
	fd = open(FVX_HV_DEVICE, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "fastvmix status: %s: %s%s\n", FVX_HV_DEVICE, strerror(errno),
			errno == ENOENT ? " (the hypervisor is not loaded: insmod fastvmix_hv.ko)"
					: "");
		return 1;
	}
	if (fetch(fd, &hv, &cpus) == 0) {
		if (status_print(stdout, json, &hv, cpus) == 0)
			rc = 0;
		free(cpus);
	}
	close(fd);
	return rc;
}
