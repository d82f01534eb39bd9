/* Unit tests for the real trampoline (hypervisor/arch/x86/trampoline.S),
 * assembled for the host but never run: its fixup table against its code,
 * and the shape of the return entries. The hypervisor trusts each fixup to
 * name the right operand of the right instruction; a wrong one would give a
 * CPU another CPU's analyzer stack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/trampoline.h"
#include "fastvmix/vmcall.h"
#include "fastvmix/syscall_quick.h"

static const u8 vmfunc[] = { 0x0f, 0x01, 0xd4 }, vmcall[] = { 0x0f, 0x01, 0xc1 },
		endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };

static u64 code_size(void)
{
	return fvx_trampoline_end - fvx_trampoline;
}

/* The offset of the first `pattern` in [from, to), or `to`. */
static u64 find(u64 from, u64 to, const u8 *pattern, size_t size)
{
	u64 i;

	for (i = from; i + size <= to; i++)
		if (!memcmp(fvx_trampoline + i, pattern, size))
			return i;
	return to;
}

static unsigned int count(u64 from, u64 to, const u8 *pattern, size_t size)
{
	unsigned int n = 0;
	u64 i;

	for (i = find(from, to, pattern, size); i < to; i = find(i + 1, to, pattern, size))
		n++;
	return n;
}

/* Every fixup names the operand its kind says, at the end of its
 * instruction: the analyzer stack is a movabs to RSP, the CPU number a
 * movq to the event's cpu, the config page a RIP-relative operand that
 * lands in the config page or the scratch area from every copy, and a
 * scratch slot a %gs-relative one. */
static void fixups_name_their_operands(void **state)
{
	const struct trampoline_fixup *f;
	unsigned int kinds[FIX_NOTIFY_OFF + 1] = { 0 };

	assert_true(code_size() <= FVX_WIN_TRAMPOLINE_STRIDE);
	f = fvx_trampoline_fixups;
	assert_true(f < fvx_trampoline_fixups_end);
	for (; f < fvx_trampoline_fixups_end; f++) {
		const u8 *end = fvx_trampoline + f->end;
		s64 target = (s64)f->end + *(const s32 *)(end - 4);

		assert_true(f->end >= 8 && f->end <= code_size());
		assert_true(f->kind >= FIX_SCRATCH && f->kind <= FIX_NOTIFY_OFF);
		kinds[f->kind]++;
		switch (f->kind) {
		case FIX_STACK_TOP:
			assert_memory_equal(end - 10, ((u8[]){ 0x48, 0xbc }), 2);
			assert_int_equal(*(const u64 *)(end - 8), 0);
			break;
		case FIX_CPU:
			assert_memory_equal(end - 9, ((u8[]){ 0x48, 0xc7, 0x44, 0x24 }), 4);
			/* the event's cpu: at 0 (return entry) or 8 (syscall entry) */
			assert_true(end[-5] == offsetof(struct fvx_event, cpu) ||
				    end[-5] == 8 + offsetof(struct fvx_event, cpu));
			break;
		case FIX_CONFIG:
			assert_true((target >= FVX_WIN_CONFIG && target < FVX_WIN_CONFIG + 4096) ||
				    target == FVX_WIN_DATA);
			break;
		case FIX_SCRATCH:
			assert_non_null(memchr(end - 9, 0x65, 5)); /* the %gs prefix */
			assert_true(*(const u32 *)(end - 4) < sizeof(struct fvx_percpu_scratch));
			break;
		case FIX_TSC: /* RIP-relative (ModRM mod 0, r/m 5), into CPU 0's slot */
			assert_int_equal(end[-5] & 0xc7, 0x05);
			assert_true(
				target >= (s64)FVX_WIN_STACK_TOP(0) &&
				target < (s64)(FVX_WIN_STACK_TOP(0) + sizeof(struct fvx_tsc_slot)));
			break;
		case FIX_MARK: /* testb $imm8, disp32(%rax): the current task's */
		case FIX_WATCH:
		case FIX_WATCHED:
		case FIX_TP:
		case FIX_TP_WATCH: assert_memory_equal(end - 7, ((u8[]){ 0xf6, 0x80 }), 2); break;
		case FIX_DEFER: /* lock orb $imm8, disp32(%rax) */
		case FIX_TP_ON:
		case FIX_PENDING_ON:
		case FIX_NOTIFY_ON:
			assert_memory_equal(end - 8, ((u8[]){ 0xf0, 0x80, 0x88 }), 3);
			break;
		case FIX_UNDEFER: /* lock andb $imm8, disp32(%rax) */
		case FIX_TP_OFF:
		case FIX_PENDING_OFF:
		case FIX_NOTIFY_OFF:
			assert_memory_equal(end - 8, ((u8[]){ 0xf0, 0x80, 0xa0 }), 3);
			break;
		case FIX_PTRACE: /* cmpl $0, disp32(%rax) */
			assert_memory_equal(end - 7, ((u8[]){ 0x83, 0xb8 }), 2);
			assert_int_equal(end[-1], 0);
			break;
		case FIX_CONFIG_IMM8: /* testb $imm8, disp32(%rip): into the config page,
				       * or (testb $0) the guard page */
			assert_memory_equal(end - 7, ((u8[]){ 0xf6, 0x05 }), 2);
			target = (s64)f->end + *(const s32 *)(end - 5);
			assert_true((target >= FVX_WIN_CONFIG && target < FVX_WIN_CONFIG + 4096) ||
				    (target == FVX_WIN_GUARD && end[-1] == 0));
			break;
		}
	}
	/* One analyzer stack in each of the two entries that use it. */
	assert_int_equal(kinds[FIX_STACK_TOP], 2);
	assert_int_equal(kinds[FIX_CPU], 2);
	/* The TSC routines: the track flag, the start's two halves; the
	 * end's start, accumulator and start taken back to 0; each entry's
	 * look at the start before it calls the end. */
	assert_int_equal(kinds[FIX_TSC], 8);
	/* The task mark: in the SYSCALL entry for a call the filter selects,
	 * for one it leaves out and for one that needs the probes (a watched
	 * or ptraced task's, a number from 512 up), and at each 32-bit entry.
	 * The deferred calls' tests and writes of the tracepoint's byte; the
	 * tracepoint bit set for a selected call, for one that needs the
	 * probes and at each 32-bit entry, cleared for a left-out one; the
	 * ptrace word tested for a left-out call. A selected call's return
	 * without the tracepoints: its watch bits, ptrace word and tracepoint
	 * bit tested (the bit cleared), the pending and notify bits set; and
	 * cleared again for a call sent back to its SYSCALL. The config's
	 * flags tested in line: FAST_SKIP (twice), TASK_MARKS (twice and at
	 * the 32-bit entries' shared work), DEFER, QUICK (for a selected
	 * call's entry and a return handed its pt_regs) and, before each fast
	 * entry's TSC start, MEASURE; and the guard read after each of the
	 * three VMFUNCs back to view 0. */
	assert_int_equal(kinds[FIX_MARK], 5);
	assert_int_equal(kinds[FIX_WATCH], 2);
	assert_int_equal(kinds[FIX_WATCHED], 2);
	assert_int_equal(kinds[FIX_DEFER], 1);
	assert_int_equal(kinds[FIX_UNDEFER], 1);
	assert_int_equal(kinds[FIX_TP], 5);
	assert_int_equal(kinds[FIX_TP_WATCH], 1);
	assert_int_equal(kinds[FIX_TP_ON], 4);
	assert_int_equal(kinds[FIX_TP_OFF], 2);
	assert_int_equal(kinds[FIX_PTRACE], 2);
	assert_int_equal(kinds[FIX_PENDING_ON], 1);
	assert_int_equal(kinds[FIX_NOTIFY_ON], 1);
	assert_int_equal(kinds[FIX_PENDING_OFF], 1);
	assert_int_equal(kinds[FIX_NOTIFY_OFF], 1);
	assert_int_equal(kinds[FIX_CONFIG_IMM8], 14);
}

