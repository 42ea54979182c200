"""The multilingual study's answer, from its metrics.json alone: does intermediate training on several languages
beat English only at equal budget?

Contrasts A1 - A0, A2 - A1, A3 - A2, A4 - A1 per intermediate task, each per target task, per task group of each
suite (the group's tasks the study ran) and overall, split by the languages the arm was trained on (`seen`: the
task's language set), the others (`unseen`) and both (`all`). English is left out of every split: the question
is zero-shot transfer. Arms are paired on (seed, target, language) cells; `repro.report.statistics` computes
the estimate, its 95% interval and p-value with seeds (runs) crossed with languages (`units`: how many of each;
fewer than 5 languages: the estimate only, "too few clusters"). The study's `primary` contrasts are marked and
Holm-adjusted together (`p_adjusted`); every other one is exploratory. Beside them, mean +- standard deviation
over seeds of each arm's language-averaged score.
"""

from __future__ import annotations

from collections import defaultdict

from repro.report import statistics
from repro.report.inference import mark_primary
from repro.studies.multilingual.arms import BASELINE_ARM, CONTRASTS

SPLITS = statistics.LANGUAGE_SETS
HEADLINE = ("accuracy", "f1", "map@20")  # the one metric each target is compared on (QA: F1, XTREME's headline)


def headline(rows: list[dict]) -> list[dict]:
    """Each target's headline metric only (QA: F1 of F1 and EM), English left out."""
    by_target = defaultdict(set)
    for row in rows:
        by_target[row["target"]].add(row["metric"])
    chosen = {t: next((m for m in HEADLINE if m in metrics), sorted(metrics)[0]) for t, metrics in by_target.items()}
    return [row for row in rows if row["metric"] == chosen[row["target"]] and row["language"] != "en"]


def seen_languages(intermediate: str, language_sets: dict[str, list[str]]) -> set[str]:
    """The languages an intermediate task's arms train on (the mix and the baseline: every task's)."""
    if intermediate in language_sets:
        return set(language_sets[intermediate])
    return {lang for langs in language_sets.values() for lang in langs}


def _arm_rows(rows: list[dict], suite: str) -> list[dict]:
    """A suite's headline rows, each with `arm` naming its encoder arm (`mnli-A2`, `none-A0`)."""
    return [{**row, "arm": f"{row['intermediate']}-{row['arm']}"} for row in headline(rows) if row["suite"] == suite]


def _groups(suite, targets: set[str]) -> dict[str, list[str]]:
    """The suite's groups, each with the tasks of it that the study ran (groups with none left out)."""
    return {g: [t for t in members if t in targets] for g, members in suite.GROUPS.items()
            if any(t in targets for t in members)}


def _paired(rows: list[dict], treatment: str, control: str) -> list[dict]:
    """The two arms' rows on the cells both have (a stage one arm lacks drops that cell from the contrast)."""
    cells = defaultdict(set)
    for row in rows:
        cells[row["arm"]].add((row["seed"], row["target"], row["language"]))
    common = cells[treatment] & cells[control]
    return [r for r in rows if r["arm"] in (treatment, control) and (r["seed"], r["target"], r["language"]) in common]


def contrasts(rows: list[dict], language_sets: dict[str, list[str]], primary: list[dict] = (),
              **options) -> list[dict]:
    """Every contrast the metrics allow: records with `contrast` (A2-A1), `suite`, `intermediate`, `task` or
    `group` (`overall` for all targets), `languages`, `unit`, mean, ci_low, ci_high, p_value, n (languages),
    `units`, `note`, and `primary` (matching an entry of `primary`) with `p_adjusted` (Holm over those)."""
    from repro.suites import get as suite

    records = []
    for suite_name in dict.fromkeys(r["suite"] for r in rows):
        suite_rows = _arm_rows(rows, suite_name)
        arms = {r["arm"] for r in suite_rows}
        groups = _groups(suite(suite_name), {r["target"] for r in suite_rows})
        for intermediate in sorted({a.rpartition("-")[0] for a in arms} - {"none"}):
            seen = seen_languages(intermediate, language_sets)
            for better, base in CONTRASTS:
                treatment = f"{intermediate}-{better}"
                control = f"none-{base}" if base == BASELINE_ARM else f"{intermediate}-{base}"
                paired = _paired(suite_rows, treatment, control)
                if not paired:
                    continue
                for record in statistics.contrast_table(paired, [(treatment, control)], groups, {treatment: seen},
                                                        **options):
                    if record["n"]:
                        records.append({**record, "contrast": f"{better}-{base}", "suite": suite_name,
                                        "intermediate": intermediate,
                                        "level": "task" if "task" in record else
                                        "overall" if record["group"] == statistics.OVERALL else "group"})
    return mark_primary(records, primary)


def mean_sd(rows: list[dict], language_sets: dict[str, list[str]]) -> list[dict]:
    """Per suite, arm, target and group: the mean over a split's languages per seed, then mean and sd over seeds
    (statistics.seed_summary); each record with `suite`, `intermediate` and `arm` (A0-A4)."""
    from repro.suites import get as suite

    out = []
    for suite_name in dict.fromkeys(r["suite"] for r in rows):
        suite_rows = _arm_rows(rows, suite_name)
        arms = {r["arm"] for r in suite_rows}
        seen = {arm: seen_languages(arm.rpartition("-")[0], language_sets) for arm in arms}
        groups = _groups(suite(suite_name), {r["target"] for r in suite_rows})
        for split in SPLITS:
            for record in statistics.seed_summary(suite_rows, groups, seen, split):
                intermediate, _, arm = record["arm"].rpartition("-")
                out.append({**record, "suite": suite_name, "intermediate": intermediate, "arm": arm})
    return out
