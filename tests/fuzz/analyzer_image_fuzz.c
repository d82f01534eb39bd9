/* libFuzzer target for analyzer image validation:
 *   clang -fsanitize=fuzzer,address -Iinclude -Ihypervisor \
 *     tests/fuzz/analyzer_image_fuzz.c hypervisor/core/analyzer_image.c
 * (make fuzz does this when clang is installed). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/analyzer_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fvx_analyzer_header *h = (const void *)data;

	if (analyzer_image_check(data, size, 256 * 1024) == ANALYZER_OK &&
	    (h->entry >= size || !memchr(h->name, 0, sizeof(h->name))))
		__builtin_trap();
	return 0;
}
