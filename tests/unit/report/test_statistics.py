"""repro.report.statistics: mean +- sd over seeds and the paired contrasts, against cases with a known answer."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from repro.report import statistics as st

LANGS = ("ar", "de", "en", "hi", "sw", "zh")


def rows_for(values: dict[tuple, float], arm: str) -> list[dict]:
    """Rows {arm, seed, target, language, value} from {(seed, target, language): value}."""
    return [{"arm": arm, "seed": s, "target": t, "language": lang, "value": v} for (s, t, lang), v in values.items()]


def two_arms(difference, seeds=(0, 1, 2), targets=("xnli", "panx"), langs=LANGS, base_seed=0):
    rng = np.random.default_rng(base_seed)
    control = {(s, t, lang): float(rng.uniform(20, 80)) for s in seeds for t in targets for lang in langs}
    treatment = {key: value + difference(key) for key, value in control.items()}
    return rows_for(control, "A1") + rows_for(treatment, "A2")


def test_mean_std():
    assert st.mean_std([1.0, 2.0, 3.0]) == (pytest.approx(2.0), pytest.approx(1.0))  # sample sd, ddof=1
    assert st.mean_std([4.0]) == (4.0, None)
    with pytest.raises(ValueError):
        st.mean_std([])


def test_seed_summary_hand_computed():
    rows = rows_for({(0, "xnli", "de"): 10, (0, "xnli", "en"): 20, (0, "panx", "de"): 40,
                     (1, "xnli", "de"): 30, (1, "xnli", "en"): 40, (1, "panx", "de"): 60}, "A1")
    records = st.seed_summary(rows, groups={"mixed": ("xnli", "panx")})
    by = {(r.get("task") or r.get("group")): r for r in records}
    assert by["xnli"]["mean"] == pytest.approx(25.0) and by["xnli"]["std"] == pytest.approx(np.std([15, 35], ddof=1))
    # the group score per seed is the mean of its task scores: seed 0 (15 + 40) / 2, seed 1 (35 + 60) / 2
    assert by["mixed"]["mean"] == pytest.approx((27.5 + 47.5) / 2) and by["mixed"]["n"] == 2
    seen = st.seed_summary(rows, seen={"A1": {"en"}}, languages="seen")
    assert [(r["task"], r["mean"]) for r in seen] == [("xnli", pytest.approx(30.0))]  # panx has no seen language


def test_constant_difference_gives_a_zero_width_interval_at_it_and_p_zero():
    record = st.contrast(two_arms(lambda key: 2.5), "A2", "A1", ("xnli", "panx"), kind="group")
    assert record["mean"] == pytest.approx(2.5, abs=1e-12)
    assert record["ci_low"] == record["ci_high"] == pytest.approx(2.5, abs=1e-12)
    assert record["p_value"] == 0.0  # no variation at all: nothing could have produced 2.5 from 0
    assert record["n"] == 6 and record["units"] == {"seed": 3, "language": 6} and record["unit"] == "seed x language"


def test_symmetric_noise_around_zero_covers_zero_with_p_one():
    # each (seed, target) has differences +x and -x on two languages each: mean exactly 0, symmetric
    signs = {"ar": 1, "de": -1, "en": 1, "hi": -1, "sw": 1, "zh": -1}
    size = {"ar": 3.0, "de": 3.0, "en": 1.0, "hi": 1.0, "sw": 5.0, "zh": 5.0}
    rows = two_arms(lambda key: signs[key[2]] * size[key[2]] * (1 + key[0]))
    record = st.contrast(rows, "A2", "A1", ("xnli",))
    assert record["mean"] == pytest.approx(0.0, abs=1e-12)
    assert record["ci_low"] < 0 < record["ci_high"]
    assert record["p_value"] == pytest.approx(1.0)  # t = 0


def test_one_seed_gives_the_one_sample_t_interval_over_languages():
    rng = np.random.default_rng(7)
    n = 40
    langs = [f"l{i:03d}" for i in range(n)]
    z = rng.normal(size=n)
    differences = 0.8 + 2.0 * (z - z.mean()) / z.std(ddof=1)  # exactly mean 0.8, sd 2: t = 2.53
    control = {(0, "xnli", lang): 50.0 for lang in langs}
    treatment = {(0, "xnli", lang): 50.0 + d for lang, d in zip(langs, differences)}
    record = st.contrast(rows_for(control, "A1") + rows_for(treatment, "A2"), "A2", "A1", ("xnli",))
    low, high = scipy_stats.t.interval(0.95, n - 1, loc=differences.mean(), scale=scipy_stats.sem(differences))
    assert record["mean"] == pytest.approx(differences.mean(), abs=1e-12)
    assert (record["ci_low"], record["ci_high"]) == (pytest.approx(low, abs=1e-9), pytest.approx(high, abs=1e-9))
    t_test = scipy_stats.ttest_1samp(differences, 0.0)
    assert 0.01 < t_test.pvalue < 0.05 and record["p_value"] == pytest.approx(t_test.pvalue, abs=1e-9)
    assert record["units"] == {"seed": 1, "language": n} and record["note"].startswith("one run")


def test_run_effects_widen_the_interval():
    # the same language differences, then a run effect that moves every language of a seed together: an
    # interval that ignored runs (seeds as if languages were the only sample) would stay as narrow
    base = {lang: d for lang, d in zip(LANGS, (0.5, -0.3, 0.8, 0.1, -0.6, 0.4))}
    quiet = st.contrast(two_arms(lambda key: 1.0 + base[key[2]] + 0.01 * key[0]), "A2", "A1", ("xnli",))
    runs = st.contrast(two_arms(lambda key: 1.0 + base[key[2]] + (-2.0, 0.5, 1.5)[key[0]]), "A2", "A1", ("xnli",))
    assert quiet["mean"] == pytest.approx(1.16) and runs["mean"] == pytest.approx(1.15)  # base averages 0.15
    assert runs["ci_high"] - runs["ci_low"] > 5 * (quiet["ci_high"] - quiet["ci_low"])
    assert quiet["p_value"] < 0.01 < 0.3 < runs["p_value"]


def test_tasks_weigh_equally_in_a_group():
    # xnli: 6 languages with difference 1; panx: 1 language with difference 10 -> group (1 + 10) / 2
    rows = two_arms(lambda key: 1.0 if key[1] == "xnli" else 10.0, targets=("xnli",))
    rows += two_arms(lambda key: 10.0, targets=("panx",), langs=("de",), base_seed=1)
    record = st.contrast(rows, "A2", "A1", ("xnli", "panx"), kind="group", name="mixed")
    assert record["mean"] == pytest.approx(5.5) and record["group"] == "mixed"
    assert record["ci_low"] < 5.5 < record["ci_high"]  # languages differ (de carries panx): a language effect


def test_seen_and_unseen_split_and_too_few_clusters():
    langs = tuple(f"l{i}" for i in range(10))
    seen = set(langs[:5])
    rows = two_arms(lambda key: 3.0 if key[2] in seen else 0.0, langs=langs)
    table = st.contrast_table(rows, [("A2", "A1")], groups={"pair": ("xnli", "panx")}, seen={"A2": seen})
    assert len(table) == (2 + 1 + 1) * 3  # 2 tasks, 1 group, overall; seen, unseen, all
    for record in table:
        assert {"contrast", "languages", "mean", "ci_low", "ci_high", "p_value", "n", "units"} <= set(record)
        assert ("task" in record) != ("group" in record) and record["contrast"] == "A2 - A1"
    overall = {r["languages"]: r for r in table if r.get("group") == "overall"}
    assert overall["seen"]["mean"] == pytest.approx(3.0) and overall["seen"]["p_value"] < 0.01
    assert overall["seen"]["n"] == 5 and overall["unseen"]["n"] == 5 and overall["all"]["n"] == 10
    assert overall["unseen"]["mean"] == pytest.approx(0.0) and overall["unseen"]["p_value"] == 1.0
    assert overall["all"]["mean"] == pytest.approx(1.5) and overall["all"]["ci_low"] < 1.5 < overall["all"]["ci_high"]
    few = st.contrast_table(rows, [("A2", "A1")], groups={}, seen={"A2": set(langs[:4])})
    four = next(r for r in few if r.get("group") == "overall" and r["languages"] == "seen")
    assert four["mean"] == pytest.approx(3.0) and four["units"] == {"seed": 3, "language": 4}
    assert four["ci_low"] is four["ci_high"] is four["p_value"] is None and four["note"] == "too few clusters"
    english_only = st.contrast_table(rows, [("A2", "A1")], groups={}, seen={})
    empty = [r for r in english_only if r["languages"] == "seen"]
    assert empty and all(r["n"] == 0 and r["mean"] is r["ci_low"] is r["p_value"] is None for r in empty)


def test_bad_input_is_one_line():
    rows = two_arms(lambda key: 1.0)
    with pytest.raises(ValueError, match=r"A2 - A1: 1 cells have no pair, e.g. \(0, 'xnli', 'ar'\)"):
        st.contrast(rows[1:], "A2", "A1", ("xnli",))
    with pytest.raises(ValueError, match="two rows"):
        st.contrast(rows + rows[:1], "A2", "A1", ("xnli",))
    with pytest.raises(ValueError, match="languages 'some'"):
        st.contrast(rows, "A2", "A1", ("xnli",), languages="some")
