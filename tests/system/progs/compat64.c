/* 32-bit system calls from a 64-bit program, for the trace tests: the
 * calls of compat.h first through SYSCALL, then through int $0x80 with the
 * i386 numbers, then exit_group(0) through SYSCALL. int $0x80 takes 32-bit
 * pointers: this is a static, non-PIE program, whose data lies below
 * 4 GiB.
 *     compat64 storm N   N getpid calls through int $0x80 instead
 * compat32.c makes the same calls from a 32-bit program. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "compat.h"

int main(int argc, char **argv)
{
	if ((uintptr_t)missing >> 32 || (uintptr_t)message >> 32)
		return 2; /* a PIE placed high: int $0x80 could not reach them */
	if (argc > 2 && !strcmp(argv[1], "storm"))
		return storm(int80, atol(argv[2]));
	syscall(SYS_getpid);
	syscall(SYS_open, missing, O_RDONLY);
	syscall(SYS_write, 1, message, sizeof(message) - 1);
	three_calls(int80);
	syscall(SYS_exit_group, 0);
	return 0;
}