/* The offset of the first `jmp *disp32(%rip)` at or after from, and its
 * target (from the start of the code). */
static u64 forward_jump(u64 from, s64 *target)
{
	static const u8 jmp_rip[] = { 0xff, 0x25 };
	u64 at = find(from, code_size(), jmp_rip, sizeof(jmp_rip));

	assert_true(at < code_size());
	*target = (s64)at + 6 + *(const s32 *)(fvx_trampoline + at + 2);
	return at;
}

/* The 32-bit entries are indirect-branch targets that go on to Linux's
 * own entry (the config's, as recorded at load), with the stack as they
 * found it: one push and its pop, and no call. `int $0x80`
 * swaps GS only for a call from user mode (the frame's CS), SYSENTER as
 * Linux's own entry does. */
static unsigned int insn_length(u64 off);

static void entries32_go_on_to_linux(void **state)
{
	static const struct {
		u64 at;
		u64 forward;
	} entries[2] = {
		{ FVX_WIN_TRAMPOLINE_INT80, offsetof(struct fvx_config, forward_int80) },
		{ FVX_WIN_TRAMPOLINE_SYSENTER, offsetof(struct fvx_config, forward_sysenter) },
	};
	static const u8 swapgs[] = { 0x0f, 0x01, 0xf8 },
			frame_cs[] = { 0xf6, 0x44, 0x24, 0x10, 0x03 }; /* testb $3, 16(%rsp) */
	unsigned int i, pushes, pops, swaps, cs_tests, calls, len;
	s64 target;
	u64 end, off;

	for (i = 0; i < 2; i++) {
		assert_memory_equal(fvx_trampoline + entries[i].at, endbr64, sizeof(endbr64));
		end = forward_jump(entries[i].at, &target);
		assert_int_equal(target, FVX_WIN_CONFIG + entries[i].forward);
		pushes = pops = swaps = cs_tests = calls = 0;
		for (off = entries[i].at; off < end; off += len) {
			const u8 *p = fvx_trampoline + off;

			len = insn_length(off);
			assert_int_not_equal(len, 0);
			pushes += p[0] == 0x9c || (p[0] & 0xf8) == 0x50;
			pops += p[0] == 0x9d || (p[0] & 0xf8) == 0x58;
			swaps += !memcmp(p, swapgs, sizeof(swapgs));
			cs_tests += !memcmp(p, frame_cs, sizeof(frame_cs));
			calls += p[0] == 0xe8;
		}
		assert_int_equal(off, end); /* the walk ends on the jump */
		assert_int_equal(pushes, 1);
		assert_int_equal(pops, 1);
		assert_int_equal(swaps, 2);
		assert_int_equal(cs_tests, i == 0);
		assert_int_equal(calls, 0); /* no return address left on Linux's stack */
	}
	assert_true(FVX_WIN_TRAMPOLINE_INT80 > FVX_WIN_TRAMPOLINE_RETURN_EXIT &&
		    FVX_WIN_TRAMPOLINE_SYSENTER > FVX_WIN_TRAMPOLINE_INT80);
}

