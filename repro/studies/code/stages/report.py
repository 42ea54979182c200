"""Stage `code-report`: the code study's metrics, answers and figures under results/<profile>/code/.

metrics.json: {"profile", "results": [{"model", "target_phase", "arm", "intermediate", "seed", "benchmark",
"programming_language", "natural_language", "metric", "value"}]} (0-100): greedy pass@1 and sampled pass@k
(`pass@k (T=0.2)`) of every executed file, and each arm's English-dev scores (exact match, ROUGE) of its
intermediate tasks (target_phase false: measured before any target phase). `model`: the decoder's Hub id or smoke
name; `arm`: `<task>`, `<task>+translated`, `<task>@<lang>[,...]`, `cnn_dailymail`, `lm_control`, `multitask`,
`none`. answer.json / answer.md: the contrasts of `repro.studies.code.answer`; figures/: pass@1 per arm and
language, and the prompt-language gap changes.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from repro.io import atomic_json, atomic_text
from repro.studies.code.params import LM_CONTROL, NO_INTERMEDIATE, SHUFFLED, TRANSLATED, arm_name, translations_only
from repro.studies.code.stages.common import load, study
from repro.stages.options import ParamsOpt, ProfileOpt, friendly

MISSING = ["multilingual intermediate training on several languages' own (not translated) data: the arms here "
           "translate English task data (`<task>+translated`, `<task>@<lang>,...`)"]


def intermediate_of(code, arm: str) -> str:
    if arm == NO_INTERMEDIATE:
        return "none"
    if arm == LM_CONTROL:
        return "language modelling on cnn_dailymail articles"
    if arm in TRANSLATED:
        return f"{TRANSLATED[arm]} + its translations"
    if arm in SHUFFLED:
        return f"{SHUFFLED[arm]} with its operation words paired with the wrong operations (negative control)"
    only = translations_only(arm)
    if only is not None:
        return f"{only[0]} translated into {', '.join(only[1])} (no English)"
    return "+".join(code.tasks_of(arm))


def _base(code, record: dict, target_phase: bool) -> dict:
    return {"model": code.model_id(record["model"]), "target_phase": target_phase, "arm": arm_name(record["arm"]),
            "intermediate": intermediate_of(code, record["arm"]), "seed": record["seed"]}


def rows(code, executed: list[dict], logs: list[dict]) -> list[dict]:
    out = []
    for summary in executed:
        base = _base(code, summary, summary["target_phase"])
        for entry in summary["files"]:
            if entry["skipped"]:
                continue
            axes = {k: entry[k] for k in ("benchmark", "programming_language", "natural_language")}
            suffix = "" if entry["mode"] == "greedy" else f" (T={entry['mode'][1:]})"   # mode t0.2: T=0.2
            for metric, value in entry["pass_at_k"].items():
                out.append({**base, **axes, "metric": metric + suffix, "value": value})
    for log in logs:
        base = _base(code, log, False)
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
    runs = [(model, arm, seed) for model in code.models for arm in code.arms for seed in code.seeds]
    for model, arm, seed in runs:
        for target in code.target_phase:
            summary = code_layout.executed(model, arm, seed, target) / "summary.json"
            if summary.is_file():
                executed.append(json.loads(summary.read_text()))
        log = code_layout.training_log(model, arm, seed)
        if arm != NO_INTERMEDIATE and log.is_file():
            logs.append(json.loads(log.read_text()))
    results = rows(code, executed, logs)
    atomic_json(code_layout.metrics, {"profile": profile.name, "results": results})
    records = code_answer.answers(code, executed)
    answer = {"profile": profile.name, "metrics": [m[2] for m in code_answer.metrics(code)], "answers": records,
              "budget": code.budget.model_dump(), "target": code.target.model_dump(), "missing": MISSING}
    atomic_json(code_layout.answer_json, answer)
    planted = _planted(profile, layout)
    if planted is not None:  # the verdicts read answer.json and metrics.json as just written
        atomic_json(code_layout.answer_json, {**answer, "planted": planted})
    atomic_text(code_layout.answer_md, code_answer.markdown(records, profile.name, MISSING, planted))
    first = code.model_id(code.models[0]), code.target_phase[0]  # the figures show the first model and phase
    by_pl: dict = {}
    for r in results:
        if r["metric"] == "pass@1" and r["benchmark"] == "humaneval-x" and (r["model"], r["target_phase"]) == first:
            by_pl.setdefault(r["arm"], {}).setdefault(r["programming_language"], []).append(r["value"])
    code_plots.bars({a: {k: sum(v) / len(v) for k, v in cols.items()} for a, cols in by_pl.items()},
                    f"HumanEval-X greedy pass@1 ({first[0]}, target phase {str(first[1]).lower()})", "pass@1",
                    code_layout.figures / "pass1_by_language.png")
    gaps: dict = {}
    for r in records:
        if (r["group"], r["estimand"], r["benchmark"], r["model"], r["target_phase"]) == \
                ("vs no intermediate", "gap_change", "humaneval-xl", *first) and r["mean"] is not None \
                and r["programming_language"] != "all":
            gaps.setdefault(r["task"], {})[r["natural_language"]] = r["mean"]
    code_plots.bars(gaps, "HumanEval-XL: change of the English -> prompt-language gap vs none (pass@1)",
                    "gap change", code_layout.figures / "prompt_language_gap_change.png")
    return code_layout.results


def _planted(profile, layout) -> list[dict] | None:
    """The code claims of claims_planted.yaml judged on this run (`repro.report.planted`), on the smoke world only
    (its planted effects are built into the smoke data); None elsewhere."""
    if profile.data.origin != "smoke":
        return None
    from repro.report import planted
    from repro.studies.code.claims import subject

    return planted.to_json(planted.verify(layout, study="code", reader=subject))


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
