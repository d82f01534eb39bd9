/* What the analyzer captures of a call's string and buffer arguments: the
 * data records of trace.h, read with guest_read.h, for the argument types
 * of syscall_args.h. A pure function over an emit callback, so the unit
 * tests run it on a fake memory. Bounded: at most six values of at most
 * FVX_DATA_MAX bytes, each read in at most two page walks' worth of pages.
 * Include trace.h, trace_select.h, guest_read.h, syscall_args.h and
 * syscall_compat.h first. */
#ifndef FASTVMIX_TRACE_CAPTURE_H
#define FASTVMIX_TRACE_CAPTURE_H

/* emit(ctx, r) appends data record r to the ring. */
typedef void (*fvx_emit_fn)(void *ctx, const struct fvx_trace_record *r);

/* Whether argument i of type `type` is due now: strings and buffers the
 * call reads at entry, those it filled at its return when it succeeded
 * (`ret`). *size: bytes to read; *more: the buffer goes on beyond them
 * (its size is the next argument; what a call filled, at most its return
 * value); *string: read up to a NUL. */
static inline int fvx_capture_due(const struct fvx_config *c, __u8 type, const __u64 args[6], int i,
				  int at_return, __s64 ret, __u64 *size, int *more, int *string)
{
	__u64 count = i < 5 ? args[i + 1] : 0, limit = c->string_limit;

	if (limit > FVX_DATA_BUFFER_MAX)
		limit = FVX_DATA_BUFFER_MAX;
	*string = type == FVX_ARG_STR || type == FVX_ARG_PATH_OUT;
	*more = 0;
	if ((!at_return && type == FVX_ARG_STR) ||
	    (at_return && type == FVX_ARG_PATH_OUT && ret > 0)) {
		*size = FVX_DATA_STRING_MAX;
		return 1;
	}
	if ((!at_return && type == FVX_ARG_BUF) ||
	    (at_return && type == FVX_ARG_BUF_OUT && ret >= 0)) {
		if (at_return && (__u64)ret < count)
			count = (__u64)ret;
		*more = count > limit;
		*size = *more ? limit : count;
		return 1;
	}
	return 0;
}

/* Captures the arguments of owner's call that are due now (an entry, or
 * with FVX_RECORD_RETURN a return whose value is owner->args[0]), args
 * being the call's arguments, and emits their data records: each a copy
 * of owner with FVX_RECORD_DATA, the piece's header in cr3, the bytes in
 * args. The caller appends owner after them. `room`: records the ring
 * takes now; a value whose pieces would leave no room for the owner is
 * not captured, nor any after it. */
static inline void fvx_capture(const struct fvx_config *c, const struct fvx_guest_mem *m,
			       const struct fvx_trace_record *owner, const __u64 args[6],
			       __u64 room, fvx_emit_fn emit, void *ctx)
{
	/* (A 32-bit call's, through its x86-64 twin: pointers zero-extended.) */
	const struct fvx_syscall_decl *d = fvx_record_decl(owner->nr, owner->flags);
	int at_return = !!(owner->flags & FVX_RECORD_RETURN), i, more, string, nul;
	__u8 value[FVX_DATA_MAX];
	__u64 used = 0;

	for (i = 0; d && i < 6 && d->args[i] != FVX_ARG_END; i++) {
		struct fvx_data_header h = { .arg = (__u8)i };
		struct fvx_trace_record piece = *owner;
		__u64 size, got, pieces, off;

		if (!fvx_capture_due(c, d->args[i], args, i, at_return, (__s64)owner->args[0],
				     &size, &more, &string) ||
		    !args[i])
			continue; /* nothing due, or NULL: the frontend shows NULL */
		got = fvx_user_read(m, args[i], value, size, string, &nul);
		if (string)
			h.state = nul		? FVX_DATA_COMPLETE
				  : got == size ? FVX_DATA_TRUNCATED
						: FVX_DATA_UNREADABLE;
		else
			h.state = got < size ? FVX_DATA_UNREADABLE
				  : more     ? FVX_DATA_TRUNCATED
					     : FVX_DATA_COMPLETE;
		h.total = h.state == FVX_DATA_UNREADABLE ? 0 : (__u16)got;
		pieces = h.total ? (h.total + FVX_DATA_PIECE - 1) / FVX_DATA_PIECE : 1;
		if (used + pieces + 1 > room)
			return;
		used += pieces;
		piece.flags |= FVX_RECORD_DATA;
		for (off = 0; off < pieces * FVX_DATA_PIECE; off += FVX_DATA_PIECE) {
			__u64 n = h.total - off < FVX_DATA_PIECE ? h.total - off : FVX_DATA_PIECE;

			h.offset = (__u16)off;
			h.length = (__u16)(h.total ? n : 0);
			piece.cr3 = fvx_data_header_pack(h);
			__builtin_memset(piece.args, 0, sizeof(piece.args));
			__builtin_memcpy(piece.args, value + off, h.length);
			emit(ctx, &piece);
		}
	}
}

#endif
