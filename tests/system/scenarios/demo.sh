# The main job, shown to the user: the capability report, then a sample
# traced from its first instruction (default: a small shell pipeline).
. /scenarios/lib.sh
sample=$(cat /scenarios/sample.cmd 2>/dev/null)
[ -n "$sample" ] || sample='echo hello >/tmp/hello; cat /tmp/hello; ls /lib/fastvmix >/dev/null'
insmod /lib/fastvmix/msr.ko
fastvmix doctor | sed 's/^/# /'
check demo-hypervisor insmod /lib/fastvmix/fastvmix_hv.ko
check demo-agent insmod /lib/fastvmix/fastvmix.ko
echo "# \$ fastvmix trace -f -- sh -c '$sample'"
fastvmix trace -f -o /tmp/demo.txt -- sh -c "$sample" >/tmp/demo.out 2>/tmp/demo.err
sed 's/^/# /' /tmp/demo.txt /tmp/demo.out /tmp/demo.err
check demo-traced grep -q execve /tmp/demo.txt
fastvmix status | sed 's/^/# /'
