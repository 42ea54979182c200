"""From canonical examples (see registry) to model inputs, and from model outputs back to predictions.

One encoder and one decoder per format. Batches are padded dynamically by `collate`, which also handles
the [choices, length] inputs of multiple choice (transformers' collators do not).
"""

from __future__ import annotations

import collections
from typing import Sequence

import numpy as np
import torch

IGNORE = -100
MAX_ANSWER_TOKENS = 30  # the longest span considered when decoding QA (HF and XTREME run_squad default)


def encode_classification(tokenizer, examples: Sequence[dict], max_length: int) -> list[dict]:
    enc = tokenizer([e["text_a"] for e in examples], [e["text_b"] for e in examples],
                    truncation=True, max_length=max_length)
    return [{"input_ids": ids, "attention_mask": mask, "labels": e["label"]}
            for ids, mask, e in zip(enc["input_ids"], enc["attention_mask"], examples)]


def encode_multiple_choice(tokenizer, examples: Sequence[dict], max_length: int) -> list[dict]:
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


def encode_tagging(tokenizer, examples: Sequence[dict], max_length: int, label_ids: dict[str, int]) -> list[dict]:
    """Label the first sub-word of each word; other sub-words and specials are ignored (XTREME run_tag)."""
    enc = tokenizer([e["tokens"] for e in examples], is_split_into_words=True, truncation=True,
                    max_length=max_length)
    rows = []
    for i, e in enumerate(examples):
        word_ids = enc.word_ids(i)
        labels, previous = [], None
        for word in word_ids:
            labels.append(IGNORE if word is None or word == previous else label_ids.get(e["tags"][word], 0))
            previous = word
        rows.append({"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i],
                     "labels": labels, "word_ids": [-1 if w is None else w for w in word_ids]})
    return rows


def encode_qa(tokenizer, examples: Sequence[dict], max_length: int, doc_stride: int) -> list[dict]:
    """Question + context windows (doc stride); an answer outside a window points at <s> (no answer)."""
    enc = tokenizer([e["question"] for e in examples], [e["context"] for e in examples],
                    truncation="only_second", max_length=max_length, stride=min(doc_stride, max_length // 2),
                    return_overflowing_tokens=True, return_offsets_mapping=True)
    rows = []
    for i, offsets in enumerate(enc["offset_mapping"]):
        example_index = enc["overflow_to_sample_mapping"][i]
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


MODEL_INPUTS = ("input_ids", "attention_mask", "labels", "start_positions", "end_positions")


def collate(rows: Sequence[dict], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad a batch to its longest sequence; multiple-choice rows ([choices][tokens]) are padded per choice."""
    batch = {}
    multiple_choice = isinstance(rows[0]["input_ids"][0], list)
    lengths = [len(seq) for r in rows for seq in (r["input_ids"] if multiple_choice else [r["input_ids"]])]
    width = max(lengths)
    for key in MODEL_INPUTS:
        if key not in rows[0]:
            continue
        values = [r[key] for r in rows]
        if key == "labels" and isinstance(values[0], list):  # token labels
            batch[key] = torch.tensor([v + [IGNORE] * (width - len(v)) for v in values])
        elif key in ("input_ids", "attention_mask"):
            fill = pad_id if key == "input_ids" else 0
            if multiple_choice:
                batch[key] = torch.tensor([[s + [fill] * (width - len(s)) for s in v] for v in values])
            else:
                batch[key] = torch.tensor([v + [fill] * (width - len(v)) for v in values])
        else:
            batch[key] = torch.tensor(values)
    return batch


# ---------------------------------------------------------------------------------------------------------
# Decoding


def decode_tagging(logits: np.ndarray, rows: Sequence[dict], examples: Sequence[dict],
                   labels: Sequence[str]) -> list[list[str]]:
    """One tag per word from its first sub-word; words cut off by truncation get the first label ("O")."""
    predictions = []
    for row_logits, row, example in zip(logits, rows, examples):
        tags = [labels[0]] * len(example["tokens"])
        previous = -1
        for position, word in enumerate(row["word_ids"]):
            if word >= 0 and word != previous:
                tags[word] = labels[int(np.argmax(row_logits[position]))]
            previous = word
        predictions.append(tags)
    return predictions


def decode_qa(start_logits: np.ndarray, end_logits: np.ndarray, rows: Sequence[dict],
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
