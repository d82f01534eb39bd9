/* The default analyzer: one record per system call of the traced tasks. */
#include "fvx_analyzer.h"

FVX_ANALYZER("syscall");

void fvx_entry(const struct fvx_event *ev, const struct fvx_config *cfg, void *scratch)
{
	struct fvx_trace_record rec = { 0 };
	__u64 task, nr = fvx_syscall_number(ev->nr);
	int i;

	(void)scratch;
	if (ev->cpu >= cfg->geometry.cpu_count || !fvx_syscall_selected(cfg, nr))
		return;
	task = fvx_percpu_read64(cfg->task.current_task);
	if (!fvx_task_selected(cfg, task, fvx_kernel_read64, 0, &rec.pid, &rec.tgid))
		return;
	rec.tsc = fvx_rdtsc();
	rec.cr3 = fvx_read_cr3();
	rec.nr = nr;
	for (i = 0; i < 6; i++)
		rec.args[i] = ev->args[i];
	rec.cpu = (__u32)ev->cpu;
	rec.flags = (__u32)ev->flags;
	fvx_emit(cfg, ev->cpu, &rec);
}
