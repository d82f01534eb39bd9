#!/usr/bin/env bash
# Which scenarios run in which emulated machine.
#   quick: one 1-vCPU boot with every scenario
#   full:  the quick boot plus a 2-vCPU boot for the SMP proofs
#   run:   the main job, shown to the user: boot, capability report, trace a
#          sample (FVX_SAMPLE='shell command' picks the sample)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out="$top/build/system"
mkdir -p "$out"

scenarios_1cpu=(smoke doctor loader hypervisor trace compat attack protect kernel timing peer)
scenarios_2cpu=(smoke doctor hypervisor trace compat attack protect kernel timing peer cycles)

boot() { # NAME CPUS SCENARIO...
	local name=$1 cpus=$2
	shift 2
	echo "== building boot image '$name' ($cpus vCPU): $*" >&2
	bash "$here/mkimage.sh" "$out/$name.iso" "$top/build/bin" "$@"
	echo "== booting '$name' in Bochs (an emulated Intel CPU with VMX; this takes minutes)" >&2
	bash "$here/run.sh" "$out/$name.iso" "$cpus" "$name"
}

case "${1:-quick}" in
quick) boot smp1 1 "${scenarios_1cpu[@]}" ;;
full)
	boot smp1 1 "${scenarios_1cpu[@]}"
	boot smp2 2 "${scenarios_2cpu[@]}"
	;;
run)
	boot main 1 demo | grep -E '^FAIL' || true
	sed -n 's/^# //p' "$out/main/results.txt" | grep -v '^scenario '
	echo "(console: $out/main/console.txt, results: $out/main/results.txt)"
	;;
*)
	echo "usage: suite.sh quick|full|run" >&2
	exit 2
	;;
esac
