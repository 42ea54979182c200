"""Score prediction folders in a suite's submission layout, as google-research/xtreme `evaluate.py` does.

Layout (the files evaluate.py reads): `<folder>/<task>/test-<lang>.<tsv|json>`, with <lang> every language of
the task's list in the suite (`repro.suites.xtreme`). The suite's FILE_FORMAT names each task's file format
(evaluate.py `read_label`, `read_tag`, `read_squad`):
- lines: one label per line (tatoeba: the retrieved row index);
- tags: one tag per line, a blank line between sentences;
- pairs: one "<source id>\\t<target id>" pair per line (bucc2018);
- qa (.json): predictions {question id: answer text}; labels a SQuAD-format json ({"data": [articles]}).

`write_predictions` / `write_labels` write our own outputs in that layout, atomically.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from types import ModuleType
from typing import Any, Mapping, Sequence

from repro import metrics
from repro.errors import UserError
from repro.io import atomic_text
from repro.suites import xtreme

_LANG = re.compile(r"^[A-Za-z0-9_-]+$")


def task_file(folder: str | os.PathLike, task: str, lang: str, suite: ModuleType = xtreme) -> Path:
    """<folder>/<task>/test-<lang>.json for QA tasks, .tsv otherwise."""
    suffix = "json" if suite.FILE_FORMAT[task] == "qa" else "tsv"
    return Path(folder) / task / f"test-{lang}.{suffix}"


# ---------------------------------------------------------------------------------------------------------
# Readers (evaluate.py READER_FUNCTION)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"missing file {path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"cannot read {path}: {err}") from None


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
        raise UserError(f"{path} is not valid json: {err}") from None
    if isinstance(content, dict) and "data" in content:
        return content["data"]
    return content


READERS = {"lines": read_lines, "tags": read_tags, "pairs": read_lines, "qa": read_qa}


def read_task_file(task: str, path: Path, suite: ModuleType = xtreme) -> Any:
    return READERS[suite.FILE_FORMAT[task]](path)


# ---------------------------------------------------------------------------------------------------------
# Scoring


def _subfolders(folder: str | os.PathLike, what: str) -> set[str]:
    path = Path(folder)
    if not path.is_dir():
        raise UserError(f"{what} folder {path} does not exist or is not a folder")
    return {child.name for child in path.iterdir() if child.is_dir()}


def score_language(task: str, lang: str, prediction_file: Path, label_file: Path,
                   suite: ModuleType = xtreme, seqeval: str = metrics.SEQEVAL_DEFAULT) -> dict[str, float]:
    """evaluate.py `evaluate_one_task` for one file pair, with one-line ValueErrors naming the file."""
    predictions = read_task_file(task, prediction_file, suite)
    labels = read_task_file(task, label_file, suite)
    file_format = suite.FILE_FORMAT[task]
    if task in suite.COUNT_CHECKED and len(predictions) != len(labels):
        unit = "sentences" if file_format == "tags" else "lines"
        raise UserError(f"{prediction_file} has {len(predictions)} {unit} but {label_file} has {len(labels)}")
    if file_format == "qa" and not isinstance(predictions, Mapping):
        raise UserError(f"{prediction_file} must be a json object {{question id: answer text}}")
    try:
        return suite.evaluate_language(task, predictions, labels, lang, seqeval)
    except ValueError as err:
        raise UserError(f"{prediction_file}: {err}") from None


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
    """
    metrics.check_seqeval_rule(seqeval)  # before any file is read
    prediction_tasks = _subfolders(predictions_dir, "predictions")
    label_tasks = _subfolders(labels_dir, "labels")
    results: dict[str, dict[str, dict[str, float]]] = {}
    for task, langs in suite.TASK2LANGS.items():
        if task not in prediction_tasks or task not in label_tasks:
            continue
        per_lang = {}
        for lang in langs:
            prediction_file = task_file(predictions_dir, task, lang, suite)
            label_file = task_file(labels_dir, task, lang, suite)
            if not require_all_languages and not (prediction_file.is_file() and label_file.is_file()):
                continue
            per_lang[lang] = score_language(task, lang, prediction_file, label_file, suite, seqeval)
        if per_lang:
            results[task] = per_lang
    return suite.scores(results, require_all_languages=require_all_languages)


