"""Multiple choice (HellaSwag, Cosmos QA, CommonsenseQA): context + each choice scored, accuracy.

Examples: {context, choices, label}; rows hold [choices][tokens] inputs; the head scores each choice's <s>.
"""

from __future__ import annotations

from typing import Sequence

from repro.kinds.classification import decode, gold, score  # noqa: F401 (the best choice's index, accuracy)

HEAD = "multiple_choice"
TRAINED = True


def head_config(labels: tuple[str, ...]) -> dict:
    """A multiple-choice head gives each choice one score; the answer is the best choice's position."""
    return {"num_labels": 1, "id2label": {0: "choice score"}, "label2id": {"choice score": 0}}


def encode(tokenizer, examples: Sequence[dict], hp, labels: tuple[str, ...]) -> list[dict]:
    return encode_choices(tokenizer, examples, hp.max_length)


def encode_choices(tokenizer, examples: Sequence[dict], max_length: int) -> list[dict]:
    firsts = [e["context"] for e in examples for _ in e["choices"]]
    seconds = [c for e in examples for c in e["choices"]]
    enc = tokenizer(firsts, seconds, truncation=True, max_length=max_length)
    rows, at = [], 0
    for e in examples:
        n = len(e["choices"])
        rows.append({"input_ids": enc["input_ids"][at:at + n], "attention_mask": enc["attention_mask"][at:at + n],
                     "labels": e["label"]})
        at += n
    return rows


def submission(task, predictions: list[int], examples: Sequence[dict] = ()) -> list[int]:
    return predictions


def submission_gold(task, examples: Sequence[dict], lang: str) -> list[int]:
    return [e["label"] for e in examples]
