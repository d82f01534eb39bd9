/* The syscall entry trampoline (trampoline.S) as C sees it: the code, and
 * the fixups the hypervisor applies to each CPU's copy of it. */
#ifndef FVX_ARCH_TRAMPOLINE_H
#define FVX_ARCH_TRAMPOLINE_H

/* Fixup kinds. Each fixup names the end of an instruction whose last 4
 * (FIX_STACK_TOP: 8) bytes the hypervisor rewrites in a CPU's copy: */
#define FIX_SCRATCH 1 /* disp32 += per-CPU offset of struct fvx_percpu_scratch */
#define FIX_CONFIG 2 /* RIP-relative disp32 to the config page -= the copy's offset */
#define FIX_STACK_TOP 3 /* imm64 = this CPU's analyzer stack top (window address) */
#define FIX_CPU 4 /* imm32 = this CPU's number */
#define FIX_TSC 5 /* RIP-relative disp32 to CPU 0's fvx_tsc_slot += the distance to this CPU's */
/* testb $imm8, disp32(%reg): disp32 = the byte of fvx_task_layout.mark,
 * imm8 = its bit's mask (the last 5 bytes) */
#define FIX_MARK 6
/* The same form on the byte of fvx_task_layout.tracepoint: imm8 = watch |
 * defer (FIX_WATCH), watch (FIX_WATCHED); lock orb/andb $imm8,
 * disp32(%reg): defer (FIX_DEFER), all but defer (FIX_UNDEFER)
 * (fvx_task_layout.watch and .defer) */
#define FIX_WATCH 7
#define FIX_WATCHED 8
#define FIX_DEFER 9
#define FIX_UNDEFER 10
/* testb $imm8, disp32(%rip): FIX_CONFIG's, its disp32 before the imm8 */
#define FIX_CONFIG_IMM8 11
/* On the tracepoint's byte too: testb $imm8: the tracepoint bit (FIX_TP),
 * it or watch (FIX_TP_WATCH); lock orb $imm8: the tracepoint bit
 * (FIX_TP_ON); lock andb $imm8: all but it (FIX_TP_OFF) */
#define FIX_TP 12
#define FIX_TP_WATCH 13
#define FIX_TP_ON 14
#define FIX_TP_OFF 15
/* cmpl $0, disp32(%reg): disp32 = fvx_task_layout.ptrace */
#define FIX_PTRACE 16
/* lock orb $imm8 / lock andb $imm8, disp32(%reg) on the byte of
 * fvx_task_layout.pending (FIX_PENDING_ON, _OFF: its bit, all but it) and
 * of .notify (FIX_NOTIFY_ON, _OFF) */
#define FIX_PENDING_ON 17
#define FIX_PENDING_OFF 18
#define FIX_NOTIFY_ON 19
#define FIX_NOTIFY_OFF 20

/* What the TSC measure of a traced call leaves out (trampoline.S): the
 * instructions of its path before the first read of IA32_TSC and from the
 * second on, added to each measure as TSC ticks. Exact where the TSC
 * counts instructions (Bochs) on the path of a marked task's selected call
 * and of a 64-bit call's return; the entries' other ways into the measure
 * are at most TSC_OUTSIDE_SLACK instructions shorter, a few ticks hidden
 * too many. On hardware those instructions take more cycles than that.
 * tests/unit/test_trampoline.c counts them in the code. */
#define TSC_FAST_OUTSIDE 65 /* the SYSCALL entry, for a call the filter selects */
#define TSC_EVENT_OUTSIDE 49 /* the event entry, for a 64-bit call's return */
#define TSC_OUTSIDE_SLACK 10

#ifndef __ASSEMBLER__
#include "../../types.h"

struct trampoline_fixup {
	u32 kind; /* FIX_* */
	u32 end; /* offset from fvx_trampoline of the end of the instruction */
};
_Static_assert(sizeof(struct trampoline_fixup) == 8, "layout emitted by trampoline.S");

/* The code: fast entry at the start, exit-mode entry at
 * FVX_WIN_TRAMPOLINE_EXIT; then the fixup table. */
extern const u8 fvx_trampoline[], fvx_trampoline_fast_end[], fvx_trampoline_end[];
extern const struct trampoline_fixup fvx_trampoline_fixups[], fvx_trampoline_fixups_end[];
#endif

#endif
