/* Unit tests for MTRR decoding and EPT construction, checked with the
 * software EPT walker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/ept.h"
#include "core/mtrr.h"
#include "core/pool.h"
#include "arch/x86/vmx.h"

#define GIB (1ULL << 30)
#define MIB (1ULL << 20)
#define POOL_PA (0x6400000ULL) /* where Bochs's Linux put the pool */
#define POOL_SIZE (4 * MIB)

/* A PC-like MTRR setup: WB by default, fixed ranges with UC for the legacy
 * video window, variable UC for [3 GiB, 4 GiB). */
static struct mtrr_state pc_mtrr(void)
{
	struct mtrr_state m = { .enabled = true,
				.fixed_enabled = true,
				.default_type = MEMTYPE_WB };
	int i;

	for (i = 0; i < 88; i++)
		m.fixed[i] = MEMTYPE_WB;
	for (i = 16; i < 24; i++) /* 0xA0000-0xBFFFF: 16 KiB ranges 8..15 of the 16K MSRs */
		m.fixed[i] = MEMTYPE_UC;
	m.var_count = 8;
	m.var[0].base = 0xc0000000ULL | MEMTYPE_UC;
	m.var[0].mask = (0xfffffffffULL & ~(GIB - 1)) | BIT(11);
	return m;
}

struct fixture {
	void *mem;
	struct pool pool;
	struct mtrr_state mtrr;
	struct ept_layout layout;
	u64 pml4;
	struct ept_stats stats;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->mem = aligned_alloc(4096, POOL_SIZE);
	pool_init(&f->pool, f->mem, POOL_PA, POOL_SIZE);
	f->mtrr = pc_mtrr();
	f->layout = (struct ept_layout){ .limit = 1ULL << 40,
					 .large_1g = true,
					 .ram_perm = EPT_RWX,
					 .mtrr = &f->mtrr,
					 .dummy_pa = POOL_PA + 4096 };
	f->layout.hidden[0].base = POOL_PA;
	f->layout.hidden[0].size = POOL_SIZE;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->mem);
	free(f);
	return 0;
}

static struct ept_translation walk(struct fixture *f, u64 gpa)
{
	struct ept_translation t;

	assert_true(ept_translate(&f->pool, f->pml4, gpa, &t));
	return t;
}

static void build(struct fixture *f)
{
	assert_int_equal(ept_build(&f->pool, &f->layout, &f->pml4, &f->stats), FVX_OK);
}

static void ram_is_identity_wb_rwx(void **state)
{
	struct fixture *f = *state;
	u64 gpas[] = { 0x100000, 0x1000000, 0x3fffe000, 0x40000000, 0x7ffff000, 0x5ULL << 32 };
	unsigned int i;

	build(f);
	for (i = 0; i < ARRAY_LEN(gpas); i++) {
		struct ept_translation t = walk(f, gpas[i] + 0x123);

		assert_int_equal(t.hpa, gpas[i] + 0x123);
		assert_int_equal(t.perm, EPT_RWX);
		assert_int_equal(t.memtype, MEMTYPE_WB);
	}
}

static void mmio_hole_is_uncached(void **state)
{
	struct fixture *f = *state;
	struct ept_translation t;

	build(f);
	t = walk(f, 0xfee00000); /* local APIC */
	assert_int_equal(t.hpa, 0xfee00000);
	assert_int_equal(t.memtype, MEMTYPE_UC);
	assert_int_equal(t.level, 3); /* the whole GiB is UC: one 1 GiB page */
	t = walk(f, 0xa0000); /* legacy video, fixed MTRR */
	assert_int_equal(t.memtype, MEMTYPE_UC);
	assert_int_equal(t.level, 1);
	assert_int_equal(walk(f, 0x9f000).memtype, MEMTYPE_WB);
}

