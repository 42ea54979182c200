"""The paper's study (Phang et al. 2020): intermediate tasks -> XTREME targets, BUCC and Tatoeba; Tables 1-4 and
the claims."""

from __future__ import annotations

from pathlib import Path

from repro.params import Profile
from repro.paths import Layout
from repro.studies import Planned, stage_name
from repro.studies.paper.scores import metrics, plots, summary  # noqa: F401  (the study's API)
from repro.tasks import MULTITASK

CPU_ONLY = ("repro.stages.data",)
REPORTS = ("collect", "tables", "verify", "summary")


def planned(profile: Profile) -> list[list[Planned]]:
    """data -> pretrain -> encoders (multitask and Table 4's alternatives first, the longest) -> trained targets
    and retrieval -> shared targets (MLQA reuses XQuAD's fine-tune)."""
    study, name = profile.study, profile.name
    encoders = [(stage_name("multitask", name), "repro.stages.multitask", ())] if MULTITASK in study.intermediate else []
    encoders += [(stage_name("alternative", name, a), "repro.stages.alternative", (a,)) for a in study.alternatives]
    encoders += [(stage_name("intermediate", name, t), "repro.stages.intermediate", (t,)) for t in study.intermediate_tasks]
    return [
        [(stage_name("data", name), "repro.stages.data", ())],
        [(stage_name("pretrain", name), "repro.stages.pretrain", ())],
        encoders,
        [(stage_name("target", name, i, t), "repro.stages.target", (i, t))
         for i in study.intermediate for t in study.trained_targets]
        + [(stage_name("retrieval", name, i, t), "repro.stages.retrieval", (i, t))
           for i in study.intermediate for t in study.retrieval_targets],
        [(stage_name("evaluate", name, i, t), "repro.stages.evaluate", (i, t))
         for i in study.intermediate for t in study.shared_targets],
    ]


def report(profile: Profile, layout: Layout, params_path: Path) -> None:
    """metrics.json, the tables and the claims' verdicts."""
    from repro.studies.paper.stages import collect, summary as summary_stage, tables, verify

    collect.run(profile, layout, params_path)
    tables.run(layout)
    verify.run(layout)
    summary_stage.run(profile, layout)


def claims_study(layout: Layout):
    """What this study's planted claims read (repro.report.planted): its run's results, None when absent."""
    from repro.report.study import Study

    return Study.from_layout(layout) if layout.metrics.is_file() else None


VERBS = (("collect", "repro.studies.paper.stages.collect", "Evaluate"),
         ("table", "repro.studies.paper.stages.tables", "Tables and claims"),
         ("verify", "repro.studies.paper.stages.verify", "Tables and claims"))


def plan(profile: Profile, layout: Layout, **options) -> dict:
    """Every stage priced as `repro.measure.plan` prices the shared stages (`repro plan`)."""
    from repro.measure import plan as pricing

    return pricing.priced(profile, layout, planned(profile), pricing.price, study="paper", **options)


def table(payload: dict):
    from repro.measure import plan as pricing

    return pricing.table(payload)
