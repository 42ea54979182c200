"""The closed expression language of a claim's `observe`: tokenizer, recursive-descent parser to a small AST,
evaluator (no Python eval).

Numbers, 'strings', bare words (read as strings: `mnli`, `xnli.de`), lists `[a, b]`, arithmetic `+ - * /`,
comparisons `< <= > >= == !=`, `and` / `or` / `not`, and calls of the functions in FUNCTIONS
(repro.report.expression_functions) only, with positional or `name=value` arguments. An expression that reads
numbers the run did not produce is "missing" (Missing), never a crash.
"""

from __future__ import annotations

import inspect
import math
import re
from typing import Any

from repro.errors import UserError
from repro.report.expression_functions import FUNCTIONS
from repro.report.study import Study


class ClaimsError(UserError):
    """A malformed claims file or expression (one line naming the claim)."""


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<num>\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+)
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<name>[A-Za-z_][A-Za-z0-9_.\-/]*)
    | (?P<op><=|>=|==|!=|[<>+\-*/(),=\[\]])
    )""", re.VERBOSE)
_KEYWORDS = {"and", "or", "not", "true", "false"}


def tokenize(text: str) -> list[tuple[str, Any]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ClaimsError(f"cannot read {text[pos:pos + 20]!r} in {text!r}")
        pos = match.end()
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "num":
            tokens.append(("num", float(value.replace("_", ""))))
        elif kind == "str":
            tokens.append(("str", value[1:-1]))
        elif kind == "name" and value in _KEYWORDS:
            tokens.append(("kw", value))
        elif kind == "name" and value.endswith("-"):  # "x-1": a name followed by minus
            tokens += [("name", value.rstrip("-")), ("op", "-")]
        else:
            tokens.append((kind, value))
    return tokens


class _Parser:
    """expr := or; or := and ('or' and)*; and := not ('and' not)*; not := 'not' not | cmp;
    cmp := sum (CMP sum)?; sum := term (('+'|'-') term)*; term := unary (('*'|'/') unary)*;
    unary := '-' unary | atom; atom := NUM | STR | true | false | NAME | NAME '(' args ')' | '(' expr ')' |
    '[' (expr (',' expr)*)? ']'; args := (arg (',' arg)*)?; arg := NAME '=' expr | expr."""

    def __init__(self, text: str):
        self.text, self.tokens, self.i = text, tokenize(text), 0

    def peek(self, offset: int = 0):
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else ("end", None)

    def take(self, kind: str | None = None, value: Any = None):
        token = self.peek()
        if (kind and token[0] != kind) or (value is not None and token[1] != value):
            want = value if value is not None else kind
            raise ClaimsError(f"expected {want!r} but found {token[1]!r} in {self.text!r}")
        self.i += 1
        return token

    def parse(self):
        node = self.or_()
        if self.peek()[0] != "end":
            raise ClaimsError(f"unexpected {self.peek()[1]!r} in {self.text!r}")
        return node

    def or_(self):
        node = self.and_()
        while self.peek() == ("kw", "or"):
            self.take()
            node = ("or", node, self.and_())
        return node

    def and_(self):
        node = self.not_()
        while self.peek() == ("kw", "and"):
            self.take()
            node = ("and", node, self.not_())
        return node

    def not_(self):
        if self.peek() == ("kw", "not"):
            self.take()
            return ("not", self.not_())
        return self.cmp()

    def cmp(self):
        node = self.sum()
        if self.peek()[0] == "op" and self.peek()[1] in ("<", "<=", ">", ">=", "==", "!="):
            op = self.take()[1]
            node = ("bin", op, node, self.sum())
        return node

    def sum(self):
        node = self.term()
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            node = ("bin", op, node, self.term())
        return node

    def term(self):
        node = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            node = ("bin", op, node, self.unary())
        return node

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        return self.atom()

    def atom(self):
        kind, value = self.peek()
        if kind == "num":
            self.take()
            return ("lit", value)
        if kind == "str":
            self.take()
            return ("lit", value)
        if kind == "kw" and value in ("true", "false"):
            self.take()
            return ("lit", value == "true")
        if kind == "op" and value == "(":
            self.take()
            node = self.or_()
            self.take("op", ")")
            return node
        if kind == "op" and value == "[":
            self.take()
            items = []
            while self.peek() != ("op", "]"):
                items.append(self.or_())
                if self.peek() != ("op", "]"):
                    self.take("op", ",")
            self.take("op", "]")
            return ("list", items)
        if kind == "name":
            self.take()
            if self.peek() == ("op", "("):
                return self.call(value)
            return ("lit", value)  # a bare word is a string: mnli, xnli.de
        raise ClaimsError(f"unexpected {value!r} in {self.text!r}")

    def call(self, fname: str):
        if fname not in FUNCTIONS:
            raise ClaimsError(f"unknown function {fname!r} in {self.text!r}; known: {', '.join(FUNCTIONS)}")
        self.take("op", "(")
        args, kwargs = [], {}
        while self.peek() != ("op", ")"):
            if self.peek()[0] == "name" and self.peek(1) == ("op", "="):
                key = self.take()[1]
                self.take("op", "=")
                if key in kwargs:
                    raise ClaimsError(f"{fname}: argument {key!r} given twice in {self.text!r}")
                kwargs[key] = self.or_()
            else:
                if kwargs:
                    raise ClaimsError(f"{fname}: positional argument after a keyword in {self.text!r}")
                args.append(self.or_())
            if self.peek() != ("op", ")"):
                self.take("op", ",")
        self.take("op", ")")
        try:  # arity and argument names are checked once, when the claims are loaded
            inspect.signature(FUNCTIONS[fname]).bind(None, *args, **kwargs)
        except TypeError as exc:
            raise ClaimsError(f"{fname}: {exc} in {self.text!r}") from None
        return ("call", fname, args, kwargs)


def parse(text: str):
    """Parse an expression to its AST (tuples); raises ClaimsError naming the problem."""
    if not isinstance(text, str) or not text.strip():
        raise ClaimsError(f"empty expression {text!r}")
    return _Parser(text).parse()


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
