"""Reading a run's results: `Study`, plus the row and column orders and display names every report shares.

`Study` is the one reader of metrics.json (plus alternatives.json, the data manifest and the stage files'
per-language splits) and computes every derived number: task scores (repro.suites.xtreme.task_score: accuracy, F1,
or for QA (EM + F1) / 2, averaged over the languages present that were evaluated on a dev split, English
included), deltas, the best model per target, XTREME scores (repro.suites.xtreme.overall_scores). A language with
no dev split (UD-POS kk, th, tl, yo: the stage files record "test") is shown per language, labelled, but left out
of every dev average, as jiant's dev list leaves it out (jiant/scripts/benchmarks/xtreme/xtreme_runconfig_writer.py
:10-11 LANGS_DICT["udpos"], 29 languages with en; :21 EXTRA_UDPOS_TEST_LANGS, added to the test tasks only, :82-85;
subscripts/c_tokenize_and_cache.sh:59-67 caches kk th tl yo for `--phases test` only). The tables and plots
render it; repro.report.claims evaluates its expressions against it. Importing this module is cheap: no torch, no
datasets, no matplotlib.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping

from repro.errors import UserError
from repro.suites import xtreme
from repro.tasks import BASELINE, INTERMEDIATE_IDS, MULTITASK

INTERMEDIATE_ORDER = INTERMEDIATE_IDS  # the row order of Table 2
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
QA = tuple(xtreme.QA_TASKS)


def needed_metrics(target: str) -> tuple[str, ...]:
    """The metrics.json metric names a target's task score reads."""
    kind = xtreme.TASK_METRIC[target]
    if kind in ("squad", "mlqa"):
        return ("exact_match", "f1")
    return ("accuracy",) if kind == "accuracy" else ("f1",)


def name(key: str) -> str:
    return NAMES.get(key, key)


def read_json(path: Path | None) -> Any:
    """A JSON input, None when absent; an unreadable or truncated one is refused naming the file."""
    if path is None or not Path(path).is_file():
        return None
    try:
        return json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise UserError(f"{path}: not a readable JSON file ({err}); rerun the stage that writes it, or "
                        f"`dvc pull` / `dvc checkout` it") from None



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
        # {(intermediate, target): {lang: split}}: the stage files', else the rows' own (metrics.json alone)
        self.splits: dict = dict(splits or {}) or _row_splits(self.rows)

    def _add(self, variant: str | None, row: Mapping) -> None:
        try:
            key = (variant, str(row["intermediate"]), str(row["target"]))
            self._values.setdefault(key, {}).setdefault(str(row["language"]), {})[str(row["metric"])] = \
                float(row["value"])
        except (KeyError, TypeError, ValueError) as exc:
            raise UserError(f"metrics: malformed result row {dict(row)!r} ({exc!r})") from None

    # --- construction ------------------------------------------------------------------------------------

    @classmethod
    def load(cls, metrics_path: Path | str | None, alternatives_path: Path | str | None = None,
             manifest_path: Path | str | None = None, stages_dir: Path | str | None = None) -> "Study":
        """From files; alternatives.json and the stage directory default to metrics.json's neighbours."""
        metrics_path = Path(metrics_path) if metrics_path is not None else None
        payload = read_json(metrics_path)
        if metrics_path is not None and payload is None:
            raise UserError(f"{metrics_path}: no metrics; run `repro collect` (or `dvc pull`) first")
        if alternatives_path is None and metrics_path is not None:
            alternatives_path = metrics_path.parent / "alternatives.json"
        if stages_dir is None and metrics_path is not None:
            stages_dir = metrics_path.parent / "stages"
        alternatives = read_json(alternatives_path)
        for path, document in ((metrics_path, payload), (alternatives_path, alternatives)):
            if document is not None and not isinstance(document, dict):
                raise UserError(f"{path}: expected a JSON object with `results`, got {type(document).__name__}")
        try:
            return cls(payload, alternatives, read_json(manifest_path), _read_splits(stages_dir))
        except UserError as err:
            raise UserError(f"{metrics_path}: {err}") from None

    @classmethod
    def from_layout(cls, layout, require_metrics: bool = True) -> "Study":
        """From a repro.paths.Layout: metrics.json, alternatives.json, the data manifest, stage files."""
        if not layout.metrics.is_file():
            if require_metrics:
                raise UserError(f"{layout.metrics}: no metrics; run `repro collect --profile "
                                        f"{layout.profile}` (or `dvc pull`) first")
            study = cls(None, None, read_json(layout.manifest))
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

    def test_split_languages(self, target: str) -> list[str]:
        """Languages of a target that were evaluated on their test split (they have no dev split), as recorded by
        the stage files of any encoder (the split is a property of the data, not of the encoder)."""
        langs = {lang for (_i, t), splits in self.splits.items() if t == target
                 for lang, split in splits.items() if split == "test"}
        return sorted(langs, key=lambda lang: (lang != "en", lang))

    def _kept(self, target: str, langs: Iterable[str] | None) -> set[str] | None:
        """The languages a score reads: the given ones, else every language but the test-split ones (None: all)."""
        if langs is not None:
            return set(langs)
        test = set(self.test_split_languages(target))
        if not test:
            return None
        present = {lang for (_v, _i, t), per_lang in self._values.items() if t == target for lang in per_lang}
        return present - test

    def per_lang(self, intermediate: str, target: str, variant: str | None = None,
                 langs: Iterable[str] | None = None) -> dict[str, dict[str, float]]:
        """{lang: {metric: value}} restricted to the metrics the task score reads, complete languages only; by
        default the dev-split languages (test-split ones only when named in `langs`)."""
        values = self._values.get((variant, intermediate, target), {})
        wanted = needed_metrics(target) if target in xtreme.TASK_METRIC else None
        keep = self._kept(target, langs)
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
        """The task score of one row (or the language mean of one metric) over the dev-split languages, or over
        `langs`; None when not produced."""
        per_lang = self.per_lang(intermediate, target, variant, langs)
        if not per_lang:
            return None
        if metric is not None:
            keep = self._kept(target, langs)
            values = [scores[metric] for lang, scores in self._values[(variant, intermediate, target)].items()
                      if metric in scores and (keep is None or lang in keep)]
            return sum(values) / len(values) if values else None
        try:
            return xtreme.task_score(target, per_lang)
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
        return xtreme.overall_scores(detailed)

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

    def seqeval_rule(self) -> str | None:
        """The seqeval chunk-type rule of the tagging F1s (metrics.json provenance), None if not recorded."""
        return (self.provenance.get("scoring") or {}).get("seqeval")

    def model(self) -> str:
        model = self.provenance.get("model") or {}
        if model.get("hub"):
            return str(model["hub"])
        if "pretrained_here" in model:
            cfg = model["pretrained_here"] or {}
            dims = ", ".join(f"{k} {cfg[k]}" for k in ("layers", "hidden_size") if k in cfg)
            return f"pretrained here ({dims})" if dims else "pretrained here"
        return "unknown"


def _row_splits(rows: list) -> dict:
    out: dict = {}
    for row in rows:
        if isinstance(row, Mapping) and row.get("split"):
            out.setdefault((str(row.get("intermediate")), str(row.get("target"))), {})[str(row.get("language"))] = \
                str(row["split"])
    return out


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

