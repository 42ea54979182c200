"""From a raw generation to the completion that is run, as the anchors do it. Each rule names its source:
CodeGeeX = THUDM/CodeGeeX@2838420b `codegeex/benchmark/`, the HumanEval-X authors' harness; bigcode =
bigcode-project/bigcode-evaluation-harness@8fc5bae6 `bigcode_eval/tasks/`; HumanEval-XL =
FloatAI/humaneval-xl@ad93b7c7 `mxeval/mxeval/execution.py` (it runs `prompt + completion + test` as given, L492:
no post-processing of its own).

1. The model reads the prompt as released (CodeGeeX humaneval-x/generate_humaneval_x.py L311; bigcode's
   `humaneval-unstripped`, humaneval.py L27-32), or stripped of surrounding whitespace where
   `generation.strip_prompt` asks (bigcode's `humaneval`, humaneval.py L64-67 and humanevalpack.py L250-263: for
   a tokenizer that joins a newline to the indentation after it). Qwen2's pre-tokenizer joins a newline to the
   punctuation before it (a docstring's closing quotes and their newline are one token, as are `){` and its
   newline: repro.models.decoder.QWEN2_SPLIT), so a stripped prompt ends at a token the model never saw end
   there: the study's default is the released prompt. The completion stored always continues the release's
   prompt (HumanEval's samples.jsonl convention): after a stripped prompt, `decode` drops the whitespace the model re-emits where the stripped tail was.
2. Generation stops at the language's stop sequences (`LANGUAGES[...].stop`; sources beside each in
   languages.py), and the text is cut at the first of them again here (bigcode humanevalpack.py L299-301).
3. Python keeps the lines up to the first non-empty line that is not indented (CodeGeeX
   humaneval-x/evaluate_humaneval_x.py L40-45, bigcode humanevalpack.py L304-307).
4. Brace languages end at the last `}` that closes a top-level block (CodeGeeX utils.py L181-188:
   `code[:code.rfind('}')] + '}'`, which keeps helper functions written after the prompt's function, as
   HumanEval-X's own Go/72 and Rust/10, 38, 50, 137 canonical solutions need). Our reading of "last `}`" counts
   braces outside comments, strings and character literals, so an unfinished block after the last complete one
   (the token limit) and a stray `}` that would close more than the prompt opened are dropped. Not taken:
   bigcode's cut at the *first* brace closing the prompt's function (humanevalpack.py L308-319), which drops
   those helpers, and CodeGeeX's Go stop "\\n//" (utils.py L177), which drops a helper preceded by a comment.
5. Python programs of HumanEval-X get CodeGeeX's import header (utils.py L6-24, prepended by
   evaluate_humaneval_x.py L46-47; bigcode humanevalpack.py L394-398): `repro.execution.assemble.PYTHON_HEADER`.
   HumanEval-XL's harness adds none (mxeval execution.py L594-600).
"""

from __future__ import annotations

import re

from repro.execution.languages import LANGUAGES, generation_prompt

_COMMENT = r"//[^\n]*|/\*.*?\*/"
_STRING = r'"(?:\\.|[^"\\\n])*"'
_CHAR = r"'(?:\\[^'\n]{1,10}|[^'\\\n])'"          # a character literal; Rust's lifetime 'a matches nothing
_BACKTICK = r"`(?:\\.|[^`\\])*`"                    # JS template literals, Go raw strings
_LITERALS = {"cpp": (_COMMENT, _STRING, _CHAR), "java": (_COMMENT, _STRING, _CHAR),
             "rust": (_COMMENT, _STRING, _CHAR), "go": (_COMMENT, _STRING, _CHAR, _BACKTICK),
             "js": (_COMMENT, _STRING, r"'(?:\\.|[^'\\\n])*'", _BACKTICK)}
_BRACES = {lang: re.compile("|".join(f"(?:{p})" for p in patterns) + r"|(?P<brace>[{}])", re.S)
           for lang, patterns in _LITERALS.items()}


def model_prompt(problem, strip: bool = False) -> str:
    """What the model reads: the text a completion continues, stripped where asked (rule 1)."""
    text = generation_prompt(problem)
    return text.strip() if strip else text


def _braces(language: str, text: str):
    """(index, +1 | -1) of each brace outside comments, strings and character literals."""
    for match in _BRACES[language].finditer(text):
        if match.group("brace"):
            yield match.start(), 1 if match.group("brace") == "{" else -1


def _open_blocks(language: str, text: str) -> int:
    return sum(step for _, step in _braces(language, text))


def truncate(problem, completion: str) -> str:
    """The completion (continuing `generation_prompt(problem)`) cut where the code ends: Python at its first
    unindented line (rule 3), brace languages after the last brace closing a top-level block (rule 4)."""
    language = problem.language
    if language == "python":
        lines = completion.split("\n")
        end = next((i for i, line in enumerate(lines) if line.strip() and line[0] not in " \t"), len(lines))
        return "\n".join(lines[:end])
    depth = _open_blocks(language, generation_prompt(problem))
    end = None
    for index, step in _braces(language, completion):
        depth += step
        if depth < 0:
            break
        if depth == 0:
            end = index + 1
    return completion if end is None else completion[:end]


def _rebase(problem, raw: str) -> str:
    """A generation continuing `model_prompt` as a completion of `generation_prompt` (rule 1): the stripped
    whitespace, where the model re-emits it, is the release prompt's own."""
    text = generation_prompt(problem)
    tail = text[len(text.rstrip()):]
    same = 0
    while same < min(len(tail), len(raw)) and tail[same] == raw[same]:
        same += 1
    return raw[same:]


def decode(problem, raw: str, stripped: bool = False) -> str:
    """The completion run for a raw generation (of `model_prompt(problem, stripped)`): rebased on the release prompt,
    cut at the first stop sequence (rule 2), then where the code ends (rules 3, 4); trailing whitespace dropped
    (bigcode humanevalpack.py L343)."""
    raw = _rebase(problem, raw) if stripped else raw
    cut = min((i for i in (raw.find(s) for s in LANGUAGES[problem.language].stop) if i >= 0), default=len(raw))
    return truncate(problem, raw[:cut]).rstrip()
