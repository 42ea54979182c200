"""Stage `code-execute`: run one arm's samples (one seed) in the sandbox (`repro.execution`) and write, per
samples file, one result line per sample ({"task_id", "completion_id", "passed", "result"}, input order) and the
pass@k summary: results/<profile>/code/executed/<model>/target-<true|false>/<arm>-s<seed>/<set>.<mode>.jsonl and
summary.json.

CPU only, and never imports torch: it runs in the execution image, apart from the GPU machine. It reads only
`code.execution` (timeout, workers, k) and the problems and samples, so a timeout change reruns execution alone;
every mode the generation wrote is run (`greedy`, and one per sampling temperature: `t0.2`, ...).
A language without its toolchain is skipped with one line (its samples fail as "skipped: ...", and the summary
marks the file skipped rather than scoring it 0).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from repro.studies.code.stages.common import ArmOpt, ModelOpt, SeedOpt, TargetOpt, code_of, require, study
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, run_stage


def run(profile, layout, model_name: str, arm: str, seed, target_phase, warn=print) -> Path:
    code, code_layout, seed = study(profile, layout, arm, seed, model_name)
    from repro.execution import evaluate, pass_at_k, read_problems, read_samples
    from repro.io import atomic_dir, atomic_json
    from repro.studies.code.paths import eval_sets, parse_target

    target = parse_target(target_phase)
    samples_dir = require(code_layout.samples(model_name, arm, seed, target), "samples",
                          f"repro code-generate --profile {profile.name} --model {model_name} --arm {arm} "
                          f"--seed {seed} --target-phase {str(target).lower()}")
    ex = code.execution
    files = []
    with atomic_dir(code_layout.executed(model_name, arm, seed, target)) as out:
        for eval_set in eval_sets(code):
            problems = read_problems(code_layout.problems(eval_set))
            for path in sorted(samples_dir.glob(f"{eval_set.name}.*.jsonl")):
                mode = path.name[len(eval_set.name) + 1:-len(".jsonl")]
                samples = read_samples(path, problems)
                results = evaluate(problems, samples, timeout=ex.timeout, workers=ex.workers, warn=warn)
                (out / path.name).write_text("".join(json.dumps(r.to_json()) + "\n" for r in results))
                outcomes: dict[str, list[bool]] = {}
                for result in results:
                    outcomes.setdefault(result.task_id, []).append(result.passed)
                skipped = next((r.result for r in results if r.result.startswith("skipped")), None)
                files.append({"benchmark": eval_set.benchmark, "programming_language": eval_set.programming_language,
                              "natural_language": eval_set.natural_language, "mode": mode,
                              "n_samples": len(samples), "skipped": skipped,
                              "per_problem": {t: sum(p) / len(p) for t, p in outcomes.items()},
                              "pass_at_k": {} if skipped else pass_at_k(outcomes, ex.k)})
        atomic_json(out / "summary.json", {"model": model_name, "target_phase": target, "arm": arm, "seed": seed,
                                           "execution": ex.model_dump(), "files": files})
    return code_layout.executed(model_name, arm, seed, target)


@friendly
def command(model: ModelOpt, arm: ArmOpt, seed: SeedOpt, target_phase: TargetOpt = "true",
            params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """Run one run's samples in the sandbox: per-sample results and pass@k (CPU only; no torch).

    Example: [bold]repro code-execute --profile smoke --model tiny_code --arm none --seed 0 --target-phase true[/]
    """
    run_stage(params, profile, f"code execute {model} {arm} s{seed} target {target_phase}", run, model, arm, seed,
              target_phase, done=_pass_rates, check=code_of, threads=False)


def _pass_rates(out: Path) -> str:
    """One line per executed file: its pass@k, or why it was skipped."""
    files = json.loads((out / "summary.json").read_text())["files"]
    return "\n".join(f"{entry['benchmark']} {entry['programming_language']} {entry['natural_language']} "
                     f"{entry['mode']}: {entry['skipped'] or json.dumps(entry['pass_at_k'])}" for entry in files)


if __name__ == "__main__":
    typer.run(command)
