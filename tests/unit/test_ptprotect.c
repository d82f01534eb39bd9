/* Unit tests for the page-table protection of the analyzer window
 * (ptprotect.c, the MOV-to-CR3 emulation in cr.c, the store decoder in
 * insn.c) and of kernel text, rodata and the IDT (kprotect*.c), through the real exit dispatch on a fake VMCS per CPU, with
 * guest RAM, guest page tables and real EPT views in ordinary memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/exit.h"
#include "core/insn.h"
#include "core/log.h"
#include "core/views.h"
#include "core/window.h"
#include "platform.h"
#include "arch/x86/asm.h"
#include "fastvmix/vmcall.h"

/* ---- fakes: one VMCS per CPU, MSRs, TLB invalidation, logging ---- */

static u64 vmcs_of[2][0x8000];
static u64 *vmcs = vmcs_of[0];

u64 vmcs_raw_read(u32 field)
{
	assert_true(field < 0x8000);
	return vmcs[field];
}

void vmcs_raw_write(u32 field, u64 value)
{
	assert_true(field < 0x8000);
	vmcs[field] = value;
}

int arch_rdmsr_safe(u32 msr, u64 *value)
{
	*value = 0;
	return 0;
}

int arch_wrmsr_safe(u32 msr, u64 value)
{
	return 0;
}

int arch_xsetbv_safe(u32 index, u64 value)
{
	return 0;
}

u64 arch_rdmsr(u32 msr)
{
	return 0;
}

u64 arch_rdtsc(void)
{
	static u64 tsc;

	return tsc += 100;
}

void arch_wrmsr(u32 msr, u64 value)
{
}

static int invepts, invvpids;
static u64 invvpid_type;
static u16 invvpid_vpid;

void arch_invept_all(void)
{
	invepts++;
}

void arch_invvpid(u64 type, u16 vpid, u64 address)
{
	invvpids++;
	invvpid_type = type;
	invvpid_vpid = vpid;
}

/* The debug registers DR0-DR3 and DR6 (dr.c reads and writes them through). */
static u64 fake_dr[8];

u64 arch_read_dr(unsigned int n)
{
	return fake_dr[n & 7];
}

void arch_write_dr(unsigned int n, u64 v)
{
	fake_dr[n & 7] = v;
}

void arch_write_cr2(u64 v)
{
}

static jmp_buf fatal_jump;
static int fatal_reports;

void root_log(const char *fmt, ...)
{
}

void root_fatal(const char *fmt, ...)
{
	fatal_reports++;
	longjmp(fatal_jump, 1);
}

void vcpu_devirtualize(struct vcpu *v, struct guest_regs *r)
{
}

static struct platform_kernel_layout kernel_layout;

void platform_kernel_layout(struct platform_kernel_layout *l)
{
	*l = kernel_layout;
}

void platform_log(const char *fmt, ...)
{
}

/* ---- the machine ---- */

#define GIB (1ULL << 30)
#define POOL_PA 0x10000000ULL
#define POOL_SIZE (4ULL << 20)
#define WINDOW_GPA (1ULL << 39)
#define WINDOW_SLOT 1
#define WINDOW_VA (0xffffff8000000000ULL + WINDOW_SLOT * GIB)
/* Guest-physical pages of the fixture's 64 KiB of RAM. */
#define AGENT_CONFIG 0x1000
#define CODE 0x2000 /* two pages of code, at CODE_VA */
#define PML4 0x9000 /* the configuring CPU's address space */
#define PDPT 0xa000 /* PML4[511]: kernel text and the window */
#define PD 0xb000
#define PT 0xc000
#define OTHER_PML4 0x4000 /* another process's top-level table */
#define EVIL_PDPT 0x5000
#define CODE_VA 0xffffffff80201000ULL /* PML4 511, PDPT 510, PD 1, PT 1 */
#define PML4E (PDPT | 0x67) /* P RW US A D, as Linux's _PAGE_TABLE */
#define PDPTE (WINDOW_GPA | 0x1e3) /* P RW PS A D G, as the agent writes it */
#define CR_MOV_RBX_TO_CR3 (3 | (0 << 4) | (3 << 8))
#define CS_AR_64BIT 0xa09b
#define CR4_PCIDE BIT(17)

/* EPT-violation qualifications: a data write to the translated address,
 * and the CPU setting a flag in a paging-structure entry. */
#define Q_WRITE (BIT(1) | BIT(7) | BIT(8))
#define Q_WALK_WRITE (BIT(1) | BIT(7))

#define RAM_SIZE 0x10000
#define BIG_RAM_SIZE (10ULL << 20) /* for tables in regions of large EPT pages */
static u8 *ram; /* [BIG_RAM_SIZE], of which RAM_SIZE are RAM but where a test says */
static u8 *pool_memory, *window_block;
static u64 eptp_list[2];
static struct hv hv;
static struct vcpu cpus[2];
static struct guest_regs regs;

static u64 *entry(u64 table, unsigned int index)
{
	return (u64 *)(ram + table) + index;
}

static void build_views(void)
{
	struct ept_layout l = { .limit = 1ULL << 40, .large_1g = true, .mtrr = &hv.mtrr };
	struct ept_stats stats;
	u64 pml4;

	pool_init(&hv.pool, pool_memory, POOL_PA, POOL_SIZE);
	l.hidden[0].base = POOL_PA;
	l.hidden[0].size = POOL_SIZE;
	l.ram_perm = EPT_RWX;
	assert_int_equal(ept_build(&hv.pool, &l, &pml4, &stats), FVX_OK);
	hv.eptp = eptp_list[0] = ept_pointer(pml4);
	l.ram_perm = EPT_READ | EPT_WRITE;
	assert_int_equal(ept_build(&hv.pool, &l, &pml4, &stats), FVX_OK);
	hv.eptp_analyzer = eptp_list[1] = ept_pointer(pml4);
	hv.eptp_list = eptp_list;
	assert_int_equal(ptp_init(&hv), FVX_OK);
}

static int setup(void **state)
{
	unsigned int i;

	if (!pool_memory) {
		pool_memory = aligned_alloc(4096, POOL_SIZE);
		ram = aligned_alloc(4096, BIG_RAM_SIZE);
		window_block = aligned_alloc(4096, PLATFORM_CONTIG_BLOCK);
	}
	memset(vmcs_of, 0, sizeof(vmcs_of));
	memset(ram, 0, RAM_SIZE);
	memset(window_block, 0, PLATFORM_CONTIG_BLOCK);
	memset(&hv, 0, sizeof(hv));
	memset(cpus, 0, sizeof(cpus));
	memset(&regs, 0, sizeof(regs));
	memset(&kernel_layout, 0, sizeof(kernel_layout));
	invepts = invvpids = fatal_reports = 0;
	invvpid_type = ~0ULL;
	hv.page_offset = (u64)ram;
	hv.ram_top = RAM_SIZE;
	hv.maxphyaddr = 40;
	hv.mtrr.enabled = true;
	hv.mtrr.default_type = MEMTYPE_WB;
	hv.caps.ept_vpid = 0x00000f0106334141ULL; /* Bochs: every INVVPID type */
	hv.ctls.proc = CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
	hv.window = window_block;
	hv.window_pa = 0x20000000;
	hv.window_size = PLATFORM_CONTIG_BLOCK;
	hv.window_gpa = WINDOW_GPA;
	hv.cpu_count = 2;
	build_views();
	for (i = 0; i < 2; i++) {
		cpus[i].hv = &hv;
		cpus[i].index = i;
		hv.vcpus[i] = &cpus[i];
		vmcs_of[i][CPU_BASED_VM_EXEC_CONTROL] = hv.ctls.proc;
		vmcs_of[i][VIRTUAL_PROCESSOR_ID] = i + 1;
		vmcs_of[i][GUEST_CR3] = PML4;
		vmcs_of[i][GUEST_RIP] = CODE_VA;
		vmcs_of[i][GUEST_SS_AR_BYTES] = 0x93;
		vmcs_of[i][GUEST_CS_AR_BYTES] = CS_AR_64BIT;
		vmcs_of[i][VM_ENTRY_CONTROLS] = VM_ENTRY_IA32E_MODE; /* a 64-bit guest */
	}
	vmcs = vmcs_of[0];
	/* Linux's shape: PML4[511] -> PDPT; PDPT[510] -> kernel text (here
	 * the code pages), PDPT[511] -> fixmap; PDPT[1] the window. */
	*entry(PML4, 511) = PML4E;
	*entry(PDPT, 510) = PD | 0x63;
	*entry(PDPT, 511) = 0xe000 | 0x63;
	*entry(PDPT, WINDOW_SLOT) = PDPTE;
	*entry(PD, 1) = PT | 0x63;
	*entry(PT, 1) = CODE | 0x63;
	*entry(PT, 2) = (CODE + 0x1000) | 0x63;
	memcpy(ram + OTHER_PML4, ram + PML4, 4096);
	memcpy(ram + EVIL_PDPT, ram + PDPT, 4096);
	*entry(EVIL_PDPT, WINDOW_SLOT) = (WINDOW_GPA + GIB) | 0x1e3;
	return 0;
}

static void exit_on(unsigned int cpu, u32 reason)
{
	vmcs = vmcs_of[cpu];
	vmcs[VM_EXIT_REASON] = reason;
	vmcs[VM_EXIT_INSTRUCTION_LEN] = 3;
	if (!setjmp(fatal_jump))
		vmexit_handler(&regs, &cpus[cpu]);
	vmcs = vmcs_of[0];
}

static u32 injected(unsigned int cpu)
{
	u32 info = vmcs_of[cpu][VM_ENTRY_INTR_INFO_FIELD];

	return info & INTR_INFO_VALID ? (info & 0xff) : 0xffffffff;
}

static s64 vmcall(u32 function, u64 rbx)
{
	regs.rax = FVX_VMCALL_MAGIC << 32 | function;
	regs.rbx = rbx;
	exit_on(0, EXIT_REASON_VMCALL);
	return (s64)regs.rax;
}

static s64 configure(u64 window_va)
{
	struct fvx_agent_config *a = (void *)(ram + AGENT_CONFIG);

	*a = (struct fvx_agent_config){
		.version = FVX_AGENT_CONFIG_VERSION,
		.size = sizeof(*a),
		.window_va = window_va,
		.scratch_percpu = 0x1d000,
		.task = { .mark = 0x48, .tracepoint = 0x41, .pending = 0x49, .notify = 0xb }
	};
	return vmcall(FVX_VMCALL_CONFIGURE, AGENT_CONFIG);
}

static void configured(void)
{
	assert_int_equal(configure(WINDOW_VA), FVX_VMCALL_OK);
	vmcs_of[0][GUEST_RIP] = CODE_VA;
}

static void mov_to_cr3(unsigned int cpu, u64 value)
{
	vmcs_of[cpu][EXIT_QUALIFICATION] = CR_MOV_RBX_TO_CR3;
	vmcs_of[cpu][VM_ENTRY_INTR_INFO_FIELD] = 0;
	regs.rbx = value;
	exit_on(cpu, EXIT_REASON_CR_ACCESS);
}

