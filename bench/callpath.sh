#!/usr/bin/env bash
# Where one getpid's instructions go, untraced and traced in fast mode:
# boots the emulated machine with Bochs's instruction trace on between the
# magic breakpoints of tests/system/progs/callpath.c and counts every
# instruction from the user's SYSCALL to its return to user mode, by where
# it runs: Linux, our agent module, the window's trampoline and the
# analyzer. Writes results/callpath.txt. About a minute.
# --table-only redoes the table from the last boot's trace.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=$top/build/system/callpath
if [ "${1:-}" != --table-only ]; then
	make -C "$top" -s all
	bash "$top/tests/system/mkimage.sh" "$top/build/system/callpath.iso" "$top/build/bin" callpath
	FVX_ITRACE=1 bash "$top/tests/system/run.sh" "$top/build/system/callpath.iso" 1 callpath 900
fi
# One line per traced instruction, "SEGMENT ADDRESS": segment 1 the
# untraced call, 2 the traced one (each between its two breakpoints).
awk '/Magic breakpoint/ { marks++ }
     /^\(0\)\.\[/ { split($3, a, ":"); print (marks + 1) / 2, a[2] }' "$out/e9.txt" >"$out/path.txt"
# The window's base: the first instruction after the traced SYSCALL.
base=$(awk '$1 == 2 && $2 !~ /^0000/ { print $2; exit }' "$out/path.txt")
code=$(printf '%016x' $((0x$base + 0x20000))) # FVX_WIN_CODE: the analyzer image
awk -v code="$code" '
	function part(a) {
		if (a ~ /^0000/) return "user"
		if (a >= "ffffffffc0000000") return "agent"
		if (a >= "ffffffff80000000") return "linux"
		return a >= code ? "analyzer" : "trampoline"
	}
	{ n[$1, part($2)]++; total[$1]++ }
	END {
		if (!total[1] || !total[2]) { print "callpath: no instruction trace" > "/dev/stderr"; exit 1 }
		printf "One getpid, from its SYSCALL to its return to user mode: instructions\n"
		printf "(Bochs instruction trace, 1 vCPU; the user part is the SYSCALL and the\n"
		printf "breakpoints around it).\n\n"
		printf "%-28s %9s %9s\n", "", "untraced", "traced"
		split("linux agent trampoline analyzer user", parts, " ")
		for (i = 1; i <= 5; i++)
			printf "%-28s %9d %9d\n", parts[i], n[1, parts[i]], n[2, parts[i]]
		printf "%-28s %9d %9d\n", "total", total[1], total[2]
		printf "\ntraced over untraced: %d\n", total[2] - total[1]
	}' "$out/path.txt" | tee "$here/results/callpath.txt"
