/* A fake machine for unit tests of the load path, Bareflank style: the
 * platform boundary (hypervisor/platform.h) over malloc'd blocks and a few
 * fake CPUs, every arch_* helper (built with FVX_FAKE_ARCH) over per-CPU
 * fake registers, and one fake VMCS, an array indexed by field encoding,
 * per VMCS region. The VMX instructions check the order the SDM requires
 * (VMXON needs CR4.VMXE, VMPTRLD the revision, ...) and fail the test when
 * the core breaks it. */
#ifndef FVX_TEST_FAKE_PLATFORM_H
#define FVX_TEST_FAKE_PLATFORM_H

#include "types.h"
#include "platform.h"

#define FAKE_MAX_CPUS 4
#define FAKE_MAX_BLOCKS 16
#define FAKE_PAGE_OFFSET 0xffff888000000000ULL /* Linux's direct map */
#define FAKE_RAM_TOP (1ULL << 30)
#define FAKE_GUEST_CR3 0x01000000ULL /* the OS's page tables (fake_guest_tables) */
#define FAKE_KERNEL_VA 0xffffffff81000000ULL /* mapped by the OS's tables */
#define FAKE_KERNEL_PA 0x02000000ULL
#define FAKE_CR0 0x80050033ULL
#define FAKE_CR4 0x001506b0ULL
#define FAKE_EFER 0xd01ULL
#define FAKE_PAT 0x0407050600070106ULL
#define FAKE_LSTAR 0xffffffff81a00080ULL
#define FAKE_STAR 0x0023001000000000ULL /* Linux: SYSRET CS base 0x23, SYSCALL CS 0x10 */
#define FAKE_KERNEL_CS 0x10
#define FAKE_KERNEL_SS 0x18
#define FAKE_TR 0x40
#define FAKE_GDT_LIMIT 0x7f /* 16 descriptors, as in Linux */
#define FAKE_IDT_BASE 0xfffffe0000000000ULL /* Linux's read-only IDT alias */
#define FAKE_MAXPHYADDR 39

struct fake_msr {
	u32 msr;
	u64 value;
};

struct fake_cpu {
	/* Set by the test before hv_load (fake_platform_reset: a good CPU). */
	bool has_vmx; /* CPUID.01H:ECX.VMX */
	bool fail_vmlaunch; /* VMLAUNCH fails with VM-instruction error 7 */
	u64 cr0, cr3, cr4;
	struct fake_msr msrs[16]; /* MSRs other than the VMX capabilities */
	/* Kept by the fakes. */
	bool in_vmx; /* between VMXON and VMXOFF */
	bool guest; /* VMX non-root: since VMLAUNCH, until VMXOFF */
	u64 vmxon_pa;
	u64 current_vmcs; /* physical address, 0 when none */
	u64 host_cr3; /* HOST_CR3 of the VMCS launched last */
	unsigned int tlb_flushes; /* CR4.PGE changes since VMXOFF */
	unsigned int launches, invept, invvpid, tables_reloads;
	unsigned int vmcalls; /* VMCALLs that reached the hypervisor */
	u64 resumed_rip; /* where the guest went on after leaving VMX */
	u64 gdt[FAKE_GDT_LIMIT / 8 + 1]; /* the OS's GDT on this CPU */
	u8 tss[0x2070]; /* the OS's TSS on this CPU */
	u64 gdtr_base, idtr_base; /* loaded by LGDT/LIDT */
};

struct fake_block {
	void *va;
	u64 pa;
	u64 size;
	bool live;
};

struct fake_platform {
	unsigned int cpu_count;
	unsigned int current; /* platform_cpu_index() */
	struct fake_cpu cpu[FAKE_MAX_CPUS];
	/* Allocations: platform_alloc_contig and the core's pool_alloc. */
	unsigned int allocs; /* so far */
	unsigned int fail_alloc_at; /* this one (1-based) returns NULL; 0: none fails */
	struct fake_block blocks[FAKE_MAX_BLOCKS]; /* platform blocks, in order */
	unsigned int block_count;
	struct platform_kernel_layout kernel; /* platform_kernel_layout() */
	char log[16384]; /* platform_log and root_log (port 0xE9) output */
	unsigned int log_len;
};

extern struct fake_platform fake;

/* Frees what the last run left and starts over with cpu_count good CPUs
 * (VMX, broadwell capabilities, FEATURE_CONTROL locked with VMX on). */
void fake_platform_reset(unsigned int cpu_count);
/* Platform blocks allocated and not freed. */
unsigned int fake_blocks_outstanding(void);
/* The VMCS (field-indexed array) whose region is at pa, NULL if never used. */
const u64 *fake_vmcs(u64 pa);
u64 fake_virt_to_phys(const void *va);
/* One of a CPU's own MSRs (FEATURE_CONTROL, LSTAR, EFER, PAT, ...). */
u64 *fake_cpu_msr(unsigned int cpu, u32 msr);
/* The OS's page tables: pml4 at FAKE_GUEST_CR3, kernel half only. */
struct fake_guest_tables {
	u64 pml4[512], pdpt[512], pd[512], pt[512];
};
extern struct fake_guest_tables fake_guest_tables;

#endif
