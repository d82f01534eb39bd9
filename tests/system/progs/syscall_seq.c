/* A known sequence of system calls for the trace tests: an openat of a
 * path that does not exist (fails with ENOENT), then getpid x N, openat of
 * PATH, write of "fastvmix\n", exit_group(7). With a third argument "bad",
 * first open(2) of bad pointers, each failing with EFAULT: NULL, 0x1, a
 * string without a NUL up to an unmapped page, a PROT_NONE page. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static void bad_pointers(void)
{
	char *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	syscall(SYS_open, NULL, O_RDONLY);
	syscall(SYS_open, (char *)1, O_RDONLY);
	if (p == MAP_FAILED)
		return;
	memset(p, 'a', 4096);
	munmap(p + 4096, 4096);
	syscall(SYS_open, p + 4096 - 16, O_RDONLY); /* 16 bytes, no NUL, then nothing */
	mprotect(p, 4096, PROT_NONE);
	syscall(SYS_open, p, O_RDONLY);
}

#define MISSING_PATH "/nonexistent/fastvmix"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 5, i, fd;
	const char *path = argc > 2 ? argv[2] : "/tmp/fvx-known";

	if (argc > 3 && !strcmp(argv[3], "bad"))
		bad_pointers();
	syscall(SYS_openat, AT_FDCWD, MISSING_PATH, O_RDONLY, 0);
	for (i = 0; i < n; i++)
		syscall(SYS_getpid);
	fd = syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	syscall(SYS_write, fd, "fastvmix\n", 9);
	syscall(SYS_exit_group, 7);
	return 0;
}
