/* What the compiler may call in a freestanding analyzer. */
#include <linux/types.h>

void *memcpy(void *dst, const void *src, unsigned long n);
void *memset(void *dst, int c, unsigned long n);

void *memcpy(void *dst, const void *src, unsigned long n)
{
	__u8 *d = dst;
	const __u8 *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, unsigned long n)
{
	__u8 *d = dst;

	while (n--)
		*d++ = (__u8)c;
	return dst;
}
