"""A per-run cgroup capping memory (swap included) and the number of tasks, killed as a whole at the end.

cgroup v2 where the unified hierarchy has the memory and pids controllers and is writable; otherwise the v1
memory and pids hierarchies when writable (as on this project's build machines); otherwise none (the caller
falls back to rlimits and says so). RLIMIT_AS is not used for memory: it breaks the JVM's reservations.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PARENT = "repro-exec"


def _writable(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK)


def flavour() -> str | None:
    """"v2", "v1" or None: which per-run cgroups this process can create."""
    controllers = ROOT / "cgroup.controllers"
    if controllers.is_file():
        have = set(controllers.read_text().split())
        return "v2" if {"memory", "pids"} <= have and _writable(ROOT) else None
    if _writable(ROOT / "memory") and _writable(ROOT / "pids"):
        return "v1"
    return None


class RunCgroup:
    """Create with the limits, `enter(pid)` the run's first process (before it execs), `kill()` everything in
    it, `remove()` the folders."""

    def __init__(self, memory_bytes: int, max_tasks: int):
        self.version = flavour()
        name = f"run-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        if self.version == "v2":
            parent = ROOT / PARENT
            if not parent.is_dir():
                parent.mkdir(exist_ok=True)
                (parent / "cgroup.subtree_control").write_text("+memory +pids")
            self.dirs = [parent / name]
            self.dirs[0].mkdir()
            self._write(self.dirs[0], "memory.max", memory_bytes)
            self._write(self.dirs[0], "memory.swap.max", 0)
            self._write(self.dirs[0], "pids.max", max_tasks)
        elif self.version == "v1":
            self.dirs = [ROOT / "memory" / PARENT / name, ROOT / "pids" / PARENT / name]
            for folder in self.dirs:
                folder.mkdir(parents=True)
            self._write(self.dirs[0], "memory.limit_in_bytes", memory_bytes)
            self._write(self.dirs[0], "memory.memsw.limit_in_bytes", memory_bytes)
            self._write(self.dirs[1], "pids.max", max_tasks)
        else:
            self.dirs = []

    @staticmethod
    def _write(folder: Path, key: str, value) -> None:
        if (folder / key).exists():
            (folder / key).write_text(str(value))

    def enter(self, pid: int) -> None:
        for folder in self.dirs:
            (folder / "cgroup.procs").write_text(str(pid))

    def oom_killed(self) -> bool:
        """Whether the kernel's OOM killer struck in this cgroup (v2 memory.events, v1 memory.oom_control)."""
        if not self.dirs:
            return False
        name = "memory.events" if self.version == "v2" else "memory.oom_control"
        fields = (self.dirs[0] / name).read_text().split()
        return "oom_kill" in fields and int(fields[fields.index("oom_kill") + 1]) > 0

    def _pids(self) -> list[int]:
        pids = set()
        for folder in self.dirs:
            try:
                with open(folder / "cgroup.procs") as handle:
                    pids.update(int(line) for line in handle if line.strip())
            except FileNotFoundError:   # already removed
                continue
        return sorted(pids)

    def kill(self) -> None:
        if self.version == "v2" and (self.dirs[0] / "cgroup.kill").exists():
            (self.dirs[0] / "cgroup.kill").write_text("1")
        for _ in range(50):  # v1 (and v2 before 5.14): kill until empty; forks race, so repeat
            pids = self._pids() if self.dirs else []
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)

    def remove(self, patience: float = 300.0) -> None:
        """Remove the folders once the cgroup is empty: its last processes may take long to die (a tmpfs of a
        million files is freed as the namespace ends), so keep killing and waiting, up to `patience` seconds."""
        deadline, delay = time.monotonic() + patience, 0.005
        for folder in self.dirs:
            while folder.is_dir():
                try:
                    folder.rmdir()
                except OSError:
                    if time.monotonic() > deadline:
                        return
                    self.kill()
                    time.sleep(delay)
                    delay = min(2 * delay, 0.2)
