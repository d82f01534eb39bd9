/* The syscall entry trampoline. The hypervisor writes one copy per CPU
 * into the analyzer window (FVX_WIN_TRAMPOLINE + cpu * STRIDE) and points
 * that CPU's IA32_LSTAR at it while tracing: the fast entry at +0, the
 * exit-mode entry at +WIN_TRAMPOLINE_EXIT. It runs at CPL0 with interrupts
 * off on the user's stack, right after SYSCALL, and leaves every register
 * and flag as it found them before jumping to Linux's own entry
 * (config->forward). The same copy has the two return entries
 * (+WIN_TRAMPOLINE_RETURN, +WIN_TRAMPOLINE_RETURN_EXIT): C functions the
 * agent's sys_exit probe calls on its CPU's copy when a system call
 * returns. Offsets come from the C headers through the generated
 * fvx_offsets.h. Each FIXUP marks an operand the hypervisor fills in per
 * CPU (trampoline.h): nothing it trusts is read from guest memory.
 * Both fast entries measure, with IA32_TSC, the time from just after their
 * switch into the analyzer view to just before their switch back, and add
 * it to this CPU's fvx_tsc_slot, which the hypervisor takes out of the TSC
 * of the address space that ran (hypervisor/core/tsc.c). RDMSR, not RDTSC:
 * RDTSC exits while that address space runs. */
#include "trampoline.h"
#include "fvx_offsets.h"

/* Records the instruction that ends here in the fixup table. */
#define FIXUP(kind)                                                            \
	.pushsection .rodata.fvx_fixups, "a";                                  \
	.long kind, 9f - fvx_trampoline;                                       \
	.popsection;                                                           \
	9:

#define SCRATCH(field) %gs:(field)
#define CONFIG (fvx_trampoline + WIN_CONFIG)
#define DATA (fvx_trampoline + WIN_DATA)
#define GUARD (fvx_trampoline + WIN_GUARD)
#define EVENT(field) (8 + field)(%rsp)
#define TSC(field) (fvx_trampoline + WIN_TSC_SLOT + field)

/* Right after a VMFUNC back to view 0: a read of the page only view 0 maps
 * (FVX_WIN_GUARD), which faults if that VMFUNC was jumped to with ECX = 1.
 * Clobbers the arithmetic flags. */
.macro IN_VIEW_0
	testb $0, GUARD(%rip); FIXUP(FIX_CONFIG_IMM8)
.endm

/* The return entry's copy of argument i, at `from` off RDX (the agent's
 * array or its pt_regs), into the event's `field` (EV_CALL_ARGS, EV_ARGS)
 * on the analyzer stack. Clobbers RAX. */
.macro EVENT_ARG from, field, i
	mov \from(%rdx), %rax
	mov %rax, (\field + 8 * \i)(%rsp)
.endm

/* The analyzer view's time (.Ltsc_start, .Ltsc_stop), tested in line: a
 * trace that does not hide its time pays two tests per entry. */
.macro TSC_START
	testb $CONFIG_MEASURE, (CONFIG + CFG_FLAGS)(%rip); FIXUP(FIX_CONFIG_IMM8)
	jz 8f
	call .Ltsc_start
8:
.endm
/* Whether the start measured: to `skip` (over the end's call and the
 * constant it takes in ESI) when it did not. Clobbers RAX. */
.macro TSC_STOP_TEST skip
	mov TSC(T_START)(%rip), %rax; FIXUP(FIX_TSC)
	test %rax, %rax
	jz \skip
.endm

	.section .rodata.fvx_fixups, "a"
	.balign 8
	.globl fvx_trampoline_fixups
fvx_trampoline_fixups:

	.section .rodata
	.balign 4096
	.globl fvx_trampoline
