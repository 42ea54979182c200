"""CCGbank AUTO files (the licensed LDC release LDC2005T13)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from repro.data.loaders.common import Row, _existing_file, _fail, _lines, _one_line
from repro.errors import UserError

CCG_SECTIONS = {
    "train": tuple(f"{s:02d}" for s in range(2, 22)),
    "validation": ("00",),
    "test": ("23",),
}
_LEAF = re.compile(r"\(<L (.*?)>\)")


def read_ccg_auto(path: Path | str) -> Iterator[Row]:
    """Rows `{tokens, tags}` of one CCGbank AUTO file: each leaf `(<L cat POS POS word PredArgCat>)`
    contributes its word and its supertag `cat`, left to right."""
    path = _existing_file(path, "CCGbank AUTO file")
    return _iter_ccg(path)


def _iter_ccg(path: Path) -> Iterator[Row]:
    pending: int | None = None  # line of an ID= line still waiting for its derivation
    for number, raw in _lines(path):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("ID="):
            if pending is not None:
                raise _fail(path, f"ID line without a derivation (the ID on line {pending})", number)
            pending = number
            continue
        if not line.startswith("("):
            raise _fail(path, f"expected an ID= line or a derivation, found {_one_line(line)}", number)
        if pending is None:
            raise _fail(path, "derivation without a preceding ID= line", number)
        leaves = _LEAF.findall(line)
        if not leaves or len(leaves) != line.count("(<L "):
            raise _fail(path, "derivation with missing or malformed (<L ...>) leaves", number)
        tokens, tags = [], []
        for leaf in leaves:
            fields = leaf.split(" ")
            if len(fields) not in (4, 5) or not all(fields):
                raise _fail(path, f"leaf {_one_line('<L ' + leaf + '>')} is not <L cat POS POS word [PredArgCat]>",
                            number)
            tags.append(fields[0])
            tokens.append(fields[3])
        pending = None
        yield {"tokens": tokens, "tags": tags}
    if pending is not None:
        raise _fail(path, "file ends after an ID= line without its derivation", pending)


# ---------------------------------------------------------------------------------------------------------
# where the files are: (source, path, split, lang) -> rows, the plans `repro.data.loaders` dispatches to


def _plan_ccg(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    if not path.exists():
        raise UserError(f"CCGbank root not found: {path}")
    if path.is_file():
        return read_ccg_auto(path)
    auto = next((folder for folder in (path / "data" / "AUTO", path / "AUTO", path)
                 if (folder / CCG_SECTIONS["validation"][0]).is_dir() or (folder / "02").is_dir()), None)
    if auto is None:
        raise UserError(f"CCGbank: no data/AUTO/<section>/ folders under {path}")
    # Sections absent from a partial copy are skipped; a split with no file at all is an error.
    files = [file for section in CCG_SECTIONS[split] for file in sorted((auto / section).glob("wsj_*.auto"))]
    if not files:
        sections = CCG_SECTIONS[split]
        raise UserError(f"CCGbank {split}: no wsj_*.auto files in {auto}/{{{sections[0]}..{sections[-1]}}}")
    readers = [read_ccg_auto(file) for file in files]
    return (row for reader in readers for row in reader)
