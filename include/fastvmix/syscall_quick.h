/* Quick calls: the x86-64 system calls recorded once, as they return
 * (FVX_RECORD_WHOLE), rather than at their entry and again at their
 * return. Each asks the kernel a question about the calling task and
 * changes nothing: it takes a few numbers, reads no memory of the caller
 * (no data records, at entry or return), cannot block, and gives the same
 * answer when made twice in a row, so a thread whose call finds its ring
 * full can make it again (the agent sends it back to its SYSCALL). Its
 * entry would show nothing its return does not: the trampoline sends a
 * marked task's quick call straight on to Linux with its return due
 * (FVX_CONFIG_FAST_SKIP's notifier), and the analyzer writes one record
 * at the return with the arguments from pt_regs and the value. Malware's
 * loops of getpid and getppid (is a debugger my parent?) cost one switch
 * into the analyzer view a call instead of two. At most five arguments:
 * the record's args[5] carries the value. One list, for the trampoline (a
 * bitmap in each copy, through the generated offsets), the agent, the
 * analyzer and the frontend. Numbers from <asm/unistd_64.h>. */
#ifndef FASTVMIX_SYSCALL_QUICK_H
#define FASTVMIX_SYSCALL_QUICK_H

#include <asm/unistd.h>

#define FVX_QUICK_SYSCALLS(X, arg)                                                                 \
	X(__NR_sched_yield, arg)                                                                   \
	X(__NR_getpid, arg)                                                                        \
	X(__NR_getuid, arg)                                                                        \
	X(__NR_getgid, arg)                                                                        \
	X(__NR_geteuid, arg)                                                                       \
	X(__NR_getegid, arg)                                                                       \
	X(__NR_getppid, arg)                                                                       \
	X(__NR_getpgrp, arg)                                                                       \
	X(__NR_getpgid, arg)                                                                       \
	X(__NR_getsid, arg)                                                                        \
	X(__NR_getpriority, arg)                                                                   \
	X(__NR_sched_getscheduler, arg)                                                            \
	X(__NR_sched_get_priority_max, arg)                                                        \
	X(__NR_sched_get_priority_min, arg)                                                        \
	X(__NR_gettid, arg)

/* Word w (of eight: numbers 0..511) of the quick calls' bitmap. */
#define FVX_QUICK_BIT_IN(nr, w) | ((nr) / 64 == (w) ? 1ULL << ((nr) % 64) : 0ULL)
#define FVX_QUICK_WORD(w) (0ULL FVX_QUICK_SYSCALLS(FVX_QUICK_BIT_IN, w))

/* The argument of a quick call's record that carries its value. */
#define FVX_QUICK_VALUE 5

_Static_assert((FVX_QUICK_WORD(3) | FVX_QUICK_WORD(4) | FVX_QUICK_WORD(5) | FVX_QUICK_WORD(6) |
		FVX_QUICK_WORD(7)) == 0,
	       "quick calls below 192: three words of bitmap");

/* (A few instructions, where a switch compiles to a chain of compares.) */
static inline int fvx_syscall_quick(__u64 nr)
{
	__u64 word = nr < 64	? FVX_QUICK_WORD(0)
		     : nr < 128 ? FVX_QUICK_WORD(1)
		     : nr < 192 ? FVX_QUICK_WORD(2)
				: 0;

	return word >> (nr % 64) & 1;
}

#endif
