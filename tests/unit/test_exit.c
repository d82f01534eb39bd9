/* Unit tests for VM-exit dispatch and the handlers, on a fake VMCS (an
 * array indexed by field encoding) with fake MSRs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/exit.h"
#include "core/log.h"
#include "core/msr.h"
#include "core/window.h"
#include "arch/x86/asm.h"
#include "fastvmix/vmcall.h"
#include "fastvmix/ring.h"
#include "fastvmix/trace_select.h"
#include "core/analyzer_image.h"

/* The fake VMCS. */
static u64 vmcs[0x8000];

u64 vmcs_raw_read(u32 field)
{
	assert_true(field < ARRAY_LEN(vmcs));
	return vmcs[field];
}

void vmcs_raw_write(u32 field, u64 value)
{
	assert_true(field < ARRAY_LEN(vmcs));
	vmcs[field] = value;
}

/* Fake MSRs: FEATURE_CONTROL locked with VMX on; 0x123 does not exist. */
static u64 msr_written[2];

int arch_rdmsr_safe(u32 msr, u64 *value)
{
	if (msr == 0x123)
		return -1;
	*value = msr == MSR_IA32_FEATURE_CONTROL ? 0x5 : 0x1111222233334444ULL;
	return 0;
}

int arch_wrmsr_safe(u32 msr, u64 value)
{
	if (msr == 0x123)
		return -1;
	msr_written[0] = msr;
	msr_written[1] = value;
	return 0;
}

int arch_xsetbv_safe(u32 index, u64 value)
{
	return 0;
}

/* TLB invalidations (the page-table protection's; test_ptprotect.c checks
 * them). */
void arch_invept_all(void)
{
}

void arch_invvpid(u64 type, u16 vpid, u64 address)
{
}

static u64 guest_cr2;

/* The debug registers DR0-DR3 and DR6 (dr.c reads and writes them through). */
static u64 fake_dr[8];

u64 arch_read_dr(unsigned int n)
{
	return fake_dr[n & 7];
}

void arch_write_dr(unsigned int n, u64 v)
{
	fake_dr[n & 7] = v;
}

void arch_write_cr2(u64 v)
{
	guest_cr2 = v;
}

static u64 real_lstar, real_deadline, fake_tsc;

#define GUEST_TSC_AUX 0x12345678ULL /* IA32_TSC_AUX as Linux wrote it: passed through */

u64 arch_rdmsr(u32 msr)
{
	return msr == MSR_IA32_LSTAR	      ? real_lstar
	       : msr == MSR_IA32_TSC_DEADLINE ? real_deadline
	       : msr == MSR_IA32_TSC_AUX      ? GUEST_TSC_AUX
					      : 0;
}

void arch_wrmsr(u32 msr, u64 value)
{
	if (msr == MSR_IA32_LSTAR)
		real_lstar = value;
	if (msr == MSR_IA32_TSC_DEADLINE)
		real_deadline = value;
}

/* The host TSC: what the test sets, one tick per read. */
u64 arch_rdtsc(void)
{
	return fake_tsc++;
}

/* trampoline.S is replaced by tests/unit/fake_trampoline.c. */

/* Fake logging: a fatal report ends the test case's exit. */
static jmp_buf fatal_jump;
static int fatal_reports, log_lines;

void root_log(const char *fmt, ...)
{
	log_lines++;
}

void root_fatal(const char *fmt, ...)
{
	fatal_reports++;
	longjmp(fatal_jump, 1);
}

static int devirtualized;

void vcpu_devirtualize(struct vcpu *v, struct guest_regs *r)
{
	devirtualized++;
}

static struct hv hv;
static struct vcpu cpu0;
static struct guest_regs regs;
static u8 guest_page[4096] __attribute__((aligned(4096)));
#define GUEST_PAGE_GPA 0x5000ULL

static int setup(void **state)
{
	memset(vmcs, 0, sizeof(vmcs));
	memset(&regs, 0, sizeof(regs));
	memset(&hv, 0, sizeof(hv));
	memset(&cpu0, 0, sizeof(cpu0));
	cpu0.hv = &hv;
	hv.cpu_count = 1;
	hv.vcpus[0] = &cpu0;
	hv.ram_top = 512ULL << 20;
	hv.page_offset = (u64)guest_page - GUEST_PAGE_GPA;
	hv.pool.pa = 0x6400000;
	hv.pool.size = 4 << 20;
	hv.window_pa = 0x7000000;
	hv.window_size = PLATFORM_CONTIG_BLOCK;
	hv.unload_key = 0xfeedULL;
	hv.caps.cr0_fixed0 = 0x80000021;
	hv.caps.cr0_fixed1 = 0xffffffff;
	hv.caps.cr4_fixed0 = 0x2000;
	hv.caps.cr4_fixed1 = 0x3727ff;
	vmcs[GUEST_RIP] = 0x1000;
	vmcs[VM_EXIT_INSTRUCTION_LEN] = 3;
	vmcs[GUEST_SS_AR_BYTES] = 0x93; /* DPL 0 */
	vmcs[GUEST_CS_AR_BYTES] = 0xa09b; /* 64-bit code */
	vmcs[VM_ENTRY_CONTROLS] = VM_ENTRY_IA32E_MODE;
	devirtualized = fatal_reports = log_lines = 0;
	return 0;
}

static void exit_with(u32 reason)
{
	vmcs[VM_EXIT_REASON] = reason;
	if (!setjmp(fatal_jump))
		vmexit_handler(&regs, &cpu0);
}

static u32 injected(void)
{
	u32 info = vmcs[VM_ENTRY_INTR_INFO_FIELD];

	return info & INTR_INFO_VALID ? (info & 0xff) : 0xffffffff;
}

static void cpuid_hides_vmx_and_advances(void **state)
{
	regs.rax = 1;
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(regs.rcx & BIT(5), 0);
	assert_int_equal(vmcs[GUEST_RIP], 0x1003);
	assert_int_equal(cpu0.exits[EXIT_REASON_CPUID], 1);
	assert_int_equal(cpu0.exits_total, 1);
	assert_int_equal(injected(), 0xffffffff);
}

/* Any process can run 32-bit code at any address (a far jump to the
 * 32-bit user code segment). EIP wraps at 4 GiB there; a RIP above it
 * makes VM entry fail, which stops the CPU. Found by exit_fuzz (its input
 * tests/fuzz/corpus/exit_fuzz/crash-eip-wraps-in-compat-mode). */
static void skipped_instruction_wraps_eip_outside_64_bit_mode(void **state)
{
	vmcs[GUEST_CS_AR_BYTES] = 0xc0fb; /* 32-bit user code */
	vmcs[GUEST_SS_AR_BYTES] = 0xc0f3;
	vmcs[GUEST_RIP] = 0xfffffffe;
	vmcs[VM_EXIT_INSTRUCTION_LEN] = 2;
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(vmcs[GUEST_RIP], 0);
	/* In 64-bit mode the same instruction just advances RIP. */
	vmcs[GUEST_CS_AR_BYTES] = 0xa0fb;
	vmcs[GUEST_RIP] = 0xfffffffe;
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(vmcs[GUEST_RIP], 0x100000000ULL);
	assert_int_equal(fatal_reports, 0);
}

static void vmx_instructions_raise_ud(void **state)
{
	static const u32 reasons[] = {
		EXIT_REASON_VMXON,  EXIT_REASON_VMLAUNCH, EXIT_REASON_VMREAD,
		EXIT_REASON_INVEPT, EXIT_REASON_VMFUNC,	  EXIT_REASON_GETSEC
	};
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(reasons); i++) {
		vmcs[VM_ENTRY_INTR_INFO_FIELD] = 0;
		exit_with(reasons[i]);
		assert_int_equal(injected(), VECTOR_UD);
		assert_int_equal(vmcs[GUEST_RIP], 0x1000); /* a fault: RIP stays */
	}
}

static void vmx_capability_msrs_fault(void **state)
{
	regs.rcx = MSR_IA32_VMX_BASIC;
	exit_with(EXIT_REASON_MSR_READ);
	assert_int_equal(injected(), VECTOR_GP);
	assert_int_equal(vmcs[VM_ENTRY_EXCEPTION_ERROR_CODE], 0);
}

static void feature_control_reads_without_vmx(void **state)
{
	regs.rcx = MSR_IA32_FEATURE_CONTROL;
	exit_with(EXIT_REASON_MSR_READ);
	assert_int_equal(injected(), 0xffffffff);
	assert_int_equal(regs.rax, FEATURE_CONTROL_LOCKED);
	assert_int_equal(regs.rdx, 0);
	assert_int_equal(vmcs[GUEST_RIP], 0x1003);
	regs.rcx = MSR_IA32_FEATURE_CONTROL;
	exit_with(EXIT_REASON_MSR_WRITE);
	assert_int_equal(injected(), VECTOR_GP);
}

static void other_msrs_pass_through_or_fault(void **state)
{
	regs.rcx = 0x40000000;
	regs.rax = 0xaabbccdd;
	regs.rdx = 0x11;
	exit_with(EXIT_REASON_MSR_WRITE);
	assert_int_equal(msr_written[0], 0x40000000);
	assert_int_equal(msr_written[1], 0x11aabbccddULL);
	regs.rcx = 0x123; /* does not exist: #GP, not a host crash */
	exit_with(EXIT_REASON_MSR_READ);
	assert_int_equal(injected(), VECTOR_GP);
}

static void msr_bitmap_selects_vmx_msrs(void **state)
{
	static u8 bitmap[4096];

	msr_bitmap_init(bitmap);
	assert_true(msr_bitmap_exits(bitmap, MSR_IA32_VMX_BASIC, false));
	assert_true(msr_bitmap_exits(bitmap, MSR_IA32_VMX_VMFUNC, true));
	assert_true(msr_bitmap_exits(bitmap, MSR_IA32_FEATURE_CONTROL, true));
	assert_true(msr_bitmap_exits(bitmap, MSR_IA32_LSTAR, true)); /* virtualised */
	assert_false(msr_bitmap_exits(bitmap, MSR_IA32_TSC, false));
	assert_false(msr_bitmap_exits(bitmap, MSR_IA32_KERNEL_GS_BASE, true));
	assert_true(msr_bitmap_exits(bitmap, 0x40000000, false)); /* outside the bitmap */
}

static void cr4_vmxe_cannot_be_set(void **state)
{
	vmcs[EXIT_QUALIFICATION] = 4 | (0 << 4) | (3 << 8); /* MOV RBX -> CR4 */
	regs.rbx = 0x2000 | 0x20;
	exit_with(EXIT_REASON_CR_ACCESS);
	assert_int_equal(injected(), VECTOR_GP);
	vmcs[VM_ENTRY_INTR_INFO_FIELD] = 0;
	regs.rbx = 0x6f0;
	exit_with(EXIT_REASON_CR_ACCESS);
	assert_int_equal(injected(), 0xffffffff);
	assert_int_equal(vmcs[CR4_READ_SHADOW], 0x6f0);
	assert_int_equal(vmcs[GUEST_CR4], 0x26f0);
}

static void xsetbv_from_ring3_faults(void **state)
{
	vmcs[GUEST_SS_AR_BYTES] = 0xf3; /* DPL 3 */
	regs.rax = 1;
	exit_with(EXIT_REASON_XSETBV);
	assert_int_equal(injected(), VECTOR_GP);
}

static void vmcall_from_ring3_or_without_magic_is_ud(void **state)
{
	regs.rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_VERSION;
	vmcs[GUEST_SS_AR_BYTES] = 0xf3;
	exit_with(EXIT_REASON_VMCALL);
	assert_int_equal(injected(), VECTOR_UD);
	assert_int_equal(cpu0.vmcalls, 0);

	vmcs[VM_ENTRY_INTR_INFO_FIELD] = 0;
	vmcs[GUEST_SS_AR_BYTES] = 0x93;
	regs.rax = 0x1234ULL << 32 | FVX_VMCALL_VERSION;
	exit_with(EXIT_REASON_VMCALL);
	assert_int_equal(injected(), VECTOR_UD);
}

static void vmcall_version_and_unknown(void **state)
{
	regs.rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_VERSION;
	exit_with(EXIT_REASON_VMCALL);
	assert_int_equal(regs.rax, FVX_VMCALL_OK);
	assert_int_equal(regs.rbx, FVX_VMCALL_ABI_VERSION);
	assert_int_equal(vmcs[GUEST_RIP], 0x1003);
	regs.rax = FVX_VMCALL_MAGIC << 32 | 99;
	exit_with(EXIT_REASON_VMCALL);
	assert_int_equal((s64)regs.rax, FVX_VMCALL_ENOSYS);
}

static void vmcall_status_checks_the_buffer(void **state)
{
	struct fvx_cpu_status *out = (void *)guest_page;
	struct {
		u64 cpu, gpa, size;
	} bad[] = {
		{ 1, GUEST_PAGE_GPA, sizeof(*out) }, /* no such CPU */
		{ 0, GUEST_PAGE_GPA, 8 }, /* too small */
		{ 0, GUEST_PAGE_GPA + 4000, sizeof(*out) }, /* crosses a page */
		{ 0, 0x6400000, sizeof(*out) }, /* the hypervisor's memory */
		{ 0, 0x7000000, sizeof(*out) }, /* the window's backing block */
		{ 0, 1ULL << 40, sizeof(*out) }, /* beyond RAM */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		regs.rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_STATUS;
		regs.rbx = bad[i].cpu;
		regs.rcx = bad[i].gpa;
		regs.rdx = bad[i].size;
		exit_with(EXIT_REASON_VMCALL);
		assert_int_equal((s64)regs.rax, FVX_VMCALL_EINVAL);
	}
	assert_int_equal(out->version, 0); /* nothing written */
	regs.rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_STATUS;
	regs.rbx = 0;
	regs.rcx = GUEST_PAGE_GPA;
	regs.rdx = sizeof(*out);
	exit_with(EXIT_REASON_VMCALL);
	assert_int_equal(regs.rax, FVX_VMCALL_OK);
	assert_int_equal(out->version, FVX_CPU_STATUS_VERSION);
	assert_int_equal(out->size, sizeof(*out));
	assert_int_equal(out->hv_base, 0x6400000);
	assert_int_equal(out->exits[EXIT_REASON_VMCALL], 7); /* six refused + this one */
	assert_int_equal(out->vmcalls, 7);
}

static void unload_needs_the_key(void **state)
{
	regs.rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_UNLOAD;
	regs.rbx = 0xbad;
	exit_with(EXIT_REASON_VMCALL);
	assert_int_equal((s64)regs.rax, FVX_VMCALL_EPERM);
	assert_int_equal(devirtualized, 0);
	assert_int_equal(cpu0.bad_unload_keys, 1); /* a wrong key is counted */
	regs.rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_UNLOAD;
	regs.rbx = 0xfeed;
	exit_with(EXIT_REASON_VMCALL);
	assert_int_equal(devirtualized, 1);
	assert_int_equal(regs.rax, FVX_VMCALL_OK);
	assert_int_equal(vmcs[GUEST_RIP], 0x1006);
}

/* SYSCALL must keep clearing IF and TF for the trampoline, whatever the
 * guest writes to IA32_FMASK; the guest reads back its own value. */
static void fmask_keeps_interrupts_off_for_the_trampoline(void **state)
{
	static u8 bitmap[4096];

	msr_bitmap_init(bitmap);
	cpu0.guest_fmask = 0x47700;
	assert_true(msr_bitmap_exits(bitmap, MSR_IA32_FMASK, false));
	assert_true(msr_bitmap_exits(bitmap, MSR_IA32_FMASK, true));
	regs.rcx = MSR_IA32_FMASK;
	regs.rax = 0x400; /* DF only: IF and TF would survive SYSCALL */
	regs.rdx = 0;
	exit_with(EXIT_REASON_MSR_WRITE);
	assert_int_equal(msr_written[0], MSR_IA32_FMASK);
	assert_int_equal(msr_written[1], 0x400 | 0x200 | 0x100);
	regs.rcx = MSR_IA32_FMASK;
	exit_with(EXIT_REASON_MSR_READ);
	assert_int_equal(regs.rax, 0x400);
	assert_int_equal(regs.rdx, 0);
	assert_int_equal(cpu0.guest_fmask, 0x400);
}

/* ---- the other syscall-path MSRs (msr.c) ---- */

static void guest_wrmsr(u32 msr, u64 value)
{
	regs.rcx = msr;
	regs.rax = (u32)value;
	regs.rdx = value >> 32;
	vmcs[VM_ENTRY_INTR_INFO_FIELD] = 0;
	vmcs[GUEST_RIP] = 0x1000;
	exit_with(EXIT_REASON_MSR_WRITE);
}

static u64 guest_rdmsr(u32 msr)
{
	regs.rcx = msr;
	exit_with(EXIT_REASON_MSR_READ);
	return regs.rdx << 32 | (u32)regs.rax;
}

/* Linux 6.1's values, as msr_shadows_init leaves them at load. */
static const struct {
	enum shadowed_msr index;
	u32 msr;
	u64 linux_value, attack, reads_back;
} shadowed[] = {
	{ SHADOW_STAR, MSR_IA32_STAR, 0x0023001000000000ULL, 0x0033002000000000ULL,
	  0x0033002000000000ULL },
	{ SHADOW_CSTAR, MSR_IA32_CSTAR, 0xffffffff81c01820ULL, 0xffffffffc0001000ULL,
	  0xffffffffc0001000ULL },
	/* Bits 63:32 of SYSENTER_CS: writes ignored, reads 0 (SDM Vol. 4). */
	{ SHADOW_SYSENTER_CS, MSR_IA32_SYSENTER_CS, 0x10, 0xdead00000033ULL, 0x33 },
	{ SHADOW_SYSENTER_ESP, MSR_IA32_SYSENTER_ESP, 0xfffffe0000003000ULL, 0xffff888000100000ULL,
	  0xffff888000100000ULL },
	{ SHADOW_SYSENTER_EIP, MSR_IA32_SYSENTER_EIP, 0xffffffff81c01630ULL, 0xffffffffc0001000ULL,
	  0xffffffffc0001000ULL },
};

static int shadow_setup(void **state)
{
	unsigned int i;

	setup(state);
	for (i = 0; i < ARRAY_LEN(shadowed); i++)
		cpu0.shadowed[shadowed[i].index] =
			(struct msr_shadow){ shadowed[i].linux_value, shadowed[i].linux_value };
	vmcs[GUEST_SYSENTER_CS] = 0x10;
	vmcs[GUEST_SYSENTER_ESP] = 0xfffffe0000003000ULL;
	vmcs[GUEST_SYSENTER_EIP] = 0xffffffff81c01630ULL;
	vmcs[GUEST_IA32_EFER] = 0xd01; /* SCE, LME, LMA, NXE */
	vmcs[GUEST_CR0] = 0x80050033; /* paging on */
	cpu0.guest_efer_sce = true;
	msr_written[0] = 0;
	return 0;
}

static void syscall_msrs_exit(void **state)
{
	static u8 bitmap[4096];
	unsigned int i;

	msr_bitmap_init(bitmap);
	for (i = 0; i < ARRAY_LEN(shadowed); i++) {
		assert_true(msr_bitmap_exits(bitmap, shadowed[i].msr, false));
		assert_true(msr_bitmap_exits(bitmap, shadowed[i].msr, true));
	}
	assert_true(msr_bitmap_exits(bitmap, MSR_IA32_EFER, false));
	assert_true(msr_bitmap_exits(bitmap, MSR_IA32_EFER, true));
}