static void hypervisor_memory_maps_the_dummy_page(void **state)
{
	struct fixture *f = *state;
	u64 off;

	build(f);
	for (off = 0; off < POOL_SIZE; off += 4096) {
		struct ept_translation t = walk(f, POOL_PA + off);

		assert_int_equal(t.hpa, f->layout.dummy_pa);
		assert_false(t.perm & EPT_EXEC);
	}
	/* The pages around it are untouched. */
	assert_int_equal(walk(f, POOL_PA - 4096).hpa, POOL_PA - 4096);
	assert_int_equal(walk(f, POOL_PA + POOL_SIZE).hpa, POOL_PA + POOL_SIZE);
	/* And the EPT tables themselves live in the hidden pool. */
	assert_true(pool_contains_pa(&f->pool, f->pml4));
}

static void unaligned_hidden_range_splits_to_4k(void **state)
{
	struct fixture *f = *state;

	f->layout.hidden[0].base = POOL_PA + 0x3000;
	f->layout.hidden[0].size = 0x2000;
	build(f);
	assert_int_equal(walk(f, POOL_PA + 0x2000).hpa, POOL_PA + 0x2000);
	assert_int_equal(walk(f, POOL_PA + 0x3000).hpa, f->layout.dummy_pa);
	assert_int_equal(walk(f, POOL_PA + 0x4000).hpa, f->layout.dummy_pa);
	assert_int_equal(walk(f, POOL_PA + 0x5000).hpa, POOL_PA + 0x5000);
	assert_int_equal(walk(f, POOL_PA + 0x5000).level, 1);
}

static void large_pages_where_possible(void **state)
{
	struct fixture *f = *state;

	build(f);
	assert_int_equal(walk(f, 8 * GIB).level, 3);
	assert_int_equal(walk(f, 0x40000000).level, 3);
	assert_int_equal(walk(f, 0x200000).level, 2);
	/* 1 TiB = 1024 GiB; only GiB 0 is split (fixed MTRRs, the hidden
	 * pool): [3 GiB, 4 GiB) is uniformly UC and stays one page. */
	assert_int_equal(f->stats.pages_1g, 1023);
	assert_true(f->stats.tables < 16);
}

static void without_1g_pages_uses_2m(void **state)
{
	struct fixture *f = *state;

	f->layout.large_1g = false;
	f->layout.limit = 8 * GIB;
	build(f);
	assert_int_equal(walk(f, 5 * GIB).level, 2);
	assert_int_equal(f->stats.pages_1g, 0);
}

static void limit_is_respected(void **state)
{
	struct fixture *f = *state;
	struct ept_translation t;

	f->layout.limit = 4 * GIB;
	build(f);
	assert_false(ept_translate(&f->pool, f->pml4, 4 * GIB, &t));
	assert_true(ept_translate(&f->pool, f->pml4, 4 * GIB - 1, &t));
}

static void small_pool_fails_cleanly(void **state)
{
	struct fixture *f = *state;

	f->pool.size = 2 * 4096;
	assert_int_equal(ept_build(&f->pool, &f->layout, &f->pml4, &f->stats), FVX_ERR_NOMEM);
}

static void bad_layout_is_rejected(void **state)
{
	struct fixture *f = *state;

	f->layout.hidden[0].base = POOL_PA + 1;
	assert_int_equal(ept_build(&f->pool, &f->layout, &f->pml4, &f->stats), FVX_ERR_INVALID);
	f->layout.hidden[0].base = POOL_PA;
	f->layout.limit = 0;
	assert_int_equal(ept_build(&f->pool, &f->layout, &f->pml4, &f->stats), FVX_ERR_INVALID);
}

static void analyzer_view_ram_is_not_executable(void **state)
{
	struct fixture *f = *state;

	f->layout.ram_perm = EPT_READ | EPT_WRITE;
	build(f);
	assert_int_equal(walk(f, 0x1000000).perm, EPT_READ | EPT_WRITE);
	assert_int_equal(walk(f, 5 * GIB).perm, EPT_READ | EPT_WRITE);
	assert_false(walk(f, POOL_PA).perm & EPT_EXEC);
}

