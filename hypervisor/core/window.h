/* The analyzer window and its two EPT views, the trampoline, LSTAR
 * redirection and the trace-control VMCALLs. */
#ifndef FVX_CORE_WINDOW_H
#define FVX_CORE_WINDOW_H

#include "exit.h"

#define VIEW_NORMAL 0
#define VIEW_ANALYZER 1

/* Load time: backs the window with hv->window, builds the analyzer view
 * and the EPTP list, writes the trampoline and the ring headers. */
enum fvx_status window_build(struct hv *hv, const struct ept_layout *normal_layout,
			     u64 normal_pml4);

/* VMX root: the VMCALLs of the trace path (include/fastvmix/vmcall.h). */
s64 window_vmcall(struct vcpu *v, struct guest_regs *r, u32 function);
/* VMX root: an EPT violation that may involve the views; false if not ours. */
bool window_ept_violation(struct vcpu *v, struct guest_regs *r);
/* VMX root: a VMFUNC that failed (bad index): reported, #UD. */
enum exit_action handle_vmfunc(struct vcpu *v, struct guest_regs *r);
/* VMX root: the virtualised IA32_LSTAR. */
u64 window_lstar_read(struct vcpu *v);
void window_lstar_write(struct vcpu *v, u64 value);

#endif
