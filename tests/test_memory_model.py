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


def test_label_loss_equals_the_model_s_own_loss():
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    model = Qwen2ForCausalLM(Qwen2Config(**{**DECODER, "vocab_size": 500}, use_sliding_window=False)).eval()
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
