"""Stage `execute`: run generated samples against their problems' tests in the sandbox (CPU only, no torch).

Contract: --problems (HumanEval / HumanEval-X / HumanEval-XL jsonl[.gz]), --samples (samples.jsonl:
{"task_id", "completion"} lines) -> --out, one line per sample in input order: {"task_id", "completion_id",
"passed", "result"}; prints {"n_samples", "pass@k"...} (0-100, each k only where every problem executed has at
least k samples; "skipped" counts samples of a language whose toolchain is missing here).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Annotated

import typer

from repro.errors import UserError
from repro.stages.options import friendly


def parse_ks(text: str) -> list[int]:
    try:
        ks = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise UserError(f"--k {text}: not a comma-separated list of integers") from None
    if not ks or ks[0] < 1:
        raise UserError(f"--k {text}: each k must be at least 1")
    return ks


def run(problems_path: Path, samples_path: Path, out: Path, ks: list[int], timeout: float | None = None,
        workers: int = 1, resume: bool = False) -> dict:
    """Check every sample (with `resume`, those the journal of an interrupted run lacks), write the per-sample
    lines to `out` atomically, return the summary; interrupted, keep what finished and fail with one line."""
    from repro.execution import evaluate, pass_at_k, read_problems, read_samples
    from repro.execution.journal import Journal, key
    from repro.execution.runner import Interrupted
    from repro.progress import console, live, progress

    if timeout is not None and timeout <= 0:
        raise UserError(f"--timeout {timeout}: must be positive")
    if workers < 1:
        raise UserError(f"--workers {workers}: must be at least 1")
    problems = read_problems(problems_path)
    samples = read_samples(samples_path, problems)
    journal = Journal(out, [problems_path, samples_path], resume)
    todo = [s for s in samples if key(s) not in journal.done]
    try:
        with live():
            bar = progress().add_task(f"execute {samples_path.name}", total=len(todo))
            evaluate(problems, todo, timeout, workers, warn=lambda line: console.print(line),
                     advance=lambda n: progress().advance(bar, n), record=journal.record)
    except Interrupted as stop:
        raise UserError(f"{stop}: {len(journal.done)} of {len(samples)} samples done, kept in {journal.partial}; "
                        "rerun with --resume to continue") from None
    rows = journal.finish(samples)
    outcomes = defaultdict(list)
    for row in rows:
        if not row["result"].startswith("skipped:"):
            outcomes[row["task_id"]].append(row["passed"])
    summary = {"n_samples": len(samples), **pass_at_k(outcomes, ks)}
    skipped = len(samples) - sum(map(len, outcomes.values()))
    if skipped:
        summary["skipped"] = skipped
    return summary


@friendly
def command(problems: Annotated[Path, typer.Option(help="problems: HumanEval-X / HumanEval-XL jsonl or jsonl.gz")],
            samples: Annotated[Path, typer.Option(help='samples.jsonl: {"task_id", "completion"} lines')],
            out: Annotated[Path, typer.Option(help="per-sample results (jsonl), in input order")],
            k: Annotated[str, typer.Option("--k", help="pass@k for these k (comma-separated)")] = "1,10",
            timeout: Annotated[float | None, typer.Option(
                help="seconds per test run (default: the language's; builds have their own)")] = None,
            workers: Annotated[int, typer.Option(help="parallel sandboxes")] = max(1, os.cpu_count() or 1),
            resume: Annotated[bool, typer.Option(
                help="continue an interrupted run from <out>.partial (only the samples it lacks run)")] = False,
            ) -> None:
    """Execute generated code in the sandbox and score it: per-sample results and pass@k (0-100).

    Example: [bold]repro execute --problems humaneval_cpp.jsonl.gz --samples samples.jsonl --out results.jsonl[/]
    """
    typer.echo(json.dumps(run(problems, samples, out, parse_ks(k), timeout, workers, resume)))


if __name__ == "__main__":
    typer.run(command)
