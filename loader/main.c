// SPDX-License-Identifier: GPL-2.0
/* fastvmix_hv: the loader module. Implements the hypervisor's platform
 * boundary with Linux and starts/stops the hypervisor on load/unload. */
#include <linux/cpu.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/kprobes.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/desc.h>
#include <asm/pgtable_types.h>
#include <asm/vdso.h>

#include "platform.h"
#include "hypervisor.h"
#include "fastvmix/ioctl.h"
#include "fastvmix/trace.h"
#include "fastvmix/ring.h"

#define CONTIG_TRIES 64

struct ram_ranges {
	u64 start[16], end[16]; /* [start, end) */
	unsigned int count;
};

static int ram_range_cb(struct resource *res, void *arg)
{
	struct ram_ranges *r = arg;

	if (r->count < ARRAY_SIZE(r->start)) {
		r->start[r->count] = res->start;
		r->end[r->count++] = res->end + 1;
	}
	return 0;
}

/* Whether pages [pfn, pfn + n) are online RAM of one zone that nothing has
 * reserved (the kernel's image, the firmware's): what alloc_contig_range
 * may take, by moving whatever is there elsewhere. */
static bool contig_candidate(unsigned long pfn, unsigned long n)
{
	struct page *first = pfn_to_online_page(pfn), *p;
	unsigned long i;

	if (!first)
		return false;
	for (i = 0; i < n; i++) {
		p = pfn_to_online_page(pfn + i);
		if (!p || page_zone(p) != page_zone(first) || PageReserved(p))
			return false;
	}
	return true;
}

_Static_assert(PLATFORM_CONTIG_BLOCK == PAGE_SIZE << (MAX_ORDER - 1),
	       "one block is the buddy allocator's largest");

/* More than the buddy allocator's largest block: a range Linux empties for
 * us (alloc_contig_range, as its CMA and gigantic pages do), tried from
 * the top of RAM down, 4 MiB at a time, CONTIG_TRIES ranges at most. */
void *platform_alloc_contig(u64 size)
{
	struct ram_ranges r = { .count = 0 };
	unsigned int tries = 0;
	struct page *p;
	u64 pa;
	int i;

	if (!size || size % PLATFORM_CONTIG_BLOCK)
		return NULL;
	if (size == PLATFORM_CONTIG_BLOCK) {
		p = alloc_pages(GFP_KERNEL | __GFP_ZERO, get_order(size));
		return p ? page_address(p) : NULL;
	}
	walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0, ~0ULL, &r,
			    ram_range_cb);
	for (i = r.count - 1; i >= 0; i--) {
		if (r.end[i] - r.start[i] < size)
			continue;
		for (pa = ALIGN_DOWN(r.end[i] - size, PLATFORM_CONTIG_BLOCK);
		     pa >= r.start[i] && tries < CONTIG_TRIES; pa -= PLATFORM_CONTIG_BLOCK) {
			cond_resched(); /* (each look reads up to size / 4 KiB pages) */
			if (contig_candidate(PHYS_PFN(pa), size >> PAGE_SHIFT)) {
				tries++;
				if (!alloc_contig_range(PHYS_PFN(pa), PHYS_PFN(pa + size),
							MIGRATE_MOVABLE,
							GFP_KERNEL | __GFP_NOWARN)) {
					memset(__va(pa), 0, size);
					return __va(pa);
				}
			}
			if (pa < PLATFORM_CONTIG_BLOCK)
				break;
		}
	}
	return NULL;
}

void platform_free_contig(void *va, u64 size)
{
	if (!va)
		return;
	if (size == PLATFORM_CONTIG_BLOCK)
		free_pages((unsigned long)va, get_order(size));
	else
		free_contig_range(PHYS_PFN(__pa(va)), size >> PAGE_SHIFT);
}

u64 platform_virt_to_phys(const void *va)
{
	return virt_to_phys((void *)va);
}

void *platform_phys_to_virt(u64 pa)
{
	return phys_to_virt(pa);
}

static int ram_top_cb(struct resource *res, void *arg)
{
	u64 *top = arg;

	if (res->end + 1 > *top)
		*top = res->end + 1;
	return 0;
}

u64 platform_ram_top(void)
{
	u64 top = 0;

	walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0, ~0ULL,
			    &top, ram_top_cb);
	return top;
}

/* kallsyms_lookup_name is not exported: a kprobe on it tells its address. */
static unsigned long kernel_symbol(const char *name)
{
	static unsigned long (*lookup)(const char *name);
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };

	if (!lookup && register_kprobe(&kp) == 0) {
		lookup = (void *)kp.addr;
		unregister_kprobe(&kp);
	}
	return lookup ? lookup(name) : 0;
}

/* Physical [start, end) of the kernel image between two symbols, whole
 * pages: the partial page after _etext holds nothing else (the gap up to
 * the next section is freed by Linux from its start). */
static void image_range(const char *start, const char *end, u64 *s, u64 *e)
{
	unsigned long a = kernel_symbol(start), b = kernel_symbol(end);

	if (a && b && a < b) {
		*s = __pa_symbol(a) & PAGE_MASK;
		*e = PAGE_ALIGN(__pa_symbol(b));
	}
}

/* Physical [start, end) of a vDSO image's code: its struct vdso_image
 * (not exported) points at the pages in the kernel image that every
 * process maps it from. */
static void vdso_range(const char *name, u64 *s, u64 *e)
{
	const struct vdso_image *image = (const void *)kernel_symbol(name);

	if (image && image->data && image->size && !offset_in_page(image->data)) {
		*s = slow_virt_to_phys(image->data);
		*e = *s + PAGE_ALIGN(image->size);
	}
}

