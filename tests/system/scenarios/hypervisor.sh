# The hypervisor on every CPU: guests keep working, VMX is hidden, the
# hypervisor's memory is unreachable, the VMCALL API answers only ring 0,
# and it unloads cleanly, repeatedly, without leaking memory.
. /scenarios/lib.sh
ncpu=$(nproc)
hv=/lib/fastvmix/fastvmix_hv.ko
[ -e /dev/cpu/0/msr ] || insmod /lib/fastvmix/msr.ko

check hv-vmx-visible-before test "$(hvprobe cpuid-vmx)" = 1
check hv-insmod insmod $hv
check hv-running-on-all-cpus sh -c "dmesg | grep -q 'hypervisor running on $ncpu cpu'"
# CPU hotplug is off while it runs (a CPU started as a guest would stop):
# taking the second CPU offline is refused, and it stays online.
if [ "$ncpu" -ge 2 ]; then
	check hv-cpu-offline-refused sh -c '! echo 0 >/sys/devices/system/cpu/cpu1/online'
	check hv-cpu-still-online grep -qx 1 /sys/devices/system/cpu/cpu1/online
fi

# Every CPU runs as a guest: a pinned CPUID loop exits on each of them.
check hv-load-threads hvprobe load "$ncpu" 2000
# (fastvmix status --json: the hypervisor on the first line, one line per CPU)
fastvmix status --json >/tmp/status.json 2>&1
sed 's/^/# /' /tmp/status.json
cpu=0
while [ "$cpu" -lt "$ncpu" ]; do
	n=$(sed -n "s/^{\"cpu\":$cpu,.*\"name\":\"CPUID\",\"count\":\([0-9]*\)}.*/\1/p" /tmp/status.json)
	check "hv-cpu$cpu-is-guest" test "${n:-0}" -ge 2000
	cpu=$((cpu + 1))
done

# VMX is hidden, as on a CPU without it; VMX instructions and a ring-3
# VMCALL raise #UD.
check hv-cpuid-hides-vmx test "$(hvprobe cpuid-vmx)" = 0
check hv-vmxon-ud test "$(hvprobe fault vmxon)" = UD
check hv-ring3-vmcall-ud test "$(hvprobe fault vmcall)" = UD
check hv-ring3-vmcall-magic-ud test "$(hvprobe fault vmcall-magic)" = UD
check hv-vmx-msrs-hidden sh -c '! fastvmix doctor >/dev/null 2>&1'

# The hypervisor's memory reads as a dummy page from the guest.
base=$(sed -n 's/.*"hv_base":\([0-9]*\).*/\1/p' /tmp/status.json)
size=$(sed -n 's/.*"hv_size":\([0-9]*\).*/\1/p' /tmp/status.json)
insmod /lib/fastvmix/fvx_memprobe.ko base=$base size=$size 2>/dev/null
probe=$(dmesg | grep fvx_memprobe | tail -n 1)
echo "# loaded: $probe"
check hv-memory-no-signature sh -c "echo '$probe' | grep -q 'signature_found=0 '"
check hv-memory-aliased-to-dummy sh -c "echo '$probe' | grep -q 'aliased=1'"

# VMX root runs only from hidden memory. fvx_rootpatch overwrites with UD2
# the loader's own copy of the root code (the image it embeds) and any
# vmexit_handler in the loader's text, runs CPUID on every CPU, reads the
# exit counters through the hypervisor, restores the bytes and fails its
# load. A hypervisor running the loader's text would stop the CPU there.
ksym() { awk -v s="$1" '$3 == s && $4 == "[fastvmix_hv]" { print "0x" $1; exit }' /proc/kallsyms; }
image=$(ksym hv_root_image)
handler=$(ksym vmexit_handler)
echo "# loader symbols: hv_root_image=${image:-none} vmexit_handler=${handler:-none}"
check hv-root-image-in-loader test -n "$image"
check hv-no-root-code-in-loader-text test -z "$handler"
insmod /lib/fastvmix/fvx_rootpatch.ko image="${image:-0}" handler="${handler:-0}" loops=2000 2>/dev/null
patch=$(dmesg | grep fvx_rootpatch | tail -n 1)
echo "# $patch"
check hv-rootpatch-patched sh -c "echo '$patch' | grep -q 'patched=[1-9]'"
check hv-rootpatch-exits-still-handled sh -c "echo '$patch' | grep -q 'exits_moved=1'"
check hv-rootpatch-still-all-cpus sh -c "fastvmix status --json | grep -c '\"exits_total\":' | grep -qx $ncpu"

# Workload: 200 fork/exec, file write/read with checksums, threads on every CPU.
workload() {
	i=0
	while [ $i -lt "$1" ]; do
		/bin/true || return 1
		i=$((i + 1))
	done
	dd if=/dev/urandom of=/tmp/data bs=4096 count=256 2>/dev/null || return 1
	sum1=$(md5sum </tmp/data)
	cp /tmp/data /tmp/data2 && sync
	sum2=$(md5sum </tmp/data2)
	[ "$sum1" = "$sum2" ] || return 1
	hvprobe load "$ncpu" "$2" >/dev/null
}
check hv-workload-200-forks workload 200 5000
check hv-still-all-cpus sh -c "fastvmix status --json | grep -c '\"exits_total\":' | grep -qx $ncpu"
fastvmix status --json | sed 's/^/# after workload: /'
check hv-rmmod rmmod fastvmix_hv
check hv-vmx-visible-after test "$(hvprobe cpuid-vmx)" = 1
check hv-doctor-after-unload fastvmix doctor

# The probe itself can tell: without the hypervisor the pages are distinct
# and the freed hypervisor memory still holds the signature it could not see.
insmod /lib/fastvmix/fvx_memprobe.ko base=$base size=$size 2>/dev/null
probe=$(dmesg | grep fvx_memprobe | tail -n 1)
echo "# unloaded: $probe"
check hv-memprobe-control sh -c "echo '$probe' | grep -q 'signature_found=1 .*aliased=0'"

# 20 load/unload cycles with a workload in between; MemFree must come back.
before=$(memfree)
cycles_ok=0
c=0
while [ $c -lt 20 ]; do
	insmod $hv && workload 10 200 && rmmod fastvmix_hv && cycles_ok=$((cycles_ok + 1))
	c=$((c + 1))
done
after=$(memfree)
echo "# free (MemFree and the per-CPU lists) before ${before} kB, after 20 cycles ${after} kB"
check hv-20-cycles test "$cycles_ok" -eq 20
# Tolerance 2 MiB: one leaked hypervisor (4 MiB pool) per cycle would be 80 MiB.
check_num hv-no-leak "$before - $after" -lt 2048
check_no_oops hv-no-oops
dmesg | grep -E "fastvmix" | tail -n 4 | sed 's/^/# /'
