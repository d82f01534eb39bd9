/* Calls samples make to look at their machine, to hide or to look for a
 * debugger, for the comparison with strace (peer.sh): uname (and one at a
 * bad address), prctl renaming the task (as a kernel thread), its
 * name read back, a name too long for Linux and one at a bad address, the
 * parent-death signal, a capability query, an option Linux does not have;
 * ptrace on a pid that does not exist; resource limits (no core dumps,
 * as a sample that hides its memory sets, read back; the stack's; a
 * resource Linux does not have); sysinfo (memory, uptime and processes:
 * a sandbox check), and one at a bad address; who its parent, process group
 * and session are and its thread id (a debugger for a parent?), a yield
 * (calls recorded whole at their return: syscall_quick.h); then
 * PTRACE_TRACEME, which fails
 * under strace (a ptracer is already there) and succeeds under FastVMIX,
 * and no new privileges. The calls are made directly, so that the C
 * library adds nothing of its own. Exits 0 when each did what it should
 * (TRACEME either way). */
#include <linux/capability.h>
#include <linux/prctl.h>
#include <linux/ptrace.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void)
{
	char name[16] = { 0 };
	struct utsname uts;
	/* (static: the same address in every run, for the failed call) */
	static struct rlimit lim, none = { 0, 0 };
	static struct sysinfo si;
	int bad = 0;

	bad |= syscall(SYS_uname, &uts) != 0 || syscall(SYS_uname, (void *)8) != -1;
	bad |= syscall(SYS_prctl, PR_SET_NAME, "kworker/0:1", 0, 0, 0) != 0;
	bad |= syscall(SYS_prctl, PR_GET_NAME, name, 0, 0, 0) != 0 || strcmp(name, "kworker/0:1");
	bad |= syscall(SYS_prctl, PR_SET_NAME, "0123456789abcdefghijkl", 0, 0, 0) != 0;
	bad |= syscall(SYS_prctl, PR_SET_NAME, (void *)8, 0, 0, 0) != -1;
	bad |= syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0;
	bad |= syscall(SYS_prctl, PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) < 0;
	bad |= syscall(SYS_prctl, 1000, 1, 2, 3, 4) != -1;
	bad |= syscall(SYS_ptrace, PTRACE_ATTACH, 999999, 0, 0) != -1;
	bad |= syscall(SYS_ptrace, PTRACE_DETACH, 999999, 0, 0) != -1;
	bad |= syscall(SYS_ptrace, PTRACE_SEIZE, 999999, 0, PTRACE_O_TRACESYSGOOD) != -1;
	bad |= syscall(SYS_prlimit64, 0, RLIMIT_CORE, &none, &lim) != 0;
	bad |= syscall(SYS_setrlimit, RLIMIT_CORE, &none) != 0;
	bad |= syscall(SYS_getrlimit, RLIMIT_CORE, &lim) != 0 || lim.rlim_max != 0;
	bad |= syscall(SYS_getrlimit, RLIMIT_STACK, &lim) != 0;
	bad |= syscall(SYS_getrlimit, 99, &lim) != -1;
	bad |= syscall(SYS_sysinfo, &si) != 0 || si.totalram == 0;
	bad |= syscall(SYS_sysinfo, NULL) != -1;
	bad |= syscall(SYS_getppid) <= 0 || syscall(SYS_getpgid, 0) <= 0 ||
	       syscall(SYS_getsid, 0) < 0;
	bad |= syscall(SYS_gettid) != syscall(SYS_getpid) || syscall(SYS_sched_yield) != 0;
	(void)syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
	bad |= syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0;
	return bad;
}
