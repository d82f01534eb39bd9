# timeout: 1500
# 50 load/unload cycles of the hypervisor and the agent, each with a trace
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
while [ $c -lt 50 ]; do
	cycle && done_ok=$((done_ok + 1))
	c=$((c + 1))
done
after=$(memfree)
echo "# MemFree before ${before} kB, after 50 traced cycles ${after} kB"
check cycles-50-traced test "$done_ok" -eq 50
# Tolerance 2 MiB: one leaked hypervisor (4 MiB pool + 4 MiB window) per cycle would be 400 MiB.
check_num cycles-no-leak "$before - $after" -lt 2048
check_no_oops cycles-no-oops
