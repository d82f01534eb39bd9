/* Time structures for the comparison with strace (peer.sh): first a
 * clock_gettime (its time differs from run to run: checked apart), then
 * nanosleep and clock_nanosleep with a struct timespec, clock_getres's
 * filled one, select's struct timeval timeout (no descriptor: it times
 * out), gettimeofday's struct timezone alone, a process's CPU clock (a number, no name), a bad pointer (EFAULT),
 * and i386 nanosleep and clock_getres through `int $0x80` with their
 * old_timespec32 (in .data, below 4 GiB: the binary is static and not
 * position-independent). The calls are made directly, so that the C
 * library adds nothing of its own. Exits 0 when each did what it should. */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int32_t req32[2] = { 0, 1000000 }, res32[2];

static long int80(long nr, long a, long b)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b) : "memory");
	return ret;
}

int main(void)
{
	struct timespec req = { 0, 1000000 }, res;
	struct timeval tv = { 0, 2000 };
	struct timezone tz;
	struct itimerval virt = { { 0, 0 }, { 100, 0 } }, off = { { 0, 0 }, { 0, 0 } }, old;
	struct itimerspec spec = { { 0, 0 }, { 10, 0 } }, spec_off = { { 0, 0 }, { 0, 0 } },
			  old_spec;
	int bad = 0, fd;

	bad |= syscall(SYS_clock_gettime, CLOCK_REALTIME, &res) != 0;
	bad |= syscall(SYS_nanosleep, &req, NULL) != 0;
	bad |= syscall(SYS_gettimeofday, NULL, &tz) != 0;
	bad |= syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL) != 0;
	bad |= syscall(SYS_clock_getres, CLOCK_MONOTONIC, &res) != 0;
	bad |= syscall(SYS_select, 0, NULL, NULL, NULL, &tv) != 0;
	bad |= syscall(SYS_clock_getres, -6 /* CPU clock of this process */, &res) != 0;
	bad |= syscall(SYS_nanosleep, (void *)8, NULL) != -1;
	bad |= syscall(SYS_setitimer, ITIMER_VIRTUAL, &virt, &old) != 0 || old.it_value.tv_sec;
	bad |= syscall(SYS_setitimer, ITIMER_VIRTUAL, &off, NULL) != 0;
	fd = (int)syscall(SYS_timerfd_create, CLOCK_MONOTONIC, TFD_CLOEXEC);
	bad |= fd < 0 || syscall(SYS_timerfd_settime, fd, 0, &spec, &old_spec) != 0;
	bad |= syscall(SYS_timerfd_settime, fd, TFD_TIMER_ABSTIME, &spec_off, NULL) != 0;
	bad |= int80(162 /* nanosleep */, (long)req32, 0) != 0;
	bad |= int80(266 /* clock_getres */, CLOCK_MONOTONIC, (long)res32) != 0;
	return bad;
}
