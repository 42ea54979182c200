"""Benchmarks as data: each suite module holds one benchmark's tasks, languages, groups, submission layout and
official aggregation (NAME, TITLE, TASK2LANGS, GROUPS, QA_TASKS, TASK_METRIC, FILE_FORMAT, COUNT_CHECKED,
evaluate_language, task_detail, task_score, overall_scores, scores; optionally OURS_TASK2LANGS and `ours_scores`,
our own numbers for tasks the official script leaves unscored, reported apart under "ours"). `repro score --suite`,
params validation and the tables ask the suite instead of naming tasks. A new benchmark is a new module registered
here. Benchmarks scored by running generated programs (HumanEval-X, HumanEval-XL) are suites of another shape,
registered in `repro.suites.programs`.
"""

from __future__ import annotations

from types import ModuleType

from repro.registry import Registry

SUITES = Registry("suite", {"xtreme": "repro.suites.xtreme", "xtreme-r": "repro.suites.xtreme_r"})


def get(name: str) -> ModuleType:
    """A suite by name, with a one-line error naming the unknown one."""
    return SUITES[name]


def listing(suite: str, task: str, lang: str) -> ModuleType:
    """The suite a target's language is written and scored in: the target's own, else the first that lists the
    language for it (XQuAD ro, an XTREME target's XTREME-R language: XTREME-R)."""
    own = get(suite)
    if lang in own.TASK2LANGS.get(task, ()):
        return own
    return next((s for s in map(get, SUITES) if lang in s.TASK2LANGS.get(task, ())), own)
