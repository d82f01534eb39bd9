/* The default analyzer (analyzers/syscall.c) run on the host as plain
 * functions (FVX_ANALYZER_HOST: the test is the CPU's per-CPU area, TSC and
 * CR3): the records it writes for a call's entry and return, in place for
 * a call without data records (getpid) as a 32-bit twin's through the
 * copy, what it leaves out, and a full or hostile ring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define FVX_ANALYZER_HOST
#include "../../analyzers/syscall.c"

#define CPUS 2
#define RING_BYTES (FVX_RING_RECORDS + 64 * sizeof(struct fvx_trace_record)) /* 64 records */
#define TASK_PID 0x40
#define TASK_TGID 0x44
#define TASK_PARENT 0x48
#define CURRENT 0x100 /* the per-CPU offset of `current_task` */

static unsigned char *window;
static struct fvx_ring_consumer tails[CPUS];
static struct fvx_config cfg;
static __u64 task[32];
static __u64 percpu[0x200 / 8];
static __u64 tsc = 1000;

__u64 fvx_host_percpu_read64(__u64 off)
{
	return percpu[off / 8];
}

__u64 fvx_host_rdtsc(void)
{
	return tsc += 10;
}

__u64 fvx_host_cr3(void)
{
	return 0xabc000;
}

static void task_field(size_t off, __u32 value)
{
	memcpy((char *)task + off, &value, sizeof(value));
}

static struct fvx_ring_header *ring(__u64 cpu)
{
	return fvx_ring(&cfg, cpu);
}

static const struct fvx_trace_record *at(__u64 cpu, __u64 i)
{
	return fvx_ring_slot(ring(cpu), cfg.geometry.capacity, i);
}

static int setup(void **state)
{
	__u64 cpu;

	(void)state;
	window = calloc(1, FVX_WIN_RINGS + CPUS * RING_BYTES);
	if (!window)
		return -1;
	memset(tails, 0, sizeof(tails));
	cfg = (struct fvx_config){
		.window_va = (__u64)window,
		.consumer_va = (__u64)tails,
		.geometry = { .ring_bytes = RING_BYTES,
			      .capacity = fvx_ring_capacity(RING_BYTES),
			      .cpu_count = CPUS,
			      .record_size = sizeof(struct fvx_trace_record) },
		.mode = FVX_MODE_FAST,
		.flags = FVX_CONFIG_RETRY,
		.task = { .current_task = CURRENT,
			  .pid = TASK_PID,
			  .tgid = TASK_TGID,
			  .real_parent = TASK_PARENT },
		.filter = { .target_tgid = 500 },
	};
	cfg.filter.syscalls[__NR_getpid / 64] |= 1ULL << (__NR_getpid % 64);
	cfg.filter.syscalls[__NR_rt_sigreturn / 64] |= 1ULL << (__NR_rt_sigreturn % 64);
	cfg.filter.syscalls[__NR_chmod / 64] |= 1ULL << (__NR_chmod % 64);
	for (cpu = 0; cpu < CPUS; cpu++) {
		fvx_ring_init(ring(cpu), RING_BYTES);
		/* Slots as a lap before left them: each record writes every field. */
		memset((char *)ring(cpu) + FVX_RING_RECORDS, 0xa5, RING_BYTES - FVX_RING_RECORDS);
		((struct fvx_tsc_slot *)(window + FVX_WIN_STACK_TOP(cpu)))->host =
			1000000 * (cpu + 1);
	}
	memset(task, 0, sizeof(task));
	task_field(TASK_PID, 501);
	task_field(TASK_TGID, 500);
	percpu[CURRENT / 8] = (__u64)task;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(window);
	return 0;
}

static void *data(void)
{
	return window + FVX_WIN_DATA;
}

static int entry(__u64 cpu, __u64 nr, __u64 flags)
{
	struct fvx_event ev = {
		.nr = nr, .args = { 1, 2, 3, 4, 5, 6 }, .cpu = cpu, .flags = flags
	};

	return fvx_entry(&ev, &cfg, data());
}

static void ret(__u64 cpu, __u64 nr, __u64 flags, __s64 value, __u64 arg0)
{
	struct fvx_event ev = { .nr = nr,
				.args = { (__u64)value },
				.cpu = cpu,
				.flags = flags | FVX_RECORD_RETURN,
				.call_args = { arg0, 8, 9 } };

	fvx_return(&ev, &cfg, data());
}

