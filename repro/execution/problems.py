"""Read code-generation problems (HumanEval, HumanEval-X, HumanEval-XL release files) and samples files.

Problems: jsonl or jsonl.gz lines as released.
- HumanEval-X (THUDM/CodeGeeX): task_id "<Lang>/<i>" (Python, CPP, Java, JavaScript, Go, Rust), prompt, declaration,
  canonical_solution, test, example_test; Go adds import, docstring, test_setup.
- HumanEval-XL (FloatAI): task_id "<pl>/<i>", language (python, java, javascript, go, ...), natural_language,
  prompt, entry_point, test, canonical_solution ("None" outside Python), description.
- HumanEval (OpenAI): task_id "HumanEval/<i>", prompt, entry_point, test (a `check(candidate)` to call).
Samples: HumanEval's samples.jsonl, {"task_id", "completion"} lines, any number per task (the completion
continues `generation_prompt(problem)`).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from repro.errors import UserError
from repro.execution.languages import language_of


@dataclass(frozen=True)
class Problem:
    task_id: str
    language: str                  # a key of repro.execution.languages.LANGUAGES
    benchmark: str                 # humaneval | humaneval-x | humaneval-xl
    prompt: str
    test: str
    entry_point: str = ""
    declaration: str = ""
    canonical_solution: str = ""
    natural_language: str = "English"
    extra: dict = field(default_factory=dict, compare=False)   # other release fields (Go's import/test_setup...)


@dataclass(frozen=True)
class Sample:
    task_id: str
    completion_id: int             # its rank among the task's samples, in file order
    completion: str


def _lines(path: Path) -> Iterator[tuple[int, dict]]:
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise UserError(f"{path}:{number}: not a JSON line ({exc.msg})") from None
                except RecursionError:
                    raise UserError(f"{path}:{number}: JSON nested too deeply") from None
                if not isinstance(row, dict):
                    raise UserError(f"{path}:{number}: not a JSON object")
                yield number, row
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: unreadable ({exc})") from None


def _benchmark(row: dict) -> str:
    if "natural_language" in row:
        return "humaneval-xl"
    return "humaneval" if row["task_id"].startswith("HumanEval/") else "humaneval-x"


def _problem(path: Path, number: int, row: dict) -> Problem:
    missing = [key for key in ("task_id", "prompt", "test") if not isinstance(row.get(key), str)]
    if missing:
        raise UserError(f"{path}:{number}: a problem needs {', '.join(missing)}")
    task_id = row["task_id"]
    language = language_of(row.get("language") or task_id.split("/")[0])
    if language is None:
        raise UserError(f"{path}:{number}: {task_id}: unknown programming language "
                        f"{row.get('language') or task_id.split('/')[0]!r}")
    known = {"task_id", "language", "prompt", "test", "entry_point", "declaration", "canonical_solution",
             "natural_language"}
    return Problem(task_id=task_id, language=language, benchmark=_benchmark(row), prompt=row["prompt"],
                   test=row["test"], entry_point=row.get("entry_point") or "",
                   declaration=row.get("declaration") or "", canonical_solution=row.get("canonical_solution") or "",
                   natural_language=row.get("natural_language") or "English",
                   extra={k: v for k, v in row.items() if k not in known})


def read_problems(path: Path) -> dict[str, Problem]:
    """The problems of one release file by task id (a repeated task id is an error)."""
    problems: dict[str, Problem] = {}
    for number, row in _lines(Path(path)):
        problem = _problem(Path(path), number, row)
        if problem.task_id in problems:
            raise UserError(f"{path}:{number}: task id {problem.task_id} repeated")
        problems[problem.task_id] = problem
    if not problems:
        raise UserError(f"{path}: no problems")
    return problems


def read_samples(path: Path, problems: dict[str, Problem]) -> list[Sample]:
    """Every sample in file order, each numbered within its task; an unknown task id or a line without a string
    completion is an error naming the line."""
    samples, seen = [], {}
    for number, row in _lines(Path(path)):
        task_id, completion = row.get("task_id"), row.get("completion")
        if not isinstance(task_id, str) or not isinstance(completion, str):
            raise UserError(f"{path}:{number}: a sample needs a string task_id and completion")
        if task_id not in problems:
            raise UserError(f"{path}:{number}: unknown task id {task_id!r} (not in the problems file)")
        samples.append(Sample(task_id, seen.get(task_id, 0), completion))
        seen[task_id] = seen.get(task_id, 0) + 1
    if not samples:
        raise UserError(f"{path}: no samples")
    return samples
