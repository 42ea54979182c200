"""Statistics over seeds and arms: mean and standard deviation over seeds, and paired contrasts.

Input rows are the study's metrics rows, {arm, seed, target, language, value} (value 0-100, one row per cell for
the metric that scores the target; rows may carry more fields).

- `seed_summary`: per (arm, task or group), the score of each seed (the mean over the task's languages; for a
  group, the mean of its task scores, as XTREME's group scores), then their mean and sample standard deviation
  (ddof=1; None with one seed).
- `contrast`: treatment - control, paired. Cells are paired on (seed, target, language); a cell that one arm
  has and the other lacks is an error. The estimate is the mean over tasks of each task's mean paired difference
  (the difference of the group scores above, averaged over seeds); its 95% interval and p-value respect the
  design, seeds (runs) crossed with languages (`repro.report.inference`); `units` says how many of each.
- `contrast_table`: every contrast per task, per group and overall, over seen, unseen and all languages.

No torch, no pandas.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Collection, Iterable, Mapping, Sequence

import numpy as np

from repro.report.inference import crossed_contrast

UNIT = "seed x language"  # the crossed design every contrast respects (repro.report.inference)
LANGUAGE_SETS = ("seen", "unseen", "all")
OVERALL = "overall"


def mean_std(values: Sequence[float]) -> tuple[float, float | None]:
    """(mean, sample standard deviation with ddof=1); the deviation is None for a single value."""
    if not values:
        raise ValueError("mean_std: no values")
    array = np.asarray(values, dtype=float)
    return float(array.mean()), (float(array.std(ddof=1)) if len(array) > 1 else None)


def _language_filter(languages: str, seen: Collection[str]):
    if languages not in LANGUAGE_SETS:
        raise ValueError(f"languages {languages!r}: expected one of {', '.join(LANGUAGE_SETS)}")
    if languages == "all":
        return lambda lang: True
    return (lambda lang: lang in seen) if languages == "seen" else (lambda lang: lang not in seen)


def seed_scores(rows: Iterable[Mapping[str, Any]], arm: str, tasks: Sequence[str],
                keep_language=lambda lang: True) -> dict[Any, float]:
    """{seed: score} of one arm: per seed, the mean over tasks of the mean value over the task's languages kept;
    only seeds that have every task."""
    values: dict[Any, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row["arm"] == arm and row["target"] in tasks and keep_language(row["language"]):
            values[row["seed"]][row["target"]].append(float(row["value"]))
    return {seed: sum(sum(v) / len(v) for v in per_task.values()) / len(tasks)
            for seed, per_task in values.items() if set(per_task) == set(tasks)}


def seed_summary(rows: Iterable[Mapping[str, Any]], groups: Mapping[str, Sequence[str]] | None = None,
                 seen: Mapping[str, Collection[str]] | None = None, languages: str = "all") -> list[dict[str, Any]]:
    """Mean +- sd over seeds for every (arm, task) and, with `groups` ({group: tasks}), every (arm, group):
    records {arm, task | group, languages, mean, std, n} (n: seeds). `seen` gives each arm's language set, for
    languages="seen" | "unseen"."""
    rows = list(rows)
    arms = sorted({row["arm"] for row in rows})
    tasks = sorted({row["target"] for row in rows})
    records = []
    for arm in arms:
        keep = _language_filter(languages, (seen or {}).get(arm, ()))
        for kind, name, members in [("task", t, (t,)) for t in tasks] + [
                ("group", g, tuple(m)) for g, m in (groups or {}).items()]:
            per_seed = seed_scores(rows, arm, members, keep)
            if not per_seed:
                continue
            mean, std = mean_std([per_seed[s] for s in sorted(per_seed)])
            records.append({"arm": arm, kind: name, "languages": languages, "mean": mean, "std": std,
                            "n": len(per_seed)})
    return records


def _paired_differences(rows: Sequence[Mapping[str, Any]], treatment: str, control: str) -> dict[tuple, float]:
    by_arm: dict[str, dict[tuple, float]] = {treatment: {}, control: {}}
    for row in rows:
        if row["arm"] in by_arm:
            key = (row["seed"], row["target"], row["language"])
            if key in by_arm[row["arm"]]:
                raise ValueError(f"arm {row['arm']!r} has two rows for (seed, target, language) {key}")
            by_arm[row["arm"]][key] = float(row["value"])
    treated, controls = by_arm[treatment], by_arm[control]
    unpaired = sorted(set(treated) ^ set(controls), key=repr)
    if unpaired:
        arm = treatment if unpaired[0] in treated else control
        raise ValueError(f"{treatment} - {control}: {len(unpaired)} cells have no pair, e.g. {unpaired[0]} "
                         f"(only in {arm!r})")
    return {key: treated[key] - controls[key] for key in treated}


def contrast(rows: Iterable[Mapping[str, Any]], treatment: str, control: str, tasks: Sequence[str],
             languages: str = "all", seen: Collection[str] = (), name: str | None = None, kind: str = "task",
             **options: Any) -> dict[str, Any]:
    """One record {contrast, task | group, languages, unit, mean, ci_low, ci_high, p_value, n, units, note}:
    treatment - control over `tasks` (one task, or a group's), on the languages in `seen` ("seen"), outside it
    ("unseen") or all; `options` go to inference.crossed_contrast (confidence, min_clusters)."""
    keep = _language_filter(languages, seen)
    rows = [row for row in rows if row["target"] in tasks and keep(row["language"])]
    label = f"{treatment} - {control}"
    record: dict[str, Any] = {"contrast": label, kind: name or (tasks[0] if kind == "task" else OVERALL),
                              "languages": languages, "unit": UNIT}
    differences = _paired_differences(rows, treatment, control)
    if not differences:
        return {**record, "mean": None, "ci_low": None, "ci_high": None, "p_value": None, "n": 0,
                "units": {"seed": 0, "language": 0}, "note": None}
    cells = {(seed, language, target): value for (seed, target, language), value in differences.items()}
    return {**record, **crossed_contrast(cells, ("seed", "language"), **options)}


def contrast_table(rows: Iterable[Mapping[str, Any]], contrasts: Sequence[tuple[str, str]],
                   groups: Mapping[str, Sequence[str]], seen: Mapping[str, Collection[str]],
                   **options: Any) -> list[dict[str, Any]]:
    """Every (treatment, control) contrast per task, per group (whose tasks are all in the rows) and overall
    (every task in the rows), for seen, unseen and all languages; seen languages are the treatment's set
    (`seen[treatment]`, empty if absent: pass e.g. {"A1": {"en"}} for English-only arms). A split without cells
    (no seen language in a task) gives a record with mean, interval and p-value None and n 0."""
    rows = list(rows)
    tasks = sorted({row["target"] for row in rows})
    scopes = [("task", t, (t,)) for t in tasks] + [("group", g, tuple(m)) for g, m in groups.items()
                                                   if set(m) <= set(tasks)] + [("group", OVERALL, tuple(tasks))]
    return [contrast(rows, treatment, control, members, languages, seen.get(treatment, ()), name, kind, **options)
            for treatment, control in contrasts for kind, name, members in scopes for languages in LANGUAGE_SETS]
