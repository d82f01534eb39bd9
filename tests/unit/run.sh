#!/usr/bin/env bash
# Runs the cmocka unit-test binaries and prints one PASS/FAIL line per test.
# A binary that reports nothing, or fails without a failing test (a crash
# part-way), is a FAIL line of its own. (No `grep -q` in a pipeline here:
# under pipefail its early exit would make the pipeline fail at random.)
set -uo pipefail
for bin in "$@"; do
	suite=$(basename "$bin")
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$bin" 2>&1)
	rc=$?
	sed -n -E "s/^ok [0-9]+ - (.*)/PASS unit\/$suite\/\1/p; s/^not ok [0-9]+ - (.*)/FAIL unit\/$suite\/\1/p" <<<"$out"
	if ! grep -qE '^(not )?ok ' <<<"$out"; then
		echo "FAIL unit/$suite: produced no results (exit $rc)"
	elif [ "$rc" -ne 0 ] && ! grep -qE '^not ok ' <<<"$out"; then
		echo "FAIL unit/$suite: exited with $rc after its results"
	fi
	grep -E '^#' <<<"$out" | sed 's/^/    /'
done
