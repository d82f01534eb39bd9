// SPDX-License-Identifier: GPL-2.0
/* Test module: can the guest read the hypervisor's memory? Reads the range
 * base..base+size through Linux's direct map, looks for the hypervisor's
 * signature, and checks that writes to one page show up in another (all of
 * the range is one dummy page in EPT). Prints one line and fails the load,
 * so nothing stays behind. */
#include <linux/io.h>
#include <linux/module.h>
#include <linux/string.h>

static unsigned long base, size;
module_param(base, ulong, 0);
module_param(size, ulong, 0);

static int __init memprobe_init(void)
{
	u8 *p, *q;
	unsigned long off, found = 0, nonzero_pages = 0;

	if (!base || !size || (base | size) & (PAGE_SIZE - 1) || size < 2 * PAGE_SIZE)
		return -EINVAL;
	for (off = 0; off < size; off += PAGE_SIZE) {
		p = phys_to_virt(base + off);
		if (memchr_inv(p, 0, PAGE_SIZE))
			nonzero_pages++;
		if (memcmp(p, "FastVMIX-hvstate", 16) == 0)
			found++;
	}
	p = phys_to_virt(base);
	q = phys_to_virt(base + size - PAGE_SIZE);
	WRITE_ONCE(p[100], 0x5a);
	pr_info("fvx_memprobe: signature_found=%lu nonzero_pages=%lu aliased=%d\n", found,
		nonzero_pages, READ_ONCE(q[100]) == 0x5a);
	WRITE_ONCE(p[100], 0);
	return -EAGAIN;
}

module_init(memprobe_init);
MODULE_LICENSE("GPL");
