"""Sentence retrieval straight from an encoder (no head, no training): BUCC mining and Tatoeba.

`bitext` gives both sides of a split, each sentence with its id, and the gold pairs; the stage embeds each side and
`evaluate` scores the embeddings.
- Tatoeba (metric "accuracy"): examples {source_sentence, target_sentence}, row i of both sides a pair, the ids the
  row numbers. Each English sentence's cosine-nearest source sentence; the predictions are the retrieved rows.
- BUCC 2018 (metric "bucc_f1"): examples {id, sentence, language, gold}, every sentence of both sides with its
  release id, the ones without a translation too. Margin mining over all of them (`repro.retrieval_math`, with
  XTREME's de-duplication by text), the mined (source id, English id) pairs whose margin reaches the threshold as
  predictions, scored by F1 against the gold id pairs (evaluate.py `bucc_f1`). The threshold is the F1-optimal
  margin on the dev split's gold (`bucc_optimize`): dev is scored with its own optimum, as jiant's val metric
  (`jiant/tasks/evaluate/core.py` L996-998, `bucc_eval(threshold=None)`) and XTREME (`third_party/utils_retrieve.py`
  L307-312) do, test with dev's, as jiant's submission (`xtreme_submission.py` L349-373); or a fixed value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from repro import metrics, retrieval_math

TRAINED = False
ENGLISH = "en"  # BUCC's target side: every pair is <lang>-en


@dataclass(frozen=True)
class Bitext:
    """Both sides of one split: each side's sentence ids and texts, and the gold (source id, target id) pairs."""

    source_ids: list
    source_texts: list[str]
    target_ids: list
    target_texts: list[str]
    gold: list[tuple]


def mining(task) -> bool:
    """Whether the task mines pairs (BUCC) rather than retrieving one neighbour per sentence (Tatoeba)."""
    return task.metric == "bucc_f1"


def bitext(task, examples: Sequence[dict]) -> Bitext:
    """The two sides of a split's canonical examples (`repro.data.sources`), with their ids and gold pairs."""
    if not mining(task):
        rows = list(range(len(examples)))
        return Bitext(rows, [e["source_sentence"] for e in examples], rows, [e["target_sentence"] for e in examples],
                      [(i, i) for i in rows])
    source = [e for e in examples if e["language"] != ENGLISH]
    target = [e for e in examples if e["language"] == ENGLISH]
    return Bitext([e["id"] for e in source], [e["sentence"] for e in source], [e["id"] for e in target],
                  [e["sentence"] for e in target], [(e["id"], partner) for e in source for partner in e["gold"]])


Embedded = tuple[Bitext, np.ndarray, np.ndarray]  # a split's sides and the embeddings of their sentences


def evaluate(task, split: str, sides: Bitext, source: np.ndarray, target: np.ndarray, settings,
             dev: Callable[[], Embedded]) -> tuple[list, dict]:
    """(predictions in the submission layout, {metric: value}) for one language's embedded split.

    `dev` embeds the language's dev split, for a BUCC threshold tuned on dev while the scores are on test."""
    if not mining(task):
        predicted = retrieval_math.nearest_neighbours(source, target)
        return predicted, {"accuracy": metrics.accuracy(predicted, [s for s, _ in sides.gold])}
    candidates = mined(sides, source, target, settings)
    if settings.bucc_threshold == "fixed":
        cut = settings.bucc_fixed_threshold
    elif split == "validation":
        cut = retrieval_math.optimal_threshold(candidates, sides.gold)
    else:
        dev_sides, dev_source, dev_target = dev()
        cut = retrieval_math.optimal_threshold(mined(dev_sides, dev_source, dev_target, settings), dev_sides.gold)
    predicted = retrieval_math.apply_threshold(candidates, cut)
    return predicted, {"f1": metrics.bucc_f1(predicted, sides.gold)["f1"]}


def mined(sides: Bitext, source: np.ndarray, target: np.ndarray, settings) -> dict[tuple, float]:
    """The margin-mined candidates of a split as {(source id, target id): margin}, best first (XTREME's
    `read_candidate2score`: a sentence whose text occurs twice on its side is in no candidate)."""
    rows = retrieval_math.mine_pairs(source, target, k=settings.bucc_margin_k, source_texts=sides.source_texts,
                                     target_texts=sides.target_texts)
    return {(sides.source_ids[s], sides.target_ids[t]): margin for s, t, margin in rows}


def submission_gold(task, examples: Sequence[dict], lang: str) -> list:
    if mining(task):
        return bitext(task, examples).gold
    return list(range(len(examples)))
