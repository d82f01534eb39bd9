/* Reading the traced process's memory from the analyzer without ever
 * faulting. The analyzer runs at ring 0 with interrupts off: a #PF there
 * is a fault in the guest kernel. So no user address is dereferenced:
 * the current address space's 4-level page tables (SDM 4.5) are walked in
 * software, and every byte, table entry or data, is read through Linux's
 * direct map at a physical address that is guest RAM below the top,
 * outside the hypervisor's memory (struct fvx_phys_limits), and that the
 * direct map itself maps (walked the same way, from the same CR3: Linux
 * leaves holes and memory taken out of the direct map unmapped). A page
 * that fails any check ends the read: the caller gets the bytes before it.
 * Every walk is at most 4 levels, every read at most `size` bytes: the
 * work is bounded whatever the tables hold. Pure functions over a copy
 * callback, so the unit tests run them on a fake physical memory.
 * Include trace.h first. */
#ifndef FASTVMIX_GUEST_READ_H
#define FASTVMIX_GUEST_READ_H

#define FVX_PTE_PRESENT (1ULL << 0)
#define FVX_PTE_USER (1ULL << 2)
#define FVX_PTE_LARGE (1ULL << 7) /* PS: a 1 GiB (level 3) or 2 MiB (level 2) page */
#define FVX_PTE_ADDR 0x000ffffffffff000ULL /* bits 51:12 */
#define FVX_PAGE_SIZE 4096ULL
/* 4-level paging: user addresses are the canonical lower half. */
#define FVX_USER_TOP 0x0000800000000000ULL

/* copy(ctx, va, out, len) copies len bytes (within one 4 KiB page) of
 * guest kernel memory at va; 0 on failure. The analyzer's copies; the
 * tests' read a fake memory. */
typedef int (*fvx_copy_fn)(void *ctx, __u64 va, void *out, __u64 len);

struct fvx_guest_mem {
	const struct fvx_phys_limits *limits;
	__u64 cr3; /* the address space to read (CR3: PCID bits ignored) */
	fvx_copy_fn copy;
	void *ctx;
	/* copy reads any page of RAM without faulting (VMX root's, exit
	 * mode's): whether the direct map maps it is not asked. */
	int any_ram;
};

/* Whether physical [pa, pa + len) may be touched: RAM below the top,
 * outside both hidden ranges (which the analyzer view does not map). */
static inline int fvx_phys_allowed(const struct fvx_phys_limits *l, __u64 pa, __u64 len)
{
	int i;

	if (pa >= l->ram_top || len > l->ram_top - pa)
		return 0;
	for (i = 0; i < 2; i++)
		if (l->hidden_size[i] && pa < l->hidden_start[i] + l->hidden_size[i] &&
		    l->hidden_start[i] < pa + len)
			return 0;
	return 1;
}

static inline int fvx_walk(const struct fvx_guest_mem *m, __u64 va, int user, int checked,
			   __u64 *pa);

/* Whether the direct map maps physical page `pa` (its own tables are
 * trusted to be RAM: Linux never takes page tables out of it). */
static inline int fvx_direct_mapped(const struct fvx_guest_mem *m, __u64 pa)
{
	__u64 page = pa & ~(FVX_PAGE_SIZE - 1), got;

	return fvx_walk(m, m->limits->page_offset + page, 0, 0, &got) && got == page;
}

/* Copies physical [pa, pa + len), within one page, through the direct
 * map; `checked`: also make sure the direct map maps that page. */
static inline int fvx_phys_copy(const struct fvx_guest_mem *m, __u64 pa, void *out, __u64 len,
				int checked)
{
	if ((pa & (FVX_PAGE_SIZE - 1)) + len > FVX_PAGE_SIZE ||
	    !fvx_phys_allowed(m->limits, pa, len) ||
	    (checked && !m->any_ram && !fvx_direct_mapped(m, pa)))
		return 0;
	return m->copy(m->ctx, m->limits->page_offset + pa, out, len);
}

/* Translates va through m->cr3's tables: present entries only, and with
 * `user` U/S set at every level (what a user access needs, SDM 4.6.1).
 * `checked`: every table is read through fvx_phys_copy's direct-map
 * check (the walk of a user address); the direct-map walk itself is not
 * (it would recurse). Large pages at levels 3 and 2; PS at level 4 is
 * reserved (a #PF on the CPU), so it ends the walk. */
static inline int fvx_walk(const struct fvx_guest_mem *m, __u64 va, int user, int checked,
			   __u64 *pa)
{
	__u64 table = m->cr3 & FVX_PTE_ADDR, e;
	int level;

	for (level = 4; level >= 1; level--) {
		int shift = 12 + 9 * (level - 1);

		if (!fvx_phys_copy(m, table + ((va >> shift) & 511) * 8, &e, 8, checked))
			return 0;
		if (!(e & FVX_PTE_PRESENT) || (user && !(e & FVX_PTE_USER)))
			return 0;
		if (level == 1 || (level <= 3 && (e & FVX_PTE_LARGE))) {
			__u64 size = 1ULL << shift;

			*pa = (e & FVX_PTE_ADDR & ~(size - 1)) | (va & (size - 1));
			return 1;
		}
		if (e & FVX_PTE_LARGE)
			return 0;
		table = e & FVX_PTE_ADDR;
	}
	return 0;
}

/* Copies up to `size` bytes at user address va of m's address space into
 * out and returns how many it got: fewer when it reaches a page it may
 * not read or the end of the user half. With `string` it stops at the
 * first NUL, which is not counted, and sets *nul (out may hold bytes
 * after it, from the same page). */
static inline __u64 fvx_user_read(const struct fvx_guest_mem *m, __u64 va, void *out, __u64 size,
				  int string, int *nul)
{
	__u8 *bytes = (__u8 *)out;
	__u64 done = 0;

	*nul = 0;
	while (done < size) {
		__u64 at = va + done, pa, n, i;

		if (at < va || at >= FVX_USER_TOP || !fvx_walk(m, at, 1, 1, &pa))
			break;
		n = FVX_PAGE_SIZE - (at & (FVX_PAGE_SIZE - 1));
		if (n > size - done)
			n = size - done;
		if (!fvx_phys_copy(m, pa, bytes + done, n, 1))
			break;
		for (i = 0; string && i < n; i++)
			if (!bytes[done + i]) {
				*nul = 1;
				return done + i;
			}
		done += n;
	}
	return done;
}

#endif
