/* Unit tests for loading and unloading (core/hv.c, host.c, vmcs_setup.c,
 * devirt.c): the whole core linked against the fake machine of
 * fake_platform.h, with Bochs broadwell_ult's VMX capabilities. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_platform.h"
#include "fixtures.h"
#include "hypervisor.h"
#include "platform.h"
#include "arch/x86/asm.h"
#include "arch/x86/vmcs.h"
#include "core/guest_mem.h"
#include "core/host.h"
#include "core/root_image.h"
#include "core/vcpu.h"
#include "core/views.h"
#include "core/window.h"
#include "arch/x86/paging.h"

#define AR_UNUSABLE BIT(16)
#define GIB (1ULL << 30)

static int setup(void **state)
{
	fake_platform_reset(FAKE_MAX_CPUS);
	return 0;
}

static int teardown(void **state)
{
	hv_unload();
	fake_platform_reset(0);
	return 0;
}

/* struct hv heads the first block hv_load allocates (the pool). */
static struct hv *loaded_hv(void)
{
	struct hv *hv;

	assert_true(fake.block_count > 0 && fake.blocks[0].live);
	hv = fake.blocks[0].va;
	assert_memory_equal(hv->signature, HV_SIGNATURE, sizeof(hv->signature));
	return hv;
}

static const u64 *vmcs_of(const struct hv *hv, unsigned int cpu)
{
	const u64 *vmcs = fake_vmcs(hv_pa(hv, hv->vcpus[cpu]->vmcs));

	assert_non_null(vmcs);
	return vmcs;
}

static void assert_log_has(const char *text)
{
	if (!strstr(fake.log, text))
		fail_msg("no \"%s\" in the log:\n%s", text, fake.log);
}

/* What every CPU must look like when nothing of the hypervisor is left. */
static void assert_cpus_native(void)
{
	unsigned int i;

	for (i = 0; i < fake.cpu_count; i++) {
		assert_false(fake.cpu[i].in_vmx);
		assert_false(fake.cpu[i].guest);
		assert_int_equal(fake.cpu[i].cr4, FAKE_CR4);
		assert_int_equal(fake.cpu[i].cr3, FAKE_GUEST_CR3);
		assert_int_equal(*fake_cpu_msr(i, MSR_IA32_LSTAR), FAKE_LSTAR);
	}
}

/* The host's walk of its own page tables (from cr3); every table must be
 * in the pool, where the guest cannot reach it. *exec: no level says NX;
 * *writable: the last level says W. */
static bool host_walk(const struct hv *hv, u64 cr3, u64 va, u64 *pa, bool *exec, bool *writable)
{
	u64 table = cr3, e = 0, size;
	int level;

	*exec = true;
	for (level = 4; level >= 1; level--) {
		assert_true(pool_contains_pa(&hv->pool, table & PTE_ADDR));
		e = ((const u64 *)pool_va(&hv->pool,
					  table & PTE_ADDR))[(va >> (3 + 9 * level)) & 511];
		if (!(e & PTE_PRESENT))
			return false;
		if (e & PTE_NX)
			*exec = false;
		if (level == 1 || (level < 4 && (e & PTE_LARGE)))
			break;
		table = e;
	}
	size = 1ULL << (3 + 9 * level);
	*pa = (e & PTE_ADDR & ~(size - 1)) | (va & (size - 1));
	*writable = e & PTE_WRITE;
	return true;
}

static bool host_translate(const struct hv *hv, u64 va, u64 *pa)
{
	bool exec, writable;

	return host_walk(hv, hv->host_cr3, va, pa, &exec, &writable);
}

/* Every executable page under a paging structure (level 4 = PML4), as the
 * lowest and highest executable address; a present NX entry hides all of
 * its subtree. Returns how many bytes are executable. */
static u64 executable_bytes(const struct hv *hv, u64 table, int level, u64 va, u64 *lo, u64 *hi)
{
	const u64 *t = pool_va(&hv->pool, table & PTE_ADDR);
	u64 i, bytes = 0, size = 1ULL << (3 + 9 * level);

	for (i = 0; i < 512; i++) {
		u64 e = t[i], at = va + i * size;

		if (level == 4 && i >= 256)
			at |= 0xffff000000000000ULL; /* canonical */
		if (!(e & PTE_PRESENT) || (e & PTE_NX))
			continue;
		if (level > 1 && !(level < 4 && (e & PTE_LARGE))) {
			bytes += executable_bytes(hv, e, level - 1, at, lo, hi);
			continue;
		}
		*lo = at < *lo ? at : *lo;
		*hi = at + size - 1 > *hi ? at + size - 1 : *hi;
		bytes += size;
	}
	return bytes;
}

static void load_launches_every_cpu(void **state)
{
	unsigned int i;

	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
	assert_int_equal(fake_blocks_outstanding(), 2); /* the pool and the window block */
	for (i = 0; i < fake.cpu_count; i++) {
		assert_true(fake.cpu[i].in_vmx);
		assert_true(fake.cpu[i].guest);
		assert_true(fake.cpu[i].cr4 & CR4_VMXE);
		assert_int_equal(fake.cpu[i].launches, 1);
		assert_int_equal(fake.cpu[i].invept, 1);
		assert_int_equal(fake.cpu[i].invvpid, 1);
	}
	assert_log_has("hypervisor running on 4 cpu(s)");
}

