# fastvmix doctor in the emulated machine: every feature FastVMIX requires
# is present on every CPU.
. /scenarios/lib.sh
insmod /lib/fastvmix/msr.ko
fastvmix doctor --raw >/tmp/doctor.out 2>&1
rc=$?
sed 's/^/# /' /tmp/doctor.out
check doctor-exit-status test "$rc" -eq 0
check doctor-no-missing sh -c '! grep -q MISSING /tmp/doctor.out'
for f in "EPT" "4-level EPT" "1 GiB EPT pages" "VPID" "VMFUNC" "EPTP switching" \
	"RDTSC exiting" "TSC offsetting" "MSR bitmaps" "CR3-load exiting" "EPT-violation #VE" \
	"VMX enabled by firmware"; do
	check "doctor-has-$(echo "$f" | tr ' /#' '---')" grep -qE "^  \[ok\] +$f  " /tmp/doctor.out
done
check doctor-all-cpus grep -q "all $(nproc) cpu(s) have every VMX feature" /tmp/doctor.out
