"""The code study's smoke run as params.yaml has it (`repro all --profile smoke --study code`, in a fresh git + DVC
project: the session fixture `code_smoke`) finds the planted effects its smoke world is built with: every code claim
of claims_planted.yaml passes under `repro verify --profile smoke --planted --json`, and answer.md shows them between
the primary contrasts and the exploratory tables (issue 20 items 4 and 5)."""

import json
import sys

import pytest

from conftest import run

pytestmark = [pytest.mark.slow, pytest.mark.long]


@pytest.mark.xfail(strict=True, reason="P-code-3 and P-code-4 fail on the smoke run (2026-12-07, 12 problems: "
                   "cnn_dailymail - none on HumanEval-X -2.1 [-33.5, 29.3]; cnn_dailymail@de - none on XL Python German "
                   "+8.3 [-24.4, 41.1]): with one-token planted words the CNN/DM arm writes the planted operation with "
                   "its number (HumanEval-X Python 10 of 12 against none's 5), but its intermediate phase costs the "
                   "brace languages the numbers' copying (C++ 2 of 12 against 7)")
def test_the_smoke_run_finds_every_planted_code_effect(code_smoke):
    result = run([sys.executable, "-m", "repro.cli", "verify", "--profile", "smoke", "--planted", "--json"],
                 code_smoke)  # exits 1 on a failed claim
    verdicts = [v for v in json.loads(result.stdout) if v["study"] == "code"]
    assert len(verdicts) >= 5
    assert all(v["status"] == "pass" for v in verdicts), [(v["claim"], v["status"], v["observed"]) for v in verdicts]


def test_answer_md_opens_with_the_primary_contrasts_then_the_planted_checks(code_smoke):
    text = (code_smoke / "results/smoke/code/answer.md").read_text()
    primary, planted = text.index("## Primary contrasts"), text.index("## Planted effects in the smoke world")
    assert primary < planted < text.index("(exploratory, p unadjusted)")
    answer = json.loads((code_smoke / "results/smoke/code/answer.json").read_text())
    verdicts = [v for v in answer["planted"] if v["study"] == "code"]
    assert len(verdicts) >= 5 and {v["status"] for v in verdicts} <= {"pass", "fail"}  # every claim judged
    assert all(f"| {v['claim']} | {v['status']} |" in text[planted:] for v in verdicts)
