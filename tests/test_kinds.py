"""The task kinds (repro/kinds): how examples become rows and model outputs become predictions and gold, as the
paper's code (jiant) does it; a tiny tokenizer trained here stands in for XLM-R's."""

import numpy as np
import pytest

from repro.kinds import extractive_qa
from repro.params import Hyper
from repro.tasks import INTERMEDIATE_TASKS

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
    hp = Hyper(learning_rate=1e-5, epochs=1, batch_size=4, max_length=64)
    examples = [_qa("a", "the cat sat on the mat .", "where did the cat sit ?", "the mat"),
                _qa("b", "helsinki is the capital of finland .", "who ?", "oslo", start=-1)]
    rows = extractive_qa.encode(tokenizer, examples, hp, ())
    assert {row["example_index"] for row in rows} == {0}
    width = max(len(row["input_ids"]) for row in rows)
    logits = np.zeros((len(rows), width), dtype=np.float32)
    predictions = extractive_qa.decode((logits, logits), rows, examples, INTERMEDIATE_TASKS["squad_v1"], ())
    assert set(predictions) == {"a"}
