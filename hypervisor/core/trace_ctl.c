/* Trace control in VMX root: what the agent tells the hypervisor (where the
 * window is mapped, where Linux keeps the current task), analyzer loading,
 * the filter, turning tracing on and off per CPU (the real IA32_LSTAR), and
 * the exit-mode event that writes the record the analyzer would. Every
 * argument comes from the guest and is checked before use. VMX root only
 * (the config page is first written at load time: trace_init.c). */
#include "trace_ctl.h"
#include "tsc.h"
#include "analyzer_image.h"
#include "dt.h"
#include "guest_mem.h"
#include "log.h"
#include "window.h"
#include "../arch/x86/asm.h"
#include "../arch/x86/trampoline.h"
#include "fastvmix/trace_select.h"
#include "fastvmix/guest_read.h"
#include "fastvmix/syscall_args.h"
#include "fastvmix/syscall_compat.h"
#include "fastvmix/trace_capture.h"
#include "fastvmix/trace_task.h"
#include "fastvmix/vmcall.h"

#define KERNEL_HALF 0xffff800000000000ULL

/* The mask a task-byte instruction tests or writes (trampoline.h). */
static u8 mark_mask(const struct fvx_task_layout *task, u32 kind)
{
	u8 tp = (u8)(1u << (task->tracepoint % 8));

	switch (kind) {
	case FIX_MARK: return (u8)(1u << (task->mark % 8));
	case FIX_WATCH: return task->watch | task->defer;
	case FIX_WATCHED: return task->watch;
	case FIX_DEFER: return task->defer;
	case FIX_UNDEFER: return (u8)~task->defer;
	case FIX_TP:
	case FIX_TP_ON: return tp;
	case FIX_TP_WATCH: return tp | task->watch;
	case FIX_PENDING_ON: return (u8)(1u << (task->pending % 8));
	case FIX_PENDING_OFF: return (u8) ~(1u << (task->pending % 8));
	case FIX_NOTIFY_ON: return (u8)(1u << (task->notify % 8));
	case FIX_NOTIFY_OFF: return (u8) ~(1u << (task->notify % 8));
	default: return (u8)~tp; /* FIX_TP_OFF */
	}
}

/* The byte a task-byte instruction names, from the start of the task. */
static u32 mark_byte(const struct fvx_task_layout *task, u32 kind)
{
	switch (kind) {
	case FIX_MARK: return task->mark / 8;
	case FIX_PENDING_ON:
	case FIX_PENDING_OFF: return task->pending / 8;
	case FIX_NOTIFY_ON:
	case FIX_NOTIFY_OFF: return task->notify / 8;
	default: return task->tracepoint / 8;
	}
}

/* A task bit the trampoline writes: within 0x10000 bytes of the task, not
 * in its first byte. */
static bool task_bit_ok(u32 bit)
{
	return bit >= 8 && bit < 0x10000 * 8;
}

/* A layout the trampoline can use: the mark's, the tracepoint's, the
 * pending and the notify bits within 0x10000 bytes of the task, apart,
 * and not in the task's first byte, pending and notify outside the
 * tracepoint's byte; the ptrace word there too; watch and defer in the tracepoint's
 * byte, apart from it and from each other, defer one bit (none, with no
 * watch: nothing deferred); the reserved fields 0 (an older agent's
 * layout is refused whole). */
