"""repro.execution without running code: pass@k against hand-computed values, the release readers, bad input,
truncation at the end of the function, and no torch anywhere on the execute path."""

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from repro.errors import UserError
from repro.execution import decode, estimate, model_prompt, pass_at_k, read_problems, read_samples, truncate
from repro.execution.languages import generation_prompt, language_of
from repro.execution.problems import Problem
from repro.execution.seccomp import AUDIT_ARCH, DENIED, SYSCALLS, sandbox_filter

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("n, c, k, expected", [
    (5, 2, 1, 0.4),            # 1 - 3/5
    (5, 2, 2, 0.7),            # 1 - C(3,2)/C(5,2) = 1 - 3/10
    (10, 0, 5, 0.0),
    (4, 3, 2, 1.0),            # n - c < k: every pair holds a pass
    (3, 1, 3, 1.0),
    (200, 1, 100, 0.5),        # 1 - C(199,100)/C(200,100) = 1 - 100/200
    (20, 5, 10, 1 - 3003 / 184756),   # C(15,10) / C(20,10)
])
def test_estimate_matches_hand_computed_values(n, c, k, expected):
    assert estimate(n, c, k) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_pass_at_k_averages_problems_and_drops_k_beyond_the_smallest_n():
    outcomes = {"a": [True, False], "b": [False, False, False]}
    assert pass_at_k(outcomes, [1, 2, 3]) == {"pass@1": pytest.approx(25.0), "pass@2": pytest.approx(50.0)}
    with pytest.raises(ValueError):
        estimate(3, 4, 1)


def _problem_file(tmp_path: Path, rows: list[dict], gz: bool) -> Path:
    path = tmp_path / ("problems.jsonl.gz" if gz else "problems.jsonl")
    text = "".join(json.dumps(r) + "\n" for r in rows)
    path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    return path


HX = {"task_id": "CPP/0", "prompt": "int f(){\n", "declaration": "int f(){\n", "canonical_solution": "return 1;}\n",
      "test": "int main(){return f()!=1;}", "example_test": ""}
XL = {"task_id": "python/0", "language": "python", "natural_language": "German", "prompt": "def f():\n",
      "entry_point": "f", "test": "def check(c):\n    assert c() == 1\n", "canonical_solution": "    return 1\n",
      "description": "x"}


@pytest.mark.parametrize("gz", [True, False])
def test_readers_take_both_release_formats(tmp_path, gz):
    problems = read_problems(_problem_file(tmp_path, [HX, XL], gz))
    assert problems["CPP/0"].language == "cpp" and problems["CPP/0"].benchmark == "humaneval-x"
    assert problems["python/0"].benchmark == "humaneval-xl" and problems["python/0"].natural_language == "German"
    samples = tmp_path / "samples.jsonl"
    samples.write_text("".join(json.dumps({"task_id": t, "completion": c}) + "\n"
                               for t, c in [("CPP/0", "a"), ("python/0", "b"), ("CPP/0", "c")]))
    read = read_samples(samples, problems)
    assert [(s.task_id, s.completion_id, s.completion) for s in read] == [
        ("CPP/0", 0, "a"), ("python/0", 0, "b"), ("CPP/0", 1, "c")]


def test_bad_input_is_one_line_naming_it(tmp_path):
    problems = read_problems(_problem_file(tmp_path, [HX], gz=False))
    cases = {"unknown task id 'CPP/9'": '{"task_id": "CPP/9", "completion": "x"}\n',
             "samples.jsonl:2: not a JSON line": '{"task_id": "CPP/0", "completion": "x"}\n{oops\n',
             "needs a string task_id and completion": '{"task_id": "CPP/0"}\n'}
    for message, text in cases.items():
        (tmp_path / "samples.jsonl").write_text(text)
        with pytest.raises(UserError, match=message.replace("(", r"\(")) as error:
            read_samples(tmp_path / "samples.jsonl", problems)
        assert "\n" not in str(error.value)
    with pytest.raises(UserError, match="no such file"):
        read_problems(tmp_path / "absent.jsonl")
    with pytest.raises(UserError, match="unknown programming language"):
        read_problems(_problem_file(tmp_path, [{**HX, "task_id": "Cobol/0"}], gz=False))


