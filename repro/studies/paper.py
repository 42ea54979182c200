"""The paper's study (Phang et al. 2020): intermediate tasks -> XTREME targets, BUCC and Tatoeba; Tables 1-4 and
the claims."""

from __future__ import annotations

from pathlib import Path

from repro.params import Profile
from repro.paths import Layout
from repro.studies import Planned, stage_name
from repro.tasks import MULTITASK

REPORTS = ("collect", "tables", "verify")


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
    from repro.stages import collect, tables, verify

    collect.run(profile, layout, params_path)
    tables.run(layout)
    verify.run(layout)


def summary(layout: Layout) -> str:
    """How many results metrics.json holds, and where."""
    import json

    return f"{len(json.loads(layout.metrics.read_text())['results'])} results -> {layout.metrics}"
