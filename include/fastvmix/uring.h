/* io_uring submissions as the system calls they stand for. Work a program
 * hands the kernel through an io_uring (an IORING_OP_OPENAT opens a file,
 * an IORING_OP_WRITE writes one) is no system call of its own, and with
 * IORING_SETUP_SQPOLL a kernel thread of the program submits it without
 * any system call at all. The agent reports each submission queue entry
 * as the kernel prepares it (FVX_TASK_IO_URING, trace.h), in the task
 * that submits it; the analyzer records it as the x86-64 system call that
 * does the same (FVX_RECORD_URING), with that call's arguments in its
 * order, so the call's capture (strings, buffers) and decoding are those
 * of the call. An operation without such a call is recorded as it came:
 * the entry's first 48 bytes in args (struct fvx_uring_raw says where).
 * A pure function of the entry's bytes, all of which the traced program
 * wrote: any value may come. Include <linux/types.h> first. */
#ifndef FASTVMIX_URING_H
#define FASTVMIX_URING_H

#include <asm/unistd.h>
#include <linux/io_uring.h>

/* The opcode in a FVX_RECORD_URING record's flags (bits 24..31);
 * FVX_URING_OP_NONE (trace.h) for a completion without one. */
#define FVX_RECORD_URING_OP_SHIFT 24
static inline __u32 fvx_uring_record_op(__u32 flags)
{
	return flags >> FVX_RECORD_URING_OP_SHIFT & 0xff;
}

/* The SQE's first 48 bytes as six little-endian words (what the agent
 * reports, and what a record of an operation without a twin keeps). */
struct fvx_uring_sqe {
	__u8 opcode, flags;
	__u16 ioprio;
	__s32 fd;
	__u64 off; /* or addr2 */
	__u64 addr;
	__u32 len, op_flags; /* rw_flags, open_flags, msg_flags... */
	__u64 user_data;
	__u16 buf_index, personality;
	__u32 file_index; /* or splice_fd_in, addr_len */
};
_Static_assert(sizeof(struct fvx_uring_sqe) == 6 * sizeof(__u64), "the reported part of an SQE");
_Static_assert(__builtin_offsetof(struct io_uring_sqe, user_data) ==
			       __builtin_offsetof(struct fvx_uring_sqe, user_data) &&
		       __builtin_offsetof(struct io_uring_sqe, len) ==
			       __builtin_offsetof(struct fvx_uring_sqe, len) &&
		       __builtin_offsetof(struct io_uring_sqe, file_index) ==
			       __builtin_offsetof(struct fvx_uring_sqe, file_index),
	       "struct fvx_uring_sqe is <linux/io_uring.h>'s layout");

/* Which x86-64 call an operation does, and that call's arguments from the
 * entry: the call's number, or -1 when none does it (then args are the
 * raw words). Each as the kernel's io_uring reads the entry (its prep
 * functions); offsets -1 (read, write) are the file's position. */
static inline int fvx_uring_call(const __u64 words[6], __u64 args[6])
{
	struct fvx_uring_sqe s;
	__u64 fd;
	int i;

	__builtin_memcpy(&s, words, sizeof(s));
	fd = (__u64)(__s64)s.fd;
	for (i = 0; i < 6; i++)
		args[i] = 0;
#define ARGS(a0, a1, a2, a3, a4)                                                                   \
	(args[0] = (a0), args[1] = (a1), args[2] = (a2), args[3] = (a3), args[4] = (a4))
	switch (s.opcode) {
	case IORING_OP_OPENAT: ARGS(fd, s.addr, s.op_flags, s.len, 0); return __NR_openat;
	case IORING_OP_OPENAT2: ARGS(fd, s.addr, s.off, s.len, 0); return __NR_openat2;
	case IORING_OP_CLOSE: ARGS(fd, 0, 0, 0, 0); return __NR_close;
	/* An offset of -1 is the file's position: read(2) and write(2). */
	case IORING_OP_READ:
	case IORING_OP_READ_FIXED:
		ARGS(fd, s.addr, s.len, s.off, 0);
		return s.off == ~0ULL ? __NR_read : __NR_pread64;
	case IORING_OP_WRITE:
	case IORING_OP_WRITE_FIXED:
		ARGS(fd, s.addr, s.len, s.off, 0);
		return s.off == ~0ULL ? __NR_write : __NR_pwrite64;
	case IORING_OP_READV:
		ARGS(fd, s.addr, s.len, s.off, 0);
		return s.off == ~0ULL ? __NR_readv : __NR_preadv;
	case IORING_OP_WRITEV:
		ARGS(fd, s.addr, s.len, s.off, 0);
		return s.off == ~0ULL ? __NR_writev : __NR_pwritev;
	case IORING_OP_FSYNC: ARGS(fd, 0, 0, 0, 0); return __NR_fsync;
	case IORING_OP_STATX: ARGS(fd, s.addr, s.op_flags, s.len, s.off); return __NR_statx;
	case IORING_OP_UNLINKAT: ARGS(fd, s.addr, s.op_flags, 0, 0); return __NR_unlinkat;
	case IORING_OP_MKDIRAT: ARGS(fd, s.addr, s.len, 0, 0); return __NR_mkdirat;
	case IORING_OP_RENAMEAT:
		ARGS(fd, s.addr, (__u64)(__s64)(__s32)s.len, s.off, s.op_flags);
		return __NR_renameat2;
	case IORING_OP_LINKAT:
		ARGS(fd, s.addr, (__u64)(__s64)(__s32)s.len, s.off, s.op_flags);
		return __NR_linkat;
	case IORING_OP_SYMLINKAT: ARGS(s.addr, fd, s.off, 0, 0); return __NR_symlinkat;
	case IORING_OP_SOCKET: ARGS(fd, s.off, s.len, 0, 0); return __NR_socket;
	case IORING_OP_CONNECT: ARGS(fd, s.addr, s.off, 0, 0); return __NR_connect;
	case IORING_OP_ACCEPT: ARGS(fd, s.addr, s.off, s.op_flags, 0); return __NR_accept4;
	/* A destination in addr2, its length in addr_len (the low half of
	 * file_index), as sendto(2) takes them. */
	case IORING_OP_SEND:
	case IORING_OP_SEND_ZC:
		ARGS(fd, s.addr, s.len, s.op_flags, s.off);
		args[5] = s.file_index & 0xffff;
		return __NR_sendto;
	case IORING_OP_RECV: ARGS(fd, s.addr, s.len, s.op_flags, 0); return __NR_recvfrom;
	case IORING_OP_SENDMSG:
	case IORING_OP_SENDMSG_ZC: ARGS(fd, s.addr, s.op_flags, 0, 0); return __NR_sendmsg;
	case IORING_OP_RECVMSG: ARGS(fd, s.addr, s.op_flags, 0, 0); return __NR_recvmsg;
	case IORING_OP_SHUTDOWN: ARGS(fd, s.len, 0, 0, 0); return __NR_shutdown;
	case IORING_OP_MADVISE: ARGS(s.addr, s.len, s.op_flags, 0, 0); return __NR_madvise;
	case IORING_OP_FALLOCATE: ARGS(fd, s.len, s.off, s.addr, 0); return __NR_fallocate;
	case IORING_OP_FADVISE: ARGS(fd, s.off, s.len, s.op_flags, 0); return __NR_fadvise64;
	case IORING_OP_SYNC_FILE_RANGE:
		ARGS(fd, s.off, s.len, s.op_flags, 0);
		return __NR_sync_file_range;
	case IORING_OP_EPOLL_CTL: ARGS(fd, s.len, s.off, s.addr, 0); return __NR_epoll_ctl;
	/* The input in splice_fd_in, its offset in splice_off_in (addr):
	 * values, where splice(2) takes pointers (-1: none). */
	case IORING_OP_TEE:
		ARGS((__u64)(__s64)(__s32)s.file_index, fd, s.len, s.op_flags, 0);
		return __NR_tee;
	case IORING_OP_SPLICE:
		ARGS((__u64)(__s64)(__s32)s.file_index, s.addr, fd, s.off, s.len);
		args[5] = s.op_flags;
		return __NR_splice;
	}
#undef ARGS
	for (i = 0; i < 6; i++)
		args[i] = words[i];
	return -1;
}

