"""Continued multilingual masked-LM training next to a task head (the paper's alternative (a), Table 4): one
shared encoder, one task per optimizer step drawn in proportion, `mlm_ratio` MLM lines per task example, a
fresh mask per draw; no checkpoint selection: the last weights are kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from repro import models
from repro.engine.multitask import MultiTaskModel, multitask_schedule
from repro.engine.setup import TrainSetup
from repro.engine.trainer import finetune
from repro.models.tiny import mlm_rows
from repro.params import Hyper, Profile
from repro.paths import Layout
from repro.tasks import Task


def train_with_mlm(profile: Profile, layout: Layout, task: Task, model, rows: list[dict], hp: Hyper, tokenizer,
                   workdir: Path, description: str, *, texts: list[str], steps: int | None = None):
    """Train the task model together with an MLM head on `texts`; returns the task model. `steps` caps the
    optimizer steps (the multilingual study's A4 at its English arm's; by default both pools' epochs)."""
    import transformers as tf

    family = models.of(profile.model)
    settings = profile.alternatives
    n = min(len(texts), round(len(rows) * settings.mlm_ratio))
    texts = [texts[i] for i in sorted(np.random.default_rng(profile.seed).choice(len(texts), n, replace=False))]
    tf.set_seed(profile.seed)
    mlm_head = family.masked_lm(layout.pretrained)
    multi = MultiTaskModel({task.id: model, "mlm": mlm_head}, share=family.share_body)
    family.tie_lm_head(mlm_head, multi.encoder)  # re-tie to the shared encoder
    masking = tf.DataCollatorForLanguageModeling(tokenizer, mlm_probability=settings.mlm_probability)
    torch.manual_seed(profile.seed)  # the masks
    schedule = multitask_schedule({task.id: rows, "mlm": mlm_rows(tokenizer, texts, hp.max_length)}, hp.batch_size,
                                  hp.grad_accum, hp.epochs, "proportional", 1.0, None, profile.seed,
                                  tokenizer.pad_token_id, collators={"mlm": masking}, steps=steps)
    finetune(multi, schedule, TrainSetup(hp.model_copy(update={"epochs": 1}), workdir=workdir, seed=profile.seed,
                                         pad_id=tokenizer.pad_token_id, description=description, prebatched=True,
                                         engine=profile.engine, curves=layout.curves(workdir.name)))
    return multi.heads[task.id]
