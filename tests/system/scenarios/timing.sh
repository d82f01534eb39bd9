# Timing transparency and what a sample can see: the detection probe
# (detect) runs without the hypervisor, with it loaded, and traced in fast
# and exit mode; every figure is printed side by side. Checked: with the
# hypervisor loaded and no trace, every timing figure is within 2% of the
# native one, no RDTSC exits (before a trace and after one), and the
# non-timing checks (time never going back for the traced process among
# them) are native-identical except those the README lists as inherent.
# Traced in fast mode with --hide-time, the timing figures (a traced call
# among them) and the ratio check are within 2% of native too, and so in
# exit mode with --hide-time. Printed:
# what each mode shows of a traced call, the RDTSC exits a traced process
# costs, the analyzer time hidden, the calibrated cost per call.
# timeout: 600
. /scenarios/lib.sh
status_field() { # FIELD: its sum over the CPUs in fastvmix status --json
	fastvmix status --json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | awk '{ s += $1 } END { print s + 0 }'
}
rdtsc_exits() { # RDTSC (16) and RDTSCP (51) exits, all CPUs
	fastvmix status --json | grep -o '"\(16\|51\)":{"name":"[A-Z]*","count":[0-9]*' |
		sed 's/.*://' | awk '{ s += $1 } END { print s + 0 }'
}

timer_irqs() { # local timer interrupts so far, all CPUs
	awk '$1 == "LOC:" { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s + 0 }' \
		/proc/interrupts
}
insmod /lib/fastvmix/msr.ko 2>/dev/null
l0=$(timer_irqs)
detect >/tmp/det-native.txt
l1=$(timer_irqs)
# A second native run: Bochs's own clock is noisy on 2 vCPUs (one native
# run has read 39 TSC ticks per microsecond of clock_gettime, not 50), so a
# figure matches native when it matches either run.
detect timing >/tmp/det-native2.txt
check timing-hv-insmod insmod /lib/fastvmix/fastvmix_hv.ko
r0=$(rdtsc_exits)
detect >/tmp/det-loaded.txt
r1=$(rdtsc_exits)
echo "# TSC: $(status_field tsc_hidden) ticks hidden, $(status_field tsc_transition) per exit calibrated (sum over CPUs)"
check timing-agent-insmod insmod /lib/fastvmix/fastvmix.ko io_uring=0
# What else runs, and each CPU's TSC figures and interrupts before and after the fast
# trace: where a traced process's time shows, they say whose it is.
ps | grep -v ' \[' | sed 's/^/# ps: /'
fastvmix status | grep -E '^cpu |TSC:|analyzer time:' | sed 's/^/# before: /'
grep -E '^ *(LOC|RES|CAL|TLB):' /proc/interrupts | sed 's/^ */# before: /'
a0=$(status_field tsc_analyzer)
l2=$(timer_irqs)
fastvmix trace --hide-time -o /tmp/det-fast.trace -- detect >/tmp/det-fast.txt 2>/tmp/det-fast.err 3>&-
l3=$(timer_irqs)
echo "# local timer interrupts: $((l1 - l0)) during detect natively, $((l3 - l2)) traced in fast mode with --hide-time (README: the LAPIC timer counts in host time)"
sed 's/^/# /' /tmp/det-fast.err
fastvmix status | grep -E '^cpu |TSC:|analyzer time:' | sed 's/^/# after fast: /'
grep -E '^ *(LOC|RES|CAL|TLB):' /proc/interrupts | sed 's/^ */# after fast: /'
r2=$(rdtsc_exits)
a1=$(status_field tsc_analyzer)
fastvmix trace --mode exit --hide-time -o /tmp/det-exit.trace -- detect >/tmp/det-exit.txt 2>/tmp/det-exit.err 3>&-
sed 's/^/# /' /tmp/det-exit.err
r3=$(rdtsc_exits)
detect timing >/dev/null # nothing traced any more
r4=$(rdtsc_exits)
echo "# RDTSC exits: $((r1 - r0)) loaded, $((r2 - r1)) during the fast trace, $((r3 - r2)) during the exit-mode trace, $((r4 - r3)) after"
echo "# fast mode: $((a1 - a0)) analyzer ticks taken out of traced processes' TSCs ($(fastvmix status --json | sed -n 's/.*"tsc_evicted":\([0-9]*\).*/\1/p') address spaces evicted from a full table)"

