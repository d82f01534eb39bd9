/* Unit tests for the real trampoline (hypervisor/arch/x86/trampoline.S),
 * assembled for the host but never run: its fixup table against its code,
 * and the shape of the return entries. The hypervisor trusts each fixup to
 * name the right operand of the right instruction; a wrong one would give a
 * CPU another CPU's analyzer stack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/trampoline.h"
#include "fastvmix/vmcall.h"

static const u8 vmfunc[] = { 0x0f, 0x01, 0xd4 }, vmcall[] = { 0x0f, 0x01, 0xc1 },
		endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };

static u64 code_size(void)
{
	return fvx_trampoline_end - fvx_trampoline;
}

/* The offset of the first `pattern` in [from, to), or `to`. */
static u64 find(u64 from, u64 to, const u8 *pattern, size_t size)
{
	u64 i;

	for (i = from; i + size <= to; i++)
		if (!memcmp(fvx_trampoline + i, pattern, size))
			return i;
	return to;
}

static unsigned int count(u64 from, u64 to, const u8 *pattern, size_t size)
{
	unsigned int n = 0;
	u64 i;

	for (i = find(from, to, pattern, size); i < to; i = find(i + 1, to, pattern, size))
		n++;
	return n;
}

/* Every fixup names the operand its kind says, at the end of its
 * instruction: the analyzer stack is a movabs to RSP, the CPU number a
 * movq to the event's cpu, the config page a RIP-relative operand that
 * lands in the config page or the scratch area from every copy, and a
 * scratch slot a %gs-relative one. */
static void fixups_name_their_operands(void **state)
{
	const struct trampoline_fixup *f;
	unsigned int kinds[5] = { 0 };

	assert_true(code_size() <= FVX_WIN_TRAMPOLINE_STRIDE);
	f = fvx_trampoline_fixups;
	assert_true(f < fvx_trampoline_fixups_end);
	for (; f < fvx_trampoline_fixups_end; f++) {
		const u8 *end = fvx_trampoline + f->end;
		s64 target = (s64)f->end + *(const s32 *)(end - 4);

		assert_true(f->end >= 8 && f->end <= code_size());
		assert_true(f->kind >= FIX_SCRATCH && f->kind <= FIX_CPU);
		kinds[f->kind]++;
		switch (f->kind) {
		case FIX_STACK_TOP:
			assert_memory_equal(end - 10, ((u8[]){ 0x48, 0xbc }), 2);
			assert_int_equal(*(const u64 *)(end - 8), 0);
			break;
		case FIX_CPU:
			assert_memory_equal(end - 9, ((u8[]){ 0x48, 0xc7, 0x44, 0x24 }), 4);
			/* the event's cpu: at 0 (return entry) or 8 (syscall entry) */
			assert_true(end[-5] == offsetof(struct fvx_event, cpu) ||
				    end[-5] == 8 + offsetof(struct fvx_event, cpu));
			break;
		case FIX_CONFIG:
			assert_true((target >= FVX_WIN_CONFIG && target < FVX_WIN_CONFIG + 4096) ||
				    target == FVX_WIN_DATA);
			break;
		case FIX_SCRATCH:
			assert_non_null(memchr(end - 9, 0x65, 5)); /* the %gs prefix */
			assert_true(*(const u32 *)(end - 4) < sizeof(struct fvx_percpu_scratch));
			break;
		}
	}
	/* One analyzer stack in each of the two entries that use it. */
	assert_int_equal(kinds[FIX_STACK_TOP], 2);
	assert_int_equal(kinds[FIX_CPU], 2);
}

/* The fast return entry: a C function at its offset that checks the filter
 * before it switches views, saves the flags and switches with interrupts
 * off, onto the stack
 * and CPU number the hypervisor writes in, and switches back once. */
static void fast_return_entry_checks_the_filter_first(void **state)
{
	u64 from = FVX_WIN_TRAMPOLINE_RETURN, to = FVX_WIN_TRAMPOLINE_RETURN_EXIT;
	u64 bt = find(from, to, (u8[]){ 0x49, 0x0f, 0xa3 }, 3), /* bt %rdi, (%r8) */
		cli = find(from, to, (u8[]){ 0x9c, 0xfa }, 2); /* pushfq; cli */
	u64 stack = find(from, to, (u8[]){ 0x48, 0xbc }, 2);
	const struct trampoline_fixup *f;
	unsigned int stacks = 0, cpus = 0;

	assert_memory_equal(fvx_trampoline + from, endbr64, sizeof(endbr64));
	assert_int_equal(count(from, to, vmfunc, 3), 2);
	assert_true(bt < cli && cli < stack && stack < find(from, to, vmfunc, 3));
	assert_int_equal(count(from, to, vmcall, 3), 0);
	for (f = fvx_trampoline_fixups; f < fvx_trampoline_fixups_end; f++) {
		if (f->end <= from || f->end > to)
			continue;
		stacks += f->kind == FIX_STACK_TOP;
		cpus += f->kind == FIX_CPU;
		assert_int_not_equal(f->kind, FIX_SCRATCH); /* kernel context: no %gs slots */
	}
	assert_int_equal(stacks, 1);
	assert_int_equal(cpus, 1);
}

/* The fast return entry hands the analyzer the call's arguments: a loop
 * over the six that reads each from the agent's array (RDX) when there is
 * one and stores it, or 0, in the event's call_args. */
static void fast_return_entry_passes_the_call_arguments(void **state)
{
	u64 from = FVX_WIN_TRAMPOLINE_RETURN, to = FVX_WIN_TRAMPOLINE_RETURN_EXIT;
	const u8 load[] = { 0x48, 0x8b, 0x04, 0xca }, /* mov (%rdx,%rcx,8), %rax */
		store[] = { 0x48, 0x89, 0x44, 0xcc, /* mov %rax, disp8(%rsp,%rcx,8) */
			    (u8)offsetof(struct fvx_event, call_args) },
		 bound[] = { 0x83, 0xf9, 0x06 }; /* cmp $6, %ecx */
	u64 at_load = find(from, to, load, sizeof(load)), at_store = find(from, to, store, 5);

	assert_true(at_load < at_store && at_store < find(from, to, bound, 3));
	assert_true(find(from, to, bound, 3) < to);
}

/* The exit-mode return entry: one VMCALL, TRACE_RETURN, and no view switch. */
static void exit_return_entry_is_one_vmcall(void **state)
{
	u64 from = FVX_WIN_TRAMPOLINE_RETURN_EXIT, to = code_size();
	u8 rax[8];

	assert_true(from < to);
	assert_memory_equal(fvx_trampoline + from, endbr64, sizeof(endbr64));
	assert_int_equal(count(from, to, vmcall, 3), 1);
	assert_int_equal(count(from, to, vmfunc, 3), 0);
	*(u64 *)rax = FVX_VMCALL_MAGIC << 32 | FVX_VMCALL_TRACE_RETURN;
	assert_true(find(from, to, rax, 8) < to);
	/* The SYSCALL entries' parts end before the return entries begin. */
	assert_true(fvx_trampoline_fast_end - fvx_trampoline <= FVX_WIN_TRAMPOLINE_EXIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixups_name_their_operands),
		cmocka_unit_test(fast_return_entry_checks_the_filter_first),
		cmocka_unit_test(fast_return_entry_passes_the_call_arguments),
		cmocka_unit_test(exit_return_entry_is_one_vmcall),
	};

	return cmocka_run_group_tests_name("trampoline", tests, NULL, NULL);
}
