/* Page-table protection of the analyzer window (ARCHITECTURE.md,
 * "Protection"). The agent maps the window with one 1 GiB PDPTE in a PDPT
 * that a kernel-half PML4E points at, shared by every address space. When
 * the agent configures the window, the hypervisor finds both entries in
 * the guest's own tables, checks them, and from then on
 *  - on every MOV to CR3 checks the new top-level table's PML4E and the
 *    PDPTE, and writes back what differs (CR3-load exiting);
 *  - at every other exit checks the table that is loaded the same way:
 *    guest ring 0 may rewrite its PML4E at any time. A CPU with nothing
 *    else to exit for comes back every TSC_EVEN_LOOK ticks to be checked
 *    (tsc_look), so a rewrite lasts that long at most;
 *  - keeps the PDPT page read-only in both EPT views and does the guest's
 *    writes to it itself, except those to the window's slot.
 * Everything here runs in VMX root (ptp_init, at load time, is in
 * ptprotect_init.c). Configure
 * and unconfigure run on the CPU that made the VMCALL; every other CPU
 * follows at its next exit, and at the latest at the TRACE_MODE VMCALL
 * that starts tracing on it (ptp_sync_cpu). */
#include "ptprotect.h"
#include "exit.h"
#include "guest_mem.h"
#include "insn.h"
#include "log.h"
#include "trace_ctl.h"
#include "tsc.h"
#include "views.h"
#include "window.h"
#include "../arch/x86/asm.h"
#include "../arch/x86/paging.h"

/* Set by the CPU on its own as it walks (SDM 4.8): never a reason to repair. */
#define PTE_CPU_SET (PTE_ACCESSED | PTE_DIRTY)
#define CS_AR_L BIT(13) /* 64-bit code segment */

#define LOG_LIMIT 32 /* messages per CPU */

#define ptp_log(v, ...) root_log_limited((v)->ptp.logged, LOG_LIMIT, __VA_ARGS__)

