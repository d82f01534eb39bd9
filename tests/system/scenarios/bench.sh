# The getpid benchmark in five modes. Prints "bench MODE CYCLES_PER_CALL
# EXITS CALLS HIDDEN MEDIAN" lines (comments for the TAP parser) and checks
# each ran. CYCLES_PER_CALL is what the program measures with RDTSC, which no
# longer sees the hypervisor's own time (timing transparency); HIDDEN is the
# TSC ticks the hypervisor took out of CPU 0's TSC meanwhile, so that the
# real cost is CYCLES_PER_CALL + HIDDEN / CALLS. MEDIAN is the median of
# single calls each timed with RDTSC (getpid_bench.c): the call's own path,
# without the frontend's draining that the loop's mean includes.
. /scenarios/lib.sh
n=${BENCH_N:-10000}
cpu0_exits() { fastvmix status --json | sed -n 's/^{"cpu":0,.*"exits_total":\([0-9]*\).*/\1/p'; }
cpu0_hidden() { fastvmix status --json | sed -n 's/^{"cpu":0,.*"tsc_hidden":\([0-9]*\).*/\1/p'; }
cycles() { sed -n 's/^getpid_bench [0-9]* \([0-9.]*\) [0-9]*$/\1/p' "$1"; }
# (getpid_bench N 1 N: N calls timed in a loop, N more one by one.)
median() { sed -n 's/^getpid_bench [0-9]* [0-9.]* \([0-9]*\)$/\1/p' "$1"; }
# traced MODE CMD...: runs CMD (ending in getpid_bench) with its output in
# /tmp/b.MODE and its stderr in /tmp/b.MODE.err, prints its bench line with
# CPU 0's exits and hidden ticks meanwhile, and checks it ran.
traced() {
	local mode=$1 e0 e1 h0 h1
	shift
	e0=$(cpu0_exits)
	h0=$(cpu0_hidden)
	"$@" >/tmp/b.$mode 2>/tmp/b.$mode.err
	e1=$(cpu0_exits)
	h1=$(cpu0_hidden)
	echo "# bench $mode $(cycles /tmp/b.$mode) $(calc "$e1 - $e0" || echo ?) $((3 * n)) $(calc "$h1 - $h0" || echo ?) $(median /tmp/b.$mode)"
	check "bench-$mode" test -n "$(cycles /tmp/b.$mode)"
}

getpid_bench $n 1 $n >/tmp/b.native
echo "# bench native $(cycles /tmp/b.native) 0 $((3 * n)) 0 $(median /tmp/b.native)"
check bench-native test -n "$(cycles /tmp/b.native)"
# The peer: Debian's strace, tracing the same calls (ptrace: two stops per
# call), before any hypervisor is loaded.
strace -e trace=getpid -o /dev/null getpid_bench $n 1 $n >/tmp/b.strace
echo "# bench strace $(cycles /tmp/b.strace) 0 $((3 * n)) 0 $(median /tmp/b.strace)"
check bench-strace test -n "$(cycles /tmp/b.strace)"

insmod /lib/fastvmix/fastvmix_hv.ko
traced hv_tracing_off getpid_bench $n 1 $n

insmod /lib/fastvmix/fastvmix.ko
for mode in fast exit; do
	traced $mode fastvmix trace --mode $mode -e trace=getpid -o /dev/null -- getpid_bench $n 1 $n
	echo "# $mode: $(cat /tmp/b.$mode.err)"
done
# Fast mode dropping what a full ring cannot take (--drop). On 1 vCPU the
# frontend, which outranks the traced program, keeps up: nothing drops.
traced fast_drop fastvmix trace --drop -e trace=getpid -o /dev/null -- getpid_bench $n 1 $n
echo "# fast_drop: $(cat /tmp/b.fast_drop.err)"
# The consumer's cost: on 1 vCPU the frontend consumes each record on the
# same CPU while the loop runs, so the loop's mean minus the median of
# single calls (the call alone) is what it spends on a call's two records,
# as text (fast) and as JSON Lines (fast_json).
traced fast_json fastvmix trace --json -e trace=getpid -o /dev/null -- getpid_bench $n 1 $n
echo "# fast_json: $(cat /tmp/b.fast_json.err)"
# Fast mode with the analyzer's time hidden from the traced program's
# RDTSC (--hide-time), and exit mode with its recording hidden so: what the
# compensation costs, and what it shows.
traced fast_hide_time fastvmix trace --hide-time -e trace=getpid -o /dev/null -- getpid_bench $n 1 $n
echo "# fast_hide_time: $(cat /tmp/b.fast_hide_time.err)"
traced exit_hide_time fastvmix trace --mode exit --hide-time -e trace=getpid -o /dev/null -- getpid_bench $n 1 $n
echo "# exit_hide_time: $(cat /tmp/b.exit_hide_time.err)"
# The guest's TSC rate, for records per (emulated) second.
echo "# tsc_khz $(dmesg | sed -n 's/.*tsc: Detected \([0-9]*\)\.\([0-9]*\) MHz.*/\1\2/p' | head -1)"
# Traced in fast mode, but getpid is not selected: the trampoline sends it
# straight on to Linux without entering the analyzer view.
traced filtered_out fastvmix trace -e trace=getppid -o /dev/null -- getpid_bench $n 1 $n
# Another process, while a trace of one that waits runs: getpid is selected,
# but this process is not, so its calls skip the analyzer view and Linux's
# syscall tracepoints (task marks, FVX_CONFIG_TASK_MARKS).
rm -f /tmp/hold && mkfifo /tmp/hold
fastvmix trace -e trace=getpid -o /dev/null -- sh -c 'read x </tmp/hold' 2>/dev/null &
sleep 1
traced other_task getpid_bench $n 1 $n
echo go >/tmp/hold
wait
# Pipe ping-pong: the page-table protection's cost per address-space
# switch (MOV to CR3 exits once the agent has configured the window).
pp() { sed -n 's/^pingpong [0-9]* \([0-9.]*\)$/\1/p' "$1"; }
cr3_exits() { fastvmix status --json | sed -n 's/^{"cpu":0,.*"28":{"name":"CR access","count":\([0-9]*\)}.*/\1/p'; }
rmmod fastvmix
e0=$(cpu0_exits)
h0=$(cpu0_hidden)
pingpong $n >/tmp/pp.off
e1=$(cpu0_exits)
h1=$(cpu0_hidden)
echo "# pingpong protection_off $(pp /tmp/pp.off) $(calc "$e1 - $e0" || echo ?) $((2 * n)) hidden=$(calc "$h1 - $h0" || echo ?)"
insmod /lib/fastvmix/fastvmix.ko
c0=$(cr3_exits)
e0=$(cpu0_exits)
h0=$(cpu0_hidden)
pingpong $n >/tmp/pp.on
e1=$(cpu0_exits)
h1=$(cpu0_hidden)
c1=$(cr3_exits)
echo "# pingpong protection_on $(pp /tmp/pp.on) $(calc "$e1 - $e0" || echo ?) $((2 * n)) hidden=$(calc "$h1 - $h0" || echo ?) cr3_exits=$(calc "${c1:-0} - ${c0:-0}" || echo ?)"
check bench-pingpong test -n "$(pp /tmp/pp.on)"
rmmod fastvmix
rmmod fastvmix_hv