fvx_trampoline:
	/* Fast mode: VMFUNC into the analyzer view, call the analyzer on this
	 * CPU's analyzer stack, VMFUNC back. No VM exit. */
	endbr64				/* an indirect-branch target under CET-IBT */
	swapgs
	mov %rax, SCRATCH(S_RAX); FIXUP(FIX_SCRATCH)
	/* A system call the filter does not select goes straight on to Linux,
	 * without entering the analyzer view. The number is EAX, as Linux
	 * reads it. (Arithmetic flags are clobbered: Linux's entry reads the
	 * user's flags from R11, never RFLAGS.) */
	cmp $512, %eax
	jae .Lfast_probed
	bt %eax, (CONFIG + CFG_SYSCALLS)(%rip); FIXUP(FIX_CONFIG)
	jnc .Lfast_unselected
	/* Nor does one of a task without the mark, a bit of the current
	 * task_struct (fvx_task_layout.mark, its byte and mask written in),
	 * when the config says only marked tasks are traced
	 * (FVX_CONFIG_TASK_MARKS, tested out of line). */
	mov (CONFIG + CFG_CURRENT_TASK)(%rip), %rax; FIXUP(FIX_CONFIG)
	mov %gs:(%rax), %rax		/* current */
	testb $0, 0x7fffffff(%rax); FIXUP(FIX_MARK)
	jz .Lfast_unmarked
.Lfast_marked:
	/* Its return, while calls may skip the tracepoints
	 * (FVX_CONFIG_FAST_SKIP), without them: the tracepoint bit off (out of
	 * line, when on), the task's pending and notify bits on, so that
	 * Linux calls the agent's user return notifier as the task goes back
	 * to user mode (fvx_task_layout.pending). Not for a task whose call
	 * something may change before it runs, or with its defer bit left
	 * set, or with a tracer: those keep the tracepoints. */
	testb $CONFIG_FAST_SKIP, (CONFIG + CFG_FLAGS)(%rip); FIXUP(FIX_CONFIG_IMM8)
	jz .Lfast_by_tracepoint
	testb $0, 0x7fffffff(%rax); FIXUP(FIX_WATCH)
	jnz .Lfast_by_tracepoint
	cmpl $0, 0x7fffffff(%rax); FIXUP(FIX_PTRACE)
	jne .Lfast_by_tracepoint
	testb $0, 0x7fffffff(%rax); FIXUP(FIX_TP)
	jnz .Lfast_notify_tp_off
.Lfast_notify:
	lock orb $0, 0x7fffffff(%rax); FIXUP(FIX_PENDING_ON)
	lock orb $0, 0x7fffffff(%rax); FIXUP(FIX_NOTIFY_ON)
	/* A quick call goes straight on to Linux (out of line). */
	testb $CONFIG_QUICK, (CONFIG + CFG_FLAGS)(%rip); FIXUP(FIX_CONFIG_IMM8)
	jnz .Lfast_quick
.Lfast_record:
	mov %rsp, SCRATCH(S_USER_RSP); FIXUP(FIX_SCRATCH)
	mov %rcx, SCRATCH(S_RCX); FIXUP(FIX_SCRATCH)
	xor %eax, %eax			/* VMFUNC leaf 0: EPTP switching */
	mov $1, %ecx			/* to view 1: the analyzer view */
	vmfunc
	/* This CPU's analyzer stack, right after the switch: ring-0 code that
	 * jumps to the VMFUNC does not bring its own. */
	movabs $0, %rsp; FIXUP(FIX_STACK_TOP)
	TSC_START			/* (keeps RDX, the user's) */
	pushfq
	sub $TRAMP_FRAME, %rsp		/* user R11 at 0, struct fvx_event at 8 */
	mov %r11, (%rsp)
	movq $0, EVENT(EV_FLAGS)
	movq $0, EVENT(EV_CPU); FIXUP(FIX_CPU)
	mov SCRATCH(S_RCX), %rax; FIXUP(FIX_SCRATCH)
	mov %rax, EVENT(EV_USER_RIP)
	mov %rdi, EVENT(EV_ARGS + 0)
	mov %rsi, EVENT(EV_ARGS + 8)
	mov %rdx, EVENT(EV_ARGS + 16)
	mov %r10, EVENT(EV_ARGS + 24)
	mov %r8, EVENT(EV_ARGS + 32)
	mov %r9, EVENT(EV_ARGS + 40)
	mov SCRATCH(S_RAX), %rax; FIXUP(FIX_SCRATCH)
	mov %rax, EVENT(EV_NR)
	lea EVENT(0), %rdi
	lea CONFIG(%rip), %rsi; FIXUP(FIX_CONFIG)
	lea DATA(%rip), %rdx; FIXUP(FIX_CONFIG)
	call *(CONFIG + CFG_ANALYZER_ENTRY)(%rip); FIXUP(FIX_CONFIG)
	/* A call the analyzer could not record while the trace waits for the
	 * frontend (FVX_CONFIG_RETRY, FVX_ENTRY_RETRY): CF in the RFLAGS that
	 * POPFQ restores below says to return to the SYSCALL instead. */
	andq $~1, TRAMP_FRAME(%rsp)
	cmp $ENTRY_RETRY, %eax
	jne 1f
	lea CONFIG(%rip), %rcx; FIXUP(FIX_CONFIG)
	testl $CONFIG_RETRY, CFG_FLAGS(%rcx)
	jz 1f
	orq $1, TRAMP_FRAME(%rsp)
	/* A call that goes on to Linux also costs, outside the analyzer view,
	 * what the config says (fvx_trace_request.tsc_call_ticks): hidden
	 * with it. One sent back to its SYSCALL costs nothing of it. */
