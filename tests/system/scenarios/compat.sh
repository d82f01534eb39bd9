# 32-bit system calls: int $0x80 from a 64-bit program (compat64), int
# $0x80 and SYSENTER (the vDSO's __kernel_vsyscall) from a 32-bit one
# (compat32), each making the same getpid, failed open and write. Traced
# through the agent's sys_enter probe and shown as strace shows them: i386
# names, decoded arguments and strings, return values and errnos, strace's
# personality lines; -e trace=, -c and --json. Work submitted through
# io_uring (uring), by io_uring_enter and by an SQPOLL ring's kernel
# thread, shown as the calls that do the same. Storms of 32-bit calls that fill
# the ring end with every record there, none dropped (the calls wait: the
# retry path, for int $0x80 and for SYSENTER), and no VM exit per call.
# timeout: 900
. /scenarios/lib.sh

check compat-hv-insmod insmod /lib/fastvmix/fastvmix_hv.ko
check compat-agent-insmod insmod /lib/fastvmix/fastvmix.ko

# calls FILE: from the program's first getpid on, without pid prefixes,
# pids as PID
calls() {
	sed -e 's/^\[pid *[0-9]*\] //' -e 's/^getpid() = [0-9]*$/getpid() = PID/' \
		-e 's/^\[ Process PID=[0-9]* /[ Process PID=PID /' "$1" | sed -n '/^getpid() = PID$/,$p'
}
# getpid_is_pid FILE: some getpid calls, each returning its thread's pid
getpid_is_pid() {
	sed -n 's/^\[pid *\([0-9]*\)\] getpid() = \([0-9]*\)$/\1 \2/p' "$1" >/tmp/getpid.pairs
	test -s /tmp/getpid.pairs && awk '$1 != $2 { bad = 1 } END { exit bad }' /tmp/getpid.pairs
}
# mode_lines FILE MODE: how many "[ Process PID=N runs in MODE mode. ]"
# lines there are of thread N itself
mode_lines() {
	sed -n "s/^\[pid *\([0-9]*\)\] \[ Process PID=\([0-9]*\) runs in $2 mode\. \]\$/\1 \2/p" "$1" |
		awk '$1 == $2' | wc -l
}
# The three calls as strace prints them.
three_calls() {
	echo 'getpid() = PID'
	echo 'open("/nonexistent/fvx-compat", O_RDONLY) = -1 ENOENT (No such file or directory)'
	echo 'write(1, "fvx-compat\n", 11) = 11'
}

# traced PROGRAM: PROGRAM traced into /tmp/PROGRAM.txt (fd 3 is this
# harness's result channel; the program writes to fd 1: /dev/null here);
# its exit status, its calls against /tmp/PROGRAM.want, getpid's values.
traced() {
	fastvmix trace -o /tmp/$1.txt -- $1 >/dev/null 2>/tmp/$1.err 3>&-
	rc=$?
	sed "s/^/# $1: /" /tmp/$1.txt | tail -n 14
	calls /tmp/$1.txt >/tmp/$1.got
	diff /tmp/$1.want /tmp/$1.got | sed 's/^/# diff: /'
	check_num $1-exit-status "$rc" -eq 0
	check_same $1-calls-as-strace /tmp/$1.want /tmp/$1.got
	check $1-getpid-is-pid getpid_is_pid /tmp/$1.txt
}

# SYSCALL, then int $0x80: strace's line at each switch.
{
	three_calls
	echo '[ Process PID=PID runs in 32 bit mode. ]'
	three_calls
	echo '[ Process PID=PID runs in 64 bit mode. ]'
	echo 'exit_group(0) = ?'
	echo '+++ exited with 0 +++'
} >/tmp/compat64.want
traced compat64
check_num compat64-to-32-bit-mode "$(mode_lines /tmp/compat64.txt '32 bit')" -eq 1
check_num compat64-back-to-64-bit-mode "$(mode_lines /tmp/compat64.txt '64 bit')" -eq 1

# int $0x80, then SYSENTER, in a 32-bit process: its execve returns as a
# 32-bit call (the 64-bit entry and the i386 return make one line).
{
	three_calls
	three_calls
	echo 'exit_group(0) = ?'
	echo '+++ exited with 0 +++'
} >/tmp/compat32.want
traced compat32
check compat32-execve-returns grep -qE '\] execve\("[^"]*compat32", \["compat32"\], 0x[0-9a-f]+ /\* [0-9]+ vars \*/\) = 0$' /tmp/compat32.txt
check_num compat32-runs-in-32-bit-mode "$(mode_lines /tmp/compat32.txt '32 bit')" -eq 1

