"""Inference for a paired contrast in a crossed design, runs x clusters, and Holm's adjustment over primary ones.

A treatment (an intermediate run) is applied once per run (training seed), so every cluster of a run moves
together, and the clusters (languages; problems, each shared across programming or prompt languages) are a
sample too. One cell is (run i, cluster j): the mean of its paired differences over the strata (tasks, problem
files) that have it, each stratum weighing equally and each of its cells equally. The model of a cell is
d_ij = mu + a_i + b_j + e_ij with random run, cluster and residual effects (a two-way crossed mixed model). The
estimate sum_j q_j dbar_.j (q_j: cluster j's weight) has variance sigma_a^2 / S + Q sigma_b^2 + Q sigma_e^2 / S
(Q = sum_j q_j^2); the components come from the two-way ANOVA mean squares of the S x L table (method of
moments, each truncated at 0), and the 95% interval is estimate +- t(nu) SE, nu Satterthwaite's df capped at the
df of the largest part (Satterthwaite alone is liberal where 2-3 runs dominate), the p-value the matching
two-sided t test of mu = 0. This is what a cluster bootstrap over seeds cannot give with the
studies' 2-3 seeds: resampling 3 runs shrinks their variance by 2/3 and its percentile interval has no
small-sample correction (Cameron, Gelbach & Miller 2008, 2011). tests/unit/report/test_calibration.py measures the level:
nominal with 3 runs and 8 languages, conservative where run and cluster effects are both near 0; with 2 runs,
whose variance rests on one df, up to about 10% at a nominal 5%.

One run: the run effect is not estimable; the interval is conditional on that run (`units` says seed: 1).
Fewer than `min_clusters` clusters: the estimate only, with the note "too few clusters". A cluster that some run
lacks is left out (the table must be complete). No torch, no pandas.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Hashable, Mapping, Sequence

import numpy as np

MIN_CLUSTERS = 5
TOO_FEW = "too few clusters"
ONE_RUN = "one run: interval over clusters, conditional on that run"


def crossed_t(table: np.ndarray, weights: np.ndarray | None = None, confidence: float = 0.95) -> dict[str, Any]:
    """Estimate, t interval and p-value of tables of cells (..., runs S, clusters L), vectorized over the leading
    axes; `weights` (L,) are the clusters' shares (equal by default). Returns arrays {mean, ci_low, ci_high,
    p_value, se, df}; a zero standard error gives a zero-width interval and p 1 (estimate 0) or 0."""
    from scipy import stats

    table = np.asarray(table, dtype=float)
    runs, clusters = table.shape[-2:]
    weights = np.full(clusters, 1.0 / clusters) if weights is None else np.asarray(weights, float) / np.sum(weights)
    share = float(np.sum(weights ** 2))
    columns = table.mean(axis=-2)
    mean = columns @ weights
    if runs == 1:
        variance = share * columns.var(axis=-1, ddof=1)
        df = np.full_like(variance, clusters - 1.0)
    else:
        rows, grand = table.mean(axis=-1), table.mean(axis=(-2, -1))
        ms_a = clusters * np.sum((rows - grand[..., None]) ** 2, axis=-1) / (runs - 1)
        ms_b = runs * np.sum((columns - grand[..., None]) ** 2, axis=-1) / (clusters - 1)
        residual = table - rows[..., :, None] - columns[..., None, :] + grand[..., None, None]
        df_e = (runs - 1) * (clusters - 1)
        ms_e = np.sum(residual ** 2, axis=(-2, -1)) / df_e
        c_a = np.where(ms_a > ms_e, 1.0 / (runs * clusters), 0.0)  # sigma_a^2 = (MS_A - MS_E) / L, if positive
        c_b = np.where(ms_b > ms_e, share / runs, 0.0)  # sigma_b^2 = (MS_B - MS_E) / S, if positive
        c_e = share / runs - c_a - c_b
        parts = ((c_a * ms_a, runs - 1), (c_b * ms_b, clusters - 1), (c_e * ms_e, df_e))
        variance = sum(part for part, _ in parts)
        with np.errstate(divide="ignore", invalid="ignore"):
            df = variance ** 2 / sum(part ** 2 / dof for part, dof in parts)
        largest = np.argmax(np.stack([part for part, _ in parts]), axis=0)
        df = np.minimum(df, np.array([dof for _, dof in parts], dtype=float)[largest])
    se = np.sqrt(np.maximum(variance, 0.0))
    tiny = se <= 1e-12 * np.maximum(1.0, np.abs(mean))
    df = np.where(tiny, 1.0, df)
    half = np.where(tiny, 0.0, stats.t.ppf(0.5 + confidence / 2, df) * se)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = np.where(tiny, np.where(np.abs(mean) <= 1e-12, 1.0, 0.0),
                           2 * stats.t.sf(np.abs(mean) / np.where(tiny, 1.0, se), df))
    return {"mean": mean, "ci_low": mean - half, "ci_high": mean + half, "p_value": p_value, "se": se, "df": df}


def crossed_contrast(differences: Mapping[tuple[Hashable, Hashable, Hashable], float],
                     axes: tuple[str, str] = ("seed", "language"), confidence: float = 0.95,
                     min_clusters: int = MIN_CLUSTERS) -> dict[str, Any]:
    """{mean, ci_low, ci_high, p_value, n, units, note} of paired differences {(run, cluster, stratum):
    treatment - control}; `axes` names the run and cluster axes in `units` ({"seed": 3, "language": 8}); n
    counts clusters; note: None, TOO_FEW (interval and p None) or ONE_RUN."""
    if not differences:
        raise ValueError("no paired cells to compare")
    present = {(run, cluster) for run, cluster, _ in differences}
    runs = sorted({run for run, _ in present}, key=repr)
    clusters = sorted({c for _, c in present if all((r, c) in present for r in runs)}, key=repr)
    complete = set(clusters)
    kept = {cell: d for cell, d in differences.items() if cell[1] in complete}
    per_stratum: dict[Hashable, int] = defaultdict(int)
    for _, _, stratum in kept:
        per_stratum[stratum] += 1
    sums: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])  # (run, cluster) -> [sum w d, sum w]
    for (run, cluster, stratum), difference in kept.items():
        weight = 1.0 / per_stratum[stratum]
        sums[run, cluster][0] += weight * difference
        sums[run, cluster][1] += weight
    table = np.array([[sums[r, c][0] / sums[r, c][1] for c in clusters] for r in runs])
    weights = np.array([sum(sums[r, c][1] for r in runs) for c in clusters])
    record: dict[str, Any] = {"mean": None, "ci_low": None, "ci_high": None, "p_value": None, "n": len(clusters),
                              "units": {axes[0]: len(runs), axes[1]: len(clusters)}, "note": None}
    if not clusters:
        return {**record, "note": TOO_FEW}
    result = {key: float(value) for key, value in crossed_t(table, weights, confidence).items()}
    record["mean"] = result["mean"]
    if len(clusters) < min_clusters:
        return {**record, "note": TOO_FEW}
    return {**record, **{k: result[k] for k in ("ci_low", "ci_high", "p_value")},
            "note": ONE_RUN if len(runs) == 1 else None}


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values (family: the values not None, in the given order; None stays None):
    the i-th smallest of m becomes max over j <= i of min(1, (m - j + 1) p_(j))."""
    present = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, index) in enumerate(present):
        running = max(running, min(1.0, (len(present) - rank) * p))
        adjusted[index] = running
    return adjusted


