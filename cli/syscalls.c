/* System call naming for fastvmix trace: names from libseccomp (x86-64)
 * and, for 32-bit calls, from the i386 table generated from the uapi
 * headers (syscall_compat.h; libseccomp names them alike, but resolves the
 * socket and IPC names to its own multiplexed numbers); argument counts
 * from the guest kernel's own syscall trace events in tracefs when it is
 * mounted, and the -e trace=NAMES,%CLASSES filter. */
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
		return name;
	snprintf(buf, size, "syscall_%" PRIu64, nr);
	return buf;
}

int syscall_number(const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);

	return nr >= 0 && nr < SYSCALL_COUNT ? nr : -1;
}

const char *syscall_compat_name(uint64_t nr, char *buf, size_t size)
{
	if (nr < FVX_COMPAT_SYSCALLS && fvx_compat_names[nr][0])
		return fvx_compat_names[nr];
	snprintf(buf, size, "syscall_%" PRIu64, nr);
	return buf;
}

int syscall_compat_number(const char *name)
{
	int nr;

	for (nr = 0; nr < FVX_COMPAT_SYSCALLS; nr++)
		if (fvx_compat_names[nr][0] && !strcmp(fvx_compat_names[nr], name))
			return nr;
	return -1;
}

const char *syscall_record_name(const struct fvx_trace_record *r, char *buf, size_t size)
{
	if (r->flags & FVX_RECORD_COMPAT)
		return syscall_compat_name(r->nr, buf, size);
	return syscall_name(r->nr, buf, size);
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
	{ "%clock", FVX_CLASS_CLOCK },
};

static void set_bit(uint64_t bits[8], int nr)
{
	bits[nr / 64] |= 1ULL << (nr % 64);
}

static bool has_bit(const uint64_t bits[8], uint64_t nr)
{
	return nr < SYSCALL_COUNT && (bits[nr / 64] >> (nr % 64)) & 1;
}

/* i386 calls without an x86-64 call of their name, and the one whose work
 * each does: its classes are theirs, as strace classes them (socketcall
 * is every socket call, ipc every System V IPC one). */
static const struct {
	const char *name, *as;
} compat_namesakes[] = {
	{ "stat64", "stat" },
	{ "lstat64", "lstat" },
	{ "fstat64", "fstat" },
	{ "fstatat64", "newfstatat" },
	{ "oldstat", "stat" },
	{ "oldlstat", "lstat" },
	{ "oldfstat", "fstat" },
	{ "truncate64", "truncate" },
	{ "ftruncate64", "ftruncate" },
	{ "chown32", "chown" },
	{ "lchown32", "lchown" },
	{ "fchown32", "fchown" },
	{ "statfs64", "statfs" },
	{ "fstatfs64", "fstatfs" },
	{ "umount", "umount2" },
	{ "fcntl64", "fcntl" },
	{ "_llseek", "lseek" },
	{ "_newselect", "select" },
	{ "readdir", "getdents" },
	{ "sendfile64", "sendfile" },
	{ "fadvise64_64", "fadvise64" },
	{ "mmap2", "mmap" },
	{ "sigaction", "rt_sigaction" },
	{ "signal", "rt_sigaction" },
	{ "sigprocmask", "rt_sigprocmask" },
	{ "sigpending", "rt_sigpending" },
	{ "sigsuspend", "rt_sigsuspend" },
	{ "sigreturn", "rt_sigreturn" },
	{ "waitpid", "wait4" },
	{ "socketcall", "socket" },
	{ "ipc", "semop" },
};

/* Whether 32-bit call nr is in one of `classes`: the x86-64 call of the
 * same name is (its twin, or one whose arguments differ), or the one it
 * stands for (compat_namesakes). */
static bool compat_in_class(int nr, unsigned int classes)
{
	const char *name = fvx_compat_names[nr];
	int native = name[0] ? syscall_number(name) : -1;
	size_t i;

	for (i = 0;
	     native < 0 && name[0] && i < sizeof(compat_namesakes) / sizeof(compat_namesakes[0]);
	     i++)
		if (!strcmp(name, compat_namesakes[i].name))
			native = syscall_number(compat_namesakes[i].as);
	return native >= 0 && syscall_in_class((uint64_t)native, classes);
}

/* A socket call named: the socketcall that does its work when the
 * analyzer could not unfold it (its arguments not readable at its entry)
 * is shown too, and socketcall's accept, which i386 records as accept4
 * (flags 0), with accept. */
static void socketcall_add(const char *name, int compat, struct syscall_filter *f)
{
	int accept4_32 = syscall_compat_number("accept4");
	size_t i;

	if (!strcmp(name, "accept") && accept4_32 >= 0) {
		set_bit(f->compat, accept4_32);
		compat = accept4_32;
	}
	for (i = 0; compat >= 0 && i < FVX_SOCKETCALLS; i++)
		if (fvx_socketcalls[i].nr && fvx_socketcalls[i].nr == compat)
			set_bit(f->compat, FVX_COMPAT_SOCKETCALL);
}

/* Adds the calls a name, a %CLASS or "all" stands for, 64-bit and 32-bit
 * by name; -1 when unknown. */
static int filter_add(const char *name, struct syscall_filter *f)
{
	int nr = syscall_number(name), compat = syscall_compat_number(name);
	size_t i;

	if (nr >= 0 || compat >= 0) {
		if (nr >= 0)
			set_bit(f->native, nr);
		if (compat >= 0)
			set_bit(f->compat, compat);
		socketcall_add(name, compat, f);
		return 0;
	}
	if (!strcmp(name, "all")) {
		memset(f, 0xff, sizeof(*f));
		return 0;
	}
	for (i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
		if (!strcmp(name, class_names[i].name)) {
			for (nr = 0; nr < SYSCALL_COUNT; nr++)
				if (syscall_in_class(nr, class_names[i].classes))
					set_bit(f->native, nr);
			for (nr = 0; nr < FVX_COMPAT_SYSCALLS; nr++)
				if (compat_in_class(nr, class_names[i].classes))
					set_bit(f->compat, nr);
			return 0;
		}
	return -1;
}

bool syscall_filter_wants(const struct syscall_filter *f, const struct fvx_trace_record *r)
{
	return has_bit(r->flags & FVX_RECORD_COMPAT ? f->compat : f->native, r->nr);
}

int syscall_filter_parse(const char *spec, struct syscall_filter *f)
{
	char *copy, *name, *save;

	memset(f, 0, sizeof(*f));
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
		if (filter_add(name, f) != 0) {
			fprintf(stderr, "fastvmix trace: unknown system call or class '%s'\n",
				name);
			free(copy);
			return -1;
		}
	free(copy);
	return 0;
}