/* A ring-0 attacker writes STAR, CSTAR and SYSENTER_*: it reads its own
 * values back, the CPU keeps Linux's, and each such write is counted.
 * Writing Linux's value back is not an attack. */
static void shadowed_msrs_read_back_and_keep_the_real_value(void **state)
{
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(shadowed); i++) {
		guest_wrmsr(shadowed[i].msr, shadowed[i].attack);
		assert_int_equal(injected(), 0xffffffff);
		assert_int_equal(vmcs[GUEST_RIP], 0x1003);
		assert_int_equal(cpu0.msr_writes_shadowed, i + 1);
		assert_int_equal(guest_rdmsr(shadowed[i].msr), shadowed[i].reads_back);
		assert_int_equal(cpu0.shadowed[shadowed[i].index].real, shadowed[i].linux_value);
	}
	/* Nothing reached the CPU: no WRMSR, no guest-state field written. */
	assert_int_equal(msr_written[0], 0);
	assert_int_equal(vmcs[GUEST_SYSENTER_CS], 0x10);
	assert_int_equal(vmcs[GUEST_SYSENTER_ESP], 0xfffffe0000003000ULL);
	assert_int_equal(vmcs[GUEST_SYSENTER_EIP], 0xffffffff81c01630ULL);
	for (i = 0; i < ARRAY_LEN(shadowed); i++) {
		guest_wrmsr(shadowed[i].msr, shadowed[i].linux_value);
		assert_int_equal(guest_rdmsr(shadowed[i].msr), shadowed[i].linux_value);
	}
	assert_int_equal(cpu0.msr_writes_shadowed, ARRAY_LEN(shadowed));
	assert_int_equal(log_lines, ARRAY_LEN(shadowed));
}

static void shadowed_writes_are_logged_a_few_times(void **state)
{
	unsigned int i;

	for (i = 0; i < 40; i++)
		guest_wrmsr(MSR_IA32_STAR, i);
	assert_int_equal(cpu0.msr_writes_shadowed, 40);
	assert_int_equal(log_lines, 16);
}

/* STATUS reports the counters of version 3 in their own fields, after
 * bad_unload_keys: three WRMSRs of STAR kept from the CPU read back as
 * msr_writes_shadowed 3, and a buffer larger than the struct gets the
 * struct only. The input tests/fuzz/corpus/exit_fuzz/
 * crash-status-reports-shadowed-msr-writes does the same on the fuzz
 * machine, whose model of STATUS once left these fields out. */
static void status_reports_shadowed_writes_and_the_other_v3_counters(void **state)
{
	struct fvx_cpu_status *out = (void *)guest_page;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		guest_wrmsr(MSR_IA32_STAR, 0);
		assert_int_equal(injected(), 0xffffffff);
	}
	assert_int_equal(cpu0.msr_writes_shadowed, 3);
	cpu0.dt_loads_refused = 4;
	cpu0.kernel_writes_refused = 5;
	cpu0.text_pokes = 6;
	cpu0.resume_tampered = 7;
	cpu0.bad_unload_keys = 2;
	memset(guest_page, 0xa5, sizeof(guest_page));
	regs.rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_STATUS;
	regs.rbx = 0;
	regs.rcx = GUEST_PAGE_GPA;
	regs.rdx = sizeof(guest_page);
	exit_with(EXIT_REASON_VMCALL);
	assert_int_equal(regs.rax, FVX_VMCALL_OK);
	assert_int_equal(out->version, FVX_CPU_STATUS_VERSION);
	assert_int_equal(out->size, sizeof(*out));
	assert_int_equal(out->vmcalls, 1);
	assert_int_equal(out->exits[EXIT_REASON_MSR_WRITE], 3);
	assert_int_equal(out->bad_unload_keys, 2);
	assert_int_equal(out->msr_writes_shadowed, 3);
	assert_int_equal(out->dt_loads_refused, 4);
	assert_int_equal(out->kernel_writes_refused, 5);
	assert_int_equal(out->text_pokes, 6);
	assert_int_equal(out->resume_tampered, 7);
	for (i = sizeof(*out); i < sizeof(guest_page); i++)
		assert_int_equal(guest_page[i], 0xa5);
}

/* As on the CPU (SDM Vol. 2B WRMSR): a non-canonical SYSENTER_ESP/EIP is
 * #GP, and the width of canonical follows CR4.LA57. */
static void sysenter_addresses_must_be_canonical(void **state)
{
	const u64 la57_only = 0x00ff800000000000ULL;

	guest_wrmsr(MSR_IA32_SYSENTER_EIP, 0x0000800000000000ULL);
	assert_int_equal(injected(), VECTOR_GP);
	assert_int_equal(vmcs[GUEST_RIP], 0x1000);
	guest_wrmsr(MSR_IA32_SYSENTER_ESP, la57_only);
	assert_int_equal(injected(), VECTOR_GP);
	assert_int_equal(cpu0.shadowed[SHADOW_SYSENTER_EIP].guest, 0xffffffff81c01630ULL);
	assert_int_equal(cpu0.shadowed[SHADOW_SYSENTER_ESP].guest, 0xfffffe0000003000ULL);
	assert_int_equal(cpu0.msr_writes_shadowed, 0);
	/* Linux without 32-bit entry writes 0; STAR and CSTAR take anything. */
	guest_wrmsr(MSR_IA32_SYSENTER_EIP, 0);
	assert_int_equal(injected(), 0xffffffff);
	guest_wrmsr(MSR_IA32_CSTAR, 0x0000800000000000ULL);
	assert_int_equal(injected(), 0xffffffff);
	vmcs[GUEST_CR4] |= CR4_LA57;
	guest_wrmsr(MSR_IA32_SYSENTER_ESP, la57_only);
	assert_int_equal(injected(), 0xffffffff);
	assert_int_equal(guest_rdmsr(MSR_IA32_SYSENTER_ESP), la57_only);
}

/* The trampoline is entered by SYSCALL: EFER.SCE stays set whatever the
 * guest writes, and the guest reads back its own SCE. Its other bits are
 * the guest's (through GUEST_IA32_EFER, which VM entry loads); LMA is the
 * CPU's. */
static void efer_keeps_sce_for_the_trampoline(void **state)
{
	guest_wrmsr(MSR_IA32_EFER, 0xd00);
	assert_int_equal(injected(), 0xffffffff);
	assert_int_equal(vmcs[GUEST_RIP], 0x1003);
	assert_int_equal(vmcs[GUEST_IA32_EFER], 0xd01);
	assert_int_equal(guest_rdmsr(MSR_IA32_EFER), 0xd00);
	assert_int_equal(cpu0.msr_writes_shadowed, 1);
	assert_int_equal(log_lines, 1);
	guest_wrmsr(MSR_IA32_EFER, 0x101); /* SCE and LME: NXE off, LMA ignored */
	assert_int_equal(vmcs[GUEST_IA32_EFER], 0x501);
	assert_int_equal(guest_rdmsr(MSR_IA32_EFER), 0x501);
	assert_int_equal(cpu0.msr_writes_shadowed, 1); /* SCE set: nothing kept */
	assert_int_equal(msr_written[0], 0); /* the host's EFER is not the guest's */
}

static void efer_faults_on_reserved_bits_and_lme_changes(void **state)
{
	static const u64 bad[] = {
		0xd01 | BIT(12), /* SVME: reserved on Intel */
		0xd01 | BIT(63), 0x401, /* LME off with paging on */
		0x400, /* ... even with SCE off */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		guest_wrmsr(MSR_IA32_EFER, bad[i]);
		assert_int_equal(injected(), VECTOR_GP);
		assert_int_equal(vmcs[GUEST_RIP], 0x1000);
		assert_int_equal(vmcs[GUEST_IA32_EFER], 0xd01);
		assert_true(cpu0.guest_efer_sce);
	}
	assert_int_equal(cpu0.msr_writes_shadowed, 0);
}

static void unexpected_exits_are_reported(void **state)
{
	exit_with(EXIT_REASON_TRIPLE_FAULT);
	assert_int_equal(fatal_reports, 1);
	exit_with(EXIT_REASON_INVALID_STATE | EXIT_REASON_FAILED_VMENTRY);
	assert_int_equal(fatal_reports, 2);
	exit_with(70); /* a reason we never enabled */
	assert_int_equal(fatal_reports, 3);
	assert_int_equal(cpu0.exits[EXIT_REASON_TRIPLE_FAULT], 1);
}

static void ept_violation_reports_and_faults(void **state)
{
	vmcs[GUEST_PHYSICAL_ADDRESS] = 1ULL << 45;
	exit_with(EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(fatal_reports, 0);
	assert_int_equal(injected(), VECTOR_GP);
	assert_int_equal(cpu0.ept_violations_logged, 1);
}

static void interrupted_event_is_redelivered(void **state)
{
	vmcs[IDT_VECTORING_INFO_FIELD] =
		INTR_INFO_VALID | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_DELIVER_CODE | 14;
	vmcs[IDT_VECTORING_ERROR_CODE] = 2;
	vmcs[GUEST_PHYSICAL_ADDRESS] = 1ULL << 45;
	regs.rax = 0;
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(injected(), 14);
	assert_int_equal(vmcs[VM_ENTRY_EXCEPTION_ERROR_CODE], 2);
}

static void nmi_in_root_is_injected(void **state)
{
	cpu0.nmi_pending = 1;
	vmcs[GUEST_INTERRUPTIBILITY_INFO] = GUEST_INTR_STATE_NMI;
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(injected(), 0xffffffff); /* blocked: wait */
	assert_int_equal(cpu0.nmi_pending, 1);
	/* In an STI shadow too (an exit without an instruction to skip, the
	 * preemption timer's): some CPUs refuse that entry. */
	vmcs[GUEST_INTERRUPTIBILITY_INFO] = GUEST_INTR_STATE_STI;
	exit_with(EXIT_REASON_PREEMPTION_TIMER);
	assert_int_equal(injected(), 0xffffffff);
	assert_int_equal(cpu0.nmi_pending, 1);
	vmcs[GUEST_INTERRUPTIBILITY_INFO] = 0;
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(vmcs[VM_ENTRY_INTR_INFO_FIELD], INTR_INFO_VALID | INTR_TYPE_NMI | 2);
	assert_int_equal(cpu0.nmi_pending, 0);
}

/* ---- the analyzer window, LSTAR and the trace VMCALLs ---- */

static u8 ram[0x10000] __attribute__((aligned(4096))); /* guest-physical 0.. */
static u8 *window_block;
static u64 eptp_list[2] = { 0x1000 | 0x1e, 0x2000 | 0x1e };
#define WINDOW_VA 0xffffff8040000000ULL
#define TASK_GPA 0x6000
#define IDT_VA 0x400000ULL
#define NMI_HANDLER 0xffffffff81a00000ULL
#define INT80_HANDLER 0xffffffff81a01230ULL

static u64 gva(u64 gpa)
{
	return hv.page_offset + gpa;
}

/* The hypervisor's pool with real EPT views: configuring the window
 * write-protects the PDPT page that maps it. */
static void build_views(void)
{
	static u8 *pool_memory;
	struct ept_layout l = { .limit = 1ULL << 40, .large_1g = true, .mtrr = &hv.mtrr };
	struct ept_stats stats;
	u64 pml4;

	if (!pool_memory)
		pool_memory = aligned_alloc(4096, 4 << 20);
	pool_init(&hv.pool, pool_memory, 0x10000000, 4 << 20);
	l.hidden[0].base = hv.pool.pa;
	l.hidden[0].size = hv.pool.size;
	l.ram_perm = EPT_RWX;
	assert_int_equal(ept_build(&hv.pool, &l, &pml4, &stats), FVX_OK);
	hv.eptp = eptp_list[0] = ept_pointer(pml4);
	l.ram_perm = EPT_READ | EPT_WRITE;
	assert_int_equal(ept_build(&hv.pool, &l, &pml4, &stats), FVX_OK);
	hv.eptp_analyzer = eptp_list[1] = ept_pointer(pml4);
	assert_int_equal(ptp_init(&hv), FVX_OK);
}

static int window_setup(void **state)
{
	u64 *pt;

	setup(state);
	memset(ram, 0, sizeof(ram));
	if (!window_block)
		window_block = aligned_alloc(4096, PLATFORM_CONTIG_BLOCK);
	memset(window_block, 0, PLATFORM_CONTIG_BLOCK);
	hv.page_offset = (u64)ram;
	hv.ram_top = sizeof(ram);
	hv.maxphyaddr = 40;
	hv.mtrr.enabled = true;
	hv.mtrr.default_type = MEMTYPE_WB;
	build_views();
	hv.window = window_block;
	hv.window_pa = 0x20000000;
	hv.window_size = PLATFORM_CONTIG_BLOCK;
	hv.window_gpa = 1ULL << 39;
	hv.eptp_list = eptp_list;
	hv.ring_bytes = PLATFORM_CONTIG_BLOCK - FVX_WIN_RINGS;
	hv.ring_capacity = fvx_ring_capacity(hv.ring_bytes);
	cpu0.guest_lstar = 0xffffffff81c00000ULL;
	real_lstar = cpu0.guest_lstar;
	/* A task: pid 77, tgid 77, parent (itself at depth 1) tgid 1. */
	*(u32 *)(ram + TASK_GPA + 0x10) = 77;
	*(u32 *)(ram + TASK_GPA + 0x14) = 77;
	*(u64 *)(ram + TASK_GPA + 0x20) = gva(TASK_GPA + 0x100);
	*(u32 *)(ram + TASK_GPA + 0x114) = 1;
	/* Per-CPU area at 0x5000: current_task at offset 0x100. */
	*(u64 *)(ram + 0x5100) = gva(TASK_GPA);
	vmcs[GUEST_GS_BASE] = gva(0x5000);
	/* Guest page tables mapping IDT_VA -> 0x8000; the NMI gate -> NMI_HANDLER. */
	*(u64 *)(ram + 0x9000) = 0xa000 | 3;
	*(u64 *)(ram + 0xa000) = 0xb000 | 3;
	*(u64 *)(ram + 0xb000 + 2 * 8) = 0xc000 | 3;
	pt = (u64 *)(ram + 0xc000);
	pt[0] = 0x8000 | 3;
	pt[1] = 0x7000 | 3; /* the guest stack page, at IDT_VA + 0x1000 */
	*(u64 *)(ram + 0x8000 + 2 * 16) = (NMI_HANDLER & 0xffff) | (0x10ULL << 16) |
					  (0x8eULL << 40) | ((NMI_HANDLER >> 16) & 0xffff) << 48;
	*(u64 *)(ram + 0x8000 + 2 * 16 + 8) = NMI_HANDLER >> 32;
	/* Vector 0x80: a DPL-3 interrupt gate to INT80_HANDLER. */
	*(u64 *)(ram + 0x8000 + 0x80 * 16) = (INT80_HANDLER & 0xffff) | (0x10ULL << 16) |
					     (0xeeULL << 40) |
					     ((INT80_HANDLER >> 16) & 0xffff) << 48;
	*(u64 *)(ram + 0x8000 + 0x80 * 16 + 8) = INT80_HANDLER >> 32;
	/* The window: PML4[511] -> PDPT at 0xd000, slot 1 = one 1 GiB page. */
	*(u64 *)(ram + 0x9000 + 511 * 8) = 0xd000 | 0x67;
	*(u64 *)(ram + 0xd000 + 1 * 8) = hv.window_gpa | 0x1e3;
	vmcs[GUEST_CR3] = 0x9000;
	vmcs[GUEST_IDTR_BASE] = IDT_VA;
	vmcs[GUEST_IDTR_LIMIT] = 0xfff;
	cpu0.dt.table[DT_IDT] = (struct dt_table){ IDT_VA, 0xfff }; /* as at load */
	hv.idt_page = 0x8000; /* its page, as the loader named it */
	return 0;
}

static s64 call(u32 function, u64 rbx, u64 rcx)
{
	regs.rax = FVX_VMCALL_MAGIC << 32 | function;
	regs.rbx = rbx;
	regs.rcx = rcx;
	exit_with(EXIT_REASON_VMCALL);
	return (s64)regs.rax;
}

static void configure_agent(void)
{
	struct fvx_agent_config *a = (void *)(ram + 0x1000);

	*a = (struct fvx_agent_config){ .version = FVX_AGENT_CONFIG_VERSION,
					.size = sizeof(*a),
					.window_va = WINDOW_VA,
					.consumer_va = gva(0x4000),
					.scratch_percpu = 0x1d000,
					.task = { .current_task = 0x100,
						  .pid = 0x10,
						  .tgid = 0x14,
						  .real_parent = 0x20,
						  .mark = 0x9 * 8,
						  .watch = 0x2d,
						  .defer = 0x80,
						  .tracepoint = 0x8 * 8 + 1,
						  .ptrace = 0x30,
						  .pending = 0x9 * 8 + 1,
						  .notify = 0x1 * 8 + 3 } };
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_OK);
}

static u32 request_flags; /* FVX_TRACE_* of the requests below */

static s64 request_trace(u32 tgid, u64 seal_ticks)
{
	struct fvx_trace_request *f = (void *)(ram + 0x3000);

	memset(f, 0, sizeof(*f));
	f->version = FVX_TRACE_REQUEST_VERSION;
	f->flags = request_flags;
	f->filter.target_tgid = tgid;
	memset(f->filter.syscalls, 0xff, sizeof(f->filter.syscalls));
	f->seal_ticks = seal_ticks;
	return call(FVX_VMCALL_TRACE_FILTER, 0x3000, 0);
}

static void set_filter(u32 tgid)
{
	assert_int_equal(request_trace(tgid, 0), FVX_VMCALL_OK);
}
static void lstar_reads_back_what_the_guest_wrote(void **state)
{
	regs.rcx = MSR_IA32_LSTAR;
	regs.rax = 0x81d00000;
	regs.rdx = 0xffffffff;
	exit_with(EXIT_REASON_MSR_WRITE);
	assert_int_equal(cpu0.guest_lstar, 0xffffffff81d00000ULL);
	assert_int_equal(real_lstar, 0xffffffff81d00000ULL); /* not tracing */
	regs.rcx = MSR_IA32_LSTAR;
	exit_with(EXIT_REASON_MSR_READ);
	assert_int_equal(regs.rax, 0x81d00000);
	assert_int_equal(regs.rdx, 0xffffffff);
	regs.rcx = MSR_IA32_LSTAR;
	regs.rax = 0x1000;
	regs.rdx = 0; /* a user address: #GP, as a non-canonical kernel entry */
	exit_with(EXIT_REASON_MSR_WRITE);
	assert_int_equal(injected(), VECTOR_GP);
	assert_int_equal(cpu0.guest_lstar, 0xffffffff81d00000ULL);
}

static void tracing_redirects_lstar_and_keeps_the_guest_view(void **state)
{
	struct fvx_config *c = (void *)(window_block + FVX_WIN_CONFIG);

	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_EXIT, 0), FVX_VMCALL_ENOENT);
	configure_agent();
	assert_int_equal(c->forward, 0xffffffff81c00000ULL);
	/* The trampoline's placeholder now holds the scratch offset + 8. */
	assert_int_equal(*(u32 *)(window_block + 5), 0x1d008);
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_FAST, 0), FVX_VMCALL_ENOENT);
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_EXIT, 0), FVX_VMCALL_OK);
	assert_int_equal(real_lstar, WINDOW_VA + FVX_WIN_TRAMPOLINE_EXIT);
	assert_int_equal(hv.tracing_cpus, 1);
	/* Linux rewrites LSTAR while traced: the guest view and the forward
	 * target follow, the real MSR stays on the trampoline. */
	regs.rcx = MSR_IA32_LSTAR;
	regs.rax = 0x81e00000;
	regs.rdx = 0xffffffff;
	exit_with(EXIT_REASON_MSR_WRITE);
	assert_int_equal(real_lstar, WINDOW_VA + FVX_WIN_TRAMPOLINE_EXIT);
	assert_int_equal(c->forward, 0xffffffff81e00000ULL);
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EBUSY);
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, 0, 0), FVX_VMCALL_OK);
	assert_int_equal(real_lstar, 0xffffffff81e00000ULL);
	assert_int_equal(hv.tracing_cpus, 0);
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, 9, 0), FVX_VMCALL_EINVAL);
}

