"""Statistics over seeds and arms: mean and standard deviation over seeds, and paired bootstrap contrasts.

Input rows are the study's metrics rows, {arm, seed, target, language, value} (value 0-100, one row per cell for
the metric that scores the target; rows may carry more fields, and an "example" id for per-example values).

- `seed_summary`: per (arm, task or group), the score of each seed (the mean over the task's languages; for a
  group, the mean of its task scores, as XTREME's group scores), then their mean and sample standard deviation
  (ddof=1; None with one seed).
- `contrast`: treatment - control, paired. Cells are paired on (seed, target, language[, example]); a cell that
  one arm has and the other lacks is an error. The estimate is the mean over tasks of each task's mean paired
  difference (the difference of the group scores above, averaged over seeds). Its 95% interval and p-value come
  from a cluster bootstrap: the resampled unit is a parameter (`UNITS`: languages, seeds, (seed, language)
  cells or examples); whole units are drawn with replacement, all the cells of a drawn unit come along, and the
  estimate is recomputed with each cell keeping its task weight (a ratio estimator, so a resample that misses a
  task still averages the others correctly).
  Resampling is scipy.stats.bootstrap's over unit indices (percentile interval by default: it stays defined,
  and zero-width, when every difference is the same, where BCa is undefined). The p-value is the two-sided
  bootstrap test of "no difference" (Efron & Tibshirani 1993, 16.4; Berg-Kirkpatrick et al. 2012): the share of
  resampled estimates, centred on the estimate, at least as far from it as the estimate is from 0, with the
  usual +1 correction, (1 + #{|t* - t| >= |t|}) / (1 + B). Fewer than two units give the estimate only (interval
  and p-value None).
- `contrast_table`: every contrast per task, per group and overall, over seen, unseen and all languages.

Each bootstrap draws from numpy's Generator seeded with (seed, a stable hash of the record's key), so a table
is the same on every run and every record's draws are its own. No torch, no pandas.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from typing import Any, Collection, Iterable, Mapping, Sequence

import numpy as np

# unit name -> the row fields whose values identify one resampled unit
UNITS: dict[str, tuple[str, ...]] = {
    "language": ("language",),  # a language across tasks and seeds: how well the result holds over languages
    "seed": ("seed",),  # a training seed across tasks and languages: how well it holds over training runs
    "seed_language": ("seed", "language"),  # one (seed, language) cell across tasks
    "example": ("target", "language", "example"),  # one test example, across seeds (rows need an "example")
}
LANGUAGE_SETS = ("seen", "unseen", "all")
OVERALL = "overall"


def _cell_key(row: Mapping[str, Any], with_example: bool) -> tuple:
    key = (row["seed"], row["target"], row["language"])
    return (*key, row["example"]) if with_example else key


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


def _paired_differences(rows: Sequence[Mapping[str, Any]], treatment: str, control: str,
                        with_example: bool) -> dict[tuple, float]:
    by_arm: dict[str, dict[tuple, float]] = {treatment: {}, control: {}}
    for row in rows:
        if row["arm"] in by_arm:
            key = _cell_key(row, with_example)
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


def _rng(seed: int, key: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(key.encode("utf-8"))])


def bootstrap_contrast(differences: Mapping[tuple, float], fields: Sequence[str], unit: str = "language",
                       n_resamples: int = 9999, confidence: float = 0.95, method: str = "percentile",
                       seed: int = 0, key: str = "") -> dict[str, Any]:
    """{mean, ci_low, ci_high, p_value, n} of paired differences {cell: treatment - control}, `fields` naming
    the parts of each cell key (e.g. ("seed", "target", "language")); the estimate weighs each task equally
    and each cell equally within its task; `unit` (UNITS) is what the bootstrap resamples; n counts units."""
    from scipy import stats

    if unit not in UNITS:
        raise ValueError(f"unit {unit!r}: expected one of {', '.join(UNITS)}")
    missing = [f for f in UNITS[unit] if f not in fields]
    if missing:
        raise ValueError(f"unit {unit!r} needs {', '.join(missing)} in every row")
    if not differences:
        raise ValueError("no paired cells to compare")
    target_at, unit_at = fields.index("target"), [fields.index(f) for f in UNITS[unit]]
    per_task = defaultdict(int)
    for cell in differences:
        per_task[cell[target_at]] += 1
    units: dict[tuple, list[float]] = {}  # unit -> [sum of weight * difference, sum of weight]
    for cell, difference in differences.items():
        weight = 1.0 / per_task[cell[target_at]]
        sums = units.setdefault(tuple(cell[i] for i in unit_at), [0.0, 0.0])
        sums[0] += weight * difference
        sums[1] += weight
    weighted, weights = np.array([s[0] for s in units.values()]), np.array([s[1] for s in units.values()])
    estimate = float(weighted.sum() / weights.sum())
    record = {"mean": estimate, "ci_low": None, "ci_high": None, "p_value": None, "n": len(units)}
    if len(units) < 2:
        return record

    def statistic(index, axis=-1):
        index = np.asarray(index, dtype=np.intp)
        return weighted[index].sum(axis=axis) / weights[index].sum(axis=axis)

    result = stats.bootstrap((np.arange(len(units)),), statistic, n_resamples=n_resamples, vectorized=True,
                             confidence_level=confidence, method=method, rng=_rng(seed, key))
    draws = np.asarray(result.bootstrap_distribution)
    tolerance = 1e-9 * max(1.0, abs(estimate))  # a constant difference resamples to itself up to rounding
    extreme = int(np.count_nonzero(np.abs(draws - estimate) >= abs(estimate) - tolerance)) if estimate else len(draws)
    low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
    if high - low < tolerance:  # percentile ends of identical draws differ only by rounding
        low = high = estimate
    record.update(ci_low=low, ci_high=high, p_value=(1 + extreme) / (1 + len(draws)))
    return record


def contrast(rows: Iterable[Mapping[str, Any]], treatment: str, control: str, tasks: Sequence[str],
             languages: str = "all", seen: Collection[str] = (), unit: str = "language", name: str | None = None,
             kind: str = "task", **bootstrap: Any) -> dict[str, Any]:
    """One record {contrast, task | group, languages, unit, mean, ci_low, ci_high, p_value, n}: treatment -
    control over `tasks` (one task, or a group's), on the languages in `seen` ("seen"), outside it ("unseen") or
    all; `bootstrap` goes to bootstrap_contrast (n_resamples, confidence, method, seed)."""
    keep = _language_filter(languages, seen)
    rows = [row for row in rows if row["target"] in tasks and keep(row["language"])]
    with_example = unit == "example"
    if with_example and any("example" not in row for row in rows):
        raise ValueError("unit 'example' needs an \"example\" id in every row")
    label = f"{treatment} - {control}"
    name = name or (tasks[0] if kind == "task" else OVERALL)
    record: dict[str, Any] = {"contrast": label, kind: name, "languages": languages, "unit": unit}
    differences = _paired_differences(rows, treatment, control, with_example)
    if not differences:
        return {**record, "mean": None, "ci_low": None, "ci_high": None, "p_value": None, "n": 0}
    fields = ("seed", "target", "language", "example") if with_example else ("seed", "target", "language")
    return {**record, **bootstrap_contrast(differences, fields, unit, key=f"{label}|{name}|{languages}|{unit}",
                                           **bootstrap)}


def contrast_table(rows: Iterable[Mapping[str, Any]], contrasts: Sequence[tuple[str, str]],
                   groups: Mapping[str, Sequence[str]], seen: Mapping[str, Collection[str]],
                   unit: str = "language", **bootstrap: Any) -> list[dict[str, Any]]:
    """Every (treatment, control) contrast per task, per group (whose tasks are all in the rows) and overall
    (every task in the rows), for seen, unseen and all languages; seen languages are the treatment's set
    (`seen[treatment]`, empty if absent: pass e.g. {"A1": {"en"}} for English-only arms). A split without cells
    (no seen language in a task) gives a record with mean, interval and p-value None and n 0."""
    rows = list(rows)
    tasks = sorted({row["target"] for row in rows})
    scopes = [("task", t, (t,)) for t in tasks] + [("group", g, tuple(m)) for g, m in groups.items()
                                                   if set(m) <= set(tasks)] + [("group", OVERALL, tuple(tasks))]
    return [contrast(rows, treatment, control, members, languages, seen.get(treatment, ()), unit, name, kind,
                     **bootstrap)
            for treatment, control in contrasts for kind, name, members in scopes for languages in LANGUAGE_SETS]
