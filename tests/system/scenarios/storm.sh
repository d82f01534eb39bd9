# The full storm, outside make test (about two minutes in Bochs with 2
# vCPUs): one pinned thread per CPU (at least two), 100,000 getpid each,
# made faster than the frontend drains. By default nothing is lost: every
# record arrives, none dropped, each CPU's numbering without a gap. With
# --drop, drops happen and each one is counted.
#     bash tests/system/mkimage.sh build/system/storm.iso build/bin smoke storm
#     bash tests/system/run.sh build/system/storm.iso 2 storm 1800
# timeout: 1700
. /scenarios/lib.sh
check storm-hv-insmod insmod /lib/fastvmix/fastvmix_hv.ko
check storm-agent-insmod insmod /lib/fastvmix/fastvmix.ko
threads=$(nproc)
[ "$threads" -ge 2 ] || threads=2
calls=100000
fastvmix trace -e trace=getpid -o /dev/null -- getpid_bench $calls $threads 2>/tmp/storm.err
sed 's/^/# default: /' /tmp/storm.err
got=$(sed -n 's/^fastvmix: \([0-9]*\) records, \([0-9]*\) dropped/\1 \2/p' /tmp/storm.err)
# (one record per call, getpid being a quick call recorded whole at its
# return, and each thread's end, the main one's too)
check_num storm-nothing-lost "${got% *}" -eq "$calls * $threads + $threads + 1"
check_num storm-none-dropped "${got#* }" -eq 0
check storm-numbering-gap-free sh -c "! grep -q 'missing from the rings' /tmp/storm.err"
# (The frontend keeps up with the threads unless it is held up: here by
# its output, a pipe nobody reads for the first seconds; and 100,000 calls
# a CPU fit its ring: three times as many.)
fastvmix trace --drop -e trace=getpid -- getpid_bench $((3 * calls)) $threads 2>/tmp/drop.err |
	{ sleep 5; cat >/dev/null; }
sed 's/^/# --drop: /' /tmp/drop.err
got=$(sed -n 's/^fastvmix: \([0-9]*\) records, \([0-9]*\) dropped/\1 \2/p' /tmp/drop.err)
check_num storm-drop-accounted "${got% *} + ${got#* }" -eq "3 * $calls * $threads + $threads + 1"
check_num storm-drop-drops "${got#* }" -gt 0
check storm-agent-rmmod rmmod fastvmix
check storm-hv-rmmod rmmod fastvmix_hv
check_no_oops storm-no-oops
