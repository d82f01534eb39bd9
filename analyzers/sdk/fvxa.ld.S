/* Lays out an analyzer image: the header (struct fvx_analyzer_header in
 * include/fastvmix/analyzer.h), then code and read-only data, linked at 0
 * and entered RIP-relative. Preprocessed by build.sh with the generated
 * fvx_offsets.h: each header field is placed at its C offset, so a field
 * moved in C moves here too (and one moved backwards fails to link). */
#include "fvx_offsets.h"

ENTRY(fvx_entry)
SECTIONS
{
	. = 0;
	_image_start = .;
	.header : {
		. = FVXA_OFF_MAGIC;		LONG(FVXA_MAGIC)
		. = FVXA_OFF_VERSION;		SHORT(FVXA_VERSION)
		. = FVXA_OFF_HEADER_SIZE;	SHORT(FVXA_HEADER_SIZE)
		. = FVXA_OFF_IMAGE_SIZE;	LONG(_image_end - _image_start)
		. = FVXA_OFF_ENTRY;		LONG(fvx_entry - _image_start)
		/* FVX_ANALYZER_FLAGS, when the analyzer has them; else 0. */
		. = FVXA_OFF_FLAGS;		KEEP(*(.fvx_flags))
		. = FVXA_OFF_FLAGS + 4;
		/* fvx_return is optional: 0 when the analyzer has none. */
		. = FVXA_OFF_RETURN_ENTRY;	LONG(DEFINED(fvx_return) ? fvx_return - _image_start : 0)
		. = FVXA_OFF_NAME;		KEEP(*(.fvx_name))
		. = FVXA_HEADER_SIZE;
	}
	.text : { *(.text .text.*) }
	.rodata : { *(.rodata .rodata.*) }
	_image_end = .;
	.data : { *(.data .data.* .bss .bss.*) *(COMMON) }
	.got : { *(.got .got.plt) }
	.rela : { *(.rela*) }
	/DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) }
}
ASSERT(SIZEOF(.header) == FVXA_HEADER_SIZE, "the image header has the wrong size (FVX_ANALYZER missing?)");
ASSERT(SIZEOF(.data) == 0, "analyzers may not have writable data: use the scratch area");
ASSERT(SIZEOF(.got) == 0 && SIZEOF(.rela) == 0, "analyzers must not need relocations");
