/* The fake machine the exit handlers run on (see hvfuzz.h): VMREAD and
 * VMWRITE on an array per CPU, the arch helpers the handlers use, the
 * logging that ends a CPU, and guest memory laid out so that the host
 * cannot touch what it must not without faulting:
 *   - guest RAM is mapped read-only while an exit runs, except the one page
 *     of a buffer the exit may fill; the pool's and the window's physical
 *     ranges inside RAM, and the pages beyond ram_top, are not mapped;
 *   - the window block is read-only except the pages the exit may write;
 *   - the EPTP list is read-only.
 * A fault names what was touched and hands over to ASan's report. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hvfuzz.h"
#include "core/ept.h"
#include "core/log.h"
#include "core/mtrr.h"
#include "core/trace_ctl.h"
#include "arch/x86/asm.h"
#include "fastvmix/analyzer.h"

struct machine m;

static const struct {
	u64 pa, size;
} ram_segments[] = { { 0, RAM0_SIZE }, { RAM1_PA, RAM1_SIZE }, { RAM2_PA, RAM2_SIZE } };
static u8 ram_baseline[RAM0_SIZE + RAM1_SIZE + RAM2_SIZE];
static bool ram_is_writable;
static struct hv hv_baseline;
static u8 *pool_baseline;
static struct vcpu vcpu_baseline[CPUS];

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\n==== FUZZ INVARIANT BROKEN (%s): ", m.context);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void protect(void *p, u64 len, int prot)
{
	if (mprotect(p, len, prot))
		fuzz_fail("mprotect failed");
}

/* ---- the fake VMCS and arch helpers ---- */

u64 vmcs_raw_read(u32 field)
{
	if (field >= VMCS_FIELDS)
		fuzz_fail("VMREAD of field %#x", field);
	return m.vmcs[m.current][field];
}

void vmcs_raw_write(u32 field, u64 value)
{
	if (field >= VMCS_FIELDS)
		fuzz_fail("VMWRITE of field %#x", field);
	if (m.writes == ARRAY_LEN(m.written))
		fuzz_fail("more than %zu VMWRITEs in one exit", ARRAY_LEN(m.written));
	m.written[m.writes++] = field;
	machine_touch(m.current, field);
	m.vmcs[m.current][field] = value;
}

void machine_touch(unsigned int c, u32 field)
{
	if (m.touched_count[c] < ARRAY_LEN(m.touched[c]))
		m.touched[c][m.touched_count[c]++] = field;
	else
		m.touched_count[c] = ARRAY_LEN(m.touched[c]) + 1; /* reset clears them all */
}

static struct fake_cpu *cpu(void)
{
	return &m.cpu[m.current];
}

void arch_cpuid(u32 leaf, u32 subleaf, u32 out[4])
{
	struct fake_cpu *c = cpu();

	c->cpuid_calls++;
	c->cpuid_leaf = leaf;
	c->cpuid_subleaf = subleaf;
	if (leaf == 0xd && subleaf == 0) {
		out[0] = (u32)c->xcr0_supported;
		out[1] = out[2] = 0;
		out[3] = (u32)(c->xcr0_supported >> 32);
		return;
	}
	memcpy(out, c->cpuid, sizeof(c->cpuid));
}

/* The TSC-deadline timer (SDM 10.5.4.1): fires once the TSC reaches the
 * deadline, which then reads 0. */
static void deadline_timer(struct fake_cpu *c)
{
	if (c->tsc_deadline && c->tsc >= c->tsc_deadline) {
		c->tsc_deadline = 0;
		c->deadline_fires++;
		c->deadline_fired = true;
	}
}

u64 arch_rdmsr(u32 msr)
{
	if (msr == MSR_IA32_TSC_AUX)
		return cpu()->tsc_aux;
	if (msr != MSR_IA32_TSC_DEADLINE)
		fuzz_fail("RDMSR %#x without a fault handler in an exit handler", msr);
	cpu()->deadline_reads++;
	return cpu()->tsc_deadline;
}

void arch_wrmsr(u32 msr, u64 value)
{
	if (msr == MSR_IA32_LSTAR) {
		cpu()->lstar = value;
	} else if (msr == MSR_IA32_TSC_DEADLINE) {
		cpu()->deadline_writes++;
		cpu()->tsc_deadline = value;
		deadline_timer(cpu()); /* a deadline already reached fires at once */
	} else {
		fuzz_fail("WRMSR %#x without a fault handler in an exit handler", msr);
	}
}

