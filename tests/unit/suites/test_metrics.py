"""repro.metrics against hand-computed cases and the official scripts' quirks (google-research/xtreme
evaluate.py, third_party/evaluate_squad.py = SQuAD v1.1, third_party/evaluate_mlqa.py = MLQA v1)."""

import pytest

from repro import metrics
from repro.suites import xtreme

# ---------------------------------------------------------------------------------------------------------
# Task lists: XTREME (evaluate.py TASK2LANGS), not XTREME-R


def test_task_lists_are_xtreme_not_xtreme_r():
    sizes = {task: len(langs) for task, langs in xtreme.TASK2LANGS.items()}
    assert sizes == {"pawsx": 7, "xnli": 15, "panx": 40, "udpos": 33, "bucc2018": 4, "tatoeba": 36, "xquad": 11,
                     "mlqa": 7, "tydiqa": 9}
    assert list(xtreme.TASK2LANGS) == ["pawsx", "xnli", "panx", "udpos", "bucc2018", "tatoeba", "xquad",
                                               "mlqa", "tydiqa"]  # evaluate.py's iteration order
    assert "en" not in xtreme.TASK2LANGS["tatoeba"]  # queries are English; en is not a "language" here
    assert "lt" not in xtreme.TASK2LANGS["udpos"] and "pl" not in xtreme.TASK2LANGS["udpos"]
    assert "xcopa" not in xtreme.TASK2LANGS and "mewslix" not in xtreme.TASK2LANGS
    assert xtreme.TASK2LANGS["mlqa"] == ("en", "es", "de", "ar", "hi", "vi", "zh")
    grouped = [t for tasks in xtreme.GROUPS.values() for t in tasks]
    assert sorted(grouped) == sorted(xtreme.TASK2LANGS)
    assert set(xtreme.TASK_METRIC) == set(xtreme.TASK2LANGS)
    assert set(xtreme.TASK_METRIC.values()) <= set(metrics.METRICS)


def test_metric_names_match_the_registry():
    from repro.suites import xtreme_r
    from repro.tasks import TARGET_TASKS

    for task_id, task in TARGET_TASKS.items():
        suite = xtreme if task.suite == xtreme.NAME else xtreme_r
        assert suite.TASK_METRIC[task_id] == task.metric


# ---------------------------------------------------------------------------------------------------------
# Accuracy


def test_accuracy():
    assert metrics.accuracy(["a", "b", "c", "d"], ["a", "b", "x", "d"]) == 75.0
    assert metrics.accuracy([0, 1, 2], [0, 1, 2]) == 100.0
    assert metrics.accuracy_scores(["1", "0"], ["1", "1"]) == {"accuracy": 50.0}


@pytest.mark.parametrize("predictions,gold", [(["a"], ["a", "b"]), ([], [])])
def test_accuracy_refuses_mismatched_or_empty(predictions, gold):
    with pytest.raises(ValueError):
        metrics.accuracy(predictions, gold)


# ---------------------------------------------------------------------------------------------------------
# Tagging: seqeval entity F1, also for UD-POS


def test_panx_entity_f1():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG"]]
    pred = [["B-PER", "I-PER", "O", "B-ORG"], ["O", "B-ORG"]]
    # gold chunks PER(0,1) LOC(3,3) ORG(6,6); predicted PER(0,1) ORG(3,3) ORG(6,6): 2 of 3 either way
    scores = metrics.tagging_scores(pred, gold)
    assert scores == pytest.approx({"f1": 200 / 3, "precision": 200 / 3, "recall": 200 / 3})
    # a half-found entity is wrong: precision 1/2 (PER(0,0) wrong), recall 1/3
    partial = metrics.tagging_scores([["B-PER", "O", "O", "B-LOC"], ["O", "O"]], gold)
    assert partial["precision"] == pytest.approx(50.0) and partial["recall"] == pytest.approx(100 / 3)
    assert partial["f1"] == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3) * 100)


def test_bio_tags_agree_under_both_rules_and_with_installed_seqeval():
    gold = [["B-PER", "I-PER", "O", "B-LOC", "I-LOC"], ["B-ORG", "O", "B-PER"], ["O"]]
    pred = [["B-PER", "O", "O", "B-LOC", "I-LOC"], ["I-ORG", "O", "B-LOC"], ["B-MISC"]]
    official = metrics.tagging_scores(pred, gold)
    assert official == pytest.approx(metrics.tagging_scores(pred, gold, "0.0.12"))
    assert official == pytest.approx(_installed_seqeval(pred, gold))


