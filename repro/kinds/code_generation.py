"""Code generation (HumanEval-X, HumanEval-XL): the prompt a completion continues, where generation stops, and
the decode of a raw generation into a completion; scored by execution (`repro.execution`, never torch).

Prompts, stop sequences and post-processing are the execution side's (`repro.execution.postprocess`: the
anchors' rules, each with its upstream file and line), so what is generated is exactly what is run.
"""

from __future__ import annotations

from typing import Sequence

from repro.execution import LANGUAGES, Problem, model_prompt
from repro.execution.postprocess import decode as _decode


def prompts(problems: Sequence[Problem], strip: bool = False) -> list[str]:
    """What the model reads: each problem's prompt, as released or stripped (`repro.execution.postprocess`)."""
    return [model_prompt(problem, strip) for problem in problems]


def stop_sequences(language: str) -> tuple[str, ...]:
    """The stop sequences of a programming language (a key of `repro.execution.LANGUAGES`)."""
    return LANGUAGES[language].stop


def decode(problem: Problem, raw: str, stripped: bool = False) -> str:
    """The completion (continuing the release prompt) of a raw generation of the prompt, `stripped` or not: cut
    at its first stop sequence, then where the code ends."""
    return _decode(problem, raw, stripped)
