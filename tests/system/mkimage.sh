#!/usr/bin/env bash
# Builds the boot image of the emulated test machine: Debian's guest kernel,
# an uncompressed busybox initramfs with our modules, programs and the chosen
# scenarios, and isolinux on an ISO.
# usage: mkimage.sh OUT.iso GUEST_BIN_DIR SCENARIO...
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$1 bindir=$2
shift 2
release=$(cat "$top/build/guest/kernel.release")
kroot="$top/build/guest/root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

root="$work/root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,scenarios,lib/fastvmix,usr/bin}
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
# Debian's strace, the peer fastvmix trace is compared with (peer.sh), with
# the libraries it links against.
cp --parents -L /usr/bin/strace $(ldd /usr/bin/strace | grep -o '/[^ ]*') "$root/"
cp "$here/guest/init" "$root/init"
cp "$kroot/lib/modules/$release/kernel/arch/x86/kernel/msr.ko" "$root/lib/fastvmix/"
# Our modules and static programs, whatever the build produced.
if [ -d "$bindir" ]; then
	find "$bindir" -maxdepth 1 -type f -exec cp {} "$root/lib/fastvmix/" \;
	for f in "$root"/lib/fastvmix/*; do
		case "$f" in *.ko) ;; *) ln -sf "/lib/fastvmix/$(basename "$f")" "$root/usr/bin/$(basename "$f")" ;; esac
	done
fi
: >"$root/scenarios/list"
for s in "$@"; do
	cp "$here/scenarios/$s.sh" "$root/scenarios/"
	echo "$s" >>"$root/scenarios/list"
done
cp "$here/scenarios/lib.sh" "$root/scenarios/"
[ -z "${FVX_SAMPLE:-}" ] || printf '%s\n' "$FVX_SAMPLE" >"$root/scenarios/sample.cmd"
mkdir -p "$root/dev" && (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet >"$work/initrd.cpio")

iso="$work/iso"
mkdir -p "$iso/isolinux"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso/isolinux/"
cp "$work/initrd.cpio" "$iso/initrd"
# loglevel=3 keeps the console short; errors still show.
append="console=ttyS0,115200 loglevel=3 clearcpuid=580 nopti nokaslr tsc=reliable panic=-1"
if [ "${FVX_BOOT:-pvh}" = pvh ]; then
	# Boot the uncompressed kernel through its PVH entry (see pvhboot/shim.c):
	# Bochs would otherwise spend most of the boot in the XZ decompressor.
	vmlinux="$top/build/guest/vmlinux"
	if [ ! -f "$vmlinux" ]; then
		bz="$kroot/boot/vmlinuz-$release"
		off=$(grep -abo $'\xfd7zXZ' "$bz" | head -n1 | cut -d: -f1)
		tail -c +$((off + 1)) "$bz" >"$work/vmlinux.xz"
		xz -dc --single-stream <"$work/vmlinux.xz" >"$vmlinux.tmp"
		mv "$vmlinux.tmp" "$vmlinux"
	fi
	cflags="-m32 -ffreestanding -fno-pic -fno-stack-protector -mno-sse -O2 -Wall -Wextra -Werror"
	gcc $cflags -c "$here/pvhboot/shim.c" -o "$work/shim.o"
	gcc -m32 -c "$here/pvhboot/entry.S" -o "$work/entry.o"
	ld -m elf_i386 -z noexecstack --no-warn-rwx-segments -T "$here/pvhboot/shim.ld" \
		-o "$iso/pvhshim" "$work/entry.o" "$work/shim.o"
	cp /usr/lib/syslinux/modules/bios/{mboot,libcom32}.c32 "$iso/isolinux/"
	cp "$vmlinux" "$iso/vmlinux"
	kernel="KERNEL /isolinux/mboot.c32
  APPEND /pvhshim $append --- /vmlinux --- /initrd"
else
	cp "$kroot/boot/vmlinuz-$release" "$iso/vmlinuz"
	kernel="KERNEL /vmlinuz
  APPEND initrd=/initrd $append"
fi
cat >"$iso/isolinux/isolinux.cfg" <<CFG
SERIAL 0 115200
DEFAULT fvx
PROMPT 0
TIMEOUT 0
LABEL fvx
  $kernel
CFG
xorriso -as mkisofs -quiet -o "$out" -b isolinux/isolinux.bin -c isolinux/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table "$iso" 2>/dev/null
