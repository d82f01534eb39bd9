/* The fake machine of tests/unit/fake_platform.h: the platform boundary,
 * the arch helpers and the VMX instructions of a few fake CPUs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_platform.h"
#include "fixtures.h"
#include "platform.h"
#include "arch/x86/asm.h"
#include "arch/x86/vmcs.h"
#include "core/exit.h"
#include "core/pool.h"

#define CR4_VMXE BIT(13)
#define PTE_PRESENT BIT(0)
#define PTE_WRITE BIT(1)
#define PTE_LARGE BIT(7)
#define FAKE_FIRST_BLOCK_PA 0x10000000ULL
#define VMCS_FIELDS 0x8000
#define VM_ERROR_INVALID_CONTROLS 7

struct fake_platform fake;
struct fake_guest_tables fake_guest_tables __attribute__((aligned(4096)));

/* One fake VMCS per region the core made current at least once. */
static struct {
	u64 pa;
	u64 *fields;
} vmcses[2 * FAKE_MAX_CPUS];
static u64 next_block_pa;
static u64 tsc;

/* PC-like MTRRs, the same on every CPU: WB by default, UC for the legacy
 * video window and for [3 GiB, 4 GiB). */
static const struct fake_msr mtrrs[] = {
	{ MSR_IA32_MTRRCAP, 0x508 }, /* WC, fixed ranges, 8 variable */
	{ MSR_IA32_MTRR_DEF_TYPE, 0xc06 }, /* enabled, fixed enabled, WB */
	{ MSR_IA32_MTRR_FIX64K_00000, 0x0606060606060606ULL },
	{ MSR_IA32_MTRR_FIX16K_80000, 0x0606060606060606ULL },
	{ MSR_IA32_MTRR_FIX16K_A0000, 0 },
	{ MSR_IA32_MTRR_FIX4K_C0000 + 0, 0x0505050505050505ULL },
	{ MSR_IA32_MTRR_FIX4K_C0000 + 1, 0x0505050505050505ULL },
	{ MSR_IA32_MTRR_FIX4K_C0000 + 2, 0x0505050505050505ULL },
	{ MSR_IA32_MTRR_FIX4K_C0000 + 3, 0x0505050505050505ULL },
	{ MSR_IA32_MTRR_FIX4K_C0000 + 4, 0x0505050505050505ULL },
	{ MSR_IA32_MTRR_FIX4K_C0000 + 5, 0x0505050505050505ULL },
	{ MSR_IA32_MTRR_FIX4K_C0000 + 6, 0x0505050505050505ULL },
	{ MSR_IA32_MTRR_FIX4K_C0000 + 7, 0x0505050505050505ULL },
	{ MSR_IA32_MTRR_PHYSBASE0, 0xc0000000ULL | MEMTYPE_UC },
	{ MSR_IA32_MTRR_PHYSBASE0 + 1,
	  (((1ULL << FAKE_MAXPHYADDR) - 1) & ~((1ULL << 30) - 1)) | BIT(11) },
};

static struct fake_cpu *cpu(void)
{
	assert_true(fake.current < fake.cpu_count);
	return &fake.cpu[fake.current];
}

static void log_append(const char *fmt, va_list ap)
{
	int n = vsnprintf(fake.log + fake.log_len, sizeof(fake.log) - fake.log_len, fmt, ap);

	if (n > 0)
		fake.log_len += (unsigned int)n;
	if (fake.log_len >= sizeof(fake.log))
		fake.log_len = sizeof(fake.log) - 1;
}

