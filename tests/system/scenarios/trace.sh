# Exit-less syscall tracing end to end: window, views, analyzer, agent,
# fastvmix trace, return values, process lifecycle (-f, exits, signals),
# exit mode, bad input, and the ring accounting.
# timeout: 900
. /scenarios/lib.sh
ncpu=$(nproc)
mark_time() { echo "# uptime $(cut -d' ' -f1 /proc/uptime): $*"; } # where the time goes
seq_names() { # the names of a text trace, space-separated
	sed -n 's/^\[pid *\([0-9]*\)\] \([a-z_0-9]*\)(.*/\2/p' "$1" | tr '\n' ' '
}

# A process that exists before the hypervisor and the window do.
sh -c 'while :; do read x </proc/uptime; done' &
early=$!

check trace-hv-insmod insmod /lib/fastvmix/fastvmix_hv.ko
check trace-agent-insmod insmod /lib/fastvmix/fastvmix.ko io_uring=0
dmesg | grep 'agent ready' | sed 's/^/# /'

# The known sequence, text.
# (fd 3 is this harness's result channel: closed so the sample's first fd is 3)
notified=$(returns_by notifier)
fastvmix trace -o /tmp/seq.txt -- syscall_seq 5 /tmp/fvx-known 2>/tmp/seq.err 3>&-
rc=$?
# (a traced task's returns come from the user return notifier, without
# Linux's syscall tracepoints)
check_num trace-returns-by-notifier "$(returns_by notifier) - $notified" -ge 7
sed 's/^/# seq: /' /tmp/seq.txt | head -n 3
sed 's/^/# seq: /' /tmp/seq.txt | tail -n 9
sed 's/^/# /' /tmp/seq.err
check trace-exit-status test "$rc" -eq 7
check trace-file-written grep -qx fastvmix /tmp/fvx-known
names=$(seq_names /tmp/seq.txt)
check trace-first-is-execve sh -c "echo '$names' | grep -q '^execve '"
check trace-known-sequence sh -c "echo '$names' | grep -q 'getpid getpid getpid getpid getpid openat write exit_group \$'"
# AT_FDCWD is an int: its upper 32 bits are not part of the argument.
# Strings and buffers are read by the analyzer and print as in strace.
check trace-openat-args grep -qE '\] openat\(AT_FDCWD, "/tmp/fvx-known", O_WRONLY\|O_CREAT\|O_TRUNC, 0644\) = 3$' /tmp/seq.txt
check trace-write-args grep -qE '\] write\(3, "fastvmix\\n", 9\) = 9$' /tmp/seq.txt
check trace-exit-args grep -qE '\] exit_group\(7\) = \?$' /tmp/seq.txt
# Return values: a failed call as strace shows it, the command's execve
# (with its argv, and envp's address and length, as strace shows them).
check trace-openat-enoent grep -qE '\] openat\(AT_FDCWD, "/nonexistent/fastvmix", O_RDONLY\) = -1 ENOENT \(No such file or directory\)$' /tmp/seq.txt
check trace-execve-returns grep -qE '\] execve\("[^"]*syscall_seq", \["syscall_seq", "5", "/tmp/fvx-known"\], 0x[0-9a-f]+ /\* [0-9]+ vars? \*/\) = 0$' /tmp/seq.txt
check trace-one-pid sh -c "test \$(sed -n 's/^\[pid *\([0-9]*\)\].*/\1/p' /tmp/seq.txt | sort -u | wc -l) -eq 1"

# A long path whole, as strace prints it (up to PATH_MAX): 400 bytes of
# prefix cannot hide where it leads. In both modes.
long=/tmp/$(head -c 200 /dev/zero | tr '\0' a)/$(head -c 200 /dev/zero | tr '\0' b)/../../../etc/fvx-long
fastvmix trace -o /tmp/long.txt -- cat "$long" >/dev/null 2>&1 3>&-
check trace-long-path grep -qF "\"$long\", O_RDONLY" /tmp/long.txt
fastvmix trace --mode exit -o /tmp/long-exit.txt -- cat "$long" >/dev/null 2>&1 3>&-
check trace-exit-mode-long-path grep -qF "\"$long\", O_RDONLY" /tmp/long-exit.txt

