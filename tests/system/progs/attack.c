/* attack: ring-3 attacks on the tracer, each run N times; prints one line
 * "ATTACK OUTCOME COUNT" for the scenario to check.
 *   attack vmfunc-page-end N  VMFUNC(0,1) as the last bytes of an executable
 *                             page followed by a PROT_NONE page: the #PF is
 *                             delivered in the analyzer view
 *   attack vmfunc-tf N        VMFUNC(0,1) with the trap flag set: #DB after it
 *   attack vmfunc-own N       VMFUNC(0,1); then fetch our own code
 *   attack rax-high N         getpid with bit 32 of RAX set: Linux runs getpid
 *   attack ptrace-rewrite N   a child opens "/tmp/fvx-benign" N times; its
 *                             tracer (this process) turns each into an open
 *                             of "/tmp/fvx-hidden" at the syscall-entry stop:
 *                             the child's opens succeed
 *   attack ptrace-renumber N  the same, the child asking for system call
 *                             1000 (none), which the tracer turns into the
 *                             open of "/tmp/fvx-hidden"
 *   attack ptrace-reselect N  the same, the child asking for getppid (a call
 *                             a filter may leave out)
 *   attack seccomp-deny N     getppid N times under a seccomp filter that
 *                             fails it with EPERM
 *   attack ptrace-hide-return N  N reads of an empty pipe; a child attaches
 *                             to us during each (PTRACE_SEIZE, _INTERRUPT),
 *                             and at the stop makes the read look like no
 *                             call (orig_rax -1) that returned 7, then
 *                             detaches: each read returns 7
 *   attack rseq-read N        N reads of a pipe that blocks until its writer
 *                             goes (end of file, 0), made inside an rseq
 *                             critical section that starts right after the
 *                             SYSCALL and aborts to it: Linux moves RIP
 *                             back to the SYSCALL with RAX 0, read's
 *                             number, as a restart would look, and the
 *                             read is made again (0 again): 2N reads of 0
 *   attack sigreturn-forge N  N rt_sigreturn calls with a frame that cannot
 *                             be read (a non-canonical RSP) and RDI 0x200
 *                             (USR1), as if a mask: each fails before restoring
 *                             anything, and its SIGSEGV (on an alternate
 *                             stack) jumps back */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static const char benign[] = "/tmp/fvx-benign", hidden[] = "/tmp/fvx-hidden";

#define NO_CALL 1000 /* a number Linux has no call for */

/* The child: n opens of benign (or calls of number `asked` with its
 * arguments), counting those that worked (its tracer made them opens of
 * hidden). */
static long rewritten_child(long n, long asked)
{
	long i, count = 0;

	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0 || raise(SIGSTOP) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		int fd = asked != SYS_openat ? syscall(asked, AT_FDCWD, benign, O_RDONLY)
					     : open(benign, O_RDONLY);

		if (fd >= 0) {
			count++;
			close(fd);
		}
	}
	return count;
}

/* Tracer: at each syscall-entry stop of an openat of benign or of NO_CALL,
 * the call becomes openat and RSI (the path) points at hidden: the same
 * address in the child (a fork of us). The child's exit status says
 * whether all its opens worked. */
static long ptrace_rewrite(long n, long asked)
{
	int status, entry = 0, fd = open(hidden, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	pid_t child;

	if (fd < 0)
		return -1;
	close(fd);
	unlink(benign);
	child = fork();
	if (child == 0)
		_exit(rewritten_child(n, asked) == n ? 0 : 1);
	if (child < 0 || waitpid(child, &status, 0) != child || !WIFSTOPPED(status))
		return -1;
	ptrace(PTRACE_SETOPTIONS, child, NULL, (void *)PTRACE_O_TRACESYSGOOD);
	for (;;) {
		struct user_regs_struct regs;

		if (ptrace(PTRACE_SYSCALL, child, NULL, NULL) != 0 ||
		    waitpid(child, &status, 0) != child)
			return -1;
		if (WIFEXITED(status))
			return WEXITSTATUS(status) == 0 ? n : 0;
		if (!WIFSTOPPED(status) || WSTOPSIG(status) != (SIGTRAP | 0x80))
			continue;
		entry = !entry;
		if (!entry || ptrace(PTRACE_GETREGS, child, NULL, &regs) != 0 ||
		    regs.orig_rax != (unsigned long)asked || regs.rsi != (unsigned long)benign)
			continue;
		regs.orig_rax = SYS_openat;
		regs.rsi = (unsigned long)hidden;
		ptrace(PTRACE_SETREGS, child, NULL, &regs);
	}
}

/* n getppid calls that a seccomp filter fails with EPERM. */
static long seccomp_deny(long n)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	long i, count = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		return -1;
	for (i = 0; i < n; i++)
		count += syscall(SYS_getppid) == -1;
	return count;
}

