/* Unit tests for VMX capability decoding and control computation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fixtures.h"

static struct vmx_caps read_caps(struct msr_table t)
{
	struct vmx_caps c;

	assert_int_equal(vmx_caps_read(&c, true, fake_rdmsr, &t), FVX_OK);
	return c;
}

static bool feature(const struct vmx_caps *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < vmx_feature_count; i++)
		if (!strcmp(vmx_features[i].name, name))
			return vmx_features[i].present(c);
	fail_msg("no feature named %s", name);
	return false;
}

static void bochs_has_everything_required(void **state)
{
	struct vmx_caps c = read_caps(MSR_TABLE(bochs_icelake));

	assert_null(vmx_caps_first_missing(&c));
	assert_true(feature(&c, "EPTP switching"));
	assert_true(feature(&c, "1 GiB EPT pages"));
	assert_true(feature(&c, "EPT A/D flags"));
	assert_true(feature(&c, "EPT-violation #VE"));
	assert_true(feature(&c, "monitor trap flag"));
	assert_true(feature(&c, "INVVPID single-context"));
	assert_int_equal(VMX_BASIC_REVISION(c.basic), 4);
	assert_int_equal(VMX_BASIC_REGION_SIZE(c.basic), 4096);
}

static void bochs_broadwell_lacks_only_optional_features(void **state)
{
	struct vmx_caps c = read_caps(MSR_TABLE(bochs_broadwell));

	assert_null(vmx_caps_first_missing(&c));
	assert_false(feature(&c, "TSC scaling"));
	assert_false(feature(&c, "monitor trap flag"));
	assert_true(feature(&c, "EPTP switching"));
	assert_int_equal(VMX_BASIC_REVISION(c.basic), 0x2b);
	assert_int_equal(VMX_MISC_PREEMPTION_TIMER_RATE(c.misc), 0);
}

static void bochs_uses_true_controls(void **state)
{
	struct vmx_caps c = read_caps(MSR_TABLE(bochs_icelake));

	assert_int_equal(c.proc, 0xfff9fffe04006172ULL);
	/* CR3-load exiting is optional with the TRUE_* MSRs. */
	assert_false((u32)c.proc & CPU_BASED_CR3_LOAD_EXITING);
}

static void cpu_without_vmfunc_is_refused(void **state)
{
	struct vmx_caps c = read_caps(MSR_TABLE(no_vmfunc));
	const struct vmx_feature *missing = vmx_caps_first_missing(&c);

	assert_non_null(missing);
	assert_string_equal(missing->name, "VMFUNC");
	assert_false(feature(&c, "EPTP switching"));
	assert_false(feature(&c, "1 GiB EPT pages"));
	assert_true(feature(&c, "EPT"));
	assert_int_equal(c.vmfunc, 0); /* the MSR is not read when VMFUNC is absent */
}

static void firmware_disabled_vmx_is_named(void **state)
{
	struct msr_value v[ARRAY_LEN(bochs_icelake)];
	struct vmx_caps c;

	memcpy(v, bochs_icelake, sizeof(v));
	v[0].value = FEATURE_CONTROL_LOCKED; /* locked, VMX off */
	c = read_caps(MSR_TABLE(v));
	assert_string_equal(vmx_caps_first_missing(&c)->name, "VMX enabled by firmware");

	v[0].value = 0; /* unlocked: the loader may enable it */
	c = read_caps(MSR_TABLE(v));
	assert_null(vmx_caps_first_missing(&c));
}

static void no_cpuid_vmx_reads_nothing(void **state)
{
	struct msr_table t = MSR_TABLE(bochs_icelake);
	struct vmx_caps c;

	assert_int_equal(vmx_caps_read(&c, false, fake_rdmsr, &t), FVX_ERR_UNSUPPORTED);
	assert_int_equal(c.basic, 0);
	assert_non_null(vmx_caps_first_missing(&c));
}

static void missing_msr_is_an_error(void **state)
{
	/* Secondary controls advertised, PROCBASED_CTLS2 unreadable. */
	struct msr_table t = MSR_TABLE(bochs_icelake);
	struct vmx_caps c;

	t.count = 4;
	assert_int_equal(vmx_caps_read(&c, true, fake_rdmsr, &t), FVX_ERR_UNSUPPORTED);
}

