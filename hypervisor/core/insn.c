/* The store decoder of insn.h (SDM Vol. 2, chapter 2: prefixes, REX,
 * ModR/M, SIB, displacement, immediate). */
#include "insn.h"

#define PREFIX_LOCK 0xf0
#define PREFIX_OPSIZE 0x66
#define OP_MOV_STORE8 0x88
#define OP_MOV_STORE 0x89
#define OP_XCHG8 0x86
#define OP_XCHG 0x87
#define OP_MOV_IMM8 0xc6
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
	unsigned int i = 0, imm;
	bool lock = false, opsize16 = false;
	u8 rex = 0, op, modrm;

	if (avail > INSN_MAX_LEN)
		avail = INSN_MAX_LEN;
	/* Only LOCK, operand-size and segment overrides: the exit already
	 * gives the guest-physical address written, so the linear one is not
	 * needed. Address-size and REP prefixes are refused. */
	for (; i < avail &&
	       (code[i] == PREFIX_LOCK || code[i] == PREFIX_OPSIZE || is_segment_override(code[i]));
	     i++) {
		lock |= code[i] == PREFIX_LOCK;
		opsize16 |= code[i] == PREFIX_OPSIZE;
	}
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
	/* REX.W wins over 66 (SDM Vol. 2, 2.2.1.2); the byte forms have one size. */
	*out = (struct insn_store){ .size = rex & REX_W ? 8
					    : opsize16	? 2
							: 4,
				    .reg = ((modrm >> 3) & 7) | (rex & REX_R ? 8 : 0) };
	if (op == OP_MOV_STORE8 || op == OP_XCHG8 || op == OP_MOV_IMM8)
		out->size = 1;
	switch (op) {
	case OP_MOV_STORE8:
	case OP_MOV_STORE: out->kind = INSN_STORE_REG; break;
	case OP_XCHG8:
	case OP_XCHG: out->kind = INSN_XCHG; break;
	case OP_MOV_IMM8:
	case OP_MOV_IMM:
		imm = out->size < 4 ? out->size : 4; /* imm8, imm16, or imm32 sign-extended */
		if (((modrm >> 3) & 7) != 0 || i + imm > avail)
			return false; /* C6 /0 and C7 /0 only */
		out->kind = INSN_STORE_IMM;
		out->imm = 0;
		for (unsigned int b = 0; b < imm; b++)
			out->imm |= (u64)code[i + b] << (8 * b);
		if (imm == 4 && out->size == 8)
			out->imm = (u64)(s64)(s32)out->imm;
		out->reg = 0;
		i += imm;
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
