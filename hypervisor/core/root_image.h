/* The VMX-root image: every byte of code and data that VMX root runs or
 * reads outside the pool, built as one freestanding position-independent
 * binary (scripts/build-root-image.sh, arch/x86/root.ld.S), embedded in the
 * loader, and copied into the pool at load time, where the guest cannot
 * see it. Loading it is pure: the unit tests load the real image. */
#ifndef FVX_CORE_ROOT_IMAGE_H
#define FVX_CORE_ROOT_IMAGE_H

#include "../types.h"
#include "../status.h"

#define ROOT_IMAGE_MAGIC 0x52585646 /* "FVXR" */
#define ROOT_IMAGE_VERSION 1

/* At offset 0 of the image, written by the linker script. Offsets are from
 * the start of the image. [0, text_end) is code (and this header); the rest
 * is read-only data, ending with the relocations. */
struct root_image_header {
	u32 magic;
	u16 version;
	u16 header_size;
	u32 image_size; /* bytes the loader copies; there is no .bss */
	u32 text_end; /* page-aligned */
	u32 rela_offset; /* Elf64_Rela[], R_X86_64_RELATIVE only */
	u32 rela_size;
	/* Entry points. */
	u32 exit_stub; /* HOST_RIP: arch_vmx_exit_stub */
	u32 idt_stubs; /* arch_host_idt_stubs: 256, ARCH_HOST_IDT_STUB_SIZE apart */
};
_Static_assert(sizeof(struct root_image_header) == 32, "root_image_header layout");

/* The image as loaded: where its copy is and where VMX root runs it. */
struct root_image {
	u8 *copy; /* the pool pages it was copied to */
	u64 va; /* its address in the host's page tables */
	u64 size, text_end;
	u64 exit_stub, idt_stubs; /* absolute: at va */
};

/* Checks the image (size bytes at image), copies it to dst (dst_size bytes)
 * and applies its relocations for address va. FVX_ERR_INVALID, with
 * nothing promised about dst, for anything but a well-formed image. */
enum fvx_status root_image_load(const u8 *image, u64 size, u8 *dst, u64 dst_size, u64 va,
				struct root_image *out);

/* The image the loader carries (arch/x86/root_image.S). */
extern const u8 hv_root_image[], hv_root_image_end[];

#endif
