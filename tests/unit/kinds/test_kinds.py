"""The task kinds (repro/kinds): how examples become rows and model outputs become predictions and gold, as the
paper's code (jiant) does it; a tiny tokenizer trained here stands in for XLM-R's."""

import numpy as np
import pytest

from repro.kinds import extractive_qa
from repro.params import Hyper
from repro.tasks import INTERMEDIATE_TASKS, TARGET_TASKS

CORPUS = ["the cat sat on the mat . where did the cat sit ?", "helsinki is the capital of finland .",
          "anna plays the guitar in the music club . who plays the guitar ?"] * 20


@pytest.fixture(scope="module")
def tokenizer():
    from repro.models.tiny import train_tokenizer

    return train_tokenizer(CORPUS, 200, 512)


def _qa(qid: str, context: str, question: str, answer: str, start: int | None = None) -> dict:
    start = context.index(answer) if start is None else start
    return {"id": qid, "context": context, "question": question, "answers": {"text": [answer], "answer_start": [start]}}


def test_qa_example_without_an_anchored_answer_gets_no_window(tokenizer):
    """A TyDiQA answer the context lacks (offset -1): not trained on, and unanswered in evaluation."""
    hp = Hyper(learning_rate=1e-5, epochs=1, batch_size=4, max_length=96)
    examples = [_qa("a", "the cat sat on the mat .", "where did the cat sit ?", "the mat"),
                _qa("b", "helsinki is the capital of finland .", "who ?", "oslo", start=-1)]
    rows = extractive_qa.encode(tokenizer, examples, hp, ())
    assert {row["example_index"] for row in rows} == {0}
    width = max(len(row["input_ids"]) for row in rows)
    logits = np.zeros((len(rows), width), dtype=np.float32)
    predictions = extractive_qa.decode((logits, logits), rows, examples, INTERMEDIATE_TASKS["squad_v1"], ())
    assert set(predictions) == {"a"}


LONG = " ".join(["the cat sat on the mat .", "helsinki is the capital of finland .",
                 "anna plays the guitar in the music club ."] * 6)


def _windows(rows):
    return [row["window"] for row in rows]


def test_qa_windows_advance_by_doc_stride_as_jiant(tokenizer):
    """jiant squad_style/core.py: window k starts k x doc_stride context tokens in, the last reaches the end;
    every token of a window maps back to its characters, and a training answer is labelled where it lies whole."""
    answer = "the music club"
    at = [i for i in range(len(LONG)) if LONG.startswith(answer, i)][3]
    example = _qa("a", LONG, "who plays the guitar ?", answer, start=at)
    rows = extractive_qa.encode_windows(tokenizer, [example], 64, 8, 16)
    n_context = len(tokenizer(LONG, add_special_tokens=False)["input_ids"])
    question = len(tokenizer("who plays the guitar ?", add_special_tokens=False)["input_ids"][:8])
    capacity = 64 - question - 4
    starts = [doc_start for _, doc_start, _ in _windows(rows)]
    assert starts == list(range(0, starts[-1] + 1, 16)) and starts[-1] + capacity >= n_context > starts[-2] + capacity
    assert all(length == min(capacity, n_context - s) and len(row["input_ids"]) <= 64
               for row, (_, s, length) in zip(rows, _windows(rows)))
    labelled = [row for row in rows if row["start_positions"]]
    assert labelled and all(LONG[row["offsets"][row["start_positions"]][0]:row["offsets"][row["end_positions"]][1]]
                            .strip() == answer for row in labelled)
    for row, (before, doc_start, length) in zip(rows, _windows(rows)):
        inside = doc_start <= _token_at(tokenizer, LONG, at) and _token_at(tokenizer, LONG, at + len(answer) - 1) \
            < doc_start + length
        assert bool(row["start_positions"]) == inside


def _token_at(tokenizer, text: str, char: int) -> int:
    offsets = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    return next(t for t, (s, e) in enumerate(offsets) if s <= char < e)


def test_qa_question_is_cut_to_max_query_length(tokenizer):
    question = "where did the cat sit on the mat in helsinki the capital of finland ?"
    rows = extractive_qa.encode_windows(tokenizer, [_qa("a", "the cat sat on the mat .", question, "the mat")],
                                        64, 8, 16)
    before, _, _ = rows[0]["window"]
    assert len(tokenizer(question, add_special_tokens=False)["input_ids"]) > 8
    assert before == 8 + 3  # <s> question </s></s>
    assert rows[0]["input_ids"][1:9] == tokenizer(question, add_special_tokens=False)["input_ids"][:8]


def test_qa_overlap_mode_shares_doc_stride_tokens(tokenizer):
    rows = extractive_qa.encode_windows(tokenizer, [_qa("a", LONG, "who ?", "the cat")], 48, 8, 10, "overlap")
    windows = _windows(rows)
    assert len(windows) > 2
    for (_, start, length), (_, following, _) in zip(windows, windows[1:]):
        assert start + length - following == 10


@pytest.mark.parametrize("args, message", [
    ((20, 16, 8, "advance"), r"^max_length: 20 tokens leave no context after a 16-token question and 4 special"),
    ((48, 8, 36, "overlap"), r"^doc_stride: windows of 36 context tokens cannot overlap by 36$"),
    ((48, 8, 0, "advance"), r"^doc_stride: must be at least 1"),
])
def test_qa_window_settings_that_cannot_work_are_refused(tokenizer, args, message):
    with pytest.raises(ValueError, match=message):
        extractive_qa.encode_windows(tokenizer, [_qa("a", LONG, "who ?", "the cat")], *args)


