// SPDX-License-Identifier: GPL-2.0
/* Test module: a guest ring-0 attacker on the two page-table entries that
 * map the analyzer window (the PML4E and the window's 1 GiB PDPTE). On one
 * CPU, with interrupts off, it writes the window's PDPTE in several ways,
 * writes another slot of the same PDPT, tries stores the hypervisor does
 * not decode, and loads CR3 with copies of its own top-level table whose
 * PML4E was changed, and changes the PML4E of the table it has loaded (then
 * exits, or spins without exiting). It prints one line per attack,
 *   fvx_ptattack: NAME ok|FAIL (details)
 * then the change of this CPU's protection counters, and fails the load,
 * so nothing stays behind.
 *   risky=1  also the attacks that crash the guest if the protection fails:
 *            a cleared PML4E, the PDPT as a top-level table, a CR3 in the
 *            hypervisor's memory.
 *   probe=1  only reports whether the window is mapped (window-mapped=0|1). */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <asm/asm.h>
#include <asm/debugreg.h>
#include <asm/pgtable.h>
#include <asm/special_insns.h>

#include "fastvmix/vmcall.h"

#define GIB (1ULL << 30)
#define PDPTE_1G_ADDR 0x000fffffc0000000ULL
#define FLAGS_SET_BY_CPU (_PAGE_ACCESSED | _PAGE_DIRTY)

static bool risky, probe;
module_param(risky, bool, 0);
module_param(probe, bool, 0);

static int failures;

static void report(const char *name, bool ok, u64 a, u64 b)
{
	pr_info("fvx_ptattack: %s %s (%#llx %#llx)\n", name, ok ? "ok" : "FAIL", a, b);
	failures += !ok;
}

static bool same_entry(u64 a, u64 b)
{
	return ((a ^ b) & ~(u64)FLAGS_SET_BY_CPU) == 0;
}

/* REP STOSQ of one entry: a store the hypervisor does not decode. True
 * when it faulted (the kernel's exception table resumes after it). */
static bool rep_stosq_faults(u64 *p, u64 value)
{
	unsigned long count = 1;
	int faulted = 1;

	asm volatile("1: rep stosq\n"
		     "   movl $0, %[faulted]\n"
		     "2:\n" _ASM_EXTABLE(1b, 2b)
		     : [faulted] "+r"(faulted), "+D"(p), "+c"(count)
		     : "a"(value)
		     : "memory");
	return faulted;
}

/* MOV to CR3, then back to the CR3 it had; true when the first faulted. */
static bool load_cr3_faults(u64 cr3, u64 back)
{
	int faulted = 1;

	asm volatile("1: mov %[cr3], %%cr3\n"
		     "   movl $0, %[faulted]\n"
		     "2:\n" _ASM_EXTABLE(1b, 2b)
		     : [faulted] "+r"(faulted)
		     : [cr3] "r"(cr3)
		     : "memory");
	native_write_cr3(back);
	return faulted;
}

struct pages {
	struct fvx_window_info *info;
	struct fvx_cpu_status *before, *after;
	u64 *pml4, *pdpt; /* copies with a changed PML4E */
};

static void attack_pdpt(u64 *pdpt, unsigned int slot, unsigned int other, u64 window_gpa)
{
	u64 pdpte = READ_ONCE(pdpt[slot]), old;

	/* The window's own slot: every write is refused. */
	WRITE_ONCE(pdpt[slot], (pdpte & ~PDPTE_1G_ADDR) | (window_gpa ^ GIB));
	report("window-slot-redirect-refused", READ_ONCE(pdpt[slot]) == pdpte, pdpt[slot], pdpte);
	WRITE_ONCE(pdpt[slot], 0);
	report("window-slot-clear-refused", READ_ONCE(pdpt[slot]) == pdpte, pdpt[slot], pdpte);
	WRITE_ONCE(pdpt[slot], pdpte | _PAGE_USER);
	report("window-slot-user-refused", READ_ONCE(pdpt[slot]) == pdpte, pdpt[slot], pdpte);
	WRITE_ONCE(pdpt[slot], pdpte & ~_PAGE_PSE);
	report("window-slot-not-1g-refused", READ_ONCE(pdpt[slot]) == pdpte, pdpt[slot], pdpte);
	(void)xchg(&pdpt[slot], 0);
	report("window-slot-xchg-refused", READ_ONCE(pdpt[slot]) == pdpte, pdpt[slot], pdpte);
	/* Another slot of the same PDPT: done for the guest. Not-present
	 * values, so nothing is ever mapped there. */
	WRITE_ONCE(pdpt[other], 0x1234000);
	report("other-slot-write-done", READ_ONCE(pdpt[other]) == 0x1234000, pdpt[other], 0);
	old = xchg(&pdpt[other], 0x5678000);
	report("other-slot-xchg-done", old == 0x1234000 && READ_ONCE(pdpt[other]) == 0x5678000, old,
	       pdpt[other]);
	WRITE_ONCE(pdpt[other], 0);
	report("other-slot-clear-done", READ_ONCE(pdpt[other]) == 0, pdpt[other], 0);
	/* Stores of unknown extent: #GP, nothing written. */
	report("undecodable-other-slot-gp",
	       rep_stosq_faults(&pdpt[other], 0x9abc000) && READ_ONCE(pdpt[other]) == 0,
	       pdpt[other], 0);
	report("undecodable-window-slot-gp",
	       rep_stosq_faults(&pdpt[slot], 0) && READ_ONCE(pdpt[slot]) == pdpte, pdpt[slot],
	       pdpte);
}

