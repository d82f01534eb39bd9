/* 32-bit system calls (int $0x80, SYSENTER: FVX_RECORD_COMPAT records):
 * numbers of the i386 table, and what syscall_args.h's x86-64 table says
 * about them. The generated compat_syscalls.h (scripts/gen-compat.sh,
 * from the uapi headers; build/gen, or the analyzer's build directory)
 * names each number and gives its x86-64 twin: the call of the same name
 * whose arguments mean the same. A twin's declaration describes the 32-bit
 * call (its arguments are the same values, 32 bits wide: pointers, sizes,
 * longs), its filter bit selects it, and its classes are the call's. No
 * pointers: the analyzer includes it. Include <linux/types.h>, trace.h,
 * trace_select.h and syscall_args.h first. */
#ifndef FASTVMIX_SYSCALL_COMPAT_H
#define FASTVMIX_SYSCALL_COMPAT_H

#include "compat_syscalls.h"

_Static_assert(FVX_COMPAT_SYSCALLS <= 8 * sizeof(((struct fvx_trace_filter *)0)->syscalls),
	       "i386 numbers fit a filter bitmap");

/* nr's x86-64 twin, or -1: a call only i386 has, one whose arguments
 * differ, or a number beyond the table. */
static inline int fvx_compat_twin(__u64 nr)
{
	return nr < FVX_COMPAT_SYSCALLS ? fvx_compat_twins[nr] : -1;
}

/* Whether the analyzer records 32-bit call nr: one with a twin when the
 * filter selects the twin; one without a twin always (the frontend selects
 * those by name); a number the filter's bitmap does not cover never, as
 * for 64-bit calls (so neither the -1 of a call the kernel skipped). */
static inline int fvx_compat_selected(const struct fvx_config *c, __u64 nr)
{
	int twin = fvx_compat_twin(nr);

	if (nr >= 8 * sizeof(c->filter.syscalls))
		return 0;
	return twin < 0 || fvx_syscall_selected(c, (__u64)twin);
}

/* The declaration of a record's call: syscall_args.h's, for a 32-bit call
 * its twin's; 0 when there is none. */
static inline const struct fvx_syscall_decl *fvx_record_decl(__u64 nr, __u32 flags)
{
	int twin = fvx_compat_twin(nr);

	if (!(flags & FVX_RECORD_COMPAT))
		return fvx_syscall_decl(nr);
	return twin < 0 ? 0 : fvx_syscall_decl((__u64)twin);
}

#endif
