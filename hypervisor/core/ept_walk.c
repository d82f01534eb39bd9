/* Walking the EPT tables the load path built, from VMX root: translating a
 * guest-physical address, and giving one 4 KiB page a leaf of its own. */
#include "ept.h"

#define ENTRIES 512

static u64 level_size(int level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

/* Entry i of the table that translates like the large leaf at level: the
 * same permissions and memory type, one level smaller. */
static u64 split_entry(u64 leaf, int level, int i)
{
	u64 size = level_size(level), child = level_size(level - 1);
	u64 base = leaf & EPT_ADDR_MASK & ~(size - 1);
	u64 attrs = (leaf & ~EPT_ADDR_MASK & ~EPT_LARGE) | (level - 1 > 1 ? EPT_LARGE : 0);

	return (base + i * child) | attrs;
}

static void split_large(u64 *table, u64 leaf, int level)
{
	int i;

	for (i = 0; i < ENTRIES; i++)
		table[i] = split_entry(leaf, level, i);
}

u64 *ept_leaf_4k_split(const struct pool *pool, struct pool *reserve, u64 pml4_pa, u64 gpa,
		       struct ept_split *split)
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
				if (split && !split->entry)
					*split = (struct ept_split){ e, *e, level };
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

u64 *ept_leaf_4k(const struct pool *pool, struct pool *reserve, u64 pml4_pa, u64 gpa)
{
	return ept_leaf_4k_split(pool, reserve, pml4_pa, gpa, NULL);
}

/* Whether the table at table_pa, of `own`, still translates exactly as the
 * large leaf at level it replaced: every entry as the split wrote it, or a
 * table of `own` below that does. */
static bool as_split(const struct pool *own, u64 table_pa, u64 leaf, int level)
{
	const u64 *table;
	u64 e, expected;
	int i;

	if (!pool_contains_pa(own, table_pa))
		return false;
	table = pool_va(own, table_pa);
	for (i = 0; i < ENTRIES; i++) {
		e = __atomic_load_n(&table[i], __ATOMIC_ACQUIRE);
		expected = split_entry(leaf, level, i);
		if (e == expected)
			continue;
		if (level - 1 > 1 && (e & EPT_RWX) == EPT_RWX && !(e & EPT_LARGE) &&
		    as_split(own, e & EPT_ADDR_MASK, expected, level - 1))
			continue;
		return false;
	}
	return true;
}

bool ept_merge(const struct pool *own, const struct ept_split *split)
{
	u64 e;

	if (!split->entry)
		return false;
	e = __atomic_load_n(split->entry, __ATOMIC_ACQUIRE);
	if (e & EPT_LARGE || !as_split(own, e & EPT_ADDR_MASK, split->was, split->level))
		return false;
	/* One store, as the split's: both translate alike. */
	__atomic_store_n(split->entry, split->was, __ATOMIC_RELEASE);
	return true;
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