static u64 segment_descriptor(u64 base, u32 limit, u32 access)
{
	return (limit & 0xffff) | (base & 0xffffff) << 16 | (u64)(access & 0xf0ff) << 40 |
	       (u64)((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
}

/* Linux's GDT: kernel code and data, a busy 64-bit TSS (SDM 3.4.5, 7.2.3). */
static void cpu_reset(struct fake_cpu *c)
{
	u64 tss = (u64)c->tss;
	unsigned int i = 0;

	memset(c, 0, sizeof(*c));
	c->has_vmx = true;
	c->cr0 = FAKE_CR0;
	c->cr3 = FAKE_GUEST_CR3;
	c->cr4 = FAKE_CR4;
	c->gdt[FAKE_KERNEL_CS / 8] = segment_descriptor(0, 0xfffff, 0xa09b);
	c->gdt[FAKE_KERNEL_SS / 8] = segment_descriptor(0, 0xfffff, 0xc093);
	c->gdt[FAKE_TR / 8] = segment_descriptor(tss, 0x206f, 0x008b);
	c->gdt[FAKE_TR / 8 + 1] = tss >> 32;
	c->gdtr_base = (u64)c->gdt;
	c->idtr_base = FAKE_IDT_BASE;
	c->msrs[i++] = (struct fake_msr){ MSR_IA32_FEATURE_CONTROL, 0x5 };
	c->msrs[i++] = (struct fake_msr){ MSR_IA32_EFER, FAKE_EFER };
	c->msrs[i++] = (struct fake_msr){ MSR_IA32_PAT, FAKE_PAT };
	c->msrs[i++] = (struct fake_msr){ MSR_IA32_LSTAR, FAKE_LSTAR };
	c->msrs[i++] = (struct fake_msr){ MSR_IA32_FMASK, 0x47700 }; /* Linux 6.1 */
	c->msrs[i++] = (struct fake_msr){ MSR_IA32_FS_BASE, 0 };
	c->msrs[i++] = (struct fake_msr){ MSR_IA32_GS_BASE, 0xffff88803fa00000ULL };
	c->msrs[i++] = (struct fake_msr){ MSR_IA32_DEBUGCTL, 0 };
	c->msrs[i++] = (struct fake_msr){ MSR_IA32_SYSENTER_CS, FAKE_KERNEL_CS };
	c->msrs[i++] = (struct fake_msr){ MSR_IA32_SYSENTER_ESP, 0xfffffe0000003000ULL };
	c->msrs[i++] = (struct fake_msr){ MSR_IA32_SYSENTER_EIP, 0xffffffff81c01630ULL };
	c->msrs[i++] = (struct fake_msr){ MSR_IA32_STAR, FAKE_STAR };
	c->msrs[i++] = (struct fake_msr){ MSR_IA32_CSTAR, 0xffffffff81c01820ULL };
	c->msrs[i++] = (struct fake_msr){ MSR_IA32_TSC, 0 };
	c->msrs[i++] = (struct fake_msr){ MSR_IA32_TSC_DEADLINE, 0 };
}

/* The OS's kernel half: PML4 511 -> PDPT 510 -> a PD of 2 MiB pages and
 * one page table of 4 KiB pages. */
static void guest_tables_reset(void)
{
	struct fake_guest_tables *t = &fake_guest_tables;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->pml4[511] = (FAKE_GUEST_CR3 + 0x1000) | PTE_PRESENT | PTE_WRITE;
	t->pdpt[510] = (FAKE_GUEST_CR3 + 0x2000) | PTE_PRESENT | PTE_WRITE;
	for (i = 8; i < 16; i++)
		t->pd[i] =
			(FAKE_KERNEL_PA + (i - 8) * 0x200000) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
	t->pd[16] = (FAKE_GUEST_CR3 + 0x3000) | PTE_PRESENT | PTE_WRITE;
	for (i = 0; i < 512; i++)
		t->pt[i] = (FAKE_KERNEL_PA + 0x1000000 + i * 0x1000) | PTE_PRESENT;
}

void fake_platform_reset(unsigned int cpu_count)
{
	unsigned int i;

	assert_true(cpu_count <= FAKE_MAX_CPUS);
	for (i = 0; i < fake.block_count; i++)
		if (fake.blocks[i].live)
			free(fake.blocks[i].va);
	for (i = 0; i < ARRAY_LEN(vmcses); i++)
		free(vmcses[i].fields);
	memset(vmcses, 0, sizeof(vmcses));
	memset(&fake, 0, sizeof(fake));
	fake.cpu_count = cpu_count;
	for (i = 0; i < FAKE_MAX_CPUS; i++)
		cpu_reset(&fake.cpu[i]);
	guest_tables_reset();
	next_block_pa = FAKE_FIRST_BLOCK_PA;
}

unsigned int fake_blocks_outstanding(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < fake.block_count; i++)
		n += fake.blocks[i].live;
	return n;
}

const u64 *fake_vmcs(u64 pa)
{
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(vmcses); i++)
		if (vmcses[i].fields && vmcses[i].pa == pa)
			return vmcses[i].fields;
	return NULL;
}

