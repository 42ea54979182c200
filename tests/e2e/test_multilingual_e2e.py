"""End to end: `repro all --profile smoke --study multilingual` on a reduced grid (every arm, two seeds, XNLI,
XCOPA, XTREME-R's SIQA-then-COPA chain, and Mewsli-X's dual encoder: the SQuAD fine-tune's targets, MLQA and
Tatoeba, and LAReQA are left out)
in a fresh git + DVC project. The equal-budget arm trains on as many examples with as many optimizer steps as
English only, as the Trainer's own log says; the answer holds every contrast with an interval; nothing of the
paper's study is written; a second run does no work."""

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
    for name in ("dvc.yaml", "claims.yaml", ".dvcignore"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "repro", project / "repro", ignore=shutil.ignore_patterns("__pycache__"))
    raw = yaml.safe_load((ROOT / "params.yaml").read_text())
    raw["profiles"]["smoke"]["multilingual"].update(trained_targets=["xnli", "xcopa"], squad_targets=[],
                                                       dual_encoder_targets=["mewslix"], xtreme_r_languages={})
    (project / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    run(["git", "init", "-q"], project)
    run([sys.executable, "-m", "dvc", "init", "-q"], project)
    run(STUDY, project)
    return project


def _budget(project: Path, name: str) -> dict:
    return json.loads((project / f"models/smoke/multilingual/encoders/{name}/intermediate.json").read_text())["budget"]


def test_equal_budget_arm_has_english_onlys_examples_and_steps(project):
    for seed in (1, 2):
        english, mixed, more = (_budget(project, f"mnli-{arm}-{seed}") for arm in ("A1", "A2", "A3"))
        assert mixed["trainer_examples"] == english["trainer_examples"] == english["rows"]["mnli"] > 0
        assert mixed["optimizer_steps"] == english["optimizer_steps"] > 0
        assert set(mixed["rows_by_language"]["mnli"]) == {"en", "ar", "zh"}  # each language a share
        assert more["trainer_examples"] == 3 * english["trainer_examples"]  # A3: all translations, more data
        assert more["optimizer_steps"] > english["optimizer_steps"]


def test_metrics_rows_carry_arm_seed_suite_and_provenance(project):
    metrics = json.loads((project / "results/smoke/multilingual/metrics.json").read_text())
    rows = metrics["results"]
    assert {"suite", "arm", "intermediate", "seed", "target", "language", "metric", "value"} <= set(rows[0])
    assert {r["arm"] for r in rows} == {"A0", "A1", "A2", "A3", "A4"} and {r["seed"] for r in rows} == {1, 2}
    assert {r["suite"] for r in rows} == {"xtreme", "xtreme-r"}
    assert all(0 <= r["value"] <= 100 for r in rows)
    assert metrics["provenance"]["git"] and set(metrics["provenance"]["training"]) == {
        f"mnli-{a}-{s}" for a in ("A1", "A2", "A3", "A4") for s in (1, 2)}
    assert not (project / "results/smoke/metrics.json").exists()  # the paper's study is not run


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
    assert {r["suite"] for r in xcopa} == {"xtreme-r"} and {r["arm"] for r in xcopa} == {"A0", "A1", "A2", "A3", "A4"}
    assert len(xcopa) == 5 * 2 * 3  # arms x seeds x languages


def test_mewslix_dual_encoder_runs_from_every_arm_and_scores_under_xtreme_r(project):
    rows = json.loads((project / "results/smoke/multilingual/metrics.json").read_text())["results"]
    mewslix = [r for r in rows if r["target"] == "mewslix"]
    assert {r["suite"] for r in mewslix} == {"xtreme-r"} and {r["metric"] for r in mewslix} == {"map@20"}
    assert len(mewslix) == 5 * 2 * 4  # arms x seeds x languages (en, ar, de, ja)
    stage = json.loads((project / "results/smoke/multilingual/stages/mnli-A2-1/mewslix.json").read_text())
    assert stage["budget"]["trainer_examples"] == stage["budget"]["rows"] > 0
    ranked = json.loads((project / "results/smoke/multilingual/predictions/mnli-A2-1/mewslix/test-de.json").read_text())
    assert ranked and all(len(ids) == 20 for ids in ranked.values())
    assert (project / "data/smoke/labels/xcopa/test-zh.jsonl").is_file()


def test_answer_holds_every_contrast_with_intervals(project):
    out = project / "results/smoke/multilingual"
    answer = json.loads((out / "answer.json").read_text())
    found = {(r["suite"], r["contrast"], r["level"], r["languages"]) for r in answer["contrasts"]}
    for suite in ("xtreme", "xtreme-r"):
        for better, base in CONTRASTS:
            for level in ("task", "group", "overall"):
                for split in ("seen", "unseen", "all"):
                    assert (suite, f"{better}-{base}", level, split) in found
    for record in answer["contrasts"]:
        if record["ci_low"] is None:  # fewer than 5 clusters (the smoke world's 2 seen languages): the estimate only
            assert record["note"] == "too few clusters" and record["p_value"] is None, record
        else:
            assert record["ci_low"] <= record["mean"] <= record["ci_high"] and 0 < record["p_value"] <= 1
    assert {r["arm"] for r in answer["mean_sd"]} == {"A0", "A1", "A2", "A3", "A4"}
    text = (out / "answer.md").read_text()
    assert "| A2-A1 | mnli | overall | overall | seen |" in text and "Mean ± sd over seeds" in text
    assert {p.name for p in (out / "figures").iterdir()} >= {f"xtreme_{b}-{a}.png" for b, a in CONTRASTS}


def test_summary_holds_each_contrasts_estimate_for_dvc(project):
    out = project / "results/smoke/multilingual"
    answer = json.loads((project / "results/smoke/multilingual/answer.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    for r in answer["contrasts"]:
        assert summary[r["suite"]][r["intermediate"]][r["contrast"]][r.get("task") or r["group"]][r["languages"]] \
            == r["mean"]
    bars = json.loads((out / "plots/contrasts.json").read_text())
    assert len(bars) == sum(r["level"] == "overall" for r in answer["contrasts"]) > 0


def test_a_second_run_does_no_work(project):
    result = run(STUDY, project)
    assert "every stage is up to date" in result.stderr + result.stdout
    status = subprocess.run([sys.executable, "-m", "dvc", "status", "ml-answer-smoke"], cwd=project,
                            capture_output=True, text=True, timeout=600)
    assert "changed" not in status.stdout, status.stdout
