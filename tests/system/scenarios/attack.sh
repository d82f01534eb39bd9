# Attacks from ring 3 on the tracer, each many times while a sample is
# traced: none may crash or hang the guest, hide the sample's calls or stop
# the trace.
. /scenarios/lib.sh
known='getpid getpid getpid openat write exit_group $'
attacks() { # KIND: the hypervisor's count of that kind of attack, all CPUs
	fastvmix status --json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | awk '{ s += $1 } END { print s + 0 }'
}
names() { sed -n 's/^\[pid *[0-9]*\] \([a-z_0-9]*\)(.*/\1/p' "$1" | tr '\n' ' '; }

check attack-hv-insmod insmod /lib/fastvmix/fastvmix_hv.ko
check attack-agent-insmod insmod /lib/fastvmix/fastvmix.ko io_uring=0

# RAX with upper bits set: Linux runs the call EAX names; the trace shows it.
fastvmix trace -e trace=getpid -o /tmp/rax.txt -- attack rax-high 1000 >/tmp/rax.out 2>/tmp/rax.err
sed 's/^/# rax-high: /' /tmp/rax.err
head -n 2 /tmp/rax.txt | sed 's/^/# rax-high: /'
check attack-rax-high-runs grep -qx 'rax-high ok 1000' /tmp/rax.out
# (1001: the program's own getpid() to know its pid, then the 1000)
check attack-rax-high-traced test "$(grep -c '\] getpid()' /tmp/rax.txt)" -eq 1001