static void second_hidden_range(void **state)
{
	struct fixture *f = *state;

	f->layout.hidden[1].base = 0x8000000;
	f->layout.hidden[1].size = 4 * MIB;
	build(f);
	assert_int_equal(walk(f, 0x8000000 + 0x3000).hpa, f->layout.dummy_pa);
	assert_int_equal(walk(f, POOL_PA).hpa, f->layout.dummy_pa);
	assert_int_equal(walk(f, 0x7fff000).hpa, 0x7fff000);
}

static void window_pages_replace_a_large_page(void **state)
{
	struct fixture *f = *state;
	u64 window = 512 * GIB;
	struct ept_translation t;

	build(f);
	assert_int_equal(walk(f, window).level, 3); /* identity 1 GiB page first */
	assert_int_equal(
		ept_map_page(&f->pool, f->pml4, window + 0x1000, 0x9000000, EPT_READ, MEMTYPE_WB),
		FVX_OK);
	t = walk(f, window + 0x1234);
	assert_int_equal(t.hpa, 0x9000234);
	assert_int_equal(t.perm, EPT_READ);
	assert_int_equal(t.level, 1);
	/* The rest of that GiB is not present any more; other GiBs are intact. */
	assert_false(ept_translate(&f->pool, f->pml4, window, &t));
	assert_false(ept_translate(&f->pool, f->pml4, window + 0x200000, &t));
	assert_int_equal(walk(f, window + GIB).hpa, window + GIB);
	assert_int_equal(ept_map_page(&f->pool, f->pml4, window + 1, 0, EPT_READ, 6),
			 FVX_ERR_INVALID);
}

/* A reserve of n tables carved out of the fixture's pool, as ptp_init does. */
static struct pool reserve_of(struct fixture *f, u64 n)
{
	struct pool r;
	void *pages = pool_alloc(&f->pool, n);

	assert_non_null(pages);
	pool_init(&r, pages, pool_pa(&f->pool, pages), n * 4096);
	return r;
}

/* A split undone: the 1 GiB page is one entry again, translating as
 * before; not while a page below it has another permission, nor while a
 * split of another reserve lies below it. */
static void a_split_merges_back_while_unchanged(void **state)
{
	struct fixture *f = *state;
	u64 page = 5 * GIB + 0x1234000, *leaf, *other;
	struct ept_split split = { 0 }, inner = { 0 }, none = { 0 };
	struct pool r, r2;
	struct ept_translation t;

	build(f);
	r = reserve_of(f, 2);
	r2 = reserve_of(f, 1);
	leaf = ept_leaf_4k_split(&f->pool, &r, f->pml4, page, &split);
	assert_non_null(leaf);
	assert_non_null(split.entry);
	assert_int_equal(split.level, 3);
	assert_false(ept_merge(&r, &none));
	*leaf &= ~EPT_WRITE;
	assert_false(ept_merge(&r, &split));
	assert_int_equal(walk(f, page).level, 1);
	*leaf |= EPT_WRITE;
	/* Another 2 MiB of the GiB split with the other reserve's table. */
	other = ept_leaf_4k_split(&f->pool, &r2, f->pml4, 5 * GIB + 0x800000, &inner);
	assert_non_null(other);
	assert_int_equal(inner.level, 2);
	assert_int_equal(r2.used, 4096);
	assert_false(ept_merge(&r, &split));
	assert_int_equal(walk(f, 5 * GIB + 0x800000).level, 1);
	/* That one undone first, then the GiB. */
	assert_false(ept_merge(&r, &inner)); /* (not its reserve's) */
	assert_true(ept_merge(&r2, &inner));
	assert_true(ept_merge(&r, &split));
	t = walk(f, page + 0x123);
	assert_int_equal(t.level, 3);
	assert_int_equal(t.hpa, page + 0x123);
	assert_int_equal(t.perm, EPT_RWX);
	assert_int_equal(t.memtype, MEMTYPE_WB);
	assert_int_equal(walk(f, 5 * GIB + 0x800000).level, 3);
}

