"""Table 2: intermediate task x target task on dev sets: task scores, deltas vs the baseline, Avg (9 targets)."""

from __future__ import annotations

from repro.report.cells import ours_note, dev_average_note
from repro.report.render import Table, fmt
from repro.report.study import BASELINE, INTERMEDIATE_ORDER, TARGET_ORDER, Study, name


def table2(study: Study) -> Table:
    targets = list(TARGET_ORDER)
    header = ["Intermediate task"] + [name(t) for t in targets] + ["Avg"]
    csv_header = (["intermediate", "split", "source"] + [c for t in targets for c in (t, f"{t}_delta")]
                  + ["avg", "avg_delta", "n_targets"])
    rows, csv_rows = [], []
    partial = False
    inters = study.intermediates()  # every row of the paper is shown; absent ones as –
    for inter in list(INTERMEDIATE_ORDER) + [i for i in inters if i not in INTERMEDIATE_ORDER]:
        scores = study.row_scores(inter)
        deltas = {t: study.delta(t, inter) for t in targets} if inter != BASELINE else {}
        avg, n = study.avg_score(inter)
        avg_d, n_d = study.avg_delta(inter) if inter != BASELINE else (None, 0)
        star = "*" if 0 < n < len(targets) else ""
        partial = partial or bool(star)
        cells = []
        for t in targets:
            if scores[t] is None:
                cells.append(None)
            elif inter == BASELINE or deltas[t] is None:
                cells.append(fmt(scores[t]))
            else:
                cells.append(f"{fmt(scores[t])} ({fmt(deltas[t], signed=True)})")
        if avg is None:
            avg_cell = None
        elif inter == BASELINE or avg_d is None:
            avg_cell = f"{fmt(avg)}{star}"
        else:
            avg_cell = f"{fmt(avg)}{star} ({fmt(avg_d, signed=True)})"
        rows.append([name(inter)] + cells + [avg_cell])
        csv_rows.append([inter, "dev", f"ours ({study.profile})"]
                        + [v for t in targets for v in (scores[t], deltas.get(t))]
                        + [avg, avg_d, n])
    notes = [f"All numbers are ours, on dev sets. {ours_note(study)}",
             "Cells: task score (accuracy; F1; QA: (EM + F1) / 2), averaged over the languages evaluated on a dev "
             "split, English included, as XTREME; in parentheses the delta vs the baseline row (same languages).",
             "Avg: mean over the 9 targets of the scores (in parentheses: mean of the deltas); – = not produced "
             "(e.g. CCG without a CCGbank licence)."]
    if (note := dev_average_note(study, targets)) is not None:
        notes.append(note)
    if partial:
        notes.append("* mean over fewer than 9 targets (the others were not produced).")
    return Table("table2", "Table 2: intermediate task x target task (dev sets, ours)", header, rows, csv_header,
                 csv_rows, notes)

