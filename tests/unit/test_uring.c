/* Unit tests for io_uring submissions as system calls (uring.h): each
 * operation's call and arguments from the entry's fields as the kernel's
 * prep functions read them, operations without such a call kept raw, and
 * any bytes a program writes into its entries taken without harm. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <linux/types.h>

#include "fastvmix/trace.h"
#include "fastvmix/uring.h"

/* sqe's reported words (the agent's copy of its first 48 bytes). */
static void words_of(const struct io_uring_sqe *sqe, __u64 w[6])
{
	memcpy(w, sqe, 6 * sizeof(__u64));
}

static void expect_call(const struct io_uring_sqe *sqe, int nr, const __u64 want[6])
{
	__u64 w[6], args[6];
	int i;

	words_of(sqe, w);
	assert_int_equal(fvx_uring_call(w, args), nr);
	for (i = 0; i < 6; i++)
		assert_int_equal(args[i], want[i]);
	assert_true(fvx_uring_twin(sqe->opcode) >= 0);
}

static void operations_are_their_calls(void **state)
{
	struct io_uring_sqe sqe;

	sqe = (struct io_uring_sqe){ .opcode = IORING_OP_OPENAT,
				     .fd = AT_FDCWD,
				     .addr = 0x7000,
				     .open_flags = O_WRONLY | O_CREAT,
				     .len = 0600,
				     .user_data = 0xfeed };
	expect_call(&sqe, __NR_openat,
		    (const __u64[6]){ (__u64)(__s64)AT_FDCWD, 0x7000, O_WRONLY | O_CREAT, 0600 });

	sqe = (struct io_uring_sqe){
		.opcode = IORING_OP_WRITE, .fd = 3, .addr = 0x7100, .len = 10, .off = 8
	};
	expect_call(&sqe, __NR_pwrite64, (const __u64[6]){ 3, 0x7100, 10, 8 });
	sqe.opcode = IORING_OP_READ_FIXED;
	expect_call(&sqe, __NR_pread64, (const __u64[6]){ 3, 0x7100, 10, 8 });
	/* -1: at the file's position, as read(2) and write(2) do it. */
	sqe.off = (__u64)-1;
	expect_call(&sqe, __NR_read, (const __u64[6]){ 3, 0x7100, 10, (__u64)-1 });
	sqe.opcode = IORING_OP_WRITEV;
	expect_call(&sqe, __NR_writev, (const __u64[6]){ 3, 0x7100, 10, (__u64)-1 });

	/* sendto(fd, buf, len, flags, dest, destlen): the destination in
	 * addr2, its length in addr_len; the zero-copy send alike. */
	sqe = (struct io_uring_sqe){ .opcode = IORING_OP_SEND,
				     .fd = 7,
				     .addr = 0x6000,
				     .len = 5,
				     .msg_flags = 0x40,
				     .addr2 = 0x6100,
				     .addr_len = 16 };
	expect_call(&sqe, __NR_sendto, (const __u64[6]){ 7, 0x6000, 5, 0x40, 0x6100, 16 });
	sqe.opcode = IORING_OP_SEND_ZC;
	expect_call(&sqe, __NR_sendto, (const __u64[6]){ 7, 0x6000, 5, 0x40, 0x6100, 16 });

	/* fallocate(fd, mode, offset, len): the mode in len, the length in
	 * addr; splice's input in splice_fd_in, its offsets values. */
	sqe = (struct io_uring_sqe){
		.opcode = IORING_OP_FALLOCATE, .fd = 3, .len = 1, .off = 4096, .addr = 8192
	};
	expect_call(&sqe, __NR_fallocate, (const __u64[6]){ 3, 1, 4096, 8192 });
	sqe = (struct io_uring_sqe){ .opcode = IORING_OP_SPLICE,
				     .fd = 4,
				     .splice_fd_in = 5,
				     .splice_off_in = (__u64)-1,
				     .off = 100,
				     .len = 200,
				     .splice_flags = 1 };
	expect_call(&sqe, __NR_splice, (const __u64[6]){ 5, (__u64)-1, 4, 100, 200, 1 });
	sqe.opcode = IORING_OP_TEE;
	expect_call(&sqe, __NR_tee, (const __u64[6]){ 5, 4, 200, 1 });

	/* renameat2(olddirfd, old, newdirfd, new, flags): newdirfd in len. */
	sqe = (struct io_uring_sqe){ .opcode = IORING_OP_RENAMEAT,
				     .fd = 4,
				     .addr = 0x1000,
				     .len = (__u32)AT_FDCWD,
				     .addr2 = 0x2000,
				     .rename_flags = 1 };
	expect_call(&sqe, __NR_renameat2,
		    (const __u64[6]){ 4, 0x1000, (__u64)(__s64)AT_FDCWD, 0x2000, 1 });

	/* symlinkat(target, newdirfd, linkpath). */
	sqe.opcode = IORING_OP_SYMLINKAT;
	expect_call(&sqe, __NR_symlinkat, (const __u64[6]){ 0x1000, 4, 0x2000 });

	/* socket(domain, type, protocol): domain in fd, type in off. */
	sqe = (struct io_uring_sqe){
		.opcode = IORING_OP_SOCKET, .fd = AF_INET, .off = SOCK_STREAM, .len = 6
	};
	expect_call(&sqe, __NR_socket, (const __u64[6]){ AF_INET, SOCK_STREAM, 6 });

	/* statx(dirfd, path, flags, mask, buffer): the buffer in addr2. */
	sqe = (struct io_uring_sqe){ .opcode = IORING_OP_STATX,
				     .fd = 5,
				     .addr = 0x3000,
				     .statx_flags = 0x100,
				     .len = 0xfff,
				     .addr2 = 0x4000 };
	expect_call(&sqe, __NR_statx, (const __u64[6]){ 5, 0x3000, 0x100, 0xfff, 0x4000 });

	/* connect(fd, addr, addrlen): the length in addr2. */
	sqe = (struct io_uring_sqe){
		.opcode = IORING_OP_CONNECT, .fd = 6, .addr = 0x5000, .addr2 = 16
	};
	expect_call(&sqe, __NR_connect, (const __u64[6]){ 6, 0x5000, 16 });
}

