/* What the default analyzer does with a task event (trace.h, FVX_TASK_*):
 * keeps its follow set (follow_set.h) and says which record to append. A
 * pure function over a read callback, so the unit tests run it on a fake
 * config and fake tasks. The event's values come from the agent, whose
 * module text guest ring 0 can change: none is trusted, a pointer among
 * them is never read. Include trace.h and trace_select.h first. */
#ifndef FASTVMIX_TRACE_TASK_H
#define FASTVMIX_TRACE_TASK_H

_Static_assert(sizeof(struct fvx_follow_set) <= FVX_WIN_DATA_SIZE, "the follow set fits the data");

/* Fills rec (all but tsc, cr3 and cpu) and returns 1 when the event makes
 * one; `task` is the current task (the one a FORK or EXIT is about). */
static inline int fvx_task_event(const struct fvx_config *c, struct fvx_follow_set *set,
				 const struct fvx_event *ev, __u64 task, fvx_read64_fn read,
				 void *ctx, struct fvx_trace_record *rec)
{
	__u32 pid, tgid, i;

	*rec = (struct fvx_trace_record){ .nr = ev->nr, .flags = FVX_RECORD_TASK };
	switch (ev->nr) {
	case FVX_TASK_FORK:
		/* A child of a selected task: followed from now, unless it is
		 * a thread (its process's tgid) or everyone is traced. */
		if (!c->filter.target_tgid || !c->filter.follow_children ||
		    !fvx_task_selected_in(c, set, task, read, ctx, &pid, &tgid) ||
		    ev->args[2] == tgid || fvx_follow_add(set, ev->args[2]) != FVX_FOLLOW_FULL)
			return 0;
		rec->pid = (__u32)ev->args[1];
		rec->tgid = (__u32)ev->args[2];
		rec->args[0] = pid;
		rec->args[1] = tgid;
		return 1;
	case FVX_TASK_EXIT:
		if (!fvx_task_selected_in(c, set, task, read, ctx, &pid, &tgid))
			return 0;
		rec->pid = pid;
		rec->tgid = tgid;
		rec->args[0] = ev->args[0];
		rec->args[1] = !!ev->args[1];
		/* The process is gone: its pid may be another's next. */
		if (ev->args[1])
			fvx_follow_remove(set, tgid);
		return 1;
	case FVX_TASK_SIGNAL:
		/* The task it is for: the current one (delivery), whose
		 * ancestors can be walked, or another (sent and discarded). */
		pid = (__u32)ev->args[0];
		tgid = (__u32)(ev->args[0] >> 32);
		i = fvx_signal_number(ev->args[1]);
		if (!fvx_follow_valid(pid) || !fvx_follow_valid(tgid) || !i || i > 64)
			return 0;
		if (!fvx_task_selected_in(c, set, task, read, ctx, &rec->pid, &rec->tgid) ||
		    rec->pid != pid || rec->tgid != tgid) {
			if (!fvx_tgid_selected(c, set, tgid))
				return 0;
			rec->pid = pid;
			rec->tgid = tgid;
		}
		for (i = 0; i < 6; i++)
			rec->args[i] = ev->args[i];
		return 1;
	}
	return 0;
}

#endif
