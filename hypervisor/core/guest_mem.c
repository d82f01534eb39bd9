/* Guest memory access for VMX root (see guest_mem.h). */
#include "guest_mem.h"
#include "exit.h"
#include "insn.h"
#include "../arch/x86/paging.h"

static bool overlaps(u64 a, u64 asize, u64 b, u64 bsize)
{
	return a < b + bsize && b < a + asize;
}

bool guest_ram_range_ok(const struct hv *hv, u64 gpa, u64 size)
{
	return size && gpa < hv->ram_top && size <= hv->ram_top - gpa &&
	       !overlaps(gpa, size, hv->pool.pa, hv->pool.size) &&
	       !overlaps(gpa, size, hv->window_pa, FVX_WIN_BACKED);
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

bool guest_virt_to_phys(const struct hv *hv, u64 cr3, u64 va, u64 *gpa)
{
	u64 table = cr3 & PTE_ADDR, e;
	int level;

	for (level = 4; level >= 1; level--) {
		u64 index = (va >> (12 + 9 * (level - 1))) & 511;

		if (!guest_read_direct(hv, hv->page_offset + table + index * 8, &e) ||
		    !(e & PTE_PRESENT))
			return false;
		if (level == 1 || (level <= 3 && (e & PTE_LARGE))) {
			u64 size = 1ULL << (12 + 9 * (level - 1));

			*gpa = (e & PTE_ADDR & ~(size - 1)) | (va & (size - 1));
			return true;
		}
		table = e & PTE_ADDR;
	}
	return false;
}

unsigned int guest_fetch_code(const struct hv *hv, u8 *code)
{
	u64 rip = vmcs_readl(GUEST_RIP), cr3 = vmcs_readl(GUEST_CR3), gpa = 0;
	const u8 *byte;
	unsigned int i;

	for (i = 0; i < INSN_MAX_LEN; i++, gpa++) {
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
