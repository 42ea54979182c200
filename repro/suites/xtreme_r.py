"""XTREME-R (Ruder et al. 2021) as a benchmark: tasks, languages, groups, submission layout, official aggregation.

Mirrors google-research/xtreme@838c13b `evaluate.py --xtreme_version xtreme-r`: XTREME_R_TASK2LANGS and
XTREME_R_GROUP2TASK (in their order: the keys and order of its `detailed_scores` / `overall_scores`), the metric
of each task (METRIC_FUNCTION), the file its predictions go to (`get_suffix`: json for QA and Mewsli-X, jsonl for
the multiple-choice group, i.e. XCOPA, tsv otherwise) and its reader (READER_FUNCTION). The aggregation is the same
function as XTREME's (repro.suites.aggregate). What the official script does that one might not expect, and this
module keeps:
- XCOPA appears in two groups ("classification" with XNLI, and "multi_choice" alone); its files are jsonl rows
  whose "label" is compared, predictions and gold alike (`read_xcopa`), with Python equality of the json values.
- Mewsli-X's "map@20" is utils_mewslix `evaluate` (MRR over the top 20 against the first gold id); its counts
  are not checked (a missing prediction scores 0).
- LAReQA has no language list, so the official script gives it `{}` and never scores it; and as soon as every
  task folder (LAReQA's included) is there, its "all_task" line stops with a KeyError. So the official output
  never holds "all_task" for XTREME-R (repro.suites.aggregate.overall_scores leaves it out).

Ours, not official (under the separate top-level key "ours", see `ours_scores`): LAReQA's mAP@20 over XQuAD-R's
languages, from `lareqa/test-<question language>.json` files (predictions {question id: [candidate ids ranked over
the whole multilingual pool, best first]}, labels {question id: [ids of every candidate that answers it]}; the
dual-encoder stage writes the first, the data stage the second), its group "retrieval" (Tatoeba, Mewsli-X, LAReQA, as the XTREME-R paper groups
them) and "all_task", the plain mean of the ten task scores (evaluate.py's XTREME rule, LAReQA included).
"""

from __future__ import annotations

from typing import Any, Mapping

from repro.errors import UserError
from repro.metrics import METRICS, SEQEVAL_DEFAULT, check_seqeval_rule
from repro.suites import aggregate

NAME = "xtreme-r"
TITLE = "XTREME-R"

# ---------------------------------------------------------------------------------------------------------
# Tasks, languages, groups (evaluate.py XTREME_R_TASK2LANGS / XTREME_R_GROUP2TASK)

TASK2LANGS: dict[str, tuple[str, ...]] = {
    "xnli": ("ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh"),
    "panx": ("ar", "he", "vi", "id", "jv", "ms", "tl", "eu", "ml", "ta", "te", "af", "nl", "en", "de", "el", "bn",
             "hi", "mr", "ur", "fa", "fr", "it", "pt", "es", "bg", "ru", "ja", "ka", "ko", "th", "sw", "yo", "my",
             "zh", "kk", "tr", "et", "fi", "hu", "qu", "pl", "uk", "az", "lt", "pa", "gu", "ro"),
    "udpos": ("af", "ar", "bg", "de", "el", "en", "es", "et", "eu", "fa", "fi", "fr", "he", "hi", "hu", "id", "it",
              "ja", "kk", "ko", "mr", "nl", "pt", "ru", "ta", "te", "th", "tl", "tr", "ur", "vi", "yo", "zh", "lt",
              "pl", "uk", "wo", "ro"),
    "tatoeba": ("ar", "he", "vi", "id", "jv", "tl", "eu", "ml", "ta", "te", "af", "nl", "de", "el", "bn", "hi",
                "mr", "ur", "fa", "fr", "it", "pt", "es", "bg", "ru", "ja", "ka", "ko", "th", "sw", "zh", "kk",
                "tr", "et", "fi", "hu", "az", "lt", "pl", "uk", "ro"),
    "xcopa": ("et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh"),
    "lareqa": (),  # no list in evaluate.py: never scored there (see OURS_TASK2LANGS)
    "mewslix": ("ar", "de", "en", "es", "fa", "ja", "pl", "ro", "ta", "tr", "uk"),
    "xquad": ("en", "es", "de", "el", "ru", "tr", "ar", "vi", "th", "zh", "hi", "ro"),
    "mlqa": ("en", "es", "de", "ar", "hi", "vi", "zh"),
    "tydiqa": ("en", "ar", "bn", "fi", "id", "ko", "ru", "sw", "te"),
}

GROUPS: dict[str, tuple[str, ...]] = {  # evaluate.py XTREME_R_GROUP2TASK: the keys of overall_scores
    "classification": ("xnli", "xcopa"),
    "tagging": ("udpos", "panx"),
    "qa": ("xquad", "mlqa", "tydiqa"),
    "retrieval": ("tatoeba", "mewslix"),
    "multi_choice": ("xcopa",),
}
QA_TASKS = GROUPS["qa"]

