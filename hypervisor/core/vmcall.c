/* The VMCALL API (include/fastvmix/vmcall.h): version, per-CPU status and
 * unload. Only guest ring 0 with the magic gets an answer; anyone else gets
 * #UD, as on a CPU without a hypervisor. Every guest pointer is checked. */
#include "exit.h"
#include "guest_mem.h"
#include "window.h"

static s64 vmcall_status(struct hv *hv, u64 cpu, u64 gpa, u64 size)
{
	struct fvx_cpu_status *out = guest_page_buffer(hv, gpa, size);
	const struct vcpu *v;
	unsigned int i;

	if (cpu >= hv->cpu_count || !hv->vcpus[cpu] || !out || size < sizeof(*out))
		return FVX_VMCALL_EINVAL;
	v = hv->vcpus[cpu];
	out->version = FVX_CPU_STATUS_VERSION;
	out->size = sizeof(*out);
	out->cpu = cpu;
	out->cpu_count = hv->cpu_count;
	out->features = FVX_FEATURE_EPT | FVX_FEATURE_VPID | FVX_FEATURE_MSR_BITMAP |
			FVX_FEATURE_HIDDEN_MEMORY |
			(hv->ept_stats.pages_1g ? FVX_FEATURE_EPT_1G : 0);
	out->hv_base = hv->pool.pa;
	out->hv_size = hv->pool.size;
	out->vmcalls = v->vmcalls;
	out->exits_total = v->exits_total;
	for (i = 0; i < FVX_EXIT_REASON_COUNT; i++)
		out->exits[i] = v->exits[i];
	return FVX_VMCALL_OK;
}

enum exit_action handle_vmcall(struct vcpu *v, struct guest_regs *r)
{
	struct hv *hv = v->hv;
	s64 status;

	if (guest_cpl() != 0 || (r->rax >> 32) != FVX_VMCALL_MAGIC) {
		guest_inject_exception(VECTOR_UD, false, 0);
		return EXIT_RESUME;
	}
	v->vmcalls++;
	switch ((u32)r->rax) {
	case FVX_VMCALL_VERSION:
		r->rbx = FVX_VMCALL_ABI_VERSION;
		status = FVX_VMCALL_OK;
		break;
	case FVX_VMCALL_STATUS: status = vmcall_status(hv, r->rbx, r->rcx, r->rdx); break;
	case FVX_VMCALL_UNLOAD:
		if (r->rbx != hv->unload_key) {
			status = FVX_VMCALL_EPERM;
			break;
		}
		r->rax = FVX_VMCALL_OK;
		guest_skip_instruction();
		return EXIT_VMXOFF;
	default: status = window_vmcall(v, r, (u32)r->rax);
	}
	r->rax = (u64)status;
	guest_skip_instruction();
	return EXIT_RESUME;
}