static struct ept_translation ept(unsigned int view, u64 gpa)
{
	struct ept_translation t;

	assert_true(ept_translate(&hv.pool, eptp_list[view] & EPT_ADDR_MASK, gpa, &t));
	return t;
}

static bool cr3_exiting(unsigned int cpu)
{
	return vmcs_of[cpu][CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_CR3_LOAD_EXITING;
}

/* A guest write at gpa by the instruction bytes at CODE_VA (cpu 0). */
static void write_exit(u64 q, u64 gpa, const u8 *code, unsigned int len)
{
	memcpy(ram + CODE, code, len);
	vmcs_of[0][GUEST_RIP] = CODE_VA;
	vmcs_of[0][EXIT_QUALIFICATION] = q;
	vmcs_of[0][GUEST_PHYSICAL_ADDRESS] = gpa;
	vmcs_of[0][VM_ENTRY_INTR_INFO_FIELD] = 0;
	exit_on(0, EXIT_REASON_EPT_VIOLATION);
}
#define WRITE(gpa, ...)                                                                            \
	do {                                                                                       \
		static const u8 code_[] = { __VA_ARGS__ };                                         \
		write_exit(Q_WRITE, gpa, code_, sizeof(code_));                                    \
	} while (0)

static const struct ptp_counters *count(unsigned int cpu)
{
	return &cpus[cpu].ptp.count;
}

/* ---- configuring ---- */

static void configure_finds_and_protects_both_entries(void **state)
{
	assert_false(cr3_exiting(0));
	configured();
	assert_true(hv.configured);
	assert_true(hv.ptp.active);
	assert_int_equal(hv.ptp.pml4_index, 511);
	assert_int_equal(hv.ptp.pdpt_index, WINDOW_SLOT);
	assert_int_equal(hv.ptp.pdpt_gpa, PDPT);
	assert_int_equal(hv.ptp.pml4e, PML4E);
	assert_int_equal(hv.ptp.pdpte, PDPTE);
	/* The PDPT page is read-only in both views; its neighbours are not. */
	assert_int_equal(ept(VIEW_NORMAL, PDPT).perm, EPT_READ | EPT_EXEC);
	assert_int_equal(ept(VIEW_ANALYZER, PDPT).perm, EPT_READ);
	assert_int_equal(ept(VIEW_NORMAL, PDPT).hpa, PDPT);
	assert_int_equal(ept(VIEW_NORMAL, PD).perm, EPT_RWX);
	assert_int_equal(ept(VIEW_ANALYZER, PML4).perm, EPT_READ | EPT_WRITE);
	/* This CPU checks CR3 loads at once, after flushing EPT translations;
	 * the other follows at its next exit. */
	assert_true(cr3_exiting(0));
	assert_true(cpus[0].ptp.checking);
	assert_true(invepts >= 1);
	assert_false(cr3_exiting(1));
	assert_int_equal(count(0)->pml4e_repaired + count(0)->pdpte_repaired, 0);
}

static void configure_refuses_what_does_not_map_the_window(void **state)
{
	static const struct {
		const char *what;
		u64 table, index, value; /* an entry to change first */
		u64 cr3, cr4, window_va;
	} bad[] = {
#define ENTRY(t, i, v) .table = t, .index = i, .value = v
		{ "PML4E not present", ENTRY(PML4, 511, PML4E & ~1ULL) },
		{ "PML4E with PS", ENTRY(PML4, 511, PML4E | BIT(7)) },
		{ "PDPT outside RAM", ENTRY(PML4, 511, 0x100000 | 0x67) },
		{ "PDPT in the hypervisor's memory", ENTRY(PML4, 511, POOL_PA | 0x67) },
		{ "PDPT beyond MAXPHYADDR", ENTRY(PML4, 511, (1ULL << 41) | PDPT | 0x67) },
		{ "PDPT is the PML4", ENTRY(PML4, 511, PML4 | 0x67) },
		{ "PDPTE not present", ENTRY(PDPT, WINDOW_SLOT, PDPTE & ~1ULL) },
		{ "PDPTE user", ENTRY(PDPT, WINDOW_SLOT, PDPTE | BIT(2)) },
		{ "PDPTE read-only", ENTRY(PDPT, WINDOW_SLOT, PDPTE & ~BIT(1)) },
		{ "PDPTE not 1 GiB", ENTRY(PDPT, WINDOW_SLOT, PDPTE & ~BIT(7)) },
		{ "PDPTE not executable", ENTRY(PDPT, WINDOW_SLOT, PDPTE | BIT(63)) },
		{ "PDPTE elsewhere", ENTRY(PDPT, WINDOW_SLOT, PDPTE + GIB) },
		{ "PDPTE reserved bits", ENTRY(PDPT, WINDOW_SLOT, PDPTE | BIT(13)) },
		{ "CR3 outside RAM", .cr3 = 0x200000 },
		{ "CR3 in the hypervisor's memory", .cr3 = POOL_PA },
		{ "5-level paging", .cr4 = BIT(12) },
		{ "a slot the agent did not map", .window_va = WINDOW_VA + GIB },
#undef ENTRY
	};
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		print_message("%s\n", bad[i].what);
		setup(state);
		if (bad[i].table)
			*entry(bad[i].table, bad[i].index) = bad[i].value;
		if (bad[i].cr3)
			vmcs_of[0][GUEST_CR3] = bad[i].cr3;
		vmcs_of[0][GUEST_CR4] = bad[i].cr4;
		assert_int_equal(configure(bad[i].window_va ? bad[i].window_va : WINDOW_VA),
				 FVX_VMCALL_EINVAL);
		assert_false(hv.configured);
		assert_false(hv.ptp.active);
		assert_false(cr3_exiting(0));
		assert_int_equal(ept(VIEW_NORMAL, PDPT).perm, EPT_RWX);
		assert_int_equal(regs.rax, (u64)FVX_VMCALL_EINVAL);
		assert_int_equal(vmcall(FVX_VMCALL_TRACE_MODE, FVX_MODE_EXIT), FVX_VMCALL_ENOENT);
	}
	/* A PML4 that points at itself, with a 1 GiB entry where the window
	 * slot is: protecting it would make the PML4 read-only. */
	setup(state);
	*entry(PML4, 511) = PML4 | 0x67;
	*entry(PML4, WINDOW_SLOT) = PDPTE;
	assert_int_equal(configure(WINDOW_VA), FVX_VMCALL_EINVAL);
	assert_false(hv.ptp.active);
}

static void other_cpus_follow_at_their_next_exit(void **state)
{
	/* CPU 1 runs another process whose PML4E was changed before CR3
	 * loads were checked. */
	*entry(OTHER_PML4, 511) = 0;
	vmcs_of[1][GUEST_CR3] = OTHER_PML4;
	configured();
	invepts = 0;
	regs.rax = 0;
	exit_on(1, EXIT_REASON_CPUID);
	assert_true(cr3_exiting(1));
	assert_true(cpus[1].ptp.checking);
	assert_true(invepts >= 1);
	assert_int_equal(*entry(OTHER_PML4, 511), PML4E);
	assert_int_equal(count(1)->pml4e_repaired, 1);
	/* Its own repair asked every CPU, itself too, to flush once more;
	 * once in step, an exit costs no flush. */
	exit_on(1, EXIT_REASON_CPUID);
	invepts = 0;
	exit_on(1, EXIT_REASON_CPUID);
	assert_int_equal(invepts, 0);
	assert_int_equal(count(1)->pml4e_repaired, 1);
}

/* Guest ring 0 rewrites the window's PML4E in the table it has loaded: no
 * CR3 load follows, the next exit of any kind finds and repairs it, and
 * drops what the CPU cached through it. */
static void a_rewrite_of_the_loaded_table_is_repaired_at_the_next_exit(void **state)
{
	static const u64 bad[] = { EVIL_PDPT | 0x67, 0, PML4E | BIT(2) << 8 };
	unsigned int i;

	configured();
	exit_on(0, EXIT_REASON_CPUID); /* in step */
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		*entry(PML4, 511) = bad[i];
		invepts = 0;
		regs.rax = 0;
		exit_on(0, EXIT_REASON_CPUID);
		assert_int_equal(*entry(PML4, 511), PML4E);
		assert_int_equal(count(0)->loaded_repaired, i + 1);
		assert_int_equal(count(0)->pml4e_repaired, i + 1);
		assert_true(invepts >= 1);
		assert_int_equal(vmcs_of[0][GUEST_CR3], PML4);
	}
	/* Intact: nothing to repair, no flush once in step. */
	exit_on(0, EXIT_REASON_CPUID);
	invepts = 0;
	exit_on(0, EXIT_REASON_CPUID);
	assert_int_equal(invepts, 0);
	assert_int_equal(count(0)->loaded_repaired, ARRAY_LEN(bad));
	/* Not checking (unconfigured): left alone. */
	assert_int_equal(vmcall(FVX_VMCALL_UNCONFIGURE, 0), FVX_VMCALL_OK);
	*entry(PML4, 511) = 0;
	exit_on(0, EXIT_REASON_CPUID);
	assert_int_equal(*entry(PML4, 511), 0);
	assert_int_equal(count(0)->loaded_repaired, ARRAY_LEN(bad));
}

/* A lone CPU (nobody to keep level with) still comes back every
 * TSC_EVEN_LOOK while the protection is on, so that a rewrite of its loaded
 * table lasts that long at most; its looks are hidden (no other CPU to be
 * ahead of); no timer before or after. */
