/* The traced process of fastvmix trace: a command started here, held
 * until tracing is on and traced from its execve, or an existing process
 * followed by pid. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static void launch_init(struct launch *l)
{
	*l = (struct launch){ .go = -1 };
}

int launch_attach(struct launch *l, pid_t pid)
{
	launch_init(l);
	if (kill(pid, 0) != 0) {
		fprintf(stderr, "fastvmix trace: no process %d: %s\n", pid, strerror(errno));
		return -1;
	}
	l->pid = pid;
	return 0;
}

/* The child waits for one byte on the go pipe, so its first instruction
 * after exec is traced. */
int launch_command(struct launch *l, char **command)
{
	int go[2];
	char c;

	launch_init(l);
	l->execve_nr = syscall_number("execve");
	if (pipe2(go, O_CLOEXEC) != 0) {
		perror("fastvmix trace: pipe");
		return -1;
	}
	l->child = fork();
	if (l->child < 0) {
		perror("fastvmix trace: fork");
		close(go[0]);
		close(go[1]);
		l->child = 0;
		return -1;
	}
	if (l->child == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(126);
		execvp(command[0], command);
		fprintf(stderr, "fastvmix trace: %s: %s\n", command[0], strerror(errno));
		_exit(127);
	}
	close(go[0]);
	l->go = go[1];
	l->pid = l->child;
	return 0;
}

pid_t launch_target(const struct launch *l)
{
	return l->pid;
}

void launch_go(struct launch *l)
{
	if (l->go < 0)
		return;
	if (write(l->go, "g", 1) != 1)
		kill(l->child, SIGKILL); /* reaped by launch_done or launch_abort */
	close(l->go);
	l->go = -1;
}

void launch_abort(struct launch *l)
{
	if (l->go >= 0) {
		close(l->go); /* the child's read fails: it exits 126 */
		l->go = -1;
	}
	if (l->child && !l->exited) {
		kill(l->child, SIGKILL);
		if (waitpid(l->child, &l->status, 0) == l->child)
			l->exited = true;
	}
}

bool launch_done(struct launch *l)
{
	if (l->child)
		return l->exited ||
		       (l->exited = waitpid(l->child, &l->status, WNOHANG) == l->child);
	return kill(l->pid, 0) != 0;
}

bool launch_wants(struct launch *l, const struct fvx_trace_record *r)
{
	if (!l->child || l->exec_seen)
		return true;
	/* Before its execve the child is still this program, not the sample. */
	l->exec_seen = r->tgid == (uint32_t)l->child && !(r->flags & FVX_RECORD_COMPAT) &&
		       r->nr == (uint64_t)l->execve_nr;
	return l->exec_seen;
}

int launch_exit_code(const struct launch *l)
{
	if (!l->child || !l->exited)
		return 0;
	return WIFEXITED(l->status) ? WEXITSTATUS(l->status) : 128 + WTERMSIG(l->status);
}