/* A quick call's return as the trampoline hands it over while quick
 * calls skip their entry: pt_regs's arguments in call_args, the value,
 * FVX_RECORD_WHOLE, and whether the thread can make it again. */
static int whole(__u64 cpu, __u64 nr, __u64 flags, __s64 value)
{
	struct fvx_event ev = { .nr = nr,
				.args = { (__u64)value },
				.cpu = cpu,
				.flags = flags | FVX_RECORD_RETURN | FVX_RECORD_WHOLE,
				.call_args = { 11, 12, 13, 14, 15, 16 } };

	return fvx_return(&ev, &cfg, data());
}

/* getpid, entry and return, on CPU 1: two records in CPU 1's ring,
 * numbered, stamped with the host's clock (the guest's TSC plus the
 * hypervisor's offset) and the CR3, the task's ids, the arguments, then
 * the value. */
static void a_plain_call_is_written_in_place(void **state)
{
	const struct fvx_trace_record *e = at(1, 0), *r = at(1, 1);
	__u64 i;

	(void)state;
	assert_int_equal(entry(1, __NR_getpid, 0), FVX_ENTRY_DONE);
	ret(1, __NR_getpid, 0, 501, 0);
	assert_int_equal(ring(1)->head, 2);
	assert_int_equal(ring(0)->head, 0);
	assert_int_equal(e->seq, 1);
	assert_int_equal(r->seq, 2);
	assert_int_equal(e->nr, __NR_getpid);
	assert_int_equal(e->flags, 0);
	assert_int_equal(r->flags, FVX_RECORD_RETURN);
	for (i = 0; i < 6; i++)
		assert_int_equal(e->args[i], i + 1);
	assert_int_equal(r->args[0], 501);
	for (i = 1; i < 6; i++)
		assert_int_equal(r->args[i], 0);
	assert_int_equal(e->pid, 501);
	assert_int_equal(e->tgid, 500);
	assert_int_equal(r->pid, 501);
	assert_int_equal(e->cpu, 1);
	assert_int_equal(e->cr3, 0xabc000);
	assert_int_equal(e->tsc, 2000000 + 1010);
	assert_int_equal(r->tsc, 2000000 + 1020);
}

/* The same call made through int $0x80 (i386 getpid, 20) goes through the
 * copy a call with data records takes: its record says the same but for
 * the number and the 32-bit flag. */
static void the_copy_and_the_in_place_write_agree(void **state)
{
	struct fvx_trace_record plain, copied;

	(void)state;
	assert_int_equal(entry(0, __NR_getpid, 0), FVX_ENTRY_DONE);
	assert_int_equal(entry(0, 20, FVX_RECORD_COMPAT), FVX_ENTRY_DONE);
	ret(0, __NR_getpid, 0, -3, 0);
	ret(0, 20, FVX_RECORD_COMPAT, -3, 0);
	assert_int_equal(ring(0)->head, 4);
	for (int i = 0; i < 2; i++) {
		plain = *at(0, i * 2);
		copied = *at(0, i * 2 + 1);
		assert_int_equal(plain.nr, __NR_getpid);
		assert_int_equal(copied.nr, 20);
		assert_int_equal(copied.flags, plain.flags | FVX_RECORD_COMPAT);
		assert_int_equal(copied.seq, plain.seq + 1);
		assert_int_equal(copied.tsc, plain.tsc + 10);
		copied.nr = plain.nr;
		copied.flags = plain.flags;
		copied.seq = plain.seq;
		copied.tsc = plain.tsc;
		assert_memory_equal(&plain, &copied, sizeof(plain));
	}
}

/* rt_sigreturn's return shows the mask it restored (the agent's first
 * argument) beside its value; a 32-bit one's (i386 173) does not, nor a
 * 32-bit call of rt_sigreturn's x86-64 number (i386 15 is chmod). */
static void rt_sigreturn_returns_its_mask(void **state)
{
	(void)state;
	ret(0, __NR_rt_sigreturn, 0, -4, 0x4000);
	ret(0, 173, FVX_RECORD_COMPAT, -4, 0x4000);
	ret(0, __NR_rt_sigreturn, FVX_RECORD_COMPAT, -4, 0x4000);
	assert_int_equal(ring(0)->head, 3);
	assert_int_equal(at(0, 0)->args[0], (__u64)-4);
	assert_int_equal(at(0, 0)->args[1], 0x4000);
	assert_int_equal(at(0, 1)->args[1], 0);
	assert_int_equal(at(0, 2)->nr, __NR_rt_sigreturn);
	assert_int_equal(at(0, 2)->flags, FVX_RECORD_RETURN | FVX_RECORD_COMPAT);
	assert_int_equal(at(0, 2)->args[1], 0);
}

