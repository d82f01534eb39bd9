/* The x86-64 system calls fastvmix trace decodes: per call, the type of
 * each argument (from its manual page's prototype), how its return value
 * shows and the strace classes it is in (-e trace=%file...). The classes
 * follow strace's: %file takes a file name, %desc takes or returns a file
 * descriptor, %network is the socket calls, %process the lifecycle calls
 * (creation, exec, exit, wait, kill), %signal, %ipc System V IPC, %memory
 * mapping. A call not described here prints its raw arguments. Numbers
 * come from the kernel's <asm/unistd_64.h>. */
#include <stddef.h>
#include <sys/syscall.h>

#include "cli.h"

/* Short names for this table only. */
#define F CLASS_FILE
#define D CLASS_DESC
#define N CLASS_NETWORK
#define P CLASS_PROCESS
#define S CLASS_SIGNAL
#define I CLASS_IPC
#define M CLASS_MEMORY
#define INT ARG_INT
#define LONG ARG_LONG
#define ULONG ARG_ULONG
#define HEX ARG_HEX
#define PTR ARG_PTR
#define STR ARG_STR
#define BUF ARG_BUF
#define STRUCT ARG_STRUCT
#define FD ARG_FD
#define DIRFD ARG_DIRFD
#define MODE ARG_MODE
#define ATFL ARG_AT_FLAGS
#define SIG ARG_SIGNAL

