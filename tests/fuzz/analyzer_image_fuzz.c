/* libFuzzer target: analyzer image validation (hypervisor/core/
 * analyzer_image.c), which the hypervisor runs on every image a guest
 * hands it and the frontend on every file. An accepted image must be what
 * include/fastvmix/analyzer.h describes, for the code region size the
 * input's first byte picks (the window's, or smaller); every refusal names
 * a reason; nothing is read beyond the image (ASan). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyzer_image.h"
#include "fastvmix/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "\n==== FUZZ INVARIANT BROKEN: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fvx_analyzer_header *h;
	u64 region = FVX_WIN_CODE_SIZE;
	enum analyzer_image_error e;
	const char *why;
	uint8_t *image;

	if (size && data[0] == 0xff) { /* a smaller region: the image's own size and less */
		data++;
		size--;
		region = size - (size ? data[size - 1] % 64 : 0);
	}
	/* The image in a buffer of exactly its size, so ASan sees any read past it. */
	image = malloc(size ? size : 1);
	if (!image)
		return 0;
	memcpy(image, data, size);
	h = (const void *)image;
	e = analyzer_image_check(size ? image : NULL, size, region);
	why = analyzer_image_error_str(e);
	if (!why || !*why || e > ANALYZER_BAD_RETURN_ENTRY)
		fail("a result without a reason");
	if (e != analyzer_image_check(size ? image : NULL, size, region))
		fail("not deterministic");
	if (e == ANALYZER_OK &&
	    (size < sizeof(*h) || h->magic != FVX_ANALYZER_MAGIC ||
	     h->version != FVX_ANALYZER_VERSION || h->header_size != sizeof(*h) ||
	     h->image_size != size || size > region || h->entry < sizeof(*h) || h->entry >= size ||
	     (h->flags & ~(FVX_ANALYZER_F_WAIT | FVX_ANALYZER_F_WHOLE)) || h->reserved[0] ||
	     h->reserved[1] || ((h->flags & FVX_ANALYZER_F_WHOLE) && !h->return_entry) ||
	     (h->return_entry && (h->return_entry < sizeof(*h) || h->return_entry >= size)) ||
	     !memchr(h->name, 0, sizeof(h->name))))
		fail("accepted an image the format refuses");
	free(image);
	return 0;
}
