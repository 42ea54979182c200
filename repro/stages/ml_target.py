"""Stage `ml_target`: phase 3 of the multilingual study for one seed's run of an arm (`mnli-A2-1`, the baseline
`none-A0-1`): a fresh head on its encoder, fine-tuned on the target's English data with the run's seed, selected
on English dev, evaluated zero-shot in every language (as `repro target`), written under
results/<profile>/multilingual/stages/<run>/<target>.json."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from repro.errors import UserError
from repro.params import Profile
from repro.paths import Layout
from repro.stages.ml_common import arm_of, settings, study_layout
from repro.stages.options import ParamsOpt, ProfileOpt, TargetOpt, friendly, load
from repro.tasks import target as lookup
from repro.tasks.alternatives import BASELINE_ARM, Arm, parse_run


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


def run(profile: Profile, layout: Layout, run: str, target_id: str) -> dict:
    from repro import kinds, models
    from repro.engine.trainer import finetune
    from repro.engine.trainer_log import training_counts
    from repro.io import atomic_dir, atomic_json
    from repro.stages import common

    layout = study_layout(layout)
    task = lookup(target_id)
    if target_id not in settings(profile).trained_targets:
        raise UserError(f"{target_id}: not among profiles.{profile.name}.multilingual.trained_targets")
    encoder, seed = encoder_of(profile, layout, run)
    profile = profile.model_copy(update={"seed": seed})
    hp = profile.target.for_task(target_id)
    tokenizer = models.of(profile.model).tokenizer(encoder)
    labels = task.labels
    rows = kinds.of(task).encode(tokenizer, common.train_sources(task, "train", layout), hp, labels)
    scorer = common.scorer(task, tokenizer, layout, hp, labels)
    with training_counts() as budget:
        model = finetune(common.fresh_head(profile, task, encoder, labels), rows, hp, scorer=scorer, seed=seed,
                         workdir=layout.checkpoints(f"target-{run}-{target_id}"), pad_id=tokenizer.pad_token_id,
                         description=f"multilingual {run} -> {target_id}", engine=profile.engine)
    english_dev = scorer(model)
    with atomic_dir(layout.target_model(run, target_id)) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
    payload = common.evaluate_languages(profile, layout, run, task, model, tokenizer, hp, labels, english_dev)
    payload = {**payload, "seed": seed, "budget": {"rows": len(rows), **budget}}  # what the Trainer logged
    atomic_json(layout.stage_metrics(run, target_id), payload)
    return payload


@friendly
def command(run_name: Annotated[str, typer.Option("--run", help="<task>-<arm>-<seed>, or none-A0-<seed>")],
            target_id: TargetOpt, params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """The multilingual study: fine-tune a target from one seed's run of an arm, evaluate zero-shot.

    Example: [bold]repro ml-target --profile smoke --run mnli-A2-1 --target xnli[/]
    """
    import json

    from repro.progress import live, stage

    config, layout = load(params, profile)
    with live(), stage(f"multilingual {run_name} -> {target_id}"):
        result = run(config, layout, run_name, target_id)
    typer.echo(json.dumps(result["results"]))


if __name__ == "__main__":
    typer.run(command)