static void a_lone_cpu_looks_while_protecting(void **state)
{
	hv.tsc.timer = true; /* (and no call_back: one CPU) */
	exit_on(0, EXIT_REASON_CPUID);
	assert_false(vmcs_of[0][PIN_BASED_VM_EXEC_CONTROL] & PIN_BASED_VMX_PREEMPTION_TIMER);
	configured();
	assert_true(vmcs_of[0][PIN_BASED_VM_EXEC_CONTROL] & PIN_BASED_VMX_PREEMPTION_TIMER);
	assert_int_equal(vmcs_of[0][VMX_PREEMPTION_TIMER_VALUE], TSC_EVEN_LOOK);
	assert_false(vmcs_of[0][CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_MWAIT_EXITING);
	*entry(PML4, 511) = 0;
	vmcs_of[0][TSC_OFFSET] = 0;
	exit_on(0, EXIT_REASON_PREEMPTION_TIMER);
	assert_int_equal(*entry(PML4, 511), PML4E);
	assert_int_equal(count(0)->loaded_repaired, 1);
	assert_true((s64)vmcs_of[0][TSC_OFFSET] < 0); /* the look is hidden */
	assert_true(vmcs_of[0][PIN_BASED_VM_EXEC_CONTROL] & PIN_BASED_VMX_PREEMPTION_TIMER);
	assert_int_equal(vmcall(FVX_VMCALL_UNCONFIGURE, 0), FVX_VMCALL_OK);
	assert_false(vmcs_of[0][PIN_BASED_VM_EXEC_CONTROL] & PIN_BASED_VMX_PREEMPTION_TIMER);
	/* Without a preemption timer: nothing to switch on. */
	hv.tsc.timer = false;
	configured();
	assert_false(vmcs_of[0][PIN_BASED_VM_EXEC_CONTROL] & PIN_BASED_VMX_PREEMPTION_TIMER);
}

/* ---- guarded top-level tables ---- */

static void guards_on(void)
{
	assert_int_equal(ptp_init_guards(&hv), FVX_OK);
	assert_true(hv.ptp.splits > 0);
	configured();
}

static bool writable(u64 gpa)
{
	return ept(VIEW_NORMAL, gpa).perm & EPT_WRITE;
}

/* A table a CPU has loaded is read-only in the normal view (not in the
 * analyzer's, which runs no code that writes page tables) until no CPU has
 * it loaded; unconfigured, every table is writable again. */
static void loaded_tables_are_read_only_while_loaded(void **state)
{
	guards_on();
	assert_false(writable(PML4));
	assert_false(ept(1, PML4).perm & EPT_WRITE);
	mov_to_cr3(0, OTHER_PML4);
	assert_false(writable(OTHER_PML4));
	assert_true(writable(PML4));
	/* Two CPUs, one table: read-only until both have left it. */
	mov_to_cr3(1, OTHER_PML4);
	mov_to_cr3(0, PML4);
	assert_false(writable(OTHER_PML4));
	assert_false(writable(PML4));
	mov_to_cr3(1, PML4);
	assert_true(writable(OTHER_PML4));
	assert_int_equal(hv.ptp.guard[0].users + hv.ptp.guard[1].users, 2);
	assert_int_equal(vmcall(FVX_VMCALL_UNCONFIGURE, 0), FVX_VMCALL_OK);
	assert_true(writable(PML4));
	assert_true(writable(OTHER_PML4));
	assert_true(ept(1, PML4).perm & EPT_WRITE);
	/* CPU 1 follows at its next exit, and guards nothing then. */
	exit_on(1, EXIT_REASON_CPUID);
	assert_int_equal(cpus[1].ptp.guarded, 0);
	assert_int_equal(count(0)->tables_unguarded, 0);
}

/* Guest ring 0 writing the table it has loaded: the window's slot is
 * refused (skipped), other slots are done for it, what is not decoded gets
 * #GP, a page walk gets its flags; each counted. */
static void writes_to_a_loaded_table(void **state)
{
	guards_on();
	regs.rax = EVIL_PDPT | 0x67;
	WRITE(PML4 + 511 * 8, 0x48, 0x89, 0x07);
	assert_int_equal(*entry(PML4, 511), PML4E);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA + 3); /* skipped */
	assert_int_equal(injected(0), 0xffffffff);
	regs.rax = 0;
	WRITE(PML4 + 511 * 8, 0x48, 0x87, 0x07); /* xchg */
	assert_int_equal(*entry(PML4, 511), PML4E);
	assert_int_equal(count(0)->table_writes_refused, 2);
	regs.rax = 0x1234000;
	WRITE(PML4 + 5 * 8, 0x48, 0x89, 0x07);
	assert_int_equal(*entry(PML4, 5), 0x1234000);
	WRITE(PML4 + 5 * 8, 0x48, 0xc7, 0x07, 0, 0, 0, 0); /* movq $0 */
	assert_int_equal(*entry(PML4, 5), 0);
	assert_int_equal(count(0)->table_writes_emulated, 2);
	WRITE(PML4 + 5 * 8, 0x48, 0xab); /* stosq */
	assert_int_equal(injected(0), VECTOR_GP);
	assert_int_equal(count(0)->table_writes_refused, 3);
	/* The CPU setting the accessed flag of the window's entry. */
	*entry(PML4, 3) = 0x7000 | 0x7;
	write_exit(Q_WALK_WRITE, PML4 + 3 * 8, (const u8[]){ 0x90 }, 1);
	assert_int_equal(*entry(PML4, 3), 0x7000 | 0x27);
	assert_int_equal(count(0)->pdpt_writes_emulated + count(0)->pdpt_writes_refused, 0);
	assert_int_equal(count(0)->table_writes_refused, 3);
	assert_int_equal(count(0)->pml4e_repaired, 0);
}

/* A table no CPU has loaded any more: a write through a read-only
 * translation this CPU kept is retried after INVEPT, not refused; a page
 * that was never guarded still gets the unexplained #GP. */
static void a_write_after_the_guard_is_retried(void **state)
{
	guards_on();
	mov_to_cr3(0, OTHER_PML4);
	invepts = 0;
	vmcs_of[0][VM_ENTRY_INTR_INFO_FIELD] = 0;
	regs.rax = 0x1234000;
	WRITE(PML4 + 5 * 8, 0x48, 0x89, 0x07);
	assert_int_equal(injected(0), 0xffffffff);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA); /* again */
	assert_int_equal(*entry(PML4, 5), 0); /* the guest's to do */
	assert_true(invepts >= 1);
	assert_int_equal(count(0)->table_writes_emulated, 0);
	WRITE(PD + 8, 0x48, 0x89, 0x07);
	assert_int_equal(injected(0), 0xffffffff);
	WRITE(PD + 8, 0x48, 0x89, 0x07); /* the same again: not stale */
	assert_int_equal(injected(0), VECTOR_GP);
}

/* A bad PML4E that got into a guarded table anyway (a device's write, a
 * CPU's stale writable translation, the analyzer view) is the guest's own
 * table to repair: repaired at the next exit and counted, and the table
 * loads again (it is not refused for being read-only under the guard). */
static void a_guarded_table_is_still_repaired(void **state)
{
	guards_on();
	*entry(PML4, 511) = EVIL_PDPT | 0x67; /* behind EPT's back */
	exit_on(0, EXIT_REASON_CPUID);
	assert_int_equal(*entry(PML4, 511), PML4E);
	assert_int_equal(count(0)->loaded_repaired, 1);
	assert_int_equal(count(0)->loaded_refused, 0);
	*entry(PML4, 511) = 0;
	vmcs_of[1][GUEST_CR3] = OTHER_PML4;
	mov_to_cr3(1, PML4);
	assert_int_equal(injected(1), 0xffffffff);
	assert_int_equal(*entry(PML4, 511), PML4E);
	assert_int_equal(count(1)->cr3_refused, 0);
}

/* Jumping into the trampoline with a stack on the loaded table: its pushes
 * are writes in the analyzer view, an attack (#UD), the entry kept. */
static void analyzer_view_writes_to_a_loaded_table_are_attacks(void **state)
{
	guards_on();
	vmcs_of[0][EPTP_INDEX] = VIEW_ANALYZER;
	regs.rax = EVIL_PDPT | 0x67;
	WRITE(PML4 + 511 * 8, 0x48, 0x89, 0x07);
	assert_int_equal(*entry(PML4, 511), PML4E);
	assert_int_equal(cpus[0].attacks, 1);
	assert_int_equal(injected(0), VECTOR_UD);
	assert_int_equal(count(0)->table_writes_emulated, 0);
}

/* The loaded table's window slot cannot be written: the repair at exits
 * is left for a table that could not be guarded. */
static void a_guarded_table_needs_no_repair(void **state)
{
	guards_on();
	regs.rax = 0;
	WRITE(PML4 + 511 * 8, 0x48, 0x89, 0x07);
	exit_on(0, EXIT_REASON_CPUID);
	assert_int_equal(*entry(PML4, 511), PML4E);
	assert_int_equal(count(0)->loaded_repaired, 0);
	assert_int_equal(count(0)->table_writes_refused, 1);
}

/* Top-level tables in regions the EPT maps with 2 MiB pages: guarding one
 * splits its region with a split's own tables; a split no guard is in
 * stays (the region's next table needs none) until free splits run short,
 * then it is merged back, exactly as it was, and its tables serve again
 * once every CPU has flushed since; a split something changed below stays.
 * Tables are used up only while as many are loaded at once. */
#define TABLE_IN(region) ((u64)(region) * (2ULL << 20) + 0x3000)

static u64 table_in(unsigned int region)
{
	memcpy(ram + TABLE_IN(region), ram + PML4, 4096);
	return TABLE_IN(region);
}

static void splits_are_merged_back_when_they_run_short(void **state)
{
	struct ept_translation before[2][2], t;
	unsigned int view, r;

	hv.ram_top = BIG_RAM_SIZE;
	guards_on();
	hv.ptp.splits = 2; /* merged when none is left */
	for (r = 2; r < 4; r++)
		for (view = 0; view < 2; view++) {
			before[r - 2][view] = ept(view, TABLE_IN(r));
			assert_int_equal(before[r - 2][view].level, 2);
		}
	mov_to_cr3(0, table_in(2));
	assert_false(writable(TABLE_IN(2)));
	assert_int_equal(ept(VIEW_NORMAL, TABLE_IN(2)).level, 1);
	assert_int_equal(ept(VIEW_ANALYZER, TABLE_IN(2)).level, 1);
	assert_int_equal(hv.ptp.splits_made, 1);
	/* The region's other table needs no split of its own. */
	memcpy(ram + TABLE_IN(2) + 0x1000, ram + PML4, 4096);
	mov_to_cr3(1, TABLE_IN(2) + 0x1000);
	assert_false(writable(TABLE_IN(2) + 0x1000));
	assert_int_equal(hv.ptp.split[0].users, 2);
	mov_to_cr3(1, PML4);
	mov_to_cr3(0, table_in(3));
	assert_true(writable(TABLE_IN(2)));
	assert_false(writable(TABLE_IN(3)));
	assert_int_equal(hv.ptp.splits_made, 2);
	assert_int_equal(hv.ptp.splits_merged, 0);
	assert_int_equal(ept(VIEW_NORMAL, TABLE_IN(2)).level, 1); /* kept */
	/* None left: the unused ones merge, 2 MiB pages as before; this load
	 * has none yet (checked at exits). */
	mov_to_cr3(0, table_in(4));
	assert_int_equal(hv.ptp.splits_merged, 2);
	assert_int_equal(count(0)->tables_unguarded, 1);
	assert_true(writable(TABLE_IN(4)));
	for (r = 2; r < 4; r++)
		for (view = 0; view < 2; view++) {
			t = ept(view, TABLE_IN(r));
			assert_int_equal(t.level, 2);
			assert_int_equal(t.hpa, before[r - 2][view].hpa);
			assert_int_equal(t.perm, before[r - 2][view].perm);
			assert_int_equal(t.memtype, before[r - 2][view].memtype);
		}
	/* Not before CPU 1 has flushed too. */
	exit_on(0, EXIT_REASON_CPUID);
	mov_to_cr3(0, table_in(2));
	assert_int_equal(count(0)->tables_unguarded, 2);
	exit_on(1, EXIT_REASON_CPUID);
	mov_to_cr3(0, table_in(4));
	assert_false(writable(TABLE_IN(4)));
	assert_int_equal(hv.ptp.splits_made, 3);
	/* A split with a page made read-only below it since stays split. */
	mov_to_cr3(0, table_in(3));
	assert_int_equal(hv.ptp.splits_made, 4);
	*ept_leaf_4k(&hv.pool, &(struct pool){ 0 }, eptp_list[VIEW_NORMAL] & EPT_ADDR_MASK,
		     TABLE_IN(4) + 0x5000) &= ~(u64)EPT_WRITE;
	mov_to_cr3(0, PML4);
	mov_to_cr3(0, table_in(2));
	assert_int_equal(hv.ptp.splits_merged, 3); /* region 3's */
	assert_int_equal(ept(VIEW_NORMAL, TABLE_IN(4)).level, 1);
	assert_int_equal(ept(VIEW_ANALYZER, TABLE_IN(4)).level, 2); /* unchanged there */
	assert_int_equal(ept(VIEW_NORMAL, TABLE_IN(3)).level, 2);
}

