"""Entity linking: Mewsli-X, written as its release files are (`get-mewsli-x.sh`'s `mewsli_x/output/dataset/`;
`repro data` reads them through `repro.data.loaders.mewslix`, as a user's copy): `candidate_set_entities.jsonl`,
`wikipedia_pairs-{train,dev}.jsonl` (English) and `wikinews_mentions-{dev,test}.jsonl` (every language), each line
one object of `mewsli_x/schema.py`'s classes with their character offsets.

Signal: an entity is a person (first name and surname) with a signature fact (what they did to what); its
description renders that fact and one more about them, in a random language of the set (as the real candidate set
mixes 50); a mention is the person's name in a context sentence that repeats the signature fact, among sentences
about other people. Train, dev and WikiNews entities are disjoint (split by entity, as the release); the candidate
set holds the dev and WikiNews entities and as many distractors again.
"""

from __future__ import annotations

import json
import random

from repro.data.sources import dataset_key
from repro.smoke.concepts import PEOPLE, SURNAMES
from repro.smoke.context import WorldContext
from repro.smoke.facts import draw_fact
from repro.smoke.streams import random_hex

FOLDER = "mewslix"  # the release's folder under the world's output
SIZES = {"train_entities": 48, "dev_entities": 16, "news_entities": 24, "distractors": 40, "mentions": 2}
NEWS_SPLITS = {"validation": "dev", "test": "test"}


def _spans(char_spans: list[list[tuple[int, int]]]) -> list[dict]:
    return [{"start": tokens[0][0], "end": tokens[-1][1]} for tokens in char_spans]


def _entities(rng: random.Random, n: int) -> list[dict]:
    """`n` people with distinct full names, each with an id and a signature fact."""
    names = rng.sample([(first, last) for first in PEOPLE for last in SURNAMES], n)
    return [{"id": f"Q{rng.randrange(10 ** 5, 10 ** 7)}{i}", "person": name,
             "fact": {**draw_fact(rng, (0, 1)), "subj": name}} for i, name in enumerate(names)]


def _entity_json(world: WorldContext, entity: dict, lang: str, rng: random.Random) -> dict:
    r = world.r(lang)
    other = {**draw_fact(rng, (0, 1)), "subj": entity["person"]}
    text, char_spans = r.join([r.fact(entity["fact"])[0], r.fact(other)[0]])
    title = r.text(r.person(entity["person"]))
    return {"entity_id": entity["id"], "title": title, "description": text, "description_language": lang,
            "description_url": f"https://{lang}.wikipedia.org/wiki/{title.replace(' ', '_')}",
            "sentence_spans": _spans(char_spans)}


def _context(world: WorldContext, lang: str, linked: list[dict], rng: random.Random, doc: str) -> tuple[dict, list]:
    """A document of the linked entities' mention sentences and 1-2 sentences about others; its context and the
    mention of each linked entity (example id, span, entity id)."""
    r = world.r(lang)
    sentences = [("entity", e) for e in linked] + [("other", draw_fact(rng, (1, 2))) for _ in range(rng.randint(1, 2))]
    rng.shuffle(sentences)
    rendered = []
    for what, item in sentences:
        rendered.append(r.fact({**item["fact"], "adj": None} if what == "entity" else item))
    text, char_spans = r.join([toks for toks, _ in rendered])
    mentions = []
    for i, (what, item) in enumerate(sentences):
        if what != "entity":
            continue
        a, b = rendered[i][1]["who"]
        start, end = char_spans[i][a][0], char_spans[i][b - 1][1]
        mentions.append({"example_id": random_hex(rng, 32), "entity_id": item["id"],
                         "mention_span": {"start": start, "end": end, "text": text[start:end]}})
    context = {"document_title": r.text(r.person(linked[0]["person"])), "document_url": f"https://{lang}.example/{doc}",
               "document_id": f"{lang}-{doc}", "language": lang, "text": text, "sentence_spans": _spans(char_spans)}
    return context, mentions


def _write_jsonl(path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


def mewslix(world: WorldContext, langs) -> None:
    """The Mewsli-X release files for `langs` (WikiNews languages); counted as `mewslix_pairs`, `mewslix.<lang>`
    and `mewslix_entities`."""
    if not langs:
        return
    folder = world.out / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    rng = world.rng("mewslix")
    everyone = _entities(rng, sum(v for k, v in SIZES.items() if k != "mentions"))
    cut = [SIZES["train_entities"], SIZES["train_entities"] + SIZES["dev_entities"]]
    groups = {"train": everyone[:cut[0]], "validation": everyone[cut[0]:cut[1]],
              "news": everyone[cut[1]:cut[1] + SIZES["news_entities"]]}
    candidates = everyone[cut[0]:]
    rng.shuffle(candidates)
    _write_jsonl(folder / "candidate_set_entities.jsonl",
                 [_entity_json(world, e, rng.choice(["en", *langs]), rng) for e in candidates])
    world.counts.setdefault("mewslix_entities", {})["test"] = len(candidates)
    for split in ("train", "validation"):
        pairs = []
        for entity in groups[split]:
            description = _entity_json(world, entity, "en", rng)
            for _ in range(SIZES["mentions"]):
                context, (mention,) = _context(world, "en", [entity], rng, str(rng.randrange(10 ** 6)))
                pairs.append({"contextual_mention": {"context": {**context, "section_title": "Life"},
                                                     "mention": mention}, "entity": description})
        _write_jsonl(folder / f"wikipedia_pairs-{'train' if split == 'train' else 'dev'}.jsonl", pairs)
        world.counts.setdefault("mewslix_pairs", {})[split] = len(pairs)
    for split, name in NEWS_SPLITS.items():
        documents = []
        for lang in langs:
            count = 0
            for at in range(0, len(groups["news"]), 2):
                linked = groups["news"][at:at + rng.choice((1, 2))]
                context, mentions = _context(world, lang, linked, rng, f"{split}{at}")
                documents.append({"context": context, "mentions": mentions})
                count += len(mentions)
            world.counts.setdefault(dataset_key("mewslix", lang), {})[split] = count
        _write_jsonl(folder / f"wikinews_mentions-{name}.jsonl", documents)
