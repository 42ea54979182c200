"""Gold labels of every evaluated split, in the XTREME submission layout (`<task>/test-<lang>.tsv|json`).

Written by the data stage (labels are data), read by `repro score`. Predictions use the same encodings:
label names for classification, tag lines for tagging, SQuAD JSON for QA, `<lang>-<row>`/`en-<row>` id pairs
for BUCC, row indices for Tatoeba.
"""

from __future__ import annotations

from pathlib import Path

from repro import score
from repro.registry import TARGET_TASKS, Task


def bucc_id(lang: str, row: int) -> str:
    return f"{lang}-{row:06d}"


def gold(task: Task, examples: list[dict]):
    """The gold side of one language in the form `score.write_labels` takes."""
    if task.id == "tatoeba":
        return list(range(len(examples)))
    if task.id == "bucc2018":
        return None  # needs the language: see `write`
    if task.format == "classification":
        return [task.labels[e["label"]] for e in examples]
    if task.format == "tagging":
        return [e["tags"] for e in examples]
    return {"data": {e["id"]: list(e["answers"]["text"]) for e in examples}}


def write(labels_dir: Path, task_id: str, lang: str, examples: list[dict]) -> Path:
    task = TARGET_TASKS[task_id]
    if task_id == "bucc2018":
        labels = [(bucc_id(lang, i), bucc_id("en", i)) for i in range(len(examples))]
    else:
        labels = gold(task, examples)
    return score.write_labels(labels_dir, task_id, lang, labels)
