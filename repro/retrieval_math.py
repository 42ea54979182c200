"""Retrieval math of XTREME's sentence-retrieval tasks, in numpy (no faiss).

Mirrors google-research/xtreme `third_party/utils_retrieve.py` (LASER's mining code) and the Tatoeba branch of
`third_party/evaluate_retrieval.py` (L780-808 at 838c13b; jiant's `TatoebaEvaluationScheme` is the same):
- Tatoeba: cosine nearest neighbour (`similarity_search` with normalize=True). Direction: the index holds the
  NON-English sentences and every ENGLISH sentence is a query; prediction i is the row of the non-English
  sentence nearest to English sentence i, and it is correct when it equals i.
- BUCC: `mine_bitext(mode="mine", retrieval="max", margin="ratio", neighborhood=4, dist="cosine")`, then
  `bucc_optimize` (F1-optimal threshold against gold) and `bucc_extract` (keep candidates with score >= threshold).
  mine_bitext's own `threshold=0` (jiant's too, `jiant/tasks/lib/bucc2018.py` L152, L256) only drops candidates
  with a margin <= 0 before the threshold is optimised; neither upstream scores with a fixed cut of 0.

Similarities are computed block by block (`block_bytes` bounds one block of the similarity matrix), so large
BUCC sets do not need the full n x m matrix in memory. Ties: faiss leaves their order unspecified; here the lower
index wins everywhere, and sorts are stable.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np

DEFAULT_BLOCK_BYTES = 128 * 1024 * 1024  # one block of float32 similarities


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm, as float32 (faiss.normalize_L2); all-zero rows stay zero."""
    x = np.array(x, dtype=np.float32, copy=True)
    if x.ndim != 2:
        raise ValueError(f"embeddings must be a 2-d array (sentences x dims), got shape {x.shape}")
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    np.divide(x, norms, out=x, where=norms > 0)
    return x


