"""Loaders for the original release formats of the study's datasets (no Hub, no internet).

For users with an XTREME download, offline clusters, and CCGbank (which exists only as the licensed LDC
release LDC2005T13). Every loader returns a `datasets.Dataset` whose features are exactly
`repro.registry.SOURCES[source].features`, i.e. the Hub schema, so the rest of the pipeline cannot tell a
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

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable, Literal

from datasets import Dataset

from repro.registry import NLI_LABELS, PANX_TAGS, SOURCES, TATOEBA_ISO3, TYDIQA_ID_PREFIX, UPOS_TAGS

RELEASE_FORMATS: dict[str, str] = {
    "squad_v1": "squad-json",
    "squad_v2": "squad-json",
    "xquad": "squad-json",
    "squad_v1_translated": "squad-json",
    "mlqa": "squad-json",
    "tydiqa": "squad-json",
    "tatoeba": "tatoeba-text",
    "udpos": "conllu",
    "cosmosqa": "cosmosqa-csv",
    "commonsenseqa": "csqa-jsonl",
    "ccg": "ccgbank-auto",
    "panx": "panx-text",
    "xnli": "xnli-tsv",
    "pawsx": "pawsx-tsv",
}

Row = dict[str, Any]

# Release split names for our split names (most releases call validation "dev").
_DEV = {"train": "train", "validation": "dev", "test": "test"}
CCG_SECTIONS = {
    "train": tuple(f"{s:02d}" for s in range(2, 22)),
    "validation": ("00",),
    "test": ("23",),
}
_UPOS_ID = {tag: i for i, tag in enumerate(UPOS_TAGS)}
_PANX_ID = {tag: i for i, tag in enumerate(PANX_TAGS)}


# ---------------------------------------------------------------------------------------------------------
# small helpers


def _one_line(value: object, limit: int = 60) -> str:
    """A short single-line repr of offending input, for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fail(path: Path, msg: str, line: int | None = None) -> ValueError:
    where = f"{path}:{line}" if line is not None else f"{path}"
    return ValueError(f"{where}: {' '.join(msg.split())}")


