"""The code study's answers: contrasts of greedy pass@1 between arms, paired by problem, with bootstrap
confidence intervals, written as records of the multilingual study's fields (`contrast`, `task`, `group`,
`languages`, `mean`, `ci_low`, `ci_high`, `p_value`, `n`) plus the benchmark's axes; `languages` lists the
programming (or prompt) languages a contrast pools.

Cell: one problem of one problems file, its pass rate averaged over the seeds (0-100). Statistics are
`repro.report.statistics.bootstrap_contrast`'s (the multilingual study's): each file (task) weighs equally, each
problem equally within it; the bootstrap resamples problems (unit `example`), percentile 95% interval, two-sided
bootstrap p-value.
"""

from __future__ import annotations

import numpy as np

from repro.studies.code.params import LM_CONTROL, MULTITASK, NO_INTERMEDIATE, SUMMARIZATION, TRANSLATED
from repro.report.statistics import bootstrap_contrast

RESAMPLES = 2000
FIELDS = ("seed", "target", "language", "example")  # a cell: (seeds pooled, programming language, prompt language,
#                                                      problem)


def paired(differences: dict[tuple, float], key: str = "", resamples: int = RESAMPLES) -> dict:
    """{mean, ci_low, ci_high, p_value, n} of paired differences {cell: treatment - control} (0-100)."""
    if not differences:
        return {"mean": None, "ci_low": None, "ci_high": None, "p_value": None, "n": 0}
    return bootstrap_contrast(differences, FIELDS, "example", n_resamples=resamples, key=key)


def per_problem(executed: list[dict], arm: str, benchmark: str, programming: str, natural: str) -> dict[str, float]:
    """{task_id: greedy pass rate (0-100) averaged over the seeds} of one arm on one problems file."""
    sums: dict[str, list[float]] = {}
    for summary in executed:
        if summary["arm"] != arm:
            continue
        for entry in summary["files"]:
            if (entry["benchmark"], entry["programming_language"], entry["natural_language"], entry["mode"]) == \
                    (benchmark, programming, natural, "greedy") and not entry["skipped"]:
                for task, rate in entry["per_problem"].items():
                    sums.setdefault(task, []).append(100.0 * rate)
    return {task: float(np.mean(rates)) for task, rates in sums.items()}


def _delta(a: dict[str, float], b: dict[str, float], programming: str = "", natural: str = "") -> dict:
    """Paired cells {(seeds, programming, natural, problem): a - b} of the problems both have."""
    return {("mean", programming, natural, t): a[t] - b[t] for t in sorted(a) if t in b}


def _pooled(a: dict[tuple, float], b: dict[tuple, float]) -> dict:
    """Paired cells of two arms' {(programming language, problem): rate} over HumanEval-X's languages."""
    return {("mean", pl, "English", t): a[(pl, t)] - b[(pl, t)] for pl, t in sorted(a) if (pl, t) in b}


