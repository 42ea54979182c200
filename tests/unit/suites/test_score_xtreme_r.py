"""repro.suites.xtreme_r and the mAP@k metrics (repro.metrics) against hand-computed cases.

The comparison with the official evaluate.py itself is tests/unit/suites/test_score_xtreme_r_official.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from repro import metrics, suites
from repro.suites import submission, xtreme, xtreme_r

# ---------------------------------------------------------------------------------------------------------
# mAP@k


def test_average_precision_partial_repeated_and_truncated_rankings():
    ap = metrics.average_precision_at_k
    assert ap({"a", "b"}, ["a", "x", "b"]) == pytest.approx((1 / 1 + 2 / 3) / 2)
    assert ap({"a", "b"}, ["x", "b"]) == pytest.approx((1 / 2) / 2)  # partial: a is never ranked
    assert ap({"a", "b"}, []) == 0.0  # nothing ranked
    assert ap({"a", "b"}, ["a", "a", "b"]) == pytest.approx((1 / 1 + 2 / 3) / 2)  # a repeat counts once
    assert ap({"a"}, [f"x{i}" for i in range(20)] + ["a"]) == 0.0  # rank 21 is past k=20
    assert ap({"a"}, [f"x{i}" for i in range(19)] + ["a"]) == pytest.approx(1 / 20)
    many = {f"r{i}" for i in range(25)}  # more relevant than k: divided by k, not 25
    assert ap(many, sorted(many)) == pytest.approx(1.0)
    assert ap({"a", "b"}, ["b", "a"], k=1) == pytest.approx(1.0)  # min(2, 1) = 1
    with pytest.raises(ValueError, match="no relevant ids"):
        ap(set(), ["a"])


def test_mean_average_precision_missing_and_extra_queries():
    gold = {"q1": ["a", "b"], "q2": ["c"], "q3": ["d"]}
    predictions = {"q1": ["a", "x", "b"], "q2": ["x", "x2", "c"], "q9": ["d"]}  # q3 missing, q9 unknown
    expected = ((1 + 2 / 3) / 2 + 1 / 3 + 0) / 3
    assert metrics.mean_average_precision_at_k(predictions, gold) == pytest.approx(expected)
    assert metrics.lareqa_map(predictions, gold) == {"map@20": pytest.approx(100 * expected)}
    with pytest.raises(ValueError, match="must be a list of ids"):
        metrics.mean_average_precision_at_k({"q1": "abc"}, gold)
    with pytest.raises(ValueError, match="nothing to score"):
        metrics.lareqa_map({}, {})
    with pytest.raises(ValueError, match="non-empty list"):
        metrics.lareqa_map({}, {"q1": []})


def test_mewslix_is_mrr_at_20_on_the_first_stripped_gold_id():
    gold = {"e1": [" Q1 "], "e2": ["Q2", "Q9"], "e3": ["Q3"], "e4": ["Q4"]}
    predictions = {"e1": ["Q9", "Q1"], "e2": ["Q9", "Q2"], "e4": [f"Q{i}" for i in range(100, 120)] + ["Q4"],
                   "e5": ["Q5"]}
    # e1: rank 2; e2: only Q2 counts (Q9 at rank 1 is not gold), rank 2; e3: no prediction; e4: rank 21
    assert metrics.mewslix_map(predictions, gold) == {"map@20": pytest.approx(100 * (0.5 + 0.5 + 0 + 0) / 4)}
    assert metrics.mewslix_map({}, {}) == {"map@20": 0.0}  # utils_mewslix returns 0.0 for no examples


# ---------------------------------------------------------------------------------------------------------
# The suite: languages, layout


def test_xtreme_r_languages_and_the_new_ones():
    langs = xtreme_r.TASK2LANGS
    counts = {task: len(v) for task, v in langs.items()}
    assert counts == {"xnli": 15, "panx": 48, "udpos": 38, "tatoeba": 41, "xcopa": 11, "lareqa": 0, "mewslix": 11,
                      "xquad": 12, "mlqa": 7, "tydiqa": 9}
    assert set(langs["udpos"]) - set(xtreme.TASK2LANGS["udpos"]) == {"lt", "pl", "uk", "wo", "ro"}
    assert set(langs["panx"]) - set(xtreme.TASK2LANGS["panx"]) == {"qu", "pl", "uk", "az", "lt", "pa", "gu", "ro"}
    assert set(langs["tatoeba"]) - set(xtreme.TASK2LANGS["tatoeba"]) == {"az", "lt", "pl", "uk", "ro"}
    assert set(langs["xquad"]) - set(xtreme.TASK2LANGS["xquad"]) == {"ro"}
    assert set(xtreme_r.OURS_TASK2LANGS["lareqa"]) == set(xtreme.TASK2LANGS["xquad"])  # XQuAD-R
    assert suites.get("xtreme-r") is xtreme_r and suites.get("xtreme") is xtreme
    for task in xtreme_r.TASK2LANGS:
        assert task in xtreme_r.TASK_METRIC and task in xtreme_r.FILE_FORMAT


@pytest.mark.parametrize("task,suffix", [("xcopa", "jsonl"), ("mewslix", "json"), ("lareqa", "json"),
                                         ("xquad", "json"), ("udpos", "tsv"), ("tatoeba", "tsv")])
def test_task_file_suffixes(task, suffix):
    assert submission.task_file("P", task, "ro", xtreme_r) == Path("P") / task / f"test-ro.{suffix}"


def test_xtreme_layout_unchanged():
    assert submission.task_file("P", "xquad", "en") == Path("P/xquad/test-en.json")
    assert submission.task_file("P", "bucc2018", "de") == Path("P/bucc2018/test-de.tsv")
    assert not hasattr(xtreme, "OURS_TASK2LANGS")


# ---------------------------------------------------------------------------------------------------------
# XCOPA jsonl


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_xcopa_jsonl_compares_labels_as_json_values(tmp_path):
    gold = "".join(json.dumps({"premise": "p", "choice1": "a", "choice2": "b", "question": "cause", "label": label,
                               "idx": i}) + "\n" for i, label in enumerate([1, 0, 1, 1, 0]))
    # "1" (a string) is not 1; true == 1 in Python, as in the official `p == l`
    pred = "".join(json.dumps({"label": label}) + "\n" for label in [1, 0, "1", True, 1])
    labels = _write(tmp_path / "labels/xcopa/test-ht.jsonl", gold)
    predictions = _write(tmp_path / "preds/xcopa/test-ht.jsonl", pred)
    assert submission.score_language("xcopa", "ht", predictions, labels, xtreme_r) == {
        "accuracy": pytest.approx(100 * 3 / 5)}
    short = _write(tmp_path / "preds/xcopa/test-qu.jsonl", pred.split("\n", 1)[1])
    with pytest.raises(ValueError, match="has 4 lines but .* has 5"):
        submission.score_language("xcopa", "qu", short, labels, xtreme_r)
    blank = _write(tmp_path / "preds/xcopa/test-et.jsonl", pred + "\n")
    with pytest.raises(ValueError, match="test-et.jsonl line 6 is not valid json"):
        submission.score_language("xcopa", "et", blank, labels, xtreme_r)
    unlabelled = _write(tmp_path / "preds/xcopa/test-id.jsonl", '{"idx": 0}\n')
    with pytest.raises(ValueError, match='line 1 has no "label"'):
        submission.score_language("xcopa", "id", unlabelled, labels, xtreme_r)


# ---------------------------------------------------------------------------------------------------------
# Writers, then scoring, with hand-computed numbers


def _full_folders(root: Path, lareqa: str = "all") -> tuple[Path, Path]:
    """Every XTREME-R task, every language, with per-task scores known by construction."""
    preds, labels = root / "preds", root / "labels"
    for task, langs in xtreme_r.TASK2LANGS.items():
        for lang in langs:
            fmt = xtreme_r.FILE_FORMAT[task]
            if fmt == "lines":  # 3 of 4 right
                gold, pred = ["a", "b", "c", "d"], ["a", "b", "c", "x"]
            elif fmt == "tags":  # one entity of two found, no false ones: P 100, R 50, F1 66.67
                gold, pred = [["B-PER", "O", "B-LOC"]], [["B-PER", "O", "O"]]
            elif fmt == "jsonl":  # 1 of 2
                gold, pred = [{"label": 0, "premise": "p"}, {"label": 1, "premise": "q"}], [0, 0]
            elif fmt == "qa":  # one exact, one missing: EM 50, F1 50
                gold, pred = {"q1": ["river"], "q2": ["a king"]}, {"q1": "River."}  # case, punctuation
            else:  # mewslix: ranks 1 and 4: MRR (1 + 1/4) / 2
                gold, pred = {"e1": "Q1", "e2": "Q2"}, {"e1": ["Q1"], "e2": ["Q7", "Q8", "Q9", "Q2"]}
            submission.write_labels(labels, task, lang, gold, xtreme_r)
            submission.write_predictions(preds, task, lang, pred, xtreme_r)
    for lang in xtreme_r.OURS_TASK2LANGS["lareqa"] if lareqa == "all" else ():
        # q1: relevant at ranks 1 and 3 -> (1 + 2/3) / 2; q2 not predicted -> 0
        submission.write_labels(labels, "lareqa", lang, {f"q1_{lang}": ["c1", "c2"], f"q2_{lang}": ["c3"]},
                                xtreme_r)
        submission.write_predictions(preds, "lareqa", lang, {f"q1_{lang}": ["c1", "c9", "c2"]}, xtreme_r)
    if lareqa == "empty":
        (preds / "lareqa").mkdir()
        (labels / "lareqa").mkdir()
    return preds, labels


TASK_SCORES = {"xnli": 75.0, "tatoeba": 75.0, "udpos": 200 / 3, "panx": 200 / 3, "xcopa": 50.0, "xquad": 50.0,
               "mlqa": 50.0, "tydiqa": 50.0, "mewslix": 62.5}
LAREQA = 100 * (1 + 2 / 3) / 4


def test_every_task_hand_computed(tmp_path):
    result = submission.score_folders(*_full_folders(tmp_path), suite=xtreme_r)
    detailed = result["detailed"]
    assert {t: detailed[t]["avg_metric"] for t in TASK_SCORES} == pytest.approx(TASK_SCORES)
    assert detailed["lareqa"] == {}
    assert detailed["mewslix"]["map@20"]["ro"] == pytest.approx(62.5)
    assert detailed["udpos"]["precision"]["wo"] == pytest.approx(100.0)
    assert result["overall"] == pytest.approx({
        "classification": (75 + 50) / 2, "tagging": 200 / 3, "qa": 50.0, "retrieval": (75 + 62.5) / 2,
        "multi_choice": 50.0})  # no all_task: evaluate.py stops there with LAReQA's {}
    ours = result["ours"]
    assert ours["detailed"]["lareqa"]["avg_map@20"] == pytest.approx(LAREQA)
    assert ours["overall"] == pytest.approx({"retrieval": (75 + 62.5 + LAREQA) / 3,
                                             "all_task": (sum(TASK_SCORES.values()) + LAREQA) / 10})


def test_lareqa_folder_without_our_files_is_left_out_of_ours(tmp_path):
    result = submission.score_folders(*_full_folders(tmp_path, lareqa="empty"), suite=xtreme_r)
    assert result["detailed"]["lareqa"] == {}
    assert result["ours"]["detailed"] == {}
    assert result["ours"]["overall"] == {}  # no LAReQA score: neither our retrieval nor our all_task


def test_missing_language_file_is_one_line(tmp_path):
    preds, labels = _full_folders(tmp_path)
    (preds / "mewslix" / "test-uk.json").unlink()
    with pytest.raises(ValueError, match=r"missing file .*mewslix/test-uk.json"):
        submission.score_folders(preds, labels, suite=xtreme_r)
    (preds / "lareqa" / "test-zh.json").unlink()
    partial = submission.score_folders(preds, labels, require_all_languages=False, suite=xtreme_r)
    assert "uk" not in partial["detailed"]["mewslix"]["map@20"]
    assert "zh" not in partial["ours"]["detailed"]["lareqa"]["map@20"]


def test_rankings_writer_refuses_what_the_reader_would_misread(tmp_path):
    with pytest.raises(ValueError, match="cannot be 'data'"):
        submission.write_predictions(tmp_path, "mewslix", "en", {"data": ["Q1"]}, xtreme_r)
    with pytest.raises(ValueError, match="expected {query id: \\[ids\\]}"):
        submission.write_predictions(tmp_path, "lareqa", "en", ["c1"], xtreme_r)
    with pytest.raises(ValueError, match="unknown XTREME-R task 'pawsx'"):
        submission.write_predictions(tmp_path, "pawsx", "en", ["1"], xtreme_r)
    bad = _write(tmp_path / "p/mewslix/test-en.json", '["Q1"]')
    gold = submission.write_labels(tmp_path / "l", "mewslix", "en", {"e1": "Q1"}, xtreme_r)
    with pytest.raises(ValueError, match=r"must be a json object \{query id: \[ranked ids\]\}"):
        submission.score_language("mewslix", "en", bad, gold, xtreme_r)
