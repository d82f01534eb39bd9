/* A 32-bit program for the trace tests (built with -m32, freestanding: no
 * C library), making the calls of compat.h first through int $0x80, then
 * through the vDSO's __kernel_vsyscall (AT_SYSINFO in the auxiliary vector;
 * SYSENTER on Intel CPUs); then exit_group(0) through int $0x80.
 *     compat32 storm N   N getpid calls through __kernel_vsyscall instead
 *     compat32 socketcall   socket calls through socketcall instead
 *     compat32 step   a getpid through __kernel_vsyscall single-stepped
 *                     (TF set: SYSENTER with TF), printing "steps N", the
 *                     SIGTRAPs it took
 * Exit status 3: the kernel gave no AT_SYSINFO. */

#include "compat.h"

#define AT_NULL 0
#define AT_SYSINFO 32

#define I386_SOCKETCALL 102
#define SYS_SOCKET 1 /* <linux/net.h> */
#define SYS_CONNECT 3
#define SYS_SEND 9
#define AF_UNIX 1
#define SOCK_DGRAM 2

static u32 vsyscall; /* __kernel_vsyscall */

/* Through socketcall, as old binaries make them: socket(AF_UNIX,
 * SOCK_DGRAM, 0); a connect to a path that is not there (ENOENT); a send
 * on the unconnected socket (ENOTCONN); a connect whose arguments are not
 * readable (EFAULT). */
static void socket_calls(void)
{
	static const struct {
		unsigned short family;
		char path[22];
	} addr = { AF_UNIX, "/nonexistent/fvx-sock" };
	u32 args[4] = { AF_UNIX, SOCK_DGRAM, 0 };
	long fd = int80(I386_SOCKETCALL, SYS_SOCKET, (u32)args, 0);

	args[0] = (u32)fd;
	args[1] = (u32)&addr;
	args[2] = sizeof(addr);
	int80(I386_SOCKETCALL, SYS_CONNECT, (u32)args, 0);
	args[1] = (u32)message;
	args[2] = sizeof(message) - 1;
	args[3] = 0;
	int80(I386_SOCKETCALL, SYS_SEND, (u32)args, 0);
	int80(I386_SOCKETCALL, SYS_CONNECT, 1, 0);
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

/* Single steps: a SIGTRAP handler that counts (rt_sigaction with
 * SA_SIGINFO, its frame undone by rt_sigreturn through the restorer). */
#define I386_RT_SIGACTION 174
#define I386_RT_SIGRETURN 173
#define SIGTRAP 5
#define SA_SIGINFO 0x4
#define SA_RESTORER 0x04000000
#define RFLAGS_TF 0x100

static volatile u32 traps;

static void on_trap(int sig, void *info, void *context)
{
	(void)sig, (void)info, (void)context;
	traps++;
}

void restorer(void);
__asm__(".globl restorer\nrestorer:\n\tmov $"
	"173"
	", %eax\n\tint $0x80\n");
_Static_assert(I386_RT_SIGRETURN == 173, "the restorer's number");

/* getpid through __kernel_vsyscall with TF set from just before the call
 * to just after it: every user instruction between traps (the vDSO's,
 * before and after its SYSENTER), none in the kernel. */
static u32 stepped_getpid(void)
{
	struct {
		u32 handler, flags, restorer, mask[2];
	} act = { (u32)on_trap, SA_SIGINFO | SA_RESTORER, (u32)restorer, { 0, 0 } };
	long ret;

	__asm__ __volatile__("int $0x80"
			     : "=a"(ret)
			     : "a"(I386_RT_SIGACTION), "b"(SIGTRAP), "c"(&act), "d"(0),
			       "S"(sizeof(act.mask))
			     : "memory", "cc");
	if (ret)
		exit_group(4);
	traps = 0;
	__asm__ __volatile__("pushf\n\torl %[tf], (%%esp)\n\tpopf\n\t"
			     "call *%[fn]\n\t"
			     "pushf\n\tandl %[not_tf], (%%esp)\n\tpopf"
			     : "=a"(ret)
			     : "a"(I386_GETPID), [fn] "m"(vsyscall), [tf] "i"(RFLAGS_TF),
			       [not_tf] "i"(~RFLAGS_TF)
			     : "memory", "cc");
	return traps;
}

static void print_steps(u32 n)
{
	char buf[24] = "steps ", digits[12];
	unsigned int len = 6, d = 0;

	do
		digits[d++] = (char)('0' + n % 10);
	while ((n /= 10));
	while (d)
		buf[len++] = digits[--d];
	buf[len++] = '\n';
	int80(I386_WRITE, 1, (u32)buf, len);
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
	if (argc > 1 && same(argv[1], "step")) {
		print_steps(stepped_getpid());
		exit_group(0);
	}
	if (argc > 1 && same(argv[1], "socketcall")) {
		socket_calls();
		exit_group(0);
	}
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
