"""The target phase's set: MBPP (google-research-datasets/mbpp, `full` config; Austin et al. 2021), English
descriptions of Python functions with their solution and three asserts, cast in HumanEval's prompt form so that
the target fine-tune teaches exactly what zero-shot evaluation asks: a signature and a docstring in, a body out.

An MBPP row (task_id, text, code, test_list, test_setup_code, challenge_test_list) becomes: the solution's lines
up to the `def` line of the function its first assert calls (imports and helpers before it kept), a docstring
holding the description and that assert, indented as the body is; the target is the rest of the solution.
"""

from __future__ import annotations

import re

DEF = re.compile(r"^def\s+(\w+)\s*\(")
INDENT = re.compile(r"^[ \t]+")


def cast(row: dict) -> tuple[str, str]:
    """(prompt, target) of one MBPP row; a solution without a `def` becomes a docstring-only prompt."""
    code = row["code"].replace("\r\n", "\n").rstrip() + "\n"
    test = row["test_list"][0].strip() if row["test_list"] else ""
    lines = code.splitlines(keepends=True)
    defs = [(i, m.group(1)) for i, line in enumerate(lines) if (m := DEF.match(line))]
    if not defs:
        return f'"""{row["text"].strip()}\n>>> {test}\n"""\n', code
    called = [(i, name) for i, name in defs if re.search(rf"\b{re.escape(name)}\s*\(", test)]
    index = (called or defs)[-1][0]
    while not lines[index].rstrip().endswith(":") and index + 1 < len(lines):  # a signature over several lines
        index += 1
    body = lines[index + 1:]
    indent = next((m.group(0) for line in body if (m := INDENT.match(line))), "    ")
    docstring = f'{indent}""" {row["text"].strip()}\n{indent}>>> {test}\n{indent}"""\n'
    return "".join(lines[:index + 1]) + docstring, "".join(body)
