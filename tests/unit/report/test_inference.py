"""repro.report.inference: the crossed (runs x clusters) t interval against hand-computed ANOVA, Holm's adjustment
against worked values, and the primary / exploratory marking."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from repro.report import inference as inf


def test_crossed_t_is_the_two_way_anova_interval():
    rng = np.random.default_rng(3)
    runs, clusters = 3, 7
    table = 2.0 * rng.normal(size=(runs, 1)) + 1.5 * rng.normal(size=(1, clusters)) + rng.normal(size=(runs, clusters))
    # sums of squares written out cell by cell
    grand = sum(map(sum, table)) / (runs * clusters)
    row = [sum(table[i]) / clusters for i in range(runs)]
    col = [sum(table[i][j] for i in range(runs)) / runs for j in range(clusters)]
    ms_a = clusters * sum((r - grand) ** 2 for r in row) / (runs - 1)
    ms_b = runs * sum((c - grand) ** 2 for c in col) / (clusters - 1)
    ms_e = sum((table[i][j] - row[i] - col[j] + grand) ** 2 for i in range(runs) for j in range(clusters)) \
        / ((runs - 1) * (clusters - 1))
    assert ms_a > ms_e and ms_b > ms_e  # both components estimated positive: no truncation
    variance = (ms_a + ms_b - ms_e) / (runs * clusters)
    parts = [(ms_a / (runs * clusters), runs - 1), (ms_b / (runs * clusters), clusters - 1),
             (-ms_e / (runs * clusters), (runs - 1) * (clusters - 1))]
    df = min(variance ** 2 / sum(p ** 2 / d for p, d in parts), max(parts)[1])
    half = stats.t.ppf(0.975, df) * variance ** 0.5
    result = inf.crossed_t(table)
    assert float(result["mean"]) == pytest.approx(grand)
    assert float(result["se"]) ** 2 == pytest.approx(variance) and float(result["df"]) == pytest.approx(df)
    assert (float(result["ci_low"]), float(result["ci_high"])) == (pytest.approx(grand - half),
                                                                   pytest.approx(grand + half))
    assert float(result["p_value"]) == pytest.approx(2 * stats.t.sf(abs(grand) / variance ** 0.5, df))
    batch = inf.crossed_t(np.stack([table, table + 1.0]))  # vectorized over leading axes
    assert batch["mean"][1] == pytest.approx(grand + 1.0) and batch["se"][1] == pytest.approx(batch["se"][0])


def test_crossed_contrast_weighs_strata_and_keeps_complete_clusters():
    cells = {(seed, lang, "xnli"): 1.0 + seed for seed in (0, 1) for lang in "abcdef"}
    cells.update({(seed, "a", "panx"): 9.0 + seed for seed in (0, 1)})  # one language of a second task
    cells[(0, "g", "xnli")] = 100.0  # a language only seed 0 has: left out
    record = inf.crossed_contrast(cells, ("seed", "language"))
    assert record["units"] == {"seed": 2, "language": 6} and record["n"] == 6
    # xnli's mean 1.5 and panx's 9.5 weigh equally, every language of xnli equally
    assert record["mean"] == pytest.approx((1.5 + 9.5) / 2)
    with pytest.raises(ValueError, match="no paired cells"):
        inf.crossed_contrast({})


def test_holm_against_worked_values():
    adjusted = inf.holm([0.01, 0.04, 0.03, 0.005, None])
    # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 -> 0.02, 0.03, 0.06, 0.04 -> running max 0.06 for 0.04
    assert adjusted == [pytest.approx(0.03), pytest.approx(0.06), pytest.approx(0.06), pytest.approx(0.02), None]
    assert inf.holm([0.5, 0.9]) == [pytest.approx(1.0), pytest.approx(1.0)]  # capped at 1
    assert inf.holm([]) == []


def test_mark_primary_adjusts_only_the_primary_family():
    records = [{"contrast": "A2-A1", "languages": "seen", "p_value": 0.01},
               {"contrast": "A2-A1", "languages": "unseen", "p_value": 0.04},
               {"contrast": "A3-A2", "languages": "seen", "p_value": 0.001},
               {"contrast": "A2-A1", "languages": "all", "p_value": None}]
    marked = inf.mark_primary(records, [{"contrast": "A2-A1", "languages": "seen"},
                                        {"contrast": "A2-A1", "languages": "unseen"}])
    assert [r["primary"] for r in marked] == [True, True, False, False]
    assert marked[0]["p_adjusted"] == pytest.approx(0.02) and marked[1]["p_adjusted"] == pytest.approx(0.04)
    assert marked[2]["p_adjusted"] is None and marked[2]["p_value"] == 0.001  # exploratory: unadjusted p only
    assert all(r["primary"] is False and r["p_adjusted"] is None for r in inf.mark_primary(records, []))


def test_primary_lines_name_the_primary_answers():
    records = inf.mark_primary(
        [{"name": "a", "mean": 2.0, "ci_low": 0.5, "ci_high": 3.5, "p_value": 0.01, "note": None},
         {"name": "b", "mean": 1.0, "ci_low": None, "ci_high": None, "p_value": None, "note": inf.TOO_FEW},
         {"name": "c", "mean": 0.1, "ci_low": -1.0, "ci_high": 1.2, "p_value": 0.8, "note": None}],
        [{"name": "a"}, {"name": "b"}])
    lines = inf.primary_lines(records, lambda r: r["name"])
    assert lines == ["primary (2):", "  a: +2.00 [+0.50, +3.50], Holm p 0.01",
                     "  b: +1.00 too few clusters, Holm p –"]
    assert inf.primary_lines(records, lambda r: r["name"], shown=1)[-1] == "  ... 1 more"
    assert inf.primary_lines(records[2:], lambda r: r["name"]) == ["primary: none declared"]
