# Attacks from guest ring 0 (fvx_kattack.ko) on what the traced path relies
# on outside the window: the syscall MSRs, the descriptor tables, kernel
# text and read-only data. Each group runs while a sample is traced; every
# attack must be refused or repaired and counted, the kernel must keep
# working (Linux's own text_poke included), and the sample's trace must be
# complete.
# timeout: 400
. /scenarios/lib.sh
known='getpid getpid getpid openat write exit_group'
# in_order NAMES-FILE: the known calls are all there, in this order, among
# the sample's
in_order() { awk -v want="$known" 'BEGIN { n = split(want, w, " ") } { for (i = 1; i <= NF && k < n; i++) if ($i == w[k + 1]) k++ } END { exit k < n }' "$1"; }
# in_place NAMES-FILE: and they are its last calls, after its execve: on 2
# vCPUs a thread moves between CPUs whose TSCs the groups here (many
# exits on one CPU) set far apart, and its lines keep their order only
# because records carry the host's TSC
in_place() { awk -v want="$known" '{ n = split(want, w, " "); for (i = 1; i <= n; i++) if ($(NF - n + i) != w[i]) exit 1; for (i = NF - n; i > 0 && $i != "execve"; i--); exit i == 0 }' "$1"; }
# names TRACE: the names of the calls of the process that opened
# /tmp/fvx-known (syscall_seq: other processes of the sample interleave)
names() {
	pid=$(sed -n 's/^\[pid *\([0-9]*\)\] openat(AT_FDCWD, "\/tmp\/fvx-known".*/\1/p' "$1" | head -n 1)
	sed -n "s/^\[pid *${pid:-none}\] \([a-z_0-9]*\)(.*/\1/p" "$1" | tr '\n' ' '
}
# kattack GROUP: runs one group of attacks; its report in /tmp/ka-GROUP.txt
kattack() {
	n=$(dmesg | wc -l)
	insmod /lib/fastvmix/fvx_kattack.ko group=$1 2>/dev/null
	dmesg | tail -n +$((n + 1)) | grep 'fvx_kattack:' >/tmp/ka-$1.txt
	sed 's/^.*fvx_kattack: /# kattack: /' /tmp/ka-$1.txt
}
attacked() { # GROUP NAME...: each attack of GROUP reported ok
	g=$1
	shift
	for a in "$@"; do
		check "kernel-$g-$a" grep -q "fvx_kattack: $a ok" /tmp/ka-$g.txt
	done
}
counted() { # GROUP COUNTER MIN: the counter grew by at least MIN
	v=$(sed -n "s/.*counters.* $2=\([0-9-]*\).*/\1/p" /tmp/ka-$1.txt | tail -n 1)
	check_num "kernel-$1-$2-counted" "${v:-0}" -ge "$3"
}

check kernel-hv-insmod insmod /lib/fastvmix/fastvmix_hv.ko
check kernel-agent-insmod insmod /lib/fastvmix/fastvmix.ko io_uring=0

for g in msr dt text; do
	fastvmix trace -f -o /tmp/ka-trace-$g.txt -- sh -c 'sleep 2; syscall_seq 3 /tmp/fvx-known' \
		2>/dev/null 3>&- &
	tracer=$!
	sleep 1
	kattack $g
	check kernel-$g-ran grep -q "fvx_kattack: $g done, 0 failed" /tmp/ka-$g.txt
	wait $tracer
	names /tmp/ka-trace-$g.txt >/tmp/ka-trace-$g.names
	echo "# $g: the sample's calls: $(cat /tmp/ka-trace-$g.names)"
	check kernel-$g-sample-trace-complete in_order /tmp/ka-trace-$g.names
	check kernel-$g-sample-trace-in-order in_place /tmp/ka-trace-$g.names
done

# (the groups' own checks follow: attacked GROUP NAME..., counted GROUP COUNTER MIN)
attacked msr STAR-shadowed CSTAR-shadowed SYSENTER_CS-shadowed SYSENTER_ESP-shadowed \
	SYSENTER_EIP-shadowed EFER-shadowed
counted msr msr_writes_shadowed 6

# Kernel text, rodata and the IDT: every write refused (the writes the
# restores make included: 6), Linux's own text_poke let through.
attacked text syscall-table-write-refused text-write-wp-off-refused text-write-alias-refused \
	syscall-table-alias-refused idt-gate-write-refused kprobe-text-poke-works \
	kprobe-removal-text-poke-works
counted text kernel_writes_refused 6
counted text text_pokes 2

attacked dt lidt-shadowed lidt-linux-idt-serves lidt-restored lgdt-shadowed lgdt-refused \
	lgdt-restored ltr-refused ltr-linux-reload window-found fake-idt-vmfunc-ud \
	view0-vmfunc-found view0-vmfunc-guarded
# LIDT and LGDT of a copy, LTR of the data segment, LIDT of the fake IDT;
# Linux's own reloads (LIDT/LGDT back, force_reload_TR) are not refused.
counted dt dt_loads_refused 4
# The VMFUNC undone, the jump into the window, and Linux's #UD handler
# reading the faulting window address (is_valid_bugaddr); the guard page
# read in view 1 after the trampoline's own VMFUNC.
counted dt view_attacks 3

check_no_oops kernel-no-oops
check kernel-agent-rmmod rmmod fastvmix
check kernel-hv-rmmod rmmod fastvmix_hv
