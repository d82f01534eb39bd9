#!/usr/bin/env python3
"""Writes the hand-made seed inputs of tests/fuzz/corpus/<target>/, one
file per seed named after what it does. The byte layouts follow the
decoders (hvfuzz_decode.c, ring_fuzz.c, ioctl_fuzz.c); rerun after changing
one. Crash reproducers in the corpus are kept as found, not written here."""
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))

# hvfuzz_decode.c
CPUID, INVD, VMCALL, VMFUNC, CR, RDMSR, WRMSR, XSETBV, EPT, TRIPLE = 0, 2, 3, 19, 20, 22, 24, 27, 29, 34
RDTSC, RDTSCP = 45, 47
VERSION, STATUS, UNLOAD, WINDOW_INFO, CONFIGURE, ANALYZER, EVENT, FILTER, MODE = range(1, 10)
TSC_CALIBRATE, TSC_TRACK = 12, 13
PRE_CONFIGURE, PRE_ANALYZER, PRE_FILTER, PRE_EXIT0, PRE_FAST1 = 1, 2, 4, 8, 16
PRE_TRACK1 = 128


def small(v):  # pick_argument: a number below 64
    return bytes([v << 2])


def structure(i, plus=0):  # pick_argument -> pick_gpa: structure_gpas[i]
    return bytes([1, 5 | plus << 3]) + struct.pack('<H', i)


AGENT_CONFIG, IMAGE, REQUEST, FREE, FREE_STATUS_END, FREE_WINFO_END, RAM1 = 0, 1, 2, 16, 17, 18, 19


def val(v):  # pick_value: a number below 32
    return bytes([v << 3])


def const(i):  # pick_value: constants[i]
    return bytes([7, i, 0])


NMI_HANDLER_CONST, UNLOAD_KEY_CONST, STATUS_SIZE_CONST, IMAGE_SIZE_CONST = 16, 23, 25, 27
LINUX_EFER_CONST = 32
MSR_EFER, MSR_STAR, MSR_SYSENTER_EIP = 6, 10, 14  # interesting_msrs[]


def const_minus_1(i):  # pick_value: constants[i] - 1
    return bytes([7, i, 0xff])


def arg_const(i):  # pick_argument: constants[i]
    return bytes([i << 2 | 3, 0])


def vmcall_regs(function, rbx, rcx=small(0), rdx=small(0)):
    return bytes([function]) + rbx + rcx + rdx


def fields(groups=0, qual=val(0), length=3, extra=b''):
    return bytes([groups]) + qual + bytes([length]) + extra


def exit_op(reason, body, flags=0):
    return bytes([0, flags, reason]) + body


def vmcall_exit(function, rbx, rcx=small(0), rdx=small(0), flags=0, tail=b''):
    return exit_op(VMCALL, vmcall_regs(function, rbx, rcx, rdx) + tail + fields(), flags)


def vmcall_op(function, rbx, rcx=small(0), rdx=small(0), flags=0, tail=b''):
    return bytes([0, flags]) + vmcall_regs(function, rbx, rcx, rdx) + tail


def regs(*pairs):  # exit_fields group 1: (index, pick_value bytes)
    return bytes([len(pairs) - 1]) + b''.join(bytes([i]) + v for i, v in pairs)


event_tail = bytes([0x18]) + val(11) + val(0)  # RIP at +0x30 of the entry; rdi, r10

# Timing comes after MAX_OPS operations (hvfuzz_decode.c's tsc_setup): the
# operations are padded with pairs of NMI toggles (and a RAM write that
# misses RAM), then per CPU its TSC state, then the time the guest runs
# before each exit.
MAX_OPS = 48
NMI_TOGGLE = bytes([15, 0])
RAM_WRITE_NOWHERE = bytes([11, 0, 7, 0, 0]) + b'\xff' * 8 + bytes([0, 0])
MSR_TSC, MSR_TSC_ADJUST, MSR_TSC_DEADLINE = 0x10, 0x3b, 0x6e0
HAS_ADJUST, DEADLINE_NEAR, OFFSET_NEGATIVE = 1, 2, 4


