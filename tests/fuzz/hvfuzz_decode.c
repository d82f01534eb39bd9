/* An input as what a guest does: a prelude that sets the hypervisor up as
 * the agent would (configure, analyzer, filter, tracing), then up to
 * MAX_OPS operations, each an exit or a write of guest memory between
 * exits. Values come from pickers that reach the interesting places often:
 * page ends, the pool's and the window's physical ranges, ram_top, huge
 * sizes, direct-map pointers, the window's trampolines.
 *
 * PROFILE_EXITS draws exit reasons from every handled reason, a few
 * unhandled ones and any 16-bit value; PROFILE_VMCALLS makes (almost)
 * every exit a VMCALL.
 *
 * Timing (tsc.c) comes after MAX_OPS operations, so that an input of fewer
 * decodes as it always did (every CPU's TSC at 0, no offset, no deadline,
 * no transition cost, no time between exits): per CPU the host's TSC, the
 * offset, IA32_TSC_ADJUST, the transition cost and the guest's deadline,
 * then how long the guest runs before each exit, one u16 per exit. */
#include <string.h>

#include "hvfuzz.h"
#include "fuzz_input.h"

#define MAX_OPS 48

enum prelude {
	PRE_CONFIGURE = 1 << 0,
	PRE_ANALYZER = 1 << 1,
	PRE_FILTER = 1 << 2,
	PRE_EXIT_MODE_CPU0 = 1 << 3,
	PRE_FAST_MODE_CPU1 = 1 << 4,
	PRE_NMI_CPU0 = 1 << 5,
	PRE_SEALED = 1 << 6, /* the filter seals the trace (SEALED_REQUEST_GPA) */
	PRE_TRACK_CPU1 = 1 << 7, /* CPU 1's trampoline asks to track its address space */
};

static const u64 structure_gpas[] = {
	AGENT_CONFIG_GPA,
	IMAGE_GPA,
	REQUEST_GPA,
	SEALED_REQUEST_GPA,
	CONSUMER_GPA,
	CONSUMER_GPA + sizeof(struct fvx_ring_consumer),
	PERCPU_GPA + CURRENT_TASK_OFF,
	PERCPU_GPA + 0x800 + CURRENT_TASK_OFF,
	TASK_GPA + 0x10,
	TASK_GPA + 0x20,
	TASK_GPA + 0x210,
	STACK_GPA + 0x100,
	IDT_GPA + 2 * 16,
	PML4_GPA,
	0xa000,
	0xb000 + 16,
	0xc000,
	FREE_GPA,
	FREE_GPA + PAGE - sizeof(struct fvx_cpu_status),
	FREE_GPA + PAGE - sizeof(struct fvx_window_info),
	RAM1_PA,
	WINDOW_PDPT_GPA, /* the window's PDPT: slot 0, then the window's own slot */
	WINDOW_PDPT_GPA + WINDOW_PDPT_SLOT * 8,
	PML4_GPA + 511 * 8, /* the window's PML4E */
	RAM2_PA,
	RAM_TOP - PAGE,
};

/* Around every edge of guest RAM and the hidden ranges. */
static const u64 edges[] = {
	0,	   RAM0_SIZE, POOL_PA, POOL_PA + POOL_SIZE, RAM1_PA + RAM1_SIZE,
	WINDOW_PA, RAM2_PA,   RAM_TOP, FREE_GPA + PAGE,
};

static u64 pick_gpa(struct fuzz_input *in)
{
	u8 t = in_u8(in);
	u16 off = in_u16(in);

	switch (t % 8) {
	case 0: return off % RAM0_SIZE;
	case 1: return RAM1_PA + off % RAM1_SIZE;
	case 2: return RAM2_PA + off % RAM2_SIZE;
	case 3: return edges[off % ARRAY_LEN(edges)] + (int8_t)(t & 0xf8) / 8;
	case 4: return edges[off % ARRAY_LEN(edges)] - (off >> 8);
	case 5: return structure_gpas[off % ARRAY_LEN(structure_gpas)] + (t >> 3);
	case 6: return (off % 0x20 + 1) * PAGE - (t >> 3); /* a page end in RAM0 and beyond */
	}
	return in_u64(in);
}