# socketcall, as old binaries make the socket calls: each as the call it
# does the work of, with its arguments read from the array (strace's
# send is sendto here, i386 having no send of its own); an unreadable
# array leaves socketcall's registers. In both modes.
for mode in fast exit; do
	fastvmix trace --mode $mode -o /tmp/c32-sock-$mode.txt -- compat32 socketcall >/dev/null 2>&1 3>&-
	sed "s/^/# socketcall ($mode): /" /tmp/c32-sock-$mode.txt | tail -n 6
	check compat32-socketcall-socket-$mode grep -qE '\] socket\(AF_UNIX, SOCK_DGRAM, 0\) = [0-9]+$' /tmp/c32-sock-$mode.txt
	check compat32-socketcall-connect-$mode grep -qE '\] connect\([0-9]+, \{sa_family=AF_UNIX, sun_path="/nonexistent/fvx-sock"\}, 24\) = -1 ENOENT ' /tmp/c32-sock-$mode.txt
	check compat32-socketcall-send-$mode grep -qE '\] sendto\([0-9]+, "fvx-compat\\n", 11, 0, NULL, 0\) = -1 ENOTCONN ' /tmp/c32-sock-$mode.txt
	check compat32-socketcall-unreadable-$mode grep -qE '\] socketcall\(.* = -1 EFAULT ' /tmp/c32-sock-$mode.txt
done

# -e trace= selects 32-bit calls by name, classes by the x86-64 call of
# the same name.
fastvmix trace -e trace=open -o /tmp/c64-open.txt -- compat64 >/dev/null 2>/dev/null 3>&-
sed 's/^/# -e trace=open: /' /tmp/c64-open.txt
check_num compat-filter-open-both "$(grep -c '\] open(' /tmp/c64-open.txt)" -eq 2
check compat-filter-open-only sh -c "! grep -E '\] (getpid|write|exit_group)\(' /tmp/c64-open.txt"
fastvmix trace -e trace=%file -o /tmp/c32-file.txt -- compat32 >/dev/null 2>/dev/null 3>&-
check_num compat-filter-class "$(grep -c '\] open("/nonexistent/fvx-compat", O_RDONLY) = -1 ENOENT' /tmp/c32-file.txt)" -eq 2
check compat-filter-class-only sh -c "! grep -E '\] (getpid|write)\(' /tmp/c32-file.txt"

# -c: the 32-bit calls in a table of their own, as strace prints them.
fastvmix trace -c -o /tmp/c64-c.txt -- compat64 >/dev/null 2>/dev/null 3>&-
sed 's/^/# -c: /' /tmp/c64-c.txt
sed -n '/^System call usage summary for 32 bit mode:$/,$p' /tmp/c64-c.txt >/tmp/c64-c32.txt
check compat-summary-open grep -qE ' 1 +1 open$' /tmp/c64-c32.txt
check compat-summary-getpid grep -qE ' 1 +getpid$' /tmp/c64-c32.txt
check compat-summary-total grep -qE ' 3 +1 total$' /tmp/c64-c32.txt

# JSON Lines: "arch" says which table "nr" is of.
fastvmix trace --json -o /tmp/c64.json -- compat64 >/dev/null 2>/dev/null 3>&-
grep '"name":"open"' /tmp/c64.json | sed 's/^/# json: /'
check compat-json-open-64 grep -q '"arch":"x86_64","nr":2,"name":"open",.*"ret":-2,"errno":"ENOENT",' /tmp/c64.json
check compat-json-open-32 grep -q '"arch":"i386","nr":5,"name":"open",.*"ret":-2,"errno":"ENOENT",' /tmp/c64.json
check compat-json-write-data grep -q '"arch":"i386","nr":4,"name":"write",.*"data":\[null,{"bytes":"fvx-compat\\n","truncated":false},' /tmp/c64.json

# Exit mode reports 32-bit calls too (the agent's probe, one VMCALL).
fastvmix trace --mode exit -o /tmp/c64-exit.txt -- compat64 >/dev/null 2>/dev/null 3>&-
check_num compat-exit-mode-both "$(grep -c '\] open(' /tmp/c64-exit.txt)" -eq 2

