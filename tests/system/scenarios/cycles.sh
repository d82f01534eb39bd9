# timeout: 1500
# 30 load/unload cycles of the hypervisor and the agent, each with a trace
# of a sample in between: every trace complete, no leak, no oops. The agent
# without its io_uring probes (41 kprobes cost seconds per load and unload
# in the emulated machine; the cycles are about leaks).
. /scenarios/lib.sh
cycle() {
	insmod /lib/fastvmix/fastvmix_hv.ko || return 1
	insmod /lib/fastvmix/fastvmix.ko io_uring=0 || return 1
	fastvmix trace -o /tmp/cycle.txt -- syscall_seq 1 /tmp/fvx-cycle 2>/dev/null 3>&-
	grep -q '\] exit_group(7)' /tmp/cycle.txt || return 1
	rmmod fastvmix && rmmod fastvmix_hv
}
cycle # one warm-up cycle: first-use allocations are not leaks
before=$(memfree)
done_ok=0
c=0
n=30
while [ $c -lt $n ]; do
	cycle && done_ok=$((done_ok + 1))
	c=$((c + 1))
done
after=$(memfree)
echo "# free (MemFree and the per-CPU lists) before ${before} kB, after $n traced cycles ${after} kB"
check cycles-all-traced test "$done_ok" -eq $n
# Tolerance 2 MiB: one leaked hypervisor (4 MiB pool + 4 MiB window) per
# cycle would be 240 MiB, a leak of 70 KiB per cycle shows.
check_num cycles-no-leak "$before - $after" -lt 2048
check_no_oops cycles-no-oops
