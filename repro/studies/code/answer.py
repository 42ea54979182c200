"""The code study's answers: contrasts of greedy pass@1 between arms (and, against `none`, of each sampled
pass@k: `metrics`), paired by problem and seed, written as records of the multilingual study's fields
(`contrast`, `task`, `group`, `languages`, `mean`, `ci_low`, `ci_high`, `p_value`, `n`, `units`, `primary`,
`p_adjusted`) plus `metric` and the benchmark's axes; `languages` lists the programming (or prompt) languages a
contrast pools. `none`'s greedy run is made once (no seed changes it) and is every seed's control.

Cell: one problem of one problems file in one seed's run, its pass rate (0-100). Statistics are
`repro.report.inference.crossed_contrast`'s: each file (stratum) weighs equally, each problem equally within it;
runs (seeds) are crossed with problems, and a problem is one cluster across the files that share it (HumanEval-X's
languages, HumanEval-XL's prompt languages: the same task number); n counts problems. The study's `primary`
contrasts are Holm-adjusted together; every other one is exploratory.
"""

from __future__ import annotations

import numpy as np

from repro.studies.code.params import LM_CONTROL, MULTITASK, NO_INTERMEDIATE, SUMMARIZATION, TRANSLATED
from repro.report.inference import crossed_contrast, mark_primary

GREEDY = "pass@1 (greedy)"


def paired(differences: dict[tuple, float]) -> dict:
    """{mean, ci_low, ci_high, p_value, n, units, note} of paired differences {(seed, problem, file):
    treatment - control} (0-100)."""
    if not differences:
        return {"mean": None, "ci_low": None, "ci_high": None, "p_value": None, "n": 0,
                "units": {"seed": 0, "problem": 0}, "note": None}
    return crossed_contrast(differences, ("seed", "problem"))


def per_problem(executed: list[dict], arm: str, benchmark: str, programming: str, natural: str,
                mode: str = "greedy", k: int = 1) -> dict[tuple, float]:
    """{(seed, task_id): pass@k (0-100)} of one arm on one problems file's `mode` samples: the greedy pass rate, or
    the unbiased estimate from a problem's n samples and c passes (Chen et al. 2021)."""
    from repro.execution.passk import estimate

    rates: dict[tuple, float] = {}
    for summary in executed:
        if summary["arm"] != arm:
            continue
        for entry in summary["files"]:
            if (entry["benchmark"], entry["programming_language"], entry["natural_language"], entry["mode"]) == \
                    (benchmark, programming, natural, mode) and not entry["skipped"] and entry["per_problem"]:
                n = entry["n_samples"] // len(entry["per_problem"]) if k > 1 else 1
                rates.update({(summary["seed"], task): 100.0 * (rate if k == 1 else estimate(n, round(rate * n), k))
                              for task, rate in entry["per_problem"].items()})
    return rates


def _broadcast(rates: dict[tuple, float], seeds: list[int]) -> dict[tuple, float]:
    """A run that no seed changes (`none`'s greedy one), as the control of every seed's run."""
    return {(seed, task): value for (_, task), value in rates.items() for seed in seeds}


def metrics(code) -> list[tuple[str, int, str, bool]]:
    """(mode, k, name, sampled) of every pass@k a contrast reads: greedy pass@1 on every file, each sampling set's
    pass@k on the sampled files (`Generation.sampled`)."""
    out = [("greedy", 1, GREEDY, False)]
    return out + [(s.mode, k, f"pass@{k} (T={s.temperature:g}, n={s.samples})", True)
                  for s in code.generation.sampling for k in s.k]


def _problem(task_id: str) -> str:
    """The problem a task id names across the files sharing it ("CPP/12", "Python/12": "12")."""
    return task_id.rpartition("/")[2]


def _delta(a: dict[tuple, float], b: dict[tuple, float], programming: str = "", natural: str = "") -> dict:
    """Paired cells {(seed, problem, (programming, natural)): a - b} of the (seed, task) both have."""
    return {(seed, _problem(t), (programming, natural)): a[seed, t] - b[seed, t] for seed, t in sorted(a)
            if (seed, t) in b}


def _pooled(a: dict[tuple, float], b: dict[tuple, float]) -> dict:
    """Paired cells of two arms' {(programming language, seed, task): rate} over HumanEval-X's languages."""
    return {(seed, _problem(t), (pl, "English")): a[pl, seed, t] - b[pl, seed, t] for pl, seed, t in sorted(a)
            if (pl, seed, t) in b}


