"""What the training and evaluation stages share: reading a task's data, a task's head and scorer through
its kind and the profile's model family, and writing a stage's metrics file."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from repro import data, kinds, models
from repro.data.sources import SOURCES
from repro.errors import UserError
from repro.io import atomic_json
from repro.params import Hyper, Profile
from repro.paths import Layout
from repro.tasks import BASELINE, Task


def require(path: Path, what: str, verb: str) -> Path:
    if not path.is_dir():
        raise UserError(f"{path}: no {what}; run `{verb}` first")
    return path


def encoder_or_fail(profile: Profile, layout: Layout, intermediate_id: str) -> Path:
    """The encoder a target or retrieval stage starts from, with one line naming the verb that makes it."""
    if intermediate_id not in profile.study.intermediate:
        raise UserError(f"unknown intermediate {intermediate_id!r}; known: {', '.join(profile.study.intermediate)}")
    verb = (f"repro pretrain --profile {profile.name}" if intermediate_id == BASELINE
            else f"repro intermediate --profile {profile.name} --task {intermediate_id}")
    return require(layout.encoder(intermediate_id), "encoder", verb)


def english(source: str, split: str, layout: Layout) -> list[dict]:
    """A training source's English examples of one split."""
    return data.read(layout, source, split, "en" if SOURCES[source].per_language else None)


def train_sources(task: Task, split: str, layout: Layout) -> list[dict]:
    """The task's English examples of one split, over all of its training sources."""
    return [e for source in task.train for e in english(source, split, layout)]


def labels_of(task: Task, layout: Layout) -> tuple[str, ...]:
    """The task's label set: declared, or (CCG) every tag of every split of its sources, as jiant's tag map
    (jiant/tasks/lib/ccg.py:146-165 reads a fixed tags_to_id.json of 1363 tags, which jiant's CCG preparation,
    scripts/ccg/ccg_to_num.py of nyu-mll/jiant@194bd1ae, builds from the train, test and dev tags)."""
    if not task.label_names_from_data:
        return task.labels
    tags = {t for source in task.train for split in SOURCES[source].splits for e in data.read(layout, source, split)
            for t in e["tags"]}
    return tuple(sorted(tags))


def fresh_head(profile: Profile, task: Task, encoder: Path, labels: tuple[str, ...]):
    """A new head of the task's kind on the encoder's weights, drawn from the profile seed."""
    kind = kinds.of(task)
    return models.of(profile.model).head(kind.HEAD, encoder, kind.head_config(labels), profile.seed)


def predict(task: Task, model, rows: list[dict], examples: list[dict], pad_id: int, labels: tuple[str, ...]):
    """The task's predictions for encoded `rows` of `examples`."""
    from repro.engine.trainer import predict as outputs

    return kinds.of(task).decode(outputs(model, rows, pad_id), rows, examples, task, labels)


def selection_value(task: Task, scores: dict[str, float]) -> float:
    """The number checkpoints are selected on, jiant's major metric (jiant/tasks/evaluate/core.py): the mean of
    the task's `selection` metrics (QQP: accuracy and F1, core.py:339-355), by default of every metric its kind
    scores (QA: EM and F1, core.py:762, 803; tagging: F1, core.py:722; the others: accuracy)."""
    return float(np.mean([scores[metric] for metric in task.selection or scores]))


def scorer(task: Task, tokenizer, layout: Layout, hp: Hyper, labels: tuple[str, ...]) -> Callable[[object], float]:
    """English-dev scorer for checkpoint selection: each training source's dev scored on its first `eval_subset`
    examples, not a random draw (jiant's eval_subset_num: jiant/proj/main/runner.py:195, 213 and
    jiant/shared/caching.py:271-272 take the first rows, which for QA are windows), then the mean over the sources
    (ANLI+: SNLI, MNLI, ANLI R1-R3, as jiant's EqualMetricAggregator averages tasks,
    jiant/proj/main/components/task_sampler.py:214-216)."""
    kind = kinds.of(task)
    parts = []
    for source in task.train:
        examples = english(source, "validation", layout)[:hp.eval_subset or None]
        rows = kind.encode(tokenizer, examples, hp, labels)
        parts.append((rows, examples, kind.gold(task, examples, rows)))

    def value(model) -> float:
        per_source = []
        for rows, examples, gold in parts:
            predictions = predict(task, model, rows, examples, tokenizer.pad_token_id, labels)
            per_source.append(selection_value(task, kind.score(task, predictions, gold, "en")))
        return float(np.mean(per_source))
    return value


def stage_result(layout: Layout, intermediate_id: str, target_id: str, results: list[dict], splits: dict,
                 english_dev: float | None, scoring: dict | None = None) -> dict:
    """Write and return one (encoder, target) stage's metrics file (with the scoring rules its numbers used)."""
    payload = {"intermediate": intermediate_id, "target": target_id, "splits": splits,
               "english_dev": english_dev, "results": results}
    if scoring is not None:
        payload["scoring"] = scoring
    atomic_json(layout.stage_metrics(intermediate_id, target_id), payload)
    return payload


def evaluate_languages(profile: Profile, layout: Layout, intermediate_id: str, task: Task, model, tokenizer,
                       hp: Hyper, labels: tuple[str, ...], english_dev: float | None) -> dict:
    """Zero-shot evaluation in every language of a target: predictions in the submission layout, the stage's
    metrics file (dev split, or test where a language has none)."""
    from repro import suites
    from repro.suites import submission

    kind = kinds.of(task)
    results, splits = [], {}
    for lang in profile.languages[task.id]:
        split = data.eval_split(layout, task.evaluate, lang)
        examples = data.read(layout, task.evaluate, split, lang)
        rows = kind.encode(tokenizer, examples, hp, labels)
        predictions = predict(task, model, rows, examples, tokenizer.pad_token_id, labels)
        submission.write_predictions(layout.predictions(intermediate_id), task.id, lang,
                                     kind.submission(task, predictions, examples),
                                     suites.listing(task.suite, task.id, lang))
        splits[lang] = split
        gold = kind.gold(task, examples, rows)
        for metric, value in kind.score(task, predictions, gold, lang, profile.scoring).items():
            results.append({"language": lang, "metric": metric, "value": value})
    return stage_result(layout, intermediate_id, task.id, results, splits, english_dev, profile.scoring.model_dump())
