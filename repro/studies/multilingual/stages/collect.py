"""Stage `ml_collect`: the multilingual study's stage metrics into results/<profile>/multilingual/metrics.json.

Contract: {"profile", "study": "multilingual", "provenance": {... as metrics.json's, plus each run's training
budget}, "results": [{"suite", "arm", "intermediate", "seed", "run", "target", "language", "metric", "value"}]},
values 0-100. A (target, language) value appears once per suite that scores it (XTREME, XTREME-R), so each
suite's tables read its own rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from repro.io import atomic_json
from repro.params import Profile
from repro.paths import Layout
from repro.studies.multilingual.stages.common import STUDY, settings, study_layout
from repro.stages.options import ParamsOpt, ProfileOpt, friendly, load
from repro.studies.multilingual.arms import Arm, run_id


def runs(profile: Profile) -> list[tuple[str, int]]:
    """(arm id, seed) of every run the study's targets start from: the baseline's, then each trained arm's."""
    ml = settings(profile)
    arms = (["none-A0"] if ml.baseline else []) + list(ml.arms)
    return [(arm, seed) for arm in arms for seed in ml.seeds]


def suites_of(target: str, language: str) -> list[str]:
    """The suites whose language list for `target` holds `language` (their own lists too: XTREME-R's LAReQA)."""
    from repro.suites import SUITES, get

    return [name for name in SUITES if language in get(name).TASK2LANGS.get(target, ())
            or language in getattr(get(name), "OURS_TASK2LANGS", {}).get(target, ())]


def rows(profile: Profile, layout: Layout) -> list[dict]:
    """The result rows of the study's stage files present (missing ones are left out, as `collect` does)."""
    out = []
    for arm_id, seed in runs(profile):
        arm, name = Arm.parse(arm_id), run_id(arm_id, seed)
        for target in settings(profile).targets:
            path = layout.stage_metrics(name, target)
            if not path.is_file():
                continue
            stage = json.loads(path.read_text())
            for result in stage["results"]:
                for suite in suites_of(target, result["language"]):
                    out.append({"suite": suite, "arm": arm.arm, "intermediate": arm.task, "seed": seed, "run": name,
                                "target": target, **result})
    return out


def budgets(profile: Profile, layout: Layout) -> dict:
    """Each trained run's budget (its encoder's intermediate.json): rows per language, examples, steps."""
    found = {}
    for arm_id, seed in runs(profile):
        record = layout.encoder(run_id(arm_id, seed)) / "intermediate.json"
        if record.is_file():
            found[run_id(arm_id, seed)] = json.loads(record.read_text())["budget"]
    return found


def run(profile: Profile, layout: Layout, params_path: Path) -> dict:
    from repro.studies.paper.stages.collect import provenance

    layout = study_layout(layout)
    ml = settings(profile)
    origin = provenance(profile, layout, params_path)
    origin["seeds"] = {"seeds": ml.seeds, "note": "every trained stage of the study runs once per seed: the "
                                                  "intermediate run, the target's head and its data order"}
    origin["language_sets"] = ml.languages
    origin["training"] = budgets(profile, layout)
    origin["protocols"] = {target: "XTREME-R's: embeddings of the run's SQuAD v1.1 fine-tune (repro.stages."
                                   "ml_from_squad), not of the intermediate encoder" for target in ml.squad_targets
                           if target == "tatoeba"}
    origin["protocols"].update({target: "XTREME-R's dual encoder fine-tuned from the run's encoder (repro.stages."
                                        "ml_dual); LAReQA's mAP@20 is ours (evaluate.py scores none)"
                                for target in ml.dual_encoder_targets})
    payload = {"profile": profile.name, "study": STUDY, "provenance": origin, "results": rows(profile, layout)}
    atomic_json(layout.metrics, payload)
    return payload


@friendly
def command(params: ParamsOpt = Path("params.yaml"), profile: ProfileOpt = "paper") -> None:
    """The multilingual study's metrics into results/<profile>/multilingual/metrics.json.

    Example: [bold]repro ml-collect --profile smoke[/]
    """
    config, layout = load(params, profile)
    payload = run(config, layout, params)
    typer.echo(f"{len(payload['results'])} results -> {study_layout(layout).metrics}")


if __name__ == "__main__":
    typer.run(command)
