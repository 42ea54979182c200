"""XTREME metrics, computed as the official scorer does.

Official code mirrored (google-research/xtreme; the task lists and the aggregation are in repro.suites.xtreme):
- `evaluate.py`: the per-language metric functions (`accuracy`, `f1`, `bucc_f1`).
- `third_party/evaluate_squad.py`: the SQuAD v1.1 script (XQuAD, TyDiQA-GoldP), fetched by `install_tools.sh`.
- `third_party/evaluate_mlqa.py`: the MLQA v1 script (language-aware answer normalisation).
- `third_party/utils_mewslix.py` `evaluate` and `third_party/utils_lareqa.py` `average_precision_at_k`: mAP@20
  of XTREME-R's Mewsli-X and LAReQA.
- seqeval entity F1 (evaluate.py `f1`), under one of two chunk-type rules (`SEQEVAL_RULES`, see
  `tagging_chunks`): "1.2.2", what evaluate.py gives today (install_tools.sh runs an unpinned `pip install seqeval`,
  which brings 1.2.2; the project pins seqeval==1.2.2 too), the default; "0.0.12", the seqeval nyu-mll/jiant pinned
  (setup.py `seqeval == 0.0.12`), so the rule of its 2020 numbers (jiant/tasks/evaluate/core.py
  `F1TaggingEvaluationScheme`).

Every score is on a 0-100 scale. Argument order is always (predictions, gold). Importing this module is
cheap: seqeval (which pulls in scikit-learn) is imported only when a tagging score is computed.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from typing import Any, Callable, Iterable, Mapping, Sequence

# ---------------------------------------------------------------------------------------------------------
# Accuracy (evaluate.py `accuracy`)


def _same_length(predictions: Sequence, gold: Sequence, what: str) -> None:
    if len(predictions) != len(gold):
        raise ValueError(f"{what}: {len(predictions)} predictions for {len(gold)} gold items")
    if len(gold) == 0:
        raise ValueError(f"{what}: nothing to score (0 gold items)")


def accuracy(predictions: Sequence, gold: Sequence) -> float:
    """Percentage of positions where prediction == gold (the official script compares stripped lines)."""
    _same_length(predictions, gold, "accuracy")
    return 100.0 * sum(int(p == g) for p, g in zip(predictions, gold)) / len(predictions)


def accuracy_scores(predictions: Sequence, gold: Sequence) -> dict[str, float]:
    return {"accuracy": accuracy(predictions, gold)}


# ---------------------------------------------------------------------------------------------------------
# Tagging F1 (evaluate.py `f1` -> seqeval f1_score / precision_score / recall_score, micro, default mode)

SEQEVAL_RULES = ("1.2.2", "0.0.12")
SEQEVAL_DEFAULT = "1.2.2"  # the official evaluate.py as installed today


def check_seqeval_rule(rule: str) -> str:
    """The rule itself, or a one-line ValueError naming the known ones."""
    if rule not in SEQEVAL_RULES:
        raise ValueError(f"seqeval rule {rule!r}: expected one of {', '.join(SEQEVAL_RULES)}")
    return rule


def _chunk_type(tag: str, rule: str) -> str:
    if rule == "0.0.12":  # seqeval 0.0.12 get_entities: everything after the last '-' ("CCONJ" is its own type)
        return tag.split("-")[-1]
    # seqeval 1.2.2 get_entities (since chakki-works/seqeval PR #38, 2020-07): after the first character and
    # the first '-', so "CCONJ" and "SCONJ" are both type "CONJ"
    return tag[1:].split("-", maxsplit=1)[-1] or "_"


def tagging_chunks(sentences: Sequence[Sequence[str]], rule: str = SEQEVAL_DEFAULT) -> list[tuple[str, int, int]]:
    """(type, start, end) chunks of the sentences joined with an "O" after each, as seqeval's get_entities.

    The chunk boundary rules are seqeval's own `start_of_chunk` / `end_of_chunk` (unchanged between 0.0.12 and
    1.2.2); only the chunk type differs by `rule` (see `_chunk_type`). For BIO tags (PAN-X) the two rules agree;
    for bare POS tags (UD-POS, where the first letter is read as the chunk tag) they differ only where CCONJ and
    SCONJ meet.
    """
    from seqeval.metrics.sequence_labeling import end_of_chunk, start_of_chunk

    check_seqeval_rule(rule)
    flat = [tag for sentence in sentences for tag in [*sentence, "O"]]
    chunks = []
    prev_tag, prev_type, begin = "O", "", 0
    for i, label in enumerate([*flat, "O"]):
        tag, kind = label[0], _chunk_type(label, rule)
        if end_of_chunk(prev_tag, tag, prev_type, kind):
            chunks.append((prev_type, begin, i - 1))
        if start_of_chunk(prev_tag, tag, prev_type, kind):
            begin = i
        prev_tag, prev_type = tag, kind
    return chunks


def _check_sentences(predictions: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]) -> None:
    _same_length(predictions, gold, "tagging")
    for i, (p, g) in enumerate(zip(predictions, gold)):
        # seqeval 1.2.2 refuses this too (check_consistent_length); 0.0.12 would score shifted tags
        if len(p) != len(g):
            raise ValueError(f"tagging: sentence {i} has {len(p)} predicted tags for {len(g)} gold tags")
        for tag in (*p, *g):
            if not isinstance(tag, str) or not tag:
                raise ValueError(f"tagging: sentence {i} has a tag that is not a non-empty string: {tag!r}")


def tagging_scores(predictions: Sequence[Sequence[str]], gold: Sequence[Sequence[str]],
                   rule: str = SEQEVAL_DEFAULT) -> dict[str, float]:
    """{"f1", "precision", "recall"} over exact (type, start, end) chunks, micro-averaged, 0-100.

    Both seqeval versions count the same way (set of gold chunks, set of predicted chunks, 0 where a
    denominator is 0); they differ only in the chunk types of `rule`."""
    _check_sentences(predictions, gold)
    true_chunks, pred_chunks = set(tagging_chunks(gold, rule)), set(tagging_chunks(predictions, rule))
    correct = len(true_chunks & pred_chunks)
    precision = correct / len(pred_chunks) if pred_chunks else 0.0
    recall = correct / len(true_chunks) if true_chunks else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": 100.0 * f1, "precision": 100.0 * precision, "recall": 100.0 * recall}


def tagging_f1(predictions: Sequence[Sequence[str]], gold: Sequence[Sequence[str]],
               rule: str = SEQEVAL_DEFAULT) -> float:
    """seqeval entity F1 (0-100) as XTREME scores PAN-X and UD-POS."""
    return tagging_scores(predictions, gold, rule)["f1"]


# ---------------------------------------------------------------------------------------------------------
# Extractive QA: SQuAD v1.1 (third_party/evaluate_squad.py) and MLQA (third_party/evaluate_mlqa.py)

_ASCII_PUNCTUATION = frozenset(string.punctuation)


def squad_normalize(text: str) -> str:
    """SQuAD v1.1 `normalize_answer`: lower, drop ASCII punctuation, drop a/an/the, squeeze whitespace."""
    text = "".join(ch for ch in text.lower() if ch not in _ASCII_PUNCTUATION)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def _is_mlqa_punct(ch: str) -> bool:
    # evaluate_mlqa.py PUNCT: every code point of a Unicode "P*" category, plus string.punctuation (which adds the
    # ASCII symbols $+<=>^`|~). Same set, tested per character instead of materialised (the table of the running
    # Python's unicodedata applies: 3.11 has Unicode 14, the official run had Python 3.7's Unicode 11).
    return ch in _ASCII_PUNCTUATION or unicodedata.category(ch).startswith("P")


# evaluate_mlqa.py `remove_articles`, per answer language (None: the language has no article list)
MLQA_ARTICLES: dict[str, str | None] = {
    "en": r"\b(a|an|the)\b",
    "es": r"\b(un|una|unos|unas|el|la|los|las)\b",
    "hi": None,
    "vi": r"\b(của|là|cái|chiếc|những)\b",
    "de": r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b",
    # The official pattern is '\sال^|ال'; its first branch can never match ('^' after three characters), so it
    # replaces every occurrence of the two letters alif-lam with a space, wherever they are in a word.
    "ar": "ال",
    "zh": None,
}
MLQA_WHITESPACE_LANGS = ("en", "es", "hi", "vi", "de", "ar")
MLQA_MIXED_SEGMENTATION_LANGS = ("zh",)
_CJK = re.compile(r"[\u4e00-\u9fa5]")


def mlqa_mixed_segmentation(text: str) -> list[str]:
    """evaluate_mlqa.py `mixed_segmentation`: each CJK ideograph (and punctuation) is a token of its own,
    runs of anything else are split on whitespace."""
    tokens, pending = [], ""
    for ch in text:
        if _CJK.search(ch) or _is_mlqa_punct(ch):
            tokens.extend(pending.split())
            pending = ""
            tokens.append(ch)
        else:
            pending += ch
    tokens.extend(pending.split())
    return tokens


def mlqa_normalize(text: str, lang: str) -> str:
    """evaluate_mlqa.py `normalize_answer`: lower, drop Unicode punctuation, drop the language's articles,
    then whitespace (or, for zh, mixed character) tokenisation joined by single spaces."""
    if lang not in MLQA_ARTICLES:
        raise ValueError(f"MLQA: unknown answer language {lang!r}; known: {', '.join(MLQA_ARTICLES)}")
    text = "".join(ch for ch in text.lower() if not _is_mlqa_punct(ch))
    if MLQA_ARTICLES[lang] is not None:
        text = re.sub(MLQA_ARTICLES[lang], " ", text)
    tokens = mlqa_mixed_segmentation(text) if lang in MLQA_MIXED_SEGMENTATION_LANGS else text.split()
    return " ".join(t for t in tokens if t.strip())


def _token_f1(prediction_tokens: list[str], gold_tokens: list[str]) -> float:
    """Bag-of-tokens F1 of the official scripts (0 when nothing is shared, even if both are empty)."""
    same = sum((Counter(prediction_tokens) & Counter(gold_tokens)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(prediction_tokens), same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def qa_questions(gold: Any) -> list[tuple[str, list[str]]]:
    """(question id, gold answer texts) in file order, from any of:
    - a SQuAD-format dataset: {"data": [article, ...]} or the list of articles (what evaluate.py `read_squad`
      returns), each article {"paragraphs": [{"qas": [{"id", "answers": [{"text"}, ...]}]}]};
    - a flat mapping {question id: [answer text, ...]} (optionally wrapped as {"data": {...}})."""
    if isinstance(gold, Mapping) and "data" in gold:
        gold = gold["data"]
    questions = []
    if isinstance(gold, Mapping):
        for qid, answers in gold.items():
            texts = [a["text"] if isinstance(a, Mapping) else a for a in answers]
            questions.append((str(qid), texts))
        return questions
    try:
        for article in gold:
            for paragraph in article["paragraphs"]:
                for qa in paragraph["qas"]:
                    questions.append((str(qa["id"]), [a["text"] for a in qa["answers"]]))
    except (KeyError, TypeError) as err:
        raise ValueError(f"QA gold is neither SQuAD-format nor a {{id: [answers]}} mapping ({err!r})") from None
    return questions


def _qa_scores(predictions: Mapping[str, str], gold: Any, normalize: Callable[[str], str]) -> dict[str, float]:
    """The `evaluate` loop shared by the SQuAD and MLQA scripts: every gold question counts; one without a
    prediction scores 0 (the scripts print "Unanswered question ... will receive score 0."); predictions for
    unknown ids are ignored; a question's score is its best over the gold answers."""
    questions = qa_questions(gold)
    if not questions:
        raise ValueError("QA: nothing to score (0 gold questions)")
    exact = f1 = 0.0
    for qid, answers in questions:
        if qid not in predictions:
            continue
        prediction = predictions[qid]
        if not isinstance(prediction, str):
            raise ValueError(f"QA: prediction for {qid!r} is not a string: {prediction!r}")
        predicted = normalize(prediction)
        if not answers:
            # Outside XTREME (its test sets always have answers; the v1.1 script would crash on max([])):
            # SQuAD v2.0's rule, the empty answer matches only an empty prediction.
            exact += float(predicted == "")
            f1 += float(predicted == "")
            continue
        normalized = [normalize(a) for a in answers]
        exact += max(float(predicted == a) for a in normalized)
        f1 += max(_token_f1(predicted.split(), a.split()) for a in normalized)
    return {"exact_match": 100.0 * exact / len(questions), "f1": 100.0 * f1 / len(questions)}


