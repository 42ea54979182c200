"""Stage `retrieval`: BUCC and Tatoeba straight from an encoder, no training (sentence embeddings of one layer,
margin mining or nearest neighbours; `repro.kinds.retrieval`), on the GPU when there is one."""

from __future__ import annotations

from pathlib import Path

import typer

from repro.errors import UserError
from repro.params import Profile
from repro.paths import Layout
from repro.stages.options import IntermediateOpt, ParamsOpt, ProfileOpt, TargetOpt, friendly, pair_verb
from repro.tasks import target as lookup


def run(profile: Profile, layout: Layout, intermediate_id: str, target_id: str) -> dict:
    from repro import data, kinds, models
    from repro.stages import common
    from repro.suites import submission

    settings = profile.retrieval
    task = lookup(target_id)
    kind = kinds.of(task)
    family = models.of(profile.model)
    encoder = common.encoder_or_fail(profile, layout, intermediate_id)
    tokenizer = family.tokenizer(encoder)
    model = family.load_encoder(encoder)
    if settings.layer > family.layers(model):
        raise UserError(f"retrieval.layer: {settings.layer} > the model's {family.layers(model)} layers")

    def embedded(split: str, lang: str):
        """Every sentence of both sides of one split (BUCC: the distractors too), embedded."""
        sides = kind.bitext(task, data.read(layout, task.evaluate, split, lang))
        source, target = (family.embed(model, tokenizer, texts, settings.layer, settings.pooling, settings.max_length,
                                       settings.batch_size) for texts in (sides.source_texts, sides.target_texts))
        return sides, source, target

    results, splits = [], {}
    for lang in profile.languages[target_id]:
        split = data.eval_split(layout, task.evaluate, lang)
        sides, source, target = embedded(split, lang)
        splits[lang] = split
        predicted, scores = kind.evaluate(task, split, sides, source, target, settings,
                                          dev=lambda: embedded("validation", lang))
        submission.write_predictions(layout.predictions(intermediate_id), target_id, lang, predicted)
        results += [{"language": lang, "metric": metric, "value": value} for metric, value in scores.items()]
    return common.stage_result(layout, intermediate_id, target_id, results, splits, None)


@friendly
def command(intermediate_id: IntermediateOpt, target_id: TargetOpt, params: ParamsOpt = Path("params.yaml"),
            profile: ProfileOpt = "paper") -> None:
    """BUCC or Tatoeba straight from an encoder (no training): margin mining F1 / nearest-neighbour accuracy.

    Example: [bold]repro retrieval --profile smoke --intermediate squad_v2 --target tatoeba[/]
    """
    pair_verb(run, params, profile, intermediate_id, target_id, lambda study: study.retrieval_targets,
              lambda study: f"not a retrieval task; `repro retrieval` takes {', '.join(study.retrieval_targets)}")


if __name__ == "__main__":
    typer.run(command)
