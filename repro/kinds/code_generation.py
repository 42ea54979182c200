"""Code generation (HumanEval-X, HumanEval-XL): the prompt a completion continues, where generation stops, and
the decode of a raw generation into a completion; scored by execution (`repro.execution`, never torch).

Prompts, stop sequences and truncation are the execution side's (`repro.execution.languages`: the releases' own
conventions), so what is generated is exactly what is run. A completion is cut at the first stop sequence in
every language (the model may run on past the function) and then where the function closes.
"""

from __future__ import annotations

from typing import Sequence

from repro.execution import LANGUAGES, Problem, generation_prompt, truncate


def prompts(problems: Sequence[Problem]) -> list[str]:
    return [generation_prompt(problem) for problem in problems]


def stop_sequences(language: str) -> tuple[str, ...]:
    """The stop sequences of a programming language (a key of `repro.execution.LANGUAGES`)."""
    return LANGUAGES[language].stop


def decode(problem: Problem, raw: str) -> str:
    """The completion of a raw generation: cut at its first stop sequence, then where the function ends."""
    cut = min((i for i in (raw.find(s) for s in stop_sequences(problem.language)) if i >= 0), default=len(raw))
    return truncate(problem, raw[:cut])
