/* VM-exit handling: the dispatcher and the helpers every handler uses.
 * VMX root only. */
#ifndef FVX_CORE_EXIT_H
#define FVX_CORE_EXIT_H

#include "vcpu.h"
#include "../arch/x86/vmcs.h"

enum exit_action {
	EXIT_RESUME, /* VMRESUME the guest */
	EXIT_VMXOFF, /* leave VMX on this CPU and continue the guest natively */
};

typedef enum exit_action (*exit_handler)(struct vcpu *v, struct guest_regs *r);

/* Called by arch_vmx_exit_stub; returns only to resume the guest. */
void vmexit_handler(struct guest_regs *r, struct vcpu *v);

/* Called by vmx_entry.S when VMRESUME fails or VMX root faults. */
void vmresume_failed(struct vcpu *v);
/* What the host IDT stubs (vmx_entry.S) leave on the stack. */
struct exception_frame {
	u64 vector, error, rip, cs, rflags, rsp, ss;
};
void host_exception(struct exception_frame *f);

/* Helpers for handlers. */
/* Past the exiting instruction (VM_EXIT_INSTRUCTION_LEN, SDM 27.2.5). */
void guest_skip_instruction(void);
/* Past an instruction of len bytes the handler decoded itself (exits such
 * as EPT violations leave VM_EXIT_INSTRUCTION_LEN undefined). */
void guest_advance_rip(u32 len);
/* A hardware exception, delivered at VM entry (SDM 26.6). */
void guest_inject_exception(u8 vector, bool has_code, u32 code);
u64 guest_read_gpr(const struct guest_regs *r, unsigned int index);
void guest_write_gpr(struct guest_regs *r, unsigned int index, u64 value);

static inline unsigned int guest_cpl(void)
{
	return (vmcs_read32(GUEST_SS_AR_BYTES) >> 5) & 3; /* SS.DPL is the CPL */
}

#define VECTOR_UD 6
#define VECTOR_DF 8
#define VECTOR_GP 13

/* Handlers in their own files. */
enum exit_action handle_msr_read(struct vcpu *v, struct guest_regs *r);
enum exit_action handle_msr_write(struct vcpu *v, struct guest_regs *r);
enum exit_action handle_cr_access(struct vcpu *v, struct guest_regs *r);
enum exit_action handle_xsetbv(struct vcpu *v, struct guest_regs *r);
enum exit_action handle_vmcall(struct vcpu *v, struct guest_regs *r);
/* dt.c: LGDT, LIDT, SGDT, SIDT (46); LLDT, LTR, SLDT, STR (47). */
enum exit_action handle_dt_access(struct vcpu *v, struct guest_regs *r);
enum exit_action handle_dr_access(struct vcpu *v, struct guest_regs *r);
enum exit_action handle_ldt_tr_access(struct vcpu *v, struct guest_regs *r);
/* views.c */
enum exit_action handle_vmfunc(struct vcpu *v, struct guest_regs *r);
enum exit_action handle_mtf(struct vcpu *v, struct guest_regs *r); /* kprotect.c */
/* tsc.c: RDTSC (16), RDTSCP (51). */
enum exit_action handle_rdtsc(struct vcpu *v, struct guest_regs *r);
/* tsc.c: a CPU catching up with the others' hypervisor time: MWAIT (36),
 * the VMX-preemption timer (52). */
enum exit_action handle_mwait(struct vcpu *v, struct guest_regs *r);
enum exit_action handle_preemption_timer(struct vcpu *v, struct guest_regs *r);
bool kprot_debug_exception(struct vcpu *v, struct guest_regs *r); /* kprotect.c */
/* An EPT violation that concerns the views or the window; false if not. */
bool views_ept_violation(struct vcpu *v, struct guest_regs *r);

/* devirt.c: leaves VMX on this CPU and resumes the guest natively. */
void vcpu_devirtualize(struct vcpu *v, struct guest_regs *r);

#endif
