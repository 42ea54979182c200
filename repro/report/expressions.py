"""The closed expression language of a claim's `observe`: Python's own `ast` parses it, a node whitelist keeps
it closed and turns it into a small tuple tree, and `evaluate` walks that tree (no Python eval).

Numbers (all floats), 'strings', bare words (read as strings: `mnli`, `xnli.de`; quote a word with `-` or `/`),
`true` / `false`, lists `[a, b]`, arithmetic `+ - * /`, unary minus, one comparison `< <= > >= == !=`,
`and` / `or` / `not`, and calls of the functions in FUNCTIONS (repro.report.expression_functions) only, with
positional or `name=value` arguments. Anything else (attributes of values, subscripts, lambdas, comprehensions,
`**`, chained comparisons, Python's True/None, dunder names) is refused when the claims are loaded. An
expression that reads numbers the run did not produce is "missing" (Missing), never a crash.
"""

from __future__ import annotations

import ast
import inspect
import math
from typing import Any

from repro.errors import UserError
from repro.report.expression_functions import FUNCTIONS
from repro.report.study import Study


class ClaimsError(UserError):
    """A malformed claims file or expression (one line naming the claim)."""


_ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_COMPARISONS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_BOOLEANS = {ast.And: "and", ast.Or: "or"}
_LITERAL_WORDS = {"true": True, "false": False}
_NAMED = {ast.Lambda: "lambda", ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
          ast.DictComp: "a comprehension", ast.GeneratorExp: "a comprehension", ast.Subscript: "a subscript",
          ast.Attribute: "attribute access", ast.IfExp: "a conditional expression", ast.Tuple: "a tuple",
          ast.Dict: "a dict", ast.Set: "a set", ast.Starred: "unpacking", ast.JoinedStr: "an f-string",
          ast.NamedExpr: "an assignment (:=)", ast.Await: "await"}


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _refuse(node: ast.AST, what: str | None = None) -> ClaimsError:
    text = _clip(ast.unparse(node))
    what = what or _NAMED.get(type(node)) or type(node).__name__
    return ClaimsError(f"{what} `{text}` is outside the claims language")


def _word(node: ast.AST) -> str | None:
    """A bare word (`mnli`, `xnli.de`): a name or a dotted chain of names; None for anything else."""
    if isinstance(node, ast.Attribute):
        base = _word(node.value)
        parts = None if base is None else f"{base}.{node.attr}"
    else:
        parts = node.id if isinstance(node, ast.Name) else None
    if parts is not None and any(part.startswith("__") for part in parts.split(".")):
        raise _refuse(node, "the dunder name")
    return parts