def _installed_seqeval(pred, gold):
    """evaluate.py `f1` with the installed seqeval (the project pins 1.2.2, what install_tools.sh brings today)."""
    import warnings

    from seqeval.metrics import f1_score, precision_score, recall_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "NOUN seems not to be NE tag", zero division
        return {"f1": 100 * f1_score(gold, pred), "precision": 100 * precision_score(gold, pred),
                "recall": 100 * recall_score(gold, pred)}


def test_installed_seqeval_is_the_pinned_1_2_2():
    from importlib import metadata

    assert metadata.version("seqeval") == "1.2.2"


def test_default_rule_equals_installed_seqeval_on_random_pos_and_bio_sequences():
    import random

    r = random.Random(7)
    upos = ["ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT",
            "SCONJ", "SYM", "VERB", "X"]
    bio = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
    for tags in (upos, bio, ["CCONJ", "SCONJ", "NOUN"]):
        for _ in range(60):
            gold = [r.choices(tags, k=r.randint(1, 8)) for _ in range(r.randint(1, 4))]
            pred = [[t if r.random() < 0.6 else r.choice(tags) for t in s] for s in gold]
            assert metrics.tagging_scores(pred, gold) == pytest.approx(_installed_seqeval(pred, gold), abs=1e-9)


def test_pos_is_scored_by_seqeval_f1_not_token_accuracy():
    # seqeval reads a bare POS tag as a chunk: consecutive equal tags merge into one chunk
    gold = [["NOUN", "NOUN", "VERB"], ["DET", "NOUN"]]
    pred = [["NOUN", "VERB", "VERB"], ["DET", "NOUN"]]
    flat_p = [t for s in pred for t in s]
    flat_g = [t for s in gold for t in s]
    assert metrics.accuracy(flat_p, flat_g) == pytest.approx(80.0)  # 4 of 5 tokens
    # gold NOUN(0,1) VERB(2,2) DET(4,4) NOUN(5,5); predicted NOUN(0,0) VERB(1,2) DET(4,4) NOUN(5,5): 2 of 4
    assert metrics.tagging_f1(pred, gold) == pytest.approx(50.0)
    assert metrics.tagging_chunks(gold, "0.0.12") == [("NOUN", 0, 1), ("VERB", 2, 2), ("DET", 4, 4), ("NOUN", 5, 5)]
    # seqeval 1.2.2 (the default) names the types after the first letter; the chunks are the same
    assert metrics.tagging_chunks(gold) == [("OUN", 0, 1), ("ERB", 2, 2), ("ET", 4, 4), ("OUN", 5, 5)]


def test_sentences_do_not_merge_across_the_boundary():
    # evaluate.py passes lists of sentences; seqeval joins them with an "O" between, so NOUN | NOUN is 2 chunks
    assert metrics.tagging_chunks([["NOUN"], ["NOUN"]], "0.0.12") == [("NOUN", 0, 0), ("NOUN", 2, 2)]
    assert metrics.tagging_chunks([["NOUN"], ["NOUN"]]) == [("OUN", 0, 0), ("OUN", 2, 2)]
    assert metrics.tagging_scores([["NOUN"], ["VERB"]], [["NOUN"], ["NOUN"]]) == pytest.approx(
        {"f1": 50.0, "precision": 50.0, "recall": 50.0})


def test_default_chunk_types_are_seqeval_1_2_2_and_0_0_12_is_an_option():
    # seqeval >= 1.0 (PR #38, July 2020) reads "CCONJ" and "SCONJ" both as type "CONJ": the official evaluate.py as
    # installed today (seqeval 1.2.2) scores this 100. seqeval 0.0.12 (jiant's pin, its 2020 numbers) keeps the
    # whole tag as the type: 50. The default was 0.0.x before (this test then expected 50 without a rule).
    gold, pred = [["CCONJ", "NOUN"]], [["SCONJ", "NOUN"]]
    assert metrics.tagging_chunks(gold) == [("CONJ", 0, 0), ("OUN", 1, 1)]
    assert metrics.tagging_chunks(gold, "0.0.12") == [("CCONJ", 0, 0), ("NOUN", 1, 1)]
    assert metrics.tagging_f1(pred, gold) == pytest.approx(100.0)
    assert metrics.tagging_f1(pred, gold, "1.2.2") == pytest.approx(100.0)
    assert metrics.tagging_f1(pred, gold, "0.0.12") == pytest.approx(50.0)
    from seqeval.metrics import f1_score

    with pytest.warns(UserWarning):
        assert f1_score(gold, pred) == pytest.approx(1.0)  # plain seqeval 1.2.2


