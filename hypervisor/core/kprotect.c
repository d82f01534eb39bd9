/* Protection of kernel text, read-only data and the IDT page (kprotect.h):
 * the writes that reach a protected page. VMX root only; the pages were
 * made read-only at load time (kprotect_init.c).
 *
 * Linux's text_poke maps the page it patches at a private address in
 * poking_mm and writes it there with interrupts off. A write to kernel text
 * from that address space at CPL 0 in the normal view is let through: the
 * page becomes writable in the normal view for one instruction, which the
 * monitor trap flag ends, or, where there is none, a single-step #DB
 * (RFLAGS.TF set for the step, #DB exiting through the exception bitmap;
 * a REP MOVS steps per iteration, so each byte is one step). Everything else — a write through the direct map
 * or the kernel mapping with CR0.WP clear, a fresh mapping of the page,
 * a write to rodata or the IDT from anywhere — is refused: a store this
 * hypervisor can decode is skipped, any other write gets #GP. A ring-0
 * attacker can still call text_poke itself, as it can make system calls:
 * each such write is counted and logged with its address. */
#include "kprotect.h"
#include "exit.h"
#include "guest_mem.h"
#include "insn.h"
#include "log.h"
#include "views.h"
#include "../arch/x86/asm.h"
#include "../arch/x86/paging.h"

#define LOG_LIMIT 32 /* messages per CPU */

#define kprot_log(v, ...) root_log_limited((v)->kprot.logged, LOG_LIMIT, __VA_ARGS__)

static int kind_of(const struct hv *hv, u64 gpa)
{
	int kind;

	for (kind = 0; kind < KPROT_KINDS; kind++)
		if (gpa >= hv->kprot.range[kind].start && gpa < hv->kprot.range[kind].end)
			return kind;
	return -1;
}

bool kprot_covers(const struct hv *hv, u64 gpa)
{
	return kind_of(hv, gpa) >= 0;
}

#define RFLAGS_TF BIT(8)
#define VECTOR_DB 1
#define DR6_BS BIT(14) /* single step, in the #DB exit qualification (SDM Table 27-1) */

/* Starts or ends the one-instruction step that a let-through write takes. */
static void step(struct vcpu *v, bool on)
{
	u64 rflags = vmcs_readl(GUEST_RFLAGS);

	if (on == v->kprot.stepping)
		return;
	v->kprot.stepping = on;
	if (v->hv->kprot.mtf) {
		u32 proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) & ~CPU_BASED_MONITOR_TRAP_FLAG;

		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL,
			     proc | (on ? CPU_BASED_MONITOR_TRAP_FLAG : 0));
		return;
	}
	if (on) {
		v->kprot.guest_tf = rflags & RFLAGS_TF;
		vmcs_writel(GUEST_RFLAGS, rflags | RFLAGS_TF);
	} else if (!v->kprot.guest_tf) {
		vmcs_writel(GUEST_RFLAGS, rflags & ~RFLAGS_TF);
	}
	dr_intercept(v);
}

/* Read-only again, and no writable translation left on this CPU. */
static void close_pages(struct vcpu *v)
{
	unsigned int i;

	for (i = 0; i < KPROT_OPEN_MAX; i++) {
		if (v->kprot.open[i])
			__atomic_and_fetch(v->kprot.open[i], ~(u64)EPT_WRITE, __ATOMIC_RELEASE);
		v->kprot.open[i] = NULL;
	}
	arch_invept_all();
}

/* The page of gpa writable in the normal view until the next instruction
 * boundary (the monitor-trap-flag exit). A store across a page end needs
 * two; a third means the instruction writes more than a store does. */
