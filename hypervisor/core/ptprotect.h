/* Page-table protection of the analyzer window: what the hypervisor
 * expects of the two guest page-table entries that map the window, the
 * per-CPU counters, and the hooks that exit handling calls. */
#ifndef FVX_CORE_PTPROTECT_H
#define FVX_CORE_PTPROTECT_H

#include "../types.h"
#include "../status.h"
#include "ept.h"
#include "pool.h"

#define PTP_VIEWS 2 /* the EPT views whose PDPT page is write-protected */
#define PTP_GUARDS 32 /* top-level tables guarded at once: one per CPU at most */
#define PTP_GUARD_TABLES 512 /* EPT tables for splits under guarded tables (2 MiB) */
#define PTP_SPLIT_TABLES 4 /* one split's: a 1 GiB page down to 4 KiB, in each view */
#define PTP_SPLITS (PTP_GUARD_TABLES / PTP_SPLIT_TABLES)

/* A top-level table some CPU has loaded, read-only in the normal view while
 * any has (guest ring 0 would otherwise rewrite the window's PML4E in it
 * until the next exit). gpa 0: a free slot. */
struct ptp_guard {
	u64 gpa;
	u64 *leaf[PTP_VIEWS]; /* its 4 KiB EPT leaf in each view */
	u32 users; /* CPUs that have it loaded */
	bool was_writable[PTP_VIEWS]; /* the leaf's write permission before */
};

/* An EPT split a guard made (its table lay in a region a large page
 * mapped), with tables of its own. It stays while a guard is in the
 * region, and after, until free splits run short: then it is merged back
 * (ept_merge), and its tables are used again once every CPU has flushed
 * since. size 0: free. */
struct ptp_split {
	struct ept_split view[PTP_VIEWS]; /* entry NULL: nothing split in that view */
	u64 base, size; /* the region: the larger of the views' */
	u32 users; /* guards in the region */
	u64 merged; /* ptp_state.flushes when it was merged */
	struct pool tables; /* its PTP_SPLIT_TABLES */
};

/* Shared by every CPU. Configure and unconfigure change it under lock and
 * bump generation; each CPU notices at its next exit (ptp_sync_cpu). */
struct ptp_state {
	u32 lock;
	u32 generation;
	bool active; /* the entries below are enforced */
	u16 pml4_index, pdpt_index; /* where the window sits: PML4[pml4_index], PDPT[pdpt_index] */
	u64 pml4e; /* expected PML4E: points at the PDPT */
	u64 pdpte; /* expected PDPTE: the window's 1 GiB page */
	u64 pdpt_gpa; /* the PDPT page, read-only in both EPT views while active */
	u64 *leaf[PTP_VIEWS]; /* the PDPT page's 4 KiB EPT leaf in each view */
	u64 leaf_saved[PTP_VIEWS]; /* and its value before protection */
	struct pool reserve; /* EPT tables for splitting a large page, taken at load time */
	struct ptp_guard *guard; /* [PTP_GUARDS], a page of the pool (load time) */
	u32 epoch; /* moves when every guard is dropped (the protection ends) */
	u64 flushes; /* moves when a page became read-only: every CPU flushes (never wraps) */
	struct ptp_split *split; /* [splits], pages of the pool (load time) */
	u32 splits; /* 0: no tables set aside, loaded tables are checked at exits only */
	u32 split_top; /* splits ever used: those below it, free or not */
	u32 splits_active; /* splits with a region (size) */
	u64 splits_made, splits_merged;
};

/* Per CPU, reported by FVX_VMCALL_STATUS. */
struct ptp_counters {
	u64 cr3_loads; /* MOV to CR3 done for the guest */
	u64 pml4e_repaired;
	u64 pdpte_repaired;
	u64 cr3_refused; /* a top-level table that cannot be checked or repaired: #GP */
	u64 pdpt_writes_emulated; /* guest writes to other PDPT slots, done for it */
	u64 pdpt_writes_refused; /* writes to the window's slot, or undecodable ones */
	u64 loaded_repaired; /* of the repairs, those of a table already loaded (ptp_check_loaded) */
	u64 table_writes_emulated; /* guest writes to other slots of a guarded table, done */
	u64 table_writes_refused; /* writes to its window slot, or undecodable ones */
	u64 tables_unguarded; /* loads of a table that could not be made read-only */
	u64 loaded_refused; /* a loaded table found bad that may not be repaired */
};

struct ptp_cpu {
	u32 generation; /* of struct ptp_state, when this CPU last followed it */
	bool checking; /* CR3-load exiting is on for the protection */
	u32 logged;
	u64 guarded; /* the top-level table this CPU has loaded and guards; 0: none */
	u32 guard_epoch; /* of struct ptp_state, when it began guarding it */
	u64 flushed; /* struct ptp_state's flushes, when this CPU last followed them */
	u64 retried_gpa, retried_rip; /* the last write retried by ptp_ept_stale */
	struct ptp_counters count;
};

struct hv;
struct vcpu;
struct guest_regs;

/* Load time (ptprotect_init.c): sets aside the EPT tables a later split
 * may need. */
enum fvx_status ptp_init(struct hv *hv);
/* Last at load time: the rest of the pool, up to PTP_GUARD_TABLES pages,
 * for EPT splits under guarded top-level tables (PTP_SPLITS of them). */
enum fvx_status ptp_init_guards(struct hv *hv);

/* FVX_VMCALL_CONFIGURE: the trace configuration (trace_configure), then
 * the protection of the entries that map the window it names. */
s64 ptp_configure(struct vcpu *v, struct guest_regs *r);
/* FVX_VMCALL_UNCONFIGURE: ends both (not while tracing). */
s64 ptp_unconfigure(struct vcpu *v, struct guest_regs *r);
/* FVX_VMCALL_TRACE_MODE: trace_mode, but tracing starts only on a CPU that
 * checks CR3 loads (ENOENT otherwise). */
s64 ptp_trace_mode(struct vcpu *v, struct guest_regs *r);

/* Every exit: follows a protection change made on another CPU (CR3-load
 * exiting, INVEPT, a check of the tables already loaded). */
void ptp_sync_cpu(struct vcpu *v);

/* Every exit, after ptp_sync_cpu: the window's entries in the top-level
 * table this CPU has loaded, checked and repaired as at a CR3 load. */
void ptp_check_loaded(struct vcpu *v);

enum ptp_cr3 {
	PTP_CR3_INTACT, /* load it */
	PTP_CR3_REPAIRED, /* load it, and drop every cached translation */
	PTP_CR3_REFUSED, /* do not load it: #GP */
};
/* MOV to CR3 (cr.c): checks and repairs the tables of the new CR3 (its
 * address bits, reserved bits already checked). */
enum ptp_cr3 ptp_cr3_load(struct vcpu *v, u64 cr3);

/* An EPT violation that writes the protected PDPT page or a guarded
 * top-level table: done, refused or retried here (true); false when it is
 * not about those pages. */
bool ptp_ept_violation(struct vcpu *v, struct guest_regs *r);
/* Last resort for an EPT violation nothing else took: a write the EPT view
 * now allows (this CPU had cached a read-only translation: a guard dropped
 * since, say) is retried once after INVEPT (true); the same write again is
 * not (false). */
bool ptp_ept_stale(struct vcpu *v);

#endif
