"""Sentence(-pair) classification (XNLI, PAWS-X, MNLI, QQP, ANLI+): one label per example, accuracy (QQP adds
F1, for checkpoint selection).

Examples: {text_a, text_b, label}; the head classifies <s>; predictions are label indices, written to the
submission files as label names.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from repro import metrics

HEAD = "sequence_classification"
TRAINED = True


def head_config(labels: tuple[str, ...]) -> dict:
    return {"num_labels": len(labels), "id2label": dict(enumerate(labels)),
            "label2id": {label: i for i, label in enumerate(labels)}}


def encode(tokenizer, examples: Sequence[dict], hp, labels: tuple[str, ...]) -> list[dict]:
    return encode_pairs(tokenizer, examples, hp.max_length)


def encode_pairs(tokenizer, examples: Sequence[dict], max_length: int) -> list[dict]:
    enc = tokenizer([e["text_a"] for e in examples], [e["text_b"] for e in examples],
                    truncation=True, max_length=max_length)
    return [{"input_ids": ids, "attention_mask": mask, "labels": e["label"]}
            for ids, mask, e in zip(enc["input_ids"], enc["attention_mask"], examples)]


def decode(outputs, rows: Sequence[dict], examples: Sequence[dict], task, labels: tuple[str, ...]) -> list[int]:
    return [int(i) for i in np.argmax(outputs, axis=-1)]


def gold(task, examples: Sequence[dict], rows: Sequence[dict] = ()) -> list[int]:
    return [e["label"] for e in examples]


def score(task, predictions, gold_labels, lang: str, scoring=None) -> dict[str, float]:
    """Accuracy; with "f1" among the task's selection metrics (QQP), also F1 of its second label."""
    scores = {"accuracy": metrics.accuracy(predictions, gold_labels)}
    if "f1" in task.selection:
        scores["f1"] = binary_f1(predictions, gold_labels)
    return scores


def binary_f1(predictions: Sequence[int], gold_labels: Sequence[int]) -> float:
    """F1 (0-100) of label 1 as the positive class, 0 when there is none on either side (sklearn's f1_score,
    as jiant tasks/evaluate/core.py:349 calls it)."""
    pairs = list(zip(predictions, gold_labels))
    true_positive = sum(p == g == 1 for p, g in pairs)
    wrong = sum((p == 1) != (g == 1) for p, g in pairs)
    return 100.0 * 2 * true_positive / (2 * true_positive + wrong) if true_positive + wrong else 0.0


def submission(task, predictions: list[int], examples: Sequence[dict] = ()) -> list[str]:
    """Predictions as the submission files hold them: label names."""
    return [task.labels[p] for p in predictions]


def submission_gold(task, examples: Sequence[dict], lang: str) -> list[str]:
    return [task.labels[e["label"]] for e in examples]
