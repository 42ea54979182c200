"""Planted-effect claims (claims_planted.yaml, repro.report.planted, `repro verify --planted`): per-language
deltas and the counts over a margin are computed from the rows; a planted effect that is there passes, one that is
not fails and the command exits 1; a study without results is "missing"; a malformed claims file is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from repro.paths import Layout
from repro.report import planted
from repro.report.claims import load_claims
from repro.report.expression_functions import Missing, f_lang_delta, f_n_compared, f_n_over, f_n_within
from repro.report.expressions import ClaimsError
from repro.report.study import Study

LANGS = ("en", "de", "ru", "zh", "ar", "hi")
BASELINE = {"en": 80.0, "de": 35.0, "ru": 34.0, "zh": 33.0, "ar": 36.0, "hi": 35.0}


def _rows(inter: str, target: str, values: dict, variant: str | None = None) -> list[dict]:
    metrics = ("exact_match", "f1") if target == "xquad" else ("accuracy",)
    return [{"intermediate": inter, "target": target, "language": lang, "metric": m, "value": v,
             **({"variant": variant} if variant else {})} for lang, v in values.items() for m in metrics]


def _run(planted_gain: float, control_shift: float) -> tuple[dict, dict]:
    """metrics.json and alternatives.json of a run where the matched task gains `planted_gain` in every
    non-English language and the other task moves every language by `control_shift`."""
    plus = {lang: v + (planted_gain if lang != "en" else 2.0) for lang, v in BASELINE.items()}
    moved = {lang: v + control_shift for lang, v in BASELINE.items()}
    metrics = {"profile": "smoke", "results": _rows("none", "xnli", BASELINE) + _rows("none", "xquad", BASELINE)}
    alternatives = {"results": _rows("mnli", "xnli", plus, "translated") + _rows("squad_v1", "xnli", moved, "translated")
                    + _rows("squad_v1", "xquad", plus, "translated") + _rows("mnli", "xquad", moved, "translated")}
    return metrics, alternatives


def _layout(tmp_path: Path, planted_gain: float = 40.0, control_shift: float = -3.0) -> Layout:
    layout = Layout("smoke", root=tmp_path)
    layout.results.mkdir(parents=True)
    metrics, alternatives = _run(planted_gain, control_shift)
    layout.metrics.write_text(json.dumps(metrics))
    (layout.results / "alternatives.json").write_text(json.dumps(alternatives))
    return layout


def test_per_language_deltas_and_counts_over_a_margin():
    metrics, alternatives = _run(40.0, -3.0)
    metrics["results"] = [r for r in metrics["results"] if r["language"] != "hi"]  # no baseline for hi
    study = Study(metrics, alternatives)
    assert f_lang_delta(study, "mnli+translated", "xnli", "de") == pytest.approx(40.0)
    assert f_lang_delta(study, "mnli+translated", "xnli", "en") == pytest.approx(2.0)
    assert f_n_compared(study, "mnli+translated", "xnli") == 5  # hi has no baseline: not compared
    assert f_n_over(study, "mnli+translated", "xnli", 15) == 4
    assert f_n_over(study, "mnli+translated", "xnli", 45) == 0
    assert f_n_within(study, "squad_v1+translated", "xnli", 15) == 5
    assert f_n_within(study, "squad_v1+translated", "xnli", 2) == 0
    with pytest.raises(Missing):
        f_lang_delta(study, "mnli+translated", "xnli", "hi")
    with pytest.raises(Missing):
        f_n_over(study, "qqp", "xnli", 15)  # no such row


def test_the_planted_claims_pass_where_the_effects_are_and_fail_where_they_are_not(tmp_path):
    good = planted.verify(_layout(tmp_path / "good"), study="paper")
    assert {(r.study, r.status) for r in good} == {("paper", "pass")}
    no_gain = {r.id: r.status for r in planted.verify(_layout(tmp_path / "nogain", planted_gain=10.0), study="paper")}
    assert no_gain == {"P-paper-1": "fail", "P-paper-2": "pass", "P-paper-3": "fail", "P-paper-4": "pass"}
    leaky = {r.id: r.status for r in planted.verify(_layout(tmp_path / "leaky", control_shift=20.0), study="paper")}
    assert leaky == {"P-paper-1": "pass", "P-paper-2": "fail", "P-paper-3": "pass", "P-paper-4": "fail"}


def test_a_study_without_results_is_missing(tmp_path):
    claims = tmp_path / "planted.yaml"
    claims.write_text(Path(planted.PLANTED).read_text().replace("study: paper\n    kind: planted\n    text: \"Control",
                                                                "study: multilingual\n    kind: planted\n    text: \"Control", 1))
    results = {r.id: r for r in planted.verify(_layout(tmp_path), claims)}
    assert results["P-paper-2"].status == "missing" and "multilingual" in results["P-paper-2"].reason
    assert results["P-paper-1"].status == "pass"
    empty = {r.status for r in planted.verify(Layout("smoke", root=tmp_path / "none"))}
    assert empty == {"missing"}


@pytest.mark.parametrize("edit, message", [("study: paper", "missing `study`"),
                                           ("study: nosuch", "study 'nosuch' not in")])
def test_a_planted_claim_must_name_a_known_study(tmp_path, edit, message):
    text = Path(planted.PLANTED).read_text().replace("    study: paper\n", "" if edit == "study: paper" else
                                                     f"    {edit}\n", 1)
    path = tmp_path / "planted.yaml"
    path.write_text(text)
    with pytest.raises(ClaimsError, match=message):
        planted.verify(Layout("smoke", root=tmp_path), path)


def test_the_command_prints_one_verdict_per_claim_and_exits_1_on_a_fail(tmp_path, monkeypatch):
    from repro.cli import app

    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    _layout(tmp_path)
    result = runner.invoke(app, ["verify", "--profile", "smoke", "--planted", "--json"])
    assert result.exit_code == 0, result.output
    verdicts = json.loads(result.output)
    assert [v["claim"] for v in verdicts] == [c.id for c in load_claims(planted.PLANTED)]
    assert all(v["status"] == ("pass" if v["study"] == "paper" else "missing") for v in verdicts)  # only paper results
    (tmp_path / "results/smoke/alternatives.json").write_text(json.dumps(_run(5.0, 0.0)[1]))
    result = runner.invoke(app, ["verify", "--profile", "smoke", "--planted"])
    assert result.exit_code == 1
    assert result.output.count("fail") >= 2 and "P-paper-4" in result.output
    refused = runner.invoke(app, ["verify", "--profile", "smoke", "--planted", "--record"])
    assert refused.exit_code != 0 and "--planted" in refused.output


@pytest.mark.slow
@pytest.mark.long
def test_a_fresh_smoke_run_finds_the_paper_studys_planted_effects(smoke_project):
    results = [r for r in planted.verify(Layout("smoke", root=smoke_project)) if r.study == "paper"]
    assert results and {r.status for r in results} == {"pass"}, [(r.id, r.status, r.observed) for r in results]
