/* getpid benchmark (the original FastVMIX evaluation): N getpid calls on
 * one CPU, timed with RDTSC. Prints one line: "getpid_bench N CYCLES_PER_CALL".
 * With THREADS > 1, one pinned thread per CPU each makes N calls and the
 * total is printed instead (for the ring-accounting test). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>

static long calls;

static void *loop(void *arg)
{
	cpu_set_t set;
	long i;

	CPU_ZERO(&set);
	CPU_SET((int)(long)arg, &set);
	sched_setaffinity(0, sizeof(set), &set);
	for (i = 0; i < calls; i++)
		syscall(SYS_getpid);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 2 ? atoi(argv[2]) : 1, i;
	pthread_t t[64];
	unsigned long long start, end;

	calls = argc > 1 ? atol(argv[1]) : 100000;
	if (threads < 1 || threads > 64 || calls < 1)
		return 2;
	if (threads == 1) {
		loop(0); /* warm up, pinned to CPU 0 */
		start = __rdtsc();
		loop(0);
		end = __rdtsc();
		printf("getpid_bench %ld %.1f\n", calls, (double)(end - start) / calls);
		return 0;
	}
	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, loop, (void *)(long)i);
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	printf("getpid_threads %d x %ld = %ld\n", threads, calls, threads * calls);
	return 0;
}