1:	TSC_STOP_TEST 2f
	mov $TSC_FAST_OUTSIDE, %esi
	testq $1, TRAMP_FRAME(%rsp)
	jnz 3f
	lea CONFIG(%rip), %rcx; FIXUP(FIX_CONFIG)
	add CFG_TSC_CALL_TICKS(%rcx), %esi
3:	call .Ltsc_stop
2:	mov (%rsp), %r11
	mov EVENT(EV_ARGS + 0), %rdi
	mov EVENT(EV_ARGS + 8), %rsi
	mov EVENT(EV_ARGS + 16), %rdx
	mov EVENT(EV_ARGS + 24), %r10
	mov EVENT(EV_ARGS + 32), %r8
	mov EVENT(EV_ARGS + 40), %r9
	add $TRAMP_FRAME, %rsp
	popfq
	mov $0, %eax
	mov $0, %ecx			/* back to view 0 */
	jc .Lfast_retry			/* (MOV leaves the flags) */
	vmfunc
	IN_VIEW_0
	mov SCRATCH(S_USER_RSP), %rsp; FIXUP(FIX_SCRATCH)
.Lfast_skip:
	mov SCRATCH(S_RCX), %rcx; FIXUP(FIX_SCRATCH)
.Lfast_skip_rax:
	mov SCRATCH(S_RAX), %rax; FIXUP(FIX_SCRATCH)
	swapgs
	jmp *(CONFIG + CFG_FORWARD)(%rip); FIXUP(FIX_CONFIG)
.Lfast_retry:
	/* Not run yet: back to user mode at the SYSCALL instruction (2 bytes
	 * before the RIP it saved in RCX), every register as it was: R11
	 * holds the user's RFLAGS for SYSRET. The thread makes the call again
	 * when it next runs, by then after the frontend drained the ring. */
	vmfunc
	IN_VIEW_0
	mov SCRATCH(S_USER_RSP), %rsp; FIXUP(FIX_SCRATCH)
	/* Nor is its return due: the pending and notify bits off. */
	mov (CONFIG + CFG_CURRENT_TASK)(%rip), %rax; FIXUP(FIX_CONFIG)
	mov %gs:(%rax), %rax		/* current */
	lock andb $0xff, 0x7fffffff(%rax); FIXUP(FIX_PENDING_OFF)
	lock andb $0xff, 0x7fffffff(%rax); FIXUP(FIX_NOTIFY_OFF)
	mov SCRATCH(S_RAX), %rax; FIXUP(FIX_SCRATCH)
	mov SCRATCH(S_RCX), %rcx; FIXUP(FIX_SCRATCH)
	sub $2, %rcx
	swapgs
	sysretq
	/* A call the filter leaves out, with FVX_CONFIG_FAST_SKIP: a marked
	 * task's tracepoint bit off, so that the call takes Linux's fast
	 * path, as an unmarked task's; unless something may change the call
	 * before it runs, which the sys_enter probe then sees (record_watched
	 * in the agent): its watch bits (fvx_task_layout.watch), or a ptrace
	 * tracer (fvx_task_layout.ptrace: one that seccomp's bit, set from
	 * another CPU by SECCOMP_FILTER_FLAG_TSYNC after this look, may stop
	 * the call for). Where the bit is off and nothing watches, as after
	 * the first such call, three tests. RAX is free (the user's is in the
	 * scratch). */
