#!/usr/bin/env bash
# Builds one analyzer C file into an image: build.sh FILE.c OUT.fvxa
set -euo pipefail
sdk=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$sdk/../.." && pwd)
src=$1 out=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cflags=(-std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fpie -fno-plt
	-fvisibility=hidden -fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none
	-mno-red-zone -mgeneral-regs-only -fno-jump-tables -fno-tree-loop-distribute-patterns -Wframe-larger-than=6144 -I"$top/include" -I"$sdk" -I"$work")
# The header layout comes from the C headers (asm-offsets), never by hand;
# the i386 table (fastvmix/syscall_compat.h) from the uapi headers.
bash "$top/scripts/gen-offsets.sh" "$work/fvx_offsets.h"
bash "$top/scripts/gen-compat.sh" "$work/compat_syscalls.h"
cpp -P -undef -I"$work" -o "$work/fvxa.ld" "$sdk/fvxa.ld.S"
gcc "${cflags[@]}" -c "$src" -o "$work/analyzer.o"
gcc "${cflags[@]}" -c "$sdk/runtime.c" -o "$work/runtime.o"
ld -static -nostdlib --no-dynamic-linker -z noexecstack -T "$work/fvxa.ld" -o "$work/analyzer.elf" \
	"$work/analyzer.o" "$work/runtime.o"
objcopy -O binary -j .header -j .text -j .rodata "$work/analyzer.elf" "$out"
