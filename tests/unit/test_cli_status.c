/* Unit tests for fastvmix status (cli/status.c): the text report and the
 * --json document that scenario scripts read line by line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <json-c/json.h>
#include <cmocka.h>

#include "cli.h"

static const struct fvx_cpu_status hv = {
	.version = FVX_CPU_STATUS_VERSION,
	.cpu_count = 3,
	.features = FVX_FEATURE_EPT | FVX_FEATURE_VPID | FVX_FEATURE_EPT_1G,
	.hv_base = 0x7c00000,
	.hv_size = 0x400000,
	.tsc_spaces = 2,
	.tsc_evicted = 1,
};

static struct status_cpu cpus[3];

static int setup(void **state)
{
	memset(cpus, 0, sizeof(cpus));
	cpus[0].status = (struct fvx_cpu_status){ .cpu = 0, .exits_total = 2008, .vmcalls = 4 };
	cpus[0].status.exits[10] = 2001;
	cpus[0].status.exits[18] = 4;
	cpus[0].status.exits[46] = 2;
	cpus[0].status.exits[70] = 1; /* no name */
	cpus[0].status.features = FVX_FEATURE_PT_PROTECT;
	cpus[0].status.cr3_loads = 17;
	cpus[0].status.table_writes_emulated = 4;
	cpus[0].status.tables_unguarded = 1;
	cpus[0].status.view_attacks = 3;
	cpus[0].status.sealed_refusals = 2;
	cpus[0].status.tsc_hidden = 5000;
	cpus[0].status.tsc_transition = 25;
	cpus[0].status.tsc_analyzer = 1300;
	cpus[0].status.rdtsc_exits = 6;
	cpus[0].status.rdtsc_adjusted = 5;
	cpus[0].status.tsc_deadline_rearms = 9;
	cpus[0].status.tsc_evened = 700;
	cpus[0].status.exits[16] = 6;
	cpus[1].error = ENODEV;
	cpus[2].status = (struct fvx_cpu_status){ .cpu = 2, .exits_total = 12345678901ULL };
	cpus[2].status.exits[1] = 12345678901ULL;
	return 0;
}

static char *report(bool json, const struct fvx_cpu_status *h)
{
	char *text = NULL;
	size_t size;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	assert_int_equal(status_print(out, json, h, cpus), 0);
	fclose(out);
	return text;
}

static void text_report(void **state)
{
	char *text = report(false, &hv);

	assert_string_equal(
		text,
		"hypervisor: 3 cpu(s); EPT (1 GiB pages), VPID; memory 0x7c00000-0x7ffffff hidden "
		"from the guest\n"
		"analyzer time hidden from 2 address space(s), 1 evicted\n"
		"cpu 0: 2008 exits, 4 vmcalls\n"
		"  CPUID                        10         2001\n"
		"  RDTSC                        16            6\n"
		"  VMCALL                       18            4\n"
		"  GDTR/IDTR access             46            2\n"
		"  ?                            70            1\n"
		"  page-table protection: on, 17 CR3 loads checked, 4 writes to loaded tables "
		"done, "
		"1 tables left writable\n"
		"  TSC: 5000 ticks hidden (700 catching up with the other CPUs, 0 let off), 25 per "
		"exit calibrated, deadline moved 9 times\n"
		"  analyzer time: 1300 ticks taken out of processes' TSCs; 6 RDTSC exits, 5 "
		"answered without it\n"
		"  attack view_attacks                           3\n"
		"  attack sealed_refusals                        2\n"
		"  attack tables_unguarded                       1\n"
		"cpu 1: not running under the hypervisor (No such device)\n"
		"cpu 2: 12345678901 exits, 0 vmcalls\n"
		"  external interrupt            1  12345678901\n"
		"  page-table protection: off, 0 CR3 loads checked, 0 writes to loaded tables "
		"done, "
		"0 tables left writable\n"
		"  TSC: 0 ticks hidden (0 catching up with the other CPUs, 0 let off), 0 per exit "
		"calibrated, deadline moved 0 times\n"
		"  analyzer time: 0 ticks taken out of processes' TSCs; 0 RDTSC exits, 0 answered "
		"without it\n");
	free(text);
}

