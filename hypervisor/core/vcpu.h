/* The hypervisor's state: one struct hv, one struct vcpu per CPU, all of it
 * in the pool (hidden from the guest). */
#ifndef FVX_CORE_VCPU_H
#define FVX_CORE_VCPU_H

#include "../types.h"
#include "caps.h"
#include "pool.h"
#include "ept.h"
#include "mtrr.h"
#include "root_image.h"
#include "ptprotect.h"
#include "kprotect.h"
#include "tsc.h"
#include "dr.h"
#include "dt.h"
#include "fastvmix/vmcall.h"

/* The window has a trampoline copy, a stack and a ring per CPU. */
#define FVX_MAX_CPUS FVX_WIN_MAX_CPUS
#define HOST_STACK_PAGES 4
#define HV_SIGNATURE "FastVMIX-hvstate"

/* General registers as arch_vmx_exit_stub pushes them. */
struct guest_regs {
	u64 rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};
_Static_assert(sizeof(struct guest_regs) == 128, "guest_regs layout");

/* An analyzer or trampoline that an NMI or exception interrupted in the
 * analyzer view (views.c): where and how it resumes, taken from the frame
 * the CPU pushed and from the registers when the event's handler started. */
struct window_interruption {
	u64 rip, cs, rflags, rsp, ss;
	struct guest_regs regs; /* regs.rsp unused: rsp above */
};

/* What the loader's arch_leave_vmx (vmx_launch.S) gives back to the guest
 * after VMXOFF, with the general registers (struct guest_regs, rsp = the
 * guest's RSP): devirt.c fills it from the VMCS. Each descriptor-table
 * limit is followed by its base, as LGDT/LIDT read them. */
struct leave_state {
	u64 rip, rflags, cr3, fs_base, gs_base, debugctl, dr7, efer;
	u16 pad_gdtr[3], gdtr_limit;
	u64 gdtr_base;
	u16 pad_idtr[3], idtr_limit;
	u64 idtr_base;
	u16 ds, es, fs, gs, ss;
};
_Static_assert(sizeof(struct leave_state) == 112, "leave_state layout");

/* The loader's code that finishes leaving VMX (it never returns). */
typedef void (*leave_vmx_fn)(struct guest_regs *regs, const struct leave_state *s);

struct hv;

/* The syscall-path MSRs a guest may write but not change (msr.c): the CPU
 * keeps Linux's values from load, RDMSR returns what the guest wrote. */
enum shadowed_msr {
	SHADOW_STAR,
	SHADOW_CSTAR,
	SHADOW_SYSENTER_CS,
	SHADOW_SYSENTER_ESP,
	SHADOW_SYSENTER_EIP,
	SHADOWED_MSR_COUNT
};

struct msr_shadow {
	u64 guest; /* as the guest wrote it */
	u64 real; /* Linux's value at load: the MSR or the VMCS guest field */
};