/* Each CPU runs its own copy of the trampoline, with its analyzer stack
 * and number written in by the hypervisor, not read from guest memory. */
static void each_cpu_gets_its_own_trampoline(void **state)
{
	static struct vcpu cpu1;
	u8 *copy1 = window_block + FVX_WIN_TRAMPOLINE + FVX_WIN_TRAMPOLINE_STRIDE;

	cpu1 = (struct vcpu){ .hv = &hv, .index = 1 };
	hv.cpu_count = 2;
	hv.vcpus[1] = &cpu1;
	configure_agent();
	assert_int_equal(*(u32 *)(window_block + 5), 0x1d008);
	assert_int_equal(*(u32 *)(copy1 + 5), 0x1d008);
	/* Each stack starts below its CPU's TSC slot, at the top of its area. */
	assert_int_equal(*(u64 *)(window_block + 11), WINDOW_VA + FVX_WIN_STACK_TOP(0));
	assert_int_equal(*(u64 *)(copy1 + 11), WINDOW_VA + FVX_WIN_STACK_TOP(1));
	assert_int_equal(FVX_WIN_STACK_TOP(1),
			 FVX_WIN_STACKS + 2 * FVX_WIN_STACK_SIZE - sizeof(struct fvx_tsc_slot));
	assert_int_equal(*(u32 *)(window_block + 24), 0);
	assert_int_equal(*(u32 *)(copy1 + 24), 1);
	/* RIP-relative to the config page: the same target from every copy. */
	assert_int_equal(*(u32 *)(window_block + 31), 0x1000);
	assert_int_equal(*(u32 *)(copy1 + 31), 0x1000 - FVX_WIN_TRAMPOLINE_STRIDE);
	/* RIP-relative to the TSC slot: each copy's to its own CPU's. */
	assert_int_equal(42 + *(s32 *)(window_block + 38), FVX_WIN_STACK_TOP(0));
	assert_int_equal(FVX_WIN_TRAMPOLINE_STRIDE + 42 + *(s32 *)(copy1 + 38),
			 FVX_WIN_STACK_TOP(1));
	/* Each CPU's LSTAR points at its own copy; its exit-mode VMCALL is
	 * accepted only from there. */
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_EXIT, 0), FVX_VMCALL_OK);
	assert_int_equal(real_lstar, WINDOW_VA + FVX_WIN_TRAMPOLINE_EXIT);
	regs.rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_TRACE_MODE;
	regs.rbx = FVX_MODE_EXIT;
	vmexit_handler(&regs, &cpu1);
	assert_int_equal(regs.rax, FVX_VMCALL_OK);
	assert_int_equal(real_lstar,
			 WINDOW_VA + FVX_WIN_TRAMPOLINE_STRIDE + FVX_WIN_TRAMPOLINE_EXIT);
	vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_TRAMPOLINE_EXIT + 0x30; /* cpu 0's copy */
	regs.rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_TRACE_EVENT;
	regs.rbx = 39;
	vmexit_handler(&regs, &cpu1);
	assert_int_equal((s64)regs.rax, FVX_VMCALL_EPERM);
	hv.vcpus[1] = NULL;
}

/* A sealed trace: nothing ends or changes it before its time, not even
 * guest ring 0 with the agent's own VMCALLs; each attempt is counted. */
static void sealed_trace_refuses_stop_change_and_unload(void **state)
{
	configure_agent();
	assert_int_equal(request_trace(77, 1ULL << 60), FVX_VMCALL_EINVAL); /* overflow */
	assert_int_equal(request_trace(77, 1ULL << 50), FVX_VMCALL_OK);
	/* Not yet tracing anywhere: a failed start can be retried. */
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_FAST, 0), FVX_VMCALL_ENOENT);
	assert_int_equal(request_trace(77, 1ULL << 50), FVX_VMCALL_OK);
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_EXIT, 0), FVX_VMCALL_OK);
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, 0, 0), FVX_VMCALL_EPERM);
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_FAST, 0), FVX_VMCALL_EPERM);
	assert_int_equal(request_trace(0, 0), FVX_VMCALL_EPERM);
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EPERM);
	assert_int_equal(call(FVX_VMCALL_ANALYZER_LOAD, 0x2000, 128), FVX_VMCALL_EPERM);
	assert_int_equal(call(FVX_VMCALL_UNLOAD, 0xfeed, 0), FVX_VMCALL_EPERM);
	assert_int_equal(devirtualized, 0);
	assert_int_equal(cpu0.sealed_refusals, 6);
	assert_int_equal(real_lstar, WINDOW_VA + FVX_WIN_TRAMPOLINE_EXIT); /* still traced */
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_EXIT, 0), FVX_VMCALL_OK);
	/* Once the seal is over, the trace stops as any other. */
	hv.seal_until = 1;
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, 0, 0), FVX_VMCALL_OK);
	assert_int_equal(real_lstar, 0xffffffff81c00000ULL);
}

/* The return entry's fixups, in every copy: its own analyzer stack and
 * CPU number, and the config page at the same window address. */
static void return_entry_is_fixed_up_per_cpu(void **state)
{
	static struct vcpu cpu1;
	unsigned int cpu;

	cpu1 = (struct vcpu){ .hv = &hv, .index = 1 };
	hv.cpu_count = 2;
	hv.vcpus[1] = &cpu1;
	configure_agent();
	for (cpu = 0; cpu < 2; cpu++) {
		u64 copy = FVX_WIN_TRAMPOLINE + cpu * FVX_WIN_TRAMPOLINE_STRIDE;
		u8 *ret = window_block + copy + FVX_WIN_TRAMPOLINE_RETURN;

		assert_int_equal(*(u64 *)(ret + 2), WINDOW_VA + FVX_WIN_STACK_TOP(cpu));
		assert_int_equal(*(u32 *)(ret + 0xf), cpu);
		/* The RIP-relative operand, from the end of its instruction. */
		assert_int_equal(copy + FVX_WIN_TRAMPOLINE_RETURN + 0x1a + *(s32 *)(ret + 0x16),
				 FVX_WIN_CONFIG);
	}
	hv.vcpus[1] = NULL;
}

static void analyzer_images_are_checked_after_the_copy(void **state)
{
	struct fvx_analyzer_header *h = (void *)(ram + 0x2000);
	struct fvx_config *c = (void *)(window_block + FVX_WIN_CONFIG);

	configure_agent();
	memset(h, 0, 128);
	h->magic = 0x12345678;
	assert_int_equal(call(FVX_VMCALL_ANALYZER_LOAD, 0x2000, 128), FVX_VMCALL_EINVAL);
	assert_int_equal(regs.rbx, ANALYZER_BAD_MAGIC);
	assert_int_equal(*(u32 *)(window_block + FVX_WIN_CODE), 0); /* wiped */
	h->magic = FVX_ANALYZER_MAGIC;
	h->version = FVX_ANALYZER_VERSION;
	h->header_size = sizeof(*h);
	h->image_size = 128;
	h->entry = 64;
	assert_int_equal(call(FVX_VMCALL_ANALYZER_LOAD, 0x2000, 128), FVX_VMCALL_OK);
	assert_int_equal(c->analyzer_entry, WINDOW_VA + FVX_WIN_CODE + 64);
	assert_int_equal(c->return_entry, 0); /* none: the trampoline skips returns */
	h->return_entry = 96;
	assert_int_equal(call(FVX_VMCALL_ANALYZER_LOAD, 0x2000, 128), FVX_VMCALL_OK);
	assert_int_equal(c->return_entry, WINDOW_VA + FVX_WIN_CODE + 96);
	h->return_entry = 128; /* beyond the image: refused, both entries gone */
	assert_int_equal(call(FVX_VMCALL_ANALYZER_LOAD, 0x2000, 128), FVX_VMCALL_EINVAL);
	assert_int_equal(regs.rbx, ANALYZER_BAD_RETURN_ENTRY);
	assert_int_equal(c->analyzer_entry, 0);
	assert_int_equal(c->return_entry, 0);
	h->return_entry = 96;
	assert_int_equal(call(FVX_VMCALL_ANALYZER_LOAD, 0x2000, 128), FVX_VMCALL_OK);
	/* Out of RAM, or the hypervisor's own memory: refused. */
	assert_int_equal(call(FVX_VMCALL_ANALYZER_LOAD, 0xff00, 4096), FVX_VMCALL_EINVAL);
	assert_int_equal(call(FVX_VMCALL_ANALYZER_LOAD, 0x2000, 1 << 20), FVX_VMCALL_EINVAL);
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_FAST, 0), FVX_VMCALL_OK);
	assert_int_equal(real_lstar, WINDOW_VA);
	assert_int_equal(call(FVX_VMCALL_ANALYZER_LOAD, 0x2000, 128), FVX_VMCALL_EBUSY);
}

/* Loads a minimal analyzer image (entry at 64, no return entry, no
 * flags), its header at guest-physical 0x2000, and returns the header. */
static struct fvx_analyzer_header *load_analyzer(void)
{
	struct fvx_analyzer_header *h = (void *)(ram + 0x2000);

	memset(h, 0, 128);
	*h = (struct fvx_analyzer_header){ .magic = FVX_ANALYZER_MAGIC,
					   .version = FVX_ANALYZER_VERSION,
					   .header_size = sizeof(*h),
					   .image_size = 128,
					   .entry = 64 };
	assert_int_equal(call(FVX_VMCALL_ANALYZER_LOAD, 0x2000, 128), FVX_VMCALL_OK);
	return h;
}

/* Nothing lost by default: the trampoline may send a call back to its
 * SYSCALL when the analyzer says it can (FVX_ANALYZER_F_WAIT), unless the
 * trace drops; unknown request flags are refused. */
static void traces_wait_unless_they_drop(void **state)
{
	struct fvx_config *c = (void *)(window_block + FVX_WIN_CONFIG);
	struct fvx_trace_request *f = (void *)(ram + 0x3000);
	struct fvx_analyzer_header *h;

	configure_agent();
	h = load_analyzer();
	/* an analyzer that cannot say: drops (not sealed: defers) */
	assert_int_equal(c->flags, FVX_CONFIG_DEFER);
	h->flags = FVX_ANALYZER_F_WAIT;
	assert_int_equal(call(FVX_VMCALL_ANALYZER_LOAD, 0x2000, 128), FVX_VMCALL_OK);
	assert_int_equal(c->flags, FVX_CONFIG_RETRY | FVX_CONFIG_DEFER);
	set_filter(0); /* everyone: no task marks */
	assert_int_equal(c->flags, FVX_CONFIG_RETRY | FVX_CONFIG_DEFER);
	f->flags = FVX_TRACE_DROP;
	assert_int_equal(call(FVX_VMCALL_TRACE_FILTER, 0x3000, 0), FVX_VMCALL_OK);
	assert_int_equal(c->flags, FVX_CONFIG_DEFER);
	f->flags = FVX_TRACE_HIDE_TIME << 1;
	assert_int_equal(call(FVX_VMCALL_TRACE_FILTER, 0x3000, 0), FVX_VMCALL_EINVAL);
	assert_int_equal(c->flags, FVX_CONFIG_DEFER);
	f->flags = 0;
	assert_int_equal(call(FVX_VMCALL_TRACE_FILTER, 0x3000, 0), FVX_VMCALL_OK);
	assert_int_equal(c->flags, FVX_CONFIG_RETRY | FVX_CONFIG_DEFER);
	/* The trampoline measures the analyzer view's time only for a trace
	 * that hides it, on a machine that can (RDTSC exiting). */
	f->flags = FVX_TRACE_HIDE_TIME;
	hv.tsc.rdtsc_exiting = false;
	assert_int_equal(call(FVX_VMCALL_TRACE_FILTER, 0x3000, 0), FVX_VMCALL_OK);
	assert_int_equal(c->flags, FVX_CONFIG_RETRY | FVX_CONFIG_DEFER);
	hv.tsc.rdtsc_exiting = true;
	assert_int_equal(call(FVX_VMCALL_TRACE_FILTER, 0x3000, 0), FVX_VMCALL_OK);
	assert_int_equal(c->flags, FVX_CONFIG_RETRY | FVX_CONFIG_DEFER | FVX_CONFIG_MEASURE);
	f->flags = 0;
	assert_int_equal(call(FVX_VMCALL_TRACE_FILTER, 0x3000, 0), FVX_VMCALL_OK);
	assert_int_equal(c->flags, FVX_CONFIG_RETRY | FVX_CONFIG_DEFER);
}

/* A trace with a target skips unmarked tasks in the trampoline
 * (FVX_CONFIG_TASK_MARKS), unless it is sealed: the mark is guest kernel
 * data, which a ring-0 sample could clear to hide its calls. Nor does a
 * sealed trace defer calls to the agent's probes (FVX_CONFIG_DEFER). The
 * mark's place is bounded like the other offsets; the watch and defer
 * masks are apart from the mark and each other, defer one bit. */
static void only_unsealed_targets_skip_unmarked_tasks(void **state)
{
	struct fvx_config *c = (void *)(window_block + FVX_WIN_CONFIG);
	struct fvx_agent_config *a = (void *)(ram + 0x1000);

	const u8 *mark = window_block + FVX_WIN_TRAMPOLINE + 42; /* the fake's FIX_MARK */

	hv.cpu_count = 2;
	configure_agent();
	assert_int_equal(c->task.mark, 0x9 * 8);
	assert_int_equal(c->task.tracepoint, 0x8 * 8 + 1);
	/* Every copy tests that bit: its byte (9) and mask (bit 0). */
	assert_memory_equal(mark, ((u8[]){ 0xf6, 0x80, 9, 0, 0, 0, 1 }), 7);
	assert_memory_equal(mark + FVX_WIN_TRAMPOLINE_STRIDE, ((u8[]){ 0xf6, 0x80, 9, 0, 0, 0, 1 }),
			    7);
	load_analyzer();
	set_filter(7);
	assert_int_equal(c->flags, FVX_CONFIG_TASK_MARKS | FVX_CONFIG_DEFER); /* no CPU traces */
	assert_int_equal(request_trace(7, 1000000), FVX_VMCALL_OK);
	assert_int_equal(c->flags, 0);
	set_filter(0);
	assert_int_equal(c->flags, FVX_CONFIG_DEFER);
	set_filter(7);
	assert_int_equal(c->flags, FVX_CONFIG_TASK_MARKS | FVX_CONFIG_DEFER); /* no CPU traces */
	a->task.mark = 0x10000 * 8;
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	assert_int_equal(c->task.mark, 0x9 * 8);
	a->task.mark = 0x8 * 8 + 1; /* the tracepoint's bit */
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.mark = 0x8 * 8 + 7; /* the defer bit */
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.mark = 7; /* the task's first byte */
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.mark = 0x9 * 8;
	a->task.tracepoint = 1; /* an older agent's layout: 0 there */
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.tracepoint = 0x8 * 8 + 1;
	/* pending and notify: apart from each other and the mark, out of the
	 * task's first byte and of the tracepoint's */
	a->task.pending = 0;
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.pending = 0x9 * 8; /* the mark's */
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.pending = 0x8 * 8 + 6; /* in the tracepoint's byte */
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.pending = 0x1 * 8 + 3; /* notify's */
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.pending = 0x9 * 8 + 1;
	a->task.notify = 3;
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.notify = 0x10000 * 8;
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.notify = 0x1 * 8 + 3;
	a->task.reserved2 = 1;
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.reserved2 = 0;
	a->task.reserved = 1;
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.reserved = 0;
	a->task.ptrace = 0x10000 - 3;
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.ptrace = 0x30;
	a->task.tracepoint = 0x10000 * 8 + 1;
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.tracepoint = 0x8 * 8 + 1;
	a->task.defer = 0xc0; /* two bits */
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.defer = 0x02; /* the tracepoint's */
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.defer = 0x80, a->task.watch = 0x2f; /* watching the tracepoint */
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.watch = 0xad; /* watching the defer bit */
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	a->task.defer = 0, a->task.watch = 0x2d; /* watching, nowhere to defer */
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_EINVAL);
	assert_int_equal(c->task.watch, 0x2d);
	assert_int_equal(c->task.defer, 0x80);
	a->task.watch = 0; /* nothing deferred */
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_OK);
}

static void exit_mode_event_writes_a_record(void **state)
{
	struct fvx_ring_header *h = (void *)(window_block + FVX_WIN_RINGS);
	struct fvx_trace_record *r = (void *)(window_block + FVX_WIN_RINGS + FVX_RING_RECORDS);

	configure_agent();
	set_filter(77);
	assert_int_equal(h->capacity, 16384);
	vmcs[GUEST_RIP] = WINDOW_VA + 0x1000; /* not the trampoline page */
	assert_int_equal(call(FVX_VMCALL_TRACE_EVENT, 39, 0), FVX_VMCALL_EPERM);
	vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_TRAMPOLINE_EXIT + 0x30;
	regs.rdi = 11;
	regs.r9 = 66;
	assert_int_equal(call(FVX_VMCALL_TRACE_EVENT, 39, 0), FVX_VMCALL_OK);
	assert_int_equal(h->head, 1);
	assert_int_equal(r->seq, 1);
	assert_int_equal(r->nr, 39);
	assert_int_equal(r->pid, 77);
	assert_int_equal(r->tgid, 77);
	assert_int_equal(r->args[0], 11);
	assert_int_equal(r->args[5], 66);
	assert_int_equal(r->cr3, 0x9000);
	assert_int_equal(r->flags, FVX_RECORD_EXIT_MODE);
	set_filter(78); /* someone else: nothing written */
	vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_TRAMPOLINE_EXIT + 0x30;
	assert_int_equal(call(FVX_VMCALL_TRACE_EVENT, 39, 0), FVX_VMCALL_OK);
	assert_int_equal(h->head, 0);
}

/* -s reaches the analyzer through the trace request and the config page,
 * never beyond the hard bound (the analyzer runs with interrupts off). */
static void string_limit_reaches_the_config_bounded(void **state)
{
	struct fvx_config *c = (void *)(window_block + FVX_WIN_CONFIG);
	struct fvx_trace_request *f = (void *)(ram + 0x3000);

	configure_agent();
	set_filter(0);
	assert_int_equal(c->string_limit, 0);
	f->string_limit = 100;
	assert_int_equal(call(FVX_VMCALL_TRACE_FILTER, 0x3000, 0), FVX_VMCALL_OK);
	assert_int_equal(c->string_limit, 100);
	f->string_limit = 0xffffffff;
	assert_int_equal(call(FVX_VMCALL_TRACE_FILTER, 0x3000, 0), FVX_VMCALL_OK);
	assert_int_equal(c->string_limit, FVX_DATA_BUFFER_MAX);
}

/* A new trace's analyzer starts from a zeroed data area (the default
 * analyzer's follow set holds no process of an earlier trace); a refused
 * request leaves it as it is. */
