/* VM-exit dispatch through a table indexed by exit reason, and the handlers
 * small enough to need no file of their own. VMX root only: no allocation,
 * no Linux calls. */
#include "exit.h"
#include "log.h"
#include "../arch/x86/asm.h"

void guest_skip_instruction(void)
{
	guest_advance_rip(vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

void guest_advance_rip(u32 len)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	u64 rip = vmcs_readl(GUEST_RIP) + len;

	/* Outside 64-bit mode EIP wraps at 4 GiB, and VM entry refuses a RIP
	 * above it (SDM 26.3.1.4): a CPUID at 0xfffffffe in compatibility
	 * mode, which any process can run, must not stop the CPU. */
	if (!(vmcs_read32(VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE) ||
	    !(vmcs_read32(GUEST_CS_AR_BYTES) & SEGMENT_AR_L))
		rip = (u32)rip;
	vmcs_writel(GUEST_RIP, rip);
	/* The emulated instruction ends any STI/MOV SS shadow (SDM 24.4.2). */
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

void guest_inject_exception(u8 vector, bool has_code, u32 code)
{
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID | INTR_TYPE_HARD_EXCEPTION | vector |
						       (has_code ? INTR_INFO_DELIVER_CODE : 0));
	if (has_code)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, code);
}

/* GPR numbering of exit qualifications (SDM Table 27-3) is our layout. */
u64 guest_read_gpr(const struct guest_regs *r, unsigned int index)
{
	if (index == 4)
		return vmcs_readl(GUEST_RSP);
	return ((const u64 *)r)[index & 15];
}

void guest_write_gpr(struct guest_regs *r, unsigned int index, u64 value)
{
	if (index == 4)
		vmcs_writel(GUEST_RSP, value);
	else
		((u64 *)r)[index & 15] = value;
}

static enum exit_action handle_cpuid(struct vcpu *v, struct guest_regs *r)
{
	u32 out[4];

	arch_cpuid((u32)r->rax, (u32)r->rcx, out);
	if ((u32)r->rax == 1)
		out[2] &= ~(u32)BIT(5); /* no VMX, as on a CPU without it */
	r->rax = out[0];
	r->rbx = out[1];
	r->rcx = out[2];
	r->rdx = out[3];
	guest_skip_instruction();
	return EXIT_RESUME;
}

/* VMX instructions and GETSEC: #UD, as on a CPU without VMX. */
static enum exit_action handle_undefined(struct vcpu *v, struct guest_regs *r)
{
	guest_inject_exception(VECTOR_UD, false, 0);
	return EXIT_RESUME;
}

static enum exit_action handle_invd(struct vcpu *v, struct guest_regs *r)
{
	arch_wbinvd(); /* never drop dirty lines the host might own */
	guest_skip_instruction();
	return EXIT_RESUME;
}

static enum exit_action handle_ept_violation(struct vcpu *v, struct guest_regs *r)
{
	/* The views map every guest-physical address below the limit, so a
	 * violation is about the write-protected PDPT (ptprotect.c), the
	 * window (views.c) or a guest bug: report it and give the guest #GP
	 * rather than retry the access forever. */
	if (ptp_ept_violation(v, r) || kprot_ept_violation(v, r) || views_ept_violation(v, r) ||
	    ptp_ept_stale(v))
		return EXIT_RESUME;
	if (v->ept_violations_logged++ < 16)
		root_log("cpu %u: EPT violation at GPA %x, qualification %x, RIP %x\n",
			 (u64)v->index, vmcs_read64(GUEST_PHYSICAL_ADDRESS),
			 vmcs_readl(EXIT_QUALIFICATION), vmcs_readl(GUEST_RIP));
	guest_inject_exception(VECTOR_GP, true, 0);
	return EXIT_RESUME;
}

static enum exit_action handle_fatal(struct vcpu *v, struct guest_regs *r)
{
	/* Does not return; the return keeps objtool's control-flow view simple. */
	root_fatal("cpu %u: exit reason %x (qualification %x) at guest RIP %x cannot be handled\n",
		   (u64)v->index, (u64)vmcs_read32(VM_EXIT_REASON), vmcs_readl(EXIT_QUALIFICATION),
		   vmcs_readl(GUEST_RIP));
	return EXIT_RESUME;
}

/* Exceptions exit only while a kernel-text write is single-stepped
 * (kprotect.c: #DB in the exception bitmap); anything else was not asked
 * for. */
static enum exit_action handle_exception(struct vcpu *v, struct guest_regs *r)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);

	if ((info & 0xff) == 1 && (info & INTR_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION &&
	    (kprot_debug_exception(v, r) || dr_debug_exception(v)))
		return EXIT_RESUME;
	return handle_fatal(v, r);
}

