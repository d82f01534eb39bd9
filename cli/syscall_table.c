/* The frontend's use of the system call table (fastvmix/syscall_args.h):
 * strace's classes by number. */
#include "cli.h"

bool syscall_in_class(uint64_t nr, unsigned int classes)
{
	const struct fvx_syscall_decl *d = fvx_syscall_decl(nr);

	return d && (d->classes & classes);
}