static void a_new_trace_zeroes_the_analyzer_data(void **state)
{
	struct fvx_trace_request *f = (void *)(ram + 0x3000);
	u8 *data = window_block + FVX_WIN_DATA;

	configure_agent();
	memset(data, 0xa5, FVX_WIN_DATA_SIZE);
	f->version = 0;
	assert_int_equal(call(FVX_VMCALL_TRACE_FILTER, 0x3000, 0), FVX_VMCALL_EINVAL);
	assert_int_equal(data[FVX_WIN_DATA_SIZE - 1], 0xa5);
	set_filter(7);
	assert_int_equal(data[0], 0);
	assert_int_not_equal(((struct fvx_follow_set *)data)->key, 0); /* drawn */
	assert_int_equal(data[FVX_WIN_DATA_SIZE - 1], 0);
	assert_int_equal(window_block[FVX_WIN_DATA + FVX_WIN_DATA_SIZE],
			 0); /* a stack: untouched */
}

/* Exit mode's return: one VMCALL from this CPU's exit-mode return entry,
 * the record the analyzer would write (the value in args[0]). */
static void exit_mode_return_writes_a_record(void **state)
{
	struct fvx_ring_header *h = (void *)(window_block + FVX_WIN_RINGS);
	struct fvx_trace_record *r = (void *)(window_block + FVX_WIN_RINGS + FVX_RING_RECORDS);
	struct fvx_trace_filter *f =
		&((struct fvx_config *)(window_block + FVX_WIN_CONFIG))->filter;

	configure_agent();
	set_filter(77);
	regs.rdx = FVX_RECORD_RETURN;
	/* Only from the return entry: not from the entry's exit-mode part,
	 * and the entry's VMCALL not from the return entry. */
	vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_TRAMPOLINE_EXIT + 0x30;
	assert_int_equal(call(FVX_VMCALL_TRACE_RETURN, 2, -2), FVX_VMCALL_EPERM);
	vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_TRAMPOLINE_RETURN + 0x30;
	assert_int_equal(call(FVX_VMCALL_TRACE_RETURN, 2, -2), FVX_VMCALL_EPERM);
	vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_TRAMPOLINE_RETURN_EXIT + 0x15;
	assert_int_equal(call(FVX_VMCALL_TRACE_EVENT, 2, 0), FVX_VMCALL_EPERM);
	assert_int_equal(h->head, 0);
	regs.rdx = 0; /* no flags: not a report */
	assert_int_equal(call(FVX_VMCALL_TRACE_RETURN, 257, -2), FVX_VMCALL_EINVAL);
	assert_int_equal(h->head, 0);
	/* a pt_regs (fast mode's return entry only): refused, not read as an
	 * array of arguments */
	regs.rdx = FVX_RECORD_RETURN | FVX_EVENT_REGS;
	assert_int_equal(call(FVX_VMCALL_TRACE_RETURN, 257, -2), FVX_VMCALL_EINVAL);
	assert_int_equal(h->head, 0);
	regs.rdx = FVX_RECORD_RETURN;
	assert_int_equal(call(FVX_VMCALL_TRACE_RETURN, (1ULL << 32) | 257, -2), FVX_VMCALL_OK);
	assert_int_equal(h->head, 1);
	assert_int_equal(r->nr, 257);
	assert_int_equal(r->args[0], (u64)-2);
	assert_int_equal(r->args[1], 0);
	assert_int_equal(r->pid, 77);
	assert_int_equal(r->flags, FVX_RECORD_EXIT_MODE | FVX_RECORD_RETURN);
	/* The same selection as entries: the filter and the task. */
	f->syscalls[257 / 64] &= ~(1ULL << (257 % 64));
	regs.rdx = FVX_RECORD_RETURN;
	assert_int_equal(call(FVX_VMCALL_TRACE_RETURN, 257, 3), FVX_VMCALL_OK);
	assert_int_equal(h->head, 1);
	set_filter(78);
	regs.rdx = FVX_RECORD_RETURN;
	vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_TRAMPOLINE_RETURN_EXIT + 0x15;
	assert_int_equal(call(FVX_VMCALL_TRACE_RETURN, 2, 3), FVX_VMCALL_OK);
	assert_int_equal(h->head, 0);
}

/* Exit mode writes what the default analyzer writes: a path read at the
 * entry (data records before the call's), a read buffer at the return
 * (the agent's argument array, on its stack), a 32-bit call's entry; with
 * -f it follows a child by fork and records task events. */
#define USER_PAGE (IDT_VA + 0x3000) /* -> 0xe000, user */
#define AGENT_ARGS (IDT_VA + 0x4000) /* -> 0xf000, the agent's stack */

/* A report through this CPU's exit-mode return entry (flags in RDX). */
static s64 report(u64 nr, u64 value)
{
	vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_TRAMPOLINE_RETURN_EXIT + 0x15;
	return call(FVX_VMCALL_TRACE_RETURN, nr, value);
}

static void exit_mode_captures_as_the_analyzer(void **state)
{
	struct fvx_ring_header *h = (void *)(window_block + FVX_WIN_RINGS);
	struct fvx_trace_record *r = (void *)(window_block + FVX_WIN_RINGS + FVX_RING_RECORDS);
	struct fvx_config *c = (void *)(window_block + FVX_WIN_CONFIG);
	u64 *args = (u64 *)(ram + 0xf000), *pt = (u64 *)(ram + 0xc000);
	struct fvx_data_header d;

	*(u64 *)(ram + 0x9000) |= 4;
	*(u64 *)(ram + 0xa000) |= 4;
	*(u64 *)(ram + 0xb000 + 2 * 8) |= 4;
	pt[3] = 0xe000 | 7;
	pt[4] = 0xf000 | 3;
	memcpy(ram + 0xe000, "/etc/fvx", 9);
	memcpy(ram + 0xe100, "hello", 5);
	configure_agent();
	set_filter(77);
	/* (As trace_init writes them at load.) */
	c->phys = (struct fvx_phys_limits){ .page_offset = hv.page_offset, .ram_top = hv.ram_top };
	c->string_limit = 32;
	vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_TRAMPOLINE_EXIT + 0x30;
	regs.rdi = (u64)-100;
	regs.rsi = USER_PAGE;
	regs.rdx = 0;
	assert_int_equal(call(FVX_VMCALL_TRACE_EVENT, 257, 0), FVX_VMCALL_OK);
	assert_int_equal(h->head, 2);
	d = fvx_data_header_unpack(r[0].cr3);
	assert_int_equal(r[0].flags, FVX_RECORD_EXIT_MODE | FVX_RECORD_DATA);
	assert_int_equal(d.arg, 1);
	assert_int_equal(d.total, 8);
	assert_memory_equal(r[0].args, "/etc/fvx", 8);
	assert_int_equal(r[1].nr, 257);
	assert_int_equal(r[1].flags, FVX_RECORD_EXIT_MODE);
	/* read(3, buf, 100) = 5: the bytes it filled. */
	args[0] = 3;
	args[1] = USER_PAGE + 0x100;
	args[2] = 100;
	regs.rdx = FVX_RECORD_RETURN;
	regs.r8 = AGENT_ARGS;
	assert_int_equal(report(0, 5), FVX_VMCALL_OK);
	assert_int_equal(h->head, 4);
	d = fvx_data_header_unpack(r[2].cr3);
	assert_int_equal(d.arg, 1);
	assert_int_equal(d.total, 5);
	assert_memory_equal(r[2].args, "hello", 5);
	assert_int_equal(r[3].flags, FVX_RECORD_EXIT_MODE | FVX_RECORD_RETURN);
	assert_int_equal(r[3].args[0], 5);
	/* A 32-bit open: its path, as its x86-64 twin's. */
	args[0] = USER_PAGE;
	args[1] = 0;
	regs.rdx = FVX_RECORD_COMPAT;
	regs.r8 = AGENT_ARGS;
	assert_int_equal(report(5, 0), FVX_VMCALL_OK);
	assert_int_equal(h->head, 6);
	assert_memory_equal(r[4].args, "/etc/fvx", 8);
	assert_int_equal(r[5].nr, 5);
	assert_int_equal(r[5].flags, FVX_RECORD_EXIT_MODE | FVX_RECORD_COMPAT);
	assert_int_equal(r[5].args[0], USER_PAGE);
	/* -f: pid 300 is traced once 77 made it. */
	c->filter.follow_children = 1;
	*(u32 *)(ram + TASK_GPA + 0x10) = 300;
	*(u32 *)(ram + TASK_GPA + 0x14) = 300;
	regs.rdx = FVX_RECORD_RETURN;
	regs.r8 = 0;
	assert_int_equal(report(39, 300), FVX_VMCALL_OK);
	assert_int_equal(h->head, 6);
	*(u32 *)(ram + TASK_GPA + 0x10) = 77;
	*(u32 *)(ram + TASK_GPA + 0x14) = 77;
	args[0] = 0x1234;
	args[1] = 300;
	args[2] = 300;
	regs.rdx = FVX_RECORD_TASK;
	regs.r8 = AGENT_ARGS;
	assert_int_equal(report(FVX_TASK_FORK, 0), FVX_VMCALL_OK);
	assert_int_equal(h->head, 6); /* (a record only when the set is full) */
	*(u32 *)(ram + TASK_GPA + 0x10) = 300;
	*(u32 *)(ram + TASK_GPA + 0x14) = 300;
	regs.rdx = FVX_RECORD_RETURN;
	regs.r8 = 0;
	assert_int_equal(report(39, 300), FVX_VMCALL_OK);
	assert_int_equal(h->head, 7);
	assert_int_equal(r[6].pid, 300);
	/* Its end: exit_group's status, the last thread. */
	args[0] = 3 << 8;
	args[1] = 1;
	regs.rdx = FVX_RECORD_TASK;
	regs.r8 = AGENT_ARGS;
	assert_int_equal(report(FVX_TASK_EXIT, 0), FVX_VMCALL_OK);
	assert_int_equal(h->head, 8);
	assert_int_equal(r[7].flags, FVX_RECORD_EXIT_MODE | FVX_RECORD_TASK);
	assert_int_equal(r[7].nr, FVX_TASK_EXIT);
	assert_int_equal(r[7].args[0], 3 << 8);
	/* io_uring operations are fast mode's: nothing. */
	regs.rdx = FVX_RECORD_TASK;
	assert_int_equal(report(FVX_TASK_IO_URING, 0), FVX_VMCALL_OK);
	assert_int_equal(h->head, 8);
}

/* Guest ring 0 can rewrite a ring header from view 1. The hypervisor's own
 * capacity decides where an exit-mode record goes: never outside the ring. */
static void exit_mode_ignores_a_rewritten_ring_header(void **state)
{
	struct fvx_ring_header *h = (void *)(window_block + FVX_WIN_RINGS);
	u64 head = 0x123456789ULL, slot = head & (hv.ring_capacity - 1);
	struct fvx_trace_record *r =
		(struct fvx_trace_record *)(window_block + FVX_WIN_RINGS + FVX_RING_RECORDS) + slot;

	configure_agent();
	set_filter(77);
	*(u64 *)(ram + 0x4000) = head; /* the consumer's tail: ring empty */
	h->capacity = 1ULL << 62;
	h->head = head;
	vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_TRAMPOLINE_EXIT + 0x30;
	assert_int_equal(call(FVX_VMCALL_TRACE_EVENT, 39, 0), FVX_VMCALL_OK);
	assert_int_equal(h->head, head + 1);
	assert_int_equal(r->seq, head + 1);
	assert_int_equal(r->nr, 39);
}

/* Linux reads a 64-bit syscall number from EAX: upper bits of RAX must not
 * hide a call or change its number. */
static void exit_mode_reads_the_syscall_number_as_linux(void **state)
{
	struct fvx_trace_record *r = (void *)(window_block + FVX_WIN_RINGS + FVX_RING_RECORDS);

	configure_agent();
	set_filter(77);
	vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_TRAMPOLINE_EXIT + 0x30;
	assert_int_equal(call(FVX_VMCALL_TRACE_EVENT, (1ULL << 32) | 59, 0), FVX_VMCALL_OK);
	assert_int_equal(r->nr, 59);
}

static void ring_full_counts_drops_and_never_overwrites(void **state)
{
	struct fvx_ring_header *h = (void *)(window_block + FVX_WIN_RINGS);
	struct fvx_trace_record rec = { .nr = 1 };
	u64 tail = 0, i;

	*h = (struct fvx_ring_header){ .capacity = 4 };
	for (i = 0; i < 6; i++)
		fvx_ring_push(h, 4, &tail, &rec);
	assert_int_equal(h->head, 4);
	assert_int_equal(h->dropped, 2);
	tail = 3;
	fvx_ring_push(h, 4, &tail, &rec);
	assert_int_equal(h->head, 5);
	tail = 1000; /* a corrupt tail from the guest: treated as full */
	fvx_ring_push(h, 4, &tail, &rec);
	assert_int_equal(h->head, 5);
	assert_int_equal(h->dropped, 3);
}

