"""PAN-X (XTREME distribution): `<lang>:<token><TAB><tag>` lines, a blank line between sentences."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from repro.data.loaders.common import _DEV, Row, _existing_file, _fail, _find, _lines, _one_line
from repro.tasks.labels import PANX_TAGS

_PANX_ID = {tag: i for i, tag in enumerate(PANX_TAGS)}


def read_panx(path: Path | str) -> Iterator[Row]:
    """Rows `{tokens, ner_tags, langs}` of a PAN-X file (`<lang>:<token>\\t<tag>`, blank line between
    sentences); tags are ClassLabel ids of `PANX_TAGS`."""
    path = _existing_file(path, "PAN-X file")
    return _iter_panx(path)


def _iter_panx(path: Path) -> Iterator[Row]:
    tokens: list[str] = []
    tags: list[int] = []
    langs: list[str] = []
    for number, line in _lines(path):
        if not line.strip():
            if tokens:
                yield {"tokens": tokens, "ner_tags": tags, "langs": langs}
                tokens, tags, langs = [], [], []
            continue
        fields = line.split("\t")
        if len(fields) != 2:
            raise _fail(path, f"expected '<lang>:<token><TAB><tag>', found {len(fields)} field(s)", number)
        lang, colon, token = fields[0].partition(":")
        if not colon or not lang:
            raise _fail(path, f"token {_one_line(fields[0])} lacks its '<lang>:' prefix", number)
        tag = fields[1].strip()
        if tag not in _PANX_ID:
            raise _fail(path, f"tag {_one_line(tag)} is not one of {', '.join(PANX_TAGS)}", number)
        tokens.append(token.strip())
        tags.append(_PANX_ID[tag])
        langs.append(lang)
    if tokens:
        yield {"tokens": tokens, "ner_tags": tags, "langs": langs}


# ---------------------------------------------------------------------------------------------------------
# where the files are: (source, path, split, lang) -> rows, the plans `repro.data.loaders` dispatches to


def _plan_panx(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    if path.is_file():
        return read_panx(path)
    part = _DEV[split]
    candidates = ([f"{lang}-{part}", f"{lang}/{part}"] if lang else []) + [part]
    return read_panx(_find(path, candidates, f"panx {split}"))
