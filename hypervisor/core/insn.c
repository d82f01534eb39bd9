/* The store decoder of insn.h (SDM Vol. 2, chapter 2: prefixes, REX,
 * ModR/M, SIB, displacement, immediate). */
#include "insn.h"

#define PREFIX_LOCK 0xf0
#define OP_MOV_STORE 0x89
#define OP_XCHG 0x87
#define OP_MOV_IMM 0xc7
#define REX_W BIT(3)
#define REX_R BIT(2)

static bool is_segment_override(u8 b)
{
	return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65;
}

/* Bytes of SIB and displacement after a memory ModR/M byte (SDM Vol. 2,
 * Tables 2-2 and 2-3; in 64-bit mode mod 00 r/m 101 is RIP + disp32). */
static unsigned int address_bytes(u8 modrm, const u8 *sib)
{
	u8 mod = modrm >> 6, rm = modrm & 7;
	unsigned int n = rm == 4 ? 1 : 0; /* a SIB byte follows */

	if (mod == 1)
		return n + 1;
	if (mod == 2)
		return n + 4;
	if (rm == 5 || (rm == 4 && (*sib & 7) == 5))
		return n + 4; /* RIP-relative, or SIB without base */
	return n;
}

bool insn_decode_store(const u8 *code, unsigned int avail, struct insn_store *out)
{
	unsigned int i = 0;
	bool lock = false;
	u8 rex = 0, op, modrm;

	if (avail > INSN_MAX_LEN)
		avail = INSN_MAX_LEN;
	/* Only LOCK and segment overrides: the exit already gives the
	 * guest-physical address written, so the linear one is not needed.
	 * Operand-size, address-size and REP prefixes are refused. */
	for (; i < avail && (code[i] == PREFIX_LOCK || is_segment_override(code[i])); i++)
		lock |= code[i] == PREFIX_LOCK;
	if (i < avail && (code[i] & 0xf0) == 0x40)
		rex = code[i++]; /* REX must come right before the opcode */
	if (i + 2 > avail)
		return false;
	op = code[i++];
	modrm = code[i++];
	if (modrm >> 6 == 3)
		return false; /* a register destination */
	if ((modrm & 7) == 4 && i >= avail)
		return false;
	i += address_bytes(modrm, &code[i]);
	*out = (struct insn_store){ .size = rex & REX_W ? 8 : 4,
				    .reg = ((modrm >> 3) & 7) | (rex & REX_R ? 8 : 0) };
	switch (op) {
	case OP_MOV_STORE: out->kind = INSN_STORE_REG; break;
	case OP_XCHG: out->kind = INSN_XCHG; break;
	case OP_MOV_IMM:
		if (((modrm >> 3) & 7) != 0 || i + 4 > avail)
			return false; /* C7 /0 only */
		out->kind = INSN_STORE_IMM;
		out->imm = (u64)(s64)(s32)((u32)code[i] | (u32)code[i + 1] << 8 |
					   (u32)code[i + 2] << 16 | (u32)code[i + 3] << 24);
		if (out->size == 4)
			out->imm &= 0xffffffffULL;
		out->reg = 0;
		i += 4;
		break;
	default: return false;
	}
	/* LOCK MOV is #UD (SDM Vol. 2, LOCK): the CPU never gets to the write. */
	if (lock && op != OP_XCHG)
		return false;
	if (i > avail)
		return false;
	out->len = i;
	return true;
}
