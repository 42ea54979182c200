"""The code study (issue 11): English intermediate tasks, cast as text-to-text for a decoder, and zero-shot
cross-lingual code generation on HumanEval-X (programming languages) and HumanEval-XL (prompt languages).

data -> code data -> pretrained decoder -> one intermediate run per (arm, seed) -> generation per (arm, seed) ->
execution per (arm, seed) in the sandbox -> the report (results/<profile>/code/: metrics.json, answer.{md,json},
figures) -> its summary for DVC (results/<profile>/code/: summary.json, plots/).
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
    """Waves: data, code data, the pretrained decoder, then every (arm, seed)'s intermediate run (`none`: a copy),
    generation and execution."""
    from repro.studies.code.stages.common import code_of

    code, name = code_of(profile), profile.name
    runs = [(arm, str(seed)) for arm in code.arms for seed in code.seeds]

    def stages(group: str) -> list[Planned]:
        module = f"{STAGES}.{group.removeprefix('code-')}"
        return [(stage_name(group, name, arm, seed), module, (arm, seed)) for arm, seed in runs]

    return [[(stage_name("data", name), "repro.stages.data", ())], [(stage_name("code-data", name), f"{STAGES}.data", ())],
            [(stage_name("code-pretrain", name), f"{STAGES}.pretrain", ())], stages("code-intermediate"),
            stages("code-generate"), stages("code-execute")]


def report(profile: Profile, layout: Layout, params_path: Path) -> None:
    from repro.studies.code.stages import report as code_report, summary as summary_stage

    code_report.run(profile, layout)
    summary_stage.run(profile, layout)


VERBS = (("code-data", f"{STAGES}.data", "Data"), ("code-pretrain", f"{STAGES}.pretrain", "Train"),
         ("code-intermediate", f"{STAGES}.intermediate", "Train"), ("code-generate", f"{STAGES}.generate", "Evaluate"),
         ("code-execute", f"{STAGES}.execute", "Evaluate"), ("code-report", f"{STAGES}.report", "Tables and claims"))


def plan(profile: Profile, layout: Layout, *, tokens_per_second: float | None = None, **_) -> dict:
    """GPU-hours of training and generation, CPU core-hours of execution (`repro.studies.code.price`); a
    `repro bench` file and `--parallel` do not apply (the encoder's throughput; no checkpoint disk model)."""
    from repro.studies.code import price

    return price.plan(profile, planned(profile), tokens_per_second=tokens_per_second)


def table(payload: dict):
    from repro.studies.code import price

    return price.table(payload)
