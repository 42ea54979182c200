"""The typological-distance covariate: how a contrast's gain varies with the distance of the test language to the
nearest language the treatment arm trained on (`distance_to_seen`, repro/studies/multilingual/typology.py).

Per contrast and slice, an ordinary least-squares line through the paired cells (seed, target, language; English
left out): difference = intercept + slope x distance. The intercept is the gain on the seen languages (distance
0) as the line puts it, the slope the change per unit of distance; the cells share seeds and languages, so no
interval is given: the line describes, the contrasts' mixed-model intervals test.
"""

from __future__ import annotations

import numpy as np


def cells(rows: list[dict], treatment: str, control: str) -> list[tuple[float, float]]:
    """(treatment's distance_to_seen, treatment - control) of each cell both arms have, where the distance is
    known."""
    by_arm: dict[str, dict[tuple, dict]] = {treatment: {}, control: {}}
    for row in rows:
        if row["arm"] in by_arm:
            by_arm[row["arm"]][(row["seed"], row["target"], row["language"])] = row
    out = []
    for key, row in by_arm[treatment].items():
        other = by_arm[control].get(key)
        if other is not None and row.get("distance_to_seen") is not None:
            out.append((float(row["distance_to_seen"]), row["value"] - other["value"]))
    return out


def fit(points: list[tuple[float, float]]) -> dict:
    """{intercept, slope, n, distance_min, distance_max}; the slope None when the distances do not vary."""
    if not points:
        return {"intercept": None, "slope": None, "n": 0, "distance_min": None, "distance_max": None}
    x, y = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    if np.ptp(x) == 0:
        intercept, slope = float(y.mean()), None
    else:
        slope_, intercept_ = np.polyfit(x, y, 1)
        intercept, slope = float(intercept_), float(slope_)
    return {"intercept": intercept, "slope": slope, "n": len(points), "distance_min": float(x.min()),
            "distance_max": float(x.max())}