# ---------------------------------------------------------------------------------------------------------
# Writers


def _line_item(value: Any, what: str) -> str:
    text = str(value)
    if "\n" in text or "\r" in text or text != text.strip() or not text:
        raise UserError(f"{what}: {value!r} cannot be written as one line (empty, surrounding space or newline)")
    return text


def _tsv_text(file_format: str, items: Any, what: str) -> str:
    if isinstance(items, (str, bytes, Mapping)):
        raise UserError(f"{what}: expected a sequence of items, got {type(items).__name__}")
    if file_format == "tags":
        blocks = []
        for i, sentence in enumerate(items):
            if isinstance(sentence, (str, bytes, Mapping)):
                raise UserError(f"{what}: sentence {i} must be a sequence of tags, got {type(sentence).__name__}")
            # one tag per line, then a blank line; an empty sentence is a lone blank line (read_tags gives it back)
            blocks.append("".join(_line_item(tag, what) + "\n" for tag in sentence) + "\n")
        return "".join(blocks)
    if file_format == "pairs":
        lines = []
        for pair in items:
            if isinstance(pair, str) or len(pair) != 2:
                raise UserError(f"{what}: expected (source id, target id) pairs, got {pair!r}")
            src, tgt = (_line_item(x, what) for x in pair)
            if "\t" in src or "\t" in tgt:
                raise UserError(f"{what}: an id contains a tab: {pair!r}")
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
        raise UserError(f"{what}: no questions")
    return {"data": [{"title": "", "paragraphs": [{"context": "", "qas": qas}]}]}


def _check_target(task: str, lang: str, suite: ModuleType) -> None:
    if task not in suite.TASK2LANGS:
        raise UserError(f"unknown {suite.TITLE} task {task!r}; known: {', '.join(suite.TASK2LANGS)}")
    if not _LANG.match(lang):
        raise UserError(f"bad language code {lang!r}")


def write_predictions(out_dir: str | os.PathLike, task: str, lang: str, predictions: Any,
                      suite: ModuleType = xtreme) -> Path:
    """Write one language's predictions as <out_dir>/<task>/test-<lang>.tsv|json (atomic); return the path.

    predictions: labels (pawsx, xnli), retrieved row indices (tatoeba), tag sequences (panx, udpos),
    (source id, target id) pairs (bucc2018), {question id: answer text} (QA).
    """
    _check_target(task, lang, suite)
    path = task_file(out_dir, task, lang, suite)
    what = f"predictions for {path}"
    if suite.FILE_FORMAT[task] == "qa":
        if not isinstance(predictions, Mapping) or not all(isinstance(v, str) for v in predictions.values()):
            raise UserError(f"{what}: expected {{question id: answer text}}")
        text = json.dumps({str(k): v for k, v in predictions.items()}, ensure_ascii=False, indent=1) + "\n"
    else:
        text = _tsv_text(suite.FILE_FORMAT[task], predictions, what)
    atomic_text(path, text)
    return path


def write_labels(out_dir: str | os.PathLike, task: str, lang: str, gold: Any, suite: ModuleType = xtreme) -> Path:
    """Write one language's gold labels in the same layout (atomic); return the path. QA gold may be SQuAD-format
    or {question id: [answer texts]} (optionally under "data"); it is written SQuAD-format, as XTREME's labels."""
    _check_target(task, lang, suite)
    path = task_file(out_dir, task, lang, suite)
    what = f"labels for {path}"
    if suite.FILE_FORMAT[task] == "qa":
        text = json.dumps(_squad_labels(gold, what), ensure_ascii=False, indent=1) + "\n"
    else:
        text = _tsv_text(suite.FILE_FORMAT[task], gold, what)
    atomic_text(path, text)
    return path


def write_folder(out_dir: str | os.PathLike, task: str, per_lang: Mapping[str, Sequence | Mapping],
                 labels: bool = False, suite: ModuleType = xtreme) -> list[Path]:
    """Write several languages of one task (predictions, or gold with labels=True)."""
    writer = write_labels if labels else write_predictions
    return [writer(out_dir, task, lang, items, suite) for lang, items in per_lang.items()]