.Lfast_unselected:
	testb $CONFIG_FAST_SKIP, (CONFIG + CFG_FLAGS)(%rip); FIXUP(FIX_CONFIG_IMM8)
	jz .Lfast_probed
	mov (CONFIG + CFG_CURRENT_TASK)(%rip), %rax; FIXUP(FIX_CONFIG)
	mov %gs:(%rax), %rax		/* current */
	cmpl $0, 0x7fffffff(%rax); FIXUP(FIX_PTRACE)
	jne .Lfast_probed_task
	testb $0, 0x7fffffff(%rax); FIXUP(FIX_TP_WATCH)
	jz .Lfast_skip_rax
	testb $0, 0x7fffffff(%rax); FIXUP(FIX_WATCHED)
	jnz .Lfast_probed_task
	testb $0, 0x7fffffff(%rax); FIXUP(FIX_MARK)
	jz .Lfast_skip_rax		/* another task's bits are the agent's */
	lock andb $0xff, 0x7fffffff(%rax); FIXUP(FIX_TP_OFF)
	jmp .Lfast_skip_rax
.Lfast_notify_tp_off:
	lock andb $0xff, 0x7fffffff(%rax); FIXUP(FIX_TP_OFF)
	jmp .Lfast_notify
	/* While quick calls skip their entry (FVX_CONFIG_QUICK): a quick one
	 * (.Lquick) with its return due goes on to Linux unrecorded; its
	 * return, which the notifier reports, records it whole. */
.Lfast_quick:
	mov SCRATCH(S_RAX), %eax; FIXUP(FIX_SCRATCH)	/* (below 512) */
	bt %eax, .Lquick(%rip)
	jc .Lfast_skip_rax
	jmp .Lfast_record
	/* Its return through the sys_exit tracepoint: the tracepoint bit on,
	 * if a call the filter left out took it off. A task whose call
	 * something may change before it runs, or with its defer bit left
	 * set, deferred. */
.Lfast_by_tracepoint:
	testb $0, 0x7fffffff(%rax); FIXUP(FIX_TP)
	jz .Lfast_tp_on
.Lfast_tp_is_on:
	testb $0, 0x7fffffff(%rax); FIXUP(FIX_WATCH)
	jnz .Lfast_watched
	jmp .Lfast_record
.Lfast_tp_on:
	lock orb $0, 0x7fffffff(%rax); FIXUP(FIX_TP_ON)
	jmp .Lfast_tp_is_on
	/* A number from 512 up (an x32 call, or none Linux has): only the
	 * agent's probes see it, as they saw it before the filter existed.
	 * Also a call the filter leaves out while calls may not skip the
	 * tracepoints (FVX_CONFIG_FAST_SKIP off: not every CPU takes 32-bit
	 * calls through the window yet, or any more): with task marks, a
	 * marked task whose bit a call took off before gets it back. */
.Lfast_probed:
	testb $CONFIG_TASK_MARKS, (CONFIG + CFG_FLAGS)(%rip); FIXUP(FIX_CONFIG_IMM8)
	jz .Lfast_skip_rax
	mov (CONFIG + CFG_CURRENT_TASK)(%rip), %rax; FIXUP(FIX_CONFIG)
	mov %gs:(%rax), %rax		/* current */
	/* RAX is current, whose call needs the probes: a marked task's
	 * tracepoint bit on. */
.Lfast_probed_task:
	testb $0, 0x7fffffff(%rax); FIXUP(FIX_MARK)
	jz .Lfast_skip_rax
	testb $0, 0x7fffffff(%rax); FIXUP(FIX_TP)
	jnz .Lfast_skip_rax
	lock orb $0, 0x7fffffff(%rax); FIXUP(FIX_TP_ON)
	jmp .Lfast_skip_rax
	/* (An unmarked task's call reaches no syscall tracepoint: not
	 * deferred.) */
