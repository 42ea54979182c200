"""BUCC 2018 (comparable.limsi.fr/bucc2018): `id<TAB>sentence` files per side and a gold file of id pairs.

The release's `sample` is our validation and its `training` our test, as jiant
(`jiant/scripts/download_data/dl_datasets/xtreme.py` L474-503: "sample -> dev, training -> test") and XTREME
(`scripts/download_data.sh` L162-163, which renames them `dev` / `test`) do. Every sentence of both sides is kept,
the ones without a translation too: they are what makes BUCC mining rather than matching. XTREME's download deletes
the test gold (`download_data.sh` L164), so its test split cannot be read; the release's training-gold archive has it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from repro.data.loaders.common import Row, _existing_file, _fail, _lines, _need_lang, _one_line
from repro.errors import UserError

# our split -> the release's name for it, then XTREME's rename
_PARTS = {"validation": ("sample", "dev"), "test": ("training", "test")}


def read_bucc(source_file: Path | str, english_file: Path | str, gold_file: Path | str) -> Iterator[Row]:
    """Rows `{id, sentence, language, gold}`: every sentence of the source-language file, then every English one,
    in file order; `gold` on a source row lists the English ids the gold file pairs it with."""
    source_file = _existing_file(source_file, "BUCC source-language file")
    english_file = _existing_file(english_file, "BUCC English file")
    gold_file = _existing_file(gold_file, "BUCC gold file")
    return _iter_bucc(source_file, english_file, gold_file)


def _sentences(path: Path) -> dict[str, str]:
    """id -> sentence of one side, in file order (jiant's `_create_examples` splits each line on its tab)."""
    sentences: dict[str, str] = {}
    for number, line in _lines(path):
        sentence_id, tab, sentence = line.partition("\t")
        if not tab or not sentence_id or "\t" in sentence:
            raise _fail(path, f"expected `id<TAB>sentence`, found {_one_line(line)}", number)
        if sentence_id in sentences:
            raise _fail(path, f"id {sentence_id!r} appears twice", number)
        sentences[sentence_id] = sentence
    return sentences


def _gold(path: Path, source: dict[str, str], english: dict[str, str]) -> dict[str, list[str]]:
    """source id -> the English ids it is paired with (a repeated pair counts once, as evaluate.py's set does)."""
    pairs: dict[str, list[str]] = {}
    for number, line in _lines(path):
        fields = line.split("\t")
        if len(fields) != 2 or not all(fields):
            raise _fail(path, f"expected `<source id><TAB><English id>`, found {_one_line(line)}", number)
        source_id, english_id = fields
        for sentence_id, side in ((source_id, source), (english_id, english)):
            if sentence_id not in side:
                raise _fail(path, f"id {sentence_id!r} is in no sentence file of this split", number)
        partners = pairs.setdefault(source_id, [])
        if english_id not in partners:
            partners.append(english_id)
    if not pairs:
        raise _fail(path, "no gold pairs")
    return pairs


def _iter_bucc(source_file: Path, english_file: Path, gold_file: Path) -> Iterator[Row]:
    source, english = _sentences(source_file), _sentences(english_file)
    gold = _gold(gold_file, source, english)
    lang = source_file.name.rsplit(".", 1)[-1]
    for sentence_id, sentence in source.items():
        yield {"id": sentence_id, "sentence": sentence, "language": lang, "gold": gold.get(sentence_id, [])}
    for sentence_id, sentence in english.items():
        yield {"id": sentence_id, "sentence": sentence, "language": "en", "gold": []}


# ---------------------------------------------------------------------------------------------------------
# where the files are: (source, path, split, lang) -> rows, the plans `repro.data.loaders` dispatches to


def _plan_bucc(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    lang = _need_lang(source, lang, path)
    if not path.is_dir():
        raise UserError(f"bucc2018 {split}: {path} is not a folder of the release files"
                         if path.exists() else f"bucc2018 {split}: path not found: {path}")
    folders = (path, path / f"{lang}-en", path / "bucc2018", path / "bucc2018" / f"{lang}-en")
    for part in _PARTS[split]:
        for folder in folders:
            stem = folder / f"{lang}-en.{part}"
            if Path(f"{stem}.{lang}").is_file():
                gold = Path(f"{stem}.gold")
                if not gold.is_file():
                    raise UserError(f"bucc2018 {split}: {gold} not found (XTREME's download deletes the test gold; "
                                     f"the BUCC release's {lang}-en {_PARTS[split][0]}-gold archive has it)")
                return read_bucc(f"{stem}.{lang}", f"{stem}.en", gold)
    names = " or ".join(f"{lang}-en.{part}.{lang}" for part in _PARTS[split])
    raise UserError(f"bucc2018 {split}: {names} not found under {path} (nor {lang}-en/, bucc2018/)")
