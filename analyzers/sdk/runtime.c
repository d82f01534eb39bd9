/* What the compiler may call in a freestanding analyzer: memcpy and memset,
 * which copy the data records' bytes (strings, buffers), eight bytes at a
 * time (x86 allows unaligned accesses) and the rest byte by byte. Built
 * with -fno-tree-loop-distribute-patterns (build.sh), so the loops are not
 * turned into calls to themselves. */
#include <linux/types.h>

void *memcpy(void *dst, const void *src, unsigned long n);
void *memset(void *dst, int c, unsigned long n);

void *memcpy(void *dst, const void *src, unsigned long n)
{
	__u8 *d = dst;
	const __u8 *s = src;

	for (; n >= 8; n -= 8, d += 8, s += 8)
		*(__u64 __attribute__((may_alias, aligned(1))) *)d =
			*(const __u64 __attribute__((may_alias, aligned(1))) *)s;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, unsigned long n)
{
	__u64 word = 0x0101010101010101ULL * (__u8)c;
	__u8 *d = dst;

	for (; n >= 8; n -= 8, d += 8)
		*(__u64 __attribute__((may_alias, aligned(1))) *)d = word;
	while (n--)
		*d++ = (__u8)c;
	return dst;
}
