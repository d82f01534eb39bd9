/* The default analyzer: one record per system call of the traced tasks, and
 * one more when it returns (FVX_RECORD_RETURN, the value in args[0]). */
#include "fvx_analyzer.h"

FVX_ANALYZER("syscall");

/* Appends rec (its number, arguments and flags set) when the filter and the
 * current task select it. */
static void record(const struct fvx_event *ev, const struct fvx_config *cfg,
		   struct fvx_trace_record *rec)
{
	__u64 task;

	if (ev->cpu >= cfg->geometry.cpu_count || !fvx_syscall_selected(cfg, rec->nr))
		return;
	task = fvx_percpu_read64(cfg->task.current_task);
	if (!fvx_task_selected(cfg, task, fvx_kernel_read64, 0, &rec->pid, &rec->tgid))
		return;
	rec->tsc = fvx_rdtsc();
	rec->cr3 = fvx_read_cr3();
	rec->cpu = (__u32)ev->cpu;
	fvx_emit(cfg, ev->cpu, rec);
}

void fvx_entry(const struct fvx_event *ev, const struct fvx_config *cfg, void *scratch)
{
	struct fvx_trace_record rec = { .nr = fvx_syscall_number(ev->nr),
					.flags = (__u32)ev->flags };
	int i;

	(void)scratch;
	for (i = 0; i < 6; i++)
		rec.args[i] = ev->args[i];
	record(ev, cfg, &rec);
}

void fvx_return(const struct fvx_event *ev, const struct fvx_config *cfg, void *scratch)
{
	struct fvx_trace_record rec = { .nr = fvx_syscall_number(ev->nr),
					.args = { ev->args[0] },
					.flags = FVX_RECORD_RETURN };

	(void)scratch;
	record(ev, cfg, &rec);
}
