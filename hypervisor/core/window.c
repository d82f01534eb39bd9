/* The analyzer window: a 1 GiB guest-physical range that is not RAM, backed
 * where used by the hypervisor's window block, seen differently by the two
 * EPT views (include/fastvmix/trace.h for the layout):
 *
 *   window part   normal view (0)   analyzer view (1)
 *   trampoline    X only            X only
 *   config        R                 R
 *   analyzer code -                 R X
 *   scratch/stacks-                 R W
 *   rings         R                 R W
 *
 * Guest RAM is R W X in view 0 and R W in view 1, so nothing but the
 * trampoline and the analyzer runs in view 1. Also here: IA32_LSTAR
 * redirection and the trace VMCALLs. Load-time parts run in the loader;
 * the rest in VMX root. */
#include "window.h"
#include "analyzer_image.h"
#include "guest_mem.h"
#include "log.h"
#include "../arch/x86/asm.h"
#include "fastvmix/trace_emit.h"

extern const u8 fvx_trampoline[], fvx_trampoline_fast_end[], fvx_trampoline_end[];

#define SCRATCH_MARKER 0x7ffe0000u
#define GIB (1ULL << 30)
#define KERNEL_HALF 0xffff800000000000ULL

static struct fvx_config *config(const struct hv *hv)
{
	return (struct fvx_config *)(hv->window + FVX_WIN_CONFIG);
}

static struct fvx_ring_header *ring(const struct hv *hv, unsigned int cpu)
{
	return (struct fvx_ring_header *)(hv->window + FVX_WIN_RINGS + cpu * hv->ring_bytes);
}

static u8 window_perm(const struct hv *hv, u64 off, bool analyzer)
{
	u8 x = hv->x_only ? EPT_EXEC : EPT_EXEC | EPT_READ;

	if (off < FVX_WIN_CONFIG)
		return x;
	if (off < FVX_WIN_CONFIG + PAGE_SIZE_4K)
		return EPT_READ;
	if (off >= FVX_WIN_CODE && off < FVX_WIN_CODE + FVX_WIN_CODE_SIZE)
		return analyzer ? EPT_READ | EPT_EXEC : 0;
	if (off >= FVX_WIN_DATA && off < FVX_WIN_STACKS + FVX_WIN_MAX_CPUS * FVX_WIN_STACK_SIZE)
		return analyzer ? EPT_READ | EPT_WRITE : 0;
	if (off >= FVX_WIN_RINGS)
		return analyzer ? EPT_READ | EPT_WRITE : EPT_READ;
	return 0;
}

static enum fvx_status map_window(struct hv *hv, u64 pml4, bool analyzer)
{
	enum fvx_status s;
	u64 off;
	u8 perm;

	for (off = 0; off < FVX_WIN_BACKED; off += PAGE_SIZE_4K) {
		perm = window_perm(hv, off, analyzer);
		if (!perm)
			continue;
		s = ept_map_page(&hv->pool, pml4, hv->window_gpa + off, hv->window_pa + off, perm,
				 MEMTYPE_WB);
		if (s != FVX_OK)
			return s;
	}
	return FVX_OK;
}

static void reset_rings(struct hv *hv)
{
	u64 capacity = 1;
	unsigned int cpu;

	while (capacity * 2 * sizeof(struct fvx_trace_record) <= hv->ring_bytes - FVX_RING_RECORDS)
		capacity *= 2;
	for (cpu = 0; cpu < hv->cpu_count; cpu++) {
		struct fvx_ring_header *h = ring(hv, cpu);

		*h = (struct fvx_ring_header){ .version = FVX_RING_VERSION,
					       .record_size = sizeof(struct fvx_trace_record),
					       .capacity = capacity };
	}
}

enum fvx_status window_build(struct hv *hv, const struct ept_layout *normal_layout, u64 normal_pml4)
{
	struct ept_layout l = *normal_layout;
	struct ept_stats stats;
	u64 pml4;
	enum fvx_status s;

	if (hv->cpu_count > FVX_WIN_MAX_CPUS)
		return FVX_ERR_UNSUPPORTED;
	/* Halfway up the physical address space: far from RAM and MMIO. */
	hv->window_gpa = l.limit / 2;
	hv->x_only = hv->caps.ept_vpid & VMX_EPT_EXECUTE_ONLY;
	hv->ring_bytes = ((FVX_WIN_BACKED - FVX_WIN_RINGS) / hv->cpu_count) & ~(PAGE_SIZE_4K - 1);
	l.ram_perm = EPT_READ | EPT_WRITE;
	s = ept_build(&hv->pool, &l, &pml4, &stats);
	if (s == FVX_OK)
		s = map_window(hv, pml4, true);
	if (s == FVX_OK)
		s = map_window(hv, normal_pml4, false);
	if (s != FVX_OK)
		return s;
	hv->eptp_analyzer = ept_pointer(pml4);
	hv->eptp_list = pool_alloc(&hv->pool, 1);
	if (!hv->eptp_list)
		return FVX_ERR_NOMEM;
	hv->eptp_list[VIEW_NORMAL] = hv->eptp;
	hv->eptp_list[VIEW_ANALYZER] = hv->eptp_analyzer;
	*config(hv) = (struct fvx_config){ .version = FVX_CONFIG_VERSION,
					   .size = sizeof(struct fvx_config),
					   .cpu_count = hv->cpu_count,
					   .ring_bytes = hv->ring_bytes };
	reset_rings(hv);
	return FVX_OK;
}

