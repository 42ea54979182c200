"""Dual-encoder retrieval (XTREME-R's Mewsli-X and LAReQA): one shared encoder embeds queries and candidates, is
fine-tuned on English pairs with in-batch negatives, and ranks a multilingual candidate pool; mAP@20.

As google-research/xtreme@838c13b does it: `third_party/bert.py` `BertForRetrieval` (the model `XLMRobertaForRetrieval`
inherits): the pooled <s> of each side, L2-normalized, their dot products times a learned scale (initialized to 100)
as the logits of a cross entropy whose label is the row's own candidate (every other candidate of the batch a
negative), query to candidate only; at inference both sides go through the one tower and are ranked by cosine
(`evaluate_retrieval.py`: faiss IndexFlatIP over normalized vectors for Mewsli-X, dot products for LAReQA).
- Mewsli-X (`run_retrieval_el.py`, `scripts/train_mewslix.sh`): pairs {query: the mention in its sentence,
  candidate: the entity's description} (repro.data.sources `mention_query`, `entity_text`); every language's
  mentions rank the one candidate set (`task.candidates`); gold the mention's entity id.
- LAReQA (`run_retrieval_qa.py`, `processors/lareqa.py`): SQuAD v1.1's question against the sentence holding its
  first answer followed by the paragraph ("sentence + paragraph", newlines dropped), sentences broken by
  `processors/sb_sed.py`'s main rule; XQuAD-R's questions of every language rank all sentences of every language
  of the pool (`utils_lareqa.load_data`: candidate `<lang>_<paragraph>_<position>`), relevant: the sentence that
  answers the question in each language (`pooled_gold`). The pool is the profile's LAReQA languages.
Queries are cut at the phase's `max_query_length`, candidates at its `max_length` (train_lareqa.sh: 96 and 256).
Rows {query_input_ids, query_attention_mask, candidate_input_ids, candidate_attention_mask}; predictions {query id:
the top `MAP_K` candidate ids, best first}, the XTREME-R submission layout's rankings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from repro import metrics

TRAINED = True
SIDES = ("query", "candidate")
# processors/sb_sed.py `_sed_do_sentence_breaks`: cuts (a newline in place of one space) after [.?!] and closing
# quotes or brackets before a capital or a digit, then joins where the cut follows a title, a common abbreviation,
# a month or an initial of a name, cuts again before common sentence starts, and joins numbered parts and
# "b."/"c."/"et al." citations. Every rule swaps one character for another, so offsets survive. Its SQuAD-specific
# exceptions (a dozen named cases, e.g. "Warner Bros.") are left out.
_SENTENCE_RULES = [(re.compile(pattern), replacement) for pattern, replacement in (
    ("([.?!][)'\" \u201d]*)\\s(\\s*[\\['\"(\u201c]?[A-Z0-9])", "\\1\n\\2"),
    ("([.?!]['\"]?)((\\[[a-zA-Z0-9 ?]+\\])+)\\s(\\s*['\"(]?[A-Z0-9])", "\\1\\2\n\\4"),
    ("(\\[\\.\\.\\.\\]\\s*)\\s(\\[?[A-Z])", "\\1\n\\2"),
    ("\\b(Mrs?|Ms|Dr|Prof|Fr|Rev|Msgr|Sta?|Lt|Gen|Col|Maj|Adm|Capt|Sgt|Rep|Gov|Sen|Pres)\\.\n", "\\1. "),
    ("\\b(e\\.g|i\\.?e|vs?|pp?|cf|a\\.k\\.a|approx|app|es[pt]|tr|Jan|Aug|Oct|Nov|Dec|Mt|Ft)\\.\n", "\\1. "),
    ("\\b([ap]\\.m)\\.\n(Eastern|EST)\\b", "\\1. \\2"),
    ("\\b([A-Z]\\.)[ \n]([A-Z]\\.)[ \n]([A-Z]\\.)[ \n](\"?[A-Z][a-z])", "\\1 \\2 \\3 \\4"),
    ("\\b([A-Z]\\.)[ \n]([A-Z]\\.)[ \n](\"?[A-Z][a-z])", "\\1 \\2 \\3"),
    ("\\b([A-Z]\\.[A-Z]\\.)\n(\"?[A-Z][a-z])", "\\1 \\2"),
    ("\\b([A-Z]\\.)\n(\"?[A-Z][a-z])", "\\1 \\2"),
    ("([.!?]['\")]*) (The|This|That|These|It) ", "\\1\n\\2 "),
    ("(\\.) (Meanwhile|However)", "\\1\n\\2"),
    ("(\\.) (In|On|By|During|After|Under|Although|Yet|As |Several|According to) ", "\\1\n\\2 "),
    ("\\b([Aa]rt|[Nn]o|Opp?|ch|Sec|cl|Rec|Ecl|Cor|Lk|Jn|Vol)\\.\n([0-9IVX]+)\\b", "\\1. \\2"),
    ("\\b([bdrc]|ca|fl)\\.\n([A-Z0-9])", "\\1. \\2"),
    ("\\b(et al)\\.\n(\\(?[0-9]{4}\\b)", "\\1. \\2"),
)]


def sentence_breaks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a paragraph (`sb_sed.infer_sentence_breaks`)."""
    marked = text.replace("\n", " ")
    for pattern, replacement in _SENTENCE_RULES:
        marked = pattern.sub(replacement, marked)
    out, start = [], 0
    for line in marked.split("\n"):
        lead = len(line) - len(line.lstrip())
        out.append((start + lead, start + lead + len(line.strip())))
        start += len(line) + 1
    return out


