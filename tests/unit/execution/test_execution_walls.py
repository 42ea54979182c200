"""The sandbox's walls, one system call at a time: a compiled probe tries each way out (socket families beyond
AF_UNIX through socket() and through io_uring, user namespaces, ptrace, keyrings, bpf, mounts, modules...) and
reports which succeeded; `attempts(mode)` is that report, so the same probe shows the calls succeed unsandboxed
(REPRO_SANDBOX=none: the walls, not the probe, stop them) and fail in bwrap and in the unshare fallback. Sockets
are only created, never bound or connected (vsock included); the one connection tried is to a listener this test
starts on the host, in its own abstract and path namespaces."""

import os
import socket
import uuid
from pathlib import Path

import pytest

from repro.errors import UserError
from repro.execution import missing
from repro.execution.problems import Problem, Sample
from repro.execution.runner import check
from repro.execution.sandbox import FIRST_UID, Limits, Sandbox, detect
from sandbox_leftovers import no_leftovers  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("no_leftovers")   # nothing of a run is left after it
LIMITS = Limits(memory_mb=512, tasks=128, file_mb=16, tmp_mb=64)
PROBE = r"""
#include <errno.h>
#include <linux/io_uring.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char* name, long ret) { printf("%s %ld %d\n", name, ret, ret < 0 ? errno : 0); }

static long in_child(int flags) {   /* unshare(flags) in a child, so the probe itself stays where it is */
    pid_t pid = fork();
    if (pid == 0) _exit(unshare(flags) == 0 ? 0 : 1);
    int status = 0; waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static long uring_socket(int family) {   /* IORING_OP_SOCKET: a socket made without socket(2) */
    struct io_uring_params p; memset(&p, 0, sizeof p);
    int fd = syscall(__NR_io_uring_setup, 4, &p);
    if (fd < 0) return -1;
    size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    char* sq = (char*) mmap(0, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, IORING_OFF_SQ_RING);
    char* cq = (char*) mmap(0, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, IORING_OFF_CQ_RING);
    struct io_uring_sqe* sqes = (struct io_uring_sqe*) mmap(0, p.sq_entries * sizeof(struct io_uring_sqe),
        PROT_READ | PROT_WRITE, MAP_SHARED, fd, IORING_OFF_SQES);
    if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) return -1;
    memset(&sqes[0], 0, sizeof sqes[0]);
    sqes[0].opcode = IORING_OP_SOCKET; sqes[0].fd = family; sqes[0].off = SOCK_STREAM;
    unsigned* tail = (unsigned*) (sq + p.sq_off.tail);
    unsigned* array = (unsigned*) (sq + p.sq_off.array);
    array[*tail & *(unsigned*) (sq + p.sq_off.ring_mask)] = 0;
    __atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
    if (syscall(__NR_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS, 0, 0) < 0) return -1;
    struct io_uring_cqe* cqe = (struct io_uring_cqe*) (cq + p.cq_off.cqes);
    if (cqe[0].res < 0) { errno = -cqe[0].res; return -1; }
    return cqe[0].res;
}

int main(int argc, char** argv) {
    report("socket_inet", socket(AF_INET, SOCK_STREAM, 0));
    report("socket_inet6", socket(AF_INET6, SOCK_STREAM, 0));
    report("socket_netlink", socket(AF_NETLINK, SOCK_RAW, 0));
    report("socket_vsock", socket(40 /* AF_VSOCK */, SOCK_STREAM, 0));
    report("socket_unix", socket(AF_UNIX, SOCK_STREAM, 0));
    report("io_uring_setup", [] { struct io_uring_params p; memset(&p, 0, sizeof p);
                                  return (long) syscall(__NR_io_uring_setup, 4, &p); }());
    report("io_uring_socket_inet", uring_socket(AF_INET));
    report("io_uring_socket_vsock", uring_socket(40));
    report("unshare_user", in_child(CLONE_NEWUSER));
    report("unshare_net", in_child(CLONE_NEWUSER | CLONE_NEWNET));
    report("clone3", syscall(435, 0, 0));
    report("uid", getuid());
    if (argc > 1) return 0;   /* "harmless": only the calls above, which change nothing outside the probe */
    long child = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (child == 0) _exit(0);
    if (child > 0) waitpid(child, 0, 0);
    report("clone_newuser", child);
    report("setns", syscall(SYS_setns, 0, 0));
    report("ptrace_parent", syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, getppid(), 0, 0));
    char buf[8]; struct iovec local = {buf, sizeof buf}, remote = {buf, sizeof buf};
    report("process_vm_readv", syscall(SYS_process_vm_readv, getppid(), &local, 1, &remote, 1, 0));
    report("add_key", syscall(SYS_add_key, "user", "repro-probe", "x", 1, -3 /* session keyring */));
    report("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
    report("request_key", syscall(SYS_request_key, "user", "repro-probe", 0, 0));
    report("bpf", syscall(SYS_bpf, 0, 0, 0));
    report("perf_event_open", syscall(SYS_perf_event_open, 0, 0, -1, -1, 0));
    report("userfaultfd", syscall(SYS_userfaultfd, 0));
    report("mount", syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, 0));
    report("pivot_root", syscall(SYS_pivot_root, "/tmp", "/tmp"));
    report("kexec_load", syscall(SYS_kexec_load, 0, 0, 0, 0));
    report("init_module", syscall(SYS_init_module, 0, 0, ""));
    report("finit_module", syscall(SYS_finit_module, -1, "", 0));
    return 0;
}
"""
# What the filter answers: EPERM for denied calls, EACCES for socket families, ENOSYS for clone3.
DENIED = {"socket_inet": 13, "socket_inet6": 13, "socket_netlink": 13, "socket_vsock": 13, "io_uring_setup": 1,
          "io_uring_socket_inet": 1, "io_uring_socket_vsock": 1, "clone_newuser": 1, "clone3": 38, "setns": 1,
          "ptrace_parent": 1, "process_vm_readv": 1, "add_key": 1, "keyctl": 1, "request_key": 1, "bpf": 1,
          "perf_event_open": 1, "userfaultfd": 1, "mount": 1, "pivot_root": 1, "kexec_load": 1, "init_module": 1,
          "finit_module": 1}