static u64 *vmcs_for(u64 pa)
{
	unsigned int i;

	if (fake_vmcs(pa))
		return (u64 *)fake_vmcs(pa);
	for (i = 0; i < ARRAY_LEN(vmcses); i++)
		if (!vmcses[i].fields) {
			vmcses[i].pa = pa;
			vmcses[i].fields = calloc(VMCS_FIELDS, sizeof(u64));
			return vmcses[i].fields;
		}
	fail_msg("more VMCS regions than the fake keeps");
	return NULL;
}

/* Allocation number fake.allocs fails when the test asks for it. */
static bool alloc_fails(void)
{
	return ++fake.allocs == fake.fail_alloc_at;
}

/* The platform boundary. */

void *platform_alloc_contig(u64 size)
{
	const u64 align = PLATFORM_CONTIG_BLOCK;
	struct fake_block *b;

	if (alloc_fails())
		return NULL;
	assert_true(fake.block_count < FAKE_MAX_BLOCKS);
	b = &fake.blocks[fake.block_count++];
	assert_true(size && size % align == 0);
	b->va = aligned_alloc(align, size);
	assert_non_null(b->va);
	memset(b->va, 0, size);
	next_block_pa = (next_block_pa + align - 1) & ~(align - 1);
	b->pa = next_block_pa;
	b->size = size;
	b->live = true;
	next_block_pa += size;
	assert_true(next_block_pa <= FAKE_RAM_TOP);
	return b->va;
}

void platform_free_contig(void *va, u64 size)
{
	unsigned int i;

	if (!va)
		return; /* as the loader does */
	for (i = 0; i < fake.block_count; i++)
		if (fake.blocks[i].live && fake.blocks[i].va == va) {
			assert_int_equal(fake.blocks[i].size, size);
			fake.blocks[i].live = false;
			free(va);
			return;
		}
	fail_msg("platform_free_contig(%p): not an allocated block", va);
}

/* Every page-table and VMX-region address the core takes is in a block or
 * in the OS's page tables; anything else is the direct map. */
u64 fake_virt_to_phys(const void *va)
{
	const u8 *p = va, *t = (const u8 *)&fake_guest_tables;
	unsigned int i;

	for (i = 0; i < fake.block_count; i++) {
		const struct fake_block *b = &fake.blocks[i];

		if (b->live && p >= (u8 *)b->va && p < (u8 *)b->va + b->size)
			return b->pa + (u64)(p - (u8 *)b->va);
	}
	if (p >= t && p < t + sizeof(fake_guest_tables))
		return FAKE_GUEST_CR3 + (u64)(p - t);
	if ((u64)va >= FAKE_PAGE_OFFSET)
		return (u64)va - FAKE_PAGE_OFFSET;
	fail_msg("virt_to_phys(%p): not memory the platform knows", va);
	return 0;
}

u64 platform_virt_to_phys(const void *va)
{
	return fake_virt_to_phys(va);
}

void *platform_phys_to_virt(u64 pa)
{
	unsigned int i;

	for (i = 0; i < fake.block_count; i++) {
		const struct fake_block *b = &fake.blocks[i];

		if (b->live && pa >= b->pa && pa - b->pa < b->size)
			return (u8 *)b->va + (pa - b->pa);
	}
	if (pa >= FAKE_GUEST_CR3 && pa - FAKE_GUEST_CR3 < sizeof(fake_guest_tables))
		return (u8 *)&fake_guest_tables + (pa - FAKE_GUEST_CR3);
	return (void *)(FAKE_PAGE_OFFSET + pa);
}

