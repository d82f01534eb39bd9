/* The x86-64 system calls FastVMIX decodes: per call, the type of each
 * argument (from its manual page's prototype), how its return value shows
 * and the strace classes it is in (-e trace=%file...). One table for both
 * of its users: the analyzer captures the string, buffer, argv and socket
 * address arguments it names (trace.h, data records), the frontend
 * decodes every argument (cli/decode.c). The classes follow strace's:
 * %file takes a file name, %desc takes or returns a file descriptor,
 * %network is the socket calls, %process the lifecycle calls (creation,
 * exec, exit, wait, kill), %signal, %ipc System V IPC, %memory mapping,
 * %clock the calls that read or set a system clock. A
 * call not described here prints its raw arguments. Numbers come from the kernel's
 * <asm/unistd_64.h>. No pointers: the analyzer is position-independent
 * code whose static data must hold none. Include trace.h first. */
#ifndef FASTVMIX_SYSCALL_ARGS_H
#define FASTVMIX_SYSCALL_ARGS_H

#include <asm/unistd.h>

/* How an argument is shown, and for the pointer types, what the analyzer
 * captures of what they point to (trace.h). */
enum fvx_arg_type {
	FVX_ARG_END, /* no more arguments */
	FVX_ARG_INT, /* int: signed decimal */
	FVX_ARG_LONG, /* long, off_t: signed decimal */
	FVX_ARG_ULONG, /* size_t, counts: unsigned decimal */
	FVX_ARG_HEX, /* a number best read in hex (mmap's offset, flags not decoded) */
	FVX_ARG_PTR, /* an address the call does not read through */
	FVX_ARG_STR, /* a NUL-terminated string the call reads */
	FVX_ARG_BUF, /* a buffer the call reads: its length is the next argument */
	FVX_ARG_BUF_OUT, /* a buffer the call fills: the next argument is its size,
			  * the return value how much was filled */
	FVX_ARG_PATH_OUT, /* a string the call fills (getcwd) */
	FVX_ARG_ARGV, /* a NULL-terminated array of strings the call reads (execve's argv) */
	FVX_ARG_ENVP, /* the same, shown as its address and length (execve's envp) */
	FVX_ARG_SOCKADDR, /* a socket address the call reads: its length (an int) is
			   * the next argument */
	FVX_ARG_SOCKADDR_OUT, /* a socket address the call fills: the next argument
			       * points to its length */
	FVX_ARG_SOCKLEN, /* that length (socklen_t *): its size in, the address's out */
	FVX_ARG_STRUCT, /* a structure or an array */
	FVX_ARG_FD,
	FVX_ARG_DIRFD, /* an fd or AT_FDCWD */
	FVX_ARG_MODE, /* file mode, octal */
	FVX_ARG_OPEN_FLAGS, /* access mode, then O_ flags */
	FVX_ARG_FD_FLAGS, /* O_ flags without an access mode (dup3, pipe2) */
	FVX_ARG_AT_FLAGS,
	FVX_ARG_PROT,
	FVX_ARG_MAP_FLAGS,
	FVX_ARG_MADVISE,
	FVX_ARG_CLONE_FLAGS,
	FVX_ARG_SIGNAL,
	FVX_ARG_SIGPROCMASK_HOW,
	FVX_ARG_WHENCE,
	FVX_ARG_FCNTL_CMD,
	FVX_ARG_IOCTL_REQUEST,
	FVX_ARG_FAMILY,
	FVX_ARG_SOCKET_TYPE, /* a type and SOCK_ flags */
	FVX_ARG_SOCKET_FLAGS, /* SOCK_ flags only (accept4) */
	FVX_ARG_ACCESS_MODE,
	FVX_ARG_FUTEX_OP,
	FVX_ARG_WAIT_OPTIONS,
	FVX_ARG_IOV, /* an array of struct iovec whose buffers the call reads: its
		      * count (an int) is the next argument (writev) */
	FVX_ARG_IOV_OUT, /* the same, buffers the call fills; the return value is
			  * how much was filled in all (readv) */
	FVX_ARG_STAT_OUT, /* a struct stat the call fills (x86-64's layout) */
	FVX_ARG_MSGHDR, /* a struct msghdr the call reads (sendmsg) */
	FVX_ARG_MSGHDR_OUT, /* a struct msghdr the call fills (recvmsg) */
	FVX_ARG_MSG_FLAGS, /* MSG_ flags (send, recv) */
	FVX_ARG_PROTOCOL, /* socket's protocol: IPPROTO_ for AF_INET and AF_INET6 (the first
			   * argument), else a number */
	FVX_ARG_SIGACTION, /* a struct sigaction the call reads (the kernel's, x86-64's layout) */
	FVX_ARG_SIGACTION_OUT, /* one the call fills */
	FVX_ARG_SIGSET, /* a sigset_t the call reads (the kernel's: 8 bytes) */
	FVX_ARG_SIGSET_OUT, /* one the call fills */
	FVX_ARG_TIMESPEC, /* a struct timespec the call reads (a 32-bit call's:
			   * old_timespec32) */
	FVX_ARG_TIMESPEC_OUT, /* one the call fills */
	FVX_ARG_TIMEVAL, /* a struct timeval the call reads (a 32-bit call's:
			  * old_timeval32) */
	FVX_ARG_TIMEVAL_OUT, /* one the call fills */
	FVX_ARG_CLOCKID, /* a clock: CLOCK_ names */
	FVX_ARG_TIMER_FLAGS, /* clock_nanosleep's flags: TIMER_ABSTIME */
	FVX_ARG_PRCTL_OPTION, /* prctl's option: PR_ names */
	FVX_ARG_PRCTL_ARG, /* prctl's second argument, by the option: the task's
			    * name PR_SET_NAME reads, or PR_GET_NAME fills
			    * (FVX_COMM_SIZE bytes); else a number */
	FVX_ARG_PTRACE_REQUEST, /* ptrace's request: PTRACE_ names */
	FVX_ARG_ITIMERSPEC, /* a struct itimerspec the call reads (two timespecs:
			     * interval, value) */
	FVX_ARG_ITIMERSPEC_OUT, /* one the call fills */
	FVX_ARG_ITIMERVAL, /* a struct itimerval the call reads (two timevals) */
	FVX_ARG_ITIMERVAL_OUT, /* one the call fills */
	FVX_ARG_STATX_OUT, /* the struct statx the call fills (the same layout for a
			    * 32-bit call) */
	FVX_ARG_TIMESPEC_REM, /* a sleep's remaining time: a struct timespec the
			       * call fills only when a signal cut it short
			       * (fvx_rem_filled) */
	/* (Below: types the analyzer does not capture, but for those
	 * fvx_type_captured names (below); above, each captured
	 * type has its bit in FVX_CAPTURED_TYPES.) */
	FVX_ARG_ITIMER_WHICH, /* setitimer's timer: ITIMER_ names */
	FVX_ARG_TIMERFD_FLAGS, /* timerfd_create's flags: TFD_CLOEXEC... */
	FVX_ARG_TIMERFD_SETTIME_FLAGS, /* timerfd_settime's: TFD_TIMER_ABSTIME... */
	FVX_ARG_STATX_FLAGS, /* statx's: its AT_STATX_ sync type, then AT_ flags */
	FVX_ARG_STATX_MASK, /* statx's mask: STATX_ names */
	FVX_ARG_UTSNAME_OUT, /* the struct utsname uname fills: its first two
			      * fields (FVX_UTSNAME_SHOWN bytes) */
	FVX_ARG_TIMEZONE, /* a struct timezone the call reads (two ints) */
	FVX_ARG_TIMEZONE_OUT, /* one the call fills */
	FVX_ARG_RLIMIT_RESOURCE, /* a resource limit: RLIMIT_ names */
	FVX_ARG_RLIMIT, /* a struct rlimit the call reads (two 64-bit values;
			 * a 32-bit call's is not captured) */
	FVX_ARG_RLIMIT_OUT, /* one the call fills */
	FVX_ARG_SYSINFO_OUT, /* the struct sysinfo sysinfo fills (x86-64's; a
			      * 32-bit call's, another layout, is not captured) */
	FVX_ARG_SIGRETURN_MASK, /* rt_sigreturn's: the signal mask it restored, a
				 * value its return record carries (trace.h):
				 * {mask=[...]}; FVX_SIGRETURN_MASK_UNKNOWN
				 * without a return */
};
enum fvx_ret_type { FVX_RET_INT, FVX_RET_ADDR };

