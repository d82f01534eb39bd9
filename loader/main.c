// SPDX-License-Identifier: GPL-2.0
/* fastvmix_hv: the loader module. Implements the hypervisor's platform
 * boundary with Linux and starts/stops the hypervisor on load/unload. */
#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/smp.h>

#include "platform.h"
#include "hypervisor.h"

void *platform_alloc_pages(unsigned int order)
{
	struct page *p = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);

	return p ? page_address(p) : NULL;
}

void platform_free_pages(void *va, unsigned int order)
{
	if (va)
		free_pages((unsigned long)va, order);
}

u64 platform_virt_to_phys(const void *va)
{
	return virt_to_phys((void *)va);
}

void *platform_phys_to_virt(u64 pa)
{
	return phys_to_virt(pa);
}

unsigned int platform_cpu_count(void)
{
	return num_online_cpus();
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

static int __init fastvmix_init(void)
{
	enum fvx_status s;

	cpus_read_lock();
	s = hv_load();
	cpus_read_unlock();
	if (s != FVX_OK) {
		pr_err("fastvmix: not loaded: %s\n", fvx_status_str(s));
		return s == FVX_ERR_NOMEM ? -ENOMEM : -ENODEV;
	}
	return 0;
}

static void __exit fastvmix_exit(void)
{
	cpus_read_lock();
	hv_unload();
	cpus_read_unlock();
}

module_init(fastvmix_init);
module_exit(fastvmix_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("FastVMIX hypervisor loader");
