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
#include "arch/x86/asm.h"
#include "fastvmix/vmcall.h"

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

static u64 real_lstar;

u64 arch_rdmsr(u32 msr)
{
	return msr == MSR_IA32_LSTAR ? real_lstar : 0;
}

void arch_wrmsr(u32 msr, u64 value)
{
	if (msr == MSR_IA32_LSTAR)
		real_lstar = value;
}

/* A stand-in for trampoline.S: one scratch placeholder, then filler. */
__asm__(".section .rodata\n.globl fvx_trampoline, fvx_trampoline_fast_end, fvx_trampoline_end\n"
	"fvx_trampoline: .byte 0x65, 0x48, 0x89, 0x24, 0x25, 0x08, 0x00, 0xfe, 0x7f\n"
	"fvx_trampoline_fast_end: .byte 0x90\nfvx_trampoline_end:\n.previous\n");

/* Fake logging: a fatal report ends the test case's exit. */
static jmp_buf fatal_jump;
static int fatal_reports;

void root_log(const char *fmt, ...)
{
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
	hv.unload_key = 0xfeedULL;
	hv.caps.cr0_fixed0 = 0x80000021;
	hv.caps.cr0_fixed1 = 0xffffffff;
	hv.caps.cr4_fixed0 = 0x2000;
	hv.caps.cr4_fixed1 = 0x3727ff;
	vmcs[GUEST_RIP] = 0x1000;
	vmcs[VM_EXIT_INSTRUCTION_LEN] = 3;
	vmcs[GUEST_SS_AR_BYTES] = 0x93; /* DPL 0 */
	devirtualized = fatal_reports = 0;
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
	assert_false(msr_bitmap_exits(bitmap, MSR_IA32_EFER, false));
	assert_true(msr_bitmap_exits(bitmap, MSR_IA32_LSTAR, true)); /* virtualised */
	assert_false(msr_bitmap_exits(bitmap, MSR_IA32_TSC, false));
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
	assert_int_equal(out->exits[EXIT_REASON_VMCALL], 6); /* five refused + this one */
	assert_int_equal(out->vmcalls, 6);
}

static void unload_needs_the_key(void **state)
{
	regs.rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_UNLOAD;
	regs.rbx = 0xbad;
	exit_with(EXIT_REASON_VMCALL);
	assert_int_equal((s64)regs.rax, FVX_VMCALL_EPERM);
	assert_int_equal(devirtualized, 0);
	regs.rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_UNLOAD;
	regs.rbx = 0xfeed;
	exit_with(EXIT_REASON_VMCALL);
	assert_int_equal(devirtualized, 1);
	assert_int_equal(regs.rax, FVX_VMCALL_OK);
	assert_int_equal(vmcs[GUEST_RIP], 0x1006);
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
	vmcs[GUEST_INTERRUPTIBILITY_INFO] = 0;
	exit_with(EXIT_REASON_CPUID);
	assert_int_equal(vmcs[VM_ENTRY_INTR_INFO_FIELD], INTR_INFO_VALID | INTR_TYPE_NMI | 2);
	assert_int_equal(cpu0.nmi_pending, 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup(name, setup)
	const struct CMUnitTest tests[] = {
		T(cpuid_hides_vmx_and_advances),
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
		T(unexpected_exits_are_reported),
		T(ept_violation_reports_and_faults),
		T(interrupted_event_is_redelivered),
		T(nmi_in_root_is_injected),
	};

	return cmocka_run_group_tests_name("exit", tests, NULL, NULL);
}
