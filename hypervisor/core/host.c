/* Host page tables, GDT, TSS and IDT for VMX root (see host.h). Runs at
 * load time. */
#include "host.h"
#include "../arch/x86/paging.h"
#include "../platform.h"
#include "../arch/x86/asm.h"

_Static_assert(HOST_ROOT_VA % PAGE_SIZE_2M == 0, "one page table maps the root image");

static u64 *alloc_table(struct hv *hv, u64 *pa)
{
	u64 *t = pool_alloc(&hv->pool, 1);

	if (t)
		*pa = hv_pa(hv, t);
	return t;
}

/* A private copy of a paging-structure subtree (level 3 = PDPT). */
static enum fvx_status copy_subtree(struct hv *hv, u64 src_pa, int level, u64 *dst_pa)
{
	const u64 *src = platform_phys_to_virt(src_pa);
	u64 *dst = alloc_table(hv, dst_pa), child;
	enum fvx_status s;
	int i;

	if (!dst)
		return FVX_ERR_NOMEM;
	for (i = 0; i < 512; i++) {
		u64 e = src[i];

		dst[i] = e;
		if (!(e & PTE_PRESENT) || level == 1 || (e & PTE_LARGE))
			continue;
		s = copy_subtree(hv, e & PTE_ADDR, level - 1, &child);
		if (s != FVX_OK)
			return s;
		dst[i] = (e & ~PTE_ADDR) | child;
	}
	return FVX_OK;
}

/* The root image at HOST_ROOT_VA, in 4 KiB pages: its code read-only and
 * executable, the rest read-only (VMX root writes nothing in it). */
static enum fvx_status map_root_image(struct hv *hv, u64 *pml4)
{
	const struct root_image *img = &hv->root;
	u64 va = HOST_ROOT_VA, pdpt_pa, pd_pa, pt_pa, off;
	u64 *pdpt, *pd, *pt;

	if (pml4[(va >> 39) & 511] & PTE_PRESENT)
		return FVX_ERR_INVALID; /* the direct map reaches the hole */
	if (img->size > 512 * PAGE_SIZE_4K)
		return FVX_ERR_INVALID;
	pdpt = alloc_table(hv, &pdpt_pa);
	pd = alloc_table(hv, &pd_pa);
	pt = alloc_table(hv, &pt_pa);
	if (!pdpt || !pd || !pt)
		return FVX_ERR_NOMEM;
	pml4[(va >> 39) & 511] = pdpt_pa | PTE_PRESENT | PTE_WRITE;
	pdpt[(va >> 30) & 511] = pd_pa | PTE_PRESENT | PTE_WRITE;
	pd[(va >> 21) & 511] = pt_pa | PTE_PRESENT | PTE_WRITE;
	for (off = 0; off < img->size; off += PAGE_SIZE_4K)
		pt[((va + off) >> 12) & 511] = hv_pa(hv, img->copy + off) | PTE_PRESENT |
					       (off < img->text_end ? 0 : PTE_NX);
	return FVX_OK;
}

enum fvx_status host_page_tables_build(struct hv *hv, u64 guest_cr3)
{
	const u64 *guest_pml4 = platform_phys_to_virt(guest_cr3 & PTE_ADDR);
	u64 pml4_pa, pdpt_pa, pd_pa, pa, top = hv->ram_top, child;
	unsigned int slot;
	u64 *pml4 = alloc_table(hv, &pml4_pa), *pdpt = NULL, *pd = NULL;
	enum fvx_status s;

