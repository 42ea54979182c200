"""Stage `multitask`: all intermediate tasks of the study at once (shared encoder, one head per task, one sampled
task per optimizer step, jiant's multi-task setup), the checkpoint selected on the mean of the tasks' English-dev
selection values (jiant's metarunner selects on the EqualMetricAggregator's mean over tasks,
jiant/proj/main/metarunner.py:230-243); saves the encoder only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import typer

from repro.params import Profile
from repro.paths import Layout
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, run_stage
from repro.tasks import INTERMEDIATE_TASKS, MULTITASK


def run(profile: Profile, layout: Layout) -> Path:
    from repro import kinds, models
    from repro.engine.multitask import MultiTaskModel, multitask_schedule, steps_per_epoch
    from repro.engine.setup import TrainSetup
    from repro.engine.trainer import finetune
    from repro.io import atomic_dir, atomic_json
    from repro.stages import common

    encoder = common.require(layout.pretrained, "pretrained model", f"repro pretrain --profile {profile.name}")
    family = models.of(profile.model)
    tokenizer = family.tokenizer(encoder)
    settings = profile.intermediate.multitask
    tasks = [INTERMEDIATE_TASKS[t] for t in profile.study.intermediate_tasks]
    heads, rows, scorers = {}, {}, {}
    for task in tasks:
        hp = profile.intermediate.for_task(task.id)
        labels = common.labels_of(task, layout)
        heads[task.id] = common.fresh_head(profile, task, encoder, labels)
        rows[task.id] = kinds.of(task).encode(tokenizer, common.train_sources(task, "train", layout), hp, labels)
        scorers[task.id] = common.scorer(task, tokenizer, layout, hp, labels)
    hp = profile.intermediate.defaults
    schedule = multitask_schedule(rows, hp.batch_size, hp.grad_accum, hp.epochs, settings.sampling,
                                  settings.temperature, settings.examples_cap, profile.seed, tokenizer.pad_token_id)
    model = MultiTaskModel(heads, share=family.share_body)

    def mean_over_tasks(multi: MultiTaskModel) -> float:
        return float(np.mean([scorers[name](multi.heads[name]) for name in multi.heads]))

    # The schedule spans every epoch: "once per epoch" is once per epoch's steps of it.
    per_epoch = steps_per_epoch(rows, hp.batch_size, hp.grad_accum, settings.examples_cap)
    spanned = hp.model_copy(update={"epochs": 1, "eval_every": per_epoch if hp.eval_every is None else hp.eval_every})
    model = finetune(model, schedule, TrainSetup(
        spanned, scorer=mean_over_tasks, workdir=layout.checkpoints("intermediate-multitask"), seed=profile.seed,
        pad_id=tokenizer.pad_token_id, description="intermediate multitask", prebatched=True,
        engine=profile.engine, curves=layout.curves("intermediate-multitask")))
    english_dev = mean_over_tasks(model)
    out = layout.encoder(MULTITASK)
    with atomic_dir(out) as tmp:
        model.encoder.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        atomic_json(tmp / "intermediate.json", {"task": MULTITASK, "english_dev": english_dev, "tasks": list(heads)})
    return out


@friendly
def command(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """Phase 2 on every intermediate task of the study at once (one head per task); saves the encoder only.

    Example: [bold]repro multitask --profile smoke[/]
    """
    run_stage(params, profile, "multitask", run,
              done=lambda out: f"encoder -> {out}")


if __name__ == "__main__":
    typer.run(command)
