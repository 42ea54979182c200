"""`repro doctor`: what would stop a run in its first hour, checked before any training, one line per problem: every
input of the study present and verified offline (repro.data.fetch.verify), every local path set, and what each study
checks of its own (its `problems`: the code study's toolchains and sandbox). (The GPU, disk and memory checks
join here.)"""

from __future__ import annotations


def problems(profile, study: str | None = None) -> list[str]:
    """One line per problem (none: ready to run)."""
    from repro.data.fetch import studies_of, verify

    found = verify(profile, study) if profile.data.origin == "hub" else []
    for module in studies_of(profile, study):
        found += module.problems(profile) if hasattr(module, "problems") else []
    return found


def notes(profile, study: str | None = None) -> list[str]:
    """Figures worth seeing before a run that are not problems (each study's `notes`: e.g. a stage's peak memory)."""
    from repro.data.fetch import studies_of

    return [line for module in studies_of(profile, study) if hasattr(module, "notes") for line in module.notes(profile)]