/* ---- the TSC measure: an instruction walk over the real code ---- */

/* The length of the instruction at off, for the forms the trampoline uses
 * (legacy prefixes, REX, one- and two-byte opcodes, ModRM, SIB,
 * displacements, immediates); 0 for anything else. */
static unsigned int insn_length(u64 off)
{
	const u8 *p = fvx_trampoline + off, *start = p;
	bool rex_w = false, modrm = false, opsize = false;
	unsigned int imm = 0;
	u8 op;

	while (*p == 0x65 || *p == 0x66 || *p == 0xf3 || *p == 0xf2 || *p == 0xf0)
		opsize |= *p++ == 0x66;
	if ((*p & 0xf0) == 0x40)
		rex_w = *p++ & 8;
	op = *p++;
	if (op == 0x0f) {
		op = *p++;
		if (op == 0x05 || op == 0x07 || op == 0x0b || op == 0x32)
			return p - start; /* syscall, sysret, ud2, rdmsr */
		if (op >= 0x80 && op <= 0x8f)
			return p - start + 4; /* jcc rel32 */
		if (op == 0xba)
			imm = 1; /* bt, bts, btr, btc $imm8 */
		else if (op != 0x01 && op != 0x1e && op != 0xa3)
			return 0;
		modrm = true; /* vmfunc, vmcall, swapgs; endbr64; bt */
	} else if ((op & 0xc4) == 0 && (op & 7) < 4) {
		modrm = true; /* add, or, adc, sbb, and, sub, xor, cmp r/m forms */
	} else if (op == 0x3d || op == 0xa9 || op == 0xe8 || op == 0xe9) {
		imm = 4;
	} else if ((op & 0xf0) == 0x70 || op == 0xeb || op == 0xa8 || (op & 0xf8) == 0xb0) {
		imm = 1;
	} else if ((op & 0xf8) == 0xb8) {
		imm = rex_w ? 8 : 4;
	} else if ((op & 0xf0) == 0x50 || op == 0x9c || op == 0x9d || op == 0xc3 || op == 0xcc ||
		   op == 0xfa || op == 0x90) {
		return p - start;
	} else if (op == 0x85 || op == 0x87 || op == 0x89 || op == 0x8b || op == 0x8d ||
		   op == 0xd1 || op == 0xff) {
		modrm = true;
	} else if (op == 0x80 || op == 0x83 || op == 0xc1 || op == 0xc6) {
		modrm = true;
		imm = 1;
	} else if (op == 0x81 || op == 0xc7) {
		modrm = true;
		imm = 4;
	} else if (op == 0xf6 || op == 0xf7) {
		modrm = true;
		imm = (p[0] & 0x30) == 0 ? (op == 0xf6 ? 1 : 4) : 0; /* test has an immediate */
	} else {
		return 0;
	}
	if (opsize && imm == 4 && op != 0xe8 && op != 0xe9)
		imm = 2;
	if (modrm) {
		u8 m = *p++, mod = m >> 6, rm = m & 7;

		if (mod != 3 && rm == 4 && mod == 0 && (*p & 7) == 5)
			p += 4; /* SIB without a base: disp32 */
		if (mod != 3 && rm == 4)
			p++;
		if (mod == 1)
			p += 1;
		else if (mod == 2 || (mod == 0 && rm == 5))
			p += 4;
	}
	return p - start + imm;
}

