"""One stage as an executor runs it, wherever that is: a worker process here, a process pinned to its GPUs, a
Ray task on another node, or the processes of a launcher.

`execute` runs the stage's module in the calling process and writes what happened to
`logs/<profile>/stages/<stage>.json`: each attempt's host, Ray node, process, the devices it saw
(CUDA_VISIBLE_DEVICES), start, end, status; a stage's own error becomes a failed outcome with one line (the
traceback goes to `<stage>.log` beside it), never an exception, so no executor mistakes it for a lost worker and
retries it. `run_pinned` runs the same in a new process with a given environment (its GPUs), under the
DeepSpeed launcher or torchrun for a stage of several GPUs. A stage of a run that was told to stop (another
stage failed) is skipped before it starts. `python -m repro.executors.job JOB_JSON` is the process entry.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from repro.errors import UserError
from repro.io import atomic_json

DONE, FAILED, SKIPPED, RUNNING = "done", "failed", "skipped", "running"
USER_ERRORS = (UserError,)  # what `repro.stages.options.friendly` prints as one line


@dataclass(frozen=True)
class Job:
    """A stage and what it needs; plain data, so it travels to any process or node."""

    name: str  # the dvc.yaml stage name
    module: str  # the module whose run(profile, layout, *args) is the stage
    args: tuple[str, ...]
    root: str  # the project directory, absolute: the same path on every node (a shared filesystem)
    params: str  # the params file, absolute
    profile: str
    run_id: str  # one `repro all`: a retry finds its earlier attempts, a stop concerns this run only
    gpus: int = 0
    cpus: int = 1
    memory: int | None = None  # bytes of host memory
    launcher: str = "deepspeed"  # for a stage of several GPUs

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Job:
        fields = json.loads(text)
        return cls(**{**fields, "args": tuple(fields["args"])})


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str  # done | failed | skipped
    seconds: float = 0.0  # the stage's own run time (its process, not the executor's dispatch)
    message: str = ""  # a failure in one line


def logs(root: str | Path, profile: str) -> Path:
    return Path(root) / "logs" / profile


def record_path(job: Job) -> Path:
    return logs(job.root, job.profile) / "stages" / f"{job.name}.json"


def log_path(job: Job) -> Path:
    return logs(job.root, job.profile) / "stages" / f"{job.name}.log"


def stop_path(root: str | Path, profile: str, run_id: str) -> Path:
    """Present once the run was told to stop: stages not yet started are skipped (on every node)."""
    return logs(root, profile) / "runs" / f"{run_id}.stop"


def progress_path(job: Job) -> Path:
    """Where the stage reports its training progress while it runs (`repro.progress.report_steps`)."""
    return progress_dir(job.root, job.profile, job.run_id) / f"{job.name}.json"


def progress_dir(root: str | Path, profile: str, run_id: str) -> Path:
    return logs(root, profile) / "runs" / run_id


def stopped(job: Job) -> bool:
    return stop_path(job.root, job.profile, job.run_id).exists()


def read_record(job: Job) -> dict:
    """The stage's record in this run ({"stage", "run", "attempts": [...]}); empty attempts if none yet."""
    try:
        record = json.loads(record_path(job).read_text())
    except (OSError, ValueError):
        record = {}
    if record.get("run") != job.run_id:
        record = {"stage": job.name, "run": job.run_id, "attempts": []}
    return record


def _visible() -> list[str] | None:
    names = os.environ.get("CUDA_VISIBLE_DEVICES")
    return None if names is None else [name for name in names.split(",") if name]


def _node() -> str | None:
    """The Ray node this process runs on (a launched stage's processes learn it from their parent)."""
    if "ray" in sys.modules:
        import ray

        if ray.is_initialized():
            return ray.get_runtime_context().get_node_id()
    return os.environ.get("REPRO_RAY_NODE")


def _begin(job: Job) -> None:
    record = read_record(job)
    record["attempts"].append({"host": socket.gethostname(), "node": _node(), "pid": os.getpid(),
                               "devices": _visible(), "started": time.time(), "status": RUNNING})
    atomic_json(record_path(job), record)


