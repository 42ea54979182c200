"""A dual encoder trained a few steps from a run's encoder (a tiny untrained XLM-R standing in for the pretrained
model) on the smoke world's Mewsli-X pairs and SQuAD, its rankings written in the XTREME-R submission layout: the
xtreme-r scorer reads them against the data stage's gold and gives the stage's numbers, the Trainer's counts are
recorded, and the study's metrics.json carries the rows under suite xtreme-r."""

import json

import pytest

from repro.paths import Layout


@pytest.fixture(scope="module")
def trained(tmp_path_factory, smoke_profile, tiny_pretrained):
    from repro.studies.multilingual.stages import data as ml_data, dual as ml_dual

    layout = Layout("smoke", tmp_path_factory.mktemp("dual"))
    profile = smoke_profile
    target = profile.target.model_copy(update={"tasks": {
        **profile.target.tasks, "mewslix": profile.target.tasks["mewslix"].model_copy(update={"epochs": 1.0})}})
    profile = profile.model_copy(update={"target": target})
    ml_data.run(profile, layout)  # the study's own data stage (prepared/multilingual-smoke)
    tiny_pretrained(layout.pretrained)  # a tiny untrained XLM-R standing in for the pretrained model
    stages = {t: ml_dual.run(profile, layout, "none-A0-1", t) for t in ("mewslix", "lareqa")}
    return profile, layout, stages


def test_the_rankings_are_scored_by_the_xtreme_r_scorer_as_the_stage_scored_them(trained):
    from repro import suites
    from repro.studies.multilingual.stages.common import study_layout
    from repro.suites import submission

    profile, layout, stages = trained
    predictions = study_layout(layout).predictions("none-A0-1")
    for target in ("mewslix", "lareqa"):
        for lang in profile.languages[target]:
            ranked = json.loads((predictions / target / f"test-{lang}.json").read_text())
            assert ranked and all(0 < len(ids) <= 20 for ids in ranked.values())
    scored = submission.score_folders(predictions, study_layout(layout).labels, require_all_languages=False,
                                      suite=suites.get("xtreme-r"))
    for target, detail in (("mewslix", scored["detailed"]["mewslix"]), ("lareqa", scored["ours"]["detailed"]["lareqa"])):
        stage = {r["language"]: r["value"] for r in stages[target]["results"] if r["metric"] == "map@20"}
        assert set(stage) == set(profile.languages[target])
        assert detail["map@20"] == pytest.approx(stage)  # the files alone give the stage's numbers
        assert detail["avg_metric"] == pytest.approx(sum(stage.values()) / len(stage))
        assert all(0.0 <= value <= 100.0 for value in stage.values())


def test_the_stage_records_its_training_and_english_dev(trained):
    _, _, stages = trained
    mewslix = stages["mewslix"]
    assert mewslix["budget"]["trainer_examples"] == mewslix["budget"]["rows"] == 96  # the smoke Wikipedia pairs
    assert mewslix["budget"]["optimizer_steps"] == 96 // 16  # one epoch at batch 16
    assert stages["lareqa"]["budget"]["rows"] > 0.9 * 384  # SQuAD questions whose answer lies in one sentence
    assert all(0.0 <= stage["english_dev"] <= 100.0 for stage in stages.values())


def test_the_study_collects_them_under_xtreme_r(trained):
    from repro.studies.multilingual.stages import collect as ml_collect
    from repro.studies.multilingual.stages.common import study_layout

    profile, layout, _ = trained
    rows = ml_collect.rows(profile, study_layout(layout))
    dual = [r for r in rows if r["target"] in ("mewslix", "lareqa")]
    assert {(r["target"], r["language"]) for r in dual} == {(t, lang) for t in ("mewslix", "lareqa")
                                                            for lang in profile.languages[t]}
    assert {r["suite"] for r in dual} == {"xtreme-r"} and {r["arm"] for r in dual} == {"A0"}