# io_uring: an open, a write, a read and a NOP submitted by io_uring_enter,
# then an open, a write and a read an SQPOLL ring's kernel thread takes
# from the ring (a thread of the program's own: another pid, and no
# io_uring_enter).
fastvmix trace -o /tmp/uring.txt -- uring >/dev/null 2>/tmp/uring.err 3>&-
rc=$?
grep -E 'io_uring' /tmp/uring.txt | sed 's/^/# uring: /'
check_num uring-exit-status "$rc" -eq 0
check uring-files-written sh -c 'test "$(cat /tmp/fvx-uring)" = fvx-uring && test "$(cat /tmp/fvx-uring-sqpoll)" = fvx-sqpoll'
main=$(sed -n 's/^\[pid *\([0-9]*\)\] io_uring_setup(.*/\1/p' /tmp/uring.txt | head -n 1)
# uring_pids ERE: the pids of the io_uring lines that match
uring_pids() { grep -E "^\[pid +[0-9]+\] io_uring $1\$" /tmp/uring.txt | sed 's/^\[pid *\([0-9]*\)\].*/\1/'; }
uring_pids 'IORING_OP_OPENAT openat\(AT_FDCWD, "/tmp/fvx-uring", O_RDWR[|]O_CREAT[|]O_TRUNC, 0600\)' >/tmp/u-open
uring_pids 'IORING_OP_WRITE pwrite64\([0-9]+, "fvx-uring\\n", 10, 0\)' >/tmp/u-write
uring_pids 'IORING_OP_NOP \{flags=0, fd=0, off=0, addr=0, len=0, op_flags=0, user_data=0xf00d\}' >/tmp/u-nop
uring_pids 'IORING_OP_OPENAT openat\(AT_FDCWD, "/tmp/fvx-uring-sqpoll", O_RDWR[|]O_CREAT[|]O_TRUNC, 0600\)' >/tmp/u-sq-open
uring_pids 'IORING_OP_WRITE write\([0-9]+, "fvx-sqpoll\\n", 11\)' >/tmp/u-sq-write
check uring-openat-by-enter test "$(cat /tmp/u-open)" = "$main"
check uring-write-by-enter test "$(cat /tmp/u-write)" = "$main"
check uring-nop-raw test "$(cat /tmp/u-nop)" = "$main"
check uring-sqpoll-openat-by-kernel-thread sh -c "test -n \"\$(cat /tmp/u-sq-open)\" && test \"\$(cat /tmp/u-sq-open)\" != '$main'"
check uring-sqpoll-write-by-kernel-thread sh -c "test -n \"\$(cat /tmp/u-sq-write)\" && test \"\$(cat /tmp/u-sq-write)\" != '$main'"
# Their completions, in the task that completed each: the opens' file
# descriptors, the writes' lengths, the NOP's 0 with its user_data.
check_num uring-openat-completed \
	"$(grep -cE '^\[pid +[0-9]+\] io_uring IORING_OP_OPENAT completed user_data=0 = [0-9]+$' /tmp/uring.txt)" -eq 2
check uring-write-completed grep -qE '^\[pid +[0-9]+\] io_uring IORING_OP_WRITE completed user_data=0 = 10$' /tmp/uring.txt
check uring-sqpoll-write-completed grep -qE '^\[pid +[0-9]+\] io_uring IORING_OP_WRITE completed user_data=0 = 11$' /tmp/uring.txt
check uring-nop-completed grep -qE "^\\[pid +$main\\] io_uring IORING_OP_NOP completed user_data=0xf00d = 0\$" /tmp/uring.txt
# A read's completion with its buffer (its submission kept its
# arguments): by io_uring_enter, and by the SQPOLL ring's thread.
check uring-read-buffer grep -qE '^\[pid +[0-9]+\] io_uring IORING_OP_READ completed user_data=0 = 10, buffer at completion "fvx-uring\\n"$' /tmp/uring.txt
# A batch of a read and a decoy read into the same buffer: the first's
# completion shows its length alone, never the decoy's bytes as its own
# (the second's may show them: they are its own).
check uring-batch-first-read-not-decoyed grep -qE '^\[pid +[0-9]+\] io_uring IORING_OP_READ completed user_data=0x1 = 10$' /tmp/uring.txt
check uring-batch-decoy-read-completed grep -qE '^\[pid +[0-9]+\] io_uring IORING_OP_READ completed user_data=0x2 = 12(, buffer at completion "decoy-bytes\\n")?$' /tmp/uring.txt
check uring-sqpoll-read-buffer grep -qE '^\[pid +[0-9]+\] io_uring IORING_OP_READ completed user_data=0 = 11, buffer at completion "fvx-sqpoll\\n"$' /tmp/uring.txt
# -e trace= selects an operation by the call that does the same.
fastvmix trace -e trace=openat -o /tmp/uring-open.txt -- uring >/dev/null 2>/dev/null 3>&-
check_num uring-filter-openat "$(grep -c '\] io_uring IORING_OP_OPENAT openat(' /tmp/uring-open.txt)" -eq 2
check uring-filter-openat-only sh -c "! grep -E 'IORING_OP_(WRITE|NOP)' /tmp/uring-open.txt"
# JSON: the operation, its call, its data.
fastvmix trace --json -o /tmp/uring.json -- uring >/dev/null 2>/dev/null 3>&-
grep '"event":"io_uring"' /tmp/uring.json | tail -n 1 | sed 's/^/# json: /'
check uring-json-write grep -q '"event":"io_uring","op":"IORING_OP_WRITE","nr":1,"name":"write",.*"data":\[null,{"bytes":"fvx-sqpoll\\n","truncated":false}' /tmp/uring.json
check uring-json-result grep -q '"event":"io_uring_result","op":"IORING_OP_WRITE","user_data":0,"cqe_flags":0,"ret":11,"errno":null,"decoded_ret":"11"' /tmp/uring.json
check uring-json-read-data grep -q '"event":"io_uring_result","op":"IORING_OP_READ",.*"ret":11,.*"data":\[null,{"bytes":"fvx-sqpoll\\n","truncated":false}' /tmp/uring.json

