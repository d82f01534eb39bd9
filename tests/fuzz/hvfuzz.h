/* The harness exit_fuzz and vmcall_fuzz share: the real exit handlers
 * (hypervisor/core) on a fake machine of two CPUs, each exit checked
 * against a model of what it may do.
 *
 *   hvfuzz_machine.c  the fake machine: VMCS per CPU, arch helpers, guest
 *                     RAM with its hidden parts unmapped, the window block
 *                     read-only except where an exit may write
 *   hvfuzz_check.c    one exit: make it one the hardware could deliver,
 *                     predict its effects, run it, compare
 *   hvfuzz_decode.c   an input as a sequence of exits and guest writes */
#ifndef FVX_FUZZ_HVFUZZ_H
#define FVX_FUZZ_HVFUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "core/exit.h"
#include "core/window.h"

#define CPUS 2
#define PAGE PAGE_SIZE_4K
#define VMCS_FIELDS 0x8000

/* Guest-physical layout: RAM, the pool and the window's backing block in
 * between (unmapped, as the guest must never reach them), RAM again. */
#define RAM0_SIZE 0x10000ULL
#define POOL_PA 0x10000ULL
#define POOL_SIZE 0x8000ULL /* EPT: a PML4 and a PDPT per view, the split reserve */
#define RAM1_PA 0x18000ULL
#define RAM1_SIZE 0x4000ULL
#define WINDOW_PA 0x1c000ULL
/* The machine's window: the smallest the loader makes (FVX_RING_RECORDS_MIN). */
#define WINDOW_SIZE (4ULL << 20)
#define RAM2_PA (WINDOW_PA + WINDOW_SIZE)
#define RAM2_SIZE 0x4000ULL
#define RAM_TOP (RAM2_PA + RAM2_SIZE)
#define RAM_GUARD (16 * PAGE) /* unmapped, beyond ram_top */
#define WINDOW_GPA (1ULL << 39)

/* What RAM0 holds at the start of every input. */
#define AGENT_CONFIG_GPA 0x1000ULL
#define IMAGE_GPA 0x2000ULL
#define IMAGE_SIZE 128
#define REQUEST_GPA 0x3000ULL
#define SEALED_REQUEST_GPA 0x3800ULL /* the same, sealed for SEAL_TICKS */
#define SEAL_TICKS 100000ULL /* the fake TSC counts RDTSCs */
#define CONSUMER_GPA 0x4000ULL
#define PERCPU_GPA 0x5000ULL /* CPU n's per-CPU area at + n * 0x800 */
#define CURRENT_TASK_OFF 0x100ULL
#define TASK_GPA 0x6000ULL /* pid 77, parent tgid 1; a child at + 0x200 */
#define STACK_GPA 0x7000ULL /* mapped at IDT_VA + 0x1000 */
#define IDT_GPA 0x8000ULL
#define PML4_GPA 0x9000ULL
#define FREE_GPA 0xd000ULL /* three free pages */
#define CODE_GPA 0x0ULL /* stores that write page-table entries, at CODE_VA */
#define CODE_VA (IDT_VA + 0x2000)
/* The vDSO's code, as the loader names it (tsc_init.c): CODE_GPA's page. */
#define VDSO_GPA CODE_GPA
#define VDSO_VA CODE_VA
#define WINDOW_PDPT_GPA (RAM1_PA + PAGE) /* PML4[511] -> here, [1] maps the window */
#define WINDOW_PDPT_SLOT 1
#define POOL_EPT_PML4(view) (POOL_PA + (view)*PAGE)
#define POOL_EPT_PDPT(view) (POOL_PA + (2 + (view)) * PAGE)
#define POOL_RESERVE_PA (POOL_PA + 4 * PAGE) /* four pages: hv.ptp.reserve */
#define MAXPHYADDR 46
#define VPID(c) (1 + (c))
#define IDT_VA 0x400000ULL
#define GDT_VA (IDT_VA + 0x3000) /* FREE_GPA's first page */
#define NMI_HANDLER 0xffffffff81a00000ULL
#define PF_HANDLER 0xffffffff81a00100ULL
#define WINDOW_VA 0xffffff8040000000ULL
#define GUEST_LSTAR 0xffffffff81c00080ULL
#define GUEST_FMASK 0x47700ULL
/* Linux 6.1's other syscall-path MSRs (msr.c keeps them on the CPU). */
#define LINUX_STAR 0x0023001000000000ULL
#define LINUX_CSTAR 0xffffffff81c01820ULL
#define LINUX_SYSENTER_CS 0x10ULL
#define LINUX_SYSENTER_ESP 0xfffffe0000003000ULL
#define LINUX_SYSENTER_EIP 0xffffffff81c01630ULL
#define INT80_HANDLER 0xffffffff81c01760ULL /* the IDT's vector 0x80 */
#define LINUX_EFER 0xd01ULL /* SCE, LME, LMA, NXE */
#define UNLOAD_KEY 0x5eedf00dcafe1234ULL
#define KERNEL_HALF 0xffff800000000000ULL

