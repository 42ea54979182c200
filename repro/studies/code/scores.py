"""The code study's scores: greedy pass@1 and every contrast's estimate, the pooled contrasts' plot data (what
`dvc metrics/plots show` read) and the line `repro all` prints, from its report. Its summary stage imports
this module alone.
"""

from __future__ import annotations

import json
from pathlib import Path

from repro.paths import Layout


def _read(layout: Layout, path: Path) -> dict:
    """A code-report output; one line naming the stage that writes it when it is missing."""
    from repro.report.study import read_json

    data = read_json(path)
    if data is None:
        from repro.errors import UserError

        raise UserError(f"{path}: missing; run `repro code-report --profile {layout.profile}`")
    return data


def metrics(layout: Layout) -> dict:
    """{"pass@1": {model: {"target-<true|false>": {arm: {benchmark: {programming language: {prompt language: mean
    over seeds}}}}}}, "contrasts": {model: {"target-<true|false>": {group: {contrast: {estimand: {benchmark:
    {programming language: {prompt language: mean}}}}}}}}}: greedy pass@1 and every contrast's estimate, no
    intervals or provenance (`dvc metrics show/diff`)."""
    from repro.studies.code.paths import CodeLayout, phase

    code_layout = CodeLayout(layout)
    cells: dict = {}
    for r in _read(layout, code_layout.metrics)["results"]:
        if r["metric"] == "pass@1":
            cells.setdefault((r["model"], phase(r["target_phase"]), r["arm"], r["benchmark"], r["programming_language"],
                              r["natural_language"]), []).append(r["value"])
    out: dict = {"pass@1": {}, "contrasts": {}}
    for (*path, natural), values in cells.items():
        _nest(out["pass@1"], path)[natural] = sum(values) / len(values)
    for r in _read(layout, code_layout.answer_json)["answers"]:
        path = [r["model"], phase(r["target_phase"]), r["group"], r["contrast"], r["estimand"], r["benchmark"],
                r["programming_language"]]
        _nest(out["contrasts"], path)[r["natural_language"]] = r["mean"]
    return out


def _nest(tree: dict, path: list) -> dict:
    for key in path:
        tree = tree.setdefault(key, {})
    return tree


def plots(layout: Layout) -> dict[str, list[dict]]:
    """contrasts.json: the primary contrasts and the `delta` contrasts pooled over HumanEval-X's programming
    languages, with their intervals and `role` (primary or exploratory), what dvc.yaml's `plots:` draws."""
    from repro.studies.code.paths import CodeLayout, phase

    rows = [{"contrast": f"{r['contrast']} ({r['group']}; {r['benchmark']} {r['programming_language']}, "
                         f"{r['natural_language']}; {r['model']}, {phase(r['target_phase'])})",
             "role": "primary" if r["primary"] else "exploratory", "mean": r["mean"], "ci_low": r["ci_low"],
             "ci_high": r["ci_high"], "p_adjusted": r["p_adjusted"]}
            for r in _read(layout, CodeLayout(layout).answer_json)["answers"]
            if r["mean"] is not None and (r["primary"] or (
                r["benchmark"] == "humaneval-x" and r["programming_language"] == "all" and r["estimand"] == "delta"))]
    return {"contrasts.json": sorted(rows, key=lambda row: row["role"] != "primary")}


def summary(layout: Layout) -> str:
    from repro.report.inference import primary_lines
    from repro.studies.code.paths import CodeLayout

    code_layout = CodeLayout(layout)
    answers = json.loads(code_layout.answer_json.read_text())["answers"]
    primary = primary_lines(answers, lambda r: f"{r['model']} target-{str(r['target_phase']).lower()} "
                            f"{r['contrast']} {r['estimand']} {r['benchmark']} {r['programming_language']} "
                            f"{r['natural_language']}")
    return "\n".join(primary + [f"{len(answers)} contrasts -> {code_layout.answer_md}"])
