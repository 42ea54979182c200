"""Run one untrusted program (build commands, then a test run) with nothing of the host to harm or read.

Modes (`REPRO_SANDBOX` forces one; otherwise the first that works here):
- "bwrap": bubblewrap started as root: new network (loopback only), pid, ipc and uts namespaces; read-only
  /usr, /etc and the toolchain caches; a private size-capped tmpfs /tmp as the working directory (the program's
  files are copied in from a read-only staging folder); the driver (`repro.execution.driver`) runs as the
  sandbox's root with only setuid/setgid/setpcap, and every step as a uid no earlier sample used on this host
  (`fresh_uid`) with no capabilities and no new privileges; the seccomp filter of `repro.execution.seccomp`.
  Not root: bwrap in a user namespace (--unshare-user), no setpriv.
- "unshare": where bwrap cannot start (e.g. a podman container with SYS_ADMIN only): util-linux `unshare` (net,
  pid, ipc, uts, mount namespaces), then, as bwrap does, a new root of its own (a read-only tmpfs holding
  read-only binds of /usr, /etc and the caches, a fresh /proc, a few /dev nodes, private tmpfs /tmp) entered with
  chroot; the same driver, uid and seccomp filter (installed after the mounts, which it forbids).
- "none": only with REPRO_SANDBOX=none, for trusted inputs (canonical solutions): rlimits and a temp folder.
Both sandboxed modes add: a per-run cgroup capping memory and tasks (`repro.execution.cgroup`; without one,
RLIMIT_DATA), rlimits on CPU seconds, file size, open files and processes, and at the outer limit (the timeouts
plus a few seconds) a kill of the whole process group and cgroup. The harness's environment never reaches the
program: it gets a fixed small one.
"""

from __future__ import annotations

import fcntl
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
from repro.execution import cgroup, driver, seccomp
from repro.execution.toolchains import SANDBOX_PATH

MODES = ("bwrap", "unshare", "none")
PRIVATE = "/harness"                 # the driver's own folder inside the sandbox (0700, root's)
UID_FILE = Path(os.environ.get("REPRO_EXEC_STATE", "/var/lib/repro-exec")) / "last-uid"
FIRST_UID, LAST_UID = 200_000, 2**31 - 2
SLACK = 3                            # seconds the outer limit adds to the timeouts (and the kill grace)
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 2048        # cgroup memory (swap included)
    tasks: int = 256             # cgroup pids and RLIMIT_NPROC: processes and threads
    file_mb: int = 64            # RLIMIT_FSIZE: the largest file it may write
    tmp_mb: int = 512            # the working tmpfs
    open_files: int = 512


@dataclass(frozen=True)
class Outcome:
    returncode: int | None       # the test run's exit status (None: it never ran, or the outer limit struck)
    stdout: str
    stderr: str
    timed_out: bool              # the run reached its timeout on the driver's clock, or the outer limit struck
    build_failed: bool
    seconds: float
    oom: bool = False
    build_timed_out: bool = False
    build_log: str = ""          # the tail of a failed build's output