def squad_em_f1(predictions: Mapping[str, str], gold: Any) -> dict[str, float]:
    """{"exact_match", "f1"} of the SQuAD v1.1 script (XQuAD, TyDiQA-GoldP)."""
    return _qa_scores(predictions, gold, squad_normalize)


def mlqa_em_f1(predictions: Mapping[str, str], gold: Any, lang: str) -> dict[str, float]:
    """{"exact_match", "f1"} of the MLQA script, normalising with the answer language `lang`."""
    if lang not in MLQA_ARTICLES:
        raise ValueError(f"MLQA: unknown answer language {lang!r}; known: {', '.join(MLQA_ARTICLES)}")
    return _qa_scores(predictions, gold, lambda text: mlqa_normalize(text, lang))


# ---------------------------------------------------------------------------------------------------------
# BUCC (evaluate.py `bucc_f1`): F1 of the predicted (source id, target id) set against the gold set


def _pair(item: Any) -> tuple:
    """A pair from a "src<TAB>tgt" line (split as evaluate.py does) or any 2-sequence."""
    return tuple(item.split("\t")) if isinstance(item, str) else tuple(item)


def bucc_f1(pred_pairs: Iterable, gold_pairs: Iterable) -> dict[str, float]:
    """{"f1", "precision", "recall"} of the predicted pair set (duplicates count once) against the gold set."""
    predicted, gold = {_pair(p) for p in pred_pairs}, {_pair(g) for g in gold_pairs}
    correct = len(predicted & gold)
    if correct == 0:
        return {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    precision, recall = correct / len(predicted), correct / len(gold)
    return {"f1": 100.0 * 2 * precision * recall / (precision + recall), "precision": 100.0 * precision,
            "recall": 100.0 * recall}


# ---------------------------------------------------------------------------------------------------------
# Ranked retrieval, mAP@k (XTREME-R): Mewsli-X (evaluate.py `mewslix_map20` -> third_party/utils_mewslix.py
# `evaluate`, a mean reciprocal rank over the top 20) and LAReQA (third_party/utils_lareqa.py
# `average_precision_at_k`, `mean_avg_prec_at_k` with k=20)

MAP_K = 20  # utils_mewslix.TOP_K; evaluate_retrieval.py calls mean_avg_prec_at_k(..., k=20)


def _ranking(value: Any, what: str) -> list:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise ValueError(f"{what}: a ranking must be a list of ids, got {type(value).__name__}")
    for item in value:
        if not isinstance(item, (str, int, float)):
            raise ValueError(f"{what}: ranked ids must be strings or numbers, got {item!r}")
    return list(value)


def average_precision_at_k(relevant: Iterable, ranking: Sequence, k: int = MAP_K) -> float:
    """utils_lareqa `average_precision_at_k` (0-1): over the first k ranked ids, the precision at each rank that
    holds a relevant id not already ranked higher, summed and divided by min(number relevant, k). A repeated id
    counts once; an empty or short ranking just earns less (nothing ranked: 0)."""
    targets = set(relevant)
    if not targets:
        raise ValueError("average precision: no relevant ids (the official code divides by zero)")
    top = list(ranking[:k])
    score = hits = 0.0
    seen: set = set()
    for i, item in enumerate(top):
        if item in targets and item not in seen:
            hits += 1.0
            score += hits / (i + 1.0)
        seen.add(item)
    return score / min(len(targets), k)


def mean_average_precision_at_k(predictions: Mapping[str, Sequence], relevant: Mapping[str, Iterable],
                                k: int = MAP_K, empty: float | None = None) -> float:
    """Mean AP@k (0-1) over the queries of `relevant` ({query id: relevant ids}), in its order; a query that
    `predictions` ({query id: ranked ids}) lacks scores 0, ids it has beyond `relevant` are ignored. With no
    queries: `empty` if given (Mewsli-X's evaluate returns 0.0), else a ValueError."""
    if not isinstance(predictions, Mapping):
        raise ValueError("mAP: predictions must be a json object {query id: [ranked ids]}")
    if not relevant:
        if empty is None:
            raise ValueError("mAP: nothing to score (0 gold queries)")
        return empty
    total = 0.0
    for query, targets in relevant.items():
        ranking = _ranking(predictions.get(query, []), f"mAP: prediction for {query!r}")
        total += average_precision_at_k(targets, ranking, k)
    return total / len(relevant)


def _gold_lists(gold: Any, what: str) -> Mapping[str, list]:
    if not isinstance(gold, Mapping):
        raise ValueError(f"{what}: gold must be a json object {{query id: [ids]}}")
    for query, ids in gold.items():
        if isinstance(ids, (str, bytes, Mapping)) or not isinstance(ids, Sequence) or not ids:
            raise ValueError(f"{what}: gold for {query!r} must be a non-empty list of ids, got {ids!r}")
        _ranking(ids, f"{what}: gold for {query!r}")
    return gold


def mewslix_map(predictions: Mapping[str, Sequence], gold: Any, k: int = MAP_K) -> dict[str, float]:
    """{"map@20"} (0-100) of Mewsli-X: gold {example id: [gold entity id]} (only the first id counts, stripped,
    as utils_mewslix does); each example's AP@k with one relevant id is the reciprocal rank of its first hit in
    the top k, so this is the official MRR@k; no gold examples score 0, as there."""
    gold = _gold_lists(gold, "Mewsli-X")
    if not all(isinstance(ids[0], str) for ids in gold.values()):
        raise ValueError("Mewsli-X: gold entity ids must be strings")
    single = {query: [ids[0].strip()] for query, ids in gold.items()}
    return {f"map@{k}": 100.0 * mean_average_precision_at_k(predictions, single, k, empty=0.0)}


def lareqa_map(predictions: Mapping[str, Sequence], gold: Any, k: int = MAP_K) -> dict[str, float]:
    """{"map@20"} (0-100) of LAReQA for one question language: gold {question id: [ids of every candidate that
    answers it, in any language]} (XQuAD-R: one per language), predictions {question id: [candidate ids,
    best first]} ranked over the whole multilingual candidate pool (utils_lareqa `mean_avg_prec_at_k`)."""
    return {f"map@{k}": 100.0 * mean_average_precision_at_k(predictions, _gold_lists(gold, "LAReQA"), k)}


# ---------------------------------------------------------------------------------------------------------
# The metric table: a task entry's `metric` -> its per-language scorer (predictions, gold, language, seqeval rule)

METRICS: dict[str, Callable[[Any, Any, str, str], dict[str, float]]] = {
    "accuracy": lambda predictions, gold, lang, seqeval: accuracy_scores(predictions, gold),
    "f1": lambda predictions, gold, lang, seqeval: tagging_scores(predictions, gold, seqeval),
    "bucc_f1": lambda predictions, gold, lang, seqeval: bucc_f1(predictions, gold),
    "squad": lambda predictions, gold, lang, seqeval: squad_em_f1(predictions, gold),
    "mlqa": lambda predictions, gold, lang, seqeval: mlqa_em_f1(predictions, gold, lang),
    "mewslix_map": lambda predictions, gold, lang, seqeval: mewslix_map(predictions, gold),
    "lareqa_map": lambda predictions, gold, lang, seqeval: lareqa_map(predictions, gold),
}
