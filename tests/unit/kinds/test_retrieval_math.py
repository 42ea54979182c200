"""repro.retrieval_math against hand-built embeddings and a loop-by-loop transcription of the official algorithm
(google-research/xtreme third_party/utils_retrieve.py mine_bitext / bucc_optimize / bucc_extract and
evaluate_retrieval.py's Tatoeba similarity_search)."""

import numpy as np
import pytest

from repro import metrics
from repro import retrieval_math as rm


def test_l2_normalize_keeps_zero_rows():
    out = rm.l2_normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])


@pytest.mark.parametrize("k", [1, 3, 40, 60])  # k <= 32: rounds of argmax; larger: argpartition; 60: all rows
def test_top_k_matches_a_full_sort(k):
    rng = np.random.default_rng(k)
    queries, database = rng.normal(size=(25, 5)).astype(np.float32), rng.normal(size=(50, 5)).astype(np.float32)
    sims, inds = rm.top_k(queries, database, k, block_bytes=600)  # 3 query rows per block
    full = queries @ database.T
    expected = np.argsort(-full, axis=1, kind="stable")[:, :min(k, 50)]
    # Blocked and whole products may differ in the last bits (BLAS kernels, CPU): compare similarities with an
    # absolute tolerance, and ranks by the similarity they hold (two near-equal rows may trade places).
    assert all(len(set(row)) == len(row) for row in inds.tolist())
    np.testing.assert_allclose(np.take_along_axis(full, inds, axis=1), np.take_along_axis(full, expected, axis=1),
                               atol=1e-5)
    np.testing.assert_allclose(sims, np.take_along_axis(full, inds, axis=1), atol=1e-5)
    assert (inds == expected).mean() > 0.95  # only near-ties may trade places


def test_top_k_ties_prefer_the_lower_index():
    sims, inds = rm.top_k(np.ones((1, 2), np.float32), np.ones((4, 2), np.float32), 2)
    assert inds.tolist() == [[0, 1]]


# ---------------------------------------------------------------------------------------------------------
# Tatoeba


def test_tatoeba_queries_are_english_and_the_index_is_the_other_language():
    english = np.array([[1.0, 0.0], [0.0, 1.0]])
    other = np.array([[1.0, 0.1], [1.0, 0.2]])
    # English 0 is nearest to other 0 (cos .995 vs .981), English 1 to other 1 (cos .196 vs .0995): 2 of 2.
    assert rm.nearest_neighbours(other, english) == [0, 1]
    assert rm.tatoeba_accuracy(other, english) == 100.0
    # The opposite direction (each other-language sentence looking for English) would find English 0 twice.
    assert rm.nearest_neighbours(english, other) == [0, 0]
    assert rm.tatoeba_accuracy(english, other) == 50.0


def test_tatoeba_is_cosine_not_dot_product():
    english = np.array([[1.0, 0.0], [0.0, 1.0]])
    other = np.array([[1.0, 0.1], [100.0, 20.0]])  # a long vector does not win by its length
    assert rm.nearest_neighbours(other, english) == [0, 1]


def test_tatoeba_accuracy_on_noisy_translations_matches_metrics_accuracy():
    rng = np.random.default_rng(0)
    english = rng.normal(size=(30, 16))
    other = english + rng.normal(scale=0.9, size=english.shape)
    predicted = rm.nearest_neighbours(other, english, block_bytes=64)  # several blocks
    brute = [int(np.argmax(rm.l2_normalize(other) @ e)) for e in rm.l2_normalize(english)]
    assert predicted == brute
    assert rm.tatoeba_accuracy(other, english) == pytest.approx(metrics.accuracy(predicted, list(range(30))))


# ---------------------------------------------------------------------------------------------------------
# BUCC margin mining


