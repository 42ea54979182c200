"""The plan's memory model (repro.measure.roofline) against one real training step on this CPU, and the code
study's loss at label positions only against the model's own loss."""

import pytest
import torch

from repro.measure import roofline, step
from repro.models import decoder


ENCODER = {"num_hidden_layers": 4, "hidden_size": 256, "num_attention_heads": 4, "intermediate_size": 1024,
           "vocab_size": 8000, "max_position_embeddings": 514, "type_vocab_size": 1, "pad_token_id": 1,
           "bos_token_id": 0, "eos_token_id": 2}
DECODER = {"num_hidden_layers": 4, "hidden_size": 256, "num_attention_heads": 4, "num_key_value_heads": 2,
           "intermediate_size": 1024, "vocab_size": 8000, "tie_word_embeddings": True}


# long: five fresh processes each building and training a model (about a minute in all)
@pytest.mark.long
@pytest.mark.parametrize("family,config,checkpointing,labels", [
    ("encoder", ENCODER, False, None), ("encoder", ENCODER, True, None),
    ("decoder", DECODER, False, None), ("decoder", DECODER, True, None), ("decoder", DECODER, True, 64)])
def test_memory_model_within_15_percent_of_a_measured_step(family, config, checkpointing, labels):
    """Peak RSS growth of a fresh process over two AdamW steps (see repro.measure.step), 16 x 256 tokens."""
    result = step.measure(family, config, batch=16, length=256, checkpointing=checkpointing, label_positions=labels)
    predicted = result["predicted"]["peak_gib"]
    assert result["measured_gib"] > 0.1  # the shape is large enough for the allocator's rounding not to matter
    assert abs(predicted - result["measured_gib"]) <= 0.15 * result["measured_gib"], result


def test_checkpointing_and_label_positions_shrink_the_model_s_peak():
    dims = decoder.shape(decoder.QWEN25_CODER_1_5B, "qwen")
    full = roofline.decoder_activations(dims, 32, 1024, logits=roofline.logits(32, 1024, dims["vocab"]))
    labelled = roofline.logits(32, 256, dims["vocab"])
    light = roofline.decoder_activations(dims, 32, 1024, checkpointing=True, logits=labelled)
    assert full / 2**30 > 80 and light < full / 5


def test_label_loss_equals_the_model_s_own_loss(tiny_decoder):
    model = tiny_decoder(**{**DECODER, "vocab_size": 500}, use_sliding_window=False).eval()
    ids = torch.randint(5, 500, (3, 20))
    labels = ids.clone()
    labels[0, :12], labels[1, :5], labels[2, :18] = -100, -100, -100  # prompts carry no loss
    mask = torch.ones_like(ids)
    mask[2, -1], labels[2, -1] = 0, -100  # a padded position
    inputs = {"input_ids": ids, "attention_mask": mask, "labels": labels}
    own = model(**inputs).loss
    assert decoder.label_loss(model, inputs).item() == pytest.approx(own.item(), rel=1e-5)
    assert decoder.label_loss(model, inputs, num_items=7).item() == pytest.approx(
        own.item() * int((labels[:, 1:] != -100).sum()) / 7, rel=1e-5)


def test_code_study_fits_one_80_gb_gpu_only_with_checkpointing_and_label_logits(paper_profile):
    from repro.studies.code import memory
    from repro.studies.code.stages.common import code_of

    code = code_of(paper_profile)
    dims = decoder.shape(decoder.QWEN25_CODER_1_5B, "qwen")
    micro, accum = memory.split(code, dims, 80)
    assert micro * accum == code.training.batch_size and memory.peak_gib(code, dims, micro)["peak_gib"] <= 72
    plain = code.model_copy(update={"training": code.training.model_copy(
        update={"checkpointing": False, "label_logits": False})})
    assert memory.peak_gib(plain, dims, code.training.batch_size)["peak_gib"] > 150  # the setting
    assert memory.split(plain, dims, 80)[0] < micro


def test_label_loss_trains_as_the_model_s_own_loss(tmp_path, tiny_decoder):
    """The trainer with the label-position loss and checkpointing takes the same steps as the model's own loss."""
    from repro.engine.setup import TrainSetup
    from repro.engine.trainer import finetune
    from repro.params import Hyper

    rows = [{"input_ids": list(range(5, 25)), "labels": [-100] * 12 + list(range(17, 25))} for _ in range(8)]
    hp = Hyper(learning_rate=1e-3, epochs=1, batch_size=4, grad_accum=2, max_length=32, eval_every=0)
    trained = []
    for loss, checkpointing in ((None, False), (decoder.label_loss, True)):
        model = tiny_decoder(**{**DECODER, "num_hidden_layers": 2, "vocab_size": 100}, use_sliding_window=False)
        if checkpointing:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        trained.append(finetune(model, rows, TrainSetup(hp, workdir=tmp_path / str(checkpointing), seed=0,
                                                        pad_id=0, description="t", loss=loss)))
    for a, b in zip(trained[0].parameters(), trained[1].parameters()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_doctor_refuses_a_code_setting_that_does_not_fit_the_gpu(paper_profile):
    from repro.studies.code.readiness import fits
    from repro.studies.code.stages.common import code_of

    profile = paper_profile
    code = code_of(profile)
    assert fits(profile, code, 80.0) == []
    long = code.model_copy(update={"training": code.training.model_copy(
        update={"checkpointing": False, "label_logits": False, "max_length": 32768})})
    [line] = fits(profile, long, 80.0)
    assert line.startswith("code.training: one row of 32768 tokens needs") and "80 GiB GPU" in line


def test_doctor_notes_the_code_study_s_memory_on_a_cpu(paper_profile):
    from repro.doctor import notes

    [line] = notes(paper_profile, "code")
    assert line.startswith("code-intermediate: micro-batch 32 x 1, ~40 GiB peak on an 80 GiB GPU (no GPU here)")


def test_a_peak_reached_before_the_step_is_not_counted_in_it():
    """The CI failure this guards against: a peak while importing read as every small step's peak."""
    spike = bytearray(256 * 2**20)
    spike[::4096] = b"x" * len(spike[::4096])  # touch every page
    del spike
    step._reset_peak_rss()
    assert step._peak_rss() - step._rss() < 32 * 2**20
