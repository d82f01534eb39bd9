#!/usr/bin/env bash
# Boots a test image in Bochs (an emulated Intel CPU with VMX, EPT and
# VMFUNC), headless, shows progress while it runs, kills a hung machine after
# a timeout, and turns the scenario results into PASS/FAIL lines.
# usage: run.sh ISO CPUS NAME [TIMEOUT_SECONDS]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
iso=$(realpath "$1") cpus=$2 name=$3 limit=${4:-1500}
dir="$top/build/system/$name"
rm -rf "$dir" && mkdir -p "$dir"
cd "$dir"

# CPU model: see tests/system/README.md for why this one.
cpu_model=${FVX_CPU_MODEL:-broadwell_ult}
cat >bochsrc <<RC
megs: ${FVX_MEGS:-512}
cpu: model=$cpu_model, count=$cpus, ips=${FVX_IPS:-50000000}, reset_on_triple_fault=0
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
clock: sync=none, time0=1700000000
display_library: rfb, options="timeout=0"
com1: enabled=1, mode=file, dev=console.txt
com2: enabled=1, mode=file, dev=results.txt
port_e9_hack: enabled=1
magic_break: enabled=${FVX_ITRACE:-0}
log: bochs.log
panic: action=fatal
error: action=ignore
info: action=ignore
debug: action=ignore
RC
# FVX_ITRACE=1: Bochs's debugger writes every instruction between each
# pair of magic breakpoints (xchg %bx, %bx) to e9.txt, for two pairs
# (bench/callpath.sh).
if [ "${FVX_ITRACE:-0}" = 1 ]; then
	printf 'c\ntrace on\nc\ntrace off\nc\ntrace on\nc\ntrace off\nc\nquit\n' >cmds
else
	printf 'c\nquit\n' >cmds
fi

# Bochs ignores SIGTERM, and a background job ignores the SIGINT of ^C:
# however this script ends, SIGKILL the Bochs it started, by its pid.
pid=""
stop_bochs() {
	[ -z "$pid" ] || kill -9 "$pid" 2>/dev/null
}
trap stop_bochs EXIT
trap 'stop_bochs; exit 130' INT
trap 'stop_bochs; exit 143' TERM
trap 'stop_bochs; exit 129' HUP

start=$(date +%s)
bochs-bin -q -f bochsrc -rc cmds </dev/null >e9.txt 2>bochs.err &
pid=$!

stage=""
last_note=0
elapsed() { echo $(($(date +%s) - start)); }
current_stage() {
	local s
	s=$(grep -a 'FVX-STAGE' console.txt 2>/dev/null | tail -n1 | sed 's/.*FVX-STAGE //')
	if [ -n "$s" ]; then echo "$s"; return; fi
	if grep -aq 'booting vmlinux' e9.txt 2>/dev/null; then echo "kernel init (PVH entry)"
	elif grep -aq 'Booting the kernel' console.txt 2>/dev/null; then echo "kernel init"
	elif grep -aq 'Decompressing' console.txt 2>/dev/null; then echo "decompressing kernel"
	elif grep -aq 'ISOLINUX' console.txt 2>/dev/null; then echo "bootloader"
	else echo "BIOS"; fi
}
timed_out=0
while kill -0 "$pid" 2>/dev/null; do
	sleep 2
	now=$(elapsed)
	s=$(current_stage)
	if [ "$s" != "$stage" ] || [ $((now - last_note)) -ge 60 ]; then
		printf '  [%4ds] %s (%d cpu): %s\n' "$now" "$name" "$cpus" "$s"
		stage=$s last_note=$now
	fi
	if [ "$now" -ge "$limit" ]; then
		timed_out=1
		stop_bochs
		break
	fi
done
wait "$pid" 2>/dev/null
pid="" # reaped: the number may be reused
total=$(elapsed)
first=$(grep -a -m1 '^# scenario' results.txt 2>/dev/null)
echo "$total" >seconds
printf '  [%4ds] %s (%d cpu): machine stopped\n' "$total" "$name" "$cpus"

# Results: "ok X" / "not ok X - why" from the guest, "done" at the end.
sed -i 's/\r$//' results.txt 2>/dev/null
grep -a -E '^(ok|not ok) ' results.txt 2>/dev/null | while IFS= read -r line; do
	case "$line" in
	"not ok "*) echo "FAIL system/$name/${line#not ok }" ;;
	"ok "*) echo "PASS system/$name/${line#ok }" ;;
	esac
done
if ! grep -aqx 'done' results.txt 2>/dev/null; then
	if [ "$timed_out" = 1 ]; then
		why="hung: killed after ${limit}s"
	else
		why=$(grep -a -E 'PANIC|triple fault|shutdown|\[CPU.\]' bochs.log 2>/dev/null | tail -n 2 | tr '\n' ' ')
		why="machine stopped early: ${why:-see $dir/bochs.log}"
	fi
	echo "FAIL system/$name/complete: $why; last console lines:"
	tail -n 8 console.txt 2>/dev/null | sed 's/^/      | /'
	grep -a 'fastvmix:' e9.txt 2>/dev/null | tail -n 5 | sed 's/^/      | hypervisor: /'
else
	echo "PASS system/$name/complete (boot+run ${total}s)"
fi
exit 0
