"""Run one untrusted program (build commands, then a test run) with nothing of the host to harm or read.

Modes (`REPRO_SANDBOX` forces one; otherwise the first that works here):
- "bwrap": bubblewrap started as root: new network (loopback only), pid, ipc and uts namespaces; read-only
  /usr, /etc and the toolchain caches; a private size-capped tmpfs /tmp as the working directory (the program's
  files are copied in from a read-only staging folder); --cap-drop ALL but setuid, then `setpriv` to a uid of
  its own with no capabilities and no new privileges; a seccomp filter denying non-unix sockets. Not root:
  bwrap in a user namespace (--unshare-user), no setpriv.
- "unshare": where bwrap cannot start (e.g. a podman container without `--security-opt unmask=ALL`):
  util-linux `unshare` (net, pid, ipc, uts, mount namespaces; private /tmp, /dev/shm, /root, /home tmpfs),
  then the same `setpriv`; the seccomp filter is installed before exec.
- "none": only with REPRO_SANDBOX=none, for trusted inputs (canonical solutions): rlimits and a temp folder.
Both sandboxed modes add: a per-run cgroup capping memory and tasks (`repro.execution.cgroup`; without one,
RLIMIT_DATA), rlimits on CPU seconds, file size, open files and processes, and on timeout a kill of the whole
process group and cgroup. The harness's environment never reaches the program: it gets a fixed small one.
"""

from __future__ import annotations

import functools
import os
import resource
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from repro.errors import UserError
from repro.execution import cgroup, seccomp
from repro.execution.toolchains import SANDBOX_PATH

BUILD_FAILED = "@@repro-build-failed"
MODES = ("bwrap", "unshare", "none")


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 2048        # cgroup memory (swap included)
    tasks: int = 256             # cgroup pids and RLIMIT_NPROC: processes and threads
    file_mb: int = 64            # RLIMIT_FSIZE: the largest file it may write
    tmp_mb: int = 512            # the working tmpfs
    open_files: int = 512


@dataclass(frozen=True)
class Outcome:
    returncode: int | None       # the test run's exit status (None: killed by the harness at the wall limit)
    stdout: str
    stderr: str
    timed_out: bool
    build_failed: bool
    seconds: float
    oom: bool = False


def _driver(build: list[list[str]], run: list[str], build_timeout: float, run_timeout: float,
            workdir: str = "/tmp") -> str:
    """The shell script run as the unprivileged user: copy the program in, build it, run it, report tails."""
    steps = " && ".join(shlex.join(cmd) for cmd in build)
    lines = [f'cd {shlex.quote(workdir)} || exit 125', 'cp -R "$STAGE"/. . || exit 125',
             '[ -z "${SEED_GOCACHE:-}" ] || cp -R "$SEED_GOCACHE" "$GOCACHE"']
    if build:
        lines.append(f"if ! timeout -k 1 {build_timeout:g} sh -c {shlex.quote(steps)} </dev/null >.build 2>&1; then "
                     f"s=$?; echo {BUILD_FAILED} $s >&2; tail -c 2000 .build >&2; exit 1; fi")
    lines += [f"timeout -k 1 {run_timeout:g} {shlex.join(run)} </dev/null >.out 2>.err; s=$?",
              "tail -c 2000 .out; tail -c 2000 .err >&2; exit $s"]
    return "\n".join(lines)


def _setpriv(uid: int) -> list[str]:
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs", "--inh-caps=-all",
            "--bounding-set=-all", "--"]


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    return args