def _reference_mine(x, y, k):
    """utils_retrieve.py mine_bitext(mode="mine", retrieval="max", margin="ratio"), loop by loop, float64."""
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    y = y / np.linalg.norm(y, axis=1, keepdims=True)
    sim = x @ y.T
    kx, ky = min(k, len(y)), min(k, len(x))
    x2y_ind = np.argsort(-sim, axis=1)[:, :kx]
    y2x_ind = np.argsort(-sim.T, axis=1)[:, :ky]
    x2y_mean = np.array([sim[i, x2y_ind[i]].mean() for i in range(len(x))])
    y2x_mean = np.array([sim[y2x_ind[j], j].mean() for j in range(len(y))])
    fwd, bwd = [], []
    for i in range(len(x)):
        scores = [sim[i, j] / ((x2y_mean[i] + y2x_mean[j]) / 2) for j in x2y_ind[i]]
        fwd.append((i, int(x2y_ind[i][int(np.argmax(scores))]), max(scores)))
    for j in range(len(y)):
        scores = [sim[i, j] / ((y2x_mean[j] + x2y_mean[i]) / 2) for i in y2x_ind[j]]
        bwd.append((int(y2x_ind[j][int(np.argmax(scores))]), j, max(scores)))
    kept, seen_x, seen_y = [], set(), set()
    for s, t, score in sorted(fwd + bwd, key=lambda c: -c[2]):
        if s not in seen_x and t not in seen_y:
            seen_x.add(s)
            seen_y.add(t)
            if score > 0:
                kept.append((s, t, score))
    return kept


def test_margin_prefers_the_partner_over_a_hub():
    x = np.array([[1.0, 1.0], [0.9, 0.5], [0.5, 1.0]])
    y = np.array([[0.9, 0.7], [0.7, 0.1], [0.3, 0.6]])
    sim = rm.l2_normalize(x) @ rm.l2_normalize(y).T
    assert np.argmax(sim[1]) == 0  # by cosine, x1 is nearest to y0 (0.988 > 0.934): y0 is a hub
    # k=2 neighbourhood means: x1 (0.988+0.934)/2, y0 (0.992+0.988)/2 (crowded), y1 (0.934+0.800)/2 (sparse)
    mean_x1 = (sim[1, 0] + sim[1, 1]) / 2
    mean_y0 = (sim[0, 0] + sim[1, 0]) / 2
    mean_y1 = (sim[1, 1] + sim[0, 1]) / 2
    margin_y0 = sim[1, 0] / ((mean_x1 + mean_y0) / 2)
    margin_y1 = sim[1, 1] / ((mean_x1 + mean_y1) / 2)
    assert margin_y1 > margin_y0  # 1.022 > 1.013: the ratio margin picks the translation
    mined = rm.mine_pairs(x, y, k=2)
    assert [(s, t) for s, t, _ in mined] == [(2, 2), (1, 1), (0, 0)]  # best first
    assert mined[1][2] == pytest.approx(margin_y1, rel=1e-6)


def test_max_retrieval_uses_backward_candidates_and_one_to_one_greedy():
    x = np.array([[-0.7, 0.2], [-0.8, 0.2], [-0.5, 0.6]])
    y = np.array([[-0.9, 0.3], [-0.9, 0.1], [-0.6, 0.7]])
    # x0 and x1 both propose y0 (their best margin); x0's score is higher, so x1 loses y0, and the pair (1, 1)
    # comes from y1's backward proposal.
    fwd_only = [int(np.argmax(row)) for row in rm.l2_normalize(x) @ rm.l2_normalize(y).T]
    assert fwd_only[:2] == [0, 0]
    assert [(s, t) for s, t, _ in rm.mine_pairs(x, y, k=2)] == [(2, 2), (0, 0), (1, 1)]


@pytest.mark.parametrize("seed,k,n_x,n_y", [(0, 4, 12, 10), (1, 4, 7, 15), (2, 2, 9, 9), (3, 20, 5, 6)])
def test_mining_matches_the_official_algorithm(seed, k, n_x, n_y):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(n_y, 8))
    x = np.vstack([y[:min(n_x, n_y)] + rng.normal(scale=0.6, size=(min(n_x, n_y), 8)),
                   rng.normal(size=(max(0, n_x - n_y), 8))])
    ours = rm.mine_pairs(x, y, k=k, block_bytes=128)  # tiny blocks: exercise the blocked top-k
    reference = _reference_mine(x, y, k)
    assert [(s, t) for s, t, _ in ours] == [(s, t) for s, t, _ in reference]
    np.testing.assert_allclose([m for *_, m in ours], [m for *_, m in reference], rtol=1e-5)


def test_mining_threshold_is_strict():
    x = np.array([[1.0, 1.0], [0.9, 0.5], [0.5, 1.0]])
    y = np.array([[0.9, 0.7], [0.7, 0.1], [0.3, 0.6]])
    everything = rm.mine_pairs(x, y, k=2, threshold=None)
    cut = everything[1][2]
    assert rm.mine_pairs(x, y, k=2, threshold=cut) == everything[:1]


