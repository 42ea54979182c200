"""PNG figures for the tables (matplotlib, Agg backend, no display): written atomically like the tables.

- `deltas_heatmap`: Table 2's deltas vs the baseline, intermediate task x target (+ Avg), dev sets.
- `language_bars`: one target per figure, per-language dev scores of the baseline vs the best intermediate model.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

from repro.io import atomic_bytes
from repro.report.study import BASELINE, INTERMEDIATE_ORDER, TARGET_ORDER, Study, name


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    plt = _pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    atomic_bytes(path, buffer.getvalue())
    return path


def deltas_heatmap(study: Study, path: Path) -> Path:
    """Heatmap of score(intermediate) - score(baseline) per target, plus the Avg column; blank = not produced."""
    plt = _pyplot()
    rows = [i for i in INTERMEDIATE_ORDER if i != BASELINE] + \
        [i for i in study.intermediates() if i not in INTERMEDIATE_ORDER]
    cols = list(TARGET_ORDER) + ["avg"]
    grid = []
    for inter in rows:
        line = [study.delta(t, inter) for t in TARGET_ORDER]
        line.append(study.avg_delta(inter)[0])
        grid.append([math.nan if v is None else v for v in line])
    finite = [abs(v) for line in grid for v in line if not math.isnan(v)]
    bound = max(finite, default=1.0) or 1.0
    fig, ax = plt.subplots(figsize=(1.0 + 0.85 * len(cols), 0.9 + 0.45 * len(rows)))
    image = ax.imshow(grid, cmap="RdBu", vmin=-bound, vmax=bound, aspect="auto")
    ax.set_xticks(range(len(cols)), [name(c) if c != "avg" else "Avg" for c in cols], rotation=40, ha="right")
    ax.set_yticks(range(len(rows)), [name(r) for r in rows])
    for y, line in enumerate(grid):
        for x, value in enumerate(line):
            text = "–" if math.isnan(value) else f"{value:+.1f}"
            ax.text(x, y, text, ha="center", va="center", fontsize=8,
                    color="white" if not math.isnan(value) and abs(value) > 0.6 * bound else "black")
    ax.axvline(len(cols) - 1.5, color="black", linewidth=0.8)
    fig.colorbar(image, ax=ax, label="delta vs baseline (points)")
    ax.set_title(f"Table 2: delta vs baseline, dev sets (ours, {study.profile})", fontsize=10)
    return _save(fig, path)


def language_bars(study: Study, target: str, path: Path) -> Path:
    """Grouped bars per language: the baseline vs the best intermediate model (by dev task score)."""
    plt = _pyplot()
    langs = study.languages(target)
    best = study.best(target)
    series = [(BASELINE, name(BASELINE))]
    if best is not None:
        series.append((best[0], f"best: {name(best[0])}"))
    fig, ax = plt.subplots(figsize=(max(4.0, 0.45 * len(langs) + 1.5), 3.2))
    width = 0.8 / len(series)
    top = 0.0
    for k, (inter, label) in enumerate(series):
        values = [study.lang_score(target, inter, lang) for lang in langs]
        xs = [i + (k - (len(series) - 1) / 2) * width for i in range(len(langs))]
        heights = [0.0 if v is None else v for v in values]
        top = max([top, *heights])
        ax.bar(xs, heights, width=width, label=label)
    # languages evaluated on their test split (no dev split) carry a dagger
    labels = [lang + ("†" if study.split_of(target, lang) == "test" else "") for lang in langs]
    ax.set_xticks(range(len(langs)), labels, rotation=90 if len(langs) > 20 else 0)
    ax.set_ylim(0, max(top, 1.0) * 1.2)
    ax.set_ylabel("dev score" + (" ((EM+F1)/2)" if target in ("xquad", "mlqa", "tydiqa") else ""))
    dagger = "; † = test split (no dev)" if any(label.endswith("†") for label in labels) else ""
    ax.set_title(f"{name(target)} per language, dev (ours, {study.profile}{dagger})", fontsize=10)
    ax.legend(fontsize=8, loc="upper left", ncol=2, frameon=False)
    return _save(fig, path)
