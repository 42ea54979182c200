"""The paper study's summary for DVC: scores as nested dicts (`dvc metrics show/diff` read dicts, not lists) and
the rows of the plots dvc.yaml declares (`dvc plots show/diff`), computed by `Study` like every table.

metrics: {"scores": {encoder: {target: task score, "avg"}}, "deltas": {encoder: {target: delta vs the baseline,
"avg"}}, "xtreme": {"baseline" | "best": XTREME's overall scores}, "alternatives": {variant: mean delta vs
English-only}, "claims": {status: count}}; no provenance (it lives in metrics.json), so a diff shows only what
moved. Plots: Table 2's deltas (heatmap: intermediate x target), and per target the dev score of each language
for the baseline and the best intermediate model (bars).
"""

from __future__ import annotations

from typing import Mapping

from repro.report.study import BASELINE, TARGET_ORDER, Study

DIGITS = 4


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), DIGITS)


def _present(values: Mapping) -> dict:
    """Drop the cells that were not produced (DVC shows a missing key as `-`)."""
    return {key: value for key, value in values.items() if value is not None}


def metrics(study: Study, claims: Mapping | None) -> dict:
    """The summary metrics of a collected run (`claims`: claims.json's document, if recorded)."""
    encoders = study.intermediates()
    scores = {inter: _present({**{t: _round(study.score(t, inter)) for t in TARGET_ORDER},
                               "avg": _round(study.avg_score(inter)[0])}) for inter in encoders}
    deltas = {inter: _present({**{t: _round(study.delta(t, inter)) for t in TARGET_ORDER},
                               "avg": _round(study.avg_delta(inter)[0])}) for inter in encoders if inter != BASELINE}
    xtreme = {"baseline": study.xtreme(study.row_scores(BASELINE)), "best": study.xtreme(study.best_scores())}
    out = {"scores": _present(scores), "deltas": _present(deltas),
           "xtreme": {row: {k: _round(v) for k, v in values.items()} for row, values in xtreme.items() if values},
           "alternatives": _present({v: _round(study.alt_delta(v)[0]) for v in study.variants() if v != "english"})}
    if claims:
        out["claims"] = dict(claims.get("summary") or {})
    return _present(out)


def heatmap_rows(study: Study) -> list[dict]:
    """Table 2's deltas vs the baseline, one row per produced (intermediate, target) cell and each row's Avg."""
    rows = []
    for inter in study.intermediates():
        if inter == BASELINE:
            continue
        cells = {t: study.delta(t, inter) for t in TARGET_ORDER} | {"avg": study.avg_delta(inter)[0]}
        rows += [{"intermediate": inter, "target": t, "delta": _round(d)} for t, d in cells.items() if d is not None]
    return rows


def language_rows(study: Study, target: str) -> list[dict]:
    """Per language: the dev score of the baseline and of the best intermediate model for `target`."""
    best = study.best(target)
    rows = []
    for lang in study.languages(target):
        row = {"language": lang, "baseline": _round(study.lang_score(target, BASELINE, lang))}
        if best is not None:
            row |= {"best": _round(study.lang_score(target, best[0], lang)), "best_model": best[0]}
        rows.append(row)
    return rows


def plots(study: Study) -> dict[str, list[dict]]:
    """{file name under the study's plots folder: rows}: the heatmap and one bars file per target."""
    out = {"table2_deltas.json": heatmap_rows(study)}
    out |= {f"languages/{t}.json": language_rows(study, t) for t in TARGET_ORDER if study.languages(t)}
    return out