static bool task_layout_ok(const struct fvx_task_layout *task)
{
	u8 tp = mark_mask(task, FIX_TP);

	if (task->pid > 0x10000 || task->tgid > 0x10000 || task->real_parent > 0x10000 ||
	    task->ptrace > 0x10000 - 4 || !task_bit_ok(task->mark) ||
	    !task_bit_ok(task->tracepoint) || !task_bit_ok(task->pending) ||
	    !task_bit_ok(task->notify) || task->mark == task->tracepoint || task->reserved ||
	    task->reserved2)
		return false;
	/* pending and notify apart from each other and the mark, and not in
	 * the tracepoint's byte (where watch and defer are) */
	if (task->pending == task->notify || task->pending == task->mark ||
	    task->notify == task->mark || task->pending / 8 == task->tracepoint / 8 ||
	    task->notify / 8 == task->tracepoint / 8)
		return false;
	if (task->mark / 8 == task->tracepoint / 8 &&
	    (mark_mask(task, FIX_MARK) & (task->watch | task->defer)))
		return false;
	if (!task->defer)
		return !task->watch;
	return !(task->defer & (task->defer - 1)) && !(task->defer & (task->watch | tp)) &&
	       !(task->watch & tp);
}

/* Writes CPU cpu's copy of the trampoline with its fixups applied
 * (trampoline.h): its scratch slots, its own analyzer stack, TSC slot and
 * number, the config page at the same place for every copy, and the task
 * byte's offset and masks (task_layout_ok). */