.Lfast_unmarked:
	testb $CONFIG_TASK_MARKS, (CONFIG + CFG_FLAGS)(%rip); FIXUP(FIX_CONFIG_IMM8)
	jnz .Lfast_skip_rax
	jmp .Lfast_record
	/* RAX is current. Deferred (FVX_CONFIG_DEFER): its defer bit set
	 * (atomically: other CPUs set this word's bits too), recorded by the
	 * agent's probe as Linux runs it. Otherwise (a sealed trace, or only
	 * a defer bit that the call it was set for left behind: one seccomp
	 * or ptrace skipped before any probe) the bit is cleared and the call
	 * recorded here. */
.Lfast_watched:
	testb $CONFIG_DEFER, (CONFIG + CFG_FLAGS)(%rip); FIXUP(FIX_CONFIG_IMM8)
	jz 1f
	testb $0, 0x7fffffff(%rax); FIXUP(FIX_WATCHED)
	jz 1f
	lock orb $0, 0x7fffffff(%rax); FIXUP(FIX_DEFER)
	jmp .Lfast_skip_rax
1:	lock andb $0xff, 0x7fffffff(%rax); FIXUP(FIX_UNDEFER)
	jmp .Lfast_record

	/* The analyzer view's time, for both fast entries: called on this
	 * CPU's analyzer stack, in the analyzer view, interrupts off. The
	 * start, only while the trace hides its time (FVX_CONFIG_MEASURE,
	 * tested in line by TSC_START), first asking the hypervisor to track
	 * the address space that runs if it says so (fvx_tsc_slot.track);
	 * clobbers RAX, RCX and the arithmetic flags. */
.Ltsc_start:
	mov TSC(T_TRACK)(%rip), %eax; FIXUP(FIX_TSC)
	test %eax, %eax
	jnz .Ltsc_track
.Ltsc_read:
	push %rdx
	mov $MSR_NR_TSC, %ecx
	rdmsr
	mov %eax, TSC(T_START)(%rip); FIXUP(FIX_TSC)
	mov %edx, TSC(T_START + 4)(%rip); FIXUP(FIX_TSC)
	pop %rdx
	ret
.Ltsc_track:
	movabs $(VMCALL_MAGIC << 32 | VMCALL_TSC_TRACK), %rax
	vmcall
	jmp .Ltsc_read
	/* The end, when the start measured (TSC_STOP_TEST tests in line
	 * that it left a start): the ticks since the start, plus ESI for the
	 * instructions of the entry the measure leaves out, added to
	 * fvx_tsc_slot.hidden, and the start taken back to 0, so that an end
	 * whose start did not measure (the flag changed in between) adds
	 * nothing. Clobbers RAX, RCX, RDX and the arithmetic flags. */
.Ltsc_stop:
	mov $MSR_NR_TSC, %ecx
	rdmsr
	shl $32, %rdx
	or %rax, %rdx
	sub TSC(T_START)(%rip), %rdx; FIXUP(FIX_TSC)
	add %rsi, %rdx
	add %rdx, TSC(T_HIDDEN)(%rip); FIXUP(FIX_TSC)
	xor %eax, %eax
	mov %rax, TSC(T_START)(%rip); FIXUP(FIX_TSC)
	ret
	.globl fvx_trampoline_fast_end
