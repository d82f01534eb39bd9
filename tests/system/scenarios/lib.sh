# Helpers for scenario scripts (sourced). Results are TAP-like lines on stdout.
ok() { echo "ok $*"; }
fail() { echo "not ok $*"; }
# check NAME CONDITION-COMMAND... : ok when the command succeeds.
check() {
	name=$1
	shift
	if "$@" >/tmp/check.out 2>&1; then ok "$name"; else fail "$name - $(tail -n 2 /tmp/check.out | tr '\n' ' ')"; fi
}
