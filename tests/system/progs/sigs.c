/* Signal dispositions and masks for the comparison with strace (peer.sh):
 * rt_sigaction with a handler, a mask (SIGCHLD and SIGRTMIN + 3) and
 * flags, then SIG_IGN, then a query of the old action; rt_sigprocmask
 * blocking every signal, setting [INT QUIT] and reading the old mask back,
 * a query; a sigaction with every flag strace names and two it does not;
 * two calls with bad pointers (EFAULT). The calls are made directly, so
 * that the C library adds nothing of its own. Exits 0 when each did what
 * it should. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SA_RESTORER                                                                                \
	0x04000000 /* the kernel's (asm/signal.h), which the C library keeps for itself */

/* The kernel's struct sigaction on x86-64. */
struct k_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

static void on_usr1(int sig)
{
	(void)sig;
}

static void restorer(void)
{
}

static uint64_t bit(int sig)
{
	return 1ULL << (sig - 1);
}

int main(void)
{
	struct k_sigaction act = { on_usr1, SA_RESTORER | SA_RESTART | SA_SIGINFO, restorer,
				   bit(SIGCHLD) | bit(SIGRTMIN + 3) },
			   old;
	uint64_t set = ~0ULL, oset;
	int bad = 0;

	bad |= syscall(SYS_rt_sigaction, SIGUSR1, &act, &old, 8) != 0;
	act = (struct k_sigaction){ SIG_IGN, SA_RESTORER, restorer, 0 };
	bad |= syscall(SYS_rt_sigaction, SIGUSR2, &act, NULL, 8) != 0;
	bad |= syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8) != 0;
	bad |= old.handler != on_usr1;
	bad |= syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, &oset, 8) != 0;
	set = bit(SIGINT) | bit(SIGQUIT);
	bad |= syscall(SYS_rt_sigprocmask, SIG_SETMASK, &set, &oset, 8) != 0;
	bad |= syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &oset, 8) != 0;
	act = (struct k_sigaction){ SIG_DFL,
				    SA_ONSTACK | SA_NODEFER | SA_RESETHAND | SA_NOCLDSTOP |
					    SA_NOCLDWAIT | 0x420,
				    NULL, bit(SIGHUP) | bit(SIGQUIT) };
	bad |= syscall(SYS_rt_sigaction, SIGCHLD, &act, NULL, 8) != 0;
	bad |= syscall(SYS_rt_sigaction, SIGCHLD, (void *)8, NULL, 8) != -1;
	bad |= syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, (void *)8, NULL, 8) != -1;
	return bad;
}
