"""Appendix tables: per-language scores of every target, one table per target."""

from __future__ import annotations

from repro.report.cells import ours_note
from repro.report.render import Table, fmt
from repro.report.study import INTERMEDIATE_ORDER, QA, Study, name, needed_metrics


def table_appendix(study: Study, target: str) -> Table:
    inters = study.intermediates()
    langs = study.languages(target)
    qa = target in QA
    header = ["Language", "Split"] + [name(i) for i in inters]
    csv_header = ["language", "split"] + [c for i in inters
                                          for c in ((i, f"{i}_exact_match", f"{i}_f1") if qa else (i,))]
    rows, csv_rows = [], []
    for lang in langs:
        split = study.split_of(target, lang)
        split_text = {"validation": "dev", "test": "test"}.get(split, split or "dev?")
        cells, raw = [], []
        for inter in inters:
            s = study.lang_score(target, inter, lang)
            if qa:
                em = study.score(target, inter, langs=[lang], metric="exact_match")
                f1 = study.score(target, inter, langs=[lang], metric="f1")
                cells.append(None if s is None else f"{s:.1f} ({em:.1f}/{f1:.1f})")
                raw += [s, em if s is not None else None, f1 if s is not None else None]
            else:
                cells.append(fmt(s))
                raw.append(s)
        rows.append([lang, split_text] + cells)
        csv_rows.append([lang, split_text] + raw)
    avg_cells, avg_raw = [], []
    for inter in inters:
        s = study.score(target, inter)
        avg_cells.append(fmt(s))
        avg_raw += [s, study.score(target, inter, metric="exact_match"), study.score(target, inter, metric="f1")] \
            if qa else [s]
    test_langs = study.test_split_languages(target)
    avg_label = "Avg (dev languages)" if test_langs else "Avg"
    rows.append([avg_label, ""] + avg_cells)
    csv_rows.append(["avg", "dev"] + avg_raw)
    splits = {r[1] for r in rows[:-1]}
    notes = [f"All numbers are ours. {ours_note(study)} Split: dev = the language's dev set; test = the language "
             "has no dev split (e.g. UD-POS kk, th, tl, yo), so its test set was used: a test number, not a dev one.",
             "Cells: " + ("(EM + F1) / 2 with (EM/F1)" if qa else "accuracy" if needed_metrics(target) == ("accuracy",)
                          else "F1") + "; " + avg_label + ": the task score (mean over the languages listed"
             + (f" with a dev split; the test rows {', '.join(test_langs)} are not averaged, as in Table 2)."
                if test_langs else ").")]
    absent = [i for i in INTERMEDIATE_ORDER if i not in inters]
    if absent:
        notes.append(f"Not produced (no column): {', '.join(name(i) for i in absent)}.")
    if "dev?" in splits:
        notes.append("dev? = split not recorded (stage files absent); metrics.json holds dev numbers by contract.")
    if not langs:
        notes.insert(0, f"No results for {name(target)}.")
    return Table(f"table_appendix_{target}", f"Appendix: {name(target)} per language (ours)", header, rows,
                 csv_header, csv_rows, notes, align="ll" + "r" * len(inters))