def test_unknown_seqeval_rule_is_refused():
    with pytest.raises(ValueError, match=r"seqeval rule '0\.0\.21': expected one of 1\.2\.2, 0\.0\.12"):
        metrics.tagging_f1([["NOUN"]], [["NOUN"]], "0.0.21")
    with pytest.raises(ValueError, match="seqeval rule"):
        xtreme.evaluate_language("udpos", [["NOUN"]], [["NOUN"]], "de", seqeval="legacy")


def test_tagging_refuses_misaligned_sequences():
    with pytest.raises(ValueError, match="sentence 0"):
        metrics.tagging_f1([["NOUN"]], [["NOUN", "VERB"]])
    with pytest.raises(ValueError):
        metrics.tagging_f1([["NOUN"]], [["NOUN"], ["VERB"]])


def test_no_predicted_chunks_scores_zero():
    assert metrics.tagging_scores([["O", "O"]], [["B-PER", "O"]]) == {"f1": 0.0, "precision": 0.0, "recall": 0.0}


# ---------------------------------------------------------------------------------------------------------
# SQuAD v1.1 (XQuAD, TyDiQA)


def _squad(questions):
    """A SQuAD-format dataset (list of articles) from [(id, [answers])]."""
    qas = [{"id": qid, "question": "?", "answers": [{"text": t, "answer_start": 0} for t in answers]}
           for qid, answers in questions]
    return [{"title": "t", "paragraphs": [{"context": "c", "qas": qas}]}]


QUESTIONS = [("q1", ["The Eiffel Tower"]), ("q2", ["Barack Obama", "Obama"]), ("q3", ["1889"])]


def test_squad_normalization():
    assert metrics.squad_normalize("  The  Eiffel-Tower! ") == "eiffeltower"
    assert metrics.squad_normalize("an apple a day") == "apple day"
    assert metrics.squad_normalize("«hola»") == "«hola»"  # only ASCII punctuation


def test_squad_em_f1_with_an_unanswered_question():
    predictions = {"q1": "eiffel tower.", "q2": "President Obama", "extra": "ignored"}
    # q1 exact; q2 F1 = max(1/2 vs "barack obama", 2/3 vs "obama"); q3 unanswered scores 0 but counts
    expected = {"exact_match": 100 / 3, "f1": 100 * (1 + 2 / 3) / 3}
    assert metrics.squad_em_f1(predictions, _squad(QUESTIONS)) == pytest.approx(expected)
    assert metrics.squad_em_f1(predictions, {"data": _squad(QUESTIONS)}) == pytest.approx(expected)
    assert metrics.squad_em_f1(predictions, dict(QUESTIONS)) == pytest.approx(expected)  # flat {id: answers}


def test_squad_f1_is_zero_when_nothing_is_shared_even_if_both_are_empty():
    assert metrics.squad_em_f1({"q": "the"}, {"q": ["a"]}) == {"exact_match": 100.0, "f1": 0.0}


def test_questions_without_answers_use_the_squad_v2_rule():
    # not in XTREME (the v1.1 script would crash); used for SQuAD v2 dev
    assert metrics.squad_em_f1({"a": "", "b": "x"}, {"a": [], "b": []}) == {"exact_match": 50.0, "f1": 50.0}


# ---------------------------------------------------------------------------------------------------------
# MLQA: language-aware normalisation


def test_mlqa_spanish_articles_removed_english_kept():
    assert metrics.mlqa_normalize("El gato y la casa", "es") == "gato y casa"
    assert metrics.mlqa_normalize("the cat", "es") == "the cat"
    assert metrics.mlqa_em_f1({"q": "gato"}, {"q": ["el gato"]}, "es") == {"exact_match": 100.0, "f1": 100.0}
    # with English rules "el" is an ordinary word: 1 of 2 gold tokens
    assert metrics.mlqa_em_f1({"q": "gato"}, {"q": ["el gato"]}, "en") == pytest.approx(
        {"exact_match": 0.0, "f1": 200 / 3})
    assert metrics.mlqa_em_f1({"q": "cat"}, {"q": ["the cat"]}, "es") == pytest.approx(
        {"exact_match": 0.0, "f1": 200 / 3})
    assert metrics.squad_em_f1({"q": "gato"}, {"q": ["el gato"]})["exact_match"] == 0.0


@pytest.mark.parametrize("lang,text,normalized", [
    ("de", "Der Hund und das Haus", "hund und haus"),
    ("vi", "nhà của tôi là cái này", "nhà tôi này"),
    ("hi", "the ghar", "the ghar"),  # Hindi: no article list at all
    ("en", "A cat, an owl & the dog", "cat owl dog"),
    ("zh", "the 电化电池。", "the 电 化 电 池"),  # no articles; punctuation dropped; one token per ideograph
    ("zh", "iPhone手机", "iphone 手 机"),
    ("es", "«Hola», dijo $5", "hola dijo 5"),  # Unicode punctuation and ASCII symbols of string.punctuation
])
def test_mlqa_normalization(lang, text, normalized):
    assert metrics.mlqa_normalize(text, lang) == normalized


