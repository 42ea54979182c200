"""Multi-task training: one shared encoder with a head per task, and the sampled schedule of single-task
batches it trains on (jiant's multi-task runner)."""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
from torch import nn

from repro.engine.batching import collate


class MultiTaskModel(nn.Module):
    """One shared encoder, one head per task (jiant's multi-task setup); batches name their task."""

    def __init__(self, heads: dict[str, nn.Module], share: Callable[[dict], nn.Module]):
        super().__init__()
        self.heads = nn.ModuleDict(heads)
        self.encoder = share(heads)  # the model family's way to make every head use one encoder

    def forward(self, task: str, input_ids, attention_mask, labels=None, start_positions=None, end_positions=None):
        kwargs = {"labels": labels} if labels is not None else {}
        if start_positions is not None:
            kwargs = {"start_positions": start_positions, "end_positions": end_positions}
        return self.heads[task](input_ids=input_ids, attention_mask=attention_mask, **kwargs)


def multitask_schedule(rows_by_task: dict[str, Sequence[dict]], batch_size: int, epochs: float, sampling: str,
                       temperature: float, examples_cap: int | None, seed: int, pad_id: int,
                       collators: dict[str, Callable] | None = None) -> list[dict]:
    """Pre-collated single-task batches in a sampled order (proportional / uniform / temperature).

    Each epoch draws as many batches as one pass over every task (each capped at `examples_cap` examples,
    as jiant's samplers cap) would take; a task's batches are reused cyclically when sampling asks for more
    of them than it has. `collators` replaces padding for some tasks (MLM: a fresh mask each time a batch is drawn).
    """
    rng = np.random.default_rng(seed)
    names = list(rows_by_task)
    sizes = np.array([min(len(rows_by_task[n]), examples_cap or len(rows_by_task[n])) for n in names], float)
    weights = {"proportional": sizes, "uniform": np.ones_like(sizes), "temperature": sizes ** (1 / temperature)}
    probabilities = weights[sampling] / weights[sampling].sum()
    pools = {}
    for name in names:
        order = rng.permutation(len(rows_by_task[name]))
        pools[name] = [[rows_by_task[name][i] for i in order[at:at + batch_size]]
                       for at in range(0, len(order), batch_size)]
    total = int(round(sum(math.ceil(size / batch_size) for size in sizes) * epochs))
    drawn = rng.choice(len(names), size=total, p=probabilities)
    cursor = dict.fromkeys(names, 0)
    schedule = []
    for index in drawn:
        name = names[index]
        batch = pools[name][cursor[name] % len(pools[name])]
        cursor[name] += 1
        collator = (collators or {}).get(name)
        schedule.append({"task": name, **(collator(batch) if collator else collate(batch, pad_id))})
    return schedule
