/* What the analyzer captures of a call's string, buffer, argv and socket
 * address arguments: the data records of trace.h, read with guest_read.h,
 * for the argument types of syscall_args.h. A pure function over an emit
 * callback, so the unit tests run it on a fake memory. Bounded: at most
 * six values of at most FVX_DATA_MAX bytes (a path; FVX_DATA_VALUE_MAX for
 * the rest); a string, buffer or address is read in at most two page
 * walks' worth of pages (a path: one per page), an argv in at most
 * FVX_DATA_VALUE_MAX / 2 strings and as many chunks of its pointers, an envp in
 * at most FVX_ENVP_MAX / FVX_VEC_CHUNK + 1 chunks of pointers.
 * Include trace.h, trace_select.h, guest_read.h, syscall_args.h and
 * syscall_compat.h first. */
#ifndef FASTVMIX_TRACE_CAPTURE_H
#define FASTVMIX_TRACE_CAPTURE_H

#include <linux/prctl.h>

/* emit(ctx, r) appends data record r to the ring. */
typedef void (*fvx_emit_fn)(void *ctx, const struct fvx_trace_record *r);

/* Pointers of an array (argv, envp) read at a time: a page walk each. */
#define FVX_VEC_CHUNK 64

/* Whether argument i of type `type` is due now: strings and buffers the
 * call reads at entry, those it filled at its return when it succeeded
 * (`ret`). *size: bytes to read; *more: the buffer goes on beyond them
 * (its size is the next argument; what a call filled, at most its return
 * value); *string: read up to a NUL. `limit` is -s, at most
 * FVX_DATA_BUFFER_MAX. */
