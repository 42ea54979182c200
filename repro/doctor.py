"""`repro doctor`: what would stop a run in its first hour, checked before any training, one line per problem: every
input of the study present and verified offline (repro.data.fetch.verify), every local path set, and for the code
study the toolchains and the sandbox that run generated programs. (The GPU, disk and memory checks join here.)"""

from __future__ import annotations


def problems(profile, study: str | None = None) -> list[str]:
    """One line per problem (none: ready to run)."""
    from repro.data.fetch import verify

    found = verify(profile, study) if profile.data.origin == "hub" else []
    if profile.code is not None and study in (None, "code"):
        found += toolchains(profile.code)
    return found


def toolchains(code) -> list[str]:
    """The code study's languages whose toolchain is missing here, and a sandbox that does not work."""
    from repro.errors import UserError
    from repro.execution import missing
    from repro.execution.languages import language_of
    from repro.execution.sandbox import detect

    languages = dict.fromkeys([*code.benchmarks.humaneval_x, *map(language_of, code.benchmarks.humaneval_xl)])
    found = [reason for reason in map(missing, filter(None, languages)) if reason]
    try:
        detect()
    except UserError as exc:
        found.append(str(exc))
    return found
