"""The functions a claim's `observe` expression may call (FUNCTIONS), each reading a Study:

    score(target=tydiqa, intermediate=squad_v2)   dev task score of one row (accuracy; F1; QA (EM + F1) / 2)
    delta(intermediate=squad_v2)                  mean over the 9 targets of score - baseline score
    lang_delta('mnli+translated', xnli, de)       one language's score - baseline score (a Table 4 encoder too)
    n_over('mnli+translated', xnli, 15)           languages of a target whose delta exceeds a margin
    best(target=xnli)                             dev score of the best intermediate model for a target
    xtreme_best()                                 XTREME score (9-task mean) of the best model per target
    dataset_rows(mnli, train)                     rows of a prepared split (data manifest)
    model()                                       the run's pretrained model id
    contrast(mean, contrast='A2-A1', task=xnli)   a field of one answer row (a study's ContrastRows, not a Study)
    ci_low('cnn_dailymail - none', 'humaneval-x', all, English)   a contrast record's interval (a study's answers)
    pass_min(none, tiny_code)                     an arm's lowest greedy pass@1 over its problems files
    ...                                           (see FUNCTIONS for all, each documented)

Each takes the Study (or a study's ContrastRows) first; raise Missing for absent numbers.
"""

from __future__ import annotations

from typing import Callable

from repro.report import published
from repro.report.contrast_rows import ContrastRows
from repro.report.study import BASELINE, MULTITASK, TARGET_ORDER, Study

RETRIEVAL = ("bucc2018", "tatoeba")


class Missing(Exception):
    """The expression reads a number the run did not produce."""


def _need(value, what: str):
    if value is None:
        raise Missing(what)
    return value


def f_score(s: Study, target: str, intermediate: str = BASELINE, metric: str | None = None,
            variant: str | None = None) -> float:
    """Dev task score of one (intermediate, target) row; `metric` = the language mean of that metric instead."""
    return _need(s.score(target, intermediate, variant, metric=metric), f"score({intermediate}, {target})")


def f_delta(s: Study, intermediate: str, target: str | None = None) -> float:
    """score - baseline score for one target; without a target, the mean over all 9 targets (Table 2's Avg)."""
    if target is not None:
        return _need(s.delta(target, intermediate), f"delta({intermediate}, {target})")
    absent = [t for t in TARGET_ORDER if s.delta(t, intermediate) is None]
    if absent:
        raise Missing(f"delta({intermediate}): no {intermediate} or baseline results for {', '.join(absent)}")
    return s.avg_delta(intermediate)[0]


def _encoder(intermediate: str) -> tuple[str, str | None]:
    """An encoder id as (intermediate, variant): `mnli` -> (mnli, None); Table 4's `mnli+translated` ->
    (mnli, translated), read from alternatives.json."""
    task, _, variant = str(intermediate).partition("+")
    return task, variant or None


def _lang_deltas(s: Study, intermediate: str, target: str, metric: str | None = None) -> dict[str, float]:
    """{language: score - baseline score} over the languages both rows have (each language's task score, or
    the one metric)."""
    task, variant = _encoder(intermediate)
    common = set(s.per_lang(task, target, variant)) & set(s.per_lang(BASELINE, target))
    deltas = {}
    for lang in sorted(common):
        a = s.score(target, task, variant, [lang], metric)
        b = s.score(target, BASELINE, None, [lang], metric)
        if a is not None and b is not None:
            deltas[lang] = a - b
    return _need(deltas or None, f"lang_delta({intermediate}, {target}): no {intermediate} and baseline results "
                                 "in a common language")


def f_lang_delta(s: Study, intermediate: str, target: str, language: str, metric: str | None = None) -> float:
    """score - baseline score of one language of a target (`intermediate` may be Table 4's `task+variant`)."""
    deltas = _lang_deltas(s, intermediate, target, metric)
    return _need(deltas.get(str(language)), f"lang_delta({intermediate}, {target}, {language})")


def f_n_over(s: Study, intermediate: str, target: str, margin: float, metric: str | None = None) -> float:
    """How many languages of a target have lang_delta > margin (one run: the paper's design)."""
    return float(sum(d > margin for d in _lang_deltas(s, intermediate, target, metric).values()))


def f_n_within(s: Study, intermediate: str, target: str, margin: float, metric: str | None = None) -> float:
    """How many languages of a target have |lang_delta| <= margin."""
    return float(sum(abs(d) <= margin for d in _lang_deltas(s, intermediate, target, metric).values()))


def f_n_compared(s: Study, intermediate: str, target: str) -> float:
    """How many languages of a target both the row and the baseline have (the denominator of n_over)."""
    return float(len(_lang_deltas(s, intermediate, target)))


def f_top_delta(s: Study, exclude: list | str | None = None) -> float:
    """The largest delta(intermediate) (9-target mean) among the intermediate rows not excluded."""
    excluded = {BASELINE, *([exclude] if isinstance(exclude, str) else exclude or [])}
    values = []
    for inter in s.intermediates():
        if inter in excluded:
            continue
        try:
            values.append(f_delta(s, inter))
        except Missing:
            continue
    return _need(max(values, default=None), "top_delta: no intermediate row covers all 9 targets")