void platform_kernel_layout(struct platform_kernel_layout *l)
{
	*l = fake.kernel;
}

u64 platform_ram_top(void)
{
	return FAKE_RAM_TOP;
}

unsigned int platform_cpu_count(void)
{
	return fake.cpu_count;
}

unsigned int platform_cpu_index(void)
{
	return fake.current;
}

/* Like the loader: fn runs on every CPU, the first failure is returned. */
enum fvx_status platform_on_each_cpu(enum fvx_status (*fn)(void *ctx), void *ctx)
{
	enum fvx_status first = FVX_OK, s;

	for (fake.current = 0; fake.current < fake.cpu_count; fake.current++) {
		s = fn(ctx);
		if (s != FVX_OK && first == FVX_OK)
			first = s;
	}
	fake.current = 0;
	return first;
}

void platform_cpu_tables_reload(void)
{
	assert_false(cpu()->in_vmx);
	cpu()->tables_reloads++;
}

void platform_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_append(fmt, ap);
	va_end(ap);
}

/* The core's pool allocator, wrapped (-Wl,--wrap=pool_alloc) so that its
 * allocations count and can fail like the platform's. */
void *__real_pool_alloc(struct pool *p, u64 count);

void *__wrap_pool_alloc(struct pool *p, u64 count)
{
	return alloc_fails() ? NULL : __real_pool_alloc(p, count);
}

/* MSRs: the VMX capabilities of Bochs's broadwell_ult, PC-like MTRRs, and
 * each CPU's own. Any other MSR would #GP. */

static struct fake_msr *find_msr(struct fake_cpu *c, u32 msr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(c->msrs); i++)
		if (c->msrs[i].msr == msr)
			return &c->msrs[i];
	return NULL;
}

static struct fake_msr *cpu_msr(u32 msr)
{
	return find_msr(cpu(), msr);
}

u64 *fake_cpu_msr(unsigned int index, u32 msr)
{
	struct fake_msr *m;

	assert_true(index < FAKE_MAX_CPUS);
	m = find_msr(&fake.cpu[index], msr);
	assert_non_null(m);
	return &m->value;
}

u64 arch_rdmsr(u32 msr)
{
	struct msr_table caps = MSR_TABLE(bochs_broadwell);
	struct fake_msr *m = cpu_msr(msr);
	unsigned int i;
	u64 v;

	if (m)
		return m->value;
	if (fake_rdmsr(&caps, msr, &v))
		return v;
	for (i = 0; i < ARRAY_LEN(mtrrs); i++)
		if (mtrrs[i].msr == msr)
			return mtrrs[i].value;
	if (msr >= MSR_IA32_MTRR_PHYSBASE0 && msr < MSR_IA32_MTRR_PHYSBASE0 + 16)
		return 0; /* unused variable ranges */
	fail_msg("RDMSR %#x: #GP on the fake CPU", msr);
	return 0;
}

void arch_wrmsr(u32 msr, u64 value)
{
	struct fake_msr *m = cpu_msr(msr);

	if (!m)
		fail_msg("WRMSR %#x: #GP on the fake CPU", msr);
	/* SDM 24.7: a locked IA32_FEATURE_CONTROL cannot be written. */
	if (msr == MSR_IA32_FEATURE_CONTROL && (m->value & FEATURE_CONTROL_LOCKED))
		fail_msg("WRMSR to a locked IA32_FEATURE_CONTROL: #GP");
	m->value = value;
}

int arch_rdmsr_safe(u32 msr, u64 *value)
{
	struct fake_msr *m = cpu_msr(msr);

	if (!m)
		return -1;
	*value = m->value;
	return 0;
}

int arch_wrmsr_safe(u32 msr, u64 value)
{
	struct fake_msr *m = cpu_msr(msr);

	if (!m)
		return -1;
	m->value = value;
	return 0;
}

