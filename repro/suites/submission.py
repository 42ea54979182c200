"""Score prediction folders in a suite's submission layout, as google-research/xtreme `evaluate.py` does.

Layout (the files evaluate.py reads): `<folder>/<task>/test-<lang>.<tsv|json|jsonl>`, with <lang> every language
of the task's list in the suite (`repro.suites.xtreme`, `repro.suites.xtreme_r`). The suite's FILE_FORMAT names
each task's file format (evaluate.py `read_label`, `read_tag`, `read_squad`, `read_xcopa`; SUFFIX its suffix):
- lines: one label per line (tatoeba: the retrieved row index);
- tags: one tag per line, a blank line between sentences;
- pairs: one "<source id>\\t<target id>" pair per line (bucc2018);
- qa (.json): predictions {question id: answer text}; labels a SQuAD-format json ({"data": [articles]});
- jsonl: one json object per line, its "label" compared (xcopa; labels may be the full XCOPA rows);
- rankings (.json): predictions {query id: [ids, best first]}; labels {query id: [relevant ids]} (mewslix: the
  one gold entity; lareqa: every answering candidate).

A suite with OURS_TASK2LANGS and `ours_scores` (XTREME-R) also gets our own numbers for the tasks the official
script does not score, under the separate key "ours". `write_predictions` / `write_labels` write our own outputs
in that layout, atomically.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from types import ModuleType
from typing import Any, Mapping, Sequence

from repro import metrics
from repro.io import atomic_text
from repro.suites import xtreme

_LANG = re.compile(r"^[A-Za-z0-9_-]+$")
SUFFIX = {"lines": "tsv", "tags": "tsv", "pairs": "tsv", "qa": "json", "rankings": "json", "jsonl": "jsonl"}


def task_file(folder: str | os.PathLike, task: str, lang: str, suite: ModuleType = xtreme) -> Path:
    """<folder>/<task>/test-<lang>.<suffix>: json for QA tasks and rankings, jsonl for XCOPA, tsv otherwise."""
    return Path(folder) / task / f"test-{lang}.{SUFFIX[suite.FILE_FORMAT[task]]}"


# ---------------------------------------------------------------------------------------------------------
# Readers (evaluate.py READER_FUNCTION)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"missing file {path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"cannot read {path}: {err}") from None


def _file_lines(path: Path) -> list[str]:
    """The lines as `for line in open(path)` yields them (universal newlines: \n, \r\n, \r)."""
    lines = _read_text(path).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines[-1] == "" else lines  # "a\nb\n" is two lines, "a\nb" too


def read_lines(path: Path) -> list[str]:
    """evaluate.py `read_label`: every line, stripped (a trailing blank line is an item too)."""
    return [line.strip() for line in _file_lines(path)]


def read_tags(path: Path) -> list[list[str]]:
    """evaluate.py `read_tag`: sentences of stripped non-blank lines; every blank line closes a sentence (so two
    blank lines in a row make an empty sentence); a last sentence without a closing blank line still counts."""
    sentences, current = [], []
    for line in _file_lines(path):
        line = line.strip()
        if line:
            current.append(line)
        else:
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def read_qa(path: Path) -> Any:
    """evaluate.py `read_squad`: the json's "data" when it has that key, else the json itself."""
    try:
        content = json.loads(_read_text(path))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not valid json: {err}") from None
    if isinstance(content, dict) and "data" in content:
        return content["data"]
    return content


def read_jsonl_labels(path: Path) -> list[Any]:
    """evaluate.py `read_xcopa`: the "label" of each line's json object (predictions and gold alike)."""
    labels = []
    for number, line in enumerate(_file_lines(path), start=1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path} line {number} is not valid json: {err}") from None
        if not isinstance(row, Mapping) or "label" not in row:
            raise ValueError(f"{path} line {number} has no \"label\"")
        labels.append(row["label"])
    return labels


READERS = {"lines": read_lines, "tags": read_tags, "pairs": read_lines, "qa": read_qa, "rankings": read_qa,
           "jsonl": read_jsonl_labels}


def read_task_file(task: str, path: Path, suite: ModuleType = xtreme) -> Any:
    return READERS[suite.FILE_FORMAT[task]](path)


# ---------------------------------------------------------------------------------------------------------
# Scoring


def _subfolders(folder: str | os.PathLike, what: str) -> set[str]:
    path = Path(folder)
    if not path.is_dir():
        raise ValueError(f"{what} folder {path} does not exist or is not a folder")
    return {child.name for child in path.iterdir() if child.is_dir()}


