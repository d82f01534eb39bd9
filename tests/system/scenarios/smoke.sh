# The machine itself: kernel up, our files present, CPU model has VMX.
. /scenarios/lib.sh
check smoke-kernel-up test -r /proc/version
check smoke-vmx-flag grep -qw vmx /proc/cpuinfo
check smoke-cpus test "$(nproc)" -ge 1
