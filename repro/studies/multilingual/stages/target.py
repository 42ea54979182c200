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
    from repro.engine.setup import TrainSetup
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
            model = finetune(model, rows, TrainSetup(
                hp, scorer=scorer, seed=seed, workdir=workdir, pad_id=tokenizer.pad_token_id, engine=profile.engine,
                description=f"multilingual {run} -> {task.id}" + ("" if last else f" ({phase.train[0]})")))
        chain.append({"sources": list(phase.train), "rows": len(rows), **budget})
    return model, scorer(model), chain


def started(profile: Profile, layout: Layout, run: str, target_id: str, listed: str):
    """What a stage training a target from one run starts with: (the profile as the study evaluates it, with the
    run's seed; the study's layout; the task; the run's encoder; its seed; its tokenizer). One line when the target
    is not among the section's `listed` targets (trained_targets, dual_encoder_targets)."""
    from repro import models

    layout, task = study_layout(layout), lookup(target_id)
    if target_id not in getattr(settings(profile), listed):
        raise UserError(f"{target_id}: not among profiles.{profile.name}.multilingual.{listed}")
    encoder, seed = encoder_of(profile, layout, run)
    profile = evaluated(profile).model_copy(update={"seed": seed})
    return profile, layout, task, encoder, seed, models.of(profile.model).tokenizer(encoder)


def keep(layout: Layout, run: str, target_id: str, save, tokenizer) -> None:
    """The fine-tuned model (`save(folder)`) and its tokenizer, atomically, where the run's target model goes."""
    from repro.io import atomic_dir

    with atomic_dir(layout.target_model(run, target_id)) as tmp:
        save(tmp)
        tokenizer.save_pretrained(tmp)


def run(profile: Profile, layout: Layout, run: str, target_id: str) -> dict:
    from repro.io import atomic_json
    from repro.stages import common

    profile, layout, task, encoder, seed, tokenizer = started(profile, layout, run, target_id, "trained_targets")
    hp = profile.target.for_task(target_id)
    model, english_dev, chain = train(profile, layout, run, task, encoder, tokenizer, seed)
    keep(layout, run, target_id, model.save_pretrained, tokenizer)
    payload = common.evaluate_languages(profile, layout, run, task, model, tokenizer, hp, task.labels, english_dev)
    last = {key: value for key, value in chain[-1].items() if key != "sources"}
    payload = {**payload, "seed": seed, "budget": last}  # what the Trainer logged (the target's own phase)
    if task.train_before:
        payload["chain"] = chain  # every phase, in order
    atomic_json(layout.stage_metrics(run, target_id), payload)
    return payload


RunOpt = Annotated[str, typer.Option("--run", help="<task>-<arm>-<seed>, or none-A0-<seed>")]


def run_target(params: Path, profile: str, title: str, run, run_name: str, target_id: str) -> None:
    """The body of a verb for one (run, target): `run_stage`, printing the stage file's results."""
    import json

    run_stage(params, profile, title, run, run_name, target_id, done=lambda result: json.dumps(result["results"]))


@friendly
def command(run_name: RunOpt, target_id: TargetOpt, params: ParamsOpt = Path("params.yaml"),
            profile: ProfileOpt = "paper") -> None:
    """The multilingual study: fine-tune a target from one seed's run of an arm, evaluate zero-shot.

    Example: [bold]repro ml-target --profile smoke --run mnli-A2-1 --target xnli[/]
    """
    run_target(params, profile, f"multilingual {run_name} -> {target_id}", run, run_name, target_id)


if __name__ == "__main__":
    typer.run(command)
