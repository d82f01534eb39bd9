/* Unit tests for loading the VMX-root image (core/root_image.c): the real
 * image the build embeds in the loader, and damaged copies of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/root_image.h"
#include "core/pool.h"
#include "arch/x86/asm.h"

#define LOAD_VA 0xffff800000000000ULL
#define R_X86_64_RELATIVE 8

struct rela {
	u64 offset, info;
	s64 addend;
};

static u64 image_size(void)
{
	return (u64)(hv_root_image_end - hv_root_image);
}

static const struct root_image_header *header(const u8 *image)
{
	return (const struct root_image_header *)image;
}

/* A writable copy of the real image, to damage. */
static u8 *image_copy(void)
{
	u8 *copy = malloc(image_size());

	assert_non_null(copy);
	memcpy(copy, hv_root_image, image_size());
	return copy;
}

static u8 *dst_pages(void)
{
	u8 *dst = aligned_alloc(PAGE_SIZE_4K, 64 * PAGE_SIZE_4K);

	assert_non_null(dst);
	memset(dst, 0xa5, 64 * PAGE_SIZE_4K);
	return dst;
}

static void real_image_is_well_formed(void **state)
{
	const struct root_image_header *h = header(hv_root_image);

	assert_int_equal(h->magic, ROOT_IMAGE_MAGIC);
	assert_int_equal(h->version, ROOT_IMAGE_VERSION);
	assert_int_equal(h->header_size, sizeof(*h));
	/* objcopy wrote exactly the image: nothing after the relocations. */
	assert_int_equal(h->image_size, image_size());
	assert_int_equal(h->rela_offset + h->rela_size, h->image_size);
	assert_int_equal(h->text_end % PAGE_SIZE_4K, 0);
	assert_true(h->exit_stub < h->text_end);
	assert_true(h->idt_stubs + 256 * ARCH_HOST_IDT_STUB_SIZE <= h->text_end);
	/* The exit table and the VMCALL table need relocations. */
	assert_true(h->rela_size >= 20 * sizeof(struct rela));
}

static void load_copies_and_relocates(void **state)
{
	const struct root_image_header *h = header(hv_root_image);
	const struct rela *r = (const void *)(hv_root_image + h->rela_offset);
	u64 n = h->rela_size / sizeof(*r), i, relocated = 0;
	struct root_image img;
	u8 *dst = dst_pages();

	assert_int_equal(
		root_image_load(hv_root_image, image_size(), dst, 64 * PAGE_SIZE_4K, LOAD_VA, &img),
		FVX_OK);
	assert_ptr_equal(img.copy, dst);
	assert_int_equal(img.va, LOAD_VA);
	assert_int_equal(img.size, h->image_size);
	assert_int_equal(img.text_end, h->text_end);
	assert_int_equal(img.exit_stub, LOAD_VA + h->exit_stub);
	assert_int_equal(img.idt_stubs, LOAD_VA + h->idt_stubs);
	/* Code is copied as it is. */
	assert_memory_equal(dst, hv_root_image, h->text_end);
	/* Every relocated slot holds an address inside the loaded image. */
	for (i = 0; i < n; i++) {
		u64 slot;

		assert_int_equal(r[i].info, R_X86_64_RELATIVE);
		memcpy(&slot, dst + r[i].offset, sizeof(slot));
		assert_int_equal(slot, LOAD_VA + (u64)r[i].addend);
		assert_true(slot - LOAD_VA < h->image_size);
		relocated++;
	}
	assert_int_equal(relocated, n);
	free(dst);
}

static void load_refuses(const u8 *image, u64 size, u64 dst_size)
{
	struct root_image img;
	u8 *dst = dst_pages();

	assert_int_equal(root_image_load(image, size, dst, dst_size, LOAD_VA, &img),
			 FVX_ERR_INVALID);
	free(dst);
}

static void bad_headers_are_refused(void **state)
{
	u8 *copy = image_copy();
	struct root_image_header *h = (struct root_image_header *)copy;
	const struct root_image_header good = *h;

	load_refuses(copy, sizeof(*h) - 1, 64 * PAGE_SIZE_4K);
	load_refuses(copy, image_size() - 1, 64 * PAGE_SIZE_4K); /* truncated */
	load_refuses(copy, image_size(), h->image_size - 1); /* too little room */
	h->magic ^= 1;
	load_refuses(copy, image_size(), 64 * PAGE_SIZE_4K);
	*h = good;
	h->version++;
	load_refuses(copy, image_size(), 64 * PAGE_SIZE_4K);
	*h = good;
	h->text_end += 8; /* code and data must not share a page */
	load_refuses(copy, image_size(), 64 * PAGE_SIZE_4K);
	*h = good;
	h->exit_stub = h->text_end; /* an entry point outside the code */
	load_refuses(copy, image_size(), 64 * PAGE_SIZE_4K);
	*h = good;
	h->idt_stubs = h->text_end - 16;
	load_refuses(copy, image_size(), 64 * PAGE_SIZE_4K);
	*h = good;
	h->rela_size += 8;
	load_refuses(copy, image_size(), 64 * PAGE_SIZE_4K);
	free(copy);
}

static void bad_relocations_are_refused(void **state)
{
	u8 *copy = image_copy();
	const struct root_image_header *h = header(copy);
	struct rela *r = (struct rela *)(copy + h->rela_offset);
	const struct rela good = r[0];

	r[0].info = 1; /* R_X86_64_64: would need a symbol */
	load_refuses(copy, image_size(), 64 * PAGE_SIZE_4K);
	r[0] = good;
	r[0].info = (1ULL << 32) | R_X86_64_RELATIVE;
	load_refuses(copy, image_size(), 64 * PAGE_SIZE_4K);
	r[0] = good;
	r[0].offset = h->exit_stub; /* patching code */
	load_refuses(copy, image_size(), 64 * PAGE_SIZE_4K);
	r[0] = good;
	r[0].offset = h->rela_offset; /* patching the relocations */
	load_refuses(copy, image_size(), 64 * PAGE_SIZE_4K);
	r[0] = good;
	r[0].offset = h->image_size - 4; /* past the end */
	load_refuses(copy, image_size(), 64 * PAGE_SIZE_4K);
	r[0] = good;
	r[0].addend = h->image_size; /* pointing outside the image */
	load_refuses(copy, image_size(), 64 * PAGE_SIZE_4K);
	r[0].addend = -8;
	load_refuses(copy, image_size(), 64 * PAGE_SIZE_4K);
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_image_is_well_formed),
		cmocka_unit_test(load_copies_and_relocates),
		cmocka_unit_test(bad_headers_are_refused),
		cmocka_unit_test(bad_relocations_are_refused),
	};

	return cmocka_run_group_tests_name("root_image", tests, NULL, NULL);
}
