"""The code study's NLU sources, read when it is materialized alone (`repro.studies.shared_data.ALONE`): the
training data its arms cast as text-to-text (its problems and articles come from its own `code-data` stage)."""

from __future__ import annotations

from repro.studies.code.params import SUMMARIZATION, TEXT_TASKS, TRANSLATED, translations_only
from repro.studies.shared_data import Additions
from repro.tasks.alternatives import TRANSLATIONS, extra_sources


def translated_sources(arm: str, languages: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(source, language) of the profile's translations an arm reads: all of its task's (`<task>+translated`), the
    listed ones (`<task>.<lang>...`), none otherwise (the code study's own, CNN/DailyMail's, are `code-data`'s)."""
    if arm in TRANSLATED:
        return extra_sources(arm, languages)
    only = translations_only(arm)
    return [] if only is None or only[0] not in TRANSLATIONS else [(TRANSLATIONS[only[0]][0], lang) for lang in only[1]]


def additions(profile, section) -> Additions:
    sources: dict[tuple[str, str | None], tuple[str, ...]] = {}
    for arm in section.trained_arms:
        for task in section.tasks_of(arm):  # English train and dev (a translations-only arm's dev is English)
            for source in (s for s in TEXT_TASKS.get(task, ()) if s != SUMMARIZATION):
                sources[(source, None)] = ("train", "validation")
        for source, lang in translated_sources(arm, profile.languages):
            sources[(source, lang)] = ("train",)
    return Additions([], {}, sources)