/* A thread's entry forgets what its last call left to read again at its
 * return (the again table, trace_capture.h), in place as through the copy;
 * a return, or another thread's entry, leaves it. */
static void an_entry_forgets_the_threads_last_call(void **state)
{
	__u64 *again = ((struct fvx_trace_data *)data())->again;
	__u64 *slot = &again[501 % FVX_AGAIN_SLOTS];
	const __u64 pending = 501 | (__u64)__NR_openat << 32 | 1ULL << 56;

	(void)state;
	*slot = pending;
	ret(0, __NR_getpid, 0, 501, 0);
	assert_int_equal(*slot, pending);
	task_field(TASK_PID, 501 + FVX_AGAIN_SLOTS); /* (the same slot) */
	assert_int_equal(entry(0, __NR_getpid, 0), FVX_ENTRY_DONE);
	assert_int_equal(*slot, pending);
	task_field(TASK_PID, 501);
	assert_int_equal(entry(0, __NR_getpid, 0), FVX_ENTRY_DONE);
	assert_int_equal(*slot, 0);
	*slot = pending;
	assert_int_equal(entry(0, 20, FVX_RECORD_COMPAT), FVX_ENTRY_DONE);
	assert_int_equal(*slot, 0);
}

/* A quick call recorded whole: one record, its first five arguments
 * (pt_regs's) and its value in the sixth, FVX_RECORD_WHOLE with
 * FVX_RECORD_RETURN; it begins a call, so it forgets the thread's last
 * one as an entry does. FVX_RECORD_WHOLE on a call that is not quick
 * (chmod, which has its entry: a hostile reporter's) or a 32-bit one is
 * not taken: a plain return is written. */
static void a_quick_call_is_one_record(void **state)
{
	__u64 *slot = &((struct fvx_trace_data *)data())->again[501 % FVX_AGAIN_SLOTS];
	const struct fvx_trace_record *r = at(0, 0);
	__u64 i;

	(void)state;
	assert_true(fvx_syscall_quick(__NR_getpid));
	*slot = 501 | (__u64)__NR_openat << 32 | 1ULL << 56;
	assert_int_equal(whole(0, __NR_getpid, FVX_EVENT_MAY_WAIT, 501), FVX_ENTRY_DONE);
	assert_int_equal(ring(0)->head, 1);
	assert_int_equal(r->nr, __NR_getpid);
	assert_int_equal(r->flags, FVX_RECORD_RETURN | FVX_RECORD_WHOLE);
	for (i = 0; i < FVX_QUICK_VALUE; i++)
		assert_int_equal(r->args[i], 11 + i);
	assert_int_equal(r->args[FVX_QUICK_VALUE], 501);
	assert_int_equal(r->pid, 501);
	assert_int_equal(r->seq, 1);
	assert_int_equal(*slot, 0);
	assert_false(fvx_syscall_quick(__NR_chmod));
	assert_int_equal(whole(0, __NR_chmod, FVX_EVENT_MAY_WAIT, -2), FVX_ENTRY_DONE);
	assert_int_equal(at(0, 1)->flags, FVX_RECORD_RETURN);
	assert_int_equal(at(0, 1)->args[0], (__u64)-2);
	assert_int_equal(whole(0, 20, FVX_RECORD_COMPAT, 501), FVX_ENTRY_DONE);
	assert_int_equal(at(0, 2)->flags, FVX_RECORD_RETURN | FVX_RECORD_COMPAT);
	assert_int_equal(at(0, 2)->args[0], 501);
	assert_int_equal(ring(0)->head, 3);
}

/* Each quick call reads nothing of the caller's memory, at its entry or
 * its return, and has a free argument for its value: recorded whole, it
 * loses nothing a record of its entry would have shown. */
