/* The unit tests' trampoline: the symbols trampoline.S provides, with
 * one instruction per fixup kind (trace_ctl.c copies it per CPU):
 *   0: mov %rsp, %gs:8          (FIX_SCRATCH, ends at 9)
 *   9: movabs $0, %rsp          (FIX_STACK_TOP, ends at 19)
 *  19: movq $0, 0x48(%rsp)      (FIX_CPU, ends at 28)
 *  28: lea 0x1000(%rip), %rsi   (FIX_CONFIG, ends at 35)
 *  35: add %rdx, slot(%rip)     (FIX_TSC, ends at 42: CPU 0's fvx_tsc_slot)
 *  42: testb $0, 0x7fffffff(%rax) (FIX_MARK, ends at 49)
 * and the same kinds in the return entry (FVX_WIN_TRAMPOLINE_RETURN, 0x420),
 * its config reference exact (to FVX_WIN_CONFIG, 0x10000):
 *  0x420: movabs $0, %rsp                 (FIX_STACK_TOP, ends at 0x42a)
 *  0x42a: movq $0, 0x40(%rsp)             (FIX_CPU, ends at 0x433)
 *  0x433: lea 0x10000-0x43a(%rip), %rax    (FIX_CONFIG, ends at 0x43a) */
#include "types.h"
#include "fastvmix/trace.h"

__asm__(".section .rodata\n.globl fvx_trampoline, fvx_trampoline_fast_end, fvx_trampoline_end\n"
	".globl fvx_trampoline_fixups, fvx_trampoline_fixups_end\n"
	"fvx_trampoline: .byte 0x65, 0x48, 0x89, 0x24, 0x25, 0x08, 0x00, 0x00, 0x00\n"
	".byte 0x48, 0xbc, 0, 0, 0, 0, 0, 0, 0, 0\n"
	".byte 0x48, 0xc7, 0x44, 0x24, 0x48, 0, 0, 0, 0\n"
	".byte 0x48, 0x8d, 0x35, 0x00, 0x10, 0x00, 0x00\n"
	".byte 0x48, 0x01, 0x15\n.long 0x73fe0 - 42\n"
	".byte 0xf6, 0x80, 0xff, 0xff, 0xff, 0x7f, 0x00\n"
	"fvx_trampoline_fast_end: .byte 0x90\n"
	".skip 0x420 - (. - fvx_trampoline), 0xcc\n"
	".byte 0x48, 0xbc, 0, 0, 0, 0, 0, 0, 0, 0\n"
	".byte 0x48, 0xc7, 0x44, 0x24, 0x40, 0, 0, 0, 0\n"
	".byte 0x48, 0x8d, 0x05\n.long 0x10000 - 0x43a\n"
	".byte 0xc3\nfvx_trampoline_end:\n"
	".balign 8\nfvx_trampoline_fixups: .long 1, 9, 3, 19, 4, 28, 2, 35, 5, 42, 6, 49\n"
	".long 3, 0x42a, 4, 0x433, 2, 0x43a\n"
	"fvx_trampoline_fixups_end:\n.previous\n");

_Static_assert(FVX_WIN_STACK_TOP(0) == 0x73fe0, "the fake trampoline's TSC slot operand");
_Static_assert(FVX_WIN_TRAMPOLINE_RETURN == 0x420, "the fake trampoline's return entry");
