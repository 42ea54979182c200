"""The multilingual study without training: its params are refused where the sources cannot provide an arm or a
language, its plan matches dvc.yaml's stages, A2's shares add up to A1's budget, and its answer holds every
contrast with intervals that find a known difference."""

from pathlib import Path

import pytest
import yaml

from edited_params import edited, refused
from repro.errors import UserError
from repro.params import load
from repro.studies.multilingual import answer as multilingual
from repro.studies.multilingual.arms import CONTRASTS, Arm, parse_run, run_id, shares

ROOT = Path(__file__).resolve().parents[3]


def test_a_language_without_a_translation_is_refused_naming_it(tmp_path):
    message = refused(edited(tmp_path, lambda ml: ml["languages"].update(mnli=["ar", "sw"])))
    assert "multilingual" in message and "no translation into sw" in message


def test_a_primary_contrast_the_answer_cannot_have_isrefused(tmp_path):
    assert "primary: contrast 'A2-A0'" in refused(edited(tmp_path, lambda ml: ml["primary"].append(
        {"contrast": "A2-A0"})))
    assert "select by contrast, group" in refused(edited(tmp_path, lambda ml: ml["primary"].append(
        {"colour": "red"})))


def test_an_arm_the_sources_cannot_provide_is_refused_naming_it(tmp_path):
    assert "no translated data for 'qqp'" in refused(edited(tmp_path, lambda ml: ml["arms"].append("qqp-A2")))
    assert "unknown arm 'A9'" in refused(edited(tmp_path, lambda ml: ml["arms"].append("mnli-A9")))
    assert "multitask-A4" in refused(edited(tmp_path, lambda ml: ml["arms"].append("multitask-A4")))
    assert "languages.qqp" in refused(edited(tmp_path, lambda ml: ml["languages"].update(qqp=["de"])))


def test_targets_of_the_squad_fine_tune_need_it(tmp_path):
    message = refused(edited(tmp_path, lambda ml: ml.update(trained_targets=["xnli"])))
    assert "squad_targets" in message and "add xquad to trained_targets" in message
    assert "not one of mlqa, tatoeba" in refused(edited(tmp_path, lambda ml: ml["squad_targets"].append("xnli")))


def test_the_paper_study_names_the_translated_squad_it_needs_before_any_work():
    from repro.studies.multilingual import study

    with pytest.raises(UserError, match=r"squad_v1-A2 reads squad_v1_translated .*data\.sources\.squad_v1_translated"
                                        r"\.path to the folder of squad\.translate\.train\.en-<lang>\.json"):
        study.planned(load(ROOT / "params.yaml", "paper"))


def test_arm_and_run_names():
    assert Arm.parse("multitask-A2").tasks == ("mnli", "squad_v1")
    assert Arm.parse("none-A0").tasks == ()
    assert parse_run(run_id("squad_v1-A3", 2)) == ("squad_v1-A3", 2)
    with pytest.raises(ValueError, match="A0 has no intermediate task"):
        Arm.parse("mnli-A0")


@pytest.mark.parametrize("total,parts", [(384, 3), (385, 3), (392702, 9), (7, 7)])
def test_a2_shares_are_a1s_rows_split_evenly(total, parts):
    split = shares(total, parts)
    assert sum(split) == total and len(split) == parts and max(split) - min(split) <= 1


def test_every_planned_stage_is_a_dvc_yaml_stage(smoke_profile, dvc_index):
    from repro.studies.multilingual import study

    names = {stage.addressing for stage in dvc_index.stages}
    planned = [name for wave in study.planned(smoke_profile) for name, _, _ in wave]
    assert planned and set(planned) <= names
    assert {f"{group}-smoke" for group in study.REPORTS} <= names
    assert "ml-intermediate-smoke@mnli-A2-1" in planned and "ml-baseline-smoke@2-xnli" in planned


SEEN = ["ar", "zh", "sw", "th", "tr"]  # the arms' language set in _rows; five unseen beside them, and English


