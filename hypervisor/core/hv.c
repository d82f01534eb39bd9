/* Load and unload: builds the hypervisor's memory (the root image, EPT,
 * host tables, VMCS per CPU) from one pool, launches every CPU, and leaves
 * VMX again. Runs in the loader's context (leaving VMX in VMX root:
 * devirt.c). */
#include "../hypervisor.h"
#include "../platform.h"
#include "../arch/x86/asm.h"
#include "../arch/x86/vmcs.h"
#include "caps.h"
#include "exit.h"
#include "host.h"
#include "msr.h"
#include "trace_ctl.h"
#include "views.h"
#include "vmcs_setup.h"
#include "window.h"

#define POOL_SIZE PLATFORM_CONTIG_BLOCK
_Static_assert(sizeof(struct hv) <= PAGE_SIZE_4K, "struct hv fits its page");
_Static_assert(sizeof(struct vcpu) <= PAGE_SIZE_4K, "struct vcpu fits its page");

/* Guest-side bookkeeping lives in the module, not the pool: after launch
 * the guest sees the pool as a dummy page. */
static struct hv *the_hv;
static bool launched[FVX_MAX_CPUS];
static u64 unload_key;

static bool native_rdmsr(void *ctx, u32 msr, u64 *value)
{
	*value = arch_rdmsr(msr);
	return true;
}

static bool cpuid_bit(u32 leaf, u32 sub, int reg, int bit)
{
	u32 r[4];

	arch_cpuid(leaf & 0x80000000, 0, r);
	if (r[0] < leaf)
		return false;
	arch_cpuid(leaf, sub, r);
	return r[reg] & BIT(bit);
}

static enum fvx_status check_this_cpu(void *ctx)
{
	struct vmx_caps caps;
	const struct vmx_feature *missing;

	if (vmx_caps_read(&caps, cpuid_bit(1, 0, 2, 5), native_rdmsr, NULL) != FVX_OK) {
		platform_log("cpu %u: no VMX\n", platform_cpu_index());
		return FVX_ERR_UNSUPPORTED;
	}
	missing = vmx_caps_first_missing(&caps);
	if (missing) {
		platform_log("cpu %u lacks %s (needed for %s)\n", platform_cpu_index(),
			     missing->name, missing->use);
		return FVX_ERR_UNSUPPORTED;
	}
	if (arch_read_cr4() & CR4_LA57) {
		/* The window and the guest page walks assume 4-level paging. */
		platform_log("cpu %u uses 5-level paging: not supported\n", platform_cpu_index());
		return FVX_ERR_UNSUPPORTED;
	}
	if (arch_read_cr4() & CR4_VMXE) {
		platform_log("cpu %u is already in VMX operation (another hypervisor, e.g. KVM?)\n",
			     platform_cpu_index());
		return FVX_ERR_BUSY;
	}
	return FVX_OK;
}

static enum fvx_status compute_controls(struct hv *hv)
{
	struct vmx_controls want, refused;
	bool xsave = cpuid_bit(1, 0, 2, 26);

	vmx_controls_wanted(cpuid_bit(0x80000001, 0, 3, 27), cpuid_bit(7, 0, 1, 10),
			    xsave && cpuid_bit(0xd, 1, 0, 3), &want);
	if (vmx_controls_compute(&hv->caps, &want, &hv->ctls, &refused) != FVX_OK) {
		platform_log("VMX refuses controls pin %x proc %x proc2 %x exit %x entry %x\n",
			     refused.pin, refused.proc, refused.proc2, refused.exit, refused.entry);
		return FVX_ERR_UNSUPPORTED;
	}
	return FVX_OK;
}

static u64 rdmsr_plain(u32 msr)
{
	return arch_rdmsr(msr);
}

static enum fvx_status build_ept(struct hv *hv)
{
	struct ept_layout l = { 0 };
	u32 r[4];
	u64 pml4_pa;
	enum fvx_status s;