def score_language(task: str, lang: str, prediction_file: Path, label_file: Path,
                   suite: ModuleType = xtreme, seqeval: str = metrics.SEQEVAL_DEFAULT) -> dict[str, float]:
    """evaluate.py `evaluate_one_task` for one file pair, with one-line ValueErrors naming the file."""
    predictions = read_task_file(task, prediction_file, suite)
    labels = read_task_file(task, label_file, suite)
    file_format = suite.FILE_FORMAT[task]
    if task in suite.COUNT_CHECKED and len(predictions) != len(labels):
        unit = "sentences" if file_format == "tags" else "lines"
        raise ValueError(f"{prediction_file} has {len(predictions)} {unit} but {label_file} has {len(labels)}")
    if file_format == "qa" and not isinstance(predictions, Mapping):
        raise ValueError(f"{prediction_file} must be a json object {{question id: answer text}}")
    if file_format == "rankings" and not isinstance(predictions, Mapping):
        raise ValueError(f"{prediction_file} must be a json object {{query id: [ranked ids]}}")
    try:
        return suite.evaluate_language(task, predictions, labels, lang, seqeval)
    except ValueError as err:
        raise ValueError(f"{prediction_file}: {err}") from None


def _score_tasks(task2langs: Mapping[str, Sequence[str]], predictions_dir: str | os.PathLike,
                 labels_dir: str | os.PathLike, require_all_languages: bool, suite: ModuleType, seqeval: str,
                 skip_without_files: bool = False) -> dict[str, dict[str, dict[str, float]]]:
    """{task: {lang: scores}} for the tasks whose subfolder both folders have (a task with an empty language
    list gets {}); `skip_without_files`: a task none of whose files is there is left out instead of refused."""
    prediction_tasks = _subfolders(predictions_dir, "predictions")
    label_tasks = _subfolders(labels_dir, "labels")
    results: dict[str, dict[str, dict[str, float]]] = {}
    for task, langs in task2langs.items():
        if task not in prediction_tasks or task not in label_tasks:
            continue
        files = {lang: (task_file(predictions_dir, task, lang, suite), task_file(labels_dir, task, lang, suite))
                 for lang in langs}
        present = {lang for lang, pair in files.items() if all(path.is_file() for path in pair)}
        if skip_without_files and not present:
            continue
        per_lang = {lang: score_language(task, lang, prediction_file, label_file, suite, seqeval)
                    for lang, (prediction_file, label_file) in files.items()
                    if require_all_languages or lang in present}
        if per_lang or not langs:
            results[task] = per_lang
    return results


def score_folders(predictions_dir: str | os.PathLike, labels_dir: str | os.PathLike,
                  require_all_languages: bool = True, suite: ModuleType = xtreme,
                  seqeval: str = metrics.SEQEVAL_DEFAULT) -> dict[str, dict]:
    """{"overall": ..., "detailed": ...} = evaluate.py's (overall_scores, detailed_scores) for two folders.

    As evaluate.py: a task is scored only when both folders have its subfolder (otherwise it is skipped silently,
    and the overall/group scores that need it are left out); other subfolders are ignored. Where evaluate.py
    would crash (a listed language's file missing, counts that differ) this raises a ValueError naming the file.
    `require_all_languages=False` skips languages whose prediction or label file is missing (not an official
    number; for runs on a subset of languages). `seqeval` names the chunk-type rule of tagging F1: the default is
    the official script's as installed today; "0.0.12" gives jiant's 2020 numbers (repro.metrics).

    A suite with OURS_TASK2LANGS (XTREME-R) adds "ours": `suite.ours_scores` of those tasks' files (a task
    folder holding none of them is left out there), never mixed into the official keys.
    """
    metrics.check_seqeval_rule(seqeval)  # before any file is read
    results = _score_tasks(suite.TASK2LANGS, predictions_dir, labels_dir, require_all_languages, suite, seqeval)
    scored = suite.scores(results, require_all_languages=require_all_languages)
    ours_tasks = getattr(suite, "OURS_TASK2LANGS", None)
    if ours_tasks:
        ours = _score_tasks(ours_tasks, predictions_dir, labels_dir, require_all_languages, suite, seqeval,
                            skip_without_files=True)
        scored["ours"] = suite.ours_scores(scored, ours, require_all_languages)
    return scored


# ---------------------------------------------------------------------------------------------------------
# Writers


def _line_item(value: Any, what: str) -> str:
    text = str(value)
    if "\n" in text or "\r" in text or text != text.strip() or not text:
        raise ValueError(f"{what}: {value!r} cannot be written as one line (empty, surrounding space or newline)")
    return text


def _tsv_text(file_format: str, items: Any, what: str) -> str:
    if isinstance(items, (str, bytes, Mapping)):
        raise ValueError(f"{what}: expected a sequence of items, got {type(items).__name__}")
    if file_format == "tags":
        blocks = []
        for i, sentence in enumerate(items):
            if isinstance(sentence, (str, bytes, Mapping)):
                raise ValueError(f"{what}: sentence {i} must be a sequence of tags, got {type(sentence).__name__}")
            # one tag per line, then a blank line; an empty sentence is a lone blank line (read_tags gives it back)
            blocks.append("".join(_line_item(tag, what) + "\n" for tag in sentence) + "\n")
        return "".join(blocks)
    if file_format == "pairs":
        lines = []
        for pair in items:
            if isinstance(pair, str) or len(pair) != 2:
                raise ValueError(f"{what}: expected (source id, target id) pairs, got {pair!r}")
            src, tgt = (_line_item(x, what) for x in pair)
            if "\t" in src or "\t" in tgt:
                raise ValueError(f"{what}: an id contains a tab: {pair!r}")
            lines.append(f"{src}\t{tgt}")
        return "".join(line + "\n" for line in lines)
    return "".join(_line_item(item, what) + "\n" for item in items)