# SYSENTER with the trap flag set (a program single-stepping itself over
# __kernel_vsyscall): as many SIGTRAPs as without a trace, in a fast trace
# whose SYSENTER enters through the window first (the trap after each of
# its instructions is the hypervisor's to drop: the window's code is not
# the guest's to see), with and without a call the filter leaves out
# before it, and no kernel warning (Linux's #DB handler knows only its own
# SYSENTER entry).
steps_native=$(compat32 step)
fastvmix trace -o /tmp/c32-step.txt -- compat32 step >/tmp/c32-step.out 2>/dev/null 3>&-
fastvmix trace -e trace=getppid -o /dev/null -- compat32 step >/tmp/c32-step-skip.out 2>/dev/null 3>&-
echo "# single-stepped SYSENTER: native '$steps_native', traced '$(cat /tmp/c32-step.out)', filtered '$(cat /tmp/c32-step-skip.out)'"
check compat-step-native sh -c "echo '$steps_native' | grep -qE '^steps [1-9][0-9]*$'"
check compat-step-traced test "$(cat /tmp/c32-step.out)" = "$steps_native"
check compat-step-filtered test "$(cat /tmp/c32-step-skip.out)" = "$steps_native"
check compat-step-getpid grep -qE '\] getpid\(\) = [0-9]+$' /tmp/c32-step.txt
check compat-step-no-warning sh -c "! dmesg | grep -q 'exc_debug'"

# storm NAME PROGRAM CALLS: PROGRAM makes CALLS 32-bit getpid calls,
# traced alone, and the frontend is stopped for 5 s meanwhile: the ring
# fills, and the calls wait for it (the agent sends each back to its
# int $0x80) instead of being lost. Every record must arrive, none
# dropped, each call return the pid; no VM exit per call: beyond what a
# trace of one call costs (start-up's CPUIDs, the tracepoints' text_poke
# writes at start and stop), fewer than one per 100 calls (waiting costs
# none either).
snapshot /tmp/base.0
fastvmix trace -e trace=getpid -o /dev/null -- compat64 storm 1 2>/dev/null 3>&-
snapshot /tmp/base.1
base=$(calc "$(exits /tmp/base.1) - $(exits /tmp/base.0)")
echo "# VM exits of a trace of one call: $base"
storm() {
	snapshot /tmp/$1.0
	fastvmix trace -e trace=getpid -o /tmp/$1.txt -- $2 storm $3 2>/tmp/$1.err 3>&- &
	fvx=$!
	sleep 1
	kill -STOP $fvx
	sleep 5
	kill -CONT $fvx
	wait $fvx
	rc=$?
	snapshot /tmp/$1.1
	vmexits=$(calc "$(exits /tmp/$1.1) - $(exits /tmp/$1.0)")
	got=$(trace_counts /tmp/$1.err)
	echo "# $1: $2 storm $3: exit status $rc, $(cat /tmp/$1.err), $vmexits VM exits"
	check_num $1-exit-status "$rc" -eq 0
	check_num $1-all-records "${got% *}" -eq "2 * $3 + 1" # and its end's
	check_num $1-none-dropped "${got#* }" -eq 0
	check_num $1-all-getpid "$(grep -c '\] getpid() = [0-9]*$' /tmp/$1.txt)" -eq "$3"
	check $1-getpid-is-pid getpid_is_pid /tmp/$1.txt
	check_num $1-no-exits "$vmexits - $base" -lt "$3 / 100"
}
storm compat-int80-storm compat64 20000
storm compat-sysenter-storm compat32 20000

check compat-agent-rmmod rmmod fastvmix
check compat-hv-rmmod rmmod fastvmix_hv
check_no_oops compat-no-oops