static void second_load_is_busy(void **state)
{
	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_ERR_BUSY);
	assert_int_equal(fake_blocks_outstanding(), 2);
}

/* With one CPU there is nobody to catch up with: no preemption timer. */
static void one_cpu_takes_no_timer_exits(void **state)
{
	const struct hv *hv;

	fake_platform_reset(1);
	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
	hv = loaded_hv();
	assert_false(hv->tsc.call_back);
	assert_false(vmcs_of(hv, 0)[PIN_BASED_VM_EXEC_CONTROL] & PIN_BASED_VMX_PREEMPTION_TIMER);
}

static void vmcs_controls_are_the_computed_ones(void **state)
{
	struct msr_table t = MSR_TABLE(bochs_broadwell);
	struct vmx_caps caps;
	struct vmx_controls want, ctls, refused;
	const struct hv *hv;
	unsigned int i;

	assert_int_equal(vmx_caps_read(&caps, true, fake_rdmsr, &t), FVX_OK);
	/* The fake CPUID: RDTSCP and INVPCID, no XSAVES. */
	vmx_controls_wanted(true, true, false, &want);
	assert_int_equal(vmx_controls_compute(&caps, &want, &ctls, &refused), FVX_OK);
	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
	hv = loaded_hv();
	for (i = 0; i < fake.cpu_count; i++) {
		const u64 *vmcs = vmcs_of(hv, i);

		/* With the preemption timer, after the loader's exits: the CPUs
		 * come back to look whether another got ahead (tsc.c). */
		assert_int_equal(vmcs[PIN_BASED_VM_EXEC_CONTROL] & ~PIN_BASED_VMX_PREEMPTION_TIMER,
				 ctls.pin);
		assert_int_equal(
			!!(vmcs[PIN_BASED_VM_EXEC_CONTROL] & PIN_BASED_VMX_PREEMPTION_TIMER),
			hv->tsc.call_back);
		assert_true(hv->tsc.call_back);
		assert_int_equal(vmcs[CPU_BASED_VM_EXEC_CONTROL], ctls.proc);
		assert_int_equal(vmcs[SECONDARY_VM_EXEC_CONTROL], ctls.proc2);
		assert_int_equal(vmcs[VM_EXIT_CONTROLS], ctls.exit);
		assert_int_equal(vmcs[VM_ENTRY_CONTROLS], ctls.entry);
		assert_int_equal(vmcs[VIRTUAL_PROCESSOR_ID], i + 1);
		assert_int_equal(vmcs[VMCS_LINK_POINTER], ~0ULL);
	}
}

static void vmcs_points_at_the_hypervisors_own_structures(void **state)
{
	const struct hv *hv;
	unsigned int i;

	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
	hv = loaded_hv();
	for (i = 0; i < fake.cpu_count; i++) {
		const u64 *vmcs = vmcs_of(hv, i);
		const struct vcpu *v = hv->vcpus[i];
		u64 rsp = vmcs[HOST_RSP];

		assert_int_equal(v->index, i);
		assert_int_equal(vmcs[HOST_CR3], v->host_cr3);
		assert_true(pool_contains_pa(&hv->pool, v->host_cr3));
		assert_true(v->host_cr3 != hv->host_cr3);
		assert_int_equal(vmcs[EPT_POINTER], hv->eptp);
		assert_int_equal(hv->eptp, ept_pointer(hv->eptp & EPT_ADDR_MASK));
		assert_true(pool_contains_pa(&hv->pool, hv->eptp & EPT_ADDR_MASK));
		assert_int_equal(vmcs[MSR_BITMAP], hv_pa(hv, hv->msr_bitmap));
		assert_int_equal(vmcs[MSR_BITMAP] & 0xfff, 0);
		assert_int_equal(vmcs[EPTP_LIST_ADDRESS], hv_pa(hv, hv->eptp_list));
		assert_int_equal(hv->eptp_list[VIEW_NORMAL], hv->eptp);
		assert_int_equal(hv->eptp_list[VIEW_ANALYZER], hv->eptp_analyzer);
		/* %fs is the vcpu, which also sits at the top of its own stack. */
		assert_int_equal(vmcs[HOST_FS_BASE], (u64)v);
		assert_true(rsp > (u64)v->stack &&
			    rsp < (u64)v->stack + HOST_STACK_PAGES * PAGE_SIZE_4K);
		assert_int_equal(rsp & 15, 0);
		assert_ptr_equal(*(struct vcpu **)rsp, v);
		assert_int_equal(vmcs[HOST_RIP], hv->root.exit_stub);
		assert_int_equal(vmcs[HOST_IDTR_BASE], (u64)hv->idt);
		assert_int_equal(vmcs[HOST_GDTR_BASE], (u64)v->gdt);
		assert_int_equal(vmcs[HOST_TR_BASE], (u64)v->tss);
		assert_int_equal(vmcs[HOST_CS_SELECTOR], FAKE_KERNEL_CS);
		assert_int_equal(vmcs[HOST_TR_SELECTOR], FAKE_TR);
		assert_int_equal(vmcs[HOST_IA32_EFER], FAKE_EFER);
		assert_int_equal(vmcs[HOST_IA32_PAT], FAKE_PAT);
	}
}

