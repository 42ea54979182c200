"""The summarization contrast's controls: a long CNN/DailyMail article keeps its lead and its `TL;DR:` cue in
training rows, in the LM control's rows and in dev prompts alike; ROUGE is rouge-score's; a token budget gives
arms of different row lengths the same loss tokens, in whole batches."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from repro.engine.batching import IGNORE
from repro.errors import UserError
from repro.studies.code.params import Budget

LEAD = "The mayor opened the new bridge on Monday."
TAIL = "Nobody expected the final twist."
ARTICLE = " ".join([LEAD] + ["Traffic was slow and the river was high that week."] * 60 + [TAIL])
HIGHLIGHTS = "The mayor opened a bridge.\nTraffic was slow."


@pytest.fixture(scope="module")
def tokenizer():
    from repro.models.decoder import train_tokenizer

    corpus = [ARTICLE + "\nTL;DR: " + HIGHLIGHTS, "Premise: a man sleeps.\nHypothesis: he is awake.\nAnswer: no"] * 20
    return train_tokenizer(corpus, 400, 64)


def _summary_pair():
    from repro.kinds.text_to_text import cast

    return cast("cnn_dailymail", {"article": ARTICLE, "highlights": HIGHLIGHTS})


def test_a_training_row_keeps_the_articles_lead_and_the_cue(tokenizer):
    from repro.kinds.text_to_text import SUMMARY_CUE, encode

    prompt, target = _summary_pair()
    assert len(tokenizer(prompt, add_special_tokens=False)["input_ids"]) > 200  # the cut is needed
    [row] = encode(tokenizer, [(prompt, target)], max_length=64, target_length=16)
    assert len(row["input_ids"]) <= 64
    kept = sum(label == IGNORE for label in row["labels"])
    text = tokenizer.decode(row["input_ids"][:kept])
    assert text.startswith(LEAD) and text.endswith(SUMMARY_CUE) and TAIL not in text
    target_ids = tokenizer(target, add_special_tokens=False)["input_ids"][:16]
    assert row["labels"][kept:] == target_ids + [tokenizer.eos_token_id]


def test_the_lm_control_keeps_the_lead_whatever_the_tokenizers_truncation_side(tokenizer):
    from repro.models.decoder import lm_rows

    tokenizer.truncation_side = "left"
    try:
        [row] = lm_rows(tokenizer, [ARTICLE], 32)
    finally:
        tokenizer.truncation_side = "right"
    assert len(row["input_ids"]) == 32 and row["labels"] == row["input_ids"]
    assert tokenizer.decode(row["input_ids"][:-1]).startswith(LEAD)
    assert row["input_ids"][-1] == tokenizer.eos_token_id


def test_a_dev_prompt_is_cut_as_training_cuts_it(tokenizer):
    from repro.kinds.text_to_text import SUMMARY_CUE, encode
    from repro.studies.code.stages.intermediate import dev_prompts

    prompt, target = _summary_pair()
    room = 64 - len(tokenizer(target, add_special_tokens=False)["input_ids"]) - 1  # the training row's, EOS too
    code = SimpleNamespace(training=SimpleNamespace(max_length=64),
                           summarization=SimpleNamespace(max_new_tokens=64 - room))
    [text], [ids] = dev_prompts(code, tokenizer, [prompt])
    assert text.startswith(LEAD) and text.endswith(SUMMARY_CUE) and TAIL not in text
    assert len(ids) <= room and tokenizer(text, add_special_tokens=False)["input_ids"] == ids  # what generate sees
    [row] = encode(tokenizer, [(prompt, target)], max_length=64, target_length=64)
    assert row["input_ids"][:sum(label == IGNORE for label in row["labels"])] == ids


def test_other_prompts_still_keep_their_end(tokenizer):
    from repro.kinds.text_to_text import fit

    prompt = "Premise: " + "a man sleeps. " * 40 + "\nHypothesis: he is awake.\nAnswer:"
    [text], [ids] = fit(tokenizer, [prompt], [20])
    assert len(ids) <= 20 and text.endswith("\nHypothesis: he is awake.\nAnswer:") and prompt.endswith(text)


def test_a_room_too_small_for_the_cue_is_refused(tokenizer):
    from repro.kinds.text_to_text import fit

    prompt, _ = _summary_pair()
    with pytest.raises(UserError, match="cue"):
        fit(tokenizer, [prompt], [2])


def test_rouge_is_rouge_scores_on_a_known_pair():
    from rouge_score import rouge_scorer

    from repro.kinds.text_to_text import score

    prediction, target = "the cat sat on the mat", "the cat lay on the mat"
    ours = score([prediction], [" " + target], summarization=True)
    # by hand: unigrams the x2, cat, on, mat match 5 of 6; bigrams the-cat, on-the, the-mat 3 of 5
    assert ours["rouge1"] == pytest.approx(100 * 5 / 6) and ours["rouge2"] == pytest.approx(60.0)
    theirs = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True).score(target, prediction)
    assert {k: v / 100 for k, v in ours.items()} == pytest.approx({k: s.fmeasure for k, s in theirs.items()})


def _rows(n: int, target_tokens: int, prompt_tokens: int) -> list[dict]:
    return [{"input_ids": [i] * (prompt_tokens + target_tokens), "labels": [IGNORE] * prompt_tokens + [i] * target_tokens}
            for i in range(n)]


def test_a_token_budget_gives_arms_of_different_row_lengths_equal_loss_tokens():
    from repro.studies.code.stages.intermediate import budgeted, spent

    budget, batch = Budget(unit="tokens", value=5000), 8
    arms = {"summaries": [_rows(40, 60, 900)], "nli": [_rows(300, 3, 70)], "multitask": [_rows(40, 60, 900),
                                                                                         _rows(300, 3, 70)]}
    logs = {arm: spent(budgeted(rows, budget, batch, seed=0)) for arm, rows in arms.items()}
    for arm, log in logs.items():
        assert log["examples"] % batch == 0  # whole optimizer steps
        most = max(len(r["labels"]) - r["labels"].count(IGNORE) for rows in arms[arm] for r in rows)
        assert budget.value <= log["loss_tokens"] < budget.value + batch * most  # within one batch
    assert logs["nli"]["examples"] > 10 * logs["summaries"]["examples"]  # equal tokens are not equal steps
    assert logs["summaries"]["input_tokens"] == logs["summaries"]["examples"] * 960


def test_code_params_refuse_a_length_with_no_room_for_a_prompt():
    from pydantic import ValidationError

    from repro.studies.code.params import CodeStudy, Training

    import yaml

    base = yaml.safe_load((Path(__file__).resolve().parents[3] / "params.yaml").read_text())["profiles"]["smoke"]["code"]
    training = Training(learning_rate=1e-4, batch_size=2, max_length=160).model_dump()
    CodeStudy.model_validate({**base, "training": {**training, "target_length": 32}})
    with pytest.raises(ValidationError, match="target_length"):
        CodeStudy.model_validate({**base, "training": {**training, "target_length": 159}})
    with pytest.raises(ValidationError, match="max_new_tokens"):
        CodeStudy.model_validate({**base, "training": training, "summarization": {"max_new_tokens": 160}})


def test_fit_in_chunks_is_fit_at_once(tokenizer, monkeypatch):
    from repro.kinds import text_to_text

    prompts = [_summary_pair()[0], "short\nAnswer:", "Premise: " + "a man sleeps. " * 30 + "\nAnswer:"] * 2
    rooms = [40, 40, 20, 30, 40, 25]
    whole = text_to_text.fit(tokenizer, prompts, rooms)
    monkeypatch.setattr(text_to_text, "FIT_CHUNK", 4)
    assert text_to_text.fit(tokenizer, prompts, rooms) == whole
    assert whole[0][1] == "short\nAnswer:" and [len(ids) <= room for ids, room in zip(whole[1], rooms)] == [True] * 6
