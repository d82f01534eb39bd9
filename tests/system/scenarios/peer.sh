# strace as the peer: the same program (syscall_seq: a failed openat, getpid
# calls, an openat that creates a file, a write, exit_group) under Debian's
# strace -f and under fastvmix trace -f, in the same machine. Both outputs
# are normalised (pid prefixes, the column strace aligns "= " to, pids
# returned by getpid and in strace's personality lines) and must be
# identical for the program's own calls, from its first openat on, to its
# "+++ exited with 7 +++". The same for 32-bit calls (compat64: SYSCALL,
# then int $0x80; compat32: int $0x80, then SYSENTER), from the program's
# first getpid on. Then iovec arrays and struct stat, struct msghdr,
# struct sigaction and sigset_t; then the same for the ends and signals of
# lifecycle's processes.
. /scenarios/lib.sh
# norm FILE [FIRST]: the program's own calls, normalised, from the first
# that matches the sed pattern FIRST (its first openat)
norm() {
	first=${2:-'^openat(AT_FDCWD, "\/nonexistent\/fastvmix"'}
	sed -e 's/^\[pid *[0-9]*\] //' -e 's/^[0-9][0-9]*  *//' -e 's/) *= /) = /' \
		-e 's/^getpid() = [0-9]*$/getpid() = PID/' -e 's/^gettid() = [0-9]*$/gettid() = PID/' \
		-e 's/^getppid() = [0-9]*$/getppid() = PID/' \
		-e 's/^\[ Process PID=[0-9]* /[ Process PID=PID /' "$1" |
		sed -n "/$first/,\$p"
}

# side_by_side PROG FIRST: PROG under strace -f and fastvmix trace -f,
# each normalised from FIRST on (norm) into /tmp/peer-PROG-{strace,fastvmix}.norm,
# both shown, and their diff
# (with $beside set, that command runs in the background beside each run)
side_by_side() {
	[ -n "$beside" ] && $beside &
	strace -f "$1" 2>/tmp/peer-$1-strace.txt 3>&-
	wait
	[ -n "$beside" ] && $beside &
	fastvmix trace -f -o /tmp/peer-$1-fastvmix.txt -- "$1" 2>/dev/null 3>&-
	wait
	for t in strace fastvmix; do
		norm /tmp/peer-$1-$t.txt "$2" >/tmp/peer-$1-$t.norm
		sed "s/^/# $1 $t: /" /tmp/peer-$1-$t.norm
	done
	diff /tmp/peer-$1-strace.norm /tmp/peer-$1-fastvmix.norm | sed 's/^/# diff: /'
}

check peer-hv-insmod insmod /lib/fastvmix/fastvmix_hv.ko
check peer-agent-insmod insmod /lib/fastvmix/fastvmix.ko io_uring=0
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
check_same peer-same-as-strace /tmp/peer-strace.norm /tmp/peer-fastvmix.norm

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
	check_same peer-$prog-same-as-strace /tmp/peer-$prog-strace.norm /tmp/peer-$prog-fastvmix.norm
done
check peer-compat64-personality-lines grep -q '^\[ Process PID=PID runs in 32 bit mode. \]$' /tmp/peer-compat64-strace.norm

# iovec arrays, a struct stat and a struct statx: writev's buffers,
# readv's as filled, fstat's (newfstatat), statx's and an i386 writev's
# struct compat_iovec (iov.c),
# from its openat on.
rm -f /tmp/fvx-iov
side_by_side iov '^openat(AT_FDCWD, "\/tmp\/fvx-iov"'
check peer-iov-strace-ran grep -q '^exit_group(0) = ?$' /tmp/peer-iov-strace.norm
check peer-iov-readv-shown grep -q '^readv(3, \[{iov_base="fas", iov_len=3}, {iov_base="tvmix\\n", iov_len=16}\], 2) = 9$' /tmp/peer-iov-fastvmix.norm
check peer-iov-statx-shown grep -q '^statx(3, "", AT_STATX_SYNC_AS_STAT|AT_EMPTY_PATH, STATX_BASIC_STATS, {stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFREG|0600, stx_size=9, \.\.\.}) = 0$' /tmp/peer-iov-fastvmix.norm
check_same peer-iov-same-as-strace /tmp/peer-iov-strace.norm /tmp/peer-iov-fastvmix.norm

