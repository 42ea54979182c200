"""CoNLL-U (Universal Dependencies) -> UD-POS, the tokens and tags XTREME scores.

XTREME's preprocessing, as jiant ran it for the paper (jiant/scripts/download_data/dl_datasets/xtreme.py
`download_udpos_data_and_write_config`; google-research/xtreme utils_preprocess.py `udpos_preprocess`):
third_party/ud-conversion-tools/lib/conll.py converts each file to CoNLL with multiword tokens fused
(`_keep_fused_form`: the surface form replaces the span, with the UPOS of its head, `_choose_spanhead_from_heuristics`),
then `_read_one_file` reads FORM and UPOS stripped (utils_preprocess.py:203-204) and keeps a sentence only if none,
or fewer than all but one, of its forms are `_` (:197-200), and `remove_empty_space` takes U+200C and spaces out of
the forms (:221; `repro.data.sources.xtreme_ud_token`). tests/unit/data/test_loaders.py checks the result against that
pipeline run on the real UD sample.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from repro.data.loaders.common import _DEV, Row, _existing_file, _fail, _lines, _need_lang, _one_line
from repro.data.sources import xtreme_ud_token
from repro.errors import UserError
from repro.tasks.labels import UPOS_TAGS

_UPOS_ID = {tag: i for i, tag in enumerate(UPOS_TAGS)}

# XTREME's (ud-conversion-tools) order of preference among UPOS tags when several words of a multiword
# token are equally high in the tree; the first listed wins. Tags not listed rank after all listed ones.
POS_PRECEDENCE = {
    "default": ("VERB", "NOUN", "PROPN", "PRON", "ADJ", "NUM", "ADV", "INTJ", "AUX", "ADP", "DET", "PART",
                "CCONJ", "SCONJ", "X", "PUNCT"),
    "es": ("VERB", "AUX", "PRON", "ADP", "DET"),
    "fr": ("VERB", "AUX", "PRON", "NOUN", "ADJ", "ADV", "ADP", "DET", "PART", "SCONJ", "CONJ"),
    "it": ("VERB", "AUX", "ADV", "PRON", "ADP", "DET", "INTJ"),
}
_INT = re.compile(r"[0-9]+")
_RANGE = re.compile(r"([0-9]+)-([0-9]+)")
_DECIMAL = re.compile(r"[0-9]+\.[0-9]+")


def read_conllu(path: Path | str, *, multiword: Literal["fused", "split"] = "fused",
                lang: str | None = None) -> Iterator[Row]:
    """Rows `{tokens, pos_tags}` (tags as ClassLabel ids of `UPOS_TAGS`) of one CoNLL-U file.

    `multiword="fused"` (default) is XTREME's treatment of multiword tokens (see the `repro.data.loaders` docstring);
    `"split"` keeps the syntactic words instead. `lang` picks the POS precedence list (default: the file
    name's prefix, as in `es_ancora-ud-dev.conllu`).
    """
    if multiword not in ("fused", "split"):
        raise ValueError(f"multiword must be 'fused' or 'split', not {multiword!r}")
    path = _existing_file(path, "CoNLL-U file")
    lang = lang or path.name.split("_", 1)[0]
    return _iter_conllu(path, multiword, POS_PRECEDENCE.get(lang, POS_PRECEDENCE["default"]))


def _ancestors(node: int, parents: dict[int, set[int]]) -> int:
    """How many nodes have a path to `node` (itself excluded), like networkx.ancestors."""
    seen: set[int] = set()
    stack = list(parents.get(node, ()))
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(parents.get(current, ()))
    seen.discard(node)
    return len(seen)


def _span_head(first: int, last: int, upos: list[str], parents: dict[int, set[int]],
               precedence: tuple[str, ...]) -> int:
    """The word of a multiword token that heads it: the single highest one, else the best by precedence."""
    span = range(first, last + 1)
    depth = {word: _ancestors(word, parents) for word in span}
    top = min(depth.values())
    highest = [word for word in span if depth[word] == top]
    if len(highest) == 1:
        return highest[0]
    rank = {tag: i for i, tag in enumerate(precedence)}
    return min(highest, key=lambda word: rank.get(upos[word - 1], len(precedence)))  # first wins on ties


def _iter_conllu(path: Path, multiword: str, precedence: tuple[str, ...]) -> Iterator[Row]:
    forms: list[str] = []
    upos: list[str] = []
    word_lines: list[int] = []
    parents: dict[int, set[int]] = {}
    ranges: list[tuple[int, int, str, int]] = []

    def sentence() -> Row | None:
        n = len(forms)
        if not n:
            if ranges:
                raise _fail(path, "multiword token in a sentence without words", ranges[0][3])
            return None
        keep = list(range(1, n + 1))
        surface = {}  # span head -> fused form
        if multiword == "fused" and ranges:
            dropped: set[int] = set()
            for first, last, form, line in ranges:
                if last > n or first < 1:
                    raise _fail(path, f"multiword token {first}-{last} reaches past the sentence's {n} words",
                                line)
                head = _span_head(first, last, upos, parents, precedence)
                surface[head] = form
                dropped.update(w for w in range(first, last + 1) if w != head)
            keep = [w for w in keep if w not in dropped]
        tokens = [surface.get(w, forms[w - 1]).strip() for w in keep]  # utils_preprocess.py:203 items[1].strip()
        # XTREME drops sentences whose text was withheld (all, or all but one, forms are "_"): :197-200
        underscores = sum(token == "_" for token in tokens)
        if underscores and underscores >= len(tokens) - 1:
            return None
        tags = []
        for w in keep:
            if upos[w - 1] not in _UPOS_ID:
                raise _fail(path, f"UPOS {upos[w - 1]!r} is not one of the 17 UD tags", word_lines[w - 1])
            tags.append(_UPOS_ID[upos[w - 1]])
        tokens = [xtreme_ud_token(token) for token in tokens]  # after the "_" count, as remove_empty_space
        return {"tokens": tokens, "pos_tags": tags}

    def reset() -> None:
        for collected in (forms, upos, word_lines, parents, ranges):
            collected.clear()

    for number, line in _lines(path):
        if not line.strip():
            row = sentence()
            reset()
            if row is not None:
                yield row
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 10:
            raise _fail(path, f"expected 10 tab-separated columns, found {len(cols)}", number)
        ident = cols[0]
        if _INT.fullmatch(ident):
            word = int(ident)
            if word != len(forms) + 1:
                raise _fail(path, f"word id {word} out of sequence (expected {len(forms) + 1})", number)
            heads: set[int] = set()
            if cols[6] != "_":
                if not _INT.fullmatch(cols[6]):
                    raise _fail(path, f"HEAD {_one_line(cols[6])} is not a number", number)
                heads.add(int(cols[6]))
            if cols[8] != "_":
                for pair in cols[8].split("|"):
                    head = pair.split(":", 1)[0]
                    if _INT.fullmatch(head):  # enhanced heads on empty nodes ("5.1:...") are not words
                        heads.add(int(head))
            forms.append(cols[1])
            upos.append(cols[3])
            word_lines.append(number)
            parents[word] = heads
        elif (match := _RANGE.fullmatch(ident)) is not None:
            first, last = int(match.group(1)), int(match.group(2))
            if first > last or (ranges and first <= ranges[-1][1]):
                raise _fail(path, f"bad multiword token range {ident}", number)
            ranges.append((first, last, cols[1], number))
        elif _DECIMAL.fullmatch(ident):
            continue  # empty node: not a surface word
        else:
            raise _fail(path, f"bad token id {_one_line(ident)}", number)
    row = sentence()  # a last sentence without a final blank line
    if row is not None:
        yield row


# ---------------------------------------------------------------------------------------------------------
# where the files are: (source, path, split, lang) -> rows, the plans `repro.data.loaders` dispatches to


def _plan_udpos(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    if path.is_file():
        return read_conllu(path, lang=lang)
    if not path.exists():
        raise UserError(f"udpos {split}: path not found: {path}")
    lang = _need_lang(source, lang, path)
    pattern = f"{lang}_*-ud-{_DEV[split]}.conllu"
    files = sorted(path.rglob(pattern), key=lambda file: (file.name, str(file)))
    if not files:
        raise UserError(f"udpos {split}: no {pattern} below {path}")
    readers = [read_conllu(file, lang=lang) for file in files]
    return (row for reader in readers for row in reader)
