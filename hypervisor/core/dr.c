/* MOV to and from the debug registers under MOV-DR exiting, and #DB
 * exiting, both on while the window is protected (dr.h). DR0-DR3 and DR6
 * are the CPU's own registers, which VMX root leaves alone: written and
 * read through for the guest. DR7 is in the VMCS: the guest's value is kept
 * here, and the VMCS gets it without the enables of a breakpoint whose
 * address lies in the window. A #DB whose RIP is in the window's code (a
 * data breakpoint on memory the trampoline touches, the #DB a MOV SS held
 * back over a SYSCALL) is dropped; every other goes to the guest. VMX root
 * only. */
#include "dr.h"
#include "exit.h"
#include "log.h"
#include "window.h"
#include "../arch/x86/asm.h"

#define CR4_DE BIT(3) /* DR4 and DR5 are reserved (#UD), not DR6 and DR7 */
#define VECTOR_DB 1
#define RFLAGS_RF BIT(16)
#define DR6_HITS 0xfULL /* B0-B3 */
#define DR6_BD BIT(13) /* a MOV DR with DR7.GD set */
#define DR6_BS BIT(14) /* a single step */
#define DR7_GD BIT(13)
#define QUAL_FROM_DR BIT(4) /* exit qualification (SDM Table 28-4): MOV from DR */
#define DR7_READ_AS_1 BIT(10)
#define DR7_READ_AS_0 (BIT(11) | BIT(12) | BIT(14) | BIT(15))
#define WINDOW_SIZE (1ULL << 30) /* the one 1 GiB page (ptprotect.c) */
#define LOG_LIMIT 16

/* The VMCS's DR7: the guest's, but for breakpoints on the window; one
 * there the write concerns (bit n of `count`: DR7 concerns them all, DRn
 * its own) is counted. */
static void filter(struct vcpu *v, unsigned int count)
{
	u64 dr7 = v->dr.dr7, window = window_config(v->hv)->window_va, addr;
	unsigned int n;

	for (n = 0; n < 4; n++) {
		if (!(dr7 & (3ULL << (2 * n))))
			continue;
		addr = arch_read_dr(n);
		if (addr - window >= WINDOW_SIZE)
			continue;
		dr7 &= ~(3ULL << (2 * n));
		if (!(count >> n & 1))
			continue;
		v->dr.refused++;
		root_log_limited(v->dr.logged, LOG_LIMIT,
				 "cpu %u: breakpoint DR%u at %x on the window left out\n",
				 (u64)v->index, (u64)n, addr);
	}
	vmcs_writel(GUEST_DR7, dr7);
	v->dr.window = window;
}

void dr_intercept(struct vcpu *v)
{
	bool stepping = v->kprot.stepping && !v->hv->kprot.mtf; /* (single steps by #DB) */

	vmcs_write32(EXCEPTION_BITMAP, v->dr.exiting || stepping ? BIT(VECTOR_DB) : 0);
}

u64 dr_guest_dr7(const struct vcpu *v)
{
	return v->dr.exiting ? v->dr.dr7 : vmcs_readl(GUEST_DR7);
}

void dr_sync_cpu(struct vcpu *v, bool on)
{
	u32 proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) & ~CPU_BASED_MOV_DR_EXITING;

	if (on && !v->dr.exiting) {
		v->dr.dr7 = vmcs_readl(GUEST_DR7);
		v->dr.exiting = true;
		filter(v, 0xf); /* set natively before: left out now */
	} else if (on && v->dr.window != window_config(v->hv)->window_va) {
		filter(v, 0); /* the window moved (configured again) */
	} else if (!on && v->dr.exiting) {
		vmcs_writel(GUEST_DR7, v->dr.dr7);
		v->dr.exiting = false;
	}
	dr_intercept(v);
	/* Unless this CPU cannot clear it (SDM A.3.2). */
	if (on || (v->hv->ctls.proc & CPU_BASED_MOV_DR_EXITING))
		proc |= CPU_BASED_MOV_DR_EXITING;
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
}

void dr_inject_db(u64 dr6_bits)
{
	arch_write_dr(6, (arch_read_dr(6) & ~DR6_HITS) | dr6_bits);
	guest_inject_exception(VECTOR_DB, false, 0);
}

/* SDM Vol. 2, MOV to/from debug registers. The exit comes before the
 * instruction's faults (SDM 25.1.1: MOV DR is the exception to the rule):
 * #UD for DR4/DR5 with CR4.DE, #GP at CPL > 0, and DR7.GD's #DB (a fault:
 * BD in DR6, GD cleared as the CPU clears it) are raised here. */
enum exit_action handle_dr_access(struct vcpu *v, struct guest_regs *r)
{
	u64 q = vmcs_readl(EXIT_QUALIFICATION), value;
	unsigned int n = q & 7, reg = (q >> 8) & 15;

	if ((n == 4 || n == 5) && (vmcs_readl(GUEST_CR4) & CR4_DE)) {
		guest_inject_exception(VECTOR_UD, false, 0);
		return EXIT_RESUME;
	}
	if (guest_cpl() != 0) {
		guest_inject_exception(VECTOR_GP, true, 0);
		return EXIT_RESUME;
	}
	if (dr_guest_dr7(v) & DR7_GD) {
		v->dr.dr7 &= ~DR7_GD;
		vmcs_writel(GUEST_DR7, vmcs_readl(GUEST_DR7) & ~DR7_GD);
		dr_inject_db(DR6_BD);
		return EXIT_RESUME;
	}
	if (n == 4 || n == 5)
		n += 2; /* aliases of DR6 and DR7 */
	if (q & QUAL_FROM_DR) {
		guest_write_gpr(r, reg, n == 7 ? dr_guest_dr7(v) : arch_read_dr(n));
		guest_skip_instruction();
		return EXIT_RESUME;
	}
	value = guest_read_gpr(r, reg);
	if (n >= 6 && (value >> 32)) {
		guest_inject_exception(VECTOR_GP, true, 0);
		return EXIT_RESUME;
	}
	if (n == 7) {
		value = (value | DR7_READ_AS_1) & ~DR7_READ_AS_0;
		if (v->dr.exiting)
			v->dr.dr7 = value;
		else
			vmcs_writel(GUEST_DR7, value);
	} else {
		arch_write_dr(n, value);
	}
	if (n != 6 && v->dr.exiting)
		filter(v, n == 7 ? 0xf : 1u << n);
	guest_skip_instruction();
	return EXIT_RESUME;
}

bool dr_debug_exception(struct vcpu *v)
{
	u64 q = vmcs_readl(EXIT_QUALIFICATION) & (DR6_HITS | DR6_BD | DR6_BS),
	    rip = vmcs_readl(GUEST_RIP);

	if (!v->dr.exiting)
		return false;
	if (window_code_address(v->hv, rip)) {
		/* Its RIP in our code: not the guest's to see. RF, so that an
		 * instruction breakpoint there does not fire again at once. A
		 * single step alone is no breakpoint, nor counted: SYSENTER
		 * keeps TF, so a program stepping over one steps through the
		 * window's SYSENTER entry (trampoline.S) until Linux's. */
		vmcs_writel(GUEST_RFLAGS, vmcs_readl(GUEST_RFLAGS) | RFLAGS_RF);
		if (q == DR6_BS)
			return true;
		v->dr.refused++;
		root_log_limited(v->dr.logged, LOG_LIMIT,
				 "cpu %u: #DB at %x in the window dropped\n", (u64)v->index, rip);
		return true;
	}
	dr_inject_db(q);
	return true;
}
