"""The code study's NLU sources, read when it is materialized alone (`repro.studies.shared_data.ALONE`): the
training data its arms cast as text-to-text (its problems and articles come from its own `code-data` stage)."""

from __future__ import annotations

from repro.studies.code.params import SUMMARIZATION, TEXT_TASKS, TRANSLATED
from repro.studies.shared_data import Additions
from repro.tasks.alternatives import extra_sources


def additions(profile, section) -> Additions:
    sources: dict[tuple[str, str | None], tuple[str, ...]] = {}
    for arm in section.trained_arms:
        for task in section.tasks_of(arm):
            for source in (s for s in TEXT_TASKS.get(task, ()) if s != SUMMARIZATION):
                sources[(source, None)] = ("train", "validation")
        for source, lang in extra_sources(arm, profile.languages) if arm in TRANSLATED else ():
            sources[(source, lang)] = ("train",)
    return Additions([], {}, sources)
