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

/* The entry at `level` (1: a 4 KiB leaf, 2: a 2 MiB one) that maps gpa,
 * making the tables above it. */
static enum fvx_status map_at(struct pool *pool, u64 pml4_pa, u64 gpa, int at, u64 **entry)
{
	u64 table_pa = pml4_pa, *table, *child;
	int level;

	if (!pool_contains_pa(pool, pml4_pa))
		return FVX_ERR_INVALID;
	for (level = 4; level > at; level--) {
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
	*entry = &table[(gpa >> (12 + 9 * (at - 1))) & 511];
	return FVX_OK;
}

enum fvx_status ept_map_page(struct pool *pool, u64 pml4_pa, u64 gpa, u64 hpa, u8 perm, u8 memtype)
{
	enum fvx_status s;
	u64 *e;

	if ((gpa | hpa) & 0xfff)
		return FVX_ERR_INVALID;
	s = map_at(pool, pml4_pa, gpa, 1, &e);
	if (s == FVX_OK)
		*e = hpa | perm | ((u64)memtype << EPT_MEMTYPE_SHIFT);
	return s;
}

enum fvx_status ept_map_2m(struct pool *pool, u64 pml4_pa, u64 gpa, u64 hpa, u8 perm, u8 memtype)
{
	enum fvx_status s;
	u64 *e;

	if ((gpa | hpa) & (level_size(2) - 1))
		return FVX_ERR_INVALID;
	s = map_at(pool, pml4_pa, gpa, 2, &e);
	if (s == FVX_OK && (*e & EPT_RWX) && !(*e & EPT_LARGE))
		s = FVX_ERR_INVALID; /* a table of 4 KiB pages: not ours to drop */
	if (s == FVX_OK)
		*e = hpa | perm | EPT_LARGE | ((u64)memtype << EPT_MEMTYPE_SHIFT);
	return s;
}
