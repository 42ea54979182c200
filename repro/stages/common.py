"""What the training and evaluation stages share: reading a task's data, a task's head and scorer through
its kind and the profile's model family, and writing a stage's metrics file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from repro import data, kinds, models
from repro.data.sources import SOURCES
from repro.io import atomic_json
from repro.params import Hyper, Profile
from repro.paths import Layout
from repro.tasks import BASELINE, Task


def require(path: Path, what: str, verb: str) -> Path:
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no {what}; run `{verb}` first")
    return path


def encoder_or_fail(profile: Profile, layout: Layout, intermediate_id: str) -> Path:
    """The encoder a target or retrieval stage starts from, with one line naming the verb that makes it."""
    if intermediate_id not in profile.study.intermediate:
        raise ValueError(f"unknown intermediate {intermediate_id!r}; known: {', '.join(profile.study.intermediate)}")
    verb = (f"repro pretrain --profile {profile.name}" if intermediate_id == BASELINE
            else f"repro intermediate --profile {profile.name} --task {intermediate_id}")
    return require(layout.encoder(intermediate_id), "encoder", verb)


def train_sources(task: Task, split: str, layout: Layout) -> list[dict]:
    """The task's English examples of one split, over all of its training sources."""
    examples = []
    for source in task.train:
        lang = "en" if SOURCES[source].per_language else None
        examples.extend(data.read(layout, source, split, lang))
    return examples


def labels_of(task: Task, layout: Layout) -> tuple[str, ...]:
    """The task's label set: declared, or (CCG) every tag of its training data."""
    if not task.label_names_from_data:
        return task.labels
    tags = {t for source in task.train for e in data.read(layout, source, "train") for t in e["tags"]}
    return tuple(sorted(tags))


def fresh_head(profile: Profile, task: Task, encoder: Path, labels: tuple[str, ...]):
    """A new head of the task's kind on the encoder's weights, drawn from the profile seed."""
    kind = kinds.of(task)
    return models.of(profile.model).head(kind.HEAD, encoder, kind.head_config(labels), profile.seed)


def predict(task: Task, model, rows: list[dict], examples: list[dict], pad_id: int, labels: tuple[str, ...]):
    """The task's predictions for encoded `rows` of `examples`."""
    from repro.engine.trainer import predict as outputs

    return kinds.of(task).decode(outputs(model, rows, pad_id), rows, examples, task, labels)


def selection_value(scores: dict[str, float]) -> float:
    """The number checkpoints are selected on: F1 where there is one, else accuracy."""
    return scores.get("f1", scores.get("accuracy", 0.0))


def scorer(task: Task, tokenizer, examples: list[dict], hp: Hyper, labels: tuple[str, ...], seed: int):
    """English-dev scorer for checkpoint selection, on a fixed subset of `eval_subset` examples."""
    if hp.eval_subset and len(examples) > hp.eval_subset:
        keep = np.random.default_rng(seed).choice(len(examples), hp.eval_subset, replace=False)
        examples = [examples[i] for i in sorted(keep)]
    kind = kinds.of(task)
    rows = kind.encode(tokenizer, examples, hp, labels)
    gold = kind.gold(task, examples)
    return lambda model: selection_value(
        kind.score(task, predict(task, model, rows, examples, tokenizer.pad_token_id, labels), gold, "en"))


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
    from repro.suites import submission

    kind = kinds.of(task)
    results, splits = [], {}
    for lang in profile.languages[task.id]:
        split = data.eval_split(layout, task.evaluate, lang)
        examples = data.read(layout, task.evaluate, split, lang)
        rows = kind.encode(tokenizer, examples, hp, labels)
        predictions = predict(task, model, rows, examples, tokenizer.pad_token_id, labels)
        submission.write_predictions(layout.predictions(intermediate_id), task.id, lang,
                                     kind.submission(task, predictions))
        splits[lang] = split
        for metric, value in kind.score(task, predictions, kind.gold(task, examples), lang, profile.scoring).items():
            results.append({"language": lang, "metric": metric, "value": value})
    return stage_result(layout, intermediate_id, task.id, results, splits, english_dev, profile.scoring.model_dump())
