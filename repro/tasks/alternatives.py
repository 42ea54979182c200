"""Intermediate tasks trained other than on English alone.

Table 4: an alternative is an intermediate task trained another way, its encoder named "<task>+<variant>".

  mlm         + multilingual masked-LM batches (multi-task, an MLM head on `multilingual_text`)
  translated  + the task's training data machine-translated into the languages of the target it feeds

The translations and the MLM text are also what the multilingual study's arms add to English
(repro/studies/multilingual/arms.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from repro.errors import UserError
from repro.tasks.intermediate import INTERMEDIATE_TASKS

VARIANTS = ("mlm", "translated")
TRANSLATIONS = {"mnli": ("mnli_translated", "xnli"), "squad_v1": ("squad_v1_translated", "xquad")}
MLM_TEXT = "multilingual_text"
MLM_LANGUAGES_OF = ("xnli", "xquad")  # the MLM text covers these targets' non-English languages


@dataclass(frozen=True)
class Alternative:
    id: str  # e.g. "mnli+translated"
    task: str
    variant: str

    @staticmethod
    def parse(encoder_id: str) -> "Alternative | None":
        """The alternative an encoder id names, None for a plain one (none, a task, multitask); ValueError when
        it names an unknown task or variant, or a translation that does not exist."""
        if "+" not in encoder_id:
            return None
        task, variant = encoder_id.split("+", 1)
        if task not in INTERMEDIATE_TASKS:
            raise UserError(f"{encoder_id}: unknown intermediate task {task!r}")
        if variant not in VARIANTS:
            raise UserError(f"{encoder_id}: unknown variant {variant!r}; known: {', '.join(VARIANTS)}")
        if variant == "translated" and task not in TRANSLATIONS:
            raise UserError(f"{encoder_id}: no translated data for {task}; known: {', '.join(TRANSLATIONS)}")
        return Alternative(encoder_id, task, variant)


def extra_sources(encoder_id: str, languages: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(source, language) of the training data an alternative adds: the translations into its target's
    languages, or the multilingual MLM text."""
    alternative = Alternative.parse(encoder_id)
    if alternative.variant == "translated":
        source, target = TRANSLATIONS[alternative.task]
        return [(source, lang) for lang in languages[target] if lang != "en"]
    return [(MLM_TEXT, lang) for lang in mlm_languages(languages)]


def mlm_languages(languages: dict[str, list[str]]) -> list[str]:
    """The languages of the multilingual MLM text: the non-English languages of MLM_LANGUAGES_OF's targets."""
    return list(dict.fromkeys(lang for t in MLM_LANGUAGES_OF for lang in languages[t] if lang != "en"))
