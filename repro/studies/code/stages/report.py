"""Stage `code-report`: the code study's metrics, answers and figures under results/<profile>/code/.

metrics.json: {"profile", "results": [{"arm", "intermediate", "seed", "benchmark", "programming_language",
"natural_language", "metric", "value"}]} (0-100): greedy pass@1 and sampled pass@k (`pass@k (T=0.2)`) of every
executed file, and each arm's English-dev scores (exact match, ROUGE) of its intermediate tasks. answer.json / answer.md: the
contrasts of `repro.studies.code.answer`; figures/: pass@1 per arm and language, prompt-language drops.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from repro.io import atomic_json, atomic_text
from repro.studies.code.params import LM_CONTROL, NO_INTERMEDIATE, TRANSLATED
from repro.studies.code.stages.common import load, study
from repro.stages.options import ParamsOpt, ProfileOpt, friendly

MISSING = ["multilingual intermediate training (several languages' own data, the multilingual study's arms) vs "
           "English-only on code: not run yet; the `<task>+translated` arms (English + machine translations at "
           "the same budget) are the one non-English comparison here"]


def intermediate_of(code, arm: str) -> str:
    if arm == NO_INTERMEDIATE:
        return "none"
    if arm == LM_CONTROL:
        return "language modelling on cnn_dailymail articles"
    if arm in TRANSLATED:
        return f"{TRANSLATED[arm]} + its translations"
    return "+".join(code.tasks_of(arm))


def rows(code, executed: list[dict], logs: list[dict]) -> list[dict]:
    out = []
    for summary in executed:
        base = {"arm": summary["arm"], "intermediate": intermediate_of(code, summary["arm"]), "seed": summary["seed"]}
        for entry in summary["files"]:
            if entry["skipped"]:
                continue
            axes = {k: entry[k] for k in ("benchmark", "programming_language", "natural_language")}
            suffix = "" if entry["mode"] == "greedy" else f" (T={entry['mode'][1:]})"   # mode t0.2: T=0.2
            for metric, value in entry["pass_at_k"].items():
                out.append({**base, **axes, "metric": metric + suffix, "value": value})
    for log in logs:
        base = {"arm": log["arm"], "intermediate": intermediate_of(code, log["arm"]), "seed": log["seed"]}
        for task, scores in log["english_dev"].items():
            out += [{**base, "benchmark": f"{task} (English dev)", "programming_language": None,
                     "natural_language": "English", "metric": metric, "value": value}
                    for metric, value in scores.items()]
    return out


def run(profile, layout) -> Path:
    code, code_layout, _ = study(profile, layout)
    from repro.studies.code import answer as code_answer
    from repro.studies.code import plots as code_plots

    executed, logs = [], []
    for arm in code.arms:
        for seed in code.seeds:
            summary = code_layout.executed(arm, seed) / "summary.json"
            if summary.is_file():
                executed.append(json.loads(summary.read_text()))
            log = code_layout.training_log(arm, seed)
            if arm != NO_INTERMEDIATE and log.is_file():
                logs.append(json.loads(log.read_text()))
    results = rows(code, executed, logs)
    atomic_json(code_layout.metrics, {"profile": profile.name, "results": results})
    records = code_answer.answers(code, executed)
    atomic_json(code_layout.answer_json, {"profile": profile.name, "metrics": [m[2] for m in code_answer.metrics(code)],
                                          "answers": records,
                                          "budget": code.budget.model_dump(), "missing": MISSING})
    atomic_text(code_layout.answer_md, code_answer.markdown(records, profile.name, MISSING))
    greedy = [r for r in results if r["metric"] == "pass@1"]
    by_pl = {arm: {} for arm in code.arms}
    for r in greedy:
        if r["benchmark"] == "humaneval-x":
            by_pl[r["arm"]].setdefault(r["programming_language"], []).append(r["value"])
    code_plots.bars({a: {k: sum(v) / len(v) for k, v in cols.items()} for a, cols in by_pl.items()},
                    "HumanEval-X greedy pass@1", "pass@1", code_layout.figures / "pass1_by_language.png")
    drops = {}
    for r in (r for r in records if r["group"] == "prompt-language drop" and r["mean"] is not None):
        drops.setdefault(r["task"], {})[r["natural_language"]] = r["mean"]
    code_plots.bars(drops, "HumanEval-XL: English - other prompt language (pass@1)", "drop",
                    code_layout.figures / "prompt_language_drop.png")
    return code_layout.results


@friendly
def command(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """The code study's metrics.json, answer.{md,json} and plots under results/<profile>/code/.

    Example: [bold]repro code-report --profile smoke[/]
    """
    config, layout = load(params, profile, threads=False)
    out = run(config, layout)
    typer.echo(f"answer -> {out / 'answer.md'}")


if __name__ == "__main__":
    typer.run(command)
