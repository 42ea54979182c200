"""The paper's study (Phang et al. 2020): intermediate tasks -> XTREME targets, BUCC and Tatoeba; Tables 1-4 and
the claims."""

from __future__ import annotations

from pathlib import Path

from repro.params import Profile
from repro.paths import Layout
from repro.studies import Planned, stage_name
from repro.tasks import MULTITASK

CPU_ONLY = ("data",)
REPORTS = ("collect", "tables", "verify", "summary")


def planned(profile: Profile) -> list[list[Planned]]:
    """data -> pretrain -> encoders (multitask and Table 4's alternatives first, the longest) -> trained targets
    and retrieval -> shared targets (MLQA reuses XQuAD's fine-tune)."""
    study, name = profile.study, profile.name
    encoders = [(stage_name("multitask", name), "multitask", ())] if MULTITASK in study.intermediate else []
    encoders += [(stage_name("alternative", name, a), "alternative", (a,)) for a in study.alternatives]
    encoders += [(stage_name("intermediate", name, t), "intermediate", (t,)) for t in study.intermediate_tasks]
    return [
        [(stage_name("data", name), "data", ())],
        [(stage_name("pretrain", name), "pretrain", ())],
        encoders,
        [(stage_name("target", name, i, t), "target", (i, t))
         for i in study.intermediate for t in study.trained_targets]
        + [(stage_name("retrieval", name, i, t), "retrieval", (i, t))
           for i in study.intermediate for t in study.retrieval_targets],
        [(stage_name("evaluate", name, i, t), "evaluate", (i, t))
         for i in study.intermediate for t in study.shared_targets],
    ]


def report(profile: Profile, layout: Layout, params_path: Path) -> None:
    """metrics.json, the tables and the claims' verdicts."""
    from repro.stages import collect, summary as summarize, tables, verify

    collect.run(profile, layout, params_path)
    tables.run(layout)
    verify.run(layout)
    summarize.run(layout, "paper")


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
