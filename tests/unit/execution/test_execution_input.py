"""Bad input is refused with one line before any sample runs, and odd but valid input costs one sample, not the
run: a completion holding a lone surrogate (valid JSON), non-finite or huge timeouts, deeply nested JSON."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from repro.errors import UserError
from repro.execution import read_problems, read_samples
from repro.execution.problems import Problem, Sample
from repro.execution.runner import evaluate
from repro.execution.sandbox import detect

ROOT = Path(__file__).resolve().parents[3]
PROBLEM = {"task_id": "Python/0", "prompt": "def f():\n", "entry_point": "f",
           "test": "def check(candidate):\n    assert candidate() == 1\n", "canonical_solution": "    return 1\n",
           "declaration": "def f():\n", "example_test": ""}


def _files(tmp_path: Path, completions: list[str]) -> tuple[Path, Path]:
    problems = tmp_path / "problems.jsonl"
    problems.write_text(json.dumps(PROBLEM) + "\n")
    samples = tmp_path / "samples.jsonl"
    samples.write_text("".join(json.dumps({"task_id": "Python/0", "completion": c}) + "\n" for c in completions))
    return problems, samples


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "repro.cli", "execute", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def _staging() -> set[str]:
    """Staging folders whose process has gone (others' runs may be going on)."""
    return {p.name for p in Path(tempfile.gettempdir()).glob("repro-exec-*")
            if not Path("/proc", p.name.split("-")[2]).exists()}


def test_a_lone_surrogate_fails_its_sample_only(tmp_path):
    try:
        detect()
    except UserError as exc:
        pytest.skip(str(exc))
    problems, samples = _files(tmp_path, ["    return 1\n", "    return '\ud800'\n", "    return 1\n"])
    assert '\\ud800' in samples.read_text()      # valid JSON, as a model's output may be
    before = _staging()
    done = _cli("--problems", str(problems), "--samples", str(samples), "--out", str(tmp_path / "out.jsonl"),
                "--k", "1", "--workers", "1")
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["passed"] for r in rows] == [True, False, True]
    assert rows[1]["result"].startswith("failed: not UTF-8 text"), rows[1]["result"]
    assert _staging() <= before


@pytest.mark.parametrize("timeout", ["nan", "inf", "1e30", "-1"])
def test_timeouts_must_be_finite_and_in_range(tmp_path, timeout):
    problems, samples = _files(tmp_path, ["    return 1\n"])
    before = _staging()
    done = _cli("--problems", str(problems), "--samples", str(samples), "--out", str(tmp_path / "out.jsonl"),
                f"--timeout={timeout}")
    assert done.returncode == 2, done.stderr[-2000:]
    assert len(done.stderr.strip().splitlines()) == 1 and f"--timeout {float(timeout)}" in done.stderr
    assert not (tmp_path / "out.jsonl").exists() and _staging() <= before


def test_the_api_refuses_a_nan_timeout_before_running_anything():
    problem = Problem("Python/0", "python", "humaneval-x", "def f():\n", PROBLEM["test"], entry_point="f")
    with pytest.raises(UserError, match="--timeout nan"):
        evaluate({"Python/0": problem}, [Sample("Python/0", 0, "    return 1\n")], timeout=float("nan"))


@pytest.mark.parametrize("which", ["samples", "problems"])
def test_deeply_nested_json_is_one_line(tmp_path, which):
    problems, samples = _files(tmp_path, ["    return 1\n"])
    target = samples if which == "samples" else problems
    target.write_text("[" * 200_000 + "]" * 200_000 + "\n")
    with pytest.raises(UserError, match=r":1: JSON nested too deeply") as error:
        read_samples(samples, read_problems(problems))
    assert "\n" not in str(error.value)
    done = _cli("--problems", str(problems), "--samples", str(samples), "--out", str(tmp_path / "out.jsonl"))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr[-500:]
    assert "nested too deeply" in done.stderr
    assert os.path.exists(target)
