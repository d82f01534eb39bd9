/* detect: what a sample can measure or look up to tell that a hypervisor,
 * or FastVMIX, is there. Prints one line per check,
 *   NAME VALUE
 * (timings: the median of 501 samples in TSC ticks; ratios in thousandths;
 * backward steps of the clocks a process reads, counted; the rest as
 * text), so that runs without the hypervisor, with it loaded
 * and while traced can be compared line by line (tests/system/scenarios/
 * timing.sh does). It only looks; it changes nothing. */
#define _GNU_SOURCE
#include <cpuid.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#define SAMPLES 501

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v)
{
	qsort(v, SAMPLES, sizeof(*v), cmp_u64);
	return v[SAMPLES / 2];
}

static inline uint64_t tsc(void)
{
	return __rdtsc();
}

/* The median ticks of one probe: a statement between two RDTSCs. */
#define TIMED(out, ...)                                                                            \
	do {                                                                                       \
		uint64_t v_[SAMPLES], t0_;                                                         \
		for (int i_ = 0; i_ < SAMPLES; i_++) {                                             \
			t0_ = tsc();                                                               \
			__VA_ARGS__;                                                               \
			v_[i_] = tsc() - t0_;                                                      \
		}                                                                                  \
		(out) = median(v_);                                                                \
	} while (0)

static void cpuid_leaf(unsigned int leaf)
{
	unsigned int a, b, c, d;

	__cpuid_count(leaf, 0, a, b, c, d);
	asm volatile("" : : "r"(a), "r"(b), "r"(c), "r"(d));
}

static void timing(void)
{
	static const unsigned int leaves[] = { 0, 1, 7, 0x40000000 };
	uint64_t t, heavy, cheap;
	unsigned int aux;
	char name[64];

	TIMED(t, (void)0);
	printf("tsc-rdtsc-pair %llu\n", (unsigned long long)t);
	TIMED(t, __rdtscp(&aux));
	printf("tsc-rdtscp %llu\n", (unsigned long long)t);
	for (unsigned int i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		TIMED(t, cpuid_leaf(leaves[i]));
		snprintf(name, sizeof(name), "tsc-cpuid-%#x", leaves[i]);
		printf("%s %llu\n", name, (unsigned long long)t);
	}
	TIMED(cheap, syscall(SYS_getpid));
	printf("tsc-getpid %llu\n", (unsigned long long)cheap);
	TIMED(heavy, syscall(SYS_getppid); syscall(SYS_getppid); syscall(SYS_getppid);
	      syscall(SYS_getppid));
	printf("tsc-4-getppid %llu\n", (unsigned long long)heavy);
	/* The check that defeats subtracting a constant per call: a heavy
	 * sequence against a cheap call, as ratio. */
	printf("ratio-4-getppid-per-getpid %llu\n",
	       (unsigned long long)(cheap ? heavy * 1000 / cheap : 0));
}

/* TSC ticks per microsecond of CLOCK_MONOTONIC over a sleep, read through
 * the vDSO and through the system call. */
static void clocks(void)
{
	struct timespec a, b, sa, sb;
	uint64_t t0, t1;
	double us, sus;

	clock_gettime(CLOCK_MONOTONIC, &a);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &sa);
	t0 = tsc();
	usleep(200000);
	t1 = tsc();
	clock_gettime(CLOCK_MONOTONIC, &b);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &sb);
	us = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
	sus = (sb.tv_sec - sa.tv_sec) * 1e6 + (sb.tv_nsec - sa.tv_nsec) / 1e3;
	printf("clock-ticks-per-us-vdso %.0f\n", us > 0 ? (t1 - t0) / us : 0);
	printf("clock-ticks-per-us-syscall %.0f\n", sus > 0 ? (t1 - t0) / sus : 0);
}

/* Runs the calling thread on CPU `cpu` only; 0 when it does. */
static int pin(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one);
}

/* Whether time ever goes back for this process, between system calls:
 * RDTSC, and CLOCK_MONOTONIC through the vDSO, read 5000 times each with
 * a getpid between reads; then two threads doing the same with their own
 * RDTSC and each other's system calls in between. All on one CPU (the
 * CPUs against each other: cross_cpu). Prints the backward steps seen. */
#define MONO_READS 5000

