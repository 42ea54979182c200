"""Table 4: alternatives (continued MLM, translated data) vs English-only intermediate training."""

from __future__ import annotations

from repro.report.cells import ours_note
from repro.report.render import Table, fmt
from repro.report.study import INTERMEDIATE_ORDER, TARGET_ORDER, Study, name


def table4(study: Study) -> Table:
    variants = study.variants()
    targets = [t for t in TARGET_ORDER if any(t in study.targets(v) for v in variants)]
    header = ["Intermediate task", "Variant"] + [name(t) for t in targets] + ["Avg"]
    csv_header = (["intermediate", "variant", "split", "source"]
                  + [c for t in targets for c in (t, f"{t}_delta_vs_english")] + ["avg", "avg_delta_vs_english"])
    rows, csv_rows = [], []
    inters = [i for i in INTERMEDIATE_ORDER if any(i in study.intermediates(v) for v in variants)]
    shown = (["english"] if "english" not in variants else []) + variants
    for inter in inters:
        for variant in shown:
            key = variant if variant != "english" or "english" in variants else None  # None: the main results
            if key is not None and inter not in study.intermediates(key):
                continue
            scores = {t: study.score(t, inter, key) for t in targets}
            deltas = ({t: study.delta(t, inter, inter, variant, study.reference_variant(inter, t))
                       for t in targets} if variant != "english" else {})
            present = [s for s in scores.values() if s is not None]
            avg = sum(present) / len(present) if present else None
            dvals = [d for d in deltas.values() if d is not None]
            avg_d = sum(dvals) / len(dvals) if dvals else None
            cells = [None if scores[t] is None else fmt(scores[t]) if deltas.get(t) is None
                     else f"{fmt(scores[t])} ({fmt(deltas[t], signed=True)})" for t in targets]
            avg_cell = None if avg is None else fmt(avg) if avg_d is None else f"{fmt(avg)} ({fmt(avg_d, signed=True)})"
            label = name(variant) + (" (main run)" if key is None else "")
            rows.append([name(inter), label] + cells + [avg_cell])
            csv_rows.append([inter, variant if key is not None else "english (main run)", "dev",
                             f"ours ({study.profile})"]
                            + [v for t in targets for v in (scores[t], deltas.get(t))] + [avg, avg_d])
    for variant in variants:
        if variant == "english":
            continue
        mean, n = study.alt_delta(variant)
        rows.append([f"Mean delta vs English ({n} runs)", name(variant)] + [None] * len(targets)
                    + [fmt(mean, signed=True)])
        csv_rows.append(["mean", variant, "dev", f"ours ({study.profile})"] + [None] * (2 * len(targets))
                        + [None, mean])
    notes = [f"All numbers are ours, on dev sets. {ours_note(study)}",
             "Variants: English = plain English intermediate training; + multilingual MLM = continued multilingual "
             "masked-LM training as an extra task during intermediate training; Translated data = machine-translated "
             "intermediate-task data. In parentheses: delta vs the English variant of the same intermediate task "
             "(alternatives.json's own English run when it has one, else the main run of Table 2).",
             "Paper (VERIFIED, abstract): neither alternative consistently outperforms English-only intermediate "
             "training; the paper's own numbers for this table were not read (paper.md §3c)."]
    if not study.has_alternatives or not variants:
        notes.insert(0, "No alternative runs exist (results/<profile>/alternatives.json is absent or empty).")
    return Table("table4", "Table 4: alternatives to English-only intermediate training (dev sets, ours)", header,
                 rows, csv_header, csv_rows, notes, align="ll" + "r" * (len(header) - 2))