# Ours: LAReQA's languages (XQuAD-R: XQuAD's 11 languages, without ro) and the groups that include it
OURS_TASK2LANGS: dict[str, tuple[str, ...]] = {
    "lareqa": ("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh"),
}
OURS_GROUPS: dict[str, tuple[str, ...]] = {"retrieval": ("tatoeba", "mewslix", "lareqa")}
OURS_NOTE = ("not produced by the official evaluate.py --xtreme_version xtreme-r (it has no LAReQA languages and "
             "never gives all_task): LAReQA mAP@20 over the XQuAD-R languages; retrieval = mean of Tatoeba, "
             "Mewsli-X, LAReQA; all_task = plain mean of the 10 task scores")

# Task -> metric name (a task entry's `metric`); repro.metrics.METRICS maps a name to its per-language scorer.
TASK_METRIC: dict[str, str] = {
    "xnli": "accuracy", "xcopa": "accuracy", "tatoeba": "accuracy",
    "panx": "f1", "udpos": "f1",
    "xquad": "squad", "tydiqa": "squad", "mlqa": "mlqa",
    "mewslix": "mewslix_map", "lareqa": "lareqa_map",
}

# The submission layout (repro.suites.submission.SUFFIX gives each format's file suffix)
FILE_FORMAT: dict[str, str] = {
    "xnli": "lines", "tatoeba": "lines", "panx": "tags", "udpos": "tags", "xcopa": "jsonl",
    "xquad": "qa", "mlqa": "qa", "tydiqa": "qa", "mewslix": "rankings", "lareqa": "rankings",
}
# evaluate.py asserts equal counts for every task but bucc2018, mewslix and the QA tasks
COUNT_CHECKED = ("xnli", "panx", "udpos", "tatoeba", "xcopa")


def evaluate_language(task: str, predictions: Any, gold: Any, lang: str,
                      seqeval: str = SEQEVAL_DEFAULT) -> dict[str, float]:
    """One language of one task, with the keys evaluate.py's metric function returns for it (LAReQA: ours)."""
    if task not in TASK_METRIC:
        raise UserError(f"unknown XTREME-R task {task!r}; known: {', '.join(TASK_METRIC)}")
    return METRICS[TASK_METRIC[task]](predictions, gold, lang, check_seqeval_rule(seqeval))


def task_detail(task: str, per_lang: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """One entry of evaluate.py's `detailed_scores` (see repro.suites.aggregate.task_detail)."""
    return aggregate.task_detail(task, per_lang, QA_TASKS)


def task_score(task: str, per_lang: Mapping[str, Mapping[str, float]]) -> float:
    """The single number of a task over the given languages (evaluate.py `avg_metric`)."""
    detail = task_detail(task, per_lang)
    if "avg_metric" not in detail:
        raise UserError(f"{task}: no accuracy, F1, EM or mAP among {sorted(k for k in detail if k[:4] == 'avg_')}")
    return detail["avg_metric"]


def overall_scores(detailed: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """evaluate.py's `overall_scores` for XTREME-R: each group whose tasks are all present ("all_task" never)."""
    return aggregate.overall_scores(detailed, TASK2LANGS, GROUPS)


def scores(results: Mapping[str, Mapping[str, Mapping[str, float]]],
           require_all_languages: bool = True) -> dict[str, dict]:
    """{"overall": overall_scores, "detailed": detailed_scores} from {task: {lang: per-language scores}}, as
    evaluate.py --xtreme_version xtreme-r (a "lareqa" key with any value gives its official entry, {})."""
    detailed = aggregate.detailed_scores(results, TASK2LANGS, QA_TASKS, TITLE, require_all_languages)
    return {"overall": overall_scores(detailed), "detailed": detailed}


def ours_scores(official: Mapping[str, Mapping[str, Any]],
                ours_results: Mapping[str, Mapping[str, Mapping[str, float]]],
                require_all_languages: bool = True) -> dict[str, Any]:
    """The "ours" block beside the official output: {"note", "detailed": {"lareqa": ...}, "overall": {"retrieval",
    "all_task"}}, each overall score only when all its tasks are scored (the official ones from `official`)."""
    detailed = aggregate.detailed_scores(ours_results, OURS_TASK2LANGS, QA_TASKS, TITLE, require_all_languages)
    every = {**{t: d for t, d in official["detailed"].items() if "avg_metric" in d}, **detailed}
    overall = {group: sum(every[t]["avg_metric"] for t in tasks) / len(tasks)
               for group, tasks in OURS_GROUPS.items() if set(tasks) <= set(every)}
    if set(every) == set(TASK2LANGS):
        overall["all_task"] = sum(every[t]["avg_metric"] for t in TASK2LANGS) / len(TASK2LANGS)
    return {"note": OURS_NOTE, "detailed": detailed, "overall": overall}
