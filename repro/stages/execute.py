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
        workers: int = 1) -> dict:
    """Check every sample, write the per-sample lines to `out` atomically, return the summary."""
    from repro.execution import evaluate, pass_at_k, read_problems, read_samples
    from repro.io import atomic_text
    from repro.progress import console, live, progress

    if timeout is not None and timeout <= 0:
        raise UserError(f"--timeout {timeout}: must be positive")
    if workers < 1:
        raise UserError(f"--workers {workers}: must be at least 1")
    problems = read_problems(problems_path)
    samples = read_samples(samples_path, problems)
    with live():
        bar = progress().add_task(f"execute {samples_path.name}", total=len(samples))
        results = evaluate(problems, samples, timeout, workers, warn=lambda line: console.print(line),
                           advance=lambda n: progress().advance(bar, n))
    atomic_text(out, "".join(json.dumps(r.to_json()) + "\n" for r in results))
    outcomes = defaultdict(list)
    for result in results:
        if not result.result.startswith("skipped:"):
            outcomes[result.task_id].append(result.passed)
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
            ) -> None:
    """Execute generated code in the sandbox and score it: per-sample results and pass@k (0-100).

    Example: [bold]repro execute --problems humaneval_cpp.jsonl.gz --samples samples.jsonl --out results.jsonl[/]
    """
    typer.echo(json.dumps(run(problems, samples, out, parse_ks(k), timeout, workers)))


if __name__ == "__main__":
    typer.run(command)