# Bad pointers: NULL, 0x1, a string without a NUL up to an unmapped page, a
# PROT_NONE page. Each shows as strace shows it (NULL or the address), the
# kernel says EFAULT, and the analyzer reading them faults nothing.
fastvmix trace -o /tmp/bad.txt -- syscall_seq 1 /tmp/fvx-known bad 2>/dev/null 3>&-
rc=$?
grep 'open(' /tmp/bad.txt | sed 's/^/# bad: /'
check trace-bad-pointers-exit-status test "$rc" -eq 7
check trace-bad-pointer-null grep -qE '\] open\(NULL, O_RDONLY\) = -1 EFAULT \(Bad address\)$' /tmp/bad.txt
check trace-bad-pointer-one grep -qE '\] open\(0x1, O_RDONLY\) = -1 EFAULT \(Bad address\)$' /tmp/bad.txt
check_num trace-bad-pointers-addresses "$(grep -cE '\] open\(0x[0-9a-f]+, O_RDONLY\) = -1 EFAULT \(Bad address\)$' /tmp/bad.txt)" -eq 3

# The same in JSON Lines.
fastvmix trace --json -o /tmp/seq.json -- syscall_seq 3 /tmp/fvx-known 2>/dev/null 3>&-
check trace-json-sequence sh -c "grep -o '\"name\":\"[a-z_]*\"' /tmp/seq.json | tail -n 6 | tr '\n' ' ' | grep -q 'getpid.*getpid.*getpid.*openat.*write.*exit_group'"
check trace-json-args grep -q '"name":"write","args":\["0x3","0x[0-9a-f]*","0x9",[^]]*\],"exit_mode":false,"ret":9,"errno":null,' /tmp/seq.json
check trace-json-errno grep -q '"name":"openat",.*"ret":-2,"errno":"ENOENT",' /tmp/seq.json
check trace-json-write-data grep -q '"name":"write",.*"data":\[null,{"bytes":"fastvmix\\n","truncated":false},' /tmp/seq.json

# Exit mode: the same trace, written by the hypervisor.
fastvmix trace --mode exit --json -o /tmp/exit.json -- syscall_seq 3 /tmp/fvx-known 2>/dev/null
check trace-exit-mode-sequence sh -c "grep -o '\"name\":\"[a-z_]*\"' /tmp/exit.json | tail -n 5 | tr '\n' ' ' | grep -q 'getpid.*openat.*write.*exit_group'"
check trace-exit-mode-flag grep -q '"exit_mode":true' /tmp/exit.json
check trace-exit-mode-returns grep -q '"name":"write",.*"exit_mode":true,"ret":9,"errno":null,' /tmp/exit.json
# What the hypervisor reads of the arguments, as the analyzer does: the
# path, the bytes written; and the process's end (a task event).
check trace-exit-mode-path sh -c "grep '\"name\":\"openat\"' /tmp/exit.json | grep -q 'fvx-known'"
check trace-exit-mode-write-data sh -c "grep '\"name\":\"write\"' /tmp/exit.json | grep -q '\"bytes\":\"fastvmix\\\\n\"'"
check trace-exit-mode-exit-event grep -q '"event":"exit"' /tmp/exit.json

mark_time lifecycle
# Process lifecycle with -f: children are followed by fork wherever they
# go (a clone(CLONE_PARENT) child, our parent's; a grandchild adopted by
# init; the end of a fork chain 100 deep; a thread), each making a call of
# its own; how each ended and the signals each got, as strace prints them.
# lifecycle writes "ROLE PID" for each of its processes.
fastvmix trace -f -o /tmp/life.txt -- lifecycle 100 >/tmp/life.out 2>/tmp/life.err 3>&-
rc=$?
joined /tmp/life.txt >/tmp/life.joined
sed 's/^/# life: /' /tmp/life.err
echo "# life: $(grep -v '^chain-' /tmp/life.out | tr '\n' ' ')$(grep -c '^chain-' /tmp/life.out) in the chain"
grep -E '(fvx-|\] (\+\+\+|---) )' /tmp/life.joined | grep -vE 'exited with 0 \+\+\+$|CLD_EXITED, si_pid=[0-9]+, si_uid=0, si_status=0,' |
	sed 's/^/# life: /'
