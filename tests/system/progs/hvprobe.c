/* hvprobe: guest-side checks of the hypervisor from user space.
 *   hvprobe fault vmxon|vmcall|vmcall-magic|vmfunc-bad-index|vmfunc-analyzer-view|
 *                 mov-from-dr7|mov-to-dr0
 *                                             which signal the instruction raises
 *   hvprobe cpuid-vmx                         CPUID.1:ECX.VMX as the guest sees it
 *   hvprobe load THREADS ITERATIONS           one pinned thread per CPU: CPUID +
 *                                             getpid loops, checks every result
 *   hvprobe stop-other                        TRACE_STOP from a descriptor of its own */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fastvmix/ioctl.h"
#include "fastvmix/trace.h"

static sigjmp_buf env;

static void on_signal(int sig)
{
	siglongjmp(env, sig);
}

static const char *run_faulting(const char *what)
{
	static uint64_t region[512] __attribute__((aligned(4096)));
	uint64_t pa = (uint64_t)region;
	int sig;

	signal(SIGILL, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	sig = sigsetjmp(env, 1);
	if (sig)
		return sig == SIGILL ? "UD" : sig == SIGSEGV ? "GP" : "other";
	if (!strcmp(what, "vmxon"))
		asm volatile("vmxon %0" : : "m"(pa) : "memory", "cc");
	else if (!strcmp(what, "vmcall"))
		asm volatile("vmcall" : : "a"(0ULL) : "memory");
	else if (!strcmp(what, "vmfunc-bad-index")) /* VMFUNC works at any CPL */
		asm volatile("vmfunc" : : "a"(0), "c"(5) : "memory");
	else if (!strcmp(what, "vmfunc-analyzer-view")) /* then fetch our own code */
		asm volatile("vmfunc; nop" : : "a"(0), "c"(1) : "memory");
	else if (!strcmp(what, "mov-from-dr7")) /* #GP at CPL 3, MOV-DR exiting or not */
		asm volatile("mov %%dr7, %%rax" : : : "rax", "memory");
	else if (!strcmp(what, "mov-to-dr0"))
		asm volatile("mov %%rax, %%dr0" : : "a"(0x1000ULL) : "memory");
	else if (!strcmp(what, "vmcall-magic"))
		asm volatile("vmcall" : : "a"(0x46564d5800000001ULL) : "rbx", "memory");
	else
		return "unknown";
	return "none";
}

struct worker {
	int cpu;
	long iterations;
	long bad;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	unsigned int a, b, c, d, a0, b0, c0, d0;
	pid_t pid = getpid();
	cpu_set_t set;
	long i;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		w->bad = -1;
		return NULL;
	}
	__cpuid(0, a0, b0, c0, d0);
	for (i = 0; i < w->iterations; i++) {
		__cpuid(0, a, b, c, d);
		if (a != a0 || b != b0 || c != c0 || d != d0)
			w->bad++;
		if (syscall(SYS_getpid) != pid)
			w->bad++;
		if (sched_getcpu() != w->cpu)
			w->bad++;
	}
	return NULL;
}

static int load(int threads, long iterations)
{
	struct worker w[64];
	pthread_t t[64];
	long bad = 0;
	int i;

	if (threads < 1 || threads > 64)
		return 2;
	for (i = 0; i < threads; i++) {
		w[i] = (struct worker){ .cpu = i, .iterations = iterations };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		bad += w[i].bad;
	}
	printf("%d threads x %ld iterations: %ld bad results\n", threads, iterations, bad);
	return bad != 0;
}

/* Malformed requests to /dev/fastvmix: each must fail with a clear errno. */
static int bad_ioctls(void)
{
	struct fvx_trace_request t = { .version = 99, .mode = FVX_MODE_FAST };
	struct fvx_ioc_analyzer a = { .version = FVX_IOC_ANALYZER_VERSION, .size = 1 << 30 };
	int fd = open(FVX_AGENT_DEVICE, O_RDWR), bad = 0;

	if (fd < 0)
		return 2;
	if (ioctl(fd, 0xdead, 0) != -1 || errno != ENOTTY)
		bad++, printf("unknown ioctl accepted\n");
	if (ioctl(fd, FVX_IOC_TRACE_START, &t) != -1 || errno != EINVAL)
		bad++, printf("bad trace version accepted\n");
	t.version = FVX_TRACE_REQUEST_VERSION;
	t.mode = 42;
	if (ioctl(fd, FVX_IOC_TRACE_START, &t) != -1 || errno != EINVAL)
		bad++, printf("bad mode accepted\n");
	if (ioctl(fd, FVX_IOC_ANALYZER_LOAD, &a) != -1 || errno != EINVAL)
		bad++, printf("1 GiB analyzer accepted\n");
	if (ioctl(fd, FVX_IOC_TRACE_START, (void *)8) != -1 || errno != EFAULT)
		bad++, printf("bad pointer accepted\n");
	if (mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, FVX_MMAP_RINGS) != MAP_FAILED)
		bad++, printf("writable ring mapping accepted\n");
	close(fd);
	printf("%s\n", bad ? "bad ioctls: FAILED" : "bad ioctls: all refused");
	return bad != 0;
}

/* TRACE_STOP from a descriptor other than the one that started the trace. */
static int stop_other(void)
{
	int fd = open(FVX_AGENT_DEVICE, O_RDWR), r;

	if (fd < 0)
		return 2;
	r = ioctl(fd, FVX_IOC_TRACE_STOP);
	printf("%s\n", r == 0 ? "stopped" : strerror(errno));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int a, b, c, d;

	if (argc == 2 && !strcmp(argv[1], "stop-other"))
		return stop_other();

	if (argc == 3 && !strcmp(argv[1], "fault")) {
		printf("%s\n", run_faulting(argv[2]));
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "cpuid-vmx")) {
		__cpuid(1, a, b, c, d);
		printf("%u\n", (c >> 5) & 1);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "rdmsr")) {
		uint64_t v;
		int fd = open("/dev/cpu/0/msr", O_RDONLY);

		if (fd < 0 || pread(fd, &v, 8, strtoul(argv[2], NULL, 0)) != 8)
			return 1;
		printf("%#llx\n", (unsigned long long)v);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "badioctl"))
		return bad_ioctls();
	if (argc == 4 && !strcmp(argv[1], "load"))
		return load(atoi(argv[2]), atol(argv[3]));
	fprintf(stderr,
		"usage: hvprobe fault vmxon|vmcall|vmcall-magic | cpuid-vmx | load THREADS N\n");
	return 2;
}
