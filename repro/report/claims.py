"""Check the paper's claims (claims.yaml) against a run's metrics.json: `repro verify`.

Each claim has an `observe` expression in a small, closed expression language, evaluated by this module
(no Python eval): numbers, 'strings', bare words (read as strings: `mnli`, `xnli.de`), lists `[a, b]`,
arithmetic `+ - * /`, comparisons `< <= > >= == !=`, `and` / `or` / `not`, and calls of the functions in
FUNCTIONS only, with positional or `name=value` arguments:

    score(target=tydiqa, intermediate=squad_v2)   dev task score of one row (accuracy; F1; QA (EM + F1) / 2)
    delta(intermediate=squad_v2)                  mean over the 9 targets of score - baseline score
    best(target=xnli)                             dev score of the best intermediate model for a target
    xtreme_best()                                 XTREME score (9-task mean) of the best model per target
    dataset_rows(mnli, train)                     rows of a prepared split (data manifest)
    model()                                       the run's pretrained model id
    ...                                           (see FUNCTIONS for all, each documented)

An expression that reads numbers the run did not produce is "missing", never a crash. The observed value is
then compared with `expected` (`compare`: approx (|observed - expected| <= tolerance), eq, ne, ge, gt, le, lt,
in). Status: pass | fail | missing | error (an expression that cannot be evaluated, e.g. a type mistake).

Needs only metrics.json (plus, optionally, alternatives.json next to it and the data manifest; the manifest's
row counts are also in metrics.json's provenance). Fast: no torch, no datasets.
"""

from __future__ import annotations

import inspect
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from repro.report import published
from repro.report.tables import BASELINE, MULTITASK, TARGET_ORDER, Study

STATUSES = ("pass", "fail", "missing", "error")
COMPARES = ("approx", "eq", "ne", "ge", "gt", "le", "lt", "in")
DEFAULT_CLAIMS = Path(__file__).resolve().parents[2] / "claims.yaml"
RETRIEVAL = ("bucc2018", "tatoeba")


class ClaimsError(ValueError):
    """A malformed claims file or expression (one line naming the claim)."""


class Missing(Exception):
    """The expression reads a number the run did not produce."""


# ---------------------------------------------------------------------------------------------------------
# The functions an expression may call. Each takes the Study first; raise Missing for absent numbers.


def _need(value, what: str):
    if value is None:
        raise Missing(what)
    return value


def f_score(s: Study, target: str, intermediate: str = BASELINE, metric: str | None = None,
            variant: str | None = None) -> float:
    """Dev task score of one (intermediate, target) row; `metric` = the language mean of that metric instead."""
    return _need(s.score(target, intermediate, variant, metric=metric), f"score({intermediate}, {target})")


def f_delta(s: Study, intermediate: str, target: str | None = None) -> float:
    """score - baseline score for one target; without a target, the mean over all 9 targets (Table 2's Avg)."""
    if target is not None:
        return _need(s.delta(target, intermediate), f"delta({intermediate}, {target})")
    absent = [t for t in TARGET_ORDER if s.delta(t, intermediate) is None]
    if absent:
        raise Missing(f"delta({intermediate}): no {intermediate} or baseline results for {', '.join(absent)}")
    return s.avg_delta(intermediate)[0]


def f_top_delta(s: Study, exclude: list | str | None = None) -> float:
    """The largest delta(intermediate) (9-target mean) among the intermediate rows not excluded."""
    excluded = {BASELINE, *([exclude] if isinstance(exclude, str) else exclude or [])}
    values = []
    for inter in s.intermediates():
        if inter in excluded:
            continue
        try:
            values.append(f_delta(s, inter))
        except Missing:
            continue
    return _need(max(values, default=None), "top_delta: no intermediate row covers all 9 targets")


def f_best(s: Study, target: str, metric: str | None = None) -> float:
    """Dev task score of the best intermediate model for a target (picked by task score, as the paper);
    with `metric`, that model's language mean of the metric."""
    best = _need(s.best(target), f"best({target}): no intermediate results")
    if metric is None:
        return best[1]
    return _need(s.score(target, best[0], metric=metric), f"best({target}, {metric})")


