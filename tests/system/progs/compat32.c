/* A 32-bit program for the trace tests (built with -m32, freestanding: no
 * C library), making the calls of compat.h first through int $0x80, then
 * through the vDSO's __kernel_vsyscall (AT_SYSINFO in the auxiliary vector;
 * SYSENTER on Intel CPUs); then exit_group(0) through int $0x80.
 *     compat32 storm N   N getpid calls through __kernel_vsyscall instead
 * Exit status 3: the kernel gave no AT_SYSINFO. */

#include "compat.h"

#define AT_NULL 0
#define AT_SYSINFO 32

static u32 vsyscall; /* __kernel_vsyscall */

/* __kernel_vsyscall: the number in EAX, the arguments in EBX, ECX, EDX...;
 * it keeps every register but EAX. */
static long vdso(long nr, u32 a, u32 b, u32 c)
{
	long ret;

	__asm__ __volatile__("call *%[fn]"
			     : "=a"(ret)
			     : "a"(nr), "b"(a), "c"(b), "d"(c), [fn] "m"(vsyscall)
			     : "memory", "cc");
	return ret;
}

static __attribute__((noreturn)) void exit_group(int status)
{
	for (;;)
		int80(I386_EXIT_GROUP, (u32)status, 0, 0);
}

static long decimal(const char *s)
{
	long n = 0;

	while (*s >= '0' && *s <= '9')
		n = 10 * n + (*s++ - '0');
	return n;
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* sp: the initial stack: argc, argv[], NULL, envp[], NULL, auxv pairs. */
__attribute__((used, noreturn)) void start_c(const u32 *sp)
{
	u32 argc = sp[0];
	const char *const *argv = (const char *const *)(sp + 1);
	const u32 *p = sp + 1 + argc + 1;

	while (*p)
		p++; /* the environment */
	for (p++; p[0] != AT_NULL; p += 2)
		if (p[0] == AT_SYSINFO)
			vsyscall = p[1];
	if (!vsyscall)
		exit_group(3);
	if (argc > 2 && same(argv[1], "storm"))
		exit_group(storm(vdso, decimal(argv[2])));
	three_calls(int80);
	three_calls(vdso);
	exit_group(0);
}

/* The entry point: the initial stack to start_c, the stack 16-byte aligned. */
__asm__(".globl _start\n"
	"_start:\n"
	"	xor %ebp, %ebp\n"
	"	mov %esp, %eax\n"
	"	and $-16, %esp\n"
	"	sub $12, %esp\n"
	"	push %eax\n"
	"	call start_c\n"
	"	hlt\n");