	if (!pml4)
		return FVX_ERR_NOMEM;
	if (top < (4ULL << 30))
		top = 4ULL << 30; /* MMIO below 4 GiB */
	/* Direct map: physical [0, top) at page_offset, 2 MiB pages. */
	for (pa = 0; pa < top; pa += PAGE_SIZE_2M) {
		u64 va = hv->page_offset + pa;

		slot = (va >> 39) & 511;
		if (!(pml4[slot] & PTE_PRESENT)) {
			pdpt = alloc_table(hv, &pdpt_pa);
			if (!pdpt)
				return FVX_ERR_NOMEM;
			pml4[slot] = pdpt_pa | PTE_PRESENT | PTE_WRITE;
		}
		pdpt = pool_va(&hv->pool, pml4[slot] & PTE_ADDR);
		if (!(pdpt[(va >> 30) & 511] & PTE_PRESENT)) {
			pd = alloc_table(hv, &pd_pa);
			if (!pd)
				return FVX_ERR_NOMEM;
			pdpt[(va >> 30) & 511] = pd_pa | PTE_PRESENT | PTE_WRITE;
		}
		pd = pool_va(&hv->pool, pdpt[(va >> 30) & 511] & PTE_ADDR);
		pd[(va >> 21) & 511] =
			pa | PTE_PRESENT | PTE_WRITE | PTE_LARGE | PTE_GLOBAL | PTE_NX;
	}
	s = map_root_image(hv, pml4);
	if (s != FVX_OK)
		return s;
	/* Kernel image, modules (the loader) and fixmap: PML4 entry 511, never
	 * executable in VMX root (NX at the top covers everything below). */
	if (!(guest_pml4[HOST_KERNEL_HALF_SLOT] & PTE_PRESENT))
		return FVX_ERR_INVALID;
	s = copy_subtree(hv, guest_pml4[HOST_KERNEL_HALF_SLOT] & PTE_ADDR, 3, &child);
	if (s != FVX_OK)
		return s;
	pml4[HOST_KERNEL_HALF_SLOT] =
		(guest_pml4[HOST_KERNEL_HALF_SLOT] & ~PTE_ADDR) | child | PTE_NX;
	hv->host_cr3 = pml4_pa;
	return FVX_OK;
}

enum fvx_status host_cpu_page_table_build(struct hv *hv, struct vcpu *v)
{
	const u64 *shared = pool_va(&hv->pool, hv->host_cr3);
	unsigned int i;

	v->host_pml4 = alloc_table(hv, &v->host_cr3);
	if (!v->host_pml4)
		return FVX_ERR_NOMEM;
	for (i = 0; i < 512; i++)
		v->host_pml4[i] = shared[i];
	return FVX_OK;
}

/* A 64-bit interrupt gate (SDM 6.14.1). */
static void set_gate(u8 *idt, unsigned int vector, u64 handler, u16 cs)
{
	u64 *g = (u64 *)(idt + 16 * vector);

	g[0] = (handler & 0xffff) | ((u64)cs << 16) | (0x8eULL << 40) |
	       ((handler >> 16) & 0xffff) << 48;
	g[1] = handler >> 32;
}

enum fvx_status host_idt_build(struct hv *hv)
{
	u16 cs = arch_read_cs() & ~7;
	unsigned int v;

	hv->idt = pool_alloc(&hv->pool, 1);
	if (!hv->idt)
		return FVX_ERR_NOMEM;
	for (v = 0; v < 256; v++)
		set_gate(hv->idt, v, hv->root.idt_stubs + v * ARCH_HOST_IDT_STUB_SIZE, cs);
	set_gate((u8 *)hv->leave_idt, 2, (u64)arch_leave_vmx_nmi, cs);
	return FVX_OK;
}

enum fvx_status host_gdt_build(struct vcpu *v)
{
	struct descriptor_table gdtr;
	u16 tr = arch_read_tr() & ~7;
	u64 base, *desc;
	u32 i;

	arch_sgdt(&gdtr);
	if (gdtr.limit + 1u > PAGE_SIZE_4K || tr == 0 || tr + 16u > gdtr.limit + 1u)
		return FVX_ERR_INVALID;
	for (i = 0; i <= gdtr.limit; i++)
		v->gdt[i] = ((const u8 *)gdtr.base)[i];
	/* Our TSS in the TSS descriptor (SDM 7.2.3): 104 bytes, no I/O map. */
	*(u16 *)(v->tss + 102) = 104;
	base = (u64)v->tss;
	desc = (u64 *)(v->gdt + tr);
	desc[0] = 103 | ((base & 0xffffff) << 16) | (0x8bULL << 40) | ((base >> 24) & 0xff) << 56;
	desc[1] = base >> 32;
	return FVX_OK;
}