static void *tsc_backward_steps(void *arg)
{
	uint64_t prev = 0, t, back = 0;

	for (int i = 0; i < MONO_READS; i++) {
		t = tsc();
		back += t < prev;
		prev = t;
		syscall(SYS_getpid);
	}
	return (void *)(uintptr_t)back;
}

static void monotonic(void)
{
	struct timespec ts, last = { 0, 0 };
	pthread_t threads[2];
	uint64_t back = 0;
	void *r;

	pin(0);
	printf("mono-tsc-backward %llu\n", (unsigned long long)(uintptr_t)tsc_backward_steps(NULL));
	for (int i = 0; i < MONO_READS; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		back += ts.tv_sec < last.tv_sec ||
			(ts.tv_sec == last.tv_sec && ts.tv_nsec < last.tv_nsec);
		last = ts;
		syscall(SYS_getpid);
	}
	printf("mono-clock-backward %llu\n", (unsigned long long)back);
	back = 0;
	for (int i = 0; i < 2; i++)
		if (pthread_create(&threads[i], NULL, tsc_backward_steps, NULL))
			threads[i] = 0;
	for (int i = 0; i < 2; i++)
		if (threads[i] && !pthread_join(threads[i], &r))
			back += (uintptr_t)r;
	printf("mono-tsc-threads-backward %llu\n", (unsigned long long)back);
}

/* The TSCs and CLOCK_MONOTONIC (vDSO) of CPUs 0 and 1 against each other,
 * as a sample with a thread on each can compare them: the thread on CPU 0
 * reads its clock (t0) and says so, the one on CPU 1 answers with its own
 * reading (t1), the first reads again (t2). Clocks in step give t0 <= t1
 * <= t2. Prints the median of t1 - (t0 + t2) / 2 (CPU 1's clock ahead of
 * CPU 0's, signed; TSC ticks and ns) and the rounds in which a clock read
 * less on the second CPU than on the first before it, either way. Nothing
 * with fewer than two CPUs. */
#define XCPU_ROUNDS SAMPLES

static struct {
	uint64_t seq_ping, seq_pong, answer;
	int use_clock;
} xcpu;

