/* Loading the VMX-root image into the pool (see root_image.h). Load time. */
#include "root_image.h"
#include "pool.h"
#include "../arch/x86/asm.h"

/* ELF-64 relocation with addend (System V ABI, AMD64 supplement 4.4). */
struct elf64_rela {
	u64 offset, info;
	s64 addend;
};
#define ELF64_R_TYPE(info) ((u32)(info))
#define ELF64_R_SYM(info) ((info) >> 32)
#define R_X86_64_RELATIVE 8 /* B + A */

static bool header_ok(const struct root_image_header *h, u64 size, u64 dst_size)
{
	const u64 idt_end = (u64)h->idt_stubs + 256 * ARCH_HOST_IDT_STUB_SIZE;

	return size >= sizeof(*h) && h->magic == ROOT_IMAGE_MAGIC &&
	       h->version == ROOT_IMAGE_VERSION && h->header_size == sizeof(*h) &&
	       h->image_size <= size && h->image_size <= dst_size &&
	       !(h->text_end & (PAGE_SIZE_4K - 1)) && h->text_end <= h->image_size &&
	       h->rela_offset >= h->text_end && h->rela_size % sizeof(struct elf64_rela) == 0 &&
	       (u64)h->rela_offset + h->rela_size <= h->image_size &&
	       h->exit_stub >= h->header_size && h->exit_stub < h->text_end &&
	       h->idt_stubs >= h->header_size && idt_end <= h->text_end;
}

enum fvx_status root_image_load(const u8 *image, u64 size, u8 *dst, u64 dst_size, u64 va,
				struct root_image *out)
{
	const struct root_image_header *h = (const void *)image;
	const struct elf64_rela *rela;
	u64 i, n;

	if (!header_ok(h, size, dst_size))
		return FVX_ERR_INVALID;
	for (i = 0; i < h->image_size; i++)
		dst[i] = image[i];
	/* Read from the loader's copy: what was checked is what is applied. */
	rela = (const void *)(image + h->rela_offset);
	n = h->rela_size / sizeof(*rela);
	for (i = 0; i < n; i++) {
		/* Only absolute addresses in data (the function-pointer tables),
		 * to something inside the image. */
		if (ELF64_R_TYPE(rela[i].info) != R_X86_64_RELATIVE || ELF64_R_SYM(rela[i].info) ||
		    rela[i].offset < h->text_end || rela[i].offset > h->image_size - 8 ||
		    rela[i].offset - h->rela_offset < h->rela_size || rela[i].addend < 0 ||
		    (u64)rela[i].addend >= h->image_size)
			return FVX_ERR_INVALID;
		*(u64 *)(dst + rela[i].offset) = va + (u64)rela[i].addend;
	}
	*out = (struct root_image){ .copy = dst,
				    .va = va,
				    .size = h->image_size,
				    .text_end = h->text_end,
				    .exit_stub = va + h->exit_stub,
				    .idt_stubs = va + h->idt_stubs };
	return FVX_OK;
}
