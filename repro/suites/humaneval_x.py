"""HumanEval-X (THUDM/CodeGeeX, Zheng et al. 2023): HumanEval's 164 problems in six programming languages, English
prompts; scored by pass@k of the completions run against each problem's tests (`repro.execution`)."""

from __future__ import annotations

NAME = "humaneval-x"
TITLE = "HumanEval-X"
PROGRAMMING_LANGUAGES = ("python", "cpp", "java", "js", "go", "rust")
NATURAL_LANGUAGES = ("English",)
FILE = "humaneval-x/humaneval_{language}.jsonl"  # CodeGeeX's file names (codegeex/benchmark/humaneval-x/<lang>/data)


def file(programming: str, natural: str = "English") -> str:
    """The problems file of one programming language, relative to the code study's data folder."""
    return FILE.format(language=programming)