static bool open_page(struct vcpu *v, u64 gpa)
{
	struct hv *hv = v->hv;
	struct pool none = { 0 }; /* split at load time: no table is needed */
	u64 *leaf = ept_leaf_4k(&hv->pool, &none, hv->eptp & EPT_ADDR_MASK, gpa);
	unsigned int i;

	if (!leaf)
		return false;
	for (i = 0; i < KPROT_OPEN_MAX && v->kprot.open[i]; i++)
		;
	if (i == KPROT_OPEN_MAX) {
		close_pages(v);
		i = 0;
	}
	v->kprot.open[i] = leaf;
	__atomic_or_fetch(leaf, EPT_WRITE, __ATOMIC_RELEASE);
	arch_invept_all();
	step(v, true);
	return true;
}

static bool from_text_poke(const struct hv *hv, u64 q)
{
	return hv->kprot.patch_cr3 && (vmcs_readl(GUEST_CR3) & PTE_ADDR) == hv->kprot.patch_cr3 &&
	       vmcs_read16(EPTP_INDEX) == VIEW_NORMAL && !(vmcs_read16(GUEST_CS_SELECTOR) & 3) &&
	       (q & EPT_Q_TRANSLATED) && !(vmcs_read32(IDT_VECTORING_INFO_FIELD) & INTR_INFO_VALID);
}

/* A refused write: a store insn.c decodes is skipped (the guest sees its
 * write not happen); anything else faults, as nothing can be done in part. */
static void refuse(struct vcpu *v, struct guest_regs *r, u64 gpa, int kind, u64 q)
{
	u8 code[INSN_MAX_LEN];
	struct insn_store w;

	v->kernel_writes_refused++;
	kprot_log(v, "cpu %u: write to %s at GPA %x refused at RIP %x (CR3 %x)\n", (u64)v->index,
		  kprot_kind_name[kind], gpa, vmcs_readl(GUEST_RIP), vmcs_readl(GUEST_CR3));
	if (vmcs_read32(IDT_VECTORING_INFO_FIELD) & INTR_INFO_VALID) {
		/* An event delivery writing here (a stack on kernel text). */
		guest_inject_exception(VECTOR_DF, true, 0);
		return;
	}
	if ((q & EPT_Q_TRANSLATED) && (vmcs_read32(GUEST_CS_AR_BYTES) & SEGMENT_AR_L) &&
	    insn_decode_store(code,
			      guest_fetch(v->hv, vmcs_readl(GUEST_CR3), vmcs_readl(GUEST_RIP), code,
					  INSN_MAX_LEN),
			      &w)) {
		guest_advance_rip(w.len);
		return;
	}
	guest_inject_exception(VECTOR_GP, true, 0);
}

bool kprot_ept_violation(struct vcpu *v, struct guest_regs *r)
{
	u64 q = vmcs_readl(EXIT_QUALIFICATION), gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	int kind = kind_of(v->hv, gpa);

	if (kind < 0 || !(q & EPT_Q_WRITE))
		return false;
	if (kind == KPROT_TEXT && from_text_poke(v->hv, q) && open_page(v, gpa)) {
		v->text_pokes++;
		kprot_log(v, "cpu %u: text_poke writes kernel text at GPA %x from RIP %x\n",
			  (u64)v->index, gpa, vmcs_readl(GUEST_RIP));
		return true;
	}
	refuse(v, r, gpa, kind, q);
	return true;
}

enum exit_action handle_mtf(struct vcpu *v, struct guest_regs *r)
{
	close_pages(v);
	step(v, false);
	return EXIT_RESUME;
}

bool kprot_debug_exception(struct vcpu *v, struct guest_regs *r)
{
	u64 q = vmcs_readl(EXIT_QUALIFICATION);

	if (!v->kprot.stepping)
		return false;
	close_pages(v);
	step(v, false);
	/* The guest's own single step or breakpoint, at the same boundary:
	 * it still gets its #DB (the debug registers it set are its own). */
	if (v->kprot.guest_tf || (q & ~DR6_BS))
		dr_inject_db((q & 0x600f & ~DR6_BS) | (v->kprot.guest_tf ? DR6_BS : 0));
	return true;
}
