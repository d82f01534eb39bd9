/* Walking the EPT tables the load path built, from VMX root: translating a
 * guest-physical address, and giving one 4 KiB page a leaf of its own. */
#include "ept.h"

#define ENTRIES 512

static u64 level_size(int level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

/* A table of 512 entries that together translate like the large leaf at
 * level: the same permissions and memory type, one level smaller. */
static void split_large(u64 *table, u64 leaf, int level)
{
	u64 size = level_size(level), child = level_size(level - 1);
	u64 base = leaf & EPT_ADDR_MASK & ~(size - 1);
	u64 attrs = (leaf & ~EPT_ADDR_MASK & ~EPT_LARGE) | (level - 1 > 1 ? EPT_LARGE : 0);
	int i;

	for (i = 0; i < ENTRIES; i++)
		table[i] = (base + i * child) | attrs;
}

u64 *ept_leaf_4k(const struct pool *pool, struct pool *reserve, u64 pml4_pa, u64 gpa)
{
	u64 table_pa = pml4_pa, *table, *e, *child, needed = 0;
	int level, pass;

	/* Pass 0 counts the large pages in the way, pass 1 splits them: the
	 * reserve is checked before anything changes. */
	for (pass = 0; pass < 2; pass++) {
		table_pa = pml4_pa;
		for (level = 4; level >= 1; level--) {
			if (!pool_contains_pa(pool, table_pa))
				return NULL; /* tables live in the pool only */
			table = pool_va(pool, table_pa);
			e = &table[(gpa >> (12 + 9 * (level - 1))) & 511];
			if (!(*e & EPT_RWX) || (level == 4 && (*e & EPT_LARGE)))
				return NULL;
			if (level == 1)
				return e;
			if (*e & EPT_LARGE) {
				if (pass == 0) {
					needed = level - 1; /* one table per level below */
					break;
				}
				child = pool_take_page(reserve);
				split_large(child, *e, level);
				/* One store: the old leaf and the new table
				 * translate alike, whichever a CPU sees. */
				__atomic_store_n(e, pool_pa(pool, child) | EPT_RWX,
						 __ATOMIC_RELEASE);
			}
			table_pa = *e & EPT_ADDR_MASK;
		}
		if (pass == 0 && reserve->size - reserve->used < needed * PAGE_SIZE_4K)
			return NULL;
	}
	return NULL;
}

bool ept_translate(const struct pool *pool, u64 pml4_pa, u64 gpa, struct ept_translation *t)
{
	const u64 *table;
	u64 entry = pml4_pa | EPT_RWX;
	u8 perm = EPT_RWX;
	int level;

	for (level = 4; level >= 1; level--) {
		if (!pool_contains_pa(pool, entry & EPT_ADDR_MASK))
			return false; /* tables live in the pool only */
		table = pool_va(pool, entry & EPT_ADDR_MASK);
		entry = table[(gpa >> (12 + 9 * (level - 1))) & 511];
		if (!(entry & EPT_RWX))
			return false;
		perm &= entry & EPT_RWX;
		if (level == 1 || (entry & EPT_LARGE)) {
			u64 size = level_size(level);

			t->hpa = (entry & EPT_ADDR_MASK & ~(size - 1)) | (gpa & (size - 1));
			t->perm = perm;
			t->memtype = (entry >> EPT_MEMTYPE_SHIFT) & 7;
			t->level = level;
			return true;
		}
	}
	return false;
}
