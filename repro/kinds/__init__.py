"""Task kinds: one module per kind, each owning everything that differs between kinds.

A trained kind's module has HEAD (the model family's head name), head_config(labels), encode(tokenizer,
examples, hp, labels) -> rows, decode(outputs, rows, examples, task, labels) -> predictions, gold(task,
examples, rows) (what the predictions of those rows are scored against), score(task, predictions, gold, lang,
scoring=None) -> {metric: value} (scoring: the profile's `params.Scoring`, None for the official rules),
submission(task, predictions, examples) and submission_gold(task, examples, lang) (the XTREME file contents);
TRAINED says whether a target of the kind is fine-tuned. A kind whose gold of one language needs the others (the
dual encoder's LAReQA: relevant sentences in every language) has pooled_gold(task, examples_by_lang) instead of
submission_gold (`submission_golds` asks for either). Nothing outside this package asks which kind a task is: a
new kind is one module registered here (imported on first use, so a stage's DVC deps list only the kinds it can
run). The decoder's kinds (text_to_text: an example as prompt and target text; code_generation: completions run
against tests) have no task entry to dispatch on: the stages that run them import them directly, which keeps the
sandbox out of every encoder stage's deps.
"""

from __future__ import annotations

from types import ModuleType
from typing import Sequence

from repro.registry import Registry

KINDS = Registry("task kind", {
    "classification": "repro.kinds.classification", "multiple_choice": "repro.kinds.multiple_choice",
    "extractive_qa": "repro.kinds.extractive_qa", "tagging": "repro.kinds.tagging",
    "retrieval": "repro.kinds.retrieval", "dual_encoder": "repro.kinds.dual_encoder",
})


def of(task) -> ModuleType:
    """The module of a task's kind."""
    return KINDS[task.kind]


def submission_golds(task, examples_by_lang: dict[str, Sequence[dict]]) -> dict:
    """{lang: the gold file contents of the submission layout} for the evaluated languages of a target."""
    kind = of(task)
    if hasattr(kind, "pooled_gold"):
        return kind.pooled_gold(task, examples_by_lang)
    return {lang: kind.submission_gold(task, examples, lang) for lang, examples in examples_by_lang.items()}