static void one_page_splits_out_of_a_1g_page(void **state)
{
	struct fixture *f = *state;
	u64 page = 5 * GIB + 0x1234000, *leaf;
	struct pool r;
	struct ept_translation t;

	build(f);
	r = reserve_of(f, 2);
	assert_int_equal(walk(f, page).level, 3);
	leaf = ept_leaf_4k(&f->pool, &r, f->pml4, page + 0x123);
	assert_non_null(leaf);
	assert_int_equal(r.used, 2 * 4096); /* a directory and a table */
	*leaf &= ~EPT_WRITE;
	t = walk(f, page + 0x123);
	assert_int_equal(t.level, 1);
	assert_int_equal(t.hpa, page + 0x123);
	assert_int_equal(t.perm, EPT_READ | EPT_EXEC);
	assert_int_equal(t.memtype, MEMTYPE_WB);
	/* Its neighbours translate as before, in pages as large as allowed. */
	t = walk(f, page - 0x1000);
	assert_int_equal(t.hpa, page - 0x1000);
	assert_int_equal(t.perm, EPT_RWX);
	assert_int_equal(t.level, 1);
	t = walk(f, 5 * GIB + 0x800000);
	assert_int_equal(t.hpa, 5 * GIB + 0x800000);
	assert_int_equal(t.perm, EPT_RWX);
	assert_int_equal(t.memtype, MEMTYPE_WB);
	assert_int_equal(t.level, 2);
	assert_int_equal(walk(f, 6 * GIB).level, 3);
	/* Split once: the same page again needs no table. */
	assert_ptr_equal(ept_leaf_4k(&f->pool, &r, f->pml4, page), leaf);
	assert_int_equal(r.used, 2 * 4096);
}

static void a_2m_page_needs_one_table_and_keeps_its_type(void **state)
{
	struct fixture *f = *state;
	struct pool r;
	u64 *leaf;
	struct ept_translation t;

	build(f);
	r = reserve_of(f, 1);
	/* In GiB 0 (split by the fixed MTRRs) 0x600000 is a 2 MiB page. */
	assert_int_equal(walk(f, 0x600000).level, 2);
	leaf = ept_leaf_4k(&f->pool, &r, f->pml4, 0x655000);
	assert_non_null(leaf);
	assert_int_equal(r.used, 4096);
	t = walk(f, 0x7ff000);
	assert_int_equal(t.level, 1);
	assert_int_equal(t.hpa, 0x7ff000);
	assert_int_equal(t.memtype, MEMTYPE_WB);
	/* The UC GiB keeps UC when split. */
	r = reserve_of(f, 2);
	assert_non_null(ept_leaf_4k(&f->pool, &r, f->pml4, 3 * GIB + 0x5000));
	t = walk(f, 3 * GIB + 0x6000);
	assert_int_equal(t.memtype, MEMTYPE_UC);
	assert_int_equal(t.hpa, 3 * GIB + 0x6000);
}

static void small_reserve_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct pool r;
	struct ept_translation t;

	build(f);
	r = reserve_of(f, 1); /* a 1 GiB page needs two */
	assert_null(ept_leaf_4k(&f->pool, &r, f->pml4, 7 * GIB));
	assert_int_equal(r.used, 0);
	t = walk(f, 7 * GIB);
	assert_int_equal(t.level, 3);
	/* Not mapped (beyond the limit), or a root outside the pool. */
	r = reserve_of(f, 2);
	assert_null(ept_leaf_4k(&f->pool, &r, f->pml4, 2048 * GIB));
	assert_null(ept_leaf_4k(&f->pool, &r, 0x1000, 7 * GIB));
	assert_int_equal(r.used, 0);
}