static void vmcs_guest_state_is_the_cpu_as_it_was(void **state)
{
	const struct hv *hv;
	unsigned int i;

	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
	hv = loaded_hv();
	for (i = 0; i < fake.cpu_count; i++) {
		const u64 *vmcs = vmcs_of(hv, i);

		assert_int_equal(vmcs[GUEST_CR0], FAKE_CR0);
		assert_int_equal(vmcs[GUEST_CR3], FAKE_GUEST_CR3);
		assert_int_equal(vmcs[GUEST_CR4], FAKE_CR4 | CR4_VMXE);
		/* The guest sees its CR4 without VMXE; the host owns the bit. */
		assert_int_equal(vmcs[CR4_READ_SHADOW], FAKE_CR4);
		assert_true(vmcs[CR4_GUEST_HOST_MASK] & CR4_VMXE);
		assert_int_equal(vmcs[GUEST_IA32_EFER], FAKE_EFER);
		assert_int_equal(vmcs[GUEST_CS_SELECTOR], FAKE_KERNEL_CS);
		assert_int_equal(vmcs[GUEST_ES_AR_BYTES + 2 * SEG_CS], 0xa09b);
		assert_int_equal(vmcs[GUEST_SS_AR_BYTES], 0xc093);
		assert_true(vmcs[GUEST_ES_AR_BYTES + 2 * SEG_DS] & AR_UNUSABLE);
		assert_int_equal(vmcs[GUEST_ES_AR_BYTES + 2 * SEG_TR], 0x8b);
		assert_int_equal(vmcs[GUEST_ES_BASE + 2 * SEG_TR], (u64)fake.cpu[i].tss);
		assert_int_equal(vmcs[GUEST_ES_LIMIT + 2 * SEG_TR], 0x206f);
		assert_int_equal(vmcs[GUEST_GDTR_BASE], (u64)fake.cpu[i].gdt);
		assert_int_equal(hv->vcpus[i]->guest_lstar, FAKE_LSTAR);
		/* The shadowed MSRs start as Linux's, in the guest's view too. */
		assert_int_equal(hv->vcpus[i]->shadowed[SHADOW_STAR].real, FAKE_STAR);
		assert_int_equal(hv->vcpus[i]->shadowed[SHADOW_STAR].guest, FAKE_STAR);
		assert_int_equal(hv->vcpus[i]->shadowed[SHADOW_SYSENTER_CS].guest, FAKE_KERNEL_CS);
		assert_int_equal(hv->vcpus[i]->shadowed[SHADOW_SYSENTER_EIP].real,
				 vmcs[GUEST_SYSENTER_EIP]);
		assert_true(hv->vcpus[i]->guest_efer_sce);
		/* Linux's tables, as the descriptor-table policy keeps them. */
		assert_int_equal(hv->vcpus[i]->dt.table[DT_GDT].base, (u64)fake.cpu[i].gdt);
		assert_int_equal(hv->vcpus[i]->dt.table[DT_GDT].limit, FAKE_GDT_LIMIT);
		assert_int_equal(hv->vcpus[i]->dt.table[DT_IDT].base, vmcs[GUEST_IDTR_BASE]);
		assert_int_equal(hv->vcpus[i]->dt.tr, FAKE_TR);
		assert_int_equal(hv->vcpus[i]->dt.tr_base, (u64)fake.cpu[i].tss);
		/* Off at launch: an idle hypervisor takes no such exits. */
		assert_false(vmcs[SECONDARY_VM_EXEC_CONTROL] & SECONDARY_EXEC_DESC_TABLE_EXITING);
	}
}

static void host_gdt_has_the_hypervisors_tss(void **state)
{
	const struct hv *hv;
	unsigned int i;

	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
	hv = loaded_hv();
	for (i = 0; i < fake.cpu_count; i++) {
		const struct vcpu *v = hv->vcpus[i];
		const u64 *d = (const u64 *)(v->gdt + FAKE_TR);
		u64 base = ((d[0] >> 16) & 0xffffff) | ((d[0] >> 56) << 24) | (d[1] << 32);

		assert_int_equal(base, (u64)v->tss);
		assert_int_equal((d[0] >> 40) & 0xff, 0x8b); /* busy 64-bit TSS, present */
		/* Everything else is Linux's GDT. */
		assert_memory_equal(v->gdt, fake.cpu[i].gdt, FAKE_TR);
	}
}

static void host_page_tables_are_private_copies(void **state)
{
	const struct hv *hv;
	u64 pa, x[] = { 0, 0x12345678, FAKE_RAM_TOP - 1, 4 * GIB - 1 };
	unsigned int i;

	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
	hv = loaded_hv();
	assert_true(hv->host_cr3 != FAKE_GUEST_CR3);
	/* The direct map, at Linux's offset, up to 4 GiB (RAM is less). */
	for (i = 0; i < ARRAY_LEN(x); i++) {
		assert_true(host_translate(hv, FAKE_PAGE_OFFSET + x[i], &pa));
		assert_int_equal(pa, x[i]);
	}
	assert_false(host_translate(hv, FAKE_PAGE_OFFSET + 4 * GIB, &pa));
	/* The kernel half: as the OS maps it, 2 MiB and 4 KiB pages. */
	assert_true(host_translate(hv, FAKE_KERNEL_VA + 0x1234, &pa));
	assert_int_equal(pa, FAKE_KERNEL_PA + 0x1234);
	assert_true(host_translate(hv, 0xffffffff82000000ULL + 5 * 0x1000 + 8, &pa));
	assert_int_equal(pa, FAKE_KERNEL_PA + 0x1000000 + 5 * 0x1000 + 8);
}

