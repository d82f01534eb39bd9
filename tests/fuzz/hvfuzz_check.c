/* One exit, checked. The exit the decoder described is first made one the
 * hardware could deliver (an exit reason's qualification, a canonical RIP,
 * an IDT-vectoring field only for exits during event delivery, MSR and CR
 * exits only where the bitmap and the guest/host masks make them). Then a
 * model predicts, from the VMCALL ABI (include/fastvmix/vmcall.h) and the
 * SDM, everything the exit may change: guest registers, guest RAM (only the
 * buffer a VMCALL fills), the window (only what the call writes), the
 * hypervisor's struct hv and vcpus, the VMCS fields and how the exit ends.
 * Every guest pointer is judged by the fake machine's own map of RAM
 * (ram_ok), not by guest_mem.c. After the real handler ran, anything
 * different is a failure, as is a guest state VM entry would refuse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvfuzz.h"
#include "core/analyzer_image.h"
#include "core/ept.h"
#include "core/insn.h"
#include "core/msr.h"
#include "arch/x86/asm.h"
#include "arch/x86/trampoline.h"
#include "fastvmix/trace_select.h"
#include "fastvmix/guest_read.h"
#include "fastvmix/syscall_args.h"
#include "fastvmix/syscall_compat.h"
#include "fastvmix/trace_capture.h"
#include "fastvmix/trace_task.h"

#define INTR_TYPE(info) (((info) >> 8) & 7)
#define TYPE_EXTERNAL 0
#define TYPE_NMI 2
#define TYPE_HARD_EXCEPTION 3
#define TYPE_SOFT_INTERRUPT 4
#define TYPE_PRIV_SOFT_EXCEPTION 5
#define TYPE_SOFT_EXCEPTION 6
#define INTR_STATE_BLOCKING 0xfu
#define CR0_PE BIT(0)
#define CR4_TSD BIT(2)
#define CR4_PAE BIT(5)

/* INJ_DT: whatever exception a descriptor-table instruction may raise
 * (#NP, #SS, #GP, #PF with an error code), as injected. */
enum { INJ_NONE = 1, INJ_UD = 2, INJ_GP = 4, INJ_DF = 8, INJ_DB = 16, INJ_DT = 32 };

/* Guest paging entries and the EPT-violation qualification (SDM 4.5,
 * Table 27-7), as ptprotect.c's design uses them. */
#define PTE_P BIT(0)
#define PTE_RW BIT(1)
#define PTE_US BIT(2)
#define PTE_A BIT(5)
#define PTE_D BIT(6)
#define PTE_PS BIT(7)
#define PTE_XD BIT(63)
#define PTE_ADDR 0x000ffffffffff000ULL
#define EPT_Q_WRITE BIT(1)
#define EPT_Q_LINEAR_VALID BIT(7)
#define EPT_Q_TRANSLATED BIT(8)
#define EPT_Q_NMI_UNBLOCKED BIT(12)
#define CR4_PCIDE BIT(17)
#define SEAL_TICKS_MAX (1ULL << 56)

/* What the model expects of the running exit. */
struct prediction {
	enum outcome outcome;
	bool skip; /* the instruction completes: RIP moves past it */
	u64 skip_len; /* by this much (the exit's instruction length unless decoded) */
	u64 rsp, cr3; /* GUEST_RSP, GUEST_CR3 after the exit */
	u32 intr_set; /* interruptibility bits the exit sets (NMI blocking again) */
	bool synced; /* followed a protection change: the controls may be written */
	bool protected_now; /* configure protected a window: leaves checked, then taken */
	u32 proc; /* CPU_BASED_VM_EXEC_CONTROL after the exit */
	unsigned int invept, invvpid; /* flushes expected */
	unsigned int inject; /* the handler's own injection: INJ_* */
	struct hv hv;
	struct vcpu v;
	struct guest_regs r;
	u64 cr0, cr0_shadow, cr4, cr4_shadow;
	u64 efer; /* GUEST_IA32_EFER after the exit */
	u16 view; /* EPTP index after the exit */
	u32 proc2; /* SECONDARY_VM_EXEC_CONTROL after the exit */
	u64 gdtr, idtr; /* GUEST_GDTR_BASE, GUEST_IDTR_BASE after the exit */
	u16 tr; /* GUEST_TR_SELECTOR after the exit */
	bool tables_written; /* the descriptor-table registers may be written */
	bool sysenter_written; /* GUEST_SYSENTER_EIP may be written, to sysenter_eip */
	u64 sysenter_eip;
	bool dt_exit; /* checked against invariants, not predicted (dt.c) */
	bool resumed; /* the interrupted analyzer's state put back (views.c) */
	u64 rip, rflags; /* with resumed */
	/* Calls of the fake CPU's instructions. */
	unsigned int rdmsr, wrmsr, xsetbv, wbinvd, tsc;
	u32 rdmsr_msr, wrmsr_msr;
	u64 wrmsr_value, xsetbv_value;
	/* Timing (tsc.c): TSC_OFFSET after the exit, the CPU's
	 * IA32_TSC_DEADLINE with its reads, writes and fires (it fires when
	 * the TSC reaches it: judged at each read or write and at the end,
	 * as time moves only with the RDTSCs counted in tsc). */
	u64 offset, deadline;
	unsigned int deadline_reads, deadline_writes, deadline_fires;
	bool tsc_written; /* the guest wrote IA32_TSC or IA32_TSC_ADJUST */
	bool tsc_followed; /* RDTSC exiting changed: the controls are written */
	bool caught_up; /* the CPU caught up with the others at the end of the exit */
	bool analyzers; /* the exit was the analyzer's time: the offset stays */
	u64 dr7; /* GUEST_DR7 after the exit */
	u64 dr[8]; /* the CPU's debug registers after it */
	u32 exceptions; /* EXCEPTION_BITMAP after it */
	u64 window_va; /* the config's, as this exit leaves it */
	bool rf; /* RFLAGS.RF set (a #DB dropped) */
};

/* The exit, as it was before the handler ran. */
static struct exit_state {
	unsigned int c;
	u32 reason;
	u16 basic;
	u64 q, len, rip, rsp, gpa;
	unsigned int cpl;
	u32 intr, vectoring, vectoring_error;
	u64 entry_error, entry_len;
	u64 cr0, cr0_shadow, cr4, cr4_shadow;
	u64 cr3, cs_ar, efer, dr7;
	u32 proc, proc2, exceptions, intr_info;
	u64 gdtr, idtr, rflags;
	u16 tr, cs;
	u16 view;
	u64 offset; /* TSC_OFFSET */
	struct hv hv;
	struct vcpu v[CPUS];
	struct guest_regs r;
	struct fake_cpu cpu;
	struct prediction p;
} x;

static const u16 handled[] = {
	EXIT_REASON_CPUID,
	EXIT_REASON_GETSEC,
	EXIT_REASON_INVD,
	EXIT_REASON_VMCALL,
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
	EXIT_REASON_DR_ACCESS,
	EXIT_REASON_MSR_READ,
	EXIT_REASON_MSR_WRITE,
	EXIT_REASON_XSETBV,
	EXIT_REASON_EPT_VIOLATION,
	EXIT_REASON_GDTR_IDTR_ACCESS,
	EXIT_REASON_LDTR_TR_ACCESS,
	EXIT_REASON_RDTSC,
	EXIT_REASON_RDTSCP,
	EXIT_REASON_MWAIT,
	EXIT_REASON_PREEMPTION_TIMER,
	EXIT_REASON_EXCEPTION_NMI,
};

static bool has_handler(u16 basic)
{
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(handled); i++)
		if (handled[i] == basic)
			return true;
	return false;
}

static bool vmx_instruction(u16 basic)
{
	return has_handler(basic) && basic != EXIT_REASON_CPUID && basic != EXIT_REASON_INVD &&
	       basic != EXIT_REASON_VMCALL && basic != EXIT_REASON_VMFUNC &&
	       basic != EXIT_REASON_CR_ACCESS && basic != EXIT_REASON_DR_ACCESS &&
	       basic != EXIT_REASON_MSR_READ && basic != EXIT_REASON_MSR_WRITE &&
	       basic != EXIT_REASON_XSETBV && basic != EXIT_REASON_EPT_VIOLATION &&
	       basic != EXIT_REASON_GDTR_IDTR_ACCESS && basic != EXIT_REASON_LDTR_TR_ACCESS &&
	       basic != EXIT_REASON_RDTSC && basic != EXIT_REASON_RDTSCP &&
	       basic != EXIT_REASON_MWAIT && basic != EXIT_REASON_PREEMPTION_TIMER &&
	       basic != EXIT_REASON_EXCEPTION_NMI;
}

/* Exits that can happen while an event is being delivered (SDM 27.2.4). */
static bool during_event_delivery(u16 basic)
{
	return basic == EXIT_REASON_EXCEPTION_NMI || basic == EXIT_REASON_TASK_SWITCH ||
	       basic == EXIT_REASON_APIC_ACCESS || basic == EXIT_REASON_EPT_VIOLATION ||
	       basic == EXIT_REASON_EPT_MISCONFIG;
}

/* Hardware exceptions that push an error code (SDM 6.3.1). */
static bool has_error_code(u32 vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
}

static u64 canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16);
}

static bool long_mode(const u64 *f)
{
	return (f[VM_ENTRY_CONTROLS] & VM_ENTRY_IA32E_MODE) &&
	       (f[GUEST_CS_AR_BYTES] & SEGMENT_AR_L);
}

static const struct fvx_config *config(void)
{
	return window_config(&m.hv);
}

/* ---- making the exit one the hardware could deliver ---- */

static u32 consistent_vectoring(u32 v, u64 *f)
{
	u32 type = INTR_TYPE(v), vector = v & 0xff;

	switch (type) {
	case TYPE_EXTERNAL:
	case TYPE_SOFT_INTERRUPT: break;
	case TYPE_NMI: vector = 2; break;
	case TYPE_PRIV_SOFT_EXCEPTION: vector = 1; break;
	case TYPE_SOFT_EXCEPTION: vector = vector & 1 ? 4 : 3; break;
	default:
		type = TYPE_HARD_EXCEPTION;
		vector %= 32;
		if (vector == 2)
			vector = 14;
	}
	/* An event not yet delivered: the state it was blocked by is not set. */
	if (type == TYPE_EXTERNAL)
		f[GUEST_INTERRUPTIBILITY_INFO] &= ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
	if (type == TYPE_NMI)
		f[GUEST_INTERRUPTIBILITY_INFO] &= ~(GUEST_INTR_STATE_MOV_SS | GUEST_INTR_STATE_NMI);
	return INTR_INFO_VALID | type << 8 | vector | (v & BIT(12)) |
	       (type == TYPE_HARD_EXCEPTION && has_error_code(vector) ? INTR_INFO_DELIVER_CODE : 0);
}

