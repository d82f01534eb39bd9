/* The default analyzer: one record per system call of the traced tasks, and
 * one more when it returns (FVX_RECORD_RETURN, the value in args[0]). */
#include "fvx_analyzer.h"

FVX_ANALYZER("syscall");
FVX_ANALYZER_FLAGS(FVX_ANALYZER_F_WAIT);

/* Appends rec (its number, arguments and flags set) when the filter and the
 * current task select it. An entry that finds the ring without room for
 * itself (beyond the headroom kept for returns) is not recorded but
 * retried when the trace waits rather than drops: FVX_ENTRY_RETRY. */
static int record(const struct fvx_event *ev, const struct fvx_config *cfg,
		  struct fvx_trace_record *rec)
{
	__u64 task;

	if (ev->cpu >= cfg->geometry.cpu_count || !fvx_syscall_selected(cfg, rec->nr))
		return FVX_ENTRY_DONE;
	task = fvx_percpu_read64(cfg->task.current_task);
	if (!fvx_task_selected(cfg, task, fvx_kernel_read64, 0, &rec->pid, &rec->tgid))
		return FVX_ENTRY_DONE;
	if ((cfg->flags & FVX_CONFIG_RETRY) && !(rec->flags & FVX_RECORD_RETURN) &&
	    !fvx_entry_room(cfg, ev->cpu, 1))
		return FVX_ENTRY_RETRY;
	rec->tsc = fvx_rdtsc();
	rec->cr3 = fvx_read_cr3();
	rec->cpu = (__u32)ev->cpu;
	fvx_emit(cfg, ev->cpu, rec);
	return FVX_ENTRY_DONE;
}

int fvx_entry(const struct fvx_event *ev, const struct fvx_config *cfg, void *scratch)
{
	struct fvx_trace_record rec = { .nr = fvx_syscall_number(ev->nr),
					.flags = (__u32)ev->flags };
	int i;

	(void)scratch;
	for (i = 0; i < 6; i++)
		rec.args[i] = ev->args[i];
	return record(ev, cfg, &rec);
}

void fvx_return(const struct fvx_event *ev, const struct fvx_config *cfg, void *scratch)
{
	struct fvx_trace_record rec = { .nr = fvx_syscall_number(ev->nr),
					.args = { ev->args[0] },
					.flags = FVX_RECORD_RETURN };

	(void)scratch;
	(void)record(ev, cfg, &rec);
}