/* ---- debug registers (dr.c) ---- */

/* MOV to (from = false) or from DRn with RAX, on CPU 0. */
static void mov_dr(unsigned int n, bool from, u64 rax)
{
	vmcs_of[0][EXIT_QUALIFICATION] = n | (from ? BIT(4) : 0) | (0 << 8);
	vmcs_of[0][VM_ENTRY_INTR_INFO_FIELD] = 0;
	vmcs_of[0][GUEST_RIP] = CODE_VA;
	regs.rax = rax;
	exit_on(0, EXIT_REASON_DR_ACCESS);
}

/* While the window is protected, MOV DR exits: a breakpoint on the window
 * (set before or after its address) is left out of the DR7 the CPU uses
 * and counted, one elsewhere is kept, the guest reads back what it wrote;
 * DR4 with CR4.DE is #UD, 1s in DR7's upper half #GP; unprotected, the
 * guest's DR7 goes back as it was. */
static void breakpoints_on_the_window_are_left_out(void **state)
{
	fake_dr[0] = WINDOW_VA + 0x1000; /* set natively, enabled */
	vmcs_of[0][GUEST_DR7] = 0x401;
	configured();
	assert_true(vmcs_of[0][CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_MOV_DR_EXITING);
	assert_int_equal(vmcs_of[0][GUEST_DR7], 0x400);
	assert_int_equal(cpus[0].dr.refused, 1);
	mov_dr(1, false, 0x1000); /* DR1 elsewhere */
	mov_dr(7, false, 0x405); /* L0 and L1 */
	assert_int_equal(vmcs_of[0][GUEST_DR7], 0x404);
	assert_int_equal(cpus[0].dr.refused, 2);
	mov_dr(7, true, 0);
	assert_int_equal(regs.rax, 0x405);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA + 3);
	/* DR1 moved onto the window: left out too. */
	mov_dr(1, false, WINDOW_VA + 0x2000);
	assert_int_equal(vmcs_of[0][GUEST_DR7], 0x400);
	mov_dr(1, true, 0);
	assert_int_equal(regs.rax, WINDOW_VA + 0x2000);
	assert_int_equal(fake_dr[1], WINDOW_VA + 0x2000);
	vmcs_of[0][GUEST_CR4] |= BIT(3); /* CR4.DE */
	mov_dr(4, true, 0);
	assert_int_equal(injected(0), VECTOR_UD);
	vmcs_of[0][GUEST_CR4] &= ~BIT(3);
	mov_dr(7, false, 1ULL << 32);
	assert_int_equal(injected(0), VECTOR_GP);
	assert_int_equal(vmcall(FVX_VMCALL_UNCONFIGURE, 0), FVX_VMCALL_OK);
	assert_false(vmcs_of[0][CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_MOV_DR_EXITING);
	assert_int_equal(vmcs_of[0][GUEST_DR7], 0x405);
	memset(fake_dr, 0, sizeof(fake_dr));
}

/* What the CPU raises before the exit, here: #GP for ring 3 (which would
 * otherwise read and write the registers), DR7.GD's #DB (BD in DR6, GD
 * cleared); a #DB whose RIP is in the window's code (a data breakpoint on
 * what the trampoline touches) is dropped, with RF; every other reaches
 * the guest with its DR6; a window configured elsewhere is filtered for. */
static void debug_exits_are_the_cpus(void **state)
{
	configured();
	assert_true(vmcs_of[0][EXCEPTION_BITMAP] & BIT(1));
	vmcs_of[0][GUEST_SS_AR_BYTES] = 0xf3; /* CPL 3 */
	mov_dr(0, false, 0x1234);
	assert_int_equal(injected(0), VECTOR_GP);
	assert_int_equal(fake_dr[0], 0);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA);
	vmcs_of[0][GUEST_SS_AR_BYTES] = 0x93;
	mov_dr(7, false, 0x2401); /* GD */
	mov_dr(0, true, 0);
	assert_int_equal(injected(0), 1);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA);
	assert_int_equal(fake_dr[6] & BIT(13), BIT(13));
	mov_dr(7, true, 0);
	assert_int_equal(regs.rax, 0x401); /* GD cleared */
	/* A data breakpoint hit in the trampoline: dropped. */
	vmcs_of[0][VM_EXIT_INTR_INFO] = INTR_INFO_VALID | INTR_TYPE_HARD_EXCEPTION | 1;
	vmcs_of[0][EXIT_QUALIFICATION] = 1;
	vmcs_of[0][VM_ENTRY_INTR_INFO_FIELD] = 0;
	vmcs_of[0][GUEST_RIP] = WINDOW_VA + 0x10;
	exit_on(0, EXIT_REASON_EXCEPTION_NMI);
	assert_int_equal(injected(0), 0xffffffff);
	assert_true(vmcs_of[0][GUEST_RFLAGS] & BIT(16));
	assert_int_equal(cpus[0].dr.refused, 1);
	/* Elsewhere: the guest's, B1 in its DR6. */
	fake_dr[6] = 0xffff0ff1;
	vmcs_of[0][EXIT_QUALIFICATION] = 2;
	vmcs_of[0][GUEST_RIP] = CODE_VA;
	exit_on(0, EXIT_REASON_EXCEPTION_NMI);
	assert_int_equal(injected(0), 1);
	assert_int_equal(fake_dr[6], 0xffff0ff2);
	/* Configured at another address: a breakpoint there is left out. */
	fake_dr[2] = WINDOW_VA + 2 * GIB;
	mov_dr(7, false, 0x410); /* L2 */
	assert_int_equal(vmcs_of[0][GUEST_DR7], 0x410);
	((struct fvx_config *)(window_block + FVX_WIN_CONFIG))->window_va = WINDOW_VA + 2 * GIB;
	hv.ptp.generation++;
	exit_on(0, EXIT_REASON_CPUID);
	assert_int_equal(vmcs_of[0][GUEST_DR7], 0x400);
	assert_int_equal(vmcall(FVX_VMCALL_UNCONFIGURE, 0), FVX_VMCALL_OK);
	assert_false(vmcs_of[0][EXCEPTION_BITMAP] & BIT(1));
	memset(fake_dr, 0, sizeof(fake_dr));
}

static void tracing_starts_only_where_cr3_loads_are_checked(void **state)
{
	/* Configured, but the protection not (yet) in force. */
	hv.configured = true;
	assert_int_equal(vmcall(FVX_VMCALL_TRACE_MODE, FVX_MODE_EXIT), FVX_VMCALL_ENOENT);
	assert_int_equal(hv.tracing_cpus, 0);
	hv.configured = false;
	configured();
	/* The configure finished after CPU 1's exit began: the call itself
	 * catches up (the handler, without the exit's own sync). */
	vmcs = vmcs_of[1];
	regs.rbx = FVX_MODE_EXIT;
	assert_int_equal(ptp_trace_mode(&cpus[1], &regs), FVX_VMCALL_OK);
	vmcs = vmcs_of[0];
	assert_true(cr3_exiting(1));
	assert_true(cpus[1].ptp.checking);
	assert_int_equal(hv.tracing_cpus, 1);
	regs.rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_TRACE_MODE;
	regs.rbx = 0;
	exit_on(1, EXIT_REASON_VMCALL);
	assert_int_equal(regs.rax, FVX_VMCALL_OK);
	assert_int_equal(hv.tracing_cpus, 0);
}

/* ---- MOV to CR3 ---- */

static void intact_tables_are_loaded_without_a_count(void **state)
{
	configured();
	mov_to_cr3(0, OTHER_PML4);
	assert_int_equal(injected(0), 0xffffffff);
	assert_int_equal(vmcs_of[0][GUEST_CR3], OTHER_PML4);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA + 3);
	assert_int_equal(count(0)->cr3_loads, 1);
	assert_int_equal(count(0)->pml4e_repaired + count(0)->pdpte_repaired, 0);
	assert_int_equal(count(0)->cr3_refused, 0);
	/* What MOV to CR3 would have flushed, flushed for this CPU's VPID. */
	assert_int_equal(invvpids, 1);
	assert_int_equal(invvpid_type, INVVPID_SINGLE_CONTEXT);
	assert_int_equal(invvpid_vpid, 1);
	/* Flags the CPU sets on its own are no reason to repair. */
	*entry(OTHER_PML4, 511) = PML4E & ~BIT(5);
	mov_to_cr3(0, OTHER_PML4);
	assert_int_equal(*entry(OTHER_PML4, 511), PML4E & ~BIT(5));
	assert_int_equal(count(0)->pml4e_repaired, 0);
}

static void pcid_and_the_no_flush_bit(void **state)
{
	configured();
	vmcs_of[0][GUEST_CR4] = CR4_PCIDE;
	mov_to_cr3(0, OTHER_PML4 | 5 | BIT(63));
	assert_int_equal(injected(0), 0xffffffff);
	assert_int_equal(vmcs_of[0][GUEST_CR3], OTHER_PML4 | 5); /* bit 63 is not stored */
	assert_int_equal(invvpids, 0);
	mov_to_cr3(0, PML4 | 6);
	assert_int_equal(vmcs_of[0][GUEST_CR3], PML4 | 6);
	assert_int_equal(invvpids, 1);
	/* A changed PML4E under a PCID is checked all the same. */
	*entry(OTHER_PML4, 511) = 0;
	mov_to_cr3(0, OTHER_PML4 | 7 | BIT(63));
	assert_int_equal(*entry(OTHER_PML4, 511), PML4E);
	assert_int_equal(invvpids, 2); /* a repair flushes despite bit 63 */
	/* Without PCIDs bit 63 is reserved: #GP, nothing loaded. */
	vmcs_of[0][GUEST_CR4] = 0;
	vmcs_of[0][GUEST_RIP] = CODE_VA;
	mov_to_cr3(0, OTHER_PML4 | BIT(63));
	assert_int_equal(injected(0), VECTOR_GP);
	assert_int_equal(vmcs_of[0][GUEST_CR3], OTHER_PML4 | 7);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA);
	/* So are the bits above MAXPHYADDR. */
	mov_to_cr3(0, OTHER_PML4 | (1ULL << 40));
	assert_int_equal(injected(0), VECTOR_GP);
	assert_int_equal(vmcs_of[0][GUEST_CR3], OTHER_PML4 | 7);
	assert_int_equal(count(0)->cr3_loads, 3);
}

