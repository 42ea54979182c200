"""Stage `ml_target`: phase 3 of the multilingual study for one seed's run of an arm (`mnli-A2-1`, the baseline
`none-A0-1`): a fresh head on its encoder, fine-tuned on the target's English data with the run's seed, selected
on English dev, evaluated zero-shot in every language (as `repro target`), written under
results/<profile>/multilingual/stages/<run>/<target>.json. A target with `train_before` sources (XCOPA: SIQA, then
COPA, as XTREME-R's scripts/train_xcopa.sh) trains one model through them in turn, each phase selected on its own
English dev, and records the chain."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from repro.errors import UserError
from repro.params import Profile
from repro.paths import Layout
from repro.studies.multilingual.stages.common import arm_of, evaluated, settings, study_layout
from repro.stages.options import ParamsOpt, ProfileOpt, TargetOpt, friendly, run_stage
from repro.tasks import Task, target as lookup
from repro.studies.multilingual.arms import BASELINE_ARM, Arm, parse_run


def encoder_of(profile: Profile, layout: Layout, run: str) -> tuple[Path, int]:
    """(the encoder a run's targets start from, its seed): the pretrained model for A0, else the arm's run."""
    from repro.stages import common

    arm_id, seed = parse_run(run)
    ml = settings(profile)
    if seed not in ml.seeds:
        raise UserError(f"{run}: seed {seed} is not among profiles.{profile.name}.multilingual.seeds {ml.seeds}")
    if Arm.parse(arm_id).arm == BASELINE_ARM:
        if not ml.baseline:
            raise UserError(f"{run}: profiles.{profile.name}.multilingual.baseline is false")
        return common.require(layout.pretrained, "pretrained model", f"repro pretrain --profile {profile.name}"), seed
    arm_of(profile, arm_id)
    return common.require(layout.encoder(run), "encoder",
                          f"repro ml-intermediate --profile {profile.name} --arm {arm_id} --seed {seed}"), seed


def phases(task: Task) -> list[Task]:
    """What a target trains on, in order: each `train_before` source alone, then the target's own sources."""
    return [replace(task, train=(source,), train_before=()) for source in task.train_before] + [task]


def train(profile: Profile, layout: Layout, run: str, task: Task, encoder: Path, tokenizer, seed: int):
    """(the model after every phase, its English-dev score on the last, each phase's sources, rows and the
    examples and steps the Trainer logged): one fresh head carried through the phases."""
    from repro import kinds
    from repro.engine.trainer import finetune
    from repro.engine.trainer_log import training_counts
    from repro.stages import common

    hp, labels = profile.target.for_task(task.id), task.labels
    model, chain, scorer = common.fresh_head(profile, task, encoder, labels), [], None
    for phase in phases(task):
        rows = kinds.of(phase).encode(tokenizer, common.train_sources(phase, "train", layout), hp, labels)
        scorer = common.scorer(phase, tokenizer, layout, hp, labels)
        last = phase is task
        workdir = layout.checkpoints(f"target-{run}-{task.id}" + ("" if last else f"-{phase.train[0]}"))
        with training_counts() as budget:
            model = finetune(model, rows, hp, scorer=scorer, seed=seed, workdir=workdir,
                             pad_id=tokenizer.pad_token_id, engine=profile.engine,
                             description=f"multilingual {run} -> {task.id}" + ("" if last else f" ({phase.train[0]})"))
        chain.append({"sources": list(phase.train), "rows": len(rows), **budget})
    return model, scorer(model), chain


def run(profile: Profile, layout: Layout, run: str, target_id: str) -> dict:
    from repro import models
    from repro.io import atomic_dir, atomic_json
    from repro.stages import common

    layout = study_layout(layout)
    task = lookup(target_id)
    if target_id not in settings(profile).trained_targets:
        raise UserError(f"{target_id}: not among profiles.{profile.name}.multilingual.trained_targets")
    encoder, seed = encoder_of(profile, layout, run)
    profile = evaluated(profile).model_copy(update={"seed": seed})
    hp = profile.target.for_task(target_id)
    tokenizer = models.of(profile.model).tokenizer(encoder)
    model, english_dev, chain = train(profile, layout, run, task, encoder, tokenizer, seed)
    with atomic_dir(layout.target_model(run, target_id)) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
    payload = common.evaluate_languages(profile, layout, run, task, model, tokenizer, hp, task.labels, english_dev)
    last = {key: value for key, value in chain[-1].items() if key != "sources"}
    payload = {**payload, "seed": seed, "budget": last}  # what the Trainer logged (the target's own phase)
    if task.train_before:
        payload["chain"] = chain  # every phase, in order
    atomic_json(layout.stage_metrics(run, target_id), payload)
    return payload


@friendly
def command(run_name: Annotated[str, typer.Option("--run", help="<task>-<arm>-<seed>, or none-A0-<seed>")],
            target_id: TargetOpt, params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """The multilingual study: fine-tune a target from one seed's run of an arm, evaluate zero-shot.

    Example: [bold]repro ml-target --profile smoke --run mnli-A2-1 --target xnli[/]
    """
    import json

    run_stage(params, profile, f"multilingual {run_name} -> {target_id}", run, run_name, target_id,
              done=lambda result: json.dumps(result["results"]))


if __name__ == "__main__":
    typer.run(command)
