"""Score prediction folders in the XTREME submission layout, as google-research/xtreme `evaluate.py` does.

Layout (the files evaluate.py reads): `<folder>/<task>/test-<lang>.tsv` for pawsx, xnli, panx, udpos, bucc2018,
tatoeba and `<folder>/<task>/test-<lang>.json` for xquad, mlqa, tydiqa, with <lang> every language of the task's
XTREME list. File formats (evaluate.py `read_label`, `read_tag`, `read_squad`):
- pawsx, xnli, tatoeba: one label per line (tatoeba: the retrieved row index);
- panx, udpos: one tag per line, a blank line between sentences;
- bucc2018: one "<source id>\\t<target id>" pair per line;
- QA: predictions {question id: answer text}; labels a SQuAD-format json ({"data": [articles]}).

`write_predictions` / `write_labels` write our own outputs in that layout, atomically.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Mapping, Sequence

from repro import metrics

_LANG = re.compile(r"^[A-Za-z0-9_-]+$")
_COUNT_CHECKED = ("pawsx", "xnli", "panx", "udpos", "tatoeba")  # evaluate.py asserts equal counts for these


def task_file(folder: str | os.PathLike, task: str, lang: str) -> Path:
    """<folder>/<task>/test-<lang>.json for QA tasks, .tsv otherwise."""
    suffix = "json" if task in metrics.QA_TASKS else "tsv"
    return Path(folder) / task / f"test-{lang}.{suffix}"


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


def read_task_file(task: str, path: Path) -> Any:
    if task in metrics.QA_TASKS:
        return read_qa(path)
    if task in ("panx", "udpos"):
        return read_tags(path)
    return read_lines(path)


# ---------------------------------------------------------------------------------------------------------
# Scoring


def _subfolders(folder: str | os.PathLike, what: str) -> set[str]:
    path = Path(folder)
    if not path.is_dir():
        raise ValueError(f"{what} folder {path} does not exist or is not a folder")
    return {child.name for child in path.iterdir() if child.is_dir()}


def score_language(task: str, lang: str, prediction_file: Path, label_file: Path) -> dict[str, float]:
    """evaluate.py `evaluate_one_task` for one file pair, with one-line ValueErrors naming the file."""
    predictions = read_task_file(task, prediction_file)
    labels = read_task_file(task, label_file)
    if task in _COUNT_CHECKED and len(predictions) != len(labels):
        unit = "sentences" if task in ("panx", "udpos") else "lines"
        raise ValueError(f"{prediction_file} has {len(predictions)} {unit} but {label_file} has {len(labels)}")
    if task in metrics.QA_TASKS and not isinstance(predictions, Mapping):
        raise ValueError(f"{prediction_file} must be a json object {{question id: answer text}}")
    try:
        return metrics.evaluate_language(task, predictions, labels, lang)
    except ValueError as err:
        raise ValueError(f"{prediction_file}: {err}") from None


def score_folders(predictions_dir: str | os.PathLike, labels_dir: str | os.PathLike,
                  require_all_languages: bool = True) -> dict[str, dict]:
    """{"overall": ..., "detailed": ...} = evaluate.py's (overall_scores, detailed_scores) for two folders.

    As evaluate.py: a task is scored only when both folders have its subfolder (otherwise it is skipped silently,
    and the overall/group scores that need it are left out); other subfolders are ignored. Where evaluate.py
    would crash (a listed language's file missing, counts that differ) this raises a ValueError naming the file.
    `require_all_languages=False` skips languages whose prediction or label file is missing (not an official
    number; for runs on a subset of languages).
    """
    prediction_tasks = _subfolders(predictions_dir, "predictions")
    label_tasks = _subfolders(labels_dir, "labels")
    results: dict[str, dict[str, dict[str, float]]] = {}
    for task, langs in metrics.XTREME_TASK2LANGS.items():
        if task not in prediction_tasks or task not in label_tasks:
            continue
        per_lang = {}
        for lang in langs:
            prediction_file = task_file(predictions_dir, task, lang)
            label_file = task_file(labels_dir, task, lang)
            if not require_all_languages and not (prediction_file.is_file() and label_file.is_file()):
                continue
            per_lang[lang] = score_language(task, lang, prediction_file, label_file)
        if per_lang:
            results[task] = per_lang
    return metrics.xtreme_scores(results, require_all_languages=require_all_languages)


# ---------------------------------------------------------------------------------------------------------
# Writers


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _line_item(value: Any, what: str) -> str:
    text = str(value)
    if "\n" in text or "\r" in text or text != text.strip() or not text:
        raise ValueError(f"{what}: {value!r} cannot be written as one line (empty, surrounding space or newline)")
    return text


def _tsv_text(task: str, items: Any, what: str) -> str:
    if isinstance(items, (str, bytes, Mapping)):
        raise ValueError(f"{what}: expected a sequence of items, got {type(items).__name__}")
    if task in ("panx", "udpos"):
        blocks = []
        for i, sentence in enumerate(items):
            if isinstance(sentence, (str, bytes, Mapping)):
                raise ValueError(f"{what}: sentence {i} must be a sequence of tags, got {type(sentence).__name__}")
            # one tag per line, then a blank line; an empty sentence is a lone blank line (read_tags gives it back)
            blocks.append("".join(_line_item(tag, what) + "\n" for tag in sentence) + "\n")
        return "".join(blocks)
    if task == "bucc2018":
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


def _check_target(task: str, lang: str) -> None:
    if task not in metrics.XTREME_TASK2LANGS:
        raise ValueError(f"unknown XTREME task {task!r}; known: {', '.join(metrics.XTREME_TASK2LANGS)}")
    if not _LANG.match(lang):
        raise ValueError(f"bad language code {lang!r}")


def write_predictions(out_dir: str | os.PathLike, task: str, lang: str, predictions: Any) -> Path:
    """Write one language's predictions as <out_dir>/<task>/test-<lang>.tsv|json (atomic); return the path.

    predictions: labels (pawsx, xnli), retrieved row indices (tatoeba), tag sequences (panx, udpos),
    (source id, target id) pairs (bucc2018), {question id: answer text} (QA).
    """
    _check_target(task, lang)
    path = task_file(out_dir, task, lang)
    what = f"predictions for {path}"
    if task in metrics.QA_TASKS:
        if not isinstance(predictions, Mapping) or not all(isinstance(v, str) for v in predictions.values()):
            raise ValueError(f"{what}: expected {{question id: answer text}}")
        text = json.dumps({str(k): v for k, v in predictions.items()}, ensure_ascii=False, indent=1) + "\n"
    else:
        text = _tsv_text(task, predictions, what)
    _atomic_write(path, text)
    return path


def write_labels(out_dir: str | os.PathLike, task: str, lang: str, gold: Any) -> Path:
    """Write one language's gold labels in the same layout (atomic); return the path. QA gold may be SQuAD-format
    or {question id: [answer texts]} (optionally under "data"); it is written SQuAD-format, as XTREME's labels."""
    _check_target(task, lang)
    path = task_file(out_dir, task, lang)
    what = f"labels for {path}"
    if task in metrics.QA_TASKS:
        text = json.dumps(_squad_labels(gold, what), ensure_ascii=False, indent=1) + "\n"
    else:
        text = _tsv_text(task, gold, what)
    _atomic_write(path, text)
    return path


def write_folder(out_dir: str | os.PathLike, task: str, per_lang: Mapping[str, Sequence | Mapping],
                 labels: bool = False) -> list[Path]:
    """Write several languages of one task (predictions, or gold with labels=True)."""
    writer = write_labels if labels else write_predictions
    return [writer(out_dir, task, lang, items) for lang, items in per_lang.items()]
