# FastVMIX top-level build.
#   make            frontend, kernel modules, unit tests
#   make run        boot the emulated VT-x machine and run the main job
#   make test       host unit tests, then system tests in the emulated machine
#   make deps       install/fetch everything (done automatically when missing)
# Kernel modules build against KDIR (default: the emulated guest's kernel);
# on a real VT-x machine use KDIR=/lib/modules/$(uname -r)/build.

CC ?= gcc
CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -Ihypervisor
BUILD := build
GUEST_STAMP := $(BUILD)/guest/kernel.release
GUEST_RELEASE = $(shell cat $(GUEST_STAMP) 2>/dev/null)
KDIR ?= /usr/src/linux-headers-$(GUEST_RELEASE)

CORE_PURE := hypervisor/core/caps.c hypervisor/core/analyzer_image.c
UNIT_CORE := $(CORE_PURE) hypervisor/core/pool.c hypervisor/core/mtrr.c hypervisor/core/ept.c \
	hypervisor/core/ept_walk.c
CLI_SRC := $(wildcard cli/*.c)
ERRNO_NAMES := $(BUILD)/gen/errno_names.h
CONST_NAMES := $(BUILD)/gen/const_names.h
COMPAT_NAMES := $(BUILD)/gen/compat_syscalls.h
GEN_NAMES := $(ERRNO_NAMES) $(CONST_NAMES) $(COMPAT_NAMES)
UAPI ?= /usr/include
GUEST_PROGS := $(patsubst tests/system/progs/%.c,$(BUILD)/bin/%,$(wildcard tests/system/progs/*.c))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))

.PHONY: all cli modules unit-build unit unit-cli system system-quick test test-quick run deps format fuzz \
	format-check clean

all: cli modules unit-build

deps $(GUEST_STAMP):
	bash scripts/deps.sh

# The frontend is linked statically so it runs in the guest's busybox initramfs.
cli: $(BUILD)/bin/fastvmix $(GUEST_PROGS) $(BUILD)/bin/syscall.fvxa
$(BUILD)/bin/%.fvxa: analyzers/%.c $(wildcard analyzers/sdk/*) $(wildcard include/fastvmix/*.h) hypervisor/arch/x86/offsets.c scripts/gen-compat.sh
	@mkdir -p $(dir $@)
	bash analyzers/sdk/build.sh $< $@

$(BUILD)/bin/%: tests/system/progs/%.c $(wildcard include/fastvmix/*.h tests/system/progs/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -pthread -o $@ $<

# The one 32-bit program: freestanding, no C library (none is installed for
# -m32); its own _start, system calls by int $0x80 and the vDSO.
$(BUILD)/bin/compat32: tests/system/progs/compat32.c tests/system/progs/compat.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -m32 -ffreestanding -fno-pic -fno-stack-protector \
		-fcf-protection=none -nostdlib -static -Wl,--build-id=none -o $@ $<

$(BUILD)/bin/fastvmix: $(CLI_SRC) $(CORE_PURE) $(GEN_NAMES) $(wildcard cli/*.h hypervisor/*.h hypervisor/*/*.h hypervisor/arch/x86/*.h include/fastvmix/*.h) | $(GUEST_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(BUILD)/gen -static -o $@ $(CLI_SRC) $(CORE_PURE) -lseccomp -ljson-c

# errno names for fastvmix trace, from the kernel's uapi headers.
$(ERRNO_NAMES): scripts/gen-errno.sh $(UAPI)/asm-generic/errno-base.h $(UAPI)/asm-generic/errno.h
	bash scripts/gen-errno.sh $@ $(UAPI)/asm-generic/errno-base.h $(UAPI)/asm-generic/errno.h

# Flag and constant names for decoding arguments, from the uapi headers.
$(CONST_NAMES): scripts/gen-constants.sh
	bash scripts/gen-constants.sh $@

# The i386 system call table and each call's x86-64 twin, from the uapi headers.
$(COMPAT_NAMES): scripts/gen-compat.sh
	bash scripts/gen-compat.sh $@

# The asm-offsets header: C layouts for assembly (hypervisor/arch/x86/offsets.c).
OFFSETS := $(BUILD)/gen/fvx_offsets.h
$(OFFSETS): hypervisor/arch/x86/offsets.c scripts/gen-offsets.sh $(wildcard include/fastvmix/*.h hypervisor/*.h hypervisor/core/*.h hypervisor/arch/x86/*.h)
	bash scripts/gen-offsets.sh $@

# The VMX-root image (hypervisor/core/root_image.h): everything that runs in
# VMX root, freestanding, embedded in the loader and run from hidden memory.
ROOT_SRC := $(addprefix hypervisor/core/,exit.c msr.c cr.c vmcall.c views.c dt.c dr.c trace_ctl.c \
	guest_mem.c log.c devirt.c analyzer_image.c ptprotect.c kprotect.c tsc.c insn.c ept_walk.c \
	mtrr.c) \
	hypervisor/arch/x86/vmx_entry.S hypervisor/arch/x86/trampoline.S analyzers/sdk/runtime.c
ROOT_IMAGE := $(BUILD)/gen/hv_root.bin
$(ROOT_IMAGE): $(ROOT_SRC) scripts/build-root-image.sh scripts/gen-offsets.sh \
		hypervisor/arch/x86/root.ld.S hypervisor/arch/x86/offsets.c \
		$(wildcard include/fastvmix/*.h hypervisor/*.h hypervisor/core/*.h hypervisor/arch/x86/*.h)
	bash scripts/build-root-image.sh $@ $(ROOT_SRC)

modules: $(OFFSETS) $(ROOT_IMAGE) | $(GUEST_STAMP)
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
	@mkdir -p $(BUILD)/bin
	cp fastvmix_hv.ko fastvmix.ko tests/system/modules/fvx_memprobe.ko \
		tests/system/modules/fvx_rootpatch.ko tests/system/modules/fvx_ring0.ko \
		tests/system/modules/fvx_ptattack.ko tests/system/modules/fvx_kattack.ko $(BUILD)/bin/

# Unit tests need only gcc and libcmocka: no guest kernel, no root.
unit-build: $(UNIT_TESTS)
# Exit handlers run against a fake VMCS (an array) instead of VMREAD/VMWRITE.
EXIT_CORE := hypervisor/core/exit.c hypervisor/core/msr.c hypervisor/core/msr_bitmap.c \
	hypervisor/core/cr.c hypervisor/core/vmcall.c hypervisor/core/views.c hypervisor/core/dt.c \
	hypervisor/core/dr.c hypervisor/core/trace_ctl.c hypervisor/core/guest_mem.c hypervisor/core/ptprotect.c \
	hypervisor/core/ptprotect_init.c hypervisor/core/kprotect.c hypervisor/core/tsc.c \
	hypervisor/core/insn.c
EXIT_TESTS := $(BUILD)/unit/test_exit $(BUILD)/unit/test_ptprotect
# The protection tests also load the kernel-text protection (kprotect_init.c).
$(EXIT_TESTS): $(BUILD)/unit/%: tests/unit/%.c tests/unit/fake_trampoline.c $(EXIT_CORE) $(UNIT_CORE) hypervisor/core/kprotect_init.c $(COMPAT_NAMES) $(wildcard tests/unit/*.h hypervisor/*/*.h hypervisor/arch/x86/*.h include/fastvmix/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(BUILD)/gen -DFVX_FAKE_VMCS -o $@ $< tests/unit/fake_trampoline.c $(EXIT_CORE) $(UNIT_CORE) \
		$(if $(filter %/test_ptprotect,$@),hypervisor/core/kprotect_init.c) -lcmocka

# Frontend tests need no guest kernel: the host-runnable parts of cli/, and
# the whole trace command against a fake /dev/fastvmix (wrapped at link time).
CLI_UNIT := cli/drain.c cli/output.c cli/syscalls.c cli/launch.c cli/status.c cli/decode.c \
	cli/syscall_table.c cli/clock.c cli/summary.c cli/pid_index.c
CLI_UNIT_TRACE := cli/trace.c cli/device.c hypervisor/core/analyzer_image.c
CLI_UNIT_DEPS := $(CLI_UNIT) $(GEN_NAMES) $(wildcard cli/*.h tests/unit/*.h include/fastvmix/*.h)
$(BUILD)/unit/test_cli_trace: tests/unit/test_cli_trace.c $(CLI_UNIT_DEPS) $(CLI_UNIT_TRACE)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Icli -I$(BUILD)/gen -o $@ $< $(CLI_UNIT) $(CLI_UNIT_TRACE) \
		-Wl,--wrap=open,--wrap=ioctl,--wrap=mmap,--wrap=munmap,--wrap=fflush -lseccomp -ljson-c -lcmocka
$(BUILD)/unit/test_cli_%: tests/unit/test_cli_%.c $(CLI_UNIT_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Icli -I$(BUILD)/gen -o $@ $< $(CLI_UNIT) -lseccomp -ljson-c -lcmocka
unit-cli: $(filter $(BUILD)/unit/test_cli_%,$(UNIT_TESTS))
	@bash tests/unit/run.sh $^

# The load path runs on a fake machine (tests/unit/fake_platform.c): the
# platform boundary, every arch helper and the VMCS. The pool allocator is
# wrapped so that its allocations can be made to fail too.
HV_CORE := $(wildcard hypervisor/core/*.c)
# Both halves of the core are linked in as they are; the load path copies the
# real root image (root_image.S) into the pool, as the loader does.
$(BUILD)/unit/test_hv: tests/unit/test_hv.c tests/unit/fake_platform.c tests/unit/fake_trampoline.c $(HV_CORE) $(ROOT_IMAGE) $(COMPAT_NAMES) $(wildcard tests/unit/*.h hypervisor/*.h hypervisor/*/*.h hypervisor/arch/x86/*.h include/fastvmix/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(BUILD)/gen -DFVX_FAKE_ARCH -Wl,--wrap=pool_alloc -Wa,-I$(BUILD)/gen -o $@ $< \
		tests/unit/fake_platform.c tests/unit/fake_trampoline.c \
		hypervisor/arch/x86/root_image.S $(HV_CORE) -lcmocka

# Loading the real VMX-root image (hypervisor/arch/x86/root_image.S embeds it).
$(BUILD)/unit/test_root_image: tests/unit/test_root_image.c hypervisor/core/root_image.c \
		hypervisor/arch/x86/root_image.S $(ROOT_IMAGE) $(wildcard hypervisor/*/*.h hypervisor/arch/x86/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wa,-I$(BUILD)/gen -o $@ $< hypervisor/core/root_image.c \
		hypervisor/arch/x86/root_image.S -lcmocka

# The real trampoline, assembled for the host and inspected, never run.
$(BUILD)/unit/test_trampoline: tests/unit/test_trampoline.c hypervisor/arch/x86/trampoline.S $(OFFSETS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(BUILD)/gen -Ihypervisor/arch/x86 -o $@ $< hypervisor/arch/x86/trampoline.S -lcmocka

# The default analyzer, built for the host (FVX_ANALYZER_HOST) and run.
$(BUILD)/unit/test_syscall_analyzer: tests/unit/test_syscall_analyzer.c analyzers/syscall.c \
		$(COMPAT_NAMES) $(wildcard analyzers/sdk/* include/fastvmix/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(BUILD)/gen -Ianalyzers/sdk -o $@ $< -lcmocka

$(BUILD)/unit/%: tests/unit/%.c $(UNIT_CORE) $(COMPAT_NAMES) $(wildcard analyzers/sdk/*.c tests/unit/*.h hypervisor/*.h hypervisor/*/*.h hypervisor/arch/x86/*.h include/fastvmix/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(BUILD)/gen -o $@ $< $(UNIT_CORE) -lcmocka

unit: unit-build
	@bash tests/unit/run.sh $(UNIT_TESTS)

# System tests: one quick boot (1 vCPU) or the full set (1 and 2 vCPUs).
system-quick: cli modules
	@bash tests/system/suite.sh quick

system: cli modules
	@bash tests/system/suite.sh full

test: all
	@bash tests/run.sh full

test-quick: all
	@bash tests/run.sh quick

# SAMPLE='shell command' traces that instead of the default sample.
run: cli modules
	@FVX_SAMPLE="$(SAMPLE)" bash tests/system/suite.sh run

# ---- Fuzzing (tests/fuzz): libFuzzer targets built with clang, ASan and
# UBSan from the real sources against the unit tests' fakes. No guest kernel.
#   make fuzz          every target for FUZZ_SECONDS (default 60), one at a time
#   make fuzz-check    every target for FUZZ_SECONDS (default 30): one PASS or
#                      FAIL line each (tests/run.sh counts them)
FUZZ_CC ?= clang
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_TARGETS := exit_fuzz vmcall_fuzz ring_fuzz ioctl_fuzz analyzer_image_fuzz
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -Ihypervisor
# The exit handlers on the fuzz machine (tests/fuzz/hvfuzz.h): every arch
# helper faked. Guest memory is read unaligned on purpose (x86, guest_mem.c).
# A table of 4 address spaces (tsc.h), which an input can fill.
FUZZ_HV_CFLAGS := $(FUZZ_CFLAGS) -DFVX_FAKE_ARCH -DTSC_SPACES=4 -DTSC_EVEN_QUANTUM=64 -fno-sanitize=alignment \
	-fsanitize-coverage-ignorelist=tests/fuzz/coverage_ignore.txt
FUZZ_HV_SRC := tests/fuzz/hvfuzz_machine.c tests/fuzz/hvfuzz_check.c tests/fuzz/hvfuzz_decode.c \
	tests/unit/fake_trampoline.c hypervisor/core/exit.c hypervisor/core/msr.c \
	hypervisor/core/cr.c hypervisor/core/vmcall.c hypervisor/core/views.c \
	hypervisor/core/trace_ctl.c hypervisor/core/guest_mem.c hypervisor/core/analyzer_image.c \
	hypervisor/core/ept.c hypervisor/core/pool.c hypervisor/core/mtrr.c \
	hypervisor/core/ptprotect.c hypervisor/core/kprotect.c hypervisor/core/tsc.c \
	hypervisor/core/insn.c hypervisor/core/ept_walk.c \
	hypervisor/core/trace_init.c hypervisor/core/msr_bitmap.c hypervisor/core/dt.c \
	hypervisor/core/dr.c
FUZZ_HEADERS := $(wildcard tests/fuzz/*.h include/fastvmix/*.h hypervisor/*.h hypervisor/*/*.h \
	hypervisor/arch/x86/*.h cli/*.h agent/*.h)

$(FUZZ_DIR)/exit_fuzz $(FUZZ_DIR)/vmcall_fuzz: $(FUZZ_DIR)/%: tests/fuzz/%.c $(FUZZ_HV_SRC) \
		$(FUZZ_HEADERS) $(COMPAT_NAMES) tests/fuzz/coverage_ignore.txt
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_HV_CFLAGS) -I$(BUILD)/gen -o $@ $< $(FUZZ_HV_SRC)
# The ring consumer: cli/drain.c's loads traced, where the fake kernel
# writes concurrently; the agent's ioctl and mmap wrapped.
$(FUZZ_DIR)/drain_traced.o: cli/drain.c $(FUZZ_HEADERS) $(COMPAT_NAMES)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Icli -I$(BUILD)/gen -fsanitize-coverage=trace-loads -c -o $@ $<
FUZZ_RING_SRC := cli/device.c cli/output.c cli/syscalls.c cli/decode.c cli/syscall_table.c \
	cli/clock.c cli/summary.c cli/pid_index.c hypervisor/core/analyzer_image.c
$(FUZZ_DIR)/ring_fuzz: tests/fuzz/ring_fuzz.c $(FUZZ_DIR)/drain_traced.o $(FUZZ_RING_SRC) \
		$(FUZZ_HEADERS) $(GEN_NAMES)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Icli -I$(BUILD)/gen -Wl,--wrap=ioctl,--wrap=mmap,--wrap=munmap,--wrap=fprintf \
		-o $@ $< $(FUZZ_DIR)/drain_traced.o $(FUZZ_RING_SRC) -lseccomp -ljson-c
$(FUZZ_DIR)/ioctl_fuzz: tests/fuzz/ioctl_fuzz.c $(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $<
$(FUZZ_DIR)/analyzer_image_fuzz: tests/fuzz/analyzer_image_fuzz.c hypervisor/core/analyzer_image.c \
		$(FUZZ_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< hypervisor/core/analyzer_image.c

.PHONY: fuzz-build fuzz-check
fuzz-build: $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))

fuzz: fuzz-build
	@FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) bash tests/fuzz/run.sh run $(FUZZ_DIR) $(FUZZ_TARGETS)

fuzz-check: fuzz-build
	@FUZZ_SECONDS=$(or $(FUZZ_SECONDS),30) bash tests/fuzz/run.sh check $(FUZZ_DIR) $(FUZZ_TARGETS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)/bin $(BUILD)/unit $(BUILD)/system
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
