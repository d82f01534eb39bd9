/* Processes coming and going, for the -f tests (trace.sh, peer.sh):
 *     lifecycle [DEPTH]
 * in this order: a SIGUSR1 to itself, with a handler; a thread; a child
 * made with clone(CLONE_PARENT), whose parent is ours; a double fork, whose
 * grandchild goes on once init has adopted it; a fork chain DEPTH deep
 * (default 100); a child that exits 3; a child killed by SIGKILL in
 * pause(); a child
 * killed by SIGSEGV at address 0x10 (no core); a child that stops itself
 * with SIGSTOP and that we continue (SIGCONT). The thread, the clone's
 * child, the grandchild and the chain's last process each make one call
 * of their own, an openat of a path that does not exist: "/fvx-thread",
 * "/fvx-clone-parent", "/fvx-grandchild", "/fvx-chain-end". Every process
 * writes "ROLE PID" to stdout (the main one "main", the chain's "chain-N"),
 * so that a test can tell whose each line is. Waits until every
 * descendant is gone (those it is not the parent of: by a pipe they hold
 * open), so that the trace sees them all; exits 0. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void say(const char *role, long pid)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "%s %ld\n", role, pid);

	if (write(1, line, (size_t)n) != n)
		_exit(120);
}

static void own_call(const char *path)
{
	syscall(SYS_openat, AT_FDCWD, path, O_RDONLY, 0);
}

static void reap(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0)
		;
}

/* Until pid sleeps (its /proc/PID/stat's state is S), at most about 2 s. */
static void wait_asleep(pid_t pid)
{
	char path[64], stat[256], *state;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (i = 0; i < 2000; i++) {
		int fd = open(path, O_RDONLY);
		ssize_t n = fd < 0 ? -1 : read(fd, stat, sizeof(stat) - 1);

		if (fd >= 0)
			close(fd);
		if (n <= 0)
			return;
		stat[n] = 0;
		state = strrchr(stat, ')');
		if (state && state[1] == ' ' && state[2] == 'S')
			return;
		usleep(1000);
	}
}

/* Until every process holding the pipe's write end has exited. */
static void wait_gone(int fds[2])
{
	char c;

	close(fds[1]);
	while (read(fds[0], &c, 1) > 0)
		;
	close(fds[0]);
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void *thread(void *arg)
{
	(void)arg;
	say("thread", syscall(SYS_gettid));
	own_call("/fvx-thread");
	return NULL;
}

/* The chain: each of its processes makes the next, until the DEPTH-th,
 * which makes the chain's own call; each waits for the one it made. */
static void chain(int depth)
{
	char role[32];
	pid_t child;
	int i;

	for (i = 1;; i++) {
		snprintf(role, sizeof(role), "chain-%d", i);
		say(role, getpid());
		if (i == depth) {
			own_call("/fvx-chain-end");
			_exit(0);
		}
		child = fork();
		if (child != 0) {
			if (child > 0)
				reap(child);
			_exit(child > 0 ? 0 : 1);
		}
	}
}

int main(int argc, char **argv)
{
	int depth = argc > 1 ? atoi(argv[1]) : 100, gone[2], parent_gone[2], ready[2], status;
	struct timespec ms = { 0, 1000000 };
	struct sigaction sa = { .sa_handler = on_usr1 };
	pthread_t t;
	pid_t pid, a;
	char c;

	if (depth < 1 || pipe(gone) || pipe(ready))
		return 2;
	say("main", getpid());
	sigaction(SIGUSR1, &sa, NULL);
	kill(getpid(), SIGUSR1);

	if (pthread_create(&t, NULL, thread, NULL) == 0)
		pthread_join(t, NULL);

	/* clone(CLONE_PARENT): our parent's child, not ours. */
	pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		say("clone-parent", getpid());
		own_call("/fvx-clone-parent");
		syscall(SYS_exit_group, 0);
	}
	wait_gone(gone);

	/* A double fork: the grandchild waits for its parent to exit and for
	 * init (or a subreaper) to adopt it. */
	if (pipe(gone) || pipe(parent_gone))
		return 2;
	a = fork();
	if (a == 0) {
		say("doublefork-parent", getpid());
		pid = fork();
		if (pid == 0) {
			close(parent_gone[1]);
			while (read(parent_gone[0], &c, 1) > 0)
				;
			while (getppid() == a)
				nanosleep(&ms, NULL);
			say("grandchild", getpid());
			own_call("/fvx-grandchild");
			_exit(0);
		}
		_exit(0);
	}
	close(parent_gone[0]);
	close(parent_gone[1]);
	reap(a);
	wait_gone(gone);

	pid = fork();
	if (pid == 0)
		chain(depth);
	reap(pid);

	pid = fork();
	if (pid == 0) {
		say("exit3", getpid());
		_exit(3);
	}
	reap(pid);

	pid = fork();
	if (pid == 0) {
		say("killed", getpid());
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (read(ready[0], &c, 1) != 1)
		return 2;
	wait_asleep(pid);
	kill(pid, SIGKILL);
	reap(pid);

	pid = fork();
	if (pid == 0) {
		struct rlimit none = { 0, 0 };
		int *volatile bad = (int *)0x10;

		setrlimit(RLIMIT_CORE, &none);
		say("segv", getpid());
		*bad = 1;
		_exit(1);
	}
	reap(pid);

	/* A child that stops itself (a group stop) and is continued; it
	 * exits once it is told, after we saw it go on (so that our
	 * SIGCHLDs for its stop, its continue and its exit come one by one). */
	if (pipe(gone))
		return 2;
	pid = fork();
	if (pid == 0) {
		close(gone[1]);
		say("stopped", getpid());
		raise(SIGSTOP);
		_exit(read(gone[0], &c, 1) == 1 ? 0 : 1);
	}
	close(gone[0]);
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status) || kill(pid, SIGCONT) ||
	    waitpid(pid, &status, WCONTINUED) != pid || !WIFCONTINUED(status) ||
	    write(gone[1], "g", 1) != 1)
		return 2;
	close(gone[1]);
	reap(pid);
	return 0;
}
