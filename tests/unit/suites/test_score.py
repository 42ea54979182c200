"""repro.suites.submission: folders in the XTREME submission layout scored as google-research/xtreme evaluate.py does.

The fixtures follow the shape of the official mock_test_data (one file per task and language; tsv labels,
blank-line separated tags, tab-separated BUCC id pairs, SQuAD-format QA labels and {id: answer} predictions),
with contents written here so every number can be worked out by hand.
"""

import json
import os
from pathlib import Path

import pytest

from repro.suites import submission as score
from repro.suites import xtreme

LANGS = xtreme.TASK2LANGS


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _squad_json(questions):
    qas = [{"answers": [{"answer_start": 0, "text": t} for t in answers], "id": qid, "question": "?"}
           for qid, answers in questions]
    return json.dumps({"data": [{"paragraphs": [{"context": "...", "qas": qas}], "title": "t"}], "version": 1.0},
                      ensure_ascii=False)


def _mlqa_questions():
    return [("m1", ["el gato"]), ("m2", ["the dog"])]


# Per task: (label file text, prediction file text) for every language, or a function of the language.
def _files(task, lang):
    if task == "pawsx":
        return "1\n0\n1\n0\n", "1\n0\n0\n0\n"  # 75
    if task == "xnli":  # 75 everywhere except English 100: English is part of the average
        gold = "entailment\nneutral\ncontradiction\nneutral\n"
        return gold, gold if lang == "en" else "entailment\nneutral\nneutral\nneutral\n"
    if task == "panx":  # gold PER(0,1) LOC(3,3); predicted PER(0,1) ORG(3,3): P = R = F1 = 50
        return "B-PER\nI-PER\nO\nB-LOC\n", "B-PER\nI-PER\nO\nB-ORG\n"
    if task == "udpos":  # token accuracy 80, but seqeval F1 50 (2 of 4 chunks)
        return "NOUN\nNOUN\nVERB\n\nDET\nNOUN\n", "NOUN\nVERB\nVERB\n\nDET\nNOUN\n"
    if task == "bucc2018":  # 1 of 3 predicted pairs in 4 gold pairs: P 1/3, R 1/4, F1 2/7
        gold = "".join(f"{lang}-{i}\ten-{i}\n" for i in (1, 2, 4, 5))
        return gold, f"{lang}-1\ten-1\n{lang}-2\ten-9\n{lang}-3\ten-3\n"
    if task == "tatoeba":  # 3 of 5
        return "0\n1\n2\n3\n4\n", "0\n1\n2\n4\n3\n"
    if task == "xquad":  # EM 1/3, F1 (1 + 2/3)/3 (q3 unanswered)
        gold = _squad_json([("q1", ["The Eiffel Tower"]), ("q2", ["Barack Obama", "Obama"]), ("q3", ["1889"])])
        return gold, json.dumps({"q1": "eiffel tower.", "q2": "President Obama"})
    if task == "mlqa":  # es: EM 1/2 F1 (1 + 2/3)/2; en: same by symmetry; others EM 0, F1 2/3
        return _squad_json(_mlqa_questions()), json.dumps({"m1": "gato", "m2": "dog"})
    if task == "tydiqa":  # one exact, one unanswered: EM 50, F1 50
        return _squad_json([("t1", ["Helsinki"]), ("t2", ["1917"])]), json.dumps({"t1": "Helsinki"})
    raise AssertionError(task)


EXPECTED_TASK_SCORES = {
    "pawsx": 75.0,
    "xnli": (14 * 75.0 + 100.0) / 15,
    "panx": 50.0,
    "udpos": 50.0,
    "bucc2018": 200 / 7,
    "tatoeba": 60.0,
    "xquad": (100 / 3 + 100 * (1 + 2 / 3) / 3) / 2,
    "mlqa": ((2 * 50.0) / 7 + (2 * 100 * (1 + 2 / 3) / 2 + 5 * 200 / 3) / 7) / 2,
    "tydiqa": 50.0,
}


def _make_folders(root, tasks=tuple(LANGS)):
    preds, labels = root / "predictions", root / "labels"
    for task in tasks:
        for lang in LANGS[task]:
            gold, pred = _files(task, lang)
            _write(score.task_file(labels, task, lang), gold)
            _write(score.task_file(preds, task, lang), pred)
    return preds, labels


