"""Stage `alternative`: Table 4's alternatives to English-only intermediate training, each a real run.

`<task>+translated` trains on the English data plus its machine translation into the target's languages;
`<task>+mlm` trains the task head together with an MLM head on multilingual text (one shared encoder,
single-task batches drawn in proportion, `mlm_ratio` MLM lines per task example; no checkpoint selection, as
for multitask). Both save the encoder as `<task>+<variant>`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from repro.params import Hyper, Profile
from repro.paths import Layout
from repro.stages.intermediate import train
from repro.stages.options import ParamsOpt, ProfileOpt, fail, friendly, load
from repro.tasks import INTERMEDIATE_TASKS, Alternative, Task
from repro.tasks.alternatives import extra_sources


def run(profile: Profile, layout: Layout, encoder_id: str) -> Path:
    from repro import data

    alternative = Alternative.parse(encoder_id)
    task = INTERMEDIATE_TASKS[alternative.task]
    sources = extra_sources(encoder_id, profile.languages)
    if alternative.variant == "translated":
        extra = [e for source, lang in sources for e in data.read(layout, source, "train", lang)]
        return train(profile, layout, encoder_id, task, extra)
    texts = [e["text"] for source, lang in sources for e in data.read(layout, source, "train", lang)]
    return train(profile, layout, encoder_id, task,
                 trainer=lambda *args: _with_mlm(*args, texts=texts))


def _with_mlm(profile: Profile, layout: Layout, task: Task, model, rows: list[dict], hp: Hyper, tokenizer,
              workdir: Path, description: str, *, texts: list[str]):
    """Train the task model together with an MLM head on `texts`; returns the task model."""
    import torch
    import transformers as tf

    from repro import models
    from repro.engine.multitask import MultiTaskModel, multitask_schedule
    from repro.engine.trainer import finetune
    from repro.models.tiny import mlm_rows

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
                                  hp.epochs, "proportional", 1.0, None, profile.seed, tokenizer.pad_token_id,
                                  collators={"mlm": masking})
    finetune(multi, schedule, hp.model_copy(update={"epochs": 1}), scorer=None, workdir=workdir, seed=profile.seed,
             pad_id=tokenizer.pad_token_id, description=description, prebatched=True, engine=profile.engine)
    return multi.heads[task.id]


@friendly
def command(task: Annotated[str, typer.Option("--task", help="an alternative: <task>+mlm or <task>+translated")],
            params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """Table 4: an intermediate task with multilingual MLM batches (`<task>+mlm`) or its translated data too
    (`<task>+translated`); saves the encoder only.

    Example: [bold]repro alternative --profile smoke --task mnli+translated[/]
    """
    from repro.progress import live, stage

    config, layout = load(params, profile)
    if task not in config.study.alternatives:
        fail(f"unknown alternative {task!r}; the study of {profile} has {', '.join(config.study.alternatives)}")
    with live(), stage(f"alternative {task}"):
        out = run(config, layout, task)
    typer.echo(f"encoder -> {out}")


if __name__ == "__main__":
    typer.run(command)
