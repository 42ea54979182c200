"""Check the paper's claims (claims.yaml) against a run's metrics.json: `repro verify`.

Each claim has an `observe` expression in a small, closed expression language (repro.report.expressions, no
Python eval; its functions in repro.report.expression_functions). An expression that reads numbers the run did
not produce is "missing", never a crash. The observed value is then compared with `expected` (`compare`:
approx (|observed - expected| <= tolerance), eq, ne, ge, gt, le, lt, in). Status: pass | fail | missing |
error (an expression that cannot be evaluated, e.g. a type mistake).

Needs only metrics.json (plus, optionally, alternatives.json next to it and the data manifest; the manifest's
row counts are also in metrics.json's provenance). Fast: no torch, no datasets.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from repro.errors import UserError
from repro.report import published
from repro.report.expression_functions import Missing
from repro.report.expressions import ClaimsError, as_number, calls, evaluate, is_number, parse
from repro.report.study import Study

STATUSES = ("pass", "fail", "missing", "error")
COMPARES = ("approx", "eq", "ne", "ge", "gt", "le", "lt", "in")
DEFAULT_CLAIMS = Path(__file__).resolve().parents[2] / "claims.yaml"


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
    study: str = ""
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
    study: str = ""

    def to_dict(self) -> dict:
        out = asdict(self)
        if not self.study:
            del out["study"]
        if isinstance(self.observed, float):
            out["observed"] = round(self.observed, 6)
        return out


_FIELDS = {"id", "text", "observe", "expected", "compare", "tolerance", "provenance", "kind", "note", "study"}


def load_claims(path: Path | str = DEFAULT_CLAIMS, studies: tuple[str, ...] | None = None) -> list[Claim]:
    """Read and validate a claims file: every expression parses, ids are unique, provenance is tagged; with
    `studies`, every claim names one of them as its `study`."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no claims file")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(path.read_text(), Loader=loader)  # noqa: S506 (a safe loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise ClaimsError(f"{path}: not a readable YAML file ({' '.join(str(err).split())})") from None
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
        for key in ("id", "text", "observe", "expected", "provenance") + (("study",) if studies else ()):
            if key not in entry:
                raise ClaimsError(f"{where}: missing `{key}`")
        if studies and entry["study"] not in studies:
            raise ClaimsError(f"{where}: study {entry['study']!r} not in {', '.join(studies)}")
        cid = str(entry["id"])
        if cid in seen:
            raise ClaimsError(f"{where}: duplicate id")
        seen.add(cid)
        tolerance = entry.get("tolerance", 0.0)
        if not is_number(tolerance) or tolerance < 0:
            raise ClaimsError(f"{where}: tolerance must be a number >= 0")
        compare = entry.get("compare") or ("approx" if "tolerance" in entry else "eq")
        if compare not in COMPARES:
            raise ClaimsError(f"{where}: compare {compare!r} not in {', '.join(COMPARES)}")
        if compare == "in" and not isinstance(entry["expected"], list):
            raise ClaimsError(f"{where}: compare `in` needs a list as expected")
        if compare in ("approx", "ge", "gt", "le", "lt") and not is_number(entry["expected"]):
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
                            str(entry.get("note", "")).strip(), str(entry.get("study", "")), ast))
    return claims


def _holds(observed: Any, claim: Claim) -> bool:
    expected, tol, op = claim.expected, claim.tolerance, claim.compare
    if op == "in":
        return any(_equal(observed, e, tol) for e in expected)
    if op in ("eq", "ne"):
        return _equal(observed, expected, tol) == (op == "eq")
    x, e = as_number(observed), float(expected)
    if math.isnan(x):
        return False
    return {"approx": abs(x - e) <= tol + 1e-9, "ge": x >= e - tol - 1e-9, "gt": x > e - tol,
            "le": x <= e + tol + 1e-9, "lt": x < e + tol}[op]


def _equal(observed: Any, expected: Any, tol: float) -> bool:
    if is_number(observed) and is_number(expected):
        return abs(float(observed) - float(expected)) <= tol + 1e-9
    if isinstance(observed, str) and isinstance(expected, str):
        return observed.strip().lower() == expected.strip().lower()
    return observed == expected


def check(claim: Claim, study: Study) -> ClaimResult:
    """Evaluate one claim against a Study."""
    result = ClaimResult(claim.id, claim.text, "error", claim.expected, None, claim.tolerance, claim.compare,
                         claim.observe, calls(claim.ast), claim.provenance, claim.kind, claim.note,
                         study=claim.study)
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
    if is_number(value):
        value = float(value)
        if value.is_integer() and abs(value) >= 100:
            return f"{int(value):,}"
        return f"{value:.2f}".rstrip("0").rstrip(".") if not value.is_integer() else f"{int(value)}"
    if value is None:
        return "–"
    return str(value)


STYLE = {"pass": "green", "fail": "bold red", "missing": "yellow", "error": "magenta"}


def render_table(results: list[ClaimResult], console=None, title: str | None = None) -> None:
    """Print a Rich table: claim, expected, observed, tolerance, status (and the certainty of the claim; the
    study of each, when the claims name theirs)."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title=title or "Claims", show_lines=False, expand=False)
    studies = any(r.study for r in results)
    columns = (("id", {"no_wrap": True}),) + ((("study", {}),) if studies else ()) + (
        ("claim", {"max_width": 60}), ("expected", {}), ("observed", {}), ("tol", {}), ("status", {}),
        ("certainty", {}))
    for column, kw in columns:
        table.add_column(column, **kw)
    for r in results:
        observed = _show(r.observed) if r.status in ("pass", "fail") else r.reason
        table.add_row(r.id, *((r.study,) if studies else ()), r.text, format_expected(r), observed,
                      _show(r.tolerance), f"[{STYLE[r.status]}]{r.status}[/]", r.provenance.get("certainty", ""))
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