int arch_rdmsr_safe(u32 msr, u64 *value)
{
	struct fake_cpu *c = cpu();

	c->rdmsr_calls++;
	c->rdmsr_msr = msr;
	if (c->rdmsr_fails)
		return -1;
	*value = c->rdmsr_value;
	return 0;
}

int arch_wrmsr_safe(u32 msr, u64 value)
{
	struct fake_cpu *c = cpu();

	c->wrmsr_calls++;
	c->wrmsr_msr = msr;
	c->wrmsr_value = value;
	if (c->wrmsr_fails)
		return -1;
	if (msr == MSR_IA32_FMASK)
		c->fmask = value;
	return 0;
}

int arch_xsetbv_safe(u32 index, u64 value)
{
	struct fake_cpu *c = cpu();

	c->xsetbv_calls++;
	c->xsetbv_index = index;
	c->xsetbv_value = value;
	return c->xsetbv_fails ? -1 : 0;
}

void arch_wbinvd(void)
{
	cpu()->wbinvd++;
}

u64 arch_rdtsc(void)
{
	cpu()->tsc++;
	deadline_timer(cpu());
	return cpu()->tsc;
}

void machine_guest_runs(unsigned int c, u64 ticks)
{
	m.cpu[c].tsc += ticks;
	deadline_timer(&m.cpu[c]);
}

void machine_exit_stub(unsigned int c)
{
	m.vcpus[c].tsc.exit_tsc = ++m.cpu[c].tsc;
	deadline_timer(&m.cpu[c]);
}

void arch_outb(u16 port, u8 v)
{
}

/* Recorded: the model says when an exit must flush (ptprotect.c, cr.c). */
void arch_invept_all(void)
{
	cpu()->invept++;
}

void arch_invvpid(u64 type, u16 vpid, u64 address)
{
	struct fake_cpu *c = cpu();

	c->invvpid++;
	c->invvpid_type = type;
	c->invvpid_vpid = vpid;
	c->invvpid_address = address;
}

void arch_write_cr2(u64 v)
{
	cpu()->cr2 = v;
}

u64 arch_read_dr(unsigned int n)
{
	return cpu()->dr[n & 7];
}

void arch_write_dr(unsigned int n, u64 v)
{
	cpu()->dr[n & 7] = v;
}

/* Everything else the core could call belongs to load time or to leaving
 * VMX, never to an exit handler. */
#define NOT_IN_A_HANDLER(ret, name, args)                                                          \
	ret name args                                                                              \
	{                                                                                          \
		fuzz_fail(#name " called from an exit handler");                                   \
	}
NOT_IN_A_HANDLER(void, arch_halt_forever, (void))
NOT_IN_A_HANDLER(void, arch_vmxoff, (void))
NOT_IN_A_HANDLER(bool, arch_vmclear, (u64 pa))
NOT_IN_A_HANDLER(void, arch_invvpid_all, (void))

/* ---- how an exit ends when it does not resume ---- */

static jmp_buf exit_jump;

void root_log(const char *fmt, ...)
{
}

void root_fatal(const char *fmt, ...)
{
	longjmp(exit_jump, OUT_FATAL);
}

void vcpu_devirtualize(struct vcpu *v, struct guest_regs *r)
{
	if (v != &m.vcpus[m.current] || r != &m.regs[m.current])
		fuzz_fail("left VMX with another CPU's state");
	longjmp(exit_jump, OUT_VMXOFF);
}

enum outcome machine_dispatch(unsigned int c)
{
	volatile enum outcome out = OUT_RESUME;

	m.current = c;
	m.writes = 0;
	switch (setjmp(exit_jump)) {
	case 0: vmexit_handler(&m.regs[c], &m.vcpus[c]); break;
	case OUT_FATAL: out = OUT_FATAL; break;
	default: out = OUT_VMXOFF;
	}
	return out;
}

/* ---- guest RAM ---- */

bool ram_ok(u64 gpa, u64 size)
{
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(ram_segments); i++)
		if (size && gpa >= ram_segments[i].pa && size <= ram_segments[i].size &&
		    gpa - ram_segments[i].pa <= ram_segments[i].size - size)
			return true;
	return false;
}

bool oracle_read64(u64 va, u64 *value)
{
	u64 gpa = va - (u64)m.ram;

	if (va < (u64)m.ram || !ram_ok(gpa, 8))
		return false;
	memcpy(value, m.ram + gpa, 8);
	return true;
}

