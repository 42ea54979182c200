"""A seccomp filter, as the classic-BPF bytes `bwrap --seccomp FD` loads, written here without libseccomp:
socket(2) for any family but AF_UNIX fails with EACCES; x32 system calls and a foreign ABI (i386 `int 0x80`)
fail too. The network namespace already leaves only an isolated loopback; this is the second wall."""

from __future__ import annotations

import errno
import platform
import struct

# (audit arch, socket syscall number) per machine; others get no filter (the caller says so).
ARCHES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}
X32_BIT = 0x40000000
LD_W_ABS, JEQ_K, JGE_K, RET_K = 0x20, 0x15, 0x35, 0x06
ALLOW, ERRNO, KILL = 0x7FFF0000, 0x00050000, 0x80000000
AF_UNIX = 1


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def socket_filter() -> bytes | None:
    """The filter program for this machine, or None where its ABI is not in ARCHES."""
    arch = ARCHES.get(platform.machine())
    if arch is None:
        return None
    audit_arch, socket_nr = arch
    deny = ERRNO | errno.EACCES
    program = [
        _insn(LD_W_ABS, 0, 0, 4),                 # seccomp_data.arch
        _insn(JEQ_K, 1, 0, audit_arch),
        _insn(RET_K, 0, 0, KILL),                 # another ABI: kill the process
        _insn(LD_W_ABS, 0, 0, 0),                 # seccomp_data.nr
        _insn(JGE_K, 0, 1, X32_BIT) if platform.machine() == "x86_64" else _insn(JEQ_K, 0, 1, 0xFFFFFFFF),
        _insn(RET_K, 0, 0, deny),
        _insn(JEQ_K, 0, 3, socket_nr),
        _insn(LD_W_ABS, 0, 0, 16),                # args[0] (low word): the address family
        _insn(JEQ_K, 1, 0, AF_UNIX),
        _insn(RET_K, 0, 0, deny),
        _insn(RET_K, 0, 0, ALLOW),
    ]
    return b"".join(program)


def install(program: bytes) -> None:
    """Load `program` into the calling process (after fork, before exec) with prctl(PR_SET_SECCOMP)."""
    import ctypes

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = SockFprog(len(program) // 8, ctypes.addressof(buffer))
    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    if libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) or \
            libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.byref(fprog), 0, 0):
        raise OSError(ctypes.get_errno(), "seccomp filter not installed")
