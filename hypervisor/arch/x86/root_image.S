/* The VMX-root image (build/gen/hv_root.bin, from
 * scripts/build-root-image.sh) carried as data by the loader:
 * core/root_image.c copies it into the pool at load time. Assemble with
 * -Wa,-I pointing at the folder that holds hv_root.bin. */

	.section .rodata, "a"
	.balign 16
	.globl hv_root_image, hv_root_image_end
hv_root_image:
	.incbin "hv_root.bin"
hv_root_image_end:

	.section .note.GNU-stack, "", @progbits
