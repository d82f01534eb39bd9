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

static void report(const char *name, bool ok, u64 a, u64 b)
{
	pr_info("fvx_kattack: %s %s (%#llx %#llx)\n", name, ok ? "ok" : "FAIL", a, b);
	failures += !ok;
}

/* The attacks of each group; each reports every attack it makes. */

/* Writes value to msr and reads it back, then writes the original back at
 * once: with interrupts off no system call runs in between, so a failed
 * protection is reported rather than crashing the next SYSCALL. The
 * hypervisor must let the guest read its own value (NAME-shadowed ok)
 * while the CPU keeps Linux's; the status counter says it saw the write. */
static void attack_one_msr(const char *name, u32 msr, u64 value)
{
	u64 orig, seen = 0;
	unsigned long flags;
	bool ok;

	local_irq_save(flags);
	ok = !rdmsrl_safe(msr, &orig) && !wrmsrl_safe(msr, value) && !rdmsrl_safe(msr, &seen);
	wrmsrl_safe(msr, orig);
	local_irq_restore(flags);
	report(name, ok && seen == value && value != orig, value, seen);
}

/* Six writes the CPU must not get: msr_writes_shadowed grows by 6 (the
 * writes of the originals back are Linux's values, not counted). */
static void attack_msr(void)
{
	u64 star, efer;

	rdmsrl(MSR_STAR, star);
	rdmsrl(MSR_EFER, efer);
	/* SYSCALL with the user's selectors, SYSRET with the kernel's. */
	attack_one_msr("STAR-shadowed", MSR_STAR,
		       (star & 0xffffffff) | (u64)(__USER32_CS & ~3) << 32 |
			       (u64)__KERNEL_CS << 48);
	attack_one_msr("CSTAR-shadowed", MSR_CSTAR, (u64)attack_msr);
	attack_one_msr("SYSENTER_CS-shadowed", MSR_IA32_SYSENTER_CS, __USER_CS);
	attack_one_msr("SYSENTER_ESP-shadowed", MSR_IA32_SYSENTER_ESP, (u64)&failures);
	attack_one_msr("SYSENTER_EIP-shadowed", MSR_IA32_SYSENTER_EIP, (u64)attack_msr);
	/* SYSCALL off: every system call would be #UD, the trampoline's too. */
	attack_one_msr("EFER-shadowed", MSR_EFER, efer & ~EFER_SCE);
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