/* Everything VMX root executes is the root image's copy in the pool: the
 * exit stub, the host IDT stubs, and no other executable page at all. */
static void vmx_root_runs_only_the_hidden_image(void **state)
{
	const struct root_image_header *h = (const void *)hv_root_image;
	const struct hv *hv;
	unsigned int i, vector;

	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
	hv = loaded_hv();
	assert_int_equal(hv->root.va, HOST_ROOT_VA);
	assert_int_equal(hv->root.exit_stub, HOST_ROOT_VA + h->exit_stub);
	assert_true(pool_contains_pa(&hv->pool, hv_pa(hv, hv->root.copy)));
	assert_true(pool_contains_pa(&hv->pool, hv_pa(hv, hv->root.copy) + h->image_size - 1));
	assert_memory_equal(hv->root.copy, hv_root_image, h->text_end);
	for (i = 0; i < fake.cpu_count; i++) {
		const struct vcpu *v = hv->vcpus[i];
		const u64 *vmcs = vmcs_of(hv, i);
		u64 pa, lo = ~0ULL, hi = 0, off;
		bool exec, writable;

		/* HOST_RIP is the copy of arch_vmx_exit_stub, executable. */
		assert_true(host_walk(hv, v->host_cr3, vmcs[HOST_RIP], &pa, &exec, &writable));
		assert_int_equal(pa, hv_pa(hv, hv->root.copy) + h->exit_stub);
		assert_true(exec);
		/* The image in 4 KiB pages: code executable, the rest not, and
		 * none of it writable. */
		for (off = 0; off < h->image_size; off += PAGE_SIZE_4K) {
			assert_true(host_walk(hv, v->host_cr3, HOST_ROOT_VA + off, &pa, &exec,
					      &writable));
			assert_int_equal(pa, hv_pa(hv, hv->root.copy) + off);
			assert_int_equal(exec, off < h->text_end);
			assert_false(writable);
		}
		/* Nothing else is executable: not the direct map, not the
		 * kernel and its modules (the loader's text). */
		assert_int_equal(executable_bytes(hv, v->host_cr3, 4, 0, &lo, &hi), h->text_end);
		assert_int_equal(lo, HOST_ROOT_VA);
		assert_int_equal(hi, HOST_ROOT_VA + h->text_end - 1);
		assert_true(((const u64 *)pool_va(&hv->pool, v->host_cr3))[511] & PTE_NX);
		/* A VM exit loads a CR4 without CET: the image has no ENDBR64. */
		assert_false(vmcs[HOST_CR4] & CR4_CET);
	}
	/* Every host IDT gate leads to its stub in the image. */
	for (vector = 0; vector < 256; vector++) {
		const u64 *g = (const u64 *)(hv->idt + 16 * vector);
		u64 target = (g[0] & 0xffff) | ((g[0] >> 32) & 0xffff0000) | g[1] << 32;

		assert_int_equal(target, hv->root.idt_stubs + vector * ARCH_HOST_IDT_STUB_SIZE);
		assert_true(target - HOST_ROOT_VA < h->text_end);
	}
}

static void ept_hides_the_hypervisor(void **state)
{
	const struct hv *hv;
	struct ept_translation t;
	u64 normal, analyzer;

	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
	hv = loaded_hv();
	normal = hv->eptp & EPT_ADDR_MASK;
	analyzer = hv->eptp_analyzer & EPT_ADDR_MASK;
	assert_true(ept_translate(&hv->pool, normal, 0x200000, &t));
	assert_int_equal(t.hpa, 0x200000);
	assert_int_equal(t.perm, EPT_RWX);
	assert_int_equal(t.memtype, MEMTYPE_WB);
	assert_true(ept_translate(&hv->pool, normal, 0xa0000, &t));
	assert_int_equal(t.memtype, MEMTYPE_UC);
	assert_true(ept_translate(&hv->pool, normal, 3 * GIB, &t));
	assert_int_equal(t.memtype, MEMTYPE_UC);
	assert_int_equal(t.level, 3);
	/* The pool and the window block read as the dummy page. */
	assert_true(ept_translate(&hv->pool, normal, hv->pool.pa + 0x5000, &t));
	assert_int_equal(t.hpa & ~0xfffULL, hv_pa(hv, hv->dummy));
	assert_false(t.perm & EPT_EXEC);
	assert_true(ept_translate(&hv->pool, normal, hv_pa(hv, hv->root.copy), &t));
	assert_int_equal(t.hpa & ~0xfffULL, hv_pa(hv, hv->dummy));
	assert_true(ept_translate(&hv->pool, analyzer, hv_pa(hv, hv->root.copy), &t));
	assert_int_equal(t.hpa & ~0xfffULL, hv_pa(hv, hv->dummy));
	assert_true(ept_translate(&hv->pool, normal, hv->window_pa, &t));
	assert_int_equal(t.hpa & ~0xfffULL, hv_pa(hv, hv->dummy));
	/* The window in the normal view: the trampoline runs and reads; the
	 * analyzer's code reads as the dummy page, never faulting a reader
	 * of code bytes, and does not run; the stacks are not there. */
	assert_true(ept_translate(&hv->pool, normal, hv->window_gpa, &t));
	assert_int_equal(t.hpa, hv->window_pa);
	assert_int_equal(t.perm, EPT_EXEC | EPT_READ);
	assert_true(ept_translate(&hv->pool, normal, hv->window_gpa + FVX_WIN_CODE + 0x100, &t));
	assert_int_equal(t.hpa & ~0xfffULL, hv_pa(hv, hv->dummy));
	assert_int_equal(t.perm, EPT_READ);
	assert_false(ept_translate(&hv->pool, normal, hv->window_gpa + FVX_WIN_STACKS, &t));
	/* The guard page: read in the normal view only (the dummy page), so
	 * that the trampoline's read of it faults in the analyzer view. */
	assert_true(ept_translate(&hv->pool, normal, hv->window_gpa + FVX_WIN_GUARD, &t));
	assert_int_equal(t.hpa & ~0xfffULL, hv_pa(hv, hv->dummy));
	assert_int_equal(t.perm, EPT_READ);
	assert_false(ept_translate(&hv->pool, analyzer, hv->window_gpa + FVX_WIN_GUARD, &t));
	assert_true(ept_translate(&hv->pool, analyzer, hv->window_gpa + FVX_WIN_CODE + 0x100, &t));
	assert_int_equal(t.hpa, hv->window_pa + FVX_WIN_CODE + 0x100);
	assert_int_equal(t.perm, EPT_EXEC | EPT_READ);
	/* The analyzer view cannot execute guest RAM. */
	assert_true(ept_translate(&hv->pool, analyzer, 0x200000, &t));
	assert_int_equal(t.perm, EPT_READ | EPT_WRITE);
}