# table FILE...: one row per check of the first file, one column per file
table() {
	awk 'FNR == 1 { f++ } { v[$1, f] = $2; if (f == 1) order[++n] = $1 }
	     END { for (i = 1; i <= n; i++) { k = order[i]; printf "%s", k
	           for (j = 1; j <= f; j++) printf " %s", ((k, j) in v) ? v[k, j] : "-"
	           printf "\n" } }' "$@"
}
echo "# check                           native       loaded   traced-fast   traced-exit"
table /tmp/det-native.txt /tmp/det-loaded.txt /tmp/det-fast.txt /tmp/det-exit.txt |
	awk '{ printf "# %-26s %11s %12s %13s %13s\n", $1, $2, $3, $4, $5 }'

check_num timing-no-rdtsc-exits-idle "$r1 - $r0" -eq 0
check_num timing-no-rdtsc-exits-after-trace "$r4 - $r3" -eq 0
# The traced process's RDTSCs exit, and the analyzer's time is taken out.
check_num timing-fast-trace-rdtsc-exits "$r2 - $r1" -gt 0
check_num timing-fast-trace-analyzer-time-hidden "$a1 - $a0" -gt 0
# What a traced call still shows in fast mode (the rest of it is hidden).
for k in tsc-getpid tsc-4-getppid; do
	n=$(sed -n "s/^$k //p" /tmp/det-native.txt)
	f=$(sed -n "s/^$k //p" /tmp/det-fast.txt)
	is_num "$n" && is_num "$f" && echo "# fast mode $k: $f ticks, $((f - n)) over native $n"
done
# Timing with the hypervisor loaded, and traced in fast mode with
# --hide-time: within 2% of native, or within the clock's step where that
# is coarser: the greatest common divisor of the native figures (1 on 1
# vCPU; Bochs with 2 vCPUs shows only multiples of 5 ticks, so a 5-tick
# CPUID reads 5 or 10 natively, at random), and 2 ticks more there: a
# reading across an exit is off the steps by the calibrated transition's
# error (a mean over many exits, not each one's cost), so a CPUID that
# read 10 natively can read 4 traced.
step=$(awk 'function gcd(a, b) { return b ? gcd(b, a % b) : a }
	$1 ~ /^tsc-/ { g = gcd(g, $2) } END { print g + 0 }' /tmp/det-native.txt)
echo "# native clock step: $step ticks"
# A traced RDTSC pair far off native: what the kernel's timers and clock
# did meanwhile (seen in some 2-vCPU boots, not understood yet: README).
n=$(sed -n 's/^tsc-rdtsc-pair //p' /tmp/det-native.txt)
f=$(sed -n 's/^tsc-rdtsc-pair //p' /tmp/det-fast.txt)
if is_num "$n" && is_num "$f" && [ "$f" -gt $((n + 50)) ]; then
	dmesg | grep -i -E 'hrtimer|clocksource|tsc|timer' | tail -n 10 | sed 's/^/# dmesg: /'
	grep -E '^cpu:|^ #[0-9]|expires at|^  *(expires_next|nr_events|nr_retries|nr_hangs|max_hang_time)' \
		/proc/timer_list | head -n 60 | sed 's/^/# timer_list: /'
fi
# With 2 vCPUs, fast mode's TSC against the clock over a sleep is not
# checked: the process may read its TSC on one CPU before the sleep and on
# the other after it, and each CPU's TSC lags by its own hypervisor time,
# which RDTSC exits make large (README: Timing transparency). Printed.
rows='^(tsc|ratio|clock)-'
fast_rows=$rows
[ "$(grep -c ^processor /proc/cpuinfo)" -gt 1 ] && fast_rows='^(tsc|ratio)-'
for mode in loaded fast exit; do
	[ $mode != loaded ] && rows=$fast_rows
	table /tmp/det-native.txt /tmp/det-$mode.txt | grep -E "$rows" >/tmp/det-pairs.txt
	while read -r name native got; do
		if ! is_num "$native" || ! is_num "$got"; then
			fail "timing-$mode-$name - not a number: '$native' '$got'"
			continue
		fi
		n2=$(sed -n "s/^$name //p" /tmp/det-native2.txt)
		d=$((got > native ? got - native : native - got))
		if is_num "$n2" && [ $(((got > n2 ? got - n2 : n2 - got) * 50)) -le $((n2 > 50 ? n2 : 50)) ]; then
			ok "timing-$mode-$name"
			continue
		fi
		if [ "$d" -le "$((${step:-1} + 2))" ] && [ "${step:-1}" -gt 1 ]; then
			ok "timing-$mode-$name"
			continue
		fi
		# Traced with 2 vCPUs the probe's RDTSCs exit too, and so does
		# every traced call (its return's RDTSC in the kernel; exit mode's
		# two VMCALLs): Bochs's TSC moves in 5-tick steps there (with any
		# SMP quantum: a boot with quantum=1 showed the same steps), so
		# each exit's measured time may take in, or leave out, up to a
		# step of the guest's own. A probe is allowed a step per exit it
		# makes (two RDTSCs, a CPUID, three per traced call); a ratio, the
		# error one step makes on the cheap call besides the 2%. (1 vCPU:
		# exact, above.)
		if [ $mode != loaded ] && [ "${step:-1}" -gt 1 ]; then
			cheap=$(sed -n 's/^tsc-getpid //p' /tmp/det-native.txt)
			exits=0
			case $name in
			tsc-rdtsc-pair | tsc-rdtscp) exits=2 ;;
			tsc-cpuid-*) exits=3 ;;
			tsc-getpid) exits=5 ;;
			tsc-4-getppid) exits=14 ;;
			ratio-*)
				if is_num "$cheap" && [ "$cheap" -gt 0 ]; then
					check_num "timing-$mode-$name" "$d" -le \
						"$((native / 50 + native * step / cheap))"
					continue
				fi
				;;
			esac
			if [ "$exits" -gt 0 ]; then
				check_num "timing-$mode-$name" "$d" -le "$((exits * step + 2))"
				continue
			fi
		fi
		check_num "timing-$mode-$name" "$d * 50" -le "$((native > 50 ? native : 50))"
	done </tmp/det-pairs.txt