# struct msghdr: sendmsg's and recvmsg's (msg.c), from its first sendmsg
# on, with the socket call between them, and a descriptor passed in
# control data (SCM_RIGHTS).
side_by_side msg '^sendmsg('
check peer-msg-strace-ran grep -q '^exit_group(0) = ?$' /tmp/peer-msg-strace.norm
check peer-msg-recvmsg-shown grep -q '^recvmsg(4, {msg_name=NULL, msg_namelen=0, msg_iov=\[{iov_base="ping", iov_len=4}, {iov_base="-pong\\n", iov_len=16}\], msg_iovlen=2, msg_controllen=0, msg_flags=0}, 0) = 10$' /tmp/peer-msg-fastvmix.norm
check peer-msg-socket-shown grep -q '^socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 5$' /tmp/peer-msg-fastvmix.norm
check peer-msg-control-shown grep -q '^recvmsg(4, {msg_name=NULL, msg_namelen=0, msg_iov=\[{iov_base="ping", iov_len=4}\], msg_iovlen=1, msg_control=\[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=\[6\]}\], msg_controllen=24, msg_flags=0}, 0) = 4$' /tmp/peer-msg-fastvmix.norm
check_same peer-msg-same-as-strace /tmp/peer-msg-strace.norm /tmp/peer-msg-fastvmix.norm

# Signal dispositions and masks (sigs.c): struct sigaction (handler, mask,
# flags, restorer) and sigset_t, in and out, from its first rt_sigaction on.
side_by_side sigs '^rt_sigaction(SIGUSR1, {'
check peer-sigs-strace-ran grep -q '^exit_group(0) = ?$' /tmp/peer-sigs-strace.norm
check peer-sigs-mask-shown grep -q '^rt_sigprocmask(SIG_SETMASK, \[INT QUIT\], ~\[KILL STOP\], 8) = 0$' \
	/tmp/peer-sigs-fastvmix.norm
check_same peer-sigs-same-as-strace /tmp/peer-sigs-strace.norm /tmp/peer-sigs-fastvmix.norm

# Calls a signal interrupts (restart.c): a read that SIGALRM's handler
# ends with EINTR, and one it has Linux make again (SA_RESTART); each
# read's first return is -ERESTARTSYS, as the call left it, before the
# signal's line, from its first rt_sigaction on; each handler's
# rt_sigreturn with the mask it restores and the value it leaves (-1
# EINTR, then 0: read's number, to be made again). Compared without the
# sender's pid.
# The SIGALRMs come from alarm_in_read, each while restart sleeps in its
# read: a timer could fire before the read when strace is slow (2 vCPUs).
# in_read PID COUNT: PID is asleep in a read of COUNT bytes (0x..) (with
# the shell's read: a poll forks nothing)
in_read() {
	local nr fd buf count pid comm state rest
	read -r nr fd buf count rest 2>/dev/null </proc/$1/syscall && [ "$nr $count" = "0 $2" ] &&
		read -r pid comm state rest 2>/dev/null </proc/$1/stat && [ "$state" = S ]
}
# in_sleep PID: PID is asleep in clock_nanosleep (230)
in_sleep() {
	local nr rest pid comm state
	read -r nr rest 2>/dev/null </proc/$1/syscall && [ "$nr" = 230 ] &&
		read -r pid comm state rest 2>/dev/null </proc/$1/stat && [ "$state" = S ]
}
# alarm_in_read: SIGALRM to restart when it is in its first read (16
# bytes), then in its second (8), then in its sleep; gives up after 20 s
alarm_in_read() {
	local polls=0 p=
	for count in 0x10 0x8 sleep; do
		while [ $polls -lt 2000 ]; do
			polls=$((polls + 1))
			[ -n "$p" ] || p=$(pidof restart)
			if [ "$count" = sleep ]; then
				[ -n "$p" ] && in_sleep "$p" && kill -ALRM "$p" && break
			else
				[ -n "$p" ] && in_read "$p" $count && kill -ALRM "$p" && break
			fi
			sleep 0.01
		done
	done
}
beside=alarm_in_read
side_by_side restart '^rt_sigaction(SIGALRM, {'
beside=
check peer-restart-strace-ran grep -q '^exit_group(0) = ?$' /tmp/peer-restart-strace.norm
check_num peer-restart-interrupted-shown \
	"$(grep -cE '^read\(3, 0x[0-9a-f]*, (16|8)\) = \? ERESTARTSYS \(To be restarted if SA_RESTART is set\)$' \
		/tmp/peer-restart-fastvmix.norm)" -eq 2
check peer-restart-restarted-shown grep -q '^read(3, "x", 8) = 1$' /tmp/peer-restart-fastvmix.norm
check peer-restart-sigreturn-shown grep -q '^rt_sigreturn({mask=\[\]}) = -1 EINTR (Interrupted system call)$' \
	/tmp/peer-restart-fastvmix.norm