static void nmi_in_analyzer_view_runs_linux_then_returns(void **state)
{
	configure_agent();
	/* The NMI frame on the stack returns into the analyzer's code. */
	vmcs[GUEST_RSP] = IDT_VA + 0x1100;
	*(u64 *)(ram + 0x7100) = WINDOW_VA + FVX_WIN_CODE + 0x80;
	vmcs[EPTP_INDEX] = 1;
	vmcs[EXIT_QUALIFICATION] = BIT(2); /* instruction fetch */
	vmcs[GUEST_PHYSICAL_ADDRESS] = 0x1a00000;
	vmcs[GUEST_RIP] = NMI_HANDLER;
	exit_with(EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(vmcs[EPTP_INDEX], 0);
	assert_int_equal(vmcs[EPT_POINTER], eptp_list[0]);
	assert_true(cpu0.analyzer_interrupted);
	assert_int_equal(cpu0.attacks, 0);
	/* IRET back into the analyzer: its code is absent in view 0. */
	vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_CODE + 0x80;
	vmcs[GUEST_PHYSICAL_ADDRESS] = hv.window_gpa + FVX_WIN_CODE + 0x80;
	exit_with(EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(vmcs[EPTP_INDEX], 1);
	assert_int_equal(vmcs[EPT_POINTER], eptp_list[1]);
	assert_false(cpu0.analyzer_interrupted);
	assert_int_equal(injected(), 0xffffffff);
}

/* The same when the NMI hits the return entry's part of the trampoline
 * (called by the agent's sys_exit probe) in view 1: Linux's handler runs in
 * view 0, and the trampoline's next access to the analyzer stack, absent
 * in view 0, brings view 1 back. */
static void nmi_in_return_entry_runs_linux_then_returns(void **state)
{
	u64 rip = WINDOW_VA + FVX_WIN_TRAMPOLINE_RETURN + 0x50;

	configure_agent();
	vmcs[GUEST_RSP] = IDT_VA + 0x1100;
	*(u64 *)(ram + 0x7100) = rip;
	vmcs[EPTP_INDEX] = 1;
	vmcs[EXIT_QUALIFICATION] = BIT(2);
	vmcs[GUEST_PHYSICAL_ADDRESS] = 0x1a00000;
	vmcs[GUEST_RIP] = NMI_HANDLER;
	exit_with(EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(vmcs[EPTP_INDEX], 0);
	assert_true(cpu0.analyzer_interrupted);
	assert_int_equal(cpu0.attacks, 0);
	vmcs[GUEST_RIP] = rip;
	vmcs[EXIT_QUALIFICATION] = BIT(1); /* the event's store to the analyzer stack */
	vmcs[GUEST_PHYSICAL_ADDRESS] = hv.window_gpa + FVX_WIN_STACKS + FVX_WIN_STACK_SIZE - 8;
	exit_with(EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(vmcs[EPTP_INDEX], 1);
	assert_false(cpu0.analyzer_interrupted);
	assert_int_equal(cpu0.attacks, 0);
	assert_int_equal(injected(), 0xffffffff);
}

/* An event was delivered in view 1 and its handler's first fetch (Linux's
 * text, not executable there) exits; the frame it pushed starts with
 * frame0, frame1. */
static void handler_fetch_in_view1(u64 frame0, u64 frame1)
{
	vmcs[GUEST_RSP] = IDT_VA + 0x1100;
	*(u64 *)(ram + 0x7100) = frame0;
	*(u64 *)(ram + 0x7108) = frame1;
	vmcs[EPTP_INDEX] = 1;
	vmcs[EXIT_QUALIFICATION] = BIT(2); /* instruction fetch */
	vmcs[GUEST_PHYSICAL_ADDRESS] = 0x1a00000;
	vmcs[GUEST_RIP] = NMI_HANDLER;
	exit_with(EXIT_REASON_EPT_VIOLATION);
}

static void interrupt_after_own_vmfunc_is_an_attack(void **state)
{
	/* User code switched views, then an interrupt arrived: the handler
	 * fetch looks legitimate, but the frame returns to user code. */
	configure_agent();
	handler_fetch_in_view1(0x401000 /* user RIP */, 0x33);
	assert_int_equal(cpu0.attacks, 1);
	assert_false(cpu0.analyzer_interrupted);
	assert_int_equal(vmcs[EPTP_INDEX], 0);
}

static void view_switch_abuse_is_an_attack(void **state)
{
	/* Own code after a VMFUNC: not an IDT handler. The switch is undone
	 * and the fetch retried in view 0; nothing is injected (a fault here
	 * would land before Linux's SWAPGS when this is an event handler). */
	vmcs[EPTP_INDEX] = 1;
	vmcs[EXIT_QUALIFICATION] = BIT(2);
	vmcs[GUEST_PHYSICAL_ADDRESS] = 0x2000000;
	vmcs[GUEST_RIP] = 0xffffffffc0001000ULL;
	exit_with(EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(cpu0.attacks, 1);
	assert_int_equal(injected(), 0xffffffff);
	assert_int_equal(vmcs[GUEST_RIP], 0xffffffffc0001000ULL);
	assert_int_equal(vmcs[EPTP_INDEX], 0);
	/* Writing the rings from the normal view. */
	vmcs[VM_ENTRY_INTR_INFO_FIELD] = 0;
	vmcs[EXIT_QUALIFICATION] = BIT(1);
	vmcs[GUEST_PHYSICAL_ADDRESS] = hv.window_gpa + FVX_WIN_RINGS;
	exit_with(EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(cpu0.attacks, 2);
	/* A VMFUNC to a view that does not exist. */
	regs.rax = 0;
	regs.rcx = 5;
	exit_with(EXIT_REASON_VMFUNC);
	assert_int_equal(cpu0.attacks, 3);
	assert_int_equal(injected(), VECTOR_UD);
}

/* VMFUNC as the last bytes of a user page: the #PF for the next page (or a
 * timer interrupt) is delivered in view 1, and its handler's first fetch
 * fails there. The handler must run, in view 0, with the event intact. */
static void event_after_user_vmfunc_reaches_linux(void **state)
{
	configure_agent();
	handler_fetch_in_view1(0 /* #PF error code */, 0x401ffd /* user RIP after the VMFUNC */);
	assert_int_equal(cpu0.attacks, 1);
	assert_int_equal(injected(), 0xffffffff);
	assert_int_equal(vmcs[GUEST_RIP], NMI_HANDLER);
	assert_int_equal(vmcs[EPTP_INDEX], 0);
	assert_false(cpu0.analyzer_interrupted);
	/* The same while the event is still being delivered: it is delivered
	 * again in view 0, not replaced. */
	vmcs[EPTP_INDEX] = 1;
	vmcs[IDT_VECTORING_INFO_FIELD] =
		INTR_INFO_VALID | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_DELIVER_CODE | 14;
	vmcs[IDT_VECTORING_ERROR_CODE] = 4;
	exit_with(EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(injected(), 14);
	assert_int_equal(vmcs[VM_ENTRY_EXCEPTION_ERROR_CODE], 4);
	assert_int_equal(vmcs[EPTP_INDEX], 0);
}

/* ---- timing transparency (tsc.c) ---- */

/* The guest's TSC as the hypervisor last read the host's (the fake TSC
 * counts one per read). */
static u64 guest_tsc(void)
{
	return fake_tsc - 1 + vmcs[TSC_OFFSET];
}

static void exits_are_taken_out_of_the_guest_tsc(void **state)
{
	u64 before;

	cpu0.tsc.transition = 20;
	vmcs[TSC_OFFSET] = (u64)-1000;
	fake_tsc = 5000;
	cpu0.tsc.exit_tsc = 4900; /* the exit stub's RDTSC */
	before = 4900 + vmcs[TSC_OFFSET]; /* the guest's TSC when it exited */
	regs.rax = 0;
	exit_with(EXIT_REASON_CPUID);
	/* Back in the guest, its TSC is where it was, less the transitions. */
	assert_int_equal(guest_tsc(), before - 20);
	assert_int_equal(cpu0.tsc.hidden, (fake_tsc - 1) - 4900 + 20);
	/* The analyzer is told how far behind the host's TSC this CPU's is,
	 * for the records' one clock (fvx_tsc_slot.host). */
	hv.window = aligned_alloc(4096, PLATFORM_CONTIG_BLOCK);
	assert_non_null(hv.window);
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(((struct fvx_tsc_slot *)(hv.window + FVX_WIN_STACK_TOP(0)))->host,
			 -vmcs[TSC_OFFSET]);
	assert_int_equal(guest_tsc() +
				 ((struct fvx_tsc_slot *)(hv.window + FVX_WIN_STACK_TOP(0)))->host,
			 fake_tsc - 1);
	free(hv.window);
	hv.window = NULL;
	/* Another exit later: its time goes too, and only its time. */
	fake_tsc += 7000;
	cpu0.tsc.exit_tsc = fake_tsc - 30;
	before = cpu0.tsc.exit_tsc + vmcs[TSC_OFFSET];
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(guest_tsc(), before - 20);
}

/* The CPUs even out: one whose hypervisor time is behind the most another
 * CPU hid spends the difference in VMX root at its next exit (up to a
 * quantum), hidden like the exit, so its guest's TSC stands still through
 * it and comes level with the other CPU's. */
static void a_cpu_behind_catches_up_unseen(void **state)
{
	u64 before;

	cpu0.tsc.transition = 20;
	fake_tsc = 100000;
	cpu0.tsc.exit_tsc = fake_tsc - 100;
	cpu0.tsc.hidden = cpu0.tsc.level = 7000;
	hv.tsc.most_hidden = 12000; /* another CPU's */
	before = cpu0.tsc.exit_tsc + vmcs[TSC_OFFSET];
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(guest_tsc(), before - 20);
	/* (level, but for the last reading of the TSC after the mark) */
	assert_true(cpu0.tsc.hidden >= 12000 && cpu0.tsc.hidden <= 12002);
	assert_int_equal(cpu0.tsc.level, cpu0.tsc.hidden);
	assert_true(cpu0.tsc.evened > 4000 && cpu0.tsc.evened < 5000);
	assert_int_equal(hv.tsc.most_hidden, 12000);
	assert_false(cpu0.tsc.called); /* level now */
	/* The CPU that hid most sets the mark, and spends nothing more. */
	cpu0.tsc.exit_tsc = fake_tsc;
	fake_tsc += 300;
	before = cpu0.tsc.evened;
	exit_with(EXIT_REASON_CPUID);
	assert_true(hv.tsc.most_hidden <= cpu0.tsc.hidden &&
		    hv.tsc.most_hidden + 2 >= cpu0.tsc.hidden);
	assert_true(cpu0.tsc.hidden > 12100);
	assert_int_equal(cpu0.tsc.evened, before);
	/* Never more than it owes: one tick behind costs one tick. */
	hv.tsc.most_hidden = cpu0.tsc.level + 20 + 1; /* the transitions, and one */
	cpu0.tsc.exit_tsc = fake_tsc;
	before = cpu0.tsc.evened;
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(cpu0.tsc.evened, before + 1);
	assert_true(cpu0.tsc.level >= hv.tsc.most_hidden &&
		    cpu0.tsc.level <= hv.tsc.most_hidden + 2);
}

/* What a CPU may not catch up: beyond the largest debt (a CPU that exits
 * without end must not slow the others for ever), after the guest set its
 * TSC itself (Linux lining a CPU up), or past a TSC deadline still to come
 * (it would fire early in the guest's time). */
static void what_a_cpu_is_let_off(void **state)
{
	fake_tsc = 100000;
	cpu0.tsc.exit_tsc = fake_tsc;
	hv.tsc.most_hidden = 3 * TSC_EVEN_DEBT_MAX;
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(cpu0.tsc.forgiven, 2 * TSC_EVEN_DEBT_MAX);
	assert_true(cpu0.tsc.evened <= TSC_EVEN_QUANTUM);
	assert_int_equal(cpu0.tsc.level, 2 * TSC_EVEN_DEBT_MAX + cpu0.tsc.hidden);
	/* The guest writes its TSC: level at once. */
	cpu0.tsc.exit_tsc = fake_tsc;
	regs.rcx = MSR_IA32_TSC;
	regs.rax = 123456;
	regs.rdx = 0;
	exit_with(EXIT_REASON_MSR_WRITE);
	assert_true(cpu0.tsc.level >= hv.tsc.most_hidden);
	assert_false(cpu0.tsc.called);
	/* A deadline 300 ticks ahead stops the catching up short of it. */
	hv.tsc.most_hidden = cpu0.tsc.level + 10000;
	cpu0.tsc.deadline = 1;
	cpu0.tsc.armed = fake_tsc + 300;
	cpu0.tsc.exit_tsc = fake_tsc;
	exit_with(EXIT_REASON_CPUID);
	assert_true(fake_tsc <= cpu0.tsc.armed + 2);
	assert_true(cpu0.tsc.level < hv.tsc.most_hidden);
}

/* Far behind: a quantum per exit, and until it is near, the preemption
 * timer and MWAIT exiting bring the CPU back (where it can: else it waits
 * for its own exits); the timer's exit and an MWAIT's (skipped: it may
 * return at any time) only catch up. A control the CPU cannot clear stays. */
static void a_cpu_far_behind_comes_back(void **state)
{
	u64 hidden;

	hv.tsc.call_back = true;
	hv.tsc.timer_shift = 5;
	fake_tsc = 100000;
	cpu0.tsc.exit_tsc = fake_tsc;
	hv.tsc.most_hidden = 10 * TSC_EVEN_QUANTUM;
	exit_with(EXIT_REASON_CPUID);
	assert_true(cpu0.tsc.evened >= TSC_EVEN_QUANTUM - 2 &&
		    cpu0.tsc.evened <= TSC_EVEN_QUANTUM + 2);
	assert_true(cpu0.tsc.called);
	assert_true(vmcs[PIN_BASED_VM_EXEC_CONTROL] & PIN_BASED_VMX_PREEMPTION_TIMER);
	assert_true(vmcs[CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_MWAIT_EXITING);
	assert_int_equal(vmcs[VMX_PREEMPTION_TIMER_VALUE], TSC_EVEN_PERIOD >> 5);
	/* An MWAIT returns at once (one with reserved ECX bits is #GP, as
	 * natively); the timer's exit does nothing else. */
	vmcs[GUEST_RIP] = 0x2000;
	regs.rcx = 2;
	cpu0.tsc.exit_tsc = fake_tsc;
	exit_with(EXIT_REASON_MWAIT);
	assert_int_equal(vmcs[GUEST_RIP], 0x2000);
	assert_int_equal(injected(), 13);
	vmcs[VM_ENTRY_INTR_INFO_FIELD] = 0;
	regs.rcx = 1;
	cpu0.tsc.exit_tsc = fake_tsc;
	hidden = cpu0.tsc.hidden;
	exit_with(EXIT_REASON_MWAIT);
	assert_int_equal(vmcs[GUEST_RIP], 0x2003);
	assert_true(cpu0.tsc.hidden >= hidden + TSC_EVEN_QUANTUM);
	cpu0.tsc.exit_tsc = fake_tsc;
	exit_with(EXIT_REASON_PREEMPTION_TIMER);
	assert_int_equal(vmcs[GUEST_RIP], 0x2003);
	assert_int_equal(fatal_reports, 0);
	/* The timer's exit of a CPU that is level hides nothing: hidden, it
	 * would put this CPU ahead and the others behind. */
	hv.tsc.most_hidden = cpu0.tsc.level;
	hidden = cpu0.tsc.hidden;
	cpu0.tsc.exit_tsc = fake_tsc;
	fake_tsc += 200;
	exit_with(EXIT_REASON_PREEMPTION_TIMER);
	assert_int_equal(cpu0.tsc.hidden, hidden);
	assert_int_equal(hv.tsc.most_hidden, cpu0.tsc.level);
	/* Near the mark: MWAIT exiting off again, and the timer only comes
	 * to look, now and then, whether another CPU got ahead. */
	hv.tsc.most_hidden = cpu0.tsc.level + TSC_EVEN_NEAR / 2;
	cpu0.tsc.exit_tsc = fake_tsc;
	exit_with(EXIT_REASON_CPUID);
	assert_false(cpu0.tsc.called);
	assert_true(vmcs[PIN_BASED_VM_EXEC_CONTROL] & PIN_BASED_VMX_PREEMPTION_TIMER);
	assert_int_equal(vmcs[VMX_PREEMPTION_TIMER_VALUE], TSC_EVEN_LOOK >> 5);
	assert_false(vmcs[CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_MWAIT_EXITING);
	/* A CPU that cannot clear MWAIT exiting keeps it. */
	hv.ctls.proc |= CPU_BASED_MWAIT_EXITING;
	hv.tsc.most_hidden = cpu0.tsc.level + 10 * TSC_EVEN_QUANTUM;
	cpu0.tsc.exit_tsc = fake_tsc;
	exit_with(EXIT_REASON_CPUID);
	assert_true(cpu0.tsc.called);
	hv.tsc.most_hidden = cpu0.tsc.level;
	cpu0.tsc.exit_tsc = fake_tsc;
	exit_with(EXIT_REASON_CPUID);
	assert_false(cpu0.tsc.called);
	assert_true(vmcs[CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_MWAIT_EXITING);
	/* Without the timer and MWAIT exiting, only its own exits catch up. */
	hv.ctls.proc = 0;
	vmcs[CPU_BASED_VM_EXEC_CONTROL] = 0;
	hv.tsc.call_back = false;
	hv.tsc.most_hidden = cpu0.tsc.level + 10 * TSC_EVEN_QUANTUM;
	cpu0.tsc.exit_tsc = fake_tsc;
	hidden = cpu0.tsc.evened;
	exit_with(EXIT_REASON_CPUID);
	assert_false(cpu0.tsc.called);
	assert_false(vmcs[CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_MWAIT_EXITING);
	assert_true(cpu0.tsc.evened >= hidden + TSC_EVEN_QUANTUM - 2);
}

static void tsc_deadline_is_kept_in_guest_time(void **state)
{
	vmcs[TSC_OFFSET] = (u64)-1000;
	fake_tsc = 10000;
	cpu0.tsc.exit_tsc = fake_tsc;
	guest_wrmsr(MSR_IA32_TSC_DEADLINE, 20000);
	/* The CPU's deadline is when the guest's TSC reaches 20000. */
	assert_int_equal(real_deadline, 20000 - vmcs[TSC_OFFSET]);
	assert_int_equal(guest_rdmsr(MSR_IA32_TSC_DEADLINE), 20000);
	/* Each exit moves the offset, and the deadline with it. */
	fake_tsc += 500;
	cpu0.tsc.exit_tsc = fake_tsc - 400;
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(real_deadline, 20000 - vmcs[TSC_OFFSET]);
	/* One the guest's TSC has passed fires at once. */
	guest_wrmsr(MSR_IA32_TSC_DEADLINE, 5000);
	assert_int_equal(real_deadline, 1);
	/* Fired: the CPU cleared it, and so the guest reads it. */
	real_deadline = 0;
	assert_int_equal(guest_rdmsr(MSR_IA32_TSC_DEADLINE), 0);
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(real_deadline, 0); /* not armed again */
	guest_wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	assert_int_equal(real_deadline, 0);
	assert_int_equal(cpu0.tsc.deadline, 0);
}

/* A deadline that fired just before an exit, or during it: the exit puts
 * the guest's TSC back before the deadline (transition cost, the exit's own
 * time), but the interrupt came; arming it again would deliver a second. */
static void tsc_deadline_fires_once(void **state)
{
	cpu0.tsc.transition = 1000;
	vmcs[TSC_OFFSET] = (u64)-1000;
	fake_tsc = 10000;
	cpu0.tsc.exit_tsc = fake_tsc;
	guest_wrmsr(MSR_IA32_TSC_DEADLINE, 20000);
	assert_int_equal(real_deadline, 20000 - vmcs[TSC_OFFSET]);
	/* The host's TSC passes it 10 ticks after the next exit began. */
	fake_tsc = real_deadline + 5;
	cpu0.tsc.exit_tsc = real_deadline - 10;
	real_deadline = 0; /* fired: the CPU cleared it */
	exit_with(EXIT_REASON_CPUID);
	assert_true(guest_tsc() < 20000); /* back before the deadline */
	assert_int_equal(real_deadline, 0); /* and not armed again */
	assert_int_equal(guest_rdmsr(MSR_IA32_TSC_DEADLINE), 0);
}

/* The same where the CPU keeps the value it fired at, as Bochs does (the
 * SDM's CPU reads 0): whether it fired is judged by the TSC, so it is not
 * armed again (a second interrupt), and the guest still reads 0. */
static void tsc_deadline_fired_but_kept_fires_once(void **state)
{
	u64 fired, moves;

	cpu0.tsc.transition = 1000;
	vmcs[TSC_OFFSET] = (u64)-1000;
	fake_tsc = 10000;
	cpu0.tsc.exit_tsc = fake_tsc;
	guest_wrmsr(MSR_IA32_TSC_DEADLINE, 20000);
	fired = real_deadline;
	moves = cpu0.tsc.rearmed; /* (the write's own exit moved it) */
	fake_tsc = fired + 5;
	cpu0.tsc.exit_tsc = fired - 10;
	exit_with(EXIT_REASON_CPUID);
	assert_true(guest_tsc() < 20000);
	assert_int_equal(real_deadline, fired); /* not written again */
	assert_int_equal(cpu0.tsc.rearmed, moves);
	assert_int_equal(guest_rdmsr(MSR_IA32_TSC_DEADLINE), 0);
	/* One still to come moves with the offset, and is counted. */
	guest_wrmsr(MSR_IA32_TSC_DEADLINE, guest_tsc() + 100000);
	moves = cpu0.tsc.rearmed;
	cpu0.tsc.exit_tsc = fake_tsc;
	fake_tsc += 300;
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(real_deadline + vmcs[TSC_OFFSET], cpu0.tsc.deadline);
	assert_int_equal(cpu0.tsc.rearmed, moves + 1);
}

/* A write of IA32_TSC past an armed deadline fires it at once, as on the
 * CPU, not when the host's TSC reaches the old one. */
static void tsc_write_past_the_deadline_fires_it(void **state)
{
	fake_tsc = 10000;
	cpu0.tsc.exit_tsc = fake_tsc;
	guest_wrmsr(MSR_IA32_TSC_DEADLINE, 50000);
	assert_true(real_deadline > 1);
	cpu0.tsc.exit_tsc = fake_tsc;
	guest_wrmsr(MSR_IA32_TSC, 60000);
	assert_int_equal(real_deadline, 1);
}

static void tsc_writes_move_the_offset_not_the_cpu(void **state)
{
	fake_tsc = 1000000;
	cpu0.tsc.exit_tsc = fake_tsc;
	guest_wrmsr(MSR_IA32_TSC, 50);
	assert_int_equal(injected(), 0xffffffff);
	assert_true(guest_tsc() <= 50 + 2 && guest_tsc() + 10 >= 50);
	assert_int_equal(msr_written[0], 0); /* the CPU's TSC is untouched */
	/* Without IA32_TSC_ADJUST the guest gets #GP, as on such a CPU. */
	guest_wrmsr(MSR_IA32_TSC_ADJUST, 7);
	assert_int_equal(injected(), VECTOR_GP);
	cpu0.tsc.has_adjust = true;
	cpu0.tsc.exit_tsc = fake_tsc;
	vmcs[TSC_OFFSET] = 0;
	guest_wrmsr(MSR_IA32_TSC_ADJUST, 700);
	assert_int_equal(injected(), 0xffffffff);
	assert_true(vmcs[TSC_OFFSET] >= 690 && vmcs[TSC_OFFSET] <= 700);
	assert_int_equal(guest_rdmsr(MSR_IA32_TSC_ADJUST), 700);
}

static void tsc_calibration_needs_the_key(void **state)
{
	assert_int_equal(call(FVX_VMCALL_TSC_CALIBRATE, 0xbad, 25), FVX_VMCALL_EPERM);
	assert_int_equal(cpu0.bad_unload_keys, 1);
	assert_int_equal(cpu0.tsc.transition, 0);
	assert_int_equal(call(FVX_VMCALL_TSC_CALIBRATE, 0xfeed, TSC_TRANSITION_MAX + 1),
			 FVX_VMCALL_EINVAL);
	assert_int_equal(cpu0.tsc.transition, 0);
	assert_int_equal(call(FVX_VMCALL_TSC_CALIBRATE, 0xfeed, 25), FVX_VMCALL_OK);
	assert_int_equal(cpu0.tsc.transition, 25);
}

/* ---- the analyzer's time in fast mode (tsc.c) ---- */

#define SPACE_A 0x9000ULL /* the address space window_setup loads */
#define SPACE_B 0xf000ULL /* another one; its PML4 maps the window too */
#define USER_RIP (IDT_VA + 0x20) /* user code: GPA 0x8020 */
#define VDSO_RIP (IDT_VA + 0x1010) /* in the vDSO's page: GPA 0x7010 */
#define TRACK_RIP (WINDOW_VA + 0x1a0) /* cpu 0's copy, its TSC routine */

static struct fvx_tsc_slot *tsc_slot(unsigned int cpu)
{
	return (struct fvx_tsc_slot *)(window_block + FVX_WIN_STACK_TOP(cpu));
}

/* The guest runs for ticks of the host's TSC before its next exit. */
static void runs(u64 ticks)
{
	fake_tsc += ticks;
	cpu0.tsc.exit_tsc = fake_tsc;
}

/* The guest's TSC when the next exit begins. */
static u64 guest_tsc_at_exit(void)
{
	return cpu0.tsc.exit_tsc + vmcs[TSC_OFFSET];
}

static struct tsc_space *space(u64 pml4)
{
	unsigned int i;

	for (i = 0; i < TSC_SPACES; i++)
		if (hv.tsc.space[i].key == (pml4 | TSC_SPACE_USED))
			return &hv.tsc.space[i];
	return NULL;
}

static bool rdtsc_exiting(void)
{
	return vmcs[CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_RDTSC_EXITING;
}

/* A fast trace with an analyzer, on a CPU that can switch RDTSC exiting,
 * and the vDSO's code on the page at GPA 0x7000. */
static void start_fast_trace(void)
{
	fake_tsc = cpu0.tsc.exit_tsc = 1 << 20; /* the exits below are short */
	hv.tsc.rdtsc_exiting = true;
	hv.tsc.vdso[0].start = 0x7000;
	hv.tsc.vdso[0].end = 0x8000;
	*(u64 *)(ram + SPACE_B + 511 * 8) = 0xd000 | 0x67;
	configure_agent();
	load_analyzer();
	request_flags = FVX_TRACE_HIDE_TIME;
	set_filter(0);
	request_flags = 0;
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_FAST, 0), FVX_VMCALL_OK);
}

/* The trampoline's TSC routine, when the slot asks: FVX_VMCALL_TSC_TRACK. */
static s64 track_from(u64 rip)
{
	u64 was = vmcs[GUEST_RIP];
	s64 status;

	vmcs[GUEST_RIP] = rip;
	status = call(FVX_VMCALL_TSC_TRACK, 0, 0);
	vmcs[GUEST_RIP] = was;
	return status;
}

/* A fast trace in which the address space that runs (A) was tracked,
 * then ran for a while. */
static void start_tracked(void)
{
	start_fast_trace();
	runs(100);
	assert_int_equal(track_from(TRACK_RIP), FVX_VMCALL_OK);
	runs(1000);
}

static void mov_to_cr3(u64 value)
{
	regs.rbx = value;
	vmcs[EXIT_QUALIFICATION] = 3 | 3 << 8; /* MOV to CR3 from RBX */
	exit_with(EXIT_REASON_CR_ACCESS);
}

/* RDTSC or RDTSCP at rip and cpl: EDX:EAX. */
static u64 guest_rdtsc(u32 reason, u64 rip, unsigned int cpl)
{
	vmcs[GUEST_RIP] = rip;
	vmcs[GUEST_SS_AR_BYTES] = cpl == 3 ? 0xf3 : 0x93;
	vmcs[VM_EXIT_INSTRUCTION_LEN] = reason == EXIT_REASON_RDTSCP ? 3 : 2;
	regs.rax = regs.rdx = regs.rcx = ~0ULL;
	exit_with(reason);
	assert_int_equal(vmcs[GUEST_RIP], rip + vmcs[VM_EXIT_INSTRUCTION_LEN]);
	assert_int_equal(regs.rax >> 32, 0);
	assert_int_equal(regs.rdx >> 32, 0);
	vmcs[GUEST_SS_AR_BYTES] = 0x93;
	return regs.rdx << 32 | regs.rax;
}

/* Tracing alone costs nothing: no RDTSC exiting until an address space
 * asks to be tracked, and the trampoline is told to ask. */
static void tracking_starts_with_the_trampolines_call(void **state)
{
	start_fast_trace();
	assert_false(rdtsc_exiting());
	assert_int_equal(tsc_slot(0)->track, 1);
	assert_int_equal(hv.tsc.count, 0);
	runs(100);
	assert_int_equal(track_from(TRACK_RIP), FVX_VMCALL_OK);
	assert_non_null(space(SPACE_A));
	assert_int_equal(hv.tsc.count, 1);
	assert_true(rdtsc_exiting());
	assert_int_equal(tsc_slot(0)->track, 0);
	/* Again: nothing new. */
	assert_int_equal(track_from(TRACK_RIP), FVX_VMCALL_OK);
	assert_int_equal(hv.tsc.count, 1);
}

/* Only this CPU's trampoline copy may ask, and only while tracing, on a
 * CPU that has RDTSC exiting. */
static void tracking_is_for_the_trampoline_while_tracing(void **state)
{
	static struct vcpu cpu1;

	cpu1 = (struct vcpu){ .hv = &hv, .index = 1 };
	hv.cpu_count = 2;
	hv.vcpus[1] = &cpu1;
	hv.tsc.rdtsc_exiting = true;
	configure_agent();
	assert_int_equal(track_from(TRACK_RIP), FVX_VMCALL_OK); /* not tracing */
	assert_int_equal(hv.tsc.count, 0);
	hv.vcpus[1] = NULL;
	hv.cpu_count = 1;
	start_fast_trace();
	assert_int_equal(track_from(0x401000), FVX_VMCALL_EPERM);
	assert_int_equal(track_from(TRACK_RIP + FVX_WIN_TRAMPOLINE_STRIDE), FVX_VMCALL_EPERM);
	assert_int_equal(track_from(WINDOW_VA + FVX_WIN_TRAMPOLINE_EXIT), FVX_VMCALL_EPERM);
	assert_int_equal(hv.tsc.count, 0);
	assert_false(rdtsc_exiting());
	/* Without RDTSC exiting nothing is tracked, nor asked for. */
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, 0, 0), FVX_VMCALL_OK);
	hv.tsc.rdtsc_exiting = false;
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_FAST, 0), FVX_VMCALL_OK);
	assert_int_equal(tsc_slot(0)->track, 0);
	assert_int_equal(track_from(TRACK_RIP), FVX_VMCALL_OK);
	assert_int_equal(hv.tsc.count, 0);
	assert_false(rdtsc_exiting());
}

/* What the trampoline measured goes to the address space that ran: at a
 * MOV to CR3, the outgoing one. RDTSC exiting follows the address space
 * that runs. */
static void harvest_at_cr3_load_goes_to_the_outgoing_space(void **state)
{
	start_tracked();
	tsc_slot(0)->hidden = 600;
	mov_to_cr3(SPACE_B);
	assert_int_equal(vmcs[GUEST_CR3], SPACE_B);
	assert_int_equal(space(SPACE_A)->hidden, 600);
	assert_int_equal(tsc_slot(0)->hidden, 0);
	assert_int_equal(cpu0.tsc.analyzer, 600);
	assert_false(rdtsc_exiting()); /* B is not tracked */
	assert_int_equal(tsc_slot(0)->track, 1);
	/* B asks, runs its analyzer, and A comes back. */
	runs(100);
	track_from(TRACK_RIP);
	assert_true(rdtsc_exiting());
	runs(500);
	tsc_slot(0)->hidden = 70;
	mov_to_cr3(SPACE_A | 0x5); /* a PCID: the same address space */
	assert_int_equal(space(SPACE_B)->hidden, 70);
	assert_int_equal(space(SPACE_A)->hidden, 600);
	assert_true(rdtsc_exiting());
	assert_int_equal(tsc_slot(0)->track, 0);
	/* Any exit takes what the slot holds. */
	runs(200);
	tsc_slot(0)->hidden = 30;
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(space(SPACE_A)->hidden, 630);
	assert_int_equal(cpu0.tsc.analyzer, 700);
}

/* A MOV to CR3 the CPU would refuse (reserved bits) switches nothing: the
 * harvest goes to the address space that still runs. */
static void refused_cr3_load_keeps_the_space(void **state)
{
	start_tracked();
	tsc_slot(0)->hidden = 300;
	mov_to_cr3(SPACE_B | 1ULL << 52);
	assert_int_equal(injected(), VECTOR_GP);
	assert_int_equal(vmcs[GUEST_CR3], SPACE_A);
	assert_int_equal(space(SPACE_A)->hidden, 300);
	assert_null(space(SPACE_B));
	assert_true(rdtsc_exiting());
}

/* User code reads its address space's TSC: the guest's less the analyzer
 * time; the kernel and the vDSO read the guest's; RDTSCP also gets
 * IA32_TSC_AUX. */
static void rdtsc_takes_the_analyzer_time_out_for_user_code(void **state)
{
	u64 g;

	start_tracked();
	tsc_slot(0)->hidden = 600;
	exit_with(EXIT_REASON_CPUID);
	runs(300);
	g = guest_tsc_at_exit();
	assert_int_equal(guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3), g - 600);
	assert_int_equal(cpu0.tsc.adjusted, 1);
	runs(300);
	g = guest_tsc_at_exit();
	assert_int_equal(guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 0), g);
	runs(300);
	g = guest_tsc_at_exit();
	assert_int_equal(guest_rdtsc(EXIT_REASON_RDTSC, VDSO_RIP, 3), g);
	runs(300);
	g = guest_tsc_at_exit();
	assert_int_equal(guest_rdtsc(EXIT_REASON_RDTSCP, USER_RIP, 3), g - 600);
	assert_int_equal(regs.rcx, GUEST_TSC_AUX);
	runs(300);
	g = guest_tsc_at_exit();
	assert_int_equal(guest_rdtsc(EXIT_REASON_RDTSCP, VDSO_RIP, 3), g);
	assert_int_equal(regs.rcx, GUEST_TSC_AUX);
	assert_int_equal(cpu0.tsc.adjusted, 2);
	/* Another address space's user code reads the guest's TSC. */
	vmcs[GUEST_CR3] = SPACE_B;
	runs(300);
	g = guest_tsc_at_exit();
	assert_int_equal(guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3), g);
	assert_int_equal(cpu0.exits[EXIT_REASON_RDTSC] + cpu0.exits[EXIT_REASON_RDTSCP], 6);
}

/* Exit mode's recording of a selected call is the analyzer's time: the
 * CPU's TSC shows it
 * (the CPUs stay together: the mark does not move), and with --hide-time
 * the traced address space's user code does not, with the calibrated
 * kernel work of each entry: the space joins the table at its first
 * recorded call, RDTSC exiting goes on at once, and its reads never go
 * back. Other exits are hidden as ever. Without --hide-time: shown. */
static void exit_mode_time_is_the_address_spaces(void **state)
{
	struct fvx_config *c = (void *)(window_block + FVX_WIN_CONFIG);
	u64 offset, g, first, most;
	int hide;

	/* Every system call exits in exit mode: one the trace does not select
	 * (another process's) is the hypervisor's time, hidden from the CPU's
	 * TSC, and its address space does not join. */
	fake_tsc = cpu0.tsc.exit_tsc = 1 << 20;
	hv.tsc.rdtsc_exiting = true;
	configure_agent();
	request_flags = FVX_TRACE_HIDE_TIME;
	set_filter(78);
	request_flags = 0;
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_EXIT, 0), FVX_VMCALL_OK);
	runs(1000);
	offset = vmcs[TSC_OFFSET];
	vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_TRAMPOLINE_EXIT + 0x30;
	assert_int_equal(call(FVX_VMCALL_TRACE_EVENT, 39, 0), FVX_VMCALL_OK);
	assert_true(vmcs[TSC_OFFSET] < offset);
	assert_null(space(SPACE_A));
	assert_false(rdtsc_exiting());
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, 0, 0), FVX_VMCALL_OK);
	for (hide = 1; hide >= 0; hide--) {
		fake_tsc = cpu0.tsc.exit_tsc = 1 << 20;
		hv.tsc.rdtsc_exiting = true;
		configure_agent();
		request_flags = hide ? FVX_TRACE_HIDE_TIME : 0;
		set_filter(0);
		request_flags = 0;
		c->tsc_call_ticks = hide ? 70 : 0;
		assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_EXIT, 0), FVX_VMCALL_OK);
		cpu0.tsc.transition = 20;
		most = hv.tsc.most_hidden;
		runs(1000);
		g = guest_tsc_at_exit();
		offset = vmcs[TSC_OFFSET];
		vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_TRAMPOLINE_EXIT + 0x30;
		assert_int_equal(call(FVX_VMCALL_TRACE_EVENT, 39, 0), FVX_VMCALL_OK);
		assert_int_equal(vmcs[TSC_OFFSET], offset);
		assert_int_equal(hv.tsc.most_hidden, most);
		if (!hide) {
			assert_null(space(SPACE_A));
			assert_false(rdtsc_exiting());
			break;
		}
		assert_non_null(space(SPACE_A));
		/* The exit's own time, the transition and the kernel's work. */
		assert_true(space(SPACE_A)->hidden >= 20 + 70 &&
			    space(SPACE_A)->hidden < 20 + 70 + 1000);
		assert_int_equal(cpu0.tsc.analyzer, space(SPACE_A)->hidden);
		assert_true(rdtsc_exiting());
		runs(5);
		first = guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3);
		assert_true(first >= g); /* what it could read before: never less */
		/* A return's recording: its time, no kernel work. */
		runs(500);
		g = space(SPACE_A)->hidden;
		offset = vmcs[TSC_OFFSET];
		vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_TRAMPOLINE_RETURN_EXIT + 0x10;
		regs.rdx = FVX_RECORD_RETURN;
		regs.r8 = 0;
		assert_int_equal(call(FVX_VMCALL_TRACE_RETURN, 39, 0), FVX_VMCALL_OK);
		assert_int_equal(vmcs[TSC_OFFSET], offset);
		assert_true(space(SPACE_A)->hidden - g >= 20 && space(SPACE_A)->hidden - g < 70);
		/* Its user code reads the guest's TSC less all of it. */
		runs(3000);
		g = guest_tsc_at_exit();
		assert_int_equal(guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3),
				 g - space(SPACE_A)->hidden);
		/* A CPUID is hidden from the CPU's TSC, as ever. */
		runs(100);
		offset = vmcs[TSC_OFFSET];
		regs.rax = 0;
		exit_with(EXIT_REASON_CPUID);
		assert_true(vmcs[TSC_OFFSET] < offset);
		assert_int_equal(call(FVX_VMCALL_TRACE_MODE, 0, 0), FVX_VMCALL_OK);
	}
}