def _end(job: Job, outcome: Outcome) -> None:
    record = read_record(job)
    record["attempts"][-1].update(finished=time.time(), seconds=outcome.seconds, status=outcome.status,
                                  message=outcome.message)
    atomic_json(record_path(job), record)


def _log(job: Job, text: str) -> None:
    path = log_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        handle.write(text)


def one_line(exc: BaseException) -> str:
    """An error as one line: a user's error as `friendly` prints it, anything else with its type."""
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
    first = next((line.strip() for line in str(text).splitlines() if line.strip()), "")
    if isinstance(exc, USER_ERRORS) and first:
        return first
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def execute(job: Job) -> Outcome:
    """Run the stage in this process (its devices already pinned) and record how it ran."""
    if not Path(job.root).is_dir():
        return Outcome(job.name, FAILED, message=f"{job.root}: no such directory on {socket.gethostname()}; every "
                                                 f"node needs the project at the same path (a shared filesystem)")
    if stopped(job):
        return Outcome(job.name, SKIPPED)
    os.chdir(job.root)  # the layout's paths are relative to the project directory
    lead = int(os.environ.get("RANK", "0")) == 0  # under a launcher rank 0 records; the others only train
    if lead:
        _begin(job)
    start = time.perf_counter()
    from repro import progress

    try:
        from repro.stages.options import load

        profile, layout = load(Path(job.params), job.profile)
        progress.set_quiet()
        progress.report_to(progress_path(job) if lead else None)
        importlib.import_module(job.module).run(profile, layout, *job.args)
        outcome = Outcome(job.name, DONE, time.perf_counter() - start)
    except Exception as exc:  # the stage's own error: reported, not retried
        _log(job, traceback.format_exc())
        where = os.path.relpath(log_path(job), job.root)
        outcome = Outcome(job.name, FAILED, time.perf_counter() - start, f"{one_line(exc)} (traceback: {where})")
    finally:
        progress.report_to(None)
        if lead:
            progress_path(job).unlink(missing_ok=True)
    if lead:
        _end(job, outcome)
    return outcome


def _executable(name: str) -> str | None:
    beside = Path(sys.executable).parent / name  # the launcher of this environment, even if not on PATH
    return str(beside) if beside.is_file() else shutil.which(name)


def run_pinned(job: Job, environ: dict[str, str]) -> Outcome:
    """Run the stage in a new process with `environ` (which pins its GPUs), or under the launcher as one process
    per GPU for a stage of several; its output goes to the stage's log."""
    from repro.executors import devices

    if stopped(job):
        return Outcome(job.name, SKIPPED)
    entry = ["repro.executors.job", job.to_json()]
    command = [sys.executable, "-m", *entry]
    if job.gpus > 1:
        command = devices.launch_command(entry, job.gpus, job.launcher, devices.free_port())
        executable = _executable(command[0])
        if executable is None:
            return Outcome(job.name, FAILED, message=f"{command[0]}: not found beside {sys.executable} nor on PATH")
        command[0] = executable
    before = len(read_record(job)["attempts"])
    path = log_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as log:
        code = subprocess.call(command, cwd=job.root, env=environ, stdout=log, stderr=subprocess.STDOUT)
    attempts = read_record(job)["attempts"]
    if len(attempts) > before and attempts[-1]["status"] in (DONE, FAILED):
        last = attempts[-1]
        return Outcome(job.name, last["status"], last["seconds"], last["message"])
    if len(attempts) == before and stopped(job):
        return Outcome(job.name, SKIPPED)
    return Outcome(job.name, FAILED, message=f"its process exited with code {code} before the stage finished "
                                             f"(log: {os.path.relpath(path, job.root)})")


def main(argv: list[str]) -> int:
    """The entry of a pinned or launched stage process (DeepSpeed's launcher appends `--local_rank=N`: ranks
    come from the environment)."""
    job = Job.from_json(argv[1])
    outcome = execute(job)
    if outcome.status == FAILED:
        print(f"error: {job.name}: {outcome.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
