/* A fake tracefs for the frontend's unit tests (include after cmocka.h). */
#ifndef FVX_TEST_FAKE_TRACEFS_H
#define FVX_TEST_FAKE_TRACEFS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A fake tracefs events/syscalls directory: write takes 3 arguments,
 * getpid none, exit_group 1. Removed with fake_events_remove. */
static char *fake_events(void)
{
	static const struct {
		const char *name;
		int args;
	} events[] = { { "write", 3 }, { "getpid", 0 }, { "exit_group", 1 } };
	char *dir = strdup("/tmp/fvx-events-XXXXXX"), path[256];
	unsigned int i;
	FILE *f;
	int a;

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		snprintf(path, sizeof(path), "%s/sys_enter_%s", dir, events[i].name);
		assert_int_equal(mkdir(path, 0755), 0);
		strcat(path, "/format");
		f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f,
			"name: sys_enter_%s\nID: 1\nformat:\n"
			"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\n"
			"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n",
			events[i].name);
		for (a = 0; a < events[i].args; a++)
			fprintf(f, "\tfield:long arg%d;\toffset:%d;\tsize:8;\tsigned:0;\n", a,
				16 + 8 * a);
		fprintf(f, "\nprint fmt: \"\"\n");
		fclose(f);
	}
	return dir;
}

static void fake_events_remove(char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

#endif
