"""Stage `ml_collect`: the multilingual study's stage metrics into results/<profile>/multilingual/metrics.json.

Contract: {"profile", "study": "multilingual", "provenance": {... as metrics.json's, plus each run's training
budget and each arm's languages and typological diversity}, "results": [{"suite", "arm", "intermediate", "seed",
"run", "target", "language", "metric", "value", "setting", "test_origin", "distance_to_seen" (non-English rows)}]},
values 0-100; `arm` is A0-A4 or A2[<set>]; `setting` (zero-shot | translate-train) and `test_origin` (native |
translated) as repro/studies/multilingual/tags.py gives them; `distance_to_seen` the URIEL syntactic distance of
the row's language to the nearest language of the arm's intermediate data, English included (0 when seen; null for
A0, which has none: repro/studies/multilingual/typology.py). A (target, language) value appears once per suite that scores it (XTREME, XTREME-R), so each
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
from repro.studies.multilingual import typology
from repro.studies.multilingual.arms import Arm, run_id
from repro.studies.multilingual.tags import setting, test_origin


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


def seen(profile: Profile, arm: Arm) -> list[str]:
    """The languages of an arm's intermediate data: English and the languages it adds (A0: none)."""
    if arm.arm == "A0":
        return []
    return ["en", *dict.fromkeys(lang for langs in settings(profile).arm_languages(arm).values() for lang in langs)]


def arms(profile: Profile) -> dict[str, dict]:
    """Per arm: the languages of its intermediate data, how many, and their diversity (mean pairwise URIEL
    syntactic distance, English included)."""
    found = {}
    for arm_id in dict.fromkeys(arm for arm, _ in runs(profile)):
        languages = seen(profile, Arm.parse(arm_id))
        found[arm_id] = {"languages": languages, "k": max(len(languages) - 1, 0),
                         "diversity": typology.diversity(languages)}
    return found


def rows(profile: Profile, layout: Layout) -> list[dict]:
    """The result rows of the study's stage files present (missing ones are left out, as `collect` does), each
    tagged with its setting, test origin and (non-English) distance to the arm's languages."""
    out = []
    for arm_id, seed in runs(profile):
        arm, name = Arm.parse(arm_id), run_id(arm_id, seed)
        languages = seen(profile, arm)
        for target in settings(profile).targets:
            path = layout.stage_metrics(name, target)
            if not path.is_file():
                continue
            stage = json.loads(path.read_text())
            tags = {"setting": setting(arm, target), "test_origin": test_origin(target)}
            for result in stage["results"]:
                lang = result["language"]
                distance = {} if lang == "en" else {"distance_to_seen": typology.distance_to_seen(lang, languages)}
                for suite in suites_of(target, lang):
                    out.append({"suite": suite, "arm": arm.label, "intermediate": arm.task, "seed": seed,
                                "run": name, "target": target, **result, **tags, **distance})
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
    origin["named_sets"] = {name: chosen.model_dump() for name, chosen in ml.language_sets.items()}
    origin["arms"] = arms(profile)
    origin["typology"] = {"distance": "URIEL syntactic distance (cosine over lang2vec's syntax_knn features)",
                          "table": "repro/studies/multilingual/uriel_syntax.json"}
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
