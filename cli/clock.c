/* From the records' TSC to time: two readings of the TSC and of
 * CLOCK_REALTIME a few milliseconds apart give the TSC's rate and a point
 * both clocks share. Records carry the host's TSC (trace.h), this process
 * reads the guest's, which runs behind it by its CPU's hidden hypervisor
 * time since load (small while exits are rare): times of day come out that
 * much late, durations and order are the host's. */
#define _GNU_SOURCE
#include <time.h>
#include <x86intrin.h>

#include "cli.h"

#define CALIBRATION_NS 20000000 /* 20 ms: the rate to a few parts per million */

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

/* A TSC reading and CLOCK_REALTIME at the same moment: the middle of two
 * TSC readings around the clock's. */
static void sample(uint64_t *tsc, int64_t *ns)
{
	struct timespec t;
	uint64_t before = __rdtsc(), after;

	clock_gettime(CLOCK_REALTIME, &t);
	after = __rdtsc();
	*tsc = before + (after - before) / 2;
	*ns = ns_of(&t);
}

bool tsc_clock_set(struct tsc_clock *c, uint64_t tsc_a, int64_t ns_a, uint64_t tsc_b, int64_t ns_b)
{
	*c = (struct tsc_clock){ 0 };
	if (tsc_b <= tsc_a || ns_b <= ns_a)
		return false;
	c->tsc0 = tsc_a;
	c->ns0 = ns_a;
	c->ns_per_tick = (double)(ns_b - ns_a) / (double)(tsc_b - tsc_a);
	return true;
}

bool tsc_clock_calibrate(struct tsc_clock *c)
{
	struct timespec pause = { 0, CALIBRATION_NS };
	uint64_t tsc_a, tsc_b;
	int64_t ns_a, ns_b;

	sample(&tsc_a, &ns_a);
	nanosleep(&pause, NULL);
	sample(&tsc_b, &ns_b);
	return tsc_clock_set(c, tsc_a, ns_a, tsc_b, ns_b);
}

bool tsc_clock_valid(const struct tsc_clock *c)
{
	return c->ns_per_tick > 0;
}

int64_t tsc_clock_ns(const struct tsc_clock *c, uint64_t tsc)
{
	return c->ns0 + (int64_t)((double)(int64_t)(tsc - c->tsc0) * c->ns_per_tick);
}

int64_t tsc_clock_ticks_ns(const struct tsc_clock *c, uint64_t ticks)
{
	return (int64_t)((double)ticks * c->ns_per_tick);
}
