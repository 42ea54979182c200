"""The smoke run's reports committed to git (the one exception to "results come from DVC") agree with each other:
what a fresh clone's `repro verify --profile smoke` prints is what the run recorded, and summary.json holds the
scores metrics.json gives. After a change that moves the smoke numbers, rerun `repro all --profile smoke` and
commit them (README, "Verify the claims")."""

import json
from pathlib import Path

import pytest

from repro.paths import Layout
from repro.report import claims, planted
from repro.report.study import Study
from repro.studies.paper import study as paper

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results" / "smoke"
COMMITTED = ("metrics.json", "alternatives.json", "claims.json", "summary.json", "tables/table2.md",
             "plots/table2_deltas.json")
pytestmark = pytest.mark.skipif(not (RESULTS / "metrics.json").is_file(), reason="no committed smoke results")


def test_the_committed_files_are_there():
    assert all((RESULTS / name).is_file() for name in COMMITTED)


def test_verifying_the_committed_metrics_gives_the_recorded_verdicts():
    recorded = json.loads((RESULTS / "claims.json").read_text())
    ours = claims.to_json(claims.verify(RESULTS / "metrics.json", ROOT / "claims.yaml"))
    assert {c["id"]: c["status"] for c in ours["claims"]} == {c["id"]: c["status"] for c in recorded["claims"]}
    assert ours["summary"] == recorded["summary"]


def test_the_summary_holds_the_scores_of_the_metrics(tmp_path):
    clone = Layout("smoke", root=tmp_path)  # only what git holds: no stage files, no data manifest
    clone.results.mkdir(parents=True)
    for name in ("metrics.json", "alternatives.json", "claims.json"):
        (clone.results / name).write_text((RESULTS / name).read_text())
    summary = json.loads((RESULTS / "summary.json").read_text())
    assert paper.metrics(clone) == summary
    study = Study.from_layout(clone)
    assert summary["scores"]["none"]["xnli"] == round(study.score("xnli", "none"), 4)


def test_the_committed_smoke_run_finds_the_paper_studys_planted_effects():
    results = [r for r in planted.verify(Layout("smoke", root=ROOT)) if r.study == "paper"]
    assert results and {r.id: r.status for r in results} == {r.id: "pass" for r in results}