/* What the analyzer may read of guest memory comes from the hypervisor:
 * Linux's direct map, the top of RAM, and as hidden what the views hide
 * (reading there from the analyzer view would be an EPT violation). */
static void config_tells_the_analyzer_what_it_may_read(void **state)
{
	const struct fvx_config *c;
	const struct hv *hv;
	struct ept_translation t;
	int i;

	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
	hv = loaded_hv();
	c = (const void *)(hv->window + FVX_WIN_CONFIG);
	assert_int_equal(c->phys.page_offset, (u64)platform_phys_to_virt(0));
	assert_int_equal(c->phys.ram_top, FAKE_RAM_TOP);
	assert_int_equal(c->string_limit, FVX_DATA_BUFFER_DEFAULT);
	assert_int_equal(c->phys.hidden_start[0], hv->pool.pa);
	assert_int_equal(c->phys.hidden_start[1], hv->window_pa);
	for (i = 0; i < 2; i++) {
		u64 first = c->phys.hidden_start[i], last = first + c->phys.hidden_size[i] - 4096;

		assert_true(ept_translate(&hv->pool, hv->eptp_analyzer & EPT_ADDR_MASK, first, &t));
		assert_int_equal(t.hpa & ~0xfffULL, hv_pa(hv, hv->dummy));
		assert_true(ept_translate(&hv->pool, hv->eptp_analyzer & EPT_ADDR_MASK, last, &t));
		assert_int_equal(t.hpa & ~0xfffULL, hv_pa(hv, hv->dummy));
	}
}

/* The vDSO's code, whose RDTSCs read the guest's TSC as it is: as the
 * platform names it, whole pages of RAM or nothing; and RDTSC exiting,
 * which hides the analyzer's time, where the CPU allows it. */
static void vdso_pages_and_rdtsc_exiting_come_from_load(void **state)
{
	const struct hv *hv;

	fake.kernel.vdso[0].start = 0x2000000;
	fake.kernel.vdso[0].end = 0x2002000;
	fake.kernel.vdso[1].start = 0x2004010; /* not a page */
	fake.kernel.vdso[1].end = 0x2005000;
	fake.kernel.vdso[2].start = FAKE_RAM_TOP; /* not RAM */
	fake.kernel.vdso[2].end = FAKE_RAM_TOP + 0x1000;
	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
	hv = loaded_hv();
	assert_int_equal(hv->tsc.vdso[0].start, 0x2000000);
	assert_int_equal(hv->tsc.vdso[0].end, 0x2002000);
	assert_int_equal(hv->tsc.vdso[1].end, hv->tsc.vdso[1].start);
	assert_int_equal(hv->tsc.vdso[2].end, hv->tsc.vdso[2].start);
	assert_log_has("vDSO image 1 at 2004010-2005000 is not page-aligned RAM");
	assert_log_has("vDSO image 2");
	assert_true(hv->tsc.rdtsc_exiting);
	/* Off at launch: nothing traced, no RDTSC exits. */
	assert_int_equal(vmcs_of(hv, 0)[CPU_BASED_VM_EXEC_CONTROL] & CPU_BASED_RDTSC_EXITING, 0);
}

static void allocation_failure_at_every_step_frees_everything(void **state)
{
	unsigned int n, i;
	enum fvx_status s;

	for (n = 1;; n++) {
		assert_true(n < 10000);
		fake_platform_reset(FAKE_MAX_CPUS);
		fake.fail_alloc_at = n;
		s = hv_load(FVX_RING_RECORDS_DEFAULT);
		if (fake.allocs < n)
			break; /* the load needs fewer than n allocations */
		if (s != FVX_ERR_NOMEM)
			fail_msg("allocation %u failed, hv_load returned %d", n, s);
		assert_int_equal(fake_blocks_outstanding(), 0);
		assert_cpus_native();
		for (i = 0; i < fake.cpu_count; i++)
			assert_int_equal(fake.cpu[i].launches, 0);
	}
	assert_int_equal(s, FVX_OK);
	/* The pool and window blocks, then the pool's pages. */
	assert_true(n > 10);
	hv_unload();
	assert_int_equal(fake_blocks_outstanding(), 0);
}