/* The tracer child: n times, once the parent is in its read (the first
 * field of /proc/PID/syscall, 0), interrupts it and rewrites its
 * registers at the stop. */
static int hide_returns(pid_t parent, long n)
{
	char path[64], line[32];
	long i;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)parent);
	for (i = 0; i < n; i++) {
		struct user_regs_struct regs;
		int status, tries;

		for (tries = 0; tries < 100000; tries++) {
			FILE *f = fopen(path, "r");
			int in_read = f && fgets(line, sizeof(line), f) && !strncmp(line, "0 ", 2);

			if (f)
				fclose(f);
			if (in_read)
				break;
			usleep(1000);
		}
		if (ptrace(PTRACE_SEIZE, parent, NULL, NULL) != 0 ||
		    ptrace(PTRACE_INTERRUPT, parent, NULL, NULL) != 0 ||
		    waitpid(parent, &status, __WALL) != parent ||
		    ptrace(PTRACE_GETREGS, parent, NULL, &regs) != 0)
			return 1;
		regs.orig_rax = -1;
		regs.rax = 7;
		if (ptrace(PTRACE_SETREGS, parent, NULL, &regs) != 0 ||
		    ptrace(PTRACE_DETACH, parent, NULL, NULL) != 0)
			return 1;
	}
	return 0;
}

static long ptrace_hide_return(long n)
{
	int fds[2], status;
	char buf[16];
	pid_t child;
	long i, count = 0;

	if (pipe(fds) || prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0))
		return -1;
	child = fork();
	if (child == 0)
		_exit(hide_returns(getppid(), n));
	if (child < 0)
		return -1;
	for (i = 0; i < n; i++)
		count += read(fds[0], buf, sizeof(buf)) == 7;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return count;
}

/* read(fd, buf, 16) with the SYSCALL at the abort handler of an rseq
 * critical section that starts right after it (fvx_rseq_cs); r9: the
 * thread's rseq_cs field, armed before, which Linux clears on abort. */
extern long fvx_rseq_read(int fd, char *buf, __u64 *rseq_cs_field);
__asm__(".pushsection .data\n.balign 32\n"
	"fvx_rseq_cs: .long 0, 0\n.quad 2f, 3f - 2f, 1f\n.popsection\n"
	".text\nfvx_rseq_read:\n"
	"mov %rdx, %r9\n"
	"lea fvx_rseq_cs(%rip), %rax\nmov %rax, (%r9)\n"
	"mov $16, %edx\nxor %eax, %eax\njmp 1f\n"
	".long 0x53053053\n" /* RSEQ_SIG, before the abort handler */
	"1: syscall\n"
	"2: nop\n"
	"3: movq $0, (%r9)\nret\n");

static long rseq_read(long n)
{
	__u64 *field;
	char buf[16];
	long i, count = 0;

	if (!__rseq_size)
		return -1; /* the C library did not register rseq */
	field = (__u64 *)((char *)__builtin_thread_pointer() + __rseq_offset +
			  offsetof(struct rseq, rseq_cs));
	for (i = 0; i < n; i++) {
		int fds[2];
		pid_t child;

		if (pipe(fds))
			return -1;
		child = fork();
		if (child == 0) {
			close(fds[0]);
			usleep(200000); /* the read blocks: a switch, which arms rseq's abort */
			_exit(0);
		}
		close(fds[1]);
		count += fvx_rseq_read(fds[0], buf, field) == 0;
		close(fds[0]);
		waitpid(child, NULL, 0);
	}
	return count;
}

static sigjmp_buf env;
static volatile sig_atomic_t last_signal;

static void on_signal(int sig)
{
	last_signal = sig;
	siglongjmp(env, sig);
}

