/* getpid benchmark (the original FastVMIX evaluation):
 *     getpid_bench N [THREADS [SAMPLES]]
 * N getpid calls on one CPU, timed with RDTSC. Prints one line,
 *     getpid_bench N CYCLES_PER_CALL [MEDIAN]
 * the mean of the timed loop (everything the CPU did meanwhile: the
 * frontend's draining too, when it runs on that CPU), and with SAMPLES the
 * median of that many more calls each timed alone with RDTSC (the call's
 * own path: the calls another task interrupted fall outside the median).
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

static int compare(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* The median of n single calls, each timed with RDTSC. */
static unsigned long long median_call(long n)
{
	unsigned long long *t = malloc(n * sizeof(*t)), m;
	long i;

	if (!t)
		exit(2);
	for (i = 0; i < n; i++) {
		unsigned long long s = __rdtsc();

		syscall(SYS_getpid);
		t[i] = __rdtsc() - s;
	}
	qsort(t, n, sizeof(*t), compare);
	m = t[n / 2];
	free(t);
	return m;
}

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
	long samples = argc > 3 ? atol(argv[3]) : 0;
	pthread_t t[64];
	unsigned long long start, end;

	calls = argc > 1 ? atol(argv[1]) : 100000;
	if (threads < 1 || threads > 64 || calls < 1 || samples < 0)
		return 2;
	if (threads == 1) {
		loop(0); /* warm up, pinned to CPU 0 */
		start = __rdtsc();
		loop(0);
		end = __rdtsc();
		printf("getpid_bench %ld %.1f", calls, (double)(end - start) / calls);
		if (samples)
			printf(" %llu", median_call(samples));
		printf("\n");
		return 0;
	}
	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, loop, (void *)(long)i);
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	printf("getpid_threads %d x %ld = %ld\n", threads, calls, threads * calls);
	return 0;
}