def f_best_intermediate(s: Study, target: str) -> str:
    """Which intermediate model is best for a target."""
    return _need(s.best(target), f"best({target}): no intermediate results")[0]


def f_improved(s: Study, target: str, over: str = BASELINE, margin: float = 0.0) -> float:
    """How many intermediate models (every row but the baseline) beat `over` on a target by more than margin."""
    if s.score(target, over) is None:
        raise Missing(f"improved({target}): no {over} results")
    deltas = [d for i in s.candidates() if i != over and (d := s.delta(target, i, over)) is not None]
    if not deltas:
        raise Missing(f"improved({target}): no intermediate results")
    return float(sum(d > margin for d in deltas))


def f_xtreme(s: Study, intermediate: str = BASELINE, group: str | None = None) -> float:
    """XTREME score (mean of the 9 task scores) of one row, or one group's mean (classification, tagging,
    qa, retrieval)."""
    overall = s.xtreme(s.row_scores(intermediate))
    return _need(overall.get(group or "all_task"), f"xtreme({intermediate}): not every target has results")


def f_xtreme_best(s: Study, group: str | None = None) -> float:
    """XTREME score of the best intermediate model per target (Table 3)."""
    overall = s.xtreme(s.best_scores())
    return _need(overall.get(group or "all_task"), "xtreme_best(): not every target has results")


def f_alt_delta(s: Study, variant: str, reference: str = "english") -> float:
    """Mean over (intermediate, target) pairs of score(variant) - score(reference) (alternatives.json)."""
    mean, _n = s.alt_delta(variant, reference)
    return _need(mean, f"alt_delta({variant}): no {variant} and {reference} runs of the same pair "
                       "(alternatives.json)")


def f_count(s: Study, intermediate: str | None = None, target: str | None = None, language: str | None = None,
            metric: str | None = None) -> float:
    """Number of metrics.json result rows matching the given fields."""
    where = {k: v for k, v in dict(intermediate=intermediate, target=target, language=language,
                                   metric=metric).items() if v is not None}
    return float(s.count(**where))


def f_n_intermediates(s: Study) -> float:
    """Distinct intermediate tasks with results (not the baseline, not multi-task)."""
    return float(len([i for i in s.intermediates() if i not in (BASELINE, MULTITASK)]))


def f_n_targets(s: Study) -> float:
    """Distinct target tasks with results."""
    return float(len(s.targets()))


def f_n_languages(s: Study, target: str | None = None) -> float:
    """Languages evaluated for a target; without one, the largest number over the targets."""
    if target is not None:
        return float(len(s.languages(target)))
    return float(max((len(s.languages(t)) for t in s.targets()), default=0))


def f_phases(s: Study) -> float:
    """How many of the three phases the results show: (i) the pretrained MLM evaluated as is (baseline rows),
    (ii) intermediate-task training (rows of another encoder), (iii) target fine-tuning (rows of a target
    other than the retrieval tasks, which are evaluated without fine-tuning)."""
    inters = s.intermediates()
    return float((BASELINE in inters) + any(i != BASELINE for i in inters)
                 + any(t not in RETRIEVAL for t in s.targets()))


def f_dataset_rows(s: Study, key: str, split: str) -> float:
    """Rows of a prepared split as materialized (data manifest, or metrics.json provenance.data)."""
    return float(_need(s.dataset_rows(key, split), f"dataset_rows({key}, {split}): not in the data manifest"))


def f_dataset_examples(s: Study, key: str, split: str) -> float:
    """Examples a task reads from a split: the manifest's `examples` if recorded, else rows - `dropped`,
    else rows (SNLI ships rows without a gold label that are dropped at read time)."""
    examples = s.dataset_rows(key, split, "examples")
    if examples is not None:
        return float(examples)
    rows = f_dataset_rows(s, key, split)
    return rows - float(s.dataset_rows(key, split, "dropped") or 0)


