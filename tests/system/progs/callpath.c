/* One getpid between two Bochs magic breakpoints (xchg %bx, %bx), after
 * 2,000 that warm the path up: bench/callpath.sh has Bochs trace every
 * instruction between the two, the SYSCALL's whole path. Prints the pid. */
#include <stdio.h>

static long call_getpid(void)
{
	long r;

	__asm__ __volatile__("syscall" : "=a"(r) : "a"(39L) : "rcx", "r11", "memory");
	return r;
}

int main(void)
{
	long pid = 0;
	int i;

	for (i = 0; i < 2000; i++)
		call_getpid();
	__asm__ __volatile__("xchg %%bx, %%bx" ::: "memory");
	pid = call_getpid();
	__asm__ __volatile__("xchg %%bx, %%bx" ::: "memory");
	printf("callpath %ld\n", pid);
	return 0;
}