static void catch_all(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/* rt_sigreturn from a frame at a non-canonical address, RDI 0x200: SIGSEGV
 * each time (on the alternate stack, as RSP is no stack). */
static long sigreturn_forge(long n)
{
	static char alt[65536];
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt) };
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_ONSTACK };
	volatile long i, count = 0;

	sigemptyset(&sa.sa_mask);
	if (sigaltstack(&ss, NULL) || sigaction(SIGSEGV, &sa, NULL))
		return -1;
	for (i = 0; i < n; i++) {
		last_signal = 0;
		if (sigsetjmp(env, 1)) {
			count += last_signal == SIGSEGV;
			continue;
		}
		asm volatile("movabs $0xdead000000000000, %%rsp\n\t"
			     "syscall"
			     :
			     : "a"(SYS_rt_sigreturn), "D"(0x200)
			     : "memory", "rcx", "r11");
		__builtin_unreachable();
	}
	return count;
}

/* Runs code at `entry` with EAX = 0, ECX = 1; returns the signal it ended with. */
static int run(const unsigned char *entry)
{
	if (sigsetjmp(env, 1))
		return last_signal;
	asm volatile("call *%0"
		     :
		     : "r"(entry), "a"(0), "c"(1)
		     : "memory", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "cc");
	return 0;
}

static const unsigned char vmfunc_ret[] = { 0x0f, 0x01, 0xd4, 0xc3 }; /* vmfunc; ret */
/* pushfq; orq $0x100, (%rsp); popfq (TF on); vmfunc: #DB right after it. */
static const unsigned char tf_vmfunc_ret[] = { 0x9c, 0x48, 0x81, 0x0c, 0x24, 0x00, 0x01,
					       0x00, 0x00, 0x9d, 0x0f, 0x01, 0xd4, 0xc3 };

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 0, i, count = 0;
	const char *what = argc > 1 ? argv[1] : "";
	unsigned char *page;

	if (n <= 0) {
		fprintf(stderr, "usage: attack vmfunc-page-end|vmfunc-tf|vmfunc-own|rax-high|"
				"ptrace-rewrite|ptrace-renumber|ptrace-reselect|seccomp-deny N\n");
		return 2;
	}
	catch_all();
	page = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	if (page == MAP_FAILED)
		return 1;
	if (!strcmp(what, "vmfunc-page-end")) {
		/* vmfunc is the last instruction of the page; the next fetch is
		 * on a PROT_NONE page: SIGSEGV, every time, and nothing else. */
		memcpy(page + 4096 - 3, vmfunc_ret, 3);
		mprotect(page + 4096, 4096, PROT_NONE);
		for (i = 0; i < n; i++)
			count += run(page + 4096 - 3) == SIGSEGV;
	} else if (!strcmp(what, "vmfunc-tf")) {
		memcpy(page, tf_vmfunc_ret, sizeof(tf_vmfunc_ret));
		for (i = 0; i < n; i++)
			count += run(page) == SIGTRAP;
	} else if (!strcmp(what, "vmfunc-own")) {
		memcpy(page, vmfunc_ret, sizeof(vmfunc_ret));
		for (i = 0; i < n; i++)
			count += run(page) == 0;
	} else if (!strcmp(what, "rax-high")) {
		long pid = getpid(), r;

		for (i = 0; i < n; i++) {
			asm volatile("syscall"
				     : "=a"(r)
				     : "a"((1ULL << 32) | SYS_getpid)
				     : "rcx", "r11", "memory");
			count += r == pid;
		}
	} else if (!strcmp(what, "ptrace-rewrite")) {
		count = ptrace_rewrite(n, SYS_openat);
	} else if (!strcmp(what, "ptrace-renumber")) {
		count = ptrace_rewrite(n, NO_CALL);
	} else if (!strcmp(what, "ptrace-reselect")) {
		count = ptrace_rewrite(n, SYS_getppid);
	} else if (!strcmp(what, "ptrace-hide-return")) {
		count = ptrace_hide_return(n);
	} else if (!strcmp(what, "rseq-read")) {
		count = rseq_read(n);
	} else if (!strcmp(what, "sigreturn-forge")) {
		count = sigreturn_forge(n);
	} else if (!strcmp(what, "seccomp-deny")) {
		count = seccomp_deny(n);
	} else {
		fprintf(stderr, "attack: unknown attack '%s'\n", what);
		return 2;
	}
	printf("%s %s %ld\n", what, count == n ? "ok" : "unexpected", count);
	return count == n ? 0 : 1;
}