static void mtrr_rules(void **state)
{
	struct mtrr_state m = pc_mtrr();
	u8 t;

	assert_true(mtrr_range_type(&m, 0x200000, 2 * MIB, &t));
	assert_int_equal(t, MEMTYPE_WB);
	assert_false(mtrr_range_type(&m, 0, 2 * MIB, &t)); /* fixed ranges differ */
	assert_false(mtrr_range_type(&m, 2 * GIB, 2 * GIB, &t)); /* half UC */
	assert_true(mtrr_range_type(&m, 3 * GIB, GIB, &t));
	assert_int_equal(t, MEMTYPE_UC);
	/* An overlapping WT range over WB memory gives WT; over UC stays UC. */
	m.var[1].base = 0x80000000ULL | MEMTYPE_WT;
	m.var[1].mask = (0xfffffffffULL & ~(2 * GIB - 1)) | BIT(11);
	m.var[2].base = 0x80000000ULL | MEMTYPE_WB;
	m.var[2].mask = m.var[1].mask;
	assert_true(mtrr_range_type(&m, 2 * GIB, 2 * MIB, &t));
	assert_int_equal(t, MEMTYPE_WT);
	assert_true(mtrr_range_type(&m, 3 * GIB, 2 * MIB, &t));
	assert_int_equal(t, MEMTYPE_UC);
	m.enabled = false;
	assert_true(mtrr_range_type(&m, 0x200000, 2 * MIB, &t));
	assert_int_equal(t, MEMTYPE_UC);
}

static const struct {
	u32 msr;
	u64 value;
} mtrr_msrs[] = {
	{ MSR_IA32_MTRRCAP, 0x508 }, /* 8 variable, fixed supported, WC */
	{ MSR_IA32_MTRR_DEF_TYPE, 0xc06 }, /* enabled, fixed enabled, WB */
	{ MSR_IA32_MTRR_FIX16K_80000 + 1, 0x0000000000000000ULL },
	{ MSR_IA32_MTRR_PHYSBASE0, 0xc0000000 },
	{ MSR_IA32_MTRR_PHYSBASE0 + 1, 0xfc0000800ULL },
};

static u64 fake_mtrr_rdmsr(u32 msr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(mtrr_msrs); i++)
		if (mtrr_msrs[i].msr == msr)
			return mtrr_msrs[i].value;
	return 0x0606060606060606ULL; /* every other fixed range: WB */
}

static void mtrr_read_decodes_msrs(void **state)
{
	struct mtrr_state m;
	u8 t;

	mtrr_read(&m, fake_mtrr_rdmsr);
	assert_true(m.enabled);
	assert_true(m.fixed_enabled);
	assert_int_equal(m.default_type, MEMTYPE_WB);
	assert_int_equal(m.var_count, 8);
	assert_true(mtrr_range_type(&m, 0xa0000, 4096, &t));
	assert_int_equal(t, MEMTYPE_UC);
	assert_true(mtrr_range_type(&m, 0x90000, 4096, &t));
	assert_int_equal(t, MEMTYPE_WB);
	assert_true(mtrr_range_type(&m, 0xc0000000, GIB, &t));
	assert_int_equal(t, MEMTYPE_UC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(ram_is_identity_wb_rwx, setup, teardown),
		cmocka_unit_test_setup_teardown(mmio_hole_is_uncached, setup, teardown),
		cmocka_unit_test_setup_teardown(hypervisor_memory_maps_the_dummy_page, setup,
						teardown),
		cmocka_unit_test_setup_teardown(unaligned_hidden_range_splits_to_4k, setup,
						teardown),
		cmocka_unit_test_setup_teardown(large_pages_where_possible, setup, teardown),
		cmocka_unit_test_setup_teardown(without_1g_pages_uses_2m, setup, teardown),
		cmocka_unit_test_setup_teardown(limit_is_respected, setup, teardown),
		cmocka_unit_test_setup_teardown(small_pool_fails_cleanly, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_layout_is_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(analyzer_view_ram_is_not_executable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(second_hidden_range, setup, teardown),
		cmocka_unit_test_setup_teardown(window_pages_replace_a_large_page, setup, teardown),
		cmocka_unit_test_setup_teardown(a_split_merges_back_while_unchanged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(one_page_splits_out_of_a_1g_page, setup, teardown),
		cmocka_unit_test_setup_teardown(a_2m_page_needs_one_table_and_keeps_its_type, setup,
						teardown),
		cmocka_unit_test_setup_teardown(small_reserve_changes_nothing, setup, teardown),
		cmocka_unit_test(mtrr_rules),
		cmocka_unit_test(mtrr_read_decodes_msrs),
	};

	return cmocka_run_group_tests_name("ept", tests, NULL, NULL);
}
