"""Stage `target`: phase 3 for one (encoder, target): a fresh head on the encoder, fine-tuned on the target's
English training data with selection on English dev, then evaluated zero-shot in every language."""

from __future__ import annotations

from pathlib import Path

import typer

from repro.params import Profile
from repro.paths import Layout
from repro.stages.options import IntermediateOpt, ParamsOpt, ProfileOpt, TargetOpt, friendly, pair_verb
from repro.tasks import target as lookup


def run(profile: Profile, layout: Layout, intermediate_id: str, target_id: str) -> dict:
    from repro.stages import common

    task = lookup(target_id)
    encoder = common.encoder_or_fail(profile, layout, intermediate_id)  # before the training libraries load (~5 s)
    from repro import kinds, models
    from repro.engine.setup import TrainSetup
    from repro.engine.trainer import finetune
    from repro.io import atomic_dir

    hp = profile.target.for_task(target_id)
    tokenizer = models.of(profile.model).tokenizer(encoder)
    labels = task.labels
    rows = kinds.of(task).encode(tokenizer, common.train_sources(task, "train", layout), hp, labels)
    scorer = common.scorer(task, tokenizer, layout, hp, labels)
    model = finetune(common.fresh_head(profile, task, encoder, labels), rows, TrainSetup(
        hp, scorer=scorer, seed=profile.seed, workdir=layout.checkpoints(f"target-{intermediate_id}-{target_id}"),
        pad_id=tokenizer.pad_token_id, description=f"target {intermediate_id} -> {target_id}",
        engine=profile.engine, curves=layout.curves(f"target-{intermediate_id}-{target_id}")))
    english_dev = scorer(model)
    with atomic_dir(layout.target_model(intermediate_id, target_id)) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
    return common.evaluate_languages(profile, layout, intermediate_id, task, model, tokenizer, hp, labels,
                                     english_dev)


@friendly
def command(intermediate_id: IntermediateOpt, target_id: TargetOpt, params: ParamsOpt = Path("params.yaml"),
            profile: ProfileOpt = "paper") -> None:
    """Phase 3: fine-tune on a target's English data from an encoder, evaluate zero-shot in every language.

    Example: [bold]repro target --profile smoke --intermediate mnli --target xnli[/]
    """
    pair_verb(run, params, profile, intermediate_id, target_id, lambda study: study.trained_targets,
              lambda study: f"not fine-tuned (trained targets: {', '.join(study.trained_targets)}); "
                            "use `repro evaluate` or `repro retrieval`")


if __name__ == "__main__":
    typer.run(command)
