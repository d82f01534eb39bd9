/* fastvmix doctor: what FastVMIX needs from the CPU's VMX, feature by
 * feature, on every CPU. Exit status 0 when every CPU has all it needs. */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/caps.h"

static bool rdmsr_cpu(void *ctx, u32 msr, u64 *value)
{
	return cli_rdmsr(*(int *)ctx, msr, (uint64_t *)value);
}

static bool cpuid_has_vmx(void)
{
	unsigned int a, b, c, d;

	return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 5));
}

static const char *feature_control_text(u64 v)
{
	if (!(v & FEATURE_CONTROL_LOCKED))
		return "not locked: the loader enables VMX";
	if (v & FEATURE_CONTROL_VMX_OUTSIDE_SMX)
		return "locked, VMX outside SMX enabled";
	return "locked with VMX disabled: enable VT-x in the firmware setup";
}

static void print_raw(const struct vmx_caps *c)
{
	printf("raw: feature_control=%#llx basic=%#llx misc=%#llx\n", c->feature_control, c->basic,
	       c->misc);
	printf("raw: pin=%#llx proc=%#llx proc2=%#llx exit=%#llx entry=%#llx\n", c->pin, c->proc,
	       c->proc2, c->exit, c->entry);
	printf("raw: ept_vpid=%#llx vmfunc=%#llx\n", c->ept_vpid, c->vmfunc);
	printf("raw: cr0_fixed0=%#llx cr0_fixed1=%#llx cr4_fixed0=%#llx cr4_fixed1=%#llx\n",
	       c->cr0_fixed0, c->cr0_fixed1, c->cr4_fixed0, c->cr4_fixed1);
}

static void print_report(int cpu, const struct vmx_caps *c)
{
	unsigned int i;

	printf("VMX capabilities of cpu %d (revision %u, VMCS region %u bytes)\n", cpu,
	       VMX_BASIC_REVISION(c->basic), VMX_BASIC_REGION_SIZE(c->basic));
	for (i = 0; i < vmx_feature_count; i++) {
		const struct vmx_feature *f = &vmx_features[i];
		bool ok = f->present(c);

		printf("  %-8s %-28s %-9s %s\n",
		       ok	     ? "[ok]"
		       : f->required ? "[MISSING]"
				     : "[absent]",
		       f->name, f->required ? "required" : "optional", f->use);
	}
	printf("  IA32_FEATURE_CONTROL = %#llx (%s)\n", c->feature_control,
	       feature_control_text(c->feature_control));
}

#define USAGE "usage: fastvmix doctor [--raw]\n"

int cmd_doctor(int argc, char **argv)
{
	struct vmx_caps first, caps;
	const struct vmx_feature *missing;
	bool raw = argc > 1 && strcmp(argv[1], "--raw") == 0;
	int cpus, cpu, bad = 0;

	if (argc > 1 && cli_wants_help(argv[1])) {
		printf(USAGE "Checks every CPU's VMX features against what FastVMIX needs;\n"
			     "exits 0 when every CPU has all it requires.\n"
			     "  --raw   also print the raw VMX capability MSRs\n");
		return 0;
	}
	if (argc > 2 || (argc > 1 && !raw)) {
		fprintf(stderr, "fastvmix doctor: unknown option '%s'\n" USAGE, argv[argc - 1]);
		return 2;
	}
	cpus = cli_msr_cpus();
	if (!cpuid_has_vmx()) {
		printf("this CPU has no VMX (CPUID.1:ECX bit 5 is clear): FastVMIX needs Intel "
		       "VT-x\n"
		       "(under FastVMIX itself this is expected: the hypervisor hides VMX)\n");
		return 1;
	}
	if (cpus == 0) {
		fprintf(stderr,
			"fastvmix doctor: no /dev/cpu/*/msr: load the msr driver (modprobe msr)\n");
		return 2;
	}
	for (cpu = 0; cpu < cpus; cpu++) {
		if (vmx_caps_read(&caps, true, rdmsr_cpu, &cpu) != FVX_OK) {
			printf("cpu %d: cannot read the VMX capability MSRs\n", cpu);
			bad++;
			continue;
		}
		if (cpu == 0) {
			first = caps;
			print_report(cpu, &caps);
			if (raw)
				print_raw(&caps);
		} else if (memcmp(&caps, &first, sizeof(caps)) != 0) {
			printf("cpu %d differs from cpu 0:\n", cpu);
			print_report(cpu, &caps);
		}
		missing = vmx_caps_first_missing(&caps);
		if (missing) {
			printf("cpu %d: missing required feature: %s (%s)\n", cpu, missing->name,
			       missing->use);
			bad++;
		}
	}
	if (bad) {
		printf("result: FastVMIX cannot run on this machine\n");
		return 1;
	}
	printf("result: all %d cpu(s) have every VMX feature FastVMIX requires\n", cpus);
	return 0;
}