# The sleep SIGALRM cut short shows the time it had left, as strace shows
# it (which differs by run: compared by form).
check peer-restart-sleep-left-shown grep -qE \
	'^clock_nanosleep\(CLOCK_REALTIME, 0, \{tv_sec=30, tv_nsec=0\}, \{tv_sec=[12]?[0-9], tv_nsec=[0-9]+\}\) = \? ERESTART_RESTARTBLOCK \(Interrupted by signal\)$' \
	/tmp/peer-restart-fastvmix.norm
for t in strace fastvmix; do
	sed -e 's/si_pid=[0-9]*/si_pid=PID/' \
		-e 's/}, {tv_sec=[0-9]*, tv_nsec=[0-9]*}) = ? ERESTART_RESTARTBLOCK/}, {tv_sec=N, tv_nsec=N}) = ? ERESTART_RESTARTBLOCK/' \
		/tmp/peer-restart-$t.norm >/tmp/peer-restart-$t.cmp
done
check_same peer-restart-same-as-strace /tmp/peer-restart-strace.cmp /tmp/peer-restart-fastvmix.cmp

# Time structures (times.c): struct timespec in and out, struct timeval,
# clocks by name and an unnamed one, select's timeout, an EFAULT, and an
# i386 call's old_timespec32, from its first nanosleep on; its first
# clock_gettime (a time that differs between the runs) by its form.
side_by_side times '^nanosleep({tv_sec=0, tv_nsec=1000000}, NULL)'
check peer-times-strace-ran grep -q '^exit_group(0) = ?$' /tmp/peer-times-strace.norm
check peer-times-clock-gettime-shown grep -qE \
	'^(\[pid +[0-9]+\] )?clock_gettime\(CLOCK_REALTIME, \{tv_sec=[0-9]+, tv_nsec=[0-9]+\}\) = 0$' \
	/tmp/peer-times-fastvmix.txt
check peer-times-select-shown grep -q \
	'^select(0, NULL, NULL, NULL, {tv_sec=0, tv_usec=2000}) = 0 (Timeout)$' /tmp/peer-times-fastvmix.norm
check_same peer-times-same-as-strace /tmp/peer-times-strace.norm /tmp/peer-times-fastvmix.norm

# What samples do to look at their machine, to hide or to find a debugger
# (anti.c): uname, prctl renaming the task and reading its name back, a
# name cut as Linux cuts it, a bad address, and other options; ptrace
# requests; resource limits; its parent, process group, session and
# thread id and a yield (quick calls, each one record written at its
# return: the same lines); from its uname on.
# PTRACE_TRACEME fails under strace, a ptracer, and succeeds under
# FastVMIX, which is none: compared apart.
side_by_side anti '^uname({'
check peer-anti-strace-ran grep -q '^exit_group(0) = ?$' /tmp/peer-anti-strace.norm
check peer-anti-traceme-fails-under-strace grep -q '^ptrace(PTRACE_TRACEME) = -1 EPERM' /tmp/peer-anti-strace.norm
check peer-anti-traceme-works-under-fastvmix grep -q '^ptrace(PTRACE_TRACEME) = 0$' /tmp/peer-anti-fastvmix.norm
check peer-anti-name-shown grep -q '^prctl(PR_SET_NAME, "kworker/0:1") = 0$' /tmp/peer-anti-fastvmix.norm
check peer-anti-rlimit-shown grep -q '^prlimit64(0, RLIMIT_CORE, {rlim_cur=0, rlim_max=0}, {rlim_cur=[0-9*RLIM64_INFTY]*, rlim_max=[0-9*RLIM64_INFTY]*}) = 0$' \
	/tmp/peer-anti-fastvmix.norm
# (sysinfo's values but totalram and mem_unit change from run to run:
# compared by form; totalram must be the same)
for t in strace fastvmix; do
	grep -o '^sysinfo({.*totalram=[0-9]*' /tmp/peer-anti-$t.norm | sed 's/.*totalram=//' >/tmp/peer-anti-$t.ram
	grep -v '^ptrace(PTRACE_TRACEME)' /tmp/peer-anti-$t.norm | sed '/^sysinfo({/s/[0-9][0-9]*/N/g' \
		>/tmp/peer-anti-$t.rest
done
check peer-anti-sysinfo-shown grep -q '^sysinfo({uptime=[0-9]*, loads=\[[0-9]*, [0-9]*, [0-9]*\], totalram=[1-9][0-9]*, .*, mem_unit=1}) = 0$' \
	/tmp/peer-anti-fastvmix.norm
