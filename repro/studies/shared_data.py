"""What a study adds to the profile's shared data stage (`repro data`): targets, languages and training sources
beyond the paper's, materialized under data/<profile>/ with the rest.

Until each study materializes its own sources in a stage of its own, the data stage runs this code, so its DVC
deps name it: ADDITIONS is followed (`repro dvc-deps`). A study without additions is not listed there. ALONE says
what each study reads when it is materialized alone (`repro data --study S`, `repro fetch`, `repro doctor`); the
shared data stage never asks it.
"""

from __future__ import annotations

from repro.errors import UserError
from repro.registry import Registry

# study -> "module:function", the function (profile, section) -> Additions
ADDITIONS = Registry("study's data additions", {"multilingual": "repro.studies.multilingual.data:additions"})
ALONE = Registry("study's own data", {"multilingual": "repro.studies.multilingual.data:additions",
                                      "code": "repro.studies.code.data:additions"}, deps=False)


class Additions:
    """A study's additions: `targets` it evaluates beyond the paper's, the `languages` it evaluates per target
    (a profile's `languages` plus its own), `sources` {(source, language or None): splits} it trains on."""

    def __init__(self, targets: list[str], languages: dict[str, list[str]],
                 sources: dict[tuple[str, str | None], tuple[str, ...]]):
        self.targets, self.languages, self.sources = targets, languages, sources


def additions(profile) -> list[Additions]:
    """The additions of every study whose section the profile has."""
    return [ADDITIONS[name](profile, profile.section(name)) for name in ADDITIONS if profile.section(name)]


def evaluated_languages(profile) -> dict[str, list[str]]:
    """Every language a study of the profile evaluates per target: `languages`, and what the studies add."""
    languages = profile.languages
    for extra in additions(profile):
        languages = {task: langs + [lang for lang in extra.languages.get(task, []) if lang not in langs]
                     for task, langs in languages.items()}
    return languages


def planned_for(profile, study: str | None) -> tuple[bool, list[Additions]]:
    """What the data of `study` is: (whether the profile's own study lists, the paper's, are planned; the
    additions planned). None: the shared data stage (the paper's lists and every study's additions)."""
    if study is None:
        return True, additions(profile)
    have = ["paper", *(name for name in ALONE if profile.section(name))]
    if study not in have:
        raise UserError(f"--study {study}: the profile {profile.name} has no such study ({', '.join(have)})")
    return study == "paper", [ALONE[study](profile, profile.section(study))] if study != "paper" else []
