"""The results journal: the output is checked before any work (not an input, not a directory, writable), each
result is on disk as soon as it is known, and a resumed run executes only what the journal lacks."""

import json
from pathlib import Path

import pytest

from repro.errors import UserError
from repro.execution.journal import Journal, key
from repro.execution.problems import Problem, Sample
from repro.execution.runner import evaluate
from repro.execution.sandbox import detect

PROBLEM = Problem("Python/0", "python", "humaneval-x", "def f():\n", "def check(candidate):\n    assert candidate() == 1\n",
                  entry_point="f")


@pytest.fixture
def inputs(tmp_path):
    problems, samples = tmp_path / "problems.jsonl", tmp_path / "samples.jsonl"
    problems.write_text("problems\n")
    samples.write_text("samples\n")
    return problems, samples


@pytest.mark.parametrize("target, message", [
    ("samples.jsonl", "is the input"), ("problems.jsonl", "is the input"), (".", "is a directory"),
    ("/proc/repro-results.jsonl", "cannot write there"), ("problems.jsonl/out.jsonl", "is the input"),
])
def test_the_output_is_checked_before_any_work(tmp_path, inputs, target, message):
    out = Path(target) if target.startswith("/") else tmp_path / target
    with pytest.raises(UserError, match=message) as error:
        Journal(out, list(inputs))
    assert "\n" not in str(error.value)
    assert [p.read_text() for p in inputs] == ["problems\n", "samples\n"]


def test_results_reach_the_journal_as_they_finish_and_resume_skips_them(tmp_path, inputs):
    try:
        detect()
    except UserError as exc:
        pytest.skip(str(exc))
    out = tmp_path / "results.jsonl"
    samples = [Sample("Python/0", i, text) for i, text in enumerate(["    return 1\n", "    return 2\n",
                                                                       "    return 1\n"])]
    journal = Journal(out, list(inputs))
    seen = []

    def record(sample, result):
        journal.record(sample, result)
        seen.append(len(journal.partial.read_text().splitlines()))   # on disk before the next sample starts
    evaluate({"Python/0": PROBLEM}, samples[:2], record=record, warn=lambda line: None)
    assert seen == [1, 2] and not out.exists()
    with open(journal.partial, "a") as handle:
        handle.write('{"key": "Python/0\\t2')                       # a line torn by a kill
    resumed = Journal(out, list(inputs), resume=True)
    assert set(resumed.done) == {key(s) for s in samples[:2]}
    todo = [s for s in samples if key(s) not in resumed.done]
    ran = evaluate({"Python/0": PROBLEM}, todo, record=resumed.record, warn=lambda line: None)
    assert len(ran) == 1
    rows = resumed.finish(samples)
    assert [json.loads(line)["passed"] for line in out.read_text().splitlines()] == [True, False, True]
    assert [r["completion_id"] for r in rows] == [0, 1, 2] and not resumed.partial.exists()


def test_without_resume_an_old_journal_is_discarded(tmp_path, inputs):
    out = tmp_path / "results.jsonl"
    Journal(out, list(inputs)).record(Sample("Python/0", 0, "x"), {"passed": True})
    fresh = Journal(out, list(inputs))
    assert fresh.done == {} and fresh.partial.read_text() == ""
    with pytest.raises(UserError, match="1 samples have no result"):
        fresh.finish([Sample("Python/0", 0, "x")])
