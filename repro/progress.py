"""One Rich progress display and console for the whole run, written to stderr."""

from __future__ import annotations

import contextlib
import functools
import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(stderr=True)


_quiet = False


def set_quiet() -> None:
    """Draw nothing (worker processes report through the parent), nor let datasets draw its own bars."""
    import datasets

    global _quiet
    _quiet = True
    datasets.disable_progress_bars()


@functools.cache
def progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True, disable=_quiet)


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