def _squad_pair(example: dict) -> dict | None:
    """A SQuAD example as `RetrievalSquadProcessor._create_examples` pairs it (None: no sentence holds its answer)."""
    context, at = example["context"], example["answers"]["answer_start"][0]
    sentence = next((context[a:b] for a, b in sentence_breaks(context) if a <= at < b), None)
    if sentence is None:
        return None
    return {"id": example["id"], "query": example["question"], "candidate": (sentence + context).replace("\n", ""),
            "candidate_id": sentence + "\n" + context}


def training_pairs(examples: Sequence[dict]) -> list[dict]:
    """{id, query, candidate, candidate_id} pairs: Mewsli-X's as they are, QA examples through `_squad_pair`."""
    if examples and "query" in examples[0]:
        return list(examples)
    return [pair for pair in map(_squad_pair, examples) if pair is not None]


def encode(tokenizer, pairs: Sequence[dict], hp) -> list[dict]:
    """Each side tokenized on its own, without padding (`collate` pads each side to its longest)."""
    query = tokenizer([p["query"] for p in pairs], truncation=True, max_length=hp.max_query_length)
    candidate = tokenizer([p["candidate"] for p in pairs], truncation=True, max_length=hp.max_length)
    return [{"query_input_ids": q, "query_attention_mask": [1] * len(q),
             "candidate_input_ids": c, "candidate_attention_mask": [1] * len(c)}
            for q, c in zip(query["input_ids"], candidate["input_ids"])]


def collate(rows: Sequence[dict], pad_id: int) -> dict:
    """A batch of pairs, each side padded to its longest sequence, as tensors."""
    import torch

    batch = {}
    for side in SIDES:
        width = max(len(r[f"{side}_input_ids"]) for r in rows)
        for key, fill in (("input_ids", pad_id), ("attention_mask", 0)):
            name = f"{side}_{key}"
            batch[name] = torch.tensor([r[name] + [fill] * (width - len(r[name])) for r in rows])
    return batch


def in_batch_loss(query, candidate, scale):
    """BertForRetrieval's loss: cross entropy of scale x (normalized query . normalized candidate) over the batch's
    candidates, the i-th query's label its own (i-th) candidate; in fp32 whatever the training precision (a scale of
    100 leaves bf16 cosines too coarse)."""
    import torch

    with torch.autocast(device_type=query.device.type, enabled=False):
        query = torch.nn.functional.normalize(query.float(), p=2, dim=1)
        candidate = torch.nn.functional.normalize(candidate.float(), p=2, dim=1)
        logits = scale.float() * query @ candidate.T
        return torch.nn.functional.cross_entropy(logits, torch.arange(len(query), device=logits.device))


def rank(queries: np.ndarray, candidates: np.ndarray, k: int = metrics.MAP_K, chunk: int = 256) -> np.ndarray:
    """[queries, min(k, candidates)] candidate rows, best (highest dot product) first; ties keep the lower row,
    also across the k-th place (every candidate scoring at least the k-th score competes for it)."""
    k = min(k, len(candidates))
    out = np.zeros((len(queries), k), dtype=np.int64)
    for at in range(0, len(queries), chunk):
        scores = queries[at:at + chunk] @ candidates.T
        kth = -np.partition(-scores, k - 1, axis=1)[:, k - 1]
        for row, (values, cut) in enumerate(zip(scores, kth)):
            contenders = np.flatnonzero(values >= cut)
            out[at + row] = contenders[np.lexsort((contenders, -values[contenders]))[:k]]
    return out


