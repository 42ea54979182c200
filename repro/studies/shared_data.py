"""What each data stage materializes. The paper's (`repro data`, prepared/<profile>/) writes the profile's own lists;
a study that reads more (targets, languages, training sources beyond the paper's) writes everything it reads in a
data stage of its own under its layout's data folder (the multilingual study's `ml-data`:
prepared/multilingual-<profile>/), so an edit of its section reruns its data and nothing of the paper's.

The smoke world is one world whichever stage writes it: each writes it for `world_languages` (the profile's
`languages` and `data.smoke.languages`, never a study's section), so the paper's pretrained encoder, which every
study fine-tunes, read the MLM corpus of every language a study may evaluate. ALONE says what each study reads when
it is materialized alone (`repro data --study S`, `repro fetch`, `repro doctor`).
"""

from __future__ import annotations

from repro.errors import UserError
from repro.registry import Registry

# study -> "module:function", the function (profile, section) -> Additions; a study's data stage imports its own
ALONE = Registry("study's own data", {"multilingual": "repro.studies.multilingual.data:additions",
                                    "code": "repro.studies.code.data:additions"}, deps=False)


class Additions:
    """A study's additions: `targets` it evaluates beyond the paper's, the `languages` it evaluates per target
    (a profile's `languages` plus its own), `sources` {(source, language or None): splits} it trains on."""

    def __init__(self, targets: list[str], languages: dict[str, list[str]],
                 sources: dict[tuple[str, str | None], tuple[str, ...]]):
        self.targets, self.languages, self.sources = targets, languages, sources


def merged(languages: dict[str, list[str]], more: dict[str, list[str]]) -> dict[str, list[str]]:
    """`languages` with the languages of `more` each task lacks, appended in their order (tasks of `languages`)."""
    return {task: langs + [lang for lang in more.get(task, []) if lang not in langs]
            for task, langs in languages.items()}


def world_languages(profile) -> dict[str, list[str]]:
    """The languages the smoke world writes per target task, whichever study's data stage writes it."""
    return merged(profile.languages, profile.data.smoke.languages)


def evaluated_languages(profile, additions: list[Additions]) -> dict[str, list[str]]:
    """Every language a data stage's study evaluates per target: the profile's `languages` and its additions'."""
    languages = profile.languages
    for extra in additions:
        languages = merged(languages, extra.languages)
    return languages


def outside_world(profile, languages: dict[str, list[str]]) -> str | None:
    """On a smoke profile, the first language of `languages` the smoke world lacks, as `task: lang`; else None."""
    if profile.data.origin != "smoke":
        return None
    world = world_languages(profile)
    return next((f"{task}: {lang}" for task, langs in languages.items() for lang in langs
                 if lang not in world.get(task, [])), None)


def planned_for(profile, study: str | None) -> tuple[bool, list[Additions]]:
    """What the data of `study` is: (whether the profile's own study lists, the paper's, are planned; the
    additions planned). None: the paper's data stage."""
    if study in (None, "paper"):
        return True, []
    have = ["paper", *(name for name in ALONE if profile.section(name))]
    if study not in have:
        raise UserError(f"--study {study}: the profile {profile.name} has no such study ({', '.join(have)})")
    return False, [ALONE[study](profile, profile.section(study))]