static const exit_handler handlers[FVX_EXIT_REASON_COUNT] = {
	[EXIT_REASON_EXCEPTION_NMI] = handle_exception,
	[EXIT_REASON_CPUID] = handle_cpuid,
	[EXIT_REASON_GETSEC] = handle_undefined,
	[EXIT_REASON_INVD] = handle_invd,
	[EXIT_REASON_VMCALL] = handle_vmcall,
	[EXIT_REASON_VMCLEAR] = handle_undefined,
	[EXIT_REASON_VMLAUNCH] = handle_undefined,
	[EXIT_REASON_VMPTRLD] = handle_undefined,
	[EXIT_REASON_VMPTRST] = handle_undefined,
	[EXIT_REASON_VMREAD] = handle_undefined,
	[EXIT_REASON_VMRESUME] = handle_undefined,
	[EXIT_REASON_VMWRITE] = handle_undefined,
	[EXIT_REASON_VMXOFF] = handle_undefined,
	[EXIT_REASON_VMXON] = handle_undefined,
	[EXIT_REASON_INVEPT] = handle_undefined,
	[EXIT_REASON_INVVPID] = handle_undefined,
	[EXIT_REASON_VMFUNC] = handle_vmfunc,
	[EXIT_REASON_CR_ACCESS] = handle_cr_access,
	[EXIT_REASON_MSR_READ] = handle_msr_read,
	[EXIT_REASON_MSR_WRITE] = handle_msr_write,
	[EXIT_REASON_XSETBV] = handle_xsetbv,
	[EXIT_REASON_EPT_VIOLATION] = handle_ept_violation,
	[EXIT_REASON_MONITOR_TRAP_FLAG] = handle_mtf,
	[EXIT_REASON_DR_ACCESS] = handle_dr_access,
	[EXIT_REASON_GDTR_IDTR_ACCESS] = handle_dt_access,
	[EXIT_REASON_LDTR_TR_ACCESS] = handle_ldt_tr_access,
	[EXIT_REASON_RDTSC] = handle_rdtsc,
	[EXIT_REASON_MWAIT] = handle_mwait,
	[EXIT_REASON_PREEMPTION_TIMER] = handle_preemption_timer,
	[EXIT_REASON_RDTSCP] = handle_rdtsc,
	/* Triple fault, INIT, entry failures, EPT misconfiguration and every
	 * exit we did not ask for: reported, never a silent hang. */
};

/* An exit during event delivery: deliver the event again (SDM 27.2.4). */
static void reinject_pending_event(void)
{
	u32 info = vmcs_read32(IDT_VECTORING_INFO_FIELD);

	if (!(info & INTR_INFO_VALID))
		return;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info & ~(u32)BIT(12));
	if (info & INTR_INFO_DELIVER_CODE)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, vmcs_read32(IDT_VECTORING_ERROR_CODE));
	vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

/* An NMI that hit VMX root goes to the guest when it can take one. */
static void inject_pending_nmi(struct vcpu *v)
{
	if (!v->nmi_pending || (vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID))
		return;
	/* (Some CPUs refuse an NMI's injection under STI blocking too: SDM
	 * 26.3.1.5. It waits for the next exit.) */
	if (vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
	    (GUEST_INTR_STATE_NMI | GUEST_INTR_STATE_MOV_SS | GUEST_INTR_STATE_STI))
		return;
	v->nmi_pending = 0;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_VALID | INTR_TYPE_NMI | 2);
}

/* A null SS (64-bit mode, after an interrupt from user mode) is saved
 * unusable, and VM entry loads it so, with the attribute bits saved. A
 * SYSRET to compatibility mode (a 32-bit process's return after SYSENTER)
 * must then leave SS a 32-bit stack (SDM: SS.B = 1); a CPU or emulator
 * that keeps SS's attributes through SYSRET, as AMD's do, would give the
 * 32-bit process a 16-bit stack (Linux works around that only on AMD). So
 * an unusable SS keeps B set: VM entry does not check it, 64-bit mode
 * ignores it. */
static void keep_ss_32bit(void)
{
	u32 ar = vmcs_read32(GUEST_SS_AR_BYTES);

	if (segment_ar_ss(ar) != ar)
		vmcs_write32(GUEST_SS_AR_BYTES, segment_ar_ss(ar));
}

void vmexit_handler(struct guest_regs *r, struct vcpu *v)
{
	u32 reason = vmcs_read32(VM_EXIT_REASON);
	u32 basic = reason & 0xffff;
	exit_handler h = NULL;

	v->exits_total++;
	v->exits[basic < FVX_EXIT_REASON_COUNT ? basic : FVX_EXIT_REASON_COUNT - 1]++;
	if (reason & EXIT_REASON_FAILED_VMENTRY)
		handle_fatal(v, r);
	ptp_sync_cpu(v); /* a protection change made on another CPU */
	ptp_check_loaded(v); /* the window's entries, rewritten since the CR3 load? */
	tsc_harvest(v); /* the analyzer's time so far, for the address space that ran */
	reinject_pending_event();
	if (basic < FVX_EXIT_REASON_COUNT)
		h = handlers[basic];
	if (!h)
		handle_fatal(v, r);
	if (h(v, r) == EXIT_VMXOFF)
		vcpu_devirtualize(v, r);
	tsc_follow(v); /* RDTSC exiting for the address space that runs next */
	inject_pending_nmi(v);
	keep_ss_32bit();
	tsc_hide_exit(v); /* last: the guest's TSC skips this exit */
}

void vmresume_failed(struct vcpu *v)
{
	root_fatal("cpu %u: VMRESUME failed, VM-instruction error %u\n", (u64)v->index,
		   (u64)vmcs_read32(VM_INSTRUCTION_ERROR));
}

void host_exception(struct exception_frame *f)
{
	root_fatal("exception %u (error %x) in VMX root at RIP %x, RSP %x\n", f->vector, f->error,
		   f->rip, f->rsp);
}