def _convert(node: ast.AST):
    """A whitelisted Python expression node as the tuple tree `evaluate` walks; ClaimsError for the rest."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return ("lit", float(node.value))
        if isinstance(node.value, str):
            return ("lit", node.value)
        raise _refuse(node, "the Python constant (write true/false)" if isinstance(node.value, bool)
                      else "the Python constant")
    if isinstance(node, (ast.Name, ast.Attribute)) and (word := _word(node)) is not None:
        return ("lit", _LITERAL_WORDS.get(word, word))
    if isinstance(node, ast.List):
        return ("list", [_convert(item) for item in node.elts])
    if isinstance(node, ast.Call):
        return _call(node)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        return ("neg" if isinstance(node.op, ast.USub) else "not", _convert(node.operand))
    if isinstance(node, ast.BoolOp) and type(node.op) in _BOOLEANS:
        tree = _convert(node.values[0])
        for value in node.values[1:]:  # left to right, as `a or b or c` reads
            tree = (_BOOLEANS[type(node.op)], tree, _convert(value))
        return tree
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        return ("bin", _ARITHMETIC[type(node.op)], _convert(node.left), _convert(node.right))
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARISONS:
        return ("bin", _COMPARISONS[type(node.ops[0])], _convert(node.left), _convert(node.comparators[0]))
    if isinstance(node, ast.Compare) and len(node.ops) > 1:
        raise _refuse(node, "the chained comparison")
    if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare)):
        raise _refuse(node, "the operator in")
    raise _refuse(node)


def _call(node: ast.Call):
    fname = node.func.id if isinstance(node.func, ast.Name) else None
    if fname is None:
        raise _refuse(node, "the call of a non-function in")
    if fname not in FUNCTIONS:
        raise ClaimsError(f"unknown function {fname!r}; known: {', '.join(FUNCTIONS)}")
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        raise _refuse(node, "unpacking (* or **) in")
    names = [k.arg for k in node.keywords]
    if twice := sorted({name for name in names if names.count(name) > 1}):
        raise ClaimsError(f"{fname}: argument {twice[0]!r} given twice")
    args = [_convert(a) for a in node.args]
    kwargs = {k.arg: _convert(k.value) for k in node.keywords}
    try:  # arity and argument names are checked once, when the claims are loaded
        inspect.signature(FUNCTIONS[fname]).bind(None, *args, **kwargs)
    except TypeError as exc:
        raise ClaimsError(f"{fname}: {exc}") from None
    return ("call", fname, args, kwargs)


def parse(text: str):
    """Parse an expression to its AST (tuples); raises ClaimsError naming the problem."""
    if not isinstance(text, str) or not text.strip():
        raise ClaimsError(f"empty expression {text!r}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError) as exc:
        raise ClaimsError(f"cannot read {_clip(text, 80)!r}: {getattr(exc, 'msg', exc)}") from None
    except (RecursionError, MemoryError):  # CPython's parser stack overflow
        raise ClaimsError(f"expression nested too deeply: {_clip(text)!r}") from None
    try:
        return _convert(tree.body)
    except ClaimsError as exc:
        raise ClaimsError(f"{exc} (in {_clip(text, 80)!r})") from None
    except RecursionError:
        raise ClaimsError(f"expression nested too deeply: {_clip(text)!r}") from None


def evaluate(node, study: Study) -> Any:
    """Evaluate a parsed expression; raises Missing for numbers the run did not produce."""
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "list":
        return [evaluate(item, study) for item in node[1]]
    if kind == "call":
        _, fname, args, kwargs = node
        return FUNCTIONS[fname](study, *[evaluate(a, study) for a in args],
                                **{k: evaluate(v, study) for k, v in kwargs.items()})
    if kind == "neg":
        return -as_number(evaluate(node[1], study))
    if kind == "not":
        return not _bool(evaluate(node[1], study))
    if kind in ("and", "or"):
        left = _bool(evaluate(node[1], study))
        if kind == "and" and not left:
            return False
        if kind == "or" and left:
            return True
        return _bool(evaluate(node[2], study))
    if kind == "bin":
        _, op, a, b = node
        x, y = evaluate(a, study), evaluate(b, study)
        if op in ("==", "!="):
            same = math.isclose(x, y, abs_tol=1e-9) if is_number(x) and is_number(y) else x == y
            return same if op == "==" else not same
        x, y = as_number(x), as_number(y)
        if op == "/" and y == 0:
            raise ZeroDivisionError(f"division by zero in {node!r}")
        return {"+": x + y, "-": x - y, "*": x * y, "/": x / y if y else math.nan, "<": x < y, "<=": x <= y,
                ">": x > y, ">=": x >= y}[op]
    raise ClaimsError(f"unknown node {kind!r}")


def is_number(x) -> bool:
    """An int or float, not a bool."""
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def as_number(x) -> float:
    """x as a float; TypeError when it is not a number."""
    if not is_number(x):
        raise TypeError(f"expected a number, got {x!r}")
    return float(x)


def _bool(x) -> bool:
    if not isinstance(x, bool):
        raise TypeError(f"expected true/false, got {x!r}")
    return x


def calls(node) -> list[str]:
    """The functions an expression calls (what it reads), in order of appearance, each once."""
    found: list[str] = []

    def walk(n):
        if not isinstance(n, tuple):
            return
        if n[0] == "call":
            if n[1] not in found:
                found.append(n[1])
            for a in n[2]:
                walk(a)
            for v in n[3].values():
                walk(v)
        elif n[0] == "list":
            for item in n[1]:
                walk(item)
        else:
            for child in n[1:]:
                walk(child)

    walk(node)
    return found