/* The control values that launched Linux in Bochs (see the Bochs notes). */
static void controls_match_known_good_bochs_values(void **state)
{
	struct vmx_caps c = read_caps(MSR_TABLE(bochs_icelake));
	struct vmx_controls want = {
		.pin = 0,
		.proc = CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
		.proc2 = SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_RDTSCP |
			 SECONDARY_EXEC_ENABLE_VPID | SECONDARY_EXEC_ENABLE_INVPCID |
			 SECONDARY_EXEC_ENABLE_VMFUNC | SECONDARY_EXEC_XSAVES,
		.exit = VM_EXIT_SAVE_DEBUG_CONTROLS | VM_EXIT_HOST_ADDR_SPACE_SIZE |
			VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT | VM_EXIT_SAVE_IA32_EFER |
			VM_EXIT_LOAD_IA32_EFER,
		.entry = VM_ENTRY_LOAD_DEBUG_CONTROLS | VM_ENTRY_IA32E_MODE |
			 VM_ENTRY_LOAD_IA32_PAT | VM_ENTRY_LOAD_IA32_EFER,
	};
	struct vmx_controls out, refused;

	assert_int_equal(vmx_controls_compute(&c, &want, &out, &refused), FVX_OK);
	assert_int_equal(out.pin, 0x16);
	assert_int_equal(out.proc, 0x94006172);
	assert_int_equal(out.proc2, 0x0010302a);
	assert_int_equal(out.exit, 0x003f6fff);
	assert_int_equal(out.entry, 0x0000d3ff);
	assert_int_equal(refused.proc2, 0);
}

/* CR3-load exiting: required (the window's page tables are checked on
 * every CR3 load), yet off at launch; each CPU turns it on later. */
static void cr3_load_exiting_is_required_but_not_wanted_at_launch(void **state)
{
	struct vmx_caps c = read_caps(MSR_TABLE(bochs_broadwell));
	struct vmx_controls want, out, refused;
	unsigned int i;

	for (i = 0; i < vmx_feature_count; i++)
		if (!strcmp(vmx_features[i].name, "CR3-load exiting"))
			assert_true(vmx_features[i].required);
	assert_true(feature(&c, "CR3-load exiting"));
	c.proc &= ~((u64)CPU_BASED_CR3_LOAD_EXITING << 32);
	assert_string_equal(vmx_caps_first_missing(&c)->name, "CR3-load exiting");
	c = read_caps(MSR_TABLE(bochs_broadwell));
	vmx_controls_wanted(true, true, false, &want);
	assert_false(want.proc & CPU_BASED_CR3_LOAD_EXITING);
	assert_false(want.proc & CPU_BASED_CR3_STORE_EXITING);
	assert_int_equal(vmx_controls_compute(&c, &want, &out, &refused), FVX_OK);
	assert_false(out.proc & CPU_BASED_CR3_LOAD_EXITING);
}

static void legacy_controls_force_default1_bits(void **state)
{
	struct vmx_caps c = read_caps(MSR_TABLE(no_vmfunc));
	struct vmx_controls want = { .proc = CPU_BASED_ACTIVATE_SECONDARY_CONTROLS };
	struct vmx_controls out, refused;

	assert_int_equal(vmx_controls_compute(&c, &want, &out, &refused), FVX_OK);
	assert_true(out.proc & CPU_BASED_CR3_LOAD_EXITING);
	assert_true(out.proc & CPU_BASED_CR3_STORE_EXITING);
}

static void refused_bits_are_reported(void **state)
{
	struct vmx_caps c = read_caps(MSR_TABLE(no_vmfunc));
	struct vmx_controls want = {
		.proc = CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
		.proc2 = SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VMFUNC,
	};
	struct vmx_controls out, refused;

	assert_int_equal(vmx_controls_compute(&c, &want, &out, &refused), FVX_ERR_UNSUPPORTED);
	assert_int_equal(refused.proc2, SECONDARY_EXEC_ENABLE_VMFUNC);
	assert_int_equal(refused.proc, 0);
}

static void secondary_controls_need_activation(void **state)
{
	struct vmx_caps c = read_caps(MSR_TABLE(bochs_icelake));
	struct vmx_controls want = { .proc2 = SECONDARY_EXEC_ENABLE_EPT };
	struct vmx_controls out, refused;

	assert_int_equal(vmx_controls_compute(&c, &want, &out, &refused), FVX_ERR_UNSUPPORTED);
	assert_int_equal(out.proc2, 0);
	assert_int_equal(refused.proc2, SECONDARY_EXEC_ENABLE_EPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bochs_has_everything_required),
		cmocka_unit_test(bochs_broadwell_lacks_only_optional_features),
		cmocka_unit_test(bochs_uses_true_controls),
		cmocka_unit_test(cpu_without_vmfunc_is_refused),
		cmocka_unit_test(firmware_disabled_vmx_is_named),
		cmocka_unit_test(no_cpuid_vmx_reads_nothing),
		cmocka_unit_test(missing_msr_is_an_error),
		cmocka_unit_test(controls_match_known_good_bochs_values),
		cmocka_unit_test(cr3_load_exiting_is_required_but_not_wanted_at_launch),
		cmocka_unit_test(legacy_controls_force_default1_bits),
		cmocka_unit_test(refused_bits_are_reported),
		cmocka_unit_test(secondary_controls_need_activation),
	};

	return cmocka_run_group_tests_name("caps", tests, NULL, NULL);
}
