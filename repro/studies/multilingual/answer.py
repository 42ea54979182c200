"""The multilingual study's answer, from its metrics.json alone: does intermediate training on several languages
beat English only at equal budget?

Contrasts A1 - A0, A2 - A1, A3 - A2, A4 - A1, each named-set arm against A1 (A2[k4] - A1) and the set pairs of
`set_contrasts` (A2[k4] - A2[one_family]) per intermediate task, each per target task, per task group of each
suite (the group's tasks the study ran) and overall, split by the languages the arm was trained on (`seen`: the
treatment's language set), the others (`unseen`) and both (`all`). Every contrast is computed within one slice of
targets, (setting, test_origin) as the treatment's rows are tagged (repro/studies/multilingual/tags.py): the
zero-shot, natively written targets are the question's; translate-train and translated test sets are reported in
their own records, never averaged in. `covariates` regresses each contrast's cell differences on the treatment's
distance_to_seen (URIEL syntactic distance of the cell's language to the arm's nearest language). English is left out of every split: the question
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
from repro.studies.multilingual.arms import BASELINE_ARM, CONTRASTS, set_label
from repro.studies.multilingual.covariates import cells, fit

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


def _pairs(arms: set[str], intermediate: str, set_pairs) -> list[tuple[str, str, str]]:
    """(name, treatment arm id, control arm id) of every contrast the arms present allow."""
    out = [(f"{better}-{base}", f"{intermediate}-{better}",
            f"none-{base}" if base == BASELINE_ARM else f"{intermediate}-{base}") for better, base in CONTRASTS]
    named = sorted(a.removeprefix(f"{intermediate}-") for a in arms if a.startswith(f"{intermediate}-A2["))
    out += [(f"{label}-A1", f"{intermediate}-{label}", f"{intermediate}-A1") for label in named]
    out += [(f"{set_label(a)}-{set_label(b)}", f"{intermediate}-{set_label(a)}", f"{intermediate}-{set_label(b)}")
            for a, b in set_pairs]
    return [pair for pair in out if pair[1] in arms and pair[2] in arms]


def _slices(rows: list[dict], arm: str) -> dict[tuple, set[str]]:
    """{(setting, test_origin): targets} of an arm's rows (None, None for untagged rows)."""
    found = defaultdict(set)
    for row in rows:
        if row["arm"] == arm:
            found[(row.get("setting"), row.get("test_origin"))].add(row["target"])
    return found


def _seen(arm: str, intermediate: str, language_sets: dict, named: dict) -> set[str]:
    label = arm.removeprefix(f"{intermediate}-")
    return set(named[label[3:-1]]) if label.startswith("A2[") else seen_languages(intermediate, language_sets)


def _paired(rows: list[dict], treatment: str, control: str) -> list[dict]:
    """The two arms' rows on the cells both have (a stage one arm lacks drops that cell from the contrast)."""
    cells = defaultdict(set)
    for row in rows:
        cells[row["arm"]].add((row["seed"], row["target"], row["language"]))
    common = cells[treatment] & cells[control]
    return [r for r in rows if r["arm"] in (treatment, control) and (r["seed"], r["target"], r["language"]) in common]


def contrasts(rows: list[dict], language_sets: dict[str, list[str]], primary: list[dict] = (),
              named: dict[str, list[str]] | None = None, set_pairs=(), **options) -> list[dict]:
    """Every contrast the metrics allow: records with `contrast` (A2-A1, A2[k4]-A1, A2[k4]-A2[k1]), `suite`,
    `intermediate`, `setting`, `test_origin`, `task` or `group` (`overall` for all targets of the slice),
    `languages`, `unit`, mean, ci_low, ci_high, p_value, n (languages), `units`, `note`, and `primary` (matching an
    entry of `primary`) with `p_adjusted` (Holm over those). `named`: the named sets' languages; `set_pairs`: the
    (a, b) of A2[a] - A2[b]."""
    from repro.suites import get as suite

    named, records = named or {}, []
    for suite_name in dict.fromkeys(r["suite"] for r in rows):
        suite_rows = _arm_rows(rows, suite_name)
        arms = {r["arm"] for r in suite_rows}
        for intermediate in sorted({a.rpartition("-")[0] for a in arms} - {"none"}):
            for name, treatment, control in _pairs(arms, intermediate, set_pairs):
                seen = {treatment: _seen(treatment, intermediate, language_sets, named)}
                for (setting, origin), targets in _slices(suite_rows, treatment).items():
                    paired = _paired([r for r in suite_rows if r["target"] in targets], treatment, control)
                    if not paired:
                        continue
                    kept = _groups(suite(suite_name), {r["target"] for r in paired})
                    for record in statistics.contrast_table(paired, [(treatment, control)], kept, seen, **options):
                        if record["n"]:
                            records.append({**record, "contrast": name, "suite": suite_name,
                                            "intermediate": intermediate, "setting": setting, "test_origin": origin,
                                            "level": "task" if "task" in record else
                                            "overall" if record["group"] == statistics.OVERALL else "group"})
    return mark_primary(records, primary)


def covariates(rows: list[dict], set_pairs=()) -> list[dict]:
    """Per suite, intermediate task, contrast and slice: the line of cell differences on the treatment's
    distance_to_seen (covariates.fit), English left out."""
    out = []
    for suite_name in dict.fromkeys(r["suite"] for r in rows):
        suite_rows = _arm_rows(rows, suite_name)
        arms = {r["arm"] for r in suite_rows}
        for intermediate in sorted({a.rpartition("-")[0] for a in arms} - {"none"}):
            for name, treatment, control in _pairs(arms, intermediate, set_pairs):
                for (setting, origin), targets in _slices(suite_rows, treatment).items():
                    line = fit(cells([r for r in suite_rows if r["target"] in targets], treatment, control))
                    if line["n"]:
                        out.append({"contrast": name, "suite": suite_name, "intermediate": intermediate,
                                    "setting": setting, "test_origin": origin, **line})
    return out


def mean_sd(rows: list[dict], language_sets: dict[str, list[str]], named: dict[str, list[str]] | None = None
            ) -> list[dict]:
    """Per suite, slice (setting, test_origin: each row's own), arm, target and group: the mean over a split's
    languages per seed, then mean and sd over seeds (statistics.seed_summary); each record with `suite`,
    `setting`, `test_origin`, `intermediate` and `arm` (A0-A4, A2[<set>])."""
    from repro.suites import get as suite

    out = []
    for suite_name in dict.fromkeys(r["suite"] for r in rows):
        suite_rows = _arm_rows(rows, suite_name)
        arms = {r["arm"] for r in suite_rows}
        seen = {arm: _seen(arm, arm.rpartition("-")[0], language_sets, named or {}) for arm in arms}
        for setting, origin in dict.fromkeys((r.get("setting"), r.get("test_origin")) for r in suite_rows):
            chosen = [r for r in suite_rows if (r.get("setting"), r.get("test_origin")) == (setting, origin)]
            groups = _groups(suite(suite_name), {r["target"] for r in chosen})
            for split in SPLITS:
                for record in statistics.seed_summary(chosen, groups, seen, split):
                    intermediate, _, arm = record["arm"].rpartition("-")
                    out.append({**record, "suite": suite_name, "setting": setting, "test_origin": origin,
                                "intermediate": intermediate, "arm": arm})
    return out
