#!/usr/bin/env bash
# The getpid benchmark of the original FastVMIX evaluation, in the emulated
# machine: cycles per getpid and VM exits per getpid with no hypervisor, with
# the hypervisor but no tracing, in fast mode (VMFUNC) and in exit mode
# (VMCALL). Writes bench/results/getpid.json and getpid.txt.
# --table-only redoes the tables from results/raw.txt without booting.
#
# Bochs's TSC ticks once per emulated instruction and VM transitions cost it
# nothing, so its figures are instructions per call. The guest's TSC no
# longer counts the hypervisor's own instructions (timing transparency:
# hypervisor/core/tsc.c); the benchmark adds back what the hypervisor hid
# on CPU 0 meanwhile (its status counter), so "bochs cyc/call" is the real
# cost and "guest sees" what a program timing itself measures. The hardware estimate
# adds published transition costs (environment variables, defaults below):
#   estimate = bochs_cycles + exits_per_call * FVX_EXIT_CYCLES
#                           + vmfuncs_per_call * FVX_VMFUNC_CYCLES
# FVX_VMFUNC_CYCLES=134: VMFUNC EPTP switch on Skylake, as reported in
#   "SkyBridge: Fast and Secure Inter-Process Communication for
#   Microkernels", Mi et al., EuroSys 2019.
# FVX_EXIT_CYCLES=1200: a VM exit + VM entry round trip with a minimal
#   handler on recent Intel cores (order of magnitude of KVM's vmexit
#   "cpuid" test; Agesen et al., USENIX ATC 2012, report 500-1,500 cycles
#   for the bare hardware round trip across generations). An assumption:
#   measure on the target CPU and override.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
exit_cost=${FVX_EXIT_CYCLES:-1200}
vmfunc_cost=${FVX_VMFUNC_CYCLES:-134}
if [ "${1:-}" != --table-only ]; then
make -C "$top" cli modules >/dev/null
bash "$top/tests/system/mkimage.sh" "$top/build/system/bench.iso" "$top/build/bin" bench
bash "$top/tests/system/run.sh" "$top/build/system/bench.iso" 1 bench 1500 | grep -E '^(PASS|FAIL)'
mkdir -p "$here/results"
grep -a '^# bench ' "$top/build/system/bench/results.txt" | sed 's/^# bench //' >"$here/results/raw.txt"
grep -a '^# tsc_khz ' "$top/build/system/bench/results.txt" | sed 's/^# //' >>"$here/results/raw.txt"
{
	echo "# pipe ping-pong, 1 vCPU: MODE GUEST_SEEN_CYCLES_PER_ROUND_TRIP EXITS ADDRESS_SPACE_SWITCHES"
	echo "# hidden=TICKS (the hypervisor's own time, taken out of the guest's TSC) [cr3_exits=N];"
	echo "# real cycles per round trip = GUEST_SEEN + TICKS / (SWITCHES / 2)"
	grep -a '^# pingpong ' "$top/build/system/bench/results.txt" | sed 's/^# pingpong //'
} >"$here/results/pingpong.txt"
fi
cd "$here"
awk -v ec="$exit_cost" -v vc="$vmfunc_cost" -v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" '
# (a traced getpid, a quick call: one switch into the analyzer view and one
# back, at its return)
function vmfuncs(m) { return m ~ /^fast/ ? 2 : 0 }
$1 == "tsc_khz" { khz = $2; next }
{ mode[NR] = $1; seen[NR] = $2; ex[NR] = $3; calls[NR] = $4; epc[NR] = $4 ? $3 / $4 : 0; n = NR
  med[NR] = $6 == "" ? "-" : $6
  cyc[NR] = $2 + ($4 && $5 ? $5 / $4 : 0)
  if ($1 == "hv_tracing_off") base = $3 }