int arch_xsetbv_safe(u32 index, u64 value)
{
	return index == 0 ? 0 : -1;
}

/* CPUID of a broadwell-like CPU: XSAVE but no XSAVES, RDTSCP, INVPCID. */
void arch_cpuid(u32 leaf, u32 subleaf, u32 out[4])
{
	memset(out, 0, 4 * sizeof(u32));
	switch (leaf) {
	case 0: out[0] = 0xd; break;
	case 1:
		out[2] = BIT(26) | BIT(27) | (cpu()->has_vmx ? BIT(5) : 0);
		out[3] = BIT(0) | BIT(5) | BIT(6);
		break;
	case 7: out[1] = subleaf == 0 ? BIT(0) | BIT(7) | BIT(10) : 0; break;
	case 0xd: out[0] = subleaf == 1 ? BIT(0) : 0x7; break;
	case 0x80000000: out[0] = 0x80000008; break;
	case 0x80000001: out[3] = BIT(11) | BIT(20) | BIT(27) | BIT(29); break;
	case 0x80000008: out[0] = 0x3000 | FAKE_MAXPHYADDR; break;
	}
}

/* Control and segment registers. */

u64 arch_read_cr0(void)
{
	return cpu()->cr0;
}

u64 arch_read_cr3(void)
{
	return cpu()->cr3;
}

u64 arch_read_cr4(void)
{
	return cpu()->cr4;
}

void arch_write_cr0(u64 v)
{
	cpu()->cr0 = v;
}

void arch_write_cr3(u64 v)
{
	cpu()->cr3 = v;
}

void arch_write_cr4(u64 v)
{
	/* SDM 24.8: CR4.VMXE cannot be cleared in VMX operation (#GP). */
	if (cpu()->in_vmx && !(v & CR4_VMXE))
		fail_msg("cpu %u: CR4.VMXE cleared in VMX operation: #GP", fake.current);
	/* SDM 4.10.4.1: a change of CR4.PGE flushes the whole TLB. */
	if ((cpu()->cr4 ^ v) & CR4_PGE)
		cpu()->tlb_flushes++;
	cpu()->cr4 = v;
}

u64 arch_read_dr7(void)
{
	return 0x400;
}

void arch_write_dr7(u64 v)
{
}

u64 arch_read_rflags(void)
{
	return 0x46; /* interrupts off, as in on_each_cpu */
}

u16 arch_read_cs(void)
{
	return FAKE_KERNEL_CS;
}

u16 arch_read_ss(void)
{
	return FAKE_KERNEL_SS;
}

u16 arch_read_ds(void)
{
	return 0;
}

u16 arch_read_es(void)
{
	return 0;
}

u16 arch_read_fs(void)
{
	return 0;
}

u16 arch_read_gs(void)
{
	return 0;
}

u16 arch_read_tr(void)
{
	return FAKE_TR;
}

u16 arch_read_ldtr(void)
{
	return 0;
}

void arch_sgdt(struct descriptor_table *t)
{
	t->base = cpu()->gdtr_base;
	t->limit = FAKE_GDT_LIMIT;
}

void arch_sidt(struct descriptor_table *t)
{
	t->base = cpu()->idtr_base;
	t->limit = 0xfff;
}

void arch_lgdt(const struct descriptor_table *t)
{
	cpu()->gdtr_base = t->base;
}

void arch_lidt(const struct descriptor_table *t)
{
	cpu()->idtr_base = t->base;
}

static bool gdt_descriptor(u16 sel, u64 *d)
{
	if (!(sel & ~3) || (sel & 4) || (sel | 7) > FAKE_GDT_LIMIT)
		return false;
	*d = cpu()->gdt[sel >> 3];
	return *d & BIT(47); /* present */
}

bool arch_lar(u16 sel, u32 *ar)
{
	u64 d;

	if (!gdt_descriptor(sel, &d))
		return false;
	*ar = (u32)(d >> 32) & 0x00f0ff00;
	return true;
}

