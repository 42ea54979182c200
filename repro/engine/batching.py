"""Padding encoded rows into batches: one collate for every kind (transformers' collators do not handle the
[choices, length] inputs of multiple choice)."""

from __future__ import annotations

from typing import Sequence

IGNORE = -100  # the label of positions no loss or score reads (specials, later sub-words, padding)


MODEL_INPUTS = ("input_ids", "attention_mask", "labels", "start_positions", "end_positions")


def collate(rows: Sequence[dict], pad_id: int) -> dict:
    """Pad a batch to its longest sequence, as tensors; multiple-choice rows ([choices][tokens]) are padded per
    choice."""
    import torch

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