def _rows(shift: dict[str, float]) -> list[dict]:
    """Metrics rows of every arm: a base value per (seed, target, language), plus the arm's shift on the seen
    languages only; English scores 100 (it must be left out)."""
    rows = []
    langs = ["en", *SEEN, "de", "ru", "hi", "es", "fr"]
    for arm, intermediate in [("A0", "none"), ("A1", "mnli"), ("A2", "mnli"), ("A3", "mnli"), ("A4", "mnli")]:
        for seed in (1, 2):
            for target in ("xnli", "udpos"):
                for i, lang in enumerate(langs):
                    base = 40.0 + 3 * i + seed
                    value = 100.0 if lang == "en" else base + (shift[arm] if lang in SEEN else 0.0)
                    rows.append({"suite": "xtreme", "arm": arm, "intermediate": intermediate, "seed": seed,
                                 "target": target, "language": lang, "metric": "f1" if target == "udpos"
                                 else "accuracy", "value": value})
    return rows


def test_contrasts_find_a_known_difference_on_seen_languages_only():
    rows = _rows({"A0": 0.0, "A1": 1.0, "A2": 6.0, "A3": 6.0, "A4": 1.0})
    primary = [{"contrast": "A2-A1", "level": "overall", "languages": "seen"},
               {"contrast": "A2-A1", "level": "overall", "languages": "unseen"}]
    records = multilingual.contrasts(rows, {"mnli": SEEN}, primary)
    found = {(r["contrast"], r["level"], r.get("task") or r.get("group"), r["languages"]): r for r in records}
    for better, base in CONTRASTS:
        for scope in [("task", "xnli"), ("task", "udpos"), ("group", "classification"), ("group", "tagging"),
                      ("overall", "overall")]:
            for split in ("seen", "unseen", "all"):
                record = found[(f"{better}-{base}", *scope, split)]
                assert record["ci_low"] is not None and record["ci_low"] <= record["mean"] <= record["ci_high"]
                assert record["units"] == {"seed": 2, "language": 10 if split == "all" else 5}
    a2 = found[("A2-A1", "overall", "overall", "seen")]
    assert a2["mean"] == pytest.approx(5.0) and a2["ci_low"] == pytest.approx(5.0) and a2["p_value"] < 0.01
    assert found[("A2-A1", "overall", "overall", "unseen")]["mean"] == pytest.approx(0.0)
    assert found[("A2-A1", "overall", "overall", "all")]["mean"] == pytest.approx(2.5)  # 5 of 10 languages
    assert found[("A3-A2", "task", "xnli", "seen")]["mean"] == pytest.approx(0.0)
    assert a2["n"] == 5  # languages; the seeds are the other axis
    assert [(r["contrast"], r["languages"]) for r in records if r["primary"]] == [("A2-A1", "seen"),
                                                                                  ("A2-A1", "unseen")]
    # Holm over the two: the exact 5-point gain (p 0) stays 0, the exact null (p 1) stays 1
    assert a2["p_adjusted"] == 0.0 and found[("A2-A1", "overall", "overall", "unseen")]["p_adjusted"] == 1.0
    assert all(r["p_adjusted"] is None for r in records if not r["primary"])


def test_answer_md_opens_with_the_primary_contrasts_and_says_too_few_clusters():
    from repro.studies.multilingual import render as multilingual_render

    rows = [r for r in _rows({"A0": 0.0, "A1": 1.0, "A2": 6.0, "A3": 6.0, "A4": 1.0})
            if r["language"] not in ("th", "tr")]  # three seen languages: too few clusters
    records = multilingual.contrasts(rows, {"mnli": SEEN}, [{"contrast": "A2-A1", "level": "overall"}])
    text = multilingual_render.markdown({"profile": "smoke", "seeds": [1, 2], "language_sets": {"mnli": SEEN},
                                         "method": "m", "contrasts": records, "mean_sd": []})
    primary, exploratory = text.index("## Primary contrasts (3, p Holm-adjusted"), text.index("## Exploratory")
    assert primary < exploratory
    seen_row = next(line for line in text[primary:exploratory].splitlines() if "| seen |" in line)
    assert "too few clusters" in seen_row and "2 seeds × 3 languages" in seen_row


def test_mean_sd_over_seeds():
    rows = _rows({"A0": 0.0, "A1": 1.0, "A2": 6.0, "A3": 6.0, "A4": 1.0})
    records = multilingual.mean_sd(rows, {"mnli": ["ar", "zh"]})
    a2 = next(r for r in records if r["arm"] == "A2" and r.get("task") == "xnli" and r["languages"] == "seen")
    # seeds 1 and 2: mean of ar (43 + seed) and zh (46 + seed), plus 6
    assert a2["mean"] == pytest.approx(44.5 + 1.5 + 6.0) and a2["std"] == pytest.approx(0.7071, abs=1e-3)
    assert a2["n"] == 2


