"""Multi-task training: one shared encoder with a head per task, and the sampled schedule of single-task
batches it trains on, one task per optimizer step (jiant's multi-task runner)."""

from __future__ import annotations

import math
from typing import Callable, Iterator, Sequence

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


def _capped(rows_by_task: dict[str, Sequence[dict]], examples_cap: int | None) -> np.ndarray:
    return np.array([min(len(rows), examples_cap or len(rows)) for rows in rows_by_task.values()], float)


def steps_per_epoch(rows_by_task: dict[str, Sequence[dict]], batch_size: int, grad_accum: int,
                    examples_cap: int | None) -> int:
    """Optimizer steps of one epoch: each task's (capped) examples over the effective batch, summed (jiant
    jiant/proj/main/scripts/configurator.py:369-386)."""
    return int(sum(math.ceil(size / (batch_size * grad_accum)) for size in _capped(rows_by_task, examples_cap)))


def _batches(rows: Sequence[dict], batch_size: int, rng: np.random.Generator) -> Iterator[list[dict]]:
    """A task's batches without end, each pass in a fresh order (jiant's InfiniteYield over a shuffled loader)."""
    while True:
        order = rng.permutation(len(rows))
        for at in range(0, len(order), batch_size):
            yield [rows[i] for i in order[at:at + batch_size]]


def multitask_schedule(rows_by_task: dict[str, Sequence[dict]], batch_size: int, grad_accum: int, epochs: float,
                       sampling: str, temperature: float, examples_cap: int | None, seed: int, pad_id: int,
                       collators: dict[str, Callable] | None = None, steps: int | None = None) -> list[dict]:
    """Pre-collated single-task batches, `grad_accum` of one sampled task per optimizer step, in order.

    As jiant's runner (jiant/proj/main/runner.py:95-117): each optimizer step samples a task (proportional to
    its examples capped at `examples_cap`, uniform, or with a temperature: jiant/proj/main/components/
    task_sampler.py:22-87) and accumulates `grad_accum` batches of that task; `epochs` x `steps_per_epoch` steps
    in all (configurator.py:386). The
    trainer must take the rows in this order (TrainSetup's `prebatched`). `collators` replaces padding for some
    tasks (MLM: a fresh mask each time a batch is drawn); `steps` sets the number of optimizer steps instead.
    """
    rng = np.random.default_rng(seed)
    names = list(rows_by_task)
    sizes = _capped(rows_by_task, examples_cap)
    weights = {"proportional": sizes, "uniform": np.ones_like(sizes), "temperature": sizes ** (1 / temperature)}
    probabilities = weights[sampling] / weights[sampling].sum()
    if steps is None:
        steps = int(epochs * steps_per_epoch(rows_by_task, batch_size, grad_accum, examples_cap))
    drawn = rng.choice(len(names), size=steps, p=probabilities)
    pools = {name: _batches(rows_by_task[name], batch_size, rng) for name in names}
    schedule = []
    for index in drawn:
        name = names[index]
        collator = (collators or {}).get(name)
        for _ in range(grad_accum):
            batch = next(pools[name])
            schedule.append({"task": name, **(collator(batch) if collator else collate(batch, pad_id))})
    return schedule
