"""One Rich progress display and console for the whole run, written to stderr; and how the stages of `repro all`
tell its driver how far they are.

A stage run by an executor (a worker process, a process pinned to GPUs, a Ray task) writes its training progress
to a small file (`report_to`, `report_steps`: step, total, loss, times); the driver follows the files of the
run's stages (`follow`) and shows one bar per running stage with its step, loss and ETA.
"""

from __future__ import annotations

import contextlib
import functools
import json
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

console = Console(stderr=True)
REPORT_EVERY = 1.0  # seconds between two writes of a stage's progress file

_quiet = False
_report: dict = {"path": None, "written": 0.0}


def set_quiet() -> None:
    """Draw nothing (worker processes report through the parent), nor let datasets draw its own bars."""
    import datasets

    global _quiet
    _quiet = True
    datasets.disable_progress_bars()


@functools.cache
def progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("ETA"), TimeRemainingColumn(), console=console, transient=True, disable=_quiet)


@contextlib.contextmanager
def live():
    """Show progress bars while the block runs."""
    with progress():
        yield


@contextlib.contextmanager
def stage(name: str):
    """Log a stage's start and its wall time."""
    start = time.perf_counter()
    yield
    console.log(f"[green]done[/] {name} in {time.perf_counter() - start:.1f}s")


def report_to(path: Path | None) -> None:
    """Where this process's stage reports its progress (None: nowhere)."""
    _report.update(path=path, written=0.0)


def report_steps(description: str, step: int, total: int, loss: float | None) -> None:
    """Record a training phase's progress for the driver, at most every REPORT_EVERY seconds (and at its end)."""
    path, now = _report["path"], time.time()
    if path is None or (now - _report["written"] < REPORT_EVERY and step < total):
        return
    from repro.io import atomic_json

    _report["written"] = now
    atomic_json(path, {"description": description, "step": step, "total": total, "loss": loss, "updated": now})


def read_report(path: Path) -> dict | None:
    try:
        report = json.loads(path.read_text())
    except (OSError, ValueError):  # not written yet, or being replaced
        return None
    return report if isinstance(report, dict) and {"step", "total"} <= set(report) else None


class _Follower(threading.Thread):
    """Poll the progress files under `folder` and show one bar per stage (step of total, loss, ETA)."""

    def __init__(self, folder: Path, interval: float):
        super().__init__(daemon=True, name="repro-progress")
        self.folder, self.interval = folder, interval
        self.done = threading.Event()
        self.tasks: dict[str, int] = {}
        self.finished: set[str] = set()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.poll()

    def poll(self) -> None:
        bars = progress()
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            report = None if path.stem in self.finished else read_report(path)
            if report is None:
                continue
            loss = f" loss {report['loss']:.3f}" if isinstance(report.get("loss"), (int, float)) else ""
            text = f"  {path.stem}: {report.get('description', '')}{loss}"
            if path.stem not in self.tasks:
                self.tasks[path.stem] = bars.add_task(text, total=report["total"])
            bars.update(self.tasks[path.stem], description=text, completed=report["step"], total=report["total"])

    def finish(self, name: str) -> None:
        """A stage ended: drop its bar."""
        self.finished.add(name)
        task = self.tasks.pop(name, None)
        if task is not None:
            progress().remove_task(task)


@contextlib.contextmanager
def follow(folder: Path, interval: float = 1.0):
    """Follow the stages' progress files under `folder` while the block runs; yields the follower (its
    `finish(stage)` drops a finished stage's bar)."""
    follower = _Follower(folder, interval)
    follower.start()
    try:
        yield follower
    finally:
        follower.done.set()
        follower.join()
        for name in list(follower.tasks):
            follower.finish(name)
        with contextlib.suppress(OSError):  # the stages remove their files as they end
            folder.rmdir()