/* Walks a fast entry from off on the path of a traced call the measure is
 * taken on: conditional jumps fall through (selected, tracked, no retry),
 * direct jumps and calls are followed, the analyzer's indirect call counts
 * as one instruction, and the walk ends at the entry's last instruction
 * (the jump to Linux, SYSRET, or its RET). Counts the instructions before
 * the first RDMSR and from the second on. */
static void walk_measure(u64 off, unsigned int *before, unsigned int *after)
{
	const u8 rdmsr[] = { 0x0f, 0x32 };
	unsigned int reads = 0, steps, len, depth = 0;
	u64 ret[4];

	*before = *after = 0;
	for (steps = 0; steps < 1000; steps++) {
		const u8 *p = fvx_trampoline + off;

		len = insn_length(off);
		assert_int_not_equal(len, 0);
		if (!memcmp(p, rdmsr, 2))
			reads++;
		if (reads == 0)
			(*before)++;
		if (reads >= 2)
			(*after)++;
		if (p[0] == 0xe8) { /* call rel32 */
			assert_true(depth < 4);
			ret[depth++] = off + len;
			off += len + (s64) * (const s32 *)(p + 1);
		} else if (p[0] == 0xc3) {
			if (!depth)
				break;
			off = ret[--depth];
		} else if (p[0] == 0xeb) {
			off += len + (s64)(int8_t)p[1];
		} else if (p[0] == 0xe9) {
			off += len + (s64) * (const s32 *)(p + 1);
		} else if ((p[0] == 0xff && p[1] == 0x25) ||
			   (p[0] == 0x48 && p[1] == 0x0f && p[2] == 0x07)) {
			break; /* jmp *forward(%rip), sysretq */
		} else {
			off += len;
		}
	}
	assert_true(steps < 1000);
	assert_int_equal(reads, 2);
}

#define NO_READ 100000u

/* The fewest instructions from off to the first RDMSR on any path, taking
 * each conditional jump both ways (NO_READ: none gets there within
 * budget). ret holds depth return addresses. */
static unsigned int fewest_to_read(u64 off, const u64 *ret, unsigned int depth, unsigned int budget)
{
	const u8 rdmsr[] = { 0x0f, 0x32 };
	u64 stack[4];
	unsigned int n;

	memcpy(stack, ret, depth * sizeof(u64));
	for (n = 0; n < budget; n++) {
		const u8 *p = fvx_trampoline + off;
		unsigned int len = insn_length(off), a, b;

		assert_int_not_equal(len, 0);
		if (!memcmp(p, rdmsr, 2))
			return n;
		if (p[0] == 0xe8) {
			assert_true(depth < 4);
			stack[depth++] = off + len;
			off += len + (s64) * (const s32 *)(p + 1);
		} else if (p[0] == 0xc3) {
			if (!depth)
				return NO_READ;
			off = stack[--depth];
		} else if (p[0] == 0xeb) {
			off += len + (s64)(int8_t)p[1];
		} else if (p[0] == 0xe9) {
			off += len + (s64) * (const s32 *)(p + 1);
		} else if ((p[0] & 0xf0) == 0x70 || (p[0] == 0x0f && (p[1] & 0xf0) == 0x80)) {
			u64 to = off + len +
				 (p[0] == 0x0f ? (s64) * (const s32 *)(p + 2) : (s64)(int8_t)p[1]);

			a = fewest_to_read(off + len, stack, depth, budget - n - 1);
			b = fewest_to_read(to, stack, depth, budget - n - 1);
			a = a < b ? a : b;
			return a == NO_READ ? NO_READ : n + 1 + a;
		} else if ((p[0] == 0xff && p[1] == 0x25) ||
			   (p[0] == 0x48 && p[1] == 0x0f && p[2] == 0x07)) {
			return NO_READ; /* jmp *forward(%rip), sysretq: no measure */
		} else {
			off += len;
		}
	}
	return NO_READ;
}

/* The constants added to each measure are the instructions it leaves out,
 * exactly, on the path of a marked task's selected call (the SYSCALL
 * entry) and of a 64-bit call's return (the event entry): in Bochs each
 * one is a TSC tick that Linux alone would not spend. Every other way
 * into the measure (an unmarked task's call in a trace of everyone, a
 * watched task's, a 32-bit call's or a task event's) is at most
 * TSC_OUTSIDE_SLACK instructions shorter. */
static void tsc_constants_count_what_the_measure_leaves_out(void **state)
{
	unsigned int before, after;

	walk_measure(0, &before, &after);
	assert_int_equal(before + after, TSC_FAST_OUTSIDE);
	assert_true(fewest_to_read(0, NULL, 0, 400) + TSC_OUTSIDE_SLACK >= before);
	walk_measure(FVX_WIN_TRAMPOLINE_RETURN, &before, &after);
	assert_int_equal(before + after, TSC_EVENT_OUTSIDE);
	assert_true(fewest_to_read(FVX_WIN_TRAMPOLINE_RETURN, NULL, 0, 400) + TSC_OUTSIDE_SLACK >=
		    before);
}

