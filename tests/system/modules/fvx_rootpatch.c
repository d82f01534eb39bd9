// SPDX-License-Identifier: GPL-2.0
/* Test module: can a ring-0 attacker run its own code in VMX root by
 * patching the loader module? It overwrites, with UD2, the loader's own
 * copy of the VMX-root code, data and relocations (the root image it
 * embeds: image=, the address of hv_root_image) and, for a loader that
 * links the root code as ordinary text, the start of vmexit_handler
 * (handler=), both found in /proc/kallsyms by the scenario. Then it runs
 * CPUID loops=N times on every CPU, each a VM exit, and reads the CPUID
 * exit counters through the hypervisor before and after. A hypervisor
 * that runs the loader's text would execute UD2 in VMX root and stop the
 * CPU: the load never returns. Otherwise the bytes are restored, one line
 * is printed, and the load fails, so nothing stays behind. */
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/types.h>
#include <asm/processor-flags.h>

#include "fastvmix/vmcall.h"
#include "fastvmix/exit_reasons.h"

static unsigned long image, handler;
static unsigned int loops = 2000;
module_param(image, ulong, 0);
module_param(handler, ulong, 0);
module_param(loops, uint, 0);

#define X(number, name, text) PROBE_EXIT_##name = number,
enum { FVX_EXIT_REASONS(X) };
#undef X

/* The start of struct root_image_header (hypervisor/core/root_image.h). */
struct image_header {
	u32 magic;
	u16 version;
	u16 header_size;
	u32 image_size;
};
#define IMAGE_MAGIC 0x52585646 /* "FVXR" */

struct patch {
	u8 *at;
	size_t size;
	u8 *saved;
};

/* Writes to read-only kernel memory the way a rootkit does: CR0.WP off on
 * this CPU, with interrupts off (no exit: the hypervisor does not own WP). */
static void write_readonly(u8 *dst, const u8 *src, size_t size, bool ud2)
{
	unsigned long flags, cr0;
	size_t i;

	local_irq_save(flags);
	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	asm volatile("mov %0, %%cr0" : : "r"(cr0 & ~X86_CR0_WP) : "memory");
	for (i = 0; i < size; i++)
		dst[i] = ud2 ? (i & 1 ? 0x0b : 0x0f) : src[i];
	asm volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
	local_irq_restore(flags);
}

static int patch_apply(struct patch *p, unsigned long at, size_t size)
{
	p->at = (u8 *)at;
	p->size = size;
	p->saved = kmalloc(size, GFP_KERNEL);
	if (!p->saved)
		return -ENOMEM;
	memcpy(p->saved, p->at, size);
	write_readonly(p->at, NULL, size, true);
	return 0;
}

static void patch_undo(struct patch *p)
{
	if (!p->saved)
		return;
	write_readonly(p->at, p->saved, p->size, false);
	kfree(p->saved);
}

static void cpuid_loop(void *unused)
{
	unsigned int i, a, b, c, d;

	for (i = 0; i < loops; i++) {
		a = 0;
		c = 0;
		asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	}
}

/* CPUID exits of every CPU so far, through the hypervisor; false if it
 * does not answer. */
static bool cpuid_exits(struct fvx_cpu_status *st, u64 *out)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		if (fvx_vmcall(FVX_VMCALL_STATUS, cpu, virt_to_phys(st), sizeof(*st), NULL) !=
		    FVX_VMCALL_OK)
			return false;
		out[cpu] = st->exits[PROBE_EXIT_CPUID];
	}
	return true;
}

static int __init rootpatch_init(void)
{
	struct fvx_cpu_status *st = (void *)get_zeroed_page(GFP_KERNEL);
	u64 *before = kcalloc(nr_cpu_ids, sizeof(u64), GFP_KERNEL);
	u64 *after = kcalloc(nr_cpu_ids, sizeof(u64), GFP_KERNEL);
	const struct image_header *h = (const void *)image;
	struct patch img = { 0 }, fn = { 0 };
	u64 least = ~0ULL;
	unsigned int cpu;
	int err = -EINVAL;

	if (!st || !before || !after) {
		err = -ENOMEM;
		goto out;
	}
	if ((!image && !handler) ||
	    (image && (h->magic != IMAGE_MAGIC || h->header_size >= h->image_size))) {
		pr_info("fvx_rootpatch: no root image at %#lx and no vmexit_handler\n", image);
		goto out;
	}
	if (!cpuid_exits(st, before)) {
		pr_info("fvx_rootpatch: the hypervisor does not answer\n");
		err = -ENODEV;
		goto out;
	}
	/* Everything after the header: code, tables, strings, relocations. */
	if (image) {
		err = patch_apply(&img, image + h->header_size, h->image_size - h->header_size);
		if (err)
			goto out;
	}
	if (handler) {
		err = patch_apply(&fn, handler, 2);
		if (err)
			goto undo;
	}
	on_each_cpu(cpuid_loop, NULL, 1);
	if (!cpuid_exits(st, after)) {
		pr_info("fvx_rootpatch: the hypervisor stopped answering\n");
		err = -EIO;
		goto undo;
	}
	for_each_online_cpu(cpu)
		least = min(least, after[cpu] - before[cpu]);
	pr_info("fvx_rootpatch: patched=%zu handler_patched=%d loops=%u least_cpuid_exits=%llu "
		"exits_moved=%d\n",
		img.size + fn.size, handler != 0, loops, least, least >= loops);
	err = -EAGAIN; /* done: do not stay loaded */
undo:
	patch_undo(&fn);
	patch_undo(&img);
out:
	kfree(after);
	kfree(before);
	free_page((unsigned long)st);
	return err;
}

module_init(rootpatch_init);
MODULE_LICENSE("GPL");