void ram_writable(bool on)
{
	unsigned int i;

	if (on == ram_is_writable)
		return;
	for (i = 0; i < ARRAY_LEN(ram_segments); i++)
		protect(m.ram + ram_segments[i].pa, ram_segments[i].size,
			on ? PROT_READ | PROT_WRITE : PROT_READ);
	ram_is_writable = on;
}

static struct ram_open {
	u64 gpa;
	u8 before[PAGE], expect[PAGE];
} ram_pages[RAM_OPEN_PAGES];
static unsigned int ram_open_count;

void ram_may_write(u64 gpa)
{
	unsigned int i;

	gpa &= ~(PAGE - 1);
	if (!ram_ok(gpa, PAGE))
		return;
	for (i = 0; i < ram_open_count; i++)
		if (ram_pages[i].gpa == gpa)
			return;
	if (ram_open_count == RAM_OPEN_PAGES)
		fuzz_fail("model: more than %u RAM pages open", RAM_OPEN_PAGES);
	ram_pages[ram_open_count].gpa = gpa;
	memcpy(ram_pages[ram_open_count].before, m.ram + gpa, PAGE);
	memcpy(ram_pages[ram_open_count].expect, m.ram + gpa, PAGE);
	ram_open_count++;
	protect(m.ram + gpa, PAGE, PROT_READ | PROT_WRITE);
}

void *ram_expected(u64 gpa, u64 len)
{
	unsigned int i;

	for (i = 0; i < ram_open_count; i++)
		if (gpa >= ram_pages[i].gpa && len <= PAGE && gpa - ram_pages[i].gpa <= PAGE - len)
			return ram_pages[i].expect + (gpa - ram_pages[i].gpa);
	fuzz_fail("model: RAM %#llx+%#llx is not in an open page", gpa, len);
}

void *ram_open_lookup(u64 gpa, u64 len)
{
	unsigned int i;

	for (i = 0; i < ram_open_count; i++)
		if (gpa >= ram_pages[i].gpa && len <= PAGE && gpa - ram_pages[i].gpa <= PAGE - len)
			return ram_pages[i].expect + (gpa - ram_pages[i].gpa);
	return NULL;
}

bool ram_check_and_close(void)
{
	bool same = true;
	unsigned int p;
	u64 i, gpa;

	for (p = 0; p < ram_open_count; p++) {
		gpa = ram_pages[p].gpa;
		if (same && memcmp(m.ram + gpa, ram_pages[p].expect, PAGE)) {
			for (i = 0; m.ram[gpa + i] == ram_pages[p].expect[i]; i++)
				;
			fprintf(stderr, "guest RAM %#llx is %#x, expected %#x (was %#x)\n", gpa + i,
				m.ram[gpa + i], ram_pages[p].expect[i], ram_pages[p].before[i]);
			same = false;
		}
		protect(m.ram + gpa, PAGE, PROT_READ);
	}
	ram_open_count = 0;
	return same;
}

/* ---- the window block ---- */

#define WINDOW_PAGES (WINDOW_SIZE / PAGE)
static u8 window_want[WINDOW_PAGES], window_dirty[WINDOW_PAGES];
static u8 *window_baseline; /* after trace_init */
static struct open_range {
	u64 off, len;
	u8 *expect;
} opened[8];
static unsigned int open_count;
static u8 *expect_buffer;
#define EXPECT_BUFFER_SIZE (FVX_WIN_CODE_SIZE + 16 * PAGE + FVX_WIN_CONFIG + 2 * PAGE)

void window_may_write(u64 off, u64 len)
{
	u64 p;

	if (!len || off >= WINDOW_SIZE || len > WINDOW_SIZE - off)
		fuzz_fail("model: window %#llx+%#llx is outside the block", off, len);
	for (p = off / PAGE; p <= (off + len - 1) / PAGE; p++)
		window_want[p] = 1;
}

void window_open(void)
{
	u64 p = 0, used = 0, start;

	open_count = 0;
	while (p < WINDOW_PAGES) {
		if (!window_want[p]) {
			p++;
			continue;
		}
		for (start = p; p < WINDOW_PAGES && window_want[p]; p++)
			window_want[p] = 0, window_dirty[p] = 1;
		if (open_count == ARRAY_LEN(opened) ||
		    used + (p - start) * PAGE > EXPECT_BUFFER_SIZE)
			fuzz_fail("model: too many window pages open");
		opened[open_count] = (struct open_range){ start * PAGE, (p - start) * PAGE,
							  expect_buffer + used };
		memcpy(opened[open_count].expect, m.window + start * PAGE, (p - start) * PAGE);
		protect(m.window + start * PAGE, (p - start) * PAGE, PROT_READ | PROT_WRITE);
		used += (p - start) * PAGE;
		open_count++;
	}
}

