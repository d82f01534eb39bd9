# Page-table protection of the analyzer window: a ring-0 attacker
# (fvx_ptattack.ko) writes the window's PDPTE and another slot of its PDPT,
# tries stores the hypervisor does not decode, loads CR3 with tables whose
# PML4E it changed, and writes the PML4E of the table it has loaded (which
# is read-only while loaded). The window must stay mapped as configured, each
# attack be counted, and tracing keep working, also for a process that
# started before the window existed.
# timeout: 400
. /scenarios/lib.sh
known='getpid getpid getpid openat write exit_group $'
names() { sed -n 's/^\[pid *[0-9]*\] \([a-z_0-9]*\)(.*/\1/p' "$1" | tr '\n' ' '; }
# ptattack [PARAM...]: runs the attacker; its report in /tmp/pt.txt
ptattack() {
	n=$(dmesg | wc -l)
	insmod /lib/fastvmix/fvx_ptattack.ko "$@" 2>/dev/null
	dmesg | tail -n +$((n + 1)) | grep 'fvx_ptattack:' >/tmp/pt.txt
	sed 's/^.*fvx_ptattack: /# ptattack: /' /tmp/pt.txt
}
attacked() { # NAME...: each attack reported ok
	for a in "$@"; do
		check "protect-$a" grep -q "fvx_ptattack: $a ok" /tmp/pt.txt
	done
}
ring0() { # FUNCTION RBX: the statuses one VMCALL got on every CPU
	insmod /lib/fastvmix/fvx_ring0.ko function=$1 rbx=$2 2>/dev/null
	dmesg | grep "fvx_ring0: vmcall $1:" | tail -n 1 | sed 's/.*vmcall [0-9]*://'
}
all_are() { # STATUS LIST: every cpuN=STATUS in LIST is STATUS, and there is one
	[ -n "$2" ] && ! echo "$2" | tr ' ' '\n' | grep -v '^$' | grep -vq "=$1\$"
}

# A process that exists before the window does.
sh -c 'while :; do read x </proc/uptime; done' &
early=$!

check protect-hv-insmod insmod /lib/fastvmix/fastvmix_hv.ko
check protect-agent-insmod insmod /lib/fastvmix/fastvmix.ko io_uring=0

ptattack
check protect-window-found grep -q 'window-mapped=1' /tmp/pt.txt
attacked window-slot-redirect-refused window-slot-clear-refused window-slot-user-refused \
	window-slot-not-1g-refused window-slot-xchg-refused other-slot-write-done \
	other-slot-xchg-done other-slot-clear-done undecodable-other-slot-gp \
	undecodable-window-slot-gp pml4e-redirect-repaired pml4e-flags-repaired \
	loaded-pml4e-kept loaded-pml4e-kept-spinning breakpoint-on-window-read-back counters
# The table it has loaded is read-only while loaded: its writes are refused
# as they are made (not repaired later).
check protect-loaded-table-read-only grep -q 'fvx_ptattack: loaded-pml4e-kept: write-refused' /tmp/pt.txt

# Tracing goes on: a new sample, and the process from before the window.
fastvmix trace -o /tmp/pt-after.txt -- syscall_seq 3 /tmp/fvx-known 2>/tmp/pt-after.err 3>&-
names /tmp/pt-after.txt >/tmp/pt-after.names
check protect-trace-after-attacks grep -q "$known" /tmp/pt-after.names
check protect-quiet-trace-tells-nothing sh -c "! grep -q 'refused or repaired' /tmp/pt-after.err"

# A trace tells what the hypervisor refused or repaired while it ran.
fastvmix trace -o /tmp/pt-told.txt -- sleep 3 2>/tmp/pt-told.err 3>&- &
tracer=$!
sleep 1
ptattack >/dev/null
wait $tracer
sed 's/^/# told: /' /tmp/pt-told.err
# (busybox's insmod may run the module twice: once by finit_module, once by
# init_module, as it failed: the counts are not checked to the unit)
check protect-trace-tells-the-attacks grep -qE \
	'^fastvmix: while tracing, the hypervisor refused or repaired .*pml4e_repaired [1-9][0-9]*, .*table_writes_refused [1-9][0-9]*, .*pdpt_writes_refused [1-9]' \
	/tmp/pt-told.err
timeout -s INT 4 fastvmix trace -p $early -o /tmp/pt-early.txt 2>/dev/null
check protect-early-process-traced grep -q "pid *$early\] read" /tmp/pt-early.txt

# While a trace runs, nobody takes the protection away.
fastvmix trace -o /tmp/pt-busy.txt -- sh -c 'sleep 3; syscall_seq 1 /tmp/fvx-known' \
	2>/dev/null 3>&- &
tracer=$!
sleep 1
unconfigure=$(ring0 11 0)
echo "# unconfigure while tracing:$unconfigure"
check protect-unconfigure-while-tracing-busy all_are -16 "$unconfigure"
wait $tracer

# The agent unloads (unconfigure, then unmap) and loads again: the same PDPT
# is protected again and the attacks fail the same way.
check protect-agent-rmmod rmmod fastvmix
ptattack probe=1
check protect-window-unmapped grep -q 'window-mapped=0' /tmp/pt.txt
check protect-agent-reinsmod insmod /lib/fastvmix/fastvmix.ko io_uring=0
ptattack
attacked window-slot-redirect-refused pml4e-redirect-repaired counters

# Last, the attacks that crash the guest if the protection fails: a cleared
# PML4E, the PDPT and the hypervisor's memory as top-level tables.
ptattack risky=1
attacked pml4e-cleared-repaired cr3-pdpt-refused cr3-hv-memory-refused counters
fastvmix trace -o /tmp/pt-last.txt -- syscall_seq 3 /tmp/fvx-known 2>/dev/null 3>&-
names /tmp/pt-last.txt >/tmp/pt-last.names
check protect-trace-after-risky-attacks grep -q "$known" /tmp/pt-last.names

kill $early
check protect-agent-rmmod-again rmmod fastvmix
check protect-hv-rmmod rmmod fastvmix_hv
check_no_oops protect-no-oops