def test_cli_refuses_bad_input_with_exit_2_before_running(tmp_path):
    problems = _problem_file(tmp_path, [HX], gz=True)
    (tmp_path / "samples.jsonl").write_text('{"task_id": "CPP/7", "completion": ""}\n')
    result = subprocess.run([sys.executable, "-m", "repro.cli", "execute", "--problems", str(problems), "--samples",
                             str(tmp_path / "samples.jsonl"), "--out", str(tmp_path / "out.jsonl")],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == ["error: " + str(tmp_path / "samples.jsonl") +
                                                  ":1: unknown task id 'CPP/7' (not in the problems file)"]
    assert not (tmp_path / "out.jsonl").exists()


def test_language_tags_and_generation_prompts():
    assert [language_of(t) for t in ("CPP", "JavaScript", "javascript", "Go", "Rust", "python", "Cobol")] == [
        "cpp", "js", "js", "go", "rust", "python", None]
    rust = Problem("Rust/0", "rust", "humaneval-x", "/* doc */\n", "", declaration="fn f(){\n")
    assert generation_prompt(rust) == "/* doc */\nfn f(){\n"


def test_truncate_keeps_helpers_and_drops_what_is_unfinished():
    python = Problem("Python/0", "python", "humaneval-x", "def f():\n", "")
    assert truncate(python, "    return 1\n\n\nx = g()\n    pass\n") == "    return 1\n\n"
    java = Problem("Java/0", "java", "humaneval-x", "class Solution {\n    int f() {\n", "")
    body = ("        if (x) { return \"}\"; } // }\n        return g('{');\n    }\n"
            "    int g(char c) {\n        return 2;\n    }\n}")
    assert truncate(java, body + "\nclass Unfinished {\n    int h() {") == body              # helper kept
    assert truncate(java, body + "\n}\nclass Stray {}") == body                              # a stray brace ends it
    assert decode(java, body + "\npublic class Main {}") == body                             # the stop sequence
    go = Problem("Go/0", "go", "humaneval-x", "// f {\nfunc f() int {\n", "")
    assert truncate(go, "    return g()\n}\n\nfunc g() int {\n    return `}`[0]\n}\n// done") == \
        "    return g()\n}\n\nfunc g() int {\n    return `}`[0]\n}"


def test_decode_rebases_on_the_release_prompt():
    python = Problem("Python/0", "python", "humaneval-x", "def f():\n    \"\"\"doc\"\"\"\n", "")
    assert model_prompt(python, strip=True) == "def f():\n    \"\"\"doc\"\"\"" and model_prompt(python) == python.prompt
    assert decode(python, "\n    return 1\n\nprint(f())\n", stripped=True) == "    return 1"
    assert decode(python, "    return 1\n\nprint(f())\n") == "    return 1"


def test_seccomp_filter_is_whole_instructions_for_each_machine():
    for machine in AUDIT_ARCH:
        program = sandbox_filter(machine)
        assert len(program) % 8 == 0 and len(program) // 8 < 4096
    assert sandbox_filter("riscv64") is None


def test_seccomp_numbers_match_the_kernel_headers():
    """The x86_64 column of the filter's table against this machine's <asm/unistd_64.h>, where it is installed."""
    header = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
    if not header.is_file():
        pytest.skip(f"{header} absent")
    numbers = dict(re.findall(r"#define __NR_(\w+) (\d+)", header.read_text()))
    known = {name: nrs for name, nrs in SYSCALLS.items() if name in numbers}
    assert len(known) >= len(SYSCALLS) - 2, "most names must be in the header"
    assert {name: nrs[0] for name, nrs in known.items()} == {name: int(numbers[name]) for name in known}
    assert {"io_uring_setup", "unshare", "ptrace", "keyctl", "bpf", "mount"} <= set(DENIED)


def test_execute_path_never_imports_torch():
    code = ("import sys, repro.execution, repro.stages.execute, repro.execution.sandbox; "
            "print(sorted(m for m in ('torch', 'transformers', 'datasets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


def test_a_missing_toolchain_skips_its_language_with_one_line(monkeypatch):
    from repro.execution import runner
    from repro.execution.problems import Sample
    monkeypatch.setattr(runner.toolchains, "missing", lambda lang: f"{lang}: rustc not installed (here: pretend)")
    rust = Problem("Rust/0", "rust", "humaneval-x", "", "")
    lines = []
    results = runner.evaluate({"Rust/0": rust}, [Sample("Rust/0", 0, ""), Sample("Rust/0", 1, "")], warn=lines.append)
    assert lines == ["skipping rust: rustc not installed (here: pretend)"]
    assert [(r.passed, r.result) for r in results] == [(False, "skipped: rust: rustc not installed (here: pretend)")] * 2