void *window_expected(u64 off, u64 len)
{
	unsigned int i;

	for (i = 0; i < open_count; i++)
		if (off >= opened[i].off && len <= opened[i].len &&
		    off - opened[i].off <= opened[i].len - len)
			return opened[i].expect + (off - opened[i].off);
	fuzz_fail("model: window %#llx+%#llx is not open", off, len);
}

static const char *window_part(u64 off)
{
	if (off < FVX_WIN_CONFIG)
		return "a trampoline copy";
	if (off < FVX_WIN_CONFIG + PAGE)
		return "the config page";
	if (off >= FVX_WIN_CODE && off < FVX_WIN_CODE + FVX_WIN_CODE_SIZE)
		return "the analyzer code";
	if (off >= FVX_WIN_RINGS)
		return (off - FVX_WIN_RINGS) % m.hv.ring_bytes < FVX_RING_RECORDS ? "a ring header"
										  : "ring records";
	return "analyzer data or stacks";
}

bool window_check_and_close(void)
{
	bool same = true;
	unsigned int i;
	u64 j;

	for (i = 0; i < open_count; i++) {
		if (same && memcmp(m.window + opened[i].off, opened[i].expect, opened[i].len)) {
			for (j = 0; m.window[opened[i].off + j] == opened[i].expect[j]; j++)
				;
			fprintf(stderr, "window byte %#llx (%s) is %#x, expected %#x\n",
				opened[i].off + j, window_part(opened[i].off + j),
				m.window[opened[i].off + j], opened[i].expect[j]);
			same = false;
		}
		protect(m.window + opened[i].off, opened[i].len, PROT_READ);
	}
	open_count = 0;
	return same;
}

/* Guest ring 0 writing the window in the analyzer view: data, stacks and
 * rings only (views.c's table). */
void window_poke(u64 off, const void *src, u64 len)
{
	u64 start = off & ~(PAGE - 1), end = (off + len + PAGE - 1) & ~(PAGE - 1);

	if (off < FVX_WIN_DATA || off + len > WINDOW_SIZE)
		fuzz_fail("harness: the guest cannot write window %#llx", off);
	protect(m.window + start, end - start, PROT_READ | PROT_WRITE);
	memcpy(m.window + off, src, len);
	protect(m.window + start, end - start, PROT_READ);
	for (; start < end; start += PAGE)
		window_dirty[start / PAGE] = 1;
}

/* ---- where a fault went ---- */

static struct sigaction asan_segv;

static const char *fault_place(u64 a)
{
	u64 ram = (u64)m.ram, win = (u64)m.window;

	if (a - (ram + POOL_PA) < POOL_SIZE)
		return "the hypervisor's pool, through a guest-physical address";
	if (a - (ram + WINDOW_PA) < WINDOW_SIZE)
		return "the window's backing block, through a guest-physical address";
	if (a - (ram + RAM_TOP) < RAM_GUARD)
		return "guest-physical memory beyond ram_top";
	if (a - ram < RAM_TOP)
		return "guest RAM outside the buffer this exit may write";
	if (a - win < WINDOW_SIZE)
		return window_part(a - win);
	if (a - (win - PAGE) < WINDOW_SIZE + 2 * PAGE)
		return "memory next to the window block";
	if (a - (u64)m.eptp_list < PAGE)
		return "the EPTP list";
	return "memory outside the fake machine";
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	fprintf(stderr, "\n==== FUZZ: %s touched %s (address %p); ASan's report follows\n",
		m.context, fault_place((u64)si->si_addr), si->si_addr);
	sigaction(SIGSEGV, &asan_segv, NULL); /* the access faults again, for ASan */
}

/* ---- the machine as hv_load leaves it ---- */

static void *map(u64 len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		fuzz_fail("mmap failed");
	return p;
}

static u64 gva(u64 gpa)
{
	return (u64)m.ram + gpa;
}

static void put64(u8 *ram, u64 gpa, u64 v)
{
	memcpy(ram + gpa, &v, 8);
}

static void put32(u8 *ram, u64 gpa, u32 v)
{
	memcpy(ram + gpa, &v, 4);
}

