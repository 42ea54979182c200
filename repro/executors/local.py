"""The local executor: the stages `repro all` starts, side by side on this machine.

Without GPUs (the CPU profile) each stage runs in one of `workers` worker processes (spawned once, reused: a
tiny model gains more from two processes on two cores than from two threads in one). With GPUs each stage
runs in a new process pinned to the GPUs it needs (CUDA_VISIBLE_DEVICES), taken from a pool of the chosen ones
and given back when it ends: one GPU for a fine-tune, several under the launcher for a stage configured so,
never one GPU to two stages; a stage that needs none runs beside them with none visible.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from repro.errors import UserError
from repro.executors import devices
from repro.executors.job import FAILED, SKIPPED, Job, Outcome, execute, run_pinned, stopped


def _quiet_worker() -> None:
    from repro.progress import set_quiet

    set_quiet()


class LocalExecutor:
    """Runs stages on this machine: on `devices` (GPUs, pinned) or, with none, in `workers` processes."""

    name = "local"

    def __init__(self, gpus: list[str], workers: int):
        self.devices = list(gpus)
        self.workers = workers
        self._pool: Executor | None = None
        self._gpus: devices.Pool | None = None
        self._running: dict[Future, Job] = {}

    @property
    def has_gpus(self) -> bool:
        return bool(self.devices)

    def describe(self) -> str:
        if self.devices:
            return f"local executor: GPUs {','.join(self.devices)}, one process per stage"
        return f"local executor: {self.workers} worker processes, no GPU"

    def check(self, jobs: list[Job]) -> None:
        """Refuse, before any work, a stage that needs more GPUs than this executor has."""
        widest = max(jobs, key=lambda job: job.gpus, default=None)
        if widest is not None and widest.gpus > len(self.devices):
            raise UserError(f"{widest.name}: needs {widest.gpus} GPUs (grid.gpus), but only "
                             f"{len(self.devices)} are given ({','.join(self.devices)})")

    def __enter__(self) -> LocalExecutor:
        if self.devices:
            self._gpus = devices.Pool(self.devices)
            self._pool = ThreadPoolExecutor(max_workers=self.workers or len(self.devices))
        else:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_quiet_worker)
        return self

    def __exit__(self, *exc) -> None:
        self._pool.shutdown(wait=True, cancel_futures=exc[0] is not None)

    def submit(self, job: Job) -> None:
        """Start a stage (it waits for a worker, or for its GPUs, when none is free)."""
        self._running[self._pool.submit(self._pinned if self.devices else execute, job)] = job

    def wait(self) -> Outcome:
        """The outcome of the next submitted stage to end."""
        done, _ = wait(self._running, return_when=FIRST_COMPLETED)
        future = next(iter(done))
        job = self._running.pop(future)
        try:
            return future.result()
        except BrokenProcessPool:
            return Outcome(job.name, FAILED, message="its worker process died (killed, or out of memory?)")

    def _pinned(self, job: Job) -> Outcome:
        if stopped(job):
            return Outcome(job.name, SKIPPED)
        taken = self._gpus.acquire(job.gpus) if job.gpus else []
        try:
            return run_pinned(job, devices.pinned(dict(os.environ), taken))
        finally:
            if taken:
                self._gpus.release(taken)
