"""Planted-effect claims (claims_planted.yaml): effects a study's smoke world is built to contain, each claim
judged on its own study's results: `repro verify --profile smoke --planted`.

A claim names its `study` (a study of repro.studies); the study's `claims_study(layout)` returns what its claims
are evaluated on (None when its results are absent: every claim of it is then "missing"). A study without that
hook has no planted claims yet: its claims are "missing" too, with the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from repro.report.claims import DEFAULT_CLAIMS, Claim, ClaimResult, check, load_claims
from repro.report.expressions import calls

PLANTED = DEFAULT_CLAIMS.with_name("claims_planted.yaml")


def _subject(study: str, layout) -> tuple[Any, str]:
    """(what the study's claims are evaluated on, or None; why it is None)."""
    from repro.studies import STUDIES

    reader = getattr(STUDIES[study], "claims_study", None)
    if reader is None:
        return None, f"study {study} has no claims reader (claims_study in its study module)"
    subject = reader(layout)
    return subject, "" if subject is not None else f"no {study} results under {layout.results}"


def _missing(claim: Claim, reason: str) -> ClaimResult:
    return ClaimResult(claim.id, claim.text, "missing", claim.expected, None, claim.tolerance, claim.compare,
                       claim.observe, calls(claim.ast), claim.provenance, claim.kind, claim.note, reason=reason,
                       study=claim.study)


def verify(layout, claims_path: Path | str = PLANTED, study: str | None = None, reader=None) -> list[ClaimResult]:
    """Every planted claim (of one `study`, when named) checked against its study's results in `layout` (a
    repro.paths.Layout). `reader(layout)`: that study's subject, given by a stage so that it imports (and dvc.yaml
    lists) what it runs, not the whole study module through the lazy registry."""
    from repro.studies import STUDIES

    claims = [c for c in load_claims(claims_path, studies=STUDIES.names()) if study in (None, c.study)]
    subjects: dict[str, tuple[Any, str]] = {}
    results = []
    for claim in claims:
        if claim.study not in subjects:
            given = reader(layout) if reader is not None and claim.study == study else None
            subjects[claim.study] = (given, f"no {study} results under {layout.results}") if reader is not None \
                and claim.study == study else _subject(claim.study, layout)
        subject, reason = subjects[claim.study]
        results.append(check(claim, subject) if subject is not None else _missing(claim, reason))
    return results


def to_json(results: list[ClaimResult]) -> list[dict]:
    """One object per claim: `claim` (its id), `study`, `status`, then the rest of its verdict."""
    out = []
    for r in results:
        record = r.to_dict()
        record.pop("id")
        out.append({"claim": r.id, "study": r.study, "status": r.status} | record)
    return out