static void idt_gate(u8 *ram, unsigned int vector, u64 handler)
{
	put64(ram, IDT_GPA + vector * 16,
	      (handler & 0xffff) | (0x10ULL << 16) | (0x8eULL << 40) |
		      ((handler >> 16) & 0xffff) << 48);
	put64(ram, IDT_GPA + vector * 16 + 8, handler >> 32);
}

/* RAM as one image, the segments one after another. */
static void build_ram_baseline(void)
{
	u8 *r = ram_baseline;
	struct fvx_agent_config a = {
		.version = FVX_AGENT_CONFIG_VERSION,
		.size = sizeof(a),
		.window_va = WINDOW_VA,
		.consumer_va = gva(CONSUMER_GPA),
		.scratch_percpu = 0x1d000,
		.task = { .current_task = CURRENT_TASK_OFF,
			  .pid = 0x10,
			  .tgid = 0x14,
			  .real_parent = 0x20,
			  .mark = 0x9 * 8,
			  .watch = 0x2d,
			  .defer = 0x80,
			  .tracepoint = 0x8 * 8 + 1,
			  .ptrace = 0x30,
			  .pending = 0x9 * 8 + 1,
			  .notify = 0x1 * 8 + 3 },
	};
	struct fvx_analyzer_header h = { .magic = FVX_ANALYZER_MAGIC,
					 .version = FVX_ANALYZER_VERSION,
					 .header_size = sizeof(h),
					 .image_size = IMAGE_SIZE,
					 .entry = 64,
					 .name = "fuzz" };
	struct fvx_trace_request q = { .version = FVX_TRACE_REQUEST_VERSION,
				       .mode = FVX_MODE_EXIT,
				       .filter = { .target_tgid = 77, .follow_children = 1 } };
	unsigned int c;

	memset(q.filter.syscalls, 0xff, sizeof(q.filter.syscalls));
	memcpy(r + AGENT_CONFIG_GPA, &a, sizeof(a));
	memcpy(r + IMAGE_GPA, &h, sizeof(h));
	memset(r + IMAGE_GPA + 64, 0x90, IMAGE_SIZE - 64);
	memcpy(r + REQUEST_GPA, &q, sizeof(q));
	q.seal_ticks = SEAL_TICKS;
	memcpy(r + SEALED_REQUEST_GPA, &q, sizeof(q));
	for (c = 0; c < CPUS; c++)
		put64(r, PERCPU_GPA + c * 0x800 + CURRENT_TASK_OFF, gva(TASK_GPA + c * 0x200));
	/* Task 77 (parent: a task of tgid 1), and its child 90. */
	put32(r, TASK_GPA + 0x10, 77);
	put32(r, TASK_GPA + 0x14, 77);
	put64(r, TASK_GPA + 0x20, gva(TASK_GPA + 0x100));
	put32(r, TASK_GPA + 0x114, 1);
	put32(r, TASK_GPA + 0x210, 90);
	put32(r, TASK_GPA + 0x214, 90);
	put64(r, TASK_GPA + 0x220, gva(TASK_GPA));
	/* Page tables: IDT_VA -> the IDT, IDT_VA + 0x1000 -> the stack page. */
	put64(r, PML4_GPA, 0xa000 | 3);
	put64(r, 0xa000, 0xb000 | 3);
	put64(r, 0xb000 + 2 * 8, 0xc000 | 3);
	put64(r, 0xc000, IDT_GPA | 3);
	put64(r, 0xc000 + 8, STACK_GPA | 3);
	put64(r, 0xc000 + 2 * 8, CODE_GPA | 3);
	put64(r, 0xc000 + 3 * 8, FREE_GPA | 3); /* GDT_VA */
	/* The window: PML4[511] -> its PDPT, whose entry 1 maps it as one
	 * kernel 1 GiB page (ptprotect.c checks both at configure). */
	put64(r, PML4_GPA + 511 * 8, WINDOW_PDPT_GPA | 3);
	put64(r, WINDOW_PDPT_GPA + WINDOW_PDPT_SLOT * 8 - RAM1_PA + RAM0_SIZE, WINDOW_GPA | 0x83);
	put64(r, WINDOW_PDPT_GPA + 0 * 8 - RAM1_PA + RAM0_SIZE, 0xa000 | 3); /* another slot */
	/* Stores Linux writes page-table entries with (insn.c), and others. */
	{
		static const u8 code[] = {
			0x48, 0x89, 0x07, /* mov [rdi], rax */
			0x48, 0x87, 0x07, /* xchg [rdi], rax */
			0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x00, /* mov qword [rdi], 0 */
			0x89, 0x0f, /* mov [rdi], ecx */
			0xf0, 0x48, 0x87, 0x37, /* lock xchg [rdi], rsi */
			0x48, 0x89, 0x67, 0x08, /* mov [rdi + 8], rsp */
			0x4c, 0x87, 0x47, 0xf8, /* xchg [rdi - 8], r8 */
			0x66, 0x89, 0x07, /* mov [rdi], ax: refused */
			0x0f, 0x0b, /* ud2 */
		};
		memcpy(r + CODE_GPA, code, sizeof(code));
	}
	idt_gate(r, 2, NMI_HANDLER);
	idt_gate(r, 14, PF_HANDLER);
	idt_gate(r, 0x80, INT80_HANDLER); /* (the window's IDT replaces it: trace_ctl.c) */
	/* An interrupt frame returning into the analyzer's code. */
	put64(r, STACK_GPA + 0x100, WINDOW_VA + FVX_WIN_CODE + 0x40);
	put64(r, STACK_GPA + 0x108, 0x10);
}