# hidden_opens TRACE: "OPENS ORPHANS": the successful opens of
# /tmp/fvx-hidden the trace shows, whole or split by another task's line
# ("<unfinished ...>", then "<... openat resumed>", as with 2 vCPUs the
# tracer's calls may come in between), and the openat returns shown
# without their entry.
hidden_opens() {
	awk '{ pid = /^\[pid/ ? $2 : "main" }
	/openat\(AT_FDCWD, "\/tmp\/fvx-hidden", O_RDONLY\) = [0-9]/ { opens++ }
	/openat\(.* <unfinished \.\.\.>$/ { open[pid] = /"\/tmp\/fvx-hidden", O_RDONLY/ ? 2 : 1 }
	/<\.\.\. openat resumed>/ {
		if (!open[pid]) orphans++
		else if (open[pid] == 2 && /resumed>\) = [0-9]/) opens++
		open[pid] = 0
	}
	END { print opens + 0, orphans + 0 }' "$1"
}
# A tracer rewrites its tracee's calls at the syscall-entry stop, after the
# SYSCALL: each open of /tmp/fvx-benign runs as an open of /tmp/fvx-hidden.
# The trace shows the calls as they ran (FVX_CONFIG_DEFER).
fastvmix trace -f -o /tmp/ptr.txt -- attack ptrace-rewrite 20 >/tmp/ptr.out 2>/tmp/ptr.err 3>&-
sed 's/^/# ptrace-rewrite: /' /tmp/ptr.out /tmp/ptr.err
grep 'fvx-' /tmp/ptr.txt | head -n 3 | sed 's/^/# ptrace-rewrite: /'
check attack-ptrace-rewrite-runs grep -qx 'ptrace-rewrite ok 20' /tmp/ptr.out
check_num attack-ptrace-rewrite-shown-as-run "$(hidden_opens /tmp/ptr.txt | cut -d' ' -f1)" -eq 20
check_num attack-ptrace-rewrite-no-orphan "$(hidden_opens /tmp/ptr.txt | cut -d' ' -f2)" -eq 0
check attack-ptrace-rewrite-not-as-asked sh -c '! grep -q "openat(AT_FDCWD, \"/tmp/fvx-benign\"" /tmp/ptr.txt'
# The same with a number the trampoline lets through unrecorded (1000, no
# call): the tracer makes it the open.
fastvmix trace -f -o /tmp/ren.txt -- attack ptrace-renumber 20 >/tmp/ren.out 2>/tmp/ren.err 3>&-
sed 's/^/# ptrace-renumber: /' /tmp/ren.out /tmp/ren.err
grep -B 1 'openat resumed>' /tmp/ren.txt | head -n 4 | sed 's/^/# ptrace-renumber: /'
check attack-ptrace-renumber-runs grep -qx 'ptrace-renumber ok 20' /tmp/ren.out
check_num attack-ptrace-renumber-shown-as-run "$(hidden_opens /tmp/ren.txt | cut -d' ' -f1)" -eq 20
check_num attack-ptrace-renumber-no-orphan "$(hidden_opens /tmp/ren.txt | cut -d' ' -f2)" -eq 0
# The same with a call the filter leaves out (getppid, with -e trace=openat):
# the trampoline keeps the tracepoint flag of a task with a tracer, so the
# probe sees the open it became (FVX_CONFIG_FAST_SKIP).
fastvmix trace -f -e trace=openat -o /tmp/rsl.txt -- attack ptrace-reselect 20 >/tmp/rsl.out 2>/tmp/rsl.err 3>&-
sed 's/^/# ptrace-reselect: /' /tmp/rsl.out /tmp/rsl.err
check attack-ptrace-reselect-runs grep -qx 'ptrace-reselect ok 20' /tmp/rsl.out
check_num attack-ptrace-reselect-shown-as-run "$(hidden_opens /tmp/rsl.txt | cut -d' ' -f1)" -eq 20
check attack-ptrace-reselect-no-getppid sh -c '! grep -q "getppid(" /tmp/rsl.txt'
# A tracer that attaches while a traced read waits, stops it in its way
# back to user mode and rewrites its registers there (no call, a value of
# 7) cannot hide the read's return: it shows as it was when the read
# stopped, before the tracer could touch it (the agent reports a pending
# return at the switch away from a stopped or traced task).
stopped=$(returns_by stop)
fastvmix trace -f -o /tmp/hide.txt -- attack ptrace-hide-return 5 >/tmp/hide.out 2>/tmp/hide.err 3>&-
check_num attack-ptrace-hide-return-at-stop "$(returns_by stop) - $stopped" -ge 5
sed 's/^/# ptrace-hide-return: /' /tmp/hide.out /tmp/hide.err
grep 'read' /tmp/hide.txt | head -n 10 | sed 's/^/# ptrace-hide-return: /'
check attack-ptrace-hide-return-runs grep -qx 'ptrace-hide-return ok 5' /tmp/hide.out
# (its line, or with the tracer's calls between, its "<... read resumed>")
check_num attack-ptrace-hide-return-shown "$(grep -c 'read.*0x[0-9a-f]*, 16) = ? ERESTARTSYS' /tmp/hide.txt)" -eq 5
# An rseq critical section that starts right after a read's SYSCALL and
# aborts to it: Linux moves RIP back to the SYSCALL with RAX 0 (the read's
# value, read's number), as a restart would look; the read shows its 0
# (the agent reports a pending return at rseq's IP fix-up), then again.
aborted=$(returns_by rseq)
fastvmix trace -f -e trace=read -o /tmp/rseq.txt -- attack rseq-read 3 >/tmp/rseq.out 2>/tmp/rseq.err 3>&-
check_num attack-rseq-read-at-abort "$(returns_by rseq) - $aborted" -ge 3
sed 's/^/# rseq-read: /' /tmp/rseq.out /tmp/rseq.err
grep 'read' /tmp/rseq.txt | head -n 9 | sed 's/^/# rseq-read: /'
check attack-rseq-read-runs grep -qx 'rseq-read ok 3' /tmp/rseq.out
# (a line, or with the writer's end between, "<... read resumed>")
check_num attack-rseq-read-values-shown "$(grep -cE '(read\(3, |<\.\.\. read resumed>).*16\) = 0$' /tmp/rseq.txt)" -eq 6
check attack-rseq-read-no-restart sh -c '! grep -q "read(3.*ERESTART" /tmp/rseq.txt'
# An rt_sigreturn whose frame cannot be read fails before it restores
# anything: its RDI (0x200, USR1 as a mask) must not show as the mask it
# restored.
fastvmix trace -e trace=rt_sigreturn -o /tmp/srf.txt -- attack sigreturn-forge 3 >/tmp/srf.out 2>/tmp/srf.err 3>&-
sed 's/^/# sigreturn-forge: /' /tmp/srf.out /tmp/srf.err
head -n 4 /tmp/srf.txt | sed 's/^/# sigreturn-forge: /'
check attack-sigreturn-forge-runs grep -qx 'sigreturn-forge ok 3' /tmp/srf.out
check_num attack-sigreturn-forge-mask-unknown "$(grep -c 'rt_sigreturn({mask=?}) = 0$' /tmp/srf.txt)" -eq 3
check attack-sigreturn-forge-no-mask sh -c '! grep -q "mask=\[" /tmp/srf.txt'
# Calls a seccomp filter fails never reach Linux's sys_enter: still shown.
fastvmix trace -o /tmp/sec.txt -- attack seccomp-deny 20 >/tmp/sec.out 2>/tmp/sec.err 3>&-
sed 's/^/# seccomp-deny: /' /tmp/sec.out /tmp/sec.err
grep getppid /tmp/sec.txt | head -n 1 | sed 's/^/# seccomp-deny: /'
check attack-seccomp-deny-runs grep -qx 'seccomp-deny ok 20' /tmp/sec.out
check_num attack-seccomp-denied-shown "$(grep -c 'getppid() = -1 EPERM' /tmp/sec.txt)" -eq 20

