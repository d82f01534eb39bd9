/* Unit tests for analyzer image validation, including a deterministic
 * mutation run over the same entry point the fuzz target uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/analyzer_image.h"

#define REGION (256 * 1024)

static unsigned char image[1024];

static void make_image(u32 size)
{
	struct fvx_analyzer_header *h = (void *)image;

	memset(image, 0x90, sizeof(image));
	memset(h, 0, sizeof(*h));
	h->magic = FVX_ANALYZER_MAGIC;
	h->version = FVX_ANALYZER_VERSION;
	h->header_size = sizeof(*h);
	h->image_size = size;
	h->entry = sizeof(*h);
	strcpy(h->name, "test");
}

static void good_image_passes(void **state)
{
	make_image(200);
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_OK);
}

/* The return entry is optional (0: none); when there, it lies in the code
 * as the entry does. */
static void return_entry_is_optional_and_checked(void **state)
{
	struct fvx_analyzer_header *h = (void *)image;

	make_image(200);
	h->return_entry = 0;
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_OK);
	h->return_entry = sizeof(*h);
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_OK);
	h->return_entry = 199;
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_OK);
	h->return_entry = 200;
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_BAD_RETURN_ENTRY);
	h->return_entry = 8; /* inside the header */
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_BAD_RETURN_ENTRY);
	h->return_entry = 0xffffffff;
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_BAD_RETURN_ENTRY);
	assert_string_equal(analyzer_image_error_str(ANALYZER_BAD_RETURN_ENTRY),
			    "return entry point outside the code");
}

static void each_field_is_checked(void **state)
{
	struct fvx_analyzer_header *h = (void *)image;

	make_image(200);
	assert_int_equal(analyzer_image_check(image, 10, REGION), ANALYZER_TOO_SMALL);
	assert_int_equal(analyzer_image_check(NULL, 200, REGION), ANALYZER_TOO_SMALL);
	h->magic = 0x7f454c46;
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_BAD_MAGIC);
	make_image(200);
	h->version = 2;
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_BAD_VERSION);
	make_image(200);
	h->header_size = 32;
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_BAD_HEADER_SIZE);
	make_image(200);
	assert_int_equal(analyzer_image_check(image, 199, REGION), ANALYZER_BAD_SIZE);
	assert_int_equal(analyzer_image_check(image, 200, 100), ANALYZER_BAD_SIZE);
	h->entry = 200;
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_BAD_ENTRY);
	h->entry = 8; /* inside the header */
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_BAD_ENTRY);
	make_image(200);
	h->flags = FVX_ANALYZER_F_WAIT;
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_OK);
	h->flags = FVX_ANALYZER_F_WAIT | FVX_ANALYZER_F_WHOLE;
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_BAD_FLAGS);
	h->return_entry = 100; /* (whole calls are recorded by the return entry) */
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_OK);
	h->return_entry = 0;
	h->flags = FVX_ANALYZER_F_WHOLE << 1;
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_BAD_FLAGS);
	make_image(200);
	h->reserved[1] = 1;
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_BAD_FLAGS);
	make_image(200);
	memset(h->name, 'a', sizeof(h->name));
	assert_int_equal(analyzer_image_check(image, 200, REGION), ANALYZER_BAD_NAME);
	assert_string_equal(analyzer_image_error_str(ANALYZER_BAD_MAGIC),
			    "not an analyzer image (bad magic)");
}

/* Random byte flips and sizes: never a crash, and whatever passes obeys the
 * invariants the hypervisor relies on. */
static void mutations_keep_invariants(void **state)
{
	unsigned int seed = 12345, i, passed = 0;

	for (i = 0; i < 200000; i++) {
		const struct fvx_analyzer_header *h = (void *)image;
		u32 size;

		make_image(300);
		image[rand_r(&seed) % 64] = rand_r(&seed);
		if (i % 3 == 0)
			image[rand_r(&seed) % 64] = rand_r(&seed);
		size = i % 5 ? 300 : rand_r(&seed) % sizeof(image);
		if (analyzer_image_check(image, size, REGION) == ANALYZER_OK) {
			passed++;
			assert_int_equal(h->magic, FVX_ANALYZER_MAGIC);
			assert_int_equal(h->image_size, size);
			assert_true(h->entry >= sizeof(*h) && h->entry < size);
			assert_true(!h->return_entry ||
				    (h->return_entry >= sizeof(*h) && h->return_entry < size));
			assert_non_null(memchr(h->name, 0, sizeof(h->name)));
		}
	}
	assert_true(passed > 0); /* flips of the name or code bytes still pass */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_image_passes),
		cmocka_unit_test(return_entry_is_optional_and_checked),
		cmocka_unit_test(each_field_is_checked),
		cmocka_unit_test(mutations_keep_invariants),
	};

	return cmocka_run_group_tests_name("analyzer", tests, NULL, NULL);
}
