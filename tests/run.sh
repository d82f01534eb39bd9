#!/usr/bin/env bash
# make test: host unit tests, a short run of every fuzz target, then the
# system tests in the emulated VT-x machine; ends with one line
# "N passed, N failed" and fails if any failed.
# usage: tests/run.sh quick|full
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
log="$top/build/test.log"
mkdir -p "$top/build"
start=$(date +%s)
{
	echo "== host unit tests"
	bash "$here/unit/run.sh" "$top"/build/unit/test_*
	echo "== fuzzing (FUZZ_SECONDS=${FUZZ_SECONDS:-30} per target)"
	if make -s -C "$top" --no-print-directory fuzz-build >"$top/build/fuzz-build.log" 2>&1; then
		make -s -C "$top" --no-print-directory fuzz-check || true
	else
		echo "FAIL fuzz: the fuzz targets did not build (build/fuzz-build.log)"
	fi
	echo "== system tests"
	bash "$here/system/suite.sh" "${1:-full}" || echo "FAIL system: suite did not run"
} 2>&1 | tee "$log"
passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
echo "total time $(($(date +%s) - start))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
