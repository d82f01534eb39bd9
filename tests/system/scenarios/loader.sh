# The loader module: capability checks, launch on every CPU, unload.
. /scenarios/lib.sh
check loader-insmod insmod /lib/fastvmix/fastvmix_hv.ko
check loader-running sh -c "dmesg | grep -q 'fastvmix: hypervisor running on $(nproc) cpu'"
check loader-guest-alive sh -c 'ls / >/dev/null && echo hi | grep -q hi'
check loader-rmmod rmmod fastvmix_hv
check loader-reload insmod /lib/fastvmix/fastvmix_hv.ko
check loader-rmmod-again rmmod fastvmix_hv
dmesg | grep fastvmix | sed 's/^/# /'