static void changed_pml4e_is_repaired(void **state)
{
	static const u64 bad[] = {
		0, /* cleared */
		EVIL_PDPT | 0x67, /* another PDPT, whose window slot maps elsewhere */
		PML4E & ~BIT(2), /* other flags */
		PML4E | BIT(63),
	};
	unsigned int i;

	configured();
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		/* In step first: a pending re-check would find the change. */
		exit_on(0, EXIT_REASON_CPUID);
		*entry(OTHER_PML4, 511) = bad[i];
		invvpids = 0;
		vmcs_of[0][GUEST_RIP] = CODE_VA;
		mov_to_cr3(0, OTHER_PML4);
		assert_int_equal(*entry(OTHER_PML4, 511), PML4E);
		assert_int_equal(count(0)->pml4e_repaired, i + 1);
		assert_int_equal(vmcs_of[0][GUEST_CR3], OTHER_PML4);
		assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA + 3);
		assert_int_equal(invvpids, 1);
		assert_int_equal(invvpid_type, INVVPID_SINGLE_CONTEXT);
	}
	/* The attacker's own PDPT is left alone: nothing points at it now. */
	assert_int_equal(*entry(EVIL_PDPT, WINDOW_SLOT), (WINDOW_GPA + GIB) | 0x1e3);
	assert_int_equal(count(0)->pdpte_repaired, 0);
}

static void changed_pdpte_is_repaired(void **state)
{
	static const u64 bad[] = {
		0, /* cleared */
		(WINDOW_GPA + GIB) | 0x1e3, /* another 1 GiB page */
		PDPTE | BIT(2), /* user-accessible */
		PDPTE & ~BIT(7), /* a directory, not a 1 GiB page */
		PDPTE | BIT(63),
	};
	unsigned int i;
	u32 generation;

	configured();
	vmcs_of[0][GUEST_CR4] = CR4_PCIDE;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		exit_on(0, EXIT_REASON_CPUID);
		/* Written behind EPT's back (a device, say). */
		*entry(PDPT, WINDOW_SLOT) = bad[i];
		generation = hv.ptp.generation;
		invvpids = invepts = 0;
		mov_to_cr3(0, OTHER_PML4 | BIT(63));
		assert_int_equal(*entry(PDPT, WINDOW_SLOT), PDPTE);
		assert_int_equal(count(0)->pdpte_repaired, i + 1);
		/* (Found in the loaded table first, before the CR3 load: the
		 * PDPT is every table's. Flushed by INVEPT then.) */
		assert_int_equal(count(0)->loaded_repaired, i + 1);
		assert_int_equal(invepts, 1);
		/* The other CPU drops what it may have cached at its next exit. */
		assert_int_not_equal(hv.ptp.generation, generation);
	}
	assert_int_equal(count(0)->pml4e_repaired, 0);
	invepts = 0;
	exit_on(1, EXIT_REASON_CPUID);
	assert_true(invepts >= 1);
}

static void tables_that_cannot_be_checked_are_refused(void **state)
{
	static const u64 bad[] = {
		0x200000, /* beyond RAM */
		POOL_PA, /* the hypervisor's memory: a writable dummy page to the guest */
		POOL_PA + 0x3000,
		0x20000000, /* the window's backing block */
		PDPT, /* the PDPT as a top-level table: its entry 511 is not ours to fix */
	};
	u8 *before = malloc(POOL_SIZE);
	unsigned int i;

	memcpy(before, pool_memory, POOL_SIZE);
	configured();
	memcpy(before, pool_memory, POOL_SIZE); /* after configure's own changes */
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		mov_to_cr3(0, bad[i]);
		assert_int_equal(injected(0), VECTOR_GP);
		assert_int_equal(vmcs_of[0][GUEST_CR3], PML4);
		assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA);
		assert_int_equal(count(0)->cr3_refused, i + 1);
	}
	/* RAM that is not write-back (the MTRRs make OTHER_PML4 uncached):
	 * not where Linux keeps page tables, maybe not memory at all. */
	hv.mtrr.var_count = 1;
	hv.mtrr.var[0].base = OTHER_PML4 | MEMTYPE_UC;
	hv.mtrr.var[0].mask = 0x000ffffffffff000ULL | BIT(11);
	*entry(OTHER_PML4, 511) = 0;
	mov_to_cr3(0, OTHER_PML4);
	assert_int_equal(injected(0), VECTOR_GP);
	assert_int_equal(*entry(OTHER_PML4, 511), 0);
	assert_int_equal(count(0)->cr3_refused, ARRAY_LEN(bad) + 1);
	assert_int_equal(*entry(PDPT, 511), 0xe000 | 0x63);
	assert_memory_equal(before, pool_memory, POOL_SIZE);
	assert_int_equal(count(0)->pml4e_repaired, 0);
	free(before);
	/* Without the protection the CPU's own rules apply: loaded. */
	setup(state);
	mov_to_cr3(0, 0x200000);
	assert_int_equal(injected(0), 0xffffffff);
	assert_int_equal(vmcs_of[0][GUEST_CR3], 0x200000);
}

static void mov_from_cr3_reads_the_guest_value(void **state)
{
	vmcs_of[0][GUEST_CR3] = PML4 | 3;
	vmcs_of[0][EXIT_QUALIFICATION] = 3 | (1 << 4) | (6 << 8); /* MOV CR3 -> RSI */
	exit_on(0, EXIT_REASON_CR_ACCESS);
	assert_int_equal(regs.rsi, PML4 | 3);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA + 3);
}

/* ---- the store decoder ---- */

static void decoder_takes_the_stores_linux_uses(void **state)
{
	static const struct {
		u8 code[16], avail;
		u8 kind, len, size, reg;
		u64 imm;
	} ok[] = {
#define REG(k, l, sz, r, n, ...) { { __VA_ARGS__ }, n, k, l, sz, r, 0 }
#define IMM(l, sz, v, n, ...)                                                                      \
	{                                                                                          \
		{ __VA_ARGS__ }, n, INSN_STORE_IMM, l, sz, 0, v                                    \
	}
		REG(INSN_STORE_REG, 3, 8, 0, 3, 0x48, 0x89, 0x07), /* mov %rax,(%rdi) */
		REG(INSN_STORE_REG, 3, 8, 6, 3, 0x48, 0x89, 0x37), /* mov %rsi,(%rdi) */
		REG(INSN_STORE_REG, 4, 8, 8, 4, 0x4c, 0x89, 0x47, 0x08), /* mov %r8,8(%rdi) */
		REG(INSN_STORE_REG, 4, 8, 2, 4, 0x49, 0x89, 0x14, 0x24), /* mov %rdx,(%r12) */
		REG(INSN_STORE_REG, 8, 8, 0, 8, 0x48, 0x89, 0x84, 0x24, 0xf8, 0x0f, 0, 0),
		REG(INSN_STORE_REG, 7, 8, 0, 7, 0x48, 0x89, 0x05, 0x44, 0x33, 0x22, 0x11),
		REG(INSN_STORE_REG, 8, 8, 0, 8, 0x48, 0x89, 0x04, 0x25, 0, 0x10, 0, 0),
		REG(INSN_STORE_REG, 5, 8, 0, 5, 0x48, 0x89, 0x44, 0x24, 0x08), /* SIB + disp8 */
		REG(INSN_STORE_REG, 2, 4, 0, 2, 0x89, 0x07), /* mov %eax,(%rdi) */
		REG(INSN_STORE_REG, 4, 8, 0, 4, 0x65, 0x48, 0x89, 0x07), /* %gs: */
		REG(INSN_STORE_REG, 4, 4, 15, 4, 0x3e, 0x44, 0x89, 0x3f), /* %ds:, %r15d */
		IMM(7, 8, 0, 7, 0x48, 0xc7, 0x07, 0, 0, 0, 0), /* movq $0,(%rdi) */
		IMM(8, 8, ~0ULL, 8, 0x48, 0xc7, 0x47, 0x08, 0xff, 0xff, 0xff, 0xff), /* $-1 */
		IMM(6, 4, 0xffffffff, 6, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff),
		IMM(11, 8, 0x01234567, 11, 0x48, 0xc7, 0x05, 1, 0, 0, 0, 0x67, 0x45, 0x23,
		    0x01), /* RIP-relative with an immediate */
		REG(INSN_XCHG, 3, 8, 0, 3, 0x48, 0x87, 0x07), /* xchg %rax,(%rdi) */
		REG(INSN_XCHG, 4, 8, 6, 4, 0xf0, 0x48, 0x87, 0x37), /* lock xchg */
		REG(INSN_XCHG, 3, 8, 15, 3, 0x4c, 0x87, 0x3f), /* xchg %r15,(%rdi) */
		REG(INSN_STORE_REG, 3, 8, 0, 15, 0x48, 0x89, 0x07, 0xcc, 0xcc), /* bytes after */
		/* The narrow forms a byte patch uses (refused writes are skipped). */
		REG(INSN_STORE_REG, 2, 1, 0, 2, 0x88, 0x07), /* mov %al,(%rdi) */
		REG(INSN_STORE_REG, 3, 2, 0, 3, 0x66, 0x89, 0x07), /* mov %ax,(%rdi) */
		REG(INSN_STORE_REG, 4, 8, 0, 4, 0x66, 0x48, 0x89, 0x07), /* REX.W over 66 */
		REG(INSN_XCHG, 2, 1, 2, 2, 0x86, 0x17), /* xchg %dl,(%rdi) */
		IMM(3, 1, 0x90, 3, 0xc6, 0x03, 0x90), /* movb $0x90,(%rbx) */
		IMM(5, 2, 0xbeef, 5, 0x66, 0xc7, 0x07, 0xef, 0xbe), /* movw $0xbeef,(%rdi) */
#undef REG
#undef IMM
	};
	struct insn_store w;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(ok); i++) {
		print_message("form %u\n", i);
		memset(&w, 0xaa, sizeof(w));
		assert_true(insn_decode_store(ok[i].code, ok[i].avail, &w));
		assert_int_equal(w.kind, ok[i].kind);
		assert_int_equal(w.len, ok[i].len);
		assert_int_equal(w.size, ok[i].size);
		if (w.kind == INSN_STORE_IMM)
			assert_int_equal(w.imm, ok[i].imm);
		else
			assert_int_equal(w.reg, ok[i].reg);
	}
}