def f_best(s: Study, target: str, metric: str | None = None) -> float:
    """Dev task score of the best intermediate model for a target (picked by task score, as the paper);
    with `metric`, that model's language mean of the metric."""
    best = _need(s.best(target), f"best({target}): no intermediate results")
    if metric is None:
        return best[1]
    return _need(s.score(target, best[0], metric=metric), f"best({target}, {metric})")


def f_best_intermediate(s: Study, target: str) -> str:
    """Which intermediate model is best for a target."""
    return _need(s.best(target), f"best({target}): no intermediate results")[0]


def f_improved(s: Study, target: str, over: str = BASELINE, margin: float = 0.0) -> float:
    """How many intermediate models (every row but the baseline) beat `over` on a target by more than margin."""
    if s.score(target, over) is None:
        raise Missing(f"improved({target}): no {over} results")
    deltas = [d for i in s.candidates() if i != over and (d := s.delta(target, i, over)) is not None]
    if not deltas:
        raise Missing(f"improved({target}): no intermediate results")
    return float(sum(d > margin for d in deltas))


def f_xtreme(s: Study, intermediate: str = BASELINE, group: str | None = None) -> float:
    """XTREME score (mean of the 9 task scores) of one row, or one group's mean (classification, tagging,
    qa, retrieval)."""
    overall = s.xtreme(s.row_scores(intermediate))
    return _need(overall.get(group or "all_task"), f"xtreme({intermediate}): not every target has results")


def f_xtreme_best(s: Study, group: str | None = None) -> float:
    """XTREME score of the best intermediate model per target (Table 3)."""
    overall = s.xtreme(s.best_scores())
    return _need(overall.get(group or "all_task"), "xtreme_best(): not every target has results")


def f_alt_delta(s: Study, variant: str, reference: str = "english") -> float:
    """Mean over (intermediate, target) pairs of score(variant) - score(reference) (alternatives.json)."""
    mean, _n = s.alt_delta(variant, reference)
    return _need(mean, f"alt_delta({variant}): no {variant} and {reference} runs of the same pair "
                       "(alternatives.json)")


def f_count(s: Study, intermediate: str | None = None, target: str | None = None, language: str | None = None,
            metric: str | None = None) -> float:
    """Number of metrics.json result rows matching the given fields."""
    where = {k: v for k, v in dict(intermediate=intermediate, target=target, language=language,
                                   metric=metric).items() if v is not None}
    return float(s.count(**where))


def f_n_intermediates(s: Study) -> float:
    """Distinct intermediate tasks with results (not the baseline, not multi-task)."""
    return float(len([i for i in s.intermediates() if i not in (BASELINE, MULTITASK)]))


def f_n_targets(s: Study) -> float:
    """Distinct target tasks with results."""
    return float(len(s.targets()))


def f_n_languages(s: Study, target: str | None = None) -> float:
    """Languages evaluated for a target; without one, the largest number over the targets."""
    if target is not None:
        return float(len(s.languages(target)))
    return float(max((len(s.languages(t)) for t in s.targets()), default=0))


def f_phases(s: Study) -> float:
    """How many of the three phases the results show: (i) the pretrained MLM evaluated as is (baseline rows),
    (ii) intermediate-task training (rows of another encoder), (iii) target fine-tuning (rows of a target
    other than the retrieval tasks, which are evaluated without fine-tuning)."""
    inters = s.intermediates()
    return float((BASELINE in inters) + any(i != BASELINE for i in inters)
                 + any(t not in RETRIEVAL for t in s.targets()))


def f_dataset_rows(s: Study, key: str, split: str) -> float:
    """Rows of a prepared split as materialized (data manifest, or metrics.json provenance.data)."""
    return float(_need(s.dataset_rows(key, split), f"dataset_rows({key}, {split}): not in the data manifest"))


def f_dataset_examples(s: Study, key: str, split: str) -> float:
    """Examples a task reads from a split: the manifest's `examples` if recorded, else rows - `dropped`,
    else rows (SNLI ships rows without a gold label that are dropped at read time)."""
    examples = s.dataset_rows(key, split, "examples")
    if examples is not None:
        return float(examples)
    rows = f_dataset_rows(s, key, split)
    return rows - float(s.dataset_rows(key, split, "dropped") or 0)


def f_model(s: Study) -> str:
    """The pretrained model of the run (Hub id, or "pretrained here (...)")."""
    if not s.provenance.get("model"):
        raise Missing("model(): metrics.json has no provenance.model")
    return s.model()


def f_published(s: Study, model: str, target: str, metric: str = "score", source: str | None = None) -> float:
    """A published (test) number from repro.report.published (model xstilts | xlmr)."""
    return _need(published.value(model, target, metric, source), f"published({model}, {target}, {metric})")