/* EPT as views_build.c leaves it, in the pool: per view a PML4 whose entry 0
 * points at a PDPT whose entry 0 maps the first GiB (all of RAM) as one
 * write-back RWX page; the rest of the pool is ptprotect_init.c's reserve. */
static void build_pool_baseline(void)
{
	unsigned int view;
	u64 *t;

	memset(m.pool, 0, POOL_SIZE);
	for (view = 0; view < 2; view++) {
		t = (u64 *)(m.pool + (POOL_EPT_PML4(view) - POOL_PA));
		t[0] = POOL_EPT_PDPT(view) | EPT_RWX;
		t = (u64 *)(m.pool + (POOL_EPT_PDPT(view) - POOL_PA));
		t[0] = EPT_LARGE | (MEMTYPE_WB << EPT_MEMTYPE_SHIFT) | EPT_RWX;
	}
	memcpy(pool_baseline, m.pool, POOL_SIZE);
}

u64 linux_msr_value(enum shadowed_msr i)
{
	static const u64 values[SHADOWED_MSR_COUNT] = {
		[SHADOW_STAR] = LINUX_STAR,
		[SHADOW_CSTAR] = LINUX_CSTAR,
		[SHADOW_SYSENTER_CS] = LINUX_SYSENTER_CS,
		[SHADOW_SYSENTER_ESP] = LINUX_SYSENTER_ESP,
		[SHADOW_SYSENTER_EIP] = LINUX_SYSENTER_EIP,
	};

	return values[i];
}

static void vmcs_baseline(unsigned int c)
{
	u64 *f = m.vmcs[c];

	f[GUEST_RIP] = 0xffffffff81000000ULL;
	f[GUEST_RSP] = IDT_VA + 0x1100;
	f[GUEST_CR0] = f[CR0_READ_SHADOW] = 0x80050033ULL;
	f[GUEST_CR4] = 0x001526b0ULL;
	f[GUEST_IA32_EFER] = LINUX_EFER;
	f[GUEST_SYSENTER_CS] = LINUX_SYSENTER_CS;
	f[GUEST_SYSENTER_ESP] = LINUX_SYSENTER_ESP;
	f[GUEST_SYSENTER_EIP] = LINUX_SYSENTER_EIP;
	f[HOST_IA32_SYSENTER_EIP] = LINUX_SYSENTER_EIP; /* as VM exits load it */
	f[CR4_READ_SHADOW] = 0x001506b0ULL;
	f[CR0_GUEST_HOST_MASK] = m.hv.caps.cr0_fixed0 & 0xffffffff;
	f[CR4_GUEST_HOST_MASK] = m.hv.caps.cr4_fixed0 | BIT(13);
	f[GUEST_CR3] = PML4_GPA;
	f[GUEST_IDTR_BASE] = IDT_VA;
	f[GUEST_IDTR_LIMIT] = 0xfff;
	f[GUEST_GDTR_BASE] = GDT_VA;
	f[GUEST_GDTR_LIMIT] = 0x7f;
	f[GUEST_TR_SELECTOR] = 0x40;
	f[GUEST_GS_BASE] = gva(PERCPU_GPA + c * 0x800);
	f[GUEST_SS_AR_BYTES] = 0xc093;
	f[GUEST_CS_AR_BYTES] = 0xa09b;
	f[VM_ENTRY_CONTROLS] = VM_ENTRY_IA32E_MODE;
	f[EPT_POINTER] = m.eptp_list[0];
	f[EPTP_INDEX] = 0;
	f[VIRTUAL_PROCESSOR_ID] = VPID(c);
	f[SECONDARY_VM_EXEC_CONTROL] = SECONDARY_EXEC_ENABLE_RDTSCP; /* RDTSCP exits with RDTSC */
	f[VM_EXIT_INSTRUCTION_LEN] = 3;
	/* What every exit sets: zero until it does. */
	f[VM_EXIT_REASON] = f[EXIT_QUALIFICATION] = f[GUEST_PHYSICAL_ADDRESS] = 0;
	f[IDT_VECTORING_INFO_FIELD] = f[IDT_VECTORING_ERROR_CODE] = 0;
	f[GUEST_INTERRUPTIBILITY_INFO] = f[VM_ENTRY_INTR_INFO_FIELD] = 0;
	f[VM_ENTRY_EXCEPTION_ERROR_CODE] = f[VM_ENTRY_INSTRUCTION_LEN] = 0;
}