fvx_trampoline_fast_end:

	.org WIN_TRAMPOLINE_EXIT, 0xcc	/* fails to assemble if the fast part is longer */
	/* Exit mode: one VMCALL per system call, as a classic tracer would. */
	endbr64
	swapgs
	mov %rax, SCRATCH(S_RAX); FIXUP(FIX_SCRATCH)
	mov %rcx, SCRATCH(S_RCX); FIXUP(FIX_SCRATCH)
	mov %rbx, SCRATCH(S_RBX); FIXUP(FIX_SCRATCH)
	mov %rax, %rbx			/* RBX = syscall number */
	movabs $(VMCALL_MAGIC << 32 | VMCALL_TRACE_EVENT), %rax
	vmcall
	mov SCRATCH(S_RAX), %rax; FIXUP(FIX_SCRATCH)
	mov SCRATCH(S_RCX), %rcx; FIXUP(FIX_SCRATCH)
	mov SCRATCH(S_RBX), %rbx; FIXUP(FIX_SCRATCH)
	swapgs
	jmp *(CONFIG + CFG_FORWARD)(%rip); FIXUP(FIX_CONFIG)

	.org WIN_TRAMPOLINE_RETURN, 0xcc	/* fails to assemble if the exit-mode entry is longer */
	/* What the kernel reports, fast mode (the agent's tracepoint probes):
	 *     int event_entry(u64 nr, s64 value, const u64 args[6], u64 flags)
	 * called in kernel context with preemption off on its CPU's copy
	 * (interrupts maybe on). flags (FVX_RECORD_*) says what: RETURN, a
	 * system call returned with `value`; COMPAT without RETURN, a 32-bit
	 * system call's entry (int $0x80, SYSENTER), which goes to the
	 * analyzer's entry and returns what that returns (FVX_ENTRY_RETRY:
	 * the agent makes the thread retry); TASK, a task event (nr says
	 * which; `value`, in the event's user_rip, what it adds: an io_uring
	 * operation's request). args: the call's arguments or the event's values (the
	 * agent's array, RDX; 0: none, all zero). The analyzer runs in the
	 * analyzer view on this CPU's analyzer stack, with interrupts off: the
	 * SYSCALL entry's user of that stack cannot come in between. A C
	 * function: clobbers RAX, RCX, RDX, RSI, RDI, R8-R11 and the
	 * arithmetic flags; keeps IF, DF and the rest. Nothing happens (0)
	 * without an analyzer return entry, or for a 64-bit call the filter
	 * does not select (the number is EDI, as Linux reads a 64-bit system
	 * call's EAX; 32-bit numbers are the i386 table's: the analyzer
	 * selects those). A 64-bit quick call's return handed its pt_regs
	 * while quick calls skip their entry (FVX_CONFIG_QUICK) is marked
	 * FVX_RECORD_WHOLE here, never by the caller, and returns what the
	 * analyzer returns for it (FVX_ENTRY_RETRY: not recorded, the agent
	 * makes the thread make the call again); other returns 0. */
	endbr64				/* an indirect-call target under CET-IBT */
	xor %eax, %eax
	and $~RECORD_WHOLE, %ecx
	mov %edi, %edi
	lea CONFIG(%rip), %r8; FIXUP(FIX_CONFIG)
	test $(RECORD_TASK | RECORD_COMPAT), %ecx
	jnz 1f
	cmp $512, %rdi
	jae .Lreturn_skip
	bt %rdi, CFG_SYSCALLS(%r8)
	jnc .Lreturn_skip
1:	cmpq $0, CFG_RETURN_ENTRY(%r8)
	je .Lreturn_skip
	push %rbx
	pushfq
	cli
	mov %rsp, %rbx			/* the caller's stack (RBX is callee-saved) */
	mov %ecx, %r8d			/* flags */
	mov %rsi, %r9			/* value */
	mov $0, %eax			/* VMFUNC leaf 0: EPTP switching */
	mov $1, %ecx			/* to view 1: the analyzer view */
	vmfunc
	movabs $0, %rsp; FIXUP(FIX_STACK_TOP)	/* (as the SYSCALL entry) */
	TSC_START			/* (keeps RDX, the arguments) */
	/* No arguments: six zeros on this stack instead (RBX restores it). */
	test %rdx, %rdx
	jnz 3f
	xor %eax, %eax
	.rept 6
	push %rax
	.endr
	mov %rsp, %rdx
3:	sub $RETURN_FRAME, %rsp		/* struct fvx_event at 0 */
	mov %rdi, EV_NR(%rsp)
	btr $EVENT_REGS_BIT, %r8d	/* CF: RDX is a pt_regs (FVX_EVENT_REGS) */
	mov %r8, EV_FLAGS(%rsp)
	mov %r9, EV_USER_RIP(%rsp)	/* a task event's value */
	movq $0, EV_CPU(%rsp); FIXUP(FIX_CPU)
	/* The arguments in call_args; for a return, args[0] its value and
	 * the others 0, else args the arguments too. (MOV keeps CF.) */
	jc .Lreturn_regs
	.irp i, 0, 1, 2, 3, 4, 5
	EVENT_ARG (8*\i), EV_CALL_ARGS, \i
	.endr