/* A copy of the current top-level table whose PML4E 511 is bad, loaded and
 * left again: the hypervisor writes the expected entry into the copy. */
static void attack_pml4e(const char *name, struct pages *p, const u64 *pml4, u64 bad)
{
	u64 cr3 = __read_cr3();

	memcpy(p->pml4, pml4, PAGE_SIZE);
	p->pml4[511] = bad;
	if (load_cr3_faults(__pa(p->pml4), cr3))
		report(name, false, bad, 0);
	else
		report(name, same_entry(READ_ONCE(p->pml4[511]), pml4[511]), p->pml4[511],
		       pml4[511]);
}

/* The window's PML4E in the table this CPU has loaded, with no CR3 load
 * after it. The table is read-only while loaded: the write is skipped
 * ("write-refused"). Should the table not be guarded (no EPT tables left
 * for it), the next exit of any kind repairs it ("repaired-later"): a
 * CPUID, or (spin) nothing that exits, interrupts off, until the CPU comes
 * back by itself after at most TSC_EVEN_LOOK (2^22) ticks of running. Put
 * back by hand if neither, so that nothing stays behind. */
static void attack_loaded(const char *name, u64 *pml4, u64 bad, bool spin)
{
	u64 good = READ_ONCE(pml4[511]), spins = 0;
	unsigned int a = 0, b, c = 0, d;
	bool refused, ok;

	WRITE_ONCE(pml4[511], bad);
	refused = same_entry(READ_ONCE(pml4[511]), good);
	if (!refused && !spin)
		native_cpuid(&a, &b, &c, &d);
	for (; spin && spins < (1ULL << 24) && !same_entry(READ_ONCE(pml4[511]), good); spins++)
		cpu_relax();
	ok = same_entry(READ_ONCE(pml4[511]), good);
	if (!ok)
		WRITE_ONCE(pml4[511], good);
	pr_info("fvx_ptattack: %s: %s\n", name,
		refused ? "write-refused"
		: ok	? "repaired-later"
			: "kept");
	report(name, ok, spins, good);
}

/* An execute breakpoint (DR0, L0) on the window's first byte: read back
 * as written, left out of the CPU's DR7 (counted), cleared again. */
static void attack_breakpoint(u64 window_va)
{
	unsigned long dr7, back, old = native_get_debugreg(7), old0 = native_get_debugreg(0);

	native_set_debugreg(0, window_va);
	dr7 = (old & ~0xf000fUL) | 0x401; /* L0, execute, one byte */
	native_set_debugreg(7, dr7);
	back = native_get_debugreg(7);
	native_set_debugreg(7, old);
	native_set_debugreg(0, old0);
	report("breakpoint-on-window-read-back", back == (dr7 | 0x400), back, dr7);
}

#define DELTA(field) ((long long)(p.after->field - p.before->field))

