/* MOV to and from the debug registers under MOV-DR exiting, on while the
 * window is protected (dr.h). DR0-DR3 and DR6 are the CPU's own registers,
 * which VMX root leaves alone: written and read through for the guest. DR7
 * is in the VMCS: the guest's value is kept here, and the VMCS gets it
 * without the enables of a breakpoint whose address lies in the window.
 * VMX root only. */
#include "dr.h"
#include "exit.h"
#include "log.h"
#include "window.h"
#include "../arch/x86/asm.h"

#define CR4_DE BIT(3) /* DR4 and DR5 are reserved (#UD), not DR6 and DR7 */
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
	} else if (!on && v->dr.exiting) {
		vmcs_writel(GUEST_DR7, v->dr.dr7);
		v->dr.exiting = false;
	}
	/* Unless this CPU cannot clear it (SDM A.3.2). */
	if (on || (v->hv->ctls.proc & CPU_BASED_MOV_DR_EXITING))
		proc |= CPU_BASED_MOV_DR_EXITING;
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
}

/* SDM Vol. 2, MOV to/from debug registers. A MOV DR at CPL > 0, and one
 * with DR7.GD set, fault before the exit (SDM 25.1.1). */
enum exit_action handle_dr_access(struct vcpu *v, struct guest_regs *r)
{
	u64 q = vmcs_readl(EXIT_QUALIFICATION), value;
	unsigned int n = q & 7, reg = (q >> 8) & 15;

	if (n == 4 || n == 5) {
		if (vmcs_readl(GUEST_CR4) & CR4_DE) {
			guest_inject_exception(VECTOR_UD, false, 0);
			return EXIT_RESUME;
		}
		n += 2; /* aliases of DR6 and DR7 */
	}
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
