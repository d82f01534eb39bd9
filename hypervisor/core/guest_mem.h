/* Reading guest memory from VMX root: through Linux's direct map, which the
 * host page tables reproduce, after checking the address; and a walk of the
 * guest's own page tables for addresses outside the direct map. */
#ifndef FVX_CORE_GUEST_MEM_H
#define FVX_CORE_GUEST_MEM_H

#include "vcpu.h"

/* A guest-physical range the host may touch: RAM, not the hypervisor's. */
bool guest_ram_range_ok(const struct hv *hv, u64 gpa, u64 size);
/* Where the host may write a guest buffer of size bytes at gpa: RAM that is
 * not the hypervisor's, within one page. NULL otherwise. */
void *guest_page_buffer(const struct hv *hv, u64 gpa, u64 size);
/* Reads 8 bytes at a direct-map address; false if it is not one. */
bool guest_read_direct(const struct hv *hv, u64 va, u64 *value);
/* Translates a guest virtual address with the guest's 4-level tables. */
bool guest_virt_to_phys(const struct hv *hv, u64 cr3, u64 va, u64 *gpa);

/* A data access as the guest's instruction makes it, with the checks of
 * SDM 4.6 (user/supervisor, read/write, CR0.WP, CR4.SMAP with RFLAGS.AC)
 * on every paging level. Reserved bits and protection keys are not
 * checked: Linux sets none, and the CPU model has no PKU. */
struct guest_access {
	u64 cr3;
	bool user; /* CPL 3 */
	bool write;
	bool wp; /* CR0.WP */
	bool smap; /* CR4.SMAP and not RFLAGS.AC (explicit supervisor access) */
};
/* What the CPU would raise instead: #PF with this error code at cr2. */
struct guest_fault {
	u64 cr2;
	u32 error;
};
/* Copies len bytes (at most a page) between buf and the guest's linear
 * address va: every page is checked first, so a faulting access changes
 * nothing. Accessed (and, written, dirty) flags are set as the CPU sets
 * them (SDM 4.8). False with *f filled when the CPU would fault, or when
 * the memory is not guest RAM the host may touch (error ~0u). */
bool guest_copy(const struct hv *hv, const struct guest_access *a, u64 va, void *buf,
		unsigned int len, struct guest_fault *f);
/* Up to max bytes of code at rip (supervisor reads, no checks); returns
 * how many could be read. */
unsigned int guest_fetch(const struct hv *hv, u64 cr3, u64 rip, u8 *code, unsigned int max);

#endif