.Lreturn_args:
	test $RECORD_RETURN, %r8d
	jz 4f
	mov %r9, EV_ARGS(%rsp)
	xor %eax, %eax
	mov %rax, (EV_ARGS + 8)(%rsp)
	mov %rax, (EV_ARGS + 16)(%rsp)
	mov %rax, (EV_ARGS + 24)(%rsp)
	mov %rax, (EV_ARGS + 32)(%rsp)
	mov %rax, (EV_ARGS + 40)(%rsp)
	jmp 5f
4:	.irp i, 0, 1, 2, 3, 4, 5
	EVENT_ARG (8*\i), EV_ARGS, \i
	.endr
5:	mov %rsp, %rdi
	lea CONFIG(%rip), %rsi; FIXUP(FIX_CONFIG)
	lea DATA(%rip), %rdx; FIXUP(FIX_CONFIG)
	test $(RECORD_RETURN | RECORD_TASK), %r8d
	jz 5f
	call *(CONFIG + CFG_RETURN_ENTRY)(%rip); FIXUP(FIX_CONFIG)
	testq $RECORD_WHOLE, EV_FLAGS(%rsp)
	jnz 6f
	xor %eax, %eax
	jmp 6f
5:	call *(CONFIG + CFG_ANALYZER_ENTRY)(%rip); FIXUP(FIX_CONFIG)
6:	mov %eax, %edi			/* what the analyzer returned */
	TSC_STOP_TEST 8f
	mov $TSC_EVENT_OUTSIDE, %esi
	/* An entry (a 32-bit call's, a deferred one's) that goes on costs
	 * the kernel's tracing work too, as a SYSCALL's
	 * (fvx_trace_request.tsc_call_ticks). */
	testq $(RECORD_RETURN | RECORD_TASK), EV_FLAGS(%rsp)
	jnz 7f
	cmp $ENTRY_RETRY, %edi
	je 7f
	lea CONFIG(%rip), %rcx; FIXUP(FIX_CONFIG)
	add CFG_TSC_CALL_TICKS(%rcx), %esi
7:	call .Ltsc_stop
8:	mov $0, %eax
	mov $0, %ecx			/* back to view 0 */
	vmfunc
	IN_VIEW_0
	mov %edi, %eax
	mov %rbx, %rsp
	popfq				/* IF as the caller had it */
	pop %rbx
.Lreturn_skip:
	ret
	/* A 64-bit call's arguments where Linux saved them. */
.Lreturn_regs:
	EVENT_ARG PT_REGS_DI, EV_CALL_ARGS, 0
	EVENT_ARG PT_REGS_SI, EV_CALL_ARGS, 1
	EVENT_ARG PT_REGS_DX, EV_CALL_ARGS, 2
	EVENT_ARG PT_REGS_R10, EV_CALL_ARGS, 3
	EVENT_ARG PT_REGS_R8, EV_CALL_ARGS, 4
	EVENT_ARG PT_REGS_R9, EV_CALL_ARGS, 5
	/* A quick call's, recorded whole (its entry skipped the analyzer). */
	testb $CONFIG_QUICK, (CONFIG + CFG_FLAGS)(%rip); FIXUP(FIX_CONFIG_IMM8)
	jz .Lreturn_args
	test $(RECORD_TASK | RECORD_COMPAT), %r8d
	jnz .Lreturn_args
	test $RECORD_RETURN, %r8d
	jz .Lreturn_args
	bt %edi, .Lquick(%rip)		/* (below 512: tested above) */
	jnc .Lreturn_args
	or $RECORD_WHOLE, %r8d
	mov %r8, EV_FLAGS(%rsp)
	jmp .Lreturn_args

	.org WIN_TRAMPOLINE_RETURN_EXIT, 0xcc	/* fails to assemble if the fast return is longer */
	/* What the kernel reports, exit mode: one VMCALL, the hypervisor
	 * writes the records (trace_return). The same C function as the fast
	 * return entry: RBX the number, RCX the value, RDX the flags, R8 the
	 * arguments' address (0: none). */
	endbr64
	push %rbx
	mov %rdi, %rbx			/* RBX = number */
	mov %rdx, %r8			/* R8 = the arguments */
	mov %rcx, %rdx			/* RDX = flags */
	mov %rsi, %rcx			/* RCX = value */
	movabs $(VMCALL_MAGIC << 32 | VMCALL_TRACE_RETURN), %rax
	vmcall
	pop %rbx
	ret

	/* The 32-bit entries' work, with the kernel's GS: a marked task's
	 * tracepoint bit on, since only the agent's probes see a 32-bit call
	 * (FVX_CONFIG_TASK_MARKS; whether or not calls skip the tracepoints
	 * now, one may have before). Keeps every register but the flags; in
	 * line, so that no return address of ours is left on Linux's stack. */
