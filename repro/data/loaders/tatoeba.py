"""Tatoeba (LASER / XTREME test set): two line-aligned text files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from repro.data.loaders.common import Row, _existing_file, _fail, _lines, _need_lang
from repro.data.sources import TATOEBA_ISO3
from repro.errors import UserError


def read_tatoeba(source_file: Path | str, english_file: Path | str) -> Iterator[Row]:
    """Rows `{source_sentence, target_sentence, source_lang, target_lang}`, line i with line i.

    `source_lang` is the ISO 639-3 code taken from the source file's extension (as the Hub does).
    """
    source_file = _existing_file(source_file, "Tatoeba source-language file")
    english_file = _existing_file(english_file, "Tatoeba English file")
    return _iter_tatoeba(source_file, english_file)


def _iter_tatoeba(source_file: Path, english_file: Path) -> Iterator[Row]:
    source = [line for _, line in _lines(source_file)]
    english = [line for _, line in _lines(english_file)]
    if len(source) != len(english):
        raise _fail(source_file, f"has {len(source)} lines but {english_file.name} has {len(english)}; "
                                 "the two files must be aligned line by line")
    iso3 = source_file.name.rsplit(".", 1)[-1]
    for src, eng in zip(source, english):
        yield {"source_sentence": src, "target_sentence": eng, "source_lang": iso3, "target_lang": "eng"}


# ---------------------------------------------------------------------------------------------------------
# where the files are: (source, path, split, lang) -> rows, the plans `repro.data.loaders` dispatches to


def _plan_tatoeba(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    iso3 = TATOEBA_ISO3.get(lang, lang) if lang else None
    if path.is_file():
        parts = path.name.split(".")
        if len(parts) != 3 or parts[0] != "tatoeba" or not parts[1].endswith("-eng"):
            raise UserError(f"tatoeba: {path} is not named tatoeba.<iso3>-eng.<iso3|eng>")
        file_iso3 = parts[1][: -len("-eng")]
        if iso3 and iso3 != file_iso3:
            raise UserError(f"tatoeba: {path} is for {file_iso3!r}, not the requested {lang!r}")
        base = path.parent / f"tatoeba.{file_iso3}-eng"
        return read_tatoeba(f"{base}.{file_iso3}", f"{base}.eng")
    iso3 = _need_lang(source, iso3, path)
    stem = f"tatoeba.{iso3}-eng"
    for folder in (path, path / "data" / "tatoeba" / "v1"):
        if (folder / f"{stem}.{iso3}").is_file():
            return read_tatoeba(folder / f"{stem}.{iso3}", folder / f"{stem}.eng")
    if not path.exists():
        raise UserError(f"tatoeba {split}: path not found: {path}")
    raise UserError(f"tatoeba {split}: {stem}.{iso3} not found under {path} (nor data/tatoeba/v1/)")