def _existing_file(path: Path | str, what: str) -> Path:
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{what}: file not found: {path}")
    if not path.is_file():
        raise ValueError(f"{what}: not a file: {path}")
    return path


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its terminator); decoding problems become one-line errors."""
    try:
        # newline="\n": only LF ends a line (a stray CR inside a sentence must not split it); CRLF is
        # handled by the rstrip. utf-8-sig drops a leading byte-order mark.
        with path.open(encoding="utf-8-sig", newline="\n") as handle:
            for number, raw in enumerate(handle, 1):
                yield number, raw.rstrip("\r\n")
    except UnicodeDecodeError as err:
        raise _fail(path, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise _fail(path, f"cannot read ({err.strerror})") from None


def _load_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            return json.load(handle)
    except json.JSONDecodeError as err:
        raise _fail(path, f"invalid JSON: {err.msg} (column {err.colno})", err.lineno) from None
    except UnicodeDecodeError as err:
        raise _fail(path, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise _fail(path, f"cannot read ({err.strerror})") from None


def _find(path: Path, candidates: list[str], what: str) -> Path:
    """`path` itself if it is a file, else the first candidate below the directory `path`."""
    if path.is_file():
        return path
    if not path.exists():
        raise ValueError(f"{what}: path not found: {path}")
    for candidate in candidates:
        if (path / candidate).is_file():
            return path / candidate
    raise ValueError(f"{what}: none of {', '.join(candidates)} found under {path}")


# ---------------------------------------------------------------------------------------------------------
# SQuAD-format JSON: SQuAD v1.1 / v2.0, XQuAD, MLQA, TyDiQA-GoldP


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
# Tatoeba (LASER / XTREME test set): two line-aligned text files


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
# CoNLL-U (Universal Dependencies) -> UD-POS, following XTREME's preprocessing

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

    `multiword="fused"` (default) is XTREME's treatment of multiword tokens (see the module docstring);
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
        tokens = [surface.get(w, forms[w - 1]) for w in keep]
        # XTREME drops sentences whose text was withheld (all, or all but one, forms are "_").
        underscores = sum(token == "_" for token in tokens)
        if underscores and underscores >= len(tokens) - 1:
            return None
        tags = []
        for w in keep:
            if upos[w - 1] not in _UPOS_ID:
                raise _fail(path, f"UPOS {upos[w - 1]!r} is not one of the 17 UD tags", word_lines[w - 1])
            tags.append(_UPOS_ID[upos[w - 1]])
        # XTREME removes spaces and zero-width non-joiners inside forms (whitespace-separated output).
        tokens = [token.replace("\u200c", "").replace(" ", "") for token in tokens]
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
# Cosmos QA (authors' CSV) and CommonsenseQA (JSONL)

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
# CCGbank AUTO files

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
# PAN-X (XTREME distribution), XNLI and PAWS-X tsv


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
# the dispatcher: which file(s) and which reader for (source, split, lang)


def _need_lang(source: str, lang: str | None, path: Path) -> str:
    if not lang:
        raise ValueError(f"{source}: a language is needed to pick its file under {path}")
    return lang


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
        raise ValueError(f"tydiqa: unknown language {lang!r}; known: {', '.join(TYDIQA_ID_PREFIX)}")
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


def _plan_tatoeba(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    iso3 = TATOEBA_ISO3.get(lang, lang) if lang else None
    if path.is_file():
        parts = path.name.split(".")
        if len(parts) != 3 or parts[0] != "tatoeba" or not parts[1].endswith("-eng"):
            raise ValueError(f"tatoeba: {path} is not named tatoeba.<iso3>-eng.<iso3|eng>")
        file_iso3 = parts[1][: -len("-eng")]
        if iso3 and iso3 != file_iso3:
            raise ValueError(f"tatoeba: {path} is for {file_iso3!r}, not the requested {lang!r}")
        base = path.parent / f"tatoeba.{file_iso3}-eng"
        return read_tatoeba(f"{base}.{file_iso3}", f"{base}.eng")
    iso3 = _need_lang(source, iso3, path)
    stem = f"tatoeba.{iso3}-eng"
    for folder in (path, path / "data" / "tatoeba" / "v1"):
        if (folder / f"{stem}.{iso3}").is_file():
            return read_tatoeba(folder / f"{stem}.{iso3}", folder / f"{stem}.eng")
    if not path.exists():
        raise ValueError(f"tatoeba {split}: path not found: {path}")
    raise ValueError(f"tatoeba {split}: {stem}.{iso3} not found under {path} (nor data/tatoeba/v1/)")


def _plan_udpos(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    if path.is_file():
        return read_conllu(path, lang=lang)
    if not path.exists():
        raise ValueError(f"udpos {split}: path not found: {path}")
    lang = _need_lang(source, lang, path)
    pattern = f"{lang}_*-ud-{_DEV[split]}.conllu"
    files = sorted(path.rglob(pattern), key=lambda file: (file.name, str(file)))
    if not files:
        raise ValueError(f"udpos {split}: no {pattern} below {path}")
    readers = [read_conllu(file, lang=lang) for file in files]
    return (row for reader in readers for row in reader)


def _plan_cosmosqa(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    name = {"train": "train.csv", "validation": "valid.csv"}[split]
    return read_cosmosqa_csv(_find(path, [name, f"data/{name}"], f"cosmosqa {split}"))


def _plan_commonsenseqa(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    name = f"{_DEV[split]}_rand_split.jsonl"
    return read_commonsenseqa_jsonl(_find(path, [name], f"commonsenseqa {split}"))


def _plan_ccg(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    if not path.exists():
        raise ValueError(f"CCGbank root not found: {path}")
    if path.is_file():
        return read_ccg_auto(path)
    auto = next((folder for folder in (path / "data" / "AUTO", path / "AUTO", path)
                 if (folder / CCG_SECTIONS["validation"][0]).is_dir() or (folder / "02").is_dir()), None)
    if auto is None:
        raise ValueError(f"CCGbank: no data/AUTO/<section>/ folders under {path}")
    # Sections absent from a partial copy are skipped; a split with no file at all is an error.
    files = [file for section in CCG_SECTIONS[split] for file in sorted((auto / section).glob("wsj_*.auto"))]
    if not files:
        sections = CCG_SECTIONS[split]
        raise ValueError(f"CCGbank {split}: no wsj_*.auto files in {auto}/{{{sections[0]}..{sections[-1]}}}")
    readers = [read_ccg_auto(file) for file in files]
    return (row for reader in readers for row in reader)


def _plan_panx(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    if path.is_file():
        return read_panx(path)
    part = _DEV[split]
    candidates = ([f"{lang}-{part}", f"{lang}/{part}"] if lang else []) + [part]
    return read_panx(_find(path, candidates, f"panx {split}"))


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


_PLANS: dict[str, Callable[[str, Path, str, str | None], Iterator[Row]]] = {
    "squad_v1": _plan_squad, "squad_v2": _plan_squad, "xquad": _plan_xquad, "mlqa": _plan_mlqa,
    "squad_v1_translated": _plan_squad_translated,
    "tydiqa": _plan_tydiqa, "tatoeba": _plan_tatoeba, "udpos": _plan_udpos, "cosmosqa": _plan_cosmosqa,
    "commonsenseqa": _plan_commonsenseqa, "ccg": _plan_ccg, "panx": _plan_panx, "xnli": _plan_xnli,
    "pawsx": _plan_pawsx,
}
assert set(_PLANS) == set(RELEASE_FORMATS)


def iter_release(source: str, path: Path | str, split: str, lang: str | None = None) -> Iterator[Row]:
    """The rows of one split of a release, in the Hub schema of `source`. Files are found (or a
    ValueError raised) at call time; parsing happens as the iterator is consumed."""
    if source not in RELEASE_FORMATS:
        raise ValueError(f"no release-format loader for {source!r}; known: {', '.join(RELEASE_FORMATS)}")
    if split not in SOURCES[source].splits:
        raise ValueError(f"{source} has no {split!r} split; known: {', '.join(SOURCES[source].splits)}")
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
        raise ValueError(f"{source} {split}: no examples{where} in {path}")
    return Dataset.from_dict(columns, features=features)
