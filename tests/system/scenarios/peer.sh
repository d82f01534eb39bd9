# strace as the peer: the same program (syscall_seq: a failed openat, getpid
# calls, an openat that creates a file, a write, exit_group) under Debian's
# strace -f and under fastvmix trace -f, in the same machine. Both outputs
# are normalised (pid prefixes, the column strace aligns "= " to, pids
# returned by getpid and in strace's personality lines) and must be
# identical for the program's own calls, from its first openat on. The same
# for 32-bit calls (compat64: SYSCALL, then int $0x80; compat32: int $0x80,
# then SYSENTER), from the program's first getpid on.
. /scenarios/lib.sh
# norm FILE [FIRST]: the program's own calls, normalised, from the first
# that matches the sed pattern FIRST (its first openat)
norm() {
	first=${2:-'^openat(AT_FDCWD, "\/nonexistent\/fastvmix"'}
	sed -e 's/^\[pid *[0-9]*\] //' -e 's/^[0-9][0-9]*  *//' -e 's/) *= /) = /' \
		-e 's/^getpid() = [0-9]*$/getpid() = PID/' \
		-e 's/^\[ Process PID=[0-9]* /[ Process PID=PID /' "$1" |
		sed -n "/$first/,\$p"
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

# 32-bit calls. (Their writes go to fd 1: /dev/null here.)
for prog in compat64 compat32; do
	strace -f $prog 2>/tmp/peer-$prog-strace.txt >/dev/null 3>&-
	fastvmix trace -f -o /tmp/peer-$prog-fastvmix.txt -- $prog >/dev/null 2>/dev/null 3>&-
	norm /tmp/peer-$prog-strace.txt '^getpid() = PID$' >/tmp/peer-$prog-strace.norm
	norm /tmp/peer-$prog-fastvmix.txt '^getpid() = PID$' >/tmp/peer-$prog-fastvmix.norm
	sed "s/^/# $prog strace:   /" /tmp/peer-$prog-strace.norm
	sed "s/^/# $prog fastvmix: /" /tmp/peer-$prog-fastvmix.norm
	diff /tmp/peer-$prog-strace.norm /tmp/peer-$prog-fastvmix.norm | sed 's/^/# diff: /'
	check peer-$prog-strace-ran grep -q '^exit_group(0) = ?$' /tmp/peer-$prog-strace.norm
	check_num peer-$prog-calls-compared "$(wc -l </tmp/peer-$prog-strace.norm)" -ge 8
	check peer-$prog-same-as-strace cmp -s /tmp/peer-$prog-strace.norm /tmp/peer-$prog-fastvmix.norm
done
check peer-compat64-personality-lines grep -q '^\[ Process PID=PID runs in 32 bit mode. \]$' /tmp/peer-compat64-strace.norm
check_no_oops peer-no-oops
check peer-agent-rmmod rmmod fastvmix
check peer-hv-rmmod rmmod fastvmix_hv