void platform_kernel_layout(struct platform_kernel_layout *l)
{
	static const char *const vdso[] = { "vdso_image_64", "vdso_image_32", "vdso_image_x32" };
	struct mm_struct **poking_mm = (void *)kernel_symbol("poking_mm");
	struct desc_ptr idt;
	unsigned int i;

	memset(l, 0, sizeof(*l));
	image_range("_stext", "_etext", &l->text.start, &l->text.end);
	image_range("__start_rodata", "__end_rodata", &l->rodata.start, &l->rodata.end);
	/* Linux's IDTR points at a read-only alias of idt_table. */
	store_idt(&idt);
	l->idt_page = slow_virt_to_phys((void *)idt.address) & PAGE_MASK;
	if (poking_mm && *poking_mm)
		l->patch_cr3 = __pa((*poking_mm)->pgd);
	BUILD_BUG_ON(ARRAY_SIZE(vdso) != ARRAY_SIZE(l->vdso));
	for (i = 0; i < ARRAY_SIZE(vdso); i++)
		vdso_range(vdso[i], &l->vdso[i].start, &l->vdso[i].end);
}

unsigned int platform_cpu_count(void)
{
	return nr_cpu_ids;
}

void platform_cpu_tables_reload(void)
{
	force_reload_TR();
}

unsigned int platform_cpu_index(void)
{
	return smp_processor_id();
}

struct each_cpu_call {
	enum fvx_status (*fn)(void *ctx);
	void *ctx;
	atomic_t failed; /* first failing status, 0 if none */
};

static void each_cpu_trampoline(void *info)
{
	struct each_cpu_call *call = info;
	enum fvx_status s = call->fn(call->ctx);

	if (s != FVX_OK)
		atomic_cmpxchg(&call->failed, 0, s);
}

enum fvx_status platform_on_each_cpu(enum fvx_status (*fn)(void *ctx), void *ctx)
{
	struct each_cpu_call call = { .fn = fn, .ctx = ctx, .failed = ATOMIC_INIT(0) };

	on_each_cpu(each_cpu_trampoline, &call, 1);
	return atomic_read(&call.failed);
}

void platform_log(const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	printk(KERN_INFO "fastvmix: %pV", &vaf);
	va_end(args);
}

/* /dev/fastvmix-hv: the hypervisor's status for the frontend, through VMCALL. */
static long hv_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct fvx_ioc_hv_status *req;
	s64 status;
	long err = 0;

	if (cmd != FVX_IOC_HV_STATUS)
		return -ENOTTY;
	/* One zeroed page: the VMCALL buffer must not cross a page. */
	req = (void *)get_zeroed_page(GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	if (copy_from_user(req, (void __user *)arg, offsetof(struct fvx_ioc_hv_status, status))) {
		err = -EFAULT;
		goto out;
	}
	if (req->version != FVX_IOC_HV_STATUS_VERSION) {
		err = -EINVAL;
		goto out;
	}
	/* The hypervisor's status codes are negated errnos (vmcall.h). */
	status = fvx_vmcall(FVX_VMCALL_STATUS, req->cpu, virt_to_phys(&req->status),
			    sizeof(req->status), NULL);
	if (status != FVX_VMCALL_OK) {
		err = status;
		goto out;
	}
	if (copy_to_user((void __user *)arg, req, sizeof(*req)))
		err = -EFAULT;
out:
	free_page((unsigned long)req);
	return err;
}

static const struct file_operations hv_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hv_ioctl,
};

static struct miscdevice hv_device = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "fastvmix-hv",
	.fops = &hv_fops,
	.mode = 0600,
};

static bool running;

static ulong ring_records = FVX_RING_RECORDS_DEFAULT;
module_param(ring_records, ulong, 0444);
MODULE_PARM_DESC(ring_records, "records in each CPU's trace ring, rounded up to a power of two "
			       "(96 bytes each; default 131072)");

/* For the agent module: whether VMCALL has someone to answer it. */
bool fastvmix_hv_running(void)
{
	return running;
}
EXPORT_SYMBOL_GPL(fastvmix_hv_running);

/* CPU hotplug is off while the hypervisor runs: a CPU brought online would
 * get its INIT and SIPIs as a guest (a fatal exit: the hypervisor does not
 * start CPUs), and one taken offline would keep its VMCS, its trace mode
 * with it. Writes to /sys/devices/system/cpu/cpuN/online get EBUSY. */
static int __init fastvmix_init(void)
{
	enum fvx_status s;
	ktime_t start = ktime_get();
	int err;

	cpu_hotplug_disable();
	cpus_read_lock();
	s = hv_load(ring_records);
	cpus_read_unlock();
	if (s != FVX_OK) {
		cpu_hotplug_enable();
		pr_err("fastvmix: not loaded: %s\n", fvx_status_str(s));
		return s == FVX_ERR_NOMEM     ? -ENOMEM
		       : s == FVX_ERR_BUSY    ? -EBUSY
		       : s == FVX_ERR_INVALID ? -EINVAL
					      : -ENODEV;
	}
	err = misc_register(&hv_device);
	if (err) {
		cpus_read_lock();
		hv_unload();
		cpus_read_unlock();
		cpu_hotplug_enable();
		return err;
	}
	running = true;
	pr_info("fastvmix: loaded in %lld us\n", ktime_us_delta(ktime_get(), start));
	return 0;
}

static void __exit fastvmix_exit(void)
{
	ktime_t start = ktime_get();

	misc_deregister(&hv_device);
	running = false;
	cpus_read_lock();
	hv_unload();
	cpus_read_unlock();
	cpu_hotplug_enable();
	pr_info("fastvmix: unloaded in %lld us\n", ktime_us_delta(ktime_get(), start));
}

module_init(fastvmix_init);
module_exit(fastvmix_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("FastVMIX hypervisor loader");
