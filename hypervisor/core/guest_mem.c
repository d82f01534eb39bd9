/* Guest memory access for VMX root (see guest_mem.h). */
#include "guest_mem.h"
#include "exit.h"
#include "insn.h"
#include "../arch/x86/paging.h"

#define PF_PRESENT BIT(0)
#define PF_WRITE BIT(1)
#define PF_USER BIT(2)

static bool overlaps(u64 a, u64 asize, u64 b, u64 bsize)
{
	return a < b + bsize && b < a + asize;
}

bool guest_ram_range_ok(const struct hv *hv, u64 gpa, u64 size)
{
	return size && gpa < hv->ram_top && size <= hv->ram_top - gpa &&
	       !overlaps(gpa, size, hv->pool.pa, hv->pool.size) &&
	       !overlaps(gpa, size, hv->window_pa, hv->window_size);
}

void *guest_page_buffer(const struct hv *hv, u64 gpa, u64 size)
{
	if (size > PAGE_SIZE_4K || (gpa & (PAGE_SIZE_4K - 1)) + size > PAGE_SIZE_4K ||
	    !guest_ram_range_ok(hv, gpa, size))
		return NULL;
	return (void *)(hv->page_offset + gpa);
}

bool guest_read_direct(const struct hv *hv, u64 va, u64 *value)
{
	/* Unaligned is fine (task_struct's pid is 4-byte aligned). */
	if (va < hv->page_offset || !guest_ram_range_ok(hv, va - hv->page_offset, 8))
		return false;
	*value = *(const volatile u64 *)va;
	return true;
}

/* The 4-level walk (SDM 4.5). With a, the access rights of every level are
 * checked (SDM 4.6) and, with set_flags, accessed and dirty set (SDM 4.8);
 * *error gets the #PF error code of a failed walk, ~0u where the tables
 * are not guest RAM the host may touch. */
static bool walk(const struct hv *hv, u64 cr3, u64 va, const struct guest_access *a, bool set_flags,
		 u64 *gpa, u32 *error)
{
	u64 table = cr3 & PTE_ADDR, e, all = PTE_WRITE | PTE_USER, *entry;
	int level;

	*error = a && a->write ? PF_WRITE : 0;
	*error |= a && a->user ? PF_USER : 0;
	for (level = 4; level >= 1; level--) {
		u64 index = (va >> (12 + 9 * (level - 1))) & 511;
		bool leaf;

		if (!guest_read_direct(hv, hv->page_offset + table + index * 8, &e)) {
			*error = ~0u;
			return false;
		}
		if (!(e & PTE_PRESENT))
			return false;
		all &= e;
		leaf = level == 1 || (level <= 3 && (e & PTE_LARGE));
		if (leaf) {
			u64 size = 1ULL << (12 + 9 * (level - 1));

			*gpa = (e & PTE_ADDR & ~(size - 1)) | (va & (size - 1));
		}
		if (set_flags) {
			entry = guest_page_buffer(hv, table + index * 8, 8);
			if (!entry) {
				*error = ~0u;
				return false;
			}
			__atomic_or_fetch(entry, PTE_ACCESSED | (leaf && a->write ? PTE_DIRTY : 0),
					  __ATOMIC_SEQ_CST);
		}
		if (leaf)
			break;
		table = e & PTE_ADDR;
	}
	if (!a)
		return true;
	*error |= PF_PRESENT;
	/* SDM 4.6.1: user accesses need U/S everywhere, and R/W to write;
	 * supervisor writes need R/W when CR0.WP is set; SMAP keeps an
	 * explicit supervisor access off user pages unless RFLAGS.AC. */
	if (a->user && !(all & PTE_USER))
		return false;
	if (a->write && !(all & PTE_WRITE) && (a->user || a->wp))
		return false;
	if (!a->user && a->smap && (all & PTE_USER))
		return false;
	return true;
}

bool guest_virt_to_phys(const struct hv *hv, u64 cr3, u64 va, u64 *gpa)
{
	u32 error;

	return walk(hv, cr3, va, NULL, false, gpa, &error);
}

bool guest_copy(const struct hv *hv, const struct guest_access *a, u64 va, void *buf,
		unsigned int len, struct guest_fault *f)
{
	u64 gpa[2], first = PAGE_SIZE_4K - (va & (PAGE_SIZE_4K - 1));
	unsigned int pages = len > first ? 2 : 1, i;
	u8 *host[2];

	if (len > PAGE_SIZE_4K)
		return false;
	/* Checked first, both pages: a split access that faults on its
	 * second page writes nothing (and CR2 names that page). */
	for (i = 0; i < pages; i++) {
		u64 page_va = i ? va + first : va,
		    n = i ? len - first : (len < first ? len : first);

		if (!walk(hv, a->cr3, page_va, a, false, &gpa[i], &f->error)) {
			f->cr2 = page_va;
			return false;
		}
		host[i] = guest_page_buffer(hv, gpa[i], n);
		if (!host[i]) {
			f->cr2 = page_va;
			f->error = ~0u;
			return false;
		}
	}
	for (i = 0; i < pages; i++) {
		u64 off = i ? first : 0, n = i ? len - first : (len < first ? len : first);

		walk(hv, a->cr3, va + off, a, true, &gpa[i], &f->error);
		if (a->write)
			__builtin_memcpy(host[i], (u8 *)buf + off, n);
		else
			__builtin_memcpy((u8 *)buf + off, host[i], n);
	}
	return true;
}

unsigned int guest_fetch(const struct hv *hv, u64 cr3, u64 rip, u8 *code, unsigned int max)
{
	u64 gpa = 0;
	const u8 *byte;
	unsigned int i;

	for (i = 0; i < max; i++, gpa++) {
		if ((i == 0 || ((rip + i) & (PAGE_SIZE_4K - 1)) == 0) &&
		    !guest_virt_to_phys(hv, cr3, rip + i, &gpa))
			break;
		byte = guest_page_buffer(hv, gpa, 1);
		if (!byte)
			break;
		code[i] = *byte;
	}
	return i;
}
