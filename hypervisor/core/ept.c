/* EPT construction: identity map with the largest pages the MTRRs and the
 * hidden hypervisor block allow. */
#include "ept.h"

#define ENTRIES 512

struct builder {
	struct pool *pool;
	const struct ept_layout *l;
	struct ept_stats *stats;
	u64 dummy_table_pa; /* one 4 KiB table of dummy entries, shared */
};

static u64 level_size(int level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

static u64 *new_table(struct builder *b, u64 *pa)
{
	u64 *t = pool_alloc(b->pool, 1);

	if (t) {
		*pa = pool_pa(b->pool, t);
		b->stats->tables++;
	}
	return t;
}

static bool overlaps_hidden(const struct ept_layout *l, u64 base, u64 size)
{
	int i;

	for (i = 0; i < EPT_MAX_HIDDEN; i++)
		if (l->hidden[i].size && base < l->hidden[i].base + l->hidden[i].size &&
		    l->hidden[i].base < base + size)
			return true;
	return false;
}

static bool inside_hidden(const struct ept_layout *l, u64 base, u64 size)
{
	int i;

	for (i = 0; i < EPT_MAX_HIDDEN; i++)
		if (l->hidden[i].size && base >= l->hidden[i].base &&
		    base + size <= l->hidden[i].base + l->hidden[i].size)
			return true;
	return false;
}

static u64 dummy_entry(const struct ept_layout *l)
{
	/* Readable and writable junk, never executable. */
	return l->dummy_pa | EPT_READ | EPT_WRITE | ((u64)MEMTYPE_WB << EPT_MEMTYPE_SHIFT);
}

static enum fvx_status fill(struct builder *b, u64 *table, int level, u64 base);

static enum fvx_status map_entry(struct builder *b, u64 *entry, int level, u64 base)
{
	const struct ept_layout *l = b->l;
	u64 size = level_size(level), child_pa;
	bool large_ok = level == 1 || level == 2 || (level == 3 && l->large_1g);
	u8 type;
	u64 *child;
	enum fvx_status s;

	if (base >= l->limit)
		return FVX_OK; /* not present */
	if (level == 2 && inside_hidden(l, base, size)) {
		if (!b->dummy_table_pa) {
			child = new_table(b, &b->dummy_table_pa);
			if (!child)
				return FVX_ERR_NOMEM;
			for (int i = 0; i < ENTRIES; i++)
				child[i] = dummy_entry(l);
		}
		*entry = b->dummy_table_pa | EPT_RWX;
		return FVX_OK;
	}
	if (level == 1 && inside_hidden(l, base, size)) {
		*entry = dummy_entry(l);
		b->stats->pages_4k++;
		return FVX_OK;
	}
	if (large_ok && base + size <= l->limit && !overlaps_hidden(l, base, size) &&
	    mtrr_range_type(l->mtrr, base, size, &type)) {
		*entry = base | l->ram_perm | ((u64)type << EPT_MEMTYPE_SHIFT) |
			 (level > 1 ? EPT_LARGE : 0);
		if (level == 3)
			b->stats->pages_1g++;
		else if (level == 2)
			b->stats->pages_2m++;
		else
			b->stats->pages_4k++;
		return FVX_OK;
	}
	if (level == 1) /* a 4 KiB page with no single MTRR type cannot happen */
		return FVX_ERR_INVALID;
	child = new_table(b, &child_pa);
	if (!child)
		return FVX_ERR_NOMEM;
	s = fill(b, child, level - 1, base);
	if (s != FVX_OK)
		return s;
	*entry = child_pa | EPT_RWX; /* non-leaf: permissions are ANDed down the walk */
	return FVX_OK;
}

static enum fvx_status fill(struct builder *b, u64 *table, int level, u64 base)
{
	enum fvx_status s;
	int i;

	for (i = 0; i < ENTRIES; i++) {
		s = map_entry(b, &table[i], level, base + i * level_size(level));
		if (s != FVX_OK)
			return s;
	}
	return FVX_OK;
}

enum fvx_status ept_build(struct pool *pool, const struct ept_layout *l, u64 *pml4_pa,
			  struct ept_stats *stats)
{
	struct builder b = { .pool = pool, .l = l, .stats = stats };
	u64 *pml4;

	int i;

	*stats = (struct ept_stats){ 0 };
	if (l->limit == 0 || l->limit > level_size(4) * ENTRIES || !(l->ram_perm & EPT_READ))
		return FVX_ERR_INVALID;
	for (i = 0; i < EPT_MAX_HIDDEN; i++)
		if ((l->hidden[i].base | l->hidden[i].size) & 0xfff)
			return FVX_ERR_INVALID;
	pml4 = new_table(&b, pml4_pa);
	if (!pml4)
		return FVX_ERR_NOMEM;
	return fill(&b, pml4, 4, 0);
}

enum fvx_status ept_map_page(struct pool *pool, u64 pml4_pa, u64 gpa, u64 hpa, u8 perm, u8 memtype)
{
	u64 table_pa = pml4_pa, *table, *child;
	int level;

	if ((gpa | hpa) & 0xfff || !pool_contains_pa(pool, pml4_pa))
		return FVX_ERR_INVALID;
	for (level = 4; level > 1; level--) {
		u64 *e;

		table = pool_va(pool, table_pa);
		e = &table[(gpa >> (12 + 9 * (level - 1))) & 511];
		if (!(*e & EPT_RWX) || (*e & EPT_LARGE)) {
			child = pool_alloc(pool, 1);
			if (!child)
				return FVX_ERR_NOMEM;
			*e = pool_pa(pool, child) | EPT_RWX;
		}
		table_pa = *e & EPT_ADDR_MASK;
		if (!pool_contains_pa(pool, table_pa))
			return FVX_ERR_INVALID;
	}
	table = pool_va(pool, table_pa);
	table[(gpa >> 12) & 511] = hpa | perm | ((u64)memtype << EPT_MEMTYPE_SHIFT);
	return FVX_OK;
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
