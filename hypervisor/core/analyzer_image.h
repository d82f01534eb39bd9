/* Analyzer image validation (include/fastvmix/analyzer.h). Pure: the
 * hypervisor checks every image before it enters the window; the frontend
 * and the fuzz target use the same function. */
#ifndef FVX_CORE_ANALYZER_IMAGE_H
#define FVX_CORE_ANALYZER_IMAGE_H

#include "../types.h"
#include "fastvmix/analyzer.h"

enum analyzer_image_error {
	ANALYZER_OK = 0,
	ANALYZER_TOO_SMALL,
	ANALYZER_BAD_MAGIC,
	ANALYZER_BAD_VERSION,
	ANALYZER_BAD_HEADER_SIZE,
	ANALYZER_BAD_SIZE, /* image_size disagrees with the file, or exceeds the region */
	ANALYZER_BAD_ENTRY,
	ANALYZER_BAD_FLAGS,
	ANALYZER_BAD_NAME,
};

/* Checks an image of `size` bytes for a code region of `region` bytes. */
enum analyzer_image_error analyzer_image_check(const void *image, u64 size, u64 region);
const char *analyzer_image_error_str(enum analyzer_image_error e);

#endif