/* The config as trace_init leaves it: version 4, nothing published, -s
 * strace's default, and where the analyzer may read: the direct map of
 * RAM up to ram_top, without the pool and the window's block. Exits only
 * change it as the model predicts (the window is compared after each). */
static void check_config_at_load(const struct fvx_config *c)
{
	const struct fvx_phys_limits want = { .page_offset = (u64)m.ram,
					      .ram_top = RAM_TOP,
					      .hidden_start = { POOL_PA, WINDOW_PA },
					      .hidden_size = { POOL_SIZE, WINDOW_SIZE } };

	if (c->version != FVX_CONFIG_VERSION || c->size != sizeof(*c) || c->flags ||
	    c->analyzer_entry || c->return_entry || c->string_limit != FVX_DATA_BUFFER_DEFAULT ||
	    memcmp(&c->phys, &want, sizeof(want)))
		fuzz_fail(
			"trace_init: the config is not as loaded (version %u, size %u, flags %#x, "
			"-s %u, RAM top %#llx)",
			c->version, c->size, c->flags, c->string_limit, c->phys.ram_top);
}

void machine_init(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	unsigned int c, i;
	u8 *w;

	m.ram = map(RAM_TOP + RAM_GUARD, PROT_NONE);
	ram_is_writable = false;
	ram_writable(true);
	w = map(WINDOW_SIZE + 2 * PAGE, PROT_NONE);
	m.window = w + PAGE;
	protect(m.window, WINDOW_SIZE, PROT_READ | PROT_WRITE);
	m.eptp_list = map(PAGE, PROT_READ | PROT_WRITE);
	m.eptp_list[0] = POOL_EPT_PML4(0) | 0x1e;
	m.eptp_list[1] = POOL_EPT_PML4(1) | 0x1e;
	m.pool = map(POOL_SIZE, PROT_READ | PROT_WRITE);
	pool_baseline = malloc(POOL_SIZE);
	protect(m.eptp_list, PAGE, PROT_READ);
	expect_buffer = malloc(EXPECT_BUFFER_SIZE);
	window_baseline = malloc(WINDOW_SIZE);
	if (!expect_buffer || !window_baseline || !pool_baseline)
		fuzz_fail("out of memory");

	build_ram_baseline();
	memcpy(hv_baseline.signature, HV_SIGNATURE, sizeof(hv_baseline.signature));
	hv_baseline.cpu_count = CPUS;
	hv_baseline.page_offset = (u64)m.ram;
	hv_baseline.ram_top = RAM_TOP;
	build_pool_baseline();
	pool_init(&hv_baseline.pool, m.pool, POOL_PA, POOL_SIZE);
	pool_init(&hv_baseline.ptp.reserve, m.pool + (POOL_RESERVE_PA - POOL_PA), POOL_RESERVE_PA,
		  4 * PAGE);
	hv_baseline.pool.used = POOL_SIZE;
	/* Write-back RAM everywhere (where Linux keeps its page tables). */
	hv_baseline.mtrr.enabled = true;
	hv_baseline.mtrr.default_type = MEMTYPE_WB;
	hv_baseline.maxphyaddr = MAXPHYADDR;
	hv_baseline.window = m.window;
	hv_baseline.idt_page = IDT_GPA; /* as the loader names it (the window's IDT copies it) */
	hv_baseline.window_pa = WINDOW_PA;
	hv_baseline.window_size = WINDOW_SIZE;
	hv_baseline.window_gpa = WINDOW_GPA;
	hv_baseline.eptp = m.eptp_list[0];
	hv_baseline.eptp_analyzer = m.eptp_list[1];
	hv_baseline.eptp_list = m.eptp_list;
	hv_baseline.unload_key = UNLOAD_KEY;
	/* Bochs' values (tests/unit/fixtures.h), as views_build sizes the rings. */
	hv_baseline.caps.cr0_fixed0 = 0x80000021;
	hv_baseline.caps.cr0_fixed1 = 0xffffffff;
	hv_baseline.caps.cr4_fixed0 = 0x2000;
	hv_baseline.caps.cr4_fixed1 = 0x3727ff;
	hv_baseline.caps.ept_vpid = VMX_VPID_INVVPID_SINGLE_CONTEXT;
	/* RDTSC exiting can be switched (tsc_init.c); the vDSO's code. */
	hv_baseline.tsc.rdtsc_exiting = true;
	hv_baseline.tsc.vdso[0].start = VDSO_GPA;
	hv_baseline.tsc.vdso[0].end = VDSO_GPA + PAGE;
	hv_baseline.ring_bytes = ((WINDOW_SIZE - FVX_WIN_RINGS) / CPUS) & ~(PAGE - 1);
	hv_baseline.ring_capacity = fvx_ring_capacity(hv_baseline.ring_bytes);
	for (c = 0; c < CPUS; c++) {
		vcpu_baseline[c] = (struct vcpu){ .hv = &m.hv,
						  .index = c,
						  .guest_lstar = GUEST_LSTAR,
						  .guest_fmask = GUEST_FMASK,
						  .guest_efer_sce = true };
		for (i = 0; i < SHADOWED_MSR_COUNT; i++)
			vcpu_baseline[c].shadowed[i].guest = vcpu_baseline[c].shadowed[i].real =
				linux_msr_value(i);
		/* Linux's tables as vmcs_setup.c records them (vmcs_baseline). */
		vcpu_baseline[c].dt.table[DT_GDT] = (struct dt_table){ GDT_VA, 0x7f };
		vcpu_baseline[c].dt.table[DT_IDT] = (struct dt_table){ IDT_VA, 0xfff };
		vcpu_baseline[c].dt.tr = 0x40;
		vcpu_baseline[c].self = &m.vcpus[c];
		hv_baseline.vcpus[c] = &m.vcpus[c];
	}
	m.hv = hv_baseline;
	memset(m.window, 0, WINDOW_SIZE);
	trace_init(&m.hv);
	check_config_at_load(window_config(&m.hv));
	memcpy(window_baseline, m.window, WINDOW_SIZE);
	protect(m.window, WINDOW_SIZE, PROT_READ);

	sigaction(SIGSEGV, &sa, &asan_segv);
	machine_reset();
}