static void vmlaunch_failure_rolls_back_launched_cpus(void **state)
{
	unsigned int k, i;

	for (k = 0; k < FAKE_MAX_CPUS; k++) {
		fake_platform_reset(FAKE_MAX_CPUS);
		fake.cpu[k].fail_vmlaunch = true;
		assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_ERR_VMX);
		assert_log_has("VMLAUNCH failed, VM-instruction error 7");
		assert_int_equal(fake_blocks_outstanding(), 0);
		assert_cpus_native();
		for (i = 0; i < fake.cpu_count; i++) {
			/* Every CPU that launched calibrated its TSC, was
			 * asked to leave, and did. */
			assert_int_equal(fake.cpu[i].vmcalls, i == k ? 0 : 2);
			assert_int_equal(fake.cpu[i].tables_reloads, i == k ? 0 : 1);
		}
	}
	/* Nothing of the failed loads is left behind. */
	fake_platform_reset(FAKE_MAX_CPUS);
	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
}

static void cpu_without_vmx_is_refused(void **state)
{
	fake.cpu[2].has_vmx = false;
	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_ERR_UNSUPPORTED);
	assert_log_has("cpu 2: no VMX");
	assert_int_equal(fake.block_count, 0);
	assert_cpus_native();
}

static void cpu_already_in_vmx_operation_is_refused(void **state)
{
	fake.cpu[1].cr4 |= CR4_VMXE;
	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_ERR_BUSY);
	assert_log_has("cpu 1 is already in VMX operation");
	assert_int_equal(fake.block_count, 0);
	assert_int_equal(fake.cpu[0].launches + fake.cpu[1].launches, 0);
}

static void vmx_disabled_by_firmware_is_refused(void **state)
{
	*fake_cpu_msr(3, MSR_IA32_FEATURE_CONTROL) = FEATURE_CONTROL_LOCKED;
	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_ERR_UNSUPPORTED);
	assert_log_has("cpu 3 lacks");
	assert_int_equal(fake.block_count, 0);
	assert_cpus_native();
}

static void unlocked_feature_control_is_locked_with_vmx_on(void **state)
{
	*fake_cpu_msr(0, MSR_IA32_FEATURE_CONTROL) = 0;
	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
	assert_int_equal(*fake_cpu_msr(0, MSR_IA32_FEATURE_CONTROL),
			 FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
}

static void unload_leaves_vmx_and_frees_everything(void **state)
{
	const struct hv *hv;
	unsigned int i;

	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
	/* The guest turned NXE off and wrote STAR and SYSENTER_EIP (msr.c
	 * kept those from the CPU). */
	hv = loaded_hv();
	for (i = 0; i < fake.cpu_count; i++) {
		((u64 *)vmcs_of(hv, i))[GUEST_IA32_EFER] = FAKE_EFER & ~EFER_NXE;
		hv->vcpus[i]->shadowed[SHADOW_STAR].guest = 0x1234;
		hv->vcpus[i]->shadowed[SHADOW_SYSENTER_EIP].guest = 0xffffffffc0001000ULL;
	}
	hv_unload();
	assert_int_equal(fake_blocks_outstanding(), 0);
	assert_cpus_native();
	for (i = 0; i < fake.cpu_count; i++) {
		assert_int_equal(fake.cpu[i].vmcalls, 2); /* TSC calibration, unload */
		assert_int_equal(fake.cpu[i].tables_reloads, 1);
		assert_int_equal(fake.cpu[i].gdtr_base, (u64)fake.cpu[i].gdt);
		assert_int_equal(fake.cpu[i].idtr_base, FAKE_IDT_BASE);
		/* The guest keeps its own EFER, and Linux's STAR and SYSENTER_EIP. */
		assert_int_equal(*fake_cpu_msr(i, MSR_IA32_EFER), FAKE_EFER & ~EFER_NXE);
		assert_int_equal(*fake_cpu_msr(i, MSR_IA32_STAR), FAKE_STAR);
		assert_int_equal(*fake_cpu_msr(i, MSR_IA32_SYSENTER_EIP), 0xffffffff81c01630ULL);
	}
	/* And it loads again. */
	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_OK);
}

/* The window's backing follows the ring size asked for: whole 4 MiB
 * blocks, each ring rounded up to a power of two of records. */
