"""Checkpoint selection on English dev (repro/stages/common.py): the value jiant selects on (its major metric),
on the first `eval_subset` dev examples of each training source, averaged over the sources."""

import pytest

from repro.kinds import classification
from repro.tasks import INTERMEDIATE_TASKS, TARGET_TASKS


@pytest.mark.parametrize("task_id, scores, expected", [
    ("squad_v1", {"exact_match": 60.0, "f1": 80.0}, 70.0),   # jiant SQuADEvaluationScheme: (F1 + EM) / 2
    ("tydiqa", {"exact_match": 40.0, "f1": 50.0}, 45.0),     # XlingQAEvaluationScheme
    ("qqp", {"accuracy": 90.0, "f1": 70.0}, 80.0),           # AccAndF1EvaluationScheme
    ("mnli", {"accuracy": 84.0}, 84.0),
    ("udpos", {"f1": 95.0}, 95.0),                           # F1TaggingEvaluationScheme
    ("ccg", {"accuracy": 93.0}, 93.0),
])
def test_selection_value_is_jiants_major_metric(task_id, scores, expected):
    from repro.stages.common import selection_value

    task = INTERMEDIATE_TASKS.get(task_id) or TARGET_TASKS[task_id]
    assert selection_value(task, scores) == pytest.approx(expected)


def test_qqp_scores_binary_f1_and_targets_keep_their_metrics():
    """QQP adds F1 of `duplicate` (sklearn's f1_score, as jiant); XNLI and PAWS-X rows stay accuracy only."""
    from sklearn.metrics import f1_score

    predictions, gold = [1, 1, 0, 0, 1, 0, 1, 0], [1, 0, 0, 1, 1, 0, 0, 0]
    scores = classification.score(INTERMEDIATE_TASKS["qqp"], predictions, gold, "en")
    assert scores == pytest.approx({"accuracy": 62.5, "f1": 100 * f1_score(gold, predictions)})
    assert classification.binary_f1([0, 0], [0, 0]) == 0.0 == 100 * f1_score([0, 0], [0, 0], zero_division=0)
    for target in ("xnli", "pawsx"):
        assert set(classification.score(TARGET_TASKS[target], predictions, gold, "en")) == {"accuracy"}


@pytest.fixture(scope="module")
def tokenizer():
    from repro.models.tiny import train_tokenizer

    return train_tokenizer(["anna sees a dog .", "the cat sleeps .", "is it a dog ?"] * 10, 100, 128)


def test_anli_plus_selects_on_the_mean_over_its_sources_first_examples(smoke_world, tokenizer, monkeypatch):
    """ANLI+ is five jiant tasks (SNLI, MNLI, ANLI R1-R3), their selection value the mean of each one's dev
    accuracy, each on its first `eval_subset` examples (jiant's eval_subset_num), not a random draw."""
    from repro.params import Hyper
    from repro.stages import common

    task, n = INTERMEDIATE_TASKS["anli_plus"], 10
    seen = []

    def predict(task, model, rows, examples, pad_id, labels):
        seen.append(examples)
        return [e["label"] if len(seen) == 1 else 0 for e in examples]  # SNLI all right, the others "entailment"

    monkeypatch.setattr(common, "predict", predict)
    hp = Hyper(learning_rate=1e-5, epochs=1, batch_size=4, max_length=32, eval_subset=n)
    value = common.scorer(task, tokenizer, smoke_world, hp, task.labels)(None)
    devs = [common.english(source, "validation", smoke_world) for source in task.train]
    assert seen == [dev[:n] for dev in devs]
    entailment = [100 * sum(e["label"] == 0 for e in dev[:n]) / n for dev in devs[1:]]
    assert value == pytest.approx((100 + sum(entailment)) / 5)
