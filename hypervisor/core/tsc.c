/* Timing transparency (tsc.h). The guest reads the TSC through the TSC
 * offset (CPU_BASED_USE_TSC_OFFSETTING): every exit moves the offset back by
 * the time the exit took, from the exit stub's first RDTSC to the last step
 * before VM entry, plus the calibrated cost of the transitions around it
 * (measured by the loader at load time, FVX_VMCALL_TSC_CALIBRATE). So the
 * guest's TSC stands still while the hypervisor runs: monotonic, and a
 * CPUID costs what it costs without a hypervisor. The offset only ever
 * decreases, by at most the time that passed, so the guest's TSC never
 * goes back. Each exit also tells the analyzer what the offset now is
 * (fvx_tsc_slot.host), which stamps records with the host's TSC, the one
 * clock all CPUs share.
 *
 * Each CPU's offset moves by its own exits, so on its own the guest's TSCs
 * would part across CPUs by the difference in hypervisor time (and with
 * them CLOCK_MONOTONIC: a thread that moves to the CPU whose TSC is behind
 * would see time go back). So the CPUs even out: the CPU that hid most
 * sets the mark (tsc_state.most_hidden), and one behind it spends up to a
 * quantum more in VMX root at its next exit, hidden like the rest: its
 * guest never sees that time, which only ever goes forward, and its TSC
 * comes level with the others'. A CPU still well behind after an exit asks
 * to come back: the VMX-preemption timer brings it back after a period of
 * running, and MWAIT exiting at once when it idles (MWAIT may return at any
 * time: it is skipped). Linux's clocksource watchdog would see the TSC
 * slow down against the HPET by the hidden time; on CPUs with an invariant
 * TSC and IA32_TSC_ADJUST Linux turns the watchdog off itself. The guest's
 * TSC-deadline timer
 * is kept in guest time: the real MSR is programmed with the host time at
 * which the guest's TSC reaches the deadline, again after each exit. Writes
 * to IA32_TSC and IA32_TSC_ADJUST change the offset instead of the CPU's
 * TSC, which the hypervisor's own deadlines (sealed traces) use.
 *
 * The analyzer's time in fast mode takes no exit, so it cannot be hidden
 * this way. The trampoline measures it instead (trampoline.S), on each CPU
 * into that CPU's fvx_tsc_slot, which only the analyzer view and the
 * hypervisor can write. While some CPU traces:
 *  - harvest: at every exit, before a MOV to CR3 switches address spaces,
 *    what the slot holds goes to the address space (its PML4, CR3 bits
 *    51:12) that ran, in a table shared by all CPUs; bounded by the guest
 *    time since the last resume, so a bogus slot cannot hide more time
 *    than passed;
 *  - track: the trampoline's TSC routine asks (FVX_VMCALL_TSC_TRACK) before
 *    it first measures an address space the table lacks, so the table has
 *    it before any of its time is counted; a full table evicts the entry
 *    used longest ago, whose TSC then jumps forward by its hidden time;
 *  - follow: at every exit that finds another address space or a changed
 *    table, RDTSC exiting (and RDTSCP's, under the same control) is on
 *    exactly while an address space of the table runs: nothing else pays;
 *  - read: an RDTSC or RDTSCP of user code outside the vDSO reads the
 *    guest's TSC less its address space's hidden time, never less than it
 *    read before (threads on other CPUs, a late harvest); the kernel and
 *    the vDSO (whose clock_gettime mixes the kernel's own TSC reads with
 *    its RDTSC) read the guest's TSC as it is.
 * Exit mode's recording (its trace VMCALLs) is the analyzer's time too
 * (tsc_analyzer_exit): the offset keeps it, so the traced CPU, which exits
 * twice per call, does not fall behind the others' TSCs; with the time
 * hidden it goes to the address space as the analyzer view's does.
 * When the last CPU stops tracing, the table is emptied. VMX root only
 * (where the vDSO is: tsc_init.c, at load time). */
#include "tsc.h"
#include "exit.h"
#include "guest_mem.h"
#include "trace_ctl.h"
#include "window.h"
#include "../arch/x86/asm.h"
#include "../arch/x86/paging.h"
#include "../arch/x86/vmx.h"

static struct fvx_tsc_slot *slot(const struct vcpu *v)
{
	return (struct fvx_tsc_slot *)(v->hv->window + FVX_WIN_STACK_TOP(v->index));
}