static void window_backing_fits_the_rings_asked_for(void **state)
{
	assert_int_equal(window_ring_capacity(FVX_RING_RECORDS_MIN), FVX_RING_RECORDS_MIN);
	assert_int_equal(window_ring_capacity(5000), 8192);
	assert_int_equal(window_ring_capacity(100000), FVX_RING_RECORDS_DEFAULT);
	assert_int_equal(window_ring_capacity(FVX_RING_RECORDS_DEFAULT), FVX_RING_RECORDS_DEFAULT);
	assert_int_equal(window_ring_capacity(FVX_RING_RECORDS_DEFAULT + 1),
			 2 * FVX_RING_RECORDS_DEFAULT);
	assert_int_equal(window_ring_capacity(FVX_RING_RECORDS_MAX), FVX_RING_RECORDS_MAX);
	assert_int_equal(window_ring_capacity(0), 0);
	assert_int_equal(window_ring_capacity(FVX_RING_RECORDS_MIN - 1), 0);
	assert_int_equal(window_ring_capacity(FVX_RING_RECORDS_MAX + 1), 0);
	assert_int_equal(window_ring_capacity(~0ULL), 0);
	/* Each ring exactly its capacity, behind its header page. */
	assert_int_equal(fvx_ring_capacity(window_ring_bytes(8192)), 8192);
	assert_int_equal(window_ring_bytes(FVX_RING_RECORDS_DEFAULT) % 4096, 0);
	assert_int_equal(window_backing(1, FVX_RING_RECORDS_MIN), 4ULL << 20);
	/* 1 MiB of head, a 4 KiB ring header and 12 MiB of records. */
	assert_int_equal(window_backing(1, FVX_RING_RECORDS_DEFAULT), 16ULL << 20);
	assert_int_equal(window_backing(2, FVX_RING_RECORDS_DEFAULT), 28ULL << 20);
	assert_int_equal(window_backing(1, 2 * FVX_RING_RECORDS_DEFAULT), 28ULL << 20);
	assert_int_equal(window_backing(1, FVX_RING_RECORDS_MAX), 388ULL << 20);
	assert_int_equal(window_backing(1, 0), 0);
	assert_int_equal(window_backing(3, FVX_RING_RECORDS_MAX), 0); /* beyond the 1 GiB page */
	assert_int_equal(window_backing(0, FVX_RING_RECORDS_DEFAULT), 0);
	assert_int_equal(window_backing(FVX_WIN_MAX_CPUS + 1, FVX_RING_RECORDS_MIN), 0);
}

/* Every CPU's ring holds at least the records asked for, the whole of it
 * mapped in both views (read-only in the normal one) and hidden from the
 * guest's RAM, and nothing past the backing is mapped. */
static void rings_hold_the_records_asked_for(void **state)
{
	static const u64 asked[] = { FVX_RING_RECORDS_MIN, 5000, 100000, FVX_RING_RECORDS_DEFAULT };
	const struct fvx_config *c;
	struct ept_translation t;
	const struct hv *hv;
	u64 normal, analyzer, last;
	unsigned int i;

	for (i = 0; i < sizeof(asked) / sizeof(asked[0]); i++) {
		assert_int_equal(hv_load(asked[i]), FVX_OK);
		hv = loaded_hv();
		normal = hv->eptp & EPT_ADDR_MASK;
		analyzer = hv->eptp_analyzer & EPT_ADDR_MASK;
		assert_true(hv->ring_capacity >= asked[i] && hv->ring_capacity < 2 * asked[i]);
		assert_int_equal(hv->ring_capacity, fvx_ring_capacity(hv->ring_bytes));
		assert_int_equal(hv->window_size,
				 window_backing(fake.cpu_count, hv->ring_capacity));
		assert_true(FVX_WIN_RINGS + fake.cpu_count * hv->ring_bytes <= hv->window_size);
		assert_int_equal(window_ring(hv, fake.cpu_count - 1)->capacity, hv->ring_capacity);
		last = FVX_WIN_RINGS + fake.cpu_count * hv->ring_bytes - PAGE_SIZE_4K;
		assert_true(ept_translate(&hv->pool, analyzer, hv->window_gpa + last, &t));
		assert_int_equal(t.hpa, hv->window_pa + last);
		assert_int_equal(t.perm, EPT_READ | EPT_WRITE);
		assert_true(ept_translate(&hv->pool, normal, hv->window_gpa + last, &t));
		assert_int_equal(t.hpa, hv->window_pa + last);
		assert_int_equal(t.perm, EPT_READ);
		assert_false(
			ept_translate(&hv->pool, analyzer, hv->window_gpa + hv->window_size, &t));
		assert_true(ept_translate(&hv->pool, normal,
					  hv->window_pa + hv->window_size - PAGE_SIZE_4K, &t));
		assert_int_equal(t.hpa & ~0xfffULL, hv_pa(hv, hv->dummy));
		c = (const void *)(hv->window + FVX_WIN_CONFIG);
		assert_int_equal(c->phys.hidden_size[1], hv->window_size);
		assert_true(guest_ram_range_ok(hv, hv->window_pa + hv->window_size, PAGE_SIZE_4K));
		assert_false(guest_ram_range_ok(hv, hv->window_pa + hv->window_size - 8, 8));
		hv_unload();
		assert_int_equal(fake_blocks_outstanding(), 0);
		fake_platform_reset(FAKE_MAX_CPUS);
	}
}

/* A ring size outside the limits, or one whose window would not fit its
 * 1 GiB page, is refused before anything is allocated or started. */
static void ring_records_out_of_range_load_nothing(void **state)
{
	static const u64 bad[] = { 0, FVX_RING_RECORDS_MIN - 1, FVX_RING_RECORDS_MAX + 1,
				   FVX_RING_RECORDS_MAX, ~0ULL };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_platform_reset(FAKE_MAX_CPUS);
		assert_int_equal(hv_load(bad[i]), FVX_ERR_INVALID);
		assert_log_has("ring_records=");
		assert_int_equal(fake.block_count, 0);
		assert_cpus_native();
	}
	assert_int_equal(hv_load(FVX_RING_RECORDS_MIN), FVX_OK);
}

/* No contiguous memory for the window: nothing is left behind, and the
 * log says how much was wanted. */
