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
/* Up to INSN_MAX_LEN bytes at the guest's RIP, through its own tables, into
 * code; returns how many could be read. */
unsigned int guest_fetch_code(const struct hv *hv, u8 *code);

#endif