def test_plan_prices_every_stage_of_the_paper_study_and_a2_at_a1s_size():
    from repro.measure.plan import plan
    from repro.paths import Layout
    from repro.studies.multilingual import study

    profile = load(ROOT / "params.yaml", "paper")
    payload = plan(profile, Layout("paper", ROOT), study="multilingual")
    stages = {s["stage"]: s for s in payload["stages"]}
    assert set(stages) == {name for wave in study.waves(profile) for name, module, _ in wave
                           if module not in ("repro.stages.data", "repro.studies.multilingual.stages.data")}
    a1, a2, a3 = (stages[f"ml-intermediate-paper@mnli-{arm}-1"] for arm in ("A1", "A2", "A3"))
    assert a2["train_examples"] == a1["train_examples"] and a2["gpu_hours"] == a1["gpu_hours"] > 0
    assert a3["optimizer_steps"] == a1["optimizer_steps"] * (1 + len(profile.section("multilingual").languages["mnli"]))
    assert a3["train_examples"] == a1["train_examples"] * (1 + len(profile.section("multilingual").languages["mnli"]))
    assert stages["ml-target-paper@mnli-A2-3-xnli"]["kind"] == "target"
    mewslix, lareqa = (stages[f"ml-dual-paper@mnli-A2-3-{t}"] for t in ("mewslix", "lareqa"))
    assert mewslix["candidates"] == 1_003_893 and lareqa["candidates"] == 13_014  # the pools, embedded once
    assert mewslix["train_examples"] == 167_719 and lareqa["train_examples"] == 87_599
    assert mewslix["gpu_hours"] > 0 and lareqa["gpu_hours"] > 0
    ml = profile.section("multilingual")  # a model per trained and per dual-encoder target of every run
    assert payload["disk"]["target_models"]["count"] == len(ml.trained_targets + ml.dual_encoder_targets) * 3 * (
        1 + len(ml.arms))


def test_the_paper_study_data_does_not_wait_for_the_multilingual_studys_local_sources(tmp_path):
    from repro.data import materialize
    from repro.params import SourceSpec

    paper = load(ROOT / "params.yaml", "paper")
    keys = {(source, lang) for source, lang, _ in materialize.needed(paper, "multilingual")}
    assert ("mnli_translated", "sw") in keys and not {s for s, _ in keys} & {"squad_v1_translated"}
    paper.data.sources["squad_v1_translated"] = SourceSpec(path=str(tmp_path))
    keys = {(source, lang) for source, lang, _ in materialize.needed(paper, "multilingual")}
    assert {("squad_v1_translated", lang) for lang in paper.section("multilingual").languages["squad_v1"]} <= keys
    own = {source for source, _, _ in materialize.needed(paper)}  # the paper's data stage: none of the study's
    assert not own & {"squad_v1_translated", "siqa", "copa", "xcopa"}


def test_xtreme_r_languages_are_evaluated_by_the_study_and_scored_under_xtreme_r_only(tmp_path, smoke_profile):
    from repro import suites
    from repro.data import materialize
    from repro.studies.multilingual.stages.common import evaluated

    smoke = smoke_profile
    added = smoke.section("multilingual").xtreme_r_languages
    assert added["xquad"] == ["ro"] and "ro" not in smoke.languages["xquad"]  # the paper's study never sees it
    assert evaluated(smoke).languages["xquad"] == smoke.languages["xquad"] + ["ro"]
    keys = {(source, lang) for source, lang, _ in materialize.needed(smoke, "multilingual")}
    assert {("xquad", "ro")} | {("tatoeba", lang) for lang in added["tatoeba"]} <= keys
    assert ("xquad", "ro") not in {(source, lang) for source, lang, _ in materialize.needed(smoke)}
    assert suites.listing("xtreme", "xquad", "ro").NAME == "xtreme-r"
    assert suites.listing("xtreme", "xquad", "de").NAME == "xtreme"
    from repro.studies.multilingual.stages.collect import suites_of

    assert suites_of("xquad", "ro") == ["xtreme-r"] and suites_of("tatoeba", "uk") == ["xtreme-r"]


