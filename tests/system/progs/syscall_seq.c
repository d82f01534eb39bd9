/* A known sequence of system calls for the trace tests: an openat of a
 * path that does not exist (fails with ENOENT), then getpid x N, openat of
 * PATH, write of "fastvmix\n", exit_group(7). */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MISSING_PATH "/nonexistent/fastvmix"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 5, i, fd;
	const char *path = argc > 2 ? argv[2] : "/tmp/fvx-known";

	syscall(SYS_openat, AT_FDCWD, MISSING_PATH, O_RDONLY, 0);
	for (i = 0; i < n; i++)
		syscall(SYS_getpid);
	fd = syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	syscall(SYS_write, fd, "fastvmix\n", 9);
	syscall(SYS_exit_group, 7);
	return 0;
}
