// SPDX-License-Identifier: GPL-2.0
/* Test module: a guest ring-0 attacker on what the traced path relies on
 * outside the window: the syscall MSRs (group=msr), the descriptor tables
 * (group=dt), kernel text and read-only data (group=text), and a task's
 * mark (group=unmark pid=N: the syscall-tracepoint flag of each thread of
 * process N, which a trace that is not sealed trusts). On one CPU,
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
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/kdebug.h>
#include <linux/vmalloc.h>
#include <asm/desc.h>
#include <asm/set_memory.h>
#include <asm/asm.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/traps.h>

#include "fastvmix/vmcall.h"
#include "fastvmix/trace.h"

static char *group = "";
module_param(group, charp, 0);
static int pid_arg;
module_param_named(pid, pid_arg, int, 0);

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

/* ---- group dt: the descriptor tables ---- */

/* A #GP gate of a copied IDT leads here: it notes its use and goes on to
 * Linux's handler, so a copy that did get loaded is seen, not fatal. */
static unsigned long linux_gp_handler __used;
static int copy_gate_used __used;
asm(".pushsection .text\n"
    "fvx_copy_gp_gate:\n"
    "	movl $1, copy_gate_used(%rip)\n"
    "	jmp *linux_gp_handler(%rip)\n"
    ".popsection\n");
void fvx_copy_gp_gate(void);

static void set_gate(gate_desc *g, unsigned long target)
{
	g->offset_low = target;
	g->offset_middle = target >> 16;
	g->offset_high = target >> 32;
}

static void lidt(const struct desc_ptr *d)
{
	asm volatile("lidt %0" : : "m"(*d));
}

static void lgdt(const struct desc_ptr *d)
{
	asm volatile("lgdt %0" : : "m"(*d));
}

/* LSL of sel; ~0 when it fails. */
static unsigned int segment_limit(u16 sel)
{
	unsigned int limit = ~0U;

	asm volatile("lsl %k1, %k0" : "+r"(limit) : "r"((unsigned int)sel) : "cc");
	return limit;
}

/* LTR sel; true when it faulted. */
static bool ltr_faults(u16 sel)
{
	int faulted = 1;

	asm volatile("1: ltr %w[sel]\n"
		     "   movl $0, %[faulted]\n"
		     "2:\n" _ASM_EXTABLE(1b, 2b)
		     : [faulted] "+r"(faulted)
		     : [sel] "r"(sel)
		     : "memory");
	return faulted;
}

/* A load from a non-canonical address: #GP on any CPU (an unknown MSR is
 * not: Bochs reads it as 0). True when it faulted. */
static int noncanonical_load_faults(void)
{
	unsigned long value = 0, *p = (unsigned long *)0x8000000000000000UL;
	int faulted = 1;

	asm volatile("1: mov (%[p]), %[value]\n"
		     "   movl $0, %[faulted]\n"
		     "2:\n" _ASM_EXTABLE(1b, 2b)
		     : [faulted] "+r"(faulted), [value] "+r"(value)
		     : [p] "r"(p)
		     : "memory");
	return faulted;
}

/* LIDT of a copy of Linux's IDT: refused; SIDT reads the copy back, and
 * a #GP (a non-canonical load) still goes through Linux's IDT, not the
 * copy's gate. */
static void dt_lidt(void *copy)
{
	struct desc_ptr linux_idt, loaded = { 0 }, back = { 0 };
	unsigned long flags;
	int err;

	local_irq_save(flags);
	store_idt(&linux_idt);
	memcpy(copy, (void *)linux_idt.address, linux_idt.size + 1);
	linux_gp_handler = gate_offset((gate_desc *)linux_idt.address + X86_TRAP_GP);
	set_gate((gate_desc *)copy + X86_TRAP_GP, (unsigned long)fvx_copy_gp_gate);
	loaded = (struct desc_ptr){ .size = linux_idt.size, .address = (unsigned long)copy };
	lidt(&loaded);
	store_idt(&back);
	err = noncanonical_load_faults();
	lidt(&linux_idt);
	local_irq_restore(flags);
	report("lidt-shadowed", back.address == loaded.address && back.size == loaded.size,
	       back.address, loaded.address);
	report("lidt-linux-idt-serves", err && !copy_gate_used, err, copy_gate_used);
	store_idt(&back);
	report("lidt-restored", back.address == linux_idt.address, back.address, linux_idt.address);
}

/* LGDT of a copy whose user data descriptor has another limit: refused
 * (LSL still reads Linux's); SGDT reads the copy back. */