/* A bogus slot (only the analyzer view and the hypervisor can write it,
 * but the analyzer is not trusted with time): at most the guest time since
 * the last resume is hidden, an address space's TSC never goes back, and
 * hidden time beyond the guest's TSC reads as its last value. */
static void bogus_slot_values_are_clamped(void **state)
{
	u64 first, second, elapsed;

	start_fast_trace();
	cpu0.tsc.transition = 40;
	runs(100);
	track_from(TRACK_RIP);
	runs(1000);
	first = guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3);
	runs(500);
	elapsed = guest_tsc_at_exit() - cpu0.tsc.resumed;
	tsc_slot(0)->hidden = ~0ULL;
	second = guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3);
	assert_int_equal(space(SPACE_A)->hidden, elapsed);
	assert_true(second >= first);
	/* More hidden than the guest's TSC holds: no wrap. */
	runs(500);
	space(SPACE_A)->hidden = ~0ULL - 5;
	assert_int_equal(guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3), second);
	/* And a measure no larger than the time is taken whole. */
	runs(500);
	tsc_slot(0)->hidden = 200;
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(space(SPACE_A)->hidden, ~0ULL - 5 + 200);
}

/* Hidden time that grows faster than a thread's reads (a harvest that
 * came late, another thread's calls) never makes its TSC go back. */
static void an_address_space_never_reads_less(void **state)
{
	u64 first, g;

	start_tracked();
	g = guest_tsc_at_exit();
	first = guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3);
	assert_int_equal(first, g);
	runs(100);
	space(SPACE_A)->hidden = 5000; /* as a late harvest would */
	assert_int_equal(guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3), first);
	runs(6000);
	g = guest_tsc_at_exit();
	assert_int_equal(guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3), g - 5000);
	/* The kernel is not held back. */
	runs(10);
	g = guest_tsc_at_exit();
	assert_int_equal(guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 0), g);
}

/* A thread of an address space that ran on another CPU with RDTSC exiting
 * off while the address space joined: once that CPU exits, the address
 * space reads no less than that CPU's TSC, which its thread may have read. */
static void a_space_that_joins_while_running_elsewhere_never_reads_less(void **state)
{
	static struct vcpu cpu1;
	u64 offset0, g1;

	cpu1 = (struct vcpu){ .hv = &hv, .index = 1 };
	hv.cpu_count = 2;
	hv.vcpus[1] = &cpu1;
	start_fast_trace();
	offset0 = vmcs[TSC_OFFSET];
	/* cpu 1 runs A, untracked: no RDTSC exiting there. */
	vmcs[TSC_OFFSET] = 100000;
	cpu1.tsc.exit_tsc = fake_tsc;
	vmexit_handler(&regs, &cpu1);
	assert_int_equal(tsc_slot(1)->track, 1);
	assert_false(cpu1.tsc.exiting);
	/* cpu 0 tracks A. */
	vmcs[TSC_OFFSET] = offset0;
	runs(100);
	track_from(TRACK_RIP);
	/* cpu 1 exits: A joined while it ran there. */
	vmcs[TSC_OFFSET] = 100000;
	cpu1.tsc.exit_tsc = fake_tsc;
	g1 = cpu1.tsc.exit_tsc + 100000;
	regs.rax = 0;
	vmexit_handler(&regs, &cpu1);
	assert_true(cpu1.tsc.exiting);
	assert_int_equal(space(SPACE_A)->last, g1);
	/* cpu 0, whose TSC is behind, reads A's no less. */
	vmcs[TSC_OFFSET] = offset0;
	runs(100);
	assert_int_equal(guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3), g1);
	hv.vcpus[1] = NULL;
}

/* A full table drops the address space used longest ago: its TSC jumps
 * forward to the guest's, never back. A CPU that runs it stops exiting on
 * RDTSC at its next exit; what it measured meanwhile is not hidden. */
static void full_table_evicts_the_oldest(void **state)
{
	unsigned int i;
	u64 g, before;

	start_fast_trace();
	for (i = 0; i < TSC_SPACES; i++) {
		vmcs[GUEST_CR3] = 0x100000 + i * 0x1000ULL;
		runs(10);
		assert_int_equal(track_from(TRACK_RIP), FVX_VMCALL_OK);
	}
	assert_int_equal(hv.tsc.count, TSC_SPACES);
	assert_int_equal(hv.tsc.evicted, 0);
	/* The first reads its TSC: now the second is the oldest. */
	vmcs[GUEST_CR3] = 0x100000;
	runs(10);
	guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3);
	vmcs[GUEST_CR3] = 0x200000;
	runs(10);
	track_from(TRACK_RIP);
	assert_int_equal(hv.tsc.evicted, 1);
	assert_int_equal(hv.tsc.count, TSC_SPACES);
	assert_null(space(0x101000));
	assert_non_null(space(0x100000));
	assert_non_null(space(0x200000));
	/* One with hidden time, running here, evicted by another CPU's
	 * tracking (as far as this CPU can tell: the table changed). */
	vmcs[GUEST_CR3] = 0x102000;
	space(0x102000)->hidden = 50;
	runs(10);
	before = guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3);
	assert_true(rdtsc_exiting());
	space(0x102000)->used = 0;
	vmcs[GUEST_CR3] = 0x300000;
	track_from(TRACK_RIP);
	assert_null(space(0x102000));
	assert_int_equal(hv.tsc.evicted, 2);
	vmcs[GUEST_CR3] = 0x102000;
	runs(10);
	tsc_slot(0)->hidden = 5;
	g = guest_tsc_at_exit();
	assert_int_equal(guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3), g);
	assert_true(g - before > 50);
	assert_null(space(0x102000)); /* its measure was not hidden */
	assert_false(rdtsc_exiting()); /* and it no longer exits */
	assert_int_equal(tsc_slot(0)->track, 1); /* until it asks again */
}

/* When the last CPU stops tracing, the table is emptied: no RDTSC exiting
 * anywhere, whatever runs. */
/* A trace that does not ask to hide the analyzer's time
 * (FVX_TRACE_HIDE_TIME) leaves RDTSC alone: no tracking, no RDTSC exiting,
 * so a traced call takes no exit at all. */
static void without_hide_time_rdtsc_never_exits(void **state)
{
	struct fvx_tsc_slot *s = (void *)(window_block + FVX_WIN_STACK_TOP(0));

	start_fast_trace();
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, 0, 0), FVX_VMCALL_OK);
	set_filter(0);
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_FAST, 0), FVX_VMCALL_OK);
	exit_with(EXIT_REASON_CPUID);
	assert_false(rdtsc_exiting());
	assert_int_equal(s->track, 0);
	assert_int_equal(track_from(TRACK_RIP), FVX_VMCALL_OK);
	assert_int_equal(hv.tsc.count, 0);
	exit_with(EXIT_REASON_CPUID);
	assert_false(rdtsc_exiting());
}