role() { sed -n "s/^$1 \([0-9][0-9]*\)\$/\1/p" /tmp/life.out | head -n 1; }
# life_line PID LINE-ERE: PID has the line (after its "[pid N] "; a call
# split by another task's lines, as on 2 vCPUs, joined again)
life_line() { [ -n "$1" ] && grep -qE "^\[pid +$1\] $2\$" /tmp/life.joined; }
main=$(role main)
enoent='-1 ENOENT \(No such file or directory\)'
check trace-life-exit-status test "$rc" -eq 0
check trace-life-thread life_line "$(role thread)" "openat\(AT_FDCWD, \"/fvx-thread\", O_RDONLY\) = $enoent"
check trace-life-clone-parent life_line "$(role clone-parent)" \
	"openat\(AT_FDCWD, \"/fvx-clone-parent\", O_RDONLY\) = $enoent"
check trace-life-grandchild life_line "$(role grandchild)" \
	"openat\(AT_FDCWD, \"/fvx-grandchild\", O_RDONLY\) = $enoent"
check trace-life-chain-100 life_line "$(role chain-100)" \
	"openat\(AT_FDCWD, \"/fvx-chain-end\", O_RDONLY\) = $enoent"
check trace-life-thread-exited life_line "$(role thread)" '\+\+\+ exited with 0 \+\+\+'
check trace-life-exited-3 life_line "$(role exit3)" '\+\+\+ exited with 3 \+\+\+'
check trace-life-killed life_line "$(role killed)" '\+\+\+ killed by SIGKILL \+\+\+'
# The call SIGKILL ends (pause, lifecycle waits until the child sleeps in
# it) has no value, as in strace: "= ?", not the restart code it left (the
# agent reports no return for it).
grep -E "^\[pid +$(role killed)\] " /tmp/life.joined | sed 's/^/# life-killed: /'
check trace-life-killed-call-no-value life_line "$(role killed)" 'pause\(\) = \?'
check trace-life-segv-signal life_line "$(role segv)" \
	'--- SIGSEGV \{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10\} ---'
check trace-life-segv-killed life_line "$(role segv)" '\+\+\+ killed by SIGSEGV \+\+\+'
check trace-life-main-exited life_line "$main" '\+\+\+ exited with 0 \+\+\+'
check trace-life-sigusr1 life_line "$main" \
	"--- SIGUSR1 \{si_signo=SIGUSR1, si_code=SI_USER, si_pid=$main, si_uid=0\} ---"
times='si_utime=[0-9][^,]*, si_stime=[0-9][^}]*'
check trace-life-sigchld-exited life_line "$main" \
	"--- SIGCHLD \{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=$(role exit3), si_uid=0, si_status=3, $times\} ---"
check trace-life-sigchld-killed life_line "$main" \
	"--- SIGCHLD \{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=$(role killed), si_uid=0, si_status=SIGKILL, $times\} ---"
# A group stop and its continue, as strace shows them (the child's lines,
# our SIGCHLDs for them).
check trace-life-stop-signal life_line "$(role stopped)" \
	"--- SIGSTOP \{si_signo=SIGSTOP, si_code=SI_TKILL, si_pid=$(role stopped), si_uid=0\} ---"
check trace-life-stopped life_line "$(role stopped)" '--- stopped by SIGSTOP ---'
check trace-life-continued life_line "$(role stopped)" \
	"--- SIGCONT \{si_signo=SIGCONT, si_code=SI_USER, si_pid=$main, si_uid=0\} ---"
check trace-life-sigchld-stopped life_line "$main" \
	"--- SIGCHLD \{si_signo=SIGCHLD, si_code=CLD_STOPPED, si_pid=$(role stopped), si_uid=0, si_status=SIGSTOP, $times\} ---"
check trace-life-sigchld-continued life_line "$main" \
	"--- SIGCHLD \{si_signo=SIGCHLD, si_code=CLD_CONTINUED, si_pid=$(role stopped), si_uid=0, si_status=SIGCONT, $times\} ---"
# Each process of the chain ended, and each one's child's SIGCHLD came.
check_num trace-life-chain-exits "$(grep -cE '\] \+\+\+ exited with 0 \+\+\+$' /tmp/life.txt)" -ge 100
check_num trace-life-chain-sigchld "$(grep -cE '\] --- SIGCHLD \{si_signo=SIGCHLD, si_code=CLD_EXITED, ' /tmp/life.txt)" -ge 100
check trace-life-none-unfollowed sh -c "! grep -q 'could not be followed' /tmp/life.err"
# Exit mode follows by fork too (the hypervisor keeps the follow set), and
# reads paths and prints ends as fast mode does.
fastvmix trace --mode exit -f -o /tmp/life-exit.txt -- lifecycle 3 >/tmp/life.out 2>/dev/null 3>&-
joined /tmp/life-exit.txt >/tmp/life.joined
check trace-exit-mode-life-grandchild life_line "$(role grandchild)" \
	"openat\(AT_FDCWD, \"/fvx-grandchild\", O_RDONLY\) = $enoent"