END {
	json = "results/getpid.json"; txt = "results/getpid.txt"
	printf "{\"benchmark\":\"getpid\",\"date\":\"%s\",\"machine\":\"Bochs 2.7 broadwell_ult, 1 vCPU\",", date > json
	printf "\"exit_cycles_assumed\":%d,\"vmfunc_cycles_assumed\":%d,\"modes\":[", ec, vc > json
	printf "getpid benchmark (%s), emulated machine: Bochs 2.7, broadwell_ult, 1 vCPU\n", date > txt
	printf "Bochs cycles = emulated instructions (VM transitions cost 0 there).\n" > txt
	printf "hardware estimate = bochs cycles + exits/call x %d + vmfuncs/call x %d (see bench/run.sh)\n\n", ec, vc > txt
	printf "exits/call counts every exit on CPU 0 during the run; \"marginal\" subtracts the exits of\n" > txt
	printf "the run with tracing off (%d: the measuring commands themselves, e.g. static-glibc CPUIDs).\n\n", base > txt
	printf "\"guest sees\" is what the program measured itself with RDTSC: the time the hypervisor spends is\n" > txt
	printf "hidden from it (hypervisor/core/tsc.c); \"bochs cyc/call\" adds that time back.\n\n" > txt
	printf "\"median\" is the median of single calls each timed with RDTSC (guest-seen): the path of the\n" > txt
	printf "call itself, without the draining by the frontend that the mean of a loop includes on 1 vCPU.\n\n" > txt
	printf "%-16s %14s %11s %7s %12s %16s %13s %20s\n", "mode", "bochs cyc/call", "guest sees", "median", "exits/call", "marginal ex/call", "vmfuncs/call", "hw estimate cyc/call" > txt
	for (i = 1; i <= n; i++) {
		est = cyc[i] + epc[i] * ec + vmfuncs(mode[i]) * vc
		printf "%s{\"mode\":\"%s\",\"bochs_cycles_per_call\":%.1f,\"guest_seen_cycles_per_call\":%s,\"guest_seen_median\":%s,\"exits_per_call\":%.4f,\"marginal_exits_per_call\":%.4f,\"vmfuncs_per_call\":%d,\"hw_estimate_cycles_per_call\":%.0f}", (i > 1 ? "," : ""), mode[i], cyc[i], seen[i], (med[i] == "-" ? "null" : med[i]), epc[i], (calls[i] && ex[i] > base ? (ex[i] - base) / calls[i] : 0), vmfuncs(mode[i]), est > json
		marg = calls[i] && ex[i] > base ? (ex[i] - base) / calls[i] : 0
		printf "%-16s %14.1f %11s %7s %12.4f %16.4f %13d %20.0f\n", mode[i], cyc[i], seen[i], med[i], epc[i], marg, vmfuncs(mode[i]), est > txt
		m[mode[i]] = med[i]
		if (mode[i] == "fast") fast = est
		if (mode[i] == "exit") slow = est
		if (mode[i] == "strace") strace = cyc[i]
		if (mode[i] == "native") native = cyc[i]
		if (mode[i] == "fast") fastb = cyc[i]
		if (mode[i] == "fast_json") jsonb = cyc[i]
	}
	printf "]}\n" > json
	if (m["native"] != "" && m["native"] != "-") {
		printf "\nover native getpid, medians (Bochs instructions): traced (fast, call and return value) %d, --drop %d,\n", m["fast"] - m["native"], m["fast_drop"] - m["native"] > txt
		printf "filtered out by number %d, another task while a trace runs %d\n", m["filtered_out"] - m["native"], m["other_task"] - m["native"] > txt
	}
	if (fast > 0) printf "\nexit mode / fast mode (hardware estimate): %.1fx\n", slow / fast > txt
	if (strace > 0 && fastb > native)
		printf "strace / fast mode, over native getpid (Bochs): %.1fx\n", (strace - native) / (fastb - native) > txt
	if (m["strace"] > m["native"] && m["fast"] > m["native"])
		printf "strace / fast mode, the call alone (medians over native, Bochs): %.1fx\n", (m["strace"] - m["native"]) / (m["fast"] - m["native"]) > txt
	# The consumer, on 1 vCPU: a traced getpid is one record (a quick
	# call, recorded whole at its return), which the frontend consumes on
	# the same CPU while the loop runs; the median of single calls is the
	# call alone.
	if (fastb > 0 && m["fast"] > 0) {
		printf "\nconsumer (fastvmix trace -o /dev/null), Bochs instructions per record (one traced getpid, one line): text %.0f", fastb - m["fast"] > txt
		if (jsonb > 0) printf ", JSON Lines %.0f", jsonb - m["fast_json"] > txt
		printf "\n" > txt
		if (khz > 0) {
			printf "records (traced getpid) per emulated second the pipeline sustains on 1 vCPU (TSC %d kHz): text %.0f", khz, khz * 1000 / fastb > txt
			if (jsonb > 0) printf ", JSON Lines %.0f", khz * 1000 / jsonb > txt
			printf "\n" > txt
		}
	}
}' results/raw.txt
# The plot: Bochs instructions per call by mode (gnuplot, from Debian).
if command -v gnuplot >/dev/null; then
	awk '$1 != "tsc_khz" { printf "%s %s\n", $1, $2 + ($4 && $5 ? $5 / $4 : 0) }' results/raw.txt >results/getpid.dat
	gnuplot <<-'PLOT'
		set terminal svg size 720,400 font "sans,12"
		set output "results/getpid.svg"
		set title "getpid: Bochs instructions per call (emulated machine, 1 vCPU)"
		set style data histograms
		set style fill solid 0.6 border -1
		set boxwidth 0.7
		set logscale y
		set ylabel "instructions per call (log)"
		set grid ytics
		unset key
		plot "results/getpid.dat" using 2:xtic(1) lc rgb "#4477aa"
	PLOT
	rm -f results/getpid.dat
fi
cat results/getpid.txt
cat results/pingpong.txt