check_num peer-anti-sysinfo-totalram-read "$(cat /tmp/peer-anti-strace.ram)" -gt 0
check_same peer-anti-sysinfo-totalram /tmp/peer-anti-strace.ram /tmp/peer-anti-fastvmix.ram
check_num peer-anti-calls-compared "$(wc -l </tmp/peer-anti-strace.rest)" -ge 15
check peer-anti-quick-shown sh -c "grep -q '^getpgid(0) = [1-9][0-9]*\$' /tmp/peer-anti-fastvmix.norm &&
	grep -q '^getppid() = PID\$' /tmp/peer-anti-fastvmix.norm && grep -q '^sched_yield() = 0\$' /tmp/peer-anti-fastvmix.norm"
check peer-anti-uname-shown grep -q '^uname({sysname="Linux", nodename="[^"]*", \.\.\.}) = 0$' /tmp/peer-anti-fastvmix.norm
check_same peer-anti-same-as-strace /tmp/peer-anti-strace.rest /tmp/peer-anti-fastvmix.rest

# Process lifecycle: how each process of lifecycle (a thread, a child of
# our parent's, a double fork, a fork chain, children that exit 3, are
# killed by SIGKILL and by SIGSEGV) ends and the signals each gets, strace's
# "+++" and "---" lines. The processes run concurrently, so the lines are
# compared per process (sorted), and the main process's in order. lifecycle
# writes "ROLE PID" for each of its processes.
# life_lines TRACE ROLES: TRACE's "+++" and "---" lines as "ROLE: line", each
# pid (the line's own and si_pid=) named by ROLES, SIGCHLD's CPU times out
life_lines() {
	awk 'NR == FNR { role[$2] = $1; next }
	function name(p) { return p in role ? role[p] : "PID" }
	{
		if (!match($0, /^\[pid +[0-9]+\] /) && !match($0, /^[0-9]+ +/))
			next
		pid = substr($0, 1, RLENGTH)
		gsub(/[^0-9]/, "", pid)
		line = substr($0, RLENGTH + 1)
		if (line !~ /^(\+\+\+|---) /)
			next
		if (match(line, /si_pid=[0-9]+/))
			line = substr(line, 1, RSTART + 6) name(substr(line, RSTART + 7, RLENGTH - 7)) \
				substr(line, RSTART + RLENGTH)
		sub(/si_utime=[^,]*, si_stime=[^}]*/, "si_utime=T, si_stime=T", line)
		print name(pid) ": " line
	}' "$2" "$1"
}
# (strace -o: every line starts with its pid)
strace -f -o /tmp/peer-life-strace.txt lifecycle 5 >/tmp/peer-life-strace.out 2>&1 3>&-
echo "# strace exit status $?"
fastvmix trace -f -o /tmp/peer-life-fastvmix.txt -- lifecycle 5 >/tmp/peer-life-fastvmix.out \
	2>/dev/null 3>&-
echo "# fastvmix exit status $?"
for t in strace fastvmix; do
	life_lines /tmp/peer-life-$t.txt /tmp/peer-life-$t.out >/tmp/peer-life-$t.lines
	grep '^main: ' /tmp/peer-life-$t.lines >/tmp/peer-life-$t.main
	sort /tmp/peer-life-$t.lines >/tmp/peer-life-$t.norm
done
sed 's/^/# strace:   /' /tmp/peer-life-strace.lines
sed 's/^/# fastvmix: /' /tmp/peer-life-fastvmix.lines
diff /tmp/peer-life-strace.norm /tmp/peer-life-fastvmix.norm | sed 's/^/# diff: /'
check peer-life-strace-ran grep -q '^main: +++ exited with 0 +++$' /tmp/peer-life-strace.norm
check_num peer-life-lines-compared "$(wc -l </tmp/peer-life-strace.norm)" -ge 20
check_same peer-life-same-as-strace /tmp/peer-life-strace.norm /tmp/peer-life-fastvmix.norm
# main's lines in strace's order. With 2 vCPUs a SIGCHLD, shown as its
# child sends it (README), can come before or after main's other lines
# and the other children's SIGCHLD, as the children run: there its
# SIGCHLD lines are left out of the order (the sorted comparison above
# has them all).
if [ "$(grep -c ^processor /proc/cpuinfo)" -gt 1 ]; then
	for t in strace fastvmix; do
		grep -v ' --- SIGCHLD ' /tmp/peer-life-$t.main >/tmp/peer-life-$t.main1
		mv /tmp/peer-life-$t.main1 /tmp/peer-life-$t.main
	done
fi
check_same peer-life-main-in-order /tmp/peer-life-strace.main /tmp/peer-life-fastvmix.main
check_no_oops peer-no-oops
check peer-agent-rmmod rmmod fastvmix
check peer-hv-rmmod rmmod fastvmix_hv