static u64 guest_now(u64 host)
{
	return host + vmcs_read64(TSC_OFFSET);
}

/* Whether the deadline last put on the CPU is still to come: the CPU fires
 * it when its TSC reaches it (SDM 10.5.4.1). Judged by the TSC, not by
 * reading the MSR back: the SDM's CPU reads 0 once it fired, Bochs keeps
 * the value it fired at, and a fired deadline armed again fires twice. */
static bool deadline_pending(const struct vcpu *v, u64 host_now)
{
	return v->tsc.armed > host_now;
}

static void write_deadline(struct vcpu *v, u64 host_value)
{
	arch_wrmsr(MSR_IA32_TSC_DEADLINE, host_value);
	v->tsc.armed = host_value;
}

/* The real deadline for a guest deadline still to come: when the host TSC
 * reaches the guest's value with today's offset, or at once (1) when the
 * guest's TSC already passed it (a write of IA32_TSC or IA32_TSC_ADJUST
 * moved it on). One that fired, or fires now, is left alone: after this
 * exit the guest's TSC may be short of it again, by the transition cost and
 * the exit's own time, but its interrupt is delivered or pending, and
 * arming it again would fire it twice. */
static void arm_deadline(struct vcpu *v, u64 host_now)
{
	u64 d = v->tsc.deadline;

	if (!d || !deadline_pending(v, host_now))
		return;
	write_deadline(v, d > guest_now(host_now) ? d - vmcs_read64(TSC_OFFSET) : 1);
	v->tsc.rearmed++;
}

/* One CPU's looks (tsc_look): the preemption timer every TSC_EVEN_LOOK,
 * or off (unless this CPU cannot clear it). */
static void look_alone(struct vcpu *v, bool on)
{
	const struct hv *hv = v->hv;
	u32 pin = vmcs_read32(PIN_BASED_VM_EXEC_CONTROL) & ~PIN_BASED_VMX_PREEMPTION_TIMER;

	if (on || (hv->ctls.pin & PIN_BASED_VMX_PREEMPTION_TIMER))
		pin |= PIN_BASED_VMX_PREEMPTION_TIMER;
	vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, (TSC_EVEN_LOOK >> hv->tsc.timer_shift) ?: 1);
	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, pin);
	v->tsc.looks = on;
}

/* How soon this CPU comes back: while it is more than TSC_EVEN_NEAR behind,
 * after TSC_EVEN_PERIOD ticks of running and at its next MWAIT; else after
 * TSC_EVEN_LOOK, to look whether another CPU got ahead meanwhile (a CPU
 * that cannot clear MWAIT exiting keeps it: SDM A.3). With one CPU, only
 * the looks another concern wants (tsc_look), and no timer without them. */
static void call_back(struct vcpu *v, bool on)
{
	const struct hv *hv = v->hv;
	u32 proc;

	if (!hv->tsc.call_back) {
		if (hv->tsc.timer && v->tsc.look_wanted != v->tsc.looks)
			look_alone(v, v->tsc.look_wanted);
		return;
	}
	if (v->tsc.looks && on == v->tsc.called)
		return;
	proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) & ~CPU_BASED_MWAIT_EXITING;
	if (on || (hv->ctls.proc & CPU_BASED_MWAIT_EXITING))
		proc |= CPU_BASED_MWAIT_EXITING;
	/* Loaded at every VM entry (the exit does not save it); never 0,
	 * which would exit before the guest ran at all. */
	vmcs_write32(VMX_PREEMPTION_TIMER_VALUE,
		     ((on ? TSC_EVEN_PERIOD : TSC_EVEN_LOOK) >> hv->tsc.timer_shift) ?: 1);
	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL,
		     vmcs_read32(PIN_BASED_VM_EXEC_CONTROL) | PIN_BASED_VMX_PREEMPTION_TIMER);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
	v->tsc.called = on;
	v->tsc.looks = true;
}

void tsc_look(struct vcpu *v, bool on)
{
	v->tsc.look_wanted = on;
}

/* Lets this CPU off what it owes beyond TSC_EVEN_DEBT_MAX. */
static void forgive(struct vcpu *v, u64 most)
{
	if (most > v->tsc.level + TSC_EVEN_DEBT_MAX) {
		v->tsc.forgiven += most - TSC_EVEN_DEBT_MAX - v->tsc.level;
		v->tsc.level = most - TSC_EVEN_DEBT_MAX;
	}
}