def test_mlqa_arabic_removes_al_everywhere():
    assert metrics.mlqa_normalize("الطرق", "ar") == "طرق"
    # the official pattern replaces alif-lam anywhere, even inside a word ("مالك" -> "م ك")
    assert metrics.mlqa_normalize("مالك", "ar") == "م ك"
    assert metrics.mlqa_em_f1({"q": "طرق"}, {"q": ["الطرق"]}, "ar")["exact_match"] == 100.0


def test_mlqa_chinese_is_scored_per_character():
    # gold 电化电池 -> 4 tokens, prediction 电池 -> 2 tokens, both shared: P=1, R=1/2
    assert metrics.mlqa_em_f1({"q": "电池"}, {"q": ["电化电池"]}, "zh") == pytest.approx(
        {"exact_match": 0.0, "f1": 200 / 3})
    assert metrics.squad_em_f1({"q": "电池"}, {"q": ["电化电池"]})["f1"] == 0.0  # one whitespace token each


def test_mlqa_unanswered_and_best_answer():
    gold = _squad([("a", ["der Hund", "Hund"]), ("b", ["Katze"])])
    assert metrics.mlqa_em_f1({"a": "hund"}, gold, "de") == {"exact_match": 50.0, "f1": 50.0}


def test_mlqa_reproduces_the_official_mock_averages():
    # google-research/xtreme evaluate_test.py expects mlqa avg_exact_match 57.142857142857146 and avg_f1
    # 81.76870748299321 on its mock_test_data: en F1 3/7-recall (0.6), es 2 of 13 after articles (4/15), de 3 of 4
    # (6/7), ar/hi/vi/zh exact. Same pattern with our own strings:
    cases = {
        "en": ({"q": ["had a high fever, cough, and mild headaches"]}, {"q": "had a high fever,"}),
        "es": ({"q": ["los barcos de pesca que salieron del puerto al amanecer con redes y cebo"]},
               {"q": "los barcos de"}),  # "los" is dropped on both sides; with English rules F1 would be 6/17
        "de": ({"q": ["12 bis 15 Kilometer"]}, {"q": "12 bis 15"}),
        "ar": ({"a": ["القاهرة"], "b": ["نهر النيل"]}, {"a": "القاهرة", "b": "نهر النيل"}),
        "hi": ({"q": ["नई दिल्ली"]}, {"q": "नई दिल्ली"}),
        "vi": ({"a": ["Hà Nội"], "b": ["sông Hồng"]}, {"a": "Hà Nội", "b": "sông Hồng"}),
        "zh": ({"q": ["长江大桥"]}, {"q": "长江大桥"}),
    }
    per_lang = {lang: metrics.mlqa_em_f1(pred, gold, lang) for lang, (gold, pred) in cases.items()}
    assert per_lang["es"]["f1"] == pytest.approx(400 / 15)
    detail = xtreme.task_detail("mlqa", per_lang)
    assert detail["avg_exact_match"] == pytest.approx(57.142857142857146, abs=1e-9)
    assert detail["avg_f1"] == pytest.approx(81.76870748299321, abs=1e-9)


def test_mlqa_unknown_language():
    with pytest.raises(ValueError, match="unknown answer language"):
        metrics.mlqa_em_f1({"q": "x"}, {"q": ["x"]}, "fr")


# ---------------------------------------------------------------------------------------------------------
# BUCC F1


