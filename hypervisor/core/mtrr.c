/* MTRR decoding: which memory type covers a naturally aligned range. */
#include "mtrr.h"
#include "../arch/x86/vmx.h"

#define MTRR_VALID BIT(11)
#define MTRR_PHYS_MASK 0x000ffffffffff000ULL

void mtrr_read(struct mtrr_state *m, u64 (*rdmsr)(u32 msr))
{
	u64 cap = rdmsr(MSR_IA32_MTRRCAP), def = rdmsr(MSR_IA32_MTRR_DEF_TYPE), v;
	unsigned int i, j;

	*m = (struct mtrr_state){ 0 };
	m->enabled = def & BIT(11);
	m->fixed_enabled = (def & BIT(10)) && (cap & BIT(8));
	m->default_type = def & 0xff;
	m->var_count = cap & 0xff;
	if (m->var_count > MTRR_MAX_VAR)
		m->var_count = MTRR_MAX_VAR;
	for (i = 0; i < m->var_count; i++) {
		m->var[i].base = rdmsr(MSR_IA32_MTRR_PHYSBASE0 + 2 * i);
		m->var[i].mask = rdmsr(MSR_IA32_MTRR_PHYSBASE0 + 2 * i + 1);
	}
	if (!m->fixed_enabled)
		return;
	/* 1 x 64K MSR (8 x 64 KiB), 2 x 16K MSRs (8 x 16 KiB each), 8 x 4K MSRs. */
	for (i = 0; i < 11; i++) {
		u32 msr = i == 0  ? MSR_IA32_MTRR_FIX64K_00000
			  : i < 3 ? MSR_IA32_MTRR_FIX16K_80000 + (i - 1)
				  : MSR_IA32_MTRR_FIX4K_C0000 + (i - 3);

		v = rdmsr(msr);
		for (j = 0; j < 8; j++)
			m->fixed[i * 8 + j] = (v >> (8 * j)) & 0xff;
	}
}

/* Index into fixed[] of the fixed range holding pa (< 1 MiB). */
static unsigned int fixed_index(u64 pa)
{
	if (pa < 0x80000)
		return pa >> 16;
	if (pa < 0xc0000)
		return 8 + ((pa - 0x80000) >> 14);
	return 24 + ((pa - 0xc0000) >> 12);
}

/* SDM 11.11.4.1: overlapping variable ranges; UC wins, WT beats WB, any
 * other mix is undefined and treated as UC. */
static u8 combine(u8 a, u8 b)
{
	if (a == b)
		return a;
	if (a == MEMTYPE_UC || b == MEMTYPE_UC)
		return MEMTYPE_UC;
	if ((a == MEMTYPE_WT && b == MEMTYPE_WB) || (a == MEMTYPE_WB && b == MEMTYPE_WT))
		return MEMTYPE_WT;
	return MEMTYPE_UC;
}

bool mtrr_range_type(const struct mtrr_state *m, u64 pa, u64 size, u8 *type)
{
	bool matched = false;
	u8 t = 0;
	unsigned int i;

	if (!m->enabled) {
		*type = MEMTYPE_UC;
		return true;
	}
	if (m->fixed_enabled && pa < 0x100000) {
		u64 end = pa + size > 0x100000 ? 0x100000 : pa + size, a;

		if (pa + size > 0x100000)
			return false; /* fixed and variable ranges mixed */
		t = m->fixed[fixed_index(pa)];
		for (a = pa; a < end; a += 0x1000)
			if (m->fixed[fixed_index(a)] != t)
				return false;
		*type = t;
		return true;
	}
	for (i = 0; i < m->var_count; i++) {
		u64 mask = m->var[i].mask & MTRR_PHYS_MASK, base = m->var[i].base & MTRR_PHYS_MASK;
		u64 low = mask & (size - 1); /* mask bits that vary inside the range */

		if (!(m->var[i].mask & MTRR_VALID))
			continue;
		if ((pa & mask & ~(size - 1)) != (base & mask & ~(size - 1)))
			continue; /* no address of the range matches */
		if (low)
			return false; /* only some addresses match */
		t = matched ? combine(t, m->var[i].base & 0xff) : (m->var[i].base & 0xff);
		matched = true;
	}
	*type = matched ? t : m->default_type;
	return true;
}
