"""Sentence retrieval straight from an encoder (no head, no training): BUCC mining and Tatoeba.

Examples: {source_sentence, target_sentence}, row i of both sides a gold pair. Tatoeba (metric "accuracy"):
each source sentence's nearest target by cosine, predictions the retrieved row indices. BUCC 2018 (metric
"bucc_f1"): margin-based mining over both sides, the mined pairs above a threshold (tuned on dev, XTREME's
`bucc_optimize`, or fixed) as `<lang>-<row>` / `en-<row>` id pairs, scored by F1 against the gold pairs.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from repro import metrics, retrieval_math

TRAINED = False


def bucc_id(lang: str, row: int) -> str:
    return f"{lang}-{row:06d}"


def mining(task) -> bool:
    """Whether the task mines pairs (BUCC) rather than retrieving one neighbour per sentence (Tatoeba)."""
    return task.metric == "bucc_f1"


def evaluate(task, lang: str, split: str, source: np.ndarray, target: np.ndarray,
             texts: tuple[list[str], list[str]], settings,
             dev: Callable[[], tuple[np.ndarray, np.ndarray, tuple[list[str], list[str]]]]) -> tuple[list, dict]:
    """(predictions in the submission layout, {metric: value}) for one language's embedded pairs of `split`.

    `dev` embeds the language's dev pairs, for a BUCC threshold tuned on dev while the scores are on test."""
    if not mining(task):
        predicted = retrieval_math.nearest_neighbours(source, target)
        return predicted, {"accuracy": metrics.accuracy(predicted, list(range(len(texts[0]))))}
    if settings.bucc_threshold == "fixed":
        cut = settings.bucc_fixed_threshold
    else:
        cut = tuned_threshold(*((source, target, texts) if split == "validation" else dev()), settings)
    mined = retrieval_math.mine_pairs(source, target, k=settings.bucc_margin_k, source_texts=texts[0],
                                      target_texts=texts[1])
    predicted = [(bucc_id(lang, s), bucc_id("en", t)) for s, t, margin in mined if margin >= cut]
    gold = [(bucc_id(lang, i), bucc_id("en", i)) for i in range(len(texts[0]))]
    return predicted, {"f1": metrics.bucc_f1(predicted, gold)["f1"]}


def tuned_threshold(source: np.ndarray, target: np.ndarray, texts: tuple[list[str], list[str]], settings) -> float:
    """The F1-optimal margin threshold on one split (XTREME's `bucc_optimize`), gold pairs on the diagonal."""
    mined = retrieval_math.mine_pairs(source, target, k=settings.bucc_margin_k, source_texts=texts[0],
                                      target_texts=texts[1])
    candidates = {(s, t): margin for s, t, margin in mined}
    return retrieval_math.optimal_threshold(candidates, {(i, i) for i in range(len(source))})


def submission_gold(task, examples: Sequence[dict], lang: str) -> list:
    if mining(task):
        return [(bucc_id(lang, i), bucc_id("en", i)) for i in range(len(examples))]
    return list(range(len(examples)))
