/* The hypervisor's memory: one physically contiguous block, taken at load
 * time and carved into pages. Nothing is allocated after launch, and the
 * whole block is hidden from the guest in EPT. Pure: the unit tests hand it
 * ordinary memory with a made-up physical address. */
#ifndef FVX_CORE_POOL_H
#define FVX_CORE_POOL_H

#include "../types.h"

#define PAGE_SIZE_4K 4096ULL
#define PAGE_SIZE_2M (2ULL << 20)

struct pool {
	u8 *va;
	u64 pa;
	u64 size;
	u64 used;
};

static inline void pool_init(struct pool *p, void *va, u64 pa, u64 size)
{
	p->va = va;
	p->pa = pa;
	p->size = size;
	p->used = 0;
}

/* count zeroed pages, or NULL when the pool is exhausted. */
void *pool_alloc(struct pool *p, u64 count);

/* One page, not zeroed, for a caller that fills all of it; NULL when the
 * pool is exhausted. No loop the compiler could turn into a memset call:
 * usable in VMX root. */
static inline void *pool_take_page(struct pool *p)
{
	u8 *page;

	if (p->size - p->used < PAGE_SIZE_4K)
		return NULL;
	page = p->va + p->used;
	p->used += PAGE_SIZE_4K;
	return page;
}

static inline bool pool_contains_pa(const struct pool *p, u64 pa)
{
	return pa >= p->pa && pa - p->pa < p->size;
}

static inline u64 pool_pa(const struct pool *p, const void *va)
{
	return p->pa + (u64)((const u8 *)va - p->va);
}

static inline void *pool_va(const struct pool *p, u64 pa)
{
	return p->va + (pa - p->pa);
}

#endif
