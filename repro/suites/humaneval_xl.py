"""HumanEval-XL (FloatAI, Peng et al. 2024): 80 problems in 23 prompt languages x 12 programming languages, the
same problem parallel across prompt languages; scored by pass@k of the completions (`repro.execution`)."""

from __future__ import annotations

NAME = "humaneval-xl"
TITLE = "HumanEval-XL"
PROGRAMMING_LANGUAGES = ("python", "java", "javascript", "go", "csharp", "kotlin", "perl", "php", "ruby", "scala",
                         "swift", "typescript")
# the prompt languages, as the release's files name them
NATURAL_LANGUAGES = ("English", "Russian", "Chinese", "German", "Spanish", "French", "Italian", "Portuguese", "Greek",
                     "Hungarian", "Dutch", "Finnish", "Indonesian", "Turkish", "Arabic", "Vietnamese", "Bulgarian",
                     "Persian", "Malay", "Hebrew", "Estonian", "Tagalog", "Afrikaans")
FILE = "humaneval-xl/{language}/{natural}.jsonl"  # the release's <programming language>/<prompt language> layout


def file(programming: str, natural: str) -> str:
    """The problems file of one programming language in one prompt language."""
    return FILE.format(language=programming, natural=natural)