static void stopping_the_trace_ends_rdtsc_exiting(void **state)
{
	start_fast_trace();
	runs(100);
	track_from(TRACK_RIP);
	assert_true(rdtsc_exiting());
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, 0, 0), FVX_VMCALL_OK);
	assert_false(rdtsc_exiting());
	assert_int_equal(hv.tsc.count, 0);
	assert_int_equal(tsc_slot(0)->track, 0);
	tsc_slot(0)->hidden = 400; /* an event entry after the stop */
	mov_to_cr3(SPACE_B);
	mov_to_cr3(SPACE_A);
	assert_false(rdtsc_exiting());
	assert_int_equal(cpu0.tsc.analyzer, 0);
	/* A new trace starts with a clean slot. */
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_FAST, 0), FVX_VMCALL_OK);
	assert_int_equal(tsc_slot(0)->hidden, 0);
	assert_int_equal(tsc_slot(0)->track, 1);
}

/* Where the CPU cannot clear RDTSC exiting (SDM A.3.2), it stays on; the
 * reads of untracked code are the guest's TSC. */
static void rdtsc_exiting_stays_where_it_cannot_be_cleared(void **state)
{
	hv.ctls.proc = CPU_BASED_RDTSC_EXITING;
	vmcs[CPU_BASED_VM_EXEC_CONTROL] = CPU_BASED_RDTSC_EXITING;
	start_fast_trace();
	runs(100);
	track_from(TRACK_RIP);
	mov_to_cr3(SPACE_B);
	assert_true(rdtsc_exiting());
	runs(100);
	assert_int_equal(guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3), guest_tsc_at_exit());
}

static void status_reports_the_analyzer_time(void **state)
{
	struct fvx_cpu_status *out = (void *)(ram + 0x3000);

	start_tracked();
	tsc_slot(0)->hidden = 250;
	guest_rdtsc(EXIT_REASON_RDTSC, USER_RIP, 3);
	guest_rdtsc(EXIT_REASON_RDTSCP, USER_RIP, 0);
	regs.rdx = sizeof(*out);
	regs.rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_STATUS;
	regs.rbx = 0;
	regs.rcx = 0x3000;
	exit_with(EXIT_REASON_VMCALL);
	assert_int_equal(regs.rax, FVX_VMCALL_OK);
	assert_int_equal(out->rdtsc_exits, 2);
	assert_int_equal(out->rdtsc_adjusted, 1);
	assert_int_equal(out->tsc_analyzer, 250);
	assert_int_equal(out->tsc_spaces, 1);
	assert_int_equal(out->tsc_evicted, 0);
}

/* ---- descriptor-table instructions (dt.c) ---- */

#define DATA_VA (IDT_VA + 0x2000) /* the page at GPA 0xe000 */
#define DATA_GPA 0xe000
#define LINUX_GDT 0xfffffe0000001000ULL /* the read-only fixmap alias */
#define INFO_64 (2u << 7) /* 64-bit address size */
#define INFO_DS (3u << 15)
#define INFO_FS (4u << 15)
#define INFO_NO_INDEX BIT(22)
#define INFO_NO_BASE BIT(27)
#define INFO_REG(n) ((u32)(n) << 23)
#define INFO_IDX(n, scale) ((u32)(n) << 18 | (scale))
#define SGDT (0u << 28)
#define SIDT (1u << 28)
#define LGDT (2u << 28)
#define LIDT (3u << 28)
#define STR (1u << 28)
#define LTR (3u << 28)

/* The data page mapped with flags at every level (user pages need U/S
 * everywhere). */
static void map_data(u64 flags)
{
	*(u64 *)(ram + 0x9000) = 0xa000 | 7;
	*(u64 *)(ram + 0xa000) = 0xb000 | 7;
	*(u64 *)(ram + 0xb000 + 2 * 8) = 0xc000 | 7;
	((u64 *)(ram + 0xc000))[2] = DATA_GPA | flags;
}

static void dt_exit(u32 reason, u32 info, u64 displacement)
{
	vmcs[VM_ENTRY_INTR_INFO_FIELD] = 0;
	vmcs[VMX_INSTRUCTION_INFO] = info;
	vmcs[EXIT_QUALIFICATION] = displacement;
	vmcs[GUEST_RIP] = 0x1000;
	exit_with(reason);
}

static void set_user_mode(void)
{
	vmcs[GUEST_SS_AR_BYTES] = 0xf3; /* DPL 3 */
}

static void sidt_with_base_index_scale_and_displacement(void **state)
{
	map_data(3);
	regs.rbx = DATA_VA;
	regs.rsi = 4;
	/* SIDT [rbx + rsi*4 + 0x10] */
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		SIDT | INFO_64 | INFO_DS | INFO_REG(3) | INFO_IDX(6, 2), 0x10);
	assert_int_equal(injected(), 0xffffffff);
	assert_int_equal(*(u16 *)(ram + DATA_GPA + 0x20), 0xfff);
	assert_int_equal(*(u64 *)(ram + DATA_GPA + 0x22), IDT_VA);
	assert_int_equal(vmcs[GUEST_RIP], 0x1003);
	/* The accessed and dirty flags, as the CPU sets them. */
	assert_int_equal(((u64 *)(ram + 0xc000))[2] & 0x60, 0x60);
}

static void sgdt_rip_relative_and_through_fs(void **state)
{
	map_data(3);
	vmcs[GUEST_GDTR_BASE] = LINUX_GDT;
	vmcs[GUEST_GDTR_LIMIT] = 0x7f;
	/* RIP-relative: no base, no index, the qualification holds the sum. */
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		SGDT | INFO_64 | INFO_DS | INFO_NO_BASE | INFO_NO_INDEX, DATA_VA + 0x40);
	assert_int_equal(*(u16 *)(ram + DATA_GPA + 0x40), 0x7f);
	assert_int_equal(*(u64 *)(ram + DATA_GPA + 0x42), LINUX_GDT);
	/* %fs:0x80: in 64-bit mode FS and GS keep their base. */
	vmcs[GUEST_FS_BASE] = DATA_VA;
	vmcs[GUEST_DS_BASE] = 0x12340000; /* ignored in 64-bit mode */
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		SGDT | INFO_64 | INFO_FS | INFO_NO_BASE | INFO_NO_INDEX, 0x80);
	assert_int_equal(*(u64 *)(ram + DATA_GPA + 0x82), LINUX_GDT);
}

static void sidt_in_compatibility_mode_stores_six_bytes(void **state)
{
	map_data(7);
	set_user_mode();
	vmcs[GUEST_CS_AR_BYTES] = 0xc0fb; /* 32-bit code */
	vmcs[GUEST_DS_AR_BYTES] = 0xc0f3;
	vmcs[GUEST_DS_LIMIT] = 0xffffffff;
	memset(ram + DATA_GPA, 0xaa, 16);
	regs.rbx = 0xabcd00000000ULL | DATA_VA; /* a 32-bit address ignores bits 63:32 */
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		SIDT | (1u << 7) | INFO_DS | INFO_REG(3) | INFO_NO_INDEX, 0);
	assert_int_equal(injected(), 0xffffffff);
	assert_int_equal(*(u16 *)(ram + DATA_GPA), 0xfff);
	assert_int_equal(*(u32 *)(ram + DATA_GPA + 2), (u32)IDT_VA);
	assert_int_equal(*(u16 *)(ram + DATA_GPA + 6), 0xaaaa); /* 6 bytes only */
}

/* The red pill: user-mode SIDT/SGDT get the native values. */
static void user_sidt_reads_the_native_values(void **state)
{
	map_data(7);
	set_user_mode();
	regs.rdi = DATA_VA;
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		SIDT | INFO_64 | INFO_DS | INFO_REG(7) | INFO_NO_INDEX, 0);
	assert_int_equal(injected(), 0xffffffff);
	assert_int_equal(*(u64 *)(ram + DATA_GPA + 2), IDT_VA);
	/* With UMIP the CPU raises #GP(0) before any exit (SDM 25.1.1). */
	vmcs[GUEST_CR4] = CR4_UMIP;
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		SIDT | INFO_64 | INFO_DS | INFO_REG(7) | INFO_NO_INDEX, 0);
	assert_int_equal(injected(), VECTOR_GP);
	assert_int_equal(vmcs[GUEST_RIP], 0x1000);
}

static void stores_the_cpu_would_fault_on_are_page_faults(void **state)
{
	map_data(1); /* read-only */
	vmcs[GUEST_CR0] = BIT(16); /* WP */
	regs.rdi = DATA_VA + 8;
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		SIDT | INFO_64 | INFO_DS | INFO_REG(7) | INFO_NO_INDEX, 0);
	assert_int_equal(injected(), 14);
	assert_int_equal(vmcs[VM_ENTRY_EXCEPTION_ERROR_CODE], 3); /* present, write */
	assert_int_equal(guest_cr2, DATA_VA + 8);
	assert_int_equal(*(u64 *)(ram + DATA_GPA + 10), 0);
	assert_int_equal(vmcs[GUEST_RIP], 0x1000);
	/* From user mode, a supervisor page. */
	map_data(3);
	((u64 *)(ram + 0xc000))[2] = DATA_GPA | 3;
	*(u64 *)(ram + 0xb000 + 2 * 8) = 0xc000 | 3;
	set_user_mode();
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		SIDT | INFO_64 | INFO_DS | INFO_REG(7) | INFO_NO_INDEX, 0);
	assert_int_equal(injected(), 14);
	assert_int_equal(vmcs[VM_ENTRY_EXCEPTION_ERROR_CODE], 7); /* present, write, user */
	/* A 10-byte store across into an unmapped page: nothing written,
	 * CR2 names the second page. */
	vmcs[GUEST_SS_AR_BYTES] = 0x93;
	regs.rdi = DATA_VA + 0xffc;
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		SIDT | INFO_64 | INFO_DS | INFO_REG(7) | INFO_NO_INDEX, 0);
	assert_int_equal(injected(), 14);
	assert_int_equal(vmcs[VM_ENTRY_EXCEPTION_ERROR_CODE], 2); /* not present, write */
	assert_int_equal(guest_cr2, DATA_VA + 0x1000);
	assert_int_equal(*(u32 *)(ram + DATA_GPA + 0xffc), 0);
}

/* A fast trace sends the 32-bit entries through the window: vector 0x80
 * of a copy of Linux's IDT and SYSENTER_EIP, each going on to Linux's own
 * (FVX_CONFIG_FAST_SKIP). The guest still reads Linux's: SIDT, RDMSR, and
 * a LIDT of Linux's IDT keeps the window's. Without an IDT of Linux's
 * shape, no call skips the tracepoints. */
static void fast_traces_take_32bit_calls_through_the_window(void **state)
{
	struct fvx_config *c = (void *)(window_block + FVX_WIN_CONFIG);
	const u64 *idt = (const u64 *)(window_block + FVX_WIN_IDT),
		  *linux_idt = (const u64 *)(ram + 0x8000);
	u64 entry = WINDOW_VA + FVX_WIN_TRAMPOLINE_INT80, linux_sysenter = 0xffffffff81c01630ULL;
	unsigned int i;

	static struct vcpu cpu1;

	vmcs[HOST_IA32_SYSENTER_EIP] = linux_sysenter;
	vmcs[GUEST_SYSENTER_EIP] = linux_sysenter;
	cpu0.shadowed[SHADOW_SYSENTER_EIP] = (struct msr_shadow){ linux_sysenter, linux_sysenter };
	/* The configuring CPU's page tables map another page at the IDT's
	 * address, with a gate of its own: the copy is of the page the
	 * loader named, never of what the caller maps there. */
	((u64 *)(ram + 0xc000))[0] = 0xf000 | 3;
	*(u64 *)(ram + 0xf000 + 0x80 * 16) = *(u64 *)(ram + 0x8000 + 0x80 * 16) ^ 0x1230;
	*(u64 *)(ram + 0xf000 + 0x80 * 16 + 8) = INT80_HANDLER >> 32;
	configure_agent();
	((u64 *)(ram + 0xc000))[0] = 0x8000 | 3;
	assert_int_equal(c->forward_int80, INT80_HANDLER);
	assert_int_equal(c->forward_sysenter, linux_sysenter);
	for (i = 0; i < 512; i++)
		if (i / 2 != 0x80)
			assert_int_equal(idt[i], linux_idt[i]);
	/* Vector 0x80: the same gate (selector, type, DPL 3), our entry. */
	assert_int_equal(idt[0x100], (entry & 0xffff) | (0x10ULL << 16) | (0xeeULL << 40) |
					     ((entry >> 16) & 0xffff) << 48);
	assert_int_equal(idt[0x101], entry >> 32);
	load_analyzer();
	set_filter(77);
	/* Fast skip once every CPU takes its 32-bit calls through the window. */
	assert_false(c->flags & FVX_CONFIG_FAST_SKIP);
	cpu1 = (struct vcpu){ .hv = &hv, .index = 1 };
	hv.cpu_count = 2;
	hv.vcpus[1] = &cpu1;
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_FAST, 0), FVX_VMCALL_OK);
	assert_false(c->flags & FVX_CONFIG_FAST_SKIP);
	cpu1.trace_mode = FVX_MODE_FAST; /* as its own TRACE_MODE leaves it */
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_FAST, 0), FVX_VMCALL_OK);
	assert_true(c->flags & FVX_CONFIG_FAST_SKIP);
	assert_true(c->flags & FVX_CONFIG_TASK_MARKS);
	assert_int_equal(vmcs[GUEST_IDTR_BASE], WINDOW_VA + FVX_WIN_IDT);
	assert_int_equal(vmcs[GUEST_SYSENTER_EIP], WINDOW_VA + FVX_WIN_TRAMPOLINE_SYSENTER);
	assert_int_equal(guest_rdmsr(MSR_IA32_SYSENTER_EIP), linux_sysenter);
	/* SIDT shows Linux's; LIDT of Linux's IDT leaves the window's loaded. */
	map_data(3);
	regs.rax = DATA_VA;
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		SIDT | INFO_64 | INFO_DS | INFO_REG(0) | INFO_NO_INDEX, 0);
	assert_int_equal(*(u64 *)(ram + DATA_GPA + 2), IDT_VA);
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		LIDT | INFO_64 | INFO_DS | INFO_REG(0) | INFO_NO_INDEX, 0);
	assert_int_equal(cpu0.dt_loads_refused, 0);
	assert_int_equal(vmcs[GUEST_IDTR_BASE], WINDOW_VA + FVX_WIN_IDT);
	/* A table of its own is refused; SIDT reads it back. */
	*(u64 *)(ram + DATA_GPA + 2) = 0xffffffffc0001000ULL;
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		LIDT | INFO_64 | INFO_DS | INFO_REG(0) | INFO_NO_INDEX, 0);
	assert_int_equal(vmcs[GUEST_IDTR_BASE], WINDOW_VA + FVX_WIN_IDT);
	regs.rax = DATA_VA + 0x100;
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		SIDT | INFO_64 | INFO_DS | INFO_REG(0) | INFO_NO_INDEX, 0);
	assert_int_equal(*(u64 *)(ram + DATA_GPA + 0x102), 0xffffffffc0001000ULL);
	/* Tracing off: Linux's own again, and no more skipping at once,
	 * while the other CPU still traces. */
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, 0, 0), FVX_VMCALL_OK);
	assert_int_equal(vmcs[GUEST_IDTR_BASE], IDT_VA);
	assert_int_equal(vmcs[GUEST_SYSENTER_EIP], linux_sysenter);
	assert_false(c->flags & FVX_CONFIG_FAST_SKIP);
	assert_true(c->flags & FVX_CONFIG_TASK_MARKS);
	cpu1.trace_mode = 0;
	hv.tracing_cpus = 0;
	hv.cpu_count = 1;
	/* Exit mode changes neither. */
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_EXIT, 0), FVX_VMCALL_OK);
	assert_int_equal(vmcs[GUEST_IDTR_BASE], IDT_VA);
	assert_int_equal(vmcs[GUEST_SYSENTER_EIP], linux_sysenter);
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, 0, 0), FVX_VMCALL_OK);
	/* Vector 0x80 not present: no window IDT, no fast skip. */
	*(u64 *)(ram + 0x8000 + 0x80 * 16) &= ~(1ULL << 47);
	assert_int_equal(call(FVX_VMCALL_CONFIGURE, 0x1000, 0), FVX_VMCALL_OK);
	set_filter(77);
	assert_false(c->flags & FVX_CONFIG_FAST_SKIP);
	assert_true(c->flags & FVX_CONFIG_TASK_MARKS);
	assert_int_equal(call(FVX_VMCALL_TRACE_MODE, FVX_MODE_FAST, 0), FVX_VMCALL_OK);
	assert_int_equal(vmcs[GUEST_IDTR_BASE], IDT_VA);
	assert_int_equal(vmcs[GUEST_SYSENTER_EIP], linux_sysenter);
}

static void lidt_elsewhere_is_refused_and_shadowed(void **state)
{
	map_data(3);
	*(u16 *)(ram + DATA_GPA) = 0xff;
	*(u64 *)(ram + DATA_GPA + 2) = 0xffffffffc0001000ULL; /* a fake IDT */
	regs.rax = DATA_VA;
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		LIDT | INFO_64 | INFO_DS | INFO_REG(0) | INFO_NO_INDEX, 0);
	assert_int_equal(injected(), 0xffffffff);
	assert_int_equal(vmcs[GUEST_IDTR_BASE], IDT_VA);
	assert_int_equal(vmcs[GUEST_IDTR_LIMIT], 0xfff);
	assert_int_equal(cpu0.dt_loads_refused, 1);
	assert_int_equal(vmcs[GUEST_RIP], 0x1003);
	/* SIDT reads back what the guest loaded. */
	regs.rax = DATA_VA + 0x100;
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		SIDT | INFO_64 | INFO_DS | INFO_REG(0) | INFO_NO_INDEX, 0);
	assert_int_equal(*(u16 *)(ram + DATA_GPA + 0x100), 0xff);
	assert_int_equal(*(u64 *)(ram + DATA_GPA + 0x102), 0xffffffffc0001000ULL);
	/* Linux's own IDT again: done, and the shadow is gone. */
	*(u16 *)(ram + DATA_GPA) = 0xfff;
	*(u64 *)(ram + DATA_GPA + 2) = IDT_VA;
	regs.rax = DATA_VA;
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		LIDT | INFO_64 | INFO_DS | INFO_REG(0) | INFO_NO_INDEX, 0);
	regs.rax = DATA_VA + 0x100;
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		SIDT | INFO_64 | INFO_DS | INFO_REG(0) | INFO_NO_INDEX, 0);
	assert_int_equal(*(u64 *)(ram + DATA_GPA + 0x102), IDT_VA);
	assert_int_equal(cpu0.dt_loads_refused, 1);
}

