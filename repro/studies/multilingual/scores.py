"""The multilingual study's scores: every contrast's estimate and the overall contrasts' plot data (what `dvc
metrics/plots show` read) and the line `repro all` prints, from its answer.json. Its summary stage imports this
module alone.
"""

from __future__ import annotations

import json

from repro.paths import Layout


def _answer(layout: Layout) -> dict:
    from repro.report.study import read_json
    from repro.studies.multilingual.stages.common import study_layout

    path = study_layout(layout).results / "answer.json"
    answer = read_json(path)
    if answer is None:
        from repro.errors import UserError

        raise UserError(f"{path}: no answer; run `repro ml-answer --profile {layout.profile}`")
    return answer


def _slice(record: dict) -> str:
    """A contrast's slice of targets: `zero-shot native`, `translate-train translated`, .."""
    return f"{record.get('setting')} {record.get('test_origin')}"


def metrics(layout: Layout) -> dict:
    """{suite: {intermediate: {contrast: {"<setting> <test_origin>": {group or task: {seen|unseen|all: mean}}}}}}
    from answer.json: every contrast's estimate, no intervals or provenance (`dvc metrics show/diff`)."""
    out: dict = {}
    for r in _answer(layout)["contrasts"]:
        where = r.get("task") or r["group"]
        out.setdefault(r["suite"], {}).setdefault(r["intermediate"], {}).setdefault(r["contrast"], {}) \
            .setdefault(_slice(r), {}).setdefault(where, {})[r["languages"]] = r["mean"]
    return out


def plots(layout: Layout) -> dict[str, list[dict]]:
    """contrasts.json: the overall contrasts with their intervals and `role` (primary or exploratory), one row per
    (suite, intermediate, contrast, languages), primaries first, what dvc.yaml's `plots:` draws."""
    rows = [{"contrast": f"{r['suite']} {r['intermediate']} {r['contrast']} {_slice(r)} ({r['languages']})",
             "role": "primary" if r["primary"] else "exploratory", "mean": r["mean"],
             "ci_low": r["ci_low"], "ci_high": r["ci_high"], "p_adjusted": r["p_adjusted"]}
            for r in _answer(layout)["contrasts"] if r["level"] == "overall"]
    return {"contrasts.json": sorted(rows, key=lambda row: row["role"] != "primary")}


def summary(layout: Layout) -> str:
    from repro.report.inference import primary_lines
    from repro.studies.multilingual.stages.common import study_layout

    results = study_layout(layout).results
    answer = json.loads((results / "answer.json").read_text())
    primary = primary_lines(answer["contrasts"], lambda r: f"{r['suite']} {r['intermediate']} {r['contrast']} "
                            f"{_slice(r)} {r.get('task') or r['group']} ({r['languages']})")
    return "\n".join(primary + [f"{len(answer['contrasts'])} contrasts -> {results / 'answer.md'}"])
