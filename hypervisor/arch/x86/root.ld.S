/* Lays out the VMX-root image (scripts/build-root-image.sh): the header
 * (struct root_image_header, core/root_image.h) at offset 0, code up to a
 * page boundary, then read-only data and the relocations that the loader
 * applies (core/root_image.c). Linked at 0, position-independent. Each
 * header field is placed at its C offset from the generated fvx_offsets.h.
 * Any section not named here fails the link (--orphan-handling=error). */
#include "fvx_offsets.h"

ENTRY(arch_vmx_exit_stub)
SECTIONS
{
	. = 0;
	.header : {
		. = RIH_OFF_MAGIC;		LONG(RIH_MAGIC)
		. = RIH_OFF_VERSION;		SHORT(RIH_VERSION)
		. = RIH_OFF_HEADER_SIZE;	SHORT(RIH_HEADER_SIZE)
		. = RIH_OFF_IMAGE_SIZE;		LONG(_image_end)
		. = RIH_OFF_TEXT_END;		LONG(_text_end)
		. = RIH_OFF_RELA_OFFSET;	LONG(ADDR(.rela.dyn))
		. = RIH_OFF_RELA_SIZE;		LONG(SIZEOF(.rela.dyn))
		. = RIH_OFF_EXIT_STUB;		LONG(arch_vmx_exit_stub)
		. = RIH_OFF_IDT_STUBS;		LONG(arch_host_idt_stubs)
		. = RIH_HEADER_SIZE;
	}
	.text : { *(.text .text.*) }
	. = ALIGN(4096);
	_text_end = .;
	/* Read-only in VMX root: all of its state lives in the pool. */
	.rodata : { *(.rodata .rodata.*) }
	.data.rel.ro : { *(.data.rel.ro .data.rel.ro.*) }
	.rela.dyn : { *(.rela.*) }
	_image_end = .;

	/* Not part of the image: must stay empty, or only the linker's own. */
	.data : { *(.data .data.* .bss .bss.* .dynbss) *(COMMON) }
	.got : { *(.got .got.plt .igot.plt) }
	.plt : { *(.plt .plt.* .iplt) }
	.dynamic : { *(.dynamic) }
	.dynsym : { *(.dynsym) }
	.dynstr : { *(.dynstr) }
	.hash : { *(.hash .gnu.hash) }
	.gnu.version : { *(.gnu.version .gnu.version_d .gnu.version_r) }
	.symtab 0 : { *(.symtab) }
	.strtab 0 : { *(.strtab) }
	.shstrtab 0 : { *(.shstrtab) }
	/* DWARF, for addr2line on a VMX-root RIP minus HOST_ROOT_VA. */
	.debug_info 0 : { *(.debug_info) }
	.debug_abbrev 0 : { *(.debug_abbrev) }
	.debug_aranges 0 : { *(.debug_aranges) }
	.debug_line 0 : { *(.debug_line) }
	.debug_line_str 0 : { *(.debug_line_str) }
	.debug_str 0 : { *(.debug_str) }
	.debug_rnglists 0 : { *(.debug_rnglists) }
	.debug_loclists 0 : { *(.debug_loclists) }
	.debug_frame 0 : { *(.debug_frame) }
	/DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) *(.sframe) *(.interp) }
}
ASSERT(SIZEOF(.header) == RIH_HEADER_SIZE, "the image header has the wrong size");
ASSERT(SIZEOF(.data) == 0, "VMX root keeps its state in the pool: no writable data");
ASSERT(SIZEOF(.got) == 0 && SIZEOF(.plt) == 0, "every reference must be PC-relative");