static bool write_trampoline(struct hv *hv, unsigned int cpu, u64 window_va, u64 scratch,
			     const struct fvx_task_layout *task)
{
	u64 size = fvx_trampoline_end - fvx_trampoline, copy = cpu * FVX_WIN_TRAMPOLINE_STRIDE, i;
	u8 *t = hv->window + FVX_WIN_TRAMPOLINE + copy;
	const struct trampoline_fixup *f;

	if (size > FVX_WIN_TRAMPOLINE_STRIDE ||
	    fvx_trampoline_fast_end - fvx_trampoline > FVX_WIN_TRAMPOLINE_EXIT)
		return false;
	for (i = 0; i < FVX_WIN_TRAMPOLINE_STRIDE; i++)
		t[i] = i < size ? fvx_trampoline[i] : 0xcc; /* int3 filler */
	for (f = fvx_trampoline_fixups; f < fvx_trampoline_fixups_end; f++) {
		if (f->end < 8 || f->end > size)
			return false;
		switch (f->kind) {
		case FIX_SCRATCH: *(u32 *)(t + f->end - 4) += (u32)scratch; break;
		case FIX_CONFIG: *(u32 *)(t + f->end - 4) -= (u32)copy; break;
		case FIX_STACK_TOP:
			*(u64 *)(t + f->end - 8) = window_va + FVX_WIN_STACK_TOP(cpu);
			break;
		case FIX_CPU: *(u32 *)(t + f->end - 4) = cpu; break;
		case FIX_TSC:
			*(u32 *)(t + f->end - 4) +=
				(u32)(cpu * (FVX_WIN_STACK_SIZE - FVX_WIN_TRAMPOLINE_STRIDE));
			break;
		case FIX_CONFIG_IMM8: *(u32 *)(t + f->end - 5) -= (u32)copy; break;
		case FIX_MARK:
		case FIX_WATCH:
		case FIX_WATCHED:
		case FIX_DEFER:
		case FIX_UNDEFER:
		case FIX_TP:
		case FIX_TP_WATCH:
		case FIX_TP_ON:
		case FIX_TP_OFF:
		case FIX_PENDING_ON:
		case FIX_PENDING_OFF:
		case FIX_NOTIFY_ON:
		case FIX_NOTIFY_OFF:
			*(u32 *)(t + f->end - 5) = mark_byte(task, f->kind);
			t[f->end - 1] = mark_mask(task, f->kind);
			break;
		case FIX_PTRACE: *(u32 *)(t + f->end - 5) = task->ptrace; break;
		default: return false;
		}
	}
	return true;
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

/* Whether calls the filter leaves out may skip the tracepoints
 * (FVX_CONFIG_FAST_SKIP): the window has its IDT and every CPU runs a fast
 * trace, so takes its 32-bit calls through the window. (A task whose
 * tracepoint bit a CPU took off could otherwise move to one that does not
 * yet, or no longer, and make a 32-bit call no probe sees; at the end the
 * agent puts the bits back before the first CPU stops.) */
static bool all_fast(const struct hv *hv)
{
	unsigned int cpu;

	if (!hv->window_idt)
		return false;
	for (cpu = 0; cpu < hv->cpu_count; cpu++)
		if (!hv->vcpus[cpu] ||
		    __atomic_load_n(&hv->vcpus[cpu]->trace_mode, __ATOMIC_SEQ_CST) != FVX_MODE_FAST)
			return false;
	return true;
}

/* The config's FVX_CONFIG_FAST_SKIP as all_fast says, after a CPU's mode
 * changed (and hv->mode_changes counted it): the other bits are left as
 * they are. CPUs change their modes at once (the agent's on_each_cpu), so
 * each writes again while another changed a mode meanwhile: the last
 * write is made from every CPU's final mode. */
static void publish_fast_skip(struct hv *hv)
{
	struct fvx_config *c = window_config(hv);
	u32 seen;

	do {
		seen = __atomic_load_n(&hv->mode_changes, __ATOMIC_SEQ_CST);
		if ((c->flags & FVX_CONFIG_TASK_MARKS) && all_fast(hv))
			__atomic_fetch_or(&c->flags, FVX_CONFIG_FAST_SKIP, __ATOMIC_SEQ_CST);
		else
			__atomic_fetch_and(&c->flags, ~FVX_CONFIG_FAST_SKIP, __ATOMIC_SEQ_CST);
	} while (__atomic_load_n(&hv->mode_changes, __ATOMIC_SEQ_CST) != seen);
}

/* Publishes the loaded analyzer's entry points as window addresses; its
 * return entry is 0 when it has none (the trampoline then skips it). */
static void publish_entries(const struct hv *hv)
{
	const struct fvx_analyzer_header *h = (const void *)(hv->window + FVX_WIN_CODE);
	struct fvx_config *c = window_config(hv);
	u64 code = c->window_va + FVX_WIN_CODE;

	c->analyzer_entry = code + h->entry;
	c->return_entry = h->return_entry ? code + h->return_entry : 0;
	/* Nothing lost, unless the trace drops or the analyzer cannot say. */
	c->flags = !hv->trace_drop && (h->flags & FVX_ANALYZER_F_WAIT) ? FVX_CONFIG_RETRY : 0;
	/* Unmarked tasks skipped before the analyzer view: only for a
	 * target, and not when sealed (the mark is guest kernel data). */
	if (c->filter.target_tgid && !hv->seal_until)
		c->flags |= FVX_CONFIG_TASK_MARKS | (all_fast(hv) ? FVX_CONFIG_FAST_SKIP : 0);
	/* Calls a ptrace tracer or seccomp may change recorded as they run,
	 * by the agent's probes: not when sealed (guest kernel text). */
	if (!hv->seal_until)
		c->flags |= FVX_CONFIG_DEFER;
	/* The analyzer view's time measured only where it is hidden. */
	if (hv->trace_hide_time && hv->tsc.rdtsc_exiting)
		c->flags |= FVX_CONFIG_MEASURE;
	/* Quick calls recorded whole at their return, by an analyzer that
	 * can, where no entry's time is measured. */
	else if (h->flags & FVX_ANALYZER_F_WHOLE)
		c->flags |= FVX_CONFIG_QUICK;
}

#define SEAL_TICKS_MAX (1ULL << 56) /* years on any TSC: refuse overflow */

/* A seal holds from the filter that set it, once some CPU traces, until
 * its time is over: a start that failed everywhere can still be retried. */
bool trace_sealed(const struct hv *hv)
{
	return hv->seal_until && hv->tracing_cpus && arch_rdtsc() < hv->seal_until;
}

s64 trace_refuse_sealed(struct vcpu *v, const char *what)
{
	v->sealed_refusals++;
	if (v->sealed_refusals <= 16)
		root_log("cpu %u: %s refused: the trace is sealed (RIP %x)\n", (u64)v->index, what,
			 vmcs_readl(GUEST_RIP));
	return FVX_VMCALL_EPERM;
}

s64 trace_window_info(struct vcpu *v, struct guest_regs *r)
{
	struct hv *hv = v->hv;
	struct fvx_window_info *out = guest_page_buffer(hv, r->rbx, sizeof(*out));

	if (!out)
		return FVX_VMCALL_EINVAL;
	*out = (struct fvx_window_info){ .version = FVX_WINDOW_INFO_VERSION,
					 .size = sizeof(*out),
					 .window_gpa = hv->window_gpa,
					 .backed = hv->window_size,
					 .geometry = window_config(hv)->geometry };
	return FVX_VMCALL_OK;
}

/* The window's IDT (FVX_WIN_IDT), and whether there is one: Linux's, read
 * from the physical page the loader named at load (kprotect.c keeps it
 * unwritten; never through the page tables of whoever configures, which
 * could map another page there), but for vector 0x80, which goes to CPU
 * 0's `int $0x80` entry; the handler it replaces becomes the entry's
 * forward target. None (and so no call skips the tracepoints,
 * FVX_CONFIG_FAST_SKIP) unless the recorded IDTR is one page, that page
 * is known, and vector 0x80 is present with a kernel handler. Linux's
 * SYSENTER entry is SYSENTER_EIP's host field, Linux's at load (msr.c
 * keeps the guest's writes from the CPU). */
static bool write_idt(const struct vcpu *v, u64 window_va)
{
	const struct hv *hv = v->hv;
	struct fvx_config *c = window_config(hv);
	u64 *idt = (u64 *)(hv->window + FVX_WIN_IDT), page = hv->idt_page;
	u64 entry = window_va + FVX_WIN_TRAMPOLINE_INT80, lo, hi, handler;
	const u64 *linux_idt;

	if (v->dt.table[DT_IDT].limit != PAGE_SIZE_4K - 1 ||
	    (v->dt.table[DT_IDT].base & (PAGE_SIZE_4K - 1)) || !page ||
	    (page & (PAGE_SIZE_4K - 1)) || !guest_ram_range_ok(hv, page, PAGE_SIZE_4K))
		return false;
	linux_idt = (const u64 *)(hv->page_offset + page);
	lo = linux_idt[0x80 * 2];
	hi = linux_idt[0x80 * 2 + 1];
	handler = dt_gate_handler(lo, hi);
	if (!(lo & BIT(47)) || handler >> 47 != 0x1ffff) /* present, a kernel address */
		return false;
	__builtin_memcpy(idt, linux_idt, PAGE_SIZE_4K);
	idt[0x80 * 2] =
		(lo & 0x0000ffffffff0000ULL) | (entry & 0xffff) | ((entry & 0xffff0000) << 32);
	idt[0x80 * 2 + 1] = (hi & ~0xffffffffULL) | (entry >> 32);
	c->forward_int80 = handler;
	c->forward_sysenter = vmcs_readl(HOST_IA32_SYSENTER_EIP);
	return true;
}

s64 trace_configure(struct vcpu *v, struct guest_regs *r)
{
	struct hv *hv = v->hv;
	struct fvx_agent_config a;
	struct fvx_config *c = window_config(hv);
	unsigned int cpu;

	if (trace_sealed(hv))
		return trace_refuse_sealed(v, "CONFIGURE");
	if (hv->tracing_cpus)
		return FVX_VMCALL_EBUSY;
	if (!read_guest(hv, r->rbx, &a, sizeof(a)) || a.version != FVX_AGENT_CONFIG_VERSION ||
	    a.size != sizeof(a) || (a.window_va & (GIB - 1)) || a.window_va < KERNEL_HALF ||
	    a.scratch_percpu > 0x7fff0000ULL || !task_layout_ok(&a.task))
		return FVX_VMCALL_EINVAL;
	for (cpu = 0; cpu < hv->cpu_count; cpu++)
		if (!write_trampoline(hv, cpu, a.window_va, a.scratch_percpu, &a.task))
			return FVX_VMCALL_EINVAL;
	hv->window_idt = write_idt(v, a.window_va);
	c->window_va = a.window_va;
	c->consumer_va = a.consumer_va;
	c->task = a.task;
	c->forward = v->guest_lstar;
	if (hv->analyzer_loaded)
		publish_entries(hv);
	hv->configured = true;
	return FVX_VMCALL_OK;
}

/* The analyzer's data area, which exit mode keeps as the default analyzer
 * does (trace_capture.h), and whose follow set's key the hypervisor draws
 * for each trace; guest ring 0 can write it from the analyzer view, and
 * what the hypervisor does with it is bounded whatever it holds. */
static struct fvx_trace_data *trace_data(const struct hv *hv)
{
	return (struct fvx_trace_data *)(hv->window + FVX_WIN_DATA);
}

s64 trace_analyzer_load(struct vcpu *v, struct guest_regs *r)
{
	struct hv *hv = v->hv;
	u8 *code = hv->window + FVX_WIN_CODE;
	u64 gpa = r->rbx, size = r->rcx, i;
	enum analyzer_image_error e;

	if (trace_sealed(hv))
		return trace_refuse_sealed(v, "ANALYZER_LOAD");
	if (hv->tracing_cpus)
		return FVX_VMCALL_EBUSY;
	if (size > FVX_WIN_CODE_SIZE || !read_guest(hv, gpa, code, size))
		return FVX_VMCALL_EINVAL;
	/* Checked after the copy: the guest cannot change what was checked. */
	e = analyzer_image_check(code, size, FVX_WIN_CODE_SIZE);
	for (i = e == ANALYZER_OK ? size : 0; i < FVX_WIN_CODE_SIZE; i++)
		code[i] = 0;
	hv->analyzer_loaded = e == ANALYZER_OK;
	window_config(hv)->analyzer_entry = 0;
	window_config(hv)->return_entry = 0;
	if (e != ANALYZER_OK) {
		r->rbx = e;
		return FVX_VMCALL_EINVAL;
	}
	if (hv->configured)
		publish_entries(hv);
	return FVX_VMCALL_OK;
}

s64 trace_filter(struct vcpu *v, struct guest_regs *r)
{
	struct hv *hv = v->hv;
	struct fvx_trace_request req;
	struct fvx_trace_filter *f = &window_config(hv)->filter;

	if (trace_sealed(hv))
		return trace_refuse_sealed(v, "TRACE_FILTER");
	if (hv->tracing_cpus)
		return FVX_VMCALL_EBUSY;
	if (!read_guest(hv, r->rbx, &req, sizeof(req)) ||
	    req.version != FVX_TRACE_REQUEST_VERSION || req.seal_ticks > SEAL_TICKS_MAX ||
	    (req.flags & ~FVX_TRACE_FLAGS) ||
	    !fvx_tsc_call_ticks_valid(req.flags, req.tsc_call_ticks))
		return FVX_VMCALL_EINVAL;
	*f = req.filter;
	hv->trace_drop = req.flags & FVX_TRACE_DROP;
	hv->trace_hide_time = req.flags & FVX_TRACE_HIDE_TIME;
	hv->seal_until = req.seal_ticks ? arch_rdtsc() + req.seal_ticks : 0;
	if (hv->configured && hv->analyzer_loaded)
		publish_entries(hv);
	f->follow_children = !!f->follow_children;
	window_config(hv)->string_limit =
		req.string_limit < FVX_DATA_BUFFER_MAX ? req.string_limit : FVX_DATA_BUFFER_MAX;
	window_config(hv)->tsc_call_ticks = req.tsc_call_ticks;
	window_reset_rings(hv);
	window_reset_data(hv);
	trace_data(hv)->set.key = fvx_follow_key(hv->unload_key, arch_rdtsc());
	return FVX_VMCALL_OK;
}

/* The window address of this CPU's trampoline copy. */
static u64 own_copy(const struct vcpu *v)
{
	return window_config(v->hv)->window_va + FVX_WIN_TRAMPOLINE +
	       v->index * FVX_WIN_TRAMPOLINE_STRIDE;
}

static u64 trampoline_entry(const struct vcpu *v)
{
	switch (v->trace_mode) {
	case FVX_MODE_FAST: return own_copy(v);
	case FVX_MODE_EXIT: return own_copy(v) + FVX_WIN_TRAMPOLINE_EXIT;
	}
	return v->guest_lstar;
}

s64 trace_mode(struct vcpu *v, struct guest_regs *r)
{
	struct hv *hv = v->hv;
	u64 mode = r->rbx;

	if (mode != 0 && mode != FVX_MODE_FAST && mode != FVX_MODE_EXIT)
		return FVX_VMCALL_EINVAL;
	/* Sealed: more CPUs may start tracing; none may stop or switch. */
	if (v->trace_mode && mode != v->trace_mode && trace_sealed(hv))
		return trace_refuse_sealed(v, "TRACE_MODE");
	if (mode && (!hv->configured || (mode == FVX_MODE_FAST && !hv->analyzer_loaded)))
		return FVX_VMCALL_ENOENT;
	/* The first CPU to trace, and the last to stop, start and end what
	 * the address spaces' TSCs hide of the analyzer (tsc.c). */
	if (mode && !v->trace_mode &&
	    __atomic_add_fetch(&hv->tracing_cpus, 1, __ATOMIC_SEQ_CST) == 1)
		tsc_tracing_changed(hv);
	if (!mode && v->trace_mode &&
	    __atomic_sub_fetch(&hv->tracing_cpus, 1, __ATOMIC_SEQ_CST) == 0)
		tsc_tracing_changed(hv);
	__atomic_store_n(&v->trace_mode, mode, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&hv->mode_changes, 1, __ATOMIC_SEQ_CST);
	window_config(hv)->mode = mode;
	arch_wrmsr(MSR_IA32_LSTAR, trampoline_entry(v));
	/* The 32-bit entries through the window too, in fast mode (its
	 * SYSCALL entry may take a task's tracepoint bit off). */
	dt_set_window_idt(v, mode == FVX_MODE_FAST && hv->window_idt
				     ? window_config(hv)->window_va + FVX_WIN_IDT
				     : 0);
	vmcs_writel(GUEST_SYSENTER_EIP, mode == FVX_MODE_FAST && hv->window_idt
						? own_copy(v) + FVX_WIN_TRAMPOLINE_SYSENTER
						: vmcs_readl(HOST_IA32_SYSENTER_EIP));
	publish_fast_skip(hv);
	return FVX_VMCALL_OK;
}

void trace_lstar_changed(struct vcpu *v)
{
	if (v->hv->configured)
		window_config(v->hv)->forward = v->guest_lstar;
	if (!v->trace_mode)
		arch_wrmsr(MSR_IA32_LSTAR, v->guest_lstar);
}

static int host_read64(void *ctx, u64 va, u64 *value)
{
	return guest_read_direct(ctx, va, value);
}

bool trace_from_own_copy(const struct vcpu *v, u64 from, u64 to)
{
	return v->index < v->hv->cpu_count &&
	       vmcs_readl(GUEST_RIP) - (own_copy(v) + from) < to - from;
}

/* ---- exit mode: the hypervisor writes the records the analyzer would ---- */

/* Guest memory for guest_read.h's walks and copies: the direct map, which
 * the host page tables reproduce, RAM only (never the hypervisor's). */
static int host_copy(void *ctx, u64 va, void *out, u64 len)
{
	const struct hv *hv = ctx;

	if (va < hv->page_offset || !guest_ram_range_ok(hv, va - hv->page_offset, len))
		return 0;
	__builtin_memcpy(out, (const void *)va, len);
	return 1;
}

struct exit_ring {
	struct hv *hv;
	unsigned int cpu;
	u64 tail; /* the consumer's, read once */
};

static void exit_emit(void *ctx, const struct fvx_trace_record *r)
{
	struct exit_ring *e = ctx;

	fvx_ring_push(window_ring(e->hv, e->cpu), e->hv->ring_capacity, &e->tail, r);
}

/* The six arguments the agent passed at `va` (a kernel stack: translated
 * through the guest's tables, each word); zeros where there are none or
 * they are unreadable. */
static void exit_args(struct vcpu *v, u64 va, u64 args[6])
{
	const struct hv *hv = v->hv;
	u64 cr3 = vmcs_readl(GUEST_CR3), gpa = 0;
	unsigned int i;
	bool walked = false;

	for (i = 0; i < 6; i++) {
		/* One walk for the page, another where the array crosses one. */
		if (!walked || ((va + 8 * i) & (PAGE_SIZE_4K - 1)) < 8)
			walked = va && guest_virt_to_phys(hv, cr3, va + 8 * i, &gpa);
		else
			gpa += 8;
		if (!walked || !guest_read_direct(hv, hv->page_offset + gpa, &args[i]))
			args[i] = 0;
	}
}

/* Appends rec (the number, arguments and flags set; the rest is filled in
 * here) when the filter and the current task select it, after the data
 * records of its arguments (`args`, the call's), as the default analyzer
 * does (analyzers/syscall.c); a task event (FVX_RECORD_TASK, `ev`) as
 * trace_task.h says. A full ring drops, counted by the ring. Whether it was
 * selected: this exit was then the analyzer's time (tsc_analyzer_exit),
 * `extra` ticks with it. */
static bool exit_mode_record(struct vcpu *v, struct fvx_trace_record *rec, u64 args[6], u64 args_va,
			     const struct fvx_event *ev, u64 extra)
{
	struct hv *hv = v->hv;
	const struct fvx_config *c = window_config(hv);
	struct fvx_trace_data *data = trace_data(hv);
	struct exit_ring ring = { hv, v->index, ~0ULL };
	struct fvx_guest_mem mem = {
		.limits = &c->phys, .copy = host_copy, .ctx = hv, .any_ram = 1
	};
	u64 task, pid;
	u8 unread = 0;

	if (!guest_read_direct(hv, vmcs_readl(GUEST_GS_BASE) + c->task.current_task, &task))
		return false;
	if (!ev && rec->nr == FVX_COMPAT_SOCKETCALL && (rec->flags & FVX_RECORD_COMPAT) &&
	    host_read64(hv, task + c->task.pid, &pid)) {
		if (args_va)
			exit_args(v, args_va, args);
		args_va = 0;
		mem.cr3 = vmcs_readl(GUEST_CR3);
		fvx_socketcall_unfold(&mem, data->socketcalls, (u32)pid, rec, args);
	}
	if (ev) {
		if (!fvx_task_event(c, &data->set, ev, task, host_read64, hv, rec))
			return false;
		rec->flags |= FVX_RECORD_EXIT_MODE;
	} else if (!(rec->flags & FVX_RECORD_COMPAT ? fvx_compat_selected(c, rec->nr)
						    : fvx_syscall_selected(c, rec->nr)) ||
		   !fvx_task_selected_in(c, &data->set, task, host_read64, hv, &rec->pid,
					 &rec->tgid)) {
		return false;
	}
	tsc_analyzer_exit(v, extra);
	rec->tsc = arch_rdtsc(); /* the host's, as fast mode's (trace.h) */
	rec->cr3 = vmcs_readl(GUEST_CR3);
	rec->cpu = v->index;
	/* An unreadable tail counts as a full ring: dropped, never lost silently. */
	guest_read_direct(hv, c->consumer_va + v->index * sizeof(struct fvx_ring_consumer),
			  &ring.tail);
	if (!ev && fvx_capture_any(rec->nr, rec->flags)) {
		if (args_va) /* (a return's arguments: read when they are needed) */
			exit_args(v, args_va, args);
		mem.cr3 = rec->cr3;
		unread = fvx_capture(
			c, &mem, rec, args,
			fvx_ring_room(window_ring(hv, v->index), hv->ring_capacity, &ring.tail),
			rec->flags & FVX_RECORD_RETURN ? fvx_again_take(data->again, rec) : 0,
			exit_emit, &ring);
	}
	if (!ev && !(rec->flags & FVX_RECORD_RETURN))
		fvx_again_put(data->again, rec, unread);
	exit_emit(&ring, rec);
	return true;
}

/* A system call, from this CPU's exit-mode entry only. */
s64 trace_event(struct vcpu *v, struct guest_regs *r)
{
	struct fvx_trace_record rec = { .nr = fvx_syscall_number(r->rbx),
					.args = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 },
					.flags = FVX_RECORD_EXIT_MODE };

	if (!trace_from_own_copy(v, FVX_WIN_TRAMPOLINE_EXIT, FVX_WIN_TRAMPOLINE_RETURN))
		return FVX_VMCALL_EPERM;
	(void)exit_mode_record(v, &rec, rec.args, 0, NULL, window_config(v->hv)->tsc_call_ticks);
	return FVX_VMCALL_OK;
}

