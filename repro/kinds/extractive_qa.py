"""Extractive QA (SQuAD v1.1/v2.0, XQuAD, MLQA, TyDiQA-GoldP): the best answer span over context windows.

Examples: {id, context, question, answers}; windows as jiant's squad_style template cuts them (the question at
most `max_query_length` tokens, each window `doc_stride` tokens after the previous one); a start is read only in
the window where its token has the most context; predictions are {question id: answer text}, scored with the
official SQuAD v1.1 script or the MLQA one (metric "mlqa").
"""

from __future__ import annotations

import collections
from typing import Sequence

import numpy as np

from repro import metrics
from repro.errors import UserError

HEAD = "question_answering"
TRAINED = True
MAX_ANSWER_TOKENS = 30  # the longest span considered when decoding QA (jiant max_answer_length, XTREME run_squad)


def head_config(labels: tuple[str, ...]) -> dict:
    return {"num_labels": 2, "id2label": {0: "start", 1: "end"}, "label2id": {"start": 0, "end": 1}}


def encode(tokenizer, examples: Sequence[dict], hp, labels: tuple[str, ...]) -> list[dict]:
    return encode_windows(tokenizer, examples, hp.max_length, hp.max_query_length, hp.doc_stride, hp.doc_stride_mode)


def _pair_template(tokenizer) -> tuple[list[int], list[int], list[int]]:
    """The special tokens the tokenizer puts before, between and after a (question, context) pair."""
    enc = tokenizer("a", "b")
    ids, sequence = enc["input_ids"], enc.sequence_ids(0)
    first_b = sequence.index(1)
    last_a = first_b - 1 - sequence[first_b - 1::-1].index(0)
    last_b = len(sequence) - 1 - sequence[::-1].index(1)
    return ids[:sequence.index(0)], ids[last_a + 1:first_b], ids[last_b + 1:]


def encode_windows(tokenizer, examples: Sequence[dict], max_length: int, max_query_length: int, doc_stride: int,
                   doc_stride_mode: str = "advance") -> list[dict]:
    """Question + context windows as jiant's squad_style template (templates/squad_style/core.py): the question
    cut to `max_query_length` tokens (core.py:142-147), each window holding as much context as `max_length`
    leaves (core.py:187-190), the next starting `doc_stride` tokens later (core.py:161, 226; never past the
    window's end, so no context is skipped) until one reaches the context's end (core.py:231-235); with
    doc_stride_mode "overlap", consecutive windows share `doc_stride` tokens
    instead (HF run_qa). A training answer outside a window points at <s> (core.py:279-296). An example whose
    answer its context lacks (offset -1, `repro.data.sources.anchored`) gets no window: it is not trained on
    (core.py:100-107) and counts as unanswered in evaluation.
    """
    prefix, middle, suffix = _pair_template(tokenizer)
    specials = len(prefix) + len(middle) + len(suffix)
    room = max_length - max_query_length - specials  # the least context a window holds
    if doc_stride < 1:
        raise UserError(f"doc_stride: must be at least 1 token, got {doc_stride}")
    if room < 1:
        raise UserError(f"max_length: {max_length} tokens leave no context after a {max_query_length}-token question "
                         f"and {specials} special tokens")
    if doc_stride_mode == "overlap" and doc_stride >= room:
        raise UserError(f"doc_stride: windows of {room} context tokens cannot overlap by {doc_stride}")
    kept = [i for i, e in enumerate(examples) if _anchored(e)]
    questions = tokenizer([examples[i]["question"] for i in kept], add_special_tokens=False, truncation=True,
                          max_length=max_query_length)["input_ids"]
    contexts = tokenizer([examples[i]["context"] for i in kept], add_special_tokens=False,
                         return_offsets_mapping=True)
    rows = []
    for k, example_index in enumerate(kept):
        question, ids, offsets = questions[k], contexts["input_ids"][k], contexts["offset_mapping"][k]
        span = _answer_tokens(examples[example_index], offsets)
        capacity = max_length - len(question) - specials
        step = min(doc_stride, capacity) if doc_stride_mode == "advance" else capacity - doc_stride
        before = len(prefix) + len(question) + len(middle)
        for doc_start in range(0, max(len(ids), 1), step):
            length = min(capacity, len(ids) - doc_start)
            start = end = 0
            if span is not None and doc_start <= span[0] and span[1] < doc_start + length:
                start, end = before + span[0] - doc_start, before + span[1] - doc_start
            input_ids = prefix + question + middle + ids[doc_start:doc_start + length] + suffix
            rows.append({"input_ids": input_ids, "attention_mask": [1] * len(input_ids),
                         "start_positions": start, "end_positions": end, "example_index": example_index,
                         "window": (before, doc_start, length),
                         "offsets": [(-1, -1)] * before + [tuple(o) for o in offsets[doc_start:doc_start + length]]
                                    + [(-1, -1)] * len(suffix)})
            if doc_start + length >= len(ids):
                break
    return rows


