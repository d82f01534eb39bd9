/* System call naming for fastvmix trace: names from libseccomp (x86-64),
 * argument counts from the guest kernel's own syscall trace events in
 * tracefs when it is mounted, and the -e trace=NAMES,%CLASSES filter. */
#include <inttypes.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void syscall_table_init(struct syscall_table *t, const char *events_dir)
{
	memset(t, 0, sizeof(*t));
	t->events_dir = events_dir;
}

/* libseccomp's lookup scans its table and allocates: each number is
 * looked up once, as every record names its call (the drain's hot path). */
static const char *known_name(uint64_t nr)
{
	static char names[SYSCALL_COUNT][32];
	static bool looked_up[SYSCALL_COUNT];
	char *name;

	if (nr >= SYSCALL_COUNT)
		return NULL;
	if (!looked_up[nr]) {
		looked_up[nr] = true;
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)nr);
		if (name && strlen(name) < sizeof(names[nr]))
			strcpy(names[nr], name);
		free(name);
	}
	return names[nr][0] ? names[nr] : NULL;
}

const char *syscall_name(uint64_t nr, char *buf, size_t size)
{
	const char *name = known_name(nr);

	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "syscall_%" PRIu64, nr);
	return buf;
}

int syscall_number(const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);

	return nr >= 0 && nr < SYSCALL_COUNT ? nr : -1;
}

/* The fields after __syscall_nr in events/syscalls/sys_enter_NAME/format
 * are the arguments; 6 when the event is not there. */
int syscall_argc(struct syscall_table *t, uint64_t nr, const char *name)
{
	char path[256], line[256];
	int n = 0, after_nr = 0;
	FILE *f;

	if (nr >= SYSCALL_COUNT)
		return 6;
	if (t->argc[nr])
		return t->argc[nr] - 1;
	snprintf(path, sizeof(path), "%s/sys_enter_%s/format", t->events_dir, name);
	f = fopen(path, "re");
	if (!f) {
		t->argc[nr] = 7;
		return 6;
	}
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "__syscall_nr"))
			after_nr = 1;
		else if (after_nr && strstr(line, "field:"))
			n++;
	}
	fclose(f);
	t->argc[nr] = (signed char)(n + 1);
	return n;
}

/* strace's class names for -e trace=%CLASS (syscall_args.h says which
 * calls are in each). */
static const struct {
	const char *name;
	unsigned int classes;
} class_names[] = {
	{ "%file", FVX_CLASS_FILE },	   { "%desc", FVX_CLASS_DESC },
	{ "%network", FVX_CLASS_NETWORK }, { "%net", FVX_CLASS_NETWORK },
	{ "%process", FVX_CLASS_PROCESS }, { "%signal", FVX_CLASS_SIGNAL },
	{ "%ipc", FVX_CLASS_IPC },	   { "%memory", FVX_CLASS_MEMORY },
};

/* Adds the calls a name, a %CLASS or "all" stands for; -1 when unknown. */
static int filter_add(const char *name, uint64_t syscalls[8])
{
	int nr = syscall_number(name);
	size_t i;

	if (nr >= 0) {
		syscalls[nr / 64] |= 1ULL << (nr % 64);
		return 0;
	}
	if (!strcmp(name, "all")) {
		memset(syscalls, 0xff, 8 * sizeof(uint64_t));
		return 0;
	}
	for (i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
		if (!strcmp(name, class_names[i].name)) {
			for (nr = 0; nr < SYSCALL_COUNT; nr++)
				if (syscall_in_class(nr, class_names[i].classes))
					syscalls[nr / 64] |= 1ULL << (nr % 64);
			return 0;
		}
	return -1;
}

int syscall_filter_parse(const char *spec, uint64_t syscalls[8])
{
	char *copy, *name, *save;

	memset(syscalls, 0, 8 * sizeof(uint64_t));
	if (strncmp(spec, "trace=", 6)) {
		fprintf(stderr, "fastvmix trace: -e takes trace=NAME[,NAME...] or status=WHICH\n");
		return -1;
	}
	copy = strdup(spec + 6);
	if (!copy) {
		perror("fastvmix trace");
		return -1;
	}
	for (name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save))
		if (filter_add(name, syscalls) != 0) {
			fprintf(stderr, "fastvmix trace: unknown system call or class '%s'\n",
				name);
			free(copy);
			return -1;
		}
	free(copy);
	return 0;
}