def test_xtreme_r_languages_outside_xtreme_r_or_the_study_arerefused(tmp_path):
    message = refused(edited(tmp_path, lambda ml: ml["xtreme_r_languages"].update(xquad=["ro", "fr"])))
    assert "xtreme_r_languages.xquad: fr not among the task's XTREME-R languages" in message
    message = refused(edited(tmp_path, lambda ml: ml["xtreme_r_languages"].update(pawsx=["ro"])))
    assert "xtreme_r_languages.pawsx: not one of the study's targets" in message


def test_a_smoke_profile_refuses_xtreme_r_languages_its_world_lacks_before_any_work(tmp_path):
    """The paper's pretrained encoder read the world's MLM corpus: a language outside it would make another world."""
    from repro.data import materialize
    from repro.paths import Layout
    from repro.studies.multilingual.stages import data as ml_data

    smoke = load(edited(tmp_path, lambda ml: ml["xtreme_r_languages"].update(tatoeba=["ro", "az"])), "smoke")
    with pytest.raises(UserError, match=r"^multilingual\.xtreme_r_languages\.tatoeba: az: not in the smoke world; "
                                        r"add it to profiles\.smoke\.data\.smoke\.languages too$"):
        ml_data.run(smoke, Layout("smoke", tmp_path))
    assert not (tmp_path / "prepared").exists()
    materialize.needed(smoke)  # the paper's data never reads the study's section


def _paper_with(tmp_path: Path, added: dict):
    from repro.params import SourceSpec

    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    raw["profiles"]["paper"]["multilingual"]["xtreme_r_languages"] = added
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    paper = load(path, "paper")
    paper.data.sources["squad_v1_translated"] = SourceSpec(path=str(tmp_path))
    return paper


def test_a_hub_profile_reads_xtreme_r_languages_from_pinned_release_files_and_refuses_unpinned_ones(tmp_path,
                                                                                                      monkeypatch):
    from repro.data import manifest
    from repro.studies.multilingual import study

    # XQuAD ro: deepmind/xquad at a commit (repro/data/manifest.yaml `languages`); the check goes on to the next
    # input the paper profile lacks (Mewsli-X's local files)
    with pytest.raises(UserError, match=r"^multilingual\.dual_encoder_targets: mewslix"):
        study.planned(_paper_with(tmp_path, {"xquad": ["ro"], "udpos": ["wo"], "tatoeba": ["az"]}))
    # PAN-X's additions: WikiANN's parquet files at its commit; the same next input is missing
    with pytest.raises(UserError, match=r"^multilingual\.dual_encoder_targets: mewslix"):
        study.planned(_paper_with(tmp_path, {"panx": ["qu"]}))
    # a repository without a recorded commit: refused in one line before any work
    raw = yaml.safe_load(manifest.MANIFEST.read_text())
    raw["repos"]["unimelb-nlp/wikiann"]["sha"] = None
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump(raw))
    monkeypatch.setattr(manifest, "MANIFEST", tmp_path / "manifest.yaml")
    with pytest.raises(UserError, match=r"^pin panx@qu: unimelb-nlp/wikiann has no verified commit"):
        study.planned(_paper_with(tmp_path, {"panx": ["qu"]}))


@pytest.mark.slow
def test_the_studys_data_stage_writes_the_papers_smoke_world_with_its_own_gold(tmp_path, smoke_profile):
    """The paper's pretrained encoder read the world the study evaluates: both data stages write it byte for byte
    (data.smoke.languages, not the study's section, names its extra languages); only the study's stage writes the
    gold of XTREME-R's languages it adds."""
    import hashlib

    from repro.data.materialize import materialize
    from repro.paths import Layout
    from repro.studies.multilingual.stages import data as ml_data

    smoke, layout = smoke_profile, Layout("smoke", tmp_path)
    materialize(smoke, layout)
    ml_data.run(smoke, layout)
    mine = ml_data.study_layout(layout).data

    def files(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*")
                if p.is_file() and "labels" not in p.relative_to(root).parts}

    assert mine == tmp_path / "prepared" / "multilingual-smoke" and files(layout.data) == files(mine)
    assert (mine / "labels/xquad/test-ro.json").is_file() and not (layout.labels / "xquad/test-ro.json").exists()
    assert (layout.labels / "xquad/test-de.json").is_file() and (mine / "labels/xquad/test-de.json").is_file()
