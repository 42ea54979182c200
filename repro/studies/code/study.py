"""The code study (issues 11, 22): intermediate tasks cast as text-to-text for decoders (a code model and a
general one), an English target fine-tune on Python generation (MBPP), and zero-shot cross-lingual code
generation on HumanEval-X (programming languages) and HumanEval-XL (prompt languages): the paper's three phases.

data -> code data -> each model's pretrained decoder -> one intermediate run per (model, arm, seed) -> its target
phase (where `target_phase` holds true) -> generation and execution per (model, arm, seed, target_phase) -> the
report (results/<profile>/code/: metrics.json, answer.{md,json}, figures) -> its summary for DVC.
"""

from __future__ import annotations

from pathlib import Path

from repro.params import Profile
from repro.paths import Layout
from repro.studies import Planned, stage_name
from repro.studies.code.readiness import inputs, notes, problems  # noqa: F401  (the study's API)
from repro.studies.code.scores import metrics, plots, summary  # noqa: F401  (the study's API)

STAGES = "repro.studies.code.stages"
CPU_ONLY = ("repro.stages.data", f"{STAGES}.data", f"{STAGES}.execute")
REPORTS = ("code-report", "code-summary")


def planned(profile: Profile) -> list[list[Planned]]:
    """Waves: data, code data, each model's pretrained decoder, then every (model, arm, seed)'s intermediate run
    (`none`: a copy), its target phase, and generation and execution per target_phase value. Stage ids are DVC's
    matrix keys (its booleans: True, False)."""
    from repro.studies.code.stages.common import code_of

    code, name = code_of(profile), profile.name
    runs = [(model, arm, str(seed)) for model in code.models for arm in code.arms for seed in code.seeds]
    evaluated = [(*run, str(target)) for run in runs for target in code.target_phase]

    def stages(group: str, items) -> list[Planned]:
        module = f"{STAGES}.{group.removeprefix('code-')}"
        return [(stage_name(group, name, *item), module, item) for item in items]

    return [[(stage_name("data", name), "repro.stages.data", ())], [(stage_name("code-data", name), f"{STAGES}.data", ())],
            stages("code-pretrain", [(model,) for model in code.models]), stages("code-intermediate", runs),
            stages("code-target", runs if True in code.target_phase else []), stages("code-generate", evaluated),
            stages("code-execute", evaluated)]


def report(profile: Profile, layout: Layout, params_path: Path) -> None:
    from repro.studies.code.stages import report as code_report, summary as summary_stage

    code_report.run(profile, layout)
    summary_stage.run(profile, layout)


VERBS = (("code-data", f"{STAGES}.data", "Data"), ("code-pretrain", f"{STAGES}.pretrain", "Train"),
         ("code-intermediate", f"{STAGES}.intermediate", "Train"), ("code-target", f"{STAGES}.target", "Train"),
         ("code-generate", f"{STAGES}.generate", "Evaluate"),
         ("code-execute", f"{STAGES}.execute", "Evaluate"), ("code-report", f"{STAGES}.report", "Tables and claims"))


def plan(profile: Profile, layout: Layout, *, tokens_per_second: float | None = None, **_) -> dict:
    """GPU-hours of training and generation, CPU core-hours of execution (`repro.studies.code.price`); a
    `repro bench` file and `--parallel` do not apply (the encoder's throughput; no checkpoint disk model)."""
    from repro.studies.code import price

    return price.plan(profile, planned(profile), tokens_per_second=tokens_per_second)


def table(payload: dict):
    from repro.studies.code import price

    return price.table(payload)


def claims_study(layout: Layout):
    """What this study's planted claims read (repro.report.planted): its answer and metrics files, None when
    absent."""
    from repro.studies.code.claims import subject

    return subject(layout)
