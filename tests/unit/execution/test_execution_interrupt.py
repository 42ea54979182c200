"""Interruptions clean up: SIGTERM to the process or SIGINT to its group, with one worker or two, while samples
run; the run stops at once, kills the sandboxes, leaves no staging folder, cgroup or process behind, exits
non-zero and hands back what finished (`repro.execution.runner.Interrupted.results`)."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from repro.errors import UserError
from repro.execution import cgroup
from repro.execution.sandbox import detect
from sandbox_leftovers import no_leftovers  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = textwrap.dedent("""
    import json, os, sys
    from repro.execution import sandbox
    from repro.execution.problems import Problem, Sample
    from repro.execution.runner import Interrupted, evaluate

    def recorded(real=sandbox.fresh_uid):   # at top level: forkserver workers import this file too
        uid = real()
        with open(os.environ["REPRO_TEST_UIDS"], "a") as handle:
            handle.write(f"{uid}\\n")
        return uid
    sandbox.fresh_uid = recorded

    def main():
        marker, workers = sys.argv[1], int(sys.argv[2])
        problem = Problem("Python/0", "python", "humaneval-x", "import subprocess, time\\n\\ndef f():\\n",
                          "def check(candidate):\\n    assert candidate() == 1\\n", entry_point="f")
        slow = ("    subprocess.Popen(['bash', '-c', 'exec -a repro-int-%s sleep 300'], start_new_session=True)\\n"
                "    time.sleep(300)\\n" % marker)
        samples = [Sample("Python/0", 0, "    return 1\\n")] + [Sample("Python/0", i, slow) for i in range(1, 6)]
        try:
            evaluate({"Python/0": problem}, samples, timeout=600, workers=workers, warn=print)
        except Interrupted as stop:
            print(json.dumps([r and r.result for r in stop.results]), flush=True)
            sys.exit(128 + stop.signum)

    if __name__ == "__main__":
        main()
""")


def _leftovers(marker: str, tmp: Path) -> dict:
    staging = {p.name for p in tmp.glob("repro-exec-*")}  # the run's own TMPDIR: not another run's folders
    groups = set()
    for parent in (cgroup.ROOT / cgroup.PARENT, cgroup.ROOT / "memory" / cgroup.PARENT,
                   cgroup.ROOT / "pids" / cgroup.PARENT):
        if parent.is_dir():
            groups |= {str(p) for p in parent.iterdir() if p.is_dir() and p.name.startswith("run-")}
    processes = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if f"repro-int-{marker}".encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                processes.append(pid)
        except OSError:
            continue
    return {"staging": staging, "cgroups": groups, "processes": processes}


def _owner(group: str) -> str:
    """The pid in a sandbox cgroup's name (repro.execution.cgroup: run-<pid>-<nonce>)."""
    return group.rsplit("/", 1)[1].split("-")[1]


def _session(pid: int) -> set[str]:
    found = subprocess.run(["pgrep", "-s", str(pid)], capture_output=True, text=True).stdout.split()
    return {str(pid), *found}


@pytest.mark.parametrize("workers, how", [(1, "SIGTERM"), (2, "SIGTERM"), (2, "SIGINT to the group")])
def test_an_interrupted_run_cleans_up_and_keeps_what_finished(tmp_path, workers, how, no_leftovers):
    try:
        if detect() == "none":
            pytest.skip("checks the sandbox's cleanup")
    except UserError as exc:
        pytest.skip(str(exc))
    marker = uuid.uuid4().hex[:12]
    (tmp_path / "run.py").write_text(SCRIPT)
    uids = tmp_path / "uids"   # the samples' uids, for the no_leftovers check of their processes and keys
    uids.touch()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    before = _leftovers(marker, tmp)
    proc = subprocess.Popen([sys.executable, str(tmp_path / "run.py"), marker, str(workers)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "REPRO_TEST_UIDS": str(uids), "TMPDIR": str(tmp)},
                            stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _leftovers(marker, tmp)["processes"] and time.monotonic() < deadline:   # a slow sample is running
            time.sleep(0.1)
        running = _leftovers(marker, tmp)
        assert running["processes"], "the slow sample never started"
        ours = _session(proc.pid)  # the run's processes: only their cgroups count (others may run beside it)
        if running["cgroups"] - before["cgroups"]:
            assert any(_owner(group) in ours for group in running["cgroups"] - before["cgroups"]), ours
        assert running["staging"] - before["staging"], "the run stages its samples elsewhere than its TMPDIR"
        time.sleep(0.5)
        start = time.monotonic()
        if how == "SIGTERM":
            proc.send_signal(signal.SIGTERM)
        else:
            os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        took = time.monotonic() - start
    finally:
        if proc.poll() is None:   # the test failed: leave nothing running (its own SIGTERM path cleans up)
            proc.terminate()
            proc.wait(timeout=60)
    assert proc.returncode != 0 and took < 15, (proc.returncode, took, out[-500:])
    finished = json.loads(out.strip().splitlines()[-1])
    assert finished[0] == "passed" and len(finished) == 6 and finished.count(None) >= 4, finished
    time.sleep(0.3)
    after = _leftovers(marker, tmp)
    assert after["processes"] == [], "a sample's process outlived the run"
    assert after["staging"] <= before["staging"], after["staging"] - before["staging"]
    left = {group for group in after["cgroups"] - before["cgroups"] if _owner(group) in ours}
    assert not left, left
    for _ in range(50):   # the forkserver and resource tracker leave once the run has gone
        children = subprocess.run(["pgrep", "-a", "-s", str(proc.pid)], capture_output=True, text=True).stdout
        if not children:
            break
        time.sleep(0.1)
    assert not children, f"processes of the run's session remain: {children}"
    no_leftovers.update(int(line) for line in uids.read_text().split())
    if os.geteuid() == 0:
        assert no_leftovers, "the samples' uids were not recorded"
