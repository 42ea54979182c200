"""Task kinds: one module per kind, each owning everything that differs between kinds.

A trained kind's module has HEAD (the model family's head name), head_config(labels), encode(tokenizer,
examples, hp, labels) -> rows, decode(outputs, rows, examples, task, labels) -> predictions, gold(task,
examples, rows) (what the predictions of those rows are scored against), score(task, predictions, gold, lang,
scoring=None) -> {metric: value} (scoring: the profile's `params.Scoring`, None for the official rules),
submission(task, predictions, examples) and submission_gold(task, examples, lang) (the XTREME file contents);
TRAINED says whether a target of the kind is fine-tuned. Nothing outside this package asks which kind a task is:
a new kind is one module listed here.
"""

from __future__ import annotations

from types import ModuleType

from repro.kinds import classification, extractive_qa, multiple_choice, retrieval, tagging

KINDS: dict[str, ModuleType] = {"classification": classification, "multiple_choice": multiple_choice,
                                "extractive_qa": extractive_qa, "tagging": tagging, "retrieval": retrieval}


def of(task) -> ModuleType:
    """The module of a task's kind."""
    return KINDS[task.kind]