static const u64 constants[] = {
	0,
	1,
	~0ULL,
	1ULL << 63,
	1ULL << 47,
	(1ULL << 47) - 1,
	0xffffffffULL,
	1ULL << 32,
	KERNEL_HALF,
	WINDOW_VA,
	WINDOW_VA + GIB,
	WINDOW_GPA,
	RAM_TOP,
	POOL_PA,
	WINDOW_PA,
	GUEST_LSTAR,
	NMI_HANDLER,
	CODE_VA, /* stores that write page-table entries */
	WINDOW_GPA | 0x83, /* the window's PDPTE */
	WINDOW_PDPT_GPA | 3, /* its PML4E */
	0x7fff0000ULL,
	0x10000,
	FVX_VMCALL_MAGIC << 32,
	UNLOAD_KEY,
	FVX_WIN_CODE_SIZE,
	sizeof(struct fvx_cpu_status),
	sizeof(struct fvx_window_info),
	IMAGE_SIZE,
	PAGE,
	LINUX_STAR, /* the values the shadowed MSRs keep */
	LINUX_SYSENTER_ESP,
	LINUX_SYSENTER_EIP,
	LINUX_EFER,
};

static u64 window_va_now(void)
{
	return window_config(&m.hv)->window_va;
}

static u64 pick_value(struct fuzz_input *in)
{
	u8 t = in_u8(in);

	switch (t % 8) {
	case 0: return t >> 3;
	case 1: return in_u8(in);
	case 2: return in_u16(in);
	case 3: return in_u32(in);
	case 4: return in_u64(in);
	case 5: return (u64)m.ram + pick_gpa(in); /* a direct-map pointer */
	case 6: return window_va_now() + in_u32(in) % (FVX_WIN_CODE + FVX_WIN_CODE_SIZE + PAGE);
	}
	return constants[in_u8(in) % ARRAY_LEN(constants)] + (int8_t)in_u8(in);
}

/* VMCALL arguments: a guest-physical address, a size or a small number. */
static u64 pick_argument(struct fuzz_input *in)
{
	u8 t = in_u8(in);

	switch (t % 4) {
	case 0: return t >> 2;
	case 1: return pick_gpa(in);
	case 2: return pick_value(in);
	}
	return constants[(t >> 2) % ARRAY_LEN(constants)] + (int8_t)in_u8(in);
}

static void set_cpl(unsigned int c, unsigned int cpl)
{
	m.vmcs[c][GUEST_SS_AR_BYTES] = (m.vmcs[c][GUEST_SS_AR_BYTES] & ~0x60ULL) | cpl << 5;
}

/* The first pass only finds where the operations end: it decodes, but runs
 * no exit (machine_reset undoes the rest). */
static bool dry;
static struct fuzz_input runs; /* how long the guest runs before each exit */

static void run_exit(unsigned int c)
{
	if (dry)
		return;
	machine_guest_runs(c, in_u16(&runs));
	hvfuzz_exit(c);
}

static void vmcall(unsigned int c, u32 function, u64 rbx, u64 rcx, u64 rdx)
{
	m.vmcs[c][VM_EXIT_REASON] = EXIT_REASON_VMCALL;
	m.regs[c].rax = FVX_VMCALL_MAGIC << 32 | function;
	m.regs[c].rbx = rbx;
	m.regs[c].rcx = rcx;
	m.regs[c].rdx = rdx;
	run_exit(c);
}

static void prelude(struct fuzz_input *in)
{
	u8 p = in_u8(in);

	if (p & PRE_CONFIGURE)
		vmcall(0, FVX_VMCALL_CONFIGURE, AGENT_CONFIG_GPA, 0, 0);
	if (p & PRE_ANALYZER)
		vmcall(0, FVX_VMCALL_ANALYZER_LOAD, IMAGE_GPA, IMAGE_SIZE, 0);
	if (p & PRE_FILTER)
		vmcall(1, FVX_VMCALL_TRACE_FILTER,
		       p & PRE_SEALED ? SEALED_REQUEST_GPA : REQUEST_GPA, 0, 0);
	if (p & PRE_EXIT_MODE_CPU0)
		vmcall(0, FVX_VMCALL_TRACE_MODE, FVX_MODE_EXIT, 0, 0);
	if (p & PRE_FAST_MODE_CPU1)
		vmcall(1, FVX_VMCALL_TRACE_MODE, FVX_MODE_FAST, 0, 0);
	if (p & PRE_NMI_CPU0)
		m.vcpus[0].nmi_pending = 1;
	if (p & PRE_TRACK_CPU1) {
		m.vmcs[1][GUEST_RIP] =
			window_va_now() + FVX_WIN_TRAMPOLINE + FVX_WIN_TRAMPOLINE_STRIDE + 0x1a0;
		vmcall(1, FVX_VMCALL_TSC_TRACK, 0, 0, 0);
	}
}

