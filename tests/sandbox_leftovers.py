"""What a sandboxed run must not leave on the host, checked after each hostile and interruption test (the
`no_leftovers` fixture): no run cgroup (`repro.execution.cgroup`: run-<pid>-<hex> under repro-exec), no staging
or working folder (`repro.execution.sandbox`: repro-exec-<pid>-* in the temp dir and /dev/shm), no process of a
sample's uid, and no key of a sample's uid. The uids are the ones `fresh_uid` (the counter in
/var/lib/repro-exec/last-uid) handed out during the test, recorded as they are handed out: other runs on the
host take uids in between, so the counter's advance alone would name their live samples too. Keys:
/proc/key-users, which lists every uid owning a key; /proc/keys only shows root the keys root may view, so a
sample's own keys stay hidden there (checked too, for keys a sample made world-viewable)."""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

import pytest

from repro.execution import cgroup, sandbox

STAGING = re.compile(r"repro-exec-(\d+)-")
GROUP = re.compile(r"run-(\d+)-")


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def _owned(names: set[str], pattern: re.Pattern) -> set[str]:
    """The names whose owner (the pid in the name) is this process or gone: a live other process's folders belong
    to a run going on beside this test."""
    out = set()
    for name in names:
        found = pattern.search(Path(name).name)
        if found and (int(found.group(1)) == os.getpid() or not _alive(int(found.group(1)))):
            out.add(name)
    return out


def staging() -> set[str]:
    folders = set()
    for parent in {Path(tempfile.gettempdir()), Path("/dev/shm")}:
        if parent.is_dir():
            folders |= {str(p) for p in parent.glob("repro-exec-*")}
    return folders


def cgroups() -> set[str]:
    groups = set()
    for parent in (cgroup.ROOT / cgroup.PARENT, cgroup.ROOT / "memory" / cgroup.PARENT,
                   cgroup.ROOT / "pids" / cgroup.PARENT):
        if parent.is_dir():
            groups |= {str(p) for p in parent.iterdir() if p.is_dir() and p.name.startswith("run-")}
    return groups


def processes(uids: set[int]) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        real = re.search(r"^Uid:\s+(\d+)", status, re.M)
        if real and int(real.group(1)) in uids:
            found.append(f"{pid} (uid {real.group(1)})")
    return found


def keys(uids: set[int]) -> list[str]:
    found = []
    for line in Path("/proc/key-users").read_text().splitlines():
        uid = line.split(":")[0].strip()
        if uid.isdigit() and int(uid) in uids:
            found.append(f"key-users: {line.strip()}")
    for line in Path("/proc/keys").read_text().splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[5].isdigit() and int(fields[5]) in uids:
            found.append(f"keys: {line.strip()}")
    return found


def leftovers(before: dict, uids: set[int], patience: float = 2.0) -> dict[str, list]:
    """What is left of the runs since `before` (a `snapshot()`), the run's processes and keys given `patience`
    seconds to go (the kernel reaps and collects keys asynchronously)."""
    deadline = time.monotonic() + patience
    while True:
        left = {"staging": sorted(_owned(staging() - before["staging"], STAGING)),
                "cgroups": sorted(_owned(cgroups() - before["cgroups"], GROUP)),
                "processes": processes(uids), "keys": keys(uids)}
        if not any(left.values()) or time.monotonic() > deadline:
            return {name: found for name, found in left.items() if found}
        time.sleep(0.1)


def snapshot() -> dict:
    return {"staging": staging(), "cgroups": cgroups()}


@pytest.fixture
def no_leftovers(monkeypatch):
    """Fails the test when its runs left a staging folder, cgroup, process or key of theirs behind. Yields the
    set of uids `fresh_uid` handed out in this process; a test whose runs are in a subprocess adds theirs."""
    before, handed = snapshot(), set()

    def recorded() -> int:
        uid = real()
        handed.add(uid)
        return uid
    real = sandbox.fresh_uid
    monkeypatch.setattr(sandbox, "fresh_uid", recorded)
    yield handed
    left = leftovers(before, handed)
    assert not left, f"the run left behind: {left}"
