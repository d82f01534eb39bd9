/* Trace control: the config page, the trampoline, analyzers, the filter,
 * the trace mode per CPU, IA32_LSTAR's real value, and exit-mode events. */
#ifndef FVX_CORE_TRACE_CTL_H
#define FVX_CORE_TRACE_CTL_H

#include "exit.h"

/* Load time: the config page and the ring headers. */
void trace_init(struct hv *hv);

/* VMX root: the trace VMCALLs (include/fastvmix/vmcall.h). */
s64 trace_window_info(struct vcpu *v, struct guest_regs *r);
s64 trace_configure(struct vcpu *v, struct guest_regs *r);
s64 trace_analyzer_load(struct vcpu *v, struct guest_regs *r);
s64 trace_filter(struct vcpu *v, struct guest_regs *r);
s64 trace_mode(struct vcpu *v, struct guest_regs *r);
s64 trace_event(struct vcpu *v, struct guest_regs *r);
s64 trace_return(struct vcpu *v, struct guest_regs *r);

/* VMX root: whether a sealed trace runs (FVX_VMCALL_TRACE_FILTER's
 * seal_ticks not yet over); each refused attempt to end or change it is
 * counted on the CPU that made it. */
bool trace_sealed(const struct hv *hv);
s64 trace_refuse_sealed(struct vcpu *v, const char *what);

/* VMX root: whether the exit came from this CPU's own trampoline copy,
 * between offsets `from` and `to` of it. */
bool trace_from_own_copy(const struct vcpu *v, u64 from, u64 to);

/* VMX root: the guest wrote IA32_LSTAR (v->guest_lstar): forward there, and
 * keep the real MSR on the trampoline while this CPU is traced. */
void trace_lstar_changed(struct vcpu *v);

#endif
