"""Benchmarks scored by running generated programs: each module holds NAME, TITLE, PROGRAMMING_LANGUAGES,
NATURAL_LANGUAGES (the prompt languages) and `file(programming, natural)`, its release layout; pass@k comes from
`repro.execution`. A new one is a module registered here."""

from __future__ import annotations

from types import ModuleType

from repro.registry import Registry

PROGRAM_SUITES = Registry("program suite", {"humaneval-x": "repro.suites.humaneval_x",
                                            "humaneval-xl": "repro.suites.humaneval_xl"})


def get(name: str) -> ModuleType:
    """A program suite by name, with a one-line error naming the unknown one."""
    return PROGRAM_SUITES[name]
