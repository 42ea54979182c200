"""Stage `ml_answer`: the multilingual study's answer from its metrics.json: results/<profile>/multilingual/
answer.{json,md} (every contrast with a 95% interval and p-value, primary ones Holm-adjusted, mean +- sd over seeds; on
the smoke world, answer.md also judges the planted effects of claims_planted.yaml) and figures/<suite>_<contrast>.png
beside them."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from repro.errors import UserError
from repro.io import atomic_json
from repro.paths import Layout
from repro.params import Profile
from repro.studies.multilingual.stages.common import settings, study_layout

METHOD = ("paired on (seed, target, language) cells, English left out; estimate: the mean over tasks of each "
          "task's mean difference; 95% t interval and two-sided p-value from a crossed (seed x language) mixed model, "
          "Satterthwaite df (repro/report/inference.py); n counts languages, `units` seeds and languages; fewer "
          "than 5 languages: too few clusters, the estimate only; primary contrasts Holm-adjusted (p_adjusted); each "
          "contrast within one (setting, test_origin) slice of targets, never averaged across slices")
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, load


def run(profile: Profile, layout: Layout) -> dict:
    from repro.studies.multilingual import answer as multilingual
    from repro.studies.multilingual import render as multilingual_render

    ml, root, layout = settings(profile), layout, study_layout(layout)
    if not layout.metrics.is_file():
        raise UserError(f"{layout.metrics}: no metrics; run `repro ml-collect --profile {layout.profile}`")
    metrics = json.loads(layout.metrics.read_text())
    origin, results = metrics["provenance"], metrics["results"]
    sets = origin["language_sets"]
    named = {name: chosen["languages"] for name, chosen in origin.get("named_sets", {}).items()}
    pairs = [tuple(pair) for pair in ml.set_contrasts]
    answer = {"profile": metrics["profile"], "seeds": origin["seeds"]["seeds"], "language_sets": sets,
              "named_sets": origin.get("named_sets", {}), "arms": origin.get("arms", {}), "method": METHOD,
              "contrasts": multilingual.contrasts(results, sets, ml.primary, named, pairs),
              "covariates": multilingual.covariates(results, pairs),
              "mean_sd": multilingual.mean_sd(results, sets, named)}
    atomic_json(layout.results / "answer.json", answer)
    multilingual_render.write(answer, layout.results, checks(profile, root))
    return answer


def checks(profile: Profile, layout: Layout) -> list[dict] | None:
    """The verdicts of the study's planted-effect claims (claims_planted.yaml) on its answer.json, on a profile
    of the generated world (the effects are planted there only); None on the others."""
    from repro.report import planted

    if profile.data.origin != "smoke":
        return None
    from repro.studies.multilingual.layout import claims_subject

    return planted.to_json(planted.verify(layout, study="multilingual", reader=claims_subject))


@friendly
def command(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """The multilingual study's contrasts, tables and plots from its metrics.json.

    Example: [bold]repro ml-answer --profile smoke[/]
    """
    config, layout = load(params, profile)
    answer = run(config, layout)
    typer.echo(f"{len(answer['contrasts'])} contrasts -> {study_layout(layout).results / 'answer.md'}")


if __name__ == "__main__":
    typer.run(command)
