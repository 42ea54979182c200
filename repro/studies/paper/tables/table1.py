"""Table 1: tasks: format, metric, train/dev/test sizes of the prepared data, languages."""

from __future__ import annotations

from typing import Iterable

from repro.suites import xtreme
from repro.report import published
from repro.report.cells import CERTAINTY_NOTE, mark
from repro.report.render import Table
from repro.report.study import Study, name


def table1(study: Study) -> Table:
    from repro.data.sources import SOURCES, dataset_key
    from repro.tasks import INTERMEDIATE_TASKS, TARGET_TASKS

    manifest = study.manifest

    def rows_of(key: str, split: str) -> int | None:
        return study.dataset_rows(key, split)

    def total(keys: Iterable[str], split: str) -> int | None:
        values = [rows_of(k, split) for k in keys]
        values = [v for v in values if v is not None]
        return sum(values) if values else None

    def metric_name(metric: str) -> str:
        return {"accuracy": "Acc.", "f1": "F1", "bucc_f1": "F1", "squad": "EM / F1", "mlqa": "EM / F1"}.get(
            metric, metric)

    header = ["Task", "Role", "Format", "Metric", "Train (ours)", "Dev (ours)", "Test (ours)",
              "Train (paper)", "Languages"]
    csv_header = ["task", "role", "format", "metric", "train_rows", "dev_rows", "test_rows", "train_published",
                  "train_published_certainty", "n_languages", "n_languages_xtreme", "languages", "sources"]
    rows, csv_rows = [], []
    missing = []
    xtreme_targets = {task_id: task for task_id, task in TARGET_TASKS.items() if task.suite == xtreme.NAME}
    for role, tasks in (("intermediate", INTERMEDIATE_TASKS), ("target", xtreme_targets)):
        for task_id, task in tasks.items():
            if role == "intermediate":
                train_keys = list(task.train)
                eval_keys = list(task.train)
                langs = ["en"]
            else:
                train_keys = [dataset_key(s, "en" if SOURCES[s].per_language else None) for s in task.train]
                prefix = f"{task.evaluate}."
                langs = sorted((k[len(prefix):] for k in manifest if k.startswith(prefix)  # XTREME's languages:
                                if k[len(prefix):] in xtreme.TASK2LANGS[task_id]),  # not XTREME-R's additions
                               key=lambda lang: (lang != "en", lang))
                eval_keys = [dataset_key(task.evaluate, lang) for lang in langs]
            if any(k not in manifest for k in train_keys) or not langs:
                missing.append(task_id)
            train = total(train_keys, "train") if train_keys else None
            dev = total(eval_keys, "validation")
            test = total(eval_keys, "test")
            paper = published.TRAIN_SIZES.get(task_id)
            n_xtreme = len(xtreme.TASK2LANGS.get(task_id, ())) if role == "target" else 1
            lang_text = ("en" if role == "intermediate"
                         else f"{len(langs)} of {n_xtreme}: {' '.join(langs)}" if langs else None)
            if role == "target" and task.shares_training_with:
                train_text = f"{_int(train)} (shared with {name(task.shares_training_with)})" if train else None
            else:
                train_text = _int(train) if train_keys else "none (no training)"
            rows.append([name(task_id), role, task.kind.replace("_", " "), metric_name(task.metric),
                         train_text, _int(dev), _int(test),
                         f"{paper[0]:,}{mark(paper[1])}" if paper else None, lang_text])
            csv_rows.append([task_id, role, task.kind, task.metric, train, dev, test,
                             paper[0] if paper else None, paper[1] if paper else None, len(langs), n_xtreme,
                             " ".join(langs), " ".join(task.train) + (f" | eval: {task.evaluate}"
                                                                      if task.evaluate else "")])
    notes = [f"Sizes (ours): rows of the prepared splits of profile `{study.profile}` (data manifest), summed "
             "over a task's sources (ANLI+ = SNLI + MNLI + ANLI R1-R3) and, for targets, over the evaluated "
             "languages (dev / test); rows as shipped (SNLI's unlabelled rows are dropped only at read time).",
             "Train (paper): published English training sizes (paper.md §1; RemBERT Table 11 for targets). "
             + CERTAINTY_NOTE,
             "Targets are evaluated zero-shot on dev splits (test only where a language has no dev split)."]
    if not manifest:
        notes.insert(0, "No data manifest found: sizes are not available (run `repro data`).")
    elif missing:
        notes.append(f"Not prepared (shown as –): {', '.join(name(t) for t in missing)}.")
    return Table("table1", "Table 1: tasks, formats, metrics and data sizes", header, rows, csv_header,
                 csv_rows, notes, align="llllrrrrl")


def _int(value: int | None) -> str | None:
    return None if value is None else f"{value:,}"

