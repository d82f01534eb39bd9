/* Memory types from the MTRRs (SDM 11.11), for EPT leaf entries. Pure. */
#ifndef FVX_CORE_MTRR_H
#define FVX_CORE_MTRR_H

#include "../types.h"

#define MEMTYPE_UC 0
#define MEMTYPE_WC 1
#define MEMTYPE_WT 4
#define MEMTYPE_WP 5
#define MEMTYPE_WB 6

#define MTRR_MAX_VAR 16

struct mtrr_state {
	bool enabled; /* IA32_MTRR_DEF_TYPE.E */
	bool fixed_enabled; /* IA32_MTRR_DEF_TYPE.FE */
	u8 default_type;
	u8 fixed[88]; /* one type per fixed range, in address order (SDM 11.11.2.2) */
	unsigned int var_count;
	struct {
		u64 base, mask; /* IA32_MTRR_PHYSBASEn / PHYSMASKn */
	} var[MTRR_MAX_VAR];
};

/* Reads the MTRR MSRs through rdmsr (the CPU's or a fake). */
void mtrr_read(struct mtrr_state *m, u64 (*rdmsr)(u32 msr));

/* The memory type of [pa, pa + size), size a power of two and pa aligned to
 * it. False when the range does not have one type (split it further). */
bool mtrr_range_type(const struct mtrr_state *m, u64 pa, u64 size, u8 *type);

#endif