/* A CPU's MSRs, and what its instructions return during one exit. */
struct fake_cpu {
	u64 lstar, fmask; /* the real IA32_LSTAR and IA32_FMASK */
	/* Set before an exit. */
	u32 cpuid[4];
	u64 xcr0_supported;
	u64 rdmsr_value;
	u64 tsc_aux; /* IA32_TSC_AUX, the guest's (RDTSCP reads it) */
	bool rdmsr_fails, wrmsr_fails, xsetbv_fails;
	/* What the exit did. */
	unsigned int wbinvd, rdmsr_calls, wrmsr_calls, xsetbv_calls, cpuid_calls;
	u32 rdmsr_msr, wrmsr_msr, cpuid_leaf, cpuid_subleaf;
	u64 wrmsr_value, xsetbv_value;
	u32 xsetbv_index;
	u64 tsc; /* counts RDTSCs; the harness adds the time the guest runs */
	/* IA32_TSC_DEADLINE as the CPU holds it: 0 when disarmed or fired. It
	 * fires when the TSC reaches it (at an RDTSC, at the WRMSR, while the
	 * guest runs); fired says it did since the guest last wrote it. */
	u64 tsc_deadline;
	unsigned int deadline_fires, deadline_reads, deadline_writes;
	bool deadline_fired;
	unsigned int invept, invvpid; /* INVEPT (all contexts), INVVPID */
	u64 cr2; /* written for an injected #PF */
	u64 dr[8]; /* DR0-DR3, DR6 (the input sets DR0-DR3) */
	u64 invvpid_type;
	u16 invvpid_vpid;
	u64 invvpid_address;
};

struct machine {
	u8 *ram; /* guest-physical 0 (hv.page_offset) */
	u8 *window; /* the window's backing block (hv.window) */
	u8 *pool; /* the pool's host copy (hv.pool.va): the EPT tables */
	u64 *eptp_list; /* a read-only page */
	struct hv hv;
	struct vcpu vcpus[CPUS];
	struct guest_regs regs[CPUS];
	struct fake_cpu cpu[CPUS];
	u64 vmcs[CPUS][VMCS_FIELDS];
	/* Fields written since the last reset besides the baseline's. */
	u32 touched[CPUS][256];
	unsigned int touched_count[CPUS];
	unsigned int current; /* whose VMCS and MSRs the core sees */
	bool stopped[CPUS]; /* stopped by root_fatal or left VMX */
	/* VMWRITEs of the running exit. */
	u32 written[64];
	unsigned int writes;
	char context[160]; /* what runs, for failure messages */
};

extern struct machine m;

/* hvfuzz_machine.c */
void machine_init(void);
/* Linux's value of a shadowed MSR, which the CPU keeps whatever the guest
 * writes. */
u64 linux_msr_value(enum shadowed_msr i);
void machine_reset(void);
/* The decoder and the core set VMCS fields through m.vmcs or
 * vmcs_raw_write; machine_touch notes one for the next reset. */
void machine_touch(unsigned int c, u32 field);
/* RAM writable by the harness (guest writes between exits) or read-only. */
void ram_writable(bool on);
/* Whether [gpa, gpa + size) is guest RAM the host may touch: the oracle
 * for every guest pointer, independent of guest_mem.c. */
bool ram_ok(u64 gpa, u64 size);
bool oracle_read64(u64 va, u64 *value);
/* Window pages the next exit may write: mark, then open (snapshotting
 * them); expected contents are edited in the snapshot copy. */
void window_may_write(u64 off, u64 len);
void window_open(void);
void *window_expected(u64 off, u64 len);
/* Compares and closes the open pages; false (with a message) on a
 * difference. */
bool window_check_and_close(void);
void window_poke(u64 off, const void *src, u64 len);
/* The same for RAM pages (a buffer a VMCALL fills, page-table entries the
 * protection repairs or writes for the guest): up to RAM_OPEN_PAGES. */
#define RAM_OPEN_PAGES 12
void ram_may_write(u64 gpa);
void *ram_expected(u64 gpa, u64 len);
/* The expected bytes when an open page holds them, else NULL. */
void *ram_open_lookup(u64 gpa, u64 len);
bool ram_check_and_close(void);
/* Runs one exit on CPU cpu through vmexit_handler. */
enum outcome { OUT_RESUME, OUT_FATAL, OUT_VMXOFF };
enum outcome machine_dispatch(unsigned int cpu);
/* Time on CPU cpu's TSC: the guest runs for ticks, then the exit stub's
 * RDTSC (vmx_entry.S) sets tsc.exit_tsc; either may fire the deadline. */
void machine_guest_runs(unsigned int cpu, u64 ticks);
void machine_exit_stub(unsigned int cpu);
void __attribute__((noreturn, format(printf, 1, 2))) fuzz_fail(const char *fmt, ...);

/* hvfuzz_check.c: the exit whose fields the decoder put in m.vmcs[cpu] and
 * m.regs[cpu], checked. */
void hvfuzz_exit(unsigned int cpu);

/* hvfuzz_decode.c */
enum hvfuzz_profile { PROFILE_EXITS, PROFILE_VMCALLS };
int hvfuzz_run(const uint8_t *data, size_t size, enum hvfuzz_profile profile);

#endif