check trace-exit-mode-life-killed life_line "$(role killed)" '\+\+\+ killed by SIGKILL \+\+\+'

# The early process: its syscalls go through the window too.
timeout -s INT 4 fastvmix trace -p $early -o /tmp/early.txt 2>/dev/null
check trace-early-process sh -c "grep -qE 'pid *$early\] read\(.*\) = [0-9]+\$' /tmp/early.txt"
kill $early

# Switching views by hand: a bad index is an attack: #UD. The analyzer view
# from code of one's own (whose next fetch is not executable there) is
# undone: the code goes on in the normal view, harmlessly.
check trace-vmfunc-bad-index-ud test "$(hvprobe fault vmfunc-bad-index)" = UD
check trace-vmfunc-own-code-undone test "$(hvprobe fault vmfunc-analyzer-view)" = none
# The debug registers exit while the window is protected: ring 3 still gets
# the #GP the CPU raises (the exit comes first, SDM 25.1.1).
check trace-ring3-mov-from-dr7-gp test "$(hvprobe fault mov-from-dr7)" = GP
check trace-ring3-mov-to-dr0-gp test "$(hvprobe fault mov-to-dr0)" = GP
fastvmix trace -o /tmp/after-attack.txt -- syscall_seq 1 /tmp/fvx-known 2>/dev/null 3>&-
check trace-works-after-attacks grep -q '\] exit_group(7) = ?$' /tmp/after-attack.txt

# Bad input: clear errors, and tracing still works afterwards.
head -c 300 /dev/urandom >/tmp/bad.fvxa
fastvmix analyzer load /tmp/bad.fvxa 2>/tmp/bad.err
check trace-bad-analyzer-refused sh -c "grep -q 'bad magic' /tmp/bad.err"
check trace-bad-ioctls hvprobe badioctl
fastvmix trace -p 999999 2>/tmp/nopid.err
check trace-no-such-pid grep -q 'no process 999999' /tmp/nopid.err
check trace-user-analyzer fastvmix analyzer load /lib/fastvmix/syscall.fvxa
fastvmix trace -o /tmp/again.txt -- syscall_seq 2 /tmp/fvx-known 2>/dev/null
check trace-usable-after-errors sh -c "seq_names() { sed -n 's/^\[pid *[0-9]*\] \([a-z_0-9]*\)(.*/\1/p' \$1 | tr '\n' ' '; }; seq_names /tmp/again.txt | grep -q 'getpid getpid openat write exit_group \$'"

mark_time exit counts
# Fast mode costs no VM exit per call, nor per return; exit mode at least
# one for each. Each traced getpid is one record in fast mode (a quick
# call, recorded whole at its return: syscall_quick.h), two in exit mode.
# (snapshot and exits: lib.sh)
calls=40000 # enough that 1 exit per 100 calls stands out from start-up
# What a trace costs in exits whatever it traces (start-up's CPUIDs, the
# tracepoints' text_poke writes at start and stop): a trace of one call.
snapshot /tmp/base.0
fastvmix trace -e trace=getpid -o /dev/null -- getpid_bench 1 2>/dev/null
snapshot /tmp/base.1
base=$(calc "$(exits /tmp/base.1) - $(exits /tmp/base.0)")
echo "# VM exits of a trace of one call: $base"
snapshot /tmp/status.0
fastvmix trace -e trace=getpid -o /tmp/fast.txt -- getpid_bench $calls 2>/tmp/fast.err
snapshot /tmp/status.1
fastvmix trace --mode exit -e trace=getpid -o /tmp/exit.txt -- getpid_bench $calls 2>/tmp/exitm.err
snapshot /tmp/status.2
e0=$(exits /tmp/status.0)
e1=$(exits /tmp/status.1)
e2=$(exits /tmp/status.2)
grep '"cpu":0,' /tmp/status.0 | sed 's/^/# exits before fast mode: /'
grep '"cpu":0,' /tmp/status.1 | sed 's/^/# exits after fast mode: /'
echo "# fast mode: $(calc "$e1 - $e0") VM exits for $((2 * calls)) traced getpid; $(cat /tmp/fast.err)"
echo "# exit mode: $(calc "$e2 - $e1") VM exits for $((2 * calls)) traced getpid; $(cat /tmp/exitm.err)"
got=$(sed -n 's/^fastvmix: \([0-9]*\) records, \([0-9]*\) dropped/\1 \2/p' /tmp/fast.err)
# (and the record of its end)
check_num trace-fast-all-accounted "${got% *} + ${got#* }" -eq "2 * $calls + 1"
check_num trace-fast-no-exits "$e1 - $e0 - $base" -lt "$calls / 100"
check_num trace-exit-mode-exits "$e2 - $e1" -ge "2 * 2 * $calls"