def test_score_folders_all_nine_tasks(tmp_path):
    preds, labels = _make_folders(tmp_path)
    out = score_folders_checked(preds, labels)
    detailed, overall = out["detailed"], out["overall"]
    assert list(detailed) == list(LANGS)
    for task, expected in EXPECTED_TASK_SCORES.items():
        assert detailed[task]["avg_metric"] == pytest.approx(expected, abs=1e-6), task
    # spot checks of the per-language entries and of the side metrics
    assert detailed["xnli"]["accuracy"]["en"] == 100.0 and detailed["xnli"]["accuracy"]["sw"] == 75.0
    assert detailed["bucc2018"]["precision"]["de"] == pytest.approx(100 / 3)
    assert detailed["bucc2018"]["avg_recall"] == pytest.approx(25.0)
    assert detailed["mlqa"]["exact_match"]["es"] == 50.0 and detailed["mlqa"]["exact_match"]["de"] == 0.0
    assert detailed["mlqa"]["avg_f1"] == pytest.approx((2 * 250 / 3 + 5 * 200 / 3) / 7, abs=1e-6)
    # overall: the mean of the nine task scores (evaluate.py), not the mean of the four group scores
    assert list(overall) == ["all_task", "classification", "tagging", "qa", "retrieval"]
    nine = sum(EXPECTED_TASK_SCORES.values()) / 9
    assert overall["all_task"] == pytest.approx(nine, abs=1e-6)
    groups = {g: sum(EXPECTED_TASK_SCORES[t] for t in tasks) / len(tasks) for g, tasks in xtreme.GROUPS.items()}
    for group, value in groups.items():
        assert overall[group] == pytest.approx(value, abs=1e-6)
    assert abs(overall["all_task"] - sum(groups.values()) / 4) > 0.5  # 53.06 vs 53.97


def score_folders_checked(preds, labels):
    """score_folders, cross-checked against the per-task functions applied to the same files."""
    out = score.score_folders(preds, labels)
    per_task = {}
    for task in out["detailed"]:
        per_lang = {}
        for lang in LANGS[task]:
            p = score.read_task_file(task, score.task_file(preds, task, lang))
            g = score.read_task_file(task, score.task_file(labels, task, lang))
            per_lang[lang] = xtreme.evaluate_language(task, p, g, lang)
        per_task[task] = per_lang
    assert out == xtreme.scores(per_task)
    return out


def test_tasks_missing_from_predictions_are_skipped_like_the_official_script(tmp_path):
    preds, labels = _make_folders(tmp_path, tasks=("pawsx", "xnli", "panx", "udpos", "tatoeba"))
    (labels / "xquad").mkdir()  # a label-only task is skipped too
    (preds / "not_a_task").mkdir()  # unknown subfolders are ignored
    out = score.score_folders(preds, labels)
    assert list(out["detailed"]) == ["pawsx", "xnli", "panx", "udpos", "tatoeba"]
    assert out["overall"] == pytest.approx({"classification": (75.0 + EXPECTED_TASK_SCORES["xnli"]) / 2,
                                            "tagging": 50.0})  # no all_task, no half-present group


def test_bad_folders_and_files_raise_one_line_value_errors(tmp_path):
    preds, labels = _make_folders(tmp_path, tasks=("pawsx", "udpos", "xquad"))
    with pytest.raises(ValueError, match="labels folder .*nowhere"):
        score.score_folders(preds, tmp_path / "nowhere")
    # one line too few
    bad = score.task_file(preds, "pawsx", "fr")
    bad.write_text("1\n0\n1\n")
    with pytest.raises(ValueError) as err:
        score.score_folders(preds, labels)
    assert str(bad) in str(err.value) and "\n" not in str(err.value)
    bad.write_text("1\n0\n0\n0\n")
    # a tagging file with a sentence more
    bad = score.task_file(preds, "udpos", "ja")
    bad.write_text("NOUN\nNOUN\nVERB\n\nDET\nNOUN\n\nX\n")
    with pytest.raises(ValueError, match=str(bad)):
        score.score_folders(preds, labels)
    bad.write_text("NOUN\nNOUN\nVERB\n\nDET\nNOUN\n")
    # a language file missing: the official script stops there; here a ValueError naming it
    missing = score.task_file(preds, "xquad", "th")
    missing.unlink()
    with pytest.raises(ValueError, match=f"missing file {missing}"):
        score.score_folders(preds, labels)
    partial = score.score_folders(preds, labels, require_all_languages=False)
    assert "th" not in partial["detailed"]["xquad"]["f1"] and len(partial["detailed"]["xquad"]["f1"]) == 10
    # not json
    _write(missing, "{not json")
    with pytest.raises(ValueError, match=str(missing)):
        score.score_folders(preds, labels)


def test_reader_quirks(tmp_path):
    path = tmp_path / "tags.tsv"
    _write(path, "A\nB\n\n\nC\n")  # two blank lines in a row: an empty sentence (evaluate.py read_tag)
    assert score.read_tags(path) == [["A", "B"], [], ["C"]]
    _write(path, " 1 \r\n0\n")
    assert score.read_lines(path) == ["1", "0"]
    _write(path, "1\n0\n\n")  # a trailing blank line is an item of its own
    assert score.read_lines(path) == ["1", "0", ""]
    _write(path, json.dumps({"data": [1]}))
    assert score.read_qa(path) == [1]


