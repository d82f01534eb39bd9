# The loader module: loads on every CPU after its capability checks, unloads.
. /scenarios/lib.sh
check loader-insmod insmod /lib/fastvmix/fastvmix_hv.ko
check loader-checked-all-cpus sh -c "dmesg | grep -q 'fastvmix: $(nproc) cpu(s) have every VMX feature'"
check loader-rmmod rmmod fastvmix_hv
dmesg | grep fastvmix | sed 's/^/# /'
