"""The paper's English intermediate tasks (its Table 1, upper half)."""

from repro.tasks.labels import NLI_LABELS
from repro.tasks.task import Task

INTERMEDIATE_TASKS: dict[str, Task] = {t.id: t for t in [
    Task("anli_plus", "classification", "accuracy",
         train=("snli", "mnli", "anli_r1", "anli_r2", "anli_r3"), labels=NLI_LABELS),
    Task("mnli", "classification", "accuracy", train=("mnli",), labels=NLI_LABELS),
    Task("qqp", "classification", "accuracy", train=("qqp",), labels=("not_duplicate", "duplicate"),
         selection=("accuracy", "f1")),  # jiant selects QQP on (accuracy + F1) / 2
    Task("squad_v1", "extractive_qa", "squad", train=("squad_v1",)),
    Task("squad_v2", "extractive_qa", "squad", train=("squad_v2",), version_2=True),
    Task("hellaswag", "multiple_choice", "accuracy", train=("hellaswag",), num_choices=4),
    Task("cosmosqa", "multiple_choice", "accuracy", train=("cosmosqa",), num_choices=4),
    Task("commonsenseqa", "multiple_choice", "accuracy", train=("commonsenseqa",), num_choices=5),
    Task("ccg", "tagging", "accuracy", train=("ccg",), label_names_from_data=True),
]}
