"""Mewsli-X (Ruder et al. 2021; google-research dense_representations_for_entity_retrieval/mel/mewsli-x.md): the
JSON-lines files `get-mewsli-x.sh` leaves in `mewsli_x/output/dataset/` (and XTREME's `download_data.sh` moves to
`download/mewslix/`), each line one object of its `mewsli_x/schema.py` class:
- `wikipedia_pairs-{train,dev}.jsonl`: MentionEntityPair {contextual_mention: {context, mention}, entity}, English;
- `wikinews_mentions-{dev,test}.jsonl`: ContextualMentions {context, mentions: [mention, ...]}, every language
  (a language's rows are those whose `context.language` it is); or XTREME's per-language split of them,
  `wikinews_mentions/{dev,test}-{lang}.jsonl` (`utils_preprocess.py --task mewslix`, which blanks the test ids);
- `candidate_set_entities.jsonl`: Entity {entity_id, title, description, description_language, sentence_spans, ...}.
Offsets are checked as schema.py's `validate` does (a span inside its text, a mention's text at its span); a
WikiNews file whose article text is empty (the `_no_text` release, before `get-mewsli-x.sh` restores it) is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from repro.data.loaders.common import Row, _DEV, _fail, _find, _lines, _need_lang
from repro.errors import UserError

CANDIDATES = "candidate_set_entities.jsonl"


def _json_lines(path: Path) -> Iterator[tuple[int, dict]]:
    import json

    for number, line in _lines(path):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            raise _fail(path, f"invalid JSON: {err.msg} (column {err.colno})", number) from None
        if not isinstance(value, dict):
            raise _fail(path, "expected a JSON object", number)
        yield number, value


def _spans(spans: list, text: str, path: Path, number: int) -> tuple[list[int], list[int]]:
    starts, ends = [], []
    for span in spans:
        start, end = span["start"], span["end"]
        if not 0 <= start < end or start >= len(text) or end > len(text):
            raise _fail(path, f"sentence span {start}-{end} out of bounds of a text of {len(text)} characters", number)
        starts.append(start)
        ends.append(end)
    return starts, ends


def _entity(entity: dict, path: Path, number: int) -> Row:
    try:
        starts, ends = _spans(entity["sentence_spans"], entity["description"], path, number)
        return {"entity_id": entity["entity_id"], "entity_title": entity["title"],
                "entity_description": entity["description"], "entity_language": entity["description_language"],
                "entity_sentence_starts": starts, "entity_sentence_ends": ends}
    except (KeyError, TypeError) as err:
        raise _fail(path, f"not a Mewsli-X entity (missing {err})", number) from None


def _mention(context: dict, mention: dict, path: Path, number: int) -> Row:
    try:
        text, span = context["text"], mention["mention_span"]
        if not text:
            raise _fail(path, "the article text is empty (the release's _no_text file): run get-mewsli-x.sh, which "
                              "restores it from the WikiNews dumps", number)
        if text[span["start"]:span["end"]] != span["text"]:
            raise _fail(path, f"mention {mention['example_id']}: {span['text']!r} is not at {span['start']}-"
                              f"{span['end']} of its context", number)
        starts, ends = _spans(context["sentence_spans"], text, path, number)
        return {"example_id": mention["example_id"], "language": context["language"],
                "document_id": context["document_id"], "context": text, "sentence_starts": starts,
                "sentence_ends": ends, "mention": span["text"], "mention_start": span["start"],
                "mention_end": span["end"], "entity_id": mention["entity_id"]}
    except (KeyError, TypeError) as err:
        raise _fail(path, f"not a Mewsli-X mention (missing {err})", number) from None


def read_entities(path: Path) -> Iterator[Row]:
    """The candidate set, one row per entity, in file order."""
    for number, entity in _json_lines(path):
        yield _entity(entity, path, number)


def read_pairs(path: Path) -> Iterator[Row]:
    """Wikipedia (mention in context, entity) pairs, one row each."""
    for number, pair in _json_lines(path):
        try:
            contextual, entity = pair["contextual_mention"], pair["entity"]
            row = _mention(contextual["context"], contextual["mention"], path, number)
        except (KeyError, TypeError) as err:
            raise _fail(path, f"not a Mewsli-X pair (missing {err})", number) from None
        row.update({k: v for k, v in _entity(entity, path, number).items() if k != "entity_id"})
        if row["entity_id"] != entity["entity_id"]:
            raise _fail(path, f"mention {row['example_id']} links {row['entity_id']}, its entity is "
                              f"{entity['entity_id']}", number)
        yield row


def read_mentions(path: Path, lang: str) -> Iterator[Row]:
    """The WikiNews mentions of one language, one row per mention (`unnest_to_single_mention_per_context`)."""
    for number, document in _json_lines(path):
        try:
            context, mentions = document["context"], document["mentions"]
        except (KeyError, TypeError) as err:
            raise _fail(path, f"not Mewsli-X contextual mentions (missing {err})", number) from None
        if context.get("language") != lang:
            continue
        for mention in mentions:
            row = _mention(context, mention, path, number)
            if not row["entity_id"]:
                raise _fail(path, f"mention {row['example_id']} has no gold entity id (XTREME's preprocessing "
                                  "blanks the test ids): use the release's wikinews_mentions-test.jsonl", number)
            yield row


# ---------------------------------------------------------------------------------------------------------
# where the files are: (source, path, split, lang) -> rows, the plans `repro.data.loaders` dispatches to


def _plan_mewslix(source: str, path: Path, split: str, lang: str | None) -> Iterator[Row]:
    """mewslix_pairs (train, dev), mewslix (a language's dev or test mentions), mewslix_entities (the set)."""
    name = _DEV[split]
    if source == "mewslix_entities":
        return read_entities(_find(path, [CANDIDATES], "mewslix candidate set"))
    if source == "mewslix_pairs":
        return read_pairs(_find(path, [f"wikipedia_pairs-{name}.jsonl"], f"mewslix Wikipedia pairs ({split})"))
    lang = _need_lang(source, lang, path)
    if path.is_dir() and not (path / f"wikinews_mentions-{name}.jsonl").is_file() \
            and (path / "wikinews_mentions" / f"{name}-{lang}.jsonl").is_file():
        return read_mentions(path / "wikinews_mentions" / f"{name}-{lang}.jsonl", lang)
    found = _find(path, [f"wikinews_mentions-{name}.jsonl"], f"mewslix WikiNews mentions ({split})")
    if found.name.startswith("wikinews_mentions_no_text"):
        raise UserError(f"{found}: the _no_text release file; run get-mewsli-x.sh to restore the article text")
    return read_mentions(found, lang)