/* False when the hardware would not exit at all. */
static bool make_consistent(unsigned int c)
{
	u64 *f = m.vmcs[c];
	struct guest_regs *r = &m.regs[c];
	u16 basic = f[VM_EXIT_REASON] & 0xffff;
	unsigned int cpl = (f[GUEST_SS_AR_BYTES] >> 5) & 3;
	static u8 bitmap[4096];
	static bool bitmap_ready;

	f[VM_EXIT_REASON] &= 0x8000ffffULL;
	f[GUEST_RIP] = long_mode(f) ? canonical(f[GUEST_RIP]) : (u32)f[GUEST_RIP];
	f[GUEST_INTERRUPTIBILITY_INFO] &=
		GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS | GUEST_INTR_STATE_NMI;
	if ((f[GUEST_INTERRUPTIBILITY_INFO] & GUEST_INTR_STATE_MOV_SS))
		f[GUEST_INTERRUPTIBILITY_INFO] &= ~GUEST_INTR_STATE_STI;
	f[VM_EXIT_INSTRUCTION_LEN] = 1 + f[VM_EXIT_INSTRUCTION_LEN] % 15;
	/* Linux maps nothing in the last page below the non-canonical hole
	 * (TASK_SIZE_MAX), so no instruction ends beyond it in 64-bit mode. */
	if (long_mode(f) && f[GUEST_RIP] < (1ULL << 47) && f[GUEST_RIP] >= (1ULL << 47) - PAGE)
		f[GUEST_RIP] -= PAGE;
	f[EPTP_INDEX] &= 1;
	f[EPT_POINTER] = m.eptp_list[f[EPTP_INDEX]];
	f[VM_ENTRY_INTR_INFO_FIELD] = 0; /* every VM entry clears it */
	f[IDT_VECTORING_INFO_FIELD] &= 0xffffffffULL;
	if (!(f[IDT_VECTORING_INFO_FIELD] & INTR_INFO_VALID) || !during_event_delivery(basic) ||
	    (f[VM_EXIT_REASON] & EXIT_REASON_FAILED_VMENTRY))
		f[IDT_VECTORING_INFO_FIELD] = 0;
	else
		f[IDT_VECTORING_INFO_FIELD] = consistent_vectoring(f[IDT_VECTORING_INFO_FIELD], f);
	f[IDT_VECTORING_ERROR_CODE] &= 0xffff;

	switch (basic) {
	case EXIT_REASON_CR_ACCESS: {
		/* Only these bits are defined (SDM Table 27-3). A MOV to CR0
		 * or CR4 exits only if it changes a bit the host owns. */
		u64 q = f[EXIT_QUALIFICATION] &= 0xffff0f7fULL, value;
		unsigned int cr = q & 15;

		/* MOV to/from CR3 exits only under CR3-load/-store exiting. */
		if (cr == 3 && ((q >> 4) & 3) == 0 &&
		    !(f[CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_CR3_LOAD_EXITING))
			return false;
		if (cr == 3 && ((q >> 4) & 3) == 1 &&
		    !(f[CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_CR3_STORE_EXITING))
			return false;
		if (((q >> 4) & 3) == 0 && (cr == 0 || cr == 4)) {
			value = ((q >> 8) & 15) == 4 ? f[GUEST_RSP] : ((u64 *)r)[(q >> 8) & 15];
			if (!((value ^ f[cr ? CR4_READ_SHADOW : CR0_READ_SHADOW]) &
			      f[cr ? CR4_GUEST_HOST_MASK : CR0_GUEST_HOST_MASK]))
				return false;
		}
		return cpl == 0;
	}
	case EXIT_REASON_DR_ACCESS:
		/* Only these bits are defined (SDM Table 28-4). Under MOV-DR
		 * exiting, which comes before its #GP, #UD and GD's #DB (SDM
		 * 25.1.1). */
		f[EXIT_QUALIFICATION] &= 0xf17ULL;
		return f[CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_MOV_DR_EXITING;
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
		if (!bitmap_ready) {
			msr_bitmap_init(bitmap);
			bitmap_ready = true;
		}
		return cpl == 0 &&
		       msr_bitmap_exits(bitmap, (u32)r->rcx, basic == EXIT_REASON_MSR_WRITE);
	case EXIT_REASON_INVD:
	case EXIT_REASON_XSETBV: return cpl == 0; /* #GP first otherwise */
	case EXIT_REASON_RDTSCP:
		/* Without the control RDTSCP is #UD (SDM 25.3). */
		if (!(f[SECONDARY_VM_EXEC_CONTROL] & SECONDARY_EXEC_ENABLE_RDTSCP))
			return false;
		/* fall through */
	case EXIT_REASON_RDTSC:
		/* Under RDTSC exiting only; CR4.TSD's #GP at CPL > 0 comes
		 * first (SDM 25.1.1). */
		return (f[CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_RDTSC_EXITING) &&
		       (cpl == 0 || !(f[GUEST_CR4] & CR4_TSD));
	case EXIT_REASON_MONITOR_TRAP_FLAG: /* only while kprotect.c steps: never here */
		return f[CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_MONITOR_TRAP_FLAG;
	case EXIT_REASON_EPT_VIOLATION: f[EXIT_QUALIFICATION] &= 0x1fbfULL; return true;
	case EXIT_REASON_EXCEPTION_NMI:
		/* A #DB under the exception bitmap only; its qualification's
		 * defined bits (SDM Table 28-1). Others are not modelled. */
		if ((f[VM_EXIT_INTR_INFO] & 0x7ff) != (INTR_TYPE_HARD_EXCEPTION | 1))
			return true;
		f[VM_EXIT_INTR_INFO] = INTR_INFO_VALID | INTR_TYPE_HARD_EXCEPTION | 1;
		f[EXIT_QUALIFICATION] &= 0x600fULL;
		return f[EXCEPTION_BITMAP] & BIT(1);
	case EXIT_REASON_GDTR_IDTR_ACCESS:
	case EXIT_REASON_LDTR_TR_ACCESS:
		/* Under descriptor-table exiting only; the loads at CPL 0 and
		 * the stores at CPL > 0 only without UMIP: privilege faults
		 * come first (SDM 25.1.1). The model covers 64-bit mode. */
		if (!(f[SECONDARY_VM_EXEC_CONTROL] & SECONDARY_EXEC_DESC_TABLE_EXITING) ||
		    !long_mode(f))
			return false;
		if ((f[VMX_INSTRUCTION_INFO] >> 29) & 1)
			return cpl == 0;
		return cpl == 0 || !(f[GUEST_CR4] & CR4_UMIP);
	}
	if (vmx_instruction(basic) && basic != EXIT_REASON_GETSEC)
		return cpl == 0;
	return true;
}

/* ---- what VM entry would refuse (SDM 26.2, 26.3) ---- */

static const char *entry_problem(unsigned int c)
{
	const u64 *f = m.vmcs[c];
	const struct vmx_caps *caps = &m.hv.caps;
	u64 rip = f[GUEST_RIP], cr0 = f[GUEST_CR0], cr4 = f[GUEST_CR4];
	u32 info = f[VM_ENTRY_INTR_INFO_FIELD], intr = f[GUEST_INTERRUPTIBILITY_INFO];
	u32 type = INTR_TYPE(info), vector = info & 0xff;
	bool ia32e = f[VM_ENTRY_CONTROLS] & VM_ENTRY_IA32E_MODE;

	if (long_mode(f) ? canonical(rip) != rip : rip >> 32 != 0)
		return long_mode(f) ? "RIP is not canonical"
				    : "RIP beyond 32 bits outside 64-bit mode";
	if ((cr0 & caps->cr0_fixed0) != caps->cr0_fixed0 || (cr0 & ~caps->cr0_fixed1) ||
	    ((cr0 & CR0_PG) && !(cr0 & CR0_PE)) || (ia32e && !(cr0 & CR0_PG)))
		return "CR0";
	if ((cr4 & caps->cr4_fixed0) != caps->cr4_fixed0 || (cr4 & ~caps->cr4_fixed1) ||
	    (ia32e && !(cr4 & CR4_PAE)))
		return "CR4";
	if (intr & ~INTR_STATE_BLOCKING ||
	    (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)) ==
		    (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		return "interruptibility state";
	if (f[EPTP_INDEX] > 1 || f[EPT_POINTER] != m.eptp_list[f[EPTP_INDEX]])
		return "EPT pointer is not the EPTP list's entry for EPTP_INDEX";
	if (!(info & INTR_INFO_VALID))
		return NULL;
	if (info & 0x7ffff000)
		return "event injection: reserved bits";
	if (type == 1 || type == 7 || (type == TYPE_NMI && vector != 2) ||
	    (type == TYPE_HARD_EXCEPTION && vector > 31))
		return "event injection: type and vector";
	if (!!(info & INTR_INFO_DELIVER_CODE) !=
	    (type == TYPE_HARD_EXCEPTION && has_error_code(vector)))
		return "event injection: error code delivery";
	if ((info & INTR_INFO_DELIVER_CODE) && (f[VM_ENTRY_EXCEPTION_ERROR_CODE] >> 16))
		return "event injection: error code bits 31:16";
	if (type >= TYPE_SOFT_INTERRUPT && type <= TYPE_SOFT_EXCEPTION &&
	    (f[VM_ENTRY_INSTRUCTION_LEN] < 1 || f[VM_ENTRY_INSTRUCTION_LEN] > 15))
		return "event injection: instruction length";
	if (type == TYPE_EXTERNAL && (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		return "external interrupt injected while blocked";
	if (type == TYPE_NMI && (intr & (GUEST_INTR_STATE_MOV_SS | GUEST_INTR_STATE_NMI)))
		return "NMI injected while blocked";
	return NULL;
}

/* ---- the model ---- */

static u64 lstar_target(const struct vcpu *v)
{
	u64 base = config()->window_va + FVX_WIN_TRAMPOLINE + v->index * FVX_WIN_TRAMPOLINE_STRIDE;

	if (v->trace_mode == FVX_MODE_FAST)
		return base;
	if (v->trace_mode == FVX_MODE_EXIT)
		return base + FVX_WIN_TRAMPOLINE_EXIT;
	return v->guest_lstar;
}

static struct fvx_config *config_expected(void)
{
	return window_expected(FVX_WIN_CONFIG, sizeof(struct fvx_config));
}

/* ---- the page-table protection (ptprotect.c's design, README threat model) ---- */

/* A guest RAM qword as it stands after what the model already expects of
 * this exit. */
static bool model_read64(u64 gpa, u64 *value)
{
	const void *e = ram_open_lookup(gpa, 8);

	if (!ram_ok(gpa, 8))
		return false;
	memcpy(value, e ? e : m.ram + gpa, 8);
	return true;
}

static void model_write64(u64 gpa, u64 value, unsigned int size)
{
	ram_may_write(gpa);
	memcpy(ram_expected(gpa, size), &value, size);
}

/* Entry index of a guest table the host may read and write: write-back
 * guest RAM (all of the fake machine's RAM is), never the pool or window. */
static bool table_entry_ok(u64 table, unsigned int index)
{
	return ram_ok(table + index * 8, 8);
}

static bool same_entry(u64 a, u64 b)
{
	return ((a ^ b) & ~(PTE_A | PTE_D)) == 0;
}

enum model_cr3 { CR3_INTACT, CR3_REPAIRED, CR3_REFUSED };

/* The two entries for a top-level table at CR3 cr3: loaded as they are,
 * written back to what configure found, or refused when they cannot be
 * checked or the PML4E cannot be written where the guest itself could
 * not (the protected PDPT page, read-only in view 0). */
static enum model_cr3 model_check_tables(u64 cr3)
{
	struct ptp_state *p = &x.p.hv.ptp;
	u64 pml4 = cr3 & PTE_ADDR, e4, e3;
	bool ok4, ok3;

	if (!p->active)
		return CR3_INTACT;
	if (!table_entry_ok(pml4, p->pml4_index) || !table_entry_ok(p->pdpt_gpa, p->pdpt_index))
		return CR3_REFUSED;
	model_read64(pml4 + p->pml4_index * 8, &e4);
	model_read64(p->pdpt_gpa + p->pdpt_index * 8, &e3);
	ok4 = same_entry(e4, p->pml4e);
	ok3 = same_entry(e3, p->pdpte);
	if (ok4 && ok3)
		return CR3_INTACT;
	if (!ok4 && pml4 == p->pdpt_gpa)
		return CR3_REFUSED;
	if (!ok4) {
		model_write64(pml4 + p->pml4_index * 8, p->pml4e, 8);
		x.p.v.ptp.count.pml4e_repaired++;
	}
	if (!ok3) {
		model_write64(p->pdpt_gpa + p->pdpt_index * 8, p->pdpte, 8);
		x.p.v.ptp.count.pdpte_repaired++;
	}
	p->generation++; /* every other CPU flushes at its next exit */
	return CR3_REPAIRED;
}

/* A CPU follows a protection change at its next exit: CR3-load exiting
 * while active, INVEPT (the PDPT page's EPT permission changed, or
 * entries were repaired), and a check of the tables already loaded. */
static bool walk(u64 cr3, u64 va, u64 *gpa);

/* Descriptor-table exiting follows the protection (dt.c): turned on, it
 * takes back tables loaded natively (shadowed, counted) and finds the
 * GDT's direct-map alias. */
static void predict_dt_sync(bool on)
{
	struct prediction *p = &x.p;
	struct dt_cpu *d = &p->v.dt;
	u64 gpa, *live[2] = { &p->gdtr, &p->idtr };
	u32 limit[2] = { m.vmcs[x.c][GUEST_GDTR_LIMIT], m.vmcs[x.c][GUEST_IDTR_LIMIT] };
	unsigned int t;

	if (on && !d->exiting) {
		for (t = 0; t < 2; t++) {
			/* (The window's IDT stands in for Linux's: dt.c.) */
			u64 loaded = t == DT_IDT && d->window_idt && *live[t] == d->window_idt
					     ? d->table[t].base
					     : *live[t];

			if (loaded == d->table[t].base && limit[t] == d->table[t].limit)
				continue;
			if (t == DT_GDT && d->gdt_alias && *live[t] == d->gdt_alias &&
			    limit[t] == d->table[t].limit)
				continue;
			d->shadow[t] = (struct dt_table){ loaded, limit[t] };
			d->shadowed[t] = true;
			p->v.dt_loads_refused++;
			*live[t] = t == DT_IDT && d->window_idt ? d->window_idt : d->table[t].base;
			p->tables_written = true;
		}
		if (p->tr != d->tr) {
			d->tr_shadow = p->tr;
			d->tr_shadowed = true;
			p->v.dt_loads_refused++;
			p->tr = d->tr;
			p->tables_written = true;
		}
		d->gdt_alias = 0;
		if (walk(p->cr3, d->table[DT_GDT].base, &gpa) &&
		    (u64)m.ram + gpa != d->table[DT_GDT].base)
			d->gdt_alias = (u64)m.ram + gpa;
	}
	d->exiting = on;
	p->proc2 = (x.proc2 & ~SECONDARY_EXEC_DESC_TABLE_EXITING) |
		   (on || (x.hv.ctls.proc2 & SECONDARY_EXEC_DESC_TABLE_EXITING)
			    ? SECONDARY_EXEC_DESC_TABLE_EXITING
			    : 0);
}

/* The table this CPU has loaded, checked as at a CR3 load (ptprotect.c's
 * check_loaded): a repair flushes, a table that may not be repaired is
 * counted. */
static void predict_check_loaded(void)
{
	struct prediction *p = &x.p;

	switch (model_check_tables(p->cr3)) {
	case CR3_REPAIRED:
		p->v.ptp.count.loaded_repaired++;
		p->invept++;
		break;
	case CR3_REFUSED: p->v.ptp.count.loaded_refused++; break;
	case CR3_INTACT: break;
	}
}

/* ---- debug registers (dr.c) ---- */

/* The DR7 the CPU gets: the guest's without the breakpoints on the
 * window, each enabled one the write concerns (bit n of count) counted
 * (and logged, up to the limit). */
static u64 model_dr_filter(unsigned int count)
{
	struct prediction *p = &x.p;
	u64 dr7 = p->v.dr.dr7;
	unsigned int n;

	for (n = 0; n < 4; n++) {
		if (!(dr7 & (3ULL << (2 * n))) || p->dr[n] - p->window_va >= GIB)
			continue;
		dr7 &= ~(3ULL << (2 * n));
		if (!(count >> n & 1))
			continue;
		p->v.dr.refused++;
		if (p->v.dr.logged < 16)
			p->v.dr.logged++;
	}
	p->v.dr.window = p->window_va;
	return dr7;
}

static void predict_dr_sync(bool on)
{
	struct prediction *p = &x.p;
	struct dr_cpu *d = &p->v.dr;

	if (on && !d->exiting) {
		d->dr7 = p->dr7;
		d->exiting = true;
		p->dr7 = model_dr_filter(0xf);
	} else if (on && d->window != p->window_va) {
		p->dr7 = model_dr_filter(0);
	} else if (!on && d->exiting) {
		p->dr7 = d->dr7;
		d->exiting = false;
	}
	p->exceptions = d->exiting ? BIT(1) : 0; /* (the machine's kprotect never steps) */
	p->proc =
		(p->proc & ~CPU_BASED_MOV_DR_EXITING) |
		(on || (x.hv.ctls.proc & CPU_BASED_MOV_DR_EXITING) ? CPU_BASED_MOV_DR_EXITING : 0);
}

/* MOV to or from DRn (SDM Vol. 2; the exit comes before its faults): DR4
 * and DR5 are #UD with CR4.DE, else DR6 and DR7; #GP at CPL > 0; with
 * DR7.GD a #DB (BD in DR6, GD cleared); the guest reads its own DR7; 1s in
 * DR6's or DR7's upper half are #GP; DR7's fixed bits as the CPU keeps
 * them. */
static void predict_dr_access(void)
{
	struct prediction *p = &x.p;
	unsigned int n = x.q & 7, gpr = (x.q >> 8) & 15;
	u64 value;

	if ((n == 4 || n == 5) && (x.cr4 & BIT(3))) {
		p->inject = INJ_UD;
		return;
	}
	if (x.cpl) {
		p->inject = INJ_GP;
		return;
	}
	if ((p->v.dr.exiting ? p->v.dr.dr7 : x.dr7) & BIT(13)) {
		p->v.dr.dr7 &= ~BIT(13);
		p->dr7 &= ~BIT(13);
		p->dr[6] = (p->dr[6] & ~0xfULL) | BIT(13);
		p->inject = INJ_DB;
		return;
	}
	if (n == 4 || n == 5)
		n += 2;
	if (x.q & BIT(4)) {
		value = n == 7 ? (p->v.dr.exiting ? p->v.dr.dr7 : x.dr7) : p->dr[n];
		if (gpr == 4)
			p->rsp = value;
		else
			((u64 *)&p->r)[gpr] = value;
		p->skip = true;
		return;
	}
	value = gpr == 4 ? x.rsp : ((const u64 *)&x.r)[gpr];
	if (n >= 6 && (value >> 32)) {
		p->inject = INJ_GP;
		return;
	}
	if (n == 7) {
		value = (value | BIT(10)) & ~(BIT(11) | BIT(12) | BIT(14) | BIT(15));
		if (p->v.dr.exiting)
			p->v.dr.dr7 = value;
		else
			p->dr7 = value;
	} else {
		p->dr[n] = value;
	}
	if (n != 6 && p->v.dr.exiting)
		p->dr7 = model_dr_filter(n == 7 ? 0xf : 1u << n);
	p->skip = true;
}

/* A #DB exit (dr.c), under the exception bitmap while the window is
 * protected: dropped with RF when its RIP is in the window's code (the
 * trampolines, the analyzer), else the guest's, its hits in DR6. Any other
 * exception or NMI exit is not the hypervisor's to take. */
static void predict_exception(void)
{
	struct prediction *p = &x.p;

	if ((x.intr_info & 0x7ff) != (INTR_TYPE_HARD_EXCEPTION | 1) || !p->v.dr.exiting) {
		p->outcome = OUT_FATAL;
		return;
	}
	if (x.rip - p->window_va < FVX_WIN_CODE + FVX_WIN_CODE_SIZE) {
		p->rf = true;
		p->v.dr.refused++;
		if (p->v.dr.logged < 16)
			p->v.dr.logged++;
		return;
	}
	p->dr[6] = (p->dr[6] & ~0xfULL) | (x.q & 0x600f);
	p->inject = INJ_DB;
}

static void predict_sync(void)
{
	struct prediction *p = &x.p;
	bool on = p->hv.ptp.active;

	if (p->v.ptp.generation == p->hv.ptp.generation)
		return;
	p->v.ptp.generation = p->hv.ptp.generation;
	p->synced = true;
	p->proc = (p->proc & ~CPU_BASED_CR3_LOAD_EXITING) |
		  (on || (x.hv.ctls.proc & CPU_BASED_CR3_LOAD_EXITING) ? CPU_BASED_CR3_LOAD_EXITING
								       : 0);
	p->v.ptp.checking = on;
	p->v.tsc.look_wanted = on; /* (the machine has no preemption timer to switch on) */
	predict_dt_sync(on);
	predict_dr_sync(on);
	p->invept++;
	if (on)
		predict_check_loaded();
}

/* ---- timing (tsc.c) ---- */

/* The CPU's TSC now: each RDTSC of the exit adds one. */
static u64 model_now(void)
{
	return x.cpu.tsc + x.p.tsc;
}

static void model_timer(void)
{
	if (x.p.deadline && model_now() >= x.p.deadline) {
		x.p.deadline = 0;
		x.p.deadline_fires++;
	}
}

/* The TSC moves on, and a deadline it reaches fires then: before a write
 * that follows could replace it. */
static u64 model_rdtsc(void)
{
	x.p.tsc++;
	model_timer();
	return model_now();
}

static void model_deadline_write(u64 value)
{
	x.p.deadline = value;
	x.p.deadline_writes++;
	model_timer();
}

/* IA32_TSC_DEADLINE reads as the guest wrote it until it fired (judged by
 * the TSC: the CPU's MSR is never read back, Bochs keeps a fired one); TSC_ADJUST
 * as written, #GP on a CPU without it. False for other MSRs. */
static bool predict_tsc_msr_read(u32 msr, u64 *value)
{
	const struct tsc_cpu *t = &x.p.v.tsc;

	if (msr == MSR_IA32_TSC_DEADLINE) {
		*value = t->armed > model_rdtsc() ? t->deadline : 0;
		return true;
	}
	if (msr == MSR_IA32_TSC_ADJUST) {
		if (!t->has_adjust)
			x.p.inject = INJ_GP;
		*value = t->tsc_adjust;
		return true;
	}
	return false;
}

/* A guest write of its TSC: what the CPU owed the others is let off. */
static void model_level_after_write(void)
{
	struct tsc_cpu *t = &x.p.v.tsc;
	u64 most = x.p.hv.tsc.most_hidden;

	if (most > t->level) {
		t->forgiven += most - t->level;
		t->level = most;
	}
}

/* The deadline in guest time: on the CPU in host time with today's offset,
 * 1 (fire now) when the guest's TSC already passed it, 0 when off. IA32_TSC
 * and TSC_ADJUST move the offset, never the CPU's TSC (SDM 17.17.3). */
static bool predict_tsc_msr_write(u32 msr, u64 value)
{
	struct prediction *p = &x.p;
	struct tsc_cpu *t = &p->v.tsc;

	if (msr == MSR_IA32_TSC_DEADLINE) {
		t->deadline = value;
		if (value && value <= model_rdtsc() + p->offset)
			value = 1;
		else if (value)
			value -= p->offset;
		model_deadline_write(value);
		t->armed = value;
	} else if (msr == MSR_IA32_TSC) {
		p->offset = value - model_rdtsc();
		p->tsc_written = true;
		model_level_after_write();
	} else if (msr == MSR_IA32_TSC_ADJUST) {
		if (!t->has_adjust) {
			p->inject = INJ_GP;
			return true;
		}
		p->offset += value - t->tsc_adjust;
		t->tsc_adjust = value;
		p->tsc_written = true;
		model_level_after_write();
	} else {
		return false;
	}
	p->skip = true;
	return true;
}

/* Last on every exit that resumes: the offset moves back by the exit's
 * time (from the stub's RDTSC to this one) plus the transition cost, and a
 * deadline still armed follows it (fired: left alone; passed in the
 * guest's time, after a write of IA32_TSC: fires now). A CPU behind the
 * most hypervisor time any CPU hid (let off what it owes beyond the
 * largest debt) reads its TSC until it is level, or a quantum more, or its
 * deadline still to come, and that time goes too, never more than it owed;
 * one ahead of it sets it. The preemption timer's exit of a CPU that was
 * level hides nothing. (The machine has no preemption timer control:
 * nothing brings a CPU back by itself.) */
static struct fvx_tsc_slot *slot_expected(void);

static void predict_follow(void);
static struct tsc_space *model_join(u64 key);
static bool model_hiding(void);
static u64 model_key(u64 cr3);

/* An exit-mode trace's recording (event_call) is the analyzer's time: the
 * offset stays; while hiding, its time to the last reading, the transition
 * and the kernel's work go to the address space (joining the table), and
 * RDTSC exiting follows at once. */
static void predict_analyzer_exit(void)
{
	struct prediction *p = &x.p;
	struct tsc_cpu *t = &p->v.tsc;
	struct tsc_space *e;
	u64 ticks;

	t->analyzer_exit = false;
	p->analyzers = true;
	if (model_hiding()) {
		e = model_join(model_key(p->cr3));
		e->used = ++p->hv.tsc.clock;
		ticks = model_rdtsc() - t->exit_tsc + t->transition + t->analyzer_extra;
		e->hidden += ticks;
		t->analyzer += ticks;
		predict_follow();
	}
	t->resumed = model_rdtsc() + p->offset;
}

static void predict_hide_exit(void)
{
	struct prediction *p = &x.p;
	struct tsc_cpu *t = &p->v.tsc;
	u64 now, spent, start, until, owed, level;
	u64 *most = &p->hv.tsc.most_hidden;

	if (t->analyzer_exit) {
		predict_analyzer_exit();
		return;
	}
	now = model_rdtsc();
	spent = now - t->exit_tsc + t->transition;
	start = now;

	if (*most > t->level + TSC_EVEN_DEBT_MAX) {
		t->forgiven += *most - TSC_EVEN_DEBT_MAX - t->level;
		t->level = *most - TSC_EVEN_DEBT_MAX;
	}
	if (t->level + spent < *most) {
		p->caught_up = true;
		owed = *most - t->level - spent;
		until = now + (owed < TSC_EVEN_QUANTUM ? owed : TSC_EVEN_QUANTUM);
		if (t->deadline && t->armed > start && t->armed < until)
			until = t->armed;
		while (now < until)
			now = model_rdtsc();
		t->evened += now - start;
	}
	if (x.basic == EXIT_REASON_PREEMPTION_TIMER && !p->caught_up && p->hv.tsc.call_back) {
		spent = 0; /* only looked: stays in the guest's time */
	} else {
		/* The mark first, then the last reading. */
		level = t->level + now - t->exit_tsc + t->transition;
		if (*most < level)
			*most = level;
		now = model_rdtsc();
		spent = now - t->exit_tsc + t->transition;
	}
	p->offset -= spent;
	slot_expected()->host = -p->offset;
	t->hidden += spent;
	t->level += spent;
	t->resumed = now + p->offset;
	if (t->deadline && t->armed > now) {
		t->armed = t->deadline > now + p->offset ? t->deadline - p->offset : 1;
		model_deadline_write(t->armed);
		t->rearmed++;
	}
}

static s64 tsc_calibrate_call(void)
{
	if (x.r.rbx != UNLOAD_KEY) {
		x.p.v.bad_unload_keys++;
		return FVX_VMCALL_EPERM;
	}
	if (x.r.rcx > TSC_TRANSITION_MAX)
		return FVX_VMCALL_EINVAL;
	x.p.v.tsc.transition = x.r.rcx;
	return FVX_VMCALL_OK;
}

/* ---- the analyzer's time (tsc.c) ---- */

/* The table's key for an address space: its PML4 (CR3 bits 51:12). */
static u64 model_key(u64 cr3)
{
	return (cr3 & PTE_ADDR) | TSC_SPACE_USED;
}

static struct tsc_space *model_space(u64 key)
{
	unsigned int i;

	for (i = 0; i < TSC_SPACES; i++)
		if (x.p.hv.tsc.space[i].key == key)
			return &x.p.hv.tsc.space[i];
	return NULL;
}

/* Analyzer time is hidden while some CPU traces, where RDTSC exiting can
 * be switched. */
static bool model_hiding(void)
{
	return x.p.hv.tsc.rdtsc_exiting && x.p.hv.trace_hide_time && x.p.hv.tracing_cpus;
}

static struct fvx_tsc_slot *slot_expected(void)
{
	return window_expected(FVX_WIN_STACK_TOP(x.c), sizeof(struct fvx_tsc_slot));
}

/* First, on a CPU that hides: what the trampoline measured goes to the
 * address space that ran (its PML4 in the table; dropped when it is not
 * there), at most the guest time since the last resume; the slot is
 * emptied. */
static void predict_harvest(void)
{
	struct prediction *p = &x.p;
	const struct fvx_tsc_slot *now = (const void *)(m.window + FVX_WIN_STACK_TOP(x.c));
	u64 ticks = now->hidden, most;
	struct tsc_space *e;

	if (!x.v[x.c].tsc.hiding || !ticks)
		return;
	slot_expected()->hidden = 0;
	most = x.v[x.c].tsc.exit_tsc + x.offset - x.v[x.c].tsc.resumed;
	if ((s64)most < 0)
		most = 0;
	if (ticks > most)
		ticks = most;
	e = ticks ? model_space(model_key(x.cr3)) : NULL;
	if (!e)
		return;
	e->hidden += ticks;
	e->used = ++p->hv.tsc.clock;
	p->v.tsc.analyzer += ticks;
}

/* Last before the TSC is hidden, on an exit that resumes with another
 * address space or a changed table: RDTSC exiting on exactly while an
 * address space of the table runs (unless the CPU cannot clear it); one
 * that ran here without it may have read the guest's TSC up to now, and
 * never reads less; the slot emptied as hiding starts; the trampoline
 * asked to track an address space the table lacks. */
static void predict_follow(void)
{
	struct prediction *p = &x.p;
	struct tsc_cpu *t = &p->v.tsc;
	struct tsc_state *s = &p->hv.tsc;
	u64 key = model_key(p->cr3), now = x.v[x.c].tsc.exit_tsc + p->offset;
	bool hide = model_hiding(), on = false, track;
	struct tsc_space *e;

	if (key == t->space && s->generation == t->generation)
		return;
	if (hide) {
		e = t->exiting ? NULL : model_space(t->space);
		if (e && e->last < now)
			e->last = now;
		on = model_space(key) != NULL;
		if (!t->hiding)
			slot_expected()->hidden = 0;
	}
	t->space = key;
	t->generation = s->generation;
	t->hiding = hide;
	if (on != t->exiting) {
		p->proc =
			(p->proc & ~CPU_BASED_RDTSC_EXITING) |
			(on || (x.hv.ctls.proc & CPU_BASED_RDTSC_EXITING) ? CPU_BASED_RDTSC_EXITING
									  : 0);
		t->exiting = on;
		p->tsc_followed = true;
	}
	track = hide && !on;
	if (track != t->track) {
		slot_expected()->track = track;
		t->track = track;
	}
}

/* TSC_TRACK, from this CPU's copy before its exit-mode entry: while
 * hiding, the address space that runs joins the table (a free entry, or
 * the one used longest ago, counted as evicted), and every CPU decides
 * anew. */
static struct tsc_space *model_join(u64 key);

static s64 tsc_track_call(void)
{
	u64 copy = config()->window_va + FVX_WIN_TRAMPOLINE + x.c * FVX_WIN_TRAMPOLINE_STRIDE;
	u64 key = model_key(x.cr3);

	if (x.rip - copy >= FVX_WIN_TRAMPOLINE_EXIT)
		return FVX_VMCALL_EPERM;
	if (model_hiding())
		model_join(key);
	return FVX_VMCALL_OK;
}

/* The table's entry for key: added when it lacks it (a free entry, or the
 * one used longest ago, counted as evicted), and every CPU decides anew. */
static struct tsc_space *model_join(u64 key)
{
	struct tsc_state *s = &x.p.hv.tsc;
	struct tsc_space *e = model_space(key);
	unsigned int i;

	if (e)
		return e;
	e = model_space(0);
	if (e) {
		s->count++;
	} else {
		for (e = &s->space[0], i = 1; i < TSC_SPACES; i++)
			if (s->space[i].used < e->used)
				e = &s->space[i];
		s->evicted++;
	}
	*e = (struct tsc_space){ .key = key, .used = ++s->clock };
	s->generation++;
	return e;
}

/* The first CPU to trace or the last to stop: every CPU decides anew; at
 * the end the table is emptied. */
static void model_tracing_changed(void)
{
	struct tsc_state *s = &x.p.hv.tsc;
	unsigned int i;

	if (!x.p.hv.tracing_cpus) {
		for (i = 0; i < TSC_SPACES; i++)
			s->space[i].key = 0;
		s->count = 0;
	}
	s->generation++;
}

/* RDTSC and RDTSCP: the guest's TSC when the exit began; for user code
 * outside the vDSO's page (by the model's own walk), less the hidden time
 * of its address space, never less than that address space read before;
 * RDTSCP's ECX is IA32_TSC_AUX. */
static bool walk(u64 cr3, u64 va, u64 *gpa);

static void predict_rdtsc(void)
{
	struct prediction *p = &x.p;
	u64 value = x.v[x.c].tsc.exit_tsc + x.offset, gpa;
	bool vdso = walk(x.cr3, x.rip, &gpa) && gpa - VDSO_GPA < PAGE;
	struct tsc_space *e;

	if (x.cpl == 3 && !vdso && (e = model_space(model_key(x.cr3)))) {
		value = value > e->hidden ? value - e->hidden : 0;
		if (value < e->last)
			value = e->last;
		e->last = value;
		e->used = ++p->hv.tsc.clock;
		p->v.tsc.adjusted++;
	}
	p->r.rax = (u32)value;
	p->r.rdx = value >> 32;
	if (x.basic == EXIT_REASON_RDTSCP)
		p->r.rcx = (u32)x.cpu.tsc_aux;
	p->skip = true;
}

/* Whether a trace is sealed: reads the TSC only when one could be. */
static bool model_sealed(void)
{
	if (!x.p.hv.seal_until || !x.p.hv.tracing_cpus)
		return false;
	x.p.tsc++;
	return x.cpu.tsc + x.p.tsc < x.p.hv.seal_until;
}

static s64 refuse_sealed(void)
{
	x.p.v.sealed_refusals++;
	return FVX_VMCALL_EPERM;
}

static void release_protection(void)
{
	if (!x.p.hv.ptp.active)
		return;
	x.p.hv.ptp.active = false;
	x.p.hv.ptp.epoch++; /* (the machine guards no loaded table: no tables set aside) */
	x.p.hv.ptp.generation++;
}

/* Configure's second half: the window's PML4E and PDPTE found in the
 * configuring CPU's tables and checked; false when refused. */
static bool protect_window(u64 window_va)
{
	struct ptp_state *p = &x.p.hv.ptp;
	u64 pml4 = x.cr3 & PTE_ADDR, e, d, pdpt;
	unsigned int i4 = (window_va >> 39) & 511, i3 = (window_va >> 30) & 511, view;

	if (x.cr4 & CR4_LA57)
		return false;
	if (!table_entry_ok(pml4, i4) || !model_read64(pml4 + i4 * 8, &e))
		return false;
	pdpt = e & PTE_ADDR;
	if (!(e & PTE_P) || (e & PTE_PS) || pdpt == pml4)
		return false;
	if (!table_entry_ok(pdpt, i3) || !model_read64(pdpt + i3 * 8, &d))
		return false;
	if ((d & (PTE_P | PTE_RW | PTE_US | PTE_PS | PTE_XD)) != (PTE_P | PTE_RW | PTE_PS) ||
	    (d & 0x000fffffc0000000ULL) != WINDOW_GPA || (d & 0x3fffe000ULL))
		return false;
	p->pml4_index = i4;
	p->pdpt_index = i3;
	p->pml4e = e;
	p->pdpte = d;
	p->pdpt_gpa = pdpt;
	/* All RAM is in the first 2 MiB: the first protection splits the
	 * 1 GiB EPT page down to 4 KiB in each view, with all four reserve
	 * pages; later ones find 4 KiB leaves. The leaves' addresses are
	 * checked against the tables after the exit (check_ept). */
	p->reserve.used = p->reserve.size;
	for (view = 0; view < 2; view++)
		p->leaf_saved[view] = pdpt | (MEMTYPE_WB << EPT_MEMTYPE_SHIFT) | EPT_RWX;
	p->active = true;
	p->generation++;
	x.p.protected_now = true;
	return true;
}

/* The EPT tables in the pool, walked here: every RAM page maps to itself,
 * write-back and RWX, except the protected PDPT page, which is not
 * writable in either view while the protection is active. The leaves the
 * hypervisor keeps are that page's. */
static const u64 *ept_oracle_leaf(unsigned int view, u64 gpa, unsigned int *level)
{
	u64 table = POOL_EPT_PML4(view), *t, e;
	int l;

	for (l = 4; l >= 1; l--) {
		if (table - POOL_PA >= POOL_SIZE)
			return NULL;
		t = (u64 *)(m.pool + (table - POOL_PA));
		e = t[(gpa >> (12 + 9 * (l - 1))) & 511];
		if (!(e & EPT_RWX))
			return NULL;
		if (l == 1 || (e & EPT_LARGE)) {
			*level = l;
			return &t[(gpa >> (12 + 9 * (l - 1))) & 511];
		}
		table = e & EPT_ADDR_MASK;
	}
	return NULL;
}

static void check_ept(void)
{
	const struct ptp_state *p = &m.hv.ptp;
	unsigned int view, level;
	u64 gpa, size, want;
	const u64 *e;

	for (view = 0; view < 2; view++)
		for (gpa = 0; gpa < RAM_TOP; gpa += PAGE) {
			if (!ram_ok(gpa, PAGE))
				continue;
			e = ept_oracle_leaf(view, gpa, &level);
			if (!e)
				fuzz_fail("EPT view %u: RAM page %#llx unmapped", view, gpa);
			size = 1ULL << (12 + 9 * (level - 1));
			want = p->active && gpa == p->pdpt_gpa ? EPT_READ | EPT_EXEC : EPT_RWX;
			if (((*e & EPT_ADDR_MASK & ~(size - 1)) | (gpa & (size - 1))) != gpa ||
			    (*e & EPT_RWX) != want || ((*e >> EPT_MEMTYPE_SHIFT) & 7) != MEMTYPE_WB)
				fuzz_fail("EPT view %u: page %#llx maps as %#llx (level %u)", view,
					  gpa, *e, level);
			if (p->active && gpa == p->pdpt_gpa && (level != 1 || e != p->leaf[view]))
				fuzz_fail("EPT view %u: the protected page's leaf is %p, not %p",
					  view, (void *)p->leaf[view], (void *)e);
		}
}

/* Every field of struct fvx_cpu_status is predicted below: a new one (a new
 * FVX_CPU_STATUS_VERSION) needs its line there before this builds again. */
_Static_assert(FVX_CPU_STATUS_VERSION == 7 &&
		       sizeof(struct fvx_cpu_status) == 56 + 8 * FVX_EXIT_REASON_COUNT + 30 * 8,
	       "status_call predicts every field of struct fvx_cpu_status v7");

static s64 status_call(void)
{
	struct prediction *p = &x.p;
	u64 cpu = x.r.rbx, gpa = x.r.rcx, size = x.r.rdx;
	struct fvx_cpu_status s;
	const struct vcpu *of;

	if (cpu >= CPUS || size < sizeof(s) || size > PAGE || (gpa & (PAGE - 1)) + size > PAGE ||
	    !ram_ok(gpa, size))
		return FVX_VMCALL_EINVAL;
	of = cpu == x.c ? &p->v : &x.v[cpu];
	s = (struct fvx_cpu_status){ .version = FVX_CPU_STATUS_VERSION,
				     .size = sizeof(s),
				     .cpu = cpu,
				     .cpu_count = CPUS,
				     .features = FVX_FEATURE_EPT | FVX_FEATURE_VPID |
						 FVX_FEATURE_MSR_BITMAP | FVX_FEATURE_HIDDEN_MEMORY,
				     .hv_base = POOL_PA,
				     .hv_size = POOL_SIZE,
				     .vmcalls = of->vmcalls,
				     .exits_total = of->exits_total,
				     .view_attacks = of->attacks,
				     .cr3_loads = of->ptp.count.cr3_loads,
				     .pml4e_repaired = of->ptp.count.pml4e_repaired,
				     .pdpte_repaired = of->ptp.count.pdpte_repaired,
				     .cr3_refused = of->ptp.count.cr3_refused,
				     .pdpt_writes_emulated = of->ptp.count.pdpt_writes_emulated,
				     .pdpt_writes_refused = of->ptp.count.pdpt_writes_refused,
				     .loaded_repaired = of->ptp.count.loaded_repaired,
				     .table_writes_emulated = of->ptp.count.table_writes_emulated,
				     .table_writes_refused = of->ptp.count.table_writes_refused,
				     .tables_unguarded = of->ptp.count.tables_unguarded,
				     .loaded_refused = of->ptp.count.loaded_refused,
				     .breakpoints_refused = of->dr.refused,
				     .sealed_refusals = of->sealed_refusals,
				     .bad_unload_keys = of->bad_unload_keys,
				     .msr_writes_shadowed = of->msr_writes_shadowed,
				     .dt_loads_refused = of->dt_loads_refused,
				     .kernel_writes_refused = of->kernel_writes_refused,
				     .text_pokes = of->text_pokes,
				     .resume_tampered = of->resume_tampered,
				     .tsc_transition = of->tsc.transition,
				     .tsc_hidden = of->tsc.hidden,
				     .rdtsc_exits = of->exits[EXIT_REASON_RDTSC] +
						    of->exits[EXIT_REASON_RDTSCP],
				     .rdtsc_adjusted = of->tsc.adjusted,
				     .tsc_analyzer = of->tsc.analyzer,
				     .tsc_spaces = p->hv.tsc.count,
				     .tsc_evicted = p->hv.tsc.evicted,
				     .tsc_deadline_rearms = of->tsc.rearmed,
				     .tsc_evened = of->tsc.evened,
				     .tsc_forgiven = of->tsc.forgiven };
	if (of->ptp.checking)
		s.features |= FVX_FEATURE_PT_PROTECT;
	memcpy(s.exits, of->exits, sizeof(s.exits));
	memcpy(ram_expected(gpa, sizeof(s)), &s, sizeof(s));
	return FVX_VMCALL_OK;
}

static s64 window_info_call(void)
{
	u64 gpa = x.r.rbx;
	struct fvx_window_info w = { .version = FVX_WINDOW_INFO_VERSION,
				     .size = sizeof(w),
				     .window_gpa = WINDOW_GPA,
				     .backed = WINDOW_SIZE,
				     .geometry = config()->geometry };

	if ((gpa & (PAGE - 1)) + sizeof(w) > PAGE || !ram_ok(gpa, sizeof(w)))
		return FVX_VMCALL_EINVAL;
	memcpy(ram_expected(gpa, sizeof(w)), &w, sizeof(w));
	return FVX_VMCALL_OK;
}

static void add32(u8 *p, u32 v)
{
	u32 old;

	memcpy(&old, p, 4);
	old += v;
	memcpy(p, &old, 4);
}

/* A CPU's trampoline copy as trampoline.h describes its fixups. */
static void trampoline_copy(unsigned int cpu, u64 window_va, u64 scratch,
			    const struct fvx_task_layout *task)
{
	u64 size = fvx_trampoline_end - fvx_trampoline, i, top;
	u8 *t = window_expected(cpu * FVX_WIN_TRAMPOLINE_STRIDE, FVX_WIN_TRAMPOLINE_STRIDE);
	const struct trampoline_fixup *f;

	for (i = 0; i < FVX_WIN_TRAMPOLINE_STRIDE; i++)
		t[i] = i < size ? fvx_trampoline[i] : 0xcc;
	for (f = fvx_trampoline_fixups; f < fvx_trampoline_fixups_end; f++) {
		switch (f->kind) {
		case FIX_SCRATCH: add32(t + f->end - 4, (u32)scratch); break;
		case FIX_CONFIG:
			add32(t + f->end - 4, -(u32)(cpu * FVX_WIN_TRAMPOLINE_STRIDE));
			break;
		case FIX_STACK_TOP:
			top = window_va + FVX_WIN_STACKS + (cpu + 1) * FVX_WIN_STACK_SIZE -
			      sizeof(struct fvx_tsc_slot);
			memcpy(t + f->end - 8, &top, 8);
			break;
		case FIX_CPU: memcpy(t + f->end - 4, &cpu, 4); break;
		case FIX_TSC:
			add32(t + f->end - 4,
			      cpu * (FVX_WIN_STACK_SIZE - FVX_WIN_TRAMPOLINE_STRIDE));
			break;
		case FIX_CONFIG_IMM8:
			add32(t + f->end - 5, -(u32)(cpu * FVX_WIN_TRAMPOLINE_STRIDE));
			break;
		case FIX_MARK:
		case FIX_WATCH:
		case FIX_WATCHED:
		case FIX_DEFER:
		case FIX_UNDEFER:
		case FIX_TP:
		case FIX_TP_WATCH:
		case FIX_TP_ON:
		case FIX_TP_OFF:
		case FIX_PENDING_ON:
		case FIX_PENDING_OFF:
		case FIX_NOTIFY_ON:
		case FIX_NOTIFY_OFF: {
			u32 byte = (f->kind == FIX_MARK ? task->mark
				    : f->kind == FIX_PENDING_ON || f->kind == FIX_PENDING_OFF
					    ? task->pending
				    : f->kind == FIX_NOTIFY_ON || f->kind == FIX_NOTIFY_OFF
					    ? task->notify
					    : task->tracepoint) /
				   8;
			u8 bit = (u8)(1u << (task->mark % 8)),
			   tp = (u8)(1u << (task->tracepoint % 8)),
			   pending = (u8)(1u << (task->pending % 8)),
			   notify = (u8)(1u << (task->notify % 8));

			memcpy(t + f->end - 5, &byte, 4);
			t[f->end - 1] = f->kind == FIX_MARK	     ? bit
					: f->kind == FIX_WATCH	     ? task->watch | task->defer
					: f->kind == FIX_WATCHED     ? task->watch
					: f->kind == FIX_DEFER	     ? task->defer
					: f->kind == FIX_UNDEFER     ? (u8)~task->defer
					: f->kind == FIX_TP_WATCH    ? tp | task->watch
					: f->kind == FIX_TP_OFF	     ? (u8)~tp
					: f->kind == FIX_PENDING_ON  ? pending
					: f->kind == FIX_PENDING_OFF ? (u8)~pending
					: f->kind == FIX_NOTIFY_ON   ? notify
					: f->kind == FIX_NOTIFY_OFF  ? (u8)~notify
								     : tp;
			break;
		}
		case FIX_PTRACE: memcpy(t + f->end - 5, &task->ptrace, 4); break;
		}
	}
}

/* What the config's flags say for an analyzer and the trace's drop flag,
 * target and seal: nothing lost (FVX_CONFIG_RETRY) when the trace does not
 * drop and the analyzer reports a full ring (FVX_ANALYZER_F_WAIT); only
 * marked tasks (FVX_CONFIG_TASK_MARKS) when the trace has a target and no
 * seal; deferred calls (FVX_CONFIG_DEFER) without a seal; the analyzer
 * view's time measured (FVX_CONFIG_MEASURE) when the trace hides it on a
 * machine that can, else quick calls recorded whole (FVX_CONFIG_QUICK) when
 * the analyzer can. */
static u32 config_flags(const struct fvx_analyzer_header *h, bool drop, u32 target, u64 seal_until,
			bool all_fast, bool measure)
{
	return (!drop && (h->flags & FVX_ANALYZER_F_WAIT) ? FVX_CONFIG_RETRY : 0) |
	       (measure ? FVX_CONFIG_MEASURE : 0) |
	       (!measure && (h->flags & FVX_ANALYZER_F_WHOLE) ? FVX_CONFIG_QUICK : 0) |
	       (target && !seal_until ? FVX_CONFIG_TASK_MARKS : 0) |
	       (target && !seal_until && all_fast ? FVX_CONFIG_FAST_SKIP : 0) |
	       (!seal_until ? FVX_CONFIG_DEFER : 0);
}

/* Whether every CPU runs a fast trace through a window with its IDT
 * (trace_ctl.c's all_fast): modes as given, this exit's CPU's `mode`. */
static bool modes_all_fast(bool window_idt, const struct vcpu *v, u32 mode)
{
	unsigned int c;

	if (!window_idt)
		return false;
	for (c = 0; c < CPUS; c++)
		if ((c == x.c ? mode : v[c].trace_mode) != FVX_MODE_FAST)
			return false;
	return true;
}

/* The analyzer's entry points as window addresses (no return entry: 0),
 * and the config's flags, with the trace's drop flag as predicted. */
static void publish_entries(struct fvx_config *c, u64 window_va, const void *image)
{
	const struct fvx_analyzer_header *h = image;

	c->analyzer_entry = window_va + FVX_WIN_CODE + h->entry;
	c->return_entry = h->return_entry ? window_va + FVX_WIN_CODE + h->return_entry : 0;
	c->flags = config_flags(h, x.p.hv.trace_drop, c->filter.target_tgid, x.p.hv.seal_until,
				modes_all_fast(x.p.hv.window_idt, x.v, x.p.v.trace_mode),
				x.p.hv.trace_hide_time && x.p.hv.tsc.rdtsc_exiting);
}

/* The window's IDT, as trace_ctl.c writes it: Linux's page (the IDT
 * recorded at load page-aligned and one page; the page the loader named,
 * hv.idt_page, never what CR3 maps) with vector 0x80 sent to the window's int $0x80 entry,
 * if that gate is present with a kernel handler, which the config then
 * names with SYSENTER_EIP's host field; nothing written otherwise. */
static bool window_idt_copy(struct fvx_config *c, u64 window_va)
{
	const struct dt_table *t = &x.v[x.c].dt.table[DT_IDT];
	u64 gpa = m.hv.idt_page, lo, hi, handler, entry = window_va + FVX_WIN_TRAMPOLINE_INT80,
	    *idt;

	if (t->limit != PAGE - 1 || (t->base & (PAGE - 1)) || !gpa || (gpa & (PAGE - 1)) ||
	    !ram_ok(gpa, PAGE))
		return false;
	memcpy(&lo, m.ram + gpa + 0x80 * 16, 8);
	memcpy(&hi, m.ram + gpa + 0x80 * 16 + 8, 8);
	handler = (lo & 0xffff) | ((lo >> 32) & 0xffff0000) | (hi << 32);
	if (!(lo & (1ULL << 47)) || handler >> 47 != 0x1ffff)
		return false;
	idt = window_expected(FVX_WIN_IDT, PAGE);
	memcpy(idt, m.ram + gpa, PAGE);
	idt[0x100] = (lo & 0x0000ffffffff0000ULL) | (entry & 0xffff) | ((entry & 0xffff0000) << 32);
	idt[0x101] = (hi & ~0xffffffffULL) | (entry >> 32);
	c->forward_int80 = handler;
	c->forward_sysenter = m.vmcs[x.c][HOST_IA32_SYSENTER_EIP];
	return true;
}

static s64 configure_call(void)
{
	struct fvx_agent_config a;
	struct fvx_config *c;
	unsigned int cpu;

	if (model_sealed())
		return refuse_sealed();
	if (x.hv.tracing_cpus)
		return FVX_VMCALL_EBUSY;
	if (!ram_ok(x.r.rbx, sizeof(a)))
		return FVX_VMCALL_EINVAL;
	memcpy(&a, m.ram + x.r.rbx, sizeof(a));
	/* The agent config's rules as trace_ctl.c states them. */
	if (a.version != FVX_AGENT_CONFIG_VERSION || a.size != sizeof(a) ||
	    (a.window_va & (GIB - 1)) || a.window_va < KERNEL_HALF ||
	    a.scratch_percpu > 0x7fff0000ULL || a.task.pid > 0x10000 || a.task.tgid > 0x10000 ||
	    a.task.real_parent > 0x10000 || a.task.ptrace > 0x10000 - 4 || a.task.mark >= 0x80000 ||
	    a.task.tracepoint >= 0x80000 || a.task.mark < 8 || a.task.tracepoint < 8 ||
	    a.task.reserved || a.task.reserved2 || a.task.mark == a.task.tracepoint ||
	    (a.task.mark / 8 == a.task.tracepoint / 8 &&
	     ((a.task.watch | a.task.defer) & (1u << (a.task.mark % 8)))) ||
	    (a.task.defer & (a.task.defer - 1)) || (!a.task.defer && a.task.watch) ||
	    ((a.task.watch | a.task.defer) & (1u << (a.task.tracepoint % 8))) ||
	    (a.task.watch & a.task.defer) || a.task.pending < 8 || a.task.pending >= 0x80000 ||
	    a.task.notify < 8 || a.task.notify >= 0x80000 || a.task.pending == a.task.notify ||
	    a.task.pending == a.task.mark || a.task.notify == a.task.mark ||
	    a.task.pending / 8 == a.task.tracepoint / 8 ||
	    a.task.notify / 8 == a.task.tracepoint / 8)
		return FVX_VMCALL_EINVAL;
	for (cpu = 0; cpu < CPUS; cpu++)
		trampoline_copy(cpu, a.window_va, a.scratch_percpu, &a.task);
	c = config_expected();
	x.p.hv.window_idt = window_idt_copy(c, a.window_va);
	c->window_va = a.window_va;
	x.p.window_va = a.window_va;
	c->consumer_va = a.consumer_va;
	c->task = a.task;
	c->forward = x.v[x.c].guest_lstar;
	if (x.hv.analyzer_loaded)
		publish_entries(c, a.window_va, m.window + FVX_WIN_CODE);
	x.p.hv.configured = true;
	/* Then the protection: an earlier window's released, this one's
	 * entries checked; unprotected, the window is not configured. */
	release_protection();
	if (!protect_window(a.window_va)) {
		x.p.hv.configured = false;
		predict_sync();
		return FVX_VMCALL_EINVAL;
	}
	predict_sync();
	return FVX_VMCALL_OK;
}

static s64 unconfigure_call(void)
{
	if (model_sealed())
		return refuse_sealed();
	if (x.hv.tracing_cpus)
		return FVX_VMCALL_EBUSY;
	x.p.hv.configured = false;
	release_protection();
	predict_sync();
	return FVX_VMCALL_OK;
}

static s64 analyzer_load_call(void)
{
	u64 gpa = x.r.rbx, size = x.r.rcx;
	enum analyzer_image_error e;
	u8 *code;

	if (model_sealed())
		return refuse_sealed();
	if (x.hv.tracing_cpus)
		return FVX_VMCALL_EBUSY;
	if (size > FVX_WIN_CODE_SIZE || !ram_ok(gpa, size))
		return FVX_VMCALL_EINVAL;
	code = window_expected(FVX_WIN_CODE, FVX_WIN_CODE_SIZE);
	e = analyzer_image_check(m.ram + gpa, size, FVX_WIN_CODE_SIZE);
	memset(code, 0, FVX_WIN_CODE_SIZE);
	if (e == ANALYZER_OK)
		memcpy(code, m.ram + gpa, size);
	x.p.hv.analyzer_loaded = e == ANALYZER_OK;
	config_expected()->analyzer_entry = 0;
	config_expected()->return_entry = 0;
	if (e == ANALYZER_OK && x.hv.configured)
		publish_entries(config_expected(), config()->window_va, code);
	if (e != ANALYZER_OK) {
		x.p.r.rbx = e;
		return FVX_VMCALL_EINVAL;
	}
	return FVX_VMCALL_OK;
}

static s64 filter_call(void)
{
	struct fvx_trace_request q;
	struct fvx_config *c;
	unsigned int cpu;

	if (model_sealed())
		return refuse_sealed();
	if (x.hv.tracing_cpus)
		return FVX_VMCALL_EBUSY;
	if (!ram_ok(x.r.rbx, sizeof(q)))
		return FVX_VMCALL_EINVAL;
	memcpy(&q, m.ram + x.r.rbx, sizeof(q));
	/* Version 4: flags only FVX_TRACE_FLAGS; a hidden cost per call of at
	 * most 100,000 ticks, with FVX_TRACE_HIDE_TIME only. */
	if (q.version != FVX_TRACE_REQUEST_VERSION || q.seal_ticks > SEAL_TICKS_MAX ||
	    (q.flags & ~FVX_TRACE_FLAGS) || q.tsc_call_ticks > 100000 ||
	    (q.tsc_call_ticks && !(q.flags & FVX_TRACE_HIDE_TIME)))
		return FVX_VMCALL_EINVAL;
	/* Sealed from now until seal_ticks have passed, once some CPU traces. */
	if (q.seal_ticks) {
		x.p.tsc++;
		x.p.hv.seal_until = x.cpu.tsc + x.p.tsc + q.seal_ticks;
	} else {
		x.p.hv.seal_until = 0;
	}
	c = config_expected();
	c->filter = q.filter;
	c->filter.follow_children = !!c->filter.follow_children;
	/* -s, bounded; the drop flag, published at once to a configured
	 * window with an analyzer (else by the CONFIGURE or ANALYZER_LOAD that
	 * makes it one). */
	c->string_limit =
		q.string_limit < FVX_DATA_BUFFER_MAX ? q.string_limit : FVX_DATA_BUFFER_MAX;
	c->tsc_call_ticks = q.tsc_call_ticks;
	x.p.hv.trace_drop = q.flags & FVX_TRACE_DROP;
	x.p.hv.trace_hide_time = q.flags & FVX_TRACE_HIDE_TIME;
	if (x.hv.configured && x.hv.analyzer_loaded)
		publish_entries(c, config()->window_va, m.window + FVX_WIN_CODE);
	for (cpu = 0; cpu < CPUS; cpu++)
		fvx_ring_init(window_expected(FVX_WIN_RINGS + cpu * m.hv.ring_bytes,
					      sizeof(struct fvx_ring_header)),
			      m.hv.ring_bytes);
	/* A new trace: the analyzer's data area starts zeroed, but for the
	 * follow set's key, from the unload key and the TSC. */
	memset(window_expected(FVX_WIN_DATA, FVX_WIN_DATA_SIZE), 0, FVX_WIN_DATA_SIZE);
	x.p.tsc++;
	((struct fvx_follow_set *)window_expected(FVX_WIN_DATA, sizeof(struct fvx_follow_set)))
		->key = fvx_follow_key(x.hv.unload_key, model_now());
	return FVX_VMCALL_OK;
}

/* The 32-bit entries as trace_mode sets them: through the window (its
 * IDT, if Linux's or the window's is loaded; this CPU's SYSENTER entry)
 * in fast mode with a window IDT, else Linux's own. */
static void predict_entries32(bool window)
{
	struct prediction *p = &x.p;
	struct dt_cpu *d = &p->v.dt;
	u64 linux_idt = d->table[DT_IDT].base;
	bool loaded = p->idtr == linux_idt || (d->window_idt && p->idtr == d->window_idt);

	d->window_idt = window ? config()->window_va + FVX_WIN_IDT : 0;
	if (loaded) {
		p->idtr = window ? d->window_idt : linux_idt;
		p->tables_written = true;
	}
	p->sysenter_eip = window ? config()->window_va + x.c * FVX_WIN_TRAMPOLINE_STRIDE +
					   FVX_WIN_TRAMPOLINE_SYSENTER
				 : m.vmcs[x.c][HOST_IA32_SYSENTER_EIP];
	p->sysenter_written = true;
}

static s64 mode_call(void)
{
	u64 mode = x.r.rbx;
	struct fvx_config *c;

	/* Starting (any nonzero RBX) takes up a protection change first,
	 * and needs a CPU that checks CR3 loads. */
	if (mode) {
		predict_sync();
		if (!x.p.v.ptp.checking)
			return FVX_VMCALL_ENOENT;
	}
	if (mode != 0 && mode != FVX_MODE_FAST && mode != FVX_MODE_EXIT)
		return FVX_VMCALL_EINVAL;
	/* Sealed: more CPUs may start; none may stop or switch. */
	if (x.p.v.trace_mode && mode != x.p.v.trace_mode && model_sealed())
		return refuse_sealed();
	if (mode && (!x.hv.configured || (mode == FVX_MODE_FAST && !x.hv.analyzer_loaded)))
		return FVX_VMCALL_ENOENT;
	if (mode && !x.p.v.trace_mode && ++x.p.hv.tracing_cpus == 1)
		model_tracing_changed();
	if (!mode && x.p.v.trace_mode && --x.p.hv.tracing_cpus == 0)
		model_tracing_changed();
	x.p.v.trace_mode = mode;
	x.p.hv.mode_changes++;
	config_expected()->mode = mode;
	predict_entries32(mode == FVX_MODE_FAST && x.p.hv.window_idt);
	c = config_expected();
	if ((c->flags & FVX_CONFIG_TASK_MARKS) && modes_all_fast(x.p.hv.window_idt, x.v, mode))
		c->flags |= FVX_CONFIG_FAST_SKIP;
	else
		c->flags &= ~FVX_CONFIG_FAST_SKIP;
	return FVX_VMCALL_OK;
}

/* A direct-map read, as RAM stands with this exit's expected writes. */
static int read_for_selection(void *ctx, u64 va, u64 *value)
{
	return va >= (u64)m.ram && model_read64(va - (u64)m.ram, value);
}

static u64 ring_offset(unsigned int cpu)
{
	return FVX_WIN_RINGS + cpu * m.hv.ring_bytes;
}

static u64 slot_offset(unsigned int cpu, u64 head)
{
	return ring_offset(cpu) + FVX_RING_RECORDS +
	       (head & (m.hv.ring_capacity - 1)) * sizeof(struct fvx_trace_record);
}

static const struct fvx_ring_header *ring_now(unsigned int cpu)
{
	return (const void *)(m.window + ring_offset(cpu));
}

/* Exit mode's records (trace_ctl.c), as the default analyzer writes them:
 * the call's argument values through guest_read.h and trace_capture.h
 * (unit-tested on their own), which read RAM as this exit finds it (it
 * writes no RAM); records appended as fvx_ring_push appends them, to the
 * expected ring. */
static int model_copy(void *ctx, u64 va, void *out, u64 len)
{
	if (va < (u64)m.ram || !ram_ok(va - (u64)m.ram, len))
		return 0;
	memcpy(out, m.ram + (va - (u64)m.ram), len);
	return 1;
}

struct model_ring {
	unsigned int cpu;
	u64 tail, head;
	struct fvx_ring_header *h;
};

static void model_emit(void *ctx, const struct fvx_trace_record *r)
{
	struct model_ring *e = ctx;
	struct fvx_trace_record rec = *r;

	if (e->head - e->tail >= m.hv.ring_capacity) {
		e->h->dropped++;
		return;
	}
	rec.seq = e->head + 1;
	memcpy(window_expected(slot_offset(e->cpu, e->head), sizeof(rec)), &rec, sizeof(rec));
	e->h->head = ++e->head;
}

static bool read_virt(u64 va, u64 *value);

/* Records one exit-mode event may append: a call's and its six values'
 * pieces. */
#define EXIT_RECORDS_MAX (1 + 6 * FVX_DATA_PIECES_MAX)

/* TRACE_EVENT (from this CPU's exit-mode entry, up to its return entry)
 * and TRACE_RETURN (from its exit-mode return entry to the copy's end:
 * what the agent's probes report, the flags in RDX, the six values at R8,
 * an array read through the guest's tables). */
static s64 event_call(bool ret)
{
	const struct fvx_config *c = config();
	u64 copy = c->window_va + FVX_WIN_TRAMPOLINE + x.c * FVX_WIN_TRAMPOLINE_STRIDE;
	u64 from = ret ? FVX_WIN_TRAMPOLINE_RETURN_EXIT : FVX_WIN_TRAMPOLINE_EXIT;
	u64 to = ret ? FVX_WIN_TRAMPOLINE_STRIDE : FVX_WIN_TRAMPOLINE_RETURN;
	u32 flags =
		ret ? (u32)x.r.rdx & (FVX_RECORD_RETURN | FVX_RECORD_COMPAT | FVX_RECORD_TASK) : 0;
	struct fvx_trace_data *data = window_expected(FVX_WIN_DATA, sizeof(struct fvx_trace_data));
	struct model_ring ring = { .cpu = x.c, .tail = ~0ULL };
	struct fvx_guest_mem mem = { .limits = &c->phys, .copy = model_copy, .any_ram = 1 };
	struct fvx_trace_record rec = { .flags = FVX_RECORD_EXIT_MODE | flags };
	struct fvx_event ev = { .nr = x.r.rbx, .cpu = x.c, .flags = flags };
	u64 args[6] = { x.r.rdi, x.r.rsi, x.r.rdx, x.r.r10, x.r.r8, x.r.r9 }, task, pid;
	bool task_event = flags & FVX_RECORD_TASK;
	unsigned int i;
	u8 unread = 0;

	if (x.rip - (copy + from) >= to - from)
		return FVX_VMCALL_EPERM;
	if (ret && (!flags || (x.r.rdx & FVX_EVENT_REGS)))
		return FVX_VMCALL_EINVAL; /* (R8 a pt_regs: fast mode's only) */
	if (ret)
		for (i = 0; i < 6; i++)
			if (!x.r.r8 || !read_virt(x.r.r8 + 8 * i, &args[i]))
				args[i] = 0;
	if (task_event && x.r.rbx != FVX_TASK_FORK && x.r.rbx != FVX_TASK_EXIT &&
	    x.r.rbx != FVX_TASK_SIGNAL)
		return FVX_VMCALL_OK;
	rec.nr = fvx_syscall_number(x.r.rbx);
	if (flags & FVX_RECORD_RETURN)
		rec.args[0] = flags & FVX_RECORD_COMPAT ? (u64)(s64)(s32)x.r.rcx : x.r.rcx;
	else if (!task_event)
		memcpy(rec.args, args, sizeof(args));
	for (i = 0; task_event && i < 6; i++)
		ev.args[i] = args[i];
	if (!read_for_selection(NULL, m.vmcs[x.c][GUEST_GS_BASE] + c->task.current_task, &task))
		return FVX_VMCALL_OK;
	if (!task_event && rec.nr == FVX_COMPAT_SOCKETCALL && (flags & FVX_RECORD_COMPAT) &&
	    read_for_selection(NULL, task + c->task.pid, &pid)) {
		mem.cr3 = m.vmcs[x.c][GUEST_CR3];
		fvx_socketcall_unfold(&mem, data->socketcalls, (u32)pid, &rec, args);
	}
	if (task_event) {
		if (!fvx_task_event(c, &data->set, &ev, task, read_for_selection, NULL, &rec))
			return FVX_VMCALL_OK;
		rec.flags |= FVX_RECORD_EXIT_MODE;
	} else if (!(flags & FVX_RECORD_COMPAT ? fvx_compat_selected(c, rec.nr)
					       : fvx_syscall_selected(c, rec.nr)) ||
		   !fvx_task_selected_in(c, &data->set, task, read_for_selection, NULL, &rec.pid,
					 &rec.tgid)) {
		return FVX_VMCALL_OK;
	}
	/* Selected: the analyzer's time (predict_hide_exit), with the kernel's
	 * work of an entry that goes on to Linux. */
	x.p.v.tsc.analyzer_exit = true;
	x.p.v.tsc.analyzer_extra = !ret || flags == FVX_RECORD_COMPAT ? c->tsc_call_ticks : 0;
	x.p.tsc++;
	rec.tsc = model_now(); /* the host's */
	rec.cr3 = m.vmcs[x.c][GUEST_CR3];
	rec.cpu = x.c;
	read_for_selection(NULL, c->consumer_va + x.c * sizeof(struct fvx_ring_consumer),
			   &ring.tail);
	ring.h = window_expected(ring_offset(x.c), sizeof(*ring.h));
	ring.head = ring.h->head;
	if (!task_event && fvx_capture_any(rec.nr, rec.flags)) {
		mem.cr3 = rec.cr3;
		unread = fvx_capture(c, &mem, &rec, args,
				     ring.head - ring.tail > m.hv.ring_capacity
					     ? 0
					     : m.hv.ring_capacity - (ring.head - ring.tail),
				     flags & FVX_RECORD_RETURN ? fvx_again_take(data->again, &rec)
							       : 0,
				     model_emit, &ring);
	}
	if (!task_event && !(flags & FVX_RECORD_RETURN))
		fvx_again_put(data->again, &rec, unread);
	model_emit(&ring, &rec);
	return FVX_VMCALL_OK;
}

static void predict_vmcall(void)
{
	struct prediction *p = &x.p;
	s64 s;

	if (x.cpl != 0 || (x.r.rax >> 32) != FVX_VMCALL_MAGIC) {
		p->inject = INJ_UD; /* as on a CPU without a hypervisor */
		return;
	}
	p->v.vmcalls++;
	p->skip = true;
	switch ((u32)x.r.rax) {
	case FVX_VMCALL_VERSION:
		p->r.rbx = FVX_VMCALL_ABI_VERSION;
		s = FVX_VMCALL_OK;
		break;
	case FVX_VMCALL_STATUS: s = status_call(); break;
	case FVX_VMCALL_UNLOAD:
		if (model_sealed()) {
			s = refuse_sealed();
		} else if (x.r.rbx == UNLOAD_KEY) {
			p->outcome = OUT_VMXOFF;
			s = FVX_VMCALL_OK;
		} else {
			p->v.bad_unload_keys++;
			s = FVX_VMCALL_EPERM;
		}
		break;
	case FVX_VMCALL_WINDOW_INFO: s = window_info_call(); break;
	case FVX_VMCALL_CONFIGURE: s = configure_call(); break;
	case FVX_VMCALL_ANALYZER_LOAD: s = analyzer_load_call(); break;
	case FVX_VMCALL_TRACE_EVENT: s = event_call(false); break;
	case FVX_VMCALL_TRACE_RETURN: s = event_call(true); break;
	case FVX_VMCALL_UNCONFIGURE: s = unconfigure_call(); break;
	case FVX_VMCALL_TRACE_FILTER: s = filter_call(); break;
	case FVX_VMCALL_TRACE_MODE: s = mode_call(); break;
	case FVX_VMCALL_TSC_CALIBRATE: s = tsc_calibrate_call(); break;
	case FVX_VMCALL_TSC_TRACK: s = tsc_track_call(); break;
	default: s = FVX_VMCALL_ENOSYS;
	}
	p->r.rax = (u64)s;
}

static bool vmx_capability_msr(u32 msr)
{
	return msr >= MSR_IA32_VMX_BASIC && msr <= MSR_IA32_VMX_VMFUNC;
}

static void predict_msr_read(void)
{
	struct prediction *p = &x.p;
	u32 msr = (u32)x.r.rcx;
	int i = shadowed_msr_index(msr);
	u64 value;

	if (msr == MSR_IA32_LSTAR) {
		value = x.v[x.c].guest_lstar;
	} else if (msr == MSR_IA32_FMASK) {
		value = x.v[x.c].guest_fmask;
	} else if (msr == MSR_IA32_EFER) { /* the guest's SCE, the CPU's other bits */
		value = (x.efer & ~EFER_SCE) | (x.v[x.c].guest_efer_sce ? EFER_SCE : 0);
	} else if (i >= 0) {
		value = x.v[x.c].shadowed[i].guest;
	} else if (predict_tsc_msr_read(msr, &value)) {
		if (p->inject == INJ_GP)
			return;
	} else if (vmx_capability_msr(msr)) {
		p->inject = INJ_GP;
		return;
	} else {
		p->rdmsr = 1;
		p->rdmsr_msr = msr;
		if (x.cpu.rdmsr_fails) {
			p->inject = INJ_GP;
			return;
		}
		value = x.cpu.rdmsr_value;
	}
	if (msr == MSR_IA32_FEATURE_CONTROL) /* no VMX, as on a CPU without it */
		value &= ~(FEATURE_CONTROL_VMX_INSIDE_SMX | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	p->r.rax = (u32)value;
	p->r.rdx = value >> 32;
	p->skip = true;
}

/* SDM Vol. 4 Table 2-2 and Vol. 2B WRMSR: SYSENTER_ESP/EIP must be
 * canonical (48 bits: the fuzz machine's CR4 cannot have LA57), bits 63:32
 * of SYSENTER_CS are ignored, STAR and CSTAR take anything. A value other
 * than Linux's is counted; none reaches the CPU. */
static void predict_shadowed_write(int i, u64 value)
{
	struct prediction *p = &x.p;

	if ((i == SHADOW_SYSENTER_ESP || i == SHADOW_SYSENTER_EIP) && canonical(value) != value) {
		p->inject = INJ_GP;
		return;
	}
	if (i == SHADOW_SYSENTER_CS)
		value = (u32)value;
	if (value != linux_msr_value(i))
		p->v.msr_writes_shadowed++;
	p->v.shadowed[i].guest = value;
	p->skip = true;
}

/* EFER: reserved bits and an LME change with paging on are #GP; SCE stays
 * set on the CPU (a write clearing it is counted), LMA stays the CPU's. */
static void predict_efer_write(u64 value)
{
	struct prediction *p = &x.p;

	if ((value & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) ||
	    (((value ^ x.efer) & EFER_LME) && (x.cr0 & CR0_PG))) {
		p->inject = INJ_GP;
		return;
	}
	if (!(value & EFER_SCE))
		p->v.msr_writes_shadowed++;
	p->v.guest_efer_sce = value & EFER_SCE;
	p->efer = (value & ~EFER_LMA) | (x.efer & EFER_LMA) | EFER_SCE;
	p->skip = true;
}

static void predict_msr_write(void)
{
	struct prediction *p = &x.p;
	u32 msr = (u32)x.r.rcx;
	u64 value = (x.r.rdx << 32) | (u32)x.r.rax;

	if (predict_tsc_msr_write(msr, value))
		return;
	if (msr == MSR_IA32_EFER) {
		predict_efer_write(value);
		return;
	}
	if (shadowed_msr_index(msr) >= 0) {
		predict_shadowed_write(shadowed_msr_index(msr), value);
		return;
	}

	if (msr == MSR_IA32_LSTAR) {
		if (value >> 47 != 0x1ffff) { /* the guest's syscall entry is a kernel address */
			p->inject = INJ_GP;
			return;
		}
		p->v.guest_lstar = value;
		if (x.hv.configured)
			config_expected()->forward = value;
		p->skip = true;
		return;
	}
	if (msr == MSR_IA32_FEATURE_CONTROL || vmx_capability_msr(msr)) {
		p->inject = INJ_GP;
		return;
	}
	p->wrmsr = 1;
	p->wrmsr_msr = msr;
	/* SYSCALL must keep clearing IF and TF for the trampoline. */
	p->wrmsr_value = msr == MSR_IA32_FMASK ? value | BIT(9) | BIT(8) : value;
	if (x.cpu.wrmsr_fails) {
		p->inject = INJ_GP;
		return;
	}
	if (msr == MSR_IA32_FMASK)
		p->v.guest_fmask = value;
	p->skip = true;
}

static void predict_xsetbv(void)
{
	struct prediction *p = &x.p;
	u64 value = (x.r.rdx << 32) | (u32)x.r.rax, supported = x.cpu.xcr0_supported;

	/* SDM Vol. 2 XSETBV and 13.3: XCR0 only, x87 always, AVX needs SSE,
	 * the AVX-512 states together and only with AVX. */
	if (x.cpl != 0 || (u32)x.r.rcx != 0 || !(value & BIT(0)) || (value & ~supported) ||
	    ((value & BIT(2)) && !(value & BIT(1))) || ((value & 0xe0) && (value & 0xe0) != 0xe0) ||
	    ((value & 0xe0) && !(value & BIT(2)))) {
		p->inject = INJ_GP;
		return;
	}
	p->xsetbv = 1;
	p->xsetbv_value = value;
	if (x.cpu.xsetbv_fails)
		p->inject = INJ_GP;
	else
		p->skip = true;
}

static void predict_cpuid(void)
{
	struct prediction *p = &x.p;
	u32 leaf = (u32)x.r.rax, out[4];

	memcpy(out, x.cpu.cpuid, sizeof(out));
	if (leaf == 0xd && (u32)x.r.rcx == 0) {
		out[0] = (u32)x.cpu.xcr0_supported;
		out[1] = out[2] = 0;
		out[3] = x.cpu.xcr0_supported >> 32;
	}
	if (leaf == 1)
		out[2] &= ~(u32)BIT(5); /* no VMX */
	p->r.rax = out[0];
	p->r.rbx = out[1];
	p->r.rcx = out[2];
	p->r.rdx = out[3];
	p->skip = true;
}

/* MOV to CR3 under CR3-load exiting, as the CPU would do it (SDM Vol. 2,
 * MOV to CR; 4.10.4.1), after the protection checked the new tables: bit
 * 63 means no flush with CR4.PCIDE and is reserved without; bits 62:
 * MAXPHYADDR are reserved; a table that cannot be checked or repaired is
 * not loaded (#GP); a load flushes this CPU's guest TLB (INVVPID, single
 * context of its VPID), a repair even when bit 63 asked not to. */
static void predict_mov_to_cr3(u64 value)
{
	struct prediction *p = &x.p;
	bool flush = true;
	enum model_cr3 tables;

	if (value & BIT(63)) {
		if (!(x.cr4 & CR4_PCIDE)) {
			p->inject = INJ_GP;
			return;
		}
		value &= ~BIT(63);
		flush = false;
	}
	if (value & (~0ULL << MAXPHYADDR)) {
		p->inject = INJ_GP;
		return;
	}
	tables = model_check_tables(value);
	p->v.ptp.count.cr3_loads++;
	if (tables == CR3_REFUSED) {
		p->v.ptp.count.cr3_refused++;
		p->inject = INJ_GP;
		return;
	}
	p->cr3 = value;
	if (flush || tables == CR3_REPAIRED)
		p->invvpid++;
	p->skip = true;
}

static void predict_cr_access(void)
{
	struct prediction *p = &x.p;
	const struct vmx_caps *c = &x.hv.caps;
	unsigned int gpr = (x.q >> 8) & 15;
	u64 value = gpr == 4 ? x.rsp : ((const u64 *)&x.r)[gpr];

	if (((x.q >> 4) & 3) == 1 && (x.q & 15) == 3) {
		/* MOV from CR3 (CR3-store exiting the CPU cannot clear). */
		if (gpr == 4)
			p->rsp = x.cr3;
		else
			((u64 *)&p->r)[gpr] = x.cr3;
		p->skip = true;
		return;
	}
	if (((x.q >> 4) & 3) != 0) {
		p->inject = INJ_GP;
		return;
	}
	switch (x.q & 15) {
	case 3: predict_mov_to_cr3(value); return;
	case 0:
		if ((value & c->cr0_fixed0) != (c->cr0_fixed0 & 0xffffffff) ||
		    (value & ~c->cr0_fixed1)) {
			p->inject = INJ_GP;
			return;
		}
		p->cr0 = p->cr0_shadow = value;
		break;
	case 4:
		if ((value & CR4_VMXE) || (value & ~c->cr4_fixed1)) {
			p->inject = INJ_GP;
			return;
		}
		p->cr4 = value | c->cr4_fixed0;
		p->cr4_shadow = value;
		break;
	default: p->inject = INJ_UD; return;
	}
	p->skip = true;
}

/* Guest page walk and IDT as the SDM defines them, over the oracle's RAM. */
static bool walk(u64 cr3, u64 va, u64 *gpa)
{
	u64 table = cr3 & 0x000ffffffffff000ULL, e, size;
	int level;

	for (level = 4; level >= 1; level--) {
		if (!model_read64(table + ((va >> (3 + 9 * level)) & 511) * 8, &e) || !(e & 1))
			return false;
		size = 1ULL << (3 + 9 * level);
		if (level == 1 || (level <= 3 && (e & BIT(7)))) {
			*gpa = (e & 0x000ffffffffff000ULL & ~(size - 1)) | (va & (size - 1));
			return true;
		}
		table = e & 0x000ffffffffff000ULL;
	}
	return false;
}

static bool read_virt(u64 va, u64 *value)
{
	u64 gpa;

	return walk(m.vmcs[x.c][GUEST_CR3], va, &gpa) && oracle_read64((u64)m.ram + gpa, value);
}

static bool window_code(u64 va)
{
	return va - config()->window_va < FVX_WIN_CODE + FVX_WIN_CODE_SIZE;
}

static bool is_idt_handler(u64 rip)
{
	/* Linux's IDT as recorded at load, never the live IDTR. */
	u64 base = x.v[x.c].dt.table[DT_IDT].base, lo, hi;
	u32 limit = x.v[x.c].dt.table[DT_IDT].limit, vector;

	for (vector = 0; vector < 256 && vector * 16 + 15 <= limit; vector++) {
		if (!read_virt(base + vector * 16, &lo) || !read_virt(base + vector * 16 + 8, &hi))
			return false;
		if (((lo & 0xffff) | ((lo >> 32) & 0xffff0000) | (hi << 32)) == rip)
			return true;
	}
	return false;
}

/* The frame (with or without an error code) returns into window code at
 * ring 0: its five slots are the snapshot. */
static bool frame_returns_into_window_code(struct window_interruption *s)
{
	u64 v[6];
	int slot;

	for (slot = 0; slot < 6; slot++)
		if (!read_virt(x.rsp + 8 * slot, &v[slot]))
			return false;
	for (slot = 0; slot < 2; slot++) {
		if (window_code(v[slot]) && !(v[slot + 1] & 3)) {
			*s = (struct window_interruption){ .rip = v[slot],
							   .cs = v[slot + 1],
							   .rflags = v[slot + 2],
							   .rsp = v[slot + 3],
							   .ss = v[slot + 4],
							   .regs = x.r };
			return true;
		}
	}
	return false;
}

static bool in_trampolines(u64 va)
{
	return va - config()->window_va < FVX_WIN_CONFIG;
}

/* The interrupted analyzer resumes only as it was: its registers, RIP,
 * RSP and RFLAGS put back; counted when they differ, unless trampoline
 * code ran on in view 0 from the interrupted instruction. */
static void predict_resume(bool fetch)
{
	struct prediction *p = &x.p;
	const struct window_interruption *s = &x.v[x.c].interrupted;
	bool ran_on = !fetch && x.rip != s->rip && in_trampolines(x.rip) && in_trampolines(s->rip);
	bool exact = x.rip == s->rip && x.rsp == s->rsp && !((x.rflags ^ s->rflags) & ~BIT(16));
	unsigned int i;

	for (i = 0; i < 16; i++)
		if (i != 4 && ((const u64 *)&x.r)[i] != ((const u64 *)&s->regs)[i])
			exact = false;
	if (!ran_on && !exact)
		p->v.resume_tampered++;
	p->r = s->regs;
	p->r.rsp = x.r.rsp;
	p->rsp = s->rsp;
	p->resumed = true;
	p->rip = s->rip;
	p->rflags = s->rflags;
	p->view = 1;
	p->v.analyzer_interrupted = false;
}

/* Up to 15 bytes at RIP through the guest's own tables. */
static unsigned int fetch_code(u8 *code)
{
	u64 gpa = 0, v;
	unsigned int i;

	for (i = 0; i < INSN_MAX_LEN; i++, gpa++) {
		if ((i == 0 || ((x.rip + i) & (PAGE - 1)) == 0) && !walk(x.p.cr3, x.rip + i, &gpa))
			break;
		if (!model_read64(gpa & ~7ULL, &v))
			break;
		code[i] = v >> (8 * (gpa & 7));
	}
	return i;
}

static u64 *gpr_slot(unsigned int reg)
{
	return reg == 4 ? &x.p.rsp : &((u64 *)&x.p.r)[reg & 15];
}

/* A write to the protected PDPT page by an instruction: done for the guest
 * when it is a store Linux uses and leaves the window's slot alone (RIP
 * past it, the register of an XCHG gets the old value, zero-extended);
 * skipped when it writes the window's slot; #GP when it cannot be decoded
 * or done. */
static void predict_pdpt_write(void)
{
	struct prediction *p = &x.p;
	u64 off = x.gpa & (PAGE - 1), slot = p->hv.ptp.pdpt_index * 8ULL, value, old = 0;
	u8 code[INSN_MAX_LEN];
	struct insn_store w;

	if (!(x.cs_ar & SEGMENT_AR_L) || !insn_decode_store(code, fetch_code(code), &w) ||
	    (off & (w.size - 1)) || !ram_ok(x.gpa, w.size)) {
		p->v.ptp.count.pdpt_writes_refused++;
		p->inject = INJ_GP;
		return;
	}
	if (off < slot + 8 && slot < off + w.size) {
		p->v.ptp.count.pdpt_writes_refused++;
		p->skip = true;
		p->skip_len = w.len;
		return;
	}
	if (w.size < 4) { /* the byte and 16-bit forms: never a whole entry */
		p->v.ptp.count.pdpt_writes_refused++;
		p->inject = INJ_GP;
		return;
	}
	p->skip = true;
	p->skip_len = w.len;
	value = w.kind == INSN_STORE_IMM ? w.imm : *gpr_slot(w.reg);
	model_read64(x.gpa & ~7ULL, &old);
	if (w.size == 4)
		old = (x.gpa & 4) ? old >> 32 : (u32)old;
	model_write64(x.gpa, value, w.size);
	if (w.kind == INSN_XCHG)
		*gpr_slot(w.reg) = old;
	p->v.ptp.count.pdpt_writes_emulated++;
}

/* A write to the protected PDPT page (ptprotect.c); false when it is not
 * about that page, or not for the protection to handle. */
static bool predict_ptp_violation(void)
{
	struct prediction *p = &x.p;
	struct ptp_state *s = &p->hv.ptp;
	u64 e;

	if (!(x.q & EPT_Q_WRITE) || !s->leaf[0] || (x.gpa & ~(PAGE - 1)) != s->pdpt_gpa)
		return false;
	if (!s->active)
		return false; /* (a stale read-only translation: predict_stale) */
	if ((x.q & EPT_Q_LINEAR_VALID) && !(x.q & EPT_Q_TRANSLATED)) {
		/* The CPU's own accessed/dirty update of an entry there: done
		 * for it; the window's slot gets its checked value. */
		if (((x.gpa & (PAGE - 1)) >> 3) == s->pdpt_index) {
			model_write64(x.gpa & ~7ULL, s->pdpte, 8);
		} else if (model_read64(x.gpa & ~7ULL, &e) && (e & PTE_P)) {
			model_write64(x.gpa & ~7ULL, e | PTE_A | (e & PTE_PS ? PTE_D : 0), 8);
		}
		/* An IRET unblocked NMIs: blocked again; undefined (and no
		 * IRET ran) during event delivery (SDM 28.2.3). */
		if ((x.q & EPT_Q_NMI_UNBLOCKED) && !(x.vectoring & INTR_INFO_VALID))
			p->intr_set |= GUEST_INTR_STATE_NMI;
		return true;
	}
	if (x.vectoring & INTR_INFO_VALID) {
		p->v.ptp.count.pdpt_writes_refused++;
		p->inject = INJ_DF;
		return true;
	}
	if (x.view != 0)
		return false;
	predict_pdpt_write();
	return true;
}

/* A write the normal view now allows (the tables as they are: the oracle's
 * walk) came through a read-only translation this CPU kept: retried once
 * after INVEPT; the same write at the same RIP again is not. */
static bool predict_stale(void)
{
	struct prediction *p = &x.p;
	unsigned int level;
	const u64 *e;

	if (!(x.q & EPT_Q_WRITE) || !(e = ept_oracle_leaf(0, x.gpa, &level)) || !(*e & EPT_WRITE))
		return false;
	if (p->v.ptp.retried_gpa == x.gpa && p->v.ptp.retried_rip == x.rip) {
		p->v.ptp.retried_gpa = p->v.ptp.retried_rip = 0;
		return false;
	}
	p->v.ptp.retried_gpa = x.gpa;
	p->v.ptp.retried_rip = x.rip;
	p->invept++;
	return true;
}

static void predict_ept_violation(void)
{
	struct prediction *p = &x.p;
	bool fetch = x.q & BIT(2), in_window = x.gpa - WINDOW_GPA < GIB;
	struct window_interruption s;

	if (predict_ptp_violation())
		return;

	if (x.view == 1 && fetch && !in_window && is_idt_handler(x.rip) &&
	    frame_returns_into_window_code(&s)) {
		p->view = 0; /* Linux's handler for an event in the analyzer */
		p->v.analyzer_interrupted = true;
		p->v.interrupted = s;
	} else if (x.view == 0 && in_window && x.v[x.c].analyzer_interrupted &&
		   window_code(x.rip) && x.cpl == 0 && x.cs == x.v[x.c].interrupted.cs &&
		   (!fetch || x.rip == x.v[x.c].interrupted.rip)) {
		predict_resume(fetch); /* back into the interrupted analyzer */
	} else if (x.view == 0 && !in_window) {
		if (!predict_stale()) {
			p->v.ept_violations_logged++;
			p->inject = INJ_GP;
		}
	} else {
		p->v.attacks++;
		p->view = 0;
		if (!(x.view == 1 && fetch && !in_window))
			p->inject = INJ_UD;
	}
}

static void predict(void)
{
	struct prediction *p = &x.p;
	u16 bucket = x.basic < FVX_EXIT_REASON_COUNT ? x.basic : FVX_EXIT_REASON_COUNT - 1;

	*p = (struct prediction){ .outcome = OUT_RESUME, .inject = INJ_NONE };
	/* memcpy, padding included: these are compared with memcmp. */
	memcpy(&p->hv, &x.hv, sizeof(p->hv));
	memcpy(&p->v, &x.v[x.c], sizeof(p->v));
	p->r = x.r;
	p->cr0 = x.cr0, p->cr0_shadow = x.cr0_shadow, p->cr4 = x.cr4, p->cr4_shadow = x.cr4_shadow;
	p->view = x.view;
	p->skip_len = x.len;
	p->rsp = x.rsp;
	p->cr3 = x.cr3;
	p->efer = x.efer;
	p->proc = x.proc;
	p->proc2 = x.proc2;
	p->gdtr = x.gdtr;
	p->idtr = x.idtr;
	p->tr = x.tr;
	p->offset = x.offset;
	p->deadline = x.cpu.tsc_deadline;
	p->dr7 = x.dr7;
	p->exceptions = x.exceptions;
	p->window_va = config()->window_va;
	memcpy(p->dr, x.cpu.dr, sizeof(p->dr));
	p->v.exits_total++;
	p->v.exits[bucket]++;
	if (x.reason & EXIT_REASON_FAILED_VMENTRY) {
		p->outcome = OUT_FATAL;
		return;
	}
	predict_sync(); /* a protection change made on another CPU, or by this one */
	/* At the timer's look, a flush of what the CPU cached (the machine
	 * guards no table: no other flushes); the loaded table's entries, at
	 * every exit while checking. */
	if (p->v.ptp.checking && x.basic == EXIT_REASON_PREEMPTION_TIMER)
		p->invept++;
	if (p->v.ptp.checking)
		predict_check_loaded();
	predict_harvest();
	if (!has_handler(x.basic)) {
		p->outcome = OUT_FATAL;
		return;
	}
	switch (x.basic) {
	case EXIT_REASON_CPUID: predict_cpuid(); break;
	case EXIT_REASON_INVD:
		p->wbinvd = 1;
		p->skip = true;
		break;
	case EXIT_REASON_VMCALL: predict_vmcall(); break;
	case EXIT_REASON_CR_ACCESS: predict_cr_access(); break;
	case EXIT_REASON_MSR_READ: predict_msr_read(); break;
	case EXIT_REASON_MSR_WRITE: predict_msr_write(); break;
	case EXIT_REASON_XSETBV: predict_xsetbv(); break;
	case EXIT_REASON_DR_ACCESS: predict_dr_access(); break;
	case EXIT_REASON_EXCEPTION_NMI: predict_exception(); break;
	case EXIT_REASON_EPT_VIOLATION: predict_ept_violation(); break;
	case EXIT_REASON_GDTR_IDTR_ACCESS:
	case EXIT_REASON_LDTR_TR_ACCESS:
		p->dt_exit = true;
		p->tables_written = true;
		p->inject = INJ_NONE | INJ_DT;
		break;
	case EXIT_REASON_VMFUNC:
		p->v.attacks++;
		p->inject = INJ_UD;
		break;
	case EXIT_REASON_RDTSC:
	case EXIT_REASON_RDTSCP: predict_rdtsc(); break;
	/* Catching up with the other CPUs (predict_hide_exit): an MWAIT
	 * returns at once, the preemption timer's exit does nothing else. */
	case EXIT_REASON_MWAIT:
		if ((u32)x.r.rcx & ~1u)
			p->inject = INJ_GP; /* reserved ECX bits */
		else
			p->skip = true;
		break;
	case EXIT_REASON_PREEMPTION_TIMER: break;
	default: p->inject = INJ_UD; /* VMX instructions and GETSEC */
	}
	if (p->outcome == OUT_RESUME)
		predict_follow();
}

/* ---- descriptor-table exits: invariants (dt.c) ---- */

/* The pages a descriptor-table exit may write: where its operand is, when
 * the guest itself could write it (SDM 4.6: U/S at CPL 3, R/W for CPL 3
 * or CR0.WP, SMAP), and the paging entries of that walk (accessed and
 * dirty flags). Anything else it writes faults in the harness. */
static struct {
	unsigned int count;
	u64 start[2], end[2]; /* operand bytes on each page, as gpa ranges */
	u64 entries[12]; /* gpa of paging entries walked */
	unsigned int entry_count;
} dt_open;

static bool dt_walk_writable(u64 va, bool user, u64 *gpa)
{
	u64 table = x.cr3 & PTE_ADDR, e, all = PTE_RW | PTE_US, size;
	int level;

	for (level = 4; level >= 1; level--) {
		u64 entry = table + ((va >> (3 + 9 * level)) & 511) * 8;

		if (!model_read64(entry, &e) || !(e & PTE_P))
			return false;
		if (dt_open.entry_count < 12)
			dt_open.entries[dt_open.entry_count++] = entry;
		all &= e;
		size = 1ULL << (3 + 9 * level);
		if (level == 1 || (level <= 3 && (e & PTE_PS))) {
			*gpa = (e & PTE_ADDR & ~(size - 1)) | (va & (size - 1));
			break;
		}
		table = e & PTE_ADDR;
	}
	if (user && !(all & PTE_US))
		return false;
	if (!(all & PTE_RW) && (user || (x.cr0 & BIT(16))))
		return false;
	if (!user && (x.cr4 & CR4_SMAP) && !(x.rflags & BIT(18)) && (all & PTE_US))
		return false;
	return true;
}

static u64 dt_gpr(unsigned int i)
{
	return i == 4 ? x.rsp : ((const u64 *)&x.r)[i];
}

/* Opens the bytes [va, va + size) where the guest could write them (only
 * their walks' entries otherwise). */
static void dt_open_range(u64 va, unsigned int size, bool write)
{
	u64 first = PAGE - (va & (PAGE - 1)), gpa;
	unsigned int i, n;

	for (i = 0; i < 2 && (i == 0 || size > first); i++) {
		u64 at = i ? va + first : va;

		n = i ? size - first : (size < first ? size : first);
		if (!dt_walk_writable(at, x.cpl == 3, &gpa) || !write || !ram_ok(gpa, n) ||
		    dt_open.count == 2)
			continue;
		dt_open.start[dt_open.count] = gpa;
		dt_open.end[dt_open.count++] = gpa + n;
	}
}

/* The operand's address in 64-bit mode as the SDM computes it (the
 * model's own); for LTR, the TSS descriptor's busy flag in the GDT. */
static void dt_open_operand(void)
{
	const u64 *f = m.vmcs[x.c];
	u32 info = f[VMX_INSTRUCTION_INFO], seg = (info >> 15) & 7;
	bool load = (info >> 29) & 1, tr = x.basic == EXIT_REASON_LDTR_TR_ACCESS;
	u64 la = f[EXIT_QUALIFICATION], sel = 0, gpa;

	memset(&dt_open, 0, sizeof(dt_open));
	if (tr && (info & BIT(10))) {
		sel = dt_gpr((info >> 3) & 15) & 0xffff;
	} else {
		if (!(info & BIT(27)))
			la += dt_gpr((info >> 23) & 15);
		if (!(info & BIT(22)))
			la += dt_gpr((info >> 18) & 15) << (info & 3);
		if (((info >> 7) & 7) == 0)
			la &= 0xffff;
		else if (((info >> 7) & 7) == 1)
			la &= 0xffffffff;
		if (seg == 4 || seg == 5)
			la += f[GUEST_ES_BASE + 2 * seg];
		dt_open_range(la, tr ? 2 : 10, !load);
		if (tr && walk(x.cr3, la, &gpa) && (gpa & (PAGE - 1)) <= PAGE - 2 &&
		    model_read64(gpa & ~7ULL, &sel))
			sel = (sel >> (8 * (gpa & 7))) & 0xffff;
	}
	/* LTR of Linux's TSS, LLDT: the descriptor read, LTR's busy flag. */
	if (tr && load && (sel & 0xfffc))
		dt_open_range(f[GUEST_GDTR_BASE] + (sel & ~7ULL) + 5, 1,
			      ((info >> 28) & 1) && sel == x.v[x.c].dt.tr);
	if (tr && load && (sel & 0xfffc)) {
		x.cpl = 0; /* implicit supervisor accesses */
		dt_open_range(f[GUEST_GDTR_BASE] + (sel & ~7ULL), 16, false);
		x.cpl = (f[GUEST_SS_AR_BYTES] >> 5) & 3;
	}
}

static void dt_open_pages(void)
{
	unsigned int i;

	dt_open_operand();
	for (i = 0; i < dt_open.count; i++)
		ram_may_write(dt_open.start[i]);
	for (i = 0; i < dt_open.entry_count; i++)
		ram_may_write(dt_open.entries[i]);
}

/* After the exit: the operand bytes may hold anything, a paging entry may
 * only have gained its accessed and dirty flags. */
static void dt_accept_writes(void)
{
	unsigned int i;
	u64 *want, got;

	for (i = 0; i < dt_open.count; i++)
		memcpy(ram_expected(dt_open.start[i], dt_open.end[i] - dt_open.start[i]),
		       m.ram + dt_open.start[i], dt_open.end[i] - dt_open.start[i]);
	for (i = 0; i < dt_open.entry_count; i++) {
		want = ram_open_lookup(dt_open.entries[i], 8);
		memcpy(&got, m.ram + dt_open.entries[i], 8);
		if (want && (got & ~(u64)(PTE_A | PTE_D)) == (*want & ~(u64)(PTE_A | PTE_D)))
			*want = got;
	}
}

/* Whenever descriptor-table exiting is on, the tables the CPU uses are
 * Linux's: its IDT, its GDT or that GDT's direct-map alias, its TSS. */
static void check_linux_tables(const u64 *f, const struct vcpu *v)
{
	const struct dt_table *t = v->dt.table;

	if (!v->dt.exiting)
		return;
	if ((f[GUEST_IDTR_BASE] != t[DT_IDT].base &&
	     (!v->dt.window_idt || f[GUEST_IDTR_BASE] != v->dt.window_idt)) ||
	    f[GUEST_IDTR_LIMIT] != t[DT_IDT].limit ||
	    (f[GUEST_GDTR_BASE] != t[DT_GDT].base &&
	     (!v->dt.gdt_alias || f[GUEST_GDTR_BASE] != v->dt.gdt_alias)) ||
	    f[GUEST_GDTR_LIMIT] != t[DT_GDT].limit || f[GUEST_TR_SELECTOR] != v->dt.tr)
		fuzz_fail("not Linux's tables: GDTR %#llx/%#llx, IDTR %#llx/%#llx, TR %#llx",
			  f[GUEST_GDTR_BASE], f[GUEST_GDTR_LIMIT], f[GUEST_IDTR_BASE],
			  f[GUEST_IDTR_LIMIT], f[GUEST_TR_SELECTOR]);
}

/* What a descriptor-table exit did that the invariants allow, taken into
 * the prediction: the instruction completed or raised its exception; only
 * SLDT/STR to a register changes a register; the refusal count grows by
 * one at the most; the shadows are its own. */
static void dt_exit_outcome(void)
{
	const u64 *f = m.vmcs[x.c];
	const struct vcpu *v = &m.vcpus[x.c];
	u32 info = f[VMX_INSTRUCTION_INFO], ev = f[VM_ENTRY_INTR_INFO_FIELD];
	unsigned int reg = (info >> 3) & 15;

	x.p.skip = !((ev & INTR_INFO_VALID) && INTR_TYPE(ev) == TYPE_HARD_EXCEPTION);
	if (x.basic == EXIT_REASON_LDTR_TR_ACCESS && !((info >> 29) & 1) && (info & BIT(10))) {
		if (reg == 4)
			x.p.rsp = f[GUEST_RSP];
		else
			((u64 *)&x.p.r)[reg] = ((const u64 *)&m.regs[x.c])[reg];
	}
	if (v->dt_loads_refused > x.p.v.dt_loads_refused + 1)
		fuzz_fail("dt_loads_refused grew by %llu",
			  v->dt_loads_refused - x.p.v.dt_loads_refused);
	if (memcmp(v->dt.table, x.p.v.dt.table, sizeof(v->dt.table)) || v->dt.tr != x.p.v.dt.tr)
		fuzz_fail("Linux's recorded tables changed");
	x.p.v.dt_loads_refused = v->dt_loads_refused;
	x.p.v.dt = v->dt;
	dt_accept_writes();
}

/* What the exit may write: opened before it runs, everything else faults. */
static void open_writable(void)
{
	const u64 cfg = FVX_WIN_CONFIG;
	unsigned int cpu, i;

	/* Every exit harvests this CPU's TSC slot and may tell it to track. */
	window_may_write(FVX_WIN_STACK_TOP(x.c), sizeof(struct fvx_tsc_slot));
	if (x.basic == EXIT_REASON_MSR_WRITE)
		window_may_write(cfg, PAGE);
	if (x.basic == EXIT_REASON_GDTR_IDTR_ACCESS || x.basic == EXIT_REASON_LDTR_TR_ACCESS)
		dt_open_pages();
	if (x.basic == EXIT_REASON_VMCALL) {
		switch ((u32)x.r.rax) {
		case FVX_VMCALL_STATUS: ram_may_write(x.r.rcx); break;
		case FVX_VMCALL_WINDOW_INFO: ram_may_write(x.r.rbx); break;
		case FVX_VMCALL_CONFIGURE: window_may_write(0, FVX_WIN_IDT + PAGE); break;
		case FVX_VMCALL_ANALYZER_LOAD:
			window_may_write(cfg, PAGE);
			window_may_write(FVX_WIN_CODE, FVX_WIN_CODE_SIZE);
			break;
		case FVX_VMCALL_TRACE_FILTER:
			window_may_write(cfg, PAGE);
			window_may_write(FVX_WIN_DATA, FVX_WIN_DATA_SIZE);
			for (cpu = 0; cpu < CPUS; cpu++)
				window_may_write(ring_offset(cpu), PAGE);
			break;
		case FVX_VMCALL_TRACE_MODE: window_may_write(cfg, PAGE); break;
		case FVX_VMCALL_TRACE_EVENT:
		case FVX_VMCALL_TRACE_RETURN:
			window_may_write(ring_offset(x.c), PAGE);
			for (i = 0; i < EXIT_RECORDS_MAX; i++)
				window_may_write(slot_offset(x.c, ring_now(x.c)->head + i),
						 sizeof(struct fvx_trace_record));
			window_may_write(FVX_WIN_DATA, sizeof(struct fvx_trace_data));
			break;
		}
	}
	window_open();
}

/* ---- comparing ---- */

static void vcpu_diff(const struct vcpu *want, const struct vcpu *got)
{
	unsigned int i;

#define FIELD(f)                                                                                   \
	if (want->f != got->f)                                                                     \
	fprintf(stderr, "vcpu %u: " #f " is %#llx, expected %#llx\n", want->index, (u64)got->f,    \
		(u64)want->f)
	FIELD(nmi_pending);
	FIELD(vmcalls);
	FIELD(exits_total);
	FIELD(ept_violations_logged);
	FIELD(guest_lstar);
	FIELD(guest_fmask);
	for (i = 0; i < SHADOWED_MSR_COUNT; i++) {
		FIELD(shadowed[i].guest);
		FIELD(shadowed[i].real);
	}
	FIELD(guest_efer_sce);
	FIELD(msr_writes_shadowed);
	FIELD(dt_loads_refused);
	FIELD(kernel_writes_refused);
	FIELD(text_pokes);
	FIELD(resume_tampered);
	FIELD(trace_mode);
	FIELD(analyzer_interrupted);
	FIELD(attacks);
	FIELD(sealed_refusals);
	FIELD(bad_unload_keys);
	FIELD(ptp.generation);
	FIELD(ptp.checking);
	FIELD(ptp.count.cr3_loads);
	FIELD(ptp.count.pml4e_repaired);
	FIELD(ptp.count.pdpte_repaired);
	FIELD(ptp.count.cr3_refused);
	FIELD(ptp.count.pdpt_writes_emulated);
	FIELD(ptp.count.pdpt_writes_refused);
	FIELD(ptp.count.loaded_repaired);
	FIELD(ptp.count.table_writes_emulated);
	FIELD(ptp.count.table_writes_refused);
	FIELD(ptp.count.tables_unguarded);
	FIELD(dr.window);
	FIELD(dr.dr7);
	FIELD(dr.refused);
	FIELD(dr.exiting);
	FIELD(ptp.count.loaded_refused);
	FIELD(ptp.retried_gpa);
	FIELD(ptp.retried_rip);
	FIELD(ptp.guarded);
	FIELD(ptp.guard_epoch);
	FIELD(ptp.flushed);
	FIELD(tsc.exit_tsc);
	FIELD(tsc.transition);
	FIELD(tsc.hidden);
	FIELD(tsc.evened);
	FIELD(tsc.level);
	FIELD(tsc.forgiven);
	FIELD(tsc.called);
	FIELD(tsc.looks);
	FIELD(tsc.look_wanted);
	FIELD(tsc.deadline);
	FIELD(tsc.armed);
	FIELD(tsc.rearmed);
	FIELD(tsc.tsc_adjust);
	FIELD(tsc.has_adjust);
	FIELD(tsc.resumed);
	FIELD(tsc.space);
	FIELD(tsc.generation);
	FIELD(tsc.hiding);
	FIELD(tsc.exiting);
	FIELD(tsc.track);
	FIELD(tsc.analyzer);
	FIELD(tsc.analyzer_exit);
	FIELD(tsc.analyzer_extra);
	FIELD(tsc.adjusted);
	for (i = 0; i < FVX_EXIT_REASON_COUNT; i++)
		FIELD(exits[i]);
#undef FIELD
}

static void hv_diff(const struct hv *want, const struct hv *got)
{
#define FIELD(f)                                                                                   \
	if (want->f != got->f)                                                                     \
	fprintf(stderr, "hv." #f " is %#llx, expected %#llx\n", (u64)got->f, (u64)want->f)
	FIELD(configured);
	FIELD(analyzer_loaded);
	FIELD(trace_drop);
	FIELD(tracing_cpus);
	FIELD(ring_bytes);
	FIELD(ring_capacity);
	FIELD(page_offset);
	FIELD(ram_top);
	FIELD(window_pa);
	FIELD(window_size);
	FIELD(window_gpa);
	FIELD(unload_key);
	FIELD(seal_until);
	FIELD(ptp.lock);
	FIELD(ptp.generation);
	FIELD(ptp.active);
	FIELD(ptp.pml4_index);
	FIELD(ptp.pdpt_index);
	FIELD(ptp.pml4e);
	FIELD(ptp.pdpte);
	FIELD(ptp.pdpt_gpa);
	FIELD(ptp.epoch);
	FIELD(ptp.flushes);
	FIELD(ptp.leaf[0]);
	FIELD(ptp.leaf[1]);
	FIELD(ptp.leaf_saved[0]);
	FIELD(ptp.leaf_saved[1]);
	FIELD(ptp.reserve.used);
	FIELD(tsc.lock);
	FIELD(tsc.generation);
	FIELD(tsc.clock);
	FIELD(tsc.count);
	FIELD(tsc.evicted);
	FIELD(tsc.most_hidden);
	for (unsigned int i = 0; i < TSC_SPACES; i++) {
		FIELD(tsc.space[i].key);
		FIELD(tsc.space[i].hidden);
		FIELD(tsc.space[i].last);
		FIELD(tsc.space[i].used);
	}
#undef FIELD
}

static bool may_write(u32 field)
{
	switch (field) {
	case VM_ENTRY_INTR_INFO_FIELD:
	case VM_ENTRY_EXCEPTION_ERROR_CODE:
	case VM_ENTRY_INSTRUCTION_LEN:
	case GUEST_RIP:
	case GUEST_INTERRUPTIBILITY_INFO: return true;
	case GUEST_CR0:
	case CR0_READ_SHADOW:
	case GUEST_CR4:
	case CR4_READ_SHADOW: return x.basic == EXIT_REASON_CR_ACCESS;
	case EPT_POINTER:
	case EPTP_INDEX: return x.basic == EXIT_REASON_EPT_VIOLATION;
	case GUEST_CR3: return x.basic == EXIT_REASON_CR_ACCESS;
	case GUEST_DR7: return x.p.synced || x.basic == EXIT_REASON_DR_ACCESS;
	case GUEST_IA32_EFER: return x.basic == EXIT_REASON_MSR_WRITE;
	case GUEST_SYSENTER_EIP: return x.p.sysenter_written;
	case GUEST_RSP: /* MOV from CR3 or DRn to RSP, XCHG with RSP on the PDPT, SLDT/STR to RSP */
		return x.basic == EXIT_REASON_CR_ACCESS || x.basic == EXIT_REASON_DR_ACCESS ||
		       x.basic == EXIT_REASON_EPT_VIOLATION || x.p.dt_exit;
	case CPU_BASED_VM_EXEC_CONTROL: return x.p.synced || x.p.tsc_followed;
	case SECONDARY_VM_EXEC_CONTROL: return x.p.synced;
	case GUEST_RFLAGS: return x.p.resumed || x.p.rf;
	case EXCEPTION_BITMAP: return x.p.synced;
	case TSC_OFFSET: return x.p.outcome == OUT_RESUME; /* tsc.c, last */
	case GUEST_GDTR_BASE:
	case GUEST_GDTR_LIMIT:
	case GUEST_IDTR_BASE:
	case GUEST_IDTR_LIMIT:
	case GUEST_TR_SELECTOR:
	case GUEST_TR_BASE:
	case GUEST_TR_LIMIT:
	case GUEST_TR_AR_BYTES: return x.p.tables_written;
	case GUEST_LDTR_SELECTOR:
	case GUEST_LDTR_BASE:
	case GUEST_LDTR_AR_BYTES:
	case GUEST_ES_LIMIT + 2 * SEG_LDTR: return x.p.dt_exit;
	}
	return false;
}

static const char *outcome_name(enum outcome o)
{
	return o == OUT_RESUME ? "resume" : o == OUT_FATAL ? "a stopped CPU" : "VMXOFF";
}

/* The event VM entry delivers, given the handler's own injection. */
static bool event_matches(unsigned int inject, bool report)
{
	const u64 *f = m.vmcs[x.c];
	u32 info = 0,
	    intr = (x.p.skip ? x.intr & ~(u32)(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)
			     : x.intr) |
		   x.p.intr_set;
	u64 code = x.entry_error, len = x.entry_len;
	bool nmi = x.v[x.c].nmi_pending;

	if (x.vectoring & INTR_INFO_VALID) { /* delivered again (SDM 27.2.4) */
		info = x.vectoring & ~(u32)BIT(12);
		if (info & INTR_INFO_DELIVER_CODE)
			code = x.vectoring_error;
		len = x.len;
	}
	if (inject == INJ_UD)
		info = INTR_INFO_VALID | INTR_TYPE_HARD_EXCEPTION | VECTOR_UD;
	if (inject == INJ_DF) {
		info = INTR_INFO_VALID | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_DELIVER_CODE | 8;
		code = 0;
	}
	if (inject == INJ_GP) {
		info = INTR_INFO_VALID | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_DELIVER_CODE |
		       VECTOR_GP;
		code = 0;
	}
	if (inject == INJ_DB)
		info = INTR_INFO_VALID | INTR_TYPE_HARD_EXCEPTION | 1;
	if (inject == INJ_DT) {
		u32 vector = f[VM_ENTRY_INTR_INFO_FIELD] & 0xff;

		/* #NP, #SS, #GP with 0 or a selector; #PF with P, W, U only. */
		info = INTR_INFO_VALID | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_DELIVER_CODE |
		       (vector >= 11 && vector <= 14 ? vector : VECTOR_GP);
		code = f[VM_ENTRY_EXCEPTION_ERROR_CODE];
		if ((vector == 14 && (code & ~7ULL)) || code > 0xffff)
			code = ~0ULL;
	}
	if (nmi && !(info & INTR_INFO_VALID) &&
	    !(intr & (GUEST_INTR_STATE_NMI | GUEST_INTR_STATE_MOV_SS | GUEST_INTR_STATE_STI))) {
		info = INTR_INFO_VALID | INTR_TYPE_NMI | 2;
		nmi = false;
	}
	if (f[VM_ENTRY_INTR_INFO_FIELD] == info && m.vcpus[x.c].nmi_pending == nmi &&
	    (!(info & INTR_INFO_DELIVER_CODE) || f[VM_ENTRY_EXCEPTION_ERROR_CODE] == code) &&
	    (INTR_TYPE(info) < TYPE_SOFT_INTERRUPT || INTR_TYPE(info) > TYPE_SOFT_EXCEPTION ||
	     f[VM_ENTRY_INSTRUCTION_LEN] == len))
		return true;
	if (report)
		fprintf(stderr,
			"event injected %#llx (error %#llx, length %llu), NMI pending %u; expected "
			"%#x (error %#llx, length %llu), NMI pending %u\n",
			f[VM_ENTRY_INTR_INFO_FIELD], f[VM_ENTRY_EXCEPTION_ERROR_CODE],
			f[VM_ENTRY_INSTRUCTION_LEN], m.vcpus[x.c].nmi_pending, info, code, len,
			nmi);
	return false;
}

/* Whatever the guest wrote, the CPU enters Linux's syscall paths as it did
 * at load: SYSCALL is on, STAR and CSTAR are Linux's (the handlers run no
 * WRMSR for them: compared with the prediction), and so are SYSENTER_*,
 * which VM entry loads from the guest-state fields. */
static void check_syscall_path(unsigned int cpu)
{
	const u64 *f = m.vmcs[cpu];
	unsigned int i;

	if (!(f[GUEST_IA32_EFER] & EFER_SCE))
		fuzz_fail("cpu %u: EFER %#llx without SCE", cpu, f[GUEST_IA32_EFER]);
	/* SYSENTER_EIP: Linux's, or this CPU's entry in the window while it
	 * runs a fast trace that has the window's IDT (trace_ctl.c). */
	if (f[GUEST_SYSENTER_CS] != LINUX_SYSENTER_CS ||
	    f[GUEST_SYSENTER_ESP] != LINUX_SYSENTER_ESP ||
	    (f[GUEST_SYSENTER_EIP] != LINUX_SYSENTER_EIP &&
	     (!m.vcpus[cpu].dt.window_idt ||
	      f[GUEST_SYSENTER_EIP] != config()->window_va + cpu * FVX_WIN_TRAMPOLINE_STRIDE +
					       FVX_WIN_TRAMPOLINE_SYSENTER)))
		fuzz_fail("cpu %u: SYSENTER %#llx:%#llx, stack %#llx is not Linux's", cpu,
			  f[GUEST_SYSENTER_CS], f[GUEST_SYSENTER_EIP], f[GUEST_SYSENTER_ESP]);
	for (i = 0; i < SHADOWED_MSR_COUNT; i++)
		if (m.vcpus[cpu].shadowed[i].real != linux_msr_value(i))
			fuzz_fail("cpu %u: the real value of shadowed MSR %u is %#llx", cpu, i,
				  m.vcpus[cpu].shadowed[i].real);
}

/* The analyzer's time, whatever the model says: the table holds each
 * address space once, under its PML4 key, and nothing once no CPU traces;
 * a CPU exits on RDTSC exactly as it decided (or where it cannot clear
 * it), and its decision, when current, is that an address space of the
 * table runs. */
static void check_tsc_spaces(void)
{
	const struct tsc_state *s = &m.hv.tsc;
	unsigned int i, j, used = 0, cpu;

	for (i = 0; i < TSC_SPACES; i++) {
		u64 key = s->space[i].key;

		if (!key)
			continue;
		used++;
		if ((key & ~PTE_ADDR) != TSC_SPACE_USED)
			fuzz_fail("TSC table key %#llx is not a PML4's", key);
		for (j = 0; j < i; j++)
			if (s->space[j].key == key)
				fuzz_fail("TSC table holds %#llx twice", key);
	}
	if (used != s->count || (!m.hv.tracing_cpus && used))
		fuzz_fail("TSC table: %u address spaces, count %llu, %u CPUs tracing", used,
			  s->count, m.hv.tracing_cpus);
	for (cpu = 0; cpu < CPUS; cpu++) {
		const struct tsc_cpu *t = &m.vcpus[cpu].tsc;
		const u64 *f = m.vmcs[cpu];
		bool on = f[CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_RDTSC_EXITING, in_table = false;

		if (m.stopped[cpu])
			continue;
		if (on != (t->exiting || (m.hv.ctls.proc & CPU_BASED_RDTSC_EXITING)))
			fuzz_fail("cpu %u: RDTSC exiting %u, decided %u", cpu, on, t->exiting);
		for (i = 0; i < TSC_SPACES; i++)
			in_table |= s->space[i].key == ((f[GUEST_CR3] & PTE_ADDR) | TSC_SPACE_USED);
		if (t->generation == s->generation &&
		    t->space == ((f[GUEST_CR3] & PTE_ADDR) | TSC_SPACE_USED) &&
		    t->exiting != (s->rdtsc_exiting && m.hv.tracing_cpus && in_table))
			fuzz_fail("cpu %u: RDTSC exiting %u for CR3 %#llx, in the table %u", cpu,
				  t->exiting, f[GUEST_CR3], in_table);
	}
}

static void check_globals(enum outcome out)
{
	const struct fvx_config *c = config();
	const struct fvx_analyzer_header *h = (const void *)(m.window + FVX_WIN_CODE);
	unsigned int cpu, tracing = 0;

	for (cpu = 0; cpu < CPUS; cpu++) {
		const struct vcpu *v = &m.vcpus[cpu];

		tracing += v->trace_mode != 0;
		if (v->trace_mode && !m.hv.configured)
			fuzz_fail("cpu %u traces, but the hypervisor is not configured", cpu);
		if (v->trace_mode == FVX_MODE_FAST && !m.hv.analyzer_loaded)
			fuzz_fail("cpu %u traces in fast mode without an analyzer", cpu);
		if (!m.stopped[cpu] && m.cpu[cpu].lstar != lstar_target(v))
			fuzz_fail("cpu %u: IA32_LSTAR is %#llx, expected %#llx", cpu,
				  m.cpu[cpu].lstar, lstar_target(v));
		if ((m.cpu[cpu].fmask & 0x300) != 0x300)
			fuzz_fail("cpu %u: IA32_FMASK %#llx lets SYSCALL keep IF or TF", cpu,
				  m.cpu[cpu].fmask);
		check_syscall_path(cpu);
	}
	if (tracing && !m.hv.ptp.active)
		fuzz_fail("%u CPUs trace, but the window's page tables are not protected", tracing);
	check_tsc_spaces();
	if (tracing != m.hv.tracing_cpus)
		fuzz_fail("hv.tracing_cpus is %u, but %u CPUs trace", m.hv.tracing_cpus, tracing);
	if (m.hv.configured && ((c->window_va & (GIB - 1)) || c->window_va < KERNEL_HALF))
		fuzz_fail("configured with window_va %#llx", c->window_va);
	if (m.hv.analyzer_loaded &&
	    analyzer_image_check(h, h->image_size, FVX_WIN_CODE_SIZE) != ANALYZER_OK)
		fuzz_fail("the loaded analyzer is not a valid image");
	/* Whatever the order of CONFIGURE, ANALYZER_LOAD and TRACE_FILTER: a
	 * window the trampoline may run has the flags of its analyzer and
	 * trace, and no -s past the cap. */
	if (m.hv.configured && m.hv.analyzer_loaded &&
	    c->flags !=
		    config_flags(h, m.hv.trace_drop, c->filter.target_tgid, m.hv.seal_until,
				 modes_all_fast(m.hv.window_idt, m.vcpus, m.vcpus[x.c].trace_mode),
				 m.hv.trace_hide_time && m.hv.tsc.rdtsc_exiting))
		fuzz_fail("config flags %#x, but the analyzer's are %#x and the trace %s", c->flags,
			  h->flags, m.hv.trace_drop ? "drops" : "waits");
	if (c->string_limit > FVX_DATA_BUFFER_MAX)
		fuzz_fail("config string_limit %u is past FVX_DATA_BUFFER_MAX", c->string_limit);
	/* Calls skip the tracepoints only while every CPU takes its 32-bit
	 * calls through the window: its IDT loaded, its SYSENTER entry. */
	if (c->flags & FVX_CONFIG_FAST_SKIP)
		for (cpu = 0; cpu < CPUS; cpu++)
			if (m.vcpus[cpu].trace_mode != FVX_MODE_FAST ||
			    m.vmcs[cpu][GUEST_IDTR_BASE] != c->window_va + FVX_WIN_IDT ||
			    m.vmcs[cpu][GUEST_SYSENTER_EIP] !=
				    c->window_va + cpu * FVX_WIN_TRAMPOLINE_STRIDE +
					    FVX_WIN_TRAMPOLINE_SYSENTER)
				fuzz_fail("FAST_SKIP, but cpu %u (mode %u) has IDTR %#llx, "
					  "SYSENTER_EIP %#llx",
					  cpu, m.vcpus[cpu].trace_mode,
					  m.vmcs[cpu][GUEST_IDTR_BASE],
					  m.vmcs[cpu][GUEST_SYSENTER_EIP]);
	if (out == OUT_RESUME && x.view == 0 && m.vmcs[x.c][EPTP_INDEX] == 1 &&
	    !window_code(m.vmcs[x.c][GUEST_RIP]))
		fuzz_fail("switched to the analyzer view to run %#llx, outside the window's code",
			  m.vmcs[x.c][GUEST_RIP]);
}

/* The TSC offset, the CPU's deadline and its RDMSRs, WRMSRs and fires as
 * predicted; then what must hold whatever the model says: the guest's TSC
 * at resume is its TSC when the exit began less the transition cost (the
 * hypervisor's own time hidden, and no more), unless the guest wrote
 * IA32_TSC or IA32_TSC_ADJUST; never before the last resume's; a deadline
 * armed on the CPU is the guest's in the guest's time, and one that fired
 * is not armed again before the guest writes a new one (it would fire
 * twice). */
static void check_timing(enum outcome out)
{
	const struct prediction *p = &x.p;
	const struct fake_cpu *fc = &m.cpu[x.c];
	const struct tsc_cpu *t = &m.vcpus[x.c].tsc;
	u64 offset = m.vmcs[x.c][TSC_OFFSET], started = x.v[x.c].tsc.exit_tsc + x.offset;
	u64 resumed = fc->tsc + offset;
	static u64 last_resume[CPUS];

	if (offset != p->offset)
		fuzz_fail("TSC offset %#llx, expected %#llx", offset, p->offset);
	if (fc->tsc_deadline != p->deadline || fc->deadline_reads != p->deadline_reads ||
	    fc->deadline_writes != p->deadline_writes || fc->deadline_fires != p->deadline_fires)
		fuzz_fail("IA32_TSC_DEADLINE %#llx (%u reads, %u writes, %u fires); expected %#llx "
			  "(%u, %u, %u)",
			  fc->tsc_deadline, fc->deadline_reads, fc->deadline_writes,
			  fc->deadline_fires, p->deadline, p->deadline_reads, p->deadline_writes,
			  p->deadline_fires);
	if (fc->deadline_fired && fc->tsc_deadline)
		fuzz_fail("the TSC deadline %#llx fired and is armed again (%#llx): it fires twice",
			  t->deadline, fc->tsc_deadline);
	if (out != OUT_RESUME)
		return;
	if (fc->tsc_deadline && fc->tsc_deadline + offset != t->deadline)
		fuzz_fail("the CPU's deadline %#llx is guest time %#llx, the guest's is %#llx",
			  fc->tsc_deadline, fc->tsc_deadline + offset, t->deadline);
	/* (The preemption timer's exit of a CPU that was level stays in the
	 * guest's time: it resumes later by the exit's own time.) */
	if (x.basic == EXIT_REASON_PREEMPTION_TIMER && !p->caught_up && !p->tsc_written &&
	    x.hv.tsc.call_back) {
		if (offset != x.offset || resumed < started)
			fuzz_fail("the timer's look moved the TSC offset or went back: resumes at "
				  "%#llx, began at %#llx",
				  resumed, started);
	} else if (p->analyzers) {
		if (offset != x.offset || resumed < started)
			fuzz_fail(
				"the analyzer's exit moved the TSC offset or went back: resumes at "
				"%#llx, began at %#llx",
				resumed, started);
	} else if (!p->tsc_written && resumed != started - t->transition)
		fuzz_fail("the guest's TSC resumes at %#llx, began the exit at %#llx, transition "
			  "%llu",
			  resumed, started, t->transition);
	if (x.v[x.c].exits_total && (s64)(started - last_resume[x.c]) < 0)
		fuzz_fail("the guest's TSC began the exit at %#llx, before the last resume's %#llx",
			  started, last_resume[x.c]);
	last_resume[x.c] = resumed;
}

static void compare(enum outcome out)
{
	const struct prediction *p = &x.p;
	const u64 *f = m.vmcs[x.c];
	const struct fake_cpu *fc = &m.cpu[x.c];
	struct vcpu want;
	u64 rip = x.rip + p->skip_len;
	unsigned int i, inject;
	const char *problem;

	/* The message limit is not modelled: it only grows, to 32. */
	if (m.vcpus[x.c].ptp.logged < x.v[x.c].ptp.logged || m.vcpus[x.c].ptp.logged > 32)
		fuzz_fail("ptp.logged went from %u to %u", x.v[x.c].ptp.logged,
			  m.vcpus[x.c].ptp.logged);
	x.p.v.ptp.logged = m.vcpus[x.c].ptp.logged;
	if (p->dt_exit && out == OUT_RESUME)
		dt_exit_outcome();
	x.p.v.dt.logged = m.vcpus[x.c].dt.logged; /* not modelled, as ptp.logged */
	memcpy(&want, &p->v, sizeof(want));
	for (i = 0; i < m.writes; i++)
		if (!may_write(m.written[i]))
			fuzz_fail("VMWRITE of field %#x", m.written[i]);
	if (out != p->outcome)
		fuzz_fail("ended in %s, expected %s", outcome_name(out), outcome_name(p->outcome));
	if (f[CPU_BASED_VM_EXEC_CONTROL] != p->proc)
		fuzz_fail("processor-based controls %#llx, expected %#x",
			  f[CPU_BASED_VM_EXEC_CONTROL], p->proc);
	if (fc->invept != x.cpu.invept + p->invept || fc->invvpid != x.cpu.invvpid + p->invvpid ||
	    (p->invvpid && (fc->invvpid_type != INVVPID_SINGLE_CONTEXT ||
			    fc->invvpid_vpid != VPID(x.c) || fc->invvpid_address)))
		fuzz_fail("flushes: INVEPT %u, INVVPID %u (type %llu, VPID %u); expected %u, %u "
			  "(single context, VPID %u)",
			  fc->invept - x.cpu.invept, fc->invvpid - x.cpu.invvpid, fc->invvpid_type,
			  fc->invvpid_vpid, p->invept, p->invvpid, VPID(x.c));
	check_ept();
	if (p->protected_now)
		memcpy(x.p.hv.ptp.leaf, m.hv.ptp.leaf, sizeof(m.hv.ptp.leaf)); /* checked */
	for (i = 0; i < CPUS; i++)
		if (i != x.c && memcmp(&x.v[i], &m.vcpus[i], sizeof(x.v[i]))) {
			vcpu_diff(&x.v[i], &m.vcpus[i]);
			fuzz_fail("changed another CPU's vcpu");
		}
	if (out == OUT_FATAL) {
		if (memcmp(&p->v, &m.vcpus[x.c], sizeof(p->v)) ||
		    memcmp(&p->hv, &m.hv, sizeof(p->hv)) ||
		    memcmp(&x.r, &m.regs[x.c], sizeof(x.r))) {
			vcpu_diff(&p->v, &m.vcpus[x.c]);
			hv_diff(&p->hv, &m.hv);
			fuzz_fail("a fatal exit changed state before stopping");
		}
		if (!ram_check_and_close() || !window_check_and_close())
			fuzz_fail("a fatal exit changed memory before stopping");
		m.stopped[x.c] = true;
		return;
	}
	if (memcmp(&p->r, &m.regs[x.c], sizeof(p->r))) {
		for (i = 0; i < 16; i++)
			if (((const u64 *)&p->r)[i] != ((const u64 *)&m.regs[x.c])[i])
				fprintf(stderr, "register %u is %#llx, expected %#llx\n", i,
					((const u64 *)&m.regs[x.c])[i], ((const u64 *)&p->r)[i]);
		fuzz_fail("guest registers");
	}
	if (!long_mode(f))
		rip = (u32)rip; /* EIP wraps outside 64-bit mode */
	if (p->resumed)
		rip = p->rip;
	if (f[GUEST_RIP] != (p->skip || p->resumed ? rip : x.rip))
		fuzz_fail("RIP is %#llx, expected %#llx", f[GUEST_RIP], p->skip ? rip : x.rip);
	if (p->resumed && f[GUEST_RFLAGS] != p->rflags)
		fuzz_fail("RFLAGS is %#llx, expected %#llx", f[GUEST_RFLAGS], p->rflags);
	if (p->rf && f[GUEST_RFLAGS] != (x.rflags | BIT(16)))
		fuzz_fail("RFLAGS is %#llx, expected RF set in %#llx", f[GUEST_RFLAGS], x.rflags);
	if (f[EXCEPTION_BITMAP] != p->exceptions)
		fuzz_fail("exception bitmap %#llx, expected %#x", f[EXCEPTION_BITMAP],
			  p->exceptions);
	if (f[SECONDARY_VM_EXEC_CONTROL] != p->proc2)
		fuzz_fail("secondary controls %#llx, expected %#x", f[SECONDARY_VM_EXEC_CONTROL],
			  p->proc2);
	if (!p->dt_exit && (f[GUEST_GDTR_BASE] != p->gdtr || f[GUEST_IDTR_BASE] != p->idtr ||
			    f[GUEST_TR_SELECTOR] != p->tr))
		fuzz_fail("GDTR %#llx, IDTR %#llx, TR %#llx; expected %#llx, %#llx, %#x",
			  f[GUEST_GDTR_BASE], f[GUEST_IDTR_BASE], f[GUEST_TR_SELECTOR], p->gdtr,
			  p->idtr, p->tr);
	check_linux_tables(f, &m.vcpus[x.c]);
	if (p->sysenter_written && f[GUEST_SYSENTER_EIP] != p->sysenter_eip)
		fuzz_fail("SYSENTER_EIP %#llx, expected %#llx", f[GUEST_SYSENTER_EIP],
			  p->sysenter_eip);
	if (f[GUEST_RSP] != p->rsp)
		fuzz_fail("RSP is %#llx, expected %#llx", f[GUEST_RSP], p->rsp);
	if (f[GUEST_CR3] != p->cr3)
		fuzz_fail("CR3 is %#llx, expected %#llx", f[GUEST_CR3], p->cr3);
	if (f[GUEST_DR7] != p->dr7)
		fuzz_fail("DR7 is %#llx, expected %#llx", f[GUEST_DR7], p->dr7);
	/* The invariant itself: no breakpoint on the window while MOV DR
	 * exits (the guest cannot have moved DR0-DR3 since). */
	for (i = 0; m.vcpus[x.c].dr.exiting && i < 4; i++)
		if ((f[GUEST_DR7] & (3ULL << (2 * i))) &&
		    m.cpu[x.c].dr[i] - config()->window_va < GIB)
			fuzz_fail("DR7 %#llx enables DR%u at %#llx, on the window", f[GUEST_DR7], i,
				  m.cpu[x.c].dr[i]);
	if (memcmp(m.cpu[x.c].dr, p->dr, sizeof(p->dr)))
		fuzz_fail("DR0-DR3 or DR6 not as expected (DR0 %#llx, expected %#llx)",
			  m.cpu[x.c].dr[0], p->dr[0]);
	if (f[GUEST_CR0] != p->cr0 || f[CR0_READ_SHADOW] != p->cr0_shadow ||
	    f[GUEST_CR4] != p->cr4 || f[CR4_READ_SHADOW] != p->cr4_shadow)
		fuzz_fail("CR0 %#llx (shadow %#llx), CR4 %#llx (shadow %#llx); expected %#llx "
			  "(%#llx), %#llx (%#llx)",
			  f[GUEST_CR0], f[CR0_READ_SHADOW], f[GUEST_CR4], f[CR4_READ_SHADOW],
			  p->cr0, p->cr0_shadow, p->cr4, p->cr4_shadow);
	if (f[EPTP_INDEX] != p->view)
		fuzz_fail("EPTP index %llu, expected %u", f[EPTP_INDEX], p->view);
	if (f[GUEST_IA32_EFER] != p->efer)
		fuzz_fail("EFER %#llx, expected %#llx", f[GUEST_IA32_EFER], p->efer);
	if (fc->rdmsr_calls != p->rdmsr || (p->rdmsr && fc->rdmsr_msr != p->rdmsr_msr) ||
	    fc->wrmsr_calls != p->wrmsr ||
	    (p->wrmsr && (fc->wrmsr_msr != p->wrmsr_msr || fc->wrmsr_value != p->wrmsr_value)) ||
	    fc->xsetbv_calls != p->xsetbv ||
	    (p->xsetbv && (fc->xsetbv_index || fc->xsetbv_value != p->xsetbv_value)) ||
	    fc->wbinvd != p->wbinvd || fc->tsc != x.cpu.tsc + p->tsc)
		fuzz_fail(
			"instructions run for the guest: RDMSR %u (%#x), WRMSR %u (%#x <- %#llx), "
			"XSETBV %u (%#llx), WBINVD %u, RDTSC %llu; expected %u (%#x), %u (%#x <- "
			"%#llx), %u (%#llx), %u, %u",
			fc->rdmsr_calls, fc->rdmsr_msr, fc->wrmsr_calls, fc->wrmsr_msr,
			fc->wrmsr_value, fc->xsetbv_calls, fc->xsetbv_value, fc->wbinvd,
			fc->tsc - x.cpu.tsc, p->rdmsr, p->rdmsr_msr, p->wrmsr, p->wrmsr_msr,
			p->wrmsr_value, p->xsetbv, p->xsetbv_value, p->wbinvd, p->tsc);
	check_timing(out);
	if (out == OUT_RESUME) {
		for (inject = INJ_NONE; inject <= INJ_DT; inject <<= 1)
			if ((p->inject & inject) && event_matches(inject, false))
				break;
		if (inject > INJ_DT) {
			event_matches(p->inject, true);
			fuzz_fail("the event VM entry would deliver");
		}
		if (f[GUEST_INTERRUPTIBILITY_INFO] !=
		    ((p->skip ? x.intr & ~(u32)(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)
			      : x.intr) |
		     p->intr_set))
			fuzz_fail("interruptibility state %#llx", f[GUEST_INTERRUPTIBILITY_INFO]);
		want.nmi_pending = m.vcpus[x.c].nmi_pending; /* checked with the event */
		problem = entry_problem(x.c);
		if (problem)
			fuzz_fail("VM entry would fail: %s", problem);
	}
	if (memcmp(&want, &m.vcpus[x.c], sizeof(want))) {
		vcpu_diff(&want, &m.vcpus[x.c]);
		fuzz_fail("vcpu state");
	}
	if (memcmp(&p->hv, &m.hv, sizeof(p->hv))) {
		hv_diff(&p->hv, &m.hv);
		fuzz_fail("hypervisor state");
	}
	if (!ram_check_and_close())
		fuzz_fail("guest RAM");
	if (!window_check_and_close())
		fuzz_fail("window");
	check_globals(out);
	if (out == OUT_VMXOFF)
		m.stopped[x.c] = true;
}

void hvfuzz_exit(unsigned int c)
{
	static int trace = -1;
	u64 *f = m.vmcs[c];
	const char *problem;
	enum outcome out;

	if (m.stopped[c] || !make_consistent(c))
		return;
	x.c = c;
	x.reason = f[VM_EXIT_REASON];
	x.basic = x.reason & 0xffff;
	snprintf(m.context, sizeof(m.context), "exit reason %#x on cpu %u%s%u", x.reason, c,
		 x.basic == EXIT_REASON_VMCALL ? ", VMCALL function " : ", qualification ",
		 x.basic == EXIT_REASON_VMCALL ? (u32)m.regs[c].rax : (u32)f[EXIT_QUALIFICATION]);
	problem = entry_problem(c);
	if (problem)
		fuzz_fail("harness: the guest state before the exit fails VM entry: %s", problem);
	x.q = f[EXIT_QUALIFICATION];
	x.len = f[VM_EXIT_INSTRUCTION_LEN];
	x.rip = f[GUEST_RIP];
	x.rsp = f[GUEST_RSP];
	x.gpa = f[GUEST_PHYSICAL_ADDRESS];
	x.cpl = (f[GUEST_SS_AR_BYTES] >> 5) & 3;
	x.intr = f[GUEST_INTERRUPTIBILITY_INFO];
	x.vectoring = f[IDT_VECTORING_INFO_FIELD];
	x.vectoring_error = f[IDT_VECTORING_ERROR_CODE];
	x.entry_error = f[VM_ENTRY_EXCEPTION_ERROR_CODE];
	x.entry_len = f[VM_ENTRY_INSTRUCTION_LEN];
	x.cr0 = f[GUEST_CR0];
	x.cr0_shadow = f[CR0_READ_SHADOW];
	x.cr4 = f[GUEST_CR4];
	x.dr7 = f[GUEST_DR7];
	x.cr4_shadow = f[CR4_READ_SHADOW];
	x.view = f[EPTP_INDEX];
	x.cr3 = f[GUEST_CR3];
	x.cs_ar = f[GUEST_CS_AR_BYTES];
	x.efer = f[GUEST_IA32_EFER];
	x.proc = f[CPU_BASED_VM_EXEC_CONTROL];
	x.proc2 = f[SECONDARY_VM_EXEC_CONTROL];
	x.gdtr = f[GUEST_GDTR_BASE];
	x.idtr = f[GUEST_IDTR_BASE];
	x.tr = f[GUEST_TR_SELECTOR];
	x.cs = f[GUEST_CS_SELECTOR];
	x.rflags = f[GUEST_RFLAGS];
	x.exceptions = f[EXCEPTION_BITMAP];
	x.intr_info = f[VM_EXIT_INTR_INFO];
	x.offset = f[TSC_OFFSET];
	machine_exit_stub(c);
	/* Fired since the guest last wrote the deadline: this write starts anew. */
	if (x.basic == EXIT_REASON_MSR_WRITE && (u32)m.regs[c].rcx == MSR_IA32_TSC_DEADLINE)
		m.cpu[c].deadline_fired = false;
	memcpy(&x.hv, &m.hv, sizeof(x.hv));
	memcpy(x.v, m.vcpus, sizeof(x.v));
	x.r = m.regs[c];
	m.cpu[c].wbinvd = m.cpu[c].rdmsr_calls = m.cpu[c].wrmsr_calls = 0;
	m.cpu[c].xsetbv_calls = m.cpu[c].cpuid_calls = 0;
	m.cpu[c].deadline_reads = m.cpu[c].deadline_writes = m.cpu[c].deadline_fires = 0;
	x.cpu = m.cpu[c];

	ram_writable(false);
	open_writable();
	predict();
	if (x.p.outcome == OUT_RESUME)
		predict_hide_exit();
	model_timer(); /* at the exit's last RDTSC */
	out = machine_dispatch(c);
	compare(out);
	if (trace < 0)
		trace = getenv("FVX_FUZZ_TRACE") != NULL;
	if (trace) /* replaying one input: what each exit did */
		fprintf(stderr,
			"%s: %s, RAX %#llx, RBX %#llx, RIP %#llx, event %#llx; protection %s, "
			"CR3 loads %llu (refused %llu), repaired PML4E %llu PDPTE %llu, PDPT "
			"writes %llu (refused %llu)\n",
			m.context, outcome_name(out), m.regs[c].rax, m.regs[c].rbx, f[GUEST_RIP],
			f[VM_ENTRY_INTR_INFO_FIELD], m.hv.ptp.active ? "on" : "off",
			m.vcpus[c].ptp.count.cr3_loads, m.vcpus[c].ptp.count.cr3_refused,
			m.vcpus[c].ptp.count.pml4e_repaired, m.vcpus[c].ptp.count.pdpte_repaired,
			m.vcpus[c].ptp.count.pdpt_writes_emulated,
			m.vcpus[c].ptp.count.pdpt_writes_refused);
}