	arch_cpuid(0x80000008, 0, r);
	mtrr_read(&hv->mtrr, rdmsr_plain);
	hv->maxphyaddr = r[0] & 0xff;
	l.large_1g = hv->caps.ept_vpid & VMX_EPT_1GB_PAGE;
	l.limit = 1ULL << hv->maxphyaddr;
	if (!l.large_1g && l.limit > (64ULL << 30))
		l.limit = 64ULL << 30; /* 2 MiB pages only: keep the tables small */
	l.mtrr = &hv->mtrr;
	l.ram_perm = EPT_RWX;
	l.hidden[0].base = hv->pool.pa;
	l.hidden[0].size = hv->pool.size;
	l.hidden[1].base = hv->window_pa;
	l.hidden[1].size = hv->window_size;
	l.dummy_pa = hv_pa(hv, hv->dummy);
	s = ept_build(&hv->pool, &l, &pml4_pa, &hv->ept_stats);
	if (s != FVX_OK)
		return s;
	hv->eptp = ept_pointer(pml4_pa);
	s = views_build(hv, &l, pml4_pa);
	if (s == FVX_OK)
		trace_init(hv);
	return s;
}

/* What VMX root runs: the image the loader carries, copied into the pool
 * and relocated for the address the host's page tables give it. */
static enum fvx_status load_root_image(struct hv *hv)
{
	u64 size = (u64)(hv_root_image_end - hv_root_image);
	u64 pages = (size + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K;
	u8 *copy = pool_alloc(&hv->pool, pages);
	enum fvx_status s;

	if (!copy)
		return FVX_ERR_NOMEM;
	s = root_image_load(hv_root_image, size, copy, pages * PAGE_SIZE_4K, HOST_ROOT_VA,
			    &hv->root);
	if (s != FVX_OK)
		platform_log("the VMX-root image is damaged\n");
	return s;
}

static enum fvx_status alloc_vcpu(struct hv *hv, unsigned int index)
{
	struct vcpu *v = pool_alloc(&hv->pool, 1);

	if (!v || host_cpu_page_table_build(hv, v) != FVX_OK)
		return FVX_ERR_NOMEM;
	v->self = v;
	v->hv = hv;
	v->index = index;
	v->vmxon = pool_alloc(&hv->pool, 1);
	v->vmcs = pool_alloc(&hv->pool, 1);
	v->stack = pool_alloc(&hv->pool, HOST_STACK_PAGES);
	v->gdt = pool_alloc(&hv->pool, 1);
	v->tss = pool_alloc(&hv->pool, 1);
	if (!v->vmxon || !v->vmcs || !v->stack || !v->gdt || !v->tss)
		return FVX_ERR_NOMEM;
	/* SDM 24.2, 24.11.5: both regions start with the VMCS revision. */
	*(u32 *)v->vmxon = VMX_BASIC_REVISION(hv->caps.basic);
	*(u32 *)v->vmcs = VMX_BASIC_REVISION(hv->caps.basic);
	hv->vcpus[index] = v;
	return FVX_OK;
}

/* Everything that does not depend on the CPU it runs on. */
static enum fvx_status build(struct hv *hv)
{
	enum fvx_status s;
	unsigned int i;

	s = vmx_caps_read(&hv->caps, true, native_rdmsr, NULL);
	if (s == FVX_OK)
		s = compute_controls(hv);
	if (s != FVX_OK)
		return s;
	hv->page_offset = (u64)platform_phys_to_virt(0);
	hv->ram_top = platform_ram_top();
	hv->cpu_count = platform_cpu_count();
	hv->window_pa = platform_virt_to_phys(hv->window);
	hv->leave_vmx = arch_leave_vmx;
	hv->dummy = pool_alloc(&hv->pool, 1);
	hv->msr_bitmap = pool_alloc(&hv->pool, 1);
	if (!hv->dummy || !hv->msr_bitmap)
		return FVX_ERR_NOMEM;
	msr_bitmap_init(hv->msr_bitmap);
	s = load_root_image(hv);
	if (s == FVX_OK)
		s = build_ept(hv);
	if (s == FVX_OK)
		s = ptp_init(hv);
	if (s == FVX_OK)
		s = kprot_init(hv);
	if (s == FVX_OK)
		tsc_init(hv);
	if (s == FVX_OK)
		s = host_page_tables_build(hv, arch_read_cr3());
	if (s == FVX_OK)
		s = host_idt_build(hv);
	for (i = 0; s == FVX_OK && i < hv->cpu_count; i++)
		s = alloc_vcpu(hv, i);
	if (s == FVX_OK)
		s = ptp_init_guards(hv);
	return s;
}

#define CPUID_ROUNDS 120
#define CPUID_KEPT (CPUID_ROUNDS * 9 / 10)

/* The TSC ticks a CPUID (leaf 0) takes, as a program would time it: the
 * mean of the fastest 90% (the rest met an NMI or an SMI), each timing
 * started after 0 to 59 turns of an empty loop. Where the TSC moves in
 * steps (Bochs with 2 vCPUs: 5 ticks, once per turn of its CPUs), a
 * timing reads the whole steps its instructions cross, which depends on
 * where in a step it starts: the fewest read a step short as often as
 * not, and so would the transition cost, by a step per exit. Started at
 * every place in the step alike, the mean is the instructions' own. */
static u64 cpuid_ticks(void)
{
	u64 t[CPUID_ROUNDS], sum = 0, x;
	u32 r[4];
	int i, j;

	for (i = 0; i < CPUID_ROUNDS; i++) {
		for (j = 0; j < i % 60; j++)
			__asm__ __volatile__("" ::: "memory");
		x = arch_rdtsc();
		arch_cpuid(0, 0, r);
		x = arch_rdtsc() - x;
		for (j = i; j > 0 && t[j - 1] > x; j--) /* insertion: few values */
			t[j] = t[j - 1];
		t[j] = x;
	}
	for (i = 0; i < CPUID_KEPT; i++)
		sum += t[i];
	return (sum + CPUID_KEPT / 2) / CPUID_KEPT;
}

static enum fvx_status launch_this_cpu(void *ctx)
{
	struct hv *hv = ctx;
	unsigned int cpu = platform_cpu_index();
	struct vcpu *v = cpu < hv->cpu_count ? hv->vcpus[cpu] : NULL;
	u64 cr4 = arch_read_cr4(), fc, native, hosted;
	enum fvx_status s;
	u32 error;

