"""One pooler rule for every arm's dual encoder: the pretrained model (A0, saved by a masked-LM head: no pooler) and
an intermediate run's encoder (here one saved with a trained pooler, as a multiple-choice head leaves it) start
their dual encoders from the same pooler for one seed, drawn from that seed alone; the encoder's own weights are
the saved ones."""

import torch
import transformers as tf

from repro.models.dual import DualEncoder

CONFIG = dict(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
              max_position_embeddings=40, initializer_range=0.02)


def _saved(tmp_path, with_pooler: bool):
    config = tf.XLMRobertaConfig(**CONFIG)
    torch.manual_seed(7 if with_pooler else 8)
    if with_pooler:
        model = tf.XLMRobertaModel(config)
        with torch.no_grad():
            model.pooler.dense.weight.fill_(0.5)  # a trained pooler the arm's head left behind
        out = tmp_path / "arm"
    else:
        model = tf.XLMRobertaForMaskedLM(config)  # add_pooling_layer=False: saved without one
        out = tmp_path / "pretrained"
    model.save_pretrained(out)
    return out, model


def test_a0_and_a_trained_arm_start_from_the_same_seeded_pooler(tmp_path):
    pretrained, lm = _saved(tmp_path, with_pooler=False)
    arm, trained = _saved(tmp_path, with_pooler=True)
    a0, a1 = DualEncoder.from_encoder(pretrained, seed=3), DualEncoder.from_encoder(arm, seed=3)
    assert torch.equal(a0.encoder.pooler.dense.weight, a1.encoder.pooler.dense.weight)
    assert torch.equal(a0.encoder.pooler.dense.bias, torch.zeros(CONFIG["hidden_size"]))
    assert not torch.equal(a1.encoder.pooler.dense.weight, trained.pooler.dense.weight)  # the saved one is replaced
    std = float(a0.encoder.pooler.dense.weight.detach().std())
    assert 0.01 < std < 0.03  # the family's initializer_range
    # the rest of each encoder is what was saved
    assert torch.equal(a0.encoder.embeddings.word_embeddings.weight, lm.roberta.embeddings.word_embeddings.weight)
    assert torch.equal(a1.encoder.embeddings.word_embeddings.weight, trained.embeddings.word_embeddings.weight)


def test_the_pooler_depends_on_the_seed(tmp_path):
    pretrained, _ = _saved(tmp_path, with_pooler=False)
    one, two = DualEncoder.from_encoder(pretrained, seed=3), DualEncoder.from_encoder(pretrained, seed=4)
    assert not torch.equal(one.encoder.pooler.dense.weight, two.encoder.pooler.dense.weight)
    again = DualEncoder.from_encoder(pretrained, seed=3)
    assert torch.equal(one.encoder.pooler.dense.weight, again.encoder.pooler.dense.weight)
