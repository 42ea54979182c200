"""The code study's figures (matplotlib, Agg): greedy pass@1 per arm and programming language, and the drop from
English to each other prompt language per arm."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from repro.io import atomic_bytes


def _save(fig, plt, path: Path) -> Path:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    atomic_bytes(path, buffer.getvalue())
    return path


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def bars(values: dict[str, dict[str, float]], title: str, ylabel: str, path: Path) -> Path:
    """Grouped bars: {arm: {column: value}}, one group per column."""
    plt = _pyplot()
    arms = list(values)
    columns = list(dict.fromkeys(c for v in values.values() for c in v))
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(columns) + 2), 3.5))
    width = 0.8 / max(len(arms), 1)
    for i, arm in enumerate(arms):
        ax.bar(np.arange(len(columns)) + i * width, [values[arm].get(c, np.nan) for c in columns], width, label=arm)
    ax.set_xticks(np.arange(len(columns)) + 0.4 - width / 2, columns)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7, ncol=3)
    return _save(fig, plt, path)