/* The time structures: how many struct timespec or struct timeval an
 * argument of type t is (2 for an itimerspec or itimerval: interval, then
 * value), 0 for any other type; whether the call fills it (at its return);
 * whether its fraction is microseconds (a timeval's). */
static inline int fvx_time_units(__u8 t)
{
	return t == FVX_ARG_TIMESPEC || t == FVX_ARG_TIMESPEC_OUT || t == FVX_ARG_TIMEVAL ||
			       t == FVX_ARG_TIMEVAL_OUT || t == FVX_ARG_TIMESPEC_REM
		       ? 1
	       : t == FVX_ARG_ITIMERSPEC || t == FVX_ARG_ITIMERSPEC_OUT || t == FVX_ARG_ITIMERVAL ||
			       t == FVX_ARG_ITIMERVAL_OUT
		       ? 2
		       : 0;
}

static inline int fvx_time_filled(__u8 t)
{
	return t == FVX_ARG_TIMESPEC_OUT || t == FVX_ARG_TIMEVAL_OUT ||
	       t == FVX_ARG_ITIMERSPEC_OUT || t == FVX_ARG_ITIMERVAL_OUT ||
	       t == FVX_ARG_TIMESPEC_REM;
}

/* Whether a sleep's remaining time (FVX_ARG_TIMESPEC_REM, argument i of
 * args) is filled, as strace decides to show it: only when a signal cut
 * the sleep short, which its value says as Linux left it at the return (a
 * restart code: ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND,
 * ERESTART_RESTARTBLOCK), and for clock_nanosleep (whose fourth it is)
 * only for a relative time (no flags: TIMER_ABSTIME leaves it). Otherwise
 * Linux leaves it as it was: its address shows. */
