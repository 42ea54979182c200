"""Every task of the study as a declarative entry, importable without datasets or torch.

Adding a task of a known kind is one entry in `intermediate.py` or a suite's file (`xtreme.py`); a new
benchmark is a new file of entries plus its suite (`repro.suites`).
"""

from __future__ import annotations

from repro.errors import UserError
from repro.tasks.alternatives import Alternative
from repro.tasks.intermediate import INTERMEDIATE_TASKS
from repro.tasks.task import Task
from repro.tasks.xtreme import XTREME_R_TASKS, XTREME_TASKS

TARGET_TASKS: dict[str, Task] = {**XTREME_TASKS, **XTREME_R_TASKS}

MULTITASK = "multitask"
BASELINE = "none"
INTERMEDIATE_IDS = (BASELINE, *INTERMEDIATE_TASKS, MULTITASK)  # the rows of the paper's Table 2

__all__ = ["Alternative", "BASELINE", "INTERMEDIATE_IDS", "INTERMEDIATE_TASKS", "MULTITASK", "TARGET_TASKS", "Task",
           "intermediate", "target", "task"]


def target(task_id: str) -> Task:
    """Look up a target task, with a one-line error naming the unknown id."""
    if task_id not in TARGET_TASKS:
        raise UserError(f"unknown target task {task_id!r}; known: {', '.join(TARGET_TASKS)}")
    return TARGET_TASKS[task_id]


def intermediate(task_id: str) -> Task:
    """Look up an intermediate task, with a one-line error naming the unknown id."""
    if task_id not in INTERMEDIATE_TASKS:
        raise UserError(f"unknown intermediate task {task_id!r}; known: {', '.join(INTERMEDIATE_TASKS)}")
    return INTERMEDIATE_TASKS[task_id]


def task(task_id: str) -> Task:
    """An intermediate or a target task by id."""
    return INTERMEDIATE_TASKS.get(task_id) or target(task_id)
