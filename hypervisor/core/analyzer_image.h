/* Analyzer image validation (include/fastvmix/analyzer.h). Pure: the
 * hypervisor checks every image before it enters the window; the frontend
 * and the fuzz target use the same function. */
#ifndef FVX_CORE_ANALYZER_IMAGE_H
#define FVX_CORE_ANALYZER_IMAGE_H

#include "../types.h"
#include "fastvmix/analyzer.h"

/* Checks an image of `size` bytes for a code region of `region` bytes. */
enum analyzer_image_error analyzer_image_check(const void *image, u64 size, u64 region);
const char *analyzer_image_error_str(enum analyzer_image_error e);

#endif
