"""Stage `ml_from_squad`: the multilingual study's targets that reuse a run's SQuAD v1.1 fine-tune (its `xquad`
target model), zero-shot in every language, no training:
- MLQA: evaluated with that QA model, as `repro evaluate` does for the paper;
- Tatoeba: XTREME-R's protocol (Ruder et al. 2021, google-research/xtreme `scripts/run_tatoeba.sh` embeds with a
  model fine-tuned on SQuAD v1.1): sentence embeddings of the fine-tuned model's encoder (the profile's retrieval
  layer and pooling) on top of each arm's encoder, nearest-neighbour accuracy. So an arm's Tatoeba number here
  is not the paper's (which embeds with the intermediate encoder itself).
Results under results/<profile>/multilingual/stages/<run>/<target>.json."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from repro.errors import UserError
from repro.params import Profile
from repro.paths import Layout
from repro.studies.multilingual.stages.common import evaluated, settings, study_layout
from repro.stages.options import ParamsOpt, ProfileOpt, TargetOpt, friendly, run_stage
from repro.tasks import target as lookup
from repro.studies.multilingual.arms import parse_run

SQUAD_TARGET = "xquad"  # the target whose fine-tune is SQuAD v1.1
EMBEDDED = "tatoeba"  # retrieved with the fine-tune's sentence embeddings; the others use its QA head


def squad_model(profile: Profile, layout: Layout, run: str) -> Path:
    """A run's SQuAD v1.1 fine-tune; one line naming the stage that makes it."""
    from repro.stages import common

    parse_run(run)  # one line for a malformed run name
    return common.require(layout.target_model(run, SQUAD_TARGET), "SQuAD v1.1 fine-tune",
                          f"repro ml-target --profile {profile.name} --run {run} --target {SQUAD_TARGET}")


def _retrieval(profile: Profile, layout: Layout, run: str, task, model_dir: Path) -> dict:
    from repro import data, kinds, models, suites
    from repro.stages import common
    from repro.suites import submission

    settings_, kind, family = profile.retrieval, kinds.of(task), models.of(profile.model)
    tokenizer, model = family.tokenizer(model_dir), family.load_encoder(model_dir)

    def embedded(split: str, lang: str):
        sides = kind.bitext(task, data.read(layout, task.evaluate, split, lang))
        source, target = (family.embed(model, tokenizer, texts, settings_.layer, settings_.pooling,
                                       settings_.max_length, settings_.batch_size)
                          for texts in (sides.source_texts, sides.target_texts))
        return sides, source, target

    results, splits = [], {}
    for lang in profile.languages[task.id]:
        split = data.eval_split(layout, task.evaluate, lang)
        sides, source, target = embedded(split, lang)
        splits[lang] = split
        predicted, scores = kind.evaluate(task, split, sides, source, target, settings_,
                                          dev=lambda: embedded("validation", lang))
        submission.write_predictions(layout.predictions(run), task.id, lang, predicted,
                                     suites.listing(task.suite, task.id, lang))
        results += [{"language": lang, "metric": metric, "value": value} for metric, value in scores.items()]
    return common.stage_result(layout, run, task.id, results, splits, None)


def run(profile: Profile, layout: Layout, run: str, target_id: str) -> dict:
    from repro import kinds, models
    from repro.engine import trainer  # noqa: F401  (MLQA predicts through it: both targets' stages run the same code)
    from repro.stages import common

    layout, ml, task, profile = study_layout(layout), settings(profile), lookup(target_id), evaluated(profile)
    if target_id not in ml.squad_targets:
        raise UserError(f"{target_id}: not among profiles.{profile.name}.multilingual.squad_targets")
    model_dir = squad_model(profile, layout, run)
    if target_id == EMBEDDED:
        return _retrieval(profile, layout, run, task, model_dir)
    family = models.of(profile.model)
    model = family.fine_tuned(kinds.of(task).HEAD, model_dir)
    return common.evaluate_languages(profile, layout, run, task, model, family.tokenizer(model_dir),
                                     profile.target.for_task(SQUAD_TARGET), task.labels, None)


@friendly
def command(run_name: Annotated[str, typer.Option("--run", help="<task>-<arm>-<seed>, or none-A0-<seed>")],
            target_id: TargetOpt, params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """The multilingual study: MLQA with a run's SQuAD fine-tune, or Tatoeba embedded with it (XTREME-R).

    Example: [bold]repro ml-from-squad --profile smoke --run mnli-A2-1 --target tatoeba[/]
    """
    import json

    run_stage(params, profile, f"multilingual {run_name} -> {target_id}", run, run_name, target_id,
              done=lambda result: json.dumps(result["results"]))


if __name__ == "__main__":
    typer.run(command)