def cpu_tsc(host=0, offset=0, adjust=0, transition=0, deadline=0, flags=0):
    """deadline: the guest's, or with DEADLINE_NEAR its distance from the
    guest's TSC; offset: with OFFSET_NEGATIVE its magnitude."""
    return (bytes([flags]) + struct.pack('<Q', host << 2) +
            struct.pack('<I' if flags & OFFSET_NEGATIVE else '<Q', offset) +
            struct.pack('<QI', adjust, transition) +
            struct.pack('<h' if flags & DEADLINE_NEAR else '<Q', deadline))


def timed(prelude, ops, cpu0=cpu_tsc(), cpu1=cpu_tsc(), runs=()):
    pad = MAX_OPS - len(ops)
    tail = RAM_WRITE_NOWHERE if pad % 2 else b''
    return (bytes([prelude]) + b''.join(ops) + NMI_TOGGLE * (pad // 2 * 2) + tail + cpu0 +
            cpu1 + b''.join(struct.pack('<H', r) for r in runs))


def msr_exit(reason, msr, *pairs, flags=0):  # any MSR (the u32 form), registers
    return exit_op(reason, fields(1 if pairs else 0, extra=bytes([0xc0]) + struct.pack('<I', msr) +
                                  (regs(*pairs) if pairs else b'')), flags)


def u32(v):  # pick_value: a u32
    return bytes([3]) + struct.pack('<I', v)


HOST = 1000000000  # the CPU's TSC at the start

# ram_op: a u32 written at a RAM0 address (pick_gpa's case 0), between exits.
REQUEST_GPA, IMAGE_GPA = 0x3000, 0x2000
STRING_LIMIT_OFF, FLAGS_OFF, RESERVED_OFF = 84, 96, 100  # struct fvx_trace_request v3
IMAGE_FLAGS_OFF = 16  # struct fvx_analyzer_header
TRACE_DROP, ANALYZER_F_WAIT = 1, 1


def ram_u32(gpa, v):
    return bytes([11, 0, 0]) + struct.pack('<H', gpa) + u32(v) + bytes([2])


def traced_setup(call):
    """Configured, with the analyzer image marked FVX_ANALYZER_F_WAIT and
    loaded: nothing lost (FVX_CONFIG_RETRY) until a filter drops."""
    return [call(CONFIGURE, structure(AGENT_CONFIG)), ram_u32(IMAGE_GPA + IMAGE_FLAGS_OFF, ANALYZER_F_WAIT),
            call(ANALYZER, structure(IMAGE), arg_const(IMAGE_SIZE_CONST))]


def filter_seeds(call):
    """TRACE_FILTER's v3 request: --drop (then waiting again), a flag not
    defined, reserved set, -s past the cap (taken as FVX_DATA_BUFFER_MAX)."""
    flt = call(FILTER, structure(REQUEST))
    return {
        'filter_drop_then_wait': b''.join(traced_setup(call)) + flt +
        ram_u32(REQUEST_GPA + FLAGS_OFF, TRACE_DROP) + flt + ram_u32(REQUEST_GPA + FLAGS_OFF, 0) + flt,
        'filter_bad_flag': b''.join(traced_setup(call)) + ram_u32(REQUEST_GPA + FLAGS_OFF, 2) + flt,
        'filter_reserved_set': ram_u32(REQUEST_GPA + RESERVED_OFF, 1) + flt,
        'filter_large_string_limit': ram_u32(REQUEST_GPA + STRING_LIMIT_OFF, 257) + flt +
        ram_u32(REQUEST_GPA + STRING_LIMIT_OFF, 0xffffffff) + flt +
        ram_u32(REQUEST_GPA + STRING_LIMIT_OFF, 100) + flt,
    }
cpuid_op = exit_op(CPUID, fields())
exits = {
    'cpuid': bytes([0]) + exit_op(CPUID, fields(1, extra=regs((0, val(1))))),
    'invd': bytes([0]) + exit_op(INVD, fields()),
    'vmcall_version': bytes([0]) + vmcall_exit(VERSION, small(0)),
    'vmcall_ring3': bytes([0]) + vmcall_exit(VERSION, small(0), flags=0x0c),
    'vmcall_status': bytes([0]) + vmcall_exit(STATUS, small(1), structure(FREE), arg_const(STATUS_SIZE_CONST)),
    'vmcall_unload': bytes([0]) + vmcall_exit(UNLOAD, small(5)) + vmcall_exit(UNLOAD, arg_const(UNLOAD_KEY_CONST)),
    'exit_mode_event': bytes([PRE_CONFIGURE | PRE_ANALYZER | PRE_FILTER | PRE_EXIT0]) +
    vmcall_exit(EVENT, small(39), flags=0x40, tail=event_tail),
    # The task on CPU 1 is a child of the traced process (follow_children).
    'exit_mode_event_child': bytes([PRE_CONFIGURE | PRE_ANALYZER | PRE_FILTER | PRE_EXIT0]) +
    vmcall_exit(EVENT, small(39), flags=0x41, tail=event_tail),
    # CPU 0's ring header says a million records wait: the record is dropped.
    'exit_mode_ring_full': bytes([PRE_CONFIGURE | PRE_FILTER | PRE_EXIT0]) +
    bytes([13, 6, 4]) + struct.pack('<Q', 1 << 20) +
    vmcall_exit(EVENT, small(39), flags=0x40, tail=event_tail),
    'rdmsr_lstar': bytes([0]) + exit_op(RDMSR, fields(extra=b'\x00')),
    'wrmsr_lstar': bytes([PRE_CONFIGURE]) +
    exit_op(WRMSR, fields(1, extra=b'\x00' + regs((0, bytes([3]) + struct.pack('<I', 0x81d00000)),
                                                    (2, bytes([3]) + struct.pack('<I', 0xffffffff))))),
    'wrmsr_fmask': bytes([0]) + exit_op(WRMSR, fields(1, extra=b'\x01' + regs((0, val(4))))),
    # Syscall-path MSRs the CPU keeps: SYSCALL off, STAR rewritten, a
    # non-canonical SYSENTER_EIP (#GP), each read back.
    'wrmsr_efer_clears_sce': bytes([0]) +
    exit_op(WRMSR, fields(1, extra=bytes([MSR_EFER]) + regs((0, const_minus_1(LINUX_EFER_CONST))))) +
    exit_op(RDMSR, fields(extra=bytes([MSR_EFER]))),
    'wrmsr_star': bytes([0]) + exit_op(WRMSR, fields(1, extra=bytes([MSR_STAR]) + regs((0, val(4))))) +
    exit_op(RDMSR, fields(extra=bytes([MSR_STAR]))),
    'wrmsr_sysenter_eip_noncanonical': bytes([0]) +
    exit_op(WRMSR, fields(1, extra=bytes([MSR_SYSENTER_EIP]) +
                          regs((0, val(0)), (2, bytes([2]) + struct.pack('<H', 0x8000))))) +
    exit_op(RDMSR, fields(extra=bytes([MSR_SYSENTER_EIP]))),
    'xsetbv': bytes([0]) + exit_op(XSETBV, fields(1, extra=regs((0, val(7))))),
    'cr4_vmxe': bytes([0]) + exit_op(CR, fields(1, qual=bytes([2]) + struct.pack('<H', 0x304),
                                                extra=regs((3, bytes([2]) + struct.pack('<H', 0x26f0))))),
    'vmfunc': bytes([0]) + exit_op(VMFUNC, fields()),
    'triple_fault': bytes([0]) + exit_op(TRIPLE, fields()),
    # An NMI in the analyzer view, then the IRET back into the analyzer.
    'nmi_in_analyzer': bytes([PRE_CONFIGURE | PRE_ANALYZER]) +
    exit_op(EPT, fields(2, qual=val(4), extra=b'\x00\x00\x00\x10' + b'\x81' + const(NMI_HANDLER_CONST))) +
    exit_op(EPT, fields(2, qual=val(4), extra=b'\x01\x40\x00\x01\x00' + b'\x01' +
                        b'\x06\x40\x00\x01\x00')),
    'ept_window_write': bytes([0]) + exit_op(EPT, fields(0, qual=val(2), extra=b'\x01\x00\x00\x10\x00')),
    # Each exit's time and the transition cost leave the guest's TSC; the
    # loader's calibration changes the cost from the next exit on.
    'tsc_exits_hidden': timed(0, [cpuid_op,
                                  vmcall_exit(TSC_CALIBRATE, arg_const(UNLOAD_KEY_CONST), small(40)),
                                  cpuid_op, exit_op(CPUID, fields(), 1)],
                              cpu_tsc(HOST, 5000, transition=300, flags=OFFSET_NEGATIVE),
                              cpu_tsc(HOST // 2, 7), runs=(1000, 2000, 3000, 4000)),
    # A deadline armed, read back, fired while the guest runs (then read as
    # 0), one in the past (fires at once), then off.
    'tsc_deadline': timed(0, [msr_exit(WRMSR, MSR_TSC_DEADLINE, (0, u32(HOST + 50000))),
                              msr_exit(RDMSR, MSR_TSC_DEADLINE),
                              msr_exit(RDMSR, MSR_TSC_DEADLINE),
                              msr_exit(WRMSR, MSR_TSC_DEADLINE, (0, val(1))),
                              msr_exit(WRMSR, MSR_TSC_DEADLINE, (0, val(0)))],
                          cpu_tsc(HOST, 1000, transition=100, flags=OFFSET_NEGATIVE),
                          runs=(10, 10, 60000, 10, 10)),
    # The deadline fires just before an exit whose transition cost puts the
    # guest's TSC back before it: not armed a second time.
    'tsc_deadline_fires_before_an_exit': timed(0, [cpuid_op, msr_exit(RDMSR, MSR_TSC_DEADLINE), cpuid_op],
                                               cpu_tsc(HOST, 1000, transition=5000, deadline=100,
                                                       flags=OFFSET_NEGATIVE | DEADLINE_NEAR),
                                               runs=(150, 10, 10)),
    # IA32_TSC written past an armed deadline: it fires at once.
    'tsc_write_past_the_deadline': timed(0, [msr_exit(WRMSR, MSR_TSC_DEADLINE, (0, u32(HOST + 50000))),
                                             msr_exit(WRMSR, MSR_TSC, (0, u32(2 * HOST))),
                                             msr_exit(RDMSR, MSR_TSC_DEADLINE), cpuid_op],
                                         cpu_tsc(HOST, 1000, transition=100, flags=OFFSET_NEGATIVE),
                                         runs=(10, 10, 10, 10)),
    # IA32_TSC_ADJUST on CPU 0, which has it; #GP on CPU 1, which has not.
    'tsc_adjust': timed(0, [msr_exit(WRMSR, MSR_TSC_ADJUST, (0, u32(5000))),
                            msr_exit(RDMSR, MSR_TSC_ADJUST),
                            msr_exit(WRMSR, MSR_TSC_ADJUST, (0, u32(5000)), flags=1),
                            msr_exit(RDMSR, MSR_TSC_ADJUST, flags=1)],
                        cpu_tsc(HOST, 1000, adjust=70, transition=100, flags=OFFSET_NEGATIVE | HAS_ADJUST),
                        cpu_tsc(HOST, 1000, adjust=70, flags=OFFSET_NEGATIVE), runs=(10, 10, 10, 10)),
    # The exit-mode record's time is the guest's.
    'exit_mode_event_tsc': timed(PRE_CONFIGURE | PRE_ANALYZER | PRE_FILTER | PRE_EXIT0,
                                 [vmcall_exit(EVENT, small(39), flags=0x40, tail=event_tail)],
                                 cpu_tsc(HOST, 123456, transition=77, flags=OFFSET_NEGATIVE),
                                 runs=(5, 5, 5, 5, 5)),
}

exits.update({k: bytes([0]) + v for k, v in filter_seeds(vmcall_exit).items()})

vmcalls = {
    'version': vmcall_op(VERSION, small(0)),
    'status_page_end': vmcall_op(STATUS, small(0), structure(FREE_STATUS_END), arg_const(STATUS_SIZE_CONST)),
    'window_info': vmcall_op(WINDOW_INFO, structure(FREE_WINFO_END)),
    'configure': vmcall_op(CONFIGURE, structure(AGENT_CONFIG)),
    'analyzer_then_fast': vmcall_op(CONFIGURE, structure(AGENT_CONFIG)) +
    vmcall_op(ANALYZER, structure(IMAGE), arg_const(IMAGE_SIZE_CONST)) +
    vmcall_op(MODE, small(1)) + vmcall_op(MODE, small(0)),
    'filter_and_event': bytes([0]) + vmcall_op(CONFIGURE, structure(AGENT_CONFIG)) +
    vmcall_op(FILTER, structure(REQUEST)) + vmcall_op(MODE, small(2)) +
    vmcall_op(EVENT, small(39), flags=0x40, tail=event_tail),
    'unload_wrong_key': vmcall_op(UNLOAD, small(1)),
    'no_magic': vmcall_op(VERSION, small(0), flags=0x30, tail=b''),
}
# The VMCALL profile's first byte is the prelude too.
vmcalls = {k: (v if k == 'filter_and_event' else bytes([0]) + v) for k, v in vmcalls.items()}
vmcalls.update({k: bytes([0]) + v for k, v in filter_seeds(vmcall_op).items()})
# The transition cost: a wrong key, too large, set; STATUS shows it and the
# time hidden so far.
vmcalls['tsc_calibrate'] = timed(0, [vmcall_op(TSC_CALIBRATE, small(1), small(40)),
                                     vmcall_op(TSC_CALIBRATE, arg_const(UNLOAD_KEY_CONST),
                                               bytes([2]) + u32(100001)),
                                     vmcall_op(TSC_CALIBRATE, arg_const(UNLOAD_KEY_CONST), small(40)),
                                     vmcall_op(STATUS, small(0), structure(FREE),
                                               arg_const(STATUS_SIZE_CONST))],
                                 cpu_tsc(HOST, 1000, flags=OFFSET_NEGATIVE), runs=(100, 200, 300, 400))


# ring_fuzz.c: geometry (kind, CPUs), batch size, one init byte per CPU,
# then operations.
PUSH, POKE, RACE, DROPPED, PASS, RECORD = 0, 3, 4, 5, 6, 7


def push(cpu, n, nr=39):
    return bytes([PUSH, cpu | (n - 1) << 4, nr]) + bytes(n)


# ring_fuzz.c's target(): a header field of CPU 0 or 1, a consumer tail.
CAPACITY_FIELD, HEAD_FIELD_CPU1, VERSION_FIELD, TAIL_CPU1 = 0x04, 0x10, 0x00, 0x13
two_cpus = bytes([0, 1, 63, 0, 0])
rings = {
    'push_and_drain': two_cpus + push(0, 3) + push(1, 2, 1) + bytes([PASS]),
    'wrap_around': bytes([2, 0, 1, 16, 0]) + push(0, 16) + push(0, 16) + bytes([PASS]) +
    push(0, 16) + push(0, 16) + bytes([PASS, DROPPED]),
    # The kernel rewrites the capacity (with a valid value) during a pass.
    'capacity_rewritten_in_a_pass': two_cpus + push(0, 3) +
    bytes([RACE, 5, CAPACITY_FIELD, 0x3b, 0]) + bytes([PASS]),
    'head_far_ahead_tail_corrupt': two_cpus + push(1, 4) +
    bytes([POKE, HEAD_FIELD_CPU1, 4]) + struct.pack('<Q', 1 << 40) +
    bytes([POKE, TAIL_CPU1, 4]) + struct.pack('<Q', 1 << 63) + bytes([PASS]),
    'unknown_version': two_cpus + bytes([POKE, VERSION_FIELD, 18]) + bytes([PASS]),
    'uninitialised_rings': bytes([0, 0, 8, 0x80]) + bytes([PASS]),
    # ring_fuzz.c's record(): clone's entry and return (pick() reads 1 then
    # a byte, 4 then a u64), -tt and -c (the batch byte).
    'decode_records': bytes([0, 1, 0x48, 0, 0]) +
    bytes([RECORD, 0, 56, 0, 1, 10, 4]) + struct.pack('<Q', 0x1200011) + bytes([1, 0] * 5) +
    bytes([RECORD, 8, 56, 0, 1, 11, 1, 7]) + bytes([1, 0] * 5) + bytes([PASS]),
    # record() with bit 4: write's buffer "hello\n" as a data record (argument
    # 1, complete, 6 bytes) before write(1, 0x70, 6) and its return; -s 100.
    'data_records': bytes([0, 1, 0x01, 0, 0]) +
    bytes([RECORD, 16, 1, 0, 0, 0x09, 6, 0, 0, 4]) +
    struct.pack('<Q', int.from_bytes(b'hello\n\0\0', 'little')) + bytes(5) +
    bytes([RECORD, 0, 1, 0, 0, 1, 1, 1, 0x70, 1, 6, 0, 0, 0]) +
    bytes([RECORD, 8, 1, 0, 0, 1, 6]) + bytes(5) + bytes([PASS]),
    # record() with bit 6: 32-bit calls. i386 open (5) of 0x4000 and its
    # ENOENT, then mmap2 (192: no x86-64 twin) returning 0xf7f5e000, sign-
    # extended as the agent passes EAX.
    'compat_records': bytes([0, 1, 0x01, 0, 0]) +
    bytes([RECORD, 64, 5, 0, 1, 10, 4]) + struct.pack('<Q', 0x4000) + bytes([1, 0] * 5) +
    bytes([RECORD, 72, 5, 0, 1, 11, 4]) + struct.pack('<q', -2) + bytes([1, 0] * 5) +
    bytes([RECORD, 64, 192, 0, 1, 12]) + bytes([1, 0] * 6) +
    bytes([RECORD, 72, 192, 0, 1, 13, 4]) + struct.pack('<q', -0x80a2000) + bytes([1, 0] * 5) +
    bytes([PASS]),
}


# ring_fuzz.c's whole_call() (record() with bit 7): which call, the masks of
# arguments with values at entry and at return, the tsc and six arguments
# (pick(): 4 then a u64), each value (state byte, u16 total, the bytes),
# the return value (pick(): 0 is 0, 24 is 3, 36 is 4).
EXECVE, CONNECT, ACCEPT, RECVFROM, WRITEV, READV, SENDMSG = 0, 2, 5, 9, 10, 11, 16
COMPAT_WRITEV = 0  # with t | 64: the i386 table (ring_fuzz.c's compat_calls)


def arg(v):
    return bytes([4]) + struct.pack('<Q', v)


def value(b, state=0):  # state 0 complete, 1 truncated, 2 unreadable
    return bytes([state]) + struct.pack('<H', len(b)) + b


def whole_call(call, args, at_entry=(), at_return=(), ret=b'\x00', t=128):
    mask_in = sum(1 << i for i, _ in at_entry)
    mask_out = sum(1 << i for i, _ in at_return)
    return (bytes([RECORD, t, call, mask_in, mask_out]) + arg(1000) +
            b''.join(arg(a) for a in (list(args) + [0] * 6)[:6]) +
            b''.join(v for _, v in at_entry) + b''.join(v for _, v in at_return) + ret)


def iov_item(base, length, word, b=b''):  # trace.h's FVX_ARG_IOV item
    return struct.pack('<QQH', base, length, word) + b


IOV_MORE, IOV_UNREADABLE = 0x8000, 0xffff
sin_localhost_80 = struct.pack('<H', 2) + struct.pack('>H', 80) + bytes([127, 0, 0, 1]) + bytes(8)
sin6_loopback_443 = (struct.pack('<H', 10) + struct.pack('>HI', 443, 0) + bytes(15) + b'\x01' +
                     struct.pack('<I', 0))
# Text, -s 100 (the batch byte), two CPUs not initialised.
values = bytes([0, 1, 0x01, 0, 0])
# readv(3, [{iov_base="fas", iov_len=3}, {iov_base="tvmix\n", iov_len=16}], 2) = 9,
# then one whose second element claims more bytes than the value has.
readv_calls = whole_call(
    READV, (3, 0x7000, 2), (),
    [(1, value(iov_item(0x7100, 3, 3, b'fas') + iov_item(0x7200, 16, 6, b'tvmix\n')))],
    ret=arg(9)) + whole_call(
    READV, (3, 0x7000, 2), (),
    [(1, value(iov_item(0x7100, 3, 3, b'fas') + iov_item(0x7200, 16, 0x7fff, b'tv')))],
    ret=arg(5))
rings.update({
    # execve("/bin/ls", ["ls", "-l", "/"], 0x7ffd0100 /* 23 vars */) = 0
    'execve_argv_envp': values + whole_call(
        EXECVE, (0x7000, 0x7ffd0000, 0x7ffd0100),
        [(0, value(b'/bin/ls')), (1, value(b'\x01ls\x00\x01-l\x00\x01/\x00')),
         (2, value(struct.pack('<I', 23)))]) + bytes([PASS]),
    # An unreadable string, the array unreadable after it, envp unterminated.
    'execve_argv_faults': values + whole_call(
        EXECVE, (0, 0x7ffd0000, 0x7ffd0100),
        [(1, value(b'\x01a\x00\x02' + struct.pack('<Q', 0x10) + b'\x03')),
         (2, value(struct.pack('<I', 2) + b'\x03'))]) + bytes([PASS]),
    'connect_inet6': values + whole_call(CONNECT, (3, 0x7000, 28),
                                         [(1, value(sin6_loopback_443))]) + bytes([PASS]),
    'accept_inet': values + whole_call(
        ACCEPT, (3, 0x7000, 0x7100), [(2, value(struct.pack('<I', 128)))],
        [(1, value(struct.pack('<I', 16) + sin_localhost_80))], ret=bytes([36])) + bytes([PASS]),
    'recvfrom_unix': values + whole_call(
        RECVFROM, (3, 0x7200, 100, 0, 0x7000, 0x7100), [(5, value(struct.pack('<I', 110)))],
        [(1, value(b'abc')), (4, value(struct.pack('<I', 9) + b'\x01\x00/run/x\x00'))],
        ret=bytes([24])) + bytes([PASS]),
    # writev(1, [{iov_base="hello\n", iov_len=6}, {iov_base="xx..."..., iov_len=40},
    # {iov_base=0x7300, iov_len=5}], 3)
    'writev_iov': values + whole_call(
        WRITEV, (1, 0x7000, 3),
        [(1, value(iov_item(0x7100, 6, 6, b'hello\n') +
                   iov_item(0x7200, 40, 32 | IOV_MORE, b'x' * 32) +
                   iov_item(0x7300, 5, IOV_UNREADABLE)))]) + bytes([PASS]),
    'readv_iov': values + readv_calls + bytes([PASS]),
    # The same as JSON Lines (the batch byte's 0x80): {"iov": [...]}.
    'readv_iov_json': bytes([0, 1, 0x81, 0, 0]) + readv_calls + bytes([PASS]),
    # sendmsg(5, {msg_name={sa_family=AF_INET, ...}, msg_namelen=16,
    # msg_iov=[{iov_base="hello", iov_len=5}], msg_iovlen=1, ...}, 0): the
    # structure, the name's length and the array's state, the name, the items.
    'sendmsg_msghdr': values + whole_call(
        SENDMSG, (5, 0x7000, 0),
        [(1, value(struct.pack('<QIIQQQQII', 0x7100, 16, 0, 0x7200, 1, 0, 0, 0, 0) +
                   bytes([16, 1]) + sin_localhost_80 + iov_item(0x7300, 5, 5, b'hello')))],
        ret=arg(5)) + bytes([PASS]),
    # i386 writev (146) through int $0x80: [{iov_base="hi", iov_len=2}].
    'compat_writev_iov': values + whole_call(
        COMPAT_WRITEV, (1, 0x8000, 1), [(1, value(iov_item(0x8100, 2, 2, b'hi')))],
        t=128 | 64) + bytes([PASS]),
})

# ioctl_fuzz.c: a selector, then the argument struct's bytes.
ioctls = {
    'trace_request': bytes([0]) + struct.pack('<II', 1, 1) + bytes(72) + b'\x00',
    'analyzer_request': bytes([1]) + struct.pack('<IIQII', 1, 4096, 0, 0, 0) + b'\x00',
    'info_request': bytes([2]) + struct.pack('<II', 2, 0) + bytes(24),
    'map_rings': bytes([3, 0x10]) + struct.pack('<Q', 0x300000) + b'\x00',
    'map_consumer': bytes([3, 0x14]) + struct.pack('<Q', 4096) + b'\x01',
    'map_rings_writable': bytes([3, 0x11]) + struct.pack('<Q', 0x1000) + b'\x03',
}


def image(size=128, entry=64, flags=0):
    header = struct.pack('<IHHIII12s32s', 0x41585646, 1, 64, size, entry, flags, bytes(12),
                         b'syscall')
    return header + b'\x90' * (size - len(header))


images = {
    'valid': image(),
    'valid_in_a_smaller_region': b'\xff' + image() + b'\x00',
    'entry_outside': image(entry=200),
    'header_only': image(64, 63)[:64],
    'wait_flag': image(flags=1),  # FVX_ANALYZER_F_WAIT
    'undefined_flag': image(flags=2),
}


# The analyzer's time (tsc.c): CPU 1 traces in fast mode and its trampoline
# asked to track its address space, so RDTSC exits there. What it
# measured (window_op on its TSC slot) goes to that address space; user
# code reads the TSC without it, the vDSO's page (CODE_VA) and the kernel
# with it, RDTSCP also gets IA32_TSC_AUX; a bogus measure is clamped; a
# MOV to CR3 of another address space ends RDTSC exiting and the way back
# starts it; STATUS shows it all; the end of the trace empties the table.
TRACKED1 = PRE_CONFIGURE | PRE_ANALYZER | PRE_FILTER | PRE_FAST1 | PRE_TRACK1
CODE_VA_CONST, ALL_ONES_CONST = 17, 2


def slot1_hidden(v):  # window_op: CPU 1's fvx_tsc_slot.hidden
    return bytes([14]) + v + struct.pack('<I', 3)


def rdtsc1(reason, rip, cpl):  # on CPU 1: RIP, CPL (exit_fields group 2)
    return exit_op(reason, fields(2, extra=b'\x21' + rip + bytes([cpl])), flags=1)


def cr3_1(t):  # on CPU 1 at CPL 0: MOV to CR3 from RBX of protection_fields' tables[t >> 1]
    return exit_op(CR, fields(0x82, extra=b'\x20\x00' + bytes([t, 3])), flags=1)


def write(target, seeds):
    d = os.path.join(here, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)


exits['tsc_analyzer_time'] = timed(TRACKED1, [
    slot1_hidden(u32(500)), rdtsc1(RDTSC, val(16), 3), rdtsc1(RDTSCP, val(16), 3),
    rdtsc1(RDTSC, const(CODE_VA_CONST), 3), rdtsc1(RDTSC, val(16), 0),
    slot1_hidden(const(ALL_ONES_CONST)), rdtsc1(RDTSC, val(16), 3),
    cr3_1(2), cr3_1(0), rdtsc1(RDTSC, val(16), 3),
    vmcall_exit(STATUS, small(1), structure(FREE), arg_const(STATUS_SIZE_CONST), flags=1),
    vmcall_exit(MODE, small(0), flags=1), cpuid_op, exit_op(CPUID, fields(), 1)],
    cpu_tsc(HOST, 1000, transition=40, flags=OFFSET_NEGATIVE),
    cpu_tsc(HOST, 5000, transition=40, flags=OFFSET_NEGATIVE), runs=(1000,) * 24)
# A full table (the fuzz machine's has 4 address spaces): CPU 1 tracks
# three more (CR3 set before each call), then a fifth evicts the one used
# longest ago, the first; RDTSC exiting ends for it as it runs again.
def track1_with_cr3(gpa):
    return exit_op(VMCALL, vmcall_regs(TSC_TRACK, small(0)) + b'\xd0' +
                   fields(2, extra=b'\x04' + bytes([0]) + struct.pack('<H', gpa)), flags=0x41)


exits['tsc_table_full'] = timed(TRACKED1, [
    track1_with_cr3(0x1000), track1_with_cr3(0x2000), track1_with_cr3(0x3000),
    track1_with_cr3(0x4000), rdtsc1(RDTSC, val(16), 3),
    exit_op(CPUID, fields(2, extra=b'\x04' + bytes([0]) + struct.pack('<H', 0x9000)), flags=1),
    vmcall_exit(STATUS, small(1), structure(FREE), arg_const(STATUS_SIZE_CONST), flags=1)],
    cpu_tsc(HOST, 1000, flags=OFFSET_NEGATIVE), cpu_tsc(HOST, 1000, flags=OFFSET_NEGATIVE),
    runs=(500,) * 16)
# TSC_TRACK: from CPU 0's own copy while tracing (CPU 1 traces), from
# elsewhere (EPERM); STATUS counts the address spaces.
vmcalls['tsc_track'] = bytes([TRACKED1]) + vmcall_op(TSC_TRACK, small(0)) + \
    vmcall_op(TSC_TRACK, small(0), flags=0x40, tail=b'\xd0') + \
    vmcall_op(STATUS, small(0), structure(FREE), arg_const(STATUS_SIZE_CONST)) + \
    vmcall_op(MODE, small(0), flags=1)

if __name__ == '__main__':
    write('exit_fuzz', exits)
    write('vmcall_fuzz', vmcalls)
    write('ring_fuzz', rings)
    write('ioctl_fuzz', ioctls)
    write('analyzer_image_fuzz', images)
    sys.exit(0)