def mark_primary(records: list[dict], primary: Sequence[Mapping[str, Any]]) -> list[dict]:
    """Records with `primary` (the record matches every field of one of `primary`'s entries) and `p_adjusted`
    (Holm over the primary records' p-values; None for exploratory ones and for a primary one without p)."""
    flags = [any(all(record.get(k) == v for k, v in entry.items()) for entry in primary) for record in records]
    adjusted = iter(holm([r["p_value"] for r, flag in zip(records, flags) if flag]))
    return [{**r, "primary": flag, "p_adjusted": next(adjusted) if flag else None} for r, flag in zip(records, flags)]


def primary_lines(records: Sequence[Mapping[str, Any]], label, shown: int = 6) -> list[str]:
    """One line per primary record (the first `shown`; then how many more): `label(record)`, estimate, interval
    (or its note) and Holm-adjusted p; for a run's summary."""
    chosen = [r for r in records if r.get("primary")]
    if not chosen:
        return ["primary: none declared"]

    def fmt(r: Mapping[str, Any]) -> str:
        if r["mean"] is None:
            return f"  {label(r)}: no cells"
        interval = r["note"] if r["ci_low"] is None else f"[{r['ci_low']:+.2f}, {r['ci_high']:+.2f}]"
        p = "–" if r["p_adjusted"] is None else f"{r['p_adjusted']:.3g}"
        return f"  {label(r)}: {r['mean']:+.2f} {interval}, Holm p {p}"

    more = [f"  ... {len(chosen) - shown} more"] if len(chosen) > shown else []
    return [f"primary ({len(chosen)}):"] + [fmt(r) for r in chosen[:shown]] + more
