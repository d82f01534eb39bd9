#!/usr/bin/env bash
# Installs everything FastVMIX needs from Debian's packages and fetches the
# guest kernel (image unpacked under build/guest, headers installed on the
# host so the modules can be built against them). Idempotent: a second run
# only checks.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
guest="$top/build/guest"

host_pkgs=(
	build-essential libcmocka-dev libseccomp-dev libjson-c-dev pkg-config clang-format kmod
	clang libclang-rt-14-dev # make fuzz: libFuzzer and the ASan/UBSan runtimes
	bochs bochs-term bochsbios vgabios
	busybox-static xorriso isolinux syslinux-common cpio xz-utils zstd
	strace # the peer fastvmix trace is compared with, inside the emulated machine
	gnuplot-nox # bench/run.sh draws the cost per call
)

missing=()
for p in "${host_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done

apt_updated=0
apt_update() {
	if [ "$apt_updated" = 0 ]; then
		echo "deps: apt-get update"
		apt-get update -qq
		apt_updated=1
	fi
}

if [ "${#missing[@]}" -gt 0 ]; then
	apt_update
	echo "deps: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The guest kernel: whatever linux-image-amd64 points at today, unless the
# checkout already has one unpacked.
if [ ! -f "$guest/kernel.release" ]; then
	apt_update
	release=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: linux-image-\(.*\)$/\1/p' | head -n1)
	[ -n "$release" ] || { echo "deps: cannot resolve linux-image-amd64" >&2; exit 1; }
	echo "deps: guest kernel $release"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"linux-headers-$release" >/dev/null
	rm -rf "$guest" && mkdir -p "$guest/deb"
	(cd "$guest/deb" && apt-get download -qq "linux-image-$release")
	dpkg-deb -x "$guest"/deb/linux-image-*.deb "$guest/root"
	rm -rf "$guest/deb"
	echo "$release" >"$guest/kernel.release"
fi
release=$(cat "$guest/kernel.release")
if [ ! -d "/usr/src/linux-headers-$release" ]; then
	apt_update
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"linux-headers-$release" >/dev/null
fi
echo "deps: ok (guest kernel $release)"