def f_model(s: Study) -> str:
    """The pretrained model of the run (Hub id, or "pretrained here (...)")."""
    if not s.provenance.get("model"):
        raise Missing("model(): metrics.json has no provenance.model")
    return s.model()


def f_published(s: Study, model: str, target: str, metric: str = "score", source: str | None = None) -> float:
    """A published (test) number from repro.published (model xstilts | xlmr)."""
    return _need(published.value(model, target, metric, source), f"published({model}, {target}, {metric})")


def _numbers(values) -> list[float]:
    flat = []
    for v in values:
        flat.extend(v if isinstance(v, list) else [v])
    if not flat or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in flat):
        raise TypeError(f"expected numbers, got {flat!r}")
    return [float(v) for v in flat]


FUNCTIONS: dict[str, Callable] = {
    "score": f_score, "delta": f_delta, "top_delta": f_top_delta, "best": f_best,
    "best_intermediate": f_best_intermediate, "improved": f_improved, "xtreme": f_xtreme,
    "xtreme_best": f_xtreme_best, "alt_delta": f_alt_delta, "count": f_count,
    "n_intermediates": f_n_intermediates, "n_targets": f_n_targets, "n_languages": f_n_languages,
    "phases": f_phases, "dataset_rows": f_dataset_rows, "dataset_examples": f_dataset_examples,
    "model": f_model, "published": f_published,
    # plain math on numbers (no Study)
    "abs": lambda s, x: abs(_numbers([x])[0]),
    "min": lambda s, *xs: min(_numbers(xs)),
    "max": lambda s, *xs: max(_numbers(xs)),
    "sum": lambda s, *xs: sum(_numbers(xs)),
    "mean": lambda s, *xs: (lambda v: sum(v) / len(v))(_numbers(xs)),
    "round": lambda s, x, digits=0: round(_numbers([x])[0], int(digits)),
}


# ---------------------------------------------------------------------------------------------------------
# The expression language: tokenizer, recursive-descent parser to a small AST, evaluator

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
        return -_num(evaluate(node[1], study))
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
            same = math.isclose(x, y, abs_tol=1e-9) if _is_num(x) and _is_num(y) else x == y
            return same if op == "==" else not same
        x, y = _num(x), _num(y)
        if op == "/" and y == 0:
            raise ZeroDivisionError(f"division by zero in {node!r}")
        return {"+": x + y, "-": x - y, "*": x * y, "/": x / y if y else math.nan, "<": x < y, "<=": x <= y,
                ">": x > y, ">=": x >= y}[op]
    raise ClaimsError(f"unknown node {kind!r}")


def _is_num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _num(x) -> float:
    if not _is_num(x):
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


# ---------------------------------------------------------------------------------------------------------
# Claims


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    observe: str
    expected: Any
    compare: str
    tolerance: float
    provenance: dict
    kind: str = ""
    note: str = ""
    ast: Any = field(default=None, compare=False, repr=False)


@dataclass
class ClaimResult:
    id: str
    text: str
    status: str  # pass | fail | missing | error
    expected: Any
    observed: Any
    tolerance: float
    compare: str
    observe: str
    reads: list[str]
    provenance: dict
    kind: str = ""
    note: str = ""
    reason: str = ""

    def to_dict(self) -> dict:
        out = asdict(self)
        if isinstance(self.observed, float):
            out["observed"] = round(self.observed, 6)
        return out


_FIELDS = {"id", "text", "observe", "expected", "compare", "tolerance", "provenance", "kind", "note"}