static void lock(struct ptp_state *p)
{
	while (__atomic_exchange_n(&p->lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}

static void unlock(struct ptp_state *p)
{
	__atomic_store_n(&p->lock, 0, __ATOMIC_RELEASE);
}

static void changed(struct ptp_state *p)
{
	__atomic_add_fetch(&p->generation, 1, __ATOMIC_RELEASE);
}

static bool same_entry(u64 a, u64 b)
{
	return ((a ^ b) & ~PTE_CPU_SET) == 0;
}

static u64 read_entry(const u64 *e)
{
	return __atomic_load_n(e, __ATOMIC_RELAXED);
}

/* Where the host reads entry index of the guest table at table_gpa: only
 * in write-back guest RAM that is not the hypervisor's (where Linux keeps
 * its page tables). NULL otherwise, and then nothing there is touched. */
static u64 *table_entry(const struct hv *hv, u64 table_gpa, unsigned int index)
{
	u8 type;

	if (!mtrr_range_type(&hv->mtrr, table_gpa, PAGE_SIZE_4K, &type) || type != MEMTYPE_WB)
		return NULL;
	return guest_page_buffer(hv, table_gpa + index * 8, 8);
}

static u64 view_root(const struct hv *hv, unsigned int view)
{
	return (view == VIEW_NORMAL ? hv->eptp : hv->eptp_analyzer) & EPT_ADDR_MASK;
}

/* ---- guarded top-level tables ----
 * A table some CPU has loaded is read-only in both views while any CPU has
 * it loaded (it is taken up at the CR3 load that checks it, dropped at the
 * CPU's next CR3 load), so guest ring 0 cannot rewrite the window's PML4E
 * in it: writes to its other slots are done by the hypervisor in the
 * normal view (ptp_ept_violation), as the PDPT's are; in the analyzer view,
 * which runs no code that writes page tables, a write is an attack (code
 * jumping into the trampoline with a stack of its own). Linux writes a
 * loaded table's entries rarely (a process's first mapping in a 512 GiB
 * region, and its teardown), and never frees a table a CPU has loaded. A
 * page the hypervisor keeps read-only anyway (the PDPT, kernel text and
 * read-only data) is not guarded: its write permission is not the guest's
 * to have back. A table that needs an EPT split when the tables set aside
 * for them are used up stays writable (counted): the check at every exit
 * is its protection. */

static struct ptp_guard *guard_of(struct ptp_state *p, u64 gpa)
{
	unsigned int i;

	for (i = 0; p->guard && i < PTP_GUARDS; i++)
		if (__atomic_load_n(&p->guard[i].gpa, __ATOMIC_ACQUIRE) == gpa)
			return &p->guard[i];
	return NULL;
}

static bool guarded(struct ptp_state *p, u64 page)
{
	return page && guard_of(p, page);
}

/* ---- the EPT splits under guarded tables (struct ptp_split) ---- */

static bool covers(const struct ptp_split *s, u64 gpa)
{
	return s->size && gpa - s->base < s->size;
}

/* Under the lock: a guard for the table at gpa came (+1) or went (-1). */
static void count_users(struct ptp_state *p, u64 gpa, int delta)
{
	unsigned int i;

	for (i = 0; i < p->split_top; i++)
		if (covers(&p->split[i], gpa))
			p->split[i].users += delta;
}

/* Whether every CPU flushed its EPT caches since the split was merged, so
 * that none still walks its tables for the region it had. */
static bool flushed_since(const struct hv *hv, const struct ptp_split *s)
{
	unsigned int i;

	for (i = 0; i < hv->cpu_count; i++)
		if (hv->vcpus[i] &&
		    __atomic_load_n(&hv->vcpus[i]->ptp.flushed, __ATOMIC_ACQUIRE) < s->merged)
			return false;
	return true;
}

/* Under the lock: the splits no guard is in merged back, the smaller
 * first (a 2 MiB split may lie in a 1 GiB one's table); one that changed
 * since (a permission below it) stays. Every CPU flushes at its next exit
 * (ptp_check_loaded), this one now. */
static void merge_unused(struct vcpu *v)
{
	struct ptp_state *p = &v->hv->ptp;
	struct ptp_split *s;
	unsigned int i, view, pass;
	bool merged = false;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < p->split_top; i++) {
			s = &p->split[i];
			if (!s->size || s->users || (s->size > PAGE_SIZE_2M) != pass)
				continue;
			for (view = 0; view < PTP_VIEWS; view++)
				if (ept_merge(&s->tables, &s->view[view]))
					s->view[view].entry = NULL;
			if (s->view[VIEW_NORMAL].entry || s->view[VIEW_ANALYZER].entry)
				continue;
			s->size = 0;
			s->merged = __atomic_add_fetch(&p->flushes, 1, __ATOMIC_RELEASE);
			p->splits_merged++;
			p->splits_active--;
			merged = true;
		}
	if (merged)
		arch_invept_all();
}

/* Under the lock: a free split whose tables may be used, or NULL: the
 * first of those used before, else the next never used (split_top). When
 * few are left, the unused ones are merged for the loads to come. */
static struct ptp_split *free_split(struct vcpu *v)
{
	struct ptp_state *p = &v->hv->ptp;
	struct ptp_split *found = NULL;
	unsigned int i;

	for (i = 0; i < p->split_top && !found; i++)
		if (!p->split[i].size && flushed_since(v->hv, &p->split[i]))
			found = &p->split[i];
	if (!found && p->split_top < p->splits)
		found = &p->split[p->split_top];
	if (p->splits - p->splits_active <= p->splits / 4)
		merge_unused(v);
	return found;
}

/* Under the lock: the 4 KiB leaf of gpa in each view (NULL: none), splitting
 * a large page in the way with split s's tables when s is given. */
static bool leaves_with(struct vcpu *v, u64 gpa, struct ptp_split *s, u64 *leaf[PTP_VIEWS])
{
	struct hv *hv = v->hv;
	struct pool none = { 0 };
	unsigned int view;
	bool found = true;

	if (s)
		s->tables.used = 0;
	for (view = 0; view < PTP_VIEWS; view++) {
		if (s)
			s->view[view].entry = NULL;
		leaf[view] = ept_leaf_4k_split(&hv->pool, s ? &s->tables : &none,
					       view_root(hv, view), gpa, s ? &s->view[view] : NULL);
		found = found && leaf[view];
	}
	return found;
}

/* Under the lock: the 4 KiB leaf of gpa in each view, splitting a large
 * page in the way with a free split's tables; false when a view has none
 * (no split free, or nothing maps gpa). Most loads need no split (a region
 * split before): they touch no split. */
static bool leaves(struct vcpu *v, u64 gpa, u64 *leaf[PTP_VIEWS])
{
	struct hv *hv = v->hv;
	struct ptp_state *p = &hv->ptp;
	struct ptp_split *s;
	unsigned int view;
	bool found;
	u64 size;

	if (leaves_with(v, gpa, NULL, leaf))
		return true;
	s = free_split(v);
	found = leaves_with(v, gpa, s, leaf);
	if (s && (s->view[VIEW_NORMAL].entry || s->view[VIEW_ANALYZER].entry)) {
		size = 0;
		for (view = 0; view < PTP_VIEWS; view++)
			if (s->view[view].entry &&
			    1ULL << (12 + 9 * (s->view[view].level - 1)) > size)
				size = 1ULL << (12 + 9 * (s->view[view].level - 1));
		s->base = gpa & ~(size - 1);
		s->users = 0;
		s->size = size;
		p->splits_made++;
		p->splits_active++;
		if (s == &p->split[p->split_top])
			p->split_top++;
	}
	return found;
}

/* Under the lock: the slot's page as it was, the slot free. */
static void drop_guard(struct ptp_state *p, struct ptp_guard *g)
{
	unsigned int view;

	for (view = 0; view < PTP_VIEWS; view++)
		if (g->was_writable[view])
			__atomic_or_fetch(g->leaf[view], EPT_WRITE, __ATOMIC_RELEASE);
	count_users(p, g->gpa, -1);
	g->users = 0;
	__atomic_store_n(&g->gpa, 0, __ATOMIC_RELEASE);
}

/* Under the lock: this CPU no longer has its guarded table loaded. */
static void unguard_locked(struct vcpu *v)
{
	struct ptp_state *p = &v->hv->ptp;
	struct ptp_guard *g;

	if (v->ptp.guarded && v->ptp.guard_epoch == p->epoch && (g = guard_of(p, v->ptp.guarded)) &&
	    !--g->users)
		drop_guard(p, g);
	v->ptp.guarded = 0;
}

/* A page the hypervisor keeps read-only whatever the guest loads. */
static bool kept_read_only(const struct hv *hv, u64 page)
{
	return page == hv->ptp.pdpt_gpa || kprot_covers(hv, page);
}

/* Whether the guest could write this page itself (normal view), judged by
 * what the page is, not by a write permission the protection took away for
 * a while (a guard; text_poke's instruction on kernel text): the hypervisor
 * writes nowhere on its behalf that the guest could not. */
static bool guest_may_write(struct hv *hv, u64 gpa)
{
	u64 page = gpa & ~(PAGE_SIZE_4K - 1);
	struct ept_translation t;
	struct ptp_guard *g;

	if (kept_read_only(hv, page))
		return false;
	g = guard_of(&hv->ptp, page);
	if (g)
		return g->was_writable[VIEW_NORMAL];
	return ept_translate(&hv->pool, hv->eptp & EPT_ADDR_MASK, gpa, &t) && (t.perm & EPT_WRITE);
}

/* Under the lock, while the protection is on: the table at gpa, which this
 * CPU loads, is guarded until its next load. */
static void guard_locked(struct vcpu *v, u64 gpa)
{
	struct hv *hv = v->hv;
	struct ptp_state *p = &hv->ptp;
	struct ptp_guard *g;
	u64 *leaf[PTP_VIEWS];
	unsigned int view;

	if (v->ptp.guarded == gpa && v->ptp.guard_epoch == p->epoch)
		return;
	unguard_locked(v);
	if (!p->splits || !gpa || kept_read_only(hv, gpa))
		return; /* (a machine that set nothing aside: the fuzz machine's) */
	g = guard_of(p, gpa);
	if (!g) {
		g = guard_of(p, 0);
		if (!g || !leaves(v, gpa, leaf)) {
			v->ptp.count.tables_unguarded++;
			ptp_log(v, "cpu %u: table %x cannot be made read-only: checked at exits\n",
				(u64)v->index, gpa);
			return;
		}
		g->users = 0;
		for (view = 0; view < PTP_VIEWS; view++) {
			g->leaf[view] = leaf[view];
			g->was_writable[view] = read_entry(leaf[view]) & EPT_WRITE;
			__atomic_and_fetch(leaf[view], ~EPT_WRITE, __ATOMIC_RELEASE);
		}
		__atomic_store_n(&g->gpa, gpa, __ATOMIC_RELEASE);
		count_users(p, gpa, 1);
		/* This CPU and every other may hold the writable translation:
		 * this one drops it now, the others at their next exit. */
		__atomic_add_fetch(&p->flushes, 1, __ATOMIC_RELEASE);
		arch_invept_all();
	}
	g->users++;
	v->ptp.guarded = gpa;
	v->ptp.guard_epoch = p->epoch;
}

/* Under the lock: the PDPT page writable again, nothing enforced, every
 * guarded table writable again. */
static void release_locked(struct hv *hv)
{
	struct ptp_state *p = &hv->ptp;
	unsigned int view, i;

	if (!p->active)
		return;
	__atomic_store_n(&p->active, false, __ATOMIC_RELEASE);
	for (view = 0; view < PTP_VIEWS; view++)
		__atomic_store_n(p->leaf[view], p->leaf_saved[view], __ATOMIC_RELEASE);
	for (i = 0; p->guard && i < PTP_GUARDS; i++)
		if (p->guard[i].gpa)
			drop_guard(p, &p->guard[i]);
	p->epoch++;
	changed(p);
}

/* Finds and checks the entries that map window_va in the configuring CPU's
 * own tables: a present PML4E (kernel half, shared by every address
 * space) pointing at a PDPT in RAM, whose entry maps the window as one
 * present, writable, executable, supervisor-only 1 GiB page. The agent
 * only names window_va; everything else is read here. */
static const char *protect_locked(struct vcpu *v, u64 window_va)
{
	struct hv *hv = v->hv;
	struct ptp_state *p = &hv->ptp;
	u64 pml4_gpa = vmcs_readl(GUEST_CR3) & PTE_ADDR, pdpt_gpa, e, d, *entry;
	unsigned int i4 = (window_va >> 39) & 511, i3 = (window_va >> 30) & 511, view;
	u64 *leaf[PTP_VIEWS];

	if (vmcs_readl(GUEST_CR4) & CR4_LA57)
		return "5-level paging is not supported";
	/* RAM lies below MAXPHYADDR: addresses with reserved bits fail here. */
	entry = table_entry(hv, pml4_gpa, i4);
	if (!entry)
		return "the top-level table is not in RAM";
	e = read_entry(entry);
	pdpt_gpa = e & PTE_ADDR;
	if (!(e & PTE_PRESENT) || (e & PTE_LARGE) || pdpt_gpa == pml4_gpa)
		return "no PDPT under the window's PML4E";
	entry = table_entry(hv, pdpt_gpa, i3);
	if (!entry)
		return "the PDPT is not in RAM";
	d = read_entry(entry);
	if ((d & (PTE_PRESENT | PTE_WRITE | PTE_USER | PTE_LARGE | PTE_NX)) !=
		    (PTE_PRESENT | PTE_WRITE | PTE_LARGE) ||
	    (d & PDPTE_1G_ADDR) != hv->window_gpa || (d & PDPTE_1G_RESERVED))
		return "the PDPTE does not map the window as one kernel 1 GiB page";
	for (view = 0; view < PTP_VIEWS; view++) {
		leaf[view] = ept_leaf_4k(&hv->pool, &p->reserve, view_root(hv, view), pdpt_gpa);
		if (!leaf[view])
			return "no EPT tables left to write-protect the PDPT";
	}
	p->pml4_index = i4;
	p->pdpt_index = i3;
	p->pml4e = e;
	p->pdpte = d;
	p->pdpt_gpa = pdpt_gpa;
	for (view = 0; view < PTP_VIEWS; view++) {
		p->leaf[view] = leaf[view];
		p->leaf_saved[view] = read_entry(leaf[view]);
		__atomic_and_fetch(leaf[view], ~EPT_WRITE, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&p->active, true, __ATOMIC_RELEASE);
	changed(p);
	return NULL;
}

s64 ptp_configure(struct vcpu *v, struct guest_regs *r)
{
	struct hv *hv = v->hv;
	s64 status = trace_configure(v, r);
	const char *refused;

	if (status != FVX_VMCALL_OK)
		return status;
	lock(&hv->ptp);
	release_locked(hv); /* an earlier window's */
	refused = protect_locked(v, window_config(hv)->window_va);
	unlock(&hv->ptp);
	if (refused) {
		/* Unprotected, the window must not be traced through. */
		hv->configured = false;
		ptp_log(v, "cpu %u: window at %x refused: %s\n", (u64)v->index,
			window_config(hv)->window_va, refused);
		status = FVX_VMCALL_EINVAL;
	} else {
		ptp_log(v, "cpu %u: window PML4E %u and PDPTE %u (PDPT at GPA %x) protected\n",
			(u64)v->index, (u64)hv->ptp.pml4_index, (u64)hv->ptp.pdpt_index,
			hv->ptp.pdpt_gpa);
	}
	ptp_sync_cpu(v);
	return status;
}

s64 ptp_unconfigure(struct vcpu *v, struct guest_regs *r)
{
	struct hv *hv = v->hv;

	if (trace_sealed(hv))
		return trace_refuse_sealed(v, "UNCONFIGURE");
	if (hv->tracing_cpus)
		return FVX_VMCALL_EBUSY;
	hv->configured = false;
	lock(&hv->ptp);
	release_locked(hv);
	unlock(&hv->ptp);
	ptp_sync_cpu(v);
	return FVX_VMCALL_OK;
}

s64 ptp_trace_mode(struct vcpu *v, struct guest_regs *r)
{
	struct ptp_state *p = &v->hv->ptp;

	if (r->rbx) {
		/* A configure still under way on another CPU finishes first;
		 * then this CPU takes up what it set. */
		lock(p);
		unlock(p);
		ptp_sync_cpu(v);
		if (!v->ptp.checking)
			return FVX_VMCALL_ENOENT;
	}
	return trace_mode(v, r);
}

/* Checks the two entries for a top-level table at pml4_gpa; with repair,
 * writes back what differs. Called without the lock to look, and under it
 * to repair, so that a repair never outlives the protection it enforces. */
static enum ptp_cr3 check(struct vcpu *v, u64 pml4_gpa, bool repair)
{
	struct hv *hv = v->hv;
	struct ptp_state *p = &hv->ptp;
	u64 *pml4e = table_entry(hv, pml4_gpa, p->pml4_index);
	u64 *pdpte = table_entry(hv, p->pdpt_gpa, p->pdpt_index);
	bool pml4e_ok, pdpte_ok;

	/* A table the hypervisor cannot read (MMIO, its own memory, which
	 * the guest sees as a writable dummy page) could map anything. */
	if (!pml4e || !pdpte)
		return PTP_CR3_REFUSED;
	pml4e_ok = same_entry(read_entry(pml4e), p->pml4e);
	pdpte_ok = same_entry(read_entry(pdpte), p->pdpte);
	if (pml4e_ok && pdpte_ok)
		return PTP_CR3_INTACT;
	/* Never write for the guest where it could not write itself (the
	 * PDPT page used as a top-level table, say). */
	if (!pml4e_ok && !guest_may_write(hv, pml4_gpa))
		return PTP_CR3_REFUSED;
	if (!repair)
		return PTP_CR3_REPAIRED;
	if (!pml4e_ok) {
		ptp_log(v, "cpu %u: PML4E %u of table %x was %x: repaired\n", (u64)v->index,
			(u64)p->pml4_index, pml4_gpa, read_entry(pml4e));
		__atomic_store_n(pml4e, p->pml4e, __ATOMIC_RELEASE);
		v->ptp.count.pml4e_repaired++;
	}
	if (!pdpte_ok) {
		ptp_log(v, "cpu %u: PDPTE %u was %x: repaired\n", (u64)v->index, (u64)p->pdpt_index,
			read_entry(pdpte));
		__atomic_store_n(pdpte, p->pdpte, __ATOMIC_RELEASE);
		v->ptp.count.pdpte_repaired++;
	}
	/* Other CPUs may hold translations through the bad entries: they
	 * flush at their next exit. */
	changed(p);
	return PTP_CR3_REPAIRED;
}

static enum ptp_cr3 check_tables(struct vcpu *v, u64 cr3)
{
	struct ptp_state *p = &v->hv->ptp;
	u64 pml4_gpa = cr3 & PTE_ADDR;
	enum ptp_cr3 result;

	if (!__atomic_load_n(&p->active, __ATOMIC_ACQUIRE))
		return PTP_CR3_INTACT;
	result = check(v, pml4_gpa, false);
	if (result != PTP_CR3_REPAIRED)
		return result;
	lock(p);
	result = p->active ? check(v, pml4_gpa, true) : PTP_CR3_INTACT;
	unlock(p);
	return result;
}

/* The table this CPU loads (or has loaded) guarded from now. */
static void guard(struct vcpu *v, u64 cr3)
{
	struct ptp_state *p = &v->hv->ptp;

	lock(p);
	if (p->active)
		guard_locked(v, cr3 & PTE_ADDR);
	unlock(p);
}

enum ptp_cr3 ptp_cr3_load(struct vcpu *v, u64 cr3)
{
	enum ptp_cr3 result = check_tables(v, cr3);

	if (result != PTP_CR3_REFUSED && v->ptp.checking)
		guard(v, cr3);
	v->ptp.count.cr3_loads++;
	if (result == PTP_CR3_REFUSED) {
		v->ptp.count.cr3_refused++;
		ptp_log(v, "cpu %u: CR3 %x refused: its table cannot be checked or repaired\n",
			(u64)v->index, cr3);
	}
	return result;
}

/* The table this CPU has loaded, checked and repaired as at a CR3 load. The
 * repair may follow a global translation cached through the bad entry:
 * INVEPT drops this CPU's combined mappings (SDM 28.3.3.1). */
static void check_loaded(struct vcpu *v)
{
	u64 cr3 = vmcs_readl(GUEST_CR3);

	switch (check_tables(v, cr3)) {
	case PTP_CR3_REPAIRED:
		v->ptp.count.loaded_repaired++;
		arch_invept_all();
		break;
	case PTP_CR3_REFUSED:
		/* Bad, and not the guest's own to write (it cannot be
		 * loaded again either): said, not hidden. */
		v->ptp.count.loaded_refused++;
		ptp_log(v, "cpu %u: loaded table %x is bad and cannot be repaired\n", (u64)v->index,
			cr3);
		break;
	case PTP_CR3_INTACT: break;
	}
}

void ptp_sync_cpu(struct vcpu *v)
{
	struct hv *hv = v->hv;
	u32 generation = __atomic_load_n(&hv->ptp.generation, __ATOMIC_ACQUIRE), proc;
	bool on;

	if (generation == v->ptp.generation)
		return;
	v->ptp.generation = generation;
	on = __atomic_load_n(&hv->ptp.active, __ATOMIC_ACQUIRE);
	/* CR3-load exiting only while protecting, unless this CPU cannot
	 * clear it (SDM A.3.2: default1 without the TRUE_* MSRs). */
	proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) & ~CPU_BASED_CR3_LOAD_EXITING;
	if (on || (hv->ctls.proc & CPU_BASED_CR3_LOAD_EXITING))
		proc |= CPU_BASED_CR3_LOAD_EXITING;
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
	v->ptp.checking = on;
	/* Back at least every TSC_EVEN_LOOK to look at the loaded table
	 * (ptp_check_loaded), also with nothing else to exit for. */
	tsc_look(v, on);
	/* Linux's descriptor tables are kept for the same span. */
	dt_sync_cpu(v, on);
	/* And the debug registers: no breakpoint on the window. */
	dr_sync_cpu(v, on);
	/* The PDPT page's EPT permission changed, or entries were repaired:
	 * INVEPT drops this CPU's guest-physical and combined (linear)
	 * mappings for every EPTP and VPID (SDM 28.3.3.1). */
	arch_invept_all();
	/* The address space loaded before CR3-load exiting was on. */
	if (on) {
		check_loaded(v);
		guard(v, vmcs_readl(GUEST_CR3));
	} else {
		v->ptp.guarded = 0; /* (every guard was dropped) */
	}
}

void ptp_check_loaded(struct vcpu *v)
{
	u64 flushes = __atomic_load_n(&v->hv->ptp.flushes, __ATOMIC_ACQUIRE);

	/* Another CPU made a page read-only: this one may still hold the
	 * writable translation. And at the timer's look, whatever this CPU
	 * cached of the window's address through an entry rewritten and put
	 * back since: so that lasts no longer than the look's period. */
	if (flushes != v->ptp.flushed ||
	    (v->ptp.checking &&
	     (vmcs_read32(VM_EXIT_REASON) & 0xffff) == EXIT_REASON_PREEMPTION_TIMER)) {
		v->ptp.flushed = flushes;
		arch_invept_all();
	}
	if (v->ptp.checking)
		check_loaded(v);
}

/* A page whose window slot the hypervisor keeps: the PDPT (the PDPTE) or a
 * guarded top-level table (the PML4E). Writes to it are done here. */
struct kept_page {
	const char *what;
	unsigned int slot; /* the window's entry */
	u64 expected; /* its value */
	u64 *emulated, *refused; /* this CPU's counters for the page's writes */
};

static struct kept_page pdpt_page(struct vcpu *v)
{
	struct ptp_state *p = &v->hv->ptp;

	return (struct kept_page){ "PDPT", p->pdpt_index, p->pdpte,
				   &v->ptp.count.pdpt_writes_emulated,
				   &v->ptp.count.pdpt_writes_refused };
}

static struct kept_page table_page(struct vcpu *v)
{
	struct ptp_state *p = &v->hv->ptp;

	return (struct kept_page){ "top-level table", p->pml4_index, p->pml4e,
				   &v->ptp.count.table_writes_emulated,
				   &v->ptp.count.table_writes_refused };
}

/* The CPU walking the guest's tables wants to set the accessed (and, in a
 * leaf, dirty) flag of an entry on a kept page (SDM 4.8): set it for it.
 * The window's own entry gets its expected value, which has both. */
static void set_accessed(struct vcpu *v, u64 gpa, const struct kept_page *k)
{
	u64 *e = guest_page_buffer(v->hv, gpa & ~7ULL, 8), old;

	if (!e)
		return;
	old = read_entry(e);
	if (((gpa & (PAGE_SIZE_4K - 1)) >> 3) == k->slot)
		__atomic_store_n(e, k->expected, __ATOMIC_RELEASE);
	else if (old & PTE_PRESENT)
		__atomic_or_fetch(e, PTE_ACCESSED | (old & PTE_LARGE ? PTE_DIRTY : 0),
				  __ATOMIC_RELEASE);
	/* Resuming re-executes the access: an IRET that faulted had unblocked
	 * NMIs, which must be blocked again (SDM Table 27-7, bit 12). During
	 * event delivery the bit is undefined (SDM 28.2.3): no IRET ran, and
	 * blocking NMIs then would make VM entry refuse a re-injected NMI. */
	if ((vmcs_readl(EXIT_QUALIFICATION) & EPT_Q_NMI_UNBLOCKED) &&
	    !(vmcs_read32(IDT_VECTORING_INFO_FIELD) & INTR_INFO_VALID))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) | GUEST_INTR_STATE_NMI);
}

