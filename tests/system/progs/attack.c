/* attack: ring-3 attacks on the tracer, each run N times; prints one line
 * "ATTACK OUTCOME COUNT" for the scenario to check.
 *   attack vmfunc-page-end N  VMFUNC(0,1) as the last bytes of an executable
 *                             page followed by a PROT_NONE page: the #PF is
 *                             delivered in the analyzer view
 *   attack vmfunc-tf N        VMFUNC(0,1) with the trap flag set: #DB after it
 *   attack vmfunc-own N       VMFUNC(0,1); then fetch our own code
 *   attack rax-high N         getpid with bit 32 of RAX set: Linux runs getpid */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

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
		fprintf(stderr, "usage: attack vmfunc-page-end|vmfunc-tf|vmfunc-own|rax-high N\n");
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
	} else {
		fprintf(stderr, "attack: unknown attack '%s'\n", what);
		return 2;
	}
	printf("%s %s %ld\n", what, count == n ? "ok" : "unexpected", count);
	return count == n ? 0 : 1;
}
