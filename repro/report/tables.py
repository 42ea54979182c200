"""The paper's tables from results/<profile>/metrics.json: markdown, CSV and LaTeX, plus PNG plots.

    Table 1   tasks: format, metric, train/dev/test sizes of the prepared data, languages
    Table 2   intermediate task x target task on dev sets: task scores, deltas vs the baseline, Avg (9 targets)
    Table 3   the XTREME comparison: our best intermediate model per target (dev) vs published test numbers
    Table 4   alternatives (continued MLM, translated data) vs English-only intermediate training
    Appendix  per-language scores of every target

Entry points: `write_table(n, layout)` and `write_all_tables(layout)`; files land in
results/<profile>/tables/ (table<N>.{md,csv,tex}, table_appendix_<target>.{md,csv,tex}, *.png), each written
atomically (temporary file, then os.replace).

`Study` is the one reader of metrics.json (plus alternatives.json, the data manifest and the stage files'
per-language splits) and computes every derived number: task scores (repro.metrics.task_score: accuracy, F1,
or for QA (EM + F1) / 2, averaged over the languages present, English included), deltas, the best model per
target, XTREME scores (repro.metrics.overall_scores). repro.claims evaluates its expressions against it.
Importing this module is cheap: no torch, no datasets; matplotlib and the registry load only when needed.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from repro import metrics
from repro.report import published
from repro.report.published import DERIVED, HU, MARK, MT5, REMBERT

BASELINE = "none"
MULTITASK = "multitask"
# Row order of Table 2 (= repro.registry.INTERMEDIATE_IDS; kept here so reading results never imports datasets)
INTERMEDIATE_ORDER = ("none", "anli_plus", "mnli", "qqp", "squad_v1", "squad_v2", "hellaswag", "cosmosqa",
                      "commonsenseqa", "ccg", "multitask")
# Column order of the paper's main table (RECALLED, paper.md §3a)
TARGET_ORDER = ("bucc2018", "tatoeba", "xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa")
VARIANTS = ("english", "mlm", "translated")  # alternatives.json

NAMES = {
    "none": "Baseline (no intermediate)", "anli_plus": "ANLI+", "mnli": "MNLI", "qqp": "QQP",
    "squad_v1": "SQuAD v1.1", "squad_v2": "SQuAD v2.0", "hellaswag": "HellaSwag", "cosmosqa": "Cosmos QA",
    "commonsenseqa": "CommonsenseQA", "ccg": "CCG", "multitask": "Multi-task",
    "bucc2018": "BUCC", "tatoeba": "Tatoeba", "xnli": "XNLI", "pawsx": "PAWS-X", "udpos": "POS", "panx": "NER",
    "xquad": "XQuAD", "mlqa": "MLQA", "tydiqa": "TyDiQA",
    "english": "English (plain)", "mlm": "+ multilingual MLM", "translated": "Translated data",
}
GROUP_NAMES = {"classification": "Sentence-pair classification", "tagging": "Structured prediction",
               "qa": "Question answering", "retrieval": "Sentence retrieval"}
PUBLISHED_GROUP = {"classification": "sentence_pair", "tagging": "structured_prediction", "qa": "qa",
                   "retrieval": "retrieval"}
QA = tuple(metrics.QA_TASKS)


def needed_metrics(target: str) -> tuple[str, ...]:
    """The metrics.json metric names a target's task score reads."""
    kind = metrics.TASK_METRIC[target]
    if kind in ("squad", "mlqa"):
        return ("exact_match", "f1")
    return ("accuracy",) if kind == "accuracy" else ("f1",)


def name(key: str) -> str:
    return NAMES.get(key, key)


# ---------------------------------------------------------------------------------------------------------
# Reading results


def _read_json(path: Path | None) -> Any:
    if path is None or not Path(path).is_file():
        return None
    return json.loads(Path(path).read_text())