void machine_reset(void)
{
	unsigned int c, i, p;

	ram_writable(true);
	for (i = 0, p = 0; i < ARRAY_LEN(ram_segments); p += ram_segments[i].size, i++)
		memcpy(m.ram + ram_segments[i].pa, ram_baseline + p, ram_segments[i].size);
	for (p = 0; p < WINDOW_PAGES;) {
		if (!window_dirty[p]) {
			p++;
			continue;
		}
		for (i = p; p < WINDOW_PAGES && window_dirty[p]; p++)
			window_dirty[p] = 0;
		protect(m.window + i * PAGE, (p - i) * PAGE, PROT_READ | PROT_WRITE);
		memcpy(m.window + i * PAGE, window_baseline + i * PAGE, (p - i) * PAGE);
		protect(m.window + i * PAGE, (p - i) * PAGE, PROT_READ);
	}
	memcpy(m.pool, pool_baseline, POOL_SIZE);
	m.hv = hv_baseline;
	for (c = 0; c < CPUS; c++) {
		m.vcpus[c] = vcpu_baseline[c];
		memset(&m.regs[c], 0, sizeof(m.regs[c]));
		m.cpu[c] = (struct fake_cpu){ .lstar = GUEST_LSTAR,
					      .fmask = GUEST_FMASK | 0x300,
					      .xcr0_supported = 0x2e7 };
		if (m.touched_count[c] > ARRAY_LEN(m.touched[c]))
			memset(m.vmcs[c], 0, sizeof(m.vmcs[c]));
		for (i = 0; i < m.touched_count[c] && i < ARRAY_LEN(m.touched[c]); i++)
			m.vmcs[c][m.touched[c][i]] = 0;
		m.touched_count[c] = 0;
		vmcs_baseline(c);
		m.stopped[c] = false;
	}
}