static uint64_t xcpu_read(void)
{
	struct timespec ts;

	if (!xcpu.use_clock)
		return tsc();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *xcpu_answer(void *arg)
{
	(void)arg;
	if (pin(1))
		return NULL;
	for (uint64_t i = 1; i <= XCPU_ROUNDS; i++) {
		while (__atomic_load_n(&xcpu.seq_ping, __ATOMIC_ACQUIRE) != i)
			;
		xcpu.answer = xcpu_read();
		__atomic_store_n(&xcpu.seq_pong, i, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void cross_cpu(const char *name, int use_clock)
{
	int64_t offset[XCPU_ROUNDS];
	uint64_t back = 0, t0, t1, t2, sorted[XCPU_ROUNDS];
	pthread_t other;

	xcpu.seq_ping = xcpu.seq_pong = 0;
	xcpu.use_clock = use_clock;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || pin(0) ||
	    pthread_create(&other, NULL, xcpu_answer, NULL))
		return;
	for (uint64_t i = 1; i <= XCPU_ROUNDS; i++) {
		t0 = xcpu_read();
		__atomic_store_n(&xcpu.seq_ping, i, __ATOMIC_RELEASE);
		while (__atomic_load_n(&xcpu.seq_pong, __ATOMIC_ACQUIRE) != i)
			;
		t1 = xcpu.answer;
		t2 = xcpu_read();
		back += t1 < t0 || t2 < t1;
		offset[i - 1] = (int64_t)(t1 - t0) - (int64_t)(t2 - t0) / 2;
	}
	pthread_join(other, NULL);
	/* The median of the signed offsets, through their order as unsigned
	 * values shifted by 2^63. */
	for (int i = 0; i < XCPU_ROUNDS; i++)
		sorted[i] = (uint64_t)offset[i] ^ (1ULL << 63);
	printf("%s-offset %lld\n", name, (long long)(median(sorted) ^ (1ULL << 63)));
	printf("%s-backward %llu\n", name, (unsigned long long)back);
}

static sigjmp_buf env;

static void on_signal(int sig)
{
	siglongjmp(env, sig);
}

/* Which signal an instruction raises at CPL 3: "none" if it completes. */
static const char *signal_of(const char *what)
{
	int sig;

	signal(SIGILL, on_signal);
	signal(SIGSEGV, on_signal);
	sig = sigsetjmp(env, 1);
	if (sig)
		return sig == SIGILL ? "SIGILL" : "SIGSEGV";
	if (!strcmp(what, "vmcall"))
		asm volatile("vmcall" : : "a"(0ULL) : "memory");
	else if (!strcmp(what, "vmxon"))
		asm volatile("vmxon %0" : : "m"(*(uint64_t *)&env) : "memory", "cc");
	else if (!strcmp(what, "vmfunc"))
		asm volatile("vmfunc" : : "a"(0), "c"(0) : "memory");
	return "none";
}

static void cpu_identity(void)
{
	unsigned int a, b, c, d, regs[4];

	__cpuid(1, a, b, c, d);
	printf("cpuid-hypervisor-bit %u\n", (c >> 31) & 1);
	printf("cpuid-vmx-bit %u\n", (c >> 5) & 1);
	__cpuid(0x40000000, regs[0], regs[1], regs[2], regs[3]);
	printf("cpuid-0x40000000 %08x:%.4s%.4s%.4s\n", regs[0], (char *)&regs[1], (char *)&regs[2],
	       (char *)&regs[3]);
	printf("insn-vmcall %s\n", signal_of("vmcall"));
	printf("insn-vmxon %s\n", signal_of("vmxon"));
	printf("insn-vmfunc-view-0 %s\n", signal_of("vmfunc"));
}

/* The syscall-path MSRs as the guest reads them (/dev/cpu/0/msr). */
static void msrs(void)
{
	static const struct {
		const char *name;
		uint32_t msr;
	} list[] = { { "lstar", 0xc0000082 },	 { "star", 0xc0000081 },
		     { "cstar", 0xc0000083 },	 { "fmask", 0xc0000084 },
		     { "efer", 0xc0000080 },	 { "sysenter-cs", 0x174 },
		     { "sysenter-esp", 0x175 },	 { "sysenter-eip", 0x176 },
		     { "feature-control", 0x3a } };
	int fd = open("/dev/cpu/0/msr", O_RDONLY);
	uint64_t value;

	for (unsigned int i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
		if (fd < 0 || pread(fd, &value, 8, list[i].msr) != 8)
			printf("msr-%s unreadable\n", list[i].name);
		else
			printf("msr-%s %#llx\n", list[i].name, (unsigned long long)value);
	}
	if (fd >= 0)
		close(fd);
}

static void descriptor_tables(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idt, gdt;

	asm volatile("sidt %0" : "=m"(idt));
	asm volatile("sgdt %0" : "=m"(gdt));
	printf("sidt %#llx/%#x\n", (unsigned long long)idt.base, idt.limit);
	/* The GDT is per CPU: only its limit is the same everywhere. */
	printf("sgdt-limit %#x\n", gdt.limit);
}

/* Whether a file mentions "fastvmix" (case-insensitive). */
static const char *mentions(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");
	const char *found = "no";

	if (!f)
		return "unreadable";
	while (fgets(line, sizeof(line), f))
		if (strcasestr(line, "fastvmix") || strcasestr(line, "fvx_")) {
			found = "yes";
			break;
		}
	fclose(f);
	return found;
}

static const char *dev_entry(void)
{
	DIR *d = opendir("/dev");
	struct dirent *e;
	const char *found = "no";

	while (d && (e = readdir(d)))
		if (strcasestr(e->d_name, "fastvmix"))
			found = "yes";
	if (d)
		closedir(d);
	return found;
}

static void footprint(void)
{
	printf("footprint-proc-modules %s\n", mentions("/proc/modules"));
	printf("footprint-kallsyms %s\n", mentions("/proc/kallsyms"));
	printf("footprint-dev %s\n", dev_entry());
	printf("footprint-iomem %s\n", mentions("/proc/iomem"));
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : "all";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(only, "all") || !strcmp(only, "timing")) {
		timing();
		clocks();
	}
	if (!strcmp(only, "all") || !strcmp(only, "monotonic"))
		monotonic();
	if (!strcmp(only, "all") || !strcmp(only, "cross-cpu")) {
		cross_cpu("xcpu-tsc", 0);
		cross_cpu("xcpu-clock", 1);
	}
	if (!strcmp(only, "all") || !strcmp(only, "identity")) {
		cpu_identity();
		msrs();
		descriptor_tables();
		footprint();
	}
	return 0;
}