/* The end of the first fixup of a kind at or after from (0: none). */
static u64 fixup_end(u32 kind, u64 from)
{
	const struct trampoline_fixup *f;
	u64 best = 0;

	for (f = fvx_trampoline_fixups; f < fvx_trampoline_fixups_end; f++)
		if (f->kind == kind && f->end >= from && (!best || f->end < best))
			best = f->end;
	return best;
}

/* A selected call's return without the tracepoints: on the SYSCALL
 * entry's path through (conditional jumps falling through: FAST_SKIP on,
 * nothing watching), the task's pending and notify bits are set before
 * the switch into the analyzer view, so that no return to user mode can
 * come between the record and them; a call sent back to its SYSCALL
 * (FVX_ENTRY_RETRY) has both cleared before its SYSRET: it did not run,
 * and no return is due. */
static void selected_calls_ask_for_their_return(void **state)
{
	const u8 sysretq[] = { 0x48, 0x0f, 0x07 };
	u64 first = find(0, FVX_WIN_TRAMPOLINE_EXIT, vmfunc, 3), sysret, retry;

	assert_true(fixup_end(FIX_PENDING_ON, 0) < first);
	assert_true(fixup_end(FIX_NOTIFY_ON, 0) < first);
	assert_true(fixup_end(FIX_CONFIG_IMM8, 0) < fixup_end(FIX_PENDING_ON, 0));
	sysret = find(0, FVX_WIN_TRAMPOLINE_EXIT, sysretq, 3);
	assert_true(sysret < FVX_WIN_TRAMPOLINE_EXIT);
	/* the retry's switch back is the last VMFUNC before its SYSRET */
	for (retry = sysret; memcmp(fvx_trampoline + retry, vmfunc, 3); retry--)
		assert_true(retry > first);
	assert_true(fixup_end(FIX_PENDING_OFF, retry) < sysret);
	assert_true(fixup_end(FIX_NOTIFY_OFF, retry) < sysret);
	assert_true(fixup_end(FIX_PENDING_OFF, retry) > retry);
}

/* The target of the RIP-relative `bt %reg, disp32(%rip)` (0f a3 modrm)
 * at `at`, from the start of the code. */
static u64 bt_target(u64 at)
{
	s32 disp;

	memcpy(&disp, fvx_trampoline + at + 3, 4);
	return at + 7 + disp;
}

/* Quick calls (FVX_CONFIG_QUICK): the SYSCALL entry tests the number
 * (EAX) against a bitmap of them in the copy itself, the list of
 * syscall_quick.h, after the filter's test and after the pending and
 * notify bits are set (the return is due: it records the call); the fast
 * return entry takes FVX_RECORD_WHOLE out of what the caller says, and
 * sets it itself from the number (EDI) and the same bitmap, in the
 * event's flags. */
static void quick_calls_are_recorded_at_their_return(void **state)
{
	const u8 bt_eax[] = { 0x0f, 0xa3, 0x05 }, bt_edi[] = { 0x0f, 0xa3, 0x3d },
		 not_whole[] = { 0x83, 0xe1, (u8)~FVX_RECORD_WHOLE }, /* and $~WHOLE, %ecx */
		whole[] = { 0x41, 0x83, 0xc8, FVX_RECORD_WHOLE }; /* or $WHOLE, %r8d */
	u64 filter = find(0, FVX_WIN_TRAMPOLINE_EXIT, bt_eax, 3),
	    quick = find(filter + 1, FVX_WIN_TRAMPOLINE_EXIT, bt_eax, 3),
	    from = FVX_WIN_TRAMPOLINE_RETURN, to = FVX_WIN_TRAMPOLINE_RETURN_EXIT,
	    back = find(from, to, bt_edi, 3), table = bt_target(quick);
	unsigned int w;

	(void)state;
	assert_true(quick < FVX_WIN_TRAMPOLINE_EXIT);
	assert_true(fixup_end(FIX_PENDING_ON, 0) < quick);
	assert_true(fixup_end(FIX_NOTIFY_ON, 0) < quick);
	assert_true(table >= to && table + 64 <= code_size());
	for (w = 0; w < 8; w++) {
		u64 word;

		memcpy(&word, fvx_trampoline + table + 8 * w, 8);
		assert_int_equal(word, FVX_QUICK_WORD(w));
	}
	assert_true(back < to);
	assert_int_equal(bt_target(back), table);
	assert_true(find(from, to, not_whole, 3) < find(from, to, vmfunc, 3));
	assert_true(find(back, to, whole, 4) < to);
}

