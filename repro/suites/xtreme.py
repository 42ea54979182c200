"""XTREME (Hu et al. 2020) as a benchmark: tasks, languages, groups, submission layout, official aggregation.

Mirrors google-research/xtreme@838c13b `evaluate.py`: TASK2LANGS and GROUP2TASK (the XTREME lists, not
XTREME-R's), the metric of each task, the file each task's predictions go to (`get_suffix`, READER_FUNCTION),
and `evaluate`'s language averages, `detailed_scores` and `overall_scores`. Tagging F1 follows the seqeval that
XTREME's install_tools.sh installs today (an unpinned `pip install seqeval`: 1.2.2) unless a caller names the
0.0.12 rule (repro.metrics.SEQEVAL_RULES). A second benchmark is a second module of the same names
(`repro.suites`).
"""

from __future__ import annotations

from typing import Any, Mapping

from repro.metrics import METRICS, SEQEVAL_DEFAULT, check_seqeval_rule
from repro.suites import aggregate

NAME = "xtreme"
TITLE = "XTREME"

# ---------------------------------------------------------------------------------------------------------
# Tasks, languages, groups (evaluate.py TASK2LANGS / GROUP2TASK; the XTREME lists, not XTREME-R's)

TASK2LANGS: dict[str, tuple[str, ...]] = {
    "pawsx": ("de", "en", "es", "fr", "ja", "ko", "zh"),
    "xnli": ("ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh"),
    "panx": ("ar", "he", "vi", "id", "jv", "ms", "tl", "eu", "ml", "ta", "te", "af", "nl", "en", "de", "el", "bn",
             "hi", "mr", "ur", "fa", "fr", "it", "pt", "es", "bg", "ru", "ja", "ka", "ko", "th", "sw", "yo", "my",
             "zh", "kk", "tr", "et", "fi", "hu"),
    "udpos": ("af", "ar", "bg", "de", "el", "en", "es", "et", "eu", "fa", "fi", "fr", "he", "hi", "hu", "id", "it",
              "ja", "kk", "ko", "mr", "nl", "pt", "ru", "ta", "te", "th", "tl", "tr", "ur", "vi", "yo", "zh"),
    "bucc2018": ("de", "fr", "ru", "zh"),
    "tatoeba": ("ar", "he", "vi", "id", "jv", "tl", "eu", "ml", "ta", "te", "af", "nl", "de", "el", "bn", "hi",
                "mr", "ur", "fa", "fr", "it", "pt", "es", "bg", "ru", "ja", "ka", "ko", "th", "sw", "zh", "kk",
                "tr", "et", "fi", "hu"),
    "xquad": ("en", "es", "de", "el", "ru", "tr", "ar", "vi", "th", "zh", "hi"),
    "mlqa": ("en", "es", "de", "ar", "hi", "vi", "zh"),
    "tydiqa": ("en", "ar", "bn", "fi", "id", "ko", "ru", "sw", "te"),
}

GROUPS: dict[str, tuple[str, ...]] = {  # evaluate.py GROUP2TASK: the keys of overall_scores
    "classification": ("pawsx", "xnli"),
    "tagging": ("udpos", "panx"),
    "qa": ("xquad", "mlqa", "tydiqa"),
    "retrieval": ("bucc2018", "tatoeba"),
}
QA_TASKS = GROUPS["qa"]

# Task -> metric name (a task entry's `metric`); repro.metrics.METRICS maps a name to its per-language scorer.
TASK_METRIC: dict[str, str] = {
    "pawsx": "accuracy", "xnli": "accuracy", "tatoeba": "accuracy",
    "panx": "f1", "udpos": "f1",  # XTREME scores UD-POS with seqeval entity F1 too, not token accuracy
    "bucc2018": "bucc_f1",
    "xquad": "squad", "tydiqa": "squad", "mlqa": "mlqa",
}


# The submission layout: evaluate.py READER_FUNCTION and `get_suffix` (json for QA, tsv otherwise)
FILE_FORMAT: dict[str, str] = {
    "pawsx": "lines", "xnli": "lines", "tatoeba": "lines", "panx": "tags", "udpos": "tags", "bucc2018": "pairs",
    "xquad": "qa", "mlqa": "qa", "tydiqa": "qa",
}
COUNT_CHECKED = ("pawsx", "xnli", "panx", "udpos", "tatoeba")  # evaluate.py asserts equal counts for these


def evaluate_language(task: str, predictions: Any, gold: Any, lang: str,
                      seqeval: str = SEQEVAL_DEFAULT) -> dict[str, float]:
    """One language of one task, with the keys evaluate.py's metric function returns for it (tagging F1 under
    the `seqeval` chunk-type rule)."""
    if task not in TASK_METRIC:
        raise ValueError(f"unknown XTREME task {task!r}; known: {', '.join(TASK_METRIC)}")
    return METRICS[TASK_METRIC[task]](predictions, gold, lang, check_seqeval_rule(seqeval))


def task_detail(task: str, per_lang: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """One entry of evaluate.py's `detailed_scores`: {metric: {lang: value}} in the given language order, then
    "avg_<metric>" (plain mean over the languages, English included where the task lists it) and "avg_metric"."""
    return aggregate.task_detail(task, per_lang, QA_TASKS)


def task_score(task: str, per_lang: Mapping[str, Mapping[str, float]]) -> float:
    """The single number of a task over the given languages: mean accuracy, mean F1, or for QA
    (mean EM + mean F1) / 2 (evaluate.py `avg_metric`)."""
    detail = task_detail(task, per_lang)
    if "avg_metric" not in detail:
        raise ValueError(f"{task}: no accuracy, F1 or EM among {sorted(k for k in detail if k.startswith('avg_'))}")
    return detail["avg_metric"]


def overall_scores(detailed: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """evaluate.py's `overall_scores`: "all_task" (plain mean of the nine task scores, not of the group scores)
    only when every task is present, then each group whose tasks are all present."""
    return aggregate.overall_scores(detailed, TASK2LANGS, GROUPS)


def scores(results: Mapping[str, Mapping[str, Mapping[str, float]]],
           require_all_languages: bool = True) -> dict[str, dict]:
    """{"overall": overall_scores, "detailed": detailed_scores} from {task: {lang: per-language scores}}.

    As evaluate.py: tasks in its order, absent tasks skipped, languages outside the XTREME list ignored. A listed
    language without scores is an error (the official script stops at the missing file); with
    `require_all_languages=False` it is left out of the averages instead (not an official number).
    """
    detailed = aggregate.detailed_scores(results, TASK2LANGS, QA_TASKS, TITLE, require_all_languages)
    return {"overall": overall_scores(detailed), "detailed": detailed}