static inline int fvx_rem_filled(const __u64 args[6], int i, __s64 ret)
{
	return (ret == -512 || ret == -513 || ret == -514 || ret == -516) && !(i == 3 && args[1]);
}

static inline int fvx_time_usec(__u8 t)
{
	return t == FVX_ARG_TIMEVAL || t == FVX_ARG_TIMEVAL_OUT || t == FVX_ARG_ITIMERVAL ||
	       t == FVX_ARG_ITIMERVAL_OUT;
}

/* The structures read whole (fvx_capture_fixed) that a call reads at its
 * entry or fills at its successful return: the size of one of type t for
 * a 64-bit call (compat: a 32-bit one's), 0 for another type or one not
 * read for such a call (a 32-bit struct stat: another layout); whether
 * the call fills it. */
static inline __u64 fvx_fixed_size(__u8 t, int compat)
{
	if (fvx_time_units(t))
		return (__u64)fvx_time_units(t) * (compat ? FVX_TIME32_SIZE : FVX_TIME_SIZE);
	switch (t) {
	case FVX_ARG_STAT_OUT: return compat ? 0 : FVX_STAT_SIZE;
	case FVX_ARG_STATX_OUT: return FVX_STATX_SIZE;
	case FVX_ARG_UTSNAME_OUT: return FVX_UTSNAME_SHOWN;
	case FVX_ARG_TIMEZONE:
	case FVX_ARG_TIMEZONE_OUT: return FVX_TIMEZONE_SIZE;
	case FVX_ARG_RLIMIT:
	case FVX_ARG_RLIMIT_OUT: return compat ? 0 : FVX_RLIMIT_SIZE;
	case FVX_ARG_SYSINFO_OUT: return compat ? 0 : FVX_SYSINFO_SIZE;
	}
	return 0;
}

static inline int fvx_fixed_filled(__u8 t)
{
	return fvx_time_filled(t) || t == FVX_ARG_STAT_OUT || t == FVX_ARG_STATX_OUT ||
	       t == FVX_ARG_UTSNAME_OUT || t == FVX_ARG_TIMEZONE_OUT || t == FVX_ARG_RLIMIT_OUT ||
	       t == FVX_ARG_SYSINFO_OUT;
}

/* The argument types fvx_capture reads through (a bit per type). */
#define FVX_CAPTURED_TYPES                                                                         \
	(1ULL << FVX_ARG_STR | 1ULL << FVX_ARG_BUF | 1ULL << FVX_ARG_BUF_OUT |                     \
	 1ULL << FVX_ARG_PATH_OUT | 1ULL << FVX_ARG_ARGV | 1ULL << FVX_ARG_ENVP |                  \
	 1ULL << FVX_ARG_SOCKADDR | 1ULL << FVX_ARG_SOCKADDR_OUT | 1ULL << FVX_ARG_SOCKLEN |       \
	 1ULL << FVX_ARG_IOV | 1ULL << FVX_ARG_IOV_OUT | 1ULL << FVX_ARG_STAT_OUT |                \
	 1ULL << FVX_ARG_MSGHDR | 1ULL << FVX_ARG_MSGHDR_OUT | 1ULL << FVX_ARG_SIGACTION |         \
	 1ULL << FVX_ARG_SIGACTION_OUT | 1ULL << FVX_ARG_SIGSET | 1ULL << FVX_ARG_SIGSET_OUT |     \
	 1ULL << FVX_ARG_TIMESPEC | 1ULL << FVX_ARG_TIMESPEC_OUT | 1ULL << FVX_ARG_TIMEVAL |       \
	 1ULL << FVX_ARG_TIMEVAL_OUT | 1ULL << FVX_ARG_PRCTL_ARG | 1ULL << FVX_ARG_ITIMERSPEC |    \
	 1ULL << FVX_ARG_ITIMERSPEC_OUT | 1ULL << FVX_ARG_ITIMERVAL |                              \
	 1ULL << FVX_ARG_ITIMERVAL_OUT | 1ULL << FVX_ARG_STATX_OUT | 1ULL << FVX_ARG_TIMESPEC_REM)
_Static_assert(FVX_ARG_TIMESPEC_REM < 64, "captured argument types fit a 64-bit mask");