u32 arch_lsl(u16 sel)
{
	u64 d;
	u32 limit;

	if (!gdt_descriptor(sel, &d))
		return 0;
	limit = (d & 0xffff) | ((d >> 32) & 0xf0000);
	return d & BIT(55) ? limit << 12 | 0xfff : limit;
}

void arch_load_ds(u16 sel)
{
}

void arch_load_es(u16 sel)
{
}

void arch_load_fs(u16 sel)
{
}

void arch_load_gs(u16 sel)
{
}

void arch_load_ss(u16 sel)
{
}

void arch_outb(u16 port, u8 v)
{
	if (port == 0xe9 && fake.log_len + 1 < sizeof(fake.log))
		fake.log[fake.log_len++] = (char)v;
}

void arch_wbinvd(void)
{
}

u64 arch_rdtsc(void)
{
	return tsc += 1000;
}

void arch_halt_forever(void)
{
	fail_msg("cpu %u halted by the hypervisor:\n%s", fake.current, fake.log);
}

/* VMX instructions (SDM 30.3): false is VMfail. */

static bool vmx_region_ok(u64 pa)
{
	struct msr_table caps = MSR_TABLE(bochs_broadwell);
	u64 basic = 0;

	fake_rdmsr(&caps, MSR_IA32_VMX_BASIC, &basic);
	return !(pa & 0xfff) && pa < FAKE_RAM_TOP &&
	       *(const u32 *)platform_phys_to_virt(pa) == VMX_BASIC_REVISION(basic);
}

