"""Loaders for the original release formats of the study's datasets (no Hub, no internet).

For users with an XTREME download, offline clusters, and CCGbank (which exists only as the licensed LDC
release LDC2005T13). Every loader returns a `datasets.Dataset` whose features are exactly
`repro.data.sources.SOURCES[source].features`, i.e. the Hub schema, so the rest of the pipeline cannot tell a
release file from a Hub download.

Entry point: `load_release(source, path, split, lang=None)`. `path` is either one file of the release or a
directory of it; `split` is ours (`train` / `validation` / `test`, as in `SOURCES[source].splits`).
`iter_release` takes the same arguments and yields the rows one by one (for streaming, e.g. with
`Dataset.from_generator`). Files are located and checked before anything is parsed; every problem is a
one-line `ValueError` naming the file (and the line, where the format has lines).

Expected layouts (given a directory, the first candidate that exists wins; `{split}` is the release's own
split name: `dev` for our `validation`, except where shown):

| source        | format       | files looked for under the directory                                              |
|---------------|--------------|-----------------------------------------------------------------------------------|
| squad_v1      | squad-json   | `train-v1.1.json`, `dev-v1.1.json`                                                 |
| squad_v2      | squad-json   | `train-v2.0.json`, `dev-v2.0.json`                                                 |
| xquad         | squad-json   | `xquad.{lang}.json` (validation only)                                              |
| squad_v1_     | squad-json   | XTREME translate-train: `[squad/translate-train/]squad.translate.train.en-{lang}.json`|
| translated    |              | (train only)                                                                       |
| mlqa          | squad-json   | `[MLQA_V1/]{dev,test}/{split}-context-{lang}-question-{lang}.json`, or flat         |
| tydiqa        | squad-json   | `tydiqa-goldp-v1.1-{train,dev}.json` (all languages; `lang` keeps ids starting     |
|               |              | `<language name>-`), else `tydiqa-goldp-v1.1-dev/tydiqa-goldp-dev-{language}.json` |
| bucc2018      | bucc-text    | `[bucc2018/][{lang}-en/]{lang}-en.{part}.{lang,en,gold}`, part `sample` (validation)|
|               |              | or `training` (test), or XTREME's renames `dev` / `test`; `id<TAB>sentence` lines, |
|               |              | gold `<{lang} id><TAB><en id>` lines; every sentence kept, distractors too         |
| tatoeba       | tatoeba-text | `[data/tatoeba/v1/]tatoeba.{iso3}-eng.{iso3}` + `tatoeba.{iso3}-eng.eng`           |
|               |              | (`lang` may be the XTREME code or the ISO 639-3 code; a file path may be either)   |
| udpos         | conllu       | every `{lang}_*-ud-{train,dev,test}.conllu` below the directory (a UD release      |
|               |              | `ud-treebanks-v2.x/`), all treebanks of the language merged in file-name order     |
| cosmosqa      | cosmosqa-csv | `[data/]train.csv`, `[data/]valid.csv`                                             |
| commonsenseqa | csqa-jsonl   | `train_rand_split.jsonl`, `dev_rand_split.jsonl` (AI2 or HF-export layout)         |
| ccg           | ccgbank-auto | `<root>/data/AUTO/<section>/wsj_*.auto` (root may also be `AUTO/` itself):         |
|               |              | train = sections 02-21, validation = 00, test = 23                                 |
| panx          | panx-text    | `{lang}-{train,dev,test}`, `{lang}/{train,dev,test}` (an extracted `{lang}.tar.gz`),|
|               |              | or `{train,dev,test}`; lines `<lang>:<token>\\t<tag>`, blank line between sentences |
| xnli          | xnli-tsv     | `[XNLI-1.0/]xnli.{dev,test}.tsv` (all languages; `lang` keeps that language's rows) |
| pawsx         | pawsx-tsv    | `[x-final/]{lang}/{train.tsv (en) or translated_train.tsv, dev_2k.tsv, test_2k.tsv}`|
| mewslix_pairs | mewslix-jsonl| `wikipedia_pairs-{train,dev}.jsonl` (get-mewsli-x.sh's `mewsli_x/output/dataset/`)  |
| mewslix       | mewslix-jsonl| `wikinews_mentions-{dev,test}.jsonl` (`lang` keeps its articles), else XTREME's      |
|               |              | `wikinews_mentions/{dev,test}-{lang}.jsonl`                                        |
| mewslix_      | mewslix-jsonl| `candidate_set_entities.jsonl` (our split `test`: the one set every split ranks)   |
| entities      |              |                                                                                    |
| xquad_r       | xquad-r-json | `[lareqa/][xquad-r/]{lang}.json` (validation only), with `sentence_breaks`          |

Choices that differ from a naive reading, and why:
- SQuAD-format text is kept verbatim. google/xtreme strips XQuAD/MLQA/TyDiQA contexts, which moves
  `answer_start` off the answer for contexts with leading whitespace. We keep the release's offsets, which
  are exact. Files whose answers were blanked by XTREME's download script (empty answer text) are refused.
- Tatoeba sentences lose only their line terminator (the Hub keeps the trailing newline).
- UD-POS follows XTREME's preprocessing (which the paper used, through jiant), not google/xtreme's Hub
  script. Comment lines and empty nodes (`5.1`) are skipped. A multiword token (`3-4 didn't`) replaces its
  syntactic words: the surface form is kept with the UPOS of the word that heads the span (the word with the
  fewest ancestors in the basic+enhanced dependency graph; ties are broken by XTREME's POS precedence
  list). Sentences whose forms are all, or all but one, `_` are dropped, and spaces and U+200C (ZWNJ) are
  removed from forms (e.g. Vietnamese `sinh viên` -> `sinhviên`). `read_conllu(..., multiword="split")`
  instead keeps the syntactic words, as the Hub does. A UPOS outside the 17 tags (e.g. `_` on a word line)
  is an error: XTREME's tagger has no label for it.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Callable

from datasets import Dataset

from repro.data.loaders.bucc import _plan_bucc, read_bucc
from repro.data.loaders.ccgbank import CCG_SECTIONS, _plan_ccg, read_ccg_auto
from repro.data.loaders.choice import _plan_commonsenseqa, _plan_cosmosqa, read_commonsenseqa_jsonl, read_cosmosqa_csv
from repro.data.loaders.common import Row
from repro.data.loaders.conllu import POS_PRECEDENCE, _plan_udpos, read_conllu
from repro.data.loaders.mewslix import _plan_mewslix, read_entities, read_mentions, read_pairs
from repro.data.loaders.panx import _plan_panx, read_panx
from repro.data.loaders.squad import (_plan_mlqa, _plan_squad, _plan_squad_translated, _plan_tydiqa, _plan_xquad,
                                 read_squad_json)
from repro.data.loaders.tatoeba import _plan_tatoeba, read_tatoeba
from repro.data.loaders.tsv import _plan_pawsx, _plan_xnli, read_pawsx_tsv, read_xnli_tsv
from repro.data.loaders.xquad_r import _plan_xquad_r, read_xquad_r
from repro.data.sources import SOURCES
from repro.errors import UserError

__all__ = [
    "CCG_SECTIONS", "POS_PRECEDENCE", "RELEASE_FORMATS", "Row", "iter_release", "load_release", "read_bucc",
    "read_ccg_auto", "read_commonsenseqa_jsonl", "read_conllu", "read_cosmosqa_csv", "read_entities", "read_mentions",
    "read_pairs", "read_panx", "read_pawsx_tsv", "read_squad_json", "read_tatoeba", "read_xnli_tsv", "read_xquad_r",
]

RELEASE_FORMATS: dict[str, str] = {
    "squad_v1": "squad-json",
    "squad_v2": "squad-json",
    "xquad": "squad-json",
    "squad_v1_translated": "squad-json",
    "mlqa": "squad-json",
    "tydiqa": "squad-json",
    "tatoeba": "tatoeba-text",
    "bucc2018": "bucc-text",
    "udpos": "conllu",
    "cosmosqa": "cosmosqa-csv",
    "commonsenseqa": "csqa-jsonl",
    "ccg": "ccgbank-auto",
    "panx": "panx-text",
    "xnli": "xnli-tsv",
    "pawsx": "pawsx-tsv",
    "mewslix_pairs": "mewslix-jsonl",
    "mewslix": "mewslix-jsonl",
    "mewslix_entities": "mewslix-jsonl",
    "xquad_r": "xquad-r-json",
}


# ---------------------------------------------------------------------------------------------------------
# the dispatcher: which plan (the files to read for (source, split, lang), and their reader) for each source


_PLANS: dict[str, Callable[[str, Path, str, str | None], Iterator[Row]]] = {
    "squad_v1": _plan_squad, "squad_v2": _plan_squad, "xquad": _plan_xquad, "mlqa": _plan_mlqa,
    "squad_v1_translated": _plan_squad_translated,
    "tydiqa": _plan_tydiqa, "tatoeba": _plan_tatoeba, "bucc2018": _plan_bucc, "udpos": _plan_udpos, "cosmosqa": _plan_cosmosqa,
    "commonsenseqa": _plan_commonsenseqa, "ccg": _plan_ccg, "panx": _plan_panx, "xnli": _plan_xnli,
    "pawsx": _plan_pawsx, "mewslix_pairs": _plan_mewslix, "mewslix": _plan_mewslix,
    "mewslix_entities": _plan_mewslix, "xquad_r": _plan_xquad_r,
}
assert set(_PLANS) == set(RELEASE_FORMATS)


def iter_release(source: str, path: Path | str, split: str, lang: str | None = None) -> Iterator[Row]:
    """The rows of one split of a release, in the Hub schema of `source`. Files are found (or a
    ValueError raised) at call time; parsing happens as the iterator is consumed."""
    if source not in RELEASE_FORMATS:
        raise UserError(f"no release-format loader for {source!r}; known: {', '.join(RELEASE_FORMATS)}")
    if split not in SOURCES[source].splits:
        raise UserError(f"{source} has no {split!r} split; known: {', '.join(SOURCES[source].splits)}")
    return _PLANS[source](source, Path(path), split, lang)


def load_release(source: str, path: Path | str, split: str, lang: str | None = None) -> Dataset:
    """One split of a release as a `datasets.Dataset` with exactly `SOURCES[source].features`."""
    rows = iter_release(source, path, split, lang)
    features = SOURCES[source].features
    columns: dict[str, list] = {name: [] for name in features}
    appenders = [(name, columns[name].append) for name in features]
    for row in rows:
        for name, append in appenders:
            append(row[name])
    if not columns[next(iter(features))]:
        where = f" for language {lang!r}" if lang else ""
        raise UserError(f"{source} {split}: no examples{where} in {path}")
    return Dataset.from_dict(columns, features=features)