/* Without FVX_CONFIG_MEASURE (a trace that does not hide its time) the
 * measure costs two tests and no read of the TSC: right after the first
 * switch, a test of the flag jumps over the start's call; after the
 * analyzer's, a look at the start (0 unless the start measured: the end
 * takes it back to 0) jumps over the end's constant and call. */
static void tsc_measure_is_off_without_hidden_time(void **state)
{
	const u8 test_measure[] = { 0xf6, 0x05 }, load_start[] = { 0x48, 0x8b, 0x05 },
		 test_rax[] = { 0x48, 0x85, 0xc0 }, zero_start[] = { 0x31, 0xc0, 0x48, 0x89, 0x05 };
	static const u64 entries[2][2] = { { 0, FVX_WIN_TRAMPOLINE_EXIT },
					   { FVX_WIN_TRAMPOLINE_RETURN,
					     FVX_WIN_TRAMPOLINE_RETURN_EXIT } };
	static const u32 outside[2] = { TSC_FAST_OUTSIDE, TSC_EVENT_OUTSIDE };
	unsigned int e;

	for (e = 0; e < 2; e++) {
		u64 first = find(entries[e][0], entries[e][1], vmfunc, 3),
		    second = find(first + 1, entries[e][1], vmfunc, 3), start = first + 13, stop,
		    end, at;
		s32 rel;

		/* testb $MEASURE, flags(%rip); jz over the start's call */
		assert_memory_equal(fvx_trampoline + start, test_measure, 2);
		assert_int_equal(fvx_trampoline[start + 6], FVX_CONFIG_MEASURE);
		assert_int_equal(fvx_trampoline[start + 7], 0x74); /* jz rel8 */
		assert_int_equal(fvx_trampoline[start + 8], 5);
		assert_int_equal(fvx_trampoline[start + 9], 0xe8);
		/* the end: mov start(%rip), %rax; test %rax, %rax; jz over
		 * the constant (mov $outside, %esi) and the end's call, the
		 * last call before the second switch */
		for (stop = second; fvx_trampoline[stop] != 0xe8; stop--)
			assert_true(stop > first);
		at = find(first, second, (const u8[]){ 0xbe }, 1);
		while (memcmp(fvx_trampoline + at + 1, &outside[e], 4))
			at = find(at + 1, second, (const u8[]){ 0xbe }, 1);
		assert_true(at < stop);
		assert_memory_equal(fvx_trampoline + at - 12, load_start, 3);
		assert_memory_equal(fvx_trampoline + at - 5, test_rax, 3);
		assert_int_equal(fvx_trampoline[at - 2], 0x74); /* jz rel8 */
		assert_int_equal(at + (int8_t)fvx_trampoline[at - 1], stop + 5);
		/* which ends by taking the start back to 0 */
		memcpy(&rel, fvx_trampoline + stop + 1, 4);
		end = stop + 5 + rel;
		end = find(end, end + 64, (const u8[]){ 0xc3 }, 1);
		assert_memory_equal(fvx_trampoline + end - 9, zero_start, sizeof(zero_start));
	}
}

/* Each fast entry measures from right after its switch into the analyzer
 * view to right before its switch back, around the analyzer's call; the
 * start asks the hypervisor to track the address space with one VMCALL,
 * TSC_TRACK, only when the slot's track flag says so; reads are RDMSR of
 * IA32_TSC (RDTSC exits while a tracked address space runs). */
static void fast_entries_measure_the_analyzer_view(void **state)
{
	static const u64 entries[2][2] = { { 0, FVX_WIN_TRAMPOLINE_EXIT },
					   { FVX_WIN_TRAMPOLINE_RETURN,
					     FVX_WIN_TRAMPOLINE_RETURN_EXIT } };
	const u8 analyzer_call[] = { 0xff, 0x15 }, mov_tsc[] = { 0xb9, 0x10, 0, 0, 0, 0x0f, 0x32 },
		 rdtsc[] = { 0x0f, 0x31 };
	static const u32 outside[2] = { TSC_FAST_OUTSIDE, TSC_EVENT_OUTSIDE };
	u64 fast_end = fvx_trampoline_fast_end - fvx_trampoline, from, to, first, second, stop;
	unsigned int e;
	u8 rax[8], end[6] = { 0xbe }; /* mov $constant, %esi; call */

	for (e = 0; e < 2; e++) {
		from = entries[e][0];
		to = entries[e][1];
		first = find(from, to, vmfunc, 3);
		second = find(first + 1, to, vmfunc, 3);
		/* the start's call right after the first switch, behind its
		 * test of the flag */
		assert_int_equal(fvx_trampoline[first + 22], 0xe8);
		assert_true(find(first + 3, second, analyzer_call, 2) < second);
		/* the end's after the analyzer's call, before the second
		 * switch, with this entry's constant */
		memcpy(end + 1, &outside[e], 4);
		end[5] = 0xe8;
		{
			/* Both add the config's cost per call (add
			 * CFG_TSC_CALL_TICKS(%rcx), %esi) for a call that goes
			 * on (a SYSCALL's, a 32-bit entry's), then the stop. */
			u32 disp = offsetof(struct fvx_config, tsc_call_ticks);
			u8 add[6] = { 0x03, 0xb1 };
			u64 at;

			memcpy(add + 2, &disp, 4);
			stop = find(first, second, end, 5);
			assert_true(stop < second);
			at = find(stop, stop + 48, add, sizeof(add));
			assert_true(at < stop + 48);
			assert_int_equal(fvx_trampoline[at + 6], 0xe8);
		}
		assert_true(find(first, stop, analyzer_call, 2) < stop);
		assert_int_equal(find(stop + 1, second, end, 5), second);
	}
	/* The routines, in the fast part: two TSC reads through IA32_TSC
	 * and no RDTSC anywhere in the trampoline. */
	assert_int_equal(count(0, fast_end, mov_tsc, sizeof(mov_tsc)), 2);
	assert_int_equal(count(0, code_size(), rdtsc, 2), 0);
	*(u64 *)rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_TSC_TRACK;
	assert_int_equal(count(0, fast_end, rax, 8), 1);
	assert_int_equal(count(0, FVX_WIN_TRAMPOLINE_EXIT, vmcall, 3), 1);
}

