# Attacks from ring 3 on the tracer, each many times while a sample is
# traced: none may crash or hang the guest, hide the sample's calls or stop
# the trace.
. /scenarios/lib.sh
known='getpid getpid getpid openat write exit_group $'
names() { sed -n 's/^\[pid *[0-9]*\] \([a-z_0-9]*\)(.*/\1/p' "$1" | tr '\n' ' '; }

check attack-hv-insmod insmod /lib/fastvmix/fastvmix_hv.ko
check attack-agent-insmod insmod /lib/fastvmix/fastvmix.ko

# RAX with upper bits set: Linux runs the call EAX names; the trace shows it.
fastvmix trace -e trace=getpid -o /tmp/rax.txt -- attack rax-high 1000 >/tmp/rax.out 2>/tmp/rax.err
sed 's/^/# rax-high: /' /tmp/rax.err
head -n 2 /tmp/rax.txt | sed 's/^/# rax-high: /'
check attack-rax-high-runs grep -qx 'rax-high ok 1000' /tmp/rax.out
# (1001: the program's own getpid() to know its pid, then the 1000)
check attack-rax-high-traced test "$(grep -c '\] getpid()' /tmp/rax.txt)" -eq 1001

# VMFUNC into the analyzer view from user code, 1000 times each way, while
# the same process tree runs the known sample: the attacker gets the signal
# it would get anyway, the kernel keeps working, the sample's trace is whole.
fastvmix trace -f -o /tmp/attacked.txt -- sh -c \
	'attack vmfunc-page-end 1000; attack vmfunc-tf 1000; attack vmfunc-own 1000; syscall_seq 3 /tmp/fvx-known' \
	>/tmp/attacks.out 2>/tmp/attacks.err 3>&-
sed 's/^/# /' /tmp/attacks.out /tmp/attacks.err
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

check attack-agent-rmmod rmmod fastvmix
check attack-hv-rmmod rmmod fastvmix_hv
check attack-no-oops sh -c '! dmesg | grep -qiE "oops|general protection|BUG:|WARNING:|double fault"'
