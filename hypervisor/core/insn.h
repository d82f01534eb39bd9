/* Decoding the few x86-64 stores that write page-table entries, so that a
 * write to a write-protected page table can be done for the guest
 * (ptprotect.c). Pure: the unit tests call it directly. */
#ifndef FVX_CORE_INSN_H
#define FVX_CORE_INSN_H

#include "../types.h"

#define INSN_MAX_LEN 15 /* SDM Vol. 2, 2.3.11 */

enum insn_store_kind {
	INSN_STORE_REG, /* MOV r/m, r (88 /r, 89 /r) */
	INSN_STORE_IMM, /* MOV r/m, imm (C6 /0, C7 /0; imm32 sign-extended to 64 bits) */
	INSN_XCHG, /* XCHG r/m, r (86 /r, 87 /r): the register gets the old value */
};

struct insn_store {
	u8 kind; /* enum insn_store_kind */
	u8 len; /* instruction length in bytes */
	u8 size; /* bytes written: 1 (the byte forms), 2 (66), 4, or 8 (REX.W) */
	u8 reg; /* INSN_STORE_REG, INSN_XCHG: the register, 0 (RAX) .. 15 (R15); for
		 * size 1 without REX, 4..7 are AH..BH */
	u64 imm; /* INSN_STORE_IMM: the value written, size bytes of it */
};

/* Decodes code[0..avail) as 64-bit-mode code. True only for the three forms
 * above with a memory destination, optionally with operand-size and
 * segment overrides (and LOCK on XCHG); everything else, including a
 * truncated instruction, is false. Linux writes page-table entries with
 * the 64-bit forms (set_pud: MOV r64; pud_clear: MOV imm32;
 * pudp_get_and_clear: XCHG); a refused write to kernel text is skipped
 * whatever its size (kprotect.c). */
bool insn_decode_store(const u8 *code, unsigned int avail, struct insn_store *out);

#endif
