# strace as the peer: the same program (syscall_seq: a failed openat, getpid
# calls, an openat that creates a file, a write, exit_group) under Debian's
# strace -f and under fastvmix trace -f, in the same machine. Both outputs
# are normalised (pid prefixes, the column strace aligns "= " to, pids
# returned by getpid) and must be identical for the program's own calls,
# from its first openat on.
. /scenarios/lib.sh
# norm FILE: the program's own calls, normalised
norm() {
	sed -e 's/^\[pid *[0-9]*\] //' -e 's/^[0-9][0-9]*  *//' -e 's/) *= /) = /' \
		-e 's/^getpid() = [0-9]*$/getpid() = PID/' "$1" |
		sed -n '/^openat(AT_FDCWD, "\/nonexistent\/fastvmix"/,$p'
}

check peer-hv-insmod insmod /lib/fastvmix/fastvmix_hv.ko
check peer-agent-insmod insmod /lib/fastvmix/fastvmix.ko
rm -f /tmp/fvx-peer
# (the same open descriptors for both: strace's -o file and the scenario's
# result channel, fd 3, would shift the program's fd numbers)
strace -f syscall_seq 2 /tmp/fvx-peer 2>/tmp/peer-strace.txt 3>&-
echo "# strace exit status $?"
rm -f /tmp/fvx-peer
fastvmix trace -f -o /tmp/peer-fastvmix.txt -- syscall_seq 2 /tmp/fvx-peer 2>/dev/null 3>&-
echo "# fastvmix exit status $?"
norm /tmp/peer-strace.txt >/tmp/peer-strace.norm
norm /tmp/peer-fastvmix.txt >/tmp/peer-fastvmix.norm
sed 's/^/# strace:   /' /tmp/peer-strace.norm
sed 's/^/# fastvmix: /' /tmp/peer-fastvmix.norm
diff /tmp/peer-strace.norm /tmp/peer-fastvmix.norm | sed 's/^/# diff: /'
check peer-strace-ran grep -q '^exit_group(7) = ?$' /tmp/peer-strace.norm
check_num peer-calls-compared "$(wc -l </tmp/peer-strace.norm)" -ge 7
check peer-same-as-strace cmp -s /tmp/peer-strace.norm /tmp/peer-fastvmix.norm
check_no_oops peer-no-oops
check peer-agent-rmmod rmmod fastvmix
check peer-hv-rmmod rmmod fastvmix_hv