.macro ENTRY32_WORK
	testb $CONFIG_TASK_MARKS, (CONFIG + CFG_FLAGS)(%rip); FIXUP(FIX_CONFIG_IMM8)
	jz 3f
	mov %rax, SCRATCH(S_RAX); FIXUP(FIX_SCRATCH)
	mov (CONFIG + CFG_CURRENT_TASK)(%rip), %rax; FIXUP(FIX_CONFIG)
	mov %gs:(%rax), %rax		/* current */
	testb $0, 0x7fffffff(%rax); FIXUP(FIX_MARK)
	jz 2f
	testb $0, 0x7fffffff(%rax); FIXUP(FIX_TP)
	jnz 2f
	lock orb $0, 0x7fffffff(%rax); FIXUP(FIX_TP_ON)
2:	mov SCRATCH(S_RAX), %rax; FIXUP(FIX_SCRATCH)
3:
.endm

	.org WIN_TRAMPOLINE_INT80, 0xcc	/* fails to assemble if the exit-mode return is longer */
	/* `int $0x80`, through the window's IDT (vector 0x80, an interrupt
	 * gate: interrupts off), on the stack the gate switched to, with the
	 * CPU's frame on it. A call from user mode gives a marked task its
	 * tracepoint bit back; one from kernel mode goes on untouched. Every
	 * register and flag as it found them. */
	endbr64				/* an indirect-branch target under CET-IBT */
	pushfq
	testb $3, 16(%rsp)		/* the frame's CS, below the RFLAGS just pushed */
	jz 1f
	swapgs
	ENTRY32_WORK
	swapgs
1:	popfq
	jmp *(CONFIG + CFG_FORWARD_INT80)(%rip); FIXUP(FIX_CONFIG)

	.org WIN_TRAMPOLINE_SYSENTER, 0xcc	/* fails to assemble if the int $0x80 entry is longer */
	/* SYSENTER: interrupts off, on Linux's SYSENTER stack, with the
	 * user's GS, as Linux's own entry starts (which also swaps GS
	 * whatever the CPL). Every register and flag as it found them: Linux
	 * reads the user's RFLAGS from the register. SYSENTER leaves TF set:
	 * a single-step trap after an instruction of this entry is a #DB in
	 * the window, which the hypervisor drops (dr.c); the first that
	 * Linux sees is at its own SYSENTER entry, which it expects. */
	endbr64
	pushfq
	swapgs
	ENTRY32_WORK
	swapgs
	popfq
	jmp *(CONFIG + CFG_FORWARD_SYSENTER)(%rip); FIXUP(FIX_CONFIG)

	/* The quick calls (syscall_quick.h), bit n for number n: read-only
	 * data of each copy. */
	.balign 8
.Lquick:
	.long QUICK_L0, QUICK_H0, QUICK_L1, QUICK_H1, QUICK_L2, QUICK_H2
	.fill 5, 8, 0			/* (numbers 192 to 511: none) */
	.globl fvx_trampoline_end
fvx_trampoline_end:

	.section .rodata.fvx_fixups, "a"
	.globl fvx_trampoline_fixups_end
fvx_trampoline_fixups_end:

	.section .note.GNU-stack, "", @progbits
