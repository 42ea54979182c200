#!/usr/bin/env python3
"""Execution throughput per language: samples/s with 1 and N workers in the sandbox, and the sandbox's overhead per
sample against running the same programs bare (REPRO_SANDBOX=none: the same build and run commands in a temp
folder, without namespaces, cgroup, setpriv or seccomp). Programs: the first --per-language canonical HumanEval-X
solutions (from --real-data; five times as many for Python and JavaScript). Goals (issue 11): overhead <= 50 ms
per sample, >= 1.8x throughput with 2 workers.

    python scripts/bench_execute.py [--per-language 8] [--workers 2] [--languages python,cpp] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from repro.execution import evaluate, missing, read_problems
from repro.execution.problems import Sample
from repro.execution.runner import Result
from repro.execution.sandbox import Sandbox, detect

QUICK = 5   # Python and JavaScript samples take ~0.1 s: five times as many, so the pool's start-up does not dominate
FILES = {"python": "python", "cpp": "cpp", "java": "java", "js": "js", "go": "go", "rust": "rust"}


def _timed(problems, samples, workers: int) -> tuple[float, list[Result]]:
    start = time.perf_counter()
    results = evaluate(problems, samples, workers=workers, warn=lambda line: None)
    return time.perf_counter() - start, results


def _bare(problems, samples) -> float:
    from repro.execution.runner import check
    sandbox = Sandbox("none")
    start = time.perf_counter()
    for sample in samples:
        check(problems[sample.task_id], sample, sandbox=sandbox)
    return time.perf_counter() - start


def fixed_cost(repeats: int = 30) -> dict:
    """The sandbox's own cost per sample: a program that does nothing (`true`), sandboxed vs bare, median ms."""
    import statistics

    def median_ms(mode: str) -> float:
        sandbox, times = Sandbox(mode), []
        for _ in range(repeats):
            outcome = sandbox.run({"main.txt": ""}, [], ["true"], {}, {}, 10, 10)
            assert outcome.returncode == 0, outcome.stderr
            times.append(1000 * outcome.seconds)
        return statistics.median(times)
    sandboxed, bare = median_ms(detect()), median_ms("none")
    return {"sandboxed_ms": sandboxed, "bare_ms": bare, "overhead_ms": sandboxed - bare}


def bench(real: Path, languages: list[str], per_language: int, workers: int) -> list[dict]:
    rows = []
    for language in languages:
        if missing(language):
            print(f"skipping {missing(language)}")
            continue
        problems = read_problems(real / f"humaneval_{FILES[language]}.jsonl.gz")
        chosen = list(problems)[:per_language * (QUICK if language in ("python", "js") else 1)]
        samples = [Sample(t, 0, problems[t].canonical_solution) for t in chosen]
        evaluate(problems, samples[:1], warn=lambda line: None)   # warm the caches and the page cache
        one, results = _timed(problems, samples, 1)
        many, _ = _timed(problems, samples, workers)
        bare = _bare(problems, samples)
        rows.append({"language": language, "samples": len(samples), "passed": sum(r.passed for r in results),
                     "per_s_1": len(samples) / one, f"per_s_{workers}": len(samples) / many,
                     "speedup": one / many, "bare_ms": 1000 * bare / len(samples),
                     "sandbox_ms": 1000 * one / len(samples),
                     "overhead_ms": 1000 * (one - bare) / len(samples)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-data", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "real-data" / "humaneval-x")
    parser.add_argument("--languages", default=",".join(FILES))
    parser.add_argument("--per-language", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    fixed = fixed_cost()
    rows = bench(args.real_data, args.languages.split(","), args.per_language, args.workers)
    load = os.getloadavg()[0]
    if args.json:
        print(json.dumps({"sandbox": detect(), "workers": args.workers, "load": load, "fixed": fixed, "rows": rows},
                         indent=1))
        return
    print(f"sandbox: {detect()}, {os.cpu_count()} cores, load average {load:.1f}, "
          f"{args.per_language} samples per language")
    print(f"fixed cost of the sandbox (a program that does nothing, median of 30): {fixed['sandboxed_ms']:.0f} ms "
          f"sandboxed vs {fixed['bare_ms']:.0f} ms bare = {fixed['overhead_ms']:.0f} ms overhead per sample")
    print(f"{'language':9} {'passed':>6} {'1 worker/s':>11} {f'{args.workers} workers/s':>12} {'speedup':>8} "
          f"{'bare ms':>8} {'sandbox ms':>10} {'overhead ms':>11}")
    for r in rows:
        print(f"{r['language']:9} {r['passed']:>3}/{r['samples']:<2} {r['per_s_1']:>11.2f} "
              f"{r[f'per_s_{args.workers}']:>12.2f} {r['speedup']:>7.2f}x {r['bare_ms']:>8.0f} "
              f"{r['sandbox_ms']:>10.0f} {r['overhead_ms']:>11.0f}")


if __name__ == "__main__":
    main()
