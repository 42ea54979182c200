"""Multiple-choice QA: Cosmos QA (authors' CSV) and CommonsenseQA (JSONL)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from repro.data.loaders.common import _DEV, Row, _existing_file, _fail, _find, _lines, _one_line

_COSMOS_COLUMNS = ("id", "context", "question", "answer0", "answer1", "answer2", "answer3", "label")


def read_cosmosqa_csv(path: Path | str) -> Iterator[Row]:
    """Rows of the authors' `id,context,question,answer0..answer3,label` CSV (label 0-3)."""
    path = _existing_file(path, "Cosmos QA CSV")
    return _iter_cosmosqa(path)


def _iter_cosmosqa(path: Path) -> Iterator[Row]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or any(col not in header for col in _COSMOS_COLUMNS):
                raise _fail(path, f"header must contain {','.join(_COSMOS_COLUMNS)}, found "
                                  f"{_one_line(header, 120)}", 1)
            index = {col: header.index(col) for col in _COSMOS_COLUMNS}
            for record in reader:
                if not record:
                    continue
                if len(record) != len(header):
                    raise _fail(path, f"{len(record)} fields, header has {len(header)}", reader.line_num)
                label = record[index["label"]].strip()
                if label not in ("0", "1", "2", "3"):
                    raise _fail(path, f"label {_one_line(label)} is not 0-3", reader.line_num)
                row: Row = {col: record[index[col]] for col in _COSMOS_COLUMNS[:-1]}
                row["label"] = int(label)
                yield row
    except csv.Error as err:
        raise _fail(path, f"malformed CSV ({err})") from None
    except UnicodeDecodeError as err:
        raise _fail(path, f"not UTF-8 text ({err.reason} at byte {err.start})") from None


def read_commonsenseqa_jsonl(path: Path | str, *, require_answer: bool = True) -> Iterator[Row]:
    """Rows `{id, question, question_concept, choices{label, text}, answerKey}` of a CommonsenseQA JSONL.

    Reads both the original AI2 layout (`question: {stem, question_concept, choices: [{label, text}]}`)
    and the HF export (already flat). `require_answer=False` accepts the unlabelled test file (answerKey "").
    """
    path = _existing_file(path, "CommonsenseQA JSONL")
    return _iter_commonsenseqa(path, require_answer)


def _iter_commonsenseqa(path: Path, require_answer: bool) -> Iterator[Row]:
    for number, line in _lines(path):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise _fail(path, f"invalid JSON: {err.msg} (column {err.colno})", number) from None
        try:
            question = record["question"]
            if isinstance(question, dict):  # AI2 layout
                choices = question["choices"]
                labels = [str(choice["label"]) for choice in choices]
                texts = [str(choice["text"]) for choice in choices]
                row: Row = {"id": str(record["id"]), "question": str(question["stem"]),
                            "question_concept": str(question.get("question_concept", "")),
                            "choices": {"label": labels, "text": texts},
                            "answerKey": str(record.get("answerKey", ""))}
            else:  # HF export layout
                choices = record["choices"]
                labels = [str(label) for label in choices["label"]]
                texts = [str(text) for text in choices["text"]]
                row = {"id": str(record["id"]), "question": str(question),
                       "question_concept": str(record.get("question_concept", "")),
                       "choices": {"label": labels, "text": texts},
                       "answerKey": str(record.get("answerKey", ""))}
        except (KeyError, TypeError) as err:
            raise _fail(path, f"not a CommonsenseQA record (missing or malformed {err})", number) from None
        if len(labels) != len(texts) or not labels:
            raise _fail(path, "choices need as many labels as texts", number)
        if require_answer and row["answerKey"] not in labels:
            raise _fail(path, f"answerKey {_one_line(row['answerKey'])} is not one of the choice labels "
                              f"{labels}", number)
        yield row


# ---------------------------------------------------------------------------------------------------------
# where the files are: (source, path, split, lang) -> rows, the plans `repro.data.loaders` dispatches to


def _plan_cosmosqa(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    name = {"train": "train.csv", "validation": "valid.csv"}[split]
    return read_cosmosqa_csv(_find(path, [name, f"data/{name}"], f"cosmosqa {split}"))


def _plan_commonsenseqa(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    name = f"{_DEV[split]}_rand_split.jsonl"
    return read_commonsenseqa_jsonl(_find(path, [name], f"commonsenseqa {split}"))