/* Evens this CPU out, this exit having taken `spent` ticks so far: while
 * it is behind the most any CPU hid it spends up to TSC_EVEN_QUANTUM more
 * here (from `now`, the last RDTSC; *now becomes the last one), but never
 * up to a TSC deadline still to come, which must not fire before the
 * guest's TSC reaches it. All of it is hidden, what the last read
 * overshot too (a few ticks: less than TSC_EVEN_NEAR, so no other CPU
 * comes back for it; shown, it would vary the visible cost of an exit,
 * and the transition calibrated at load with it). Whether it caught up. */
static bool even_out(struct vcpu *v, u64 spent, u64 *now)
{
	u64 most = __atomic_load_n(&v->hv->tsc.most_hidden, __ATOMIC_RELAXED), start = *now, owed,
	    until;

	forgive(v, most);
	if (v->tsc.level + spent >= most)
		return false;
	owed = most - v->tsc.level - spent;
	until = start + (owed < TSC_EVEN_QUANTUM ? owed : TSC_EVEN_QUANTUM);
	if (v->tsc.deadline && deadline_pending(v, start) && v->tsc.armed < until)
		until = v->tsc.armed;
	while (*now < until) {
		__builtin_ia32_pause();
		*now = arch_rdtsc();
	}
	v->tsc.evened += *now - start;
	return true;
}