def load_claims(path: Path | str = DEFAULT_CLAIMS) -> list[Claim]:
    """Read and validate a claims file: every expression parses, ids are unique, provenance is tagged."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no claims file")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(path.read_text(), Loader=loader)  # noqa: S506 (a safe loader)
    entries = document.get("claims") if isinstance(document, dict) else document
    if not isinstance(entries, list) or not entries:
        raise ClaimsError(f"{path}: expected a list under `claims:`")
    claims, seen = [], set()
    for n, entry in enumerate(entries):
        where = f"{path}: claim {entry.get('id', n) if isinstance(entry, dict) else n}"
        if not isinstance(entry, dict):
            raise ClaimsError(f"{where}: not a mapping")
        unknown = set(entry) - _FIELDS
        if unknown:
            raise ClaimsError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("id", "text", "observe", "expected", "provenance"):
            if key not in entry:
                raise ClaimsError(f"{where}: missing `{key}`")
        cid = str(entry["id"])
        if cid in seen:
            raise ClaimsError(f"{where}: duplicate id")
        seen.add(cid)
        tolerance = entry.get("tolerance", 0.0)
        if not _is_num(tolerance) or tolerance < 0:
            raise ClaimsError(f"{where}: tolerance must be a number >= 0")
        compare = entry.get("compare") or ("approx" if "tolerance" in entry else "eq")
        if compare not in COMPARES:
            raise ClaimsError(f"{where}: compare {compare!r} not in {', '.join(COMPARES)}")
        if compare == "in" and not isinstance(entry["expected"], list):
            raise ClaimsError(f"{where}: compare `in` needs a list as expected")
        if compare in ("approx", "ge", "gt", "le", "lt") and not _is_num(entry["expected"]):
            raise ClaimsError(f"{where}: compare {compare} needs a number as expected")
        provenance = entry["provenance"]
        if not isinstance(provenance, dict) or provenance.get("certainty") not in published.CERTAINTIES \
                or not provenance.get("source"):
            raise ClaimsError(f"{where}: provenance needs `source` and `certainty` in "
                              f"{', '.join(published.CERTAINTIES)}")
        try:
            ast = parse(str(entry["observe"]))
        except ClaimsError as exc:
            raise ClaimsError(f"{where}: {exc}") from None
        claims.append(Claim(cid, str(entry["text"]).strip(), str(entry["observe"]), entry["expected"], compare,
                            float(tolerance), dict(provenance), str(entry.get("kind", "")),
                            str(entry.get("note", "")).strip(), ast))
    return claims


def _holds(observed: Any, claim: Claim) -> bool:
    expected, tol, op = claim.expected, claim.tolerance, claim.compare
    if op == "in":
        return any(_equal(observed, e, tol) for e in expected)
    if op in ("eq", "ne"):
        return _equal(observed, expected, tol) == (op == "eq")
    x, e = _num(observed), float(expected)
    if math.isnan(x):
        return False
    return {"approx": abs(x - e) <= tol + 1e-9, "ge": x >= e - tol - 1e-9, "gt": x > e - tol,
            "le": x <= e + tol + 1e-9, "lt": x < e + tol}[op]


def _equal(observed: Any, expected: Any, tol: float) -> bool:
    if _is_num(observed) and _is_num(expected):
        return abs(float(observed) - float(expected)) <= tol + 1e-9
    if isinstance(observed, str) and isinstance(expected, str):
        return observed.strip().lower() == expected.strip().lower()
    return observed == expected


def check(claim: Claim, study: Study) -> ClaimResult:
    """Evaluate one claim against a Study."""
    result = ClaimResult(claim.id, claim.text, "error", claim.expected, None, claim.tolerance, claim.compare,
                         claim.observe, calls(claim.ast), claim.provenance, claim.kind, claim.note)
    try:
        observed = evaluate(claim.ast, study)
    except Missing as exc:
        result.status, result.reason = "missing", f"not produced: {exc}"
        return result
    except (TypeError, ValueError, ZeroDivisionError, KeyError) as exc:
        result.reason = f"cannot evaluate: {exc}"
        return result
    result.observed = observed
    try:
        result.status = "pass" if _holds(observed, claim) else "fail"
    except TypeError as exc:
        result.status, result.reason = "error", f"cannot compare: {exc}"
    return result


def verify(metrics_path: Path | str, claims_path: Path | str = "claims.yaml", data_manifest: Path | str | None = None,
           alternatives_path: Path | str | None = None) -> list[ClaimResult]:
    """Every claim of `claims_path` checked against a metrics.json (alternatives.json next to it is read when
    present; the data manifest defaults to the row counts kept in metrics.json's provenance)."""
    claims_path = Path(claims_path)
    if not claims_path.is_file() and not claims_path.is_absolute() and DEFAULT_CLAIMS.is_file() \
            and claims_path.name == DEFAULT_CLAIMS.name:
        claims_path = DEFAULT_CLAIMS  # run from another directory: the artifact's own claims file
    claims = load_claims(claims_path)
    study = Study.load(metrics_path, alternatives_path, data_manifest)
    return [check(claim, study) for claim in claims]


def verify_study(study: Study, claims_path: Path | str = DEFAULT_CLAIMS) -> list[ClaimResult]:
    """As `verify`, on an already loaded Study (tests, notebooks)."""
    return [check(claim, study) for claim in load_claims(claims_path)]


# ---------------------------------------------------------------------------------------------------------
# Rendering


def summary(results: list[ClaimResult]) -> dict[str, int]:
    return {status: sum(r.status == status for r in results) for status in STATUSES}


def exit_code(results: list[ClaimResult], strict: bool = False) -> int:
    """1 when a claim fails or cannot be evaluated (also when one is missing, if strict); else 0."""
    bad = {"fail", "error"} | ({"missing"} if strict else set())
    return int(any(r.status in bad for r in results))


def to_json(results: list[ClaimResult]) -> dict:
    """{"claims": [{"id", "status", "expected", "observed", "tolerance", "provenance", ...}], "summary"}."""
    return {"claims": [r.to_dict() for r in results], "summary": summary(results)}


def format_expected(r: ClaimResult) -> str:
    e, tol = r.expected, r.tolerance
    show = _show
    if r.compare == "approx":
        return f"{show(e)} ± {show(tol)}"
    symbol = {"eq": "=", "ne": "≠", "ge": "≥", "gt": ">", "le": "≤", "lt": "<"}.get(r.compare)
    if r.compare == "in":
        return "one of " + ", ".join(show(x) for x in e)
    text = f"{symbol} {show(e)}"
    return text + (f" (tol {show(tol)})" if tol and r.compare != "eq" else f" ± {show(tol)}" if tol else "")


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if _is_num(value):
        value = float(value)
        if value.is_integer() and abs(value) >= 100:
            return f"{int(value):,}"
        return f"{value:.2f}".rstrip("0").rstrip(".") if not value.is_integer() else f"{int(value)}"
    if value is None:
        return "–"
    return str(value)


STYLE = {"pass": "green", "fail": "bold red", "missing": "yellow", "error": "magenta"}


def render_table(results: list[ClaimResult], console=None, title: str | None = None) -> None:
    """Print a Rich table: claim, expected, observed, tolerance, status (and the certainty of the claim)."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title=title or "Claims", show_lines=False, expand=False)
    for column, kw in (("id", {"no_wrap": True}), ("claim", {"max_width": 60}), ("expected", {}),
                       ("observed", {}), ("tol", {}), ("status", {}), ("certainty", {})):
        table.add_column(column, **kw)
    for r in results:
        observed = _show(r.observed) if r.status in ("pass", "fail") else r.reason
        table.add_row(r.id, r.text, format_expected(r), observed, _show(r.tolerance),
                      f"[{STYLE[r.status]}]{r.status}[/]", r.provenance.get("certainty", ""))
    console.print(table)
    counts = summary(results)
    console.print(", ".join(f"[{STYLE[s]}]{n} {s}[/]" for s, n in counts.items() if n))


def report(metrics_path: Path | str, claims_path: Path | str = "claims.yaml", data_manifest: Path | str | None = None,
           json_output: bool = False, strict: bool = False, console=None) -> int:
    """What `repro verify` does: check every claim, print the Rich table (or the JSON document), return the
    exit code (1 when a claim fails or cannot be evaluated; with strict, also when one is missing)."""
    import json

    results = verify(metrics_path, claims_path, data_manifest)
    if json_output:
        print(json.dumps(to_json(results), indent=1))
    else:
        render_table(results, console=console, title=f"Claims vs {metrics_path}")
    return exit_code(results, strict=strict)
