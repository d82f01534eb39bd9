#!/usr/bin/env bash
# Runs libFuzzer targets one after another (never two at once), niced, each
# for FUZZ_SECONDS, starting from its committed corpus
# (tests/fuzz/corpus/<target>: hand-made seeds and every crash input found
# so far, so a fixed finding stays fixed). New inputs go to
# BUILD_DIR/corpus/<target>, a crash to BUILD_DIR/artifacts/<target>/.
# Prints one line per target:
#   PASS fuzz/<target> (<execs> execs, <edges> edges)
#   FAIL fuzz/<target> - <why>
# and exits non-zero when any failed.
# usage: tests/fuzz/run.sh check|run BUILD_DIR TARGET...
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: $0 check|run BUILD_DIR TARGET..." >&2; exit 2; }
mode=$1
dir=$2
shift 2
seconds=${FUZZ_SECONDS:-30}
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || { echo "FUZZ_SECONDS: not a number of seconds: $seconds" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
failed=0
child=

stop() {
	[ -n "$child" ] && kill "$child" 2>/dev/null || true
}
trap stop EXIT INT TERM

for target in "$@"; do
	bin=$dir/$target
	work=$dir/corpus/$target
	artifacts=$dir/artifacts/$target
	log=$dir/$target.log
	seeds=$top/tests/fuzz/corpus/$target
	if [ ! -x "$bin" ]; then
		echo "FAIL fuzz/$target - not built ($bin)"
		failed=1
		continue
	fi
	mkdir -p "$work" "$artifacts" "$seeds"
	rm -f "$artifacts"/*
	rc=0
	# libFuzzer stops itself after -max_total_time; the timeout is for a
	# fuzzer that does not (a hang in its own start-up).
	timeout --kill-after=10 $((seconds + 120)) nice -n 19 "$bin" -max_total_time="$seconds" \
		-print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
		-artifact_prefix="$artifacts/" "$work" "$seeds" >"$log" 2>&1 &
	child=$!
	wait "$child" || rc=$?
	child=
	execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
	edges=$(grep -oE ' cov: [0-9]+' "$log" | tail -n1 | grep -oE '[0-9]+' || true)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
	if [ "$rc" -ne 0 ]; then
		why=$(grep -m1 -oE 'FUZZ INVARIANT BROKEN.*|==== FUZZ: .*|ERROR: (AddressSanitizer|libFuzzer): [^(]*|runtime error: .*' "$log" ||
			echo "exit status $rc")
		input=$(ls -t "$artifacts" 2>/dev/null | head -n1)
		echo "FAIL fuzz/$target - $why${input:+ (input: $artifacts/$input)} (log: $log)"
		failed=1
	elif [ -z "$execs" ] || [ -z "$edges" ]; then
		echo "FAIL fuzz/$target - no statistics in $log"
		failed=1
	elif [ "$mode" = run ]; then
		echo "PASS fuzz/$target ($execs execs, $edges edges, ${rate:-?} execs/s)"
	else
		echo "PASS fuzz/$target ($execs execs, $edges edges)"
	fi
done
exit "$failed"
