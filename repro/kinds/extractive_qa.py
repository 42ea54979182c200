"""Extractive QA (SQuAD v1.1/v2.0, XQuAD, MLQA, TyDiQA-GoldP): the best answer span over context windows.

Examples: {id, context, question, answers}; a long context is cut into windows (doc stride); predictions are
{question id: answer text}, scored with the official SQuAD v1.1 script or the MLQA one (metric "mlqa").
"""

from __future__ import annotations

import collections
from typing import Sequence

import numpy as np

from repro import metrics

HEAD = "question_answering"
TRAINED = True
MAX_ANSWER_TOKENS = 30  # the longest span considered when decoding QA (HF and XTREME run_squad default)


def head_config(labels: tuple[str, ...]) -> dict:
    return {"num_labels": 2, "id2label": {0: "start", 1: "end"}, "label2id": {"start": 0, "end": 1}}


def encode(tokenizer, examples: Sequence[dict], hp, labels: tuple[str, ...]) -> list[dict]:
    return encode_windows(tokenizer, examples, hp.max_length, hp.doc_stride)


def encode_windows(tokenizer, examples: Sequence[dict], max_length: int, doc_stride: int) -> list[dict]:
    """Question + context windows (doc stride); an answer outside a window points at <s> (no answer). An
    example whose answer its context lacks (offset -1, `repro.data.sources.anchored`) gets no window: it is not
    trained on (jiant squad_style/core.py:100-107) and counts as unanswered in evaluation."""
    kept = [i for i, e in enumerate(examples) if _anchored(e)]
    enc = tokenizer([examples[i]["question"] for i in kept], [examples[i]["context"] for i in kept],
                    truncation="only_second", max_length=max_length, stride=min(doc_stride, max_length // 2),
                    return_overflowing_tokens=True, return_offsets_mapping=True)
    rows = []
    for i, offsets in enumerate(enc["offset_mapping"]):
        example_index = kept[enc["overflow_to_sample_mapping"][i]]
        example = examples[example_index]
        sequence_ids = enc.sequence_ids(i)
        context_offsets = [o if s == 1 else None for o, s in zip(offsets, sequence_ids)]
        start = end = 0
        answers = example["answers"]
        if answers["text"]:
            a_start = answers["answer_start"][0]
            a_end = a_start + len(answers["text"][0])
            inside = [j for j, o in enumerate(context_offsets) if o is not None and o[0] < a_end and o[1] > a_start]
            first_ctx = next(j for j, o in enumerate(context_offsets) if o is not None)
            last_ctx = max(j for j, o in enumerate(context_offsets) if o is not None)
            if inside and context_offsets[first_ctx][0] <= a_start and context_offsets[last_ctx][1] >= a_end:
                start, end = inside[0], inside[-1]
        rows.append({"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i],
                     "start_positions": start, "end_positions": end,
                     "example_index": example_index, "offsets": [o or (-1, -1) for o in context_offsets]})
    return rows


def _anchored(example: dict) -> bool:
    """Whether the answer trained on (the first) has a place in the context (or there is none: SQuAD v2)."""
    starts = example["answers"]["answer_start"]
    return not starts or starts[0] >= 0


def decode(outputs, rows: Sequence[dict], examples: Sequence[dict], task, labels: tuple[str, ...]) -> dict:
    start, end = outputs
    return decode_spans(start, end, rows, examples, allow_no_answer=task.version_2)


def decode_spans(start_logits: np.ndarray, end_logits: np.ndarray, rows: Sequence[dict],
              examples: Sequence[dict], allow_no_answer: bool) -> dict[str, str]:
    """Best span per question over all of its windows; with `allow_no_answer` (SQuAD v2) the <s> score competes."""
    by_example = collections.defaultdict(list)
    for i, row in enumerate(rows):
        by_example[row["example_index"]].append(i)
    predictions = {}
    for example_index, feature_indices in by_example.items():
        example = examples[example_index]
        best_text, best_score, null_score = "", -np.inf, np.inf
        for i in feature_indices:
            offsets = rows[i]["offsets"]
            n = len(offsets)
            start, end = start_logits[i][:n], end_logits[i][:n]
            null_score = min(null_score, float(start[0] + end[0]))
            valid = np.array([o[0] >= 0 for o in offsets])
            if not valid.any():
                continue
            scores = start[:, None] + end[None, :]
            mask = valid[:, None] & valid[None, :]
            mask &= np.triu(np.ones((n, n), dtype=bool)) & ~np.triu(np.ones((n, n), dtype=bool), MAX_ANSWER_TOKENS)
            scores = np.where(mask, scores, -np.inf)
            s, e = np.unravel_index(int(np.argmax(scores)), scores.shape)
            if scores[s, e] > best_score:
                best_score = float(scores[s, e])
                best_text = example["context"][offsets[s][0]:offsets[e][1]]
        if allow_no_answer and null_score > best_score:
            best_text = ""
        predictions[example["id"]] = best_text
    return predictions


def gold(task, examples: Sequence[dict]) -> dict[str, list[str]]:
    return {e["id"]: list(e["answers"]["text"]) for e in examples}


def score(task, predictions, gold_answers, lang: str) -> dict[str, float]:
    if task.metric == "mlqa":
        return metrics.mlqa_em_f1(predictions, gold_answers, lang)
    return metrics.squad_em_f1(predictions, gold_answers)


def submission(task, predictions: dict[str, str]) -> dict[str, str]:
    return predictions


def submission_gold(task, examples: Sequence[dict], lang: str) -> dict:
    return {"data": gold(task, examples)}