def _bwrap(stage: Path, binds: dict, uid: int, limits: Limits, seccomp_fd: int | None, script: str) -> list[str]:
    args = ["bwrap", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", *_system_binds(), "--proc", "/proc", "--dev", "/dev",
            "--perms", "1777", "--size", str(limits.tmp_mb << 20), "--tmpfs", "/tmp",
            "--ro-bind", str(stage), "/stage"]
    for host, inside in binds.items():
        parents = [str(p) for p in reversed(Path(inside).parents) if str(p) not in ("/", "/usr", "/etc", "/tmp")]
        for parent in parents:
            args += ["--perms", "0755", "--dir", parent]
        args += ["--ro-bind", host, inside]
    if seccomp_fd is not None:
        args += ["--seccomp", str(seccomp_fd)]
    if os.geteuid() == 0:
        args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add",
                 "CAP_SETPCAP", "--chdir", "/tmp", "--", *_setpriv(uid)]
    else:
        args += ["--unshare-user", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL", "--chdir", "/tmp", "--"]
    return args + ["sh", "-c", script]


def _unshare(stage: Path, binds: dict, uid: int, limits: Limits, script: str) -> list[str]:
    # The binds first: the staging folder and caches live under /tmp and /root, which the tmpfs mounts then hide.
    mounts = ["mount --make-rprivate /", "mkdir -p /stage", f"mount --bind -o ro {shlex.quote(str(stage))} /stage"]
    for host, inside in binds.items():
        mounts += [f"mkdir -p {shlex.quote(inside)}", f"mount --bind -o ro {shlex.quote(host)} {shlex.quote(inside)}"]
    mounts += [f"mount -t tmpfs -o size={limits.tmp_mb}m,mode=1777 tmpfs /tmp",
               "mount -t tmpfs -o size=1m tmpfs /dev/shm"]
    mounts += [f"[ ! -d {d} ] || mount -t tmpfs -o size=1m,mode=755 tmpfs {d}" for d in ("/root", "/home")]
    root_script = " && ".join(mounts) + " && cd /tmp && exec " + shlex.join(_setpriv(uid) + ["sh", "-c", script])
    return ["unshare", "--net", "--pid", "--ipc", "--uts", "--mount", "--fork", "--kill-child", "--mount-proc",
            "--", "sh", "-c", root_script]


def _probe(mode: str) -> bool:
    try:
        outcome = Sandbox(mode).run({"probe.txt": "ok"}, [], ["cat", "probe.txt"], {}, {}, 10, 10)
    except (OSError, subprocess.SubprocessError):
        return False
    return outcome.returncode == 0 and outcome.stdout.strip() == "ok"


@functools.cache
def detect() -> str:
    """The sandbox mode to use here (REPRO_SANDBOX, or the first of bwrap, unshare that works)."""
    forced = os.environ.get("REPRO_SANDBOX")
    if forced:
        if forced not in MODES:
            raise UserError(f"REPRO_SANDBOX={forced}: not one of {', '.join(MODES)}")
        return forced
    for mode in ("bwrap", "unshare"):
        if shutil.which(mode) and shutil.which("setpriv") and (mode == "bwrap" or os.geteuid() == 0) and _probe(mode):
            return mode
    raise UserError("no sandbox works here: install bubblewrap (scripts/toolchains.sh), run as root or in a "
                    "container with --security-opt unmask=ALL (docs/execution.md); REPRO_SANDBOX=none runs "
                    "trusted code unsandboxed")


class Sandbox:
    def __init__(self, mode: str | None = None, limits: Limits = Limits()):
        self.mode = mode or detect()
        self.limits = limits

    def _rlimits(self, seconds: float, group: cgroup.RunCgroup | None) -> None:
        lim = self.limits
        cpu = int(seconds) + 2
        for which, value in ((resource.RLIMIT_CPU, cpu), (resource.RLIMIT_FSIZE, lim.file_mb << 20),
                             (resource.RLIMIT_NOFILE, lim.open_files), (resource.RLIMIT_CORE, 0)):
            resource.setrlimit(which, (value, value))
        if self.mode != "none":
            resource.setrlimit(resource.RLIMIT_NPROC, (lim.tasks, lim.tasks))
        if group is None or not group.dirs:
            resource.setrlimit(resource.RLIMIT_DATA, (lim.memory_mb << 20, lim.memory_mb << 20))

    def run(self, files: dict[str, str], build: list[list[str]], run: list[str], env: dict, binds: dict,
            build_timeout: float, run_timeout: float) -> Outcome:
        """Write `files`, run the `build` commands (together within build_timeout), then `run` (run_timeout)."""
        stage = Path(tempfile.mkdtemp(prefix=f"repro-exec-{os.getpid()}-"))
        os.chmod(stage, 0o755)
        for name, text in files.items():
            (stage / name).write_text(text, encoding="utf-8")
            os.chmod(stage / name, 0o644)
        uid = 100000 + os.getpid()
        inside = "/stage" if self.mode != "none" else str(stage)
        env = {"PATH": SANDBOX_PATH, "HOME": "/tmp", "LANG": "C.UTF-8", "TMPDIR": "/tmp", **env,
               "STAGE": inside}
        work = None   # the unsandboxed mode's working folder: in memory where it can be, like the sandbox's tmpfs
        if self.mode == "none":
            shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
            work = Path(tempfile.mkdtemp(prefix=f"repro-exec-{os.getpid()}-work-", dir=shm))
        script = _driver(build, run, build_timeout, run_timeout, str(work) if work else "/tmp")
        group = cgroup.RunCgroup(self.limits.memory_mb << 20, self.limits.tasks) \
            if self.mode != "none" and os.geteuid() == 0 and cgroup.flavour() else None
        filter_fd, pass_fds = None, ()
        if self.mode == "bwrap" and (program := seccomp.socket_filter()):
            filter_fd = os.memfd_create("repro-seccomp", 0)
            os.write(filter_fd, program)
            os.lseek(filter_fd, 0, os.SEEK_SET)
            pass_fds = (filter_fd,)
        if self.mode == "bwrap":
            argv = _bwrap(stage, binds, uid, self.limits, filter_fd, script)
        elif self.mode == "unshare":
            argv = _unshare(stage, binds, uid, self.limits, script)
        else:
            argv = ["sh", "-c", script]
            if "GOCACHE" in env:
                env["GOCACHE"] = f"{work}/.gocache"
        wall = build_timeout + run_timeout + 5

        def setup() -> None:
            if group is not None:
                group.enter(os.getpid())
            self._rlimits(build_timeout + run_timeout, group)
            if self.mode == "unshare" and (program := seccomp.socket_filter()):
                seccomp.install(program)

        # Output goes to host temp files, not pipes: whatever reaches them (the driver's tails, or a program that
        # reopens the driver's descriptors) is capped by RLIMIT_FSIZE, and only the tails are read back.
        out_file, err_file = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out_file, stderr=err_file, env=env,
                                cwd=work or "/", start_new_session=True, pass_fds=pass_fds, preexec_fn=setup)
        timed_out = False
        try:
            proc.wait(timeout=wall)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            if group is not None:
                group.kill()
            proc.wait()
        finally:
            seconds = time.perf_counter() - start
            if filter_fd is not None:
                os.close(filter_fd)
            oom = False
            if group is not None:
                group.kill()
                oom = group.oom_killed()
                group.remove()
            for folder in (stage, work):
                if folder is not None:
                    shutil.rmtree(folder, ignore_errors=True)
        stdout, stderr = _tail(out_file), _tail(err_file)
        code = None if timed_out else proc.returncode
        return Outcome(code, stdout, stderr, timed_out or code == 124, BUILD_FAILED in stderr, seconds, oom)


def _tail(handle, limit: int = 8192) -> str:
    """The last `limit` bytes of an output file, decoded; the file is closed (and so deleted)."""
    with handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - limit))
        return handle.read().decode("utf-8", "replace")
