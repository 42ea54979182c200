"""Canonical HumanEval-X solutions pass through `repro execute` in every language whose toolchain is installed,
known-wrong completions fail; HumanEval-XL prompts in several natural languages likewise (Python's own canonical
solutions, hand-written ones for Java, JavaScript and Go, whose release has none). Uses ../shared/real-data;
skips without it, and per language without its toolchain (scripts/toolchains.sh installs them all)."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from repro.execution import missing
from repro.execution.languages import KNOWN_FAILING_CANONICAL

ROOT = Path(__file__).resolve().parents[3]
REAL = ROOT.parent / "shared" / "real-data"
# A few problems per language, chosen to reach the special cases: boost (CPP/22), OpenSSL (CPP/162), js-md5
# (JavaScript/162), rand 0.4's gen_range (Rust/50), regex (Rust/91), md5 (Rust/162), Go's helper imports.
PICK = {"python": [0, 2, 32, 162], "cpp": [0, 22, 162], "java": [0, 10, 162], "js": [0, 112, 162],
        "go": [0, 10, 162], "rust": [0, 50, 91, 162]}
WRONG = {"python": "    return None\n", "cpp": "    return false;\n}\n", "java": "        return false;\n    }\n}",
         "js": "  return false;\n}\n", "go": "    return false\n}\n", "rust": "    return false;\n}\n"}
FILES = {"js": "humaneval_js.jsonl.gz"}


def _execute(tmp_path: Path, problems: Path, samples: list[dict], workers: int = 2) -> tuple[dict, list[dict]]:
    (tmp_path / "samples.jsonl").write_text("".join(json.dumps(s) + "\n" for s in samples))
    out = tmp_path / "results.jsonl"
    done = subprocess.run([sys.executable, "-m", "repro.cli", "execute", "--problems", str(problems), "--samples",
                           str(tmp_path / "samples.jsonl"), "--out", str(out), "--k", "1,2", "--workers",
                           str(workers)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), [json.loads(line) for line in out.read_text().splitlines()]


def _skip_without(language: str) -> None:
    if not REAL.is_dir():
        pytest.skip("../shared/real-data is absent")
    reason = missing(language)
    if reason:
        pytest.skip(reason)


@pytest.mark.parametrize("language", list(PICK))
def test_canonical_solutions_pass_and_wrong_ones_fail(tmp_path, language):
    _skip_without(language)
    problems = REAL / "humaneval-x" / FILES.get(language, f"humaneval_{language}.jsonl.gz")
    rows = [json.loads(line) for line in gzip.open(problems, "rt")]
    samples = []
    for index in PICK[language]:
        row = rows[index]
        samples += [{"task_id": row["task_id"], "completion": row["canonical_solution"]},
                    {"task_id": row["task_id"], "completion": WRONG[language]}]
    summary, results = _execute(tmp_path, problems, samples)
    assert [(r["task_id"], r["completion_id"]) for r in results] == [
        (s["task_id"], i % 2) for i, s in enumerate(samples)]          # input order, numbered per task
    for sample, result in zip(samples, results):
        expected = sample["completion"] != WRONG[language] and sample["task_id"] not in KNOWN_FAILING_CANONICAL
        assert result["passed"] == expected, (sample["task_id"], result["result"])
    known_bad = sum(row["task_id"] in KNOWN_FAILING_CANONICAL for row in (rows[i] for i in PICK[language]))
    passed = len(PICK[language]) - known_bad
    assert summary == {"n_samples": len(samples), "pass@1": pytest.approx(100 * passed / len(samples)),
                       "pass@2": pytest.approx(100 * passed / len(PICK[language]))}


XL_SOLUTIONS = {  # problem 0 (below_zero) where the release has no canonical solution
    "java": "        int balance = 0;\n        for (Object op : operations) {\n            balance += (Integer) op;\n"
            "            if (balance < 0) return true;\n        }\n        return false;\n    }\n}\n",
    "javascript": "  let balance = 0;\n  for (const op of operations) {\n    balance += op;\n"
                  "    if (balance < 0) return true;\n  }\n  return false;\n}\n",
    "go": "    balance := 0\n    for _, op := range operations {\n        balance += op\n"
          "        if balance < 0 {\n            return true\n        }\n    }\n    return false\n}\n",
}
XL_LANGUAGE = {"java": "java", "javascript": "js", "go": "go", "python": "python"}


@pytest.mark.parametrize("programming, natural", [("python", "English"), ("python", "German"), ("python", "Arabic"),
                                                  ("java", "Chinese"), ("javascript", "English"), ("go", "English")])
def test_humaneval_xl_prompts_run(tmp_path, programming, natural):
    _skip_without(XL_LANGUAGE[programming])
    problems = REAL / "humaneval-xl" / programming / f"{natural}.jsonl"
    rows = [json.loads(line) for line in problems.read_text().splitlines()]
    if programming == "python":
        right = [{"task_id": r["task_id"], "completion": r["canonical_solution"]} for r in rows[:3]]
    else:
        right = [{"task_id": rows[0]["task_id"], "completion": XL_SOLUTIONS[programming]}]
    wrong = {"python": "    return None\n", "java": "        return null;\n    }\n}\n",
             "javascript": "  return 'x';\n}\n", "go": "    return true\n}\n"}[programming]
    samples = right + [{"task_id": rows[0]["task_id"], "completion": wrong}]
    _, results = _execute(tmp_path, problems, samples)
    assert [r["passed"] for r in results] == [True] * len(right) + [False], [r["result"] for r in results]