static void window_allocation_failure_loads_nothing(void **state)
{
	fake.fail_alloc_at = 2; /* the pool is the first */
	assert_int_equal(hv_load(FVX_RING_RECORDS_DEFAULT), FVX_ERR_NOMEM);
	assert_log_has("no 52 MiB of contiguous memory for 131072 records");
	assert_int_equal(fake_blocks_outstanding(), 0);
	assert_cpus_native();
}

/* The window's EPT tables come out of the pool, which does not grow with
 * the rings: mapped 4 KiB at a time, rings of 2,097,152 records on 3 CPUs
 * (a 580 MiB window, well within the 1 GiB the load accepts) took the
 * tables the page-table protection splits the EPT with (85 splits left of
 * 128, 35 with a 772 MiB window: top-level tables it cannot guard are only
 * checked at exits), and a window near 1 GiB left none or failed the load.
 * The rings are mapped with 2 MiB pages, as they were asked for. */
static void large_rings_leave_the_pool_to_the_protection(void **state)
{
	struct ept_translation t;
	const struct hv *hv;
	u64 last;

	fake_platform_reset(3);
	assert_int_equal(hv_load(FVX_RING_RECORDS_MAX / 2), FVX_OK);
	hv = loaded_hv();
	assert_int_equal(hv->window_size, 580ULL << 20);
	assert_int_equal(hv->ptp.splits, PTP_SPLITS);
	assert_true(hv->pool.size - hv->pool.used >= (1ULL << 20));
	last = FVX_WIN_RINGS + 3 * hv->ring_bytes - 8;
	assert_true(ept_translate(&hv->pool, hv->eptp_analyzer & EPT_ADDR_MASK,
				  hv->window_gpa + last, &t));
	assert_int_equal(t.hpa, hv->window_pa + last);
	assert_int_equal(t.perm, EPT_READ | EPT_WRITE);
	assert_int_equal(t.memtype, MEMTYPE_WB);
	assert_true(ept_translate(&hv->pool, hv->eptp & EPT_ADDR_MASK, hv->window_gpa + last, &t));
	assert_int_equal(t.hpa, hv->window_pa + last);
	assert_int_equal(t.perm, EPT_READ);
	/* The head of the window keeps its 4 KiB permissions. */
	assert_true(ept_translate(&hv->pool, hv->eptp & EPT_ADDR_MASK,
				  hv->window_gpa + FVX_WIN_CONFIG, &t));
	assert_int_equal(t.perm, EPT_READ);
	assert_int_equal(t.level, 1);
	assert_false(ept_translate(&hv->pool, hv->eptp & EPT_ADDR_MASK,
				   hv->window_gpa + FVX_WIN_DATA, &t));
	assert_true(ept_translate(&hv->pool, hv->eptp & EPT_ADDR_MASK,
				  hv->window_gpa + FVX_WIN_RINGS, &t));
	assert_int_equal(t.hpa, hv->window_pa + FVX_WIN_RINGS);
	assert_int_equal(t.perm, EPT_READ);
	assert_false(ept_translate(&hv->pool, hv->eptp_analyzer & EPT_ADDR_MASK,
				   hv->window_gpa + hv->window_size, &t));
	hv_unload();
	assert_int_equal(fake_blocks_outstanding(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(load_launches_every_cpu, setup, teardown),
		cmocka_unit_test(window_backing_fits_the_rings_asked_for),
		cmocka_unit_test_setup_teardown(rings_hold_the_records_asked_for, setup, teardown),
		cmocka_unit_test_setup_teardown(ring_records_out_of_range_load_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(window_allocation_failure_loads_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(large_rings_leave_the_pool_to_the_protection, setup,
						teardown),
		cmocka_unit_test_setup_teardown(second_load_is_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(vmcs_controls_are_the_computed_ones, setup,
						teardown),
		cmocka_unit_test_setup_teardown(one_cpu_takes_no_timer_exits, setup, teardown),
		cmocka_unit_test_setup_teardown(vmcs_points_at_the_hypervisors_own_structures,
						setup, teardown),
		cmocka_unit_test_setup_teardown(vmcs_guest_state_is_the_cpu_as_it_was, setup,
						teardown),
		cmocka_unit_test_setup_teardown(host_gdt_has_the_hypervisors_tss, setup, teardown),
		cmocka_unit_test_setup_teardown(host_page_tables_are_private_copies, setup,
						teardown),
		cmocka_unit_test_setup_teardown(vmx_root_runs_only_the_hidden_image, setup,
						teardown),
		cmocka_unit_test_setup_teardown(ept_hides_the_hypervisor, setup, teardown),
		cmocka_unit_test_setup_teardown(config_tells_the_analyzer_what_it_may_read, setup,
						teardown),
		cmocka_unit_test_setup_teardown(vdso_pages_and_rdtsc_exiting_come_from_load, setup,
						teardown),
		cmocka_unit_test_setup_teardown(allocation_failure_at_every_step_frees_everything,
						setup, teardown),
		cmocka_unit_test_setup_teardown(vmlaunch_failure_rolls_back_launched_cpus, setup,
						teardown),
		cmocka_unit_test_setup_teardown(cpu_without_vmx_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(cpu_already_in_vmx_operation_is_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(vmx_disabled_by_firmware_is_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(unlocked_feature_control_is_locked_with_vmx_on,
						setup, teardown),
		cmocka_unit_test_setup_teardown(unload_leaves_vmx_and_frees_everything, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("hv", tests, NULL, NULL);
}
