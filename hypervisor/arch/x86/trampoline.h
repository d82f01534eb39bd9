/* The syscall entry trampoline (trampoline.S) as C sees it. */
#ifndef FVX_ARCH_TRAMPOLINE_H
#define FVX_ARCH_TRAMPOLINE_H

/* %gs:(FVX_SCRATCH_MARKER + offset) in the trampoline's code is a
 * placeholder: the hypervisor replaces it with the per-CPU offset of the
 * agent's struct fvx_percpu_scratch + offset when it copies the code. */
#define FVX_SCRATCH_MARKER 0x7ffe0000

#ifndef __ASSEMBLER__
#include "../../types.h"
/* The code: fast entry at the start, exit-mode entry at FVX_WIN_TRAMPOLINE_EXIT. */
extern const u8 fvx_trampoline[], fvx_trampoline_fast_end[], fvx_trampoline_end[];
#endif

#endif
