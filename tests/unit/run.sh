#!/usr/bin/env bash
# Runs the cmocka unit-test binaries and prints one PASS/FAIL line per test.
set -uo pipefail
for bin in "$@"; do
	suite=$(basename "$bin")
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$bin" 2>&1)
	rc=$?
	echo "$out" | sed -n -E "s/^ok [0-9]+ - (.*)/PASS unit\/$suite\/\1/p; s/^not ok [0-9]+ - (.*)/FAIL unit\/$suite\/\1/p"
	if ! echo "$out" | grep -qE '^(not )?ok '; then
		echo "FAIL unit/$suite: produced no results (exit $rc)"
	fi
	echo "$out" | grep -E '^#' | sed 's/^/    /'
done
