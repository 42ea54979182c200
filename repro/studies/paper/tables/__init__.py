"""The paper's tables from results/<profile>/metrics.json: markdown, CSV and LaTeX, plus PNG plots.

    Table 1   tasks: format, metric, train/dev/test sizes of the prepared data, languages
    Table 2   intermediate task x target task on dev sets: task scores, deltas vs the baseline, Avg (9 targets)
    Table 3   the XTREME comparison: our best intermediate model per target (dev) vs published test numbers
    Table 4   alternatives (continued MLM, translated data) vs English-only intermediate training
    Appendix  per-language scores of every target

Entry points: `write_table(n, layout)` and `write_all_tables(layout)`; files land in
results/<profile>/tables/ (table<N>.{md,csv,tex}, table_appendix_<target>.{md,csv,tex}, *.png), each written
atomically (repro.io: temporary file, then os.replace). One module per table builds it from a
repro.report.study.Study; repro.report.render writes it.
Importing this module is cheap: no torch, no datasets; matplotlib and the registry load only when needed.
"""

from __future__ import annotations

from pathlib import Path

from repro.errors import UserError
from repro.studies.paper.tables.appendix import table_appendix
from repro.report.plots import deltas_heatmap, language_bars
from repro.report.render import Table
from repro.report.study import TARGET_ORDER, Study
from repro.studies.paper.tables.table1 import table1
from repro.studies.paper.tables.table2 import table2
from repro.studies.paper.tables.table3 import table3
from repro.studies.paper.tables.table4 import table4


TABLES = ("1", "2", "3", "4", "appendix")


def tables_dir(layout) -> Path:
    return layout.results / "tables"


def build(n: int | str, study: Study) -> list[Table]:
    key = str(n).lower().removeprefix("table").strip()
    if key in ("a", "appendix"):
        return [table_appendix(study, t) for t in TARGET_ORDER]
    builders = {"1": table1, "2": table2, "3": table3, "4": table4}
    if key not in builders:
        raise UserError(f"unknown table {n!r}; known: {', '.join(TABLES)}")
    return [builders[key](study)]


def write_table(n: int | str, layout, *, study: Study | None = None, plots: bool = True) -> list[Path]:
    """Write table `n` (1, 2, 3, 4 or "appendix") of layout's profile under results/<profile>/tables/;
    returns the files written (md, csv, tex and any PNG plots). Table 1 needs only the data manifest."""
    key = str(n).lower().removeprefix("table").strip()
    if key not in TABLES + ("a",):
        raise UserError(f"unknown table {n!r}; known: {', '.join(TABLES)}")
    if study is None:
        study = Study.from_layout(layout, require_metrics=key != "1")
    out = tables_dir(layout)
    paths = []
    for table in build(key, study):
        paths += table.write(out)
    if plots and key == "2":
        paths.append(deltas_heatmap(study, out / "table2_deltas.png"))
    elif plots and key in ("a", "appendix"):
        paths += [language_bars(study, t, out / f"appendix_{t}.png") for t in TARGET_ORDER if study.languages(t)]
    return paths


def write_all_tables(layout, *, plots: bool = True) -> list[Path]:
    """Every table (1-4 and the appendix) and plot; Table 1 alone when no metrics exist yet."""
    study = Study.from_layout(layout, require_metrics=False)
    paths = write_table(1, layout, study=study, plots=plots)
    if study.has_metrics:
        for key in TABLES[1:]:
            paths += write_table(key, layout, study=study, plots=plots)
    return paths
