/* 32-bit system calls from a 64-bit program, for the trace tests: the same
 * few calls first through SYSCALL, then through int $0x80 with the i386
 * numbers: getpid, an open(2) of a path that does not exist (ENOENT) and a
 * write of "fvx-compat\n" to fd 1; then exit_group(0) through SYSCALL.
 * int $0x80 takes 32-bit pointers: this is a static, non-PIE program, whose
 * data lies below 4 GiB.
 *     compat64 storm N   N getpid calls through int $0x80 instead, each of
 *                        which must return what the first did (exit
 *                        status 1 when one does not)
 * compat32.c makes the same calls from a 32-bit program. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The i386 numbers, as <asm/unistd_32.h> has them: typed here on purpose,
 * so that the names in the trace check the table FastVMIX generates. */
#define I386_WRITE 4
#define I386_OPEN 5
#define I386_GETPID 20

static const char missing[] = "/nonexistent/fvx-compat";
static const char message[] = "fvx-compat\n";

/* A pointer as int $0x80 takes it: its low 32 bits (main checks the rest). */
static uint32_t ptr32(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

static long int80(long nr, uint32_t a, uint32_t b, uint32_t c)
{
	long ret;

	/* (Linux clears R8-R11 on the way back from int $0x80.) */
	__asm__ __volatile__("int $0x80"
			     : "=a"(ret)
			     : "a"(nr), "b"(a), "c"(b), "d"(c)
			     : "r8", "r9", "r10", "r11", "memory", "cc");
	return ret;
}

static int storm(long n)
{
	long first = int80(I386_GETPID, 0, 0, 0), i;

	for (i = 1; i < n; i++)
		if (int80(I386_GETPID, 0, 0, 0) != first)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	if ((uintptr_t)missing >> 32 || (uintptr_t)message >> 32)
		return 2; /* a PIE placed high: int $0x80 could not reach them */
	if (argc > 2 && !strcmp(argv[1], "storm"))
		return storm(atol(argv[2]));
	syscall(SYS_getpid);
	syscall(SYS_open, missing, O_RDONLY);
	syscall(SYS_write, 1, message, sizeof(message) - 1);
	int80(I386_GETPID, 0, 0, 0);
	int80(I386_OPEN, ptr32(missing), O_RDONLY, 0);
	int80(I386_WRITE, 1, ptr32(message), sizeof(message) - 1);
	syscall(SYS_exit_group, 0);
	return 0;
}