/* Copies the trampoline into the window with the scratch offset filled in. */
static bool write_trampoline(struct hv *hv, u64 scratch)
{
	u64 size = fvx_trampoline_end - fvx_trampoline, i;
	unsigned int patched = 0;
	u8 *t = hv->window + FVX_WIN_TRAMPOLINE;

	if (size > FVX_WIN_CONFIG ||
	    fvx_trampoline_fast_end - fvx_trampoline > FVX_WIN_TRAMPOLINE_EXIT)
		return false;
	for (i = 0; i < FVX_WIN_CONFIG; i++)
		t[i] = i < size ? fvx_trampoline[i] : 0xcc; /* int3 filler */
	for (i = 0; i + 4 <= size; i++) {
		u32 v = *(u32 *)(t + i);

		if ((v & 0xffffff00u) == SCRATCH_MARKER) {
			*(u32 *)(t + i) = (u32)(scratch + (v & 0xff));
			patched++;
			i += 3;
		}
	}
	return patched > 0;
}

static bool read_guest(const struct hv *hv, u64 gpa, void *out, u64 size)
{
	u64 i;

	if (!guest_ram_range_ok(hv, gpa, size))
		return false;
	for (i = 0; i < size; i++)
		((u8 *)out)[i] = ((const volatile u8 *)(hv->page_offset + gpa))[i];
	return true;
}

static s64 window_info(struct hv *hv, u64 gpa)
{
	struct fvx_window_info info = { .version = FVX_WINDOW_INFO_VERSION,
					.size = sizeof(info),
					.window_gpa = hv->window_gpa,
					.backed = FVX_WIN_BACKED,
					.ring_bytes = hv->ring_bytes,
					.cpu_count = hv->cpu_count,
					.record_size = sizeof(struct fvx_trace_record) };

	struct fvx_window_info *out = guest_page_buffer(hv, gpa, sizeof(info));

	if (!out)
		return FVX_VMCALL_EINVAL;
	*out = info;
	return FVX_VMCALL_OK;
}

static s64 configure(struct vcpu *v, u64 gpa)
{
	struct hv *hv = v->hv;
	struct fvx_agent_config a;
	struct fvx_config *c = config(hv);

	if (hv->tracing_cpus)
		return FVX_VMCALL_EBUSY;
	if (!read_guest(hv, gpa, &a, sizeof(a)) || a.version != FVX_AGENT_CONFIG_VERSION ||
	    a.size != sizeof(a) || (a.window_va & (GIB - 1)) || a.window_va < KERNEL_HALF ||
	    a.scratch_percpu > 0x7fff0000ULL || a.task_pid > 0x10000 || a.task_tgid > 0x10000 ||
	    a.task_real_parent > 0x10000)
		return FVX_VMCALL_EINVAL;
	if (!write_trampoline(hv, a.scratch_percpu))
		return FVX_VMCALL_EINVAL;
	c->window_va = a.window_va;
	c->consumer_va = a.consumer_va;
	c->current_task = a.current_task;
	c->task_pid = a.task_pid;
	c->task_tgid = a.task_tgid;
	c->task_real_parent = a.task_real_parent;
	c->forward = v->guest_lstar;
	if (hv->analyzer_loaded)
		c->analyzer_entry =
			a.window_va + FVX_WIN_CODE +
			((struct fvx_analyzer_header *)(hv->window + FVX_WIN_CODE))->entry;
	hv->configured = true;
	return FVX_VMCALL_OK;
}

static s64 analyzer_load(struct vcpu *v, struct guest_regs *r)
{
	struct hv *hv = v->hv;
	u8 *code = hv->window + FVX_WIN_CODE;
	u64 gpa = r->rbx, size = r->rcx, i;
	enum analyzer_image_error e;

	if (hv->tracing_cpus)
		return FVX_VMCALL_EBUSY;
	if (size > FVX_WIN_CODE_SIZE || !read_guest(hv, gpa, code, size))
		return FVX_VMCALL_EINVAL;
	/* Checked after the copy: the guest cannot change what was checked. */
	e = analyzer_image_check(code, size, FVX_WIN_CODE_SIZE);
	for (i = e == ANALYZER_OK ? size : 0; i < FVX_WIN_CODE_SIZE; i++)
		code[i] = 0;
	hv->analyzer_loaded = e == ANALYZER_OK;
	config(hv)->analyzer_entry = 0;
	if (e != ANALYZER_OK) {
		r->rbx = e;
		return FVX_VMCALL_EINVAL;
	}
	if (hv->configured)
		config(hv)->analyzer_entry = config(hv)->window_va + FVX_WIN_CODE +
					     ((struct fvx_analyzer_header *)code)->entry;
	return FVX_VMCALL_OK;
}