static void quick_calls_have_nothing_to_capture(void **state)
{
	__u64 nr, n = 0;

	(void)state;
	for (nr = 0; nr < 512; nr++) {
		const struct fvx_syscall_decl *d = fvx_record_decl(nr, 0);

		assert_int_equal(fvx_syscall_quick(nr), FVX_QUICK_WORD(nr / 64) >> (nr % 64) & 1);
		if (!fvx_syscall_quick(nr))
			continue;
		n++;
		assert_false(fvx_capture_any(nr, 0));
		assert_false(fvx_capture_any(nr, FVX_RECORD_RETURN));
		if (d)
			assert_int_equal(d->args[FVX_QUICK_VALUE], FVX_ARG_END);
	}
	assert_int_equal(n, 15);
}

/* A ring with only the returns' headroom left: a whole call the thread
 * can make again waits (FVX_ENTRY_RETRY, nothing written), as its entry
 * would have; one it cannot (reported from a stop, an rseq abort or a
 * signal's delivery, no FVX_EVENT_MAY_WAIT) is dropped, counted if its
 * task is selected: it never
 * takes the headroom kept for the returns of calls under way, which a
 * sample's flood of such calls would otherwise take from them. */
static void a_full_ring_makes_quick_calls_wait(void **state)
{
	__u64 capacity = cfg.geometry.capacity, n = 0;

	(void)state;
	while (n <= capacity && whole(0, __NR_getppid, FVX_EVENT_MAY_WAIT, 1) == FVX_ENTRY_DONE)
		n++;
	assert_int_equal(n, capacity - FVX_RING_HEADROOM(capacity));
	assert_int_equal(ring(0)->head, n);
	assert_int_equal(whole(0, __NR_getppid, 0, 1), FVX_ENTRY_DONE);
	assert_int_equal(ring(0)->head, n);
	assert_int_equal(ring(0)->dropped, 1);
	/* (Another process's, not selected, is no drop.) */
	task_field(TASK_TGID, 600);
	assert_int_equal(whole(0, __NR_getppid, 0, 1), FVX_ENTRY_DONE);
	assert_int_equal(ring(0)->dropped, 1);
	task_field(TASK_TGID, 500);
	/* The headroom is still there for a return. */
	ret(0, __NR_getpid, 0, 501, 0);
	assert_int_equal(ring(0)->head, n + 1);
	assert_int_equal(at(0, n)->flags, FVX_RECORD_RETURN);
	/* Drained: both go in. */
	tails[0].tail = ring(0)->head;
	assert_int_equal(whole(0, __NR_getppid, 0, 1), FVX_ENTRY_DONE);
	assert_int_equal(whole(0, __NR_getppid, FVX_EVENT_MAY_WAIT, 1), FVX_ENTRY_DONE);
	assert_int_equal(ring(0)->head, n + 3);
	assert_int_equal(at(0, n + 1)->flags, FVX_RECORD_RETURN | FVX_RECORD_WHOLE);
	assert_int_equal(ring(0)->dropped, 1);
	/* Without waiting (--drop): written until full, then counted. */
	cfg.flags &= ~FVX_CONFIG_RETRY;
	for (n = 0; n < capacity + 3; n++)
		assert_int_equal(whole(1, __NR_getppid, FVX_EVENT_MAY_WAIT, 1), FVX_ENTRY_DONE);
	assert_int_equal(ring(1)->head, capacity);
	assert_int_equal(ring(1)->dropped, 3);
}

/* What the trace does not select writes nothing: a 32-bit call whose
 * number the filter leaves out (i386 close, 6), another process's task, a
 * CPU beyond the rings. (A 64-bit number the filter leaves out does not
 * reach the analyzer: the trampoline's entries test it first,
 * test_trampoline.) */
static void what_is_not_selected_writes_nothing(void **state)
{
	(void)state;
	assert_int_equal(entry(0, 6, FVX_RECORD_COMPAT), FVX_ENTRY_DONE);
	ret(0, 6, FVX_RECORD_COMPAT, 0, 0);
	assert_int_equal(entry(CPUS, __NR_getpid, 0), FVX_ENTRY_DONE);
	ret(CPUS, __NR_getpid, 0, 0, 0);
	task_field(TASK_TGID, 600);
	assert_int_equal(entry(0, __NR_getpid, 0), FVX_ENTRY_DONE);
	ret(0, __NR_getpid, 0, 0, 0);
	assert_int_equal(ring(0)->head, 0);
	assert_int_equal(ring(1)->head, 0);
	assert_int_equal(ring(0)->dropped + ring(1)->dropped, 0);
}

