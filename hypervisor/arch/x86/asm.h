/* All inline assembly of the hypervisor core. Each helper says what it
 * clobbers beyond its outputs; none touches memory unless it says so.
 * Unit tests replace the instructions with functions of their own: the MSR
 * helpers under FVX_FAKE_VMCS, every helper under FVX_FAKE_ARCH. */
#ifndef FVX_ARCH_ASM_H
#define FVX_ARCH_ASM_H

#include "../../types.h"
#include "fastvmix/vmcall.h"

struct descriptor_table {
	u16 limit;
	u64 base;
} __attribute__((packed));

/* INVVPID types (SDM 30.3, INVVPID). */
#define INVVPID_ADDRESS 0
#define INVVPID_SINGLE_CONTEXT 1
#define INVVPID_ALL_CONTEXT 2
#define INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS 3

#ifdef FVX_FAKE_ARCH
/* The load-path unit tests' fake CPUs (tests/unit/fake_platform.c). */
u64 arch_rdmsr(u32 msr);
void arch_wrmsr(u32 msr, u64 value);
void arch_cpuid(u32 leaf, u32 subleaf, u32 out[4]);
u64 arch_read_cr0(void);
u64 arch_read_cr3(void);
u64 arch_read_cr4(void);
void arch_write_cr0(u64 v);
void arch_write_cr3(u64 v);
void arch_write_cr4(u64 v);
u64 arch_read_dr7(void);
void arch_write_dr7(u64 v);
u64 arch_read_rflags(void);
u16 arch_read_cs(void);
u16 arch_read_ss(void);
u16 arch_read_ds(void);
u16 arch_read_es(void);
u16 arch_read_fs(void);
u16 arch_read_gs(void);
u16 arch_read_tr(void);
u16 arch_read_ldtr(void);
void arch_sgdt(struct descriptor_table *t);
void arch_sidt(struct descriptor_table *t);
void arch_lgdt(const struct descriptor_table *t);
void arch_lidt(const struct descriptor_table *t);
bool arch_lar(u16 sel, u32 *ar);
u32 arch_lsl(u16 sel);
void arch_load_ds(u16 sel);
void arch_load_es(u16 sel);
void arch_load_fs(u16 sel);
void arch_load_gs(u16 sel);
void arch_load_ss(u16 sel);
void arch_outb(u16 port, u8 v);
void arch_wbinvd(void);
u64 arch_rdtsc(void);
void arch_halt_forever(void);
bool arch_vmxon(u64 pa);
void arch_vmxoff(void);
bool arch_vmclear(u64 pa);
bool arch_vmptrld(u64 pa);
void arch_invept_all(void);
void arch_invvpid_all(void);
void arch_invvpid(u64 type, u16 vpid, u64 address);
u64 arch_vmcall(u64 rax, u64 rbx, u64 rcx, u64 rdx, u64 *rbx_out);
void arch_write_cr2(u64 v);
u64 arch_read_dr(unsigned int n);
void arch_write_dr(unsigned int n, u64 v);
#else /* !FVX_FAKE_ARCH */

#ifdef FVX_FAKE_VMCS
/* Unit tests provide the MSRs and the TSC. */
u64 arch_rdmsr(u32 msr);
void arch_wrmsr(u32 msr, u64 value);
u64 arch_rdtsc(void);
#else
static inline u64 arch_rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

/* RDMSR; #GP on an MSR the CPU lacks. */
static inline u64 arch_rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void arch_wrmsr(u32 msr, u64 value)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)value), "d"((u32)(value >> 32)) : "memory");
}
#endif

/* CPUID leaf/subleaf into out[0..3] = eax, ebx, ecx, edx. */
static inline void arch_cpuid(u32 leaf, u32 subleaf, u32 out[4])
{
	asm volatile("cpuid"
		     : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
		     : "a"(leaf), "c"(subleaf));
}

#define DEFINE_READ_CR(n)                                                                          \
	static inline u64 arch_read_cr##n(void)                                                    \
	{                                                                                          \
		u64 v;                                                                             \
		asm volatile("mov %%cr" #n ", %0" : "=r"(v));                                      \
		return v;                                                                          \
	}
DEFINE_READ_CR(0)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)