static s64 trace_filter(struct hv *hv, u64 gpa)
{
	struct fvx_trace_filter f;
	struct fvx_config *c = config(hv);
	int i;

	if (hv->tracing_cpus)
		return FVX_VMCALL_EBUSY;
	if (!read_guest(hv, gpa, &f, sizeof(f)) || f.version != FVX_TRACE_FILTER_VERSION)
		return FVX_VMCALL_EINVAL;
	c->target_tgid = f.target_tgid;
	c->follow_children = !!f.follow_children;
	for (i = 0; i < 8; i++)
		c->syscalls[i] = f.syscalls[i];
	reset_rings(hv);
	return FVX_VMCALL_OK;
}

static s64 trace_mode(struct vcpu *v, u64 mode)
{
	struct hv *hv = v->hv;
	struct fvx_config *c = config(hv);

	if (mode != 0 && mode != FVX_MODE_FAST && mode != FVX_MODE_EXIT)
		return FVX_VMCALL_EINVAL;
	if (mode && (!hv->configured || (mode == FVX_MODE_FAST && !hv->analyzer_loaded)))
		return FVX_VMCALL_ENOENT;
	if (mode && !v->trace_mode)
		__atomic_add_fetch(&hv->tracing_cpus, 1, __ATOMIC_SEQ_CST);
	if (!mode && v->trace_mode)
		__atomic_sub_fetch(&hv->tracing_cpus, 1, __ATOMIC_SEQ_CST);
	v->trace_mode = mode;
	c->mode = mode;
	arch_wrmsr(MSR_IA32_LSTAR,
		   mode ? c->window_va + (mode == FVX_MODE_FAST ? FVX_WIN_TRAMPOLINE
								: FVX_WIN_TRAMPOLINE_EXIT)
			: v->guest_lstar);
	return FVX_VMCALL_OK;
}

static int host_read64(void *ctx, u64 va, u64 *value)
{
	return guest_read_direct(ctx, va, value);
}

/* Exit mode: the hypervisor writes the record the analyzer would write. */
static s64 trace_event(struct vcpu *v, struct guest_regs *r)
{
	struct hv *hv = v->hv;
	const struct fvx_config *c = config(hv);
	struct fvx_trace_record rec = { 0 };
	u64 rip = vmcs_readl(GUEST_RIP), task, tail = ~0ULL;

	if (rip - c->window_va >= PAGE_SIZE_4K || v->index >= hv->cpu_count)
		return FVX_VMCALL_EPERM;
	if (!fvx_syscall_selected(c, r->rbx))
		return FVX_VMCALL_OK;
	if (!guest_read_direct(hv, vmcs_readl(GUEST_GS_BASE) + c->current_task, &task) ||
	    !fvx_task_selected(c, task, host_read64, hv, &rec.pid, &rec.tgid))
		return FVX_VMCALL_OK;
	rec.tsc = arch_rdtsc();
	rec.cr3 = vmcs_readl(GUEST_CR3);
	rec.nr = r->rbx;
	rec.args[0] = r->rdi;
	rec.args[1] = r->rsi;
	rec.args[2] = r->rdx;
	rec.args[3] = r->r10;
	rec.args[4] = r->r8;
	rec.args[5] = r->r9;
	rec.cpu = v->index;
	rec.flags = FVX_RECORD_EXIT_MODE;
	/* An unreadable tail counts as a full ring: dropped, never lost silently. */
	guest_read_direct(hv, c->consumer_va + v->index * sizeof(struct fvx_ring_consumer), &tail);
	fvx_ring_push(ring(hv, v->index), &tail, &rec);
	return FVX_VMCALL_OK;
}

s64 window_vmcall(struct vcpu *v, struct guest_regs *r, u32 function)
{
	switch (function) {
	case FVX_VMCALL_WINDOW_INFO: return window_info(v->hv, r->rbx);
	case FVX_VMCALL_CONFIGURE: return configure(v, r->rbx);
	case FVX_VMCALL_ANALYZER_LOAD: return analyzer_load(v, r);
	case FVX_VMCALL_TRACE_FILTER: return trace_filter(v->hv, r->rbx);
	case FVX_VMCALL_TRACE_MODE: return trace_mode(v, r->rbx);
	case FVX_VMCALL_TRACE_EVENT: return trace_event(v, r);
	}
	return FVX_VMCALL_ENOSYS;
}