/* No call does a NOP, a poll or a timeout: the entry as it came, and the
 * opcode alone says so; so does any opcode the kernel does not have. */
static void other_operations_stay_raw(void **state)
{
	struct io_uring_sqe sqe;
	__u64 w[6], args[6];
	unsigned int op;
	int i;

	memset(&sqe, 0xa5, sizeof(sqe));
	for (op = 0; op < 256; op++) {
		sqe.opcode = (__u8)op;
		words_of(&sqe, w);
		if (fvx_uring_call(w, args) >= 0)
			continue;
		for (i = 0; i < 6; i++)
			assert_int_equal(args[i], w[i]);
		assert_int_equal(fvx_uring_twin(op), -1);
	}
	assert_int_equal(fvx_uring_twin(IORING_OP_NOP), -1);
	assert_int_equal(fvx_uring_twin(IORING_OP_POLL_ADD), -1);
	assert_int_equal(fvx_uring_twin(IORING_OP_LAST), -1);
	assert_int_equal(fvx_uring_twin(0x100 | IORING_OP_OPENAT), -1);
	/* A completion does not say the offset: a read or a write has two. */
	assert_int_equal(fvx_uring_twin_of(IORING_OP_READ, 0), __NR_pread64);
	assert_int_equal(fvx_uring_twin_of(IORING_OP_READ, 1), __NR_read);
	assert_int_equal(fvx_uring_twin_of(IORING_OP_WRITE, 1), __NR_write);
	assert_int_equal(fvx_uring_twin_of(IORING_OP_OPENAT, 1), __NR_openat);
	assert_int_equal(fvx_uring_twin_of(FVX_URING_OP_NONE, 0), -1);
}

/* Whatever bytes: whether there is a twin depends on the opcode alone
 * (which one, for a read or a write, on the offset too), and the opcode
 * goes into and comes out of a record's flags whole. */
static void any_entry_is_taken(void **state)
{
	__u64 w[6], args[6];
	unsigned int op, seed = 1;
	int i, round;

	for (round = 0; round < 20000; round++) {
		for (i = 0; i < 6; i++) {
			seed = seed * 1103515245u + 12345u;
			w[i] = (__u64)seed << 32 | (seed >> 3);
		}
		op = w[0] & 0xff;
		assert_int_equal(fvx_uring_call(w, args) >= 0, fvx_uring_twin(op) >= 0);
		assert_int_equal(
			fvx_uring_record_op(FVX_RECORD_URING | op << FVX_RECORD_URING_OP_SHIFT),
			op);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(operations_are_their_calls),
		cmocka_unit_test(other_operations_stay_raw),
		cmocka_unit_test(any_entry_is_taken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