static void json_lines(void **state)
{
	char *text = report(true, &hv);

	assert_string_equal(
		text,
		"{\"version\":1,\"cpu_count\":3,\"features\":[\"ept\",\"vpid\",\"ept_1g\"],"
		"\"hv_base\":130023424,\"hv_size\":4194304,\"tsc_spaces\":2,"
		"\"tsc_evicted\":1,\"cpus\":[\n"
		"{\"cpu\":0,\"exits_total\":2008,\"vmcalls\":4,\"pt_protect\":true,"
		"\"cr3_loads\":17,\"table_writes_emulated\":4,\"tables_unguarded\":1,"
		"\"tsc_hidden\":5000,\"tsc_transition\":25,"
		"\"tsc_analyzer\":1300,\"rdtsc_exits\":6,\"rdtsc_adjusted\":5,"
		"\"tsc_deadline_rearms\":9,\"tsc_evened\":700,\"tsc_forgiven\":0,\"attacks\":{"
		"\"view_attacks\":3,\"pml4e_repaired\":0,\"loaded_repaired\":0,\"table_writes_"
		"refused\":0,"
		"\"pdpte_repaired\":0,\"cr3_refused\":0,\"pdpt_writes_refused\":0,"
		"\"sealed_refusals\":2,\"bad_unload_keys\":0,\"msr_writes_shadowed\":0,"
		"\"dt_loads_refused\":0,\"kernel_writes_refused\":0,\"text_pokes\":0,"
		"\"resume_tampered\":0,\"loaded_refused\":0,\"tables_unguarded\":1,\"breakpoints_"
		"refused\":0},\"exits\":{"
		"\"10\":{\"name\":\"CPUID\",\"count\":2001},"
		"\"16\":{\"name\":\"RDTSC\",\"count\":6},"
		"\"18\":{\"name\":\"VMCALL\",\"count\":4},"
		"\"46\":{\"name\":\"GDTR/IDTR access\",\"count\":2},"
		"\"70\":{\"name\":null,\"count\":1}}},\n"
		"{\"cpu\":1,\"error\":\"No such device\"},\n"
		"{\"cpu\":2,\"exits_total\":12345678901,\"vmcalls\":0,\"pt_protect\":false,"
		"\"cr3_loads\":0,\"table_writes_emulated\":0,\"tables_unguarded\":0,"
		"\"tsc_hidden\":0,\"tsc_transition\":0,\"tsc_analyzer\":0,"
		"\"rdtsc_exits\":0,\"rdtsc_adjusted\":0,\"tsc_deadline_rearms\":0,"
		"\"tsc_evened\":0,\"tsc_forgiven\":0,\"attacks\":{\"view_"
		"attacks\":0,\"pml4e_repaired\":0,\"loaded_repaired\":0,\"table_writes_refused\":0,"
		"\"pdpte_repaired\":0,\"cr3_refused\":0,\"pdpt_writes_refused\":0,"
		"\"sealed_refusals\":0,\"bad_unload_keys\":0,\"msr_writes_shadowed\":0,"
		"\"dt_loads_refused\":0,\"kernel_writes_refused\":0,\"text_pokes\":0,"
		"\"resume_tampered\":0,\"loaded_refused\":0,\"tables_unguarded\":0,\"breakpoints_"
		"refused\":0},\"exits\":{"
		"\"1\":{\"name\":\"external interrupt\",\"count\":12345678901}}}\n"
		"]}\n");
	free(text);
}

static void json_is_one_document(void **state)
{
	char *text = report(true, &hv);
	struct json_object *doc = json_tokener_parse(text), *v, *cpu, *exits;

	assert_non_null(doc);
	assert_true(json_object_object_get_ex(doc, "cpu_count", &v));
	assert_int_equal(json_object_get_int(v), 3);
	assert_true(json_object_object_get_ex(doc, "cpus", &v));
	assert_int_equal(json_object_array_length(v), 3);
	cpu = json_object_array_get_idx(v, 0);
	assert_true(json_object_object_get_ex(cpu, "exits", &exits));
	assert_true(json_object_object_get_ex(exits, "10", &v));
	assert_true(json_object_object_get_ex(v, "count", &v));
	assert_int_equal(json_object_get_uint64(v), 2001);
	json_object_put(doc);
	free(text);
}

static void json_without_cpus(void **state)
{
	struct fvx_cpu_status none = hv;
	char *text;

	none.cpu_count = 0;
	none.features = 0;
	text = report(true, &none);
	assert_string_equal(text, "{\"version\":1,\"cpu_count\":0,\"features\":[],"
				  "\"hv_base\":130023424,\"hv_size\":4194304,\"tsc_spaces\":2,"
				  "\"tsc_evicted\":1,\"cpus\":[]}\n");
	free(text);
}

static void usage(void **state)
{
	char *help[] = { "status", "--help", NULL }, *json[] = { "status", "--json", "x", NULL },
	     *bad[] = { "status", "--jsn", NULL };

	assert_int_equal(cmd_status(2, help), 0);
	assert_int_equal(cmd_status(3, json), 2);
	assert_int_equal(cmd_status(2, bad), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(text_report, setup),
		cmocka_unit_test_setup(json_lines, setup),
		cmocka_unit_test_setup(json_is_one_document, setup),
		cmocka_unit_test_setup(json_without_cpus, setup),
		cmocka_unit_test(usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