/* The VMCALL ABI's registers; RIP on a trampoline's exit-mode entry when
 * asked, where TRACE_EVENT is accepted. */
static void vmcall_registers(struct fuzz_input *in, unsigned int c, u8 flags)
{
	struct guest_regs *r = &m.regs[c];
	u8 b = in_u8(in);
	u32 function = b < 0xf0 ? b % (FVX_VMCALL_COUNT + 2) : in_u32(in);
	u64 magic = FVX_VMCALL_MAGIC;

	if ((flags & 0x30) == 0x30)
		magic ^= 1ULL << (in_u8(in) % 32);
	r->rax = magic << 32 | function;
	r->rbx = pick_argument(in);
	r->rcx = pick_argument(in);
	r->rdx = pick_argument(in);
	set_cpl(c, (flags & 0x0c) == 0x0c ? 3 : 0);
	/* The exit-mode entry (TRACE_EVENT), or the fast part with the TSC
	 * routine (TSC_TRACK). */
	if (flags & 0x40)
		m.vmcs[c][GUEST_RIP] =
			window_va_now() + FVX_WIN_TRAMPOLINE +
			(c ^ ((flags >> 7) & 1)) * FVX_WIN_TRAMPOLINE_STRIDE +
			(function == FVX_VMCALL_TSC_TRACK ? 0 : FVX_WIN_TRAMPOLINE_EXIT) +
			in_u8(in) * 2;
	if (function == FVX_VMCALL_TRACE_EVENT) {
		r->rdi = pick_value(in);
		r->r10 = pick_value(in);
	}
}

static const u16 common_reasons[] = {
	EXIT_REASON_CPUID,
	EXIT_REASON_CPUID,
	EXIT_REASON_DR_ACCESS,
	EXIT_REASON_DR_ACCESS,
	EXIT_REASON_INVD,
	EXIT_REASON_VMCALL,
	EXIT_REASON_VMCALL,
	EXIT_REASON_VMCALL,
	EXIT_REASON_VMCALL,
	EXIT_REASON_GETSEC,
	EXIT_REASON_VMCLEAR,
	EXIT_REASON_VMLAUNCH,
	EXIT_REASON_VMPTRLD,
	EXIT_REASON_VMPTRST,
	EXIT_REASON_VMREAD,
	EXIT_REASON_VMRESUME,
	EXIT_REASON_VMWRITE,
	EXIT_REASON_VMXOFF,
	EXIT_REASON_VMXON,
	EXIT_REASON_INVEPT,
	EXIT_REASON_INVVPID,
	EXIT_REASON_VMFUNC,
	EXIT_REASON_CR_ACCESS,
	EXIT_REASON_CR_ACCESS,
	EXIT_REASON_MSR_READ,
	EXIT_REASON_MSR_READ,
	EXIT_REASON_MSR_WRITE,
	EXIT_REASON_MSR_WRITE,
	EXIT_REASON_MSR_WRITE,
	EXIT_REASON_XSETBV,
	EXIT_REASON_XSETBV,
	EXIT_REASON_EPT_VIOLATION,
	EXIT_REASON_EPT_VIOLATION,
	EXIT_REASON_EPT_VIOLATION,
	EXIT_REASON_EPT_VIOLATION,
	EXIT_REASON_EXCEPTION_NMI,
	EXIT_REASON_TRIPLE_FAULT,
	EXIT_REASON_TASK_SWITCH,
	EXIT_REASON_HLT,
	EXIT_REASON_IO_INSTRUCTION,
	EXIT_REASON_INVALID_STATE,
	EXIT_REASON_EPT_MISCONFIG,
	EXIT_REASON_XRSTORS,
	70,
	71,
	72,
	0xffff,
	EXIT_REASON_RDTSC, /* only under RDTSC exiting: a tracked address space runs */
	EXIT_REASON_RDTSC,
	EXIT_REASON_RDTSCP,
	EXIT_REASON_MWAIT, /* a CPU catching up (tsc.c): ECX from the guest */
	EXIT_REASON_PREEMPTION_TIMER,
};

