/* writev, readv, fstat and statx for the comparison with strace (peer.sh):
 * a 64-bit writev of two buffers, a readv that fills one buffer and part
 * of the next, the file's struct stat and struct statx, and an i386 writev
 * through `int $0x80` with its struct compat_iovec array (in .data, below 4 GiB: the binary is static and not
 * position-independent). Exits 0 when every call did what it should. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static char a[] = "fast", b[] = "vmix\n";
static uint32_t compat_iov[4];

int main(void)
{
	struct iovec w[2] = { { a, 4 }, { b, 5 } };
	char c[3], d[16];
	struct iovec r[2] = { { c, sizeof(c) }, { d, sizeof(d) } };
	int fd = open("/tmp/fvx-iov", O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct stat st;
	struct statx stx;
	long ret;

	if (fd < 0 || writev(fd, w, 2) != 9 || lseek(fd, 0, SEEK_SET) != 0 ||
	    readv(fd, r, 2) != 9 || fstat(fd, &st) || st.st_size != 9 ||
	    syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) || stx.stx_size != 9)
		return 1;
	compat_iov[0] = (uint32_t)(uintptr_t)a;
	compat_iov[1] = 4;
	compat_iov[2] = (uint32_t)(uintptr_t)b;
	compat_iov[3] = 5;
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(146), "b"(fd), "c"(compat_iov), "d"(2)
			 : "memory");
	close(fd);
	return ret == 9 ? 0 : 2;
}
