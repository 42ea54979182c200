"""Stage `intermediate`: phase 2, fine-tune on one English intermediate task and save the encoder only.

`train` is the one way an intermediate encoder is trained; Table 4's alternatives (`repro.stages.alternative`)
call it with their extra data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Callable

import typer

from repro.params import Profile
from repro.paths import Layout
from repro.stages.options import ParamsOpt, ProfileOpt, fail, friendly, run_stage
from repro.tasks import INTERMEDIATE_TASKS, Task

# (profile, layout, task, head model, encoded rows, hp, tokenizer, workdir, description) -> the trained task model
Trainer = Callable[..., object]


def run(profile: Profile, layout: Layout, task_id: str) -> Path:
    return train(profile, layout, task_id, INTERMEDIATE_TASKS[task_id])


def train(profile: Profile, layout: Layout, encoder_id: str, task: Task, extra: list[dict] = (),
          trainer: Trainer | None = None) -> Path:
    """Fine-tune a fresh `task` head on the pretrained encoder (its English data plus `extra` examples), select
    on English dev, and save the encoder as `encoder_id`. `trainer` replaces plain fine-tuning (continued MLM)."""
    from repro import kinds, models
    from repro.engine.setup import TrainSetup
    from repro.engine.trainer import finetune
    from repro.io import atomic_dir, atomic_json
    from repro.stages import common

    encoder = common.require(layout.pretrained, "pretrained model", f"repro pretrain --profile {profile.name}")
    family = models.of(profile.model)
    hp = profile.intermediate.for_task(task.id)
    tokenizer = family.tokenizer(encoder)
    labels = common.labels_of(task, layout)
    rows = kinds.of(task).encode(tokenizer, common.train_sources(task, "train", layout) + list(extra), hp, labels)
    model = common.fresh_head(profile, task, encoder, labels)
    scorer = common.scorer(task, tokenizer, layout, hp, labels)
    workdir, description = layout.checkpoints(f"intermediate-{encoder_id}"), f"intermediate {encoder_id}"
    if trainer is not None:
        model = trainer(profile, layout, task, model, rows, hp, tokenizer, workdir, description)
    else:
        model = finetune(model, rows, TrainSetup(hp, scorer=scorer, workdir=workdir, seed=profile.seed,
                                                 pad_id=tokenizer.pad_token_id, description=description,
                                                 engine=profile.engine, curves=layout.curves(workdir.name)))
    dev_score = scorer(model)
    out = layout.encoder(encoder_id)
    with atomic_dir(out) as tmp:
        family.body(model).save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        atomic_json(tmp / "intermediate.json", {"task": encoder_id, "english_dev": dev_score, "labels": list(labels)})
    return out


@friendly
def command(task: Annotated[str, typer.Option("--task", help="an intermediate task")],
            params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """Phase 2: fine-tune on one English intermediate task; saves the encoder only.

    Example: [bold]repro intermediate --profile smoke --task mnli[/]
    """
    def check(config) -> None:
        if task not in config.study.intermediate_tasks:
            fail(f"unknown intermediate task {task!r}; the study of {profile} has "
                 f"{', '.join(config.study.intermediate_tasks)} (multitask and the alternatives have their own verbs)")

    run_stage(params, profile, f"intermediate {task}", run, task, done=lambda out: f"encoder -> {out}", check=check)


if __name__ == "__main__":
    typer.run(command)