/* A call opcode op stands for (a FVX_RECORD_URING record's: one of them,
 * for a read or a write, whose offset chooses: at_position picks the one
 * of offset -1, the file's position), or -1 when none does. */
static inline int fvx_uring_twin_of(__u32 op, int at_position)
{
	const __u64 words[6] = { op & 0xff, at_position ? ~0ULL : 0 };
	__u64 args[6];

	return op > 0xff ? -1 : fvx_uring_call(words, args);
}

static inline int fvx_uring_twin(__u32 op)
{
	return fvx_uring_twin_of(op, 0);
}

/* The operations whose completion shows what they read (the analyzer
 * keeps their arguments from the submission): a read into the buffer the
 * entry names, IORING_OP_READ or IORING_OP_RECV; not one into a buffer the
 * kernel picks (IOSQE_BUFFER_SELECT), into a registered one
 * (IORING_OP_READ_FIXED: the program may have moved other pages to the
 * address since), or into buffers an array in the program's memory names
 * (READV, RECVMSG: the program may point it elsewhere before the
 * completion). */
static inline int fvx_uring_keeps(__u32 op, __u32 sqe_flags)
{
	return (op == IORING_OP_READ || op == IORING_OP_RECV) &&
	       !(sqe_flags & (1u << IOSQE_BUFFER_SELECT_BIT));
}

/* Whether an operation may change the program's memory, anywhere: 0 only
 * for those that read it or none (a write to /proc/self/mem or to a file
 * the program maps shared changes it, a fallocate or madvise may zero
 * it, a read into one address may show at another that maps the same
 * page: all may). */
static inline int fvx_uring_may_write(__u32 op)
{
	switch (op) {
	case IORING_OP_NOP:
	case IORING_OP_FSYNC:
	case IORING_OP_SYNC_FILE_RANGE:
	case IORING_OP_POLL_ADD:
	case IORING_OP_POLL_REMOVE:
	case IORING_OP_TIMEOUT:
	case IORING_OP_TIMEOUT_REMOVE:
	case IORING_OP_LINK_TIMEOUT:
	case IORING_OP_ASYNC_CANCEL:
	case IORING_OP_SEND:
	case IORING_OP_SEND_ZC:
	case IORING_OP_SENDMSG:
	case IORING_OP_SENDMSG_ZC:
	case IORING_OP_CONNECT:
	case IORING_OP_SOCKET:
	case IORING_OP_CLOSE:
	case IORING_OP_FADVISE:
	case IORING_OP_SHUTDOWN:
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2:
	case IORING_OP_RENAMEAT:
	case IORING_OP_UNLINKAT:
	case IORING_OP_MKDIRAT:
	case IORING_OP_SYMLINKAT:
	case IORING_OP_LINKAT:
	case IORING_OP_SETXATTR:
	case IORING_OP_FSETXATTR:
	case IORING_OP_EPOLL_CTL:
	case IORING_OP_TEE: return 0;
	}
	return 1;
}

#endif