PYTHON = Problem("Python/wall", "python", "humaneval", "import os, socket, sys\n\ndef attack():\n",
                 "def check(candidate):\n    assert candidate() == 1\n", entry_point="attack")


def _mode(wanted: str | None = None) -> str:
    if wanted == "unshare":
        if os.geteuid() != 0:
            pytest.skip("the unshare fallback needs root")
        try:
            os.environ["REPRO_SANDBOX"], before = "unshare", os.environ.get("REPRO_SANDBOX")
            return detect()
        except UserError as exc:   # the fallback refuses with one line where it cannot build its walls
            assert "\n" not in str(exc)
            pytest.skip(str(exc))
        finally:
            os.environ.pop("REPRO_SANDBOX") if before is None else os.environ.update(REPRO_SANDBOX=before)
    try:
        return detect()
    except UserError as exc:
        pytest.skip(str(exc))


def attempts(mode: str, harmless: bool = False) -> dict[str, tuple[int, int]]:
    """{call: (return value, errno)} as the probe saw them inside `mode` (`harmless`: only the calls that change
    nothing outside the probe: sockets created, not used; a user namespace in a child)."""
    if missing("cpp"):
        pytest.skip(missing("cpp"))
    outcome = Sandbox(mode, LIMITS).run({"probe.cpp": PROBE}, [["g++", "-std=c++17", "-w", "probe.cpp", "-o", "probe"]],
                                        ["./probe"] + (["harmless"] if harmless else []), {}, {}, 60, 10)
    assert outcome.returncode == 0, (outcome.build_log or outcome.stderr)[-2000:]
    rows = [line.split() for line in outcome.stdout.splitlines()]
    return {name: (int(ret), int(err)) for name, ret, err in rows}


