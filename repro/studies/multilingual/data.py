"""The multilingual study's additions to the shared data stage (`repro.studies.shared_data`): its XTREME-R
targets and languages, each arm's English sources, translations and MLM text."""

from __future__ import annotations

from repro.studies.multilingual.arms import Arm, arm_sources
from repro.studies.shared_data import Additions
from repro.tasks import INTERMEDIATE_TASKS


def additions(profile, section) -> Additions:
    """What the study's arms train on and its targets evaluate, beyond the paper's."""
    sources: dict[tuple[str, str | None], tuple[str, ...]] = {}
    for arm in map(Arm.parse, section.arms):
        for source in (s for task in arm.tasks for s in INTERMEDIATE_TASKS[task].train):
            sources[(source, None)] = ("train", "validation")
        for source, lang in arm_sources(arm, section.languages):
            sources[(source, lang)] = ("train",)
    return Additions(section.targets, section.languages_of(profile.languages), sources)
