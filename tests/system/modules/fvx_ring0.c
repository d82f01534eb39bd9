// SPDX-License-Identifier: GPL-2.0
/* Test module: a guest ring-0 attacker with the agent's own VMCALLs. Makes
 * VMCALL `function` with RBX = `rbx` on every CPU, prints one line with each
 * CPU's status and fails the load, so nothing stays behind. */
#include <linux/module.h>
#include <linux/smp.h>

#include "fastvmix/vmcall.h"

static uint function;
static ulong rbx;
module_param(function, uint, 0);
module_param(rbx, ulong, 0);

static long long status[NR_CPUS];

static void call_on_cpu(void *unused)
{
	status[smp_processor_id()] = fvx_vmcall(function, rbx, 0, 0, NULL);
}

static int __init ring0_init(void)
{
	char line[256];
	int cpu, n = 0;

	on_each_cpu(call_on_cpu, NULL, 1);
	for_each_online_cpu(cpu)
		n += scnprintf(line + n, sizeof(line) - n, " cpu%d=%lld", cpu, status[cpu]);
	pr_info("fvx_ring0: vmcall %u:%s\n", function, line);
	return -EAGAIN;
}

module_init(ring0_init);
MODULE_LICENSE("GPL");