/* A ring the frontend has not drained: an entry waits (FVX_ENTRY_RETRY,
 * nothing written) once only the returns' headroom is left, which its
 * return may still take; a full ring drops a return, counted. Without
 * waiting (--drop), entries fill the ring and the rest are counted. */
static void a_full_ring_makes_entries_wait_and_counts_drops(void **state)
{
	__u64 capacity = cfg.geometry.capacity, n = 0;

	(void)state;
	while (n <= capacity && entry(0, __NR_getpid, 0) == FVX_ENTRY_DONE)
		n++;
	assert_int_equal(n, capacity - FVX_RING_HEADROOM(capacity));
	assert_int_equal(ring(0)->head, n);
	for (n = ring(0)->head; n < capacity; n++)
		ret(0, __NR_getpid, 0, 1, 0);
	assert_int_equal(ring(0)->dropped, 0);
	ret(0, __NR_getpid, 0, 1, 0);
	assert_int_equal(ring(0)->dropped, 1);
	assert_int_equal(ring(0)->head, capacity);
	/* Drained: the entry goes in. */
	tails[0].tail = capacity;
	assert_int_equal(entry(0, __NR_getpid, 0), FVX_ENTRY_DONE);
	assert_int_equal(at(0, capacity)->seq, capacity + 1);
	cfg.flags &= ~FVX_CONFIG_RETRY;
	for (n = 0; n < capacity + 5; n++)
		assert_int_equal(entry(1, __NR_getpid, 0), FVX_ENTRY_DONE);
	assert_int_equal(ring(1)->head, capacity);
	assert_int_equal(ring(1)->dropped, 5);
}

/* A ring header the guest rewrote (a larger capacity, a head that points
 * elsewhere): records still go where the producer's own capacity says,
 * inside the ring, and nothing beyond it is written. */
static void a_rewritten_header_moves_no_write_outside(void **state)
{
	__u64 capacity = cfg.geometry.capacity, n;
	unsigned char *after = (unsigned char *)ring(0) + RING_BYTES;
	unsigned char before[RING_BYTES];

	(void)state;
	cfg.flags &= ~FVX_CONFIG_RETRY;
	memcpy(before, after, RING_BYTES); /* (CPU 1's ring follows) */
	ring(0)->capacity = 1ULL << 40;
	ring(0)->head = 5 * capacity + 3;
	tails[0].tail = ring(0)->head;
	for (n = 0; n < 3 * capacity; n++) {
		(void)entry(0, __NR_getpid, 0);
		tails[0].tail = ring(0)->head;
	}
	assert_memory_equal(before, after, RING_BYTES);
	assert_int_equal(ring(0)->head, 8 * capacity + 3);
	assert_int_equal(at(0, 8 * capacity + 2)->seq, 8 * capacity + 3);
}

/* A tail the guest rewrote ahead of the head counts as a full ring:
 * nothing is written, the loss is counted. */
static void a_hostile_tail_writes_nothing(void **state)
{
	static const __u64 tails_tried[] = { 5, 1ULL << 63, (__u64)-100 };
	unsigned char before[RING_BYTES];

	(void)state;
	cfg.flags &= ~FVX_CONFIG_RETRY;
	memcpy(before, ring(0), RING_BYTES);
	for (size_t i = 0; i < sizeof(tails_tried) / sizeof(tails_tried[0]); i++) {
		tails[0].tail = tails_tried[i];
		(void)entry(0, __NR_getpid, 0);
		ret(0, __NR_getpid, 0, 1, 0);
	}
	assert_int_equal(ring(0)->dropped, 6);
	ring(0)->dropped = 0;
	assert_memory_equal(before, ring(0), RING_BYTES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_plain_call_is_written_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(the_copy_and_the_in_place_write_agree, setup,
						teardown),
		cmocka_unit_test_setup_teardown(rt_sigreturn_returns_its_mask, setup, teardown),
		cmocka_unit_test_setup_teardown(a_quick_call_is_one_record, setup, teardown),
		cmocka_unit_test_setup_teardown(quick_calls_have_nothing_to_capture, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_full_ring_makes_quick_calls_wait, setup,
						teardown),
		cmocka_unit_test_setup_teardown(what_is_not_selected_writes_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_full_ring_makes_entries_wait_and_counts_drops,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_hostile_tail_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(an_entry_forgets_the_threads_last_call, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_rewritten_header_moves_no_write_outside, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