static const u32 interesting_msrs[] = {
	MSR_IA32_LSTAR,
	MSR_IA32_FMASK,
	MSR_IA32_FEATURE_CONTROL,
	MSR_IA32_VMX_BASIC,
	MSR_IA32_VMX_VMFUNC,
	0x40000000,
	MSR_IA32_EFER,
	0xc0002000,
	0x2000,
	0x1fff,
	MSR_IA32_STAR,
	MSR_IA32_CSTAR,
	MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP,
	MSR_IA32_SYSENTER_EIP,
};

static u64 ept_gpa(struct fuzz_input *in)
{
	u8 t = in_u8(in);

	if (t & 1)
		return WINDOW_GPA + (in_u32(in) % (WINDOW_SIZE + PAGE) & ~7ULL);
	if (t & 2)
		return WINDOW_GPA - 8 + (t >> 2) + (t & 4 ? GIB : 0);
	if (t & 4)
		return WINDOW_PDPT_GPA + (t >> 3) * 4; /* the protected PDPT page */
	return pick_gpa(in) + (t & 8 ? 1ULL << 45 : 0);
}

/* Where the page-table protection acts: a MOV to CR3 of a table (the
 * guest's own, a copy, the PDPT, a page end, anything), or a write to the
 * protected PDPT page by one of the stores at CODE_VA. */
static void protection_fields(struct fuzz_input *in, unsigned int c, u16 reason)
{
	static const u8 stores[] = { 0, 3, 6, 13, 15, 19, 23, 27, 30 };
	static const u64 tables[] = { PML4_GPA, FREE_GPA, WINDOW_PDPT_GPA, RAM1_PA, 0xa000 };
	u64 *f = m.vmcs[c];
	u8 t = in_u8(in);
	unsigned int gpr = in_u8(in) & 15;

	if (reason == EXIT_REASON_CR_ACCESS) {
		f[EXIT_QUALIFICATION] = 3 | gpr << 8; /* MOV to CR3 */
		((u64 *)&m.regs[c])[gpr] =
			t & 1 ? pick_value(in)
			      : tables[(t >> 1) % ARRAY_LEN(tables)] | (t & 0x40 ? 1ULL << 63 : 0);
	}
	if (reason == EXIT_REASON_EPT_VIOLATION) {
		f[GUEST_RIP] = CODE_VA + stores[t % ARRAY_LEN(stores)];
		f[EXIT_QUALIFICATION] =
			BIT(1) | (t & 0x80 ? 0x80 : 0); /* a write; linear, to an entry? */
		f[GUEST_PHYSICAL_ADDRESS] = WINDOW_PDPT_GPA + (in_u8(in) & 0x1f) * 4;
		((u64 *)&m.regs[c])[gpr] = pick_value(in);
	}
}

