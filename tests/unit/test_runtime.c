/* The analyzer runtime's memcpy and memset (analyzers/sdk/runtime.c),
 * renamed here so that they do not replace the C library's: every length
 * up to a few words, at every alignment, writes exactly the bytes asked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#define memcpy fvx_runtime_memcpy
#define memset fvx_runtime_memset
#include "../../analyzers/sdk/runtime.c"
#undef memcpy
#undef memset

#define GUARD 0x5a

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 31 + i * 7 + 1);
}

static void copies_exactly_n_bytes(void **state)
{
	unsigned char src[64], dst[80], want[80];

	(void)state;
	for (unsigned off = 0; off < 8; off++)
		for (unsigned soff = 0; soff < 8; soff++)
			for (unsigned long n = 0; n <= 40; n++) {
				fill(src, sizeof(src), off + n);
				memset(dst, GUARD, sizeof(dst));
				memcpy(want, dst, sizeof(dst));
				memcpy(want + 8 + off, src + soff, n);
				assert_ptr_equal(fvx_runtime_memcpy(dst + 8 + off, src + soff, n),
						 dst + 8 + off);
				assert_memory_equal(dst, want, sizeof(dst));
			}
}

static void sets_exactly_n_bytes(void **state)
{
	unsigned char dst[80], want[80];

	(void)state;
	for (unsigned off = 0; off < 8; off++)
		for (unsigned long n = 0; n <= 40; n++) {
			memset(dst, GUARD, sizeof(dst));
			memcpy(want, dst, sizeof(dst));
			memset(want + 8 + off, 0xa5, n);
			/* Only the low byte of c counts, as in C's memset. */
			assert_ptr_equal(fvx_runtime_memset(dst + 8 + off, 0x3a5, n),
					 dst + 8 + off);
			assert_memory_equal(dst, want, sizeof(dst));
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copies_exactly_n_bytes),
		cmocka_unit_test(sets_exactly_n_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
