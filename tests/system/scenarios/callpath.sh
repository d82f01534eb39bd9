# One getpid's path, untraced and then traced in fast mode, each between
# two magic breakpoints (callpath.c) that bench/callpath.sh has Bochs
# trace; checks both ran and the trace shows the call with its value.
. /scenarios/lib.sh
callpath >/tmp/callpath.native
check callpath-native grep -q '^callpath [0-9]' /tmp/callpath.native
insmod /lib/fastvmix/fastvmix_hv.ko
insmod /lib/fastvmix/fastvmix.ko
fastvmix trace -e trace=getpid -o /tmp/callpath.trace -- callpath >/tmp/callpath.out
pid=$(sed -n 's/^callpath //p' /tmp/callpath.out)
head -n 2 /tmp/callpath.trace | sed "s/^/# /"
echo "# traced pid $pid: $(grep -c "getpid() *= $pid\$" /tmp/callpath.trace) getpid lines"
check callpath-traced test "$(grep -c "getpid() *= $pid\$" /tmp/callpath.trace)" -eq 2001
