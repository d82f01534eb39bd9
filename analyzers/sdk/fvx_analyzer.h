/* The FastVMIX analyzer SDK: write one C file with
 *     FVX_ANALYZER("name");
 *     int fvx_entry(const struct fvx_event *ev, const struct fvx_config *cfg,
 *                   void *scratch) { ... }
 * which returns FVX_ENTRY_DONE, or FVX_ENTRY_RETRY for a call it could not
 * record because the ring is full and cfg->flags has FVX_CONFIG_RETRY (the
 * thread then makes the call again later: fvx_entry_room tells),
 * and, to see system calls return too (optional),
 *     int fvx_return(const struct fvx_event *ev, const struct fvx_config *cfg,
 *                    void *scratch) { ... }
 * which gets the number in ev->nr, the return value in ev->args[0] and the
 * call's arguments in ev->call_args, and also (FVX_RECORD_TASK in ev->flags)
 * the task events of trace.h: tasks made and ending, and signals, which
 * fvx_task_event (fastvmix/trace_task.h) handles as the default analyzer
 * does; and returns FVX_ENTRY_DONE (with FVX_ANALYZER_F_WHOLE also the
 * quick calls whose entries it did not see, FVX_RECORD_WHOLE in ev->flags:
 * FVX_ENTRY_RETRY for one it could not record that may wait);
 * build it with analyzers/sdk/build.sh FILE.c OUT.fvxa.
 * Rules: the code runs at guest ring 0 with interrupts off, in the analyzer
 * view where only the window's code is executable: call nothing outside this
 * file and the SDK, keep no writable globals (use `scratch`, zeroed when a
 * trace starts and shared by all CPUs, or the rings),
 * and keep no pointers in static data (the image is position-independent
 * code linked at 0). A fault here is a fault in the guest kernel. */
#ifndef FVX_ANALYZER_SDK_H
#define FVX_ANALYZER_SDK_H

#include <linux/types.h>

#include "fastvmix/analyzer.h"
#include "fastvmix/trace.h"
#include "fastvmix/ring.h"
#include "fastvmix/trace_select.h"

#define FVX_ANALYZER(name_string)                                                                  \
	const char fvx_name[32] __attribute__((section(".fvx_name"), used)) = name_string

/* The image's FVX_ANALYZER_F_* flags (analyzer.h), at most once. */
#define FVX_ANALYZER_FLAGS(value)                                                                  \
	const __u32 fvx_flags __attribute__((section(".fvx_flags"), used)) = (value)

int fvx_entry(const struct fvx_event *ev, const struct fvx_config *cfg, void *scratch);
int fvx_return(const struct fvx_event *ev, const struct fvx_config *cfg, void *scratch);

#ifdef FVX_ANALYZER_HOST
/* A host build (the unit tests run an analyzer as a plain function): the
 * test provides the CPU's state the three accessors below read. */
__u64 fvx_host_percpu_read64(__u64 off);
__u64 fvx_host_rdtsc(void);
__u64 fvx_host_cr3(void);
#endif

/* Reads 8 bytes at offset `off` of this CPU's Linux per-CPU area. */
static inline __u64 fvx_percpu_read64(__u64 off)
{
	__u64 v;

#ifdef FVX_ANALYZER_HOST
	v = fvx_host_percpu_read64(off);
#else
	__asm__ __volatile__("mov %%gs:(%1), %0" : "=r"(v) : "r"(off));
#endif
	return v;
}

/* The guest's TSC, as RDTSC reads it. Through IA32_TSC (the analyzer runs
 * at ring 0): RDTSC exits while the address space it runs for has analyzer
 * time taken out of its TSC (hypervisor/core/tsc.c), RDMSR of IA32_TSC
 * never does. */
static inline __u64 fvx_rdtsc(void)
{
	__u32 lo, hi;

#ifdef FVX_ANALYZER_HOST
	__u64 v = fvx_host_rdtsc();

	lo = (__u32)v;
	hi = (__u32)(v >> 32);
#else
	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x10));
#endif
	return ((__u64)hi << 32) | lo;
}

/* The host's TSC, the one clock all CPUs share, as records are stamped
 * (trace.h): the guest's TSC on CPU cpu plus what the hypervisor says the
 * offset is there (fvx_tsc_slot.host, at the top of its analyzer stack). */
static inline __u64 fvx_host_tsc(const struct fvx_config *cfg, __u64 cpu)
{
	const struct fvx_tsc_slot *slot = (const void *)(cfg->window_va + FVX_WIN_STACK_TOP(cpu));
	__u64 guest = fvx_rdtsc();

	return guest + __atomic_load_n(&slot->host, __ATOMIC_RELAXED);
}

static inline __u64 fvx_read_cr3(void)
{
	__u64 v;

#ifdef FVX_ANALYZER_HOST
	v = fvx_host_cr3();
#else
	__asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
#endif
	return v;
}

/* Guest kernel memory, read directly (the analyzer view maps it R/W). */
static inline int fvx_kernel_read64(void *ctx, __u64 address, __u64 *value)
{
	(void)ctx;
	*value = *(const volatile __u64 *)address;
	return 1;
}

static inline const volatile __u64 *fvx_tail(const struct fvx_config *cfg, __u64 cpu)
{
	return (const volatile __u64 *)(cfg->consumer_va + cpu * sizeof(struct fvx_ring_consumer));
}

static inline struct fvx_ring_header *fvx_ring(const struct fvx_config *cfg, __u64 cpu)
{
	return fvx_ring_at((void *)(cfg->window_va + FVX_WIN_RINGS), cfg->geometry.ring_bytes, cpu);
}

/* Appends a record to this CPU's ring (fastvmix/ring.h). */
static inline void fvx_emit(const struct fvx_config *cfg, __u64 cpu,
			    const struct fvx_trace_record *rec)
{
	fvx_ring_push(fvx_ring(cfg, cpu), cfg->geometry.capacity, fvx_tail(cfg, cpu), rec);
}

/* How many records this CPU's ring takes now. */
static inline __u64 fvx_room(const struct fvx_config *cfg, __u64 cpu)
{
	return fvx_ring_room(fvx_ring(cfg, cpu), cfg->geometry.capacity, fvx_tail(cfg, cpu));
}

/* Whether an entry may take `records` more records of this CPU's ring: it
 * leaves the headroom to the returns and data of calls under way. */
static inline int fvx_entry_room(const struct fvx_config *cfg, __u64 cpu, __u64 records)
{
	__u64 c = cfg->geometry.capacity;

	return fvx_ring_room(fvx_ring(cfg, cpu), c, fvx_tail(cfg, cpu)) >=
	       records + FVX_RING_HEADROOM(c);
}

#endif
