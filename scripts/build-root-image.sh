#!/usr/bin/env bash
# Builds the VMX-root image (hypervisor/core/root_image.h): the given C and
# assembly files, freestanding and position-independent, linked by
# hypervisor/arch/x86/root.ld.S into OUT.bin (and OUT.elf, to inspect).
#   build-root-image.sh OUT.bin FILE.c|FILE.S...
# Fails unless the image calls nothing outside itself, needs no relocation
# but R_X86_64_RELATIVE, exports no symbol and uses no SSE register.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
shift
arch="$top/hypervisor/arch/x86"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
	echo "build-root-image: $*" >&2
	exit 1
}

# No Linux flags, thunks or instrumentation: plain code that runs anywhere
# it is copied. The semantic flags (-fno-strict-aliasing ...) are the
# kernel's, under which the core was written.
cflags=(-std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter
	-ffreestanding -nostdinc -isystem "$(${CC:-gcc} -print-file-name=include)"
	-fpie -fno-plt -fvisibility=hidden -include "$arch/root_visibility.h"
	-mno-red-zone -mgeneral-regs-only -mcmodel=small -Wframe-larger-than=6144
	-fno-stack-protector -fcf-protection=none -fno-jump-tables -fno-tree-loop-distribute-patterns
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-common
	-fno-strict-aliasing -fno-strict-overflow -fno-delete-null-pointer-checks
	-I"$top/include" -I"$top/hypervisor" -I"$work" -isystem "$work/uapi")
aflags=(-fpie -I"$work" -I"$arch")

bash "$top/scripts/gen-offsets.sh" "$work/fvx_offsets.h"
# Exit mode captures arguments as the analyzer does (fastvmix/trace_capture.h):
# the system call numbers and the i386 table, from the kernel's uapi headers
# alone (no C library).
bash "$top/scripts/gen-compat.sh" "$work/compat_syscalls.h"
uapi=$(${CC:-gcc} -print-multiarch)
mkdir -p "$work/uapi"
ln -s "/usr/include/$uapi/asm" "/usr/include/asm-generic" "/usr/include/linux" "$work/uapi/"
cpp -P -undef -I"$work" -o "$work/root.ld" "$arch/root.ld.S"
objs=()
for src in "$@"; do
	obj="$work/$(basename "${src%.*}").o"
	case $src in
	*.c) ${CC:-gcc} "${cflags[@]}" -c "$src" -o "$obj" ;;
	*.S) ${CC:-gcc} "${aflags[@]}" -c "$src" -o "$obj" ;;
	*) fail "$src: neither C nor assembly" ;;
	esac
	objs+=("$obj")
done
# (The ELF's segments do not matter: only the sections are copied out.)
ld -static -pie --no-dynamic-linker -z text -z noexecstack --no-undefined \
	--orphan-handling=error --no-warn-rwx-segments -T "$work/root.ld" -o "$work/root.elf" "${objs[@]}"

# Nothing in VMX root calls into the loader or the kernel.
undefined=$(nm -u "$work/root.elf")
[ -z "$undefined" ] || fail "undefined symbols: $undefined"
dynsyms=$(readelf -W --dyn-syms "$work/root.elf" | awk '$1 ~ /^[0-9]+:$/ && $8 != "" && $1 != "0:"')
[ -z "$dynsyms" ] || fail "dynamic symbols: $dynsyms"
# Absolute addresses only where the loader can fix them: B + A.
relocs=$(readelf -W -r "$work/root.elf" | awk '$1 ~ /^[0-9a-f]+$/ && $3 != "R_X86_64_RELATIVE"')
[ -z "$relocs" ] || fail "relocations other than R_X86_64_RELATIVE: $relocs"
# VMX root saves no SSE/AVX state: it must not touch those registers.
vector=$(objdump -d "$work/root.elf" | grep -E '%[xyz]mm[0-9]' || true)
[ -z "$vector" ] || fail "SSE/AVX registers used: $vector"

mkdir -p "$(dirname "$out")"
objcopy -O binary -j .header -j .text -j .rodata -j .data.rel.ro -j .rela.dyn \
	"$work/root.elf" "$out.tmp"
cp "$work/root.elf" "${out%.bin}.elf"
mv "$out.tmp" "$out"
