/* Page allocation from the hypervisor's preallocated block. */
#include "pool.h"

void *pool_alloc(struct pool *p, u64 count)
{
	u64 bytes = count * PAGE_SIZE_4K, i;
	u8 *page;

	if (p->size - p->used < bytes)
		return NULL;
	page = p->va + p->used;
	p->used += bytes;
	for (i = 0; i < bytes; i++)
		page[i] = 0;
	return page;
}