/* Raises the mark to `level`; returns it as it was. */
static u64 raise_mark(struct tsc_state *t, u64 level)
{
	u64 most = __atomic_load_n(&t->most_hidden, __ATOMIC_RELAXED);

	while (most < level && !__atomic_compare_exchange_n(&t->most_hidden, &most, level, false,
							    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	return most;
}

static void analyzer_exit(struct vcpu *v);

void tsc_hide_exit(struct vcpu *v)
{
	u64 now, spent = 0, offset, most;
	bool caught_up;

	if (v->tsc.analyzer_exit) {
		analyzer_exit(v);
		return;
	}
	now = arch_rdtsc();
	caught_up = even_out(v, now - v->tsc.exit_tsc + v->tsc.transition, &now);

	/* The timer's exit that only looked (this CPU was level) stays in the
	 * guest's time, a short stall as an interrupt is: hidden, it would
	 * put this CPU ahead of the mark and every other one behind it. (One
	 * CPU's looks, tsc_look, have no one to be ahead of: hidden.) */
	if (!caught_up && v->hv->tsc.call_back &&
	    (vmcs_read32(VM_EXIT_REASON) & 0xffff) == EXIT_REASON_PREEMPTION_TIMER) {
		call_back(v, false);
	} else {
		/* The mark and the timer before the last reading: their cost
		 * varies, and what follows it is the calibrated transition. (So
		 * the mark lags this CPU by their cost: under TSC_EVEN_NEAR.) */
		u64 level = v->tsc.level + now - v->tsc.exit_tsc + v->tsc.transition;

		most = raise_mark(&v->hv->tsc, level);
		call_back(v, most > level + TSC_EVEN_NEAR);
		now = arch_rdtsc();
		spent = now - v->tsc.exit_tsc + v->tsc.transition;
	}
	offset = vmcs_read64(TSC_OFFSET) - spent;
	vmcs_write64(TSC_OFFSET, offset);
	if (v->hv->window) /* (always, but in unit tests) */
		__atomic_store_n(&slot(v)->host, -offset, __ATOMIC_RELAXED);
	v->tsc.hidden += spent;
	v->tsc.level += spent;
	v->tsc.resumed = now + offset;
	arm_deadline(v, now);
}

enum tsc_msr tsc_msr_read(struct vcpu *v, u32 msr, u64 *value)
{
	if (msr == MSR_IA32_TSC_DEADLINE) {
		/* 0 once it fired, as the CPU clears it (SDM 10.5.4.1). */
		*value = deadline_pending(v, arch_rdtsc()) ? v->tsc.deadline : 0;
		return TSC_MSR_DONE;
	}
	if (msr == MSR_IA32_TSC_ADJUST) {
		*value = v->tsc.tsc_adjust;
		return v->tsc.has_adjust ? TSC_MSR_DONE : TSC_MSR_GP;
	}
	return TSC_MSR_OTHER;
}

/* The guest set its TSC itself (Linux does, to line a CPU up with the
 * others): what this CPU owed is no longer owed, or evening out would undo
 * the guest's own correction. */
static void level_after_write(struct vcpu *v)
{
	u64 most = __atomic_load_n(&v->hv->tsc.most_hidden, __ATOMIC_RELAXED);

	if (most > v->tsc.level) {
		v->tsc.forgiven += most - v->tsc.level;
		v->tsc.level = most;
	}
}

enum tsc_msr tsc_msr_write(struct vcpu *v, u32 msr, u64 value)
{
	if (msr == MSR_IA32_TSC_DEADLINE) {
		v->tsc.deadline = value;
		if (value && value <= guest_now(arch_rdtsc()))
			value = 1; /* in the past: fire now */
		else if (value)
			value -= vmcs_read64(TSC_OFFSET);
		write_deadline(v, value);
		return TSC_MSR_DONE;
	}
	if (msr == MSR_IA32_TSC) {
		/* The guest's TSC becomes value (SDM 17.17.3), the CPU's stays. */
		vmcs_write64(TSC_OFFSET, value - arch_rdtsc());
		level_after_write(v);
		return TSC_MSR_DONE;
	}
	if (msr == MSR_IA32_TSC_ADJUST) {
		if (!v->tsc.has_adjust)
			return TSC_MSR_GP;
		/* Adding to IA32_TSC_ADJUST adds to the TSC (SDM 17.17.3). */
		vmcs_write64(TSC_OFFSET, vmcs_read64(TSC_OFFSET) + (value - v->tsc.tsc_adjust));
		v->tsc.tsc_adjust = value;
		level_after_write(v);
		return TSC_MSR_DONE;
	}
	return TSC_MSR_OTHER;
}

s64 tsc_calibrate(struct vcpu *v, struct guest_regs *r)
{
	/* Only the loader knows the key; an attacker with a larger value
	 * could make the guest's TSC go back at each exit. */
	if (r->rbx != v->hv->unload_key) {
		v->bad_unload_keys++;
		return FVX_VMCALL_EPERM;
	}
	if (r->rcx > TSC_TRANSITION_MAX)
		return FVX_VMCALL_EINVAL;
	v->tsc.transition = r->rcx;
	return FVX_VMCALL_OK;
}

/* ---- the analyzer's time ---- */

static void lock(struct tsc_state *t)
{
	while (__atomic_exchange_n(&t->lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}

static void unlock(struct tsc_state *t)
{
	__atomic_store_n(&t->lock, 0, __ATOMIC_RELEASE);
}

/* While some CPU traces a trace that asked for it (FVX_TRACE_HIDE_TIME),
 * on a CPU that can switch RDTSC exiting on. */
static bool hiding(const struct hv *hv)
{
	return hv->tsc.rdtsc_exiting && hv->trace_hide_time &&
	       __atomic_load_n(&hv->tracing_cpus, __ATOMIC_ACQUIRE);
}

/* The table's key for the address space CR3 names: its PML4, without the
 * PCID (and whatever else is not an address). */
static u64 space_key(u64 cr3)
{
	return (cr3 & PTE_ADDR) | TSC_SPACE_USED;
}

/* Under the lock. */
static struct tsc_space *find(struct tsc_state *t, u64 key)
{
	unsigned int i;

	for (i = 0; i < TSC_SPACES; i++)
		if (t->space[i].key == key)
			return &t->space[i];
	return NULL;
}

static void touch(struct tsc_state *t, struct tsc_space *e)
{
	e->used = ++t->clock;
}

void tsc_harvest(struct vcpu *v)
{
	struct tsc_state *t = &v->hv->tsc;
	struct fvx_tsc_slot *s;
	struct tsc_space *e;
	u64 ticks, most;

	if (!v->tsc.hiding)
		return;
	s = slot(v);
	ticks = __atomic_load_n(&s->hidden, __ATOMIC_RELAXED);
	if (!ticks)
		return;
	__atomic_store_n(&s->hidden, 0, __ATOMIC_RELAXED);
	/* The analyzer ran since the guest last resumed, within the guest
	 * time that passed since: never more is hidden. */
	most = guest_now(v->tsc.exit_tsc) - v->tsc.resumed;
	if ((s64)most < 0)
		most = 0;
	if (ticks > most)
		ticks = most;
	if (!ticks)
		return;
	lock(t);
	e = find(t, space_key(vmcs_readl(GUEST_CR3)));
	/* Not there: evicted since this CPU last looked, and its TSC has
	 * already jumped forward; this time stays visible. */
	if (e) {
		e->hidden += ticks;
		touch(t, e);
		v->tsc.analyzer += ticks;
	}
	unlock(t);
}

void tsc_follow(struct vcpu *v)
{
	struct hv *hv = v->hv;
	struct tsc_state *t = &hv->tsc;
	u64 key = space_key(vmcs_readl(GUEST_CR3)), now;
	u32 generation = __atomic_load_n(&t->generation, __ATOMIC_ACQUIRE), proc;
	bool hide = hiding(hv), on = false, track;
	struct tsc_space *e;

	if (key == v->tsc.space && generation == v->tsc.generation)
		return;
	if (hide) {
		now = guest_now(v->tsc.exit_tsc);
		lock(t);
		/* An address space of the table that ran here with RDTSC
		 * exiting off (it joined while running, on another CPU) may
		 * have read up to now: it never reads less from here on. */
		e = v->tsc.exiting ? NULL : find(t, v->tsc.space);
		if (e && e->last < now)
			e->last = now;
		on = find(t, key) != NULL;
		unlock(t);
		/* What the slot holds was measured while nothing was hidden. */
		if (!v->tsc.hiding)
			__atomic_store_n(&slot(v)->hidden, 0, __ATOMIC_RELAXED);
	}
	v->tsc.space = key;
	v->tsc.generation = generation;
	v->tsc.hiding = hide;
	if (on != v->tsc.exiting) {
		/* Off unless this CPU cannot clear it (SDM A.3.2). */
		proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) & ~CPU_BASED_RDTSC_EXITING;
		if (on || (hv->ctls.proc & CPU_BASED_RDTSC_EXITING))
			proc |= CPU_BASED_RDTSC_EXITING;
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
		v->tsc.exiting = on;
	}
	track = hide && !on;
	if (track != v->tsc.track) {
		__atomic_store_n(&slot(v)->track, track, __ATOMIC_RELAXED);
		v->tsc.track = track;
	}
}

/* The table's entry for key, added when it lacks it (a full table evicts
 * the entry used longest ago). Under the lock. */
static struct tsc_space *join(struct tsc_state *t, u64 key)
{
	struct tsc_space *e = find(t, key), *oldest;
	unsigned int i;

	if (e)
		return e;
	e = find(t, 0);
	if (!e) {
		for (oldest = &t->space[0], i = 1; i < TSC_SPACES; i++)
			if (t->space[i].used < oldest->used)
				oldest = &t->space[i];
		e = oldest;
		t->evicted++;
	} else {
		t->count++;
	}
	*e = (struct tsc_space){ .key = key };
	touch(t, e);
	/* Every CPU decides its RDTSC exiting anew at its next exit. */
	__atomic_add_fetch(&t->generation, 1, __ATOMIC_RELEASE);
	return e;
}

s64 tsc_track(struct vcpu *v, struct guest_regs *r)
{
	struct hv *hv = v->hv;
	struct tsc_state *t = &hv->tsc;

	if (!trace_from_own_copy(v, 0, FVX_WIN_TRAMPOLINE_EXIT))
		return FVX_VMCALL_EPERM;
	if (!hiding(hv))
		return FVX_VMCALL_OK;
	lock(t);
	join(t, space_key(vmcs_readl(GUEST_CR3)));
	unlock(t);
	return FVX_VMCALL_OK;
}

void tsc_analyzer_exit(struct vcpu *v, u64 extra)
{
	v->tsc.analyzer_exit = true;
	v->tsc.analyzer_extra = extra;
}

/* The last step of an analyzer's exit (tsc_analyzer_exit): the offset
 * stays; with the time hidden, the exit's time (to this last reading, and
 * the calibrated transition) and the extra go to the address space, which
 * joins the table here if it must (the exit-mode trampoline has no TSC
 * routine to ask first), and RDTSC exiting follows at once: here it never
 * reads less than the guest's TSC when this exit began. (A thread of the
 * same address space on another CPU reads the guest's TSC as it is until
 * that CPU's next exit decides its RDTSC exiting anew, as when fast mode's
 * trampoline asks to track a space: a window of up to a timer tick.) */
static void analyzer_exit(struct vcpu *v)
{
	struct tsc_state *t = &v->hv->tsc;
	u64 now, ticks;
	struct tsc_space *e;

	v->tsc.analyzer_exit = false;
	if (hiding(v->hv)) {
		lock(t);
		e = join(t, space_key(vmcs_readl(GUEST_CR3)));
		touch(t, e);
		now = arch_rdtsc();
		ticks = now - v->tsc.exit_tsc + v->tsc.transition + v->tsc.analyzer_extra;
		e->hidden += ticks;
		v->tsc.analyzer += ticks;
		unlock(t);
		tsc_follow(v);
	}
	v->tsc.resumed = guest_now(arch_rdtsc());
}

void tsc_tracing_changed(struct hv *hv)
{
	struct tsc_state *t = &hv->tsc;
	unsigned int i;

	lock(t);
	if (!__atomic_load_n(&hv->tracing_cpus, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < TSC_SPACES; i++)
			t->space[i].key = 0;
		t->count = 0;
	}
	__atomic_add_fetch(&t->generation, 1, __ATOMIC_RELEASE);
	unlock(t);
}

/* Whether the guest's RIP is in the vDSO's code: its pages are the same
 * physical pages in every address space. */
static bool in_vdso(const struct vcpu *v)
{
	const struct hv *hv = v->hv;
	u64 gpa;
	unsigned int i;

	if (!guest_virt_to_phys(hv, vmcs_readl(GUEST_CR3), vmcs_readl(GUEST_RIP), &gpa))
		return false;
	for (i = 0; i < TSC_VDSO_IMAGES; i++)
		if (gpa - hv->tsc.vdso[i].start < hv->tsc.vdso[i].end - hv->tsc.vdso[i].start)
			return true;
	return false;
}

/* What user code of the address space that runs reads at guest time now. */
static u64 user_read(struct vcpu *v, u64 now)
{
	struct tsc_state *t = &v->hv->tsc;
	struct tsc_space *e;
	u64 value = now;

	lock(t);
	e = find(t, space_key(vmcs_readl(GUEST_CR3)));
	if (e) {
		value = now > e->hidden ? now - e->hidden : 0;
		if (value < e->last)
			value = e->last;
		e->last = value;
		touch(t, e);
		v->tsc.adjusted++;
	}
	unlock(t);
	return value;
}

/* RDTSC and RDTSCP (SDM Vol. 2): the guest's TSC when the exit began, as
 * tsc_hide_exit counts it, less the address space's analyzer time for user
 * code outside the vDSO; RDTSCP also reads IA32_TSC_AUX, which the guest
 * owns (the MSR bitmap lets it through). In 64-bit mode the upper halves
 * of the registers are cleared. */
enum exit_action handle_rdtsc(struct vcpu *v, struct guest_regs *r)
{
	u64 value = guest_now(v->tsc.exit_tsc);

	if (guest_cpl() == 3 && !in_vdso(v))
		value = user_read(v, value);
	r->rax = (u32)value;
	r->rdx = value >> 32;
	if ((vmcs_read32(VM_EXIT_REASON) & 0xffff) == EXIT_REASON_RDTSCP)
		r->rcx = (u32)arch_rdmsr(MSR_IA32_TSC_AUX);
	guest_skip_instruction();
	return EXIT_RESUME;
}

/* The two ways back of a CPU that catches up (call_back): an MWAIT, which
 * may return at any time (SDM Vol. 2), returns at once, after the exit
 * caught up; the preemption timer's exit does nothing but that. */
enum exit_action handle_mwait(struct vcpu *v, struct guest_regs *r)
{
	/* ECX's bits but bit 0 (interrupts break the wait) are reserved: #GP,
	 * as natively (SDM Vol. 2, MWAIT). */
	if ((u32)r->rcx & ~1u) {
		guest_inject_exception(VECTOR_GP, true, 0);
		return EXIT_RESUME;
	}
	guest_skip_instruction();
	return EXIT_RESUME;
}

enum exit_action handle_preemption_timer(struct vcpu *v, struct guest_regs *r)
{
	return EXIT_RESUME;
}
