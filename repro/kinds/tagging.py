"""Token tagging (UD-POS, PAN-X, CCG): one tag per word from its first sub-word.

Examples: {tokens, tags}. Only the words the model saw are predicted and scored (jiant's label mask): words cut
off by truncation are not, and get the first label in the submission files. Scored as XTREME does (seqeval
entity F1, metric "f1", under the profile's seqeval rule) or, for CCG supertagging, token accuracy (jiant;
metric "accuracy").
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from repro import metrics
from repro.engine.batching import IGNORE
from repro.kinds.classification import head_config  # noqa: F401 (one class per tag)

HEAD = "token_classification"
TRAINED = True


def encode(tokenizer, examples: Sequence[dict], hp, labels: tuple[str, ...]) -> list[dict]:
    return encode_words(tokenizer, examples, hp.max_length, {t: i for i, t in enumerate(labels)})


LONGEST_WORD = 100  # sub-words; a longer word (a mis-processed URL) is one <unk> (jiant tasks/lib/udpos.py:23-26)


def encode_words(tokenizer, examples: Sequence[dict], max_length: int, label_ids: dict[str, int]) -> list[dict]:
    """Label the first sub-word of each word; other sub-words and specials are ignored (XTREME run_tag, jiant's
    label mask). As jiant (tasks/lib/udpos.py:39-48): a word the tokenizer makes nothing of, or more than
    LONGEST_WORD sub-words, is one <unk>, so that every word the sequence holds is seen; a tag outside the label
    set trains nothing."""
    words = sorted({word for e in examples for word in e["tokens"]})
    pieces = tokenizer(words, add_special_tokens=False)["input_ids"] if words else []
    unknown = {word for word, ids in zip(words, pieces) if not 0 < len(ids) <= LONGEST_WORD}
    enc = tokenizer([[tokenizer.unk_token if w in unknown else w for w in e["tokens"]] for e in examples],
                    is_split_into_words=True, truncation=True, max_length=max_length)
    rows = []
    for i, e in enumerate(examples):
        word_ids = enc.word_ids(i)
        labels, previous = [], None
        for word in word_ids:
            labels.append(IGNORE if word is None or word == previous else label_ids.get(e["tags"][word], IGNORE))
            previous = word
        rows.append({"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i],
                     "labels": labels, "word_ids": [-1 if w is None else w for w in word_ids]})
    return rows


def seen(row: dict) -> int:
    """How many words of its sentence a row holds: truncation cuts the sentence's tail."""
    return max(row["word_ids"]) + 1


def decode(outputs, rows: Sequence[dict], examples: Sequence[dict], task, labels: tuple[str, ...]):
    return decode_words(outputs, rows, labels)


def decode_words(logits: np.ndarray, rows: Sequence[dict], labels: Sequence[str]) -> list[list[str]]:
    """One tag per word the model saw, from its first sub-word; words cut off by truncation get none and are not
    scored (jiant's label mask: tasks/lib/udpos.py:88-93, evaluate/core.py:671-715)."""
    predictions = []
    for row_logits, row in zip(logits, rows):
        tags, previous = [], -1
        for position, word in enumerate(row["word_ids"]):
            if word >= 0 and word != previous:
                tags.append(labels[int(np.argmax(row_logits[position]))])
            previous = word
        predictions.append(tags)
    return predictions


def gold(task, examples: Sequence[dict], rows: Sequence[dict]) -> list[list[str]]:
    """The tags of the words the model saw (as `decode_words`)."""
    return [e["tags"][:seen(row)] for e, row in zip(examples, rows)]


def score(task, predictions, gold_tags, lang: str, scoring=None) -> dict[str, float]:
    """seqeval F1 under the profile's chunk-type rule (`scoring.seqeval`; None: the official evaluate.py's)."""
    if task.metric == "f1":
        rule = metrics.SEQEVAL_DEFAULT if scoring is None else scoring.seqeval
        return {"f1": metrics.tagging_f1(predictions, gold_tags, rule)}
    flat_p = [t for seq in predictions for t in seq]  # CCG supertagging: token accuracy (jiant)
    flat_g = [t for seq in gold_tags for t in seq]
    return {"accuracy": metrics.accuracy(flat_p, flat_g)}


def submission(task, predictions: list[list[str]], examples: Sequence[dict]) -> list[list[str]]:
    """A tag for every word, as the XTREME files hold them: words cut off by truncation get the first label."""
    return [tags + [task.labels[0]] * (len(e["tokens"]) - len(tags)) for tags, e in zip(predictions, examples)]


def submission_gold(task, examples: Sequence[dict], lang: str) -> list[list[str]]:
    return [e["tags"] for e in examples]
