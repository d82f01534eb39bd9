/* What compat64.c and compat32.c share: int $0x80, the 32-bit calls they
 * make through it or another way into the kernel, and the storm of getpid
 * calls. Freestanding: compat32 has no C library. */
#ifndef FVX_PROGS_COMPAT_H
#define FVX_PROGS_COMPAT_H

/* The i386 numbers, as <asm/unistd_32.h> has them: typed here on purpose,
 * so that the names in the trace check the table FastVMIX generates. */
#define I386_WRITE 4
#define I386_OPEN 5
#define I386_GETPID 20
#define I386_EXIT_GROUP 252
#define I386_O_RDONLY 0

typedef unsigned int u32;
/* A way into the kernel: number in EAX, arguments in EBX, ECX, EDX. */
typedef long (*syscall32_fn)(long nr, u32 a, u32 b, u32 c);

static const char missing[] = "/nonexistent/fvx-compat";
static const char message[] = "fvx-compat\n";

/* int $0x80. (Linux clears R8-R11 on the way back to a 64-bit program.) */
static long int80(long nr, u32 a, u32 b, u32 c)
{
	long ret;

	__asm__ __volatile__("int $0x80"
			     : "=a"(ret)
			     : "a"(nr), "b"(a), "c"(b), "d"(c)
			     : "memory", "cc"
#ifdef __x86_64__
			       ,
			       "r8", "r9", "r10", "r11"
#endif
	);
	return ret;
}

/* getpid, an open(2) that fails with ENOENT, a write of message to fd 1.
 * (The pointers' low 32 bits: the programs keep their data below 4 GiB.) */
static void three_calls(syscall32_fn call)
{
	call(I386_GETPID, 0, 0, 0);
	call(I386_OPEN, (u32)(unsigned long)missing, I386_O_RDONLY, 0);
	call(I386_WRITE, 1, (u32)(unsigned long)message, sizeof(message) - 1);
}

/* n getpid calls, each of which must return what the first did: exit
 * status 1 when one does not. */
static int storm(syscall32_fn call, long n)
{
	long first = call(I386_GETPID, 0, 0, 0), i;

	for (i = 1; i < n; i++)
		if (call(I386_GETPID, 0, 0, 0) != first)
			return 1;
	return 0;
}

#endif
