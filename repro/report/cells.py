"""Cell and note text several tables share: published numbers with their certainty marks, the "Ours:" note."""

from __future__ import annotations

from typing import Any

from repro.report import published
from repro.report.published import MARK
from repro.report.study import QA, Study, name


def published_cell(model: str, target: str, source: str, metric: str = "score") -> tuple[str | None, Any]:
    """(display, raw value) of a published number, QA shown as score (EM/F1), certainty marked."""
    row = published.lookup(model, target, metric, source)
    if row is None:
        if target in QA and metric == "score":  # F1 alone (mT5 without EM)
            f1 = published.lookup(model, target, "f1", source)
            if f1 is not None:
                return f"F1 {f1.value:.1f}{mark(f1.certainty)}", None
        return None, None
    text = f"{row.value:.1f}{mark(row.certainty)}"
    if target in QA and metric == "score":
        em, f1 = published.lookup(model, target, "exact_match", source), published.lookup(model, target, "f1", source)
        if em and f1:
            text += f" ({em.value:.1f}{mark(em.certainty)}/{f1.value:.1f}{mark(f1.certainty)})"
    return text, row.value


def mark(certainty: str) -> str:
    suffix = MARK.get(certainty, f"[{certainty}]")
    return f" {suffix}" if suffix else ""


CERTAINTY_NOTE = ("Published numbers: unmarked = VERIFIED in the named source, [D] = DERIVED by arithmetic from "
                  "verified numbers, [R] = RECALLED (unchecked), [U] = UNVERIFIED, [?] = UNSURE (paper.md).")


def ours_note(study: Study) -> str:
    rule = study.seqeval_rule()
    scoring = f" Tagging F1: seqeval {rule} chunk types." if rule else ""
    return f"Ours: profile `{study.profile}`, model {study.model()}.{scoring}"


def dev_average_note(study: Study, targets) -> str | None:
    """Which languages had no dev split and were scored on test: shown per language, left out of dev averages."""
    parts = [f"{name(t)} {', '.join(langs)}" for t in targets if (langs := study.test_split_languages(t))]
    if not parts:
        return None
    return ("Dev averages leave out the languages that have no dev split (evaluated on test, labelled test in the "
            f"appendix; jiant's dev lists leave them out too): {'; '.join(parts)}.")