def fresh_uid() -> int:
    """A uid no earlier sample on this host used: a counter in UID_FILE under a lock (root only)."""
    UID_FILE.parent.mkdir(parents=True, exist_ok=True)
    with open(UID_FILE, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        last = int(handle.read().strip() or FIRST_UID - 1)
        uid = last + 1 if FIRST_UID <= last + 1 <= LAST_UID else FIRST_UID
        handle.seek(0)
        handle.truncate()
        handle.write(str(uid))
    return uid


def _as_user(uid: int) -> list[str]:
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"]


def _system_binds() -> list[tuple[str, str]]:
    """("bind" | "symlink", host path, target) for /usr, /etc and the top-level /bin, /lib* links."""
    out = [("bind", "/usr", "/usr"), ("bind", "/etc", "/etc")]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            out.append(("symlink", os.readlink(top), top))
        elif os.path.isdir(top):
            out.append(("bind", top, top))
    return out


def _bwrap(stage: Path, binds: dict, limits: Limits, seccomp_fd: int | None, script: str) -> list[str]:
    args = ["bwrap", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--proc", "/proc", "--dev", "/dev",
            "--perms", "1777", "--size", str(limits.tmp_mb << 20), "--tmpfs", "/tmp",
            "--perms", "0700", "--size", str((3 * limits.file_mb + 1) << 20), "--tmpfs", PRIVATE,
            "--ro-bind", str(stage), "/stage"]
    for kind, source, target in _system_binds():
        args += ["--ro-bind", source, target] if kind == "bind" else ["--symlink", source, target]
    for host, inside in binds.items():
        parents = [str(p) for p in reversed(Path(inside).parents) if str(p) not in ("/", "/usr", "/etc", "/tmp")]
        for parent in parents:
            args += ["--perms", "0755", "--dir", parent]
        args += ["--ro-bind", host, inside]
    if seccomp_fd is not None:
        args += ["--seccomp", str(seccomp_fd)]
    if os.geteuid() == 0:
        args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add",
                 "CAP_SETPCAP"]
    else:
        args += ["--unshare-user", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL"]
    return args + ["--chdir", "/tmp", "--", "bash", "-c", script]


def _unshare(stage: Path, root: Path, binds: dict, limits: Limits, seccomp_fd: int, script: str) -> list[str]:
    """A new root as bwrap builds one, by mount(8) commands run as root in new namespaces, then chroot."""
    q = shlex.quote
    r = q(str(root))
    mounts = ["set -e", "mount --make-rprivate /", f"mount -t tmpfs -o size=4m,mode=755 tmpfs {r}", f"cd {r}",
              "mkdir -p proc dev/shm tmp stage ." + PRIVATE]
    for kind, source, target in _system_binds():
        mounts += [f"mkdir -p .{target}", f"mount --bind -o ro {q(source)} .{target}"] if kind == "bind" else \
            [f"ln -s {q(source)} .{target}"]
    mounts += ["mount -t proc -o nosuid,nodev,noexec proc proc", "mount -t tmpfs -o size=1m tmpfs dev/shm",
               "ln -s /proc/self/fd dev/fd", "ln -s /proc/self/fd/0 dev/stdin", "ln -s /proc/self/fd/1 dev/stdout",
               "ln -s /proc/self/fd/2 dev/stderr"]
    mounts += [f"touch dev/{n} && mount --bind /dev/{n} dev/{n}" for n in DEVICES if os.path.exists(f"/dev/{n}")]
    mounts += [f"mount -t tmpfs -o size={limits.tmp_mb}m,mode=1777 tmpfs tmp",
               f"mount -t tmpfs -o size={3 * limits.file_mb + 1}m,mode=700 tmpfs .{PRIVATE}",
               f"mount --bind -o ro {q(str(stage))} stage"]
    for host, inside in binds.items():
        mounts += [f"mkdir -p .{q(inside)}", f"mount --bind -o ro {q(host)} .{q(inside)}"]
    mounts += [f"mount -o remount,ro,bind {r}", "cd /",
               "exec " + shlex.join([_sbin("chroot"), str(root), *seccomp.installer(seccomp_fd), "bash", "-c", script])]
    return ["unshare", "--net", "--pid", "--ipc", "--uts", "--mount", "--fork", "--kill-child", "--",
            "sh", "-c", "\n".join(mounts)]


def _sbin(tool: str) -> str:
    return shutil.which(tool, path="/usr/sbin:/sbin:/usr/bin:/bin") or tool


def _probe(mode: str) -> bool:
    try:
        outcome = Sandbox(mode).run({"probe.txt": "ok"}, [], ["cat", "probe.txt"], {}, {}, 10, 10)
    except (OSError, subprocess.SubprocessError):
        return False
    return outcome.returncode == 0 and outcome.stdout.strip() == "ok"


def _usable(mode: str) -> bool:
    tools = {"bwrap": ("bwrap", "setpriv"), "unshare": ("unshare", "setpriv", "chroot")}[mode]
    return all(shutil.which(_sbin(t)) for t in tools) and (mode == "bwrap" or os.geteuid() == 0) and \
        seccomp.sandbox_filter() is not None and _probe(mode)


def detect() -> str:
    """The sandbox mode to use here (REPRO_SANDBOX, or the first of bwrap, unshare that works)."""
    return _detect(os.environ.get("REPRO_SANDBOX"))


@functools.cache
def _detect(forced: str | None) -> str:
    """The mode for one value of REPRO_SANDBOX (probed once per value: a changed variable is seen)."""
    if forced:
        if forced not in MODES:
            raise UserError(f"REPRO_SANDBOX={forced}: not one of {', '.join(MODES)}")
        if forced == "unshare" and not _usable("unshare"):
            raise UserError("REPRO_SANDBOX=unshare: cannot build its walls here (needs root, util-linux unshare, "
                            "setpriv, chroot, mount rights and a seccomp-capable x86_64/aarch64 kernel)")
        return forced
    for mode in ("bwrap", "unshare"):
        if _usable(mode):
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
        if self.mode != "none":   # binds the program's uid; the driver, as root, is exempt (kernel/fork.c)
            resource.setrlimit(resource.RLIMIT_NPROC, (lim.tasks, lim.tasks))
        if group is None or not group.dirs:
            resource.setrlimit(resource.RLIMIT_DATA, (lim.memory_mb << 20, lim.memory_mb << 20))

    def _argv(self, stage: Path, binds: dict, script: str, filter_fd: int | None) -> list[str]:
        if self.mode == "bwrap":
            return _bwrap(stage / "files", binds, self.limits, filter_fd, script)
        if self.mode == "unshare":
            (stage / "root").mkdir()
            return _unshare(stage / "files", stage / "root", binds, self.limits, filter_fd, script)
        return ["bash", "-c", script]

    def run(self, files: dict[str, str], build: list[list[str]], run: list[str], env: dict, binds: dict,
            build_timeout: float, run_timeout: float) -> Outcome:
        """Write `files`, run the `build` commands (together within build_timeout), then `run` (run_timeout)."""
        stage = Path(tempfile.mkdtemp(prefix=f"repro-exec-{os.getpid()}-"))
        try:
            return self._run(stage, files, build, run, env, binds, build_timeout, run_timeout)
        finally:
            shutil.rmtree(stage, ignore_errors=True)

    def _run(self, stage: Path, files, build, run, env, binds, build_timeout, run_timeout) -> Outcome:
        os.chmod(stage, 0o755)
        (stage / "files").mkdir(mode=0o755)
        for name, text in files.items():
            (stage / "files" / name).write_text(text, encoding="utf-8")
            os.chmod(stage / "files" / name, 0o644)
        sandboxed = self.mode != "none"
        env = {"PATH": SANDBOX_PATH, "HOME": "/tmp", "LANG": "C.UTF-8", "TMPDIR": "/tmp", **env,
               "STAGE": "/stage" if sandboxed else str(stage / "files")}
        if sandboxed:
            workdir, private = "/tmp", PRIVATE
            as_user = _as_user(fresh_uid()) if os.geteuid() == 0 else []
        else:   # the working folder in memory where it can be, like the sandbox's tmpfs
            shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
            workdir = tempfile.mkdtemp(prefix=f"repro-exec-{os.getpid()}-work-", dir=shm)
            private, as_user = str(stage / "private"), []
            (stage / "private").mkdir(mode=0o700)
            if "GOCACHE" in env:
                env["GOCACHE"] = f"{workdir}/.gocache"
        out_file, err_file, status_file = (tempfile.TemporaryFile() for _ in range(3))
        script = driver.script(build, run, build_timeout, run_timeout, workdir, private, as_user,
                               status_file.fileno())
        group = cgroup.RunCgroup(self.limits.memory_mb << 20, self.limits.tasks) \
            if sandboxed and os.geteuid() == 0 and cgroup.flavour() else None
        filter_fd = None
        if sandboxed:
            filter_fd = os.memfd_create("repro-seccomp", 0)
            os.write(filter_fd, seccomp.sandbox_filter())
            os.lseek(filter_fd, 0, os.SEEK_SET)
        # Output goes to host temp files, not pipes: whatever reaches them (the driver's tails) is capped by
        # RLIMIT_FSIZE, and only the tails are read back; status_file takes the driver's status lines.
        wall = (build_timeout + driver.GRACE if build else 0) + run_timeout + driver.GRACE + SLACK
        try:
            argv = self._argv(stage, binds, script, filter_fd)
            seconds, struck, oom = self._spawn(argv, env, "/" if sandboxed else workdir, status_file,
                                               out_file, err_file, filter_fd, group, wall,
                                               (build_timeout if build else 0) + run_timeout)
        finally:
            if filter_fd is not None:
                os.close(filter_fd)
            if not sandboxed:
                shutil.rmtree(workdir, ignore_errors=True)
        steps = driver.parse(_tail(status_file))
        stdout, stderr = _tail(out_file), _tail(err_file)
        built = steps.get("build")
        ran = steps.get("run")
        build_failed = "setup" in steps or (built is not None and built.status != 0)
        build_timed_out = built is not None and built.status != 0 and built.seconds >= build_timeout
        timed_out = struck or (ran is not None and ran.seconds >= run_timeout)
        return Outcome(ran.status if ran and not struck else None, stdout if ran else "", stderr if ran else "",
                       timed_out, build_failed, seconds, oom, build_timed_out, stderr if build_failed else "")

    def _spawn(self, argv, env, cwd, status_file, out_file, err_file, filter_fd, group, wall, seconds_limit):
        """Start the sandbox; at the outer limit kill its process group and cgroup. (seconds, struck, oom)."""
        def setup() -> None:
            if group is not None:
                group.enter(os.getpid())
            self._rlimits(seconds_limit, group)

        pass_fds = (status_file.fileno(),) + (() if filter_fd is None else (filter_fd,))
        start = time.perf_counter()
        struck = False
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out_file, stderr=err_file, env=env,
                                    cwd=cwd, start_new_session=True, pass_fds=pass_fds, preexec_fn=setup)
            try:
                proc.wait(timeout=wall)
            except subprocess.TimeoutExpired:
                struck = True
                os.killpg(proc.pid, signal.SIGKILL)
                if group is not None:
                    group.kill()
                proc.wait()
            except BaseException:   # interrupted: leave nothing running
                os.killpg(proc.pid, signal.SIGKILL)
                if group is not None:
                    group.kill()
                proc.wait()
                raise
        finally:
            seconds = time.perf_counter() - start
            oom = False
            if group is not None:
                group.kill()
                oom = group.oom_killed()
                group.remove()
        return seconds, struck, oom


def _tail(handle, limit: int = 8192) -> str:
    """The last `limit` bytes of an output file, decoded; the file is closed (and so deleted)."""
    with handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - limit))
        return handle.read().decode("utf-8", "replace")
