/* System calls a signal interrupts, for the comparison with strace
 * (peer.sh): a read of an empty pipe that SIGALRM interrupts, first with a
 * handler without SA_RESTART (the read fails with EINTR), then with one
 * with SA_RESTART that writes a byte into the pipe (the read, of 8 bytes
 * this time, is made again and gets it); a getpid after each; then a
 * sleep of 30 s that SIGALRM cuts short (glibc's nanosleep is
 * clock_nanosleep), which shows the time it had left. The SIGALRM comes from the scenario,
 * while the read waits; a timer sends it after 5 s if nothing else does. The buffers are static, so their
 * addresses are the same in every run, and written before (the byte the
 * handler writes is in memory: the analyzer reads no page that is not).
 * Exits 0 when each call did what it should. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static char buf[16], byte[1];
static struct timespec left;

static void on_alarm(int sig)
{
	(void)sig;
}

static void on_alarm_write(int sig)
{
	(void)sig;
	(void)!write(fds[1], byte, 1);
}

/* SIGALRM to handler in 5 s at the latest, with flags. */
static void alarm_in_5s(void (*handler)(int), int flags)
{
	struct sigaction act;
	struct itimerval t = { .it_value = { 5, 0 } };

	memset(&act, 0, sizeof(act));
	act.sa_handler = handler;
	act.sa_flags = flags;
	sigaction(SIGALRM, &act, NULL);
	setitimer(ITIMER_REAL, &t, NULL);
}

int main(void)
{
	int bad = 0;

	byte[0] = 'x';
	buf[0] = 0;
	if (pipe(fds))
		return 2;
	alarm_in_5s(on_alarm, 0);
	bad |= read(fds[0], buf, sizeof(buf)) != -1 || errno != EINTR;
	getpid();
	alarm_in_5s(on_alarm_write, SA_RESTART);
	bad |= read(fds[0], buf, sizeof(buf) / 2) != 1 || buf[0] != 'x';
	getpid();
	alarm_in_5s(on_alarm, 0);
	bad |= nanosleep(&(struct timespec){ 30, 0 }, &left) != -1 || errno != EINTR ||
	       left.tv_sec >= 30;
	return bad;
}