static void refuse(struct vcpu *v, u64 gpa, const char *why, const struct kept_page *k)
{
	(*k->refused)++;
	ptp_log(v, "cpu %u: write to the %s at GPA %x refused (%s) at RIP %x\n", (u64)v->index,
		k->what, gpa, why, vmcs_readl(GUEST_RIP));
}

/* A guest instruction writing a kept page: decoded and done here when it
 * leaves the window's slot alone, skipped when it does not. What cannot be
 * decoded gets #GP: Linux writes these entries only with the forms insn.c
 * knows, and an instruction of unknown extent could reach the window's
 * slot. */
static void emulate_write(struct vcpu *v, struct guest_regs *r, u64 gpa, const struct kept_page *k)
{
	struct hv *hv = v->hv;
	u64 off = gpa & (PAGE_SIZE_4K - 1), slot = k->slot * 8ULL, value, old = 0;
	u8 code[INSN_MAX_LEN];
	struct insn_store w;
	void *host;

	if (!(vmcs_read32(GUEST_CS_AR_BYTES) & CS_AR_L) ||
	    !insn_decode_store(code,
			       guest_fetch(hv, vmcs_readl(GUEST_CR3), vmcs_readl(GUEST_RIP), code,
					   INSN_MAX_LEN),
			       &w) ||
	    (off & (w.size - 1)) || !(host = guest_page_buffer(hv, gpa, w.size))) {
		refuse(v, gpa, "not a store this hypervisor decodes: #GP", k);
		guest_inject_exception(VECTOR_GP, true, 0);
		return;
	}
	if (off < slot + 8 && slot < off + w.size) {
		refuse(v, gpa, "the window's slot", k);
		guest_advance_rip(w.len);
		return;
	}
	if (w.size < 4) {
		/* Linux writes whole entries; the byte forms name AH..BH. */
		refuse(v, gpa, "narrower than an entry: #GP", k);
		guest_inject_exception(VECTOR_GP, true, 0);
		return;
	}
	value = w.kind == INSN_STORE_IMM ? w.imm : guest_read_gpr(r, w.reg);
	if (w.size == 8 && w.kind == INSN_XCHG)
		old = __atomic_exchange_n((u64 *)host, value, __ATOMIC_SEQ_CST);
	else if (w.size == 8)
		__atomic_store_n((u64 *)host, value, __ATOMIC_RELEASE);
	else if (w.kind == INSN_XCHG)
		old = __atomic_exchange_n((u32 *)host, (u32)value, __ATOMIC_SEQ_CST);
	else
		__atomic_store_n((u32 *)host, (u32)value, __ATOMIC_RELEASE);
	if (w.kind == INSN_XCHG)
		guest_write_gpr(r, w.reg, old); /* a 32-bit result zero-extends */
	(*k->emulated)++;
	guest_advance_rip(w.len);
}

