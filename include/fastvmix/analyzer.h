/* Analyzer images: position-independent, freestanding code that runs at
 * guest ring 0 in the analyzer view. The image is loaded at the window's
 * code region and entered as
 *     void entry(const struct fvx_event *ev, const struct fvx_config *cfg,
 *                void *scratch);
 * with interrupts off, on a per-CPU analyzer stack: at `entry` for each
 * system call, and at `return_entry` (when the image has one) each time a
 * system call returns, with the same arguments (fvx_event: the number, the
 * return value in args[0], FVX_RECORD_RETURN in flags). Code and read-only data
 * only: the region is not writable; `scratch` (FVX_WIN_DATA_SIZE bytes,
 * shared by all CPUs, zeroed when a trace starts) and the rings are. Include <linux/types.h> or
 * hypervisor/types.h first. */
#ifndef FASTVMIX_ANALYZER_H
#define FASTVMIX_ANALYZER_H

#define FVX_ANALYZER_MAGIC 0x41585646u /* "FVXA" */
#define FVX_ANALYZER_VERSION 1

struct fvx_analyzer_header {
	__u32 magic;
	__u16 version;
	__u16 header_size; /* sizeof(struct fvx_analyzer_header) */
	__u32 image_size; /* bytes, header included */
	__u32 entry; /* offset of the entry point from the image start */
	__u32 flags; /* FVX_ANALYZER_F_*; others must be 0 */
	__u32 return_entry; /* offset of the return entry point, 0: none */
	__u32 reserved[2]; /* must be 0 */
	char name[32]; /* NUL-terminated; 32-byte aligned, as GCC places it */
};
_Static_assert(sizeof(struct fvx_analyzer_header) == 64, "fvx_analyzer_header layout");
/* fvx_entry returns FVX_ENTRY_RETRY for a call it could not record, so the
 * thread waits instead of the record being dropped (FVX_CONFIG_RETRY). */
#define FVX_ANALYZER_F_WAIT (1u << 0)
/* Its return entry records a quick call whole (FVX_RECORD_WHOLE, from
 * pt_regs and the value) and returns FVX_ENTRY_RETRY for one that may wait
 * (FVX_EVENT_MAY_WAIT) when the ring has no room: the trampoline may then
 * skip the analyzer at such a call's entry (FVX_CONFIG_QUICK). */
#define FVX_ANALYZER_F_WHOLE (1u << 1)
#define FVX_ANALYZER_F_ALL (FVX_ANALYZER_F_WAIT | FVX_ANALYZER_F_WHOLE)

/* Why an image was refused: returned by the hypervisor with
 * FVX_VMCALL_ANALYZER_LOAD and by the agent in fvx_ioc_analyzer.error. */
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
	ANALYZER_BAD_RETURN_ENTRY,
};

#endif