# VMFUNC into the analyzer view from user code, 1000 times each way, while
# the same process tree runs the known sample: the attacker gets the signal
# it would get anyway, the kernel keeps working, the sample's trace is whole.
va0=$(attacks view_attacks)
fastvmix trace -f -o /tmp/attacked.txt -- sh -c \
	'attack vmfunc-page-end 1000; attack vmfunc-tf 1000; attack vmfunc-own 1000; syscall_seq 3 /tmp/fvx-known' \
	>/tmp/attacks.out 2>/tmp/attacks.err 3>&-
sed 's/^/# /' /tmp/attacks.out /tmp/attacks.err
va1=$(attacks view_attacks)
echo "# view attacks counted: $va0 before, $va1 after"
check_num attack-vmfunc-counted "$va1 - $va0" -ge 3000
check attack-vmfunc-page-end grep -qx 'vmfunc-page-end ok 1000' /tmp/attacks.out
check attack-vmfunc-trap-flag grep -qx 'vmfunc-tf ok 1000' /tmp/attacks.out
check attack-vmfunc-own-code grep -qx 'vmfunc-own ok 1000' /tmp/attacks.out
names /tmp/attacked.txt >/tmp/attacked.names
check attack-sample-trace-complete grep -q "$known" /tmp/attacked.names
# Opening and closing the device from the traced sample leaves the trace on.
fastvmix trace -f -o /tmp/devclose.txt -- sh -c \
	'exec 5</dev/fastvmix; exec 5<&-; syscall_seq 3 /tmp/fvx-known' 2>/dev/null 3>&-
names /tmp/devclose.txt >/tmp/devclose.names
check attack-device-close-keeps-trace grep -q "$known" /tmp/devclose.names

# A sealed trace: while it runs, guest ring 0 with the agent's own VMCALLs
# (stop, refilter, unload, unconfigure), a second descriptor and rmmod all
# fail, and the sample started after the attempts is traced completely.
# Ring 0 also clears the sample's task mark (fvx_kattack group=unmark: its
# shell's, which the program it starts inherits): a sealed trace does not
# trust the marks, so the program's calls are all there still (their
# returns are not: Linux no longer reports them, see the README).
ring0() { # FUNCTION RBX: the statuses one VMCALL got on every CPU
	insmod /lib/fastvmix/fvx_ring0.ko function=$1 rbx=$2 2>/dev/null
	dmesg | grep "fvx_ring0: vmcall $1:" | tail -n 1 | sed 's/.*vmcall [0-9]*://'
}
all_eperm() { [ -n "$1" ] && ! echo "$1" | tr ' ' '\n' | grep -v '^$' | grep -vq '=-1$'; }
fastvmix trace --seal 30 -f -o /tmp/sealed.txt -- sh -c 'sleep 3; syscall_seq 3 /tmp/fvx-known' \
	2>/tmp/sealed.err 3>&- &
tracer=$!
sleep 1
sample=$(for p in /proc/[0-9]*; do
	[ "$(awk '{print $4}' $p/stat 2>/dev/null)" = "$tracer" ] && echo ${p#/proc/}
done | head -n 1)
insmod /lib/fastvmix/fvx_kattack.ko group=unmark pid=${sample:-0} 2>/dev/null
dmesg | grep 'fvx_kattack: unmark-cleared' | tail -n 1 | sed 's/^/# /'
check attack-sealed-unmarked sh -c "dmesg | grep 'fvx_kattack: unmark-cleared' | tail -n 1 | grep -q ' ok '"
sr0=$(attacks sealed_refusals)
stop=$(ring0 9 0)
refilter=$(ring0 8 0)
unload=$(ring0 3 0)
unconfigure=$(ring0 11 0)
sr1=$(attacks sealed_refusals)
echo "# sealed: stop$stop, refilter$refilter, unload$unload, unconfigure$unconfigure"
check_num attack-sealed-counted "$sr1 - $sr0" -ge "4 * $(nproc)"
check attack-sealed-ring0-stop-refused all_eperm "$stop"
check attack-sealed-ring0-refilter-refused all_eperm "$refilter"
check attack-sealed-ring0-unload-refused all_eperm "$unload"
check attack-sealed-ring0-unconfigure-refused all_eperm "$unconfigure"
check attack-sealed-other-descriptor-refused sh -c 'hvprobe stop-other | grep -q "not permitted"'
check attack-sealed-rmmod-refused sh -c '! rmmod fastvmix 2>/dev/null'
wait $tracer
sed 's/^/# sealed: /' /tmp/sealed.err
names /tmp/sealed.txt >/tmp/sealed.names
check attack-sealed-trace-complete grep -q "$known" /tmp/sealed.names

check attack-agent-rmmod rmmod fastvmix
check attack-hv-rmmod rmmod fastvmix_hv
check_no_oops attack-no-oops
