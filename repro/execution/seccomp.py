"""The sandbox's seccomp filter, as the classic-BPF bytes `bwrap --seccomp FD` loads (or `install` loads), written
here without libseccomp.

Policy (docs/execution.md, "The seccomp filter"): a *denylist* of system calls, because an allowlist that six
toolchains (the JVM, Go's runtime, V8, rustc, g++, CPython) all keep working under is brittle across their
versions, and a missing entry breaks runs silently; against that, every call that opens a way out of the
namespaces, reaches other processes or the kernel's shared state is denied by name (DENIED), and every system
call newer than the filter knows (above NEWEST) fails with ENOSYS, so a future kernel's additions are closed
until someone reviews them here and raises NEWEST. Socket families are an *allowlist*: socket() succeeds for
AF_UNIX only. clone() fails when its flags ask for a namespace; clone3() fails with ENOSYS (its flags live in
memory, out of the filter's reach), so the C libraries fall back to clone(). x32 system calls and foreign ABIs
(i386 `int 0x80`) are refused too."""

from __future__ import annotations

import errno
import platform
import struct

# The audit arch of each supported machine; others get no filter (the caller says so).
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
# name: (x86_64 number, aarch64 number); numbers from 424 on are shared by every architecture.
SYSCALLS = {
    "socket": (41, 198), "clone": (56, 220), "clone3": (435, 435),
    "io_uring_setup": (425, 425), "io_uring_enter": (426, 426), "io_uring_register": (427, 427),
    "unshare": (272, 97), "setns": (308, 268), "ptrace": (101, 117), "kcmp": (312, 272),
    "process_vm_readv": (310, 270), "process_vm_writev": (311, 271), "process_madvise": (440, 440),
    "pidfd_getfd": (438, 438), "add_key": (248, 217), "request_key": (249, 218), "keyctl": (250, 219),
    "bpf": (321, 280), "perf_event_open": (298, 241), "userfaultfd": (323, 282),
    "mount": (165, 40), "umount2": (166, 39), "pivot_root": (155, 41), "chroot": (161, 51),
    "open_tree": (428, 428), "move_mount": (429, 429), "fsopen": (430, 430), "fsconfig": (431, 431),
    "fsmount": (432, 432), "fspick": (433, 433), "mount_setattr": (442, 442),
    "kexec_load": (246, 104), "kexec_file_load": (320, 294),
    "init_module": (175, 105), "finit_module": (313, 273), "delete_module": (176, 106),
}
DENIED = tuple(name for name in SYSCALLS if name not in ("socket", "clone", "clone3"))
NEWEST = 466          # removexattrat (Linux 6.13); 467 on (open_tree_attr, a mount call, ...) get ENOSYS
AF_UNIX = 1
CLONE_NAMESPACES = 0x00000080 | 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 \
    | 0x40000000      # NEWTIME, NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET
X32_BIT = 0x40000000
LD_W_ABS, JEQ_K, JGT_K, JGE_K, JSET_K, RET_K = 0x20, 0x15, 0x25, 0x35, 0x45, 0x06
ALLOW, ERRNO, KILL = 0x7FFF0000, 0x00050000, 0x80000000
NR, ARCH, ARG0 = 0, 4, 16    # offsets in struct seccomp_data (args[0]'s low word: both machines are little-endian)


def _assemble(program: list[tuple]) -> bytes:
    """(code, true label, false label, k) or ("label", name) entries -> bytes; a jump names the label it goes to
    (None: the next instruction)."""
    labels, position = {}, 0
    for entry in program:
        if entry[0] == "label":
            labels[entry[1]] = position
        else:
            position += 1
    out, position = [], 0
    for entry in program:
        if entry[0] == "label":
            continue
        code, true, false, k = entry
        jt, jf = (0 if t is None else labels[t] - position - 1 for t in (true, false))
        assert 0 <= jt < 256 and 0 <= jf < 256, "jump out of reach"
        out.append(struct.pack("HBBI", code, jt, jf, k))
        position += 1
    return b"".join(out)


def sandbox_filter(machine: str | None = None) -> bytes | None:
    """The filter program for `machine` (default: this one), or None where its ABI is not in AUDIT_ARCH."""
    machine = machine or platform.machine()
    if machine not in AUDIT_ARCH:
        return None
    column = 0 if machine == "x86_64" else 1
    number = {name: numbers[column] for name, numbers in SYSCALLS.items()}
    program = [(LD_W_ABS, None, None, ARCH), (JEQ_K, None, "kill", AUDIT_ARCH[machine]),
               (LD_W_ABS, None, None, NR)]
    if machine == "x86_64":
        program.append((JGE_K, "eacces", None, X32_BIT))
    program += [(JGT_K, "enosys", None, NEWEST), (JEQ_K, "enosys", None, number["clone3"]),
                (JEQ_K, "socket", None, number["socket"]), (JEQ_K, "clone", None, number["clone"])]
    program += [(JEQ_K, "eperm", None, number[name]) for name in DENIED]
    program += [(RET_K, None, None, ALLOW),
                ("label", "socket"), (LD_W_ABS, None, None, ARG0), (JEQ_K, "allow", "eacces", AF_UNIX),
                ("label", "clone"), (LD_W_ABS, None, None, ARG0), (JSET_K, "eperm", "allow", CLONE_NAMESPACES),
                ("label", "allow"), (RET_K, None, None, ALLOW),
                ("label", "eperm"), (RET_K, None, None, ERRNO | errno.EPERM),
                ("label", "eacces"), (RET_K, None, None, ERRNO | errno.EACCES),
                ("label", "enosys"), (RET_K, None, None, ERRNO | errno.ENOSYS),
                ("label", "kill"), (RET_K, None, None, KILL)]
    return _assemble(program)


INSTALL = """import ctypes, os, sys
class P(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
fd = int(sys.argv[1]); code = os.pread(fd, 1 << 16, 0); os.close(fd)
buf = ctypes.create_string_buffer(code, len(code)); libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(38, 1, 0, 0, 0) or libc.prctl(22, 2, ctypes.byref(P(len(code) // 8, ctypes.addressof(buf))), 0, 0):
    sys.exit("seccomp filter not installed: " + os.strerror(ctypes.get_errno()))
os.execvp(sys.argv[2], sys.argv[2:])
"""


def installer(fd: int) -> list[str]:
    """argv prefix that loads the filter in memfd `fd` (PR_SET_NO_NEW_PRIVS, then PR_SET_SECCOMP) and execs the
    rest: the unshare mode's way to install it after its mounts, which the filter forbids."""
    return ["python3", "-I", "-S", "-c", INSTALL, str(fd)]