def test_bucc_f1_partial_overlap():
    predicted = [("de-1", "en-1"), ("de-2", "en-2"), ("de-3", "en-3"), ("de-3", "en-3")]  # duplicate counts once
    gold = ["de-1\ten-1", "de-2\ten-9", "de-4\ten-4", "de-5\ten-5"]
    # 1 correct of 3 predicted, of 4 gold: P 1/3, R 1/4, F1 2/7
    assert metrics.bucc_f1(predicted, gold) == pytest.approx({"f1": 200 / 7, "precision": 100 / 3, "recall": 25.0})
    assert metrics.bucc_f1([], gold) == {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    assert metrics.bucc_f1(gold, gold)["f1"] == pytest.approx(100.0)


# ---------------------------------------------------------------------------------------------------------
# Aggregation (evaluate.py `evaluate`)


def _constant_results(value_for_task):
    results = {}
    for task, langs in xtreme.TASK2LANGS.items():
        v = value_for_task(task)
        if task in xtreme.QA_TASKS:
            scores = {"exact_match": v, "f1": v + 10}
        elif xtreme.TASK_METRIC[task] in ("f1", "bucc_f1"):
            scores = {"f1": v, "precision": v + 1, "recall": v - 1}
        else:
            scores = {"accuracy": v}
        results[task] = {lang: dict(scores) for lang in langs}
    return results


TASK_VALUES = {"pawsx": 80, "xnli": 70, "panx": 60, "udpos": 50, "bucc2018": 40, "tatoeba": 30, "xquad": 20,
               "mlqa": 10, "tydiqa": 0}


def test_xtreme_scores_keys_and_means():
    out = xtreme.scores(_constant_results(TASK_VALUES.get))
    detailed, overall = out["detailed"], out["overall"]
    assert list(detailed["xnli"]) == ["accuracy", "avg_accuracy", "avg_metric"]
    assert list(detailed["panx"]) == ["f1", "precision", "recall", "avg_f1", "avg_precision", "avg_recall",
                                      "avg_metric"]
    assert list(detailed["mlqa"]) == ["exact_match", "f1", "avg_exact_match", "avg_f1", "avg_metric"]
    assert list(detailed["xnli"]["accuracy"]) == list(xtreme.TASK2LANGS["xnli"])  # English included
    assert detailed["bucc2018"]["avg_metric"] == 40  # F1, not precision/recall
    assert detailed["xquad"]["avg_metric"] == pytest.approx(25.0)  # (EM 20 + F1 30) / 2
    task_scores = {t: detailed[t]["avg_metric"] for t in detailed}
    assert list(overall) == ["all_task", "classification", "tagging", "qa", "retrieval"]
    assert overall["all_task"] == pytest.approx(sum(task_scores.values()) / 9)
    assert overall["classification"] == pytest.approx(75.0)
    assert overall["qa"] == pytest.approx((25 + 15 + 5) / 3)
    group_mean = sum(overall[g] for g in xtreme.GROUPS) / 4
    assert overall["all_task"] != pytest.approx(group_mean)  # the official overall is a mean over tasks


def test_english_is_averaged_in():
    per_lang = {lang: {"accuracy": 100.0 if lang == "en" else 70.0} for lang in xtreme.TASK2LANGS["xnli"]}
    assert xtreme.task_score("xnli", per_lang) == pytest.approx((14 * 70 + 100) / 15)


def test_missing_task_drops_overall_and_its_group():
    results = _constant_results(TASK_VALUES.get)
    del results["tatoeba"]
    out = xtreme.scores(results)
    assert "tatoeba" not in out["detailed"]
    assert list(out["overall"]) == ["classification", "tagging", "qa"]


def test_missing_language_is_an_error_unless_allowed():
    results = _constant_results(TASK_VALUES.get)
    del results["xnli"]["sw"]
    with pytest.raises(ValueError, match="xnli.*sw"):
        xtreme.scores(results)
    out = xtreme.scores(results, require_all_languages=False)
    assert "sw" not in out["detailed"]["xnli"]["accuracy"] and out["detailed"]["xnli"]["avg_metric"] == 70


def test_task_score_per_metric():
    assert xtreme.task_score("tydiqa", {"en": {"exact_match": 50, "f1": 70}, "ar": {"exact_match": 30, "f1": 50}}) \
        == pytest.approx(50.0)
    assert xtreme.task_score("udpos", {"en": {"f1": 90, "precision": 10, "recall": 10}}) == 90
    assert xtreme.task_score("tatoeba", {"de": {"accuracy": 42.0}}) == 42.0


def test_evaluate_language_dispatch():
    assert xtreme.evaluate_language("pawsx", ["1", "0"], ["1", "1"], "de") == {"accuracy": 50.0}
    assert set(xtreme.evaluate_language("udpos", [["NOUN"]], [["NOUN"]], "de")) == {"f1", "precision", "recall"}
    assert set(xtreme.evaluate_language("bucc2018", ["a\tb"], ["a\tb"], "de")) == {"f1", "precision", "recall"}
    assert xtreme.evaluate_language("mlqa", {"q": "gato"}, {"q": ["el gato"]}, "es")["exact_match"] == 100.0
    with pytest.raises(ValueError):
        xtreme.evaluate_language("xcopa", [], [], "et")


def test_import_is_cheap():
    import subprocess
    import sys

    code = "import sys, repro.metrics, repro.retrieval_math, repro.suites.submission, repro.tasks; " \
           "print('torch' in sys.modules, " \
           "'seqeval' in sys.modules, 'sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]