/* Whether the analyzer reads through an argument of type t. */
#define FVX_TYPE_CAPTURED(t)                                                                       \
	((t) < 64 ? (FVX_CAPTURED_TYPES >> ((t)&63) & 1)                                           \
		  : (t) == FVX_ARG_UTSNAME_OUT || (t) == FVX_ARG_TIMEZONE ||                       \
			    (t) == FVX_ARG_TIMEZONE_OUT || (t) == FVX_ARG_RLIMIT ||                \
			    (t) == FVX_ARG_RLIMIT_OUT || (t) == FVX_ARG_SYSINFO_OUT)
static inline int fvx_type_captured(__u8 t)
{
	return (int)FVX_TYPE_CAPTURED(t);
}

/* strace's classes of system calls, for -e trace=%CLASS. */
enum fvx_syscall_class {
	FVX_CLASS_FILE = 1 << 0, /* takes a file name */
	FVX_CLASS_DESC = 1 << 1, /* takes or returns a file descriptor */
	FVX_CLASS_NETWORK = 1 << 2,
	FVX_CLASS_PROCESS = 1 << 3, /* process lifecycle: creation, exec, end, kill */
	FVX_CLASS_SIGNAL = 1 << 4,
	FVX_CLASS_IPC = 1 << 5, /* System V IPC */
	FVX_CLASS_MEMORY = 1 << 6, /* memory mapping */
	FVX_CLASS_CLOCK = 1 << 7, /* reads or sets a system clock */
};
struct fvx_syscall_decl {
	__u8 known; /* described: the arguments below are all there is */
	__u8 classes; /* enum fvx_syscall_class */
	__u8 ret; /* enum fvx_ret_type */
	__u8 args[6]; /* enum fvx_arg_type, FVX_ARG_END after the last */
	/* Whether an argument is of a type the analyzer reads through
	 * (fvx_type_captured): computed with the table, so that a call
	 * without one (getpid) costs one test. */
	__u8 captures;
};

/* Short names for the table only. */
#define F FVX_CLASS_FILE
#define D FVX_CLASS_DESC
#define N FVX_CLASS_NETWORK
#define P FVX_CLASS_PROCESS
#define S FVX_CLASS_SIGNAL
#define I FVX_CLASS_IPC
#define M FVX_CLASS_MEMORY
#define C FVX_CLASS_CLOCK
#define INT FVX_ARG_INT
#define LONG FVX_ARG_LONG
#define ULONG FVX_ARG_ULONG
#define HEX FVX_ARG_HEX
#define PTR FVX_ARG_PTR
#define STR FVX_ARG_STR
#define BUF FVX_ARG_BUF
#define BUF_OUT FVX_ARG_BUF_OUT
#define PATH_OUT FVX_ARG_PATH_OUT
#define SA FVX_ARG_SOCKADDR
#define SA_OUT FVX_ARG_SOCKADDR_OUT
#define SOCKLEN FVX_ARG_SOCKLEN
#define STRUCT FVX_ARG_STRUCT
#define IOV FVX_ARG_IOV
#define IOV_OUT FVX_ARG_IOV_OUT
#define STAT_OUT FVX_ARG_STAT_OUT
#define MSGHDR FVX_ARG_MSGHDR
#define MSGHDR_OUT FVX_ARG_MSGHDR_OUT
#define MSGF FVX_ARG_MSG_FLAGS
#define FD FVX_ARG_FD
#define DIRFD FVX_ARG_DIRFD
#define MODE FVX_ARG_MODE
#define ATFL FVX_ARG_AT_FLAGS
#define SIG FVX_ARG_SIGNAL
#define TS FVX_ARG_TIMESPEC
#define TS_OUT FVX_ARG_TIMESPEC_OUT
#define TV FVX_ARG_TIMEVAL
#define TV_OUT FVX_ARG_TIMEVAL_OUT
#define CLK FVX_ARG_CLOCKID

/* (Each argument +0: a call without arguments gives "+0", 0, END's.) */
#define CAPTURES(...) CAPTURES6(__VA_ARGS__ + 0, +0, +0, +0, +0, +0, +0)
#define CAPTURES6(a, b, c, d, e, f, ...)                                                           \
	(FVX_TYPE_CAPTURED(a) || FVX_TYPE_CAPTURED(b) || FVX_TYPE_CAPTURED(c) ||                   \
	 FVX_TYPE_CAPTURED(d) || FVX_TYPE_CAPTURED(e) || FVX_TYPE_CAPTURED(f))