def _rows_per_block(columns: int, block_bytes: int) -> int:
    return max(1, block_bytes // max(1, 4 * columns))


def top_k(queries: np.ndarray, database: np.ndarray, k: int,
          block_bytes: int = DEFAULT_BLOCK_BYTES) -> tuple[np.ndarray, np.ndarray]:
    """(similarities, indices), each (n_queries, k'), k' = min(k, n_database): the k' largest inner products of
    every query row with the database rows, best first (faiss IndexFlatIP.search)."""
    if queries.shape[1] != database.shape[1]:
        raise ValueError(f"embedding sizes differ: {queries.shape[1]} vs {database.shape[1]}")
    k = min(k, database.shape[0])
    sims = np.zeros((queries.shape[0], k), dtype=np.float32)
    inds = np.zeros((queries.shape[0], k), dtype=np.int64)
    if k == 0:
        return sims, inds
    step = _rows_per_block(database.shape[0], block_bytes)
    for start in range(0, queries.shape[0], step):
        block = queries[start:start + step] @ database.T
        sims[start:start + step], inds[start:start + step] = _block_top_k(block, k)
    return sims, inds


def _block_top_k(block: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k largest values and their columns, best first, the lower column first among ties."""
    rows = np.arange(block.shape[0])
    if k <= 32:  # k rounds of argmax (first maximum), masking each find: much faster than argpartition
        values, columns = np.empty((len(rows), k), np.float32), np.empty((len(rows), k), np.int64)
        for j in range(k):
            best = np.argmax(block, axis=1)
            values[:, j], columns[:, j] = block[rows, best], best
            block[rows, best] = -np.inf  # the block is a scratch product
        return values, columns
    if k < block.shape[1]:
        candidates = np.sort(np.argpartition(block, -k, axis=1)[:, -k:], axis=1)  # the k largest, any order
    else:
        candidates = np.broadcast_to(np.arange(block.shape[1]), block.shape)
    values = np.take_along_axis(block, candidates, axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    return np.take_along_axis(values, order, axis=1), np.take_along_axis(candidates, order, axis=1)


# ---------------------------------------------------------------------------------------------------------
# Tatoeba


def nearest_neighbours(source: np.ndarray, target: np.ndarray,
                       block_bytes: int = DEFAULT_BLOCK_BYTES) -> list[int]:
    """For every `target` row (English), the index of the cosine-nearest `source` row (the other language):
    evaluate_retrieval.py `similarity_search(x=source, y=target)`: index over x, queries y."""
    if len(source) == 0:
        raise ValueError("nearest_neighbours: the source set is empty")
    _, inds = top_k(l2_normalize(target), l2_normalize(source), 1, block_bytes)
    return [int(i) for i in inds[:, 0]]


def tatoeba_accuracy(source: np.ndarray, target: np.ndarray, block_bytes: int = DEFAULT_BLOCK_BYTES) -> float:
    """Percentage of English sentences (rows of `target`) whose nearest `source` row is their translation,
    i.e. has the same row index."""
    if len(source) != len(target):
        raise ValueError(f"tatoeba: {len(source)} source sentences for {len(target)} English sentences")
    predicted = nearest_neighbours(source, target, block_bytes)
    return 100.0 * sum(int(p == i) for i, p in enumerate(predicted)) / len(predicted)


# ---------------------------------------------------------------------------------------------------------
# BUCC margin mining


def _margin(kind: str):
    # utils_retrieve.py mine_bitext: margin(similarity, mean of the two neighbourhood averages)
    if kind == "ratio":
        return lambda a, b: a / b
    if kind == "distance":
        return lambda a, b: a - b
    if kind == "absolute":
        return lambda a, b: a
    raise ValueError(f"unknown margin {kind!r}; known: ratio, distance, absolute")


def _best_candidates(sims: np.ndarray, inds: np.ndarray, own_mean: np.ndarray, other_mean: np.ndarray,
                     margin) -> tuple[np.ndarray, np.ndarray]:
    """score_candidates + argmax: every candidate's margin score, then each row's best (first among ties)."""
    scores = margin(sims.astype(np.float64), (own_mean[:, None] + other_mean[inds]) / 2)
    best = np.argmax(scores, axis=1)
    rows = np.arange(len(inds))
    return inds[rows, best], scores[rows, best]


def mine_unique(x: np.ndarray, y: np.ndarray, k: int = 4, margin: str = "ratio", threshold: float | None = 0.0,
                block_bytes: int = DEFAULT_BLOCK_BYTES) -> list[tuple[int, int, float]]:
    """mine_bitext(retrieval="max") on already de-duplicated embeddings: (x row, y row, score), best first.

    k-NN means in both directions (k' = min(k, size of the other side)); each x proposes its best y and each y
    its best x under the margin score; all proposals are visited by decreasing score and one is kept only if
    neither of its sentences has been kept before (greedy one-to-one). A kept pair is output when its score is
    > `threshold` (the official default 0, a pre-filter before `bucc_optimize`; None keeps all).
    """
    margin_fn = _margin(margin)
    x, y = l2_normalize(x), l2_normalize(y)
    if len(x) == 0 or len(y) == 0:
        return []
    x2y_sim, x2y_ind = top_k(x, y, k, block_bytes)
    y2x_sim, y2x_ind = top_k(y, x, k, block_bytes)
    x2y_mean, y2x_mean = x2y_sim.astype(np.float64).mean(axis=1), y2x_sim.astype(np.float64).mean(axis=1)
    fwd_best, fwd_score = _best_candidates(x2y_sim, x2y_ind, x2y_mean, y2x_mean, margin_fn)
    bwd_best, bwd_score = _best_candidates(y2x_sim, y2x_ind, y2x_mean, x2y_mean, margin_fn)
    sources = np.concatenate([np.arange(len(x)), bwd_best])
    targets = np.concatenate([fwd_best, np.arange(len(y))])
    scores = np.concatenate([fwd_score, bwd_score])
    kept, seen_src, seen_tgt = [], set(), set()
    for i in np.argsort(-scores, kind="stable"):  # official: np.argsort(-scores), tie order unspecified
        s, t = int(sources[i]), int(targets[i])
        if s in seen_src or t in seen_tgt:
            continue
        seen_src.add(s)
        seen_tgt.add(t)
        if threshold is None or scores[i] > threshold:
            kept.append((s, t, float(scores[i])))
    return kept


def dedup_sentences(sentences: Sequence[str]) -> tuple[list[int], list[str]]:
    """utils_retrieve.py `text_load_unify`: (unique index of every row, the unique sentences in first-seen order)."""
    first: dict[str, int] = {}
    row_to_unique = [first.setdefault(s, len(first)) for s in sentences]
    return row_to_unique, list(first)


def unique_rows(embeddings: np.ndarray, row_to_unique: Sequence[int]) -> np.ndarray:
    """utils_retrieve.py `unique_embeddings`: one row per unique sentence, taken from its LAST occurrence."""
    last = {u: row for row, u in enumerate(row_to_unique)}
    return np.asarray(embeddings)[[last[u] for u in range(len(last))]]


def rows_by_unique_text(sentences: Sequence[str]) -> dict[str, int]:
    """utils_retrieve.py `read_sent2id`: stripped sentence -> row, leaving out every sentence that occurs more
    than once (after stripping); mined pairs that involve such a sentence are dropped by the official scorer."""
    rows: dict[str, int] = {}
    repeated: set[str] = set()
    for row, sentence in enumerate(sentences):
        key = sentence.strip()
        if key in rows:
            repeated.add(key)
        else:
            rows[key] = row
    for key in repeated:
        del rows[key]
    return rows


def mine_pairs(source: np.ndarray, target: np.ndarray, k: int = 4, margin: str = "ratio",
               threshold: float | None = 0.0, source_texts: Sequence[str] | None = None,
               target_texts: Sequence[str] | None = None,
               block_bytes: int = DEFAULT_BLOCK_BYTES) -> list[tuple[int, int, float]]:
    """BUCC candidates (source row, target row, margin score), best first, one per pair.

    With the texts, the whole official path: de-duplicate each side by text (mine on unique sentences), then map
    the mined sentence pairs back to rows, dropping pairs with a sentence that occurs more than once
    (`read_candidate2score`). Without texts every row is taken as a distinct sentence.
    """
    if source_texts is None and target_texts is None:
        return mine_unique(source, target, k, margin, threshold, block_bytes)
    if source_texts is None or target_texts is None:
        raise ValueError("mine_pairs: give both source_texts and target_texts, or neither")
    if len(source_texts) != len(source) or len(target_texts) != len(target):
        raise ValueError(f"mine_pairs: {len(source_texts)}/{len(target_texts)} texts for "
                         f"{len(source)}/{len(target)} embeddings")
    src_map, src_unique = dedup_sentences(source_texts)
    tgt_map, tgt_unique = dedup_sentences(target_texts)
    mined = mine_unique(unique_rows(source, src_map), unique_rows(target, tgt_map), k, margin, threshold,
                        block_bytes)
    src_rows, tgt_rows = rows_by_unique_text(source_texts), rows_by_unique_text(target_texts)
    best: dict[tuple[int, int], float] = {}
    for s, t, score in mined:
        src_text, tgt_text = src_unique[s].strip(), tgt_unique[t].strip()
        if src_text in src_rows and tgt_text in tgt_rows:
            key = (src_rows[src_text], tgt_rows[tgt_text])
            best[key] = max(score, best.get(key, score))
    return [(s, t, score) for (s, t), score in best.items()]


# ---------------------------------------------------------------------------------------------------------
# BUCC threshold


def _candidate_scores(candidates: Mapping | Iterable) -> dict[tuple, float]:
    """{(src, tgt): score} from such a dict or from (src, tgt, score) triples (the max score per pair, insertion
    order kept: `read_candidate2score`)."""
    if isinstance(candidates, Mapping):
        return {tuple(pair): float(score) for pair, score in candidates.items()}
    scores: dict[tuple, float] = {}
    for src, tgt, score in candidates:
        scores[(src, tgt)] = max(float(score), scores.get((src, tgt), float(score)))
    return scores


def _gold_pairs(gold: Iterable) -> set[tuple]:
    return {tuple(g.split("\t")) if isinstance(g, str) else tuple(g) for g in gold}


def bucc_optimize_threshold(candidates: Mapping | Iterable, gold: Iterable) -> float:
    """utils_retrieve.py `bucc_optimize`: the score threshold that maximises F1 against the gold pairs.

    Candidates are visited by decreasing score (stable: ties in insertion order); at every strict improvement of
    F1 the threshold becomes the midpoint between that candidate's score and the next one's. 0 when no candidate
    is correct. Deviation: when the best F1 is reached at the very last candidate the official code indexes past
    the end (IndexError); here the threshold is that candidate's own score, which keeps all of them.
    """
    items = sorted(_candidate_scores(candidates).items(), key=lambda item: -item[1])
    gold_set = _gold_pairs(gold)
    if not gold_set:
        raise ValueError("bucc_optimize_threshold: the gold set is empty")
    extracted = correct = 0
    threshold, best_f1 = 0.0, 0.0
    for i, (pair, score) in enumerate(items):
        extracted += 1
        correct += pair in gold_set
        if correct:
            precision, recall = correct / extracted, correct / len(gold_set)
            f1 = 2 * precision * recall / (precision + recall)
            if f1 > best_f1:
                best_f1 = f1
                threshold = (score + items[i + 1][1]) / 2 if i + 1 < len(items) else score
    return threshold


optimal_threshold = bucc_optimize_threshold


def apply_threshold(candidates: Mapping | Iterable, threshold: float) -> list[tuple]:
    """utils_retrieve.py `bucc_extract`: the candidate pairs whose score is >= threshold, in candidate order."""
    return [pair for pair, score in _candidate_scores(candidates).items() if score >= threshold]