/* Ring-0 code can jump to any VMFUNC of the trampoline, with any ECX:
 * right after each switch into view 1 comes this CPU's analyzer stack
 * (movabs $top, %rsp: not the caller's), and right after each switch back
 * to view 0 a read of the page only view 0 maps (testb $0, guard(%rip)),
 * which faults in view 1 before anything else runs there. */
static void every_view_switch_is_guarded(void **state)
{
	u64 at = 0, size = code_size();
	unsigned int into = 0, back = 0;

	(void)state;
	while ((at = find(at, size, vmfunc, 3)) < size) {
		const u8 *next = fvx_trampoline + at + 3;

		if (next[0] == 0x48 && next[1] == 0xbc) {
			into++;
		} else {
			s64 target = (s64)at + 3 + 7 + *(const s32 *)(next + 2);

			assert_memory_equal(next, ((u8[]){ 0xf6, 0x05 }), 2);
			assert_int_equal(next[6], 0);
			assert_int_equal(target, FVX_WIN_GUARD);
			back++;
		}
		at += 3;
	}
	assert_int_equal(into, 2);
	assert_int_equal(back, 3);
}

/* The SYSCALL entry tests the number against the config's filter (bt
 * %eax, syscalls(%rip)) before its switch into the analyzer view: the
 * analyzer's plain path leaves that test to it. */
static void syscall_entry_checks_the_filter_first(void **state)
{
	u64 first = find(0, FVX_WIN_TRAMPOLINE_EXIT, vmfunc, 3),
	    bt = find(0, first, (u8[]){ 0x0f, 0xa3, 0x05 }, 3);
	s32 disp;

	(void)state;
	assert_true(bt < first);
	memcpy(&disp, fvx_trampoline + bt + 3, 4);
	assert_int_equal((s64)bt + 7 + disp,
			 FVX_WIN_CONFIG + (s64)offsetof(struct fvx_config, filter.syscalls));
}

/* The fast return entry: a C function at its offset that checks the filter
 * before it switches views, saves the flags and switches with interrupts
 * off, onto the stack
 * and CPU number the hypervisor writes in, and switches back once. */
static void fast_return_entry_checks_the_filter_first(void **state)
{
	u64 from = FVX_WIN_TRAMPOLINE_RETURN, to = FVX_WIN_TRAMPOLINE_RETURN_EXIT;
	u64 bt = find(from, to, (u8[]){ 0x49, 0x0f, 0xa3 }, 3), /* bt %rdi, (%r8) */
		cli = find(from, to, (u8[]){ 0x9c, 0xfa }, 2); /* pushfq; cli */
	u64 stack = find(from, to, (u8[]){ 0x48, 0xbc }, 2);
	const struct trampoline_fixup *f;
	unsigned int stacks = 0, cpus = 0;

	assert_memory_equal(fvx_trampoline + from, endbr64, sizeof(endbr64));
	assert_int_equal(count(from, to, vmfunc, 3), 2);
	assert_true(bt < cli && cli < find(from, to, vmfunc, 3));
	assert_int_equal(stack, find(from, to, vmfunc, 3) + 3); /* right after the switch */
	assert_int_equal(count(from, to, vmcall, 3), 0);
	for (f = fvx_trampoline_fixups; f < fvx_trampoline_fixups_end; f++) {
		if (f->end <= from || f->end > to)
			continue;
		stacks += f->kind == FIX_STACK_TOP;
		cpus += f->kind == FIX_CPU;
		assert_int_not_equal(f->kind, FIX_SCRATCH); /* kernel context: no %gs slots */
	}
	assert_int_equal(stacks, 1);
	assert_int_equal(cpus, 1);
}