static inline int fvx_capture_due(__u64 limit, __u8 type, const __u64 args[6], int i, int at_return,
				  __s64 ret, int again, __u64 *size, int *more, int *string)
{
	__u64 count = i < 5 ? args[i + 1] : 0;

	*string = type == FVX_ARG_STR || type == FVX_ARG_PATH_OUT;
	*more = 0;
	/* prctl's task name (its option an int): read by PR_SET_NAME, 15
	 * bytes at most as Linux reads it, filled by PR_GET_NAME with its NUL. */
	if (type == FVX_ARG_PRCTL_ARG &&
	    (__u32)args[0] == (at_return ? PR_GET_NAME : PR_SET_NAME) && !(at_return && ret)) {
		*string = 1;
		*size = at_return ? FVX_COMM_SIZE : FVX_COMM_SIZE - 1;
		return 1;
	}
	if ((!at_return && type == FVX_ARG_STR) || (at_return && again && type == FVX_ARG_STR) ||
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

/* Pointer i of an array read into ptrs: 8 bytes each, or 4 in a 32-bit
 * call's (the kernel reads compat_uptr_t there), zero-extended. */
static inline __u64 fvx_vec_ptr(const __u64 *ptrs, __u64 i, int compat)
{
	return compat ? ((const __u32 *)ptrs)[i] : ptrs[i];
}

/* execve's argv at addr: the items of trace.h for its strings, at most
 * `limit` of them, each up to limit + 1 bytes, in at most FVX_DATA_VALUE_MAX
 * bytes of value; returns how many, and the value's state. Each string
 * takes at least two bytes, so at most FVX_DATA_VALUE_MAX / 2 strings and
 * pointer chunks are read. */
static inline __u64 fvx_capture_argv(const struct fvx_guest_mem *m, __u64 addr, __u64 limit,
				     int compat, __u8 *value, __u8 *state)
{
	__u64 ptrs[FVX_VEC_CHUNK], first = 0, have = 0, used = 0, n, w = compat ? 4 : 8;
	int nul;

	*state = FVX_DATA_COMPLETE;
	for (n = 0;; n++) {
		__u64 p, room = FVX_DATA_VALUE_MAX - used, size, got;

		if (n == first + have) {
			first = n;
			have = fvx_user_read(m, addr + w * n, ptrs, sizeof(ptrs), 0, &nul) / w;
			if (!have && !n)
				*state = FVX_DATA_UNREADABLE;
			else if (!have && room)
				value[used++] = FVX_VEC_FAULT;
			else if (!have)
				*state = FVX_DATA_TRUNCATED;
			if (!have)
				return used;
		}
		p = fvx_vec_ptr(ptrs, n - first, compat);
		if (!p)
			return used;
		if (n >= limit || room < 2)
			break;
		size = limit + 1 < room - 1 ? limit + 1 : room - 1;
		got = fvx_user_read(m, p, value + used + 1, size, 1, &nul);
		if (nul || (got == limit + 1 && got + 2 <= room)) {
			value[used] = FVX_VEC_STR;
			used += 1 + got;
			value[used++] = 0;
		} else if (got < size && room >= 9) {
			value[used] = FVX_VEC_ADDR;
			__builtin_memcpy(value + used + 1, &p, 8);
			used += 9;
		} else {
			break; /* it does not fit */
		}
	}
	*state = FVX_DATA_TRUNCATED;
	return used;
}

/* execve's envp at addr: how many pointers precede its NULL, counted up
 * to FVX_ENVP_MAX (the array only, not the strings). */
static inline __u64 fvx_capture_envp(const struct fvx_guest_mem *m, __u64 addr, int compat,
				     __u8 *value, __u8 *state)
{
	__u64 ptrs[FVX_VEC_CHUNK], have, i, w = compat ? 4 : 8;
	__u32 n = 0;
	int nul;

	*state = FVX_DATA_COMPLETE;
	for (;;) {
		have = fvx_user_read(m, addr + w * (__u64)n, ptrs, sizeof(ptrs), 0, &nul) / w;
		if (!have)
			break;
		for (i = 0; i < have; i++) {
			if (!fvx_vec_ptr(ptrs, i, compat))
				goto counted;
			if (n == FVX_ENVP_MAX) {
				*state = FVX_DATA_TRUNCATED;
				goto counted;
			}
			n++;
		}
	}
	if (!n) {
		*state = FVX_DATA_UNREADABLE;
		return 0;
	}
	value[4] = FVX_VEC_FAULT;
	__builtin_memcpy(value, &n, 4);
	return 5;
counted:
	__builtin_memcpy(value, &n, 4);
	return 4;
}

/* Socket addresses: at entry, min(len, FVX_SOCKADDR_MAX) bytes (len, an
 * int, the next argument) or the length a socklen_t * gives; at return
 * the length the call left there and the address it filled (trace.h). */
static inline int fvx_capture_sockaddr(const struct fvx_guest_mem *m, __u8 type,
				       const __u64 args[6], int i, int at_return, __s64 ret,
				       __u8 *value, __u8 *state, __u64 *total)
{
	__s32 len = i < 5 ? (__s32)args[i + 1] : 0;
	__u64 size, got;
	int nul;

	if (at_return != (type == FVX_ARG_SOCKADDR_OUT))
		return 0;
	if (type == FVX_ARG_SOCKLEN && (!i || !args[i - 1]))
		return 0;
	if (type == FVX_ARG_SOCKADDR_OUT) {
		if (i == 5 || !args[i + 1])
			return 0;
		if (fvx_user_read(m, args[i + 1], &len, 4, 0, &nul) < 4) {
			*state = FVX_DATA_UNREADABLE;
			*total = 0;
			return 1;
		}
		__builtin_memcpy(value, &len, 4);
		*state = FVX_DATA_COMPLETE;
		*total = 4;
		if (ret >= 0 && len >= 2)
			*total += fvx_user_read(
				m, args[i], value + 4,
				len < FVX_SOCKADDR_MAX ? (__u64)len : FVX_SOCKADDR_MAX, 0, &nul);
		return 1;
	}
	if (type == FVX_ARG_SOCKADDR && len < 2)
		return 0;
	size = type == FVX_ARG_SOCKLEN ? 4 : len < FVX_SOCKADDR_MAX ? (__u64)len : FVX_SOCKADDR_MAX;
	got = fvx_user_read(m, args[i], value, size, 0, &nul);
	*state = got < size ? FVX_DATA_UNREADABLE : FVX_DATA_COMPLETE;
	*total = got < size ? 0 : size;
	return 1;
}

/* The iovec array at addr of count elements (FVX_ARG_IOV, at entry, or
 * FVX_ARG_IOV_OUT, at return with value ret: trace.h), a 32-bit call's
 * (compat: 8-byte elements) or a 64-bit one's (16 bytes), into at most
 * `space` bytes (at least FVX_IOV_ITEM) of value. Bounded: at most
 * space / FVX_IOV_ITEM elements, one page walk each, and as many
 * buffers. */
static inline void fvx_capture_iov(const struct fvx_guest_mem *m, __u64 addr, __s32 count,
				   __u64 limit, int at_return, __s64 ret, int compat, __u8 *value,
				   __u64 space, __u8 *state, __u64 *total)
{
	__u64 left = (__u64)ret, used = 0, size = compat ? 8 : 16;
	__s32 k;
	int nul;

	*state = FVX_DATA_COMPLETE;
	for (k = 0; k < count; k++) {
		__u64 v[2], base, len, want, take, got;
		__u16 word;

		if (used + FVX_IOV_ITEM > space) {
			*state = FVX_DATA_TRUNCATED;
			break;
		}
		/* struct iovec, or struct compat_iovec: two 32-bit words. */
		if (fvx_user_read(m, addr + size * (__u64)k, v, size, 0, &nul) < size)
			goto fault;
		base = compat ? (__u32)v[0] : v[0];
		len = compat ? v[0] >> 32 : v[1];
		/* At return, its share of what the call filled. */
		want = at_return && left < len ? left : len;
		left -= at_return ? want : 0;
		take = want < limit ? want : limit;
		if (used + FVX_IOV_ITEM + take > space) {
			if (k) {
				*state = FVX_DATA_TRUNCATED;
				break;
			}
			take = space - FVX_IOV_ITEM;
		}
		got = take ? fvx_user_read(m, base, value + used + FVX_IOV_ITEM, take, 0, &nul) : 0;
		word = got < take   ? FVX_IOV_UNREADABLE
		       : got < want ? (__u16)(got | FVX_IOV_MORE)
				    : (__u16)got;
		__builtin_memcpy(value + used, &base, 8);
		__builtin_memcpy(value + used + 8, &len, 8);
		__builtin_memcpy(value + used + 16, &word, 2);
		used += FVX_IOV_ITEM + (word == FVX_IOV_UNREADABLE ? 0 : got);
	}
	*total = used;
	return;
fault:
	*state = k ? FVX_DATA_TRUNCATED : FVX_DATA_UNREADABLE;
	*total = k ? used : 0;
}

/* The struct msghdr at addr (FVX_ARG_MSGHDR at entry, FVX_ARG_MSGHDR_OUT
 * at return with value ret: trace.h) of a 64-bit call: the structure, the
 * address msg_name points to, the control data msg_control points to
 * (sendmsg's as sent, recvmsg's as the call filled it: Linux updates
 * msg_controllen) and the elements of msg_iov. */
static inline void fvx_capture_msghdr(const struct fvx_guest_mem *m, __u64 addr, __u64 limit,
				      int at_return, __s64 ret, __u8 *value, __u8 *state,
				      __u64 *total)
{
	struct {
		__u64 name;
		__u32 namelen, pad;
		__u64 iov, iovlen, control, controllen;
		__u32 flags, pad2;
	} h;
	__u64 used = FVX_MSGHDR_HEAD, got = 0, size, iov_total = 0, control = 0;
	__u8 iov_state;
	int nul;

	_Static_assert(sizeof(h) == FVX_MSGHDR_SIZE, "x86-64's struct msghdr");
	if (fvx_user_read(m, addr, &h, sizeof(h), 0, &nul) < sizeof(h)) {
		*state = FVX_DATA_UNREADABLE;
		*total = 0;
		return;
	}
	__builtin_memcpy(value, &h, sizeof(h));
	if (h.name && h.namelen >= 2) {
		size = h.namelen < FVX_SOCKADDR_MAX ? h.namelen : FVX_SOCKADDR_MAX;
		got = fvx_user_read(m, h.name, value + used, size, 0, &nul);
		if (got < size)
			got = 0;
	}
	used += got;
	/* At least a struct cmsghdr (16 bytes), read whole or not at all. */
	if (h.control && h.controllen >= 16) {
		size = h.controllen < FVX_MSGHDR_CONTROL_MAX ? h.controllen
							     : FVX_MSGHDR_CONTROL_MAX;
		control = fvx_user_read(m, h.control, value + used, size, 0, &nul);
		if (control < size)
			control = 0;
	}
	used += control;
	fvx_capture_iov(m, h.iov, h.iovlen < 0x7fffffff ? (__s32)h.iovlen : 0x7fffffff, limit,
			at_return, ret, 0, value + used, FVX_DATA_VALUE_MAX - used, &iov_state,
			&iov_total);
	value[FVX_MSGHDR_SIZE] = (__u8)got;
	value[FVX_MSGHDR_SIZE + 1] = iov_state;
	value[FVX_MSGHDR_SIZE + 2] = (__u8)control;
	*state = iov_state == FVX_DATA_TRUNCATED ? FVX_DATA_TRUNCATED : FVX_DATA_COMPLETE;
	*total = used + iov_total;
}

/* A structure of `size` bytes at va, read whole or not at all. */
static inline int fvx_capture_fixed(const struct fvx_guest_mem *m, __u64 va, __u64 size,
				    __u8 *value, __u8 *state, __u64 *total)
{
	int nul;
	__u64 got = fvx_user_read(m, va, value, size, 0, &nul);

	*state = got < size ? FVX_DATA_UNREADABLE : FVX_DATA_COMPLETE;
	*total = got < size ? 0 : got;
	return 1;
}

/* Reads argument i of type `type` of the call whose arguments are args,
 * when it is due now (at its entry, or at its return with value ret):
 * the value's bytes into value (FVX_DATA_MAX), its state and length;
 * 0 when nothing is due. */
static inline int fvx_capture_value(const struct fvx_config *c, const struct fvx_guest_mem *m,
				    __u8 type, const __u64 args[6], int i, int at_return, __s64 ret,
				    int again, int compat, __u8 *value, __u8 *state, __u64 *total)
{
	__u64 size, got, limit = c->string_limit;
	int more, string, nul;

	if (limit > FVX_DATA_BUFFER_MAX)
		limit = FVX_DATA_BUFFER_MAX;
	if (type == FVX_ARG_ARGV || type == FVX_ARG_ENVP) {
		if (at_return)
			return 0;
		*total = type == FVX_ARG_ARGV
				 ? fvx_capture_argv(m, args[i], limit, compat, value, state)
				 : fvx_capture_envp(m, args[i], compat, value, state);
		return 1;
	}
	if (type == FVX_ARG_SOCKADDR || type == FVX_ARG_SOCKADDR_OUT || type == FVX_ARG_SOCKLEN)
		return fvx_capture_sockaddr(m, type, args, i, at_return, ret, value, state, total);
	size = fvx_fixed_size(type, compat);
	if (size) {
		if (at_return != fvx_fixed_filled(type) ||
		    (at_return &&
		     (type == FVX_ARG_TIMESPEC_REM ? !fvx_rem_filled(args, i, ret) : ret)))
			return 0;
		return fvx_capture_fixed(m, args[i], size, value, state, total);
	}
	if (type == FVX_ARG_SIGACTION || type == FVX_ARG_SIGACTION_OUT || type == FVX_ARG_SIGSET ||
	    type == FVX_ARG_SIGSET_OUT) {
		/* Their call's sigset size (rt_sigaction's and
		 * rt_sigprocmask's fourth argument, rt_sigpending's and
		 * rt_sigsuspend's second) must be the kernel's, or the call
		 * fails and strace shows the address; a 32-bit sigaction has
		 * another layout. */
		size = type == FVX_ARG_SIGACTION || type == FVX_ARG_SIGACTION_OUT
			       ? FVX_SIGACTION_SIZE
			       : FVX_SIGSET_SIZE;
		if (at_return != (type == FVX_ARG_SIGACTION_OUT || type == FVX_ARG_SIGSET_OUT) ||
		    (at_return && ret) || !args[i] || args[i ? 3 : 1] != FVX_SIGSET_SIZE ||
		    (compat && size == FVX_SIGACTION_SIZE))
			return 0;
		return fvx_capture_fixed(m, args[i], size, value, state, total);
	}
	if (type == FVX_ARG_IOV || type == FVX_ARG_IOV_OUT) {
		if (at_return != (type == FVX_ARG_IOV_OUT) || (at_return && ret < 0))
			return 0;
		fvx_capture_iov(m, args[i], i < 5 ? (__s32)args[i + 1] : 0, limit, at_return, ret,
				compat, value, FVX_DATA_VALUE_MAX, state, total);
		return 1;
	}
	if (type == FVX_ARG_MSGHDR || type == FVX_ARG_MSGHDR_OUT) {
		if (at_return != (type == FVX_ARG_MSGHDR_OUT) || (at_return && ret < 0) || compat)
			return 0;
		fvx_capture_msghdr(m, args[i], limit, at_return, ret, value, state, total);
		return 1;
	}
	if (!fvx_capture_due(limit, type, args, i, at_return, ret, again, &size, &more, &string))
		return 0;
	got = fvx_user_read(m, args[i], value, size, string, &nul);
	if (string)
		*state = nul	       ? FVX_DATA_COMPLETE
			 : got == size ? FVX_DATA_TRUNCATED
				       : FVX_DATA_UNREADABLE;
	else
		*state = got < size ? FVX_DATA_UNREADABLE
			 : more	    ? FVX_DATA_TRUNCATED
				    : FVX_DATA_COMPLETE;
	*total = *state == FVX_DATA_UNREADABLE ? 0 : got;
	return 1;
}

/* Words one event keeps for a later one (what a socketcall's entry
 * unfolded to, for its return; an io_uring operation's arguments, for its
 * completion), in a slot found by its key (bit 63 set; 0: free). A writer
 * claims the slot (FVX_SLOT_WRITING, with the key's low half) before it
 * writes the words, and none writes a claimed one; a taker takes the key
 * back to 0 only if it is still the one it read before the words: so no
 * taker gets words another writer wrote, even on two CPUs at once. */
#define FVX_SLOT_WRITING (1ULL << 62)
struct fvx_slot {
	__u64 key;
	__u64 words[6];
};

/* Into slot, whose key was `old` (read before): 0 when another writer
 * holds it. */
static inline int fvx_slot_put(struct fvx_slot *slot, __u64 old, __u64 key, const __u64 words[6])
{
	int i;

	if ((old & FVX_SLOT_WRITING) ||
	    !__atomic_compare_exchange_n(&slot->key, &old, FVX_SLOT_WRITING | (__u32)key, 0,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return 0;
	for (i = 0; i < 6; i++)
		__atomic_store_n(&slot->words[i], words[i], __ATOMIC_RELAXED);
	__atomic_store_n(&slot->key, key, __ATOMIC_RELEASE);
	return 1;
}

/* The words key left in slot, which is free again: 0 when it holds none. */
static inline int fvx_slot_take(struct fvx_slot *slot, __u64 key, __u64 words[6])
{
	int i;

	if (!key || __atomic_load_n(&slot->key, __ATOMIC_ACQUIRE) != key)
		return 0;
	for (i = 0; i < 6; i++)
		words[i] = __atomic_load_n(&slot->words[i], __ATOMIC_RELAXED);
	return __atomic_compare_exchange_n(&slot->key, &key, 0, 0, __ATOMIC_ACQ_REL,
					   __ATOMIC_RELAXED);
}

/* What an entry's socketcall unfolded to (fvx_socketcall_unfold), per
 * thread, for its return: direct-mapped by pid, the key's low half. */
#define FVX_SOCKETCALL_SLOTS 256

static inline __u64 fvx_socketcall_key(__u32 pid, __u64 call)
{
	return (__u64)pid | call << 32 | 1ULL << 63;
}

/* i386's socketcall(call, args) of thread pid, at its entry or return
 * (rec: nr and flags set, args the call's registers): at an entry, when
 * `call` is one of <linux/net.h>'s and its arguments are readable at args
 * (32-bit words, as many as the call takes), rec becomes the i386 call
 * that does the same (connect) and args those arguments, zero-extended
 * (rec->args too), and the thread's slot of `table` keeps them; at its
 * return, the same from the slot, never from user memory again (the call
 * itself, or another thread, may have rewritten the array meanwhile: a
 * recv into it). Otherwise, and at a return whose entry was not unfolded
 * (its array was not readable then, say), both stay socketcall's. */
static inline void fvx_socketcall_unfold(const struct fvx_guest_mem *m, struct fvx_slot *table,
					 __u32 pid, struct fvx_trace_record *rec, __u64 args[6])
{
	struct fvx_slot *slot = &table[pid % FVX_SOCKETCALL_SLOTS];
	int at_return = !!(rec->flags & FVX_RECORD_RETURN), nul;
	const struct fvx_syscall_decl *d = 0;
	__u64 n = 0, i, key = 0, old, kept[6];
	__u32 words[6];

	if (!(rec->flags & FVX_RECORD_COMPAT) || rec->nr != FVX_COMPAT_SOCKETCALL)
		return;
	if (args[0] < FVX_SOCKETCALLS && fvx_socketcalls[args[0]].nr) {
		key = fvx_socketcall_key(pid, args[0]);
		d = fvx_record_decl(fvx_socketcalls[args[0]].nr, FVX_RECORD_COMPAT);
	}
	while (d && n < 6 && d->args[n] != FVX_ARG_END)
		n++;
	if (!d || n < fvx_socketcalls[args[0]].extra) {
		key = 0;
	} else {
		n -= fvx_socketcalls[args[0]].extra;
	}
	if (at_return) {
		if (!fvx_slot_take(slot, key, kept))
			return;
	} else {
		old = __atomic_load_n(&slot->key, __ATOMIC_RELAXED);
		if (!key || fvx_user_read(m, args[1], words, 4 * n, 0, &nul) < 4 * n) {
			/* (This thread's call before has no return left to come.) */
			if ((__u32)old == pid && !(old & FVX_SLOT_WRITING))
				__atomic_compare_exchange_n(&slot->key, &old, 0, 0,
							    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
			return;
		}
		for (i = 0; i < 6; i++)
			kept[i] = i < n ? words[i] : 0;
		/* A slot another thread is writing stays its: this call's
		 * return then shows socketcall's registers. */
		fvx_slot_put(slot, old, key, kept);
	}
	rec->nr = fvx_socketcalls[args[0]].nr;
	for (i = 0; i < 6; i++)
		args[i] = kept[i];
	if (!at_return)
		for (i = 0; i < 6; i++)
			rec->args[i] = args[i];
}

/* Whether the call a record of number nr and flags stands for has an
 * argument fvx_capture reads through: one that has none (getpid) need not
 * call it. */
static inline int fvx_capture_any(__u64 nr, __u32 flags)
{
	const struct fvx_syscall_decl *d = fvx_record_decl(nr, flags);

	return d && d->captures;
}

/* Captures the arguments of owner's call that are due now (an entry, or
 * with FVX_RECORD_RETURN a return whose value is owner->args[0]), args
 * being the call's arguments, and emits their data records: each a copy
 * of owner with FVX_RECORD_DATA, the piece's header in cr3, the bytes in
 * args. The caller appends owner after them. `room`: records the ring
 * takes now; a value whose pieces would leave no room for the owner is
 * not captured, nor any after it. A string the entry could not read (bit
 * i of what this returns: its page not present yet, say, which the call
 * itself then faults in; or not mapped at all) is read again at the return
 * when bit i of `again` says so; the frontend shows the return's copy (or
 * the address, when that fails too). */
static inline __u8 fvx_capture(const struct fvx_config *c, const struct fvx_guest_mem *m,
			       const struct fvx_trace_record *owner, const __u64 args[6],
			       __u64 room, __u8 again, fvx_emit_fn emit, void *ctx)
{
	/* (A 32-bit call's, through its x86-64 twin: pointers zero-extended.) */
	const struct fvx_syscall_decl *d = fvx_record_decl(owner->nr, owner->flags);
	int at_return = !!(owner->flags & FVX_RECORD_RETURN), i;
	__u8 value[FVX_DATA_MAX], unread = 0;
	__u64 used = 0, a[6];

	/* An int argument as the kernel takes it, the low half sign-extended:
	 * a buffer's int length (setsockopt's optlen) is no longer than the
	 * call reads. */
	for (i = 0; i < 6; i++)
		a[i] = d && d->args[i] == FVX_ARG_INT ? (__u64)(__s64)(__s32)args[i] : args[i];
	args = a;
	for (i = 0; d && i < 6 && d->args[i] != FVX_ARG_END; i++) {
		struct fvx_data_header h = { .arg = (__u8)i };
		struct fvx_trace_record piece = *owner;
		__u64 total, pieces, off;

		if (!args[i] ||
		    !fvx_capture_value(c, m, d->args[i], args, i, at_return, (__s64)owner->args[0],
				       again >> i & 1, !!(owner->flags & FVX_RECORD_COMPAT), value,
				       &h.state, &total))
			continue; /* NULL (the frontend shows NULL), or nothing due */
		if (!at_return && d->args[i] == FVX_ARG_STR && h.state == FVX_DATA_UNREADABLE)
			unread |= (__u8)(1u << i);
		h.total = (__u16)total;
		pieces = h.total ? (h.total + FVX_DATA_PIECE - 1) / FVX_DATA_PIECE : 1;
		if (used + pieces + 1 > room)
			return unread;
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
	return unread;
}

/* What the analyzer remembers between a call's entry and its return: the
 * strings the entry could not read (fvx_capture), per thread, in a
 * direct-mapped table indexed by pid: a slot another thread takes
 * meanwhile only costs the second read. One 64-bit word per slot, so no
 * half-written slot is ever read: the pid, the call (number, 32-bit), the
 * arguments. */
#define FVX_AGAIN_SLOTS 1024
static inline __u64 fvx_again_key(const struct fvx_trace_record *r)
{
	return (__u64)r->pid | (r->nr & 0xffff) << 32 |
	       (__u64) !!(r->flags & FVX_RECORD_COMPAT) << 48;
}

/* At an entry that left nothing to read again: forget thread pid's last
 * call. */
static inline void fvx_again_forget(__u64 *table, __u32 pid)
{
	__u64 *slot = &table[pid % FVX_AGAIN_SLOTS];

	if ((__u32)__atomic_load_n(slot, __ATOMIC_RELAXED) == pid)
		__atomic_store_n(slot, 0, __ATOMIC_RELAXED);
}

/* At an entry: remember `unread` for its return (or forget the thread's
 * last call). */
static inline void fvx_again_put(__u64 *table, const struct fvx_trace_record *entry, __u8 unread)
{
	if (unread)
		__atomic_store_n(&table[entry->pid % FVX_AGAIN_SLOTS],
				 fvx_again_key(entry) | (__u64)unread << 56, __ATOMIC_RELAXED);
	else
		fvx_again_forget(table, entry->pid);
}

/* At a return: the strings to read again, if its entry left any. */
static inline __u8 fvx_again_take(__u64 *table, const struct fvx_trace_record *ret)
{
	__u64 *slot = &table[ret->pid % FVX_AGAIN_SLOTS],
	      v = __atomic_load_n(slot, __ATOMIC_RELAXED);

	if (!v || (v & ((1ULL << 56) - 1)) != fvx_again_key(ret))
		return 0;
	__atomic_store_n(slot, 0, __ATOMIC_RELAXED);
	return (__u8)(v >> 56);
}

/* An io_uring read's arguments (its call's, uring.h), kept from its
 * submission for its completion, which captures what it read as that
 * call's return does: direct-mapped by the kernel's request (struct
 * io_kiocb *), which no program chooses. */
#define FVX_URING_SLOTS 64
static inline __u64 fvx_uring_key(__u64 req)
{
	return req ? (req & 0xffffffffffffULL) | 1ULL << 63 : 0;
}

static inline struct fvx_slot *fvx_uring_slot(struct fvx_slot *table, __u64 req)
{
	return &table[(req >> 6 ^ req >> 12) % FVX_URING_SLOTS];
}

/* Before an io_uring operation runs (its submission, recorded or not),
 * and as one completes: the kept arguments it may make untrue are dropped,
 * so that no completion shows what another operation wrote. Linux posts a
 * batch's completions after all of it ran, and a read armed earlier may
 * run in the same pass; so an operation that may change the program's
 * memory (fvx_uring_may_write: a second read into the same buffer, or into
 * another address mapping the same page, a readv, a write to
 * /proc/self/mem...) drops those of its whole address space (root), and
 * any operation those of its own request (a completion that never came).
 * Kept words: the call's fd, buffer and length, the opcode (4) and the
 * root (5). */
static inline void fvx_uring_spoil(struct fvx_slot *table, __u64 root, __u64 req, int may_write)
{
	__u64 key, words[6];
	int i;

	(void)fvx_slot_take(fvx_uring_slot(table, req), fvx_uring_key(req), words);
	for (i = 0; may_write && i < FVX_URING_SLOTS; i++) {
		key = __atomic_load_n(&table[i].key, __ATOMIC_ACQUIRE);
		if (key && !(key & FVX_SLOT_WRITING) &&
		    __atomic_load_n(&table[i].words[5], __ATOMIC_RELAXED) == root)
			__atomic_compare_exchange_n(&table[i].key, &key, 0, 0, __ATOMIC_ACQ_REL,
						    __ATOMIC_RELAXED);
	}
}

/* The default analyzer's data area (analyzer.h's `scratch`, FVX_WIN_DATA,
 * zeroed when a trace starts), which the hypervisor keeps alike in exit
 * mode: the tgids -f follows (follow_set.h), the strings calls' entries
 * could not read, the arguments socketcalls' entries unfolded to, and
 * those of io_uring operations under way. */
struct fvx_trace_data {
	struct fvx_follow_set set;
	__u64 again[FVX_AGAIN_SLOTS];
	struct fvx_slot socketcalls[FVX_SOCKETCALL_SLOTS];
	struct fvx_slot urings[FVX_URING_SLOTS];
};
_Static_assert(sizeof(struct fvx_trace_data) <= FVX_WIN_DATA_SIZE, "the data area holds it");

#endif
