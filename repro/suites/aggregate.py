"""The aggregation google-research/xtreme@838c13b `evaluate.py` applies to both of its benchmarks.

`evaluate` is one function for XTREME and XTREME-R; only the dicts differ (XTREME_VERSIONS_LANG_DICT,
XTREME_VERSIONS_GROUP_DICT). This module is that function's arithmetic, parameterised by a suite's dicts:
per-language scores -> `detailed_scores` (per-metric language maps, plain language averages, `avg_metric`) ->
`overall_scores` ("all_task" and the groups). The suites (repro.suites.xtreme, repro.suites.xtreme_r) call it.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence


def task_detail(task: str, per_lang: Mapping[str, Mapping[str, float]], qa_tasks: Sequence[str]) -> dict[str, Any]:
    """One entry of `detailed_scores`: {metric: {lang: value}} in the given language order, then "avg_<metric>"
    (plain mean over the languages) and "avg_metric": (avg EM + avg F1) / 2 for QA tasks, else the first of
    avg_f1, avg_accuracy, avg_map@20 that exists (evaluate.py's if/elif chain, in its order)."""
    if not per_lang:
        raise ValueError(f"{task}: no languages to average")
    detail: dict[str, Any] = {}
    for lang, scores in per_lang.items():
        for metric, value in scores.items():
            detail.setdefault(metric, {})[lang] = float(value)
    for metric in list(detail):
        values = detail[metric]
        if len(values) != len(per_lang):
            raise ValueError(f"{task}: metric {metric!r} is missing for some languages")
        detail[f"avg_{metric}"] = sum(values.values()) / len(values)
    if task in qa_tasks:
        detail["avg_metric"] = (detail["avg_exact_match"] + detail["avg_f1"]) / 2
    else:
        for average in ("avg_f1", "avg_accuracy", "avg_map@20"):
            if average in detail:
                detail["avg_metric"] = detail[average]
                break
    return detail


def detailed_scores(results: Mapping[str, Mapping[str, Mapping[str, float]]], task2langs: Mapping[str, Sequence[str]],
                    qa_tasks: Sequence[str], title: str, require_all_languages: bool = True) -> dict[str, dict]:
    """`detailed_scores` from {task: {lang: per-language scores}}: tasks in the suite's order, absent tasks skipped,
    languages outside the task's list ignored. A task whose list is empty (XTREME-R's LAReQA) gets {} when it is
    present, as evaluate.py gives it. A listed language without scores raises (the official script stops at the
    missing file) unless `require_all_languages=False`, which leaves it out of the averages (not official)."""
    detailed: dict[str, dict] = {}
    for task, langs in task2langs.items():
        if task not in results:
            continue
        if not langs:
            detailed[task] = {}
            continue
        per_lang = results[task]
        missing = [lang for lang in langs if lang not in per_lang]
        if missing and require_all_languages:
            raise ValueError(f"{task}: no scores for {', '.join(missing)} ({title} averages over all its languages)")
        present = {lang: per_lang[lang] for lang in langs if lang in per_lang}
        if present:
            detailed[task] = task_detail(task, present, qa_tasks)
    return detailed


def overall_scores(detailed: Mapping[str, Mapping[str, Any]], task2langs: Mapping[str, Sequence[str]],
                   groups: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """`overall_scores`: "all_task" (plain mean of the task scores) only when every task of the suite is present,
    then each group whose tasks are all present (mean of its task scores).

    evaluate.py computes "all_task" from every task's `avg_metric`; where a task has none (XTREME-R's LAReQA, whose
    entry is {}: so whenever every XTREME-R task folder is there) the official script stops with a KeyError
    before any overall score. Here "all_task" is left out instead and the groups are still given."""
    overall: dict[str, float] = {}
    available = set(detailed)
    if available == set(task2langs) and all("avg_metric" in detailed[t] for t in task2langs):
        overall["all_task"] = sum(detailed[t]["avg_metric"] for t in task2langs) / len(task2langs)
    for group, tasks in groups.items():
        if set(tasks) <= available:
            overall[group] = sum(detailed[t]["avg_metric"] for t in tasks) / len(tasks)
    return overall
