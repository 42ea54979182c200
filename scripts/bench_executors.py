#!/usr/bin/env python
"""The overhead of the Ray executor against the local one: the whole smoke grid, `repro all --profile smoke`, in
two fresh projects (git + DVC, like tests/conftest.py's), once per executor, on this machine (Ray: an instance
started here, on loopback, as many CPUs as the machine has, one per stage, like the local executor's workers).

    .venv/bin/python scripts/bench_executors.py [--workdir DIR] [--executors local,ray]

Prints, per executor: wall time, stages run, the stages' own seconds (their processes' work, from
logs/smoke/stages/*.json), the dispatch gap (from one stage's end to the next stage's start in the same worker
process: the executor's own per-stage cost; the largest gaps are the waits at wave ends), and for Ray the
difference per stage against the local run (wall difference / stages); then whether both metrics.json hold the
same values. Offline; takes two smoke runs (about 4 minutes each on 2
cores).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def project(where: Path) -> Path:
    """A fresh checkout-like project: code, params, dvc.yaml, in a new git + DVC repository."""
    where.mkdir(parents=True)
    for name in ("dvc.yaml", "params.yaml", "claims.yaml", ".dvcignore"):
        shutil.copy(ROOT / name, where / name)
    shutil.copytree(ROOT / "repro", where / "repro", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "init", "-q"], cwd=where, check=True)
    subprocess.run([sys.executable, "-m", "dvc", "init", "-q"], cwd=where, check=True)
    return where


def run(where: Path, executor: str) -> dict:
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "HF_HOME": str(where / ".hf"), "RAY_USAGE_STATS_ENABLED": "0"}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "repro.cli", "all", "--profile", "smoke", "--executor", executor],
                            cwd=where, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    (where / f"{executor}.log").write_text(result.stderr)
    if result.returncode:
        sys.exit(f"{executor}: repro all failed:\n{result.stderr[-3000:]}")
    records = [json.loads(path.read_text()) for path in (where / "logs/smoke/stages").glob("*.json")]
    attempts = [attempt for record in records for attempt in record["attempts"]]
    by_worker = collections.defaultdict(list)
    for attempt in attempts:
        by_worker[attempt["pid"]].append((attempt["started"], attempt["finished"]))
    gaps = sorted(later[0] - earlier[1] for spans in by_worker.values()
                  for earlier, later in zip(sorted(spans), sorted(spans)[1:]))
    return {"wall": wall, "stages": len(records), "stage_seconds": sum(a["seconds"] for a in attempts),
            "workers": len(by_worker), "gap_median": statistics.median(gaps), "gap_p90": gaps[int(0.9 * len(gaps))],
            "values": {(r["intermediate"], r["target"], r["language"], r["metric"]): r["value"]
                       for r in json.loads((where / "results/smoke/metrics.json").read_text())["results"]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, help="where the projects go (default: a temporary directory)")
    parser.add_argument("--executors", default="local,ray")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-executors-"))
    results = {}
    for executor in args.executors.split(","):
        results[executor] = run(project(workdir / executor), executor)
        r = results[executor]
        print(f"{executor}: {r['wall']:.1f} s wall, {r['stages']} stages, {r['stage_seconds']:.1f} s in the stages "
              f"({r['stage_seconds'] / r['stages']:.2f} s each), {r['workers']} worker processes, dispatch gap "
              f"median {r['gap_median'] * 1000:.0f} ms, p90 {r['gap_p90'] * 1000:.0f} ms", flush=True)
    if {"local", "ray"} <= set(results):
        local, ray = results["local"], results["ray"]
        print(f"ray against local: {ray['wall'] - local['wall']:+.1f} s wall, "
              f"{(ray['wall'] - local['wall']) / ray['stages']:+.2f} s per stage; "
              f"metrics.json values {'equal' if ray['values'] == local['values'] else 'DIFFER'} "
              f"({len(local['values'])} values)")
    print(f"projects: {workdir}")


if __name__ == "__main__":
    main()