def _anchored(example: dict) -> bool:
    """Whether the answer trained on (the first) has a place in the context (or there is none: SQuAD v2)."""
    starts = example["answers"]["answer_start"]
    return not starts or starts[0] >= 0


def _answer_tokens(example: dict, offsets: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
    """The first and last context tokens of the (first) answer; None without an answer."""
    answers = example["answers"]
    if not answers["text"]:
        return None
    a_start = answers["answer_start"][0]
    a_end = a_start + len(answers["text"][0])
    inside = [t for t, (s, e) in enumerate(offsets) if s < a_end and e > a_start]
    return (inside[0], inside[-1]) if inside else None


def decode(outputs, rows: Sequence[dict], examples: Sequence[dict], task, labels: tuple[str, ...]) -> dict:
    start, end = outputs
    return decode_spans(start, end, rows, examples, allow_no_answer=task.version_2)


def _max_context(windows: Sequence[tuple[int, int, int]]) -> list[np.ndarray]:
    """Per window, which of its positions hold a context token whose most-context window it is (jiant
    squad_style/core.py:528-547: the window where the token's nearer edge is farthest, plus 0.01 x its length;
    the first on a tie)."""
    total = max(doc_start + length for _, doc_start, length in windows)
    best, best_score = np.full(total, -1), np.full(total, -np.inf)
    for k, (_, doc_start, length) in enumerate(windows):
        tokens = np.arange(doc_start, doc_start + length)
        score = np.minimum(tokens - doc_start, doc_start + length - 1 - tokens) + 0.01 * length
        better = score > best_score[tokens]
        best[tokens[better]], best_score[tokens[better]] = k, score[better]
    return [best[doc_start:doc_start + length] == k for k, (_, doc_start, length) in enumerate(windows)]


def decode_spans(start_logits: np.ndarray, end_logits: np.ndarray, rows: Sequence[dict],
                 examples: Sequence[dict], allow_no_answer: bool) -> dict[str, str]:
    """Best span per question over all of its windows, a start read only in its most-context window (jiant
    squad_style/utils.py:113); with `allow_no_answer` (SQuAD v2) the <s> score competes."""
    by_example = collections.defaultdict(list)
    for i, row in enumerate(rows):
        by_example[row["example_index"]].append(i)
    predictions = {}
    for example_index, feature_indices in by_example.items():
        example = examples[example_index]
        best_text, best_score, null_score = "", -np.inf, np.inf
        most = _max_context([rows[i]["window"] for i in feature_indices])
        for i, is_max in zip(feature_indices, most):
            offsets = rows[i]["offsets"]
            n = len(offsets)
            start, end = start_logits[i][:n], end_logits[i][:n]
            null_score = min(null_score, float(start[0] + end[0]))
            valid = np.array([o[0] >= 0 for o in offsets])
            starts = np.zeros(n, dtype=bool)
            before, _, length = rows[i]["window"]
            starts[before:before + length] = is_max
            if not starts.any():
                continue
            scores = start[:, None] + end[None, :]
            mask = starts[:, None] & valid[None, :]
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


def gold(task, examples: Sequence[dict], rows: Sequence[dict] = ()) -> dict[str, list[str]]:
    return {e["id"]: list(e["answers"]["text"]) for e in examples}


def score(task, predictions, gold_answers, lang: str, scoring=None) -> dict[str, float]:
    if task.metric == "mlqa":
        return metrics.mlqa_em_f1(predictions, gold_answers, lang)
    return metrics.squad_em_f1(predictions, gold_answers)


def submission(task, predictions: dict[str, str], examples: Sequence[dict] = ()) -> dict[str, str]:
    return predictions


def submission_gold(task, examples: Sequence[dict], lang: str) -> dict:
    return {"data": gold(task, examples)}