def answers(code, executed: list[dict]) -> list[dict]:
    """Every contrast of the study (see the module docstring)."""
    from repro.studies.code.paths import eval_sets

    sets = eval_sets(code)
    x_sets = [s for s in sets if s.benchmark == "humaneval-x"]
    xl_sets = [s for s in sets if s.benchmark == "humaneval-xl"]
    arms = code.trained_arms
    records = []

    def record(contrast: str, task: str, group: str, languages: list[str], deltas: dict, metric: str = GREEDY,
               **axes) -> None:
        records.append({"contrast": contrast, "task": task, "group": group, "languages": languages,
                        "metric": metric, **axes, **paired(deltas)})

    def rates(arm: str, s, mode: str = "greedy", k: int = 1) -> dict[tuple, float]:
        found = per_problem(executed, arm, s.benchmark, s.programming_language, s.natural_language, mode, k)
        return _broadcast(found, code.seeds) if arm == NO_INTERMEDIATE and mode == "greedy" else found

    def own(arm: str, s) -> dict[tuple, float]:
        """An arm's greedy rates as run (`none` at its one seed)."""
        return per_problem(executed, arm, s.benchmark, s.programming_language, s.natural_language)

    # 1. pass@k delta vs no intermediate phase, per arm and programming language, pooled over HumanEval-X (all,
    # and all but Python: transfer beyond the language most intermediate-free code is in), over HumanEval-XL's
    # prompt languages other than English; greedy pass@1 (the primary metric), and each sampled pass@k
    for mode, k, metric, sampled in metrics(code):
        group = "vs no intermediate" + (f", {metric}" if sampled else "")
        read = [s for s in x_sets + xl_sets
                if not sampled or code.generation.sampled(s.benchmark, s.programming_language)]
        x_read = [s.programming_language for s in read if s.benchmark == "humaneval-x"]
        other_x = [lang for lang in x_read if lang != "python"]
        other_xl = list(dict.fromkeys(s.natural_language for s in read
                                      if s.benchmark == "humaneval-xl" and s.natural_language != "English"))
        for arm in arms:
            pooled, pooled_xl = {}, {}
            for s in read:
                deltas = _delta(rates(arm, s, mode, k), rates(NO_INTERMEDIATE, s, mode, k), s.programming_language,
                                s.natural_language)
                (pooled if s.benchmark == "humaneval-x" else pooled_xl).update(deltas)
                record(f"{arm} - none", arm, group, [s.programming_language], deltas, metric=metric,
                       benchmark=s.benchmark, programming_language=s.programming_language,
                       natural_language=s.natural_language)
            if x_read:
                record(f"{arm} - none", arm, group, x_read, pooled, metric=metric,
                       benchmark="humaneval-x", programming_language="all", natural_language="English")
            if other_x:
                record(f"{arm} - none", arm, group, other_x,
                       {key: v for key, v in pooled.items() if key[2][0] != "python"}, metric=metric,
                       benchmark="humaneval-x", programming_language="non-Python", natural_language="English")
            if other_xl:
                record(f"{arm} - none", arm, group, other_xl,
                       {key: v for key, v in pooled_xl.items() if key[2][1] != "English"}, metric=metric,
                       benchmark="humaneval-xl", programming_language="all", natural_language="non-English")
    # 2. summarization vs the NLU tasks vs the LM control (HumanEval-X, pooled over programming languages)
    nlu = [a for a in arms if a not in (SUMMARIZATION, LM_CONTROL, MULTITASK, *TRANSLATED)]
    pooled_x = {arm: {(s.programming_language, *key): v for s in x_sets for key, v in rates(arm, s).items()}
                for arm in code.arms}
    nlu_mean = {key: float(np.mean([pooled_x[a][key] for a in nlu])) for key in (pooled_x[nlu[0]] if nlu else {})
                if all(key in pooled_x[a] for a in nlu)}
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
                drop = _delta(own(arm, english), own(arm, s), programming, s.natural_language)
                record(f"{arm}: English - {s.natural_language}", arm, "prompt-language drop", [s.natural_language], drop,
                       benchmark="humaneval-xl", programming_language=programming,
                       natural_language=s.natural_language)
    return mark_primary(records, code.primary)


def markdown(records: list[dict], profile: str, missing: list[str]) -> str:
    """answer.md: the primary contrasts (Holm-adjusted), then one table per group of the exploratory ones."""
    def cell(value, digits=1):
        return "n/a" if value is None else f"{value:.{digits}f}"

    def row(r: dict, adjusted: bool) -> str:
        interval = r["note"] if r["ci_low"] is None and r["note"] else f"[{cell(r['ci_low'])}, {cell(r['ci_high'])}]"
        units = " × ".join(f"{count} {axis}s" for axis, count in r["units"].items())
        p = f"{cell(r['p_adjusted'], 3)} | {cell(r['p_value'], 3)}" if adjusted else cell(r["p_value"], 3)
        return (f"| {r['task']} | {r['contrast']} | {r['benchmark']} | {r['programming_language']} | "
                f"{r['natural_language']} | {cell(r['mean'])} | {interval} | {p} | {units} |")

    head = "| arm | contrast | benchmark | programming | prompt language | mean | 95% CI |"
    primary = [r for r in records if r["primary"]]
    lines = [f"# Code study answer ({profile})", "",
             "Greedy pass@1 (0-100) differences (sampled pass@k where the group names it), paired by problem and "
             "seed; 95% t interval over seeds crossed with "
             "problems (a problem: one cluster across the languages sharing it; repro/report/inference.py); fewer "
             "than 5 problems: too few clusters.", "",
             f"## Primary contrasts ({len(primary)}, p Holm-adjusted over them)", ""]
    lines += ([head + " p (Holm) | p | clusters |", "|---|---|---|---|---|---|---|---|---|---|"]
              + [row(r, True) for r in primary] if primary else ["None declared (`code.primary` in params.yaml)."])
    lines.append("")
    for group in dict.fromkeys(r["group"] for r in records if not r["primary"]):
        lines += [f"## {group} (exploratory, p unadjusted)", "", head + " p | clusters |",
                  "|---|---|---|---|---|---|---|---|---|"]
        lines += [row(r, False) for r in records if r["group"] == group and not r["primary"]]
        lines.append("")
    if missing:
        lines += ["## Not answered here", ""] + [f"- {m}" for m in missing] + [""]
    return "\n".join(lines)