u64 window_lstar_read(struct vcpu *v)
{
	return v->guest_lstar;
}

void window_lstar_write(struct vcpu *v, u64 value)
{
	v->guest_lstar = value;
	if (v->hv->configured)
		config(v->hv)->forward = value;
	if (!v->trace_mode)
		arch_wrmsr(MSR_IA32_LSTAR, value);
}

static void switch_view(struct vcpu *v, u16 view)
{
	vmcs_write64(EPT_POINTER, v->hv->eptp_list[view]);
	vmcs_write16(EPTP_INDEX, view);
}

/* Whether rip is where the guest's IDT sends some vector. */
static bool is_idt_handler(const struct hv *hv, u64 rip)
{
	u64 base = vmcs_readl(GUEST_IDTR_BASE), cr3 = vmcs_readl(GUEST_CR3), gpa, lo, hi;
	u32 limit = vmcs_read32(GUEST_IDTR_LIMIT), vector;

	for (vector = 0; vector < 256 && vector * 16 + 15 <= limit; vector++) {
		if (!guest_virt_to_phys(hv, cr3, base + vector * 16, &gpa) ||
		    !guest_read_direct(hv, hv->page_offset + gpa, &lo) ||
		    !guest_read_direct(hv, hv->page_offset + gpa + 8, &hi))
			return false;
		if (((lo & 0xffff) | ((lo >> 32) & 0xffff0000) | (hi << 32)) == rip)
			return true;
	}
	return false;
}

/* Whether the event frame just pushed at the guest's RSP (with or without
 * an error code) returns into the window's code: that is, the event
 * interrupted the trampoline or the analyzer. */
static bool interrupted_window_code(const struct hv *hv)
{
	u64 rsp = vmcs_readl(GUEST_RSP), cr3 = vmcs_readl(GUEST_CR3), gpa, v;
	const struct fvx_config *c = config(hv);
	int slot;

	for (slot = 0; slot < 2; slot++) {
		if (!guest_virt_to_phys(hv, cr3, rsp + 8 * slot, &gpa) ||
		    !guest_read_direct(hv, hv->page_offset + gpa, &v))
			return false;
		if (v - c->window_va < FVX_WIN_CODE + FVX_WIN_CODE_SIZE)
			return true;
	}
	return false;
}

bool window_ept_violation(struct vcpu *v, struct guest_regs *r)
{
	struct hv *hv = v->hv;
	u64 q = vmcs_readl(EXIT_QUALIFICATION), gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	u64 rip = vmcs_readl(GUEST_RIP);
	bool fetch = q & BIT(2), in_window = gpa - hv->window_gpa < GIB;
	u16 view = vmcs_read16(EPTP_INDEX);

	if (view == VIEW_ANALYZER && fetch && !in_window && is_idt_handler(hv, rip) &&
	    interrupted_window_code(hv)) {
		/* An NMI or exception hit the trampoline or analyzer and went to
		 * Linux's handler, which does not run in the analyzer view: run
		 * it in the normal view, and come back when it returns to the
		 * very instruction it interrupted. */
		switch_view(v, VIEW_NORMAL);
		v->analyzer_interrupted = true;
		return true;
	}
	/* Back from the handler: the interrupted trampoline or analyzer touches
	 * what only the analyzer view maps. Resume it there. */
	if (view == VIEW_NORMAL && in_window && v->analyzer_interrupted &&
	    rip - config(hv)->window_va < FVX_WIN_CODE + FVX_WIN_CODE_SIZE) {
		switch_view(v, VIEW_ANALYZER);
		v->analyzer_interrupted = false;
		return true;
	}
	if (view != VIEW_ANALYZER && !in_window)
		return false;
	/* Code that switched views by itself, or touched the window where it
	 * may not: reported as an attack; the guest gets #UD in the normal view. */
	v->attacks++;
	root_log("cpu %u: attack: %s access to GPA %x in view %u at RIP %x\n", (u64)v->index,
		 fetch		? (const char *)"execute"
		 : (q & BIT(1)) ? "write"
				: "read",
		 gpa, (u64)view, rip);
	switch_view(v, VIEW_NORMAL);
	guest_inject_exception(VECTOR_UD, false, 0);
	return true;
}

enum exit_action handle_vmfunc(struct vcpu *v, struct guest_regs *r)
{
	v->attacks++;
	root_log("cpu %u: VMFUNC leaf %x index %x refused at RIP %x\n", (u64)v->index, r->rax,
		 r->rcx, vmcs_readl(GUEST_RIP));
	guest_inject_exception(VECTOR_UD, false, 0);
	return EXIT_RESUME;
}