static int __init ptattack_init(void)
{
	struct pages p = { 0 };
	u64 *pml4, *pdpt, window_gpa, cr3;
	unsigned int slot = 512, other = 0, i;
	unsigned long flags;

	p.info = (void *)get_zeroed_page(GFP_KERNEL);
	p.before = (void *)get_zeroed_page(GFP_KERNEL);
	p.after = (void *)get_zeroed_page(GFP_KERNEL);
	p.pml4 = (void *)get_zeroed_page(GFP_KERNEL);
	p.pdpt = (void *)get_zeroed_page(GFP_KERNEL);
	if (!p.info || !p.before || !p.after || !p.pml4 || !p.pdpt)
		goto out;
	if (fvx_vmcall(FVX_VMCALL_WINDOW_INFO, virt_to_phys(p.info), 0, 0, NULL)) {
		pr_info("fvx_ptattack: no hypervisor\n");
		goto out;
	}
	window_gpa = p.info->window_gpa;
	pml4 = __va(__read_cr3() & CR3_ADDR_MASK);
	pdpt = __va(pml4[511] & PTE_PFN_MASK);
	for (i = 0; i < 512; i++) {
		u64 e = READ_ONCE(pdpt[i]);

		if ((e & _PAGE_PRESENT) && (e & _PAGE_PSE) && (e & PDPTE_1G_ADDR) == window_gpa)
			slot = i;
		else if (!e && !other && i > 0 && i < 444)
			other = i;
	}
	pr_info("fvx_ptattack: window-mapped=%d slot=%u other=%u\n", slot < 512, slot, other);
	if (probe || slot == 512 || !other)
		goto out;

	local_irq_save(flags);
	fvx_vmcall(FVX_VMCALL_STATUS, smp_processor_id(), virt_to_phys(p.before), sizeof(*p.before),
		   NULL);
	attack_pdpt(pdpt, slot, other, window_gpa);
	/* Another PDPT whose window slot maps elsewhere; the PML4E flags. */
	memcpy(p.pdpt, pdpt, PAGE_SIZE);
	p.pdpt[slot] = (pdpt[slot] & ~PDPTE_1G_ADDR) | (window_gpa ^ GIB);
	attack_pml4e("pml4e-redirect-repaired", &p, pml4,
		     __pa(p.pdpt) | (pml4[511] & ~PTE_PFN_MASK));
	attack_pml4e("pml4e-flags-repaired", &p, pml4, pml4[511] ^ _PAGE_USER);
	attack_loaded("loaded-pml4e-kept", pml4, __pa(p.pdpt) | (pml4[511] & ~PTE_PFN_MASK), false);
	attack_loaded("loaded-pml4e-kept-spinning", pml4,
		      __pa(p.pdpt) | (pml4[511] & ~PTE_PFN_MASK), true);
	attack_breakpoint(0xffffff8000000000ULL + (u64)slot * GIB);
	if (risky) {
		attack_pml4e("pml4e-cleared-repaired", &p, pml4, 0);
		cr3 = __read_cr3();
		report("cr3-pdpt-refused", load_cr3_faults(__pa(pdpt), cr3), __pa(pdpt), 0);
		report("cr3-hv-memory-refused", load_cr3_faults(p.before->hv_base, cr3),
		       p.before->hv_base, 0);
	}
	fvx_vmcall(FVX_VMCALL_STATUS, smp_processor_id(), virt_to_phys(p.after), sizeof(*p.after),
		   NULL);
	local_irq_restore(flags);

	pr_info("fvx_ptattack: counters protected=%d cr3_loads=%lld pml4e_repaired=%lld "
		"loaded_repaired=%lld table_writes_refused=%lld pdpte_repaired=%lld "
		"cr3_refused=%lld pdpt_writes_emulated=%lld pdpt_writes_refused=%lld "
		"breakpoints_refused=%lld\n",
		!!(p.before->features & FVX_FEATURE_PT_PROTECT), DELTA(cr3_loads),
		DELTA(pml4e_repaired), DELTA(loaded_repaired), DELTA(table_writes_refused),
		DELTA(pdpte_repaired), DELTA(cr3_refused), DELTA(pdpt_writes_emulated),
		DELTA(pdpt_writes_refused), DELTA(breakpoints_refused));
	/* 5 writes to the window's slot and 2 undecodable stores refused, 3
	 * writes elsewhere done, 2 (3) PML4Es of loaded copies repaired, the
	 * 2 writes to the loaded table refused (or, unguarded, repaired
	 * later), 0 (2) CR3s refused. */
	report("counters",
	       p.before->version == FVX_CPU_STATUS_VERSION &&
		       (p.before->features & FVX_FEATURE_PT_PROTECT) &&
		       DELTA(pdpt_writes_refused) == 7 && DELTA(pdpt_writes_emulated) == 3 &&
		       DELTA(table_writes_refused) + DELTA(loaded_repaired) == 2 &&
		       DELTA(pml4e_repaired) == (risky ? 3 : 2) + DELTA(loaded_repaired) &&
		       DELTA(pdpte_repaired) == 0 && DELTA(cr3_refused) == (risky ? 2 : 0) &&
		       DELTA(breakpoints_refused) == 1 && DELTA(cr3_loads) >= (risky ? 5 : 2),
	       DELTA(pdpt_writes_refused), DELTA(pml4e_repaired));
	pr_info("fvx_ptattack: done, %d failed\n", failures);
out:
	free_page((unsigned long)p.info);
	free_page((unsigned long)p.before);
	free_page((unsigned long)p.after);
	free_page((unsigned long)p.pml4);
	free_page((unsigned long)p.pdpt);
	return -EAGAIN;
}

module_init(ptattack_init);
MODULE_LICENSE("GPL");
