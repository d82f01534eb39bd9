/* Timing transparency: the time a CPU spends in VMX root is taken out of
 * the guest's TSC (tsc.c), and so is, for the address space it ran for, the
 * time the trampoline measures in the analyzer view (fast mode). */
#ifndef FVX_CORE_TSC_H
#define FVX_CORE_TSC_H

#include "../types.h"

/* The largest transition cost the loader may set, in TSC ticks: a VM exit
 * and entry on any CPU cost far less. */
#define TSC_TRANSITION_MAX 100000

/* Evening out (tsc.c): a CPU whose hypervisor time is behind the CPU that
 * took most spends at most TSC_EVEN_QUANTUM ticks more at an exit, and
 * while it is more than TSC_EVEN_NEAR behind, it comes back for more every
 * TSC_EVEN_PERIOD ticks (the VMX-preemption timer: at most half its time
 * goes so) and at each MWAIT (an idle CPU). It never owes more than
 * TSC_EVEN_DEBT_MAX: a CPU that exits without end (a CPUID loop) must not
 * slow the others down for ever; beyond that, the CPUs part. */
#ifndef TSC_EVEN_QUANTUM /* the fuzz machine's is smaller: one read per tick there */
#define TSC_EVEN_QUANTUM 50000
#endif
#define TSC_EVEN_PERIOD 50000
#define TSC_EVEN_NEAR 512
/* A CPU learns that it fell behind at its own exits: while loaded, the
 * preemption timer brings every CPU back at least every TSC_EVEN_LOOK
 * ticks to look (a CPU without exits of its own would never know). */
#define TSC_EVEN_LOOK (1U << 22)
#define TSC_EVEN_DEBT_MAX (1ULL << 24)

/* Address spaces with analyzer time taken out: a full table evicts. */
#ifndef TSC_SPACES /* the fuzz machine has fewer, to fill the table */
#define TSC_SPACES 64
#endif
/* The vDSO's code: the 64-bit, 32-bit and x32 images. */
#define TSC_VDSO_IMAGES 3

/* Per CPU. exit_tsc is written by the exit stub (vmx_entry.S) first thing,
 * before any handler runs. */
struct tsc_cpu {
	u64 exit_tsc; /* host TSC when this exit's handling began */
	u64 transition; /* ticks of each exit not between exit_tsc and the resume */
	u64 hidden; /* ticks taken out of the guest's TSC so far */
	u64 evened; /* of those, spent evening out with the other CPUs */
	/* The hypervisor time this CPU is level with (tsc_state.most_hidden):
	 * its hidden time, plus what it was let off (beyond the largest debt,
	 * and after a guest write of the TSC). */
	u64 level;
	u64 forgiven; /* let off so */
	bool called; /* the preemption timer (every TSC_EVEN_PERIOD) and MWAIT exiting bring it back */
	bool looks; /* the preemption timer runs (every TSC_EVEN_LOOK or TSC_EVEN_PERIOD) */
	bool look_wanted; /* another concern wants it back every TSC_EVEN_LOOK (tsc_look) */
	u64 deadline; /* IA32_TSC_DEADLINE as the guest wrote it (guest time), 0 when off */
	u64 armed; /* the CPU's IA32_TSC_DEADLINE as last written (host time; 1: at once) */
	u64 rearmed; /* writes of it that followed the offset (after an exit) */
	u64 tsc_adjust; /* IA32_TSC_ADJUST as the guest wrote it */
	bool has_adjust; /* the CPU has IA32_TSC_ADJUST */
	/* The analyzer's time (fast mode). */
	u64 resumed; /* the guest's TSC when the last exit resumed it */
	u64 space; /* the address space (PML4) RDTSC exiting was last decided for */
	u32 generation; /* of the table, when it was */
	bool hiding; /* analyzer time was being hidden then (some CPU traced) */
	bool exiting; /* RDTSC exiting is on for that address space */
	bool track; /* fvx_tsc_slot.track as last written */
	u64 analyzer; /* analyzer ticks measured here and taken out */
	/* This exit is the analyzer's (tsc_analyzer_exit), and so many ticks
	 * more go to the address space with it. */
	bool analyzer_exit;
	u64 analyzer_extra;
	u64 adjusted; /* RDTSC/RDTSCP exits answered with an address space's time out */
};

