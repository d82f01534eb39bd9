/* Analyzer image checks: everything in the header is untrusted. */
#include "analyzer_image.h"

enum analyzer_image_error analyzer_image_check(const void *image, u64 size, u64 region)
{
	const struct fvx_analyzer_header *h = image;
	unsigned int i;

	if (!image || size < sizeof(*h))
		return ANALYZER_TOO_SMALL;
	if (h->magic != FVX_ANALYZER_MAGIC)
		return ANALYZER_BAD_MAGIC;
	if (h->version != FVX_ANALYZER_VERSION)
		return ANALYZER_BAD_VERSION;
	if (h->header_size != sizeof(*h))
		return ANALYZER_BAD_HEADER_SIZE;
	if (h->image_size != size || size > region)
		return ANALYZER_BAD_SIZE;
	if (h->entry < sizeof(*h) || h->entry >= h->image_size)
		return ANALYZER_BAD_ENTRY;
	if (h->return_entry && (h->return_entry < sizeof(*h) || h->return_entry >= h->image_size))
		return ANALYZER_BAD_RETURN_ENTRY;
	/* (Quick calls recorded whole need the return entry that records them.) */
	if ((h->flags & ~FVX_ANALYZER_F_ALL) || h->reserved[0] || h->reserved[1] ||
	    ((h->flags & FVX_ANALYZER_F_WHOLE) && !h->return_entry))
		return ANALYZER_BAD_FLAGS;
	for (i = 0; i < sizeof(h->name); i++)
		if (!h->name[i])
			return ANALYZER_OK;
	return ANALYZER_BAD_NAME;
}

const char *analyzer_image_error_str(enum analyzer_image_error e)
{
	switch (e) {
	case ANALYZER_OK: return "ok";
	case ANALYZER_TOO_SMALL: return "shorter than the image header";
	case ANALYZER_BAD_MAGIC: return "not an analyzer image (bad magic)";
	case ANALYZER_BAD_VERSION: return "unsupported image version";
	case ANALYZER_BAD_HEADER_SIZE: return "bad header size";
	case ANALYZER_BAD_SIZE: return "image size disagrees with the file or exceeds 256 KiB";
	case ANALYZER_BAD_ENTRY: return "entry point outside the code";
	case ANALYZER_BAD_FLAGS: return "unknown flags, or whole calls without a return entry";
	case ANALYZER_BAD_NAME: return "name not NUL-terminated";
	case ANALYZER_BAD_RETURN_ENTRY: return "return entry point outside the code";
	}
	return "unknown error";
}