/* Writes to CR0/CR3/CR4 clobber memory: they change how it is reached. */
static inline void arch_write_cr0(u64 v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline void arch_write_cr3(u64 v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline void arch_write_cr4(u64 v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline u64 arch_read_dr7(void)
{
	u64 v;

	asm volatile("mov %%dr7, %0" : "=r"(v));
	return v;
}

static inline void arch_write_dr7(u64 v)
{
	asm volatile("mov %0, %%dr7" : : "r"(v));
}

static inline u64 arch_read_rflags(void)
{
	u64 v;

	asm volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

#define DEFINE_READ_SEG(name)                                                                      \
	static inline u16 arch_read_##name(void)                                                   \
	{                                                                                          \
		u16 v;                                                                             \
		asm volatile("mov %%" #name ", %0" : "=r"(v));                                     \
		return v;                                                                          \
	}
DEFINE_READ_SEG(cs)
DEFINE_READ_SEG(ss)
DEFINE_READ_SEG(ds)
DEFINE_READ_SEG(es)
DEFINE_READ_SEG(fs)
DEFINE_READ_SEG(gs)

static inline u16 arch_read_tr(void)
{
	u16 v;

	asm volatile("str %0" : "=r"(v));
	return v;
}

static inline u16 arch_read_ldtr(void)
{
	u16 v;

	asm volatile("sldt %0" : "=r"(v));
	return v;
}

static inline void arch_sgdt(struct descriptor_table *t)
{
	asm volatile("sgdt %0" : "=m"(*t));
}

static inline void arch_sidt(struct descriptor_table *t)
{
	asm volatile("sidt %0" : "=m"(*t));
}

static inline void arch_lgdt(const struct descriptor_table *t)
{
	asm volatile("lgdt %0" : : "m"(*t));
}

static inline void arch_lidt(const struct descriptor_table *t)
{
	asm volatile("lidt %0" : : "m"(*t));
}

/* LAR: access rights of a selector; false when it is null or invalid. */
static inline bool arch_lar(u16 sel, u32 *ar)
{
	bool ok;
	u32 v = 0;

	asm volatile("lar %2, %1" : "=@ccz"(ok), "+r"(v) : "rm"((u32)sel));
	*ar = v;
	return ok;
}

static inline u32 arch_lsl(u16 sel)
{
	u32 v = 0;

	asm volatile("lsl %1, %0" : "+r"(v) : "rm"((u32)sel) : "cc");
	return v;
}

/* Loads a data segment register (RPL/TI as given). */
#define DEFINE_LOAD_SEG(name)                                                                      \
	static inline void arch_load_##name(u16 sel)                                               \
	{                                                                                          \
		asm volatile("mov %0, %%" #name : : "r"(sel) : "memory");                          \
	}
DEFINE_LOAD_SEG(ds)
DEFINE_LOAD_SEG(es)
DEFINE_LOAD_SEG(fs)
DEFINE_LOAD_SEG(gs)
DEFINE_LOAD_SEG(ss)

static inline void arch_outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void arch_wbinvd(void)
{
	asm volatile("wbinvd" : : : "memory");
}

static inline void arch_halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

/* VMX instructions. Each returns false on VMfailInvalid/VMfailValid (CF/ZF). */
static inline bool arch_vmxon(u64 pa)
{
	bool fail;

	asm volatile("vmxon %1" : "=@ccbe"(fail) : "m"(pa) : "memory");
	return !fail;
}

static inline void arch_vmxoff(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
}

static inline bool arch_vmclear(u64 pa)
{
	bool fail;

	asm volatile("vmclear %1" : "=@ccbe"(fail) : "m"(pa) : "memory");
	return !fail;
}

static inline bool arch_vmptrld(u64 pa)
{
	bool fail;

	asm volatile("vmptrld %1" : "=@ccbe"(fail) : "m"(pa) : "memory");
	return !fail;
}

#ifdef FVX_FAKE_VMCS
/* Unit tests record the invalidations and CR2, and keep the debug
 * registers. */
void arch_invept_all(void);
void arch_invvpid(u64 type, u16 vpid, u64 address);
void arch_write_cr2(u64 v);
u64 arch_read_dr(unsigned int n);
void arch_write_dr(unsigned int n, u64 v);
#else
/* DR0-DR3 and DR6 (n): the guest's, which VMX root leaves alone (DR7 is
 * in the VMCS). */
static inline u64 arch_read_dr(unsigned int n)
{
	u64 v = 0;

	switch (n) {
	case 0: asm volatile("mov %%dr0, %0" : "=r"(v)); break;
	case 1: asm volatile("mov %%dr1, %0" : "=r"(v)); break;
	case 2: asm volatile("mov %%dr2, %0" : "=r"(v)); break;
	case 3: asm volatile("mov %%dr3, %0" : "=r"(v)); break;
	case 6: asm volatile("mov %%dr6, %0" : "=r"(v)); break;
	}
	return v;
}

static inline void arch_write_dr(unsigned int n, u64 v)
{
	switch (n) {
	case 0: asm volatile("mov %0, %%dr0" : : "r"(v)); break;
	case 1: asm volatile("mov %0, %%dr1" : : "r"(v)); break;
	case 2: asm volatile("mov %0, %%dr2" : : "r"(v)); break;
	case 3: asm volatile("mov %0, %%dr3" : : "r"(v)); break;
	case 6: asm volatile("mov %0, %%dr6" : : "r"(v)); break;
	}
}

/* CR2 for a #PF the hypervisor injects: VMX root takes no page fault, so
 * it is still the guest's at VM entry. */
static inline void arch_write_cr2(u64 v)
{
	asm volatile("mov %0, %%cr2" : : "r"(v));
}

/* INVEPT type 2: all contexts (SDM 30.3). */
static inline void arch_invept_all(void)
{
	struct {
		u64 eptp, zero;
	} desc = { 0, 0 };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(2ULL) : "cc", "memory");
}

/* INVVPID of one type; address only for INVVPID_ADDRESS. */
static inline void arch_invvpid(u64 type, u16 vpid, u64 address)
{
	struct {
		u64 vpid, addr;
	} desc = { vpid, address };

	asm volatile("invvpid %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}
#endif

static inline void arch_invvpid_all(void)
{
	arch_invvpid(INVVPID_ALL_CONTEXT, 0, 0);
}

/* The guest side of a VMCALL, for the unload path: fastvmix/vmcall.h's. */
static inline u64 arch_vmcall(u64 rax, u64 rbx, u64 rcx, u64 rdx, u64 *rbx_out)
{
	return (u64)fvx_vmcall_raw(rax, rbx, rcx, rdx, rbx_out);
}
#endif /* !FVX_FAKE_ARCH */

/* In vmx_launch.S: the loader's side, never run in VMX root after launch
 * (unit tests of the load path fake these). */

/* VMLAUNCHes the current VMCS with the caller's own state as the guest:
 * returns 0 in the guest, 1 when VMLAUNCH failed (still in VMX root).
 * Clobbers the caller-saved registers. */
int arch_vmx_launch(void);
/* After VMXOFF: switches to the guest's page tables, descriptor tables,
 * segments and MSRs (struct leave_state), then its general registers, RSP,
 * RFLAGS and RIP. A leave_vmx_fn (core/vcpu.h); never returns. */
struct guest_regs;
struct leave_state;
void arch_leave_vmx(struct guest_regs *regs, const struct leave_state *s);
/* The NMI handler while arch_leave_vmx runs: IRETQ. */
void arch_leave_vmx_nmi(void);

/* In vmx_entry.S: VMX root. */

/* Host RIP of every VM exit. */
void arch_vmx_exit_stub(void);
/* MSR and XSETBV access that returns -1 instead of faulting on #GP (the host
 * #GP handler resumes at a fixup label). */
int arch_rdmsr_safe(u32 msr, u64 *value);
int arch_wrmsr_safe(u32 msr, u64 value);
int arch_xsetbv_safe(u32 index, u64 value);
/* The 256-entry host IDT's handler stubs, 16 bytes apart. */
extern const u8 arch_host_idt_stubs[];
#define ARCH_HOST_IDT_STUB_SIZE 16

#endif