bool ptp_ept_violation(struct vcpu *v, struct guest_regs *r)
{
	struct ptp_state *p = &v->hv->ptp;
	u64 q = vmcs_readl(EXIT_QUALIFICATION), gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS),
	    page = gpa & ~(PAGE_SIZE_4K - 1);
	struct kept_page k;

	if (!(q & EPT_Q_WRITE))
		return false;
	/* (Released after this CPU cached the read-only translation: a
	 * stale one, ptp_ept_stale.) */
	if (p->leaf[VIEW_NORMAL] && page == p->pdpt_gpa &&
	    __atomic_load_n(&p->active, __ATOMIC_ACQUIRE)) {
		k = pdpt_page(v);
	} else if (guarded(p, page)) {
		k = table_page(v);
	} else {
		return false;
	}
	if ((q & EPT_Q_LINEAR_VALID) && !(q & EPT_Q_TRANSLATED)) {
		set_accessed(v, gpa, &k);
		return true;
	}
	if (vmcs_read32(IDT_VECTORING_INFO_FIELD) & INTR_INFO_VALID) {
		/* An event delivery writing here (a stack on the page): it
		 * cannot be done in part, so the guest gets #DF instead. */
		refuse(v, gpa, "event delivery: #DF", &k);
		guest_inject_exception(VECTOR_DF, true, 0);
		return true;
	}
	if (vmcs_read16(EPTP_INDEX) != VIEW_NORMAL)
		return false; /* no code that writes page tables runs in view 1 */
	emulate_write(v, r, gpa, &k);
	return true;
}

bool ptp_ept_stale(struct vcpu *v)
{
	const struct hv *hv = v->hv;
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS), rip = vmcs_readl(GUEST_RIP);
	struct ept_translation t;

	if (!(vmcs_readl(EXIT_QUALIFICATION) & EPT_Q_WRITE) ||
	    vmcs_read16(EPTP_INDEX) != VIEW_NORMAL ||
	    !ept_translate(&hv->pool, view_root(hv, VIEW_NORMAL), gpa, &t) || !(t.perm & EPT_WRITE))
		return false;
	/* After INVEPT the write sees today's permission: the same one
	 * again is no stale translation. */
	if (v->ptp.retried_gpa == gpa && v->ptp.retried_rip == rip) {
		v->ptp.retried_gpa = v->ptp.retried_rip = 0;
		return false;
	}
	v->ptp.retried_gpa = gpa;
	v->ptp.retried_rip = rip;
	arch_invept_all();
	return true;
}
