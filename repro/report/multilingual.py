"""The multilingual study's answer, from its metrics.json alone: does intermediate training on several languages
beat English only at equal budget?

Contrasts A1 - A0, A2 - A1, A3 - A2, A4 - A1 per intermediate task, each per target task, per task group of each
suite and over the suite, split by the languages the arm was trained on (`seen`: the task's language set),
the others (`unseen`) and both (`all`). English is left out of every split: the question is zero-shot transfer.
The unit is a (target, language) cell of one seed: the arms are paired on the cell and the seed (each seed's
runs share the seed of the target fine-tune), and `repro.report.statistics` resamples them (its docstring says
how). Beside the contrasts, mean +- standard deviation over seeds of each arm's language-averaged score.
"""

from __future__ import annotations

import statistics as pystats
from collections import defaultdict

import numpy as np

from repro.tasks.multilingual import BASELINE_ARM, CONTRASTS

SPLITS = ("seen", "unseen", "all")
# the one metric each target is compared on (QA: F1, as XTREME's headline; the others have one)
HEADLINE = ("accuracy", "f1", "map@20")


def headline(rows: list[dict]) -> list[dict]:
    """Each target's headline metric only (QA: F1 of F1 and EM)."""
    by_target = defaultdict(set)
    for row in rows:
        by_target[row["target"]].add(row["metric"])
    chosen = {t: next((m for m in HEADLINE if m in metrics), sorted(metrics)[0]) for t, metrics in by_target.items()}
    return [row for row in rows if row["metric"] == chosen[row["target"]]]


def seen_languages(intermediate: str, language_sets: dict[str, list[str]]) -> set[str]:
    """The languages an intermediate task's arms train on (the mix: every task's)."""
    if intermediate in language_sets:
        return set(language_sets[intermediate])
    return {lang for langs in language_sets.values() for lang in langs}


def in_split(lang: str, split: str, seen: set[str]) -> bool:
    return lang != "en" and (split == "all" or (lang in seen) == (split == "seen"))


class Grid:
    """A suite's headline values: (intermediate, arm) -> seed -> (target, language) -> value."""

    def __init__(self, rows: list[dict], suite: str):
        self.values: dict = defaultdict(lambda: defaultdict(dict))
        for row in headline([r for r in rows if r["suite"] == suite]):
            self.values[(row["intermediate"], row["arm"])][row["seed"]][(row["target"], row["language"])] = \
                row["value"]
        self.targets = list(dict.fromkeys(r["target"] for r in rows if r["suite"] == suite))

    def arms(self) -> list[tuple[str, str]]:
        return sorted(self.values, key=lambda key: (key[1], key[0]))

    def paired(self, better: tuple[str, str], base: tuple[str, str], cells) -> np.ndarray:
        """Differences better - base, one row per cell both have for every common seed, one column per seed."""
        a, b = self.values.get(better, {}), self.values.get(base, {})
        seeds = sorted(set(a) & set(b))
        kept = [c for c in cells if all(c in a[s] and c in b[s] for s in seeds)]
        return np.array([[a[s][c] - b[s][c] for s in seeds] for c in kept]).reshape(len(kept), len(seeds))

    def cells(self, targets, split: str, seen: set[str]) -> list[tuple[str, str]]:
        found = {c for by_seed in self.values.values() for cells in by_seed.values() for c in cells}
        return sorted(c for c in found if c[0] in targets and in_split(c[1], split, seen))


def levels(suite, targets: list[str]) -> list[tuple[str, str, list[str]]]:
    """(level, name, targets): each target, each group of the suite among them, the suite overall."""
    out = [("task", t, [t]) for t in targets]
    for group, members in suite.GROUPS.items():
        present = [t for t in members if t in targets]
        if present:
            out.append(("group", group, present))
    return out + [("overall", "overall", list(targets))]


def contrasts(rows: list[dict], language_sets: dict[str, list[str]], bootstrap) -> list[dict]:
    """Every contrast the metrics allow, as records with `contrast`, `suite`, `intermediate`, `task` or `group`,
    `languages`, and the interval fields `bootstrap(differences)` returns (mean, ci_low, ci_high, p_value, n)."""
    from repro.suites import SUITES

    records = []
    for suite_name in dict.fromkeys(r["suite"] for r in rows):
        grid = Grid(rows, suite_name)
        intermediates = sorted({i for i, arm in grid.values if arm != BASELINE_ARM})
        for intermediate in intermediates:
            seen = seen_languages(intermediate, language_sets)
            for better, base in CONTRASTS:
                pair = ((intermediate, better), ("none", base) if base == BASELINE_ARM else (intermediate, base))
                if any(arm not in grid.values for arm in pair):
                    continue
                for level, name, targets in levels(SUITES[suite_name], grid.targets):
                    for split in SPLITS:
                        differences = grid.paired(*pair, grid.cells(targets, split, seen))
                        if differences.size == 0:
                            continue
                        key = "task" if level == "task" else "group"
                        records.append({"contrast": f"{better}-{base}", "suite": suite_name,
                                        "intermediate": intermediate, "level": level, key: name, "languages": split,
                                        **bootstrap(differences)})
    return records


def mean_sd(rows: list[dict], language_sets: dict[str, list[str]]) -> list[dict]:
    """Per suite, arm and target: the mean over languages of each split, then its mean and sd over seeds."""
    out = []
    for suite_name in dict.fromkeys(r["suite"] for r in rows):
        grid = Grid(rows, suite_name)
        for intermediate, arm in grid.arms():
            seen = seen_languages(intermediate, language_sets)  # the baseline's: every task's set
            for target in grid.targets:
                for split in SPLITS:
                    per_seed = [np.mean([v for (t, lang), v in cells.items() if t == target and in_split(lang, split,
                                                                                                          seen)])
                                for cells in grid.values[(intermediate, arm)].values()
                                if any(t == target and in_split(lang, split, seen) for t, lang in cells)]
                    if per_seed:
                        out.append({"suite": suite_name, "intermediate": intermediate, "arm": arm, "target": target,
                                    "languages": split, "mean": float(np.mean(per_seed)),
                                    "sd": float(pystats.stdev(per_seed)) if len(per_seed) > 1 else 0.0,
                                    "seeds": len(per_seed)})
    return out
