"""The paper study's scores: its summary metrics and plot data (what `dvc metrics/plots show` read) and the line
`repro all` prints, from what its reports wrote. Its summary stage imports this module alone.
"""

from __future__ import annotations

from repro.paths import Layout


def _claims(layout: Layout) -> dict | None:
    from repro.report.study import read_json

    return read_json(layout.results / "claims.json")


def metrics(layout: Layout) -> dict:
    """Task scores per encoder and target, deltas and averages, XTREME scores, Table 4's mean deltas, claim
    counts (repro.report.summary)."""
    from repro.report import summary as summarize
    from repro.report.study import Study

    return summarize.metrics(Study.from_layout(layout), _claims(layout))


def plots(layout: Layout) -> dict[str, list[dict]]:
    """Table 2's delta heatmap and the per-language bars of every target."""
    from repro.report import summary as summarize
    from repro.report.study import Study

    return summarize.plots(Study.from_layout(layout))


def summary(layout: Layout) -> str:
    """Table 2 as the tables stage wrote it (without its notes), the claims' counts, where the results are."""
    table = layout.results / "tables" / "table2.md"
    lines = [line for line in table.read_text().splitlines() if line.startswith(("#", "|"))] if table.is_file() else []
    counts = (_claims(layout) or {}).get("summary") or {}
    claims = ", ".join(f"{n} {status}" for status, n in counts.items())
    return "\n".join(lines + [f"claims: {claims or 'not verified'} (repro verify --profile {layout.profile})",
                              f"results: {layout.metrics}, {layout.results / 'summary.json'}"])
