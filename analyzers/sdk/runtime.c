/* What the compiler may call in freestanding code: memcpy and memset, which
 * copy the data records' bytes (strings, buffers), eight bytes at a time
 * (x86 allows unaligned accesses) and the rest byte by byte. Linked into
 * every analyzer and into the VMX-root image (exit mode captures the same
 * data), both built with -fno-tree-loop-distribute-patterns, so the loops
 * are not turned into calls to themselves. Plain C types: it builds
 * against either side's headers, or none. */
typedef unsigned char byte;
typedef unsigned long long word __attribute__((may_alias, aligned(1)));

void *memcpy(void *dst, const void *src, unsigned long n);
void *memset(void *dst, int c, unsigned long n);

void *memcpy(void *dst, const void *src, unsigned long n)
{
	byte *d = dst;
	const byte *s = src;

	for (; n >= 8; n -= 8, d += 8, s += 8)
		*(word *)d = *(const word *)s;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, unsigned long n)
{
	unsigned long long fill = 0x0101010101010101ULL * (byte)c;
	byte *d = dst;

	for (; n >= 8; n -= 8, d += 8)
		*(word *)d = fill;
	while (n--)
		*d++ = (byte)c;
	return dst;
}
