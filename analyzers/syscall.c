/* The default analyzer: one record per system call of the traced tasks. */
#include "fvx_analyzer.h"

FVX_ANALYZER("syscall");

void fvx_entry(const struct fvx_event *ev, const struct fvx_config *cfg, void *scratch)
{
	struct fvx_trace_record rec = { 0 };
	__u64 task;
	int i;

	(void)scratch;
	if (ev->cpu >= cfg->cpu_count || !fvx_syscall_selected(cfg, ev->nr))
		return;
	task = fvx_percpu_read64(cfg->current_task);
	if (!fvx_task_selected(cfg, task, fvx_kernel_read64, 0, &rec.pid, &rec.tgid))
		return;
	rec.tsc = fvx_rdtsc();
	rec.cr3 = fvx_read_cr3();
	rec.nr = ev->nr;
	for (i = 0; i < 6; i++)
		rec.args[i] = ev->args[i];
	rec.cpu = (__u32)ev->cpu;
	rec.flags = (__u32)ev->flags;
	fvx_ring_push(fvx_ring(cfg, ev->cpu), fvx_ring_tail(cfg, ev->cpu), &rec);
}
