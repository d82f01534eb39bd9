/* Pipe ping-pong between two processes pinned to one CPU: every round trip
 * is two address-space switches. Prints "pingpong N CYCLES_PER_ROUND_TRIP"
 * (RDTSC; in Bochs, emulated instructions). */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <x86intrin.h>

static void pin(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0, i;
	int ping[2], pong[2], status;
	unsigned long long t0, t1;
	pid_t child;
	char c = 0;

	if (n <= 0 || pipe(ping) || pipe(pong)) {
		fprintf(stderr, "usage: pingpong ROUND_TRIPS\n");
		return 2;
	}
	pin();
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		for (i = 0; i < n; i++)
			if (read(ping[0], &c, 1) != 1 || write(pong[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	t0 = __rdtsc();
	for (i = 0; i < n; i++)
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			return 1;
	t1 = __rdtsc();
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	printf("pingpong %ld %.1f\n", n, (double)(t1 - t0) / n);
	return 0;
}