/* The fast return entry hands the analyzer the call's arguments: each of
 * the six read from the agent's array (RDX, or six zeros it pushed), or
 * its pt_regs, and stored in the event's call_args; args then hold a
 * return's value and zeros, or (an entry, a task event) the array again;
 * and a task event's value in user_rip. */
static void fast_return_entry_passes_the_call_arguments(void **state)
{
	u64 from = FVX_WIN_TRAMPOLINE_RETURN, to = FVX_WIN_TRAMPOLINE_RETURN_EXIT, at = from;
	unsigned int i, pass;

	const u8 value[] = { 0x4c, 0x89, 0x4c, 0x24, /* mov %r9, disp8(%rsp) */
			     (u8)offsetof(struct fvx_event, user_rip) },
		 ret_value[] = { 0x4c, 0x89, 0x4c, 0x24, (u8)offsetof(struct fvx_event, args) };

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < 6; i++) {
			const u8 load[] = { 0x48, 0x8b, 0x42,
					    (u8)(8 * i) }, /* mov disp8(%rdx), %rax */
				store[] = { 0x48, 0x89, 0x44, 0x24, /* mov %rax, disp8(%rsp) */
					    (u8)((pass ? offsetof(struct fvx_event, args)
						       : offsetof(struct fvx_event, call_args)) +
						 8 * i) };
			/* (disp8 0 is encoded without it) */
			const u8 load0[] = { 0x48, 0x8b, 0x02 };

			at = i ? find(at, to, load, sizeof(load))
			       : find(at, to, load0, sizeof(load0));
			assert_true(at < to);
			assert_int_equal(find(at, to, store, 5), at + (i ? 4 : 3));
		}
	/* A return's value in args[0], between the two. */
	assert_true(find(from, at, ret_value, sizeof(ret_value)) < at);
	/* Handed a pt_regs (FVX_EVENT_REGS, taken out of the flags: btr
	 * $31, %r8d), the six from where Linux saved them. */
	assert_true(find(from, to, (const u8[]){ 0x41, 0x0f, 0xba, 0xf0, FVX_EVENT_REGS_BIT }, 5) <
		    to);
	at = from;
	for (i = 0; i < 6; i++) {
		static const u8 regs[6] = { FVX_PT_REGS_DI,  FVX_PT_REGS_SI, FVX_PT_REGS_DX,
					    FVX_PT_REGS_R10, FVX_PT_REGS_R8, FVX_PT_REGS_R9 };
		const u8 load[] = { 0x48, 0x8b, 0x42, regs[i] },
			 store[] = { 0x48, 0x89, 0x44, 0x24,
				     (u8)(offsetof(struct fvx_event, call_args) + 8 * i) };

		at = find(at, to, load, sizeof(load));
		assert_true(at < to);
		assert_int_equal(find(at, to, store, 5), at + 4);
	}
	/* A task event's value (an io_uring operation's request) in user_rip. */
	assert_true(find(from, to, value, sizeof(value)) < to);
}

/* The exit-mode return entry: one VMCALL, TRACE_RETURN, and no view switch. */
static void exit_return_entry_is_one_vmcall(void **state)
{
	u64 from = FVX_WIN_TRAMPOLINE_RETURN_EXIT, to = code_size();
	u8 rax[8];

	assert_true(from < to);
	assert_memory_equal(fvx_trampoline + from, endbr64, sizeof(endbr64));
	assert_int_equal(count(from, to, vmcall, 3), 1);
	assert_int_equal(count(from, to, vmfunc, 3), 0);
	*(u64 *)rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_TRACE_RETURN;
	assert_true(find(from, to, rax, 8) < to);
	/* The SYSCALL entries' parts end before the return entries begin. */
	assert_true(fvx_trampoline_fast_end - fvx_trampoline <= FVX_WIN_TRAMPOLINE_EXIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixups_name_their_operands),
		cmocka_unit_test(syscall_entry_checks_the_filter_first),
		cmocka_unit_test(every_view_switch_is_guarded),
		cmocka_unit_test(fast_return_entry_checks_the_filter_first),
		cmocka_unit_test(fast_return_entry_passes_the_call_arguments),
		cmocka_unit_test(exit_return_entry_is_one_vmcall),
		cmocka_unit_test(tsc_constants_count_what_the_measure_leaves_out),
		cmocka_unit_test(fast_entries_measure_the_analyzer_view),
		cmocka_unit_test(tsc_measure_is_off_without_hidden_time),
		cmocka_unit_test(selected_calls_ask_for_their_return),
		cmocka_unit_test(quick_calls_are_recorded_at_their_return),
		cmocka_unit_test(entries32_go_on_to_linux),
	};

	return cmocka_run_group_tests_name("trampoline", tests, NULL, NULL);
}