def test_qa_start_is_read_only_in_its_most_context_window(tokenizer):
    """jiant squad_style/utils.py:113 (`token_is_max_context`): a token at a window's edge starts no answer there
    when another window holds it with more context on both sides."""
    example = _qa("a", LONG, "who ?", "the cat")
    rows = extractive_qa.encode_windows(tokenizer, [example], 48, 8, 10)
    (before0, start0, length0), (before1, start1, length1) = _windows(rows)[:2]
    edge = start0 + length0 - 1  # the last token of window 0: no right context there, plenty in window 1
    assert start1 <= edge < start1 + length1
    inner = start0 + length0 // 2  # most context in window 0
    width = max(len(row["input_ids"]) for row in rows)
    start_logits = np.full((len(rows), width), -10.0, dtype=np.float32)
    end_logits = np.full((len(rows), width), -10.0, dtype=np.float32)
    start_logits[0, before0 + edge - start0], end_logits[0, before0 + edge - start0] = 9.0, 9.0
    start_logits[0, before0 + inner - start0], end_logits[0, before0 + inner - start0] = 5.0, 5.0
    prediction = extractive_qa.decode_spans(start_logits, end_logits, rows, [example], allow_no_answer=False)["a"]
    offsets = rows[0]["offsets"]
    # the edge token's own span (18) would win without the rule; inner start + edge end (14) wins with it
    assert prediction == LONG[offsets[before0 + inner - start0][0]:offsets[before0 + edge - start0][1]]


# ---------------------------------------------------------------------------------------------------------
# Tagging: jiant's label mask


def _tagged(tokens: list[str], tags: list[str]) -> dict:
    return {"tokens": tokens, "tags": tags}


def test_words_cut_off_by_truncation_are_not_scored(tokenizer):
    """jiant tasks/lib/udpos.py:88-93 and evaluate/core.py:671-715: only words whose first sub-word is in the
    sequence are predicted and scored; the submission still holds a tag per word (the first label)."""
    from repro.kinds import tagging

    task = TARGET_TASKS["udpos"]
    long = _tagged(["anna", "plays", "the", "guitar"] * 6, ["PROPN", "VERB", "DET", "NOUN"] * 6)
    short = _tagged(["the", "cat", "sat"], ["DET", "NOUN", "VERB"])
    rows = tagging.encode_words(tokenizer, [long, short], 16, {t: i for i, t in enumerate(task.labels)})
    kept = tagging.seen(rows[0])
    assert 0 < kept < len(long["tokens"]) and tagging.seen(rows[1]) == 3
    logits = np.zeros((2, 16, len(task.labels)), dtype=np.float32)
    for r, (row, example) in enumerate(zip(rows, [long, short])):  # a model right on every word it sees
        for position, (word, label) in enumerate(zip(row["word_ids"], row["labels"])):
            if label >= 0:
                logits[r, position, task.labels.index(example["tags"][word])] = 1.0
    predictions = tagging.decode(logits, rows, [long, short], task, task.labels)
    gold = tagging.gold(task, [long, short], rows)
    assert predictions == gold == [long["tags"][:kept], short["tags"]]
    filled = tagging.submission(task, predictions, [long, short])
    assert filled[0] == long["tags"][:kept] + [task.labels[0]] * (len(long["tokens"]) - kept)
    assert filled[1] == short["tags"]
    ccg = INTERMEDIATE_TASKS["ccg"]
    assert tagging.score(ccg, predictions, gold, "en") == {"accuracy": 100.0}


def test_words_the_tokenizer_drops_or_explodes_are_one_unk(tokenizer):
    """jiant tasks/lib/udpos.py:39-48: an empty word (or one of over 100 sub-words) is a single <unk>, so it is
    seen and tagged like any other; a tag outside the label set trains nothing."""
    from repro.engine.batching import IGNORE
    from repro.kinds import tagging

    example = _tagged(["the", "", "cat", "x" * 300, "sat"], ["DET", "X", "NOUN", "X", "NOSUCHTAG"])
    row = tagging.encode_words(tokenizer, [example], 64, {"DET": 0, "NOUN": 1, "X": 2})[0]
    firsts = [p for p, (w, prev) in enumerate(zip(row["word_ids"], [-1] + row["word_ids"])) if w >= 0 and w != prev]
    assert [row["word_ids"][p] for p in firsts] == [0, 1, 2, 3, 4]
    assert [row["labels"][p] for p in firsts] == [0, 2, 1, 2, IGNORE]
    for word in (1, 3):
        pieces = [i for i, w in zip(row["input_ids"], row["word_ids"]) if w == word]
        assert tokenizer.unk_token_id in pieces and len(pieces) <= 2, pieces  # <unk>, maybe after a word start


def test_ccg_labels_are_every_tag_of_every_split(tmp_path):
    """jiant's CCG tag map (tags_to_id.json, jiant/tasks/lib/ccg.py:146-165) holds the train, test and dev tags."""
    import datasets

    from repro.paths import Layout
    from repro.stages.common import labels_of

    layout = Layout("smoke", tmp_path)
    for split, tags in {"train": ["N", "NP"], "validation": ["S/NP"], "test": ["(S\\NP)/NP"]}.items():
        layout.dataset("ccg", split).parent.mkdir(parents=True, exist_ok=True)
        datasets.Dataset.from_dict({"tokens": [["w"] * len(tags)], "tags": [tags]}).to_parquet(
            str(layout.dataset("ccg", split)))
    assert labels_of(INTERMEDIATE_TASKS["ccg"], layout) == ("(S\\NP)/NP", "N", "NP", "S/NP")
