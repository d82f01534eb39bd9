# Helpers for scenario scripts (sourced). Results are TAP-like lines on stdout.
ok() { echo "ok $*"; }
fail() { echo "not ok $*"; }
# check NAME CONDITION-COMMAND... : ok when the command succeeds.
check() {
	name=$1
	shift
	if "$@" >/tmp/check.out 2>&1; then ok "$name"; else fail "$name - $(tail -n 2 /tmp/check.out | tr '\n' ' ')"; fi
}

# check_same NAME WANT GOT: ok when the files are identical; otherwise the
# failure names the first lines that differ ("-" WANT's, "+" GOT's).
check_same() {
	if cmp -s "$2" "$3"; then ok "$1"; else
		fail "$1 - $(diff "$2" "$3" | grep '^[-+][^-+]' | head -n 2 | tr '\n' ' ')"
	fi
}

# returns_by ROUTE: how many returns the agent has reported from ROUTE
# (notifier, stop, rseq, ...: its parameter "returns")
returns_by() {
	awk -v r="$1" '{ for (i = 1; i < NF; i += 2) if ($i == r) print $(i + 1) }' \
		/sys/module/fastvmix/parameters/returns
}

# Arithmetic on parsed output. A value that is missing or not a number must
# fail the check that uses it, never end the script (ash aborts on "$(( + ))"
# and quietly reads an empty or non-numeric name as 0).
# is_num VALUE: an integer, decimal or 0x hex, optionally negative.
is_num() {
	local v=${1#-}
	case $v in
	0x*) case ${v#0x} in '' | *[!0-9a-fA-F]*) return 1 ;; esac ;;
	'' | *[!0-9]*) return 1 ;;
	esac
}
# calc EXPR: prints the value of EXPR, numbers and operators separated by
# spaces ("$e1 - $e0"); prints nothing and fails when a number is missing
# or is not one.
calc() (
	set -f
	want=number
	for t in $1; do
		if [ $want = number ]; then
			is_num "$t" || exit 1
			want=operator
		else
			case $t in
			[-+*/%]) want=number ;;
			*) exit 1 ;;
			esac
		fi
	done
	[ $want = operator ] && echo $(($1))
) 2>/dev/null
# check_num NAME A OP B: check NAME test A OP B, with A and B worked out by
# calc; fails NAME, naming the bad value, when either does not work out.
check_num() {
	local a b
	if ! a=$(calc "$2") || ! b=$(calc "$4"); then
		fail "$1 - not a number: '$2' $3 '$4'"
		return
	fi
	if test "$a" "$3" "$b"; then ok "$1"; else fail "$1 - $2 $3 $4: $a $3 $b"; fi
}
# check_no_oops NAME: no oops, BUG, WARNING, general protection fault or
# double fault in the kernel log; shows what it found. (Case matters:
# "loops=" is not an Oops.)
OOPS_RE='Oops|general protection|BUG:|WARNING:|double fault'
check_no_oops() {
	if dmesg | grep -E "$OOPS_RE" >/tmp/oops.txt; then
		dmesg | grep -E -A 12 "$OOPS_RE" | head -n 40 |
			sed 's/^/# dmesg: /'
		fail "$1 - $(head -n 1 /tmp/oops.txt)"
	else
		ok "$1"
	fi
}
# memfree: free memory in kB after dropping the page cache (leak checks),
# with the free pages each CPU keeps on its own lists (/proc/zoneinfo's
# pagesets' counts), which MemFree leaves out: with 2 vCPUs they move by
# a megabyte or two from one reading to the next, a leak does not.
memfree() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '/^MemFree:/ { kb += $2 } /^ *count:/ { kb += $2 * 4 } END { print kb }' \
		/proc/meminfo /proc/zoneinfo
}
# VM exits of every CPU, without CR accesses: with the page-table
# protection each address-space switch (MOV to CR3) exits by design, once,
# however many system calls are traced; those are counted apart. Nor the
# exits by which a CPU catches up with the others' hypervisor time (MWAIT,
# the preemption timer: with 2 vCPUs, by time, not by call). A
# snapshot is taken first and worked out later, so that the commands that
# work it out (each static program's start-up runs ~80 CPUIDs) do not
# count into the next measurement.
snapshot() { fastvmix status --json >"$1"; }
exits() { # SNAPSHOT
	all=$(sed -n 's/.*"exits_total":\([0-9]*\).*/\1/p' "$1" | awk '{ s += $1 } END { print s }')
	cr=$(sed -n 's/.*"28":{"name":"CR access","count":\([0-9]*\)}.*/\1/p' "$1" | awk '{ s += $1 } END { print s + 0 }')
	even=$( (sed -n 's/.*"36":{"name":"MWAIT","count":\([0-9]*\)}.*/\1/p' "$1"
		sed -n 's/.*"52":{"name":"preemption timer","count":\([0-9]*\)}.*/\1/p' "$1") |
		awk '{ s += $1 } END { print s + 0 }')
	calc "$all - $cr - $even"
}
# joined TRACE: the trace with each call that other tasks' lines split
# ("NAME(ARGS <unfinished ...>", later "<... NAME resumed>REST") on one
# line again, where its return was, as if it had run alone.
joined() {
	awk '{
		p = ""; rest = $0
		if (match($0, /^\[pid +[0-9]+\] /)) { p = substr($0, 1, RLENGTH); rest = substr($0, RLENGTH + 1) }
		if (rest ~ / <unfinished \.\.\.>$/) { held[p] = substr(rest, 1, length(rest) - 17); next }
		if ((p in held) && match(rest, /^<\.\.\. [a-z_0-9]+ resumed>/)) {
			print p held[p] substr(rest, RLENGTH + 1); delete held[p]; next
		}
		print
	}' "$1"
}
# trace_counts FILE: "RECORDS DROPPED" from fastvmix trace's summary line
# on stderr (saved in FILE).
trace_counts() { sed -n 's/^fastvmix: \([0-9]*\) records, \([0-9]*\) dropped/\1 \2/p' "$1"; }
