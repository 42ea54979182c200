"""End to end: `repro all --profile smoke --study multilingual` on a reduced grid (every arm, two seeds, XNLI,
XCOPA, XTREME-R's SIQA-then-COPA chain, and Mewsli-X's dual encoder: the SQuAD fine-tune's targets, MLQA and
Tatoeba, and LAReQA are left out)
in a fresh git + DVC project, with the smoke profile's named-set arms and a token-matched one. Every equal-budget
arm (A2, A2[<set>]) trains on as many examples with as many optimizer steps as English only, as the Trainer's own
log says, each English example in exactly one language's share; the token-matched arm on A1's tokens; A4 within
A1's steps; rows carry their setting, test origin and distance to the arm's languages; the answer holds every
contrast with an interval, per slice; the planted effects of claims_planted.yaml (A2 over A1 on XNLI's seen
languages, the label-permuted null arm within the margin) are found; nothing of the paper's study is written; a
second run does no work."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run
from repro.studies.multilingual.arms import CONTRASTS

pytestmark = [pytest.mark.slow, pytest.mark.long]
STUDY = [sys.executable, "-m", "repro.cli", "all", "--profile", "smoke", "--study", "multilingual"]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("multilingual")
    for name in ("dvc.yaml", "claims.yaml", "claims_planted.yaml", ".dvcignore"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "repro", project / "repro", ignore=shutil.ignore_patterns("__pycache__"))
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    ml = raw["profiles"]["smoke"]["multilingual"]
    ml.update(trained_targets=["xnli", "xcopa"], squad_targets=[], dual_encoder_targets=["mewslix"],
              xtreme_r_languages={})
    ml["language_sets"].update(k1={"languages": ["ar"]}, k1_tokens={"languages": ["ar"], "budget": "tokens"})
    ml["arms"] += ["mnli-A2[k1]", "mnli-A2[k1_tokens]"]
    ml["set_contrasts"].append(["A2", "k1"])
    (project / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    run(["git", "init", "-q"], project)
    run([sys.executable, "-m", "dvc", "init", "-q"], project)
    run(STUDY, project)
    return project


def _budget(project: Path, name: str) -> dict:
    return json.loads((project / f"models/smoke/multilingual/encoders/{name}/intermediate.json").read_text())["budget"]


EQUAL = {"A2": {"en", "ar", "zh"}, "A2[one_family]": {"en", "de", "ru"}, "A2[k1]": {"en", "ar"},
         "A2[permuted]": {"en", "ar", "zh"}}
ARMS = {"A0", "A1", "A2", "A3", "A4", "A2[one_family]", "A2[k1]", "A2[k1_tokens]", "A2[permuted]"}


def test_equal_budget_arms_have_english_onlys_examples_and_steps(project):
    for seed in (1, 2):
        english = _budget(project, f"mnli-A1-{seed}")
        assert english["trainer_examples"] == english["examples"]["mnli"] == english["rows"]["mnli"] > 0
        for arm, languages in EQUAL.items():
            mixed = _budget(project, f"mnli-{arm}-{seed}")
            assert mixed["trainer_examples"] == english["trainer_examples"] == mixed["examples"]["mnli"], arm
            assert mixed["optimizer_steps"] == english["optimizer_steps"] > 0, arm
            assert set(mixed["by_language"]["mnli"]) == languages and mixed["match"] == "examples"
        more = _budget(project, f"mnli-A3-{seed}")
        assert more["trainer_examples"] == 3 * english["trainer_examples"]  # A3: all translations, more data
        assert more["optimizer_steps"] > english["optimizer_steps"]
        assert _budget(project, f"mnli-A4-{seed}")["optimizer_steps"] == english["optimizer_steps"]  # MLM within


def test_token_matched_arm_has_english_onlys_tokens(project):
    for seed in (1, 2):
        english, matched = (_budget(project, f"mnli-{arm}-{seed}") for arm in ("A1", "A2[k1_tokens]"))
        assert matched["match"] == "tokens" and set(matched["by_language"]["mnli"]) == {"en", "ar"}
        longest = 96  # the smoke profile's max_length: one example per share at most
        assert abs(matched["tokens"]["mnli"] - english["tokens"]["mnli"]) <= 2 * longest
        assert matched["trainer_examples"] == matched["examples"]["mnli"]


def test_a2_shares_are_disjoint_slices_of_the_same_english_examples(project):
    for arm in (*EQUAL, "A2[k1_tokens]"):
        chosen = json.loads((project / f"models/smoke/multilingual/encoders/mnli-{arm}-1/shares.json").read_text())
        keys = [key for keys in chosen["mnli"].values() for key in keys]
        assert len(keys) == len(set(keys)), arm  # no English example in two languages' shares
        if arm in EQUAL:
            assert sorted(keys) == list(range(_budget(project, "mnli-A1-1")["examples"]["mnli"]))


def test_metrics_rows_carry_arm_seed_suite_and_provenance(project):
    metrics = json.loads((project / "results/smoke/multilingual/metrics.json").read_text())
    rows = metrics["results"]
    assert {"suite", "arm", "intermediate", "seed", "target", "language", "metric", "value", "setting",
            "test_origin"} <= set(rows[0])
    assert {r["arm"] for r in rows} == ARMS and {r["seed"] for r in rows} == {1, 2}
    assert {r["suite"] for r in rows} == {"xtreme", "xtreme-r"}
    assert all(0 <= r["value"] <= 100 for r in rows)
    assert metrics["provenance"]["git"] and set(metrics["provenance"]["training"]) == {
        f"mnli-{a}-{s}" for a in ARMS - {"A0"} for s in (1, 2)}
    assert not (project / "results/smoke/metrics.json").exists()  # the paper's study is not run


def test_rows_are_tagged_by_setting_test_origin_and_distance_to_the_arms_languages(project):
    from repro.studies.multilingual import typology

    rows = json.loads((project / "results/smoke/multilingual/metrics.json").read_text())["results"]
    tags = {(r["arm"], r["target"]): (r["setting"], r["test_origin"]) for r in rows}
    assert tags[("A2[k1]", "xnli")] == tags[("A3", "xnli")] == ("translate-train", "translated")
    assert tags[("A1", "xnli")] == tags[("A4", "xnli")] == ("zero-shot", "translated")
    assert tags[("A2", "mewslix")] == ("zero-shot", "native") and tags[("A2", "xcopa")] == ("zero-shot", "translated")
    for r in rows:
        assert ("distance_to_seen" in r) == (r["language"] != "en")
    at = {(r["arm"], r["language"]): r.get("distance_to_seen") for r in rows}
    assert at[("A2[k1]", "ar")] == 0.0 and at[("A0", "de")] is None
    assert at[("A2[one_family]", "zh")] == min(typology.distance("zh", x) for x in ("en", "de", "ru"))
    arms = json.loads((project / "results/smoke/multilingual/metrics.json").read_text())["provenance"]["arms"]
    assert arms["mnli-A2[one_family]"]["diversity"] < arms["mnli-A2"]["diversity"]


def test_xcopa_trains_on_siqa_then_copa_and_scores_under_xtreme_r(project):
    for run_name in ("none-A0-1", "mnli-A2-2"):
        stage = json.loads((project / f"results/smoke/multilingual/stages/{run_name}/xcopa.json").read_text())
        assert [phase["sources"] for phase in stage["chain"]] == [["siqa"], ["copa"]]
        assert all(phase["trainer_examples"] == phase["rows"] > 0 and phase["optimizer_steps"] > 0
                   for phase in stage["chain"])
        assert stage["budget"]["trainer_examples"] == stage["chain"][-1]["trainer_examples"]
        assert {r["language"] for r in stage["results"]} == {"zh", "tr", "id"}
        predictions = project / f"results/smoke/multilingual/predictions/{run_name}/xcopa/test-tr.jsonl"
        assert all(json.loads(line)["label"] in (0, 1) for line in predictions.read_text().splitlines())
    rows = json.loads((project / "results/smoke/multilingual/metrics.json").read_text())["results"]
    xcopa = [r for r in rows if r["target"] == "xcopa"]
    assert {r["suite"] for r in xcopa} == {"xtreme-r"} and {r["arm"] for r in xcopa} == ARMS
    assert len(xcopa) == len(ARMS) * 2 * 3  # arms x seeds x languages


def test_mewslix_dual_encoder_runs_from_every_arm_and_scores_under_xtreme_r(project):
    rows = json.loads((project / "results/smoke/multilingual/metrics.json").read_text())["results"]
    mewslix = [r for r in rows if r["target"] == "mewslix"]
    assert {r["suite"] for r in mewslix} == {"xtreme-r"} and {r["metric"] for r in mewslix} == {"map@20"}
    assert len(mewslix) == len(ARMS) * 2 * 4  # arms x seeds x languages (en, ar, de, ja)
    stage = json.loads((project / "results/smoke/multilingual/stages/mnli-A2-1/mewslix.json").read_text())
    assert stage["budget"]["trainer_examples"] == stage["budget"]["rows"] > 0
    ranked = json.loads((project / "results/smoke/multilingual/predictions/mnli-A2-1/mewslix/test-de.json").read_text())
    assert ranked and all(len(ids) == 20 for ids in ranked.values())
    assert (project / "prepared/smoke/labels/xcopa/test-zh.jsonl").is_file()


def test_answer_holds_every_contrast_with_intervals(project):
    out = project / "results/smoke/multilingual"
    answer = json.loads((out / "answer.json").read_text())
    found = {(r["suite"], r["contrast"], r["level"], r["languages"]) for r in answer["contrasts"]}
    named = ["A2[one_family]-A1", "A2[k1]-A1", "A2[k1_tokens]-A1", "A2[permuted]-A1", "A2-A2[one_family]",
             "A2-A2[k1]", "A2-A2[permuted]"]
    for suite in ("xtreme", "xtreme-r"):
        for name in (*(f"{b}-{a}" for b, a in CONTRASTS), *named):
            for level in ("task", "group", "overall"):
                for split in ("seen", "unseen", "all"):
                    assert (suite, name, level, split) in found
    for record in answer["contrasts"]:
        if record["ci_low"] is None:  # fewer than 5 clusters (the smoke world's 2 seen languages): the estimate only
            assert record["note"] == "too few clusters" and record["p_value"] is None, record
        else:
            assert record["ci_low"] <= record["mean"] <= record["ci_high"] and 0 < record["p_value"] <= 1
    assert {r["arm"] for r in answer["mean_sd"]} == ARMS
    slices = {(r["contrast"], r["setting"], r["test_origin"]) for r in answer["contrasts"] if r["suite"] == "xtreme-r"}
    assert {("A2-A1", "zero-shot", "native"), ("A2-A1", "translate-train", "translated"),
            ("A2-A1", "zero-shot", "translated")} <= slices  # Mewsli-X; XNLI; XCOPA: never averaged together
    assert any(r["contrast"] == "A2-A2[k1]" for r in answer["covariates"])
    text = (out / "answer.md").read_text()
    assert "| A2-A1 | mnli | translate-train, translated | overall | overall | seen |" in text
    assert "Mean ± sd over seeds" in text and "typological diversity" in text
    assert {p.name for p in (out / "figures").iterdir()} >= {f"xtreme_{b}-{a}.png" for b, a in CONTRASTS}


def test_summary_holds_each_contrasts_estimate_for_dvc(project):
    out = project / "results/smoke/multilingual"
    answer = json.loads((project / "results/smoke/multilingual/answer.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    for r in answer["contrasts"]:
        where = r.get("task") or r["group"]
        assert summary[r["suite"]][r["intermediate"]][r["contrast"]][f"{r['setting']} {r['test_origin']}"][where][
            r["languages"]] == r["mean"]
    bars = json.loads((out / "plots/contrasts.json").read_text())
    assert len(bars) == sum(r["level"] == "overall" for r in answer["contrasts"]) > 0
    assert [b["role"] == "primary" for b in bars] == sorted((r["primary"] for r in answer["contrasts"]
                                                             if r["level"] == "overall"), reverse=True)


def test_the_study_finds_its_planted_effects(project):
    from repro.paths import Layout
    from repro.report import planted

    results = planted.verify(Layout("smoke", root=project), study="multilingual")
    assert results and {r.status for r in results} == {"pass"}, [(r.id, r.status, r.observed) for r in results]
    assert _budget(project, "mnli-A2[permuted]-1")["translated_labels"] == "permuted"
    text = (project / "results/smoke/multilingual/answer.md").read_text()
    assert text.index("## Primary contrasts") < text.index("## Planted effects") < text.index("## Exploratory")
    assert all(f"| {r.id} | pass |" in text for r in results)


def test_a_second_run_does_no_work(project):
    result = run(STUDY, project)
    assert "every stage is up to date" in result.stderr + result.stdout
    status = subprocess.run([sys.executable, "-m", "dvc", "status", "ml-answer-smoke"], cwd=project,
                            capture_output=True, text=True, timeout=600)
    assert "changed" not in status.stdout, status.stdout
