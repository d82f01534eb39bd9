/* The VMCALL API (include/fastvmix/vmcall.h): one table from function
 * number to handler. Only guest ring 0 with the magic gets an answer;
 * anyone else gets #UD, as on a CPU without a hypervisor. Every guest
 * pointer is checked by the handler that takes it. VMX root only. */
#include "exit.h"
#include "guest_mem.h"
#include "log.h"
#include "trace_ctl.h"

/* A handler returns an FVX_VMCALL_* status for RAX, or VMCALL_LEAVE. */
typedef s64 (*vmcall_handler)(struct vcpu *v, struct guest_regs *r);
#define VMCALL_LEAVE 1 /* FVX_VMCALL_OK, then leave VMX on this CPU */

static s64 vmcall_version(struct vcpu *v, struct guest_regs *r)
{
	r->rbx = FVX_VMCALL_ABI_VERSION;
	return FVX_VMCALL_OK;
}

static s64 vmcall_status(struct vcpu *v, struct guest_regs *r)
{
	struct hv *hv = v->hv;
	u64 cpu = r->rbx, size = r->rdx;
	struct fvx_cpu_status *out = guest_page_buffer(hv, r->rcx, size);
	const struct vcpu *of;
	unsigned int i;

	if (cpu >= hv->cpu_count || !hv->vcpus[cpu] || !out || size < sizeof(*out))
		return FVX_VMCALL_EINVAL;
	of = hv->vcpus[cpu];
	out->version = FVX_CPU_STATUS_VERSION;
	out->size = sizeof(*out);
	out->cpu = cpu;
	out->cpu_count = hv->cpu_count;
	out->features = FVX_FEATURE_EPT | FVX_FEATURE_VPID | FVX_FEATURE_MSR_BITMAP |
			FVX_FEATURE_HIDDEN_MEMORY |
			(hv->ept_stats.pages_1g ? FVX_FEATURE_EPT_1G : 0) |
			(of->ptp.checking ? FVX_FEATURE_PT_PROTECT : 0);
	out->hv_base = hv->pool.pa;
	out->hv_size = hv->pool.size;
	out->vmcalls = of->vmcalls;
	out->exits_total = of->exits_total;
	for (i = 0; i < FVX_EXIT_REASON_COUNT; i++)
		out->exits[i] = of->exits[i];
	out->view_attacks = of->attacks;
	out->sealed_refusals = of->sealed_refusals;
	out->bad_unload_keys = of->bad_unload_keys;
	out->msr_writes_shadowed = of->msr_writes_shadowed;
	out->dt_loads_refused = of->dt_loads_refused;
	out->kernel_writes_refused = of->kernel_writes_refused;
	out->text_pokes = of->text_pokes;
	out->resume_tampered = of->resume_tampered;
	out->tsc_transition = of->tsc.transition;
	out->tsc_hidden = of->tsc.hidden;
	out->rdtsc_exits = of->exits[EXIT_REASON_RDTSC] + of->exits[EXIT_REASON_RDTSCP];
	out->rdtsc_adjusted = of->tsc.adjusted;
	out->tsc_analyzer = of->tsc.analyzer;
	out->tsc_deadline_rearms = of->tsc.rearmed;
	out->tsc_evened = of->tsc.evened;
	out->tsc_forgiven = of->tsc.forgiven;
	out->tsc_spaces = __atomic_load_n(&hv->tsc.count, __ATOMIC_RELAXED);
	out->tsc_evicted = __atomic_load_n(&hv->tsc.evicted, __ATOMIC_RELAXED);
	out->cr3_loads = of->ptp.count.cr3_loads;
	out->pml4e_repaired = of->ptp.count.pml4e_repaired;
	out->pdpte_repaired = of->ptp.count.pdpte_repaired;
	out->cr3_refused = of->ptp.count.cr3_refused;
	out->pdpt_writes_emulated = of->ptp.count.pdpt_writes_emulated;
	out->pdpt_writes_refused = of->ptp.count.pdpt_writes_refused;
	out->loaded_repaired = of->ptp.count.loaded_repaired;
	out->table_writes_emulated = of->ptp.count.table_writes_emulated;
	out->table_writes_refused = of->ptp.count.table_writes_refused;
	out->tables_unguarded = of->ptp.count.tables_unguarded;
	out->loaded_refused = of->ptp.count.loaded_refused;
	out->breakpoints_refused = of->dr.refused;
	return FVX_VMCALL_OK;
}

static s64 vmcall_unload(struct vcpu *v, struct guest_regs *r)
{
	if (trace_sealed(v->hv))
		return trace_refuse_sealed(v, "UNLOAD");
	if (r->rbx == v->hv->unload_key)
		return VMCALL_LEAVE;
	/* Only the loader knows the key: anyone else is guessing. */
	if (v->bad_unload_keys++ < 16)
		root_log("cpu %u: UNLOAD with a wrong key at RIP %x\n", (u64)v->index,
			 vmcs_readl(GUEST_RIP));
	return FVX_VMCALL_EPERM;
}

static const vmcall_handler vmcalls[FVX_VMCALL_COUNT] = {
	[FVX_VMCALL_VERSION] = vmcall_version,
	[FVX_VMCALL_STATUS] = vmcall_status,
	[FVX_VMCALL_UNLOAD] = vmcall_unload,
	[FVX_VMCALL_WINDOW_INFO] = trace_window_info,
	/* trace_configure, then the protection of the window's page tables. */
	[FVX_VMCALL_CONFIGURE] = ptp_configure,
	[FVX_VMCALL_ANALYZER_LOAD] = trace_analyzer_load,
	[FVX_VMCALL_TRACE_EVENT] = trace_event,
	[FVX_VMCALL_TRACE_FILTER] = trace_filter,
	/* trace_mode, on a CPU that checks CR3 loads. */
	[FVX_VMCALL_TRACE_MODE] = ptp_trace_mode,
	[FVX_VMCALL_TRACE_RETURN] = trace_return,
	[FVX_VMCALL_UNCONFIGURE] = ptp_unconfigure,
	[FVX_VMCALL_TSC_CALIBRATE] = tsc_calibrate,
	[FVX_VMCALL_TSC_TRACK] = tsc_track,
};

enum exit_action handle_vmcall(struct vcpu *v, struct guest_regs *r)
{
	u32 function = (u32)r->rax;
	s64 status;

	if (guest_cpl() != 0 || (r->rax >> 32) != FVX_VMCALL_MAGIC) {
		guest_inject_exception(VECTOR_UD, false, 0);
		return EXIT_RESUME;
	}
	v->vmcalls++;
	status = function < FVX_VMCALL_COUNT && vmcalls[function] ? vmcalls[function](v, r)
								  : FVX_VMCALL_ENOSYS;
	guest_skip_instruction();
	if (status == VMCALL_LEAVE) {
		r->rax = FVX_VMCALL_OK;
		return EXIT_VMXOFF;
	}
	r->rax = (u64)status;
	return EXIT_RESUME;
}