def f_contrast(s, field: str, **where) -> float:
    """One field (mean, ci_low, ci_high, p_value, p_adjusted, n) of the one answer row (a study's answer.json
    `contrasts`, repro.report.contrast_rows) whose fields equal `where`'s: contrast('mean', contrast='A2-A1',
    suite=xtreme, intermediate=mnli, task=xnli, languages=seen)."""
    if not isinstance(s, ContrastRows):
        raise Missing(f"contrast({field}): this study's claims read no answer rows")
    row = _need(s.select(where), f"contrast({field}): no row of {s.source} with {where}")
    if field not in row:
        raise KeyError(f"contrast: no field {field!r} in an answer row ({', '.join(sorted(row))})")
    return _need(row[field], f"contrast({field}) of {where}: {row.get('note') or 'not computed'}")
def _answer_field(s, field: str, contrast: str, benchmark: str, programming_language: str, natural_language: str,
                  estimand: str, model: str | None) -> float:
    """One field of a study's contrast record (its subject's `answer`: a study whose results hold answers)."""
    reader = getattr(s, "answer", None)
    if reader is None:
        raise Missing(f"{contrast}: this study's results hold no contrast records")
    where = f"{contrast} ({estimand}) on {benchmark} {programming_language} {natural_language}"
    record = _need(reader(contrast, benchmark, programming_language, natural_language, estimand, model), where)
    return _need(record[field], f"{field} of {where}: {record.get('note') or 'not computed'}")


def f_estimate(s, contrast: str, benchmark: str, programming_language: str, natural_language: str,
               estimand: str = "delta", model: str | None = None) -> float:
    """A contrast's estimate (e.g. the code study's `cnn_dailymail - none` on HumanEval-X, all, English)."""
    return _answer_field(s, "mean", contrast, benchmark, programming_language, natural_language, estimand, model)


def f_ci_low(s, contrast: str, benchmark: str, programming_language: str, natural_language: str,
             estimand: str = "delta", model: str | None = None) -> float:
    """The lower end of a contrast's 95% interval (missing where it has too few clusters for one)."""
    return _answer_field(s, "ci_low", contrast, benchmark, programming_language, natural_language, estimand, model)


def f_ci_high(s, contrast: str, benchmark: str, programming_language: str, natural_language: str,
              estimand: str = "delta", model: str | None = None) -> float:
    """The upper end of a contrast's 95% interval."""
    return _answer_field(s, "ci_high", contrast, benchmark, programming_language, natural_language, estimand, model)


def _pass_rates(s, arm: str, model: str) -> dict:
    reader = getattr(s, "pass_rates", None)
    if reader is None:
        raise Missing(f"pass rates of {arm}: this study's results hold none")
    return _need(reader(arm, model) or None, f"pass rates of {arm} ({model})")


def f_pass_min(s, arm: str, model: str) -> float:
    """An arm's lowest greedy pass@1 (0-100) over the problems files it was evaluated on."""
    return min(_pass_rates(s, arm, model).values())


def f_pass_max(s, arm: str, model: str) -> float:
    """An arm's highest greedy pass@1 (0-100) over its problems files."""
    return max(_pass_rates(s, arm, model).values())


def _numbers(values) -> list[float]:
    flat = []
    for v in values:
        flat.extend(v if isinstance(v, list) else [v])
    if not flat or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in flat):
        raise TypeError(f"expected numbers, got {flat!r}")
    return [float(v) for v in flat]


FUNCTIONS: dict[str, Callable] = {
    "score": f_score, "delta": f_delta, "lang_delta": f_lang_delta, "n_over": f_n_over, "n_within": f_n_within,
    "n_compared": f_n_compared, "top_delta": f_top_delta, "best": f_best,
    "best_intermediate": f_best_intermediate, "improved": f_improved, "xtreme": f_xtreme,
    "xtreme_best": f_xtreme_best, "alt_delta": f_alt_delta, "count": f_count,
    "n_intermediates": f_n_intermediates, "n_targets": f_n_targets, "n_languages": f_n_languages,
    "phases": f_phases, "dataset_rows": f_dataset_rows, "dataset_examples": f_dataset_examples,
    "model": f_model, "published": f_published, "contrast": f_contrast,
    # a study's contrast records and pass rates (its subject's `answer` and `pass_rates`)
    "estimate": f_estimate, "ci_low": f_ci_low, "ci_high": f_ci_high, "pass_min": f_pass_min, "pass_max": f_pass_max,
    # plain math on numbers (no Study)
    "abs": lambda s, x: abs(_numbers([x])[0]),
    "min": lambda s, *xs: min(_numbers(xs)),
    "max": lambda s, *xs: max(_numbers(xs)),
    "sum": lambda s, *xs: sum(_numbers(xs)),
    "mean": lambda s, *xs: (lambda v: sum(v) / len(v))(_numbers(xs)),
    "round": lambda s, x, digits=0: round(_numbers([x])[0], int(digits)),
}