/* The fields of an exit: every group present only when its flag is. */
static void exit_fields(struct fuzz_input *in, unsigned int c, u16 reason)
{
	u64 *f = m.vmcs[c];
	struct guest_regs *r = &m.regs[c];
	struct fake_cpu *fc = &m.cpu[c];
	u8 groups = in_u8(in), mask, i;
	u64 dr;

	f[EXIT_QUALIFICATION] = pick_value(in);
	f[VM_EXIT_INSTRUCTION_LEN] = in_u8(in);
	if (reason == EXIT_REASON_EPT_VIOLATION)
		f[GUEST_PHYSICAL_ADDRESS] = ept_gpa(in);
	if (reason == EXIT_REASON_GDTR_IDTR_ACCESS || reason == EXIT_REASON_LDTR_TR_ACCESS) {
		/* Any operand form (SDM Tables 27-10, 27-11); the displacement
		 * small or anything. */
		f[VMX_INSTRUCTION_INFO] = in_u32(in);
		machine_touch(c, VMX_INSTRUCTION_INFO);
		if (in_u8(in) & 1)
			f[EXIT_QUALIFICATION] = (u64)(s64)(signed char)in_u8(in);
	}
	if (reason == EXIT_REASON_MSR_READ || reason == EXIT_REASON_MSR_WRITE) {
		u8 t = in_u8(in);

		r->rcx = t < 0xc0 ? interesting_msrs[t % ARRAY_LEN(interesting_msrs)] : in_u32(in);
	}
	if (groups & 1) /* general registers: a count, then (index, value) pairs */
		for (i = in_u8(in) % 8 + 1; i; i--) {
			u8 index = in_u8(in) & 15;

			((u64 *)r)[index] = pick_value(in);
		}
	if (groups & 2) { /* where the guest is */
		mask = in_u8(in);
		if (mask & 1)
			f[GUEST_RIP] = pick_value(in);
		if (mask & 2)
			f[GUEST_RSP] = pick_value(in);
		if (mask & 4)
			f[GUEST_CR3] = pick_gpa(in);
		if (mask & 8) {
			u64 base = pick_value(in);
			u16 limit = in_u16(in);

			/* A native LIDT: never while it would exit. */
			if (!(f[SECONDARY_VM_EXEC_CONTROL] & SECONDARY_EXEC_DESC_TABLE_EXITING)) {
				f[GUEST_IDTR_BASE] = base;
				f[GUEST_IDTR_LIMIT] = limit;
			}
		}
		if (mask & 16)
			f[GUEST_GS_BASE] = pick_value(in);
		if (mask & 32)
			set_cpl(c, in_u8(in) & 3);
		if (mask & 64)
			f[GUEST_CS_AR_BYTES] ^= SEGMENT_AR_L;
		if (mask & 128)
			f[EPTP_INDEX] ^= 1; /* the guest's own VMFUNC */
	}
	if (groups & 4) { /* an event being delivered, interruptibility */
		f[IDT_VECTORING_INFO_FIELD] = INTR_INFO_VALID | in_u16(in);
		f[IDT_VECTORING_ERROR_CODE] = in_u16(in);
		f[GUEST_INTERRUPTIBILITY_INFO] = in_u8(in);
	} else {
		f[IDT_VECTORING_INFO_FIELD] = 0;
	}
	if (groups & 8) { /* what the CPU's instructions return */
		for (i = 0; i < 4; i++)
			fc->cpuid[i] = in_u32(in);
		fc->xcr0_supported = in_u8(in) & 1 ? in_u64(in) : 0x2e7;
		fc->rdmsr_value = pick_value(in);
		fc->tsc_aux = in_u32(in);
		/* A breakpoint address the guest set natively (it cannot
		 * while MOV DR exits). */
		i = in_u8(in);
		dr = pick_value(in); /* (read either way: the dry run reads the same) */
		if (!(f[CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_MOV_DR_EXITING))
			fc->dr[i & 3] = dr;
	}
	fc->rdmsr_fails = (groups & 0x30) == 0x10;
	fc->wrmsr_fails = (groups & 0x30) == 0x20;
	fc->xsetbv_fails = (groups & 0x30) == 0x30;
	if (groups & 0x40)
		m.vcpus[c].nmi_pending = 1; /* an NMI hit VMX root */
	if (groups & 0x80)
		protection_fields(in, c, reason);
}

static void exit_op(struct fuzz_input *in, enum hvfuzz_profile profile)
{
	u8 flags = in_u8(in), sel;
	unsigned int c = flags & 1;
	u32 reason;

	if (profile == PROFILE_VMCALLS) {
		reason = EXIT_REASON_VMCALL;
	} else {
		sel = in_u8(in);
		reason = sel < 0xf0 ? common_reasons[sel % ARRAY_LEN(common_reasons)] : in_u16(in);
	}
	if ((flags & 0x06) == 0x06 && profile == PROFILE_EXITS)
		reason |= EXIT_REASON_FAILED_VMENTRY;
	m.vmcs[c][VM_EXIT_REASON] = reason;
	if ((u16)reason == EXIT_REASON_VMCALL)
		vmcall_registers(in, c, flags);
	if (profile == PROFILE_EXITS || (flags & 0x08))
		exit_fields(in, c, (u16)reason);
	run_exit(c);
}

/* Guest memory between exits: RAM, or (ring 0 in the analyzer view) the
 * window's data, stacks and rings. */
static void ram_op(struct fuzz_input *in)
{
	/* Often the entries that map the window: its PML4E, its PDPTE, the
	 * PML4E of another top-level table. */
	static const u64 entries[] = { PML4_GPA + 511 * 8, WINDOW_PDPT_GPA + WINDOW_PDPT_SLOT * 8,
				       FREE_GPA + 511 * 8 };
	u8 t = in_u8(in);
	u64 gpa = t & 0x80 ? entries[t % ARRAY_LEN(entries)] : pick_gpa(in), value = pick_value(in);
	unsigned int width = t & 0x80 ? 8 : 1u << (in_u8(in) & 3);

	if (!ram_ok(gpa, width))
		return;
	ram_writable(true);
	memcpy(m.ram + gpa, &value, width);
}

static void ring_op(struct fuzz_input *in)
{
	u8 t = in_u8(in);
	unsigned int cpu = t & 1;
	u64 value = pick_value(in), off = FVX_WIN_RINGS + cpu * m.hv.ring_bytes;
	static const u8 fields[] = { 0, 4, 8, 16, 24 }; /* version .. dropped */

	off += fields[(t >> 1) % ARRAY_LEN(fields)];
	window_poke(off, &value, (t >> 1) % ARRAY_LEN(fields) < 2 ? 4 : 8);
}

/* Often a CPU's TSC slot: what the trampoline measured, or anything the
 * analyzer wrote there. */
static void window_op(struct fuzz_input *in)
{
	u64 value = pick_value(in);
	u32 where = in_u32(in);
	u64 off = FVX_WIN_DATA + (where % (WINDOW_SIZE - FVX_WIN_DATA - 8));

	if (where & 1)
		off = FVX_WIN_STACK_TOP((where >> 1) & 1) + ((where >> 2) & 3) * 8;
	window_poke(off, &value, 8);
}

/* Each CPU's TSC state as the loader and the guest left it: the host's TSC
 * (below 2^62: it does not wrap), the offset, IA32_TSC_ADJUST if the CPU
 * has it, the calibrated transition cost, and the guest's deadline (often
 * near the guest's TSC, to fire between exits), armed on the CPU in host
 * time unless already passed. */
static void tsc_setup(struct fuzz_input *in)
{
	unsigned int c;

	for (c = 0; c < CPUS; c++) {
		struct tsc_cpu *t = &m.vcpus[c].tsc;
		struct fake_cpu *fc = &m.cpu[c];
		u8 flags = in_u8(in);
		u64 offset, now, d;

		fc->tsc = in_u64(in) >> 2;
		offset = flags & 4 ? -(u64)in_u32(in) : in_u64(in);
		t->has_adjust = flags & 1;
		t->tsc_adjust = in_u64(in);
		t->transition = in_u32(in) % (TSC_TRANSITION_MAX + 1);
		now = fc->tsc + offset;
		d = flags & 2 ? now + (s64)(int16_t)in_u16(in) : in_u64(in);
		t->deadline = d;
		m.vmcs[c][TSC_OFFSET] = offset;
		machine_touch(c, TSC_OFFSET);
		fc->tsc_deadline = d && d > now ? d - offset : 0;
		t->armed = fc->tsc_deadline;
		fc->deadline_fired = d && d <= now;
	}
	runs = *in;
}

static void operations(struct fuzz_input *in, enum hvfuzz_profile profile)
{
	unsigned int ops;

	prelude(in);
	for (ops = 0; ops < MAX_OPS && !in_done(in); ops++) {
		u8 op = in_u8(in) % 16;

		if (op < 11)
			exit_op(in, profile);
		else if (op < 13)
			ram_op(in);
		else if (op < 14)
			ring_op(in);
		else if (op < 15)
			window_op(in);
		else
			m.vcpus[in_u8(in) & 1].nmi_pending ^= 1;
	}
}

int hvfuzz_run(const uint8_t *data, size_t size, enum hvfuzz_profile profile)
{
	struct fuzz_input in = { data, size }, timing;
	size_t end;

	machine_reset();
	dry = true;
	operations(&in, profile);
	dry = false;
	end = size - in.left;
	machine_reset();
	timing = (struct fuzz_input){ data + end, size - end };
	tsc_setup(&timing);
	in = (struct fuzz_input){ data, end };
	operations(&in, profile);
	if (!in_done(&in))
		fuzz_fail("harness: the operations end at %zu, not %zu", end - in.left, end);
	return 0;
}
