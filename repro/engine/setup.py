"""What one training run is told, besides its model and rows (`repro.engine.trainer.finetune`), and the bench's
throughput meter it fills."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from repro.params import Engine, Hyper

Scorer = Callable[[Any], float]  # a model -> its English-dev score


@dataclass
class Meter:
    """Real (non-padding) tokens, samples and seconds of the optimizer steps after the first `warmup` (bench)."""

    warmup: int
    tokens: int = 0
    samples: int = 0
    seconds: float = 0.0
    steps: int = 0


@dataclass(frozen=True)
class TrainSetup:
    """How one `finetune` call trains `rows` into a model: everything but the two.

    `scorer`: the stage's English-dev score; with it (and `hp.eval_every` not 0) the best-scoring weights are kept,
    else the last ones. `workdir`: the checkpoints while training (removed at the end). `description`: the progress
    line. `prebatched`: each row is already a whole batch (multi-task schedules), so the loader takes one at a time,
    in order (`grad_accum` consecutive rows make one optimizer step). `collator`: replaces dynamic padding (e.g.
    masking for MLM). `engine`: how to train (default: plain fp32). `meter`: measure throughput instead of keeping
    checkpoints (bench). `curves`: the stage's curves directory: the loss and dev score by step (dvclive's series,
    repro.engine.curves). `loss(model, inputs, num_items)`: replaces the model's own loss (a decoder's over its
    label positions only).
    """

    hp: Hyper
    workdir: Path
    seed: int
    pad_id: int
    description: str
    scorer: Scorer | None = None
    prebatched: bool = False
    collator: Callable | None = None
    engine: Engine = field(default_factory=Engine)
    meter: Meter | None = None
    curves: Path | None = None
    loss: Callable | None = None