class Study:
    """Everything the tables and claims read, with the derived numbers computed one way."""

    def __init__(self, payload: Mapping | None, alternatives: Iterable[Mapping] | Mapping | None = None,
                 manifest: Mapping | None = None, splits: Mapping | None = None):
        payload = payload or {}
        self.profile: str = payload.get("profile", "?")
        self.provenance: dict = dict(payload.get("provenance") or {})
        self.has_metrics = bool(payload)
        # {(variant, intermediate, target): {lang: {metric: value}}}; variant None = the main results
        self._values: dict[tuple, dict[str, dict[str, float]]] = {}
        self.rows = list(payload.get("results") or [])
        for row in self.rows:
            self._add(None, row)
        if isinstance(alternatives, Mapping):
            alternatives = alternatives.get("results") or []
        self.has_alternatives = alternatives is not None
        for row in alternatives or []:
            self._add(row.get("variant", "english"), row)
        if manifest is None:  # results.provenance keeps the manifest's entries (with row counts)
            manifest = self.provenance.get("data")
        self.manifest: dict = dict(manifest or {})
        self.splits: dict = dict(splits or {})  # {(intermediate, target): {lang: split}}

    def _add(self, variant: str | None, row: Mapping) -> None:
        try:
            key = (variant, str(row["intermediate"]), str(row["target"]))
            self._values.setdefault(key, {}).setdefault(str(row["language"]), {})[str(row["metric"])] = \
                float(row["value"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"metrics: malformed result row {dict(row)!r} ({exc!r})") from None

    # --- construction ------------------------------------------------------------------------------------

    @classmethod
    def load(cls, metrics_path: Path | str | None, alternatives_path: Path | str | None = None,
             manifest_path: Path | str | None = None, stages_dir: Path | str | None = None) -> "Study":
        """From files; alternatives.json and the stage directory default to metrics.json's neighbours."""
        metrics_path = Path(metrics_path) if metrics_path is not None else None
        payload = _read_json(metrics_path)
        if metrics_path is not None and payload is None:
            raise FileNotFoundError(f"{metrics_path}: no metrics; run `repro collect` (or `dvc pull`) first")
        if alternatives_path is None and metrics_path is not None:
            alternatives_path = metrics_path.parent / "alternatives.json"
        if stages_dir is None and metrics_path is not None:
            stages_dir = metrics_path.parent / "stages"
        return cls(payload, _read_json(alternatives_path), _read_json(manifest_path), _read_splits(stages_dir))

    @classmethod
    def from_layout(cls, layout, require_metrics: bool = True) -> "Study":
        """From a repro.paths.Layout: metrics.json, alternatives.json, the data manifest, stage files."""
        if not layout.metrics.is_file():
            if require_metrics:
                raise FileNotFoundError(f"{layout.metrics}: no metrics; run `repro collect --profile "
                                        f"{layout.profile}` (or `dvc pull`) first")
            study = cls(None, None, _read_json(layout.manifest))
            study.profile = layout.profile
            return study
        manifest = layout.manifest if layout.manifest.is_file() else None
        return cls.load(layout.metrics, layout.results / "alternatives.json", manifest, layout.results / "stages")

    # --- what is there -----------------------------------------------------------------------------------

    def intermediates(self, variant: str | None = None) -> list[str]:
        present = {i for (v, i, _t) in self._values if v == variant}
        return [i for i in INTERMEDIATE_ORDER if i in present] + sorted(present - set(INTERMEDIATE_ORDER))

    def targets(self, variant: str | None = None) -> list[str]:
        present = {t for (v, _i, t) in self._values if v == variant}
        return [t for t in TARGET_ORDER if t in present] + sorted(present - set(TARGET_ORDER))

    def variants(self) -> list[str]:
        present = {v for (v, _i, _t) in self._values if v is not None}
        return [v for v in VARIANTS if v in present] + sorted(present - set(VARIANTS))

    def languages(self, target: str, intermediate: str | None = None, variant: str | None = None) -> list[str]:
        """Languages with results for a target (one row, or any row), English first then alphabetical."""
        langs: set[str] = set()
        for (v, i, t), per_lang in self._values.items():
            if v == variant and t == target and (intermediate is None or i == intermediate):
                langs |= set(per_lang)
        return sorted(langs, key=lambda lang: (lang != "en", lang))

    def count(self, **where: str) -> int:
        """Result rows of metrics.json matching every given field (intermediate, target, language, metric)."""
        return sum(all(str(row.get(k)) == str(v) for k, v in where.items()) for row in self.rows)

    # --- scores ------------------------------------------------------------------------------------------

    def per_lang(self, intermediate: str, target: str, variant: str | None = None,
                 langs: Iterable[str] | None = None) -> dict[str, dict[str, float]]:
        """{lang: {metric: value}} restricted to the metrics the task score reads, complete languages only."""
        values = self._values.get((variant, intermediate, target), {})
        wanted = needed_metrics(target) if target in metrics.TASK_METRIC else None
        keep = set(langs) if langs is not None else None
        out = {}
        for lang, scores in values.items():
            if keep is not None and lang not in keep:
                continue
            if wanted is None:
                out[lang] = dict(scores)
            elif all(m in scores for m in wanted):
                out[lang] = {m: scores[m] for m in wanted}
        return out

    def score(self, target: str, intermediate: str = BASELINE, variant: str | None = None,
              langs: Iterable[str] | None = None, metric: str | None = None) -> float | None:
        """The task score of one row (or the language mean of one metric); None when not produced."""
        per_lang = self.per_lang(intermediate, target, variant, langs)
        if not per_lang:
            return None
        if metric is not None:
            values = [scores[metric] for lang, scores in self._values[(variant, intermediate, target)].items()
                      if metric in scores and (langs is None or lang in set(langs))]
            return sum(values) / len(values) if values else None
        try:
            return metrics.task_score(target, per_lang)
        except ValueError:
            return None

    def lang_score(self, target: str, intermediate: str, lang: str, variant: str | None = None) -> float | None:
        return self.score(target, intermediate, variant, langs=[lang])

    def delta(self, target: str, intermediate: str, reference: str = BASELINE, variant: str | None = None,
              reference_variant: str | None = None) -> float | None:
        """score(intermediate) - score(reference) over the languages both have."""
        common = (set(self.per_lang(intermediate, target, variant))
                  & set(self.per_lang(reference, target, reference_variant)))
        if not common:
            return None
        a = self.score(target, intermediate, variant, common)
        b = self.score(target, reference, reference_variant, common)
        return None if a is None or b is None else a - b

    def avg_delta(self, intermediate: str, targets: Iterable[str] | None = None) -> tuple[float | None, int]:
        """(mean over targets of delta vs the baseline, number of targets averaged)."""
        deltas = [d for t in (targets or TARGET_ORDER) if (d := self.delta(t, intermediate)) is not None]
        return (sum(deltas) / len(deltas) if deltas else None), len(deltas)

    def avg_score(self, intermediate: str, targets: Iterable[str] | None = None) -> tuple[float | None, int]:
        scores = [s for t in (targets or TARGET_ORDER) if (s := self.score(t, intermediate)) is not None]
        return (sum(scores) / len(scores) if scores else None), len(scores)

    def candidates(self) -> list[str]:
        """The intermediate-task models a per-target choice picks from (every row but the baseline)."""
        return [i for i in self.intermediates() if i != BASELINE]

    def best(self, target: str, candidates: Iterable[str] | None = None) -> tuple[str, float] | None:
        """(intermediate, dev task score) of the best intermediate model for a target (first one on ties)."""
        best = None
        for inter in candidates if candidates is not None else self.candidates():
            s = self.score(target, inter)
            if s is not None and (best is None or s > best[1]):
                best = (inter, s)
        return best

    def xtreme(self, scores: Mapping[str, float | None]) -> dict[str, float]:
        """XTREME's overall_scores on {target: task score}: "all_task" (mean of the 9) if all are present,
        and each complete group."""
        detailed = {t: {"avg_metric": s} for t, s in scores.items() if s is not None}
        return metrics.overall_scores(detailed)

    def row_scores(self, intermediate: str) -> dict[str, float | None]:
        return {t: self.score(t, intermediate) for t in TARGET_ORDER}

    def best_scores(self) -> dict[str, float | None]:
        return {t: (b[1] if (b := self.best(t)) else None) for t in TARGET_ORDER}

    def reference_variant(self, intermediate: str, target: str, reference: str = "english") -> str | None:
        """The variant an alternative is compared with: alternatives.json's own `english` rows when it has
        them for the pair, else the main results (plain English intermediate training, variant None)."""
        return reference if (reference, intermediate, target) in self._values else None

    def alt_delta(self, variant: str, reference: str = "english") -> tuple[float | None, int]:
        """(mean over the (intermediate, target) pairs both variants ran of score(variant) - score(reference),
        number of pairs)."""
        deltas = []
        for inter in self.intermediates(variant):
            for target in self.targets(variant):
                ref = self.reference_variant(inter, target, reference)
                d = self.delta(target, inter, inter, variant, ref)
                if d is not None:
                    deltas.append(d)
        return (sum(deltas) / len(deltas) if deltas else None), len(deltas)

    # --- data --------------------------------------------------------------------------------------------

    def dataset_rows(self, key: str, split: str, field_name: str = "rows") -> int | None:
        info = (self.manifest.get(key) or {}).get(split) or {}
        value = info.get(field_name)
        return int(value) if value is not None else None

    def split_of(self, target: str, lang: str, intermediate: str | None = None) -> str | None:
        """The split a language was evaluated on (stage files), from one row or any row of the target."""
        keys = [(intermediate, target)] if intermediate else [k for k in self.splits if k[1] == target]
        for key in keys:
            split = (self.splits.get(key) or {}).get(lang)
            if split:
                return split
        return None

    def model(self) -> str:
        model = self.provenance.get("model") or {}
        if model.get("hub"):
            return str(model["hub"])
        if "pretrained_here" in model:
            cfg = model["pretrained_here"] or {}
            dims = ", ".join(f"{k} {cfg[k]}" for k in ("layers", "hidden_size") if k in cfg)
            return f"pretrained here ({dims})" if dims else "pretrained here"
        return "unknown"


def _read_splits(stages_dir: Path | str | None) -> dict:
    """{(intermediate, target): {lang: split}} from results/<profile>/stages/*/*.json."""
    out: dict = {}
    if stages_dir is None or not Path(stages_dir).is_dir():
        return out
    for path in sorted(Path(stages_dir).glob("*/*.json")):
        try:
            stage = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(stage, dict) and isinstance(stage.get("splits"), dict):
            out[(path.parent.name, path.stem)] = dict(stage["splits"])
    return out


# ---------------------------------------------------------------------------------------------------------
# A table, rendered three ways


@dataclass
class Table:
    stem: str  # file name without extension: table2, table_appendix_xnli
    title: str
    header: list[str]  # display columns (md, tex)
    rows: list[list[Any]]  # display cells: str, or None for "not produced"
    csv_header: list[str]
    csv_rows: list[list[Any]]  # raw values: numbers rounded to 6 decimals, None -> empty
    notes: list[str] = field(default_factory=list)
    align: str = ""  # one of l / r per display column; default: first left, the rest right

    def _align(self) -> str:
        return self.align or "l" + "r" * (len(self.header) - 1)

    def markdown(self) -> str:
        def cell(value: Any) -> str:
            return "–" if value is None else str(value).replace("|", "\\|")

        lines = [f"## {self.title}", "", "| " + " | ".join(self.header) + " |",
                 "|" + "|".join("---:" if a == "r" else "---" for a in self._align()) + "|"]
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in self.rows]
        if self.notes:
            lines += [""] + [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"

    def csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.csv_header)
        for row in self.csv_rows:
            writer.writerow(["" if v is None else round(v, 6) if isinstance(v, float) else v for v in row])
        return buffer.getvalue()

    def latex(self) -> str:
        def cell(value: Any) -> str:
            return "--" if value is None else tex_escape(str(value))

        wide = len(self.header) > 6
        lines = ["% generated by repro.tables; do not edit. Needs \\usepackage{booktabs}"
                 + (" and \\usepackage{graphicx}" if wide else ""),
                 "\\begin{table}[t]", "\\centering", "\\small", f"\\caption{{{tex_escape(self.title)}}}",
                 *(["\\resizebox{\\linewidth}{!}{%"] if wide else []),
                 f"\\begin{{tabular}}{{{self._align()}}}", "\\toprule",
                 " & ".join(cell(h) for h in self.header) + " \\\\", "\\midrule"]
        lines += [" & ".join(cell(v) for v in row) + " \\\\" for row in self.rows]
        lines += ["\\bottomrule", "\\end{tabular}" + ("}" if wide else "")]
        if self.notes:
            lines += ["\\par\\footnotesize"] + [tex_escape(note) + "\\\\" for note in self.notes]
        lines.append("\\end{table}")
        return "\n".join(lines) + "\n"

    def write(self, directory: Path) -> list[Path]:
        paths = []
        for ext, text in (("md", self.markdown()), ("csv", self.csv()), ("tex", self.latex())):
            path = directory / f"{self.stem}.{ext}"
            atomic_write(path, text.encode())
            paths.append(path)
        return paths