# The guest reads back its own IA32_LSTAR while the real one points at the
# trampoline.
[ -e /dev/cpu/0/msr ] || insmod /lib/fastvmix/msr.ko
lstar=$(hvprobe rdmsr 0xc0000082)
fastvmix trace -o /dev/null -- hvprobe rdmsr 0xc0000082 >/tmp/lstar.txt 2>/dev/null
echo "# LSTAR $lstar, while tracing $(cat /tmp/lstar.txt)"
check trace-lstar-virtualised test "$(cat /tmp/lstar.txt)" = "$lstar"

mark_time burst
# The default rings hold a burst of 100,000 records per CPU: with the
# frontend held up by its output (a FIFO nobody reads until the program
# has ended: it stays a zombie until the frontend reaps it; its own
# output goes elsewhere, or it would wait for the reader too) and --drop,
# 2 x 50,000 getpid (100,001 records with the program's end: each a quick
# call, one record) lose none;
# and the frontend, once its output flows again, takes all of them, more
# than one batch of its drain (65,536 records).
dmesg | grep 'records per CPU' | tail -n 1 | sed 's/^/# /'
rm -f /tmp/burst.fifo
mkfifo /tmp/burst.fifo
{
	i=0
	while ! pid=$(pidof getpid_bench) && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	while grep -q '^State:[[:space:]]*[RSD]' /proc/$pid/status 2>/dev/null && [ $i -lt 1500 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	echo "# burst: the output was held for $i rounds"
	cat >/dev/null
} </tmp/burst.fifo &
reader=$!
fastvmix trace --drop -e trace=getpid -o /tmp/burst.fifo -- getpid_bench 50000 >/dev/null 2>/tmp/burst.err
kill $reader 2>/dev/null # (done, unless fastvmix never opened the FIFO)
wait $reader 2>/dev/null
cat /tmp/burst.err | sed 's/^/# burst: /'
got=$(sed -n 's/^fastvmix: \([0-9]*\) records, \([0-9]*\) dropped/\1 \2/p' /tmp/burst.err)
check_num trace-burst-100k-held "${got% *}" -eq "2 * 50000 + 1"
check_num trace-burst-100k-none-dropped "${got#* }" -eq 0

mark_time small rings
# The ring size is the loader's to choose (ring_records, rounded up to a
# power of two): one out of bounds is refused with the bounds, a small one
# loads, and the rest of this scenario runs with it, so that its threads
# fill the rings.
check trace-ring-agent-rmmod rmmod fastvmix
check trace-ring-hv-rmmod rmmod fastvmix_hv
check trace-ring-records-refused sh -c '! insmod /lib/fastvmix/fastvmix_hv.ko ring_records=100 2>/dev/null'
check trace-ring-records-bounds-said sh -c "dmesg | tail -n 5 | grep -q 'ring_records=100: give 4096 to 4194304 records'"
check trace-ring-small-insmod insmod /lib/fastvmix/fastvmix_hv.ko ring_records=5000
dmesg | grep 'records per CPU' | tail -n 1 | sed 's/^/# /'
check trace-ring-small-rounded sh -c "dmesg | grep 'records per CPU' | tail -n 1 | grep -q ', 8192 records per CPU'"
check trace-ring-small-agent-insmod insmod /lib/fastvmix/fastvmix.ko io_uring=0

mark_time threads
# Threads on every CPU (at least two), 20k calls each: 40k records, several
# times what the rings hold, made faster than the frontend drains: nothing
# is lost, the threads wait for it (by default: a quick call whose record
# finds no room is made again, as an entry would wait). (2 x 100k, 200k
# records, with the default rings: storm.sh.)
threads=$ncpu
[ "$threads" -ge 2 ] || threads=2
calls=20000
fastvmix trace -e trace=getpid -o /tmp/threads.txt -- getpid_bench $calls $threads 2>/tmp/threads.err
cat /tmp/threads.err | sed 's/^/# threads: /'
got=$(sed -n 's/^fastvmix: \([0-9]*\) records, \([0-9]*\) dropped/\1 \2/p' /tmp/threads.err)
# (and the records of each thread's end, the main one's too)
check_num trace-threads-nothing-lost "${got% *}" -eq "$calls * $threads + $threads + 1"
check_num trace-threads-none-dropped "${got#* }" -eq 0
check trace-threads-numbering-gap-free sh -c "! grep -q 'missing from the rings' /tmp/threads.err"
# With --drop, a full ring drops records instead, each one counted. (The
# frontend outranks the threads, so it keeps up unless it is held up: here
# by its output, a pipe nobody reads for the first seconds.)
fastvmix trace --drop -e trace=getpid -- getpid_bench 20000 $threads 2>/tmp/drop.err |
	{ sleep 5; cat >/dev/null; }
cat /tmp/drop.err | sed 's/^/# --drop: /'
got=$(sed -n 's/^fastvmix: \([0-9]*\) records, \([0-9]*\) dropped/\1 \2/p' /tmp/drop.err)
check_num trace-drop-accounted "${got% *} + ${got#* }" -eq "20000 * $threads + $threads + 1"
check_num trace-drop-drops "${got#* }" -gt 0
# (threads interleave: getpid( <unfinished ...> and <... getpid resumed>;
# each thread's end shows whatever -e trace= says, as in strace)
check trace-threads-all-getpid sh -c "! grep -vE '\] (getpid\(|<\.\.\. getpid resumed>\)|\+\+\+ exited with 0 \+\+\+\$)' /tmp/threads.txt | grep -q ."
# Paired per thread: every getpid that returned returned the process's pid.
check trace-threads-getpid-returns sh -c "test \$(sed -n 's/.*getpid.*) = \([0-9]*\)\$/\1/p' /tmp/threads.txt | sort -u | wc -l) -eq 1"

mark_time task marks
# Only what the trace may select pays for it: while a trace of a process
# runs, another process's system calls, even those the filter selects, go
# straight on to Linux (task marks, FVX_CONFIG_TASK_MARKS: no analyzer
# view, no syscall tracepoints), and the traced process's children made
# before and after still are traced (-f). getpid_bench N 1 N: the median
# of single calls, against the same program run before the trace.
median() { sed -n 's/^getpid_bench [0-9]* [0-9.]* \([0-9]*\)$/\1/p' "$1"; }
getpid_bench 2000 1 2000 >/tmp/other.native
rm -f /tmp/hold && mkfifo /tmp/hold
fastvmix trace -f -e trace=getpid -o /tmp/marks.txt -- \
	sh -c 'getpid_bench 3 >/dev/null; read x </tmp/hold; getpid_bench 3 >/dev/null' 2>/tmp/marks.err &
tracer=$!
sleep 2
getpid_bench 2000 1 2000 >/tmp/other.traced
echo go >/tmp/hold
wait $tracer
traced=$(grep -c '\] getpid() = ' /tmp/marks.txt)
echo "# getpid of another process, median: $(median /tmp/other.native) before the trace, $(median /tmp/other.traced) during it; $traced getpid traced"
check_num trace-marks-others-native "$(median /tmp/other.traced)" -le "$(median /tmp/other.native) + 20"
# (the children's 12, and the shell's own for $$; none of the other's 6000)
check_num trace-marks-traced-children "$traced" -ge 12
check_num trace-marks-others-untraced "$traced" -lt 100

# The frontend outranks what it traces (a task whose ring is full waits
# for it); the command keeps its own priority (a sample that looks at its
# parent sees the frontend's: README, what remains visible).
fastvmix trace -o /dev/null -- sh -c 'cut -d" " -f19 /proc/$PPID/stat /proc/self/stat' >/tmp/nice.out
check trace-frontend-outranks test "$(sed -n 1p /tmp/nice.out)" = -20
check trace-command-priority-kept test "$(sed -n 2p /tmp/nice.out)" = 0

mark_time end
check trace-agent-rmmod rmmod fastvmix
check trace-hv-rmmod rmmod fastvmix_hv
check_no_oops trace-no-oops
