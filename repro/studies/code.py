"""The code study (issue 11): English intermediate tasks, cast as text-to-text for a decoder, and zero-shot
cross-lingual code generation on HumanEval-X (programming languages) and HumanEval-XL (prompt languages).

data -> code data -> pretrained decoder -> one intermediate run per (arm, seed) -> generation per (arm, seed) ->
execution per (arm, seed) in the sandbox -> the report (results/<profile>/code/: metrics.json, answer.{md,json},
plots) -> its summary for DVC (results/<profile>/studies/code/: summary.json, plots/).
"""

from __future__ import annotations

import json
from pathlib import Path

from repro.params import Profile
from repro.paths import Layout
from repro.studies import Planned, stage_name

CPU_ONLY = ("data", "code_data", "code_execute")
REPORTS = ("code-report", "code-summary")


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
    from repro.stages import code_report, summary as summarize

    code_report.run(profile, layout)
    summarize.run(layout, "code")


def _read(layout: Layout, path: Path) -> dict:
    """A code-report output; one line naming the stage that writes it when it is missing."""
    from repro.report.study import read_json

    data = read_json(path)
    if data is None:
        from repro.errors import UserError

        raise UserError(f"{path}: missing; run `repro code-report --profile {layout.profile}`")
    return data


def metrics(layout: Layout) -> dict:
    """{"pass@1": {arm: {benchmark: {programming language: {prompt language: mean over seeds}}}}, "contrasts":
    {group: {contrast: {benchmark: {programming language: {prompt language: mean}}}}}}: greedy pass@1 and every
    contrast's estimate, no intervals or provenance (`dvc metrics show/diff`)."""
    from repro.paths_code import CodeLayout

    code_layout = CodeLayout(layout)
    cells: dict = {}
    for r in _read(layout, code_layout.metrics)["results"]:
        if r["metric"] == "pass@1":
            cells.setdefault((r["arm"], r["benchmark"], r["programming_language"], r["natural_language"]), []) \
                .append(r["value"])
    out: dict = {"pass@1": {}, "contrasts": {}}
    for (arm, benchmark, programming, natural), values in cells.items():
        out["pass@1"].setdefault(arm, {}).setdefault(benchmark, {}).setdefault(programming, {})[natural] = \
            sum(values) / len(values)
    for r in _read(layout, code_layout.answer_json)["answers"]:
        out["contrasts"].setdefault(r["group"], {}).setdefault(r["contrast"], {}) \
            .setdefault(r["benchmark"], {}).setdefault(r["programming_language"], {})[r["natural_language"]] = r["mean"]
    return out


def plots(layout: Layout) -> dict[str, list[dict]]:
    """contrasts.json: the contrasts pooled over HumanEval-X's programming languages, with their intervals, what
    dvc.yaml's `plots:` draws as bars."""
    from repro.paths_code import CodeLayout

    rows = [{"contrast": f"{r['contrast']} ({r['group']})", "mean": r["mean"], "ci_low": r["ci_low"],
             "ci_high": r["ci_high"]}
            for r in _read(layout, CodeLayout(layout).answer_json)["answers"]
            if r["benchmark"] == "humaneval-x" and r["programming_language"] == "all" and r["mean"] is not None]
    return {"contrasts.json": rows}


def summary(layout: Layout) -> str:
    from repro.paths_code import CodeLayout
    from repro.report.inference import primary_lines

    code_layout = CodeLayout(layout)
    answers = json.loads(code_layout.answer_json.read_text())["answers"]
    primary = primary_lines(answers, lambda r: f"{r['contrast']} {r['benchmark']} {r['programming_language']} "
                            f"{r['natural_language']}")
    return "\n".join(primary + [f"{len(answers)} contrasts -> {code_layout.answer_md}"])