def answers(code, executed: list[dict]) -> list[dict]:
    """Every contrast of the study (see the module docstring)."""
    from repro.studies.code.paths import eval_sets

    sets = eval_sets(code)
    x_sets = [s for s in sets if s.benchmark == "humaneval-x"]
    xl_sets = [s for s in sets if s.benchmark == "humaneval-xl"]
    arms = code.trained_arms
    records = []

    def record(contrast: str, task: str, group: str, languages: list[str], deltas: dict, **axes) -> None:
        key = "|".join([contrast, task, group, *languages, *map(str, axes.values())])
        records.append({"contrast": contrast, "task": task, "group": group, "languages": languages, **axes,
                        **paired(deltas, key)})

    def rates(arm: str, s) -> dict[str, float]:
        return per_problem(executed, arm, s.benchmark, s.programming_language, s.natural_language)

    # 1. pass@1 delta vs no intermediate phase, per arm and programming language (and pooled)
    for arm in arms:
        pooled = {}
        for s in x_sets + xl_sets:
            deltas = _delta(rates(arm, s), rates(NO_INTERMEDIATE, s), s.programming_language, s.natural_language)
            pooled.update(deltas if s.benchmark == "humaneval-x" else {})
            record(f"{arm} - none", arm, "vs no intermediate", [s.programming_language], deltas,
                   benchmark=s.benchmark, programming_language=s.programming_language,
                   natural_language=s.natural_language)
        record(f"{arm} - none", arm, "vs no intermediate", [s.programming_language for s in x_sets], pooled,
               benchmark="humaneval-x", programming_language="all", natural_language="English")
    # 2. summarization vs the NLU tasks vs the LM control (HumanEval-X, pooled over programming languages)
    nlu = [a for a in arms if a not in (SUMMARIZATION, LM_CONTROL, MULTITASK, *TRANSLATED)]
    pooled_x = {arm: {(s.programming_language, t): v for s in x_sets for t, v in rates(arm, s).items()}
                for arm in code.arms}
    nlu_mean = {key: float(np.mean([pooled_x[a][key] for a in nlu])) for key in pooled_x[NO_INTERMEDIATE]
                if nlu and all(key in pooled_x[a] for a in nlu)}
    languages = [s.programming_language for s in x_sets]
    if SUMMARIZATION in arms and nlu:
        record(f"{SUMMARIZATION} - mean({', '.join(nlu)})", SUMMARIZATION, "summarization vs NLU", languages,
               _pooled(pooled_x[SUMMARIZATION], nlu_mean), benchmark="humaneval-x", programming_language="all",
               natural_language="English")
    if LM_CONTROL in arms:
        for arm, values in ([(a, pooled_x[a]) for a in arms if a != LM_CONTROL]
                            + ([("mean(NLU)", nlu_mean)] if nlu else [])):
            record(f"{arm} - {LM_CONTROL}", arm, "vs LM control", languages, _pooled(values, pooled_x[LM_CONTROL]),
                   benchmark="humaneval-x", programming_language="all", natural_language="English")
    # 3. English + translated vs English-only intermediate data, at the same budget, on both axes
    for arm in (a for a in arms if a in TRANSLATED and TRANSLATED[a] in arms):
        english_only, pooled = TRANSLATED[arm], {}
        for s in x_sets + xl_sets:
            deltas = _delta(rates(arm, s), rates(english_only, s), s.programming_language, s.natural_language)
            pooled.update(deltas if s.benchmark == "humaneval-x" else {})
            record(f"{arm} - {english_only}", arm, "translated vs English", [s.programming_language], deltas,
                   benchmark=s.benchmark, programming_language=s.programming_language,
                   natural_language=s.natural_language)
        record(f"{arm} - {english_only}", arm, "translated vs English", [s.programming_language for s in x_sets],
               pooled, benchmark="humaneval-x", programming_language="all", natural_language="English")
    # 4. the drop from English to each other prompt language (HumanEval-XL), per arm, and its change vs none
    for programming in code.benchmarks.humaneval_xl:
        english = next(s for s in xl_sets if s.programming_language == programming and s.natural_language == "English")
        for s in xl_sets:
            if s.programming_language != programming or s is english:
                continue
            for arm in code.arms:
                drop = _delta(rates(arm, english), rates(arm, s), programming, s.natural_language)
                record(f"English - {s.natural_language}", arm, "prompt-language drop", [s.natural_language], drop,
                       benchmark="humaneval-xl", programming_language=programming,
                       natural_language=s.natural_language)
    return records


def markdown(records: list[dict], profile: str, missing: list[str]) -> str:
    """answer.md: one table per group of contrasts."""
    def cell(value, digits=1):
        return "n/a" if value is None else f"{value:.{digits}f}"

    lines = [f"# Code study answer ({profile})", "",
             "Greedy pass@1 (0-100) differences, paired by problem (mean over seeds), 95% bootstrap interval.", ""]
    for group in dict.fromkeys(r["group"] for r in records):
        lines += [f"## {group}", "",
                  "| arm | contrast | benchmark | programming | prompt language | mean | 95% CI | p | n |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in (r for r in records if r["group"] == group):
            lines.append(f"| {r['task']} | {r['contrast']} | {r['benchmark']} | {r['programming_language']} | "
                         f"{r['natural_language']} | {cell(r['mean'])} | [{cell(r['ci_low'])}, {cell(r['ci_high'])}] "
                         f"| {cell(r['p_value'], 3)} | {r['n']} |")
        lines.append("")
    if missing:
        lines += ["## Not answered here", ""] + [f"- {m}" for m in missing] + [""]
    return "\n".join(lines)