done
# The CPUs' clocks against each other (2 vCPUs): with the hypervisor
# loaded, and traced in either mode, CPU 1's TSC within 2,048 ticks of CPU
# 0's, and CLOCK_MONOTONIC within as long (the CPUs catch up with each
# other's hypervisor time; exit mode's recording, every traced call's two
# exits, is the traced address space's time, not its CPU's: README,
# Timing transparency).
mhz=$(awk -F: '/^cpu MHz/ { print int($2); exit }' /proc/cpuinfo)
if [ "$(grep -c ^processor /proc/cpuinfo)" -gt 1 ] && is_num "$mhz" && [ "$mhz" -gt 0 ]; then
	for mode in loaded fast exit; do
		o=$(sed -n 's/^xcpu-tsc-offset -*//p' /tmp/det-$mode.txt)
		c=$(sed -n 's/^xcpu-clock-offset -*//p' /tmp/det-$mode.txt)
		check_num timing-$mode-xcpu-tsc-offset "${o:-x}" -le 2048
		check_num timing-$mode-xcpu-clock-offset-ns "${c:-x}" -le $((2048 * 1000 / mhz))
	done
fi
# Everything else: as without the hypervisor, except what is inherent in a
# late-launch design or chosen (README, threat model): VMFUNC completes; the
# modules, their device and symbols are there; VMX is hidden as a firmware
# that disabled it would (CPUID.1:ECX.VMX clear, IA32_FEATURE_CONTROL
# without VMX), since a guest hypervisor cannot run nested.
# (The CPUs' clocks against each other, xcpu-, are timings: checked above.)
inherent='^(insn-vmfunc-view-0|footprint-proc-modules|footprint-kallsyms|footprint-dev|cpuid-vmx-bit|msr-feature-control) '
grep -vE '^(tsc|ratio|clock|xcpu)-' /tmp/det-native.txt | grep -vE "$inherent" >/tmp/det-n.txt
for mode in loaded fast exit; do
	grep -vE '^(tsc|ratio|clock|xcpu)-' /tmp/det-$mode.txt | grep -vE "$inherent" >/tmp/det-m.txt
	cmp -s /tmp/det-n.txt /tmp/det-m.txt || diff /tmp/det-n.txt /tmp/det-m.txt | sed 's/^/# /'
	check "timing-identity-$mode-as-native" cmp -s /tmp/det-n.txt /tmp/det-m.txt
done
check timing-traced-fast-ran grep -q '^tsc-getpid ' /tmp/det-fast.txt
check timing-traced-exit-ran grep -q '^tsc-getpid ' /tmp/det-exit.txt
check_no_oops timing-no-oops
check timing-agent-rmmod rmmod fastvmix
check timing-hv-rmmod rmmod fastvmix_hv