/* An address space's analyzer time, keyed by its top-level table. */
struct tsc_space {
	u64 key; /* the PML4's physical address | TSC_SPACE_USED; 0: free */
	u64 hidden; /* analyzer ticks taken out of its user code's TSC */
	u64 last; /* what its user code last read: it never reads less */
	u64 used; /* hv-wide tick of the last use: the oldest is evicted */
};
#define TSC_SPACE_USED 1ULL

/* Shared by all CPUs, under the lock. */
struct tsc_state {
	u32 lock;
	u32 generation; /* moves when an address space is added or dropped, or tracing starts or ends */
	bool rdtsc_exiting; /* RDTSC exiting can be switched on (load time) */
	/* The most hypervisor time one CPU is level with (tsc_cpu.level):
	 * every CPU catches up with it, so that their TSCs stay together. */
	u64 most_hidden;
	bool call_back; /* the preemption timer and MWAIT exiting can be switched on (load time) */
	bool timer; /* the preemption timer can be switched on (load time) */
	u32 timer_shift; /* the preemption timer counts every 2^timer_shift TSC ticks */
	struct {
		u64 start, end; /* guest-physical, page-aligned; empty if unknown */
	} vdso[TSC_VDSO_IMAGES];
	u64 clock; /* counts uses of the table */
	u64 count; /* address spaces in it */
	u64 evicted; /* dropped to make room: their TSC jumped forward */
	struct tsc_space space[TSC_SPACES];
};

struct hv;
struct vcpu;
struct guest_regs;

/* Load time (tsc_init.c): where the vDSO's code is, and whether RDTSC
 * exiting can be used. */
void tsc_init(struct hv *hv);

/* The last step before VM entry: the offset moves back by the time this
 * exit took, and an armed TSC deadline follows it. */
void tsc_hide_exit(struct vcpu *v);
/* The TSC MSRs, in the guest's time: TSC_MSR_OTHER when msr is none of
 * them, TSC_MSR_DONE (the value read, or the write done), or TSC_MSR_GP. */
enum tsc_msr { TSC_MSR_OTHER, TSC_MSR_DONE, TSC_MSR_GP };
enum tsc_msr tsc_msr_read(struct vcpu *v, u32 msr, u64 *value);
enum tsc_msr tsc_msr_write(struct vcpu *v, u32 msr, u64 value);
/* Brings this CPU back every TSC_EVEN_LOOK ticks of running even when it
 * has no other CPU to keep level with (one CPU), from its next exit on,
 * while `on`: the page-table protection looks at the loaded table at
 * every exit (ptprotect.h). Where there is no preemption timer, nothing. */
void tsc_look(struct vcpu *v, bool on);
/* FVX_VMCALL_TSC_CALIBRATE: RBX = the unload key, RCX = the transition
 * cost the loader measured on this CPU. */
s64 tsc_calibrate(struct vcpu *v, struct guest_regs *r);

/* The analyzer's time. First on every exit: what the trampoline measured
 * since the last one goes to the address space that ran (before a MOV to
 * CR3 switches it). */
void tsc_harvest(struct vcpu *v);
/* After the handler: RDTSC exiting on while the address space that runs
 * has analyzer time taken out, and the trampoline told whether to track it. */
void tsc_follow(struct vcpu *v);
/* FVX_VMCALL_TSC_TRACK, from this CPU's trampoline copy. */
s64 tsc_track(struct vcpu *v, struct guest_regs *r);
/* This exit is the analyzer's: an exit-mode trace's VMCALL that records a
 * call (one the filter and the task select) in place of the analyzer view;
 * any other exit-mode VMCALL (every system call exits in exit mode) is the
 * hypervisor's, hidden from the CPU's TSC as every exit. Its time is then the traced
 * address space's, as the analyzer view's is in fast mode: the CPU's TSC
 * shows it (so the CPUs' TSCs stay together: the traced CPU's exits do not
 * set it behind the others), and with FVX_TRACE_HIDE_TIME the address
 * space's user code does not, nor `extra` ticks more (the kernel's tracing
 * work of a call: fvx_trace_request.tsc_call_ticks). */
void tsc_analyzer_exit(struct vcpu *v, u64 extra);
/* The first CPU started tracing, or the last one stopped (the table is
 * emptied then: those address spaces' TSCs jump forward to the guest's). */
void tsc_tracing_changed(struct hv *hv);

#endif
