// SPDX-License-Identifier: GPL-2.0
/* Test module: a guest ring-0 attacker on what the traced path relies on
 * outside the window: the syscall MSRs (group=msr), the descriptor tables
 * (group=dt) and kernel text and read-only data (group=text). On one CPU,
 * with interrupts off where an attack needs it, it runs its group's
 * attacks and prints one line per attack,
 *   fvx_kattack: NAME ok|FAIL (details)
 * then the change of this CPU's counters,
 *   fvx_kattack: counters NAME=DELTA ...
 * and fails the load, so nothing stays behind. */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/asm.h>
#include <asm/msr.h>

#include "fastvmix/vmcall.h"

static char *group = "";
module_param(group, charp, 0);

static int failures;

static void __maybe_unused report(const char *name, bool ok, u64 a, u64 b)
{
	pr_info("fvx_kattack: %s %s (%#llx %#llx)\n", name, ok ? "ok" : "FAIL", a, b);
	failures += !ok;
}

/* The attacks of each group; each reports every attack it makes. */
static void attack_msr(void)
{
}

static void attack_dt(void)
{
}

static void attack_text(void)
{
}

static const struct {
	const char *name;
	void (*run)(void);
} groups[] = {
	{ "msr", attack_msr },
	{ "dt", attack_dt },
	{ "text", attack_text },
};

#define DELTA(field) #field, (long long)(after->field - before->field)

static int __init kattack_init(void)
{
	struct fvx_cpu_status *before = (void *)get_zeroed_page(GFP_KERNEL);
	struct fvx_cpu_status *after = (void *)get_zeroed_page(GFP_KERNEL);
	unsigned int i, cpu;

	if (!before || !after)
		goto out;
	cpu = get_cpu();
	if (fvx_vmcall(FVX_VMCALL_STATUS, cpu, virt_to_phys(before), sizeof(*before), NULL)) {
		pr_info("fvx_kattack: no hypervisor\n");
		put_cpu();
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(groups); i++)
		if (!strcmp(group, groups[i].name))
			groups[i].run();
	fvx_vmcall(FVX_VMCALL_STATUS, cpu, virt_to_phys(after), sizeof(*after), NULL);
	put_cpu();
	pr_info("fvx_kattack: counters %s=%lld %s=%lld %s=%lld %s=%lld %s=%lld %s=%lld\n",
		DELTA(msr_writes_shadowed), DELTA(dt_loads_refused), DELTA(kernel_writes_refused),
		DELTA(text_pokes), DELTA(resume_tampered), DELTA(view_attacks));
	pr_info("fvx_kattack: %s done, %d failed\n", group, failures);
out:
	free_page((unsigned long)before);
	free_page((unsigned long)after);
	return -EAGAIN;
}

module_init(kattack_init);
MODULE_LICENSE("GPL");
