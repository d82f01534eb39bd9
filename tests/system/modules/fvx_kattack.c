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
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <asm/desc.h>
#include <asm/set_memory.h>
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

/* A store with CR0.WP clear, as rootkits patch read-only kernel memory
 * (write_cr0() would put WP back: CR0 pinning). Interrupts are off. */
static void store_wp_off(void *p, u64 value, unsigned int size)
{
	unsigned long cr0 = read_cr0();

	asm volatile("mov %0, %%cr0" : : "r"(cr0 & ~X86_CR0_WP) : "memory");
	if (size == 8)
		WRITE_ONCE(*(u64 *)p, value);
	else
		WRITE_ONCE(*(u8 *)p, (u8)value);
	asm volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
}

/* A second, writable mapping of the page at kernel address va. */
static u8 *writable_alias(unsigned long va, struct page *page)
{
	void *map = vmap(&page, 1, VM_MAP, PAGE_KERNEL);

	return map ? (u8 *)map + offset_in_page(va) : NULL;
}

/* An int3 of the padding between two functions after addr: executed by
 * nothing, so a write that got through would do no harm. */
static u8 *padding_after(unsigned long addr)
{
	u8 *p = (u8 *)addr;
	unsigned int i;

	for (i = 1; i < 4096; i++)
		if (p[i - 1] == 0xc3 && p[i] == 0xcc)
			return p + i;
	return NULL;
}

static void attack_text(void)
{
	u64 *table = (u64 *)kernel_symbol("sys_call_table");
	unsigned long getpid = kernel_symbol("__x64_sys_getpid");
	struct desc_ptr idtr;
	/* After the ftrace call site (a kprobe there would use ftrace, not int3). */
	struct kprobe kp = { .symbol_name = "__x64_sys_getppid", .offset = 5 };
	unsigned long flags;
	u8 *pad, *alias;
	u64 entry, gate;
	int err;

	if (!table || !getpid || !(pad = padding_after(getpid))) {
		report("symbols-found", false, (u64)table, getpid);
		return;
	}
	/* sys_call_table[__NR_getpid] pointed at getppid's handler. */
	entry = READ_ONCE(table[39]);
	local_irq_save(flags);
	store_wp_off(&table[39], READ_ONCE(table[110]), 8);
	report("syscall-table-write-refused", READ_ONCE(table[39]) == entry, table[39], entry);
	local_irq_restore(flags);
	/* A byte of kernel text, with CR0.WP clear and through a new mapping. */
	local_irq_save(flags);
	store_wp_off(pad, 0x90, 1);
	report("text-write-wp-off-refused", READ_ONCE(*pad) == 0xcc, *pad, 0xcc);
	local_irq_restore(flags);
	alias = writable_alias((unsigned long)pad, virt_to_page(__va(__pa_symbol(pad))));
	if (alias) {
		WRITE_ONCE(*alias, 0x90);
		report("text-write-alias-refused", READ_ONCE(*pad) == 0xcc && *alias == 0xcc, *pad,
		       *alias);
		vunmap((void *)((unsigned long)alias & PAGE_MASK));
	}
	alias = writable_alias((unsigned long)&table[39],
			       virt_to_page(__va(__pa_symbol(&table[39]))));
	if (alias) {
		WRITE_ONCE(*(u64 *)alias, READ_ONCE(table[110]));
		report("syscall-table-alias-refused", READ_ONCE(table[39]) == entry, table[39],
		       entry);
		vunmap((void *)((unsigned long)alias & PAGE_MASK));
	}
	/* A gate of the IDT through a writable mapping of its page: the last
	 * vector's handler offset, low 16 bits. */
	store_idt(&idtr);
	alias = writable_alias(idtr.address + 255 * 16,
			       pfn_to_page(slow_virt_to_phys((void *)idtr.address) >> PAGE_SHIFT));
	if (alias) {
		local_irq_save(flags);
		gate = READ_ONCE(*(u64 *)alias);
		WRITE_ONCE(*(u64 *)alias, gate ^ 0x10);
		report("idt-gate-write-refused", READ_ONCE(*(u64 *)alias) == gate, *(u64 *)alias,
		       gate);
		WRITE_ONCE(*(u64 *)alias, gate);
		local_irq_restore(flags);
		vunmap((void *)((unsigned long)alias & PAGE_MASK));
	}
	/* Linux's own patching still works: a kprobe writes an int3 with
	 * text_poke, and its removal writes the byte back. */
	err = register_kprobe(&kp);
	report("kprobe-text-poke-works", !err && *(u8 *)kp.addr == 0xcc, err,
	       kp.addr ? *(u8 *)kp.addr : 0);
	if (!err) {
		unregister_kprobe(&kp);
		report("kprobe-removal-text-poke-works", *(u8 *)kp.addr != 0xcc, *(u8 *)kp.addr, 0);
	}
}

static const struct {
	const char *name;
	void (*run)(void);
} groups[] = {
	{ "msr", attack_msr },
	{ "dt", attack_dt },
	{ "text", attack_text },
};

/* The counters this module reports, summed over every CPU: an attack may
 * sleep (vmap, kprobes) and so move to another CPU. */
#define COUNTERS(X)                                                                                \
	X(msr_writes_shadowed)                                                                     \
	X(dt_loads_refused)                                                                        \
	X(kernel_writes_refused)                                                                   \
	X(text_pokes)                                                                              \
	X(resume_tampered)                                                                         \
	X(view_attacks)
struct counters {
#define FIELD(name) long long name;
	COUNTERS(FIELD)
};

static bool sum_counters(struct fvx_cpu_status *page, struct counters *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_online_cpu(cpu) {
		if (fvx_vmcall(FVX_VMCALL_STATUS, cpu, virt_to_phys(page), sizeof(*page), NULL))
			return false;
#define ADD(name) sum->name += page->name;
		COUNTERS(ADD)
	}
	return true;
}

static int __init kattack_init(void)
{
	struct fvx_cpu_status *page = (void *)get_zeroed_page(GFP_KERNEL);
	struct counters before, after;
	unsigned int i;

	if (!page)
		return -ENOMEM;
	if (!sum_counters(page, &before)) {
		pr_info("fvx_kattack: no hypervisor\n");
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(groups); i++)
		if (!strcmp(group, groups[i].name))
			groups[i].run();
	sum_counters(page, &after);
#define PRINT(name) pr_cont(" %s=%lld", #name, after.name - before.name);
	pr_info("fvx_kattack: counters");
	COUNTERS(PRINT)
	pr_cont("\n");
	pr_info("fvx_kattack: %s done, %d failed\n", group, failures);
out:
	free_page((unsigned long)page);
	return -EAGAIN;
}

module_init(kattack_init);
MODULE_LICENSE("GPL");
