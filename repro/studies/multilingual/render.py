"""The multilingual study's answer as markdown and PNG plots (matplotlib, Agg; written atomically)."""

from __future__ import annotations

from pathlib import Path

from repro.io import atomic_text
from repro.studies.multilingual.answer import SPLITS
from repro.report.plots import _pyplot, _save

ARM_NAMES = {"A0": "A0 no intermediate", "A1": "A1 English only", "A2": "A2 + translations, A1's budget",
             "A3": "A3 + all translations", "A4": "A4 + multilingual MLM within A1's steps",
             "A2[<set>]": "A2 over a named language set (`labels: permuted`: its translations' labels shuffled, "
                          "the null arm)"}


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:+.{digits}f}"


def _sd(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _scope(record: dict) -> str:
    return record.get("task") or record.get("group")


def _slice(record: dict) -> str:
    return f"{record.get('setting') or '–'}, {record.get('test_origin') or '–'}"


def _interval(record: dict) -> str:
    if record["ci_low"] is None:
        return record.get("note") or "–"
    return f"[{_fmt(record['ci_low'])}, {_fmt(record['ci_high'])}]"


def _p(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


def _units(record: dict) -> str:
    return " × ".join(f"{count} {axis}s" for axis, count in record["units"].items())


def _primary(records: list[dict]) -> list[str]:
    """The primary contrasts' table: Holm-adjusted p over them, the clusters behind each."""
    chosen = [r for r in records if r["primary"]]
    if not chosen:
        return ["## Primary contrasts", "", "None declared (`multilingual.primary` in params.yaml).", ""]
    lines = [f"## Primary contrasts ({len(chosen)}, p Holm-adjusted over them)", "",
             "| contrast | suite | intermediate | setting, test | task / group | languages | mean | 95% CI | p (Holm) | p "
             "| clusters |", "|---|---|---|---|---|---|---:|---:|---:|---:|---|"]
    return lines + [f"| {r['contrast']} | {r['suite']} | {r['intermediate']} | {_slice(r)} | {_scope(r)} | "
                    f"{r['languages']} | "
                    f"{_fmt(r['mean'])} | {_interval(r)} | {_p(r['p_adjusted'])} | {_p(r['p_value'])} | "
                    f"{_units(r)} |" for r in chosen] + [""]


def _planted(verdicts: list[dict] | None) -> list[str]:
    """The planted-effect checks (claims_planted.yaml, study multilingual): each claim's verdict and what it read."""
    if verdicts is None:
        return []
    lines = ["## Planted effects in the smoke world (claims_planted.yaml)", ""]
    if not verdicts:
        return lines + ["No planted claims for this study.", ""]
    lines += ["| claim | verdict | observed | expected | what | reason |", "|---|---|---:|---|---|---|"]
    for v in verdicts:
        observed = "–" if v["observed"] is None else \
            f"{v['observed']:+.2f}" if isinstance(v["observed"], float) else str(v["observed"])
        lines.append(f"| {v['claim']} | {v['status']} | {observed} | {v['compare']} {v['expected']} | {v['text']} | "
                     f"{v.get('reason') or '–'} |")
    return lines + [""]


def _arms(arms: dict, named: dict) -> list[str]:
    """Each arm's languages, their number and diversity (mean pairwise URIEL syntactic distance, English in)."""
    if not arms:
        return []
    lines = ["## Arms: languages and typological diversity", "",
             "| arm | budget | k (non-English) | diversity | languages |", "|---|---|---:|---:|---|"]
    for arm_id, info in arms.items():
        label = arm_id.rpartition("-")[2]
        chosen, budget = named.get(label[3:-1], {}) if label.startswith("A2[") else {}, "–"
        if chosen:
            budget = chosen.get("budget", "examples") + (", labels permuted" if chosen.get("labels") == "permuted"
                                                         else "")
        lines.append(f"| {arm_id} | {budget} | {info['k']} | {info['diversity']:.3f} | "
                     f"{', '.join(info['languages']) or '–'} |")
    return lines + [""]


def _covariates(records: list[dict]) -> list[str]:
    """The distance covariate: each contrast's line of cell differences on distance_to_seen."""
    if not records:
        return []
    lines = ["## Typological distance as a covariate (difference = intercept + slope × distance_to_seen)", "",
             "| contrast | suite | intermediate | setting, test | intercept | slope | cells | distance range |",
             "|---|---|---|---|---:|---:|---:|---|"]
    for r in records:
        lines.append(f"| {r['contrast']} | {r['suite']} | {r['intermediate']} | {_slice(r)} | {_fmt(r['intercept'])} "
                     f"| {_fmt(r['slope'])} | {r['n']} | {r['distance_min']:.2f}–{r['distance_max']:.2f} |")
    return lines + [""]


def markdown(answer: dict, planted: list[dict] | None = None) -> str:
    """answer.md: the primary contrasts, the planted-effect checks (`planted`: the smoke world's verdicts; None
    elsewhere), what was compared, the exploratory contrasts, mean +- sd tables."""
    lines = [f"# Multilingual intermediate training vs English only ({answer['profile']})", ""]
    lines += _primary(answer["contrasts"])
    lines += _planted(planted)
    lines += ["## What was compared", "",
             "Arms: " + "; ".join(f"{arm}: {text}" for arm, text in ARM_NAMES.items()) + ".",
             f"Seeds: {', '.join(map(str, answer['seeds']))}. Language sets (seen): "
             + "; ".join(f"{task}: {', '.join(langs)}" for task, langs in answer["language_sets"].items()) + ".",
             f"Intervals: {answer['method']}.",
             "Each contrast is computed within one slice of targets, (setting, test origin) as the treatment's rows "
             "are tagged: zero-shot on natively written test sets answers the question; translate-train (the "
             "target's English training data or test paragraphs were translated for the arm) and translated test "
             "sets are reported apart, never averaged in.",
             "A group is the mean over the group's tasks that the study ran; `overall` over all of them.", ""]
    lines += _arms(answer.get("arms", {}), answer.get("named_sets", {}))
    exploratory = [r for r in answer["contrasts"] if not r["primary"]]
    for suite in dict.fromkeys(r["suite"] for r in exploratory):
        lines += [f"## Exploratory contrasts, {suite} (points, 0-100; p unadjusted)", "",
                  "| contrast | intermediate | setting, test | level | task / group | languages | mean | 95% CI | p "
                  "| clusters |", "|---|---|---|---|---|---|---:|---:|---:|---|"]
        for r in (r for r in exploratory if r["suite"] == suite):
            lines.append(f"| {r['contrast']} | {r['intermediate']} | {_slice(r)} | {r['level']} | {_scope(r)} | "
                         f"{r['languages']} | {_fmt(r['mean'])} | {_interval(r)} | {_p(r['p_value'])} | "
                         f"{_units(r)} |")
        lines.append("")
    lines += _covariates(answer.get("covariates", []))
    for suite, cut in dict.fromkeys((r["suite"], _slice(r)) for r in answer["mean_sd"]):
        rows = [r for r in answer["mean_sd"] if r["suite"] == suite and _slice(r) == cut]
        scopes = list(dict.fromkeys(_scope(r) for r in rows))
        for split in SPLITS:
            lines += [f"## Mean ± sd over seeds, {suite}, {cut}, {split} languages", "",
                      "| intermediate | arm | " + " | ".join(scopes) + " |", "|---|---|" + "---:|" * len(scopes)]
            for intermediate, arm in dict.fromkeys((r["intermediate"], r["arm"]) for r in rows):
                cells = {_scope(r): f"{r['mean']:.1f} ± {_sd(r['std'])}" for r in rows
                         if (r["intermediate"], r["arm"]) == (intermediate, arm) and r["languages"] == split}
                lines.append(f"| {intermediate} | {arm} | " + " | ".join(cells.get(s, "–") for s in scopes) + " |")
            lines.append("")
    return "\n".join(lines)


def _label(record: dict) -> str:
    return f"{record['intermediate']} ({_slice(record)}): {_scope(record)}"


def contrast_plot(records: list[dict], suite: str, contrast: str, path: Path) -> Path:
    """One contrast of one suite: mean and 95% interval per task, group and overall, seen / unseen / all."""
    plt = _pyplot()
    chosen = [r for r in records if r["suite"] == suite and r["contrast"] == contrast]
    labels = list(dict.fromkeys(_label(r) for r in chosen))
    fig, ax = plt.subplots(figsize=(6.5, 0.9 + 0.5 * len(labels)))
    for offset, (split, color) in zip((-0.22, 0.0, 0.22), zip(SPLITS, ("tab:blue", "tab:orange", "tab:gray"))):
        points = [(labels.index(_label(r)), r) for r in chosen
                  if r["languages"] == split and r["ci_low"] is not None]
        if points:
            ys = [y + offset for y, _ in points]
            means = [r["mean"] for _, r in points]
            errors = [[r["mean"] - r["ci_low"] for _, r in points], [r["ci_high"] - r["mean"] for _, r in points]]
            ax.errorbar(means, ys, xerr=errors, fmt="o", color=color, label=split, capsize=3, markersize=4)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("difference (points), 95% interval over seeds x languages")
    ax.set_title(f"{contrast} ({suite})", fontsize=10)
    ax.legend(fontsize=8, loc="best")
    return _save(fig, path)


def write(answer: dict, out_dir: Path, planted: list[dict] | None = None) -> list[Path]:
    """answer.md beside answer.json (with the planted-effect verdicts, when given), and one figure per (suite,
    contrast) in figures/ (plots/ holds the summary's plot data for DVC)."""
    atomic_text(out_dir / "answer.md", markdown(answer, planted))
    written = [out_dir / "answer.md"]
    pairs = dict.fromkeys((r["suite"], r["contrast"]) for r in answer["contrasts"])
    for suite, contrast in pairs:
        written.append(contrast_plot(answer["contrasts"], suite, contrast,
                                     out_dir / "figures" / f"{suite}_{contrast}.png"))
    return written
