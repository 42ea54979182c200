"""SQuAD-format JSON: SQuAD v1.1 / v2.0, XQuAD, MLQA, TyDiQA-GoldP, and XTREME's translate-train SQuAD."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from repro.data.loaders.common import _DEV, Row, _existing_file, _fail, _find, _load_json, _need_lang
from repro.data.sources import TYDIQA_ID_PREFIX
from repro.errors import UserError


def read_squad_json(path: Path | str, *, title: bool = True, allow_impossible: bool = True,
                    id_prefix: str | None = None) -> Iterator[Row]:
    """Rows `{id, [title,] context, question, answers{text, answer_start}}` of a SQuAD-format file.

    `title=False` leaves the title out (XQuAD's Hub schema has none); `allow_impossible=False` refuses
    SQuAD v2.0 unanswerable questions (for v1.1-format sources); `id_prefix` keeps only ids starting with it.
    """
    path = _existing_file(path, "SQuAD-format JSON")
    return _iter_squad(path, title, allow_impossible, id_prefix)


def _iter_squad(path: Path, with_title: bool, allow_impossible: bool, id_prefix: str | None) -> Iterator[Row]:
    data = _load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise _fail(path, 'not a SQuAD-format file (no top-level "data" list)')
    for a, article in enumerate(data["data"]):
        if not isinstance(article, dict) or not isinstance(article.get("paragraphs"), list):
            raise _fail(path, f'data[{a}] has no "paragraphs" list')
        title = article.get("title", "")
        for p, paragraph in enumerate(article["paragraphs"]):
            where = f"data[{a}].paragraphs[{p}]"
            if not isinstance(paragraph, dict) or not isinstance(paragraph.get("context"), str) \
                    or not isinstance(paragraph.get("qas"), list):
                raise _fail(path, f'{where} needs a "context" string and a "qas" list')
            context = paragraph["context"]
            for q, qa in enumerate(paragraph["qas"]):
                here = f"{where}.qas[{q}]"
                if not isinstance(qa, dict) or not isinstance(qa.get("id"), str) \
                        or not isinstance(qa.get("question"), str):
                    raise _fail(path, f'{here} needs "id" and "question" strings')
                if id_prefix is not None and not qa["id"].startswith(id_prefix):
                    continue
                answers = qa.get("answers", [])
                impossible = bool(qa.get("is_impossible", False))
                if impossible and not allow_impossible:
                    raise _fail(path, f"{here} (id {qa['id']}) is unanswerable (is_impossible): "
                                      "a SQuAD v2.0 file where a v1.1-format file is expected")
                if not isinstance(answers, list) or (not answers and not impossible):
                    raise _fail(path, f"{here} (id {qa['id']}) has no answers")
                texts, starts = [], []
                for answer in answers:
                    if not isinstance(answer, dict) or not isinstance(answer.get("text"), str) \
                            or type(answer.get("answer_start")) is not int:
                        raise _fail(path, f'{here} (id {qa["id"]}): each answer needs "text" and an '
                                          'integer "answer_start"')
                    if not answer["text"]:
                        raise _fail(path, f"{here} (id {qa['id']}) has an empty answer text: XTREME's download "
                                          "script blanks evaluation answers; use the original release file")
                    texts.append(answer["text"])
                    starts.append(answer["answer_start"])
                row: Row = {"id": qa["id"], "context": context, "question": qa["question"],
                            "answers": {"text": texts, "answer_start": starts}}
                if with_title:
                    row["title"] = title if isinstance(title, str) else str(title)
                yield row


# ---------------------------------------------------------------------------------------------------------
# where the files are: (source, path, split, lang) -> rows, the plans `repro.data.loaders` dispatches to


def _plan_squad(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    version = "1.1" if source == "squad_v1" else "2.0"
    name = f"{_DEV[split]}-v{version}.json"
    file = _find(path, [name], f"{source} {split}")
    return read_squad_json(file, allow_impossible=source == "squad_v2")


def _plan_xquad(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    if path.is_file():
        return read_squad_json(path, title=False)
    lang = _need_lang(source, lang, path)
    return read_squad_json(_find(path, [f"xquad.{lang}.json"], f"xquad {split}"), title=False)


def _plan_squad_translated(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    if path.is_file():
        return read_squad_json(path)
    name = f"squad.translate.train.en-{_need_lang(source, lang, path)}.json"
    return read_squad_json(_find(path, [name, f"squad/translate-train/{name}", f"translate-train/{name}"],
                                 f"{source} {split}"))


def _plan_mlqa(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    if path.is_file():
        return read_squad_json(path)
    lang = _need_lang(source, lang, path)
    part = _DEV[split]
    name = f"{part}-context-{lang}-question-{lang}.json"
    return read_squad_json(_find(path, [f"{part}/{name}", f"MLQA_V1/{part}/{name}", name], f"mlqa {split}"))


def _plan_tydiqa(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    if lang is not None and lang not in TYDIQA_ID_PREFIX:
        raise UserError(f"tydiqa: unknown language {lang!r}; known: {', '.join(TYDIQA_ID_PREFIX)}")
    prefix = f"{TYDIQA_ID_PREFIX[lang]}-" if lang else None
    part = _DEV[split]
    combined = f"tydiqa-goldp-v1.1-{part}.json"
    if path.is_file() or (path / combined).is_file():
        return read_squad_json(_find(path, [combined], f"tydiqa {split}"), id_prefix=prefix)
    per_language = path / f"tydiqa-goldp-v1.1-{part}"
    if split == "validation" and per_language.is_dir():
        if lang:
            file = _find(per_language, [f"tydiqa-goldp-dev-{TYDIQA_ID_PREFIX[lang]}.json"], f"tydiqa {split}")
            return read_squad_json(file)
        files = sorted(per_language.glob("tydiqa-goldp-dev-*.json"))
        if files:
            readers = [read_squad_json(file) for file in files]
            return (row for reader in readers for row in reader)
    return read_squad_json(_find(path, [combined], f"tydiqa {split}"), id_prefix=prefix)
