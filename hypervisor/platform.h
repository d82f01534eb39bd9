/* The one boundary between the hypervisor core and the operating system
 * that loads it. The loader module implements it with Linux; the unit tests
 * implement it with a fake. Used only at load and unload time, never in VMX
 * root after launch. */
#ifndef FVX_PLATFORM_H
#define FVX_PLATFORM_H

#include "types.h"
#include "status.h"

/* Zeroed, physically contiguous memory: size a multiple of
 * PLATFORM_CONTIG_BLOCK, and the block aligned to it. NULL when there is
 * none that large. */
#define PLATFORM_CONTIG_BLOCK (4ULL << 20)
void *platform_alloc_contig(u64 size);
void platform_free_contig(void *va, u64 size);
u64 platform_virt_to_phys(const void *va);
void *platform_phys_to_virt(u64 pa);

/* End of the highest RAM range (guest-physical). */
u64 platform_ram_top(void);

unsigned int platform_cpu_count(void); /* online CPUs, numbered 0..count-1 */
unsigned int platform_cpu_index(void); /* this CPU's number */
/* Runs fn(ctx) on every online CPU with interrupts off; FVX_OK when every
 * call returned FVX_OK, else the first failure. */
enum fvx_status platform_on_each_cpu(enum fvx_status (*fn)(void *ctx), void *ctx);

/* After VMXOFF on this CPU: reload the OS's own TR (its TSS descriptor is
 * busy, so only the OS can), GDT and IDT. */
void platform_cpu_tables_reload(void);

/* What of the OS kernel the traced path relies on (kprotect.h, tsc.h):
 * physical, page-aligned [start, end) ranges; a range the OS cannot name
 * is left empty (start == end). */
struct platform_kernel_layout {
	struct {
		u64 start, end;
	} text, rodata;
	u64 idt_page; /* the IDT's page, 0 if unknown */
	u64 patch_cr3; /* the top-level table the OS patches its text through, 0 if none */
	/* The vDSO's code (64-bit, 32-bit, x32 images): the physical pages
	 * every process maps it from (tsc.h). */
	struct {
		u64 start, end;
	} vdso[3];
};
void platform_kernel_layout(struct platform_kernel_layout *l);

void platform_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
