/* Work handed to the kernel through io_uring, which no system call of its
 * own shows: an IORING_OP_OPENAT, an IORING_OP_WRITE, an IORING_OP_READ of
 * what it wrote and an IORING_OP_NOP submitted by io_uring_enter; then an
 * open, a write and a read through an IORING_SETUP_SQPOLL ring, whose
 * kernel thread (a thread of this process) takes them from the ring with
 * no io_uring_enter at all (one only if the thread went to sleep first),
 * the write at the file's position (offset -1) rather than at offset 0;
 * between them a batch of two reads into one buffer (batch_of_two_reads).
 * Files: /tmp/fvx-uring, /tmp/fvx-uring-decoy and
 * /tmp/fvx-uring-sqpoll. Exit status 0 when every operation did what it
 * asked; the failing step on stderr otherwise. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/io_uring.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ring {
	int fd;
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_array, *sq_flags;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int fail(const char *what)
{
	perror(what);
	return -1;
}

static int ring_setup(struct ring *r, unsigned int flags)
{
	struct io_uring_params p = { .flags = flags, .sq_thread_idle = 10000 };
	size_t sq_len, cq_len;
	char *sq, *cq;

	r->fd = (int)syscall(__NR_io_uring_setup, 8, &p);
	if (r->fd < 0)
		return fail("io_uring_setup");
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return fail("mmap");
	r->sq_head = (unsigned int *)(sq + p.sq_off.head);
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->sq_flags = (unsigned int *)(sq + p.sq_off.flags);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* Queues sqe and waits for its completion: its result (res). */
static int ring_run(struct ring *r, const struct io_uring_sqe *sqe, int sqpoll)
{
	unsigned int tail = *r->sq_tail, i = tail & *r->sq_mask, head;
	long spins;
	int res;

	r->sqes[i] = *sqe;
	r->sq_array[i] = i;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (!sqpoll) {
		if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
			return fail("io_uring_enter");
	} else if (__atomic_load_n(r->sq_flags, __ATOMIC_ACQUIRE) & IORING_SQ_NEED_WAKEUP) {
		syscall(__NR_io_uring_enter, r->fd, 0, 0, IORING_ENTER_SQ_WAKEUP, NULL, 0);
	}
	head = *r->cq_head;
	for (spins = 0; __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) == head; spins++) {
		if (spins == 100000 &&
		    syscall(__NR_io_uring_enter, r->fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
			return fail("io_uring_enter");
		sched_yield();
	}
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/* Opens path, writes text to it and reads it back through ring r. */
static int open_and_write(struct ring *r, const char *path, const char *text, int sqpoll)
{
	struct io_uring_sqe sqe = { .opcode = IORING_OP_OPENAT, .fd = AT_FDCWD };
	char back[32];
	int fd, n;

	sqe.addr = (unsigned long)path;
	sqe.open_flags = O_RDWR | O_CREAT | O_TRUNC;
	sqe.len = 0600;
	fd = ring_run(r, &sqe, sqpoll);
	if (fd < 0) {
		fprintf(stderr, "uring: openat %s: %s\n", path, strerror(-fd));
		return -1;
	}
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_WRITE;
	sqe.fd = fd;
	sqe.addr = (unsigned long)text;
	sqe.len = (unsigned int)strlen(text);
	sqe.off = sqpoll ? (__u64)-1 : 0; /* at the file's position: write(2) */
	n = ring_run(r, &sqe, sqpoll);
	if (n != (int)strlen(text)) {
		fprintf(stderr, "uring: write %s: %d\n", path, n);
		return -1;
	}
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_READ;
	sqe.fd = fd;
	sqe.addr = (unsigned long)back;
	sqe.len = sizeof(back);
	n = ring_run(r, &sqe, sqpoll); /* at offset 0: pread64(2) */
	if (n != (int)strlen(text) || memcmp(back, text, (size_t)n)) {
		fprintf(stderr, "uring: read %s: %d\n", path, n);
		return -1;
	}
	return close(fd);
}

/* A batch in one io_uring_enter, as a sample would hide what it read: a
 * read of path's text into a buffer, then a read of a decoy into the same
 * buffer (user_data 1 and 2). Linux posts both completions after both ran,
 * so the first must not show the decoy's bytes as its own. */
static int batch_of_two_reads(struct ring *r, const char *path)
{
	struct io_uring_sqe sqe[2] = { { .opcode = IORING_OP_READ, .user_data = 1 },
				       { .opcode = IORING_OP_READ, .user_data = 2 } };
	static const char decoy_text[] = "decoy-bytes\n";
	char buf[32];
	int fd = open(path, O_RDONLY),
	    decoy = open("/tmp/fvx-uring-decoy", O_RDWR | O_CREAT | O_TRUNC, 0600);
	unsigned int tail = *r->sq_tail, head, i;

	if (fd < 0 || decoy < 0 || write(decoy, decoy_text, sizeof(decoy_text) - 1) < 0)
		return fail("batch: open");
	sqe[0].fd = fd;
	sqe[1].fd = decoy;
	for (i = 0; i < 2; i++) {
		sqe[i].addr = (unsigned long)buf;
		sqe[i].len = sizeof(buf);
		r->sqes[(tail + i) & *r->sq_mask] = sqe[i];
		r->sq_array[(tail + i) & *r->sq_mask] = (tail + i) & *r->sq_mask;
	}
	__atomic_store_n(r->sq_tail, tail + 2, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 2, 2, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return fail("batch: io_uring_enter");
	head = *r->cq_head;
	if (__atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) - head != 2 ||
	    r->cqes[head & *r->cq_mask].res < 0 || r->cqes[(head + 1) & *r->cq_mask].res < 0)
		return fail("batch: completions");
	__atomic_store_n(r->cq_head, head + 2, __ATOMIC_RELEASE);
	close(decoy);
	return close(fd);
}

int main(void)
{
	struct io_uring_sqe nop = { .opcode = IORING_OP_NOP, .user_data = 0xf00d };
	struct ring plain, sqpoll;

	if (ring_setup(&plain, 0) || open_and_write(&plain, "/tmp/fvx-uring", "fvx-uring\n", 0))
		return 1;
	if (ring_run(&plain, &nop, 0) != 0) {
		fprintf(stderr, "uring: nop failed\n");
		return 1;
	}
	if (batch_of_two_reads(&plain, "/tmp/fvx-uring"))
		return 1;
	if (ring_setup(&sqpoll, IORING_SETUP_SQPOLL) ||
	    open_and_write(&sqpoll, "/tmp/fvx-uring-sqpoll", "fvx-sqpoll\n", 1))
		return 1;
	return 0;
}
