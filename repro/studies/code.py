"""The code study (issue 11): English intermediate tasks, cast as text-to-text for a decoder, and zero-shot
cross-lingual code generation on HumanEval-X (programming languages) and HumanEval-XL (prompt languages).

data -> code data -> pretrained decoder -> one intermediate run per (arm, seed) -> generation per (arm, seed) ->
execution per (arm, seed) in the sandbox -> the report
(results/<profile>/code/: metrics.json, answer.{md,json}, plots).
"""

from __future__ import annotations

import json
from pathlib import Path

from repro.params import Profile
from repro.paths import Layout
from repro.studies import Planned, stage_name

CPU_ONLY = ("data", "code_data", "code_execute")
REPORTS = ("code-report",)


def planned(profile: Profile) -> list[list[Planned]]:
    """Waves: data, code data, the pretrained decoder, then every (arm, seed)'s intermediate run (`none`: a copy),
    generation and execution."""
    from repro.stages.code_common import code_of

    code, name = code_of(profile), profile.name
    runs = [(arm, str(seed)) for arm in code.arms for seed in code.seeds]

    def stages(group: str) -> list[Planned]:
        return [(stage_name(group, name, arm, seed), group.replace("-", "_"), (arm, seed)) for arm, seed in runs]

    return [[(stage_name("data", name), "data", ())], [(stage_name("code-data", name), "code_data", ())],
            [(stage_name("code-pretrain", name), "code_pretrain", ())], stages("code-intermediate"),
            stages("code-generate"), stages("code-execute")]


def report(profile: Profile, layout: Layout, params_path: Path) -> None:
    from repro.stages import code_report

    code_report.run(profile, layout)


def summary(layout: Layout) -> str:
    from repro.paths_code import CodeLayout

    code_layout = CodeLayout(layout)
    answers = json.loads(code_layout.answer_json.read_text())["answers"]
    return f"{len(answers)} contrasts -> {code_layout.answer_md}"