def _squad_labels(gold: Any, what: str) -> dict:
    """SQuAD-format {"data": [articles]} from SQuAD-format input or a flat {question id: [answers]} mapping."""
    questions = metrics.qa_questions(gold)
    if isinstance(gold, Mapping) and isinstance(gold.get("data"), list):
        return {"data": gold["data"]}
    if isinstance(gold, list):
        return {"data": gold}
    qas = [{"id": qid, "answers": [{"text": text} for text in answers]} for qid, answers in questions]
    if not qas:
        raise ValueError(f"{what}: no questions")
    return {"data": [{"title": "", "paragraphs": [{"context": "", "qas": qas}]}]}


def _jsonl_text(items: Any, what: str) -> str:
    """One json object per line: a row with a "label" as it is, any other item as {"label": item}."""
    if isinstance(items, (str, bytes, Mapping)):
        raise ValueError(f"{what}: expected a sequence of labels or rows, got {type(items).__name__}")
    lines = []
    for item in items:
        if isinstance(item, Mapping) and "label" not in item:
            raise ValueError(f"{what}: row {item!r} has no \"label\"")
        lines.append(json.dumps(item if isinstance(item, Mapping) else {"label": item}, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def _rankings_text(rankings: Any, what: str) -> str:
    """{query id: [ids]} as json; a single id stands for a one-item list (Mewsli-X gold). A query id "data" is
    refused: evaluate.py `read_squad` would read only its value."""
    if not isinstance(rankings, Mapping):
        raise ValueError(f"{what}: expected {{query id: [ids]}}, got {type(rankings).__name__}")
    out = {}
    for query, ids in rankings.items():
        if str(query) == "data":
            raise ValueError(f"{what}: a query id cannot be 'data' (the official reader would take its value)")
        ids = [ids] if isinstance(ids, (str, int)) else list(ids)
        if not all(isinstance(i, (str, int)) for i in ids):
            raise ValueError(f"{what}: ids of {query!r} must be strings or integers")
        out[str(query)] = ids
    return json.dumps(out, ensure_ascii=False, indent=1) + "\n"


def _file_text(file_format: str, items: Any, what: str, labels: bool) -> str:
    if file_format == "qa" and labels:
        return json.dumps(_squad_labels(items, what), ensure_ascii=False, indent=1) + "\n"
    if file_format == "qa":
        if not isinstance(items, Mapping) or not all(isinstance(v, str) for v in items.values()):
            raise ValueError(f"{what}: expected {{question id: answer text}}")
        return json.dumps({str(k): v for k, v in items.items()}, ensure_ascii=False, indent=1) + "\n"
    if file_format == "rankings":
        return _rankings_text(items, what)
    if file_format == "jsonl":
        return _jsonl_text(items, what)
    return _tsv_text(file_format, items, what)


def _check_target(task: str, lang: str, suite: ModuleType) -> None:
    if task not in suite.TASK2LANGS:
        raise ValueError(f"unknown {suite.TITLE} task {task!r}; known: {', '.join(suite.TASK2LANGS)}")
    if not _LANG.match(lang):
        raise ValueError(f"bad language code {lang!r}")


def write_predictions(out_dir: str | os.PathLike, task: str, lang: str, predictions: Any,
                      suite: ModuleType = xtreme) -> Path:
    """Write one language's predictions as <out_dir>/<task>/test-<lang>.tsv|json|jsonl (atomic); return the path.

    predictions: labels (pawsx, xnli; xcopa: labels or rows with a "label"), retrieved row indices (tatoeba), tag
    sequences (panx, udpos), (source id, target id) pairs (bucc2018), {question id: answer text} (QA),
    {query id: [ids, best first]} (mewslix, lareqa).
    """
    _check_target(task, lang, suite)
    path = task_file(out_dir, task, lang, suite)
    atomic_text(path, _file_text(suite.FILE_FORMAT[task], predictions, f"predictions for {path}", labels=False))
    return path


def write_labels(out_dir: str | os.PathLike, task: str, lang: str, gold: Any, suite: ModuleType = xtreme) -> Path:
    """Write one language's gold labels in the same layout (atomic); return the path. QA gold may be SQuAD-format
    or {question id: [answer texts]} (optionally under "data"); it is written SQuAD-format, as XTREME's labels.
    Rankings gold: {query id: [relevant ids]} (Mewsli-X: {example id: gold entity id} is accepted too)."""
    _check_target(task, lang, suite)
    path = task_file(out_dir, task, lang, suite)
    atomic_text(path, _file_text(suite.FILE_FORMAT[task], gold, f"labels for {path}", labels=True))
    return path


def write_folder(out_dir: str | os.PathLike, task: str, per_lang: Mapping[str, Sequence | Mapping],
                 labels: bool = False, suite: ModuleType = xtreme) -> list[Path]:
    """Write several languages of one task (predictions, or gold with labels=True)."""
    writer = write_labels if labels else write_predictions
    return [writer(out_dir, task, lang, items, suite) for lang, items in per_lang.items()]