static void decoder_refuses_everything_else(void **state)
{
	static const struct {
		u8 code[16], avail;
	} bad[] = {
#define BAD(n, ...) { .code = { __VA_ARGS__ }, .avail = n }
		BAD(0, 0),
		BAD(1, 0x48),
		BAD(2, 0x48, 0x89), /* no ModR/M */
		BAD(3, 0x48, 0x89, 0x04), /* no SIB */
		BAD(6, 0x48, 0x89, 0x84, 0x24, 0xf8, 0x0f), /* half a displacement */
		BAD(5, 0x48, 0xc7, 0x07, 0, 0), /* half an immediate */
		BAD(3, 0x48, 0x89, 0xc7), /* mov %rax,%rdi: no memory written */
		BAD(4, 0x67, 0x48, 0x89, 0x07), /* 32-bit address */
		BAD(3, 0xf3, 0x48, 0xab), /* rep stosq */
		BAD(2, 0x48, 0xab), /* stosq */
		BAD(2, 0xc6, 0x07), /* movb $imm8 without its immediate */
		BAD(3, 0xc6, 0x47, 0x08), /* ... after a displacement */
		BAD(4, 0x66, 0xc7, 0x07, 1), /* movw $imm16, half the immediate */
		BAD(7, 0x48, 0xc7, 0xc0, 1, 0, 0, 0), /* mov $1,%rax */
		BAD(8, 0x48, 0xc7, 0x4f, 0x08, 0, 0, 0, 0), /* C7 /1 */
		BAD(6, 0xc7, 0xf8, 0, 0, 0, 0), /* xbegin */
		BAD(4, 0xf0, 0x48, 0x89, 0x07), /* lock mov: #UD on the CPU */
		BAD(3, 0x0f, 0x11, 0x07), /* movups */
		BAD(3, 0x48, 0x09, 0x07), /* or %rax,(%rdi) */
		BAD(4, 0x48, 0x0f, 0xb1, 0x0f), /* cmpxchg */
		BAD(4, 0x48, 0xf0, 0x89, 0x07), /* REX not next to the opcode */
		BAD(16, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
		    0x2e, 0x48, 0x89, 0x07), /* 16 bytes: longer than any instruction */
#undef BAD
	};
	struct insn_store w;
	unsigned int i;
	u8 junk[INSN_MAX_LEN];

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		print_message("case %u\n", i);
		assert_false(insn_decode_store(bad[i].code, bad[i].avail, &w));
	}
	/* Whatever the bytes, a decoded length never passes what was read. */
	srand(1);
	for (i = 0; i < 200000; i++) {
		unsigned int n = rand() % (INSN_MAX_LEN + 1), k;

		for (k = 0; k < n; k++)
			junk[k] =
				rand() % 4 ? rand() : (u8[]){ 0x48, 0x89, 0xc7, 0x87, 0xf0 }[k % 5];
		if (insn_decode_store(junk, n, &w))
			assert_true(w.len <= n && w.len >= 2 &&
				    (w.size == 1 || w.size == 2 || w.size == 4 || w.size == 8));
	}
}

/* ---- writes to the protected PDPT ---- */

static void writes_to_other_slots_are_done(void **state)
{
	u64 old;

	configured();
	regs.rsi = 0x1234067;
	WRITE(PDPT + 2 * 8, 0x48, 0x89, 0x37); /* mov %rsi,(%rdi) */
	assert_int_equal(*entry(PDPT, 2), 0x1234067);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA + 3);
	assert_int_equal(injected(0), 0xffffffff);
	assert_int_equal(count(0)->pdpt_writes_emulated, 1);
	WRITE(PDPT + 2 * 8, 0x48, 0xc7, 0x47, 0x10, 0, 0, 0, 0); /* movq $0,0x10(%rdi) */
	assert_int_equal(*entry(PDPT, 2), 0);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA + 8);
	/* XCHG gives the old value back. */
	*entry(PDPT, 3) = old = 0x7000067;
	regs.r15 = 0x8000067;
	WRITE(PDPT + 3 * 8, 0xf0, 0x4c, 0x87, 0x3f); /* lock xchg %r15,(%rdi) */
	assert_int_equal(*entry(PDPT, 3), 0x8000067);
	assert_int_equal(regs.r15, old);
	/* 32 bits: half an entry, the upper half. */
	regs.rax = 0xffffffff80000000ULL | 0x12;
	WRITE(PDPT + 3 * 8 + 4, 0x89, 0x07); /* mov %eax,(%rdi) */
	assert_int_equal(*entry(PDPT, 3), 0x8000001200000000ULL | 0x8000067);
	assert_int_equal(count(0)->pdpt_writes_emulated, 4);
	assert_int_equal(count(0)->pdpt_writes_refused, 0);
	assert_int_equal(*entry(PDPT, WINDOW_SLOT), PDPTE);
	/* The instruction may straddle a page: fetched across it. */
	memcpy(ram + CODE + 0x1000 - 1, (u8[]){ 0x48, 0x89, 0x37 }, 3);
	vmcs_of[0][GUEST_RIP] = CODE_VA + 0xfff;
	vmcs_of[0][EXIT_QUALIFICATION] = Q_WRITE;
	vmcs_of[0][GUEST_PHYSICAL_ADDRESS] = PDPT + 4 * 8;
	exit_on(0, EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(*entry(PDPT, 4), 0x1234067);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA + 0x1002);
}

static void writes_to_the_window_slot_are_refused(void **state)
{
	configured();
	regs.rsi = (WINDOW_GPA + GIB) | 0x1e3;
	WRITE(PDPT + WINDOW_SLOT * 8, 0x48, 0x89, 0x37);
	assert_int_equal(*entry(PDPT, WINDOW_SLOT), PDPTE);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA + 3); /* skipped */
	assert_int_equal(injected(0), 0xffffffff);
	assert_int_equal(count(0)->pdpt_writes_refused, 1);
	WRITE(PDPT + WINDOW_SLOT * 8, 0x48, 0xc7, 0x07, 0, 0, 0, 0);
	assert_int_equal(*entry(PDPT, WINDOW_SLOT), PDPTE);
	regs.rax = 0;
	WRITE(PDPT + WINDOW_SLOT * 8, 0x48, 0x87, 0x07); /* xchg: the register keeps its value */
	assert_int_equal(*entry(PDPT, WINDOW_SLOT), PDPTE);
	assert_int_equal(regs.rax, 0);
	WRITE(PDPT + WINDOW_SLOT * 8 + 4, 0x89, 0x07); /* its upper half */
	assert_int_equal(*entry(PDPT, WINDOW_SLOT), PDPTE);
	assert_int_equal(count(0)->pdpt_writes_refused, 4);
	assert_int_equal(count(0)->pdpt_writes_emulated, 0);
}

static void undecodable_writes_get_gp(void **state)
{
	configured();
	*entry(PDPT, 2) = 0x5067;
	WRITE(PDPT + 2 * 8, 0xf3, 0x48, 0xab); /* rep stosq */
	assert_int_equal(injected(0), VECTOR_GP);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA);
	assert_int_equal(*entry(PDPT, 2), 0x5067);
	/* A misaligned store could reach the next entry. */
	WRITE(PDPT + 2 * 8 + 4, 0x48, 0x89, 0x07);
	assert_int_equal(injected(0), VECTOR_GP);
	assert_int_equal(*entry(PDPT, 2), 0x5067);
	/* Compatibility-mode code decodes differently. */
	vmcs_of[0][GUEST_CS_AR_BYTES] = 0xc09b;
	WRITE(PDPT + 2 * 8, 0x48, 0x89, 0x07);
	assert_int_equal(injected(0), VECTOR_GP);
	vmcs_of[0][GUEST_CS_AR_BYTES] = CS_AR_64BIT;
	/* Code the hypervisor cannot read (its RIP is not mapped). */
	*entry(PT, 1) = 0;
	WRITE(PDPT + 2 * 8, 0x48, 0x89, 0x07);
	assert_int_equal(injected(0), VECTOR_GP);
	assert_int_equal(*entry(PDPT, 2), 0x5067);
	assert_int_equal(count(0)->pdpt_writes_refused, 4);
	assert_int_equal(count(0)->pdpt_writes_emulated, 0);
}

static void page_walks_get_their_flags(void **state)
{
	static const u8 nop[] = { 0x90 };

	configured();
	*entry(PDPT, 510) = PD | 0x03; /* a directory, not yet accessed */
	*entry(PDPT, 3) = 0x80000000 | 0x83; /* a 1 GiB page, neither accessed nor dirty */
	write_exit(Q_WALK_WRITE, PDPT + 510 * 8, nop, 1);
	assert_int_equal(*entry(PDPT, 510), PD | 0x23);
	write_exit(Q_WALK_WRITE, PDPT + 3 * 8, nop, 1);
	assert_int_equal(*entry(PDPT, 3), 0x80000000 | 0xe3);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA); /* the access is retried */
	assert_int_equal(injected(0), 0xffffffff);
	assert_int_equal(count(0)->pdpt_writes_emulated + count(0)->pdpt_writes_refused, 0);
	/* An IRET that faulted must find NMIs blocked again. */
	write_exit(Q_WALK_WRITE | BIT(12), PDPT + 3 * 8, nop, 1);
	assert_true(vmcs_of[0][GUEST_INTERRUPTIBILITY_INFO] & GUEST_INTR_STATE_NMI);
}

/* The CPU setting an accessed flag on the PDPT while delivering an NMI
 * (exit_fuzz): bit 12 of the qualification is undefined then, and NMI
 * blocking must stay clear for the NMI VM entry delivers again. */
static void walk_during_nmi_delivery_leaves_nmis_unblocked(void **state)
{
	static const u8 nop[] = { 0x90 };

	configured();
	vmcs_of[0][GUEST_INTERRUPTIBILITY_INFO] = 0;
	vmcs_of[0][IDT_VECTORING_INFO_FIELD] = INTR_INFO_VALID | INTR_TYPE_NMI | 2;
	write_exit(Q_WALK_WRITE | BIT(12), PDPT + 3 * 8, nop, 1);
	assert_int_equal(vmcs_of[0][VM_ENTRY_INTR_INFO_FIELD], INTR_INFO_VALID | INTR_TYPE_NMI | 2);
	assert_false(vmcs_of[0][GUEST_INTERRUPTIBILITY_INFO] & GUEST_INTR_STATE_NMI);
	vmcs_of[0][IDT_VECTORING_INFO_FIELD] = 0;
}

static void event_delivery_onto_the_pdpt_gets_df(void **state)
{
	configured();
	vmcs_of[0][IDT_VECTORING_INFO_FIELD] = INTR_INFO_VALID | INTR_TYPE_HARD_EXCEPTION | 14;
	WRITE(PDPT + 2 * 8, 0x48, 0x89, 0x07);
	assert_int_equal(injected(0), 8);
	assert_int_equal(*entry(PDPT, 2), 0);
	assert_int_equal(count(0)->pdpt_writes_refused, 1);
}

static void analyzer_view_writes_are_attacks(void **state)
{
	configured();
	vmcs_of[0][EPTP_INDEX] = VIEW_ANALYZER;
	WRITE(PDPT + 2 * 8, 0x48, 0x89, 0x07);
	assert_int_equal(*entry(PDPT, 2), 0);
	assert_int_equal(cpus[0].attacks, 1);
	assert_int_equal(injected(0), VECTOR_UD);
	assert_int_equal(count(0)->pdpt_writes_emulated, 0);
}