static void dt_lgdt(void *copy)
{
	struct desc_ptr linux_gdt, loaded, back = { 0 };
	unsigned long flags;
	unsigned int before, during;
	struct desc_struct *d = (struct desc_struct *)copy + GDT_ENTRY_DEFAULT_USER_DS;

	local_irq_save(flags);
	native_store_gdt(&linux_gdt);
	memcpy(copy, (void *)linux_gdt.address, linux_gdt.size + 1);
	d->limit0 = 0x1234;
	d->limit1 = 0;
	d->g = 0;
	loaded = (struct desc_ptr){ .size = linux_gdt.size, .address = (unsigned long)copy };
	before = segment_limit(__USER_DS);
	lgdt(&loaded);
	native_store_gdt(&back);
	during = segment_limit(__USER_DS);
	lgdt(&linux_gdt);
	local_irq_restore(flags);
	report("lgdt-shadowed", back.address == loaded.address, back.address, loaded.address);
	report("lgdt-refused", during == before, during, before);
	native_store_gdt(&back);
	report("lgdt-restored", back.address == linux_gdt.address, back.address, linux_gdt.address);
}

/* LTR of the kernel data segment (natively #GP: not a TSS): refused, STR
 * reads it back. Linux's own reload of its TSS (what the loader does) then
 * works: LGDT of the writable GDT, LTR, LGDT of the read-only one. */
static void dt_ltr(void)
{
	unsigned long flags;
	u16 linux_tr, back;
	bool faulted;

	local_irq_save(flags);
	asm volatile("str %0" : "=r"(linux_tr));
	faulted = ltr_faults(__KERNEL_DS);
	asm volatile("str %0" : "=r"(back));
	force_reload_TR();
	local_irq_restore(flags);
	report("ltr-refused", !faulted && back == __KERNEL_DS, faulted, back);
	asm volatile("str %0" : "=r"(back));
	report("ltr-linux-reload", back == linux_tr, back, linux_tr);
}

/* The attack on the analyzer's recovery: a fake IDT whose NMI gate is the
 * instruction after the module's own VMFUNC, a window code address pushed
 * as the frame, then a jump into the window. The LIDT is refused, the
 * VMFUNC undone, and the jump gets #UD (which the die notifier below turns
 * into a return to the module). */
static unsigned long window_target, window_recovery;
static int window_ud;

static int window_ud_notify(struct notifier_block *nb, unsigned long val, void *data)
{
	struct die_args *args = data;

	if (val != DIE_TRAP || args->trapnr != X86_TRAP_UD || args->regs->ip != window_target)
		return NOTIFY_DONE;
	window_ud = 1;
	args->regs->ip = window_recovery;
	return NOTIFY_STOP;
}

extern char fvx_after_vmfunc[], fvx_window_recovery[];
static struct notifier_block window_ud_nb = { .notifier_call = window_ud_notify };

static u64 find_window_va(void)
{
	struct fvx_window_info *info = (void *)get_zeroed_page(GFP_KERNEL);
	u64 *pml4, *pdpt, va = 0;
	unsigned int i;

	if (!info)
		return 0;
	if (!fvx_vmcall(FVX_VMCALL_WINDOW_INFO, virt_to_phys(info), 0, 0, NULL)) {
		pml4 = __va(__read_cr3() & CR3_ADDR_MASK);
		pdpt = __va(pml4[511] & PTE_PFN_MASK);
		for (i = 0; i < 512; i++) {
			u64 e = READ_ONCE(pdpt[i]);

			if ((e & _PAGE_PRESENT) && (e & _PAGE_PSE) &&
			    (e & 0x000fffffc0000000ULL) == info->window_gpa)
				va = 0xffffff8000000000ULL + (u64)i * (1ULL << 30);
		}
	}
	free_page((unsigned long)info);
	return va;
}

static noinline void dt_fake_idt_vmfunc(void *copy)
{
	struct desc_ptr linux_idt, fake;
	unsigned long flags;
	u64 window_va = find_window_va();

	report("window-found", window_va, window_va, 0);
	if (!window_va)
		return;
	window_target = window_va + FVX_WIN_CODE + 0x100;
	register_die_notifier(&window_ud_nb);
	local_irq_save(flags);
	store_idt(&linux_idt);
	memcpy(copy, (void *)linux_idt.address, linux_idt.size + 1);
	set_gate((gate_desc *)copy + X86_TRAP_NMI, (unsigned long)fvx_after_vmfunc);
	window_recovery = (unsigned long)fvx_window_recovery;
	fake = (struct desc_ptr){ .size = linux_idt.size, .address = (unsigned long)copy };
	lidt(&fake);
	asm volatile("push %[target]\n" /* the "interrupted" window code */
		     "xor %%eax, %%eax\n"
		     "mov $1, %%ecx\n"
		     "vmfunc\n"
		     "fvx_after_vmfunc:\n"
		     "add $8, %%rsp\n"
		     "jmp *%[target]\n"
		     "fvx_window_recovery:\n"
		     :
		     : [target] "r"(window_target)
		     : "rax", "rcx", "memory");
	lidt(&linux_idt);
	local_irq_restore(flags);
	unregister_die_notifier(&window_ud_nb);
	report("fake-idt-vmfunc-ud", window_ud, window_ud, window_target);
}