bool arch_vmxon(u64 pa)
{
	struct fake_cpu *c = cpu();
	struct fake_msr *fc = cpu_msr(MSR_IA32_FEATURE_CONTROL);

	if (!(c->cr4 & CR4_VMXE) || c->guest)
		fail_msg("cpu %u: VMXON without CR4.VMXE or in a guest: #UD", fake.current);
	if (!(fc->value & FEATURE_CONTROL_LOCKED) || !(fc->value & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
		fail_msg("cpu %u: VMXON with VMX disabled in IA32_FEATURE_CONTROL: #GP",
			 fake.current);
	if (c->in_vmx || !vmx_region_ok(pa))
		return false;
	c->in_vmx = true;
	c->vmxon_pa = pa;
	return true;
}

void arch_vmxoff(void)
{
	if (!cpu()->in_vmx)
		fail_msg("cpu %u: VMXOFF outside VMX operation: #UD", fake.current);
	cpu()->in_vmx = false;
	cpu()->guest = false;
	cpu()->current_vmcs = 0;
	cpu()->tlb_flushes = 0;
}

bool arch_vmclear(u64 pa)
{
	struct fake_cpu *c = cpu();

	if (!c->in_vmx)
		fail_msg("cpu %u: VMCLEAR outside VMX operation: #UD", fake.current);
	if ((pa & 0xfff) || pa == c->vmxon_pa)
		return false;
	if (c->current_vmcs == pa)
		c->current_vmcs = 0;
	vmcs_for(pa);
	return true;
}

bool arch_vmptrld(u64 pa)
{
	struct fake_cpu *c = cpu();

	if (!c->in_vmx)
		fail_msg("cpu %u: VMPTRLD outside VMX operation: #UD", fake.current);
	if (pa == c->vmxon_pa || !vmx_region_ok(pa))
		return false;
	c->current_vmcs = pa;
	vmcs_for(pa);
	return true;
}

void arch_invept_all(void)
{
	if (!cpu()->in_vmx)
		fail_msg("cpu %u: INVEPT outside VMX operation: #UD", fake.current);
	cpu()->invept++;
}

void arch_invvpid_all(void)
{
	if (!cpu()->in_vmx)
		fail_msg("cpu %u: INVVPID outside VMX operation: #UD", fake.current);
	cpu()->invvpid++;
}

void arch_invvpid(u64 type, u16 vpid, u64 address)
{
	if (type > INVVPID_SINGLE_CONTEXT_RETAINING_GLOBALS ||
	    (type != INVVPID_ALL_CONTEXT && !vpid))
		fail_msg("cpu %u: INVVPID type %llu, VPID %u: VMfail", fake.current,
			 (unsigned long long)type, vpid);
	arch_invvpid_all();
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
	fail_msg("cpu %u: CR2 written outside an exit handler", fake.current);
}

static u64 *current_vmcs(void)
{
	if (!cpu()->in_vmx || !cpu()->current_vmcs)
		fail_msg("cpu %u: VMREAD/VMWRITE without a current VMCS", fake.current);
	return vmcs_for(cpu()->current_vmcs);
}

u64 vmcs_raw_read(u32 field)
{
	assert_true(field < VMCS_FIELDS);
	return current_vmcs()[field];
}

void vmcs_raw_write(u32 field, u64 value)
{
	assert_true(field < VMCS_FIELDS);
	current_vmcs()[field] = value;
}

/* vmx_entry.S: VMLAUNCH and the way back to the guest. */

int arch_vmx_launch(void)
{
	struct fake_cpu *c = cpu();
	u64 *vmcs = current_vmcs();

	c->launches++;
	if (c->fail_vmlaunch) {
		vmcs[VM_INSTRUCTION_ERROR] = VM_ERROR_INVALID_CONTROLS;
		return 1;
	}
	c->guest = true;
	c->host_cr3 = vmcs[HOST_CR3];
	return 0;
}

static jmp_buf guest_resume;

/* vmx_launch.S's way back to the guest after VMXOFF: its page tables and
 * descriptor tables, then its RIP. */
void arch_leave_vmx(struct guest_regs *regs, const struct leave_state *s)
{
	const u64 *nmi_gate = (const u64 *)(cpu()->idtr_base + 16 * 2);
	u64 nmi = (nmi_gate[0] & 0xffff) | ((nmi_gate[0] >> 32) & 0xffff0000) | nmi_gate[1] << 32;
	const u64 *host_pml4 = platform_phys_to_virt(cpu()->host_cr3);

	if (cpu()->in_vmx)
		fail_msg("cpu %u: leaving VMX before VMXOFF", fake.current);
	/* This code is the loader's: the host tables must let it run. */
	if ((host_pml4[511] & BIT(63)) || !cpu()->tlb_flushes)
		fail_msg("cpu %u: the loader's code is not executable on leaving VMX",
			 fake.current);
	/* An NMI on the way must find code the guest's page tables map. */
	if (nmi != (u64)arch_leave_vmx_nmi)
		fail_msg("cpu %u: leaving VMX with NMIs going to %#llx", fake.current,
			 (unsigned long long)nmi);
	cpu()->cr3 = s->cr3;
	cpu_msr(MSR_IA32_EFER)->value = s->efer;
	cpu()->gdtr_base = s->gdtr_base;
	cpu()->idtr_base = s->idtr_base;
	cpu()->resumed_rip = s->rip;
	longjmp(guest_resume, 1);
}

void arch_leave_vmx_nmi(void)
{
}

/* VMCALL from the guest: a VM exit into the real exit handler, with the
 * vcpu it finds at %fs in VMX root (HOST_FS_BASE). */
u64 arch_vmcall(u64 rax, u64 rbx, u64 rcx, u64 rdx, u64 *rbx_out)
{
	struct guest_regs regs = { .rax = rax, .rbx = rbx, .rcx = rcx, .rdx = rdx };
	struct vcpu *v;
	u64 *vmcs;

	if (!cpu()->guest)
		fail_msg("cpu %u: VMCALL outside a guest: #UD", fake.current);
	vmcs = current_vmcs();
	v = (struct vcpu *)vmcs[HOST_FS_BASE];
	vmcs[VM_EXIT_REASON] = EXIT_REASON_VMCALL;
	vmcs[VM_EXIT_INSTRUCTION_LEN] = 3;
	cpu()->vmcalls++;
	if (!setjmp(guest_resume))
		vmexit_handler(&regs, v);
	if (rbx_out)
		*rbx_out = regs.rbx;
	return regs.rax;
}

/* trampoline.S is replaced by tests/unit/fake_trampoline.c. */