	if (!v)
		return FVX_ERR_INVALID;
	s = host_gdt_build(v);
	if (s != FVX_OK)
		return s;
	native = cpuid_ticks(); /* before VMXON: no exit in it */
	/* SDM 24.7: lock IA32_FEATURE_CONTROL with VMX enabled if firmware did not. */
	fc = arch_rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCKED))
		arch_wrmsr(MSR_IA32_FEATURE_CONTROL,
			   fc | FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	arch_write_cr4(cr4 | CR4_VMXE);
	if (!arch_vmxon(hv_pa(hv, v->vmxon))) {
		arch_write_cr4(cr4);
		platform_log("cpu %u: VMXON failed\n", cpu);
		return FVX_ERR_VMX;
	}
	if (!arch_vmclear(hv_pa(hv, v->vmcs)) || !arch_vmptrld(hv_pa(hv, v->vmcs))) {
		arch_vmxoff();
		arch_write_cr4(cr4);
		platform_log("cpu %u: VMCLEAR/VMPTRLD failed\n", cpu);
		return FVX_ERR_VMX;
	}
	vmcs_setup(hv, v);
	/* The guest's TSC starts as the CPU's (tsc.c). */
	vmcs_write64(TSC_OFFSET, 0);
	v->tsc.has_adjust = cpuid_bit(7, 0, 1, 1);
	if (v->tsc.has_adjust)
		v->tsc.tsc_adjust = arch_rdmsr(MSR_IA32_TSC_ADJUST);
	v->guest_lstar = arch_rdmsr(MSR_IA32_LSTAR);
	v->guest_fmask = arch_rdmsr(MSR_IA32_FMASK);
	msr_shadows_init(v);
	/* A VPID or EPTP may be cached from an earlier load (SDM 28.3.3.4). */
	arch_invept_all();
	arch_invvpid_all();
	if (arch_vmx_launch() != 0) {
		error = vmcs_read32(VM_INSTRUCTION_ERROR);
		arch_vmxoff();
		arch_write_cr4(cr4);
		platform_log("cpu %u: VMLAUNCH failed, VM-instruction error %u\n", cpu, error);
		return FVX_ERR_VMX;
	}
	/* From here on this CPU is the guest. What an exit costs beyond the
	 * time the hypervisor hides by itself: a CPUID as the guest times it
	 * now, less what it took before VMXON. */
	launched[cpu] = true;
	hosted = cpuid_ticks();
	native = native > hosted ? hosted : native;
	if (arch_vmcall(FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_TSC_CALIBRATE, unload_key,
			hosted - native, 0, NULL) != FVX_VMCALL_OK)
		platform_log("cpu %u: TSC calibration refused (%llu ticks)\n", cpu,
			     (unsigned long long)(hosted - native));
	return FVX_OK;
}

static enum fvx_status unload_this_cpu(void *ctx)
{
	unsigned int cpu = platform_cpu_index();
	u64 status;