# ---------------------------------------------------------------------------------------------------------
# The evaluation pool: every language's queries, one candidate list


@dataclass(frozen=True)
class Pool:
    """The candidates every language ranks, and each language's queries: {lang: (query ids, texts)}, gold
    {lang: {query id: [relevant candidate ids]}}."""

    candidate_ids: list[str]
    candidate_texts: list[str]
    queries: dict[str, tuple[list[str], list[str]]]
    gold: dict[str, dict[str, list[str]]]


def _lareqa_candidates(examples_by_lang: dict[str, Sequence[dict]]) -> dict[str, dict[str, str]]:
    """{candidate uid: text} per language, each paragraph's sentences once (`add_or_retrieve_candidate`)."""
    out: dict[str, dict[str, str]] = {}
    for lang, examples in examples_by_lang.items():
        found = out.setdefault(lang, {})
        for e in examples:
            for position, sentence in enumerate(e["sentences"]):
                found.setdefault(f"{e['context_id']}_{position}", (sentence + e["context"]).replace("\n", ""))
    return out


def _lareqa_gold(examples_by_lang: dict[str, Sequence[dict]]) -> dict[str, dict[str, list[str]]]:
    """{lang: {question id: [ids of the sentence equal to the question's answer sentence, in every language]}}
    (utils_lareqa `update_xling_id`: the same question id across languages is one question)."""
    relevant: dict[str, list[str]] = {}
    for examples in examples_by_lang.values():
        for e in examples:
            if e["answer_sentence"] is not None:
                relevant.setdefault(e["id"], []).extend(f"{e['context_id']}_{position}" for position, sentence
                                                        in enumerate(e["sentences"]) if sentence == e["answer_sentence"])
    return {lang: {e["id"]: list(dict.fromkeys(relevant[e["id"]])) for e in examples if e["answer_sentence"] is not None}
            for lang, examples in examples_by_lang.items()}


def pool(task, examples_by_lang: dict[str, Sequence[dict]], candidates: Sequence[dict] | None = None) -> Pool:
    """What the target ranks: the candidate set of `task.candidates` (Mewsli-X) or, without one, every sentence
    of every language's evaluation examples (LAReQA)."""
    if candidates is not None:
        return Pool([c["id"] for c in candidates], [c["text"] for c in candidates],
                    {lang: ([e["id"] for e in ex], [e["query"] for e in ex]) for lang, ex in examples_by_lang.items()},
                    {lang: {e["id"]: list(e["gold"]) for e in ex} for lang, ex in examples_by_lang.items()})
    found = _lareqa_candidates(examples_by_lang)
    merged = {uid: text for per_lang in found.values() for uid, text in per_lang.items()}
    asked = {lang: [e for e in ex if e["answer_sentence"] is not None] for lang, ex in examples_by_lang.items()}
    return Pool(list(merged), list(merged.values()),
                {lang: ([e["id"] for e in ex], [e["question"] for e in ex]) for lang, ex in asked.items()},
                _lareqa_gold(examples_by_lang))


def rankings(query_ids: Sequence[str], top: np.ndarray, candidate_ids: Sequence[str]) -> dict[str, list[str]]:
    """{query id: [candidate ids, best first]} from `rank`'s rows."""
    return {query: [candidate_ids[i] for i in row] for query, row in zip(query_ids, top)}


def pooled_gold(task, examples_by_lang: dict[str, Sequence[dict]]) -> dict[str, dict[str, list[str]]]:
    """The submission layout's gold of every language at once ({query id: [relevant ids]}): LAReQA's relevant
    sentences are in every language of the pool; Mewsli-X's its mention's entity."""
    if task.candidates is not None:
        return {lang: {e["id"]: list(e["gold"]) for e in ex} for lang, ex in examples_by_lang.items()}
    return _lareqa_gold(examples_by_lang)


def score(task, predictions: dict, gold: dict, lang: str, scoring=None) -> dict[str, float]:
    """mAP@20 by the XTREME-R scorer (repro.suites.xtreme_r: Mewsli-X's official, LAReQA's ours)."""
    from repro import suites

    return suites.get(task.suite).evaluate_language(task.id, predictions, gold, lang)
