"""repro.report.claims and claims.yaml: a metrics.json built to satisfy every claim passes; perturbing one number fails
exactly that claim; numbers a run did not produce give "missing"; the expression language is closed."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest

from repro.errors import UserError
from repro.report import claims, expressions, published
from repro.report.study import TARGET_ORDER, Study
from repro.suites import xtreme

ROOT = Path(__file__).resolve().parents[3]
CLAIMS = ROOT / "claims.yaml"

# A study built to satisfy every claim. Uniform values over a target's languages, so a row's task score is
# its value (QA: (EM + F1) / 2). Baseline = XLM-R's published numbers for the fine-tuned tasks (retrieval
# lower, see claims.yaml's header); the multi-task row = X-STILTs' published numbers; every other row lies
# between the two: baseline + f * (best - baseline).
BASE = {"xnli": 79.2, "pawsx": 86.4, "udpos": 73.8, "panx": 65.4, "xquad": (60.8, 76.6), "mlqa": (53.2, 71.6),
        "tydiqa": (45.0, 65.1), "bucc2018": 50.0, "tatoeba": 40.0}
BEST = {"xnli": 80.0, "pawsx": 87.9, "udpos": 74.9, "panx": 64.0, "xquad": (63.3, 78.7), "mlqa": (53.7, 72.4),
        "tydiqa": (59.5, 76.0), "bucc2018": 78.0, "tatoeba": 74.9}


def _task(value) -> float:
    return sum(value) / 2 if isinstance(value, tuple) else value


BEST_MEAN_DELTA = sum(_task(BEST[t]) - _task(BASE[t]) for t in TARGET_ORDER) / 9  # 8.95
FACTOR = {"none": 0.0, "anli_plus": 0.6, "mnli": 7.5 / BEST_MEAN_DELTA, "qqp": 0.4, "squad_v1": 0.75,
          "squad_v2": 8.2 / BEST_MEAN_DELTA, "hellaswag": 7.0 / BEST_MEAN_DELTA, "cosmosqa": 0.5,
          "commonsenseqa": 0.3, "ccg": 0.2, "multitask": 1.0}


def row_values(inter: str, target: str, factor: float | None = None) -> dict[str, float]:
    f = FACTOR[inter] if factor is None else factor
    base, best = BASE[target], BEST[target]
    if isinstance(base, tuple):
        return {"exact_match": base[0] + f * (best[0] - base[0]), "f1": base[1] + f * (best[1] - base[1])}
    metric = "accuracy" if target in ("xnli", "pawsx", "tatoeba") else "f1"
    return {metric: base + f * (best - base)}


def build_payload() -> dict:
    results = []
    for inter in FACTOR:
        for target in TARGET_ORDER:
            langs = xtreme.TASK2LANGS[target]
            for lang in langs:
                for metric, value in row_values(inter, target).items():
                    results.append({"intermediate": inter, "target": target, "language": lang, "metric": metric,
                                    "value": value})
    data = {"snli": {"train": {"rows": 550152, "dropped": 785}}, "mnli": {"train": {"rows": 392702}},
            "anli_r1": {"train": {"rows": 16946}}, "anli_r2": {"train": {"rows": 45460}},
            "anli_r3": {"train": {"rows": 100459}}, "squad_v2": {"train": {"rows": 130319}}}
    return {"profile": "paper", "results": results,
            "provenance": {"model": {"hub": "FacebookAI/xlm-roberta-large", "revision": "abc"}, "data": data}}


def build_alternatives() -> dict:
    rows = []
    for inter, target in (("mnli", "xnli"), ("squad_v2", "xquad"), ("mnli", "tatoeba")):
        for variant, shift in (("english", 0.0), ("mlm", -0.5), ("translated", -0.3)):
            for lang in xtreme.TASK2LANGS[target]:
                for metric, value in row_values(inter, target).items():
                    rows.append({"variant": variant, "intermediate": inter, "target": target, "language": lang,
                                 "metric": metric, "value": value + shift})
    return {"results": rows}


def study_of(payload: dict, alternatives: dict | None = None) -> Study:
    return Study(payload, alternatives if alternatives is not None else build_alternatives())


def statuses(study: Study) -> dict[str, str]:
    return {r.id: r.status for r in claims.verify_study(study, CLAIMS)}


def failing(study: Study) -> set[str]:
    return {cid for cid, status in statuses(study).items() if status != "pass"}


def set_row(payload: dict, inter: str, target: str, values: dict[str, float] | None = None, factor=None,
            langs=None) -> None:
    values = values if values is not None else row_values(inter, target, factor)
    for row in payload["results"]:
        if row["intermediate"] == inter and row["target"] == target and (langs is None or row["language"] in langs):
            row["value"] = values[row["metric"]]


@pytest.fixture(scope="module")
def good() -> dict:
    return build_payload()


# ---------------------------------------------------------------------------------------------------------


def test_claims_file_covers_c1_to_c18_and_table3():
    loaded = claims.load_claims(CLAIMS)
    ids = [c.id for c in loaded]
    assert len(ids) == len(set(ids))
    assert {f"C{i}" for i in range(1, 19)} <= set(ids)
    assert {f"T3.xstilts.{t}" for t in ("xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa")} <= set(ids)
    assert {f"T3.xlmr.{t}" for t in ("xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa")} <= set(ids)
    for claim in loaded:
        assert claim.provenance["certainty"] in published.CERTAINTIES
        assert claim.provenance["source"]


def test_published_expectations_match_published_module():
    by_id = {c.id: c for c in claims.load_claims(CLAIMS)}
    for target in ("xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa"):
        assert by_id[f"T3.xstilts.{target}"].expected == pytest.approx(
            published.value("xstilts", target, source=published.REMBERT))
        assert by_id[f"T3.xlmr.{target}"].expected == pytest.approx(
            published.value("xlmr", target, source=published.REMBERT))
    assert by_id["T3.xstilts.xtreme"].expected == published.value("xstilts", "xtreme")
    assert by_id["T3.xstilts.retrieval"].expected == published.value("xstilts", "retrieval_sum")
    assert by_id["C13"].expected == published.value("xstilts", "xtreme_gain")


def test_every_claim_passes_on_a_satisfying_run(good, tmp_path):
    start = time.perf_counter()
    metrics_path = tmp_path / "metrics.json"
    metrics_path.write_text(json.dumps(good))
    (tmp_path / "alternatives.json").write_text(json.dumps(build_alternatives()))
    results = claims.verify(metrics_path, CLAIMS)
    bad = {r.id: (r.status, r.observed, r.reason) for r in results if r.status != "pass"}
    assert not bad
    assert claims.exit_code(results) == 0
    assert time.perf_counter() - start < 5
    by_id = {r.id: r for r in results}
    assert by_id["C6"].observed == pytest.approx(8.2)
    # PAN-X: every intermediate row is below the baseline; the best of them (CCG) is 0.2 of the way to 64.0
    assert by_id["T3.xstilts.xtreme"].observed == pytest.approx(73.5 + (65.4 - 0.2 * 1.4 - 64.0) / 9)
    assert by_id["C13"].observed == pytest.approx(by_id["T3.xstilts.xtreme"].observed - 68.2)
    assert by_id["C16"].observed == 1104934


def test_claims_relative_path_falls_back_to_the_artifact(good, tmp_path, monkeypatch):
    metrics_path = tmp_path / "metrics.json"
    metrics_path.write_text(json.dumps(good))
    monkeypatch.chdir(tmp_path)
    results = claims.verify(metrics_path)  # "claims.yaml" is not in tmp_path: the artifact's own is used
    assert len(results) == len(claims.load_claims(CLAIMS))


def test_json_and_rich_renderers(good):
    from rich.console import Console

    results = claims.verify_study(study_of(good), CLAIMS)
    payload = claims.to_json(results)
    json.dumps(payload)  # serializable
    entry = payload["claims"][0]
    for key in ("id", "status", "expected", "observed", "tolerance", "provenance", "observe", "reads"):
        assert key in entry
    assert payload["summary"]["pass"] == len(results)
    console = Console(record=True, width=200)
    claims.render_table(results, console=console)
    text = console.export_text()
    assert "C13" in text and "pass" in text


# --- one perturbation, one failure ----------------------------------------------------------------------


def test_smoke_model_fails_only_c1(good):
    payload = copy.deepcopy(good)
    payload["provenance"]["model"] = {"pretrained_here": {"layers": 2, "hidden_size": 64}}
    assert failing(study_of(payload)) == {"C1"}


def test_smaller_squad_gain_fails_only_c6(good):
    payload = copy.deepcopy(good)
    for target in TARGET_ORDER:
        set_row(payload, "squad_v2", target, factor=6.5 / BEST_MEAN_DELTA)
    assert failing(study_of(payload)) == {"C6"}


def test_larger_xnli_gain_fails_only_c12(good):
    payload = copy.deepcopy(good)
    set_row(payload, "multitask", "xnli", {"accuracy": 81.5})
    assert failing(study_of(payload)) == {"C12"}


def test_fewer_retrieval_gains_fail_only_c10(good):
    payload = copy.deepcopy(good)
    for inter in ("anli_plus", "qqp", "cosmosqa", "commonsenseqa"):
        set_row(payload, inter, "tatoeba", {"accuracy": 39.0})  # below the baseline's 40.0
    assert failing(study_of(payload)) == {"C10"}


def test_xlmr_baseline_off_fails_only_its_claim(good):
    payload = copy.deepcopy(good)
    set_row(payload, "none", "udpos", {"f1": 73.8 - 2.5})  # every udpos delta grows by 2.5: averages by 0.28
    assert failing(study_of(payload)) == {"T3.xlmr.udpos"}


def test_best_per_target_off_fails_its_claim_and_the_xtreme_gain(good):
    payload = copy.deepcopy(good)
    set_row(payload, "multitask", "tatoeba", {"accuracy": 74.9 + 14.0})  # xtreme_best +1.56
    assert failing(study_of(payload)) == {"T3.xstilts.retrieval", "T3.xstilts.xtreme", "C13", "C9"}


def test_snli_without_dropped_count_fails_only_c16(good):
    payload = copy.deepcopy(good)
    del payload["provenance"]["data"]["snli"]["train"]["dropped"]  # 550,152 rows as shipped
    assert failing(study_of(payload)) == {"C16"}


def test_fewer_languages_fail_only_c5(good):
    payload = copy.deepcopy(good)
    payload["results"] = [r for r in payload["results"] if not (r["target"] == "panx" and r["language"] == "yo")]
    assert failing(study_of(payload)) == {"C5"}


def test_better_mlm_variant_fails_only_c14(good):
    alternatives = build_alternatives()
    for row in alternatives["results"]:
        if row["variant"] == "mlm":
            row["value"] += 1.0  # now +0.5 over English
    assert failing(study_of(good, alternatives)) == {"C14"}


def test_failure_makes_exit_code_nonzero(good):
    payload = copy.deepcopy(good)
    payload["provenance"]["model"] = {"hub": "tiny-random"}
    results = claims.verify_study(study_of(payload), CLAIMS)
    assert claims.exit_code(results) == 1
    assert [r.status for r in results if r.id == "C1"] == ["fail"]


# --- missing ----------------------------------------------------------------------------------------------


def test_no_alternatives_and_no_manifest_are_missing(good):
    payload = copy.deepcopy(good)
    del payload["provenance"]["data"]
    result = statuses(Study(payload, None))
    assert {cid for cid, s in result.items() if s == "missing"} == {"C14", "C15", "C16", "C17", "C18"}
    assert {cid for cid, s in result.items() if s not in ("pass", "missing")} == set()
    assert claims.exit_code(claims.verify_study(Study(payload, None), CLAIMS)) == 0
    assert claims.exit_code(claims.verify_study(Study(payload, None), CLAIMS), strict=True) == 1


def test_absent_target_gives_missing_not_crash(good):
    payload = copy.deepcopy(good)
    payload["results"] = [r for r in payload["results"] if r["target"] != "mlqa"]
    result = statuses(study_of(payload))
    assert result["C4"] == "fail"  # 8 targets
    for cid in ("C6", "C7", "C8", "C9", "C9b", "C13", "T3.xstilts.xtreme", "T3.xstilts.mlqa", "T3.xlmr.mlqa"):
        assert result[cid] == "missing", cid
    assert result["C10"] == "pass" and result["T3.xstilts.xnli"] == "pass"


def test_absent_ccg_fails_c3_and_leaves_the_rest(good):
    payload = copy.deepcopy(good)
    payload["results"] = [r for r in payload["results"] if r["intermediate"] != "ccg"]
    assert failing(study_of(payload)) == {"C3"}


def test_empty_metrics_are_all_missing_or_failing_structure():
    result = statuses(Study({"profile": "x", "provenance": {}, "results": []}, None))
    assert set(result.values()) <= {"missing", "fail"}
    assert result["C6"] == "missing" and result["C1"] == "missing"


def test_missing_metrics_file_is_a_clear_error(tmp_path):
    with pytest.raises(UserError, match="metrics"):
        claims.verify(tmp_path / "metrics.json", CLAIMS)


# --- the expression language --------------------------------------------------------------------------------


def test_expression_language(good):
    study = study_of(good)

    def ev(text):
        return expressions.evaluate(expressions.parse(text), study)

    assert ev("1 + 2 * 3 - -1") == 8
    assert ev("(1 + 2) * 3 / 9") == 1
    assert ev("score(target=xnli, intermediate=none)") == pytest.approx(79.2)
    assert ev("score(xnli)") == pytest.approx(79.2)  # positional, baseline by default
    assert ev("score(target=xquad, intermediate=none, metric=exact_match)") == pytest.approx(60.8)
    assert ev("best_intermediate(target=xnli)") == "multitask"
    assert ev("best(target=tydiqa) - score(target=tydiqa) > 10 and not false") is True
    assert ev("delta(intermediate=mnli)") == pytest.approx(7.5)
    assert ev("delta(intermediate=mnli, target=panx)") < 0
    assert ev("improved(target=panx)") == 0
    assert ev("max(1, [2, 5], 3)") == 5 and ev("mean(1, 2, 3)") == 2 and ev("abs(-2)") == 2
    assert ev("count(intermediate=none, target=bucc2018)") == 4
    assert ev("dataset_rows(snli, train)") == 550152 and ev("dataset_examples(snli, train)") == 549367
    assert ev("model() == 'facebookai/xlm-roberta-large'") is False  # == is exact; `compare: eq/in` ignore case
    assert ev("published(xlmr, xtreme)") == 68.2
    assert ev("xtreme(intermediate=none, group=qa)") == pytest.approx((68.7 + 62.4 + 55.05) / 3)
    with pytest.raises(claims.Missing):
        ev("score(target=xnli, intermediate=socialiqa)")


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')", "open('x')", "score(target=xnli).__class__", "score(bogus=1)",
    "score(target=xnli", "1 +", "lambda: 1", "delta(intermediate=mnli, intermediate=qqp)", "x; y", "",
])
def test_expressions_outside_the_language_are_refused(text):
    with pytest.raises(expressions.ClaimsError):
        expressions.parse(text)


@pytest.mark.parametrize("text, construct", [
    ("__import__('os')", "unknown function '__import__'"), ("xnli.__class__", "dunder"),
    ("__builtins__", "dunder"), ("score(target=xnli).__class__", "attribute access"), ("lambda: 1", "lambda"),
    ("[x for x in [1, 2]]", "comprehension"), ("sum(x for x in [1])", "comprehension"),
    ("score(xnli)[0]", "subscript"), ("2 ** 3", "operator"), ("7 % 2", "operator"), ("1 < 2 < 3", "chained"),
    ("True", "constant"), ("None", "constant"), ("(1, 2)", "tuple"), ("max(*[1, 2])", "unpacking"),
    ("f'{model()}'", "f-string"), ("1 if true else 2", "conditional"), ("(x := 1)", "assignment"),
    ("{1: 2}", "dict"), ("model.__globals__", "dunder"), ("'a' in 'abc'", "operator"),
])
def test_each_refused_construct_is_named(text, construct):
    with pytest.raises(expressions.ClaimsError, match=construct) as refused:
        expressions.parse(text)
    assert "\n" not in str(refused.value)


def test_a_refused_expression_names_its_claim_in_one_line(tmp_path):
    bad = tmp_path / "claims.yaml"
    bad.write_text("claims:\n  - {id: C99, text: t, observe: 'lambda: n_targets()', expected: 1, "
                   "provenance: {source: s, certainty: VERIFIED}}\n")
    with pytest.raises(UserError, match=r"claim C99: lambda `lambda: n_targets\(\)` is outside") as refused:
        claims.load_claims(bad)
    assert "\n" not in str(refused.value)


def test_grammar_reads_as_before(good):
    """Precedence and associativity of the language, literals as floats, bare and dotted words as strings."""
    study = study_of(good)

    def ev(text):
        return expressions.evaluate(expressions.parse(text), study)

    assert ev("1 - 2 - 3") == -4 and ev("8 / 4 / 2") == 1 and ev("-2 * 3") == -6 and ev("- -1") == 1
    assert ev("false or true and false") is False and ev("not true or true") is True
    assert ev("true and not false == false") is False  # not binds looser than ==
    assert ev("[1, 2, [3]]") == [1.0, 2.0, [3.0]] and isinstance(ev("1_000"), float) and ev("1e3 + .5") == 1000.5
    assert ev("xnli.de") == "xnli.de" and ev("none") == "none" and ev("'xlm-roberta'") == "xlm-roberta"
    assert expressions.calls(expressions.parse("min(improved(target=bucc2018), improved(target=tatoeba))")) \
        == ["min", "improved"]
    with pytest.raises(TypeError):
        ev("xlm-roberta")  # unquoted, a hyphen is a minus: quote such words
    with pytest.raises(TypeError):
        ev("score(xnli) > 1 and 2")  # and/or take true/false only


def test_committed_smoke_verdicts_are_reproduced():
    """Every claim of claims.yaml gives the value and verdict that results/smoke/claims.json records."""
    smoke = ROOT / "results" / "smoke"
    recorded = json.loads((smoke / "claims.json").read_text())
    assert claims.to_json(claims.verify(smoke / "metrics.json", CLAIMS)) == recorded
    assert [r["id"] for r in recorded["claims"]] == [c.id for c in claims.load_claims(CLAIMS)]


def test_malformed_claims_file_is_refused(tmp_path):
    bad = tmp_path / "claims.yaml"
    bad.write_text("claims:\n  - {id: X, text: t, observe: 'nope()', expected: 1, "
                   "provenance: {source: s, certainty: VERIFIED}}\n")
    with pytest.raises(claims.ClaimsError, match="unknown function"):
        claims.load_claims(bad)
    bad.write_text("claims:\n  - {id: X, text: t, observe: 'n_targets()', expected: 1, "
                   "provenance: {source: s, certainty: SURE}}\n")
    with pytest.raises(claims.ClaimsError, match="certainty"):
        claims.load_claims(bad)
    bad.write_text("claims:\n  - {id: X, text: t, observe: 'n_targets()', expected: 1, compare: about, "
                   "provenance: {source: s, certainty: VERIFIED}}\n")
    with pytest.raises(claims.ClaimsError, match="compare"):
        claims.load_claims(bad)


def test_type_mistake_is_an_error_status(tmp_path, good):
    path = tmp_path / "claims.yaml"
    path.write_text("claims:\n  - {id: X, text: t, observe: 'model() + 1', expected: 1, "
                    "provenance: {source: s, certainty: VERIFIED}}\n")
    [result] = claims.verify_study(study_of(good), path)
    assert result.status == "error" and "number" in result.reason
    assert claims.exit_code([result]) == 1


def test_verify_needs_no_torch(good, tmp_path):
    import subprocess
    import sys

    metrics_path = tmp_path / "metrics.json"
    metrics_path.write_text(json.dumps(good))
    code = ("import sys, json; from repro.report import claims; r = claims.verify(sys.argv[1], sys.argv[2]); "
            "print(json.dumps(sorted(m for m in ('torch', 'datasets', 'matplotlib', 'transformers') "
            "if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code, str(metrics_path), str(CLAIMS)], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_report_prints_json_and_returns_the_exit_code(good, tmp_path, capsys):
    payload = copy.deepcopy(good)
    payload["provenance"]["model"] = {"pretrained_here": {"layers": 2}}
    metrics_path = tmp_path / "metrics.json"
    metrics_path.write_text(json.dumps(payload))
    assert claims.report(metrics_path, CLAIMS, json_output=True) == 1
    document = json.loads(capsys.readouterr().out)
    by_id = {c["id"]: c for c in document["claims"]}
    assert by_id["C1"]["status"] == "fail" and by_id["C1"]["observed"].startswith("pretrained here")
    assert by_id["C14"]["status"] == "missing"  # no alternatives.json next to metrics.json
    assert by_id["C6"]["provenance"]["certainty"] == "UNVERIFIED" and by_id["C6"]["tolerance"] == 1.0
    assert document["summary"]["fail"] == 1