@pytest.mark.parametrize("wanted", [None, "unshare"])
def test_every_way_out_is_denied_by_the_filter(wanted):
    mode = _mode(wanted)
    if mode == "none":
        pytest.skip("REPRO_SANDBOX=none: no walls to test (test_the_probe_succeeds_unsandboxed covers it)")
    seen = attempts(mode)
    wrong = {name: seen[name] for name, err in DENIED.items() if seen[name] != (-1, err)}
    assert not wrong, f"{mode}: not denied by the filter: {wrong}"
    assert seen["socket_unix"][0] >= 0, "AF_UNIX sockets must keep working"
    assert seen["unshare_user"][0] < 0 and seen["unshare_net"][0] < 0
    assert seen["uid"][0] >= FIRST_UID


def test_the_probe_succeeds_unsandboxed():
    """The same probe with no sandbox: the harmless calls succeed (an AF_INET socket through socket() and through
    io_uring, a user namespace in a child), so the denials above are the walls' doing."""
    if os.environ.get("REPRO_SANDBOX") not in (None, "none"):
        pytest.skip("runs the probe bare")
    seen = attempts("none", harmless=True)
    assert seen["socket_inet"][0] >= 0 and seen["io_uring_setup"][0] >= 0
    if seen["io_uring_setup"][0] >= 0:
        assert seen["io_uring_socket_inet"][0] >= 0, "this kernel's io_uring makes sockets: the attack is real"
    assert seen["unshare_user"][0] == 0


def test_each_sample_gets_a_uid_of_its_own():
    mode = _mode()
    if mode == "none" or os.geteuid() != 0:
        pytest.skip("uids are assigned by the sandbox as root")
    sandbox = Sandbox(mode, LIMITS)
    uids = [int(sandbox.run({"id.sh": "id -u"}, [], ["sh", "id.sh"], {}, {}, 10, 10).stdout) for _ in range(3)]
    assert len(set(uids)) == 3 and min(uids) >= FIRST_UID


def _host_listeners(tmp_path: Path):
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    name = f"repro-wall-{uuid.uuid4().hex[:12]}"
    abstract.bind("\0" + name)
    abstract.listen()
    path = tmp_path / "host.sock"
    bound = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    bound.bind(str(path))
    bound.listen()
    os.chmod(tmp_path, 0o755)
    os.chmod(path, 0o777)
    return (abstract, name), (bound, path)


def _connects(mode: str, address: str) -> bool:
    attack = (f"    s = socket.socket(socket.AF_UNIX)\n    try:\n        s.connect({address!r})\n        return 1\n"
              "    except OSError:\n        return 0\n")
    return check(PYTHON, Sample(PYTHON.task_id, 0, attack), 5, Sandbox(mode, LIMITS)).passed


@pytest.mark.parametrize("wanted", [None, "unshare"])
def test_host_unix_sockets_are_out_of_reach(tmp_path, wanted):
    mode = _mode(wanted)
    (abstract, name), (bound, path) = _host_listeners(tmp_path)
    try:
        reached = {"abstract": _connects(mode, "\0" + name), "path": _connects(mode, str(path))}
    finally:
        abstract.close()
        bound.close()
    if mode == "none":
        assert reached == {"abstract": True, "path": True}, "unsandboxed, the host's sockets are reachable"
    else:
        assert reached == {"abstract": False, "path": False}, reached


@pytest.mark.parametrize("wanted", [None, "unshare"])
def test_no_host_path_is_writable_nor_the_project_readable(wanted):
    mode = _mode(wanted)
    if mode == "none":
        pytest.skip("no walls under REPRO_SANDBOX=none")
    root = str(Path(__file__).resolve().parents[3])
    marker = f"repro-wall-{uuid.uuid4().hex[:8]}"
    targets = [f"/var/tmp/{marker}", f"/run/lock/{marker}", f"/{marker}", f"/usr/{marker}",
               f"/etc/{marker}", f"{root}/{marker}"]
    attack = (f"    hits = []\n    for t in {targets!r}:\n        try:\n            open(t, 'w').write('x')\n"
              "            hits.append(t)\n        except OSError:\n            pass\n"
              f"    if os.path.exists({root + '/pyproject.toml'!r}):\n        hits.append('read project')\n"
              "    print(hits)\n    return 1 if hits else 0\n")
    result = check(PYTHON, Sample(PYTHON.task_id, 0, attack), 5, Sandbox(mode, LIMITS))
    assert not result.passed, result.result
    assert not [t for t in targets if os.path.exists(t)]