static void other_pages_are_not_touched(void **state)
{
	configured();
	/* Not the protected page: retried once (a translation this CPU may
	 * have kept from before), then the unexplained violation. */
	WRITE(PD + 8, 0x48, 0x89, 0x07);
	assert_int_equal(injected(0), 0xffffffff);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA);
	WRITE(PD + 8, 0x48, 0x89, 0x07);
	assert_int_equal(injected(0), VECTOR_GP);
	assert_int_equal(cpus[0].ept_violations_logged, 1);
	assert_int_equal(count(0)->pdpt_writes_emulated + count(0)->pdpt_writes_refused, 0);
}

/* ---- unconfiguring ---- */

static void unconfigure_ends_the_protection(void **state)
{
	u64 used;

	configured();
	exit_on(1, EXIT_REASON_CPUID);
	assert_true(cr3_exiting(1));
	assert_int_equal(vmcall(FVX_VMCALL_TRACE_MODE, FVX_MODE_EXIT), FVX_VMCALL_OK);
	assert_int_equal(vmcall(FVX_VMCALL_UNCONFIGURE, 0), FVX_VMCALL_EBUSY);
	assert_true(hv.ptp.active);
	/* A sealed trace: refused and counted like every other attempt. */
	hv.seal_until = ~0ULL;
	assert_int_equal(vmcall(FVX_VMCALL_UNCONFIGURE, 0), FVX_VMCALL_EPERM);
	assert_int_equal(cpus[0].sealed_refusals, 1);
	assert_true(hv.ptp.active);
	hv.seal_until = 0;
	assert_int_equal(vmcall(FVX_VMCALL_TRACE_MODE, 0), FVX_VMCALL_OK);
	assert_int_equal(vmcall(FVX_VMCALL_UNCONFIGURE, 0), FVX_VMCALL_OK);
	assert_false(hv.ptp.active);
	assert_false(hv.configured);
	assert_int_equal(ept(VIEW_NORMAL, PDPT).perm, EPT_RWX);
	assert_int_equal(ept(VIEW_ANALYZER, PDPT).perm, EPT_READ | EPT_WRITE);
	assert_false(cr3_exiting(0));
	assert_false(cpus[0].ptp.checking);
	/* CPU 1 still had a read-only translation: its write is retried after
	 * a flush, not done or refused by the hypervisor. */
	vmcs = vmcs_of[1];
	vmcs[GUEST_RIP] = CODE_VA;
	vmcs[EXIT_QUALIFICATION] = Q_WRITE;
	vmcs[GUEST_PHYSICAL_ADDRESS] = PDPT + WINDOW_SLOT * 8;
	invepts = 0;
	exit_on(1, EXIT_REASON_EPT_VIOLATION);
	assert_false(cr3_exiting(1));
	assert_true(invepts >= 1);
	assert_int_equal(vmcs_of[1][GUEST_RIP], CODE_VA);
	assert_int_equal(injected(1), 0xffffffff);
	assert_int_equal(count(1)->pdpt_writes_refused, 0);
	/* A CR3 load still exiting is just done. */
	*entry(OTHER_PML4, 511) = 0;
	mov_to_cr3(0, OTHER_PML4);
	assert_int_equal(*entry(OTHER_PML4, 511), 0);
	assert_int_equal(vmcs_of[0][GUEST_CR3], OTHER_PML4);
	/* And the window can be configured again (no new EPT tables needed). */
	*entry(OTHER_PML4, 511) = PML4E;
	used = hv.ptp.reserve.used;
	assert_true(used > 0);
	configured();
	assert_true(hv.ptp.active);
	assert_int_equal(ept(VIEW_NORMAL, PDPT).perm, EPT_READ | EPT_EXEC);
	assert_int_equal(hv.ptp.reserve.used, used);
}

static void cr3_exiting_stays_where_it_cannot_be_cleared(void **state)
{
	/* A CPU without TRUE_* MSRs: CR3-load exiting is default1. */
	hv.ctls.proc |= CPU_BASED_CR3_LOAD_EXITING;
	vmcs_of[0][CPU_BASED_VM_EXEC_CONTROL] = hv.ctls.proc;
	configured();
	assert_int_equal(vmcall(FVX_VMCALL_UNCONFIGURE, 0), FVX_VMCALL_OK);
	assert_true(cr3_exiting(0));
}

/* ---- kernel text, rodata and the IDT (kprotect.c) ---- */

#define KTEXT 0x7000 /* two pages of kernel text */
#define KRODATA 0xd000
#define KIDT 0x6000
#define POKE_PML4 0xf000 /* text_poke's address space (poking_mm) */
#define MOV_RAX_TO_RBX_MEM 0x48, 0x89, 0x03 /* mov %rax,(%rbx) */

static void kernel_protected(bool mtf)
{
	kernel_layout = (struct platform_kernel_layout){ .text = { KTEXT, KTEXT + 0x2000 },
							 .rodata = { KRODATA, KRODATA + 0x1000 },
							 .idt_page = KIDT,
							 .patch_cr3 = POKE_PML4 };
	hv.caps.proc = mtf ? (u64)CPU_BASED_MONITOR_TRAP_FLAG << 32 : 0;
	assert_int_equal(kprot_init(&hv), FVX_OK);
	memcpy(ram + POKE_PML4, ram + PML4, 4096); /* maps the code as well */
}

static bool mtf_on(void)
{
	return vmcs_of[0][CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_MONITOR_TRAP_FLAG;
}

/* A page the hypervisor keeps read-only anyway (kernel text) loaded as a
 * top-level table is not guarded: no repair writes into it while
 * text_poke has it open, and it is never left writable afterwards. */
static void read_only_pages_are_not_guarded(void **state)
{
	kernel_protected(true);
	guards_on();
	memcpy(ram + KTEXT, ram + PML4, 4096);
	mov_to_cr3(0, KTEXT);
	assert_int_equal(vmcs_of[0][GUEST_CR3], KTEXT);
	assert_int_equal(cpus[0].ptp.guarded, 0);
	mov_to_cr3(0, PML4);
	assert_false(writable(KTEXT));
	/* Its window slot made bad: not the guest's to write, refused. */
	*entry(KTEXT, 511) = 0;
	vmcs_of[0][VM_ENTRY_INTR_INFO_FIELD] = 0;
	mov_to_cr3(0, KTEXT);
	assert_int_equal(injected(0), VECTOR_GP);
	assert_int_equal(*entry(KTEXT, 511), 0);
	assert_false(writable(KTEXT));
}

static void kernel_pages_are_read_only_in_both_views(void **state)
{
	kernel_protected(true);
	assert_int_equal(hv.kprot.pages, 4);
	for (u64 gpa = KTEXT; gpa < KTEXT + 0x2000; gpa += 0x1000) {
		assert_int_equal(ept(VIEW_NORMAL, gpa).perm, EPT_READ | EPT_EXEC);
		assert_int_equal(ept(VIEW_ANALYZER, gpa).perm, EPT_READ);
		assert_int_equal(ept(VIEW_NORMAL, gpa).hpa, gpa);
	}
	assert_int_equal(ept(VIEW_NORMAL, KRODATA).perm, EPT_READ | EPT_EXEC);
	assert_int_equal(ept(VIEW_NORMAL, KIDT).perm, EPT_READ | EPT_EXEC);
	assert_int_equal(ept(VIEW_ANALYZER, KIDT).perm, EPT_READ);
	/* The neighbours keep their permissions. */
	assert_int_equal(ept(VIEW_NORMAL, KTEXT + 0x2000).perm, EPT_RWX);
	assert_int_equal(ept(VIEW_NORMAL, KIDT - 0x1000).perm, EPT_RWX);
	assert_int_equal(ept(VIEW_ANALYZER, KRODATA + 0x1000).perm, EPT_READ | EPT_WRITE);
}

static void ranges_that_are_not_ram_or_whole_pages_are_left_alone(void **state)
{
	kernel_layout = (struct platform_kernel_layout){ .text = { KTEXT + 8, KTEXT + 0x1000 },
							 .rodata = { 0xf000, 0x20000 },
							 .idt_page = KIDT,
							 .patch_cr3 = POKE_PML4 };
	hv.caps.proc = (u64)CPU_BASED_MONITOR_TRAP_FLAG << 32;
	assert_int_equal(kprot_init(&hv), FVX_OK);
	assert_int_equal(hv.kprot.pages, 1); /* the IDT only */
	assert_int_equal(ept(VIEW_NORMAL, KTEXT).perm, EPT_RWX);
	assert_int_equal(ept(VIEW_NORMAL, 0xf000).perm, EPT_RWX);
	assert_int_equal(ept(VIEW_NORMAL, KIDT).perm, EPT_READ | EPT_EXEC);
}

static void without_text_poke_text_stays_writable(void **state)
{
	kernel_layout = (struct platform_kernel_layout){ .text = { KTEXT, KTEXT + 0x2000 },
							 .rodata = { KRODATA, KRODATA + 0x1000 } };
	assert_int_equal(kprot_init(&hv), FVX_OK);
	assert_int_equal(hv.kprot.pages, 1);
	assert_int_equal(ept(VIEW_NORMAL, KTEXT).perm, EPT_RWX);
	assert_int_equal(ept(VIEW_NORMAL, KRODATA).perm, EPT_READ | EPT_EXEC);
}

static void text_poke_writes_for_one_instruction(void **state)
{
	kernel_protected(true);
	vmcs_of[0][GUEST_CR3] = POKE_PML4 | 6; /* with a PCID */
	WRITE(KTEXT + 0x10, MOV_RAX_TO_RBX_MEM);
	/* The instruction runs again, now allowed to write that page only. */
	assert_int_equal(injected(0), 0xffffffff);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA);
	assert_int_equal(ept(VIEW_NORMAL, KTEXT).perm, EPT_RWX);
	assert_int_equal(ept(VIEW_NORMAL, KTEXT + 0x1000).perm, EPT_READ | EPT_EXEC);
	assert_int_equal(ept(VIEW_ANALYZER, KTEXT).perm, EPT_READ);
	assert_true(mtf_on());
	assert_int_equal(cpus[0].text_pokes, 1);
	/* A store across the page end opens the second page as well. */
	WRITE(KTEXT + 0x1000, MOV_RAX_TO_RBX_MEM);
	assert_int_equal(ept(VIEW_NORMAL, KTEXT).perm, EPT_RWX);
	assert_int_equal(ept(VIEW_NORMAL, KTEXT + 0x1000).perm, EPT_RWX);
	/* After one instruction, the monitor trap flag closes both. */
	invepts = 0;
	exit_on(0, EXIT_REASON_MONITOR_TRAP_FLAG);
	assert_false(mtf_on());
	assert_int_equal(ept(VIEW_NORMAL, KTEXT).perm, EPT_READ | EPT_EXEC);
	assert_int_equal(ept(VIEW_NORMAL, KTEXT + 0x1000).perm, EPT_READ | EPT_EXEC);
	assert_true(invepts >= 1);
	assert_int_equal(cpus[0].text_pokes, 2);
	assert_int_equal(cpus[0].kernel_writes_refused, 0);
}