/* What the kernel reports (the agent's probes), from this CPU's exit-mode
 * return entry only (trampoline.S): RBX the number, RCX the value, RDX
 * the flags (FVX_RECORD_RETURN: a system call returned; FVX_RECORD_COMPAT
 * alone: a 32-bit call's entry; FVX_RECORD_TASK: a task event, RBX which),
 * R8 the address of the call's arguments or the event's values, an array. io_uring
 * operations are fast mode's only. */
s64 trace_return(struct vcpu *v, struct guest_regs *r)
{
	u32 flags = (u32)r->rdx & (FVX_RECORD_RETURN | FVX_RECORD_COMPAT | FVX_RECORD_TASK);
	struct fvx_trace_record rec = { .flags = FVX_RECORD_EXIT_MODE | flags };
	struct fvx_event ev = { .nr = r->rbx, .cpu = v->index, .flags = flags };
	u64 args[6] = { 0 };
	unsigned int i;

	if (!trace_from_own_copy(v, FVX_WIN_TRAMPOLINE_RETURN_EXIT, FVX_WIN_TRAMPOLINE_STRIDE))
		return FVX_VMCALL_EPERM;
	/* (A 64-bit call's entry is the exit-mode entry's, trace_event. R8
	 * is an array here, never the pt_regs only fast mode's return entry
	 * reads: FVX_EVENT_REGS.) */
	if (!flags || (r->rdx & FVX_EVENT_REGS))
		return FVX_VMCALL_EINVAL;
	if (!(flags & FVX_RECORD_RETURN))
		exit_args(v, r->r8, args);
	if (flags & FVX_RECORD_TASK) {
		if (r->rbx != FVX_TASK_FORK && r->rbx != FVX_TASK_EXIT && r->rbx != FVX_TASK_SIGNAL)
			return FVX_VMCALL_OK;
		for (i = 0; i < 6; i++)
			ev.args[i] = args[i];
		(void)exit_mode_record(v, &rec, args, 0, &ev, 0);
		return FVX_VMCALL_OK;
	}
	rec.nr = fvx_syscall_number(r->rbx);
	if (flags & FVX_RECORD_RETURN)
		rec.args[0] = flags & FVX_RECORD_COMPAT ? (u64)(s64)(s32)r->rcx : r->rcx;
	else
		for (i = 0; i < 6; i++)
			rec.args[i] = args[i];
	/* (A 32-bit call's entry goes on to Linux, as a SYSCALL's does.) */
	(void)exit_mode_record(v, &rec, args, flags & FVX_RECORD_RETURN ? r->r8 : 0, NULL,
			       flags & FVX_RECORD_RETURN ? 0
							 : window_config(v->hv)->tsc_call_ticks);
	return FVX_VMCALL_OK;
}