	if (cpu >= FVX_MAX_CPUS || !launched[cpu])
		return FVX_OK;
	status = arch_vmcall(FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_UNLOAD, unload_key, 0, 0, NULL);
	if (status != FVX_VMCALL_OK)
		return FVX_ERR_VMX;
	platform_cpu_tables_reload();
	launched[cpu] = false;
	return FVX_OK;
}

static void free_hv(struct hv *hv)
{
	platform_free_contig(hv->window, hv->window_size);
	platform_free_contig(hv->pool.va, POOL_SIZE);
}

enum fvx_status hv_load(u64 ring_records)
{
	enum fvx_status s;
	struct hv *hv;
	void *block;
	u64 base, size, cpus, window_size, capacity = window_ring_capacity(ring_records);

	if (the_hv)
		return FVX_ERR_BUSY;
	if (platform_cpu_count() > FVX_MAX_CPUS) {
		platform_log("%u CPUs: at most %u are supported\n", platform_cpu_count(),
			     FVX_MAX_CPUS);
		return FVX_ERR_UNSUPPORTED;
	}
	window_size = window_backing(platform_cpu_count(), capacity);
	if (!window_size) {
		platform_log("ring_records=%llu: give %u to %u records per CPU's ring, at most "
			     "%llu MiB of rings in all\n",
			     (unsigned long long)ring_records, FVX_RING_RECORDS_MIN,
			     FVX_RING_RECORDS_MAX, (FVX_WIN_SPAN - FVX_WIN_RINGS) >> 20);
		return FVX_ERR_INVALID;
	}
	s = platform_on_each_cpu(check_this_cpu, NULL);
	if (s != FVX_OK)
		return s;
	block = platform_alloc_contig(POOL_SIZE);
	if (!block)
		return FVX_ERR_NOMEM;
	hv = block;
	pool_init(&hv->pool, block, platform_virt_to_phys(block), POOL_SIZE);
	hv->pool.used = PAGE_SIZE_4K; /* struct hv itself */
	__builtin_memcpy(hv->signature, HV_SIGNATURE, sizeof(hv->signature));
	hv->window_size = window_size;
	hv->ring_capacity = capacity;
	hv->window = platform_alloc_contig(window_size);
	if (!hv->window)
		platform_log("no %llu MiB of contiguous memory for %llu records per CPU's ring\n",
			     (unsigned long long)(window_size >> 20),
			     (unsigned long long)ring_records);
	s = hv->window ? build(hv) : FVX_ERR_NOMEM;
	if (s != FVX_OK) {
		platform_log("cannot build the hypervisor: %s (pool %u of %u KiB used)\n",
			     fvx_status_str(s), (unsigned int)(hv->pool.used >> 10),
			     (unsigned int)(hv->pool.size >> 10));
		free_hv(hv);
		return s;
	}
	hv->unload_key = unload_key = arch_rdtsc() ^ (hv->pool.pa << 7) ^ 0x5deece66dULL;
	platform_log("EPT: %u x 1 GiB, %u x 2 MiB, %u x 4 KiB pages, %u tables; pool %u KiB used; "
		     "window %u MiB, %llu records per CPU's ring\n",
		     (unsigned int)hv->ept_stats.pages_1g, (unsigned int)hv->ept_stats.pages_2m,
		     (unsigned int)hv->ept_stats.pages_4k, (unsigned int)hv->ept_stats.tables,
		     (unsigned int)(hv->pool.used >> 10), (unsigned int)(hv->window_size >> 20),
		     (unsigned long long)hv->ring_capacity);
	/* After launch the guest reads the pool as a dummy page: copy first. */
	base = hv->pool.pa;
	size = hv->pool.size;
	cpus = hv->cpu_count;
	s = platform_on_each_cpu(launch_this_cpu, hv);
	if (s != FVX_OK) {
		/* Nothing half-started: take down the CPUs that did launch. */
		platform_on_each_cpu(unload_this_cpu, NULL);
		free_hv(hv);
		return s;
	}
	the_hv = hv;
	platform_log("hypervisor running on %u cpu(s), memory %#llx-%#llx hidden\n",
		     (unsigned int)cpus, (unsigned long long)base,
		     (unsigned long long)(base + size - 1));
	return FVX_OK;
}

void hv_unload(void)
{
	if (!the_hv)
		return;
	if (platform_on_each_cpu(unload_this_cpu, NULL) != FVX_OK) {
		/* A CPU refused to leave VMX: its memory must stay. */
		platform_log("unload failed on some CPU; hypervisor memory kept\n");
		return;
	}
	free_hv(the_hv);
	the_hv = NULL;
}
