"""XNLI and PAWS-X tsv: tab-separated files with a header line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from repro.data.loaders.common import _DEV, Row, _existing_file, _fail, _find, _lines, _one_line
from repro.tasks.labels import NLI_LABELS


def _iter_tsv(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) of a tab-separated file with a header; no quoting (as XTREME)."""
    header: list[str] | None = None
    for number, line in _lines(path):
        if header is None:
            header = line.split("\t")
            missing = [col for col in required if col not in header]
            if missing:
                raise _fail(path, f"header lacks column(s) {', '.join(missing)}", number)
            continue
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != len(header):
            raise _fail(path, f"{len(fields)} tab-separated fields, header has {len(header)}", number)
        yield number, dict(zip(header, fields))
    if header is None:
        raise _fail(path, "empty file (no header line)")


def read_xnli_tsv(path: Path | str, lang: str | None = None) -> Iterator[Row]:
    """Rows `{language, sentence1, sentence2, gold_label}` of `xnli.{dev,test}.tsv` (one language if `lang`).

    `contradictory` is read as `contradiction` (as XTREME does); any other label is an error."""
    path = _existing_file(path, "XNLI tsv")
    return _iter_xnli(path, lang)


def _iter_xnli(path: Path, lang: str | None) -> Iterator[Row]:
    for number, record in _iter_tsv(path, ("language", "gold_label", "sentence1", "sentence2")):
        if lang is not None and record["language"] != lang:
            continue
        label = record["gold_label"].strip()
        label = "contradiction" if label == "contradictory" else label
        if label not in NLI_LABELS:
            raise _fail(path, f"gold_label {_one_line(label)} is not one of {', '.join(NLI_LABELS)}", number)
        yield {"language": record["language"], "sentence1": record["sentence1"],
               "sentence2": record["sentence2"], "gold_label": label}


def read_pawsx_tsv(path: Path | str) -> Iterator[Row]:
    """Rows `{sentence1, sentence2, label}` (label "0"/"1") of a PAWS-X `id sentence1 sentence2 label` tsv."""
    path = _existing_file(path, "PAWS-X tsv")
    return _iter_pawsx(path)


def _iter_pawsx(path: Path) -> Iterator[Row]:
    for number, record in _iter_tsv(path, ("id", "sentence1", "sentence2", "label")):
        label = record["label"].strip()
        if label not in ("0", "1"):
            raise _fail(path, f"label {_one_line(label)} is not 0 or 1", number)
        yield {"sentence1": record["sentence1"], "sentence2": record["sentence2"], "label": label}


# ---------------------------------------------------------------------------------------------------------
# where the files are: (source, path, split, lang) -> rows, the plans `repro.data.loaders` dispatches to


def _plan_xnli(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    name = f"xnli.{_DEV[split]}.tsv"
    return read_xnli_tsv(_find(path, [name, f"XNLI-1.0/{name}"], f"xnli {split}"), lang)


def _plan_pawsx(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    if path.is_file():
        return read_pawsx_tsv(path)
    names = {"train": "train.tsv" if lang in (None, "en") else "translated_train.tsv",
             "validation": "dev_2k.tsv", "test": "test_2k.tsv"}
    name = names[split]
    candidates = ([f"{lang}/{name}", f"x-final/{lang}/{name}"] if lang else []) + [name]
    return read_pawsx_tsv(_find(path, candidates, f"pawsx {split}"))