struct vcpu {
	struct vcpu *self; /* %fs:0 in VMX root */
	u8 nmi_pending; /* set by the host NMI handler (vmx_entry.S, through %fs) */
	struct hv *hv;
	unsigned int index;
	void *vmxon;
	void *vmcs;
	u8 *stack;
	u64 *host_pml4; /* this CPU's host page tables (host.h) */
	u64 host_cr3;
	u8 *gdt; /* the host GDT (a copy of Linux's) */
	u8 *tss;
	u64 vmcalls;
	u64 exits_total;
	u64 exits[FVX_EXIT_REASON_COUNT];
	u64 ept_violations_logged;
	u64 guest_lstar; /* IA32_LSTAR as the guest wrote it */
	u64 guest_fmask; /* IA32_FMASK as the guest wrote it */
	struct msr_shadow shadowed[SHADOWED_MSR_COUNT];
	bool guest_efer_sce; /* IA32_EFER.SCE as the guest wrote it (the real one stays set) */
	u32 trace_mode; /* FVX_MODE_* on this CPU, 0 when off */
	bool analyzer_interrupted; /* an event left the analyzer view (NMI) */
	struct window_interruption interrupted; /* valid while analyzer_interrupted */
	u64 attacks; /* view-switch abuse seen on this CPU */
	u64 sealed_refusals; /* attempts to end or change a sealed trace */
	u64 bad_unload_keys; /* UNLOAD with a wrong key */
	u64 msr_writes_shadowed; /* syscall-path MSR writes kept from the CPU (msr.c) */
	u64 dt_loads_refused; /* descriptor-table loads refused */
	u64 kernel_writes_refused; /* kernel text, rodata, IDT writes refused */
	u64 text_pokes; /* text_poke writes let through */
	u64 resume_tampered; /* interrupted analyzer state restored (views.c) */
	struct ptp_cpu ptp; /* page-table protection (ptprotect.c) */
	struct kprot_cpu kprot; /* kernel text protection (kprotect.c) */
	struct tsc_cpu tsc; /* timing transparency (tsc.c) */
	struct dt_cpu dt; /* descriptor tables (dt.c) */
	struct dr_cpu dr; /* debug registers (dr.c) */
};

struct hv {
	char signature[16]; /* found by no guest read while loaded (system test) */
	struct pool pool;
	struct vmx_caps caps;
	struct vmx_controls ctls;
	struct mtrr_state mtrr;
	u64 page_offset; /* Linux's direct map: guest-physical 0 */
	u64 ram_top;
	u8 maxphyaddr; /* CPUID.80000008H:EAX[7:0] */
	u64 host_cr3; /* the host page tables each CPU's copy starts from */
	struct root_image root; /* what VMX root runs (root_image.h) */
	u64 eptp;
	struct ept_stats ept_stats;
	u8 *msr_bitmap;
	u8 *idt;
	/* Leaving VMX (devirt.c): the loader's code, which the guest's page
	 * tables map too, and the IDT in force while it switches to them:
	 * vectors 0-2, only the NMI gate present. */
	leave_vmx_fn leave_vmx;
	u64 leave_idt[2 * 3];
	u8 *dummy;
	u64 unload_key;
	/* The analyzer window (views.c, trace_ctl.c). */
	u8 *window; /* host address of the backing block */
	u64 window_pa; /* its physical address: hidden like the pool */
	u64 window_size; /* bytes, whole blocks (window_backing) */
	u64 window_gpa; /* where the guest sees it */
	u64 *eptp_list;
	u64 eptp_analyzer;
	u64 ring_bytes;
	u64 ring_capacity; /* records per ring: the producers' trusted copy */
	bool x_only; /* EPT execute-only pages */
	bool configured;
	bool analyzer_loaded;
	bool window_idt; /* the window has its IDT (trace_ctl.c, FVX_WIN_IDT) */
	u64 idt_page; /* Linux's IDT's page as the loader named it at load, 0: unknown */
	u32 mode_changes; /* TRACE_MODE calls so far (trace_ctl.c, publish_fast_skip) */
	bool trace_drop; /* full rings drop records (FVX_TRACE_DROP) */
	bool trace_hide_time; /* the analyzer's time taken out of user RDTSC (FVX_TRACE_HIDE_TIME) */
	u32 tracing_cpus;
	u64 seal_until; /* TSC: a sealed trace runs until then; 0 when not sealed */
	struct ptp_state ptp; /* page-table protection of the window (ptprotect.c) */
	struct kprot_state kprot; /* kernel text, rodata and IDT (kprotect.c) */
	struct tsc_state tsc; /* the address spaces' analyzer time (tsc.c) */
	unsigned int cpu_count;
	struct vcpu *vcpus[FVX_MAX_CPUS];
};

static inline u64 hv_pa(const struct hv *hv, const void *va)
{
	return pool_pa(&hv->pool, va);
}

#endif
