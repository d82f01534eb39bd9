/* EPT paging structures (SDM 28.3): the identity-mapped normal view, built
 * once at load time from the pool, and a software walker. Pure. */
#ifndef FVX_CORE_EPT_H
#define FVX_CORE_EPT_H

#include "../types.h"
#include "../status.h"
#include "mtrr.h"
#include "pool.h"

#define EPT_READ BIT(0)
#define EPT_WRITE BIT(1)
#define EPT_EXEC BIT(2)
#define EPT_RWX (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MEMTYPE_SHIFT 3
#define EPT_IGNORE_PAT BIT(6) /* SDM 28.3.7: the EPT memory type alone decides */
#define EPT_LARGE BIT(7)
#define EPT_ADDR_MASK 0x000ffffffffff000ULL

#define EPT_MAX_HIDDEN 2

struct ept_layout {
	u64 limit; /* guest-physical addresses [0, limit) are mapped */
	bool large_1g; /* 1 GiB pages allowed (EPT/VPID cap bit 17) */
	u8 ram_perm; /* permissions of guest memory in this view */
	const struct mtrr_state *mtrr;
	/* The hypervisor's memory: every page of it maps the dummy page. */
	struct {
		u64 base, size;
	} hidden[EPT_MAX_HIDDEN];
	u64 dummy_pa;
};

struct ept_stats {
	u64 pages_1g, pages_2m, pages_4k, tables;
};

/* Builds the identity map; *pml4_pa receives the root. */
enum fvx_status ept_build(struct pool *pool, const struct ept_layout *l, u64 *pml4_pa,
			  struct ept_stats *stats);

/* Maps one 4 KiB page (gpa -> hpa) with perm and memory type, making the
 * tables on the way. A large page in the way is replaced by an empty table:
 * only for ranges where nothing else is mapped (the analyzer window). */
enum fvx_status ept_map_page(struct pool *pool, u64 pml4_pa, u64 gpa, u64 hpa, u8 perm, u8 memtype);
/* The same for one 2 MiB page (gpa and hpa 2 MiB aligned), which must not
 * be mapped yet at all: a table in the way is refused, not freed. */
enum fvx_status ept_map_2m(struct pool *pool, u64 pml4_pa, u64 gpa, u64 hpa, u8 perm, u8 memtype);

/* EPTP value for a root: write-back, 4-level walk (SDM 24.6.11). */
static inline u64 ept_pointer(u64 pml4_pa)
{
	return pml4_pa | (3 << 3) | 6;
}

/* VMX root (ept_walk.c). The 4 KiB leaf entry that maps gpa, so that one page's permissions can
 * change without touching its neighbours. A 1 GiB or 2 MiB page in the way
 * is split into tables taken from reserve (pages carved out of pool at load
 * time, so nothing is allocated in VMX root): every
 * page keeps its translation and memory type.
 * NULL, with nothing changed, when gpa is not mapped or the reserve is too
 * small. Callers flush with INVEPT after changing the leaf. */
u64 *ept_leaf_4k(const struct pool *pool, struct pool *reserve, u64 pml4_pa, u64 gpa);

/* A split ept_leaf_4k_split made: the entry that was a large leaf (the
 * largest it split; NULL: none), its value then and its level (2: 2 MiB,
 * 3: 1 GiB). */
struct ept_split {
	u64 *entry;
	u64 was;
	int level;
};

/* ept_leaf_4k, saying in *split (entry NULL before) what it split. */
u64 *ept_leaf_4k_split(const struct pool *pool, struct pool *reserve, u64 pml4_pa, u64 gpa,
		       struct ept_split *split);

/* Undoes a split whose tables all came from `own`, if they still translate
 * exactly as the large leaf did (nothing changed a permission below it, no
 * other split went deeper with tables of its own): the entry is the large
 * leaf again. Until every CPU has flushed (INVEPT) its cached paths, the
 * tables must not be used for anything else. */
bool ept_merge(const struct pool *own, const struct ept_split *split);

struct ept_translation {
	u64 hpa;
	u8 perm; /* EPT_READ | EPT_WRITE | EPT_EXEC */
	u8 memtype;
	u8 level; /* 1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB page */
};

/* Walks the tables like the CPU does; false when gpa is not mapped
 * (ept_walk.c). */
bool ept_translate(const struct pool *pool, u64 pml4_pa, u64 gpa, struct ept_translation *t);

#endif