#define CALL(name, classes, ...)                                                                   \
	[__NR_##name] = { 1, (classes), FVX_RET_INT, { __VA_ARGS__ }, CAPTURES(__VA_ARGS__) }
/* A call that returns an address: shown in hex. */
#define ADDR_CALL(name, classes, ...)                                                              \
	[__NR_##name] = { 1, (classes), FVX_RET_ADDR, { __VA_ARGS__ }, CAPTURES(__VA_ARGS__) }

static const struct fvx_syscall_decl fvx_syscall_decls[] = {
	CALL(read, D, FD, BUF_OUT, ULONG),
	CALL(write, D, FD, BUF, ULONG),
	CALL(open, F | D, STR, FVX_ARG_OPEN_FLAGS, MODE),
	CALL(close, D, FD),
	CALL(stat, F, STR, STAT_OUT),
	CALL(fstat, D, FD, STAT_OUT),
	CALL(lstat, F, STR, STAT_OUT),
	CALL(poll, D, STRUCT, ULONG, INT),
	CALL(lseek, D, FD, LONG, FVX_ARG_WHENCE),
	ADDR_CALL(mmap, M | D, PTR, ULONG, FVX_ARG_PROT, FVX_ARG_MAP_FLAGS, FD, HEX),
	CALL(mprotect, M, PTR, ULONG, FVX_ARG_PROT),
	CALL(munmap, M, PTR, ULONG),
	ADDR_CALL(brk, M, PTR),
	CALL(rt_sigaction, S, SIG, FVX_ARG_SIGACTION, FVX_ARG_SIGACTION_OUT, ULONG),
	CALL(rt_sigprocmask, S, FVX_ARG_SIGPROCMASK_HOW, FVX_ARG_SIGSET, FVX_ARG_SIGSET_OUT, ULONG),
	CALL(rt_sigreturn, S, FVX_ARG_SIGRETURN_MASK),
	CALL(ioctl, D, FD, FVX_ARG_IOCTL_REQUEST, HEX),
	CALL(pread64, D, FD, BUF_OUT, ULONG, LONG),
	CALL(pwrite64, D, FD, BUF, ULONG, LONG),
	CALL(readv, D, FD, IOV_OUT, INT),
	CALL(writev, D, FD, IOV, INT),
	CALL(access, F, STR, FVX_ARG_ACCESS_MODE),
	CALL(pipe, D, STRUCT),
	CALL(select, D, INT, STRUCT, STRUCT, STRUCT, TV),
	CALL(sched_yield, 0),
	ADDR_CALL(mremap, M, PTR, ULONG, ULONG, HEX, PTR),
	CALL(msync, M, PTR, ULONG, HEX),
	CALL(mincore, M, PTR, ULONG, PTR),
	CALL(madvise, M, PTR, ULONG, FVX_ARG_MADVISE),
	CALL(shmget, I, HEX, ULONG, HEX),
	ADDR_CALL(shmat, I | M, INT, PTR, HEX),
	CALL(shmctl, I, INT, INT, STRUCT),
	CALL(dup, D, FD),
	CALL(dup2, D, FD, FD),
	CALL(pause, S),
	CALL(nanosleep, 0, TS, FVX_ARG_TIMESPEC_REM),
	CALL(getpid, 0),
	CALL(sendfile, D | N, FD, FD, STRUCT, ULONG),
	CALL(socket, N, FVX_ARG_FAMILY, FVX_ARG_SOCKET_TYPE, FVX_ARG_PROTOCOL),
	CALL(connect, N, FD, SA, INT),
	CALL(accept, N, FD, SA_OUT, SOCKLEN),
	CALL(sendto, N, FD, BUF, ULONG, MSGF, SA, INT),
	CALL(recvfrom, N, FD, BUF_OUT, ULONG, MSGF, SA_OUT, SOCKLEN),
	CALL(sendmsg, N, FD, MSGHDR, MSGF),
	CALL(recvmsg, N, FD, MSGHDR_OUT, MSGF),
	CALL(shutdown, N, FD, INT),
	CALL(bind, N, FD, SA, INT),
	CALL(listen, N, FD, INT),
	CALL(getsockname, N, FD, SA_OUT, SOCKLEN),
	CALL(getpeername, N, FD, SA_OUT, SOCKLEN),
	CALL(socketpair, N, FVX_ARG_FAMILY, FVX_ARG_SOCKET_TYPE, INT, STRUCT),
	CALL(setsockopt, N, FD, INT, INT, BUF, INT),
	CALL(getsockopt, N, FD, INT, INT, STRUCT, STRUCT),
	/* Shown by decode.c's decode_clone, as strace shows it. */
	CALL(clone, P, FVX_ARG_CLONE_FLAGS, PTR, PTR, PTR, PTR),
	CALL(fork, P),
	CALL(vfork, P),
	CALL(execve, F | P, STR, FVX_ARG_ARGV, FVX_ARG_ENVP),
	CALL(exit, P, INT),
	CALL(wait4, P, INT, STRUCT, FVX_ARG_WAIT_OPTIONS, STRUCT),
	CALL(kill, S | P, INT, SIG),
	CALL(uname, 0, FVX_ARG_UTSNAME_OUT),
	CALL(semget, I, HEX, INT, HEX),
	CALL(semop, I, INT, STRUCT, ULONG),
	CALL(semctl, I, INT, INT, INT, HEX),
	CALL(shmdt, I | M, PTR),
	CALL(msgget, I, HEX, HEX),
	CALL(msgsnd, I, INT, STRUCT, ULONG, HEX),
	CALL(msgrcv, I, INT, STRUCT, ULONG, LONG, HEX),
	CALL(msgctl, I, INT, INT, STRUCT),
	CALL(fcntl, D, FD, FVX_ARG_FCNTL_CMD, HEX),
	CALL(flock, D, FD, INT),
	CALL(fsync, D, FD),
	CALL(fdatasync, D, FD),
	CALL(truncate, F, STR, LONG),
	CALL(ftruncate, D, FD, LONG),
	CALL(getdents, D, FD, STRUCT, ULONG),
	CALL(getcwd, F, PATH_OUT, ULONG),
	CALL(chdir, F, STR),
	CALL(fchdir, D, FD),
	CALL(rename, F, STR, STR),
	CALL(mkdir, F, STR, MODE),
	CALL(rmdir, F, STR),
	CALL(creat, F | D, STR, MODE),
	CALL(link, F, STR, STR),
	CALL(unlink, F, STR),
	CALL(symlink, F, STR, STR),
	CALL(readlink, F, STR, BUF_OUT, ULONG),
	CALL(chmod, F, STR, MODE),
	CALL(fchmod, D, FD, MODE),
	CALL(chown, F, STR, INT, INT),
	CALL(fchown, D, FD, INT, INT),
	CALL(lchown, F, STR, INT, INT),
	CALL(umask, 0, MODE),
	CALL(gettimeofday, C, TV_OUT, FVX_ARG_TIMEZONE_OUT),
	CALL(ptrace, 0, FVX_ARG_PTRACE_REQUEST, INT, PTR, PTR),
	CALL(rt_sigpending, S, FVX_ARG_SIGSET_OUT, ULONG),
	CALL(rt_sigtimedwait, S, STRUCT, STRUCT, TS, ULONG),
	CALL(rt_sigqueueinfo, S | P, INT, SIG, STRUCT),
	CALL(rt_sigsuspend, S, FVX_ARG_SIGSET, ULONG),
	CALL(sigaltstack, S, STRUCT, STRUCT),
	CALL(utime, F, STR, STRUCT),
	CALL(mknod, F, STR, MODE, HEX),
	CALL(uselib, F, STR),
	CALL(statfs, F, STR, STRUCT),
	CALL(fstatfs, D, FD, STRUCT),
	CALL(mlock, M, PTR, ULONG),
	CALL(munlock, M, PTR, ULONG),
	CALL(mlockall, M, HEX),
	CALL(munlockall, M),
	CALL(pivot_root, F, STR, STR),
	CALL(chroot, F, STR),
	CALL(prctl, 0, FVX_ARG_PRCTL_OPTION, FVX_ARG_PRCTL_ARG, HEX, HEX, HEX),
	CALL(sched_rr_get_interval, 0, INT, TS_OUT),
	CALL(settimeofday, C, TV, FVX_ARG_TIMEZONE),
	CALL(acct, F, STR),
	CALL(mount, F, STR, STR, STR, HEX, PTR),
	CALL(umount2, F, STR, HEX),
	CALL(swapon, F, STR, HEX),
	CALL(swapoff, F, STR),
	CALL(quotactl, F, HEX, STR, INT, PTR),
	CALL(gettid, 0),
	CALL(readahead, D, FD, LONG, ULONG),
	CALL(setxattr, F, STR, STR, BUF, ULONG, HEX),
	CALL(lsetxattr, F, STR, STR, BUF, ULONG, HEX),
	CALL(fsetxattr, D, FD, STR, BUF, ULONG, HEX),
	CALL(getxattr, F, STR, STR, BUF_OUT, ULONG),
	CALL(lgetxattr, F, STR, STR, BUF_OUT, ULONG),
	CALL(fgetxattr, D, FD, STR, BUF_OUT, ULONG),
	CALL(listxattr, F, STR, BUF_OUT, ULONG),
	CALL(llistxattr, F, STR, BUF_OUT, ULONG),
	CALL(flistxattr, D, FD, BUF_OUT, ULONG),
	CALL(removexattr, F, STR, STR),
	CALL(lremovexattr, F, STR, STR),
	CALL(fremovexattr, D, FD, STR),
	CALL(tkill, S | P, INT, SIG),
	CALL(futex, 0, PTR, FVX_ARG_FUTEX_OP, INT, STRUCT, PTR, INT),
	CALL(epoll_create, D, INT),
	CALL(remap_file_pages, M, PTR, ULONG, HEX, ULONG, HEX),
	CALL(getdents64, D, FD, STRUCT, ULONG),
	CALL(set_tid_address, 0, PTR),
	CALL(restart_syscall, 0),
	CALL(semtimedop, I, INT, STRUCT, ULONG, TS),
	CALL(fadvise64, D, FD, LONG, LONG, INT),
	CALL(getitimer, 0, FVX_ARG_ITIMER_WHICH, FVX_ARG_ITIMERVAL_OUT),
	CALL(getrlimit, 0, FVX_ARG_RLIMIT_RESOURCE, FVX_ARG_RLIMIT_OUT),
	CALL(sysinfo, 0, FVX_ARG_SYSINFO_OUT),
	CALL(setrlimit, 0, FVX_ARG_RLIMIT_RESOURCE, FVX_ARG_RLIMIT),
	CALL(setitimer, 0, FVX_ARG_ITIMER_WHICH, FVX_ARG_ITIMERVAL, FVX_ARG_ITIMERVAL_OUT),
	CALL(timer_settime, 0, INT, FVX_ARG_TIMER_FLAGS, FVX_ARG_ITIMERSPEC,
	     FVX_ARG_ITIMERSPEC_OUT),
	CALL(timer_gettime, 0, INT, FVX_ARG_ITIMERSPEC_OUT),
	CALL(clock_settime, C, CLK, TS),
	CALL(clock_gettime, C, CLK, TS_OUT),
	CALL(clock_getres, C, CLK, TS_OUT),
	CALL(clock_adjtime, C, CLK, STRUCT),
	CALL(adjtimex, C, STRUCT),
	CALL(time, C, PTR),
	CALL(clock_nanosleep, 0, CLK, FVX_ARG_TIMER_FLAGS, TS, FVX_ARG_TIMESPEC_REM),
	CALL(exit_group, P, INT),
	CALL(epoll_wait, D, FD, STRUCT, INT, INT),
	CALL(epoll_ctl, D, FD, INT, FD, STRUCT),
	CALL(tgkill, S | P, INT, INT, SIG),
	CALL(utimes, F, STR, STRUCT),
	CALL(mbind, M, PTR, ULONG, INT, STRUCT, ULONG, HEX),
	CALL(set_mempolicy, M, INT, STRUCT, ULONG),
	CALL(get_mempolicy, M, STRUCT, STRUCT, ULONG, PTR, HEX),
	CALL(waitid, P, INT, INT, STRUCT, FVX_ARG_WAIT_OPTIONS, STRUCT),
	CALL(inotify_init, D),
	CALL(inotify_add_watch, D | F, FD, STR, HEX),
	CALL(inotify_rm_watch, D, FD, INT),
	CALL(migrate_pages, M, INT, ULONG, STRUCT, STRUCT),
	CALL(openat, F | D, DIRFD, STR, FVX_ARG_OPEN_FLAGS, MODE),
	CALL(mkdirat, F | D, DIRFD, STR, MODE),
	CALL(mknodat, F | D, DIRFD, STR, MODE, HEX),
	CALL(fchownat, F | D, DIRFD, STR, INT, INT, ATFL),
	CALL(futimesat, F | D, DIRFD, STR, STRUCT),
	CALL(newfstatat, F | D, DIRFD, STR, STAT_OUT, ATFL),
	CALL(unlinkat, F | D, DIRFD, STR, ATFL),
	CALL(renameat, F | D, DIRFD, STR, DIRFD, STR),
	CALL(linkat, F | D, DIRFD, STR, DIRFD, STR, ATFL),
	CALL(symlinkat, F | D, STR, DIRFD, STR),
	CALL(readlinkat, F | D, DIRFD, STR, BUF_OUT, ULONG),
	CALL(fchmodat, F | D, DIRFD, STR, MODE),
	CALL(faccessat, F | D, DIRFD, STR, FVX_ARG_ACCESS_MODE),
	CALL(pselect6, D, INT, STRUCT, STRUCT, STRUCT, TS, STRUCT),
	CALL(ppoll, D, STRUCT, ULONG, TS, STRUCT, ULONG),
	CALL(unshare, 0, FVX_ARG_CLONE_FLAGS),
	CALL(splice, D, FD, STRUCT, FD, STRUCT, ULONG, HEX),
	CALL(tee, D, FD, FD, ULONG, HEX),
	CALL(sync_file_range, D, FD, LONG, LONG, HEX),
	CALL(vmsplice, D, FD, STRUCT, ULONG, HEX),
	CALL(move_pages, M, INT, ULONG, STRUCT, STRUCT, STRUCT, HEX),
	CALL(utimensat, F | D, DIRFD, STR, STRUCT, ATFL),
	CALL(epoll_pwait, D, FD, STRUCT, INT, INT, STRUCT, ULONG),
	CALL(signalfd, D | S, FD, STRUCT, ULONG),
	CALL(timerfd_create, D, CLK, FVX_ARG_TIMERFD_FLAGS),
	CALL(eventfd, D, INT),
	CALL(fallocate, D, FD, INT, LONG, LONG),
	CALL(timerfd_settime, D, FD, FVX_ARG_TIMERFD_SETTIME_FLAGS, FVX_ARG_ITIMERSPEC,
	     FVX_ARG_ITIMERSPEC_OUT),
	CALL(timerfd_gettime, D, FD, FVX_ARG_ITIMERSPEC_OUT),
	CALL(accept4, N, FD, SA_OUT, SOCKLEN, FVX_ARG_SOCKET_FLAGS),
	CALL(signalfd4, D | S, FD, STRUCT, ULONG, HEX),
	CALL(eventfd2, D, INT, HEX),
	CALL(epoll_create1, D, HEX),
	CALL(dup3, D, FD, FD, FVX_ARG_FD_FLAGS),
	CALL(pipe2, D, STRUCT, FVX_ARG_FD_FLAGS),
	CALL(inotify_init1, D, HEX),
	CALL(preadv, D, FD, IOV_OUT, INT, LONG),
	CALL(pwritev, D, FD, IOV, INT, LONG),
	CALL(rt_tgsigqueueinfo, S | P, INT, INT, SIG, STRUCT),
	CALL(perf_event_open, D, STRUCT, INT, INT, FD, HEX),
	CALL(recvmmsg, N, FD, STRUCT, ULONG, MSGF, TS),
	CALL(fanotify_init, D, HEX, HEX),
	CALL(fanotify_mark, D | F, FD, HEX, HEX, DIRFD, STR),
	CALL(prlimit64, 0, INT, FVX_ARG_RLIMIT_RESOURCE, FVX_ARG_RLIMIT, FVX_ARG_RLIMIT_OUT),
	CALL(name_to_handle_at, F | D, DIRFD, STR, STRUCT, STRUCT, ATFL),
	CALL(open_by_handle_at, D, FD, STRUCT, FVX_ARG_OPEN_FLAGS),
	CALL(syncfs, D, FD),
	CALL(sendmmsg, N, FD, STRUCT, ULONG, MSGF),
	CALL(setns, D, FD, FVX_ARG_CLONE_FLAGS),
	CALL(process_vm_readv, 0, INT, STRUCT, ULONG, STRUCT, ULONG, HEX),
	CALL(process_vm_writev, 0, INT, STRUCT, ULONG, STRUCT, ULONG, HEX),
	CALL(renameat2, F | D, DIRFD, STR, DIRFD, STR, HEX),
	CALL(seccomp, 0, INT, HEX, STRUCT),
	CALL(getrandom, 0, BUF_OUT, ULONG, HEX),
	CALL(memfd_create, D, STR, HEX),
	CALL(execveat, F | D | P, DIRFD, STR, FVX_ARG_ARGV, FVX_ARG_ENVP, ATFL),
	CALL(mlock2, M, PTR, ULONG, HEX),
	CALL(copy_file_range, D, FD, STRUCT, FD, STRUCT, ULONG, HEX),
	CALL(preadv2, D, FD, IOV_OUT, INT, LONG, HEX),
	CALL(pwritev2, D, FD, IOV, INT, LONG, HEX),
	CALL(pkey_mprotect, M, PTR, ULONG, FVX_ARG_PROT, INT),
	CALL(statx, F | D, DIRFD, STR, FVX_ARG_STATX_FLAGS, FVX_ARG_STATX_MASK, FVX_ARG_STATX_OUT),
	CALL(pidfd_send_signal, D | S | P, FD, SIG, STRUCT, HEX),
	CALL(pidfd_open, D, INT, HEX),
	CALL(clone3, P, STRUCT, ULONG),
	CALL(close_range, D, FD, FD, HEX),
	CALL(openat2, F | D, DIRFD, STR, STRUCT, ULONG),
	CALL(faccessat2, F | D, DIRFD, STR, FVX_ARG_ACCESS_MODE, ATFL),
	CALL(process_madvise, D, FD, STRUCT, ULONG, FVX_ARG_MADVISE, HEX),
	CALL(epoll_pwait2, D, FD, STRUCT, INT, TS, STRUCT, ULONG),
};
#define FVX_SYSCALL_DECLS (sizeof(fvx_syscall_decls) / sizeof(fvx_syscall_decls[0]))

#undef F
#undef D
#undef N
#undef P
#undef S
#undef I
#undef M
#undef C
#undef INT
#undef LONG
#undef ULONG
#undef HEX
#undef PTR
#undef STR
#undef BUF
#undef BUF_OUT
#undef PATH_OUT
#undef SA
#undef SA_OUT
#undef SOCKLEN
#undef STRUCT
#undef IOV
#undef IOV_OUT
#undef STAT_OUT
#undef MSGHDR
#undef MSGHDR_OUT
#undef MSGF
#undef FD
#undef DIRFD
#undef MODE
#undef ATFL
#undef SIG
#undef TS
#undef TS_OUT
#undef TV
#undef TV_OUT
#undef CLK
#undef CALL
#undef ADDR_CALL
#undef CAPTURES
#undef CAPTURES6

/* nr's description, or 0 when the table does not describe it. */
static inline const struct fvx_syscall_decl *fvx_syscall_decl(__u64 nr)
{
	return nr < FVX_SYSCALL_DECLS && fvx_syscall_decls[nr].known ? &fvx_syscall_decls[nr] : 0;
}

#endif