#define CALL(name, classes, ...)                                                                   \
	[__NR_##name] = { 1, (classes), RET_INT, { __VA_ARGS__ } }
/* A call that returns an address: shown in hex. */
#define ADDR_CALL(name, classes, ...)                                                              \
	[__NR_##name] = { 1, (classes), RET_ADDR, { __VA_ARGS__ } }

static const struct syscall_decl table[] = {
	CALL(read, D, FD, BUF, ULONG),
	CALL(write, D, FD, BUF, ULONG),
	CALL(open, F | D, STR, ARG_OPEN_FLAGS, MODE),
	CALL(close, D, FD),
	CALL(stat, F, STR, STRUCT),
	CALL(fstat, D, FD, STRUCT),
	CALL(lstat, F, STR, STRUCT),
	CALL(poll, D, STRUCT, ULONG, INT),
	CALL(lseek, D, FD, LONG, ARG_WHENCE),
	ADDR_CALL(mmap, M | D, PTR, ULONG, ARG_PROT, ARG_MAP_FLAGS, FD, HEX),
	CALL(mprotect, M, PTR, ULONG, ARG_PROT),
	CALL(munmap, M, PTR, ULONG),
	ADDR_CALL(brk, M, PTR),
	CALL(rt_sigaction, S, SIG, STRUCT, STRUCT, ULONG),
	CALL(rt_sigprocmask, S, ARG_SIGPROCMASK_HOW, STRUCT, STRUCT, ULONG),
	CALL(rt_sigreturn, S),
	CALL(ioctl, D, FD, ARG_IOCTL_REQUEST, HEX),
	CALL(pread64, D, FD, BUF, ULONG, LONG),
	CALL(pwrite64, D, FD, BUF, ULONG, LONG),
	CALL(readv, D, FD, STRUCT, INT),
	CALL(writev, D, FD, STRUCT, INT),
	CALL(access, F, STR, ARG_ACCESS_MODE),
	CALL(pipe, D, STRUCT),
	CALL(select, D, INT, STRUCT, STRUCT, STRUCT, STRUCT),
	CALL(sched_yield, 0),
	ADDR_CALL(mremap, M, PTR, ULONG, ULONG, HEX, PTR),
	CALL(msync, M, PTR, ULONG, HEX),
	CALL(mincore, M, PTR, ULONG, PTR),
	CALL(madvise, M, PTR, ULONG, ARG_MADVISE),
	CALL(shmget, I, HEX, ULONG, HEX),
	ADDR_CALL(shmat, I | M, INT, PTR, HEX),
	CALL(shmctl, I, INT, INT, STRUCT),
	CALL(dup, D, FD),
	CALL(dup2, D, FD, FD),
	CALL(pause, S),
	CALL(nanosleep, 0, STRUCT, STRUCT),
	CALL(getpid, 0),
	CALL(sendfile, D | N, FD, FD, STRUCT, ULONG),
	CALL(socket, N, ARG_FAMILY, ARG_SOCKET_TYPE, INT),
	CALL(connect, N, FD, STRUCT, INT),
	CALL(accept, N, FD, STRUCT, STRUCT),
	CALL(sendto, N, FD, BUF, ULONG, HEX, STRUCT, INT),
	CALL(recvfrom, N, FD, BUF, ULONG, HEX, STRUCT, STRUCT),
	CALL(sendmsg, N, FD, STRUCT, HEX),
	CALL(recvmsg, N, FD, STRUCT, HEX),
	CALL(shutdown, N, FD, INT),
	CALL(bind, N, FD, STRUCT, INT),
	CALL(listen, N, FD, INT),
	CALL(getsockname, N, FD, STRUCT, STRUCT),
	CALL(getpeername, N, FD, STRUCT, STRUCT),
	CALL(socketpair, N, ARG_FAMILY, ARG_SOCKET_TYPE, INT, STRUCT),
	CALL(setsockopt, N, FD, INT, INT, BUF, INT),
	CALL(getsockopt, N, FD, INT, INT, BUF, STRUCT),
	/* Shown by decode.c's decode_clone, as strace shows it. */
	CALL(clone, P, ARG_CLONE_FLAGS, PTR, PTR, PTR, PTR),
	CALL(fork, P),
	CALL(vfork, P),
	CALL(execve, F | P, STR, STRUCT, STRUCT),
	CALL(exit, P, INT),
	CALL(wait4, P, INT, STRUCT, ARG_WAIT_OPTIONS, STRUCT),
	CALL(kill, S | P, INT, SIG),
	CALL(uname, 0, STRUCT),
	CALL(semget, I, HEX, INT, HEX),
	CALL(semop, I, INT, STRUCT, ULONG),
	CALL(semctl, I, INT, INT, INT, HEX),
	CALL(shmdt, I | M, PTR),
	CALL(msgget, I, HEX, HEX),
	CALL(msgsnd, I, INT, STRUCT, ULONG, HEX),
	CALL(msgrcv, I, INT, STRUCT, ULONG, LONG, HEX),
	CALL(msgctl, I, INT, INT, STRUCT),
	CALL(fcntl, D, FD, ARG_FCNTL_CMD, HEX),
	CALL(flock, D, FD, INT),
	CALL(fsync, D, FD),
	CALL(fdatasync, D, FD),
	CALL(truncate, F, STR, LONG),
	CALL(ftruncate, D, FD, LONG),
	CALL(getdents, D, FD, STRUCT, ULONG),
	CALL(getcwd, F, BUF, ULONG),
	CALL(chdir, F, STR),
	CALL(fchdir, D, FD),
	CALL(rename, F, STR, STR),
	CALL(mkdir, F, STR, MODE),
	CALL(rmdir, F, STR),
	CALL(creat, F | D, STR, MODE),
	CALL(link, F, STR, STR),
	CALL(unlink, F, STR),
	CALL(symlink, F, STR, STR),
	CALL(readlink, F, STR, BUF, ULONG),
	CALL(chmod, F, STR, MODE),
	CALL(fchmod, D, FD, MODE),
	CALL(chown, F, STR, INT, INT),
	CALL(fchown, D, FD, INT, INT),
	CALL(lchown, F, STR, INT, INT),
	CALL(umask, 0, MODE),
	CALL(ptrace, 0, INT, INT, PTR, PTR),
	CALL(rt_sigpending, S, STRUCT, ULONG),
	CALL(rt_sigtimedwait, S, STRUCT, STRUCT, STRUCT, ULONG),
	CALL(rt_sigqueueinfo, S | P, INT, SIG, STRUCT),
	CALL(rt_sigsuspend, S, STRUCT, ULONG),
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
	CALL(getxattr, F, STR, STR, BUF, ULONG),
	CALL(lgetxattr, F, STR, STR, BUF, ULONG),
	CALL(fgetxattr, D, FD, STR, BUF, ULONG),
	CALL(listxattr, F, STR, BUF, ULONG),
	CALL(llistxattr, F, STR, BUF, ULONG),
	CALL(flistxattr, D, FD, BUF, ULONG),
	CALL(removexattr, F, STR, STR),
	CALL(lremovexattr, F, STR, STR),
	CALL(fremovexattr, D, FD, STR),
	CALL(tkill, S | P, INT, SIG),
	CALL(futex, 0, PTR, ARG_FUTEX_OP, INT, STRUCT, PTR, INT),
	CALL(epoll_create, D, INT),
	CALL(remap_file_pages, M, PTR, ULONG, HEX, ULONG, HEX),
	CALL(getdents64, D, FD, STRUCT, ULONG),
	CALL(set_tid_address, 0, PTR),
	CALL(restart_syscall, 0),
	CALL(semtimedop, I, INT, STRUCT, ULONG, STRUCT),
	CALL(fadvise64, D, FD, LONG, LONG, INT),
	CALL(exit_group, P, INT),
	CALL(epoll_wait, D, FD, STRUCT, INT, INT),
	CALL(epoll_ctl, D, FD, INT, FD, STRUCT),
	CALL(tgkill, S | P, INT, INT, SIG),
	CALL(utimes, F, STR, STRUCT),
	CALL(mbind, M, PTR, ULONG, INT, STRUCT, ULONG, HEX),
	CALL(set_mempolicy, M, INT, STRUCT, ULONG),
	CALL(get_mempolicy, M, STRUCT, STRUCT, ULONG, PTR, HEX),
	CALL(waitid, P, INT, INT, STRUCT, ARG_WAIT_OPTIONS, STRUCT),
	CALL(inotify_init, D),
	CALL(inotify_add_watch, D | F, FD, STR, HEX),
	CALL(inotify_rm_watch, D, FD, INT),
	CALL(migrate_pages, M, INT, ULONG, STRUCT, STRUCT),
	CALL(openat, F | D, DIRFD, STR, ARG_OPEN_FLAGS, MODE),
	CALL(mkdirat, F | D, DIRFD, STR, MODE),
	CALL(mknodat, F | D, DIRFD, STR, MODE, HEX),
	CALL(fchownat, F | D, DIRFD, STR, INT, INT, ATFL),
	CALL(futimesat, F | D, DIRFD, STR, STRUCT),
	CALL(newfstatat, F | D, DIRFD, STR, STRUCT, ATFL),
	CALL(unlinkat, F | D, DIRFD, STR, ATFL),
	CALL(renameat, F | D, DIRFD, STR, DIRFD, STR),
	CALL(linkat, F | D, DIRFD, STR, DIRFD, STR, ATFL),
	CALL(symlinkat, F | D, STR, DIRFD, STR),
	CALL(readlinkat, F | D, DIRFD, STR, BUF, ULONG),
	CALL(fchmodat, F | D, DIRFD, STR, MODE),
	CALL(faccessat, F | D, DIRFD, STR, ARG_ACCESS_MODE),
	CALL(pselect6, D, INT, STRUCT, STRUCT, STRUCT, STRUCT, STRUCT),
	CALL(ppoll, D, STRUCT, ULONG, STRUCT, STRUCT, ULONG),
	CALL(unshare, 0, ARG_CLONE_FLAGS),
	CALL(splice, D, FD, STRUCT, FD, STRUCT, ULONG, HEX),
	CALL(tee, D, FD, FD, ULONG, HEX),
	CALL(sync_file_range, D, FD, LONG, LONG, HEX),
	CALL(vmsplice, D, FD, STRUCT, ULONG, HEX),
	CALL(move_pages, M, INT, ULONG, STRUCT, STRUCT, STRUCT, HEX),
	CALL(utimensat, F | D, DIRFD, STR, STRUCT, ATFL),
	CALL(epoll_pwait, D, FD, STRUCT, INT, INT, STRUCT, ULONG),
	CALL(signalfd, D | S, FD, STRUCT, ULONG),
	CALL(timerfd_create, D, INT, HEX),
	CALL(eventfd, D, INT),
	CALL(fallocate, D, FD, INT, LONG, LONG),
	CALL(timerfd_settime, D, FD, HEX, STRUCT, STRUCT),
	CALL(timerfd_gettime, D, FD, STRUCT),
	CALL(accept4, N, FD, STRUCT, STRUCT, ARG_SOCKET_FLAGS),
	CALL(signalfd4, D | S, FD, STRUCT, ULONG, HEX),
	CALL(eventfd2, D, INT, HEX),
	CALL(epoll_create1, D, HEX),
	CALL(dup3, D, FD, FD, ARG_FD_FLAGS),
	CALL(pipe2, D, STRUCT, ARG_FD_FLAGS),
	CALL(inotify_init1, D, HEX),
	CALL(preadv, D, FD, STRUCT, INT, LONG),
	CALL(pwritev, D, FD, STRUCT, INT, LONG),
	CALL(rt_tgsigqueueinfo, S | P, INT, INT, SIG, STRUCT),
	CALL(perf_event_open, D, STRUCT, INT, INT, FD, HEX),
	CALL(recvmmsg, N, FD, STRUCT, ULONG, HEX, STRUCT),
	CALL(fanotify_init, D, HEX, HEX),
	CALL(fanotify_mark, D | F, FD, HEX, HEX, DIRFD, STR),
	CALL(prlimit64, 0, INT, INT, STRUCT, STRUCT),
	CALL(name_to_handle_at, F | D, DIRFD, STR, STRUCT, STRUCT, ATFL),
	CALL(open_by_handle_at, D, FD, STRUCT, ARG_OPEN_FLAGS),
	CALL(syncfs, D, FD),
	CALL(sendmmsg, N, FD, STRUCT, ULONG, HEX),
	CALL(setns, D, FD, ARG_CLONE_FLAGS),
	CALL(process_vm_readv, 0, INT, STRUCT, ULONG, STRUCT, ULONG, HEX),
	CALL(process_vm_writev, 0, INT, STRUCT, ULONG, STRUCT, ULONG, HEX),
	CALL(renameat2, F | D, DIRFD, STR, DIRFD, STR, HEX),
	CALL(seccomp, 0, INT, HEX, STRUCT),
	CALL(getrandom, 0, BUF, ULONG, HEX),
	CALL(memfd_create, D, STR, HEX),
	CALL(execveat, F | D | P, DIRFD, STR, STRUCT, STRUCT, ATFL),
	CALL(mlock2, M, PTR, ULONG, HEX),
	CALL(copy_file_range, D, FD, STRUCT, FD, STRUCT, ULONG, HEX),
	CALL(preadv2, D, FD, STRUCT, INT, LONG, HEX),
	CALL(pwritev2, D, FD, STRUCT, INT, LONG, HEX),
	CALL(pkey_mprotect, M, PTR, ULONG, ARG_PROT, INT),
	CALL(statx, F | D, DIRFD, STR, ATFL, HEX, STRUCT),
	CALL(pidfd_send_signal, D | S | P, FD, SIG, STRUCT, HEX),
	CALL(pidfd_open, D, INT, HEX),
	CALL(clone3, P, STRUCT, ULONG),
	CALL(close_range, D, FD, FD, HEX),
	CALL(openat2, F | D, DIRFD, STR, STRUCT, ULONG),
	CALL(faccessat2, F | D, DIRFD, STR, ARG_ACCESS_MODE, ATFL),
	CALL(process_madvise, D, FD, STRUCT, ULONG, ARG_MADVISE, HEX),
	CALL(epoll_pwait2, D, FD, STRUCT, INT, STRUCT, STRUCT, ULONG),
};

const struct syscall_decl *syscall_decl(uint64_t nr)
{
	return nr < sizeof(table) / sizeof(table[0]) && table[nr].known ? &table[nr] : NULL;
}

bool syscall_in_class(uint64_t nr, unsigned int classes)
{
	const struct syscall_decl *d = syscall_decl(nr);

	return d && (d->classes & classes);
}