_TEX = {"\\": "\\textbackslash{}", "&": "\\&", "%": "\\%", "$": "\\$", "#": "\\#", "_": "\\_", "{": "\\{",
        "}": "\\}", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}", "–": "--", "±": "$\\pm$",
        "≥": "$\\geq$", "≤": "$\\leq$", "→": "$\\rightarrow$", "`": ""}


def tex_escape(text: str) -> str:
    return "".join(_TEX.get(ch, ch) for ch in text)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file next to `path`, then os.replace it into place (so a reader never sees
    a half-written file; permissions follow the umask as for any new file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def fmt(value: float | None, digits: int = 1, signed: bool = False) -> str | None:
    if value is None:
        return None
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def _published_cell(model: str, target: str, source: str, metric: str = "score") -> tuple[str | None, Any]:
    """(display, raw value) of a published number, QA shown as score (EM/F1), certainty marked."""
    row = published.lookup(model, target, metric, source)
    if row is None:
        if target in QA and metric == "score":  # F1 alone (mT5 without EM)
            f1 = published.lookup(model, target, "f1", source)
            if f1 is not None:
                return f"F1 {f1.value:.1f}{_mark(f1.certainty)}", None
        return None, None
    text = f"{row.value:.1f}{_mark(row.certainty)}"
    if target in QA and metric == "score":
        em, f1 = published.lookup(model, target, "exact_match", source), published.lookup(model, target, "f1", source)
        if em and f1:
            text += f" ({em.value:.1f}{_mark(em.certainty)}/{f1.value:.1f}{_mark(f1.certainty)})"
    return text, row.value


def _mark(certainty: str) -> str:
    suffix = MARK.get(certainty, f"[{certainty}]")
    return f" {suffix}" if suffix else ""


CERTAINTY_NOTE = ("Published numbers: unmarked = VERIFIED in the named source, [D] = DERIVED by arithmetic from "
                  "verified numbers, [R] = RECALLED (unchecked), [U] = UNVERIFIED, [?] = UNSURE (paper.md).")


def _ours_note(study: Study) -> str:
    return f"Ours: profile `{study.profile}`, model {study.model()}."


# ---------------------------------------------------------------------------------------------------------
# Table 1: tasks


def table1(study: Study) -> Table:
    from repro.registry import INTERMEDIATE_TASKS, SOURCES, TARGET_TASKS, dataset_key

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
    for role, tasks in (("intermediate", INTERMEDIATE_TASKS), ("target", TARGET_TASKS)):
        for task_id, task in tasks.items():
            if role == "intermediate":
                train_keys = list(task.train)
                eval_keys = list(task.train)
                langs = ["en"]
            else:
                train_keys = [dataset_key(s, "en" if SOURCES[s].per_language else None) for s in task.train]
                prefix = f"{task.evaluate}."
                langs = sorted((k[len(prefix):] for k in manifest if k.startswith(prefix)),
                               key=lambda lang: (lang != "en", lang))
                eval_keys = [dataset_key(task.evaluate, lang) for lang in langs]
            if any(k not in manifest for k in train_keys) or not langs:
                missing.append(task_id)
            train = total(train_keys, "train") if train_keys else None
            dev = total(eval_keys, "validation")
            test = total(eval_keys, "test")
            paper = published.TRAIN_SIZES.get(task_id)
            n_xtreme = len(metrics.XTREME_TASK2LANGS.get(task_id, ())) if role == "target" else 1
            lang_text = ("en" if role == "intermediate"
                         else f"{len(langs)} of {n_xtreme}: {' '.join(langs)}" if langs else None)
            if role == "target" and task.shares_training_with:
                train_text = f"{_int(train)} (shared with {name(task.shares_training_with)})" if train else None
            else:
                train_text = _int(train) if train_keys else "none (no training)"
            rows.append([name(task_id), role, task.format.replace("_", " "), metric_name(task.metric),
                         train_text, _int(dev), _int(test),
                         f"{paper[0]:,}{_mark(paper[1])}" if paper else None, lang_text])
            csv_rows.append([task_id, role, task.format, task.metric, train, dev, test,
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


# ---------------------------------------------------------------------------------------------------------
# Table 2: intermediate x target (dev)


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
    notes = [f"All numbers are ours, on dev sets. {_ours_note(study)}",
             "Cells: task score (accuracy; F1; QA: (EM + F1) / 2), averaged over the evaluated languages, English "
             "included, as XTREME; in parentheses the delta vs the baseline row (same languages).",
             "Avg: mean over the 9 targets of the scores (in parentheses: mean of the deltas); – = not produced "
             "(e.g. CCG without a CCGbank licence)."]
    if partial:
        notes.append("* mean over fewer than 9 targets (the others were not produced).")
    return Table("table2", "Table 2: intermediate task x target task (dev sets, ours)", header, rows, csv_header,
                 csv_rows, notes)


# ---------------------------------------------------------------------------------------------------------
# Table 3: the XTREME comparison


def table3(study: Study) -> Table:
    header = ["Target", "Best intermediate (ours)", "Ours best (dev)", "Ours baseline (dev)", "Ours gain (dev)",
              "XLM-R Large (test, Hu et al. 2020)", "X-STILTs (test, leaderboard via RemBERT)",
              "X-STILTs (test, via mT5)", "Published gain (test)"]
    csv_header = ["row", "ours_best_intermediate", "ours_best_dev", "ours_best_dev_exact_match",
                  "ours_best_dev_f1", "ours_baseline_dev", "ours_gain_dev", "xlmr_test_hu2020",
                  "xstilts_test_rembert", "xstilts_test_mt5", "published_gain_test", "published_gain_certainty"]
    rows, csv_rows = [], []
    best_scores, base_scores = {}, {}
    for target in TARGET_ORDER:
        best = study.best(target)
        base = study.score(target, BASELINE)
        best_scores[target], base_scores[target] = (best[1] if best else None), base
        em = f1 = None
        ours = None
        if best:
            ours = fmt(best[1])
            if target in QA:
                em, f1 = study.score(target, best[0], metric="exact_match"), study.score(target, best[0], metric="f1")
                if em is not None and f1 is not None:
                    ours += f" ({em:.1f}/{f1:.1f})"
        gain = best[1] - base if best and base is not None else None
        hu_text, hu = _published_cell("xlmr", target, HU)
        rb_text, rb = _published_cell("xstilts", target, REMBERT)
        mt_text, mt = _published_cell("xstilts", target, MT5)
        pub_gain = rb - hu if rb is not None and hu is not None else None
        pub_cert = None
        if pub_gain is not None:
            certs = {published.lookup("xlmr", target, "score", HU).certainty,
                     published.lookup("xstilts", target, "score", REMBERT).certainty}
            pub_cert = "RECALLED" if "RECALLED" in certs else DERIVED
        rows.append([name(target), name(best[0]) if best else None, ours, fmt(base), fmt(gain, signed=True),
                     hu_text, rb_text, mt_text,
                     f"{fmt(pub_gain, signed=True)}{_mark(pub_cert)}" if pub_gain is not None else None])
        csv_rows.append([target, best[0] if best else None, best[1] if best else None, em, f1, base, gain,
                         hu, rb, mt, pub_gain, pub_cert])
    ours_best, ours_base = study.xtreme(best_scores), study.xtreme(base_scores)
    for group, tasks in metrics.XTREME_GROUPS.items():
        key = PUBLISHED_GROUP[group]
        b, o = ours_best.get(group), ours_base.get(group)
        hu_text, hu = _published_cell("xlmr", key, HU)
        if hu is None:
            hu_text, hu = _published_cell("xlmr", key, REMBERT)
            hu_text = f"{hu_text} (leaderboard)" if hu_text else None
        rb_text, rb = _published_cell("xstilts", key, REMBERT)
        rows.append([f"{GROUP_NAMES[group]} (mean of {', '.join(name(t) for t in tasks)})", None, fmt(b), fmt(o),
                     fmt(b - o, signed=True) if b is not None and o is not None else None, hu_text, rb_text, None,
                     None])
        csv_rows.append([f"group:{group}", None, b, None, None, o, b - o if b is not None and o is not None
                         else None, hu, rb, None, None, None])
    b, o = ours_best.get("all_task"), ours_base.get("all_task")
    n_best = sum(v is not None for v in best_scores.values())
    xlmr = published.lookup("xlmr", "xtreme", "score", HU)
    xst = published.lookup("xstilts", "xtreme", "score", REMBERT)
    gain = published.lookup("xstilts", "xtreme_gain", "score", published.ABSTRACT)
    rows.append(["XTREME score (mean of the 9 task scores)", "best per target",
                 fmt(b) if b is not None else f"– ({n_best}/9 tasks)", fmt(o),
                 fmt(b - o, signed=True) if b is not None and o is not None else None,
                 f"{xlmr.value:.1f}{_mark(xlmr.certainty)}", f"{xst.value:.1f}{_mark(xst.certainty)}", None,
                 f"+{gain.value:.1f} (abstract)"])
    csv_rows.append(["xtreme", "best per target", b, None, None, o,
                     b - o if b is not None and o is not None else None, xlmr.value, xst.value, None, gain.value,
                     gain.certainty])
    notes = [f"Ours are DEV numbers; every published number is a TEST number (XTREME test sets). {_ours_note(study)}",
             "Ours best: per target, the intermediate-task model (any row but the baseline, multi-task included) "
             "with the highest dev task score, as the paper picks its leaderboard models by dev score; choosing "
             "and reporting on the same dev sets makes these optimistic.",
             "Task score: accuracy; F1; QA: (EM + F1) / 2 with (EM/F1) in parentheses. XTREME score as "
             "XTREME's evaluate.py overall_scores: plain mean of the 9 task scores (only when all 9 exist); "
             "group rows: mean of the group's tasks.",
             "XLM-R Large: the XTREME paper's numbers (POS 72.6; the later leaderboard has 73.8). X-STILTs: (i) "
             "XTREME leaderboard values quoted by RemBERT, (ii) values quoted by mT5 (F1 only for QA); "
             "differences up to about 0.7 between them are source noise. Per-task BUCC / Tatoeba test values of "
             "X-STILTs were not found (their sum is about 152.9, DERIVED).",
             "Published gain: X-STILTs (RemBERT) minus XLM-R (Hu et al.); XTREME row: the abstract's +5.4.",
             CERTAINTY_NOTE]
    if n_best < len(TARGET_ORDER):
        notes.append(f"Only {n_best} of 9 targets have results: our XTREME score is not defined (–).")
    return Table("table3", "Table 3: best intermediate model per target vs XLM-R Large and published X-STILTs",
                 header, rows, csv_header, csv_rows, notes, align="ll" + "r" * 7)


# ---------------------------------------------------------------------------------------------------------
# Table 4: alternatives


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
    notes = [f"All numbers are ours, on dev sets. {_ours_note(study)}",
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


# ---------------------------------------------------------------------------------------------------------
# Appendix: per-language tables


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
    rows.append(["Avg", ""] + avg_cells)
    csv_rows.append(["avg", ""] + avg_raw)
    splits = {r[1] for r in rows[:-1]}
    notes = [f"All numbers are ours. {_ours_note(study)} Split: dev = the language's dev set; test = the language "
             "has no dev split (e.g. UD-POS kk, th, tl, yo), so its test set was used.",
             "Cells: " + ("(EM + F1) / 2 with (EM/F1)" if qa else "accuracy" if needed_metrics(target) == ("accuracy",)
                          else "F1") + "; Avg: the task score (mean over the languages listed)."]
    absent = [i for i in INTERMEDIATE_ORDER if i not in inters]
    if absent:
        notes.append(f"Not produced (no column): {', '.join(name(i) for i in absent)}.")
    if "dev?" in splits:
        notes.append("dev? = split not recorded (stage files absent); metrics.json holds dev numbers by contract.")
    if not langs:
        notes.insert(0, f"No results for {name(target)}.")
    return Table(f"table_appendix_{target}", f"Appendix: {name(target)} per language (ours)", header, rows,
                 csv_header, csv_rows, notes, align="ll" + "r" * len(inters))


# ---------------------------------------------------------------------------------------------------------
# Entry points


TABLES = ("1", "2", "3", "4", "appendix")


def tables_dir(layout) -> Path:
    return layout.results / "tables"


def build(n: int | str, study: Study) -> list[Table]:
    key = str(n).lower().removeprefix("table").strip()
    if key in ("a", "appendix"):
        return [table_appendix(study, t) for t in TARGET_ORDER]
    builders = {"1": table1, "2": table2, "3": table3, "4": table4}
    if key not in builders:
        raise ValueError(f"unknown table {n!r}; known: {', '.join(TABLES)}")
    return [builders[key](study)]


def write_table(n: int | str, layout, *, study: Study | None = None, plots: bool = True) -> list[Path]:
    """Write table `n` (1, 2, 3, 4 or "appendix") of layout's profile under results/<profile>/tables/;
    returns the files written (md, csv, tex and any PNG plots). Table 1 needs only the data manifest."""
    key = str(n).lower().removeprefix("table").strip()
    if study is None:
        study = Study.from_layout(layout, require_metrics=key != "1")
    out = tables_dir(layout)
    paths = []
    for table in build(key, study):
        paths += table.write(out)
    if plots:
        from repro.report import plots as plotting

        if key == "2":
            paths.append(plotting.deltas_heatmap(study, out / "table2_deltas.png"))
        elif key in ("a", "appendix"):
            paths += [plotting.language_bars(study, t, out / f"appendix_{t}.png") for t in TARGET_ORDER
                      if study.languages(t)]
    return paths


def write_all_tables(layout, *, plots: bool = True) -> list[Path]:
    """Every table (1-4 and the appendix) and plot; Table 1 alone when no metrics exist yet."""
    study = Study.from_layout(layout, require_metrics=False)
    paths = write_table(1, layout, study=study, plots=plots)
    if study.has_metrics:
        for key in TABLES[1:]:
            paths += write_table(key, layout, study=study, plots=plots)
    return paths