def test_text_dedup_as_the_official_scorer():
    rng = np.random.default_rng(4)
    base = rng.normal(size=(4, 6))
    source_texts = ["a", "b", "a", "c"]  # "a" twice: mined once, then dropped (read_sent2id)
    target_texts = ["A", "B", "C", "D"]
    source = np.vstack([base[0], base[1], base[0], base[2]])
    target = base + 0.01 * rng.normal(size=base.shape)
    mined = rm.mine_pairs(source, target, k=2, source_texts=source_texts, target_texts=target_texts)
    assert sorted((s, t) for s, t, _ in mined) == [(1, 1), (3, 2)]  # rows of the original lists
    assert rm.dedup_sentences(["a", "b", "a"]) == ([0, 1, 0], ["a", "b"])
    np.testing.assert_array_equal(rm.unique_rows(np.array([[1], [2], [3]]), [0, 1, 0]), [[3], [2]])  # last copy
    assert rm.rows_by_unique_text(["a", "a ", "b"]) == {"b": 2}  # stripped before the repeat check


def test_mining_edge_cases():
    assert rm.mine_pairs(np.zeros((0, 3)), np.ones((2, 3))) == []
    with pytest.raises(ValueError):
        rm.mine_pairs(np.ones((2, 3)), np.ones((2, 3)), source_texts=["a", "b"])
    with pytest.raises(ValueError):
        rm.mine_pairs(np.ones((2, 3)), np.ones((2, 3)), margin="cosine")


# ---------------------------------------------------------------------------------------------------------
# BUCC threshold


CANDIDATES = {("s1", "t1"): 1.5, ("s2", "t2"): 1.4, ("s3", "t9"): 1.3, ("s4", "t4"): 1.2, ("s5", "t8"): 1.1}
GOLD = ["s1\tt1", "s2\tt2", "s4\tt4", "s6\tt6"]


def test_bucc_optimize_threshold_by_hand():
    # cumulative F1 by decreasing score: .400, .667, .571, .750, .667 -> best after the 4th candidate,
    # threshold = midpoint of its score and the next one's = (1.2 + 1.1) / 2
    assert rm.bucc_optimize_threshold(CANDIDATES, GOLD) == pytest.approx(1.15)
    kept = rm.apply_threshold(CANDIDATES, 1.15)
    assert kept == [("s1", "t1"), ("s2", "t2"), ("s3", "t9"), ("s4", "t4")]
    assert metrics.bucc_f1(kept, GOLD)["f1"] == pytest.approx(75.0)
    triples = [(s, t, score) for (s, t), score in CANDIDATES.items()] + [("s5", "t8", 0.2)]  # max per pair kept
    assert rm.optimal_threshold(triples, {tuple(g.split("\t")) for g in GOLD}) == pytest.approx(1.15)


def test_bucc_threshold_is_inclusive_and_ties_share_the_midpoint():
    candidates = [(0, 0, 2.0), (1, 1, 1.0), (2, 9, 1.0)]  # best F1 right after (1, 1); its tie (2, 9) follows
    threshold = rm.optimal_threshold(candidates, {(0, 0), (1, 1)})
    assert threshold == 1.0 and rm.apply_threshold(candidates, threshold) == [(0, 0), (1, 1), (2, 9)]


def test_bucc_threshold_edge_cases():
    # best F1 at the last candidate: the official code reads past the end; here that candidate's own score
    assert rm.optimal_threshold([(0, 0, 0.9), (1, 1, 0.7)], {(0, 0), (1, 1)}) == pytest.approx(0.7)
    assert rm.optimal_threshold([(0, 5, 0.9)], {(0, 0)}) == 0.0  # nothing correct: 0, as bucc_optimize
    with pytest.raises(ValueError):
        rm.optimal_threshold([(0, 0, 0.9)], [])


def test_mine_then_threshold_end_to_end():
    rng = np.random.default_rng(5)
    target = rng.normal(size=(40, 12))
    source = target[:30] + rng.normal(scale=0.3, size=(30, 12))  # 30 translations, 10 target-only sentences
    mined = rm.mine_pairs(source, target)
    gold = {(i, i) for i in range(30)}
    threshold = rm.optimal_threshold(mined, gold)
    predicted = rm.apply_threshold(mined, threshold)
    f1 = metrics.bucc_f1(predicted, gold)["f1"]
    assert f1 > 90.0
    # the optimised threshold is the best of all cut points
    best = max(metrics.bucc_f1([(s, t) for s, t, m in mined if m >= cut], gold)["f1"] for *_, cut in mined)
    assert f1 == pytest.approx(best)
