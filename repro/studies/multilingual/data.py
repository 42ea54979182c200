"""What the multilingual study's data stage (`ml-data`, `repro.studies.shared_data`) writes: its targets in its
languages (XTREME-R's too), each arm's English sources, translations and MLM text. The data stage runs this module,
not the study's schema (params.py): the section's values are read here, and the two rules the schema shares
(`targets`, `languages_of`) live here, so an edit of the schema reruns no data."""

from __future__ import annotations

from repro.errors import UserError
from repro.studies.multilingual.arms import Arm, arm_languages, arm_sources
from repro.studies.shared_data import Additions, outside_world
from repro.tasks import INTERMEDIATE_TASKS


def targets(section) -> list[str]:
    """Every target of the study: trained, evaluated with each run's SQuAD fine-tune, dual encoders."""
    return section.trained_targets + section.squad_targets + section.dual_encoder_targets


def languages_of(section, languages: dict[str, list[str]]) -> dict[str, list[str]]:
    """A profile's `languages` with the XTREME-R languages the study adds (what its stages evaluate)."""
    return {task: langs + [lang for lang in section.xtreme_r_languages.get(task, []) if lang not in langs]
            for task, langs in languages.items()}


def additions(profile, section) -> Additions:
    """What the study's arms train on and its targets evaluate, beyond the paper's; on a smoke profile, one line
    for an XTREME-R language the smoke world lacks (the pretrained encoder's corpus would not cover it)."""
    missing = outside_world(profile, section.xtreme_r_languages)
    if missing:
        raise UserError(f"multilingual.xtreme_r_languages.{missing}: not in the smoke world; add it to "
                        f"profiles.{profile.name}.data.smoke.languages too")
    sources: dict[tuple[str, str | None], tuple[str, ...]] = {}
    for arm in map(Arm.parse, section.arms):
        for source in (s for task in arm.tasks for s in INTERMEDIATE_TASKS[task].train):
            sources[(source, None)] = ("train", "validation")
        named = {name: chosen.languages for name, chosen in section.language_sets.items()}
        for source, lang in arm_sources(arm, arm_languages(arm, section.languages, named)):
            sources[(source, lang)] = ("train",)
    return Additions(targets(section), languages_of(section, profile.languages), sources)