/* The attack on the VMFUNCs back to view 0: jump to one (the return
 * entry's, in this CPU's trampoline copy) with ECX = 1, to stay in the
 * analyzer view and run the window code after it there, with RBX (the
 * stack it restores) ours. The read of the guard page right after the
 * VMFUNC faults in view 1: the hypervisor undoes the switch and gives #UD
 * there, which the die notifier turns into a return here. Without the
 * guard the code would run on in view 1 and return here through our
 * frame, with no #UD. */
extern char fvx_gadget_recovery[];
static unsigned long gadget_rsp __used;

static noinline void dt_vmfunc_gadget(void)
{
	static const u8 guarded[] = { 0x0f, 0x01, 0xd4, 0xf6,
				      0x05 }; /* vmfunc; testb $0, x(%rip) */
	u64 window_va = find_window_va(), copy, at, frame[3];
	unsigned long flags;

	if (!window_va)
		return;
	register_die_notifier(&window_ud_nb);
	local_irq_save(flags);
	copy = window_va + FVX_WIN_TRAMPOLINE + smp_processor_id() * FVX_WIN_TRAMPOLINE_STRIDE;
	/* the third guarded VMFUNC: the return entry's, then mov %edi, %eax */
	for (at = FVX_WIN_TRAMPOLINE_RETURN; at + 16 < FVX_WIN_TRAMPOLINE_RETURN_EXIT; at++)
		if (!memcmp((void *)(copy + at), guarded, sizeof(guarded)) &&
		    !memcmp((void *)(copy + at + 10), "\x89\xf8", 2))
			break;
	report("view0-vmfunc-found", at + 16 < FVX_WIN_TRAMPOLINE_RETURN_EXIT, at, 0);
	if (at + 16 < FVX_WIN_TRAMPOLINE_RETURN_EXIT) {
		window_ud = 0;
		window_target = copy + at + 3; /* the guard's read */
		window_recovery = (unsigned long)fvx_gadget_recovery;
		frame[0] = native_save_fl(); /* (interrupts off) */
		frame[1] = 0;
		frame[2] = (u64)fvx_gadget_recovery;
		asm volatile("mov %%rsp, gadget_rsp(%%rip)\n"
			     "mov %[frame], %%rbx\n"
			     "xor %%eax, %%eax\n"
			     "mov $1, %%ecx\n"
			     "jmp *%[vmfunc]\n"
			     "fvx_gadget_recovery:\n"
			     "mov gadget_rsp(%%rip), %%rsp\n"
			     :
			     : [frame] "r"(frame), [vmfunc] "r"(copy + at)
			     : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
			       "memory", "cc");
		report("view0-vmfunc-guarded", window_ud, window_ud, window_target);
	}
	local_irq_restore(flags);
	unregister_die_notifier(&window_ud_nb);
}

static void attack_dt(void)
{
	void *copy = (void *)get_zeroed_page(GFP_KERNEL);

	if (!copy) {
		report("dt-memory", false, 0, 0);
		return;
	}
	dt_lidt(copy);
	dt_lgdt(copy);
	dt_ltr();
	dt_fake_idt_vmfunc(copy);
	dt_vmfunc_gadget();
	free_page((unsigned long)copy);
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
		report("text-write-alias-refused",
		       READ_ONCE(*pad) == 0xcc && READ_ONCE(*alias) == 0xcc, READ_ONCE(*pad),
		       READ_ONCE(*alias));
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

/* ---- group unmark: the task mark ---- */

/* Clears SYSCALL_WORK_SYSCALL_TRACEPOINT on every thread of process
 * pid_arg: its system calls then skip Linux's syscall tracepoints, and an
 * unsealed trace's trampoline (FVX_CONFIG_TASK_MARKS) would skip them. */
static void attack_unmark(void)
{
	struct task_struct *p, *t;
	int n = 0;

	rcu_read_lock();
	p = pid_task(find_vpid(pid_arg), PIDTYPE_PID);
	if (p)
		for_each_thread(p, t)
		{
			clear_task_syscall_work(t, SYSCALL_TRACEPOINT);
			n += !test_task_syscall_work(t, SYSCALL_TRACEPOINT);
		}
	rcu_read_unlock();
	report("unmark-cleared", n > 0, (u64)pid_arg, (u64)n);
}

static const struct {
	const char *name;
	void (*run)(void);
} groups[] = {
	{ "unmark", attack_unmark },
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