static void without_mtf_a_single_step_ends_the_write(void **state)
{
	kernel_protected(false);
	vmcs_of[0][GUEST_CR3] = POKE_PML4;
	vmcs_of[0][GUEST_RFLAGS] = 0x2;
	WRITE(KTEXT + 0x10, MOV_RAX_TO_RBX_MEM);
	assert_int_equal(ept(VIEW_NORMAL, KTEXT).perm, EPT_RWX);
	assert_false(mtf_on());
	assert_int_equal(vmcs_of[0][GUEST_RFLAGS], 0x2 | BIT(8)); /* TF */
	assert_int_equal(vmcs_of[0][EXCEPTION_BITMAP], BIT(1)); /* #DB exits */
	/* The single-step trap after it: swallowed, the page closed again. */
	vmcs_of[0][VM_EXIT_INTR_INFO] = INTR_INFO_VALID | INTR_TYPE_HARD_EXCEPTION | 1;
	vmcs_of[0][EXIT_QUALIFICATION] = BIT(14); /* BS */
	exit_on(0, EXIT_REASON_EXCEPTION_NMI);
	assert_int_equal(injected(0), 0xffffffff);
	assert_int_equal(vmcs_of[0][GUEST_RFLAGS], 0x2);
	assert_int_equal(vmcs_of[0][EXCEPTION_BITMAP], 0);
	assert_int_equal(ept(VIEW_NORMAL, KTEXT).perm, EPT_READ | EPT_EXEC);
	assert_int_equal(cpus[0].text_pokes, 1);
	/* A guest single-stepping itself keeps TF and gets its #DB, BS in
	 * its DR6. */
	vmcs_of[0][GUEST_RFLAGS] = 0x2 | BIT(8);
	WRITE(KTEXT + 0x10, MOV_RAX_TO_RBX_MEM);
	fake_dr[6] = 0xffff0ff0;
	vmcs_of[0][EXIT_QUALIFICATION] = BIT(14); /* BS */
	exit_on(0, EXIT_REASON_EXCEPTION_NMI);
	assert_int_equal(injected(0), 1);
	assert_int_equal(fake_dr[6], 0xffff0ff0 | BIT(14));
	assert_int_equal(vmcs_of[0][GUEST_RFLAGS], 0x2 | BIT(8));
	assert_int_equal(vmcs_of[0][EXCEPTION_BITMAP], 0);
	/* A #DB when nothing is being stepped was not asked for. */
	vmcs_of[0][VM_ENTRY_INTR_INFO_FIELD] = 0;
	exit_on(0, EXIT_REASON_EXCEPTION_NMI);
	assert_int_equal(fatal_reports, 1);
	assert_int_equal(cpus[0].text_pokes, 2);
}

static void other_kernel_writes_are_refused(void **state)
{
	static const struct {
		const char *what;
		u64 gpa, cr3, cs;
		u16 view;
	} cases[] = {
		{ "text through the kernel's own tables (CR0.WP clear)", KTEXT, PML4, 0x10, 0 },
		{ "rodata from text_poke's address space", KRODATA + 0x80, POKE_PML4, 0x10, 0 },
		{ "the IDT", KIDT + 0x20, PML4, 0x10, 0 },
		{ "the IDT from text_poke's address space", KIDT, POKE_PML4, 0x10, 0 },
		{ "text from the analyzer view", KTEXT, POKE_PML4, 0x10, VIEW_ANALYZER },
		{ "text at CPL 3 in text_poke's address space", KTEXT, POKE_PML4, 0x33, 0 },
	};
	unsigned int i;

	kernel_protected(true);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vmcs_of[0][GUEST_CR3] = cases[i].cr3;
		vmcs_of[0][GUEST_CS_SELECTOR] = cases[i].cs;
		vmcs_of[0][EPTP_INDEX] = cases[i].view;
		WRITE(cases[i].gpa, MOV_RAX_TO_RBX_MEM);
		/* The store is skipped: nothing written, no fault. */
		print_message("%s\n", cases[i].what);
		assert_int_equal(injected(0), 0xffffffff);
		assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA + 3);
		assert_int_equal(cpus[0].kernel_writes_refused, i + 1);
		assert_false(mtf_on());
	}
	assert_int_equal(cpus[0].text_pokes, 0);
	assert_int_equal(ept(VIEW_NORMAL, KTEXT).perm, EPT_READ | EPT_EXEC);
	assert_int_equal(ept(VIEW_NORMAL, KIDT).perm, EPT_READ | EPT_EXEC);
}

static void undecodable_kernel_writes_get_gp(void **state)
{
	kernel_protected(true);
	WRITE(KRODATA, 0xf3, 0x48, 0xab); /* rep stosq */
	assert_int_equal(injected(0), VECTOR_GP);
	assert_int_equal(vmcs_of[0][GUEST_RIP], CODE_VA);
	/* The CPU setting a flag in an entry on a text page: no store to skip. */
	vmcs_of[0][VM_ENTRY_INTR_INFO_FIELD] = 0;
	write_exit(Q_WALK_WRITE, KTEXT + 8, (const u8[]){ MOV_RAX_TO_RBX_MEM }, 3);
	assert_int_equal(injected(0), VECTOR_GP);
	assert_int_equal(cpus[0].kernel_writes_refused, 2);
}

static void reads_and_other_pages_are_not_kernel_writes(void **state)
{
	kernel_protected(true);
	/* A write next to the protected pages is no concern of this code:
	 * retried once, then the unexplained violation. */
	WRITE(KTEXT + 0x2000, MOV_RAX_TO_RBX_MEM);
	WRITE(KTEXT + 0x2000, MOV_RAX_TO_RBX_MEM);
	assert_int_equal(cpus[0].kernel_writes_refused, 0);
	assert_int_equal(injected(0), VECTOR_GP);
	/* Nor is a read violation of a protected page. */
	vmcs_of[0][VM_ENTRY_INTR_INFO_FIELD] = 0;
	write_exit(BIT(0) | BIT(7) | BIT(8), KTEXT, (const u8[]){ MOV_RAX_TO_RBX_MEM }, 3);
	assert_int_equal(cpus[0].kernel_writes_refused, 0);
}

/* ---- reporting ---- */

static void status_reports_the_counters(void **state)
{
	struct fvx_cpu_status *out = (void *)(ram + 0x6000);

	configured();
	*entry(OTHER_PML4, 511) = 0;
	mov_to_cr3(0, OTHER_PML4);
	*entry(PDPT, WINDOW_SLOT) = 0;
	mov_to_cr3(0, OTHER_PML4);
	mov_to_cr3(0, POOL_PA);
	WRITE(PDPT + 2 * 8, 0x48, 0x89, 0x07);
	WRITE(PDPT + WINDOW_SLOT * 8, 0x48, 0x89, 0x07);
	WRITE(PDPT + WINDOW_SLOT * 8, 0x48, 0xab);
	cpus[0].attacks = 5;
	regs.rcx = 0x6000;
	regs.rdx = sizeof(*out);
	assert_int_equal(vmcall(FVX_VMCALL_STATUS, 0), FVX_VMCALL_OK);
	assert_int_equal(out->version, FVX_CPU_STATUS_VERSION);
	assert_int_equal(out->size, sizeof(*out));
	assert_true(out->features & FVX_FEATURE_PT_PROTECT);
	assert_int_equal(out->view_attacks, 5);
	assert_int_equal(out->cr3_loads, 3);
	assert_int_equal(out->pml4e_repaired, 1);
	assert_int_equal(out->pdpte_repaired, 1);
	assert_int_equal(out->cr3_refused, 1);
	assert_int_equal(out->pdpt_writes_emulated, 1);
	assert_int_equal(out->pdpt_writes_refused, 2);
	assert_int_equal(out->loaded_repaired, 1); /* the PDPTE, found before the load */
	regs.rcx = 0x6000;
	regs.rdx = sizeof(*out);
	assert_int_equal(vmcall(FVX_VMCALL_STATUS, 1), FVX_VMCALL_OK);
	assert_false(out->features & FVX_FEATURE_PT_PROTECT); /* no exit there yet */
}

int main(void)
{
#define T(name) cmocka_unit_test_setup(name, setup)
	const struct CMUnitTest tests[] = {
		T(configure_finds_and_protects_both_entries),
		T(configure_refuses_what_does_not_map_the_window),
		T(other_cpus_follow_at_their_next_exit),
		T(a_rewrite_of_the_loaded_table_is_repaired_at_the_next_exit),
		T(a_lone_cpu_looks_while_protecting),
		T(loaded_tables_are_read_only_while_loaded),
		T(writes_to_a_loaded_table),
		T(a_write_after_the_guard_is_retried),
		T(a_guarded_table_needs_no_repair),
		T(a_guarded_table_is_still_repaired),
		T(breakpoints_on_the_window_are_left_out),
		T(debug_exits_are_the_cpus),
		T(analyzer_view_writes_to_a_loaded_table_are_attacks),
		T(read_only_pages_are_not_guarded),
		T(splits_are_merged_back_when_they_run_short),
		T(tracing_starts_only_where_cr3_loads_are_checked),
		T(intact_tables_are_loaded_without_a_count),
		T(pcid_and_the_no_flush_bit),
		T(changed_pml4e_is_repaired),
		T(changed_pdpte_is_repaired),
		T(tables_that_cannot_be_checked_are_refused),
		T(mov_from_cr3_reads_the_guest_value),
		cmocka_unit_test(decoder_takes_the_stores_linux_uses),
		cmocka_unit_test(decoder_refuses_everything_else),
		T(writes_to_other_slots_are_done),
		T(writes_to_the_window_slot_are_refused),
		T(undecodable_writes_get_gp),
		T(page_walks_get_their_flags),
		T(walk_during_nmi_delivery_leaves_nmis_unblocked),
		T(event_delivery_onto_the_pdpt_gets_df),
		T(analyzer_view_writes_are_attacks),
		T(other_pages_are_not_touched),
		T(unconfigure_ends_the_protection),
		T(cr3_exiting_stays_where_it_cannot_be_cleared),
		T(kernel_pages_are_read_only_in_both_views),
		T(ranges_that_are_not_ram_or_whole_pages_are_left_alone),
		T(without_text_poke_text_stays_writable),
		T(without_mtf_a_single_step_ends_the_write),
		T(text_poke_writes_for_one_instruction),
		T(other_kernel_writes_are_refused),
		T(undecodable_kernel_writes_get_gp),
		T(reads_and_other_pages_are_not_kernel_writes),
		T(status_reports_the_counters),
	};

	return cmocka_run_group_tests_name("ptprotect", tests, NULL, NULL);
}