static void lgdt_allows_linux_gdt_and_its_direct_alias_only(void **state)
{
	u64 alias = gva(0x4000);

	map_data(3);
	cpu0.dt.table[DT_GDT] = (struct dt_table){ LINUX_GDT, 0x7f };
	cpu0.dt.gdt_alias = alias;
	vmcs[GUEST_GDTR_BASE] = LINUX_GDT;
	vmcs[GUEST_GDTR_LIMIT] = 0x7f;
	*(u16 *)(ram + DATA_GPA) = 0x7f;
	*(u64 *)(ram + DATA_GPA + 2) = alias;
	regs.rax = DATA_VA;
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		LGDT | INFO_64 | INFO_DS | INFO_REG(0) | INFO_NO_INDEX, 0);
	assert_int_equal(vmcs[GUEST_GDTR_BASE], alias);
	assert_int_equal(cpu0.dt_loads_refused, 0);
	*(u64 *)(ram + DATA_GPA + 2) = alias + 0x1000;
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		LGDT | INFO_64 | INFO_DS | INFO_REG(0) | INFO_NO_INDEX, 0);
	assert_int_equal(vmcs[GUEST_GDTR_BASE], alias);
	assert_int_equal(cpu0.dt_loads_refused, 1);
	/* From ring 3 the CPU faults first. */
	set_user_mode();
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		LGDT | INFO_64 | INFO_DS | INFO_REG(0) | INFO_NO_INDEX, 0);
	assert_int_equal(injected(), VECTOR_GP);
	assert_int_equal(cpu0.dt_loads_refused, 1);
}

/* A GDT in the data page with Linux's TSS at 0x40, available. */
static void tss_in_gdt(void)
{
	u64 *gdt = (u64 *)(ram + DATA_GPA);

	map_data(3);
	vmcs[GUEST_GDTR_BASE] = DATA_VA;
	vmcs[GUEST_GDTR_LIMIT] = 0x7f;
	cpu0.dt.table[DT_GDT] = (struct dt_table){ DATA_VA, 0x7f };
	cpu0.dt.tr = 0x40;
	gdt[8] = 0x0000890040000000ULL | 0x206f; /* base 0x4000, limit 0x206f, type 9, P */
	gdt[9] = 0xfffffe00;
}

static void ltr_reloads_linux_tss_and_refuses_others(void **state)
{
	tss_in_gdt();
	regs.rcx = 0x40;
	dt_exit(EXIT_REASON_LDTR_TR_ACCESS, LTR | BIT(10) | (1u << 3), 0);
	assert_int_equal(injected(), 0xffffffff);
	assert_int_equal(vmcs[GUEST_TR_SELECTOR], 0x40);
	assert_int_equal(vmcs[GUEST_TR_BASE], 0xfffffe0000004000ULL);
	assert_int_equal(vmcs[GUEST_TR_LIMIT], 0x206f);
	assert_int_equal(vmcs[GUEST_TR_AR_BYTES], 0x8b); /* busy */
	assert_int_equal((((u64 *)(ram + DATA_GPA))[8] >> 40) & 0xf, 0xb);
	/* Busy now: the CPU refuses it again with #GP(selector). */
	dt_exit(EXIT_REASON_LDTR_TR_ACCESS, LTR | BIT(10) | (1u << 3), 0);
	assert_int_equal(injected(), VECTOR_GP);
	assert_int_equal(vmcs[VM_ENTRY_EXCEPTION_ERROR_CODE], 0x40);
	/* Another selector: refused, and STR returns it. */
	regs.rcx = 0x50;
	dt_exit(EXIT_REASON_LDTR_TR_ACCESS, LTR | BIT(10) | (1u << 3), 0);
	assert_int_equal(injected(), 0xffffffff);
	assert_int_equal(vmcs[GUEST_TR_SELECTOR], 0x40);
	assert_int_equal(cpu0.dt_loads_refused, 1);
	regs.rdx = ~0ULL;
	dt_exit(EXIT_REASON_LDTR_TR_ACCESS, STR | BIT(10) | (2u << 3), 0);
	assert_int_equal(regs.rdx, 0x50); /* zero-extended */
}

static void str_with_16bit_operand_keeps_the_upper_bits(void **state)
{
	u8 *code = ram + 0xf000;

	tss_in_gdt();
	((u64 *)(ram + 0xc000))[3] = 0xf000 | 3;
	memcpy(code, "\x66\x0f\x00\xc8", 4); /* str %ax */
	vmcs[GUEST_TR_SELECTOR] = 0x40;
	vmcs[VMX_INSTRUCTION_INFO] = STR | BIT(10);
	vmcs[VM_EXIT_INSTRUCTION_LEN] = 4;
	vmcs[GUEST_RIP] = IDT_VA + 0x3000;
	regs.rax = 0x1111222233334444ULL;
	exit_with(EXIT_REASON_LDTR_TR_ACCESS);
	assert_int_equal(regs.rax, 0x1111222233330040ULL);
	/* A store to memory is 2 bytes. */
	*(u32 *)(ram + DATA_GPA + 0x200) = 0xffffffff;
	regs.rbx = DATA_VA + 0x200;
	dt_exit(EXIT_REASON_LDTR_TR_ACCESS, STR | INFO_64 | INFO_DS | INFO_REG(3) | INFO_NO_INDEX,
		0);
	assert_int_equal(*(u32 *)(ram + DATA_GPA + 0x200), 0xffff0040);
}

static void lldt_loads_from_the_gdt(void **state)
{
	u64 *gdt = (u64 *)(ram + DATA_GPA);

	tss_in_gdt();
	gdt[10] = 0x0000820080000000ULL | 0xfff; /* an LDT at 0x8000, limit 0xfff */
	gdt[11] = 0;
	regs.rax = 0x50;
	dt_exit(EXIT_REASON_LDTR_TR_ACCESS, (2u << 28) | BIT(10), 0);
	assert_int_equal(injected(), 0xffffffff);
	assert_int_equal(vmcs[GUEST_LDTR_SELECTOR], 0x50);
	assert_int_equal(vmcs[GUEST_LDTR_BASE], 0x8000);
	assert_int_equal(vmcs[GUEST_LDTR_AR_BYTES], 0x82);
	assert_int_equal(cpu0.dt_loads_refused, 0);
	/* Not an LDT (the TSS): #GP(selector). */
	regs.rax = 0x40;
	dt_exit(EXIT_REASON_LDTR_TR_ACCESS, (2u << 28) | BIT(10), 0);
	assert_int_equal(injected(), VECTOR_GP);
	assert_int_equal(vmcs[VM_ENTRY_EXCEPTION_ERROR_CODE], 0x40);
	/* Null: unusable. */
	regs.rax = 0;
	dt_exit(EXIT_REASON_LDTR_TR_ACCESS, (2u << 28) | BIT(10), 0);
	assert_int_equal(vmcs[GUEST_LDTR_AR_BYTES], BIT(16));
}

/* A LIDT made before the window was configured (no exits then) is taken
 * back when the protection starts on this CPU. */
static void configure_takes_back_a_native_lidt(void **state)
{
	vmcs[GUEST_IDTR_BASE] = 0xffffffffc0001000ULL;
	configure_agent();
	assert_int_equal(vmcs[GUEST_IDTR_BASE], IDT_VA);
	assert_int_equal(cpu0.dt_loads_refused, 1);
	assert_true(vmcs[SECONDARY_VM_EXEC_CONTROL] & SECONDARY_EXEC_DESC_TABLE_EXITING);
	assert_int_equal(call(FVX_VMCALL_UNCONFIGURE, 0, 0), FVX_VMCALL_OK);
	assert_false(vmcs[SECONDARY_VM_EXEC_CONTROL] & SECONDARY_EXEC_DESC_TABLE_EXITING);
}

/* ---- trusted recovery of an interrupted analyzer (views.c) ---- */

#define ANALYZER_RIP (WINDOW_VA + FVX_WIN_CODE + 0x80)

/* An NMI hit the analyzer at ANALYZER_RIP with rbx = 5 and RSP in its
 * stack: the handler's first fetch in view 1. */
static void interrupt_analyzer(void)
{
	u64 *frame = (u64 *)(ram + 0x7100);

	configure_agent();
	frame[2] = 0x2;
	frame[3] = WINDOW_VA + FVX_WIN_STACKS + 0x3f00;
	frame[4] = 0x18;
	regs.rbx = 5;
	vmcs[GUEST_CS_SELECTOR] = 0x10;
	handler_fetch_in_view1(ANALYZER_RIP, 0x10);
	assert_true(cpu0.analyzer_interrupted);
	assert_int_equal(vmcs[EPTP_INDEX], 0);
	/* Linux's handler runs and IRETs. */
	regs.rbx = 0x999;
	regs.rax = 0x777;
}

/* The IRET's return: a fetch of analyzer code in view 0. */
static void resume_fetch(u64 rip)
{
	regs.rbx = 5;
	regs.rax = 0;
	vmcs[GUEST_RIP] = rip;
	vmcs[GUEST_RSP] = WINDOW_VA + FVX_WIN_STACKS + 0x3f00;
	vmcs[GUEST_RFLAGS] = 0x2;
	vmcs[EXIT_QUALIFICATION] = BIT(2);
	vmcs[GUEST_PHYSICAL_ADDRESS] = hv.window_gpa + (rip - WINDOW_VA);
	vmcs[VM_ENTRY_INTR_INFO_FIELD] = 0;
	exit_with(EXIT_REASON_EPT_VIOLATION);
}

static void exact_resume_is_not_counted(void **state)
{
	interrupt_analyzer();
	resume_fetch(ANALYZER_RIP);
	assert_int_equal(vmcs[EPTP_INDEX], 1);
	assert_false(cpu0.analyzer_interrupted);
	assert_int_equal(cpu0.resume_tampered, 0);
	assert_int_equal(cpu0.attacks, 0);
	assert_int_equal(regs.rbx, 5);
}

static void resume_with_a_changed_register_is_restored(void **state)
{
	interrupt_analyzer();
	regs.rbx = 0x6666; /* changed in the saved registers by another CPU */
	vmcs[GUEST_RIP] = ANALYZER_RIP;
	vmcs[GUEST_RSP] = WINDOW_VA + FVX_WIN_STACKS + 0x3f00;
	vmcs[GUEST_RFLAGS] = 0x2;
	vmcs[EXIT_QUALIFICATION] = BIT(2);
	vmcs[GUEST_PHYSICAL_ADDRESS] = hv.window_gpa + FVX_WIN_CODE + 0x80;
	exit_with(EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(cpu0.resume_tampered, 1);
	assert_int_equal(regs.rbx, 5);
	assert_int_equal(vmcs[EPTP_INDEX], 1);
	/* The same for RSP. */
	interrupt_analyzer();
	regs.rbx = 5;
	regs.rax = 0;
	vmcs[GUEST_RIP] = ANALYZER_RIP;
	vmcs[GUEST_RSP] = WINDOW_VA + FVX_WIN_STACKS + 0x100;
	vmcs[GUEST_PHYSICAL_ADDRESS] = hv.window_gpa + FVX_WIN_CODE + 0x80;
	exit_with(EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(cpu0.resume_tampered, 2);
	assert_int_equal(vmcs[GUEST_RSP], WINDOW_VA + FVX_WIN_STACKS + 0x3f00);
}

/* The frame's RIP changed to the trampoline: its first access to the
 * analyzer view's memory resumes the analyzer where it was, as it was. */
static void resume_at_a_changed_rip_is_restored(void **state)
{
	interrupt_analyzer();
	regs.rbx = 0x1234;
	vmcs[GUEST_RIP] = WINDOW_VA + FVX_WIN_TRAMPOLINE + 0x40;
	vmcs[EXIT_QUALIFICATION] = BIT(1);
	vmcs[GUEST_PHYSICAL_ADDRESS] = hv.window_gpa + FVX_WIN_STACKS + 0x3ff8;
	exit_with(EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(cpu0.resume_tampered, 1);
	assert_int_equal(vmcs[GUEST_RIP], ANALYZER_RIP);
	assert_int_equal(regs.rbx, 5);
	assert_int_equal(vmcs[EPTP_INDEX], 1);
	assert_false(cpu0.analyzer_interrupted);
}

static void jump_elsewhere_into_the_window_is_refused(void **state)
{
	interrupt_analyzer();
	resume_fetch(ANALYZER_RIP + 0x40);
	assert_int_equal(cpu0.attacks, 1);
	assert_int_equal(injected(), VECTOR_UD);
	assert_int_equal(vmcs[EPTP_INDEX], 0);
	assert_true(cpu0.analyzer_interrupted); /* the snapshot is kept */
	resume_fetch(ANALYZER_RIP);
	assert_int_equal(vmcs[EPTP_INDEX], 1);
	assert_int_equal(cpu0.resume_tampered, 0);
}

/* The attack: a fake IDT (loaded with LIDT, refused) whose gate is the
 * attacker's own instruction after its VMFUNC, with a window address at
 * RSP. The fetch there is no handler of Linux's IDT. */
static void fake_idt_is_no_handler(void **state)
{
	u64 own = 0xffffffffc0002003ULL;

	configure_agent();
	map_data(3);
	/* The fake IDT's gate 2 -> own, and LIDT of it (refused). */
	*(u64 *)(ram + DATA_GPA + 0x800 + 2 * 16) =
		(own & 0xffff) | (0x10ULL << 16) | (0x8eULL << 40) | ((own >> 16) & 0xffff) << 48;
	*(u64 *)(ram + DATA_GPA + 0x808 + 2 * 16) = own >> 32;
	*(u16 *)(ram + DATA_GPA) = 0xfff;
	*(u64 *)(ram + DATA_GPA + 2) = DATA_VA + 0x800;
	regs.rax = DATA_VA;
	dt_exit(EXIT_REASON_GDTR_IDTR_ACCESS,
		LIDT | INFO_64 | INFO_DS | INFO_REG(0) | INFO_NO_INDEX, 0);
	assert_int_equal(cpu0.dt_loads_refused, 1);
	/* Even were it live, only the IDT recorded at load counts. */
	vmcs[GUEST_IDTR_BASE] = DATA_VA + 0x800;
	vmcs[GUEST_RSP] = IDT_VA + 0x1100;
	*(u64 *)(ram + 0x7100) = ANALYZER_RIP; /* pushed by the attacker */
	*(u64 *)(ram + 0x7108) = 0x10;
	vmcs[EPTP_INDEX] = 1; /* its own VMFUNC */
	vmcs[EXIT_QUALIFICATION] = BIT(2);
	vmcs[GUEST_PHYSICAL_ADDRESS] = 0x2000000;
	vmcs[GUEST_RIP] = own;
	exit_with(EXIT_REASON_EPT_VIOLATION);
	assert_false(cpu0.analyzer_interrupted);
	assert_int_equal(vmcs[EPTP_INDEX], 0);
	assert_true(cpu0.attacks >= 1);
	/* And the jump into the window that follows: #UD. */
	resume_fetch(ANALYZER_RIP);
	assert_int_equal(injected(), VECTOR_UD);
	assert_int_equal(vmcs[EPTP_INDEX], 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup(name, setup)
	const struct CMUnitTest tests[] = {
		T(cpuid_hides_vmx_and_advances),
		T(skipped_instruction_wraps_eip_outside_64_bit_mode),
		T(vmx_instructions_raise_ud),
		T(vmx_capability_msrs_fault),
		T(feature_control_reads_without_vmx),
		T(other_msrs_pass_through_or_fault),
		T(msr_bitmap_selects_vmx_msrs),
		T(cr4_vmxe_cannot_be_set),
		T(xsetbv_from_ring3_faults),
		T(vmcall_from_ring3_or_without_magic_is_ud),
		T(vmcall_version_and_unknown),
		T(vmcall_status_checks_the_buffer),
		T(unload_needs_the_key),
		T(fmask_keeps_interrupts_off_for_the_trampoline),
#define S(name) cmocka_unit_test_setup(name, shadow_setup)
		S(syscall_msrs_exit),
		S(shadowed_msrs_read_back_and_keep_the_real_value),
		S(shadowed_writes_are_logged_a_few_times),
		S(status_reports_shadowed_writes_and_the_other_v3_counters),
		S(sysenter_addresses_must_be_canonical),
		S(efer_keeps_sce_for_the_trampoline),
		S(efer_faults_on_reserved_bits_and_lme_changes),
		T(unexpected_exits_are_reported),
		T(ept_violation_reports_and_faults),
		T(interrupted_event_is_redelivered),
		T(nmi_in_root_is_injected),
#define W(name) cmocka_unit_test_setup(name, window_setup)
		W(lstar_reads_back_what_the_guest_wrote),
		W(tracing_redirects_lstar_and_keeps_the_guest_view),
		W(each_cpu_gets_its_own_trampoline),
		W(sealed_trace_refuses_stop_change_and_unload),
		W(return_entry_is_fixed_up_per_cpu),
		W(traces_wait_unless_they_drop),
		W(only_unsealed_targets_skip_unmarked_tasks),
		W(analyzer_images_are_checked_after_the_copy),
		W(exit_mode_event_writes_a_record),
		W(exit_mode_return_writes_a_record),
		W(exit_mode_captures_as_the_analyzer),
		W(string_limit_reaches_the_config_bounded),
		W(a_new_trace_zeroes_the_analyzer_data),
		W(ring_full_counts_drops_and_never_overwrites),
		W(exit_mode_ignores_a_rewritten_ring_header),
		W(exit_mode_reads_the_syscall_number_as_linux),
		W(nmi_in_analyzer_view_runs_linux_then_returns),
		W(nmi_in_return_entry_runs_linux_then_returns),
		W(interrupt_after_own_vmfunc_is_an_attack),
		W(view_switch_abuse_is_an_attack),
		W(event_after_user_vmfunc_reaches_linux),
		T(exits_are_taken_out_of_the_guest_tsc),
		T(a_cpu_behind_catches_up_unseen),
		T(a_cpu_far_behind_comes_back),
		T(what_a_cpu_is_let_off),
		T(tsc_deadline_is_kept_in_guest_time),
		T(tsc_writes_move_the_offset_not_the_cpu),
		T(tsc_deadline_fires_once),
		T(tsc_deadline_fired_but_kept_fires_once),
		T(tsc_write_past_the_deadline_fires_it),
		T(tsc_calibration_needs_the_key),
		W(tracking_starts_with_the_trampolines_call),
		W(tracking_is_for_the_trampoline_while_tracing),
		W(harvest_at_cr3_load_goes_to_the_outgoing_space),
		W(refused_cr3_load_keeps_the_space),
		W(rdtsc_takes_the_analyzer_time_out_for_user_code),
		W(exit_mode_time_is_the_address_spaces),
		W(bogus_slot_values_are_clamped),
		W(an_address_space_never_reads_less),
		W(a_space_that_joins_while_running_elsewhere_never_reads_less),
		W(full_table_evicts_the_oldest),
		W(without_hide_time_rdtsc_never_exits),
		W(stopping_the_trace_ends_rdtsc_exiting),
		W(rdtsc_exiting_stays_where_it_cannot_be_cleared),
		W(status_reports_the_analyzer_time),
		W(fast_traces_take_32bit_calls_through_the_window),
		W(sidt_with_base_index_scale_and_displacement),
		W(sgdt_rip_relative_and_through_fs),
		W(sidt_in_compatibility_mode_stores_six_bytes),
		W(user_sidt_reads_the_native_values),
		W(stores_the_cpu_would_fault_on_are_page_faults),
		W(lidt_elsewhere_is_refused_and_shadowed),
		W(lgdt_allows_linux_gdt_and_its_direct_alias_only),
		W(ltr_reloads_linux_tss_and_refuses_others),
		W(str_with_16bit_operand_keeps_the_upper_bits),
		W(lldt_loads_from_the_gdt),
		W(configure_takes_back_a_native_lidt),
		W(exact_resume_is_not_counted),
		W(resume_with_a_changed_register_is_restored),
		W(resume_at_a_changed_rip_is_restored),
		W(jump_elsewhere_into_the_window_is_refused),
		W(fake_idt_is_no_handler),
	};

	return cmocka_run_group_tests_name("exit", tests, NULL, NULL);
}