def test_write_predictions_round_trip(tmp_path):
    out, gold_dir = tmp_path / "preds", tmp_path / "labels"
    cases = {
        "xnli": (["entailment", "neutral"], ["entailment", "contradiction"]),
        "tatoeba": ([0, 2, 1], list(range(3))),
        "udpos": ([["NOUN", "VERB"], ["DET"]], [["NOUN", "NOUN"], ["DET"]]),
        "bucc2018": ([("de-1", "en-1"), ("de-2", "en-3")], [("de-1", "en-1"), ("de-2", "en-2")]),
        "mlqa": ({"a": "gato", "b": "perro"}, {"data": {"a": ["el gato"], "b": ["los perros"]}}),
    }
    for task, (predictions, gold) in cases.items():
        path = score.write_predictions(out, task, "es" if task != "bucc2018" else "de", predictions)
        assert path == score.task_file(out, task, "es" if task != "bucc2018" else "de")
        score.write_labels(gold_dir, task, "es" if task != "bucc2018" else "de", gold)
    assert (out / "udpos" / "test-es.tsv").read_text() == "NOUN\nVERB\n\nDET\n\n"
    assert (out / "bucc2018" / "test-de.tsv").read_text() == "de-1\ten-1\nde-2\ten-3\n"
    assert json.loads((gold_dir / "mlqa" / "test-es.json").read_text())["data"][0]["paragraphs"][0]["qas"][1] == {
        "id": "b", "answers": [{"text": "los perros"}]}
    for task, (predictions, gold) in cases.items():
        lang = "es" if task != "bucc2018" else "de"
        from_files = score.score_language(task, lang, score.task_file(out, task, lang),
                                          score.task_file(gold_dir, task, lang))
        assert from_files == pytest.approx(xtreme.evaluate_language(task, predictions, gold, lang)), task
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]  # no temporary files left behind


def test_tag_files_round_trip_empty_sentences(tmp_path):
    sentences = [[], ["NOUN", "VERB"], [], ["X"], []]
    path = score.write_predictions(tmp_path, "udpos", "de", sentences)
    assert path.read_text() == "\nNOUN\nVERB\n\n\nX\n\n\n"
    assert score.read_tags(path) == sentences


def test_write_predictions_is_atomic_and_overwrites(tmp_path, monkeypatch):
    path = score.write_predictions(tmp_path, "pawsx", "de", ["1", "0"])
    assert path.read_text() == "1\n0\n"
    score.write_predictions(tmp_path, "pawsx", "de", ["0"])
    assert path.read_text() == "0\n"

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        score.write_predictions(tmp_path, "pawsx", "de", ["1", "1", "1"])
    assert path.read_text() == "0\n"  # the old file is intact
    assert sorted(p.name for p in path.parent.iterdir()) == ["test-de.tsv"]  # and the temp file is gone


@pytest.mark.parametrize("task,items", [
    ("xcopa", ["1"]),
    ("pawsx", ["1\n0"]),
    ("pawsx", [" 1"]),
    ("udpos", ["NOUN"]),
    ("bucc2018", [("a", "b", "c")]),
    ("xquad", {"q": 3}),
    ("xquad", ["answer"]),
])
def test_write_predictions_refuses_what_cannot_round_trip(tmp_path, task, items):
    with pytest.raises(ValueError):
        score.write_predictions(tmp_path, task, "de", items)


# ---------------------------------------------------------------------------------------------------------
# The profile's scoring rule: what the stages score with, recorded beside the numbers


def test_tagging_kind_scores_with_the_profile_rule():
    from repro import kinds
    from repro.params import Scoring
    from repro.tasks import target

    task = target("udpos")
    gold, pred = [["CCONJ", "NOUN"]], [["SCONJ", "NOUN"]]
    kind = kinds.of(task)
    assert kind.score(task, pred, gold, "de") == {"f1": pytest.approx(100.0)}  # no profile: the official rule
    assert kind.score(task, pred, gold, "de", Scoring(seqeval="1.2.2")) == {"f1": pytest.approx(100.0)}
    assert kind.score(task, pred, gold, "de", Scoring(seqeval="0.0.12")) == {"f1": pytest.approx(50.0)}


def test_collect_records_the_rule_and_refuses_a_stage_scored_otherwise(tmp_path):
    from repro.params import load
    from repro.paths import Layout
    from repro.stages import common
    from repro.studies.paper.stages import collect

    profile = load(Path(__file__).resolve().parents[3] / "params.yaml", "paper")
    assert profile.scoring.seqeval == "0.0.12"  # the paper's tables use jiant's rule
    layout = Layout("paper", root=tmp_path)
    rows = [{"language": "de", "metric": "f1", "value": 50.0}]
    stage = common.stage_result(layout, "none", "udpos", rows, {"de": "validation"}, 90.0,
                                profile.scoring.model_dump())
    assert json.loads(layout.stage_metrics("none", "udpos").read_text())["scoring"] == {"seqeval": "0.0.12"}
    assert stage["scoring"] == {"seqeval": "0.0.12"}
    payload = collect.run(profile, layout, tmp_path / "params.yaml")
    assert payload["provenance"]["scoring"] == {"seqeval": "0.0.12"}
    assert [r["value"] for r in payload["results"]] == [50.0]
    common.stage_result(layout, "none", "udpos", rows, {"de": "validation"}, 90.0, {"seqeval": "1.2.2"})
    with pytest.raises(ValueError, match=r"udpos\.json: scored with \{'seqeval': '1\.2\.2'\}, but the profile's "
                                         r"scoring is \{'seqeval': '0\.0\.12'\}; rerun the stage"):
        collect.run(profile, layout, tmp_path / "params.yaml")
