/* A 32-bit program for the trace tests (built with -m32, freestanding: no
 * C library), making compat64.c's calls first through int $0x80, then
 * through the vDSO's __kernel_vsyscall (AT_SYSINFO in the auxiliary vector;
 * SYSENTER on Intel CPUs): getpid, an open(2) of a path that does not exist
 * (ENOENT) and a write of "fvx-compat\n" to fd 1; then exit_group(0)
 * through int $0x80.
 *     compat32 storm N   N getpid calls through __kernel_vsyscall instead,
 *                        each of which must return what the first did
 *                        (exit status 1 when one does not)
 * Exit status 3: the kernel gave no AT_SYSINFO. */

/* The i386 numbers, as <asm/unistd_32.h> has them: typed here on purpose,
 * so that the names in the trace check the table FastVMIX generates. */
#define I386_WRITE 4
#define I386_OPEN 5
#define I386_GETPID 20
#define I386_EXIT_GROUP 252
#define AT_NULL 0
#define AT_SYSINFO 32
#define O_RDONLY 0

typedef unsigned int u32;

static const char missing[] = "/nonexistent/fvx-compat";
static const char message[] = "fvx-compat\n";
static u32 vsyscall; /* __kernel_vsyscall */

static long int80(long nr, u32 a, u32 b, u32 c)
{
	long ret;

	__asm__ __volatile__("int $0x80"
			     : "=a"(ret)
			     : "a"(nr), "b"(a), "c"(b), "d"(c)
			     : "memory", "cc");
	return ret;
}

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

static int storm(long n)
{
	long first = vdso(I386_GETPID, 0, 0, 0), i;

	for (i = 1; i < n; i++)
		if (vdso(I386_GETPID, 0, 0, 0) != first)
			return 1;
	return 0;
}

/* sp: the initial stack: argc, argv[], NULL, envp[], NULL, auxv pairs. */
__attribute__((used, noreturn)) void start_c(const u32 *sp)
{
	u32 argc = sp[0];
	const char *const *argv = (const char *const *)(sp + 1);
	const u32 *p = sp + 1 + argc + 1;
	long (*const ways[])(long, u32, u32, u32) = { int80, vdso };
	unsigned int i;

	while (*p)
		p++; /* the environment */
	for (p++; p[0] != AT_NULL; p += 2)
		if (p[0] == AT_SYSINFO)
			vsyscall = p[1];
	if (!vsyscall)
		exit_group(3);
	if (argc > 2 && same(argv[1], "storm"))
		exit_group(storm(decimal(argv[2])));
	for (i = 0; i < 2; i++) {
		ways[i](I386_GETPID, 0, 0, 0);
		ways[i](I386_OPEN, (u32)missing, O_RDONLY, 0);
		ways[i](I386_WRITE, 1, (u32)message, sizeof(message) - 1);
	}
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
