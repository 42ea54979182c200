"""Stage `evaluate`: a target evaluated with another target's fine-tune (MLQA with XQuAD's SQuAD v1.1 model),
zero-shot in every language, no training."""

from __future__ import annotations

from pathlib import Path

import typer

from repro.params import Profile
from repro.paths import Layout
from repro.stages.options import IntermediateOpt, ParamsOpt, ProfileOpt, TargetOpt, friendly, pair_verb
from repro.tasks import target as lookup


def run(profile: Profile, layout: Layout, intermediate_id: str, target_id: str) -> dict:
    from repro import kinds, models
    from repro.stages import common

    task = lookup(target_id)
    trained = task.shares_training_with
    encoder = common.encoder_or_fail(profile, layout, intermediate_id)
    family = models.of(profile.model)
    model_dir = common.require(layout.target_model(intermediate_id, trained), "fine-tuned model",
                               f"repro target --intermediate {intermediate_id} --target {trained}")
    model = family.fine_tuned(kinds.of(task).HEAD, model_dir)
    return common.evaluate_languages(profile, layout, intermediate_id, task, model, family.tokenizer(encoder),
                                     profile.target.for_task(trained), task.labels, None)


@friendly
def command(intermediate_id: IntermediateOpt, target_id: TargetOpt, params: ParamsOpt = Path("params.yaml"),
            profile: ProfileOpt = "paper") -> None:
    """Evaluate a target with the fine-tune of the target it shares training with (MLQA: XQuAD's), zero-shot.

    Example: [bold]repro evaluate --profile smoke --intermediate mnli --target mlqa[/]
    """
    pair_verb(run, params, profile, intermediate_id, target_id, lambda study: study.shared_targets,
              lambda study: f"has its own fine-tune or none; `repro evaluate` takes {', '.join(study.shared_targets)}")


if __name__ == "__main__":
    typer.run(command)
